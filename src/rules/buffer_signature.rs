#![doc = include_str!("../../rules/AL509.md")]

use crate::checker::Checker;
use crate::diagnostic::Diagnostic;
use crate::model::{ClassInfo, Member, MemberKind, Signature};
use crate::registry::Rule;
use crate::rules::helpers;

pub fn check(checker: &mut Checker, class: &ClassInfo, member: &Member) {
    let MemberKind::Method { def, binding } = member.kind else {
        return;
    };
    // Python calls both with one positional argument (PEP 688).
    let accepts = |s: &Signature| s.accepts_call(1, &[]);
    if accepts(&Signature::of(def, binding))
        || helpers::other_definition_accepts(class, member, accepts)
    {
        return;
    }
    let expected = match member.name {
        "__release_buffer__" => "__release_buffer__(self, view, /)",
        _ => "__buffer__(self, flags, /)",
    };
    checker.report(Diagnostic::new(
        Rule::BufferSignature,
        format!("`{}` cannot be called with one positional argument as Python calls it; PEP 688 declares `{expected}`", member.name),
        member.range,
    ));
}
