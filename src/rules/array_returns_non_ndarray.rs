#![doc = include_str!("../../rules/AL105.md")]

use ruff_python_ast::Expr;
use ruff_text_size::Ranged;

use crate::checker::Checker;
use crate::diagnostic::Diagnostic;
use crate::model::{ClassInfo, Member, MemberKind};
use crate::registry::Rule;
use crate::rules::helpers;

pub fn check(checker: &mut Checker, class: &ClassInfo, member: &Member) {
    let MemberKind::Method { def, .. } = member.kind else {
        return;
    };
    if member.is_declaration {
        return;
    }
    for ret in helpers::returns(def) {
        let what = match ret.value.as_deref() {
            None | Some(Expr::NoneLiteral(_)) => "`None`",
            Some(Expr::List(_) | Expr::ListComp(_)) => "a list",
            Some(Expr::Tuple(_)) => "a tuple",
            Some(Expr::Dict(_) | Expr::DictComp(_)) => "a dict",
            Some(Expr::Set(_) | Expr::SetComp(_)) => "a set",
            Some(Expr::NumberLiteral(_) | Expr::BooleanLiteral(_)) => "a Python scalar",
            Some(Expr::StringLiteral(_) | Expr::BytesLiteral(_) | Expr::FString(_)) => "a string",
            // In a subclass of something (maybe ndarray), `self` may be an array.
            Some(Expr::Name(n)) if n.id.as_str() == "self" && !class.has_real_base => "`self`",
            _ => continue,
        };
        checker.report(Diagnostic::new(
            Rule::ArrayReturnsNonNdarray,
            format!("`__array__` returns {what}, not an ndarray; NumPy raises `ValueError: object __array__ method not producing an array`"),
            ret.range(),
        ));
    }
}
