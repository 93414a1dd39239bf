//! Snapshot tests of every output format over one set of messages built from real source
//! text: two files (one with CRLF line endings), a safe and an unsafe fix, a warning, an
//! info, a multi-line range, a tab and non-ASCII text before a range, an empty range at EOF,
//! and live findings.
//!
//! Expected output lives in `tests/snapshots/`. `UPDATE_SNAPSHOTS=1 cargo test` rewrites it;
//! read the diff before committing.

use std::sync::Arc;

use arraylint::diagnostic::{Applicability, Edit, Fix, Severity};
use arraylint::registry::Rule;
use arraylint::render::{
    render, write_statistics, write_statistics_with, LiveInfo, Message, OutputFormat, RenderOptions,
};
use ruff_source_file::{SourceFile, SourceFileBuilder};
use ruff_text_size::{TextRange, TextSize};

mod common;
use common::assert_snapshot;

const ARRAY_LIKE: &str = "\
import numpy as np


class Wrapper:
    \"\"\"Wraps data für NumPy.\"\"\"

    def __array__(self, dtype=None):
        return np.asarray(self._data, dtype=dtype)

    @property
    def __array_interface__(self):
        return {
            \"größe\": 2, \"shape\": (2,), \"typestr\": \"f8\",
        }


y = np.array(x,\tcopy=False)
";

const CRLF_EXPORT: &str = "class Exporter:\r\n    def __dlpack__(self, stream=None):\r\n        return self._capsule\r\n    def __dlpack_device__(self):\r\n";

/// The byte range of the `nth` (0-based) occurrence of `needle` in `text`.
fn find(text: &str, needle: &str, nth: usize) -> TextRange {
    let (start, _) = text
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("{needle:?} occurs fewer than {} times", nth + 1));
    let start = TextSize::try_from(start).unwrap();
    TextRange::at(start, TextSize::of(needle))
}

fn static_message(
    source: &Arc<SourceFile>,
    rule: Rule,
    message: &str,
    range: TextRange,
) -> Message {
    Message {
        rule,
        message: message.to_string(),
        severity: rule.severity(),
        filename: source.name().to_string(),
        source: Some(Arc::clone(source)),
        range,
        fix: None,
        noqa_offset: range.start(),
        cells: None,
        live: None,
    }
}

fn live_message(rule: Rule, message: &str, protocol: &str, path: &str) -> Message {
    Message {
        rule,
        message: message.to_string(),
        severity: rule.severity(),
        filename: "mymod:make_array".to_string(),
        source: None,
        range: TextRange::default(),
        fix: None,
        noqa_offset: TextSize::default(),
        cells: None,
        live: Some(LiveInfo {
            object: "mymod:make_array()".to_string(),
            protocol: protocol.to_string(),
            path: path.to_string(),
        }),
    }
}

/// The messages every snapshot renders, sorted by file, then position, as the CLI sorts them.
fn messages() -> Vec<Message> {
    let array_like = Arc::new(SourceFileBuilder::new("pkg/array_like.py", ARRAY_LIKE).finish());
    let crlf = Arc::new(SourceFileBuilder::new("pkg/crlf_export.py", CRLF_EXPORT).finish());

    let mut missing_copy = static_message(
        &array_like,
        Rule::ArrayMissingCopy,
        "`__array__` has no `copy` parameter",
        find(ARRAY_LIKE, "__array__", 0),
    );
    let params_end = find(ARRAY_LIKE, "dtype=None)", 0).end() - TextSize::new(1);
    missing_copy.fix = Some(Fix {
        applicability: Applicability::Safe,
        message: "Add `copy=None`".to_string(),
        edits: vec![Edit::insertion(params_end, ", copy=None")],
    });

    let dict_start = find(ARRAY_LIKE, "{\n", 0).start();
    let dict_end = find(ARRAY_LIKE, "}\n", 0).start() + TextSize::new(1);
    let mut missing_key = static_message(
        &array_like,
        Rule::InterfaceMissingKey,
        "The descriptor has no `data` key",
        TextRange::new(dict_start, dict_end),
    );
    // A multi-line finding takes its `# noqa` on its last line.
    missing_key.noqa_offset = dict_end;

    let bad_typestr = static_message(
        &array_like,
        Rule::InterfaceBadTypestr,
        "`typestr` `\"f8\"` has no byte-order character",
        find(ARRAY_LIKE, "\"f8\"", 0),
    );

    let copy_false_range = find(ARRAY_LIKE, "copy=False", 0);
    let mut copy_false = static_message(
        &array_like,
        Rule::NumpyCopyFalse,
        "`copy=False` raises in NumPy 2 when a copy is needed",
        copy_false_range,
    );
    copy_false.fix = Some(Fix {
        applicability: Applicability::Unsafe,
        message: "Use `copy=None`".to_string(),
        edits: vec![Edit::replacement(copy_false_range, "copy=None")],
    });

    let dlpack = static_message(
        &crlf,
        Rule::DlpackSignature,
        "`__dlpack__` lacks keyword-only `max_version`, `dl_device`, `copy`",
        find(CRLF_EXPORT, "__dlpack__", 0),
    );
    let eof = TextSize::of(CRLF_EXPORT);
    let syntax_error = static_message(
        &crlf,
        Rule::SyntaxError,
        "Expected an indented block after function definition",
        TextRange::empty(eof),
    );

    let mut skipped = live_message(
        Rule::DeviceChecksSkipped,
        "No CUDA driver: device checks were skipped",
        "__cuda_array_interface__",
        "",
    );
    skipped.severity = Severity::Info;

    vec![
        missing_copy,
        missing_key,
        bad_typestr,
        copy_false,
        dlpack,
        syntax_error,
        live_message(
            Rule::InterfaceBadData,
            "`data[1]` (read-only flag) is not a bool: got `0`",
            "__array_interface__",
            "data[1]",
        ),
        skipped,
    ]
}

