//! Property tests: generated producer classes that follow the spec (RULES.md) get no
//! finding, whatever their layout; each injected fault gets its own code, on the `def`,
//! and no other code.

use std::path::Path;

use arraylint::registry::RuleSet;
use arraylint::{lint_source, lint_source_with, LintOptions};
use proptest::prelude::*;
use ruff_source_file::LineIndex;
use ruff_text_size::TextSize;

/// How the file is laid out: none of it may change a result.
#[derive(Debug, Clone)]
struct Layout {
    newline: &'static str,
    indent: &'static str,
    bom: bool,
    docstring: bool,
    comment: bool,
    other_method: bool,
    class_name: String,
}

fn layout() -> impl Strategy<Value = Layout> {
    (
        prop_oneof![Just("\n"), Just("\r\n"), Just("\r")],
        prop_oneof![Just("    "), Just("  "), Just("\t")],
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        "[A-Z][A-Za-z0-9_]{0,8}".prop_filter("a keyword", |name| {
            !matches!(name.as_str(), "True" | "False" | "None")
        }),
    )
        .prop_map(
            |(newline, indent, bom, docstring, comment, other_method, class_name)| Layout {
                newline,
                indent,
                bom,
                docstring,
                comment,
                other_method,
                class_name,
            },
        )
}

/// Where NumPy's positional `dtype` lands.
#[derive(Debug, Clone)]
enum Dtype {
    /// `dtype=None` or any other name.
    PositionalOrKeyword(&'static str),
    /// `self, dtype=None, /`: NumPy's own signature.
    PositionalOnly(&'static str),
    /// `*args`.
    VarArgs,
}

/// How `copy=` is accepted.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Copy {
    PositionalOrKeyword,
    KeywordOnly,
    /// Only through `**kwargs`.
    Kwargs,
}

fn dtype() -> impl Strategy<Value = Dtype> {
    let name = prop_oneof![Just("dtype"), Just("t"), Just("dtype_")];
    prop_oneof![
        name.clone().prop_map(Dtype::PositionalOrKeyword),
        name.prop_map(Dtype::PositionalOnly),
        Just(Dtype::VarArgs),
    ]
}

fn copy() -> impl Strategy<Value = Copy> {
    prop_oneof![
        Just(Copy::PositionalOrKeyword),
        Just(Copy::KeywordOnly),
        Just(Copy::Kwargs)
    ]
}

/// A signature that follows the spec, with the body that goes with it.
#[derive(Debug, Clone)]
struct Producer {
    dtype: Dtype,
    copy: Copy,
    /// `**kwargs` at the end (when `copy` does not already come through it).
    kwargs: bool,
    /// How the body honours `copy`.
    copy_use: usize,
}

fn producer() -> impl Strategy<Value = Producer> {
    (dtype(), copy(), any::<bool>(), 0..3usize).prop_map(|(dtype, copy, kwargs, copy_use)| {
        Producer {
            dtype,
            copy,
            kwargs,
            copy_use,
        }
    })
}

/// One way to break `__array__`, and the code it must get.
#[derive(Debug, Clone)]
enum Fault {
    /// No `copy` at all (AL101).
    NoCopy,
    /// `copy` before `/`: it cannot be passed by keyword (AL101).
    PositionalOnlyCopy,
    /// No parameter takes the positional `dtype` (AL102).
    NoDtype,
    /// `copy` first: NumPy's positional `dtype` lands in it (AL102).
    CopyFirst,
    /// `dtype` after `*` (AL103).
    KeywordOnlyDtype,
    /// `copy` accepted, never read (AL104).
    CopyIgnored,
}

impl Fault {
    fn code(&self) -> &'static str {
        match self {
            Fault::NoCopy | Fault::PositionalOnlyCopy => "AL101",
            Fault::NoDtype | Fault::CopyFirst => "AL102",
            Fault::KeywordOnlyDtype => "AL103",
            Fault::CopyIgnored => "AL104",
        }
    }
}

fn fault() -> impl Strategy<Value = Fault> {
    prop_oneof![
        Just(Fault::NoCopy),
        Just(Fault::PositionalOnlyCopy),
        Just(Fault::NoDtype),
        Just(Fault::CopyFirst),
        Just(Fault::KeywordOnlyDtype),
        Just(Fault::CopyIgnored),
    ]
}

