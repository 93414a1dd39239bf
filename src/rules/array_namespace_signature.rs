#![doc = include_str!("../../rules/AL508.md")]

use crate::checker::Checker;
use crate::diagnostic::Diagnostic;
use crate::model::{ClassInfo, Member, MemberKind, Signature};
use crate::registry::Rule;
use crate::rules::helpers;

pub fn check(checker: &mut Checker, class: &ClassInfo, member: &Member) {
    let MemberKind::Method { def, binding } = member.kind else {
        return;
    };
    let signature = Signature::of(def, binding);
    if accepts(&signature) || helpers::other_definition_accepts(class, member, accepts) {
        return;
    }
    // How `array_api_compat` and the Array API's consumers call it.
    let message = if !signature.accepts_call(0, &[]) {
        "`__array_namespace__` cannot be called without arguments; consumers call `x.__array_namespace__()`"
    } else if !signature.accepts_call(0, &["api_version"]) {
        "`__array_namespace__` does not accept `api_version=` by keyword; consumers call `x.__array_namespace__(api_version=\"2023.12\")`"
    } else {
        return;
    };
    checker.report(Diagnostic::new(
        Rule::ArrayNamespaceSignature,
        message,
        member.range,
    ));
}

fn accepts(signature: &Signature) -> bool {
    signature.accepts_call(0, &[]) && signature.accepts_call(0, &["api_version"])
}
