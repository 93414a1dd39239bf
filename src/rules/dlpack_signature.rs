#![doc = include_str!("../../rules/AL401.md")]

use crate::checker::Checker;
use crate::diagnostic::{Applicability, Diagnostic, Fix};
use crate::model::{ClassInfo, Member, MemberKind, Signature};
use crate::registry::Rule;
use crate::rules::helpers;

/// The keywords consumers pass to `__dlpack__` (Array API 2023.12), in the spec's order.
const DLPACK_KEYWORDS: [&str; 4] = ["stream", "max_version", "dl_device", "copy"];

pub fn check(checker: &mut Checker, class: &ClassInfo, member: &Member) {
    let MemberKind::Method { def, binding } = member.kind else {
        return;
    };
    let signature = Signature::of(def, binding);
    if accepts(&signature) || helpers::other_definition_accepts(class, member, accepts) {
        return;
    }
    let missing: Vec<&str> = DLPACK_KEYWORDS
        .into_iter()
        .filter(|keyword| !signature.accepts_keyword(keyword))
        .collect();
    if missing.is_empty() {
        // Every keyword is accepted, but a parameter without a default still breaks
        // `x.__dlpack__()` and `x.__dlpack__(stream=None)`.
        let required = signature
            .params
            .iter()
            .find(|p| p.default.is_none())
            .map(|p| format!("requires `{}`", p.name))
            .unwrap_or_else(|| "has no parameter for `self`".to_string());
        checker.report(Diagnostic::new(
            Rule::DlpackSignature,
            format!("`__dlpack__` {required}; consumers call it with only the optional keywords `stream`, `max_version`, `dl_device`, `copy`"),
            member.range,
        ));
        return;
    }
    let names = missing
        .iter()
        .map(|name| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut diagnostic = Diagnostic::new(
        Rule::DlpackSignature,
        format!("`__dlpack__` does not accept {names} by keyword; `from_dlpack` consumers (NumPy, the Array API 2023.12) pass them as keyword-only arguments"),
        member.range,
    );
    // A parameter of that name that is positional-only (or `self` missing) cannot be
    // repaired by adding one more: the result would not compile or still not bind.
    let collides = missing.iter().any(|name| signature.param(name).is_some())
        || def
            .parameters
            .iter()
            .any(|p| missing.contains(&p.name().as_str()));
    if !collides && !signature.missing_self {
        let added = missing
            .iter()
            .map(|name| format!("{name}=None"))
            .collect::<Vec<_>>()
            .join(", ");
        diagnostic = diagnostic.with_fix(Fix {
            applicability: Applicability::Unsafe,
            message: format!("Add keyword-only `{added}`"),
            edits: vec![helpers::append_keyword_only_parameters(
                &def.parameters,
                checker.text,
                &added,
            )],
        });
    }
    checker.report(diagnostic);
}

/// Every keyword can be passed, and none is needed.
fn accepts(signature: &Signature) -> bool {
    DLPACK_KEYWORDS
        .iter()
        .all(|keyword| signature.accepts_keyword(keyword))
        && signature.accepts_call(0, &[])
}
