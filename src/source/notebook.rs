//! Jupyter notebooks (nbformat 4): the Python of their code cells, where each line of it
//! came from, and the way back for fixes.
//!
//! The Python text is the code cells' sources, each followed by a newline (Ruff's layout:
//! a cell's last line never runs into the next cell), with IPython escapes blanked
//! (`magics`). Lines map one to one, columns are unchanged, so a position in the text is a
//! cell, a row in it and the same column. A fix edits the text; the edited cells' `source`
//! values are written back into the JSON and every other byte stays as it was.

use std::ops::Range;

use serde::Deserialize;
use serde_json::value::RawValue;

use super::magics;
use crate::fix::Tracked;

/// Why a file is not a notebook arraylint can read, in words for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotebookError(pub String);

impl std::fmt::Display for NotebookError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A notebook as read: its JSON text and its Python code cells.
#[derive(Debug)]
pub struct Notebook<'a> {
    json: &'a str,
    cells: Vec<CodeCell<'a>>,
}

/// One code cell whose language is Python.
#[derive(Debug)]
struct CodeCell<'a> {
    /// 1-based, counting every cell of the notebook (markdown and raw too), as Ruff and
    /// Jupyter number them.
    number: u32,
    /// Where its `source` value is in the JSON text.
    span: Range<usize>,
    /// `source` as a list of strings (nbformat's own form), with the elements as written.
    lines: Option<Vec<&'a RawValue>>,
    text: String,
}

#[derive(Deserialize)]
struct RawNotebook<'a> {
    #[serde(borrow)]
    cells: Vec<RawCell<'a>>,
    nbformat: u64,
}

#[derive(Deserialize)]
struct RawCell<'a> {
    cell_type: String,
    #[serde(borrow)]
    source: &'a RawValue,
    #[serde(default)]
    metadata: CellMetadata,
}

#[derive(Deserialize, Default)]
struct CellMetadata {
    /// VS Code marks a cell of another language (`%%sql` notebooks) here.
    vscode: Option<VsCodeMetadata>,
}

#[derive(Deserialize)]
struct VsCodeMetadata {
    /// Absent in some cells (`"vscode": {}`): then the cell is Python.
    #[serde(rename = "languageId")]
    language_id: Option<String>,
}

