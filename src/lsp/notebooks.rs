//! LSP 3.17 notebook sync, as `ruff server` does it: the client opens a notebook with its
//! cells as text documents (`notebookDocument/didOpen`), edits cells and the cell list
//! (`didChange`) and closes it (`didClose`). Cell texts live in the `DocumentStore` beside
//! other documents, marked so that a cell is never checked alone; the notebook is checked
//! as one Python text, built as `check` builds it (`source::magics`), and its diagnostics
//! are published per cell. lsp-types 0.95 has no notebook types: the few used are here.

use std::collections::HashMap;
use std::sync::Arc;

use lsp_types::{
    TextDocumentContentChangeEvent, TextDocumentIdentifier, TextDocumentItem, Url,
    VersionedTextDocumentIdentifier,
};
use ruff_source_file::LineIndex;
use serde::Deserialize;

use super::documents::{Document, DocumentStore};
use crate::source::magics;

pub const DID_OPEN: &str = "notebookDocument/didOpen";
pub const DID_CHANGE: &str = "notebookDocument/didChange";
pub const DID_SAVE: &str = "notebookDocument/didSave";
pub const DID_CLOSE: &str = "notebookDocument/didClose";

/// The language a cell document is stored under: a cell is checked only as part of its
/// notebook (alone, its neighbours' names and imports are missing, and its IPython lines
/// are not Python).
pub const CELL_LANGUAGE: &str = "arraylint-notebook-cell";

