//! The descriptor spec as the live verifier uses it: values built by hand (no source,
//! no ranges), checked through the public API only.

use arraylint::descriptor::array_struct::{self, ArrayStructFields};
use arraylint::descriptor::{dlpack, validate, Context, Protocol};
use arraylint::diagnostic::Severity;
use arraylint::value::{Dict, DictEntry, Presence, Value, ValueKind};

fn int(n: i128) -> Value {
    Value::live(ValueKind::Int(n))
}

fn tuple(items: Vec<Value>) -> Value {
    Value::live(ValueKind::Tuple(items))
}

fn dict(entries: Vec<(&str, Value)>) -> Value {
    Value::live(ValueKind::Dict(Dict {
        entries: entries
            .into_iter()
            .map(|(key, value)| DictEntry {
                key: key.to_string(),
                key_range: Default::default(),
                value,
                presence: Presence::Always,
            })
            .collect(),
        complete: true,
    }))
}

/// `(code, path)` of each finding.
fn found(value: &Value, protocol: Protocol, context: &Context) -> Vec<(String, String)> {
    validate(value, protocol, context)
        .into_iter()
        .map(|f| (f.rule.code().to_string(), f.path.to_string()))
        .collect()
}

#[test]
fn a_live_cuda_interface_with_problems() {
    let value = dict(vec![
        ("shape", tuple(vec![int(4), int(0)])),
        ("typestr", Value::live(ValueKind::Str(">f4".into()))),
        (
            "data",
            tuple(vec![
                int(0x7f00_0000_0000),
                Value::live(ValueKind::Bool(false)),
            ]),
        ),
        ("strides", tuple(vec![int(1), int(4)])),
        ("version", int(3)),
        ("stream", int(0)),
    ]);
    let mut codes = found(&value, Protocol::CudaArrayInterface, &Context::default());
    codes.sort();
    assert_eq!(
        codes,
        [
            ("AL210".to_string(), "strides[0]".to_string()),
            ("AL212".to_string(), "data[0]".to_string()),
            ("AL301".to_string(), "stream".to_string()),
            ("AL304".to_string(), "typestr".to_string()),
        ]
    );
}

#[test]
fn a_live_numpy_interface_is_clean() {
    let value = dict(vec![
        (
            "data",
            tuple(vec![int(0x5555_0000), Value::live(ValueKind::Bool(false))]),
        ),
        ("strides", Value::live(ValueKind::None)),
        (
            "descr",
            Value::live(ValueKind::List(vec![tuple(vec![
                Value::live(ValueKind::Str(String::new())),
                Value::live(ValueKind::Str("<f8".into())),
            ])])),
        ),
        ("typestr", Value::live(ValueKind::Str("<f8".into()))),
        ("shape", tuple(vec![int(3)])),
        ("version", int(3)),
    ]);
    assert_eq!(
        found(&value, Protocol::ArrayInterface, &Context::default()),
        []
    );
    // A buffer object as `data` is fine for the host interface.
    let with_buffer = dict(vec![
        ("data", Value::live(ValueKind::Object("bytes".into()))),
        ("typestr", Value::live(ValueKind::Str("|u1".into()))),
        ("shape", tuple(vec![int(3)])),
        ("version", int(3)),
    ]);
    assert_eq!(
        found(&with_buffer, Protocol::ArrayInterface, &Context::default()),
        []
    );
}

#[test]
fn dlpack_devices_and_array_structs() {
    assert_eq!(dlpack::device_type_name(2), Some("kDLCUDA"));
    assert_eq!(dlpack::device_type_name(6), None);
    let device = tuple(vec![int(2), int(0)]);
    assert_eq!(
        found(&device, Protocol::DlpackDevice, &Context::default()),
        []
    );
    let bad = tuple(vec![int(6), int(0)]);
    assert_eq!(
        found(&bad, Protocol::DlpackDevice, &Context::default()),
        [("AL403".to_string(), "[0]".to_string())]
    );

    let named = Value::live(ValueKind::Capsule(Some("numpy_array".into())));
    assert_eq!(
        found(&named, Protocol::ArrayStruct, &Context::default()).len(),
        1
    );
    let fields = ArrayStructFields {
        two: 1,
        nd: 1,
        typekind: b'f',
        itemsize: 8,
    };
    let problems = array_struct::check_fields(&fields);
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].path.to_string(), "two");
    assert_eq!(
        array_struct::legacy_notice(Default::default()).severity,
        Severity::Info
    );
}
