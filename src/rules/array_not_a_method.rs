#![doc = include_str!("../../rules/AL106.md")]

use ruff_python_ast::Expr;

use crate::checker::Checker;
use crate::diagnostic::Diagnostic;
use crate::model::{Binding, Member, MemberKind};
use crate::registry::Rule;
use crate::rules::helpers;

/// Reports AL106 and returns whether `__array__` is not a plain method (the signature
/// rules then stay quiet: one member, one root cause).
pub fn check(checker: &mut Checker, member: &Member) -> bool {
    let what = match member.kind {
        MemberKind::Property { .. } => "a property",
        MemberKind::Method {
            binding: Binding::Static,
            ..
        } => "a staticmethod",
        MemberKind::Method {
            binding: Binding::Class,
            ..
        } => "a classmethod",
        MemberKind::Method { .. } => return false,
        MemberKind::Attribute { value } => match value {
            // Python's way to say "not supported" (as `__hash__ = None`): NumPy then raises
            // instead of building an object array, which is what the author asks for.
            Expr::NoneLiteral(_) => return true,
            _ if helpers::literal_description(value).is_some() => "a non-callable class attribute",
            // A lambda, another function or anything else may well be callable.
            _ => return false,
        },
    };
    checker.report(Diagnostic::new(
        Rule::ArrayNotAMethod,
        format!(
            "`__array__` is {what}; NumPy calls it as a method `__array__(dtype=None, copy=None)`"
        ),
        member.range,
    ));
    true
}
