//! `sarif`: SARIF 2.1.0 for code-scanning services. The driver lists every rule (so that a
//! service can show a rule's page even for a finding it has not seen before); results point
//! at a region of a file, or, for live findings, at the object by name. Files are absolute
//! `file:` URIs, as Ruff writes them: code scanning maps them into the checkout whichever
//! directory the linter ran in.

use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};

use serde_json::{json, Value};

use super::Message;
use crate::diagnostic::Severity;
use crate::registry::Rule;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const INFORMATION_URI: &str = "https://github.com/arraylint/arraylint";

pub(super) fn write(messages: &[Message], out: &mut dyn Write) -> io::Result<()> {
    let rules: Vec<Value> = Rule::ALL.iter().map(|rule| sarif_rule(*rule)).collect();
    let results: Vec<Value> = messages.iter().map(sarif_result).collect();
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "arraylint",
                    "informationUri": INFORMATION_URI,
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }
            },
            "results": results,
        }],
    });
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

/// SARIF's level for a severity (SARIF has no "info"; "note" is its lowest).
fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn sarif_rule(rule: Rule) -> Value {
    json!({
        "id": rule.code(),
        "name": rule.name(),
        "shortDescription": { "text": rule.summary() },
        "fullDescription": { "text": rule.page(), "markdown": rule.page() },
        "help": { "text": rule.summary() },
        "helpUri": rule.url(),
        "defaultConfiguration": { "level": level(rule.severity()) },
    })
}

fn sarif_result(message: &Message) -> Value {
    let location = match (
        &message.live,
        message.start_location(),
        message.end_location(),
    ) {
        (Some(live), _, _) => json!({
            "logicalLocations": [{
                "fullyQualifiedName": live.object,
                "kind": "object",
            }],
            "properties": { "protocol": live.protocol, "path": live.path },
        }),
        // In a notebook: the lines of the notebook's JSON that hold the cell's lines (no
        // columns: the JSON line is indented and escaped), and the cell's own position.
        (None, Some(start), Some(end)) if message.cell().is_some() => json!({
            "physicalLocation": {
                "artifactLocation": { "uri": artifact_uri(&message.filename) },
                "region": {
                    "startLine": message.file_line(message.range.start()),
                    "endLine": message.file_line(message.range.end()),
                },
            },
            "properties": {
                "cell": message.cell(),
                "cellRow": start.row,
                "cellColumn": start.column,
                "cellEndRow": end.row,
                "cellEndColumn": end.column,
            },
        }),
        (None, Some(start), Some(end)) => json!({
            "physicalLocation": {
                "artifactLocation": { "uri": artifact_uri(&message.filename) },
                "region": {
                    "startLine": start.row,
                    "startColumn": start.column,
                    "endLine": end.row,
                    "endColumn": end.column,
                },
            },
        }),
        // A file-level finding without text: the file, no region.
        (None, _, _) => json!({
            "physicalLocation": {
                "artifactLocation": { "uri": artifact_uri(&message.filename) },
            },
        }),
    };
    json!({
        "ruleId": message.rule.code(),
        "ruleIndex": Rule::ALL.iter().position(|rule| *rule == message.rule),
        "level": level(message.severity),
        "message": { "text": message.message },
        "locations": [location],
    })
}

/// The `file:` URI of `path`, made absolute against the working directory (or left a
/// relative reference when there is none).
fn artifact_uri(path: &str) -> String {
    if is_absolute(path) {
        return file_uri(path);
    }
    match std::env::current_dir() {
        Ok(cwd) => file_uri(&absolute(&cwd, path).to_string_lossy()),
        Err(_) => file_uri(path),
    }
}

fn is_absolute(path: &str) -> bool {
    let bytes = path.as_bytes();
    let windows_drive = bytes.len() >= 3
        && bytes[0].is_ascii_alphabetic()
        && bytes[1] == b':'
        && matches!(bytes[2], b'/' | b'\\');
    Path::new(path).is_absolute() || windows_drive
}

/// `cwd` joined with `path`, `.` and `..` resolved by the text alone (the file need not
/// exist, and links are the user's business).
fn absolute(cwd: &Path, path: &str) -> PathBuf {
    let mut absolute = cwd.to_path_buf();
    for component in Path::new(path).components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                absolute.pop();
            }
            other => absolute.push(other),
        }
    }
    absolute
}

/// A path as a URI reference: absolute paths become `file:` URIs, relative ones stay
/// relative. Backslashes become `/`; bytes that may not appear in a URI path are
/// percent-encoded.
fn file_uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let bytes = path.as_bytes();
    let is_windows_absolute =
        bytes.len() >= 3 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' && bytes[2] == b'/';
    let mut uri = String::new();
    if path.starts_with('/') {
        uri.push_str("file://");
    } else if is_windows_absolute {
        uri.push_str("file:///");
    }
    for (index, byte) in path.bytes().enumerate() {
        let keep = byte.is_ascii_alphanumeric()
            || b"-._~/!$&'()*+,;=@".contains(&byte)
            // The drive colon of `C:/`; elsewhere a colon in a relative path would read as a scheme.
            || (byte == b':' && is_windows_absolute && index == 1);
        if keep {
            uri.push(char::from(byte));
        } else {
            let _ = write!(uri, "%{byte:02X}");
        }
    }
    uri
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris() {
        assert_eq!(file_uri("pkg/a b.py"), "pkg/a%20b.py");
        assert_eq!(file_uri("pkg\\mod.py"), "pkg/mod.py");
        assert_eq!(file_uri("/abs/x#1.py"), "file:///abs/x%231.py");
        assert_eq!(file_uri("C:\\src\\x.py"), "file:///C:/src/x.py");
        assert_eq!(file_uri("a:b.py"), "a%3Ab.py");
        assert_eq!(file_uri("é.py"), "%C3%A9.py");
    }

    #[test]
    fn relative_paths_are_made_absolute() {
        let cwd = Path::new("/work/repo");
        assert_eq!(
            absolute(cwd, "./pkg/../src/a.py"),
            PathBuf::from("/work/repo/src/a.py")
        );
        assert_eq!(
            file_uri(&absolute(cwd, "a b.py").to_string_lossy()),
            "file:///work/repo/a%20b.py"
        );
        assert!(is_absolute("/x.py"));
        assert!(is_absolute("C:\\x.py"));
        assert!(!is_absolute("pkg/x.py"));
        assert!(artifact_uri("pkg/x.py").starts_with("file://"));
        assert!(artifact_uri("pkg/x.py").ends_with("/pkg/x.py"));
    }

    #[test]
    fn levels() {
        assert_eq!(level(Severity::Error), "error");
        assert_eq!(level(Severity::Warning), "warning");
        assert_eq!(level(Severity::Info), "note");
    }
}
