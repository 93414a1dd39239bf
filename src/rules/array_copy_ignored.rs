#![doc = include_str!("../../rules/AL104.md")]

use crate::checker::Checker;
use crate::diagnostic::Diagnostic;
use crate::model::{Member, MemberKind, Signature};
use crate::registry::Rule;
use crate::rules::helpers;

pub fn check(checker: &mut Checker, member: &Member) {
    let MemberKind::Method { def, binding } = member.kind else {
        return;
    };
    if member.is_declaration {
        return;
    }
    let signature = Signature::of(def, binding);
    // `copy` taken through `**kwargs` is read however the body likes: not ours to judge.
    if signature.param("copy").is_none() || helpers::only_raises(&def.body) {
        return;
    }
    let body = helpers::without_docstring(&def.body);
    let is_stub_body = body.iter().all(|s| {
        matches!(s, ruff_python_ast::Stmt::Pass(_))
            || matches!(s, ruff_python_ast::Stmt::Expr(e) if e.value.is_ellipsis_literal_expr())
    });
    if is_stub_body || helpers::reads_name(&def.body, "copy") {
        return;
    }
    // A body that never returns an array (it raises, or calls something that does) cannot
    // honour or ignore `copy`.
    if !helpers::returns(def).iter().any(|ret| ret.value.is_some()) {
        return;
    }
    checker.report(Diagnostic::new(
        Rule::ArrayCopyIgnored,
        "`__array__` accepts `copy` but never reads it: `copy=False` must raise when a copy is needed, `copy=True` must return a fresh array",
        member.range,
    ));
}
