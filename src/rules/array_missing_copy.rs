#![doc = include_str!("../../rules/AL101.md")]

use crate::checker::Checker;
use crate::diagnostic::{Applicability, Diagnostic, Fix};
use crate::model::{Member, MemberKind, Signature};
use crate::registry::Rule;
use crate::rules::helpers;

pub fn check(checker: &mut Checker, member: &Member) {
    let MemberKind::Method { def, binding } = member.kind else {
        return;
    };
    let signature = Signature::of(def, binding);
    if signature.accepts_keyword("copy") {
        return;
    }
    let mut diagnostic = Diagnostic::new(
        Rule::ArrayMissingCopy,
        "`__array__` does not accept a `copy` keyword; NumPy 2 passes `copy=`",
        member.range,
    );
    // A positional-only `copy` already exists: a second one would not compile.
    if signature.param("copy").is_none() {
        diagnostic = diagnostic.with_fix(Fix {
            applicability: Applicability::Unsafe,
            message: "Add `copy=None`".to_string(),
            edits: vec![helpers::append_positional_parameter(
                &def.parameters,
                checker.text,
                "copy=None",
            )],
        });
    }
    checker.report(diagnostic);
}