impl<'a> Notebook<'a> {
    /// Read a notebook's JSON text. Not JSON, not nbformat 4, or cells of the wrong shape:
    /// an error that says which.
    pub fn parse(json: &'a str) -> Result<Notebook<'a>, NotebookError> {
        // Only the version first: a notebook of another format is said to be one, not
        // reported as a malformed nbformat 4 notebook.
        #[derive(Deserialize)]
        struct Version {
            nbformat: Option<serde_json::Value>,
        }
        let not_an_object = || {
            NotebookError(
                "the file is not a JSON object; a Jupyter notebook is one (nbformat 4)".to_string(),
            )
        };
        // serde reads a struct from a JSON list too: `[4]` is not a notebook.
        // A byte-order mark is not JSON, but editors write one; it stays in the file.
        let body = json.strip_prefix('\u{feff}').unwrap_or(json);
        if !body.trim_start().starts_with('{')
            && serde_json::from_str::<serde::de::IgnoredAny>(body).is_ok()
        {
            return Err(not_an_object());
        }
        let version: Version = serde_json::from_str(body).map_err(|err| {
            if err.is_data() {
                not_an_object()
            } else {
                NotebookError(format!("the file is not valid JSON: {err}"))
            }
        })?;
        match version.nbformat.as_ref().and_then(serde_json::Value::as_u64) {
            Some(4) => {}
            Some(other) => {
                return Err(NotebookError(format!(
                    "the notebook is nbformat {other}; arraylint reads nbformat 4 (convert it with `jupyter nbconvert --to notebook --nbformat 4`)"
                )))
            }
            None => {
                return Err(NotebookError(
                    "the file has no `nbformat` version; arraylint reads Jupyter notebooks in nbformat 4"
                        .to_string(),
                ))
            }
        }
        let raw: RawNotebook<'a> = serde_json::from_str(body).map_err(|err| {
            NotebookError(format!("the notebook does not follow nbformat 4: {err}"))
        })?;
        debug_assert_eq!(raw.nbformat, 4);
        let mut cells = Vec::new();
        for (index, cell) in raw.cells.into_iter().enumerate() {
            let python = cell.cell_type == "code"
                && cell.metadata.vscode.as_ref().is_none_or(|vscode| {
                    vscode
                        .language_id
                        .as_deref()
                        .is_none_or(|id| id == "python")
                });
            if !python {
                continue;
            }
            let number = u32::try_from(index + 1).unwrap_or(u32::MAX);
            let (text, lines) = read_source(cell.source).map_err(|err| {
                NotebookError(format!(
                    "cell {number}'s `source` is not a string or a list of strings: {err}"
                ))
            })?;
            if !magics::is_python_cell(&text) {
                continue;
            }
            cells.push(CodeCell {
                number,
                span: span_of(json, cell.source.get()),
                lines,
                text,
            });
        }
        Ok(Notebook { json, cells })
    }

    /// The Python the linter reads, and where each of its lines came from.
    pub fn python(&self) -> PythonText {
        let capacity = self.cells.iter().map(|c| c.text.len() + 1).sum();
        let mut text = String::with_capacity(capacity);
        let mut cells = Vec::with_capacity(self.cells.len());
        let mut rows = 0usize;
        let lines = JsonLines::new(self.json);
        for cell in &self.cells {
            let escapes = magics::escapes(&cell.text);
            let start = text.len();
            if escapes.is_empty() {
                text.push_str(&cell.text);
            } else {
                text.push_str(&magics::blank(&cell.text, &escapes));
            }
            text.push('\n');
            let file_lines = self.file_lines(cell, &lines);
            cells.push(CellText {
                number: cell.number,
                start,
                first_row: rows,
                file_lines,
                escapes,
            });
            rows += memchr::memchr_iter(b'\n', cell.text.as_bytes()).count() + 1;
        }
        PythonText {
            text,
            map: PositionMap { cells },
        }
    }

    /// The notebook's JSON line (1-based) of each line of the cell: the line of the list
    /// element it starts in, or the line of the `source` string.
    fn file_lines(&self, cell: &CodeCell<'_>, lines: &JsonLines) -> Vec<u32> {
        let source_line = lines.line_of(cell.span.start);
        let mut rows = Vec::new();
        let mut at_row_start = true;
        let mut last = source_line;
        match &cell.lines {
            Some(elements) => {
                let element_texts = decoded_lines(elements);
                for (element, text) in elements.iter().zip(&element_texts) {
                    let line = lines.line_of(span_of(self.json, element.get()).start);
                    last = line;
                    for byte in text.bytes() {
                        if at_row_start {
                            rows.push(line);
                            at_row_start = false;
                        }
                        if byte == b'\n' {
                            at_row_start = true;
                        }
                    }
                }
            }
            None => {
                for byte in cell.text.bytes() {
                    if at_row_start {
                        rows.push(source_line);
                        at_row_start = false;
                    }
                    if byte == b'\n' {
                        at_row_start = true;
                    }
                }
            }
        }
        if at_row_start {
            rows.push(last);
        }
        rows
    }

    /// The notebook's JSON with the Python `fixed` written back into the cells whose
    /// text changed. `fixed` is this notebook's `python()` text after edits, and `tracked`
    /// where the edits moved the cells' starts and the blanked escapes (`fix::Tracked`,
    /// made from `PythonText::tracked`). Every byte outside those cells' `source` values is
    /// the original's.
    pub fn write_back(
        &self,
        original: &PythonText,
        fixed: &str,
        tracked: &Tracked,
    ) -> Result<WrittenBack, NotebookError> {
        let broken = || {
            NotebookError(
                "a fix crossed a cell's boundary; the notebook was left unchanged".to_string(),
            )
        };
        let mut out = String::with_capacity(self.json.len() + 64);
        let mut changed = Vec::new();
        let mut copied = 0;
        let mut escapes = tracked.protected.iter();
        for (i, (cell, layout)) in self.cells.iter().zip(&original.map.cells).enumerate() {
            let start = *tracked.anchors.get(i).ok_or_else(broken)?;
            let end = tracked.anchors.get(i + 1).copied().unwrap_or(fixed.len());
            let new = fixed.get(start..end).ok_or_else(broken)?;
            // The newline after each cell is the text's, not the cell's.
            let new = new.strip_suffix('\n').ok_or_else(broken)?;
            let old = &original.text[layout.start..layout.start + cell.text.len()];
            // The escapes of this cell, where the fixes moved them, get their text back.
            let mut restored = String::with_capacity(new.len());
            let mut at = 0;
            for escape in layout.escapes.iter() {
                let now = escapes.next().ok_or_else(broken)?;
                let now = now.start.checked_sub(start).ok_or_else(broken)?
                    ..now.end.checked_sub(start).ok_or_else(broken)?;
                if new.get(now.clone()) != Some(&old[escape.clone()]) || now.start < at {
                    return Err(broken());
                }
                restored.push_str(&new[at..now.start]);
                restored.push_str(&cell.text[escape.clone()]);
                at = now.end;
            }
            if new == old {
                continue;
            }
            restored.push_str(new.get(at..).ok_or_else(broken)?);
            out.push_str(&self.json[copied..cell.span.start]);
            out.push_str(&self.source_value(cell, &restored));
            copied = cell.span.end;
            changed.push(CellChange {
                number: cell.number,
                old: cell.text.clone(),
                new: restored,
            });
        }
        out.push_str(&self.json[copied..]);
        Ok(WrittenBack { json: out, changed })
    }

    /// `source` as the cell wrote it (a string, or a list laid out as the original list),
    /// holding `text`. Elements that did not change keep their bytes.
    fn source_value(&self, cell: &CodeCell<'_>, text: &str) -> String {
        // A file all in ASCII was written with non-ASCII escaped (`\u00e9`, Python's
        // `ensure_ascii`); it stays so. nbformat writes UTF-8 as it is.
        let ascii = self.json.trim_start_matches('\u{feff}').is_ascii();
        let quote = |s: &str| json_string(s, ascii);
        let Some(elements) = &cell.lines else {
            return quote(text);
        };
        let raw = &self.json[cell.span.clone()];
        let new_lines: Vec<&str> = text.split_inclusive('\n').collect();
        if new_lines.is_empty() {
            return "[]".to_string();
        }
        let indent = {
            let line_start = self.json[..cell.span.start]
                .rfind('\n')
                .map_or(0, |i| i + 1);
            let line = &self.json[line_start..cell.span.start];
            line[..line.len() - line.trim_start().len()].to_string()
        };
        let (open, between, close) = match elements.as_slice() {
            [] => (
                format!("\n{indent} "),
                format!(",\n{indent} "),
                format!("\n{indent}"),
            ),
            [first, ..] => {
                let offset = |e: &RawValue| span_of(self.json, e.get()).start - cell.span.start;
                let first_at = offset(first);
                let open = raw[1..first_at].to_string();
                let last = elements[elements.len() - 1];
                let last_end = offset(last) + last.get().len();
                let close = raw[last_end..raw.len() - 1].to_string();
                let between = match elements.get(1) {
                    Some(second) => raw[first_at + first.get().len()..offset(second)].to_string(),
                    None => format!(",{open}"),
                };
                (open, between, close)
            }
        };
        let old_lines = decoded_lines(elements);
        let mut out = String::with_capacity(text.len() + new_lines.len() * (indent.len() + 4));
        out.push('[');
        out.push_str(&open);
        for (i, line) in new_lines.iter().enumerate() {
            if i > 0 {
                out.push_str(&between);
            }
            match (elements.get(i), old_lines.get(i)) {
                (Some(element), Some(old)) if old == line => out.push_str(element.get()),
                _ => out.push_str(&quote(line)),
            }
        }
        out.push_str(&close);
        out.push(']');
        out
    }
}

