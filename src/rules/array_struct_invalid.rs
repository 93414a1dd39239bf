#![doc = include_str!("../../rules/AL217.md")]

use crate::checker::Checker;
use crate::descriptor::array_struct;
use crate::diagnostic::Diagnostic;
use crate::model::Member;
use crate::registry::Rule;
use crate::rules::descriptors::Evaluated;

/// What the getter returns: not a capsule, or a named one (on the `return`).
pub fn check(checker: &mut Checker, evaluated: &Evaluated) {
    evaluated.report(checker, Rule::ArrayStructInvalid);
}

/// The legacy notice (info), once per implemented `__array_struct__`, on its definition.
pub fn check_legacy(checker: &mut Checker, member: &Member) {
    if member.is_declaration {
        return;
    }
    let notice = array_struct::legacy_notice(member.range);
    checker.report(
        Diagnostic::new(notice.rule, notice.message, member.range).with_severity(notice.severity),
    );
}
