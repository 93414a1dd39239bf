#![doc = include_str!("../../rules/AL504.md")]

use ruff_python_ast::{Expr, Number};

use crate::checker::Checker;
use crate::diagnostic::Diagnostic;
use crate::model::{Member, MemberKind};
use crate::registry::Rule;
use crate::rules::helpers;

pub fn check(checker: &mut Checker, member: &Member) {
    let what = match member.kind {
        MemberKind::Attribute { value } => match value {
            // `float()` takes ints and bools; it refuses complex numbers.
            Expr::NumberLiteral(number) if matches!(number.value, Number::Complex { .. }) => {
                "a complex number"
            }
            Expr::NumberLiteral(_) | Expr::BooleanLiteral(_) => return,
            _ => match helpers::literal_description(value) {
                Some(what) => what,
                None => return,
            },
        },
        MemberKind::Method { .. } => "a method",
        // What a getter returns is not known here.
        MemberKind::Property { .. } => return,
    };
    checker.report(Diagnostic::new(
        Rule::ArrayPriorityNotNumber,
        format!("`__array_priority__` is {what}, not a number; NumPy cannot convert it with `float()` and silently uses the default priority"),
        member.range,
    ));
}
