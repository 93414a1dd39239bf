//! The open documents: their text as the client has it, their version, and a generation
//! number that changes with every edit so that work on older text can be recognised.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use lsp_types::{TextDocumentContentChangeEvent, Url};
use ruff_source_file::LineIndex;

use super::position::{Encoding, IndexedText};
use crate::source::SourceKind;

#[derive(Debug, Clone)]
pub struct Document {
    pub text: Arc<str>,
    pub lines: Arc<LineIndex>,
    pub version: i32,
    pub language_id: String,
    /// Bumped on every open, change and close; never reused for a URI.
    pub generation: u64,
}

impl Document {
    pub fn indexed(&self) -> IndexedText<'_> {
        IndexedText::new(&self.text, &self.lines)
    }

    /// Whether arraylint checks this document: Python or Cython, by language or by file
    /// name.
    pub fn is_checked(&self, uri: &Url) -> bool {
        self.source_language().is_some() || checked_path(uri.path())
    }

    /// The language of the document by its `languageId`: `python`, or `cython` (also
    /// `pyrex`, the name some editors give `.pyx` files).
    pub fn source_language(&self) -> Option<SourceKind> {
        match self.language_id.as_str() {
            "python" => Some(SourceKind::Python),
            "cython" | "pyrex" => Some(SourceKind::Cython),
            _ => None,
        }
    }
}

/// Whether a file name is of a kind the server checks as text (Python, a stub, Cython; a
/// notebook is synced as a notebook document instead).
pub fn checked_path(path: &str) -> bool {
    [".py", ".pyi", ".pyw", ".pyx", ".pxd", ".pxi"]
        .iter()
        .any(|extension| path.ends_with(extension))
}

/// The file-system path of a document, when it has one (`file:` URIs).
pub fn file_path(uri: &Url) -> Option<PathBuf> {
    if uri.scheme() == "file" {
        uri.to_file_path().ok()
    } else {
        None
    }
}

#[derive(Debug, Default)]
pub struct DocumentStore {
    documents: HashMap<Url, Document>,
    next_generation: u64,
}

impl DocumentStore {
    /// A generation no document has had: also for a notebook's joined text.
    pub fn bump(&mut self) -> u64 {
        self.next_generation += 1;
        self.next_generation
    }

    pub fn get(&self, uri: &Url) -> Option<&Document> {
        self.documents.get(uri)
    }

    pub fn uris(&self) -> impl Iterator<Item = &Url> {
        self.documents.keys()
    }

    pub fn open(&mut self, uri: Url, text: String, version: i32, language_id: String) -> &Document {
        let generation = self.bump();
        let lines = Arc::new(LineIndex::from_source_text(&text));
        let document = Document {
            text: text.into(),
            lines,
            version,
            language_id,
            generation,
        };
        self.documents.insert(uri.clone(), document);
        &self.documents[&uri]
    }

    /// Applies the client's changes in order (each range refers to the text left by the
    /// previous one). Returns `None` for a document that is not open.
    pub fn change(
        &mut self,
        uri: &Url,
        version: i32,
        changes: Vec<TextDocumentContentChangeEvent>,
        encoding: Encoding,
    ) -> Option<&Document> {
        let generation = self.bump();
        let document = self.documents.get_mut(uri)?;
        let mut text = document.text.to_string();
        let mut lines = (*document.lines).clone();
        for change in changes {
            match change.range {
                None => text = change.text,
                Some(range) => {
                    let range = IndexedText::new(&text, &lines).text_range(range, encoding);
                    text.replace_range(
                        range.start().to_usize()..range.end().to_usize(),
                        &change.text,
                    );
                }
            }
            lines = LineIndex::from_source_text(&text);
        }
        document.text = text.into();
        document.lines = Arc::new(lines);
        document.version = version;
        document.generation = generation;
        Some(document)
    }

    /// A new generation for unchanged text (its settings changed), so that work started
    /// before is recognised as stale.
    pub fn touch(&mut self, uri: &Url) {
        let generation = self.bump();
        if let Some(document) = self.documents.get_mut(uri) {
            document.generation = generation;
        }
    }

    pub fn close(&mut self, uri: &Url) -> Option<Document> {
        self.documents.remove(uri)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lsp_types::{Position, Range};

    fn uri() -> Url {
        Url::parse("file:///tmp/x.py").unwrap()
    }

    fn edit(start: (u32, u32), end: (u32, u32), text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: Some(Range {
                start: Position {
                    line: start.0,
                    character: start.1,
                },
                end: Position {
                    line: end.0,
                    character: end.1,
                },
            }),
            range_length: None,
            text: text.to_owned(),
        }
    }

    #[test]
    fn incremental_changes_apply_in_order() {
        let mut store = DocumentStore::default();
        let first = store
            .open(uri(), "é = 1\nb = 2\n".into(), 1, "python".into())
            .generation;
        // Replace "1" (UTF-16 column 4) and then, on the text that leaves, line 1 "b".
        let changes = vec![edit((0, 4), (0, 5), "🧮"), edit((1, 0), (1, 1), "c")];
        let document = store.change(&uri(), 2, changes, Encoding::Utf16).unwrap();
        assert_eq!(&*document.text, "é = 🧮\nc = 2\n");
        assert_eq!(document.version, 2);
        assert!(document.generation > first);
        // An insertion after the emoji, counted in UTF-8 bytes: 'é'=2, " = "=3, '🧮'=4.
        let document = store
            .change(&uri(), 3, vec![edit((0, 9), (0, 9), "!")], Encoding::Utf8)
            .unwrap();
        assert_eq!(&*document.text, "é = 🧮!\nc = 2\n");
    }

    #[test]
    fn full_text_change_replaces_everything() {
        let mut store = DocumentStore::default();
        store.open(uri(), "old".into(), 1, "python".into());
        let change = TextDocumentContentChangeEvent {
            range: None,
            range_length: None,
            text: "new\n".into(),
        };
        let document = store
            .change(&uri(), 2, vec![change], Encoding::Utf16)
            .unwrap();
        assert_eq!(&*document.text, "new\n");
        assert_eq!(document.lines.line_count(), 2);
    }

    #[test]
    fn out_of_range_edits_clamp_and_unknown_documents_are_ignored() {
        let mut store = DocumentStore::default();
        store.open(uri(), "ab".into(), 1, "python".into());
        let document = store
            .change(&uri(), 2, vec![edit((5, 0), (9, 9), "c")], Encoding::Utf16)
            .unwrap();
        assert_eq!(&*document.text, "abc");
        let other = Url::parse("file:///tmp/other.py").unwrap();
        assert!(store.change(&other, 1, vec![], Encoding::Utf16).is_none());
        assert!(store.close(&uri()).is_some());
        assert!(store.get(&uri()).is_none());
    }
}
