//! Output formats. Every command (check, verify) hands the renderers the same `Message`s.
//!
//! OWNED BY the render work: see ARCHITECTURE.md "Contracts".
//!
//! The formats follow Ruff's (field names, line shapes, summary wording) so that CI
//! integrations written for Ruff work unchanged. One module per format; `render` dispatches.

use std::io::Write;
use std::sync::Arc;

use ruff_source_file::SourceFile;

use crate::diagnostic::{Fix, Severity};
use crate::registry::Rule;
use crate::source::{CellRow, PositionMap};

mod concise;
mod full;
mod github;
mod json;
mod json_lines;
mod location;
mod sarif;
mod statistics;
mod style;
mod summary;

pub use location::Location;
pub use statistics::{write_statistics, write_statistics_with};
pub use summary::{write_fix_summary, write_summary, Summary, Tally};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum OutputFormat {
    #[default]
    Full,
    Concise,
    Json,
    JsonLines,
    Github,
    Sarif,
}

/// Extra facts about a finding on a live object (verify mode).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LiveInfo {
    /// `module:attr[key]`
    pub object: String,
    /// `__array_interface__`, ...
    pub protocol: String,
    /// Path inside the descriptor, e.g. `data[1]` (empty: the whole value).
    pub path: String,
}

/// One finding, ready to render.
#[derive(Debug, Clone)]
pub struct Message {
    pub rule: Rule,
    pub message: String,
    pub severity: Severity,
    /// The file as the user named it (check), or the target (verify).
    pub filename: String,
    /// The file's text and line index, for positions and snippets (None for live findings).
    pub source: Option<Arc<SourceFile>>,
    pub range: ruff_text_size::TextRange,
    pub fix: Option<Fix>,
    /// The line on which a `# noqa` for this finding goes.
    pub noqa_offset: ruff_text_size::TextSize,
    pub live: Option<LiveInfo>,
    /// For a notebook: where the lines of `source` (its Python) are in its cells. Rows
    /// are then counted in the cell, as Ruff does.
    pub cells: Option<Arc<PositionMap>>,
}

impl Message {
    /// Where the finding starts; None for live findings (no source). In a notebook, the
    /// row is counted in the cell (`cell()` says which).
    pub fn start_location(&self) -> Option<Location> {
        self.location(self.range.start())
    }

    /// Where the finding ends (exclusive); None for live findings.
    pub fn end_location(&self) -> Option<Location> {
        self.location(self.range.end())
    }

    /// The row on which a `# noqa` comment for this finding goes; None for live findings.
    pub fn noqa_row(&self) -> Option<usize> {
        Some(self.location(self.noqa_offset)?.row)
    }

    /// The location of an offset of `source`, its row counted in its cell in a notebook.
    pub fn location(&self, offset: ruff_text_size::TextSize) -> Option<Location> {
        let source = self.source.as_deref()?;
        let location = Location::of(source, offset);
        match self.cell_row(location.row) {
            Some(cell_row) => Some(Location {
                row: cell_row.row,
                ..location
            }),
            None => Some(location),
        }
    }

    /// The notebook cell (1-based, every cell counted) the finding starts in; None outside
    /// notebooks.
    pub fn cell(&self) -> Option<u32> {
        let source = self.source.as_deref()?;
        let row = Location::of(source, self.range.start()).row;
        Some(self.cell_row(row)?.cell)
    }

    /// The line of the file itself (a notebook's JSON line; else the row) where an offset
    /// of `source` is written: what formats that point into the file on disk use.
    pub fn file_line(&self, offset: ruff_text_size::TextSize) -> Option<usize> {
        let source = self.source.as_deref()?;
        let row = Location::of(source, offset).row;
        Some(match self.cell_row(row) {
            Some(cell_row) => cell_row.file_line as usize,
            None => row,
        })
    }

    /// The cell and row in it of a 1-based row of `source`, in a notebook.
    fn cell_row(&self, row: usize) -> Option<CellRow> {
        self.cells.as_deref()?.locate(row.checked_sub(1)?)
    }

    /// Whether the finding has a fix that `--fix` applies under the given `--unsafe-fixes`.
    pub fn has_applicable_fix(&self, unsafe_fixes: bool) -> bool {
        self.fix
            .as_ref()
            .is_some_and(|fix| crate::fix::applies(fix.applicability, unsafe_fixes))
    }

    /// `[protocol path]`, the part of a live finding's line that says where in the object.
    fn live_where(live: &LiveInfo) -> String {
        if live.path.is_empty() {
            format!("[{}]", live.protocol)
        } else {
            format!("[{} {}]", live.protocol, live.path)
        }
    }
}

/// How the text formats (`full`, `concise`) present findings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RenderOptions {
    /// ANSI colours.
    pub color: bool,
    /// Show the `[*]` marker on findings with an applicable fix (Ruff hides it under `--fix`:
    /// see `Summary::show_fix_status`).
    pub show_fix_status: bool,
    /// Whether unsafe fixes count as applicable for the `[*]` marker (`--unsafe-fixes`).
    pub unsafe_fixes: bool,
}

/// Write `messages` in `format`. Messages are expected sorted (by file, then position).
pub fn render(
    format: OutputFormat,
    messages: &[Message],
    options: &RenderOptions,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    match format {
        OutputFormat::Full => full::write(messages, options, out),
        OutputFormat::Concise => concise::write(messages, options, out),
        OutputFormat::Json => json::write(messages, out),
        OutputFormat::JsonLines => json_lines::write(messages, out),
        OutputFormat::Github => github::write(messages, out),
        OutputFormat::Sarif => sarif::write(messages, out),
    }?;
    out.flush()
}