fn options() -> RenderOptions {
    RenderOptions {
        color: false,
        show_fix_status: true,
        unsafe_fixes: false,
    }
}

fn rendered(format: OutputFormat, options: &RenderOptions) -> String {
    let mut out = Vec::new();
    render(format, &messages(), options, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn full() {
    assert_snapshot("full.txt", &rendered(OutputFormat::Full, &options()));
}

#[test]
fn full_colored() {
    let options = RenderOptions {
        color: true,
        ..options()
    };
    assert_snapshot("full_colored.txt", &rendered(OutputFormat::Full, &options));
}

#[test]
fn concise() {
    assert_snapshot("concise.txt", &rendered(OutputFormat::Concise, &options()));
}

#[test]
fn concise_unsafe_fixes() {
    let options = RenderOptions {
        unsafe_fixes: true,
        ..options()
    };
    assert_snapshot(
        "concise_unsafe_fixes.txt",
        &rendered(OutputFormat::Concise, &options),
    );
}

#[test]
fn json() {
    let output = rendered(OutputFormat::Json, &options());
    let value: serde_json::Value = serde_json::from_str(&output).unwrap();
    assert_eq!(value.as_array().map(Vec::len), Some(messages().len()));
    assert_snapshot("json.json", &output);
}

#[test]
fn json_of_nothing_is_an_empty_array() {
    let mut out = Vec::new();
    render(OutputFormat::Json, &[], &options(), &mut out).unwrap();
    assert_eq!(String::from_utf8(out).unwrap(), "[]\n");
}

#[test]
fn json_lines() {
    let output = rendered(OutputFormat::JsonLines, &options());
    let lines: Vec<&str> = output.lines().collect();
    assert_eq!(lines.len(), messages().len());
    // Each line is one object, and the same object `json` writes at that index.
    let array: serde_json::Value =
        serde_json::from_str(&rendered(OutputFormat::Json, &options())).unwrap();
    for (index, line) in lines.iter().enumerate() {
        let object: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(object, array[index]);
    }
    assert_snapshot("json_lines.jsonl", &output);
}

#[test]
fn github() {
    assert_snapshot("github.txt", &rendered(OutputFormat::Github, &options()));
}

#[test]
fn sarif() {
    let output = rendered(OutputFormat::Sarif, &options());
    let value: serde_json::Value = serde_json::from_str(&output).unwrap();
    let driver = &value["runs"][0]["tool"]["driver"];
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    let rule_ids: Vec<&str> = driver["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|rule| rule["id"].as_str().unwrap())
        .collect();
    let all: Vec<&str> = Rule::ALL.iter().map(|rule| rule.code()).collect();
    assert_eq!(rule_ids, all);
    // Every result's ruleIndex points at its rule.
    for result in value["runs"][0]["results"].as_array().unwrap() {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(driver["rules"][index]["id"], result["ruleId"]);
    }
    // The rules' pages make the full output long and change with every page edit; the
    // snapshot keeps the results and one rule.
    // Files are absolute `file:` URIs, which depend on where the test runs: check their
    // shape, then hide them.
    let mut trimmed = value.clone();
    for result in trimmed["runs"][0]["results"].as_array_mut().unwrap() {
        let Some(uri) = result
            .pointer_mut("/locations/0/physicalLocation/artifactLocation/uri")
            .filter(|uri| uri.is_string())
        else {
            continue;
        };
        let text = uri.as_str().unwrap();
        assert!(text.starts_with("file:///"), "{text}");
        assert!(text.ends_with("/pkg/array_like.py") || text.ends_with("/pkg/crlf_export.py"));
        *uri = "[URI]".into();
    }
    let rules = trimmed["runs"][0]["tool"]["driver"]["rules"]
        .as_array_mut()
        .unwrap();
    rules.truncate(1);
    trimmed["runs"][0]["tool"]["driver"]["version"] = "[VERSION]".into();
    let mut snapshot = serde_json::to_string_pretty(&trimmed).unwrap();
    snapshot.push('\n');
    assert_snapshot("sarif.json", &snapshot);
}

/// The messages plus nine more `numpy-copy-false` findings, so that counts differ and need
/// two digits.
fn many_messages() -> Vec<Message> {
    let mut messages = messages();
    let copy_false = messages
        .iter()
        .find(|message| message.rule == Rule::NumpyCopyFalse)
        .cloned()
        .unwrap();
    messages.extend(std::iter::repeat_n(copy_false, 9));
    messages
}

#[test]
fn statistics() {
    let messages = many_messages();
    let mut text = Vec::new();
    write_statistics(&messages, OutputFormat::Concise, &mut text).unwrap();
    assert_snapshot("statistics.txt", &String::from_utf8(text).unwrap());

    let mut unsafe_text = Vec::new();
    write_statistics_with(&messages, OutputFormat::Full, true, &mut unsafe_text).unwrap();
    assert_snapshot(
        "statistics_unsafe_fixes.txt",
        &String::from_utf8(unsafe_text).unwrap(),
    );

    let mut json = Vec::new();
    write_statistics(&messages, OutputFormat::Json, &mut json).unwrap();
    let json = String::from_utf8(json).unwrap();
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let total: u64 = value
        .as_array()
        .unwrap()
        .iter()
        .map(|statistic| statistic["count"].as_u64().unwrap())
        .sum();
    assert_eq!(total as usize, messages.len());
    assert_snapshot("statistics.json", &json);

    let mut refused = Vec::new();
    assert!(write_statistics(&messages, OutputFormat::Github, &mut refused).is_err());
}

#[test]
fn statistics_of_nothing() {
    let mut text = Vec::new();
    write_statistics(&[], OutputFormat::Full, &mut text).unwrap();
    assert!(text.is_empty());
    let mut json = Vec::new();
    write_statistics(&[], OutputFormat::Json, &mut json).unwrap();
    assert_eq!(String::from_utf8(json).unwrap(), "[]\n");
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    /// Text made of the characters that trouble renderers: every line break, tabs, control
    /// characters, multi-byte and wide characters, a BOM.
    fn tricky_text() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                Just("\n"),
                Just("\r\n"),
                Just("\r"),
                Just("\t"),
                Just("\x0c"),
                Just("\x1b"),
                Just("\u{feff}"),
                Just("\u{2028}"),
                Just("é"),
                Just("漢"),
                Just("😀"),
                Just("x"),
                Just("def "),
                Just(" "),
            ],
            0..40,
        )
        .prop_map(|parts| parts.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Any range, in or out of the text, on or off character boundaries, with an edit
        /// anywhere: every format renders, and the JSON formats stay valid JSON.
        #[test]
        fn every_format_renders_any_range(
            text in tricky_text(),
            a in 0u32..200,
            b in 0u32..200,
            edit_at in 0u32..200,
            noqa in 0u32..200,
            color: bool,
        ) {
            // A name and a message with line breaks and GitHub's special characters.
            let name = "dir/p:\r\n%,.py";
            let source = Arc::new(SourceFileBuilder::new(name, text.as_str()).finish());
            let range = TextRange::new(TextSize::new(a.min(b)), TextSize::new(a.max(b)));
            let mut message = static_message(&source, Rule::ArrayMissingCopy, &text, range);
            message.noqa_offset = TextSize::new(noqa);
            message.fix = Some(Fix {
                applicability: Applicability::Unsafe,
                message: "fix".to_string(),
                edits: vec![Edit::insertion(TextSize::new(edit_at), "y")],
            });
            let messages = vec![message];
            let options = RenderOptions { color, show_fix_status: true, unsafe_fixes: true };
            for format in [
                OutputFormat::Full,
                OutputFormat::Concise,
                OutputFormat::Json,
                OutputFormat::JsonLines,
                OutputFormat::Github,
                OutputFormat::Sarif,
            ] {
                let mut out = Vec::new();
                render(format, &messages, &options, &mut out).unwrap();
                let output = String::from_utf8(out).unwrap();
                if matches!(format, OutputFormat::Json | OutputFormat::Sarif) {
                    prop_assert!(serde_json::from_str::<serde_json::Value>(&output).is_ok());
                }
                if format == OutputFormat::Github {
                    // One annotation is one line, whatever the message or path holds.
                    prop_assert_eq!(output.lines().count(), 1);
                }
            }
        }
    }
}
