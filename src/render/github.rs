//! `github`: GitHub Actions workflow commands, one annotation per finding:
//! `::error title=arraylint (AL101),file=PATH,line=R,col=C,endLine=R2,endColumn=C2::PATH:R:C: AL101 message`.

use std::io::{self, Write};

use super::Message;
use crate::diagnostic::Severity;

pub(super) fn write(messages: &[Message], out: &mut dyn Write) -> io::Result<()> {
    for message in messages {
        writeln!(out, "{}", annotation(message))?;
    }
    Ok(())
}

fn annotation(message: &Message) -> String {
    let command = match message.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    };
    let code = message.rule.code();
    let mut properties = vec![format!(
        "title={}",
        escape_property(&format!("arraylint ({code})"))
    )];
    let text = match (
        &message.live,
        message.start_location(),
        message.end_location(),
    ) {
        // A notebook's finding points at the notebook's JSON line that holds its cell's
        // line (what a pull request's diff of the file shows); the text names the cell.
        (None, Some(start), Some(_)) if message.cell().is_some() => {
            let cell = message.cell().unwrap_or_default();
            properties.push(format!("file={}", escape_property(&message.filename)));
            let file_line = |offset| message.file_line(offset).unwrap_or(1);
            properties.push(format!("line={}", file_line(message.range.start())));
            properties.push(format!("endLine={}", file_line(message.range.end())));
            format!(
                "{}:cell {cell}:{}:{}: {code} {}",
                message.filename, start.row, start.column, message.message
            )
        }
        (None, Some(start), Some(end)) => {
            properties.push(format!("file={}", escape_property(&message.filename)));
            properties.push(format!("line={}", start.row));
            properties.push(format!("col={}", start.column));
            properties.push(format!("endLine={}", end.row));
            properties.push(format!("endColumn={}", end.column));
            format!(
                "{}:{}:{}: {code} {}",
                message.filename, start.row, start.column, message.message
            )
        }
        // A live finding is about an object, not a place in a file: no file property.
        (Some(live), _, _) => format!(
            "{}: {code} {} {}",
            live.object,
            Message::live_where(live),
            message.message
        ),
        (None, _, _) => {
            properties.push(format!("file={}", escape_property(&message.filename)));
            format!("{}: {code} {}", message.filename, message.message)
        }
    };
    format!(
        "::{command} {}::{}",
        properties.join(","),
        escape_data(&text)
    )
}

/// GitHub's escaping of a workflow command's message: `%`, CR and LF.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// GitHub's escaping of a workflow command's property value: the message's, plus `:` and `,`,
/// which would otherwise end the value.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_escapes_percent_first_then_line_breaks() {
        assert_eq!(escape_data("100%\r\nok"), "100%25%0D%0Aok");
        // A literal `%0A` in the text must not turn into a line break.
        assert_eq!(escape_data("%0A"), "%250A");
        assert_eq!(escape_data("a: b, c"), "a: b, c");
    }

    #[test]
    fn properties_also_escape_colon_and_comma() {
        assert_eq!(escape_property("C:\\a,b.py"), "C%3A\\a%2Cb.py");
        assert_eq!(escape_property("50%\n"), "50%25%0A");
    }
}
