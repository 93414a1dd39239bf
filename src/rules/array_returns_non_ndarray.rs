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
            None => "`None`",
            // In a subclass of something (maybe ndarray), `self` may be an array.
            Some(Expr::Name(n)) if n.id.as_str() == "self" && !class.has_real_base => "`self`",
            Some(value) => match helpers::literal_description(value) {
                Some(what) => what,
                None => continue,
            },
        };
        checker.report(Diagnostic::new(
            Rule::ArrayReturnsNonNdarray,
            format!("`__array__` returns {what}, not an ndarray; NumPy raises `ValueError: object __array__ method not producing an array`"),
            ret.range(),
        ));
    }
}
