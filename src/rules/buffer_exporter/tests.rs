//! The AL7xx rules on Cython text, through the `CDecls` side table: each test's text is
//! projected by `project_for_test`, a small stand-in for the projection that handles just
//! what these texts use (`cdef class`, typed parameters, `cdef` locals, `<T>` casts, unary
//! `&`), so that the rules are tested against the interface, not against the projection.

use std::path::Path;

use ruff_text_size::{TextRange, TextSize};

use crate::checker::Checker;
use crate::model::Model;
use crate::registry::RuleSet;
use crate::source::cython::{CDeclaration, CDecls, CType, Cast};

fn at(offset: usize) -> TextSize {
    TextSize::try_from(offset).expect("test texts are small")
}

fn range(start: usize, end: usize) -> TextRange {
    TextRange::new(at(start), at(end))
}

/// A C type as written (`Py_ssize_t`, `char*`, `Py_buffer *`).
fn ctype(written: &str, array: bool) -> CType {
    CType {
        base: written.replace('*', "").trim().to_string(),
        pointers: u8::try_from(written.matches('*').count()).unwrap_or(u8::MAX),
        array,
        memoryview: false,
    }
}

/// Same length, same lines: see the module's documentation.
fn project_for_test(cython: &str) -> (String, CDecls) {
    let mut out: Vec<u8> = cython.as_bytes().to_vec();
    let mut decls = CDecls::default();
    let mut line_start = 0;
    for line in cython.split_inclusive('\n') {
        let indent = line.len() - line.trim_start().len();
        let code = line.trim_end();
        let start = line_start + indent;
        if let Some(rest) = code.trim_start().strip_prefix("cdef class ") {
            // `cdef class X` -> `class      X`: the keyword moves, the name stays.
            out[start..start + 10].copy_from_slice(b"class     ");
            let name_len = rest.find(['(', ':']).unwrap_or(rest.len());
            let name_start = start + "cdef class ".len();
            decls
                .cdef_classes
                .push(range(name_start, name_start + name_len));
        } else if let Some(rest) = code.trim_start().strip_prefix("cdef ") {
            // `cdef T name[N]` / `cdef T *name`: a statement `pass` padded with blanks.
            let name_start = rest.rfind([' ', '*']).map_or(0, |i| i + 1);
            let declared = &rest[name_start..];
            let name = declared.split('[').next().unwrap_or(declared);
            let absolute = start + "cdef ".len() + name_start;
            decls.declarations.push(CDeclaration {
                name: name.to_string(),
                name_range: range(absolute, absolute + name.len()),
                range: range(start, line_start + code.len()),
                ctype: ctype(&rest[..name_start], declared.contains('[')),
                parameter: false,
            });
            out[start..line_start + code.len()].fill(b' ');
            out[start..start + 4].copy_from_slice(b"pass");
        } else if code.trim_start().starts_with("def ") {
            // Typed parameters: `Py_buffer *buffer`, `int flags`.
            let open = code.find('(').unwrap_or(0) + 1;
            let close = code.rfind(')').unwrap_or(code.len());
            let mut from = line_start + open;
            for parameter in code[open..close].split(',') {
                let written = parameter.trim();
                let lead = parameter.len() - parameter.trim_start().len();
                if let Some(split) = written.rfind([' ', '*']) {
                    let name = &written[split + 1..];
                    let type_start = from + lead;
                    let name_start = type_start + split + 1;
                    decls.declarations.push(CDeclaration {
                        name: name.to_string(),
                        name_range: range(name_start, name_start + name.len()),
                        range: range(type_start, name_start + name.len()),
                        ctype: ctype(&written[..split + 1], false),
                        parameter: true,
                    });
                    out[type_start..name_start].fill(b' ');
                }
                from += parameter.len() + 1;
            }
        } else {
            // Casts `<...>` and unary `&` in expressions.
            let bytes = code.as_bytes();
            let mut i = indent;
            while i < bytes.len() {
                let absolute = line_start + i;
                if bytes[i] == b'<'
                    && bytes[i..].contains(&b'>')
                    && i > 0
                    && matches!(bytes[i - 1], b' ' | b'(' | b',')
                {
                    let end = i + code[i..].find('>').unwrap_or(0) + 1;
                    decls.casts.push(Cast {
                        range: range(absolute, line_start + end),
                        ctype: code[i + 1..end - 1].trim().to_string(),
                    });
                    out[absolute..line_start + end].fill(b' ');
                    i = end;
                    continue;
                }
                if bytes[i] == b'&' && bytes.get(i + 1).is_some_and(|b| *b != b' ') {
                    decls.address_of.push(at(absolute));
                    out[absolute] = b' ';
                }
                i += 1;
            }
        }
        line_start += line.len();
    }
    decls.declarations.sort_by_key(|d| d.range.start());
    let python = String::from_utf8(out).expect("ASCII test texts");
    (python, decls)
}

