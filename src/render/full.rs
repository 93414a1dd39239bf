//! `full` (the default): the concise line, then the source around the finding drawn by
//! `ariadne` with a label naming the rule, and the fix's title as help. Live findings have
//! no source: just the line.

use std::borrow::Cow;
use std::io::{self, Write};
use std::ops::Range;
use std::sync::Arc;

use ariadne::{Color, Config, Label, Report, ReportKind, Source};
use ruff_source_file::SourceFile;
use ruff_text_size::{TextRange, TextSize};

use super::concise::header;
use super::{Location, Message, RenderOptions};
use crate::diagnostic::Severity;

pub(super) fn write(
    messages: &[Message],
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    // Messages come sorted by file: draw each file's text once for all of its findings.
    let mut drawn: Option<(Arc<SourceFile>, DrawnFile)> = None;
    for message in messages {
        writeln!(out, "{}", header(message, options))?;
        let Some(source) = &message.source else {
            continue;
        };
        if message.live.is_some() {
            continue;
        }
        // Ruff's convention: `0..0` marks a finding about the whole file; no snippet.
        if message.range == TextRange::default() {
            continue;
        }
        let file = match &drawn {
            Some((drawn_source, file)) if Arc::ptr_eq(drawn_source, source) => file,
            _ => &drawn.insert((Arc::clone(source), DrawnFile::new(source))).1,
        };
        write_snippet(message, file, options, out)?;
        writeln!(out)?;
    }
    Ok(())
}

fn write_snippet(
    message: &Message,
    file: &DrawnFile,
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let span = file.char_span(message.range);
    let (kind, color) = match message.severity {
        Severity::Error => (ReportKind::Error, Color::Red),
        Severity::Warning => (ReportKind::Warning, Color::Yellow),
        Severity::Info => (ReportKind::Advice, Color::Cyan),
    };
    let id = message.filename.as_str();
    let mut label = Label::new((id, span.clone())).with_message(message.rule.name());
    if options.color {
        label = label.with_color(color);
    }
    let mut report = Report::build(kind, (id, span))
        .with_config(Config::default().with_color(options.color))
        .with_label(label);
    if let Some(fix) = &message.fix {
        report = report.with_help(&fix.message);
    }
    let mut rendered = Vec::new();
    report
        .finish()
        .write_for_stdout((id, &file.text), &mut rendered)?;
    // ariadne opens with its own `Error: message` line; the concise line above replaces it.
    let body = match rendered.iter().position(|byte| *byte == b'\n') {
        Some(newline) => &rendered[newline + 1..],
        None => &rendered[..],
    };
    for line in String::from_utf8_lossy(body).lines() {
        // ariadne pads its lines with spaces; drop them, as Ruff's output has none.
        let line = line.trim_end_matches(' ');
        writeln!(out, "{}", lowercase_help(line, options.color))?;
    }
    Ok(())
}

/// ariadne titles the fix `Help:`; Ruff, and compilers, say `help:`. Only ariadne's own help
/// line is touched: source lines start with their number, and escape characters in the
/// source are drawn as pictures, so neither pattern can come from the file.
fn lowercase_help(line: &str, color: bool) -> Cow<'_, str> {
    if color {
        // ariadne's note colour (256-colour 115) is used for `Help` and `Note` only.
        const HELP: &str = "\x1b[38;5;115mHelp\x1b[0m:";
        if line.contains(HELP) {
            return Cow::Owned(line.replacen(HELP, "\x1b[38;5;115mhelp\x1b[0m:", 1));
        }
    } else if line.trim_start().starts_with("│ Help: ") {
        return Cow::Owned(line.replacen("Help: ", "help: ", 1));
    }
    Cow::Borrowed(line)
}

/// A file's text as ariadne draws it, and where each of its lines starts in characters
/// (ariadne counts characters; the source's ranges count bytes).
struct DrawnFile {
    source: Arc<SourceFile>,
    text: Source<String>,
    /// The character offset in `text` of each line the line index knows.
    line_starts: Vec<usize>,
}

impl DrawnFile {
    fn new(source: &Arc<SourceFile>) -> DrawnFile {
        let original = source.source_text();
        let (mut text, line_starts) = if draws_as_is(original) {
            Self::as_is(source)
        } else {
            Self::mapped(source)
        };
        // A position after the file's last line break is on a line of its own, which
        // ariadne only sees if it has a character.
        if text.is_empty() || text.ends_with(['\n', '\r']) {
            text.push(' ');
        }
        DrawnFile {
            source: Arc::clone(source),
            text: Source::from(text),
            line_starts,
        }
    }

