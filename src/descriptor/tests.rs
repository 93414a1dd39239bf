//! The spec checks, fed values the static evaluator builds from Python expressions
//! (and a few built by hand, as the live verifier does).

use ruff_python_ast::{PySourceType, Stmt};
use ruff_python_parser::parse_unchecked_source;

use super::{validate, Context, Protocol};
use crate::diagnostic::Severity;
use crate::value::{Dict, DictEntry, ModuleIndex, Presence, Value, ValueKind};

/// `(code, path, source text the finding points at)` for `value = <expr>`.
fn check_with(protocol: Protocol, expr: &str, context: &Context) -> Vec<(String, String, String)> {
    let source = format!("value = {expr}\n");
    let parsed = parse_unchecked_source(&source, PySourceType::Python);
    let module = parsed.syntax();
    let index = ModuleIndex::new(&module.body);
    let Some(Stmt::Assign(assign)) = module.body.first() else {
        panic!("not an assignment: {source}");
    };
    let mut out = Vec::new();
    for returned in index.attribute_values(&assign.value, None) {
        for finding in validate(&returned.value, protocol, context) {
            out.push((
                finding.rule.code().to_string(),
                finding.path.to_string(),
                source[finding.range].to_string(),
            ));
        }
    }
    out
}

fn check(protocol: Protocol, expr: &str) -> Vec<(String, String, String)> {
    check_with(protocol, expr, &Context::default())
}

fn codes(protocol: Protocol, expr: &str) -> Vec<String> {
    check(protocol, expr)
        .into_iter()
        .map(|(code, _, _)| code)
        .collect()
}

const AI: Protocol = Protocol::ArrayInterface;
const CAI: Protocol = Protocol::CudaArrayInterface;

fn finding(code: &str, path: &str, text: &str) -> (String, String, String) {
    (code.to_string(), path.to_string(), text.to_string())
}

#[test]
fn valid_descriptors_are_quiet() {
    for expr in [
        r#"{"shape": (2, 3), "typestr": "<f4", "data": (1024, False), "version": 3}"#,
        r#"{"shape": (2,), "typestr": "|V8", "descr": [("a", "<f4"), ("", "|V4")], "data": (8, True), "strides": (8,), "version": 3}"#,
        r#"{"shape": (), "typestr": "|O", "data": (16, False), "version": 3}"#,
        r#"{"shape": (4,), "typestr": "<U4", "descr": [("", "<U4")], "data": (16, False), "strides": (16,), "version": 3}"#,
        r#"{"shape": (3,), "typestr": "|u1", "data": b"abc", "version": 3}"#,
        r#"{"shape": (3,), "typestr": "|u1", "data": None, "offset": 4, "version": 3}"#,
        r#"{"shape": (0,), "typestr": "<f8", "data": (0, False), "version": 3, "mask": None}"#,
        r#"{"shape": (2, 2), "typestr": "<M8[ns]", "data": (64, False), "strides": (-16, 8), "version": 3}"#,
        r#"{"shape": self.shape, "typestr": self.dtype.str, "data": (self.ptr, self.readonly), "version": 3}"#,
    ] {
        assert_eq!(check(AI, expr), [], "{expr}");
    }
    for expr in [
        r#"{"shape": (5,), "typestr": "<f4", "data": (4096, False), "version": 3, "strides": None, "stream": 1}"#,
        r#"{"shape": (0,), "typestr": "<f4", "data": (0, False), "version": 2}"#,
        r#"{"shape": (5,), "typestr": "<f4", "data": (4096, False), "version": 3, "stream": None}"#,
    ] {
        assert_eq!(check(CAI, expr), [], "{expr}");
    }
}

#[test]
fn not_a_dict() {
    assert_eq!(check(AI, "[1, 2]"), [finding("AL202", "", "[1, 2]")]);
    assert_eq!(check(CAI, "None"), [finding("AL202", "", "None")]);
    assert_eq!(check(AI, "self._iface"), []);
}

