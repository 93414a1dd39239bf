//! The checks of the two descriptor dicts (`__array_interface__`,
//! `__cuda_array_interface__`): one small function per key, driven by the tables in
//! `spec.rs`.
//!
//! Several entries with the same key are alternatives (the key is set differently on
//! different paths): each is checked on its own, and cross-key checks (strides against
//! shape, pointer against size) only run where a key has a single entry.

use ruff_text_size::TextRange;

use super::spec::{DictSpec, MAX_DIMS};
use super::typestr::{self, ByteOrder};
use super::{Context, Finding, Protocol, ValuePath};
use crate::diagnostic::Severity;
use crate::registry::Rule;
use crate::value::{Dict, DictEntry, Origin, Value, ValueKind};

struct DictChecks<'a> {
    spec: &'a DictSpec,
    findings: Vec<Finding>,
}

impl DictChecks<'_> {
    fn attribute(&self) -> &'static str {
        self.spec.protocol.attribute()
    }
    fn is_cai(&self) -> bool {
        self.spec.protocol == Protocol::CudaArrayInterface
    }
    fn report(&mut self, rule: Rule, message: String, path: ValuePath, range: TextRange) {
        self.findings.push(Finding::new(rule, message, path, range));
    }
}

/// `a list`, `an int`, `None`: a value's type for messages.
pub(super) fn a_type(value: &Value) -> String {
    let name = value.type_name();
    match name {
        "None" => "None".to_string(),
        _ if name.starts_with(['a', 'e', 'i', 'o', 'u']) => format!("an {name}"),
        _ => format!("a {name}"),
    }
}

/// The one entry for `key`, where the key has exactly one (no alternatives).
fn single<'a>(dict: &'a Dict, key: &str) -> Option<&'a Value> {
    let mut entries = dict.entries.iter().filter(|entry| entry.key == key);
    let first = entries.next()?;
    match entries.next() {
        Some(_) => None,
        None => Some(&first.value),
    }
}

/// The number of elements a fully known shape describes.
fn element_count(shape: &Value) -> Option<u128> {
    let ValueKind::Tuple(dims) = &shape.kind else {
        return None;
    };
    dims.iter().try_fold(1u128, |count, dim| {
        let dim = u128::try_from(dim.as_int()?).ok()?;
        Some(count.saturating_mul(dim))
    })
}

pub(super) fn validate_dict(value: &Value, spec: &DictSpec, context: &Context) -> Vec<Finding> {
    let mut checks = DictChecks {
        spec,
        findings: Vec::new(),
    };
    if let Origin::InterfaceOfTemporary { callee } = &value.origin {
        let message = format!(
            "the getter returns the `{}` of the result of `{callee}`, which nothing keeps \
             alive after the getter returns: its pointer dangles",
            checks.attribute()
        );
        checks.report(
            Rule::InterfaceDanglingPointer,
            message,
            ValuePath::default(),
            value.range,
        );
        return checks.findings;
    }
    if value.is_unknown() {
        return checks.findings;
    }
    let Some(dict) = value.as_dict() else {
        let message = format!(
            "`{}` must be a dict, not {}",
            checks.attribute(),
            a_type(value)
        );
        checks.report(
            Rule::InterfaceNotDict,
            message,
            ValuePath::default(),
            value.range,
        );
        return checks.findings;
    };

    check_keys(&mut checks, value, dict, context);

    let shape = single(dict, "shape");
    let itemsize = single(dict, "typestr")
        .and_then(Value::as_str)
        .and_then(|text| typestr::parse(text).ok())
        .and_then(|parsed| parsed.itemsize());
    let data = single(dict, "data");
    let version = single(dict, "version").and_then(Value::as_int);

    for entry in &dict.entries {
        let path = ValuePath::key(&entry.key);
        match entry.key.as_str() {
            "version" => check_version(&mut checks, &entry.value, path),
            "shape" => check_shape(&mut checks, &entry.value, path),
            "typestr" => check_typestr(&mut checks, &entry.value, path),
            "data" => check_data(&mut checks, &entry.value, shape, path),
            "strides" => check_strides(&mut checks, &entry.value, shape, itemsize, path),
            "descr" => check_descr_entry(&mut checks, &entry.value, itemsize, path),
            "mask" => check_mask(&mut checks, &entry.value, path),
            "offset" if !checks.is_cai() => check_offset(&mut checks, entry, data),
            "stream" if checks.is_cai() => check_stream(&mut checks, entry, version),
            _ => {}
        }
    }

    if checks.is_cai()
        && version == Some(3)
        && dict.complete
        && dict.get("stream").is_none()
        && context.has_stream_state
    {
        checks.findings.push(
            Finding::new(
                Rule::CaiStreamWithoutV3,
                "`__cuda_array_interface__` version 3 without a `stream` key, though the \
                 object has stream state: consumers assume the legacy default stream and \
                 do not synchronize",
                ValuePath::default(),
                value.range,
            )
            .with_severity(Severity::Info),
        );
    }
    checks.findings
}