/// A notebook with fixes written back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenBack {
    /// The whole file.
    pub json: String,
    /// The cells whose source changed, in order.
    pub changed: Vec<CellChange>,
}

/// One cell's source before and after the fixes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellChange {
    pub number: u32,
    pub old: String,
    pub new: String,
}

/// A notebook's Python text and its map.
#[derive(Debug, Clone)]
pub struct PythonText {
    pub text: String,
    pub map: PositionMap,
}

impl PythonText {
    /// What a fix must keep track of: where each cell starts in `text`, and the blanked
    /// IPython escapes, which no fix may touch.
    pub fn tracked(&self) -> Tracked {
        Tracked {
            anchors: self.map.cells.iter().map(|cell| cell.start).collect(),
            protected: self
                .map
                .cells
                .iter()
                .flat_map(|cell| {
                    cell.escapes
                        .iter()
                        .map(move |r| r.start + cell.start..r.end + cell.start)
                })
                .collect(),
        }
    }
}

/// Where the lines of a notebook's Python text came from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PositionMap {
    cells: Vec<CellText>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct CellText {
    number: u32,
    /// Byte offset of the cell in the Python text.
    start: usize,
    /// 0-based row of its first line in the Python text.
    first_row: usize,
    /// The JSON line (1-based) of each of its rows.
    file_lines: Vec<u32>,
    /// The IPython escapes blanked, as offsets in the cell.
    escapes: Vec<Range<usize>>,
}