    /// Most files: every character is drawn as itself, so the text is copied whole and
    /// only the line starts are counted in characters.
    fn as_is(source: &SourceFile) -> (String, Vec<usize>) {
        let original = source.source_text();
        let byte_starts = source.index().line_starts();
        let line_starts = if original.is_ascii() {
            byte_starts.iter().map(|start| start.to_usize()).collect()
        } else {
            let mut chars = 0;
            let mut previous = 0;
            byte_starts
                .iter()
                .map(|start| {
                    let start = start.to_usize().min(original.len());
                    chars += original
                        .get(previous..start)
                        .map_or(0, |s| s.chars().count());
                    previous = start;
                    chars
                })
                .collect()
        };
        let mut text = String::with_capacity(original.len() + 1);
        text.push_str(original);
        (text, line_starts)
    }

    /// Character by character, through `printable`.
    fn mapped(source: &SourceFile) -> (String, Vec<usize>) {
        let original = source.source_text();
        let mut text = String::with_capacity(original.len() + 1);
        let mut line_starts = Vec::with_capacity(source.index().line_count());
        let mut byte_line_starts = source.index().line_starts().iter().peekable();
        let mut chars = 0;
        for (index, c) in original.char_indices() {
            let offset = TextSize::try_from(index).unwrap_or_default();
            while byte_line_starts
                .next_if(|start| **start <= offset)
                .is_some()
            {
                line_starts.push(chars);
            }
            if let Some(c) = printable(c, offset) {
                text.push(c);
                chars += 1;
            }
        }
        // The last line starts at the end when the text ends with a line break.
        while byte_line_starts.next().is_some() {
            line_starts.push(chars);
        }
        (text, line_starts)
    }

    /// `range` in characters of `text`.
    fn char_span(&self, range: TextRange) -> Range<usize> {
        let start = self.char_offset(range.start());
        start..self.char_offset(range.end()).max(start)
    }

    fn char_offset(&self, offset: TextSize) -> usize {
        // The line index's column counts characters from the line's start, leaving out a
        // BOM, which `printable` leaves out too; `Location` clamps bad offsets.
        let location = Location::of(&self.source, offset);
        let line_start = self
            .line_starts
            .get(location.row - 1)
            .copied()
            .unwrap_or_default();
        line_start + location.column - 1
    }
}

