#![doc = include_str!("../../rules/AL403.md")]

use crate::checker::Checker;
use crate::descriptor::{self, Context, Protocol};
use crate::diagnostic::Diagnostic;
use crate::model::{ClassInfo, Member, MemberKind};
use crate::registry::Rule;
use crate::value::{Returned, ValueKind};

pub fn check<'a>(checker: &mut Checker<'a>, class: &'a ClassInfo<'a>, member: &'a Member<'a>) {
    if member.is_declaration || !checker.enabled(Rule::DlpackDeviceInvalid) {
        return;
    }
    let mut diagnostics = Vec::new();
    for returned in device_returns(checker, class, member) {
        for finding in
            descriptor::validate(&returned.value, Protocol::DlpackDevice, &Context::default())
        {
            // On the `return`, as every rule about a returned value.
            diagnostics.push(Diagnostic::new(
                finding.rule,
                finding.message,
                returned.range,
            ));
        }
    }
    for diagnostic in diagnostics {
        checker.report(diagnostic);
    }
}

/// What each `return` of a `__dlpack_device__` method evaluates to.
pub fn device_returns<'a>(
    checker: &Checker<'a>,
    class: &'a ClassInfo<'a>,
    member: &'a Member<'a>,
) -> Vec<Returned> {
    let MemberKind::Method { def, .. } = member.kind else {
        return Vec::new();
    };
    checker.value_index().getter_returns(def, Some(class.def))
}

/// The `DLDeviceType` a class's `__dlpack_device__` returns, where every `return` gives
/// the same known int.
pub fn literal_device_type<'a>(checker: &Checker<'a>, class: &'a ClassInfo<'a>) -> Option<i128> {
    let member = class.member("__dlpack_device__")?;
    let mut device_type = None;
    for returned in device_returns(checker, class, member) {
        let ValueKind::Tuple(items) = &returned.value.kind else {
            return None;
        };
        let code = items.first()?.as_int()?;
        if device_type.is_some_and(|known| known != code) {
            return None;
        }
        device_type = Some(code);
    }
    device_type
}
