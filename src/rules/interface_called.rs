#![doc = include_str!("../../rules/AL601.md")]

use ruff_python_ast::Expr;
use ruff_text_size::Ranged;

use crate::checker::Checker;
use crate::diagnostic::Diagnostic;
use crate::model::CallSite;
use crate::registry::Rule;

pub fn check(checker: &mut Checker, site: &CallSite) {
    let Expr::Attribute(attr) = &*site.call.func else {
        return;
    };
    let name = attr.attr.as_str();
    let what = match name {
        "__array_interface__" | "__cuda_array_interface__" => "a dict",
        "__array_struct__" => "a capsule",
        _ => return,
    };
    checker.report(Diagnostic::new(
        Rule::InterfaceCalled,
        format!(
            "`{name}` is an attribute holding {what}, not a method: read it without calling it"
        ),
        site.call.range(),
    ));
}