/// The parameters and body lines of `__array__` (body lines relative to the body indent,
/// nested lines prefixed with one `\x01` per extra level).
fn method(producer: &Producer, fault: Option<&Fault>) -> (String, Vec<String>) {
    let (mut params, dtype_expr) = match &producer.dtype {
        Dtype::PositionalOrKeyword(name) => (format!("self, {name}=None"), (*name).to_string()),
        Dtype::PositionalOnly(name) => (format!("self, {name}=None, /"), (*name).to_string()),
        Dtype::VarArgs => (
            "self, *args".to_string(),
            "(args[0] if args else None)".to_string(),
        ),
    };
    let star_seen = matches!(producer.dtype, Dtype::VarArgs);
    let mut copy_param = true;
    let mut reads_copy = true;
    match fault {
        None => match producer.copy {
            Copy::PositionalOrKeyword => params += ", copy=None",
            Copy::KeywordOnly if star_seen => params += ", copy=None",
            Copy::KeywordOnly => params += ", *, copy=None",
            Copy::Kwargs => copy_param = false,
        },
        Some(Fault::NoCopy) => {
            copy_param = false;
            reads_copy = false;
        }
        Some(Fault::PositionalOnlyCopy) => {
            params = "self, dtype=None, copy=None, /".to_string();
        }
        Some(Fault::NoDtype) => params = "self, *, copy=None".to_string(),
        Some(Fault::CopyFirst) => params = "self, copy=None".to_string(),
        Some(Fault::KeywordOnlyDtype) => params = "self, *, dtype=None, copy=None".to_string(),
        Some(Fault::CopyIgnored) => {
            params += if star_seen {
                ", copy=None"
            } else {
                ", *, copy=None"
            };
            reads_copy = false;
        }
    }
    let dtype_expr = match fault {
        Some(Fault::PositionalOnlyCopy | Fault::KeywordOnlyDtype) => "dtype".to_string(),
        Some(Fault::NoDtype | Fault::CopyFirst) => "None".to_string(),
        _ => dtype_expr,
    };
    let kwargs_copy = fault.is_none() && producer.copy == Copy::Kwargs;
    // `**kwargs` takes `copy=` too (even beside a positional-only `copy`): not with those.
    let kwargs_allowed = !matches!(fault, Some(Fault::NoCopy | Fault::PositionalOnlyCopy));
    if kwargs_copy || (producer.kwargs && kwargs_allowed) {
        params += ", **kwargs";
    }
    let mut body = Vec::new();
    if kwargs_copy {
        body.push("copy = kwargs.get(\"copy\")".to_string());
    }
    let array = format!("np.asarray(self._data, dtype={dtype_expr})");
    if reads_copy && (copy_param || kwargs_copy) {
        match producer.copy_use {
            0 => {
                body.push("if copy is False:".to_string());
                body.push("\x01raise ValueError(\"a copy is needed\")".to_string());
                body.push(format!("return {array}"));
            }
            1 => {
                body.push("if copy:".to_string());
                body.push(format!("\x01return {array}.copy()"));
                body.push(format!("return {array}"));
            }
            _ => body.push(format!(
                "return np.array(self._data, dtype={dtype_expr}, copy=copy)"
            )),
        }
    } else {
        body.push(format!("return {array}"));
    }
    (params, body)
}

/// The whole file, and the byte offset of `__array__` in it.
fn render(layout: &Layout, producer: &Producer, fault: Option<&Fault>) -> (String, usize) {
    let nl = layout.newline;
    let i1 = layout.indent;
    let i2 = layout.indent.repeat(2);
    let mut s = String::new();
    if layout.bom {
        s.push('\u{feff}');
    }
    s += &format!(
        "import numpy as np{nl}{nl}{nl}class {}:{nl}",
        layout.class_name
    );
    if layout.docstring {
        s +=
            &format!("{i1}\"\"\"Wraps a buffer; NumPy reads it through `__array__`.\"\"\"{nl}{nl}");
    }
    if layout.comment {
        s += &format!("{i1}# NumPy 2 passes copy= by keyword{nl}");
    }
    let (params, body) = method(producer, fault);
    s += &format!("{i1}def ");
    let offset = s.len();
    s += &format!("__array__({params}):{nl}");
    for line in body {
        let depth = line.chars().take_while(|c| *c == '\x01').count();
        s += &i2;
        s += &i1.repeat(depth);
        s += line.trim_start_matches('\x01');
        s += nl;
    }
    if layout.other_method {
        s += &format!("{nl}{i1}def shape(self):{nl}{i2}return self._data.shape{nl}");
    }
    (s, offset)
}