/// `(code, line)` of each finding, with every rule on.
fn findings(cython: &str) -> Vec<(&'static str, usize)> {
    let (python, decls) = project_for_test(cython);
    let parsed = ruff_python_parser::parse_module(&python)
        .unwrap_or_else(|e| panic!("the test projection parses: {e}\n{python}"));
    let model = Model::build(&parsed.syntax().body, false, Some(&decls));
    let mut checker = Checker::new(
        &python,
        Path::new("exporter.pyx"),
        parsed.syntax(),
        &model,
        RuleSet::all(),
    );
    checker.cython = Some(&decls);
    checker.run();
    let mut found: Vec<(&'static str, usize)> = checker
        .into_diagnostics()
        .iter()
        .map(|d| {
            let line = python[..d.range.start().to_usize()].matches('\n').count() + 1;
            (d.rule.code(), line)
        })
        .collect();
    found.sort();
    found
}

#[test]
fn the_stand_in_projection_keeps_offsets() {
    let cython = "cdef class A:\n    def __getbuffer__(self, Py_buffer *buffer, int flags):\n        cdef Py_ssize_t shape[1]\n        buffer.buf = <char*>&self.x\n";
    let (python, decls) = project_for_test(cython);
    assert_eq!(python.len(), cython.len());
    assert_eq!(decls.cdef_classes.len(), 1);
    let names: Vec<&str> = decls.declarations.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names, ["buffer", "flags", "shape"]);
    assert!(decls.declarations[2].ctype.array);
    assert_eq!(decls.casts.len(), 1);
    assert_eq!(decls.address_of.len(), 1);
}

#[test]
fn stack_locals_and_temporaries_dangle() {
    // ucx-py #144 and pandas #55671, as Cython writes them.
    let cython = r#"
cdef class BufferRegion:
    def __getbuffer__(self, Py_buffer *buffer, int flags):
        cdef Py_ssize_t shape[1]
        cdef Py_ssize_t stride
        cdef Py_ssize_t *kept
        shape[0] = self.length
        stride = 1
        kept = self.shape
        tmp = self.host_copy().tobytes()
        buffer.buf = <char*>tmp
        buffer.shape = shape
        buffer.strides = &stride
        buffer.suboffsets = &shape[0]
        buffer.format = <char*>kept
        buffer.obj = self
"#;
    assert_eq!(
        findings(cython),
        [("AL703", 11), ("AL703", 12), ("AL703", 13), ("AL703", 14)]
    );
}

#[test]
fn metadata_on_the_object_does_not_dangle() {
    let cython = r#"
cdef class Column:
    cdef Py_ssize_t shape[1]
    cdef Py_ssize_t strides[1]
    def __getbuffer__(self, Py_buffer *buffer, int flags):
        cdef char *data = self.data
        self.shape[0] = self.length
        buffer.buf = data
        buffer.len = self.length
        buffer.shape = self.shape
        buffer.strides = &self.strides[0]
        buffer.format = b"B"
        buffer.itemsize = 1
        buffer.ndim = 1
        buffer.obj = self
"#;
    assert_eq!(findings(cython), []);
}

#[test]
fn cast_null_and_flag_tests() {
    let cython = r#"
cdef class Empty:
    def __getbuffer__(self, Py_buffer *buffer, int flags):
        if flags & PyBUF_STRIDES:
            buffer.strides = self.strides
        buffer.buf = <void*>0
        buffer.len = 0
        buffer.obj = self
"#;
    assert_eq!(findings(cython), [("AL709", 4), ("AL710", 6)]);
}

#[test]
fn getbuffer_outside_a_cdef_class_fills_no_slot() {
    let cython = r#"
class Plain:
    def __getbuffer__(self, Py_buffer *buffer, int flags):
        buffer.buf = NULL

cdef class Extension:
    def __getbuffer__(self, Py_buffer *buffer, int flags):
        PyBuffer_FillInfo(buffer, self, self.data, self.size, 1, flags)
"#;
    assert_eq!(findings(cython), [("AL711", 3)]);
}

#[test]
fn lxml_xslt_result_zero_dimensions() {
    // lxml's `_XSLTResultTree.__getbuffer__` (xslt.pxi): ndim 0, len the whole document.
    let cython = r#"
cdef class _XSLTResultTree:
    def __getbuffer__(self, Py_buffer *buffer, int flags):
        cdef int l
        if buffer is NULL:
            return
        if self._buffer is NULL or flags & python.PyBUF_WRITABLE:
            self._saveToStringAndSize(<xmlChar**>&self._buffer, &l)
            self._buffer_len = l
        buffer.buf = self._buffer
        buffer.len = self._buffer_len
        buffer.readonly = 0
        if flags & python.PyBUF_FORMAT:
            buffer.format = "B"
        else:
            buffer.format = NULL
        buffer.ndim = 0
        buffer.shape = NULL
        buffer.strides = NULL
        buffer.suboffsets = NULL
        buffer.itemsize = 1
        buffer.internal = NULL
        if buffer.obj is not self:
            buffer.obj = self
"#;
    assert_eq!(findings(cython), [("AL704", 11)]);
}
