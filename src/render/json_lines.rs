//! `json-lines`: one compact JSON object per finding per line, the objects of `json`.

use std::io::{self, Write};

use super::json::JsonMessage;
use super::Message;

pub(super) fn write(messages: &[Message], out: &mut dyn Write) -> io::Result<()> {
    for message in messages {
        serde_json::to_writer(&mut *out, &JsonMessage::new(message))?;
        writeln!(out)?;
    }
    Ok(())
}