fn codes(text: &str) -> Vec<(&'static str, TextSize)> {
    let path = Path::new("producer.py");
    let found = lint_source(text, path, RuleSet::all());
    // The pre-filter never changes a result, here either.
    let unfiltered = lint_source_with(text, path, RuleSet::all(), LintOptions::without_prefilter());
    assert_eq!(found, unfiltered);
    found
        .iter()
        .map(|d| (d.rule.code(), d.range.start()))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 256,
        // Failures print their minimal input; no regression files beside the sources.
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn producers_that_follow_the_spec_get_no_finding(layout in layout(), producer in producer()) {
        let (text, _) = render(&layout, &producer, None);
        prop_assert_eq!(codes(&text), vec![], "{}", text);
    }

    #[test]
    fn each_fault_gets_its_code_only_on_the_def(
        layout in layout(),
        producer in producer(),
        fault in fault(),
    ) {
        let (text, offset) = render(&layout, &producer, Some(&fault));
        let found = codes(&text);
        let at = TextSize::try_from(offset).expect("small file");
        prop_assert_eq!(&found, &vec![(fault.code(), at)], "{}", text);
        // And the row is the def's row, however the lines end.
        let index = LineIndex::from_source_text(&text);
        let row = index.line_index(at).get();
        let def_row = text[..offset].matches(layout.newline).count() + 1;
        prop_assert_eq!(row, def_row);
    }
}

/// Every diagnostic's code, in order.
fn code_list(text: &str) -> Vec<&'static str> {
    codes(text).into_iter().map(|(code, _)| code).collect()
}

/// The offset of `name` after `def ` (where signature rules report).
fn def_offset(text: &str, name: &str) -> TextSize {
    let at = text
        .find(&format!("def {name}("))
        .unwrap_or_else(|| panic!("no def {name} in {text}"));
    TextSize::try_from(at + 4).expect("small file")
}

// ---- AL401 / AL402: `__dlpack__` and `__dlpack_device__` ----

const DLPACK_KEYWORDS: [&str; 4] = ["stream", "max_version", "dl_device", "copy"];

/// How each of the four keywords is accepted: 0 positional-or-keyword, 1 keyword-only,
/// 2 only through `**kwargs`.
fn dlpack_kinds() -> impl Strategy<Value = [u8; 4]> {
    [0..3u8, 0..3u8, 0..3u8, 0..3u8]
}

#[derive(Debug, Clone)]
enum DlpackFault {
    /// One keyword missing, no `**kwargs` (AL401).
    Missing(usize),
    /// `stream` before `/` (AL401).
    PositionalOnlyStream,
    /// A parameter without a default: `x.__dlpack__()` fails (AL401).
    Required,
    /// No `__dlpack_device__` (AL402).
    NoDevice,
}

fn dlpack_fault() -> impl Strategy<Value = DlpackFault> {
    prop_oneof![
        (0..4usize).prop_map(DlpackFault::Missing),
        Just(DlpackFault::PositionalOnlyStream),
        Just(DlpackFault::Required),
        Just(DlpackFault::NoDevice),
    ]
}

