//! Cython (`.pyx`, `.pxi`, `.pxd`) as the Python the linter reads.
//!
//! No Cython parser is published for Rust, so a Cython text is *projected* onto Python: a
//! rewrite that keeps every byte offset and every line (each replacement has the length of
//! what it replaces, newlines are never touched, non-ASCII bytes are never touched). Findings
//! on the projection are therefore findings on the Cython text, at the same positions, and
//! `# noqa` comments stay where they were.
//!
//! What the projection drops (C types, pointer stars, casts, `&`) the rules about buffer
//! exporters still need, so it is kept in a side table, `CDecls`.

use ruff_text_size::{TextRange, TextSize};

mod project;
mod scan;
#[cfg(test)]
mod tests;

/// A Cython text projected onto Python, with the C facts the projection blanked.
#[derive(Debug, Clone, Default)]
pub struct Projection {
    /// Python with the same length and the same line breaks as the Cython text.
    pub python: String,
    pub decls: CDecls,
}

/// The C side of a Cython file, by offset in its text (which is also the offset in the
/// projection).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CDecls {
    /// Every C-typed name: `cdef` declarations (locals, module globals, `cdef class`
    /// fields, `cdef:` blocks) and typed parameters of `def`/`cdef`/`cpdef` functions, in
    /// text order.
    pub declarations: Vec<CDeclaration>,
    /// Offsets of the unary `&` (address-of) operators that were blanked, in text order.
    pub address_of: Vec<TextSize>,
    /// Casts (`<char*>`, `<object>`, `<Py_ssize_t*>`) that were blanked: the range of the
    /// whole `<...>` and the type written inside, in text order.
    pub casts: Vec<Cast>,
    /// The range of the name of each `cdef class` (extension type), in text order.
    pub cdef_classes: Vec<TextRange>,
    /// The range of the name of each legacy `property NAME:` block (projected to a class
    /// whose `__get__`/`__set__`/`__del__` are its accessors), in text order.
    pub legacy_properties: Vec<TextRange>,
}

/// One C-typed name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CDeclaration {
    /// The declared name (`shape` in `cdef Py_ssize_t shape[2]`).
    pub name: String,
    /// Where the name is written in the Cython text.
    pub name_range: TextRange,
    /// The whole declaration statement or parameter: used to tell which function or class
    /// body it belongs to.
    pub range: TextRange,
    pub ctype: CType,
    /// A parameter of a function (rather than a declared variable or field).
    pub parameter: bool,
}

/// A C type as far as the buffer rules need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CType {
    /// The base type as written, without pointer stars or array brackets (`Py_ssize_t`,
    /// `char`, `Py_buffer`, `object`, `np.ndarray`, `double[:, ::1]` stays `double`).
    pub base: String,
    /// Number of `*`.
    pub pointers: u8,
    /// A C array (`x[4]`), whose storage is the variable itself.
    pub array: bool,
    /// A typed memoryview (`double[:]`, `char[::1]`).
    pub memoryview: bool,
}

/// A blanked cast.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cast {
    /// `<...>` including the angle brackets.
    pub range: TextRange,
    /// The type between the brackets, trimmed (`char*`, `object`).
    pub ctype: String,
}

impl CDecls {
    /// The declarations whose statement lies inside `range` (a function's or a class's
    /// range), in text order.
    pub fn within(&self, range: TextRange) -> impl Iterator<Item = &CDeclaration> {
        let start = self
            .declarations
            .partition_point(|d| d.range.start() < range.start());
        self.declarations[start..]
            .iter()
            .take_while(move |d| d.range.start() < range.end())
            .filter(move |d| range.contains_range(d.range))
    }

    /// Whether `&` (address-of) was blanked right before `offset` in the projection `python`,
    /// with only blanks between: the expression starting at `offset` is `&expr`.
    pub fn address_of_before(&self, python: &str, offset: TextSize) -> bool {
        let i = self.address_of.partition_point(|a| *a < offset);
        i.checked_sub(1)
            .is_some_and(|i| blank_between(python, self.address_of[i], offset))
    }

    /// The cast blanked right before `offset` in the projection `python` (only blanks
    /// between): the expression starting at `offset` is `<T>expr`.
    pub fn cast_before(&self, python: &str, offset: TextSize) -> Option<&Cast> {
        let i = self.casts.partition_point(|c| c.range.end() <= offset);
        let cast = &self.casts[i.checked_sub(1)?];
        blank_between(python, cast.range.end(), offset).then_some(cast)
    }

    /// Whether the class whose name is at `name` is a `cdef class`.
    pub fn is_cdef_class(&self, name: TextRange) -> bool {
        self.cdef_classes
            .binary_search_by_key(&name.start(), |r| r.start())
            .is_ok()
    }

    /// Whether the class whose name is at `name` is a legacy `property NAME:` block.
    pub fn is_legacy_property(&self, name: TextRange) -> bool {
        self.legacy_properties
            .binary_search_by_key(&name.start(), |r| r.start())
            .is_ok()
    }
}

/// Whether `python[from..to]` is only spaces and tabs.
fn blank_between(python: &str, from: TextSize, to: TextSize) -> bool {
    python
        .as_bytes()
        .get(from.to_usize()..to.to_usize())
        .is_some_and(|between| between.iter().all(|b| *b == b' ' || *b == b'\t'))
}

/// Project a Cython text onto Python (see the module's documentation).
pub fn project(text: &str) -> Projection {
    let (python, decls) = project::project(text);
    debug_assert!(preserves_layout(text, &python));
    Projection { python, decls }
}

/// The projection's contract: the same length, every line break and every non-ASCII byte
/// where it was, and only ASCII written.
pub fn preserves_layout(text: &str, python: &str) -> bool {
    text.len() == python.len()
        && text.bytes().zip(python.bytes()).all(|(a, b)| {
            if a == b'\n' || a == b'\r' || a >= 0x80 {
                a == b
            } else {
                b < 0x80 && b != b'\n' && b != b'\r'
            }
        })
}