/// Whether `printable` keeps every character of `text` as it is: no control character
/// but tab and line breaks, no DEL, no BOM, none of the line breaks only ariadne knows.
fn draws_as_is(text: &str) -> bool {
    let bytes = text.as_bytes();
    !bytes
        .iter()
        .any(|b| (*b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || *b == 0x7f)
        && !text.starts_with('\u{feff}')
        && !text.contains(['\u{85}', '\u{2028}', '\u{2029}'])
}

/// What to draw for `c`: one character for one, so that character offsets stay put, except
/// a byte-order mark, which is not drawn (and is not a column: see `LineIndex::line_column`).
/// Characters ariadne would take for line breaks but the line index does not (form feed,
/// vertical tab, NEL, U+2028/9) become spaces, so the line numbers agree; other control
/// characters become their visible pictures, so they cannot drive the terminal.
fn printable(c: char, offset: TextSize) -> Option<char> {
    match c {
        '\u{feff}' if offset == TextSize::new(0) => None,
        '\t' | '\n' | '\r' => Some(c),
        '\x0b' | '\x0c' | '\u{85}' | '\u{2028}' | '\u{2029}' => Some(' '),
        '\x7f' => Some('\u{2421}'),
        c if u32::from(c) < 0x20 => char::from_u32(0x2400 + u32::from(c)).or(Some(' ')),
        c => Some(c),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use ruff_source_file::SourceFileBuilder;

    use super::*;
    use crate::registry::Rule;
    use crate::render::Location;

    #[test]
    fn copying_as_is_matches_drawing_character_by_character() {
        let more = [
            "x = '\u{e9}'\r\ny\n",
            "a\n\nb",
            "\u{65e5}\u{672c}\n\u{8a9e}\n",
            "\r\r\n",
        ];
        let mut compared = 0;
        for text in TRICKY_TEXTS.iter().chain(&more) {
            if !draws_as_is(text) {
                continue;
            }
            let source = SourceFileBuilder::new("t.py", *text).finish();
            assert_eq!(
                DrawnFile::as_is(&source),
                DrawnFile::mapped(&source),
                "{text:?}"
            );
            compared += 1;
        }
        assert!(compared >= 10, "{compared}");
        for text in ["\u{feff}x", "a\x0cb", "a\u{2028}b", "x\x1b", "x\x7f"] {
            assert!(!draws_as_is(text), "{text:?}");
        }
    }

    const TRICKY_TEXTS: &[&str] = &[
        "",
        "a",
        "ab\n",
        "\n\n\n",
        "a\r\nb\r\n",
        "a\rb\r",
        "\tx\ty\n",
        "é\u{1F600}x\nü",
        "\u{feff}bom\nx",
        "a\x0cb\nc",
        "a\u{2028}b\u{85}c\nd",
        "x\x1b[31my\x7f\n",
    ];

    fn snippet_of(text: &str, start: u32, end: u32) -> String {
        let source = SourceFileBuilder::new("t.py", text).finish();
        let message = Message {
            rule: Rule::SyntaxError,
            message: "m".to_string(),
            severity: Severity::Error,
            filename: "t.py".to_string(),
            source: Some(Arc::new(source.clone())),
            range: TextRange::new(TextSize::new(start), TextSize::new(end)),
            fix: None,
            noqa_offset: TextSize::new(start),
            live: None,
        };
        let mut out = Vec::new();
        let file = DrawnFile::new(message.source.as_ref().unwrap());
        write_snippet(&message, &file, &RenderOptions::default(), &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// ariadne's `file:row:col` line must name the row and column the header names, for every
    /// range in texts with every kind of line break, tabs, wide and multi-byte characters, a
    /// BOM and control characters; offsets inside characters and past the end included.
    #[test]
    fn ariadne_agrees_with_the_line_index_everywhere() {
        for text in TRICKY_TEXTS {
            let source = SourceFileBuilder::new("t.py", *text).finish();
            let len = u32::try_from(text.len()).unwrap();
            for start in 0..=len + 1 {
                for end in start..=len + 1 {
                    let output = snippet_of(text, start, end);
                    let location = Location::of(&source, TextSize::new(start));
                    let reference = format!("[ t.py:{}:{} ]", location.row, location.column);
                    assert!(
                        output.contains(&reference),
                        "{text:?} {start}..{end}: expected {reference} in\n{output}"
                    );
                    assert!(output.contains("syntax-error"), "{output}");
                    // Control characters are drawn as pictures, never sent to the terminal.
                    assert!(!output.contains('\x1b'), "{output}");
                }
            }
        }
    }

    #[test]
    fn fix_title_is_lowercase_help_with_and_without_colour() {
        let source = SourceFileBuilder::new("t.py", "Help: x = 1\n").finish();
        for color in [false, true] {
            let message = Message {
                rule: Rule::ArrayMissingCopy,
                message: "m".to_string(),
                severity: Severity::Error,
                filename: "t.py".to_string(),
                source: Some(Arc::new(source.clone())),
                range: TextRange::new(TextSize::new(6), TextSize::new(7)),
                fix: Some(crate::diagnostic::Fix {
                    applicability: crate::diagnostic::Applicability::Safe,
                    message: "Add `copy=None`".to_string(),
                    edits: vec![],
                }),
                noqa_offset: TextSize::new(6),
                live: None,
            };
            let options = RenderOptions {
                color,
                ..RenderOptions::default()
            };
            let mut out = Vec::new();
            let file = DrawnFile::new(message.source.as_ref().unwrap());
            write_snippet(&message, &file, &options, &mut out).unwrap();
            let output = String::from_utf8(out).unwrap();
            assert!(output.contains("help"), "{output}");
            assert!(!output.contains("Help\x1b"), "{output}");
            assert!(!output.contains("Help: Add"), "{output}");
            // The source line, which happens to start with `Help: `, is left alone (with
            // colour, ariadne colours it character by character).
            if !color {
                assert!(output.contains(" 1 │ Help: x = 1"), "{output}");
            }
        }
    }

    #[test]
    fn no_trailing_spaces() {
        let output = snippet_of("def f(x):\n    return x\n", 4, 5);
        assert!(output.lines().all(|line| !line.ends_with(' ')), "{output}");
    }
}