fn dlpack_class(kinds: [u8; 4], device: usize, fault: Option<&DlpackFault>) -> String {
    let mut positional = vec!["self".to_string()];
    let mut keyword_only = Vec::new();
    let mut kwargs = false;
    for (keyword, kind) in DLPACK_KEYWORDS.iter().zip(kinds) {
        match kind {
            0 => positional.push(format!("{keyword}=None")),
            1 => keyword_only.push(format!("{keyword}=None")),
            _ => kwargs = true,
        }
    }
    match fault {
        Some(DlpackFault::Missing(i)) => {
            let keyword = format!("{}=None", DLPACK_KEYWORDS[*i]);
            positional.retain(|p| *p != keyword);
            keyword_only.retain(|p| *p != keyword);
            // The others stay accepted, by name.
            for (j, other) in DLPACK_KEYWORDS.iter().enumerate() {
                let other = format!("{other}=None");
                if j != *i && !positional.contains(&other) && !keyword_only.contains(&other) {
                    keyword_only.push(other);
                }
            }
            kwargs = false;
        }
        Some(DlpackFault::PositionalOnlyStream) => {
            positional = vec!["self".into(), "stream=None".into(), "/".into()];
            keyword_only = DLPACK_KEYWORDS[1..]
                .iter()
                .map(|k| format!("{k}=None"))
                .collect();
            kwargs = false;
        }
        Some(DlpackFault::Required) => positional.insert(1, "handle".into()),
        _ => {}
    }
    let mut params = positional;
    if !keyword_only.is_empty() {
        params.push("*".into());
        params.extend(keyword_only);
    }
    if kwargs {
        params.push("**kwargs".into());
    }
    // The stream is handed on to the producer that checks it (AL405 otherwise: a
    // producer that drops it accepts every stream).
    let handed_on = if params.iter().any(|p| p.starts_with("stream")) {
        "stream=stream"
    } else {
        ""
    };
    let mut s = format!(
        "import numpy as np\n\n\nclass Exporter:\n    def __dlpack__({}):\n        return self._data.__dlpack__({handed_on})\n",
        params.join(", ")
    );
    if !matches!(fault, Some(DlpackFault::NoDevice)) {
        let returned = ["(1, 0)", "(2, 0)", "self._data.__dlpack_device__()"][device];
        s += &format!("\n    def __dlpack_device__(self):\n        return {returned}\n");
    }
    s
}

// ---- AL501: `__array_wrap__` ----

/// Signatures NumPy 2 can call as `__array_wrap__(arr, context, return_scalar)`.
const WRAP_OK: &[&str] = &[
    "self, arr, context=None, return_scalar=False",
    "self, obj, ctx=None, scalar=False",
    "self, arr, context=None, return_scalar=False, /",
    "self, *args",
    "self, arr, *args",
    "self, arr, context, return_scalar",
    "self, arr, context=None, return_scalar=False, *, extra=None",
    "self, arr, context=None, *args, **kwargs",
];

/// Signatures it cannot.
const WRAP_BAD: &[&str] = &[
    "self, arr",
    "self, arr, context=None",
    "self, arr, *, context=None, return_scalar=False",
    "self, arr, context=None, return_scalar=False, *, required",
    "self, arr, context, return_scalar, extra_required",
];

fn wrap_class(params: &str) -> String {
    format!(
        "import numpy as np\n\n\nclass Wrapped(np.ndarray):\n    def __array_wrap__({params}):\n        return np.asarray(self)\n"
    )
}

// ---- AL2xx / AL3xx: descriptor dicts ----

/// Typestrs with their item size; all little-endian or byte-order-free.
const TYPESTRS: &[(&str, u64)] = &[
    ("<f8", 8),
    ("<f4", 4),
    ("<i4", 4),
    ("<i8", 8),
    ("|u1", 1),
    ("|b1", 1),
    ("<c16", 16),
    ("<u2", 2),
];

#[derive(Debug, Clone)]
struct Descriptor {
    cuda: bool,
    shape: Vec<u64>,
    typestr: usize,
    readonly: bool,
    /// 0: no `strides`, 1: `None`, 2: C-contiguous byte strides.
    strides: u8,
    /// AI: `"mask": None`; CAI version 3: `"stream": None` (else `1`).
    extra: bool,
    /// `@property` or `@cached_property`.
    cached: bool,
    /// Order of the keys.
    order: Vec<usize>,
}

fn descriptor() -> impl Strategy<Value = Descriptor> {
    (
        any::<bool>(),
        proptest::collection::vec(0..5u64, 0..4),
        0..TYPESTRS.len(),
        any::<bool>(),
        0..3u8,
        any::<bool>(),
        any::<bool>(),
        Just((0..8usize).collect::<Vec<_>>()).prop_shuffle(),
    )
        .prop_map(
            |(cuda, shape, typestr, readonly, strides, extra, cached, order)| Descriptor {
                cuda,
                shape,
                typestr,
                readonly,
                strides,
                extra,
                cached,
                order,
            },
        )
}

#[derive(Debug, Clone, Copy)]
enum DictFault {
    NotProperty,
    MissingKey,
    UnknownKey,
    BadVersion,
    ShapeList,
    BadTypestr,
    DataList,
    StridesLength,
    StridesNotBytes,
    Mask,
    Offset,
    StreamZero,
    StreamType,
    StreamOldVersion,
    BigEndian,
}

