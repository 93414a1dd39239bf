//! Output formats. Every command (check, verify) hands the renderers the same `Message`s.
//!
//! OWNED BY the render work: see ARCHITECTURE.md "Contracts".

use std::sync::Arc;

use ruff_source_file::SourceFile;

use crate::diagnostic::{Fix, Severity};
use crate::registry::Rule;

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
}

// PROVISIONAL: the render branch replaces what follows (same API).

#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions {
    pub color: bool,
    pub show_fix_status: bool,
    pub unsafe_fixes: bool,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Summary {
    pub remaining: usize,
    pub fixed: usize,
    pub fixable: usize,
    pub hidden_unsafe: usize,
    pub fix_mode: bool,
}

pub fn render(
    _format: OutputFormat,
    messages: &[Message],
    _options: &RenderOptions,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    for m in messages {
        let (row, col) = match &m.source {
            Some(source) => {
                let lc = source.to_source_code().line_column(m.range.start());
                (lc.line.get(), lc.column.get())
            }
            None => (0, 0),
        };
        writeln!(
            out,
            "{}:{}:{}: {} {}",
            m.filename,
            row,
            col,
            m.rule.code(),
            m.message
        )?;
    }
    Ok(())
}

pub fn write_summary(summary: &Summary, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    if summary.remaining == 0 && summary.fixed == 0 {
        writeln!(out, "All checks passed!")
    } else {
        writeln!(out, "Found {} errors.", summary.remaining + summary.fixed)
    }
}

pub fn write_statistics(
    messages: &[Message],
    _format: OutputFormat,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    writeln!(out, "{}", messages.len())
}
