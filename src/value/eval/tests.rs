use ruff_python_ast::{PySourceType, Stmt};
use ruff_python_parser::parse_unchecked_source;

use super::{ModuleIndex, Returned};

/// Every value each descriptor member of the first class evaluates to, as text.
fn member_values(source: &str, member: &str) -> Vec<String> {
    returns(source, member)
        .iter()
        .map(|returned| returned.value.to_string())
        .collect()
}

fn returns(source: &str, member: &str) -> Vec<Returned> {
    let parsed = parse_unchecked_source(source, PySourceType::Python);
    let module = parsed.syntax();
    let index = ModuleIndex::new(&module.body);
    let mut out = Vec::new();
    let classes = module.body.iter().filter_map(|stmt| match stmt {
        Stmt::ClassDef(class) => Some(class),
        _ => None,
    });
    for class in classes {
        collect_member(&index, class, member, &mut out);
    }
    out
}

fn collect_member<'a>(
    index: &ModuleIndex<'a>,
    class: &'a ruff_python_ast::StmtClassDef,
    member: &str,
    out: &mut Vec<Returned>,
) {
    for stmt in &class.body {
        match stmt {
            Stmt::FunctionDef(def) if def.name.as_str() == member => {
                out.extend(index.getter_returns(def, Some(class)));
            }
            Stmt::Assign(assign) => {
                if let [ruff_python_ast::Expr::Name(name)] = assign.targets.as_slice() {
                    if name.id.as_str() == member {
                        out.extend(index.attribute_values(&assign.value, Some(class)));
                    }
                }
            }
            _ => {}
        }
    }
}

fn ai(source: &str) -> Vec<String> {
    member_values(source, "__array_interface__")
}

