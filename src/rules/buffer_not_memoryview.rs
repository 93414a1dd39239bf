#![doc = include_str!("../../rules/AL510.md")]

use ruff_python_ast::Expr;
use ruff_text_size::Ranged;

use crate::checker::Checker;
use crate::diagnostic::Diagnostic;
use crate::model::{Member, MemberKind};
use crate::registry::Rule;
use crate::rules::helpers;

/// Builtins whose result is never a memoryview.
const NON_MEMORYVIEW_BUILTINS: &[&str] = &[
    "bytes",
    "bytearray",
    "str",
    "list",
    "tuple",
    "dict",
    "set",
    "frozenset",
    "int",
    "float",
];

pub fn check(checker: &mut Checker, member: &Member) {
    let MemberKind::Method { def, .. } = member.kind else {
        return;
    };
    if member.is_declaration {
        return;
    }
    for ret in helpers::returns(def) {
        let what = match ret.value.as_deref() {
            None => "`None`".to_string(),
            // A memoryview cannot be subclassed: `self` is never one.
            Some(Expr::Name(name)) if name.id.as_str() == "self" => "`self`".to_string(),
            Some(Expr::Call(call)) => match &*call.func {
                Expr::Name(name) if NON_MEMORYVIEW_BUILTINS.contains(&name.id.as_str()) => {
                    format!("a `{}`", name.id)
                }
                _ => continue,
            },
            Some(value) => match helpers::literal_description(value) {
                Some(what) => what.to_string(),
                None => continue,
            },
        };
        checker.report(Diagnostic::new(
            Rule::BufferNotMemoryview,
            format!("`__buffer__` returns {what}, not a memoryview; Python raises `TypeError: __buffer__ returned non-memoryview object`: return `memoryview(...)`"),
            ret.range(),
        ));
    }
}