/// A row of the Python text, as the notebook knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CellRow {
    /// The cell's number (1-based, every cell counted).
    pub cell: u32,
    /// The 1-based row in the cell.
    pub row: usize,
    /// The 1-based line of the notebook file (its JSON) where that row is written.
    pub file_line: u32,
}

impl PositionMap {
    /// The cell and row of a 0-based row of the Python text; `None` for a text with no cell.
    pub fn locate(&self, row: usize) -> Option<CellRow> {
        let index = self
            .cells
            .partition_point(|cell| cell.first_row <= row)
            .checked_sub(1)?;
        let cell = &self.cells[index];
        let in_cell = row - cell.first_row;
        let file_line = cell
            .file_lines
            .get(in_cell)
            .or(cell.file_lines.last())
            .copied()
            .unwrap_or(1);
        Some(CellRow {
            cell: cell.number,
            row: in_cell + 1,
            file_line,
        })
    }

    /// The 0-based rows of the Python text of the cell that holds `row`.
    pub fn cell_rows(&self, row: usize) -> Option<Range<usize>> {
        let index = self
            .cells
            .partition_point(|cell| cell.first_row <= row)
            .checked_sub(1)?;
        let cell = &self.cells[index];
        Some(cell.first_row..cell.first_row + cell.file_lines.len())
    }
}

/// A `source` value: the text, and the list elements when it is a list.
type Source<'a> = (String, Option<Vec<&'a RawValue>>);

fn read_source(raw: &RawValue) -> Result<Source<'_>, serde_json::Error> {
    if raw.get().starts_with('[') {
        let elements: Vec<&RawValue> = serde_json::from_str(raw.get())?;
        let texts = elements
            .iter()
            .map(|e| serde_json::from_str::<String>(e.get()))
            .collect::<Result<Vec<_>, _>>()?;
        Ok((texts.concat(), Some(elements)))
    } else {
        Ok((serde_json::from_str::<String>(raw.get())?, None))
    }
}

/// `text` as a JSON string, as Python's `json` writes it (`ensure_ascii` when `ascii`).
fn json_string(text: &str, ascii: bool) -> String {
    let quoted = serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_string());
    if !ascii || quoted.is_ascii() {
        return quoted;
    }
    let mut out = String::with_capacity(quoted.len() + 16);
    let mut units = [0u16; 2];
    for c in quoted.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out
}

fn decoded_lines(elements: &[&RawValue]) -> Vec<String> {
    elements
        .iter()
        .map(|e| serde_json::from_str::<String>(e.get()).unwrap_or_default())
        .collect()
}

/// Where `part` (a slice of `whole`, as serde_json's borrowed raw values are) lies in it.
fn span_of(whole: &str, part: &str) -> Range<usize> {
    let start = (part.as_ptr() as usize).saturating_sub(whole.as_ptr() as usize);
    start..start + part.len()
}

/// Line starts of the JSON text, for 1-based line numbers of offsets.
struct JsonLines {
    breaks: Vec<usize>,
}

impl JsonLines {
    fn new(json: &str) -> JsonLines {
        JsonLines {
            breaks: memchr::memchr_iter(b'\n', json.as_bytes()).collect(),
        }
    }

    fn line_of(&self, offset: usize) -> u32 {
        u32::try_from(self.breaks.partition_point(|b| *b < offset) + 1).unwrap_or(u32::MAX)
    }
}

#[cfg(test)]
mod tests;