/// The `notebookDocumentSync` capability: Jupyter notebooks' Python cells.
pub fn sync_capability() -> serde_json::Value {
    serde_json::json!({
        "notebookSelector": [{
            "notebook": { "notebookType": "jupyter-notebook" },
            "cells": [{ "language": "python" }],
        }],
        "save": false,
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DidOpenParams {
    notebook_document: NotebookDocument,
    cell_text_documents: Vec<TextDocumentItem>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NotebookDocument {
    uri: Url,
    version: i32,
    cells: Vec<NotebookCell>,
}

#[derive(Deserialize, Clone)]
struct NotebookCell {
    /// 1: markup, 2: code.
    kind: u8,
    document: Url,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DidChangeParams {
    notebook_document: VersionedNotebook,
    change: NotebookChange,
}

#[derive(Deserialize)]
struct VersionedNotebook {
    uri: Url,
    version: i32,
}

#[derive(Deserialize)]
struct NotebookChange {
    cells: Option<CellsChange>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CellsChange {
    structure: Option<Structure>,
    text_content: Option<Vec<TextContent>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Structure {
    array: CellArrayChange,
    did_open: Option<Vec<TextDocumentItem>>,
    did_close: Option<Vec<TextDocumentIdentifier>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CellArrayChange {
    start: usize,
    delete_count: usize,
    cells: Option<Vec<NotebookCell>>,
}

#[derive(Deserialize)]
struct TextContent {
    document: VersionedTextDocumentIdentifier,
    changes: Vec<TextDocumentContentChangeEvent>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DidCloseParams {
    notebook_document: NotebookIdentifier,
    cell_text_documents: Vec<TextDocumentIdentifier>,
}

#[derive(Deserialize)]
struct NotebookIdentifier {
    uri: Url,
}

impl DidCloseParams {
    pub fn notebook_uri(&self) -> &Url {
        &self.notebook_document.uri
    }
}

/// One open notebook.
struct Notebook {
    version: i32,
    cells: Vec<NotebookCell>,
    /// Each cell document's language, as the client opened it.
    languages: HashMap<Url, String>,
}

/// The open notebooks.
#[derive(Default)]
pub struct Notebooks {
    open: HashMap<Url, Notebook>,
}

/// One cell of a notebook check: where its text is in the notebook's Python text.
#[derive(Debug, Clone)]
pub struct CellSlice {
    pub uri: Url,
    pub document: Document,
    /// Where the cell starts in the notebook's text, and its length (without the newline
    /// that follows it); `None` for a cell that is not read (markdown, `%%bash`, SQL).
    pub span: Option<(usize, usize)>,
}

/// A notebook to check: its Python text as one document, and its cells.
pub struct NotebookCheck {
    pub uri: Url,
    pub document: Document,
    pub cells: Arc<Vec<CellSlice>>,
}

impl Notebooks {
    /// Opens the notebook and its cells; returns its URI.
    pub fn open(&mut self, params: DidOpenParams, documents: &mut DocumentStore) -> Url {
        let notebook = params.notebook_document;
        let mut languages = HashMap::new();
        for cell in params.cell_text_documents {
            languages.insert(cell.uri.clone(), cell.language_id);
            documents.open(cell.uri, cell.text, cell.version, CELL_LANGUAGE.to_owned());
        }
        self.open.insert(
            notebook.uri.clone(),
            Notebook {
                version: notebook.version,
                cells: notebook.cells,
                languages,
            },
        );
        notebook.uri
    }

    /// Applies a change; returns the notebook's URI and the cells closed by it (whose
    /// diagnostics the client must forget), or `None` for a notebook that is not open.
    pub fn change(
        &mut self,
        params: DidChangeParams,
        documents: &mut DocumentStore,
        encoding: super::position::Encoding,
    ) -> Option<(Url, Vec<Url>)> {
        let uri = params.notebook_document.uri;
        let notebook = self.open.get_mut(&uri)?;
        notebook.version = params.notebook_document.version;
        let mut closed = Vec::new();
        if let Some(cells) = params.change.cells {
            if let Some(structure) = cells.structure {
                let array = structure.array;
                let start = array.start.min(notebook.cells.len());
                let end = start
                    .saturating_add(array.delete_count)
                    .min(notebook.cells.len());
                notebook
                    .cells
                    .splice(start..end, array.cells.unwrap_or_default());
                for cell in structure.did_open.unwrap_or_default() {
                    notebook
                        .languages
                        .insert(cell.uri.clone(), cell.language_id);
                    documents.open(cell.uri, cell.text, cell.version, CELL_LANGUAGE.to_owned());
                }
                for cell in structure.did_close.unwrap_or_default() {
                    notebook.languages.remove(&cell.uri);
                    documents.close(&cell.uri);
                    closed.push(cell.uri);
                }
            }
            for content in cells.text_content.unwrap_or_default() {
                let document = content.document;
                documents.change(&document.uri, document.version, content.changes, encoding);
            }
        }
        Some((uri, closed))
    }

    /// Closes the notebook and its cells; returns the URIs whose diagnostics to clear.
    pub fn close(&mut self, params: DidCloseParams, documents: &mut DocumentStore) -> Vec<Url> {
        self.open.remove(&params.notebook_document.uri);
        params
            .cell_text_documents
            .into_iter()
            .map(|cell| {
                documents.close(&cell.uri);
                cell.uri
            })
            .collect()
    }

    /// The check of a notebook's current text: its Python code cells joined as `check`
    /// joins a notebook file's, IPython escapes blanked.
    pub fn check_of(
        &self,
        uri: &Url,
        documents: &DocumentStore,
        generation: u64,
    ) -> Option<NotebookCheck> {
        let notebook = self.open.get(uri)?;
        let mut text = String::new();
        let mut cells = Vec::with_capacity(notebook.cells.len());
        for cell in &notebook.cells {
            let Some(document) = documents.get(&cell.document) else {
                continue;
            };
            let python = cell.kind == 2
                && notebook
                    .languages
                    .get(&cell.document)
                    .is_none_or(|language| language == "python")
                && magics::is_python_cell(&document.text);
            let span = python.then(|| {
                let start = text.len();
                let escapes = magics::escapes(&document.text);
                if escapes.is_empty() {
                    text.push_str(&document.text);
                } else {
                    text.push_str(&magics::blank(&document.text, &escapes));
                }
                text.push('\n');
                (start, document.text.len())
            });
            cells.push(CellSlice {
                uri: cell.document.clone(),
                document: document.clone(),
                span,
            });
        }
        let lines = Arc::new(LineIndex::from_source_text(&text));
        Some(NotebookCheck {
            uri: uri.clone(),
            document: Document {
                text: text.into(),
                lines,
                version: notebook.version,
                language_id: "python".to_owned(),
                generation,
            },
            cells: Arc::new(cells),
        })
    }
}
