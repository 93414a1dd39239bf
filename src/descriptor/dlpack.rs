//! `__dlpack_device__()`'s `(device_type, device_id)` and the `DLDeviceType` enum of
//! `dlpack.h` 1.1.

use super::checks::a_type;
use super::{Finding, ValuePath};
use crate::registry::Rule;
use crate::value::{Value, ValueKind};

/// `DLDeviceType` of `dlpack.h` 1.1 (5 and 6 were never assigned).
pub const DEVICE_TYPES: &[(i128, &str)] = &[
    (1, "kDLCPU"),
    (2, "kDLCUDA"),
    (3, "kDLCUDAHost"),
    (4, "kDLOpenCL"),
    (7, "kDLVulkan"),
    (8, "kDLMetal"),
    (9, "kDLVPI"),
    (10, "kDLROCM"),
    (11, "kDLROCMHost"),
    (12, "kDLExtDev"),
    (13, "kDLCUDAManaged"),
    (14, "kDLOneAPI"),
    (15, "kDLWebGPU"),
    (16, "kDLHexagon"),
    (17, "kDLMAIA"),
    (18, "kDLTrn"),
];

/// The enum member's name, where `code` is one.
pub fn device_type_name(code: i128) -> Option<&'static str> {
    DEVICE_TYPES
        .iter()
        .find(|(value, _)| *value == code)
        .map(|(_, name)| *name)
}

/// Check `__dlpack_device__()`'s return value (AL403).
pub fn validate_device(value: &Value) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut report = |message: String, path: ValuePath, range| {
        findings.push(Finding::new(
            Rule::DlpackDeviceInvalid,
            message,
            path,
            range,
        ));
    };
    let items = match &value.kind {
        ValueKind::Unknown => return findings,
        ValueKind::Tuple(items) => items,
        _ => {
            report(
                format!(
                    "`__dlpack_device__` must return a `(device_type, device_id)` tuple, not {}",
                    a_type(value)
                ),
                ValuePath::default(),
                value.range,
            );
            return findings;
        }
    };
    if items.len() != 2 {
        report(
            format!(
                "`__dlpack_device__` must return a 2-tuple `(device_type, device_id)`, not a {}-tuple",
                items.len()
            ),
            ValuePath::default(),
            value.range,
        );
        return findings;
    }
    let (device_type, device_id) = (&items[0], &items[1]);
    match &device_type.kind {
        ValueKind::Unknown => {}
        ValueKind::Int(code) if device_type_name(*code).is_some() => {}
        ValueKind::Int(code) => report(
            format!("device type {code} is not a `DLDeviceType` (1-4, 7-18 in dlpack.h 1.1)"),
            ValuePath::default().index(0),
            device_type.range,
        ),
        _ => report(
            format!(
                "the device type must be an int, not {}",
                a_type(device_type)
            ),
            ValuePath::default().index(0),
            device_type.range,
        ),
    }
    match &device_id.kind {
        ValueKind::Unknown => {}
        ValueKind::Int(id) if *id >= 0 => {}
        ValueKind::Int(id) => report(
            format!("the device id must not be negative ({id})"),
            ValuePath::default().index(1),
            device_id.range,
        ),
        _ => report(
            format!("the device id must be an int, not {}", a_type(device_id)),
            ValuePath::default().index(1),
            device_id.range,
        ),
    }
    findings
}