impl DictFault {
    fn code(self) -> &'static str {
        match self {
            DictFault::NotProperty => "AL201",
            DictFault::MissingKey => "AL203",
            DictFault::UnknownKey => "AL204",
            DictFault::BadVersion => "AL205",
            DictFault::ShapeList => "AL206",
            DictFault::BadTypestr => "AL207",
            DictFault::DataList => "AL208",
            DictFault::StridesLength => "AL209",
            DictFault::StridesNotBytes => "AL210",
            DictFault::Mask => "AL213",
            DictFault::Offset => "AL214",
            DictFault::StreamZero => "AL301",
            DictFault::StreamType => "AL302",
            DictFault::StreamOldVersion => "AL303",
            DictFault::BigEndian => "AL304",
        }
    }
    /// Whether the fault exists for this protocol.
    fn applies(self, cuda: bool) -> bool {
        match self {
            DictFault::Offset => !cuda,
            DictFault::StreamZero
            | DictFault::StreamType
            | DictFault::StreamOldVersion
            | DictFault::BigEndian => cuda,
            _ => true,
        }
    }
}

fn dict_fault() -> impl Strategy<Value = DictFault> {
    prop_oneof![
        Just(DictFault::NotProperty),
        Just(DictFault::MissingKey),
        Just(DictFault::UnknownKey),
        Just(DictFault::BadVersion),
        Just(DictFault::ShapeList),
        Just(DictFault::BadTypestr),
        Just(DictFault::DataList),
        Just(DictFault::StridesLength),
        Just(DictFault::StridesNotBytes),
        Just(DictFault::Mask),
        Just(DictFault::Offset),
        Just(DictFault::StreamZero),
        Just(DictFault::StreamType),
        Just(DictFault::StreamOldVersion),
        Just(DictFault::BigEndian),
    ]
}

fn tuple(items: &[String]) -> String {
    match items {
        [one] => format!("({one},)"),
        _ => format!("({})", items.join(", ")),
    }
}