fn check_keys(checks: &mut DictChecks, value: &Value, dict: &Dict, context: &Context) {
    let mut reported: Vec<TextRange> = Vec::new();
    for entry in &dict.entries {
        // An underscore key is a private extension (NumPy's own scalars export `__ref`).
        let private = entry.key.starts_with('_');
        if private || checks.spec.knows(&entry.key) || reported.contains(&entry.key_range) {
            continue;
        }
        reported.push(entry.key_range);
        let mut message = format!("`{}` is not a key of `{}`", entry.key, checks.attribute());
        if let Some(meant) = checks.spec.suggestion(&entry.key) {
            message.push_str(&format!("; did you mean `{meant}`?"));
        }
        checks.report(
            Rule::InterfaceUnknownKey,
            message,
            ValuePath::key(&entry.key),
            entry.key_range,
        );
    }

    // A dict that may hold keys we cannot see is never "missing" anything.
    if !dict.complete {
        return;
    }
    let optional_data = context.exports_buffer;
    let missing: Vec<&str> = checks
        .spec
        .required
        .iter()
        .chain(
            checks
                .spec
                .required_without_buffer
                .iter()
                .filter(|_| !optional_data),
        )
        .copied()
        .filter(|key| dict.get(key).is_none())
        .collect();
    if missing.is_empty() {
        return;
    }
    let listed = missing
        .iter()
        .map(|key| format!("`{key}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let noun = if missing.len() == 1 { "key" } else { "keys" };
    checks.report(
        Rule::InterfaceMissingKey,
        format!(
            "`{}` is missing the required {noun} {listed}",
            checks.attribute()
        ),
        ValuePath::default(),
        value.range,
    );
}

fn check_version(checks: &mut DictChecks, value: &Value, path: ValuePath) {
    let message = match &value.kind {
        ValueKind::Unknown => return,
        ValueKind::Int(version) if checks.spec.versions.contains(version) => return,
        ValueKind::Int(version) => {
            let range = checks.spec.versions.clone();
            let expected = if range.start() == range.end() {
                format!("{}", range.start())
            } else {
                format!("{} to {}", range.start(), range.end())
            };
            format!(
                "`{}` version must be {expected}, not {version}",
                checks.attribute()
            )
        }
        _ => format!("`version` must be an int, not {}", a_type(value)),
    };
    checks.report(Rule::InterfaceBadVersion, message, path, value.range);
}

fn check_shape(checks: &mut DictChecks, value: &Value, path: ValuePath) {
    let dims = match &value.kind {
        ValueKind::Unknown => return,
        ValueKind::Tuple(dims) => dims,
        ValueKind::List(_) => {
            let message = "`shape` must be a tuple, not a list (NumPy: `shape must be a tuple`)";
            checks.report(
                Rule::InterfaceShapeInvalid,
                message.into(),
                path,
                value.range,
            );
            return;
        }
        _ => {
            let message = format!("`shape` must be a tuple of ints, not {}", a_type(value));
            checks.report(Rule::InterfaceShapeInvalid, message, path, value.range);
            return;
        }
    };
    if dims.len() > MAX_DIMS {
        let message = format!(
            "`shape` has {} dimensions; NumPy supports at most {MAX_DIMS}",
            dims.len()
        );
        checks.report(Rule::InterfaceShapeInvalid, message, path, value.range);
        return;
    }
    for (index, dim) in dims.iter().enumerate() {
        let message = match &dim.kind {
            ValueKind::Unknown => continue,
            ValueKind::Int(n) if *n >= 0 => continue,
            ValueKind::Int(n) => format!("`shape` has a negative dimension {n}"),
            _ => format!("a dimension in `shape` must be an int, not {}", a_type(dim)),
        };
        // One finding per shape: the first bad dimension is the root cause to fix.
        checks.report(
            Rule::InterfaceShapeInvalid,
            message,
            path.index(index),
            dim.range,
        );
        return;
    }
}

fn check_typestr(checks: &mut DictChecks, value: &Value, path: ValuePath) {
    match &value.kind {
        ValueKind::Unknown => {
            if let Origin::Attribute { attr } = &value.origin {
                let gives = match attr.as_str() {
                    "char" => "a type character such as `f`",
                    "name" => "a dtype name such as `float32`",
                    "kind" => "a kind character such as `f`",
                    _ => return,
                };
                let message = format!(
                    "`typestr` is computed from `.{attr}`, which gives {gives}, not a typestr; \
                     use `dtype.str` (e.g. `<f4`)"
                );
                checks.report(Rule::InterfaceBadTypestr, message, path, value.range);
            }
        }
        ValueKind::Str(text) => match typestr::parse(text) {
            Err(error) => {
                let message = format!("`typestr` {text:?} is not a valid typestr: {error}");
                checks.report(Rule::InterfaceBadTypestr, message, path, value.range);
            }
            Ok(parsed) if checks.is_cai() && parsed.byte_order == ByteOrder::Big => {
                let message = format!(
                    "`__cuda_array_interface__` typestr {text:?} is big-endian: CuPy and \
                     DLPack consumers reject it"
                );
                checks.report(Rule::CaiBigEndian, message, path, value.range);
            }
            Ok(_) => {}
        },
        // NumPy also accepts a bytes typestr; its content is not tracked.
        ValueKind::Bytes(_) => {}
        _ => {
            let message = format!("`typestr` must be a str, not {}", a_type(value));
            checks.report(Rule::InterfaceBadTypestr, message, path, value.range);
        }
    }
}

fn check_data(checks: &mut DictChecks, value: &Value, shape: Option<&Value>, path: ValuePath) {
    let shape_hint = "must be a 2-tuple `(pointer, readonly)`";
    let message = match &value.kind {
        ValueKind::Unknown => return,
        ValueKind::Tuple(items) if items.len() == 2 => {
            check_data_items(checks, &items[0], &items[1], shape, &path);
            return;
        }
        ValueKind::Tuple(items) => format!("`data` {shape_hint}, not a {}-tuple", items.len()),
        // A buffer object (or None: the object's own buffer) is allowed by the AI spec.
        ValueKind::None | ValueKind::Bytes(_) if checks.spec.data_may_be_buffer => return,
        ValueKind::Object(name) if checks.spec.data_may_be_buffer && !is_non_buffer(name) => return,
        ValueKind::Int(_) => format!("`data` {shape_hint}, not a bare int pointer"),
        _ => format!("`data` {shape_hint}, not {}", a_type(value)),
    };
    checks.report(Rule::InterfaceBadData, message, path, value.range);
}

/// Objects the evaluator names that never export a buffer.
fn is_non_buffer(type_name: &str) -> bool {
    matches!(
        type_name,
        "list" | "set" | "generator" | "complex" | "ellipsis"
    )
}

fn check_data_items(
    checks: &mut DictChecks,
    pointer: &Value,
    readonly: &Value,
    shape: Option<&Value>,
    path: &ValuePath,
) {
    let pointer_path = path.index(0);
    match &pointer.kind {
        ValueKind::Unknown => {}
        ValueKind::Int(address) if *address < 0 => {
            let message = format!("the `data` pointer is negative ({address})");
            checks.report(
                Rule::InterfaceBadData,
                message,
                pointer_path.clone(),
                pointer.range,
            );
        }
        ValueKind::Int(address) => {
            if let Some(count) = shape.and_then(element_count) {
                if *address == 0 && count > 0 {
                    let message = format!(
                        "the `data` pointer is NULL but `shape` has {count} element{}",
                        if count == 1 { "" } else { "s" }
                    );
                    checks.report(
                        Rule::InterfaceNullData,
                        message,
                        pointer_path.clone(),
                        pointer.range,
                    );
                } else if *address != 0 && count == 0 && checks.is_cai() {
                    let message = "a zero-size `__cuda_array_interface__` must export pointer 0";
                    checks.report(
                        Rule::InterfaceNullData,
                        message.into(),
                        pointer_path.clone(),
                        pointer.range,
                    );
                }
            }
        }
        _ => {
            let message = format!("the `data` pointer must be an int, not {}", a_type(pointer));
            checks.report(
                Rule::InterfaceBadData,
                message,
                pointer_path.clone(),
                pointer.range,
            );
        }
    }
    if let Origin::Temporary { callee } = &pointer.origin {
        let message = format!(
            "the `data` pointer points into the result of `{callee}`, which nothing keeps \
             alive after the getter returns: consumers read freed memory"
        );
        checks.report(
            Rule::InterfaceDanglingPointer,
            message,
            pointer_path,
            pointer.range,
        );
    }
    let message = match &readonly.kind {
        ValueKind::Unknown | ValueKind::Bool(_) => return,
        _ => format!(
            "the `data` readonly flag must be a bool, not {}",
            a_type(readonly)
        ),
    };
    checks.report(
        Rule::InterfaceBadData,
        message,
        path.index(1),
        readonly.range,
    );
}

fn check_strides(
    checks: &mut DictChecks,
    value: &Value,
    shape: Option<&Value>,
    itemsize: Option<u64>,
    path: ValuePath,
) {
    let strides = match &value.kind {
        ValueKind::Unknown | ValueKind::None => return,
        ValueKind::Tuple(strides) => strides,
        _ => {
            let message = format!(
                "`strides` must be None or a tuple of ints, not {}",
                a_type(value)
            );
            checks.report(Rule::InterfaceStridesInvalid, message, path, value.range);
            return;
        }
    };
    for (index, stride) in strides.iter().enumerate() {
        if !matches!(stride.kind, ValueKind::Unknown | ValueKind::Int(_)) {
            let message = format!("a stride must be an int, not {}", a_type(stride));
            checks.report(
                Rule::InterfaceStridesInvalid,
                message,
                path.index(index),
                stride.range,
            );
            return;
        }
    }
    if let Some(ValueKind::Tuple(dims)) = shape.map(|shape| &shape.kind) {
        if dims.len() != strides.len() {
            let message = format!(
                "`strides` has {} entr{} but `shape` has {} dimension{}",
                strides.len(),
                if strides.len() == 1 { "y" } else { "ies" },
                dims.len(),
                if dims.len() == 1 { "" } else { "s" },
            );
            checks.report(Rule::InterfaceStridesInvalid, message, path, value.range);
            return;
        }
    }
    let Some(itemsize) = itemsize.filter(|size| *size > 1) else {
        return;
    };
    let itemsize = i128::from(itemsize);
    if let Some((index, stride)) = strides
        .iter()
        .enumerate()
        .find(|(_, stride)| stride.as_int().is_some_and(|s| s % itemsize != 0))
    {
        let message = format!(
            "stride {} is not a multiple of the item size {itemsize}: strides are counted \
             in bytes, not elements",
            stride.as_int().unwrap_or_default()
        );
        checks.report(
            Rule::InterfaceStridesNotBytes,
            message,
            path.index(index),
            stride.range,
        );
    }
}

fn check_descr_entry(
    checks: &mut DictChecks,
    value: &Value,
    itemsize: Option<u64>,
    path: ValuePath,
) {
    // NumPy reads `descr` only for void typestrs and treats None as absent.
    if matches!(value.kind, ValueKind::None) {
        return;
    }
    let mut problems = Vec::new();
    let size = descr_size(value, &path, 0, &mut problems);
    if let Some((message, path, range)) = problems.into_iter().next() {
        checks.report(Rule::InterfaceDescrMismatch, message, path, range);
        return;
    }
    if let (Some(described), Some(itemsize)) = (size, itemsize) {
        if described != itemsize {
            let message = format!(
                "`descr` describes {described} bytes per item but `typestr` says {itemsize}"
            );
            checks.report(Rule::InterfaceDescrMismatch, message, path, value.range);
        }
    }
}

type Problem = (String, ValuePath, TextRange);

/// The size in bytes a `descr` list describes (`None` where not known), collecting
/// what is malformed.
fn descr_size(
    value: &Value,
    path: &ValuePath,
    depth: usize,
    problems: &mut Vec<Problem>,
) -> Option<u64> {
    // Real descrs nest a few levels; this only guards against cycles of constants.
    if depth > 16 {
        return None;
    }
    let fields = match &value.kind {
        ValueKind::Unknown => return None,
        ValueKind::List(fields) => fields,
        _ => {
            let message = format!("`descr` must be a list of fields, not {}", a_type(value));
            problems.push((message, path.clone(), value.range));
            return None;
        }
    };
    let mut total = Some(0u64);
    for (index, field) in fields.iter().enumerate() {
        let field_path = path.index(index);
        let items = match &field.kind {
            ValueKind::Unknown => {
                total = None;
                continue;
            }
            ValueKind::Tuple(items) if matches!(items.len(), 2 | 3) => items,
            _ => {
                let message = format!(
                    "a `descr` field must be a `(name, type)` or `(name, type, shape)` tuple, not {}",
                    describe_field(field)
                );
                problems.push((message, field_path, field.range));
                return None;
            }
        };
        let name = &items[0];
        let name_ok = match &name.kind {
            ValueKind::Unknown | ValueKind::Str(_) => true,
            ValueKind::Tuple(pair) => {
                pair.len() == 2
                    && pair
                        .iter()
                        .all(|part| matches!(part.kind, ValueKind::Unknown | ValueKind::Str(_)))
            }
            _ => false,
        };
        if !name_ok {
            let message = format!(
                "a `descr` field name must be a str or a `(title, name)` tuple, not {}",
                a_type(name)
            );
            problems.push((message, field_path.index(0), name.range));
            return None;
        }
        let type_path = field_path.index(1);
        let field_type = &items[1];
        let mut size = match &field_type.kind {
            ValueKind::Str(text) => match typestr::parse(text) {
                Ok(parsed) => parsed.itemsize(),
                Err(error) => {
                    let message =
                        format!("`descr` field type {text:?} is not a valid typestr: {error}");
                    problems.push((message, type_path, field_type.range));
                    return None;
                }
            },
            ValueKind::List(_) => descr_size(field_type, &type_path, depth + 1, problems),
            ValueKind::Unknown | ValueKind::Bytes(_) => None,
            _ => {
                let message = format!(
                    "a `descr` field type must be a typestr or a nested descr list, not {}",
                    a_type(field_type)
                );
                problems.push((message, type_path, field_type.range));
                return None;
            }
        };
        if let Some(shape) = items.get(2) {
            let count = match &shape.kind {
                ValueKind::Int(n) => u64::try_from(*n).ok(),
                ValueKind::Tuple(_) => element_count(shape).and_then(|n| u64::try_from(n).ok()),
                ValueKind::Unknown => None,
                _ => {
                    let message = format!(
                        "a `descr` field shape must be an int or a tuple of ints, not {}",
                        a_type(shape)
                    );
                    problems.push((message, field_path.index(2), shape.range));
                    return None;
                }
            };
            size = match (size, count) {
                (Some(size), Some(count)) => size.checked_mul(count),
                _ => None,
            };
        }
        total = match (total, size) {
            (Some(total), Some(size)) => total.checked_add(size),
            _ => None,
        };
    }
    total
}

fn describe_field(field: &Value) -> String {
    match &field.kind {
        ValueKind::Tuple(items) => format!("a {}-tuple", items.len()),
        _ => a_type(field),
    }
}

fn check_mask(checks: &mut DictChecks, value: &Value, path: ValuePath) {
    // Nothing else may be known about a constructed value, but it is not `None`.
    let not_none = match value.kind {
        ValueKind::None => false,
        ValueKind::Unknown => matches!(
            value.origin,
            Origin::Constructed { .. } | Origin::Temporary { .. }
        ),
        _ => true,
    };
    if !not_none {
        return;
    }
    let message = format!(
        "`mask` is not None: NumPy ignores it, and Numba, CuPy and cuda.core reject it \
         (in `{}`)",
        checks.attribute()
    );
    checks.report(Rule::InterfaceMaskUnsupported, message, path, value.range);
}

fn check_offset(checks: &mut DictChecks, entry: &DictEntry, data: Option<&Value>) {
    let data_is_tuple = matches!(data.map(|data| &data.kind), Some(ValueKind::Tuple(_)));
    let harmless = matches!(entry.value.kind, ValueKind::None | ValueKind::Int(0));
    if !data_is_tuple || harmless {
        return;
    }
    let message = "`offset` is ignored when `data` is a `(pointer, readonly)` tuple; add the \
                   offset to the pointer instead";
    checks.report(
        Rule::InterfaceOffsetIgnored,
        message.into(),
        ValuePath::key("offset"),
        entry.key_range,
    );
}

fn check_stream(checks: &mut DictChecks, entry: &DictEntry, version: Option<i128>) {
    let value = &entry.value;
    let path = ValuePath::key("stream");
    match &value.kind {
        ValueKind::Int(0) => {
            let message = "`stream` is 0, which the CUDA Array Interface forbids (it is \
                           ambiguous between the legacy and the per-thread default stream); \
                           use 1 for the legacy default stream, 2 for per-thread, or None";
            checks.report(
                Rule::CaiStreamZero,
                message.into(),
                path.clone(),
                value.range,
            );
        }
        ValueKind::Unknown | ValueKind::None | ValueKind::Int(_) => {}
        _ => {
            let message = format!(
                "`stream` must be None or an int stream handle, not {}",
                a_type(value)
            );
            checks.report(
                Rule::CaiStreamInvalidType,
                message,
                path.clone(),
                value.range,
            );
        }
    }
    if let Some(version) = version.filter(|version| *version < 3) {
        let message = format!(
            "`stream` is only part of version 3; consumers of version {version} ignore it \
             and do not synchronize"
        );
        checks.report(Rule::CaiStreamWithoutV3, message, path, entry.key_range);
    }
}
