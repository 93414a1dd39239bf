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
    if !keyword_only || signature.vararg.is_some() {
        return;
    }
    // Fine if another positional slot takes NumPy's positional dtype (`t`, `dtype_`); a
    // `copy` there takes it by mistake.
    let message = match signature.positional().next() {
        None => "`__array__`'s `dtype` is keyword-only; NumPy passes it positionally",
        Some(first) if first.name == "copy" => {
            "`__array__`'s `dtype` is keyword-only; NumPy passes it positionally, and it lands in `copy`"
        }
        Some(_) => return,
    };
    checker.report(Diagnostic::new(
        Rule::ArrayDtypeKeywordOnly,
        message,
        member.range,
    ));
}
