//! `concise`: one line per finding, `path:row:col: CODE [*] message` (Ruff's concise). A
//! finding that is not an error says so before its message (`warning: `, `info: `): Ruff
//! has one level, arraylint three, and the summary counts them apart.

use std::io::{self, Write};

use super::style::{paint, BOLD, BOLD_CYAN, BOLD_RED, BOLD_YELLOW, CYAN};
use super::{Message, RenderOptions};
use crate::diagnostic::Severity;

pub(super) fn write(
    messages: &[Message],
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    for message in messages {
        writeln!(out, "{}", header(message, options))?;
    }
    Ok(())
}

/// The one-line form of a finding; `full` prints it above the snippet.
///
/// Static: `path:row:col: CODE [*] message`. Live: `object: CODE [protocol path] message`.
/// The message of a warning or info starts with `warning: ` or `info: `.
pub(super) fn header(message: &Message, options: &RenderOptions) -> String {
    let color = options.color;
    let colon = paint(":", CYAN, color);
    let mut line = String::new();
    match (&message.live, message.start_location()) {
        (Some(live), _) => {
            line.push_str(&paint(&live.object, BOLD, color));
            line.push_str(&colon);
        }
        (None, Some(location)) => {
            line.push_str(&paint(&message.filename, BOLD, color));
            line.push_str(&colon);
            // A notebook's finding names its cell, as Ruff does: `nb.ipynb:cell 3:2:5`.
            if let Some(cell) = message.cell() {
                line.push_str("cell ");
                line.push_str(&cell.to_string());
                line.push_str(&colon);
            }
            line.push_str(&location.row.to_string());
            line.push_str(&colon);
            line.push_str(&location.column.to_string());
            line.push_str(&colon);
        }
        // Neither a source nor live facts: a file-level finding without text (e.g. io-error).
        (None, None) => {
            line.push_str(&paint(&message.filename, BOLD, color));
            line.push_str(&colon);
        }
    }
    line.push(' ');
    line.push_str(&paint(message.rule.code(), BOLD_RED, color));
    line.push(' ');
    if options.show_fix_status && message.has_applicable_fix(options.unsafe_fixes) {
        line.push('[');
        line.push_str(&paint("*", CYAN, color));
        line.push_str("] ");
    }
    if let Some(live) = &message.live {
        line.push_str(&Message::live_where(live));
        line.push(' ');
    }
    let severity = match message.severity {
        Severity::Error => None,
        Severity::Warning => Some(BOLD_YELLOW),
        Severity::Info => Some(BOLD_CYAN),
    };
    if let Some(style) = severity {
        line.push_str(&paint(message.severity.as_str(), style, color));
        line.push_str(": ");
    }
    line.push_str(&message.message);
    line
}
