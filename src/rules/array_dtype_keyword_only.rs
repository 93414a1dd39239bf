#![doc = include_str!("../../rules/AL103.md")]

use crate::checker::Checker;
use crate::diagnostic::Diagnostic;
use crate::model::{Member, MemberKind, ParamKind, Signature};
use crate::registry::Rule;

pub fn check(checker: &mut Checker, member: &Member) {
    let MemberKind::Method { def, binding } = member.kind else {
        return;
    };
    let signature = Signature::of(def, binding);
    let keyword_only = signature
        .param("dtype")
        .is_some_and(|p| p.kind == ParamKind::KeywordOnly);
    // Fine if a positional slot can still take NumPy's positional dtype.
    if !keyword_only || signature.positional().next().is_some() || signature.vararg.is_some() {
        return;
    }
    checker.report(Diagnostic::new(
        Rule::ArrayDtypeKeywordOnly,
        "`__array__`'s `dtype` is keyword-only; NumPy passes it positionally",
        member.range,
    ));
}
