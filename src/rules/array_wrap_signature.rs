#![doc = include_str!("../../rules/AL501.md")]

use crate::checker::Checker;
use crate::diagnostic::{Applicability, Diagnostic, Fix};
use crate::model::{ClassInfo, Member, MemberKind, ParamKind, Signature};
use crate::registry::Rule;
use crate::rules::helpers;

/// What NumPy 2 passes, positionally, and the parameters the fix adds for each.
const WRAP_PARAMETERS: [(&str, &str); 3] = [
    ("arr", "arr"),
    ("context", "context=None"),
    ("return_scalar", "return_scalar=False"),
];

pub fn check(checker: &mut Checker, class: &ClassInfo, member: &Member) {
    let MemberKind::Method { def, binding } = member.kind else {
        return;
    };
    let signature = Signature::of(def, binding);
    let accepts = |s: &Signature| s.accepts_call(WRAP_PARAMETERS.len(), &[]);
    if accepts(&signature) || helpers::other_definition_accepts(class, member, accepts) {
        return;
    }
    let mut diagnostic = Diagnostic::new(
        Rule::ArrayWrapSignature,
        "`__array_wrap__` cannot be called as `__array_wrap__(arr, context, return_scalar)`; NumPy 2 passes all three positionally and warns (`__array_wrap__ must accept context and return_scalar arguments (positionally) in the future`) before falling back",
        member.range,
    );
    if let Some(added) = missing_parameters(&signature) {
        diagnostic = diagnostic.with_fix(Fix {
            applicability: Applicability::Unsafe,
            message: format!("Add `{added}`"),
            edits: vec![helpers::append_positional_parameter(
                &def.parameters,
                checker.text,
                &added,
            )],
        });
    }
    checker.report(diagnostic);
}

/// The parameters to append so that the three positional arguments bind, where appending
/// is all it takes: the method has its `self`, too few positional slots, no keyword-only
/// parameter without a default, and no parameter already named like a new one.
fn missing_parameters(signature: &Signature) -> Option<String> {
    if signature.missing_self || signature.vararg.is_some() {
        return None;
    }
    let slots = signature.positional().count();
    let new = WRAP_PARAMETERS.get(slots..).filter(|new| !new.is_empty())?;
    let required_keyword_only = signature
        .params
        .iter()
        .any(|p| p.kind == ParamKind::KeywordOnly && p.default.is_none());
    let names_taken = signature
        .parameters
        .iter()
        .any(|p| new.iter().any(|(name, _)| p.name().as_str() == *name));
    if required_keyword_only || names_taken {
        return None;
    }
    Some(
        new.iter()
            .map(|(_, text)| *text)
            .collect::<Vec<_>>()
            .join(", "),
    )
}
