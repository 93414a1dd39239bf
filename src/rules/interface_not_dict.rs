#![doc = include_str!("../../rules/AL202.md")]

use crate::checker::Checker;
use crate::registry::Rule;
use crate::rules::descriptors::Evaluated;

/// The check is part of the descriptor spec (`descriptor::validate`), shared with the
/// live verifier; this reports what it found in the evaluated getter.
pub fn check(checker: &mut Checker, evaluated: &Evaluated) {
    evaluated.report(checker, Rule::InterfaceNotDict);
}