fn descriptor_class(d: &Descriptor, fault: Option<DictFault>) -> String {
    let (typestr, mut itemsize) = TYPESTRS[d.typestr];
    let mut typestr = typestr.to_string();
    let mut shape: Vec<String> = d.shape.iter().map(u64::to_string).collect();
    let mut keys: Vec<(String, String)> = Vec::new();
    let mut version = "3".to_string();
    let mut shape_expr = tuple(&shape);
    let mut data = format!("(self._ptr, {})", if d.readonly { "True" } else { "False" });
    let mut strides_mode = d.strides;
    match fault {
        Some(DictFault::BadVersion) => version = if d.cuda { "4" } else { "2" }.into(),
        Some(DictFault::ShapeList) => shape_expr = format!("[{}]", shape.join(", ")),
        Some(DictFault::BadTypestr) => typestr = "float64".into(),
        Some(DictFault::BigEndian) => typestr = typestr.replace(['<', '|'], ">"),
        Some(DictFault::DataList) => data = "[self._ptr, False]".into(),
        Some(DictFault::StridesLength | DictFault::StridesNotBytes) => strides_mode = 2,
        _ => {}
    }
    if matches!(fault, Some(DictFault::BigEndian)) && typestr.ends_with("1") {
        // A one-byte type has no byte order to get wrong: use a wider one.
        typestr = ">f8".into();
        itemsize = 8;
    }
    keys.push(("shape".into(), shape_expr));
    keys.push(("typestr".into(), format!("\"{typestr}\"")));
    keys.push(("data".into(), data));
    keys.push(("version".into(), version));
    match strides_mode {
        1 => keys.push(("strides".into(), "None".into())),
        2 => {
            let mut strides = Vec::new();
            let mut step = itemsize;
            for extent in d.shape.iter().rev() {
                strides.push(step);
                step *= (*extent).max(1);
            }
            strides.reverse();
            let mut strides: Vec<String> = strides.iter().map(u64::to_string).collect();
            match fault {
                Some(DictFault::StridesLength) => strides.push(itemsize.to_string()),
                Some(DictFault::StridesNotBytes) => {
                    if strides.is_empty() {
                        shape.push("2".into());
                        keys[0].1 = tuple(&shape);
                        strides.push(String::new());
                    }
                    let last = strides.len() - 1;
                    // Counted in elements: 1 is not a multiple of an item size above 1.
                    strides[last] = "1".into();
                }
                _ => {}
            }
            keys.push(("strides".into(), tuple(&strides)));
        }
        _ => {}
    }
    if d.extra {
        if d.cuda {
            keys.push(("stream".into(), "None".into()));
        } else {
            keys.push(("mask".into(), "None".into()));
        }
    }
    match fault {
        Some(DictFault::MissingKey) => {
            keys.retain(|(key, _)| key != "typestr");
        }
        Some(DictFault::UnknownKey) => keys.push(("dtype".into(), "\"<f8\"".into())),
        Some(DictFault::Mask) => {
            keys.retain(|(key, _)| key != "mask");
            keys.push(("mask".into(), "(self._mask_ptr, False)".into()));
        }
        Some(DictFault::Offset) => keys.push(("offset".into(), "8".into())),
        Some(DictFault::StreamZero | DictFault::StreamType) => {
            keys.retain(|(key, _)| key != "stream");
            let value = if matches!(fault, Some(DictFault::StreamZero)) {
                "0"
            } else {
                "\"default\""
            };
            keys.push(("stream".into(), value.into()));
        }
        Some(DictFault::StreamOldVersion) => {
            keys.retain(|(key, _)| key != "stream" && key != "version");
            keys.push(("version".into(), "2".into()));
            keys.push(("stream".into(), "1".into()));
        }
        _ => {}
    }
    // The generated order, over whatever keys there are.
    let mut ordered: Vec<(String, String)> = Vec::new();
    for i in &d.order {
        if let Some(key) = keys.get(*i) {
            ordered.push(key.clone());
        }
    }
    ordered.extend(keys.iter().skip(d.order.len()).cloned());
    let body = ordered
        .iter()
        .map(|(key, value)| format!("            \"{key}\": {value},\n"))
        .collect::<String>();
    let name = if d.cuda {
        "__cuda_array_interface__"
    } else {
        "__array_interface__"
    };
    let decorator = match (fault, d.cached) {
        (Some(DictFault::NotProperty), _) => "",
        (_, true) => "    @cached_property\n",
        (_, false) => "    @property\n",
    };
    format!(
        "from functools import cached_property\n\n\nclass Producer:\n{decorator}    def {name}(self):\n        return {{\n{body}        }}\n"
    )
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn dlpack_exporters_that_follow_the_spec_get_no_finding(
        kinds in dlpack_kinds(),
        device in 0..3usize,
    ) {
        let text = dlpack_class(kinds, device, None);
        prop_assert_eq!(code_list(&text), Vec::<&str>::new(), "{}", text);
    }

    #[test]
    fn each_dlpack_fault_gets_its_code_only(
        kinds in dlpack_kinds(),
        device in 0..3usize,
        fault in dlpack_fault(),
    ) {
        let text = dlpack_class(kinds, device, Some(&fault));
        let code = if matches!(fault, DlpackFault::NoDevice) { "AL402" } else { "AL401" };
        prop_assert_eq!(codes(&text), vec![(code, def_offset(&text, "__dlpack__"))], "{}", text);
    }

    #[test]
    fn array_wrap_signatures_numpy_can_call_get_no_finding(i in 0..WRAP_OK.len()) {
        let text = wrap_class(WRAP_OK[i]);
        prop_assert_eq!(code_list(&text), Vec::<&str>::new(), "{}", text);
    }

    #[test]
    fn array_wrap_signatures_numpy_cannot_call_get_al501_only(i in 0..WRAP_BAD.len()) {
        let text = wrap_class(WRAP_BAD[i]);
        prop_assert_eq!(
            codes(&text),
            vec![("AL501", def_offset(&text, "__array_wrap__"))],
            "{}",
            text
        );
    }

    #[test]
    fn descriptors_that_follow_the_spec_get_no_finding(d in descriptor()) {
        let text = descriptor_class(&d, None);
        prop_assert_eq!(code_list(&text), Vec::<&str>::new(), "{}", text);
    }

    #[test]
    fn each_descriptor_fault_gets_its_code_only(d in descriptor(), fault in dict_fault()) {
        prop_assume!(fault.applies(d.cuda));
        // Every stride is a multiple of an item size of 1.
        prop_assume!(!matches!(fault, DictFault::StridesNotBytes) || TYPESTRS[d.typestr].1 > 1);
        let text = descriptor_class(&d, Some(fault));
        prop_assert_eq!(code_list(&text), vec![fault.code()], "{}", text);
    }
}
