#![doc = include_str!("../../rules/AL502.md")]

use ruff_text_size::Ranged;

use crate::checker::Checker;
use crate::diagnostic::Diagnostic;
use crate::model::{ClassInfo, Member};
use crate::registry::Rule;

pub fn check(checker: &mut Checker, class: &ClassInfo, member: &Member) {
    // Defined under an `if`/`try` (typically a NumPy version test): kept on purpose for
    // NumPy 1.x, where it still runs.
    if !class
        .def
        .body
        .iter()
        .any(|stmt| stmt.range() == member.stmt_range)
    {
        return;
    }
    checker.report(Diagnostic::new(
        Rule::ArrayPrepareRemoved,
        "`__array_prepare__` was removed in NumPy 2.0 and is never called; move its work to `__array_wrap__` or `__array_ufunc__`",
        member.range,
    ));
}