#[test]
fn literal_dict_from_property() {
    let source = r#"
class A:
    @property
    def __array_interface__(self):
        return {"shape": (2, 3), "typestr": "<f4", "data": (self._ptr, False), "version": 3}
"#;
    assert_eq!(
        ai(source),
        [r#"{"shape": (2, 3), "typestr": "<f4", "data": (?, False), "version": 3}"#]
    );
}

#[test]
fn straight_line_building_and_maybe_keys() {
    let source = r#"
class A:
    @property
    def __array_interface__(self):
        d = {"shape": self.shape, "typestr": "|u1"}
        d["version"] = 3
        d.update({"data": (0, True)})
        d.update(mask=None)
        if not self.contiguous:
            d["strides"] = self.strides
        return d
"#;
    assert_eq!(
        ai(source),
        [
            r#"{"shape": ?, "typestr": "|u1", "version": 3, "data": (0, True), "mask": None, ?"strides": ?}"#
        ]
    );
}

#[test]
fn pillow_style_tuple_target() {
    let source = r#"
class Image:
    @property
    def __array_interface__(self):
        new = {"version": 3}
        new["data"] = self.tobytes()
        new["shape"], new["typestr"] = _conv_type_shape(self)
        return new
"#;
    let values = ai(source);
    assert_eq!(values.len(), 1);
    assert_eq!(
        values[0],
        r#"{"version": 3, "data": <temporary self.tobytes()>, "shape": ?, "typestr": ?}"#
    );
}

#[test]
fn dict_call_and_splat_and_constants() {
    let source = r#"
_VERSION = 3
_BASE = {"typestr": "<i8", "version": 2}
class A:
    @property
    def __array_interface__(self):
        return dict(shape=tuple([4, 5]), typestr="<f8", version=_VERSION)

    @property
    def __cuda_array_interface__(self):
        return {**_BASE, "version": _VERSION, "shape": (1,)}
"#;
    assert_eq!(
        ai(source),
        [r#"{"shape": (4, 5), "typestr": "<f8", "version": 3}"#]
    );
    assert_eq!(
        member_values(source, "__cuda_array_interface__"),
        [r#"{"typestr": "<i8", "version": 3, "shape": (1,)}"#]
    );
}

#[test]
fn unknown_splat_makes_dict_incomplete() {
    let source = r#"
class A:
    @property
    def __array_interface__(self):
        return {**self._base, "version": 3}
"#;
    assert_eq!(ai(source), [r#"{"version": 3, ...}"#]);
}

#[test]
fn class_attribute_module_helper_and_property_call() {
    let source = r#"
def _interface(shape, typestr="<f4"):
    return {"shape": shape, "typestr": typestr, "version": 3}

class A:
    _IFACE = {"shape": (1,), "typestr": "|b1", "version": 3, "data": None}
    __array_interface__ = _IFACE

    def _get_cai(self):
        return _interface((8,), typestr="<f2")
    __cuda_array_interface__ = property(_get_cai)

    @property
    def other(self):
        return self._IFACE
"#;
    assert_eq!(
        ai(source),
        [r#"{"shape": (1,), "typestr": "|b1", "version": 3, "data": None}"#]
    );
    assert_eq!(
        member_values(source, "__cuda_array_interface__"),
        [r#"{"shape": (8,), "typestr": "<f2", "version": 3}"#]
    );
    assert_eq!(
        member_values(source, "other"),
        [r#"{"shape": (1,), "typestr": "|b1", "version": 3, "data": None}"#]
    );
}

#[test]
fn each_return_separately() {
    let source = r#"
class A:
    @property
    def __array_interface__(self):
        if self.empty:
            return {"shape": (0,), "typestr": "<f4", "data": (0, False), "version": 3}
        raise AttributeError("no")
        return [1]
"#;
    // Code after the raise is never reached.
    assert_eq!(
        ai(source),
        [r#"{"shape": (0,), "typestr": "<f4", "data": (0, False), "version": 3}"#]
    );
}

#[test]
fn branches_join_alternatives() {
    let source = r#"
class A:
    @property
    def __cuda_array_interface__(self):
        d = {"shape": (3,)}
        if self.c_contiguous:
            d["strides"] = None
        else:
            d["strides"] = (8,)
        return d
"#;
    assert_eq!(
        member_values(source, "__cuda_array_interface__"),
        [r#"{"shape": (3,), "strides": None, "strides": (8,)}"#]
    );
}

#[test]
fn self_attributes_are_unknown_unless_class_constants() {
    let source = r#"
class A:
    shape = None
    typestr = "<f4"
    def __init__(self, shape):
        self.shape = shape
    @property
    def __array_interface__(self):
        return {"shape": self.shape, "typestr": self.typestr, "data": (self.ptr, False)}
"#;
    assert_eq!(
        ai(source),
        [r#"{"shape": ?, "typestr": "<f4", "data": (?, False)}"#]
    );
}

#[test]
fn temporaries_and_keep_alive() {
    let source = r#"
import numpy as np
class A:
    @property
    def __array_interface__(self):
        arr = np.ascontiguousarray(self._a)
        return {"data": (arr.ctypes.data, False), "other": (np.ascontiguousarray(self._a).ctypes.data, 1)}

    @property
    def kept(self):
        arr = np.ascontiguousarray(self._a)
        ptr = arr.ctypes.data
        self._keepalive = arr
        return {"data": (ptr, False)}

    @property
    def copied(self):
        buf = bytes(self._raw)
        return {"data": (ctypes.addressof(buf), False), "d2": (int(self._a.astype("f4").ctypes.data), False)}

    @property
    def view_ok(self):
        arr = np.asarray(self._a)
        return {"data": (arr.ctypes.data, False)}
"#;
    assert_eq!(
        ai(source),
        [
            r#"{"data": (<temporary np.ascontiguousarray>, False), "other": (<temporary np.ascontiguousarray>, 1)}"#
        ]
    );
    assert_eq!(member_values(source, "kept"), [r#"{"data": (?, False)}"#]);
    assert_eq!(
        member_values(source, "copied"),
        [
            r#"{"data": (<temporary bytes(...)>, False), "d2": (<temporary self._a.astype()>, False)}"#
        ]
    );
    assert_eq!(
        member_values(source, "view_ok"),
        [r#"{"data": (?, False)}"#]
    );
}

#[test]
fn dtype_attributes_are_marked() {
    let source = r#"
class A:
    @property
    def __array_interface__(self):
        return {"typestr": self.dtype.char, "t2": self._dtype.name, "t3": self.dtype.str, "t4": self.kind}
"#;
    assert_eq!(
        ai(source),
        [r#"{"typestr": ?.char, "t2": ?.name, "t3": ?, "t4": ?}"#]
    );
}

#[test]
fn local_dict_escaping_to_a_call_is_incomplete() {
    let source = r#"
class A:
    @property
    def __array_interface__(self):
        d = {"version": 3}
        self._fill(d)
        return d
"#;
    assert_eq!(ai(source), [r#"{"version": 3, ...}"#]);
}

#[test]
fn arithmetic_and_sequences() {
    let source = r#"
N = 4
class A:
    @property
    def __array_interface__(self):
        shape = (N, N * 2)
        strides = (N * 2 * 8, 8)
        return {"shape": shape, "strides": strides, "x": (0,) * 3, "s": "<" + "f8", "n": -1, "len": len(shape)}
"#;
    assert_eq!(
        ai(source),
        [r#"{"shape": (4, 8), "strides": (64, 8), "x": (0, 0, 0), "s": "<f8", "n": -1, "len": 2}"#]
    );
}

#[test]
fn conditional_module_constants_are_unknown() {
    let source = r#"
import sys
if sys.byteorder == "little":
    _TYPESTR = "<f4"
else:
    _TYPESTR = ">f4"
_TWICE = 1
_TWICE = 2
class A:
    @property
    def __array_interface__(self):
        return {"typestr": _TYPESTR, "version": _TWICE}
"#;
    assert_eq!(ai(source), [r#"{"typestr": ?, "version": ?}"#]);
}

#[test]
fn return_ranges_and_key_ranges() {
    let source = "class A:\n    @property\n    def __array_interface__(self):\n        return {'shape': [1]}\n";
    let found = returns(source, "__array_interface__");
    assert_eq!(found.len(), 1);
    let text = |range: ruff_text_size::TextRange| &source[range];
    assert_eq!(text(found[0].range), "return {'shape': [1]}");
    let dict = found[0].value.as_dict().unwrap();
    assert_eq!(text(dict.entries[0].key_range), "'shape'");
    assert_eq!(text(dict.entries[0].value.range), "[1]");
    assert_eq!(text(found[0].value.range), "{'shape': [1]}");
}

#[test]
fn recursion_and_cycles_are_bounded() {
    let source = r#"
A = B
B = A
def f(x):
    return f(x)
class C:
    @property
    def __array_interface__(self):
        return {"a": A, "f": f(1)}
"#;
    assert_eq!(ai(source), [r#"{"a": ?, "f": ?}"#]);

    // A deeply nested expression does not overflow the stack.
    let deep = format!(
        "class C:\n    @property\n    def __array_interface__(self):\n        return {}1{}\n",
        "(".repeat(5000),
        ")".repeat(5000)
    );
    let _ = ai(&deep);

    // Many statements stay within the step budget.
    let mut long = String::from(
        "class C:\n    @property\n    def __array_interface__(self):\n        d = {}\n",
    );
    for i in 0..20_000 {
        long.push_str(&format!("        if x{i}:\n            d['k'] = {i}\n"));
    }
    long.push_str("        return d\n");
    let start = std::time::Instant::now();
    let _ = ai(&long);
    assert!(start.elapsed().as_secs() < 10);
}

#[test]
fn try_except_and_with() {
    let source = r#"
class A:
    @property
    def __array_interface__(self):
        try:
            ptr = self._ptr()
        except ValueError:
            raise AttributeError("no data")
        with self._lock:
            d = {"data": (ptr, False), "version": 3}
        return d
"#;
    assert_eq!(ai(source), [r#"{"data": (?, False), "version": 3}"#]);
}

#[test]
fn enum_class_members_resolve() {
    let source = r#"
import enum
class DLDeviceType(enum.IntEnum):
    kDLCPU = 1
    kDLCUDA = 2
class T:
    def __dlpack_device__(self):
        return (DLDeviceType.kDLCUDA, 0)
"#;
    assert_eq!(member_values(source, "__dlpack_device__"), ["(2, 0)"]);
}

#[test]
fn class_placeholders_overridden_by_subclasses_are_unknown() {
    let source = r#"
class Base:
    typestr = None
    version = 3
    kind = "<f4"
    @property
    def __array_interface__(self):
        return {"typestr": self.typestr, "version": self.version, "k": self.kind}
class F32(Base):
    kind = "<f8"
"#;
    assert_eq!(ai(source), [r#"{"typestr": ?, "version": 3, "k": ?}"#]);
}

#[test]
fn arithmetic_never_overflows() {
    let source = r#"
class A:
    @property
    def __array_interface__(self):
        big = -(2 ** 63) * 18446744073709551615 * 2
        return {"a": -big, "b": big // -1, "c": big % -1, "d": () * 10000000000000000000, "e": (1,) * 100000, "f": 1 << 200, "g": 7 // 2, "h": -7 % 3}
"#;
    assert_eq!(
        ai(source),
        [r#"{"a": ?, "b": ?, "c": ?, "d": (), "e": ?, "f": ?, "g": 3, "h": 2}"#]
    );
}

#[test]
fn deeply_nested_statements_on_a_small_stack() {
    let mut source = String::from(
        "class A:\n    @property\n    def __array_interface__(self):\n        d = {'version': 3}\n",
    );
    let depth = 300;
    for level in 0..depth {
        source.push_str(&" ".repeat(8 + 4 * level));
        source.push_str("if x:\n");
    }
    source.push_str(&" ".repeat(8 + 4 * depth));
    source.push_str("d['shape'] = (1,)\n        return d\n");
    let handle = std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(move || ai(&source))
        .expect("thread starts");
    let values = handle.join().expect("no stack overflow");
    assert_eq!(values.len(), 1);
    // Whatever was too deep to follow, the dict is not claimed to lack keys.
    assert!(
        values[0].contains("shape") || values[0].contains("..."),
        "{}",
        values[0]
    );
}

mod fuzz {
    use proptest::prelude::*;

    use super::ai;
    use crate::descriptor::{validate, Context, Protocol};

    const TOKENS: &[&str] = &[
        "d",
        "x",
        "self",
        "_C",
        "=",
        "{",
        "}",
        "[",
        "]",
        "(",
        ")",
        ":",
        ",",
        ".",
        "**",
        "*",
        "\"shape\"",
        "\"data\"",
        "'strides'",
        "\"version\"",
        "3",
        "-1",
        "0",
        "2.5",
        "None",
        "True",
        "return",
        "if",
        "else",
        "elif",
        "for",
        "in",
        "while",
        "try",
        "except",
        "finally",
        "with",
        "as",
        "del",
        "raise",
        "lambda",
        "not",
        "and",
        "+",
        "<<",
        "//",
        "%",
        "update",
        "pop",
        "setdefault",
        "copy",
        "np",
        "ascontiguousarray",
        "ctypes",
        "dict",
        "tuple",
        "bytes",
        "property",
        "def",
        "class",
        "pass",
        "\n",
        "\n    ",
        "\n        ",
        "\n            ",
    ];

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        /// Whatever the getter body holds (half-written code included), evaluating and
        /// validating it neither panics nor loops.
        #[test]
        fn evaluating_token_soup_never_panics(tokens in prop::collection::vec(prop::sample::select(TOKENS), 0..80)) {
            let body = tokens.join(" ");
            let source = format!(
                "_C = {{'shape': (1,), **_C}}\nclass A:\n    @property\n    def __array_interface__(self):\n        {body}\n        return d\n"
            );
            let _ = ai(&source);
            let parsed = ruff_python_parser::parse_unchecked_source(&source, ruff_python_ast::PySourceType::Python);
            let index = crate::value::ModuleIndex::new(&parsed.syntax().body);
            for stmt in &parsed.syntax().body {
                if let ruff_python_ast::Stmt::ClassDef(class) = stmt {
                    for member in &class.body {
                        if let ruff_python_ast::Stmt::FunctionDef(def) = member {
                            for returned in index.getter_returns(def, Some(class)) {
                                for protocol in [Protocol::ArrayInterface, Protocol::CudaArrayInterface, Protocol::ArrayStruct, Protocol::DlpackDevice] {
                                    let _ = validate(&returned.value, protocol, &Context::default());
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn interfaces_of_temporaries() {
    let source = r#"
import numpy as np
class A:
    @property
    def __array_interface__(self):
        return np.array(self._x, copy=True).__array_interface__

    @property
    def pointer(self):
        return {"data": (np.ascontiguousarray(self._x).__array_interface__["data"][0], False)}

    @property
    def no_copy(self):
        return np.array(self._x, copy=False).__array_interface__
"#;
    assert_eq!(ai(source), ["<interface of temporary np.array>"]);
    assert_eq!(
        member_values(source, "pointer"),
        [r#"{"data": (<temporary np.ascontiguousarray>, False)}"#]
    );
    assert_eq!(member_values(source, "no_copy"), ["?"]);
}

#[test]
fn cached_on_self() {
    let source = r#"
import numpy as np
class A:
    @property
    def __array_interface__(self):
        if self._iface is None:
            self._iface = {"shape": (2,), "typestr": "<f4", "version": 3}
            self._iface["data"] = (self._ptr, False)
        return self._iface

    @property
    def stored_temp(self):
        self._contig = np.ascontiguousarray(self._values)
        return {"data": (self._contig.ctypes.data, False)}

    @property
    def other(self):
        return self._iface

    @property
    def refreshed(self):
        self._iface = {"version": 3}
        self._refresh()
        return self._iface
"#;
    assert_eq!(
        ai(source),
        [r#"{"shape": (2,), "typestr": "<f4", "version": 3, "data": (?, False)}"#]
    );
    assert_eq!(
        member_values(source, "stored_temp"),
        [r#"{"data": (?, False)}"#]
    );
    assert_eq!(member_values(source, "other"), ["?"]);
    assert_eq!(
        member_values(source, "refreshed"),
        [r#"{"version": 3, ...}"#]
    );
}
