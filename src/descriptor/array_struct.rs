//! `__array_struct__`: a PyCapsule holding a `PyArrayInterface` (NumPy's
//! `PyArray_FromStructInterface` reads it with `PyCapsule_GetPointer(attr, NULL)`, so
//! the capsule must be unnamed, and refuses it unless `two == 2`).

use ruff_text_size::TextRange;

use super::checks::a_type;
use super::{Finding, PathSegment, ValuePath};
use crate::diagnostic::Severity;
use crate::registry::Rule;
use crate::value::{Value, ValueKind};

/// Check what `__array_struct__` evaluates to: an unnamed capsule.
pub fn validate(value: &Value) -> Vec<Finding> {
    let message = match &value.kind {
        ValueKind::Unknown | ValueKind::Capsule(None) => return Vec::new(),
        ValueKind::Capsule(Some(name)) => format!(
            "`__array_struct__` is a capsule named {name:?}; NumPy reads it with \
             `PyCapsule_GetPointer(capsule, NULL)`, which fails unless the capsule is unnamed"
        ),
        _ => format!(
            "`__array_struct__` must be a PyCapsule holding a `PyArrayInterface`, not {}",
            a_type(value)
        ),
    };
    vec![Finding::new(
        Rule::ArrayStructInvalid,
        message,
        ValuePath::default(),
        value.range,
    )]
}

/// The fields of a `PyArrayInterface` the verifier read from a live capsule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArrayStructFields {
    pub two: i32,
    pub nd: i32,
    pub typekind: u8,
    pub itemsize: i32,
}

/// The `typekind` characters NumPy accepts.
const TYPEKINDS: &[u8] = b"biufcmMOSUV";

/// Check the struct behind a live `__array_struct__` capsule.
pub fn check_fields(fields: &ArrayStructFields) -> Vec<Finding> {
    let field = |name: &str| ValuePath(vec![PathSegment::Key(name.to_string())]);
    let mut findings = Vec::new();
    let mut report = |message: String, path: ValuePath| {
        findings.push(Finding::new(
            Rule::ArrayStructInvalid,
            message,
            path,
            TextRange::default(),
        ));
    };
    if fields.two != 2 {
        report(
            format!(
                "the `PyArrayInterface` field `two` is {}, not 2: NumPy refuses the struct",
                fields.two
            ),
            field("two"),
        );
        // Nothing else in a struct without its sanity marker can be trusted.
        return findings;
    }
    if !(0..=64).contains(&fields.nd) {
        report(
            format!("`nd` is {}; it must be 0 to 64", fields.nd),
            field("nd"),
        );
    }
    if !TYPEKINDS.contains(&fields.typekind) {
        report(
            format!(
                "`typekind` is {:?}, not one of `b i u f c m M O S U V`",
                char::from(fields.typekind)
            ),
            field("typekind"),
        );
    }
    if fields.itemsize < 0 {
        report(
            format!("`itemsize` is negative ({})", fields.itemsize),
            field("itemsize"),
        );
    }
    findings
}

/// The informational notice that `__array_struct__` is a legacy protocol. Report it
/// once per member (static) or object (live).
pub fn legacy_notice(range: TextRange) -> Finding {
    Finding::new(
        Rule::ArrayStructInvalid,
        "`__array_struct__` is a legacy protocol: new code should export the buffer \
         protocol, `__array_interface__` or DLPack",
        ValuePath::default(),
        range,
    )
    .with_severity(Severity::Info)
}