#[test]
fn missing_keys_one_finding_on_the_dict() {
    assert_eq!(
        check(AI, r#"{"shape": (1,), "typestr": "<f4"}"#),
        [finding("AL203", "", r#"{"shape": (1,), "typestr": "<f4"}"#)]
    );
    // `data` may be left out when the object exports a buffer.
    let context = Context {
        exports_buffer: true,
        ..Context::default()
    };
    assert_eq!(
        check_with(
            AI,
            r#"{"shape": (1,), "typestr": "<f4", "version": 3}"#,
            &context
        ),
        []
    );
    // A dict that may hold more keys is never missing any.
    assert_eq!(check(AI, r#"{**base, "version": 3}"#), []);
    assert_eq!(
        codes(CAI, r#"{"shape": (1,), "typestr": "<f4", "version": 3}"#),
        ["AL203"]
    );
}

#[test]
fn unknown_keys_with_suggestions() {
    let found = check(
        AI,
        r#"{"shape": (1,), "dtype": "<f4", "data": (8, False), "version": 3, "stride": (4,)}"#,
    );
    let keys: Vec<_> = found
        .iter()
        .map(|(c, p, t)| (c.as_str(), p.as_str(), t.as_str()))
        .collect();
    assert!(
        keys.contains(&("AL204", "dtype", r#""dtype""#)),
        "{found:?}"
    );
    assert!(
        keys.contains(&("AL204", "stride", r#""stride""#)),
        "{found:?}"
    );
    assert!(keys.contains(&("AL203", "", "{")) || keys.iter().any(|(c, _, _)| *c == "AL203"));
    // A key that starts with an underscore is private, as NumPy's scalars' `__ref`.
    assert!(codes(
        AI,
        r#"{"shape": (), "typestr": "<f8", "data": (8, False), "version": 3, "__ref": 0, "_x": 1}"#
    )
    .is_empty());
    // `offset` is AI only; `stream` CAI only.
    assert_eq!(
        codes(
            CAI,
            r#"{"shape": (1,), "typestr": "<f4", "data": (8, False), "version": 3, "offset": 0}"#
        ),
        ["AL204"]
    );
    assert_eq!(
        codes(
            AI,
            r#"{"shape": (1,), "typestr": "<f4", "data": (8, False), "version": 3, "stream": 1}"#
        ),
        ["AL204"]
    );
}

#[test]
fn versions() {
    let base = r#""shape": (1,), "typestr": "<f4", "data": (8, False)"#;
    assert_eq!(
        check(AI, &format!("{{{base}, \"version\": 2}}")),
        [finding("AL205", "version", "2")]
    );
    assert_eq!(
        check(AI, &format!("{{{base}, \"version\": \"3\"}}")),
        [finding("AL205", "version", "\"3\"")]
    );
    assert_eq!(
        check(CAI, &format!("{{{base}, \"version\": 4}}")),
        [finding("AL205", "version", "4")]
    );
    assert_eq!(check(CAI, &format!("{{{base}, \"version\": 0}}")), []);
}

#[test]
fn shapes() {
    let with = |shape: &str| {
        check(
            AI,
            &format!(r#"{{"shape": {shape}, "typestr": "<f4", "data": (8, False), "version": 3}}"#),
        )
    };
    assert_eq!(with("[2, 3]"), [finding("AL206", "shape", "[2, 3]")]);
    assert_eq!(with("(2, -1)"), [finding("AL206", "shape[1]", "-1")]);
    assert_eq!(with("(2, 1.5)"), [finding("AL206", "shape[1]", "1.5")]);
    assert_eq!(with("5"), [finding("AL206", "shape", "5")]);
    assert_eq!(with("(1,) * 65").len(), 1);
    assert_eq!(with("(1,) * 64"), []);
    assert_eq!(with("(n, 3)"), []);
}

#[test]
fn typestrs() {
    let with = |typestr: &str| {
        check(
            CAI,
            &format!(
                r#"{{"shape": (1,), "typestr": {typestr}, "data": (8, False), "version": 3}}"#
            ),
        )
    };
    assert_eq!(
        with(r#""float32""#),
        [finding("AL207", "typestr", r#""float32""#)]
    );
    assert_eq!(with(r#""<f3""#), [finding("AL207", "typestr", r#""<f3""#)]);
    assert_eq!(with(r#"">f4""#), [finding("AL304", "typestr", r#"">f4""#)]);
    assert_eq!(
        with("self.dtype.char"),
        [finding("AL207", "typestr", "self.dtype.char")]
    );
    assert_eq!(
        with("np.dtype(t).name"),
        [finding("AL207", "typestr", "np.dtype(t).name")]
    );
    assert_eq!(with("self.dtype.str"), []);
    assert_eq!(with("4"), [finding("AL207", "typestr", "4")]);
    // Big-endian is fine for the host array interface.
    assert_eq!(
        check(
            AI,
            r#"{"shape": (1,), "typestr": ">f4", "data": (8, False), "version": 3}"#
        ),
        []
    );
}

#[test]
fn data_shapes() {
    let with = |protocol, data: &str| {
        check(
            protocol,
            &format!(r#"{{"shape": (1,), "typestr": "<f4", "data": {data}, "version": 3}}"#),
        )
    };
    assert_eq!(
        with(AI, "[8, False]"),
        [finding("AL208", "data", "[8, False]")]
    );
    assert_eq!(with(AI, "8"), [finding("AL208", "data", "8")]);
    assert_eq!(with(AI, "(8, 0)"), [finding("AL208", "data[1]", "0")]);
    assert_eq!(with(AI, "(8,)"), [finding("AL208", "data", "(8,)")]);
    assert_eq!(
        with(AI, r#"("0x10", False)"#),
        [finding("AL208", "data[0]", r#""0x10""#)]
    );
    assert_eq!(with(AI, "memoryview(buf)"), []);
    assert_eq!(with(CAI, "None"), [finding("AL208", "data", "None")]);
    assert_eq!(with(CAI, "(ptr, ro)"), []);
}

#[test]
fn null_data() {
    assert_eq!(
        check(
            AI,
            r#"{"shape": (2, 3), "typestr": "<f4", "data": (0, False), "version": 3}"#
        ),
        [finding("AL212", "data[0]", "0")]
    );
    assert_eq!(
        check(
            AI,
            r#"{"shape": (), "typestr": "<f4", "data": (0, False), "version": 3}"#
        ),
        [finding("AL212", "data[0]", "0")]
    );
    assert_eq!(
        check(
            CAI,
            r#"{"shape": (0, 3), "typestr": "<f4", "data": (4096, False), "version": 3}"#
        ),
        [finding("AL212", "data[0]", "4096")]
    );
    assert_eq!(
        check(
            AI,
            r#"{"shape": (0, 3), "typestr": "<f4", "data": (4096, False), "version": 3}"#
        ),
        []
    );
    assert_eq!(
        check(
            AI,
            r#"{"shape": (n, 3), "typestr": "<f4", "data": (0, False), "version": 3}"#
        ),
        []
    );
}

#[test]
fn strides() {
    let with = |strides: &str| {
        check(
            AI,
            &format!(
                r#"{{"shape": (2, 3), "typestr": "<f8", "data": (8, False), "strides": {strides}, "version": 3}}"#
            ),
        )
    };
    assert_eq!(with("[24, 8]"), [finding("AL209", "strides", "[24, 8]")]);
    assert_eq!(with("(24,)"), [finding("AL209", "strides", "(24,)")]);
    assert_eq!(with("(24, None)"), [finding("AL209", "strides[1]", "None")]);
    assert_eq!(with("(3, 1)"), [finding("AL210", "strides[0]", "3")]);
    assert_eq!(with("(24, 0)"), []);
    assert_eq!(with("(-24, 8)"), []);
    assert_eq!(with("None"), []);
    assert_eq!(with("self.strides"), []);
}

#[test]
fn descr() {
    let with = |typestr: &str, descr: &str| {
        check(
            AI,
            &format!(
                r#"{{"shape": (2,), "typestr": "{typestr}", "descr": {descr}, "data": (8, False), "version": 3}}"#
            ),
        )
    };
    assert_eq!(with("|V12", r#"[("x", "<f4"), ("y", "<f8")]"#), []);
    assert_eq!(
        with("|V8", r#"[("x", "<f4"), ("y", "<f8")]"#),
        [finding("AL211", "descr", r#"[("x", "<f4"), ("y", "<f8")]"#)]
    );
    assert_eq!(with("|V16", r#"[("xy", "<f4", (2, 2))]"#), []);
    assert_eq!(
        with(
            "|V24",
            r#"[("inner", [("a", "<f8"), ("b", "<i8")]), ("c", "<u8")]"#
        ),
        []
    );
    assert_eq!(with("|V8", r#"[(("title", "x"), "<f8")]"#), []);
    assert_eq!(
        with("|V8", r#"("x", "<f8")"#),
        [finding("AL211", "descr", r#"("x", "<f8")"#)]
    );
    assert_eq!(
        with("|V8", r#"[("x",)]"#),
        [finding("AL211", "descr[0]", r#"("x",)"#)]
    );
    assert_eq!(
        with("|V8", r#"[("x", "float64")]"#),
        [finding("AL211", "descr[0][1]", r#""float64""#)]
    );
    assert_eq!(
        with("|V8", r#"[(1, "<f8")]"#),
        [finding("AL211", "descr[0][0]", "1")]
    );
    assert_eq!(with("<f8", r#"[("", "<f4")]"#).len(), 1);
}

#[test]
fn mask_and_offset() {
    assert_eq!(
        check(
            AI,
            r#"{"shape": (1,), "typestr": "<f4", "data": (8, False), "mask": m, "version": 3}"#
        ),
        []
    );
    assert_eq!(
        check(
            AI,
            r#"{"shape": (1,), "typestr": "<f4", "data": (8, False), "mask": (8, False), "version": 3}"#
        ),
        [finding("AL213", "mask", "(8, False)")]
    );
    assert_eq!(
        check(
            AI,
            r#"{"shape": (1,), "typestr": "<f4", "data": (8, False), "offset": 16, "version": 3}"#
        ),
        [finding("AL214", "offset", r#""offset""#)]
    );
    assert_eq!(
        check(
            AI,
            r#"{"shape": (1,), "typestr": "<f4", "data": buf, "offset": 16, "version": 3}"#
        ),
        []
    );
}

#[test]
fn streams() {
    let with = |version: &str, stream: &str| {
        check(
            CAI,
            &format!(
                r#"{{"shape": (1,), "typestr": "<f4", "data": (8, False), "version": {version}, "stream": {stream}}}"#
            ),
        )
    };
    assert_eq!(with("3", "0"), [finding("AL301", "stream", "0")]);
    assert_eq!(
        with("3", r#""default""#),
        [finding("AL302", "stream", r#""default""#)]
    );
    assert_eq!(with("3", "1.0"), [finding("AL302", "stream", "1.0")]);
    assert_eq!(with("3", "True"), [finding("AL302", "stream", "True")]);
    assert_eq!(with("2", "1"), [finding("AL303", "stream", r#""stream""#)]);
    assert_eq!(with("3", "self._stream.ptr"), []);
}

#[test]
fn version_three_without_stream_is_info_with_stream_state() {
    let expr = r#"{"shape": (1,), "typestr": "<f4", "data": (8, False), "version": 3}"#;
    assert_eq!(check(CAI, expr), []);
    let context = Context {
        has_stream_state: true,
        ..Context::default()
    };
    let source = format!("value = {expr}\n");
    let parsed = parse_unchecked_source(&source, PySourceType::Python);
    let index = ModuleIndex::new(&parsed.syntax().body);
    let Some(Stmt::Assign(assign)) = parsed.syntax().body.first() else {
        unreachable!()
    };
    let values = index.attribute_values(&assign.value, None);
    let found = validate(&values[0].value, CAI, &context);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].rule.code(), "AL303");
    assert_eq!(found[0].severity, Severity::Info);
}

#[test]
fn dangling_pointer() {
    let found = check(
        AI,
        r#"{"shape": (1,), "typestr": "<f4", "data": (np.ascontiguousarray(x).ctypes.data, False), "version": 3}"#,
    );
    assert_eq!(
        found,
        [finding(
            "AL216",
            "data[0]",
            "np.ascontiguousarray(x).ctypes.data"
        )]
    );
}

#[test]
fn alternatives_are_each_checked_and_cross_checks_skip() {
    // strides set to (3,) on one path, None on the other; shape ambiguous is skipped.
    let source = r#"
class A:
    @property
    def __array_interface__(self):
        d = {"shape": (2,), "typestr": "<f8", "data": (8, False), "version": 3}
        if self.flag:
            d["strides"] = [8]
        else:
            d["strides"] = None
        return d
"#;
    let parsed = parse_unchecked_source(source, PySourceType::Python);
    let module = parsed.syntax();
    let index = ModuleIndex::new(&module.body);
    let Some(Stmt::ClassDef(class)) = module.body.first() else {
        unreachable!()
    };
    let Some(Stmt::FunctionDef(getter)) = class.body.first() else {
        unreachable!()
    };
    let returns = index.getter_returns(getter, Some(class));
    let found = validate(&returns[0].value, AI, &Context::default());
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].rule.code(), "AL209");
    assert_eq!(&source[found[0].range], "[8]");
}

/// The live verifier builds values by hand, without ranges.
#[test]
fn live_values_name_paths() {
    let entry = |key: &str, value: Value| DictEntry {
        key: key.to_string(),
        key_range: Default::default(),
        value,
        presence: Presence::Always,
    };
    let int = |n| Value::live(ValueKind::Int(n));
    let value = Value::live(ValueKind::Dict(Dict {
        entries: vec![
            entry("shape", Value::live(ValueKind::Tuple(vec![int(2)]))),
            entry("typestr", Value::live(ValueKind::Str("<f8".into()))),
            entry(
                "data",
                Value::live(ValueKind::Tuple(vec![int(4096), int(1)])),
            ),
            entry("version", int(3)),
        ],
        complete: true,
    }));
    let found = validate(&value, AI, &Context::default());
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].rule.code(), "AL208");
    assert_eq!(found[0].path.to_string(), "data[1]");
    assert!(found[0].range.is_empty());
}

#[test]
fn dlpack_device() {
    let dl = Protocol::DlpackDevice;
    assert_eq!(check(dl, "(1, 0)"), []);
    assert_eq!(check(dl, "(18, 3)"), []);
    assert_eq!(check(dl, "(kind, index)"), []);
    assert_eq!(check(dl, "[2, 0]"), [finding("AL403", "", "[2, 0]")]);
    assert_eq!(check(dl, "(2, 0, 1)"), [finding("AL403", "", "(2, 0, 1)")]);
    assert_eq!(check(dl, "(5, 0)"), [finding("AL403", "[0]", "5")]);
    assert_eq!(check(dl, "(19, 0)"), [finding("AL403", "[0]", "19")]);
    assert_eq!(
        check(dl, r#"("cuda", 0)"#),
        [finding("AL403", "[0]", r#""cuda""#)]
    );
    assert_eq!(check(dl, "(2, -1)"), [finding("AL403", "[1]", "-1")]);
    assert_eq!(check(dl, "2"), [finding("AL403", "", "2")]);
}

#[test]
fn array_struct() {
    let st = Protocol::ArrayStruct;
    assert_eq!(
        check(st, "{'two': 2}"),
        [finding("AL217", "", "{'two': 2}")]
    );
    assert_eq!(check(st, "(2, 1)"), [finding("AL217", "", "(2, 1)")]);
    assert_eq!(check(st, "self._capsule"), []);
    let named = Value::live(ValueKind::Capsule(Some("numpy.array".into())));
    assert_eq!(validate(&named, st, &Context::default()).len(), 1);
    let unnamed = Value::live(ValueKind::Capsule(None));
    assert_eq!(validate(&unnamed, st, &Context::default()), []);

    use super::array_struct::{check_fields, legacy_notice, ArrayStructFields};
    let good = ArrayStructFields {
        two: 2,
        nd: 2,
        typekind: b'f',
        itemsize: 8,
    };
    assert_eq!(check_fields(&good), []);
    let bad = check_fields(&ArrayStructFields { two: 3, ..good });
    assert_eq!(bad.len(), 1);
    assert_eq!(bad[0].path.to_string(), "two");
    assert_eq!(
        check_fields(&ArrayStructFields {
            typekind: b'x',
            ..good
        })
        .len(),
        1
    );
    assert_eq!(legacy_notice(Default::default()).severity, Severity::Info);
}
