//! `json`: a pretty-printed array of Ruff's message objects, plus `name`, `severity` and,
//! for live findings, `object`, `protocol` and `path`. `json-lines` writes the same objects.

use std::io::{self, Write};

use serde::Serialize;

use super::location::Location;
use super::Message;
use crate::diagnostic::{Applicability, Severity};

/// One message as JSON. Fields in alphabetical order, as Ruff writes them.
#[derive(Serialize)]
pub(super) struct JsonMessage<'a> {
    /// The notebook cell (1-based, every cell counted) the finding is in, as Ruff gives
    /// it; rows are then counted in that cell.
    cell: Option<usize>,
    code: &'static str,
    end_location: Option<Location>,
    filename: &'a str,
    fix: Option<JsonFix<'a>>,
    location: Option<Location>,
    message: &'a str,
    name: &'static str,
    noqa_row: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    object: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    protocol: Option<&'a str>,
    severity: Severity,
    url: String,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    applicability: Applicability,
    edits: Vec<JsonEdit<'a>>,
    message: &'a str,
}

#[derive(Serialize)]
struct JsonEdit<'a> {
    content: &'a str,
    end_location: Location,
    location: Location,
}

impl<'a> JsonMessage<'a> {
    pub(super) fn new(message: &'a Message) -> Self {
        let source = message.source.as_deref();
        // Edits need the source for their positions; a fix without one cannot be shown.
        let fix = message
            .fix
            .as_ref()
            .zip(source)
            .map(|(fix, source)| JsonFix {
                applicability: fix.applicability,
                edits: fix
                    .edits
                    .iter()
                    .map(|edit| JsonEdit {
                        content: &edit.content,
                        end_location: message
                            .location(edit.range.end())
                            .unwrap_or_else(|| Location::of(source, edit.range.end())),
                        location: message
                            .location(edit.range.start())
                            .unwrap_or_else(|| Location::of(source, edit.range.start())),
                    })
                    .collect(),
                message: &fix.message,
            });
        let live = message.live.as_ref();
        JsonMessage {
            cell: message.cell().map(|cell| cell as usize),
            code: message.rule.code(),
            end_location: message.end_location(),
            filename: &message.filename,
            fix,
            location: message.start_location(),
            message: &message.message,
            name: message.rule.name(),
            noqa_row: message.noqa_row(),
            object: live.map(|live| live.object.as_str()),
            path: live.map(|live| live.path.as_str()),
            protocol: live.map(|live| live.protocol.as_str()),
            severity: message.severity,
            url: message.rule.url(),
        }
    }
}

pub(super) fn write(messages: &[Message], out: &mut dyn Write) -> io::Result<()> {
    let values: Vec<JsonMessage> = messages.iter().map(JsonMessage::new).collect();
    serde_json::to_writer_pretty(&mut *out, &values)?;
    writeln!(out)
}
