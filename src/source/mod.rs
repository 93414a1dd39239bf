//! The one front door for kinds of source file: a file's text becomes the Python the
//! linter reads, plus a map back to where each line came from. The rules never learn where
//! their text came from.
//!
//! A `.py` or `.pyi` file is its own Python (no copy, no map). A notebook's Python is its
//! code cells' sources with IPython escapes blanked (`notebook`, `magics`), and its
//! `PositionMap` names a cell and a row in it for each line. A Cython file's Python is its
//! projection (`cython`): the same length and lines, so no map is needed, plus a side table
//! of the C declarations the projection blanked, for the buffer-exporter rules.

use std::path::Path;

use ruff_python_ast::PySourceType;

pub mod cython;
pub mod magics;
pub mod notebook;

pub use notebook::{
    CellChange, CellRow, Notebook, NotebookError, PositionMap, PythonText, WrittenBack,
};

/// How a file's bytes become the Python the linter reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    /// Python itself (`.py`, `.pyw`, and any file named without a known extension).
    Python,
    /// A stub (`.pyi`): Python, parsed as a stub.
    Stub,
    /// A Jupyter notebook (`.ipynb`, nbformat 4).
    Notebook,
    /// Cython (`.pyx`, `.pxi`, `.pxd`): projected onto Python of the same length.
    Cython,
}

impl SourceKind {
    /// The kind of a file, by its extension.
    pub fn of(path: &Path) -> SourceKind {
        match path.extension().and_then(|e| e.to_str()) {
            Some("pyi") => SourceKind::Stub,
            Some("ipynb") => SourceKind::Notebook,
            Some("pyx" | "pxi" | "pxd") => SourceKind::Cython,
            _ => SourceKind::Python,
        }
    }

    /// How the parser reads the Python this kind gives.
    pub fn py_source_type(self) -> PySourceType {
        match self {
            SourceKind::Stub => PySourceType::Stub,
            // A notebook's escapes are blanked and Cython is projected before parsing: what
            // is left is Python.
            SourceKind::Python | SourceKind::Notebook | SourceKind::Cython => PySourceType::Python,
        }
    }
}

/// A notebook's JSON as the Python the linter reads (or why it cannot be read).
pub fn notebook_python(json: &str) -> Result<(Notebook<'_>, PythonText), NotebookError> {
    let notebook = Notebook::parse(json)?;
    let python = notebook.python();
    Ok((notebook, python))
}

/// The Python the parser reads for a text of this kind that keeps its offsets: a Cython
/// text's projection, any other text itself. (A notebook's JSON is not such a text: it
/// goes through `notebook_python`.)
pub fn parseable(text: &str, kind: SourceKind) -> std::borrow::Cow<'_, str> {
    match kind {
        SourceKind::Cython => std::borrow::Cow::Owned(cython::project(text).python),
        _ => std::borrow::Cow::Borrowed(text),
    }
}
