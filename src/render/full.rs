//! `full` (the default): the concise line, then the source around the finding drawn by
//! `ariadne` with a label naming the rule, and the fix's title as help. Live findings have
//! no source: just the line.

use ariadne::{Color, Config, Label, Report, ReportKind, Source};
use ruff_source_file::SourceFile;
use ruff_text_size::TextRange;
use std::borrow::Cow;
use std::io::{self, Write};
use std::ops::Range;

use super::concise::header;
use super::location::clamp_offset;
use super::{Message, RenderOptions};
use crate::diagnostic::Severity;

pub(super) fn write(
    messages: &[Message],
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
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
        let rows = message.cells.as_deref().and_then(|cells| {
            cells.cell_rows(
                source
                    .index()
                    .line_index(message.range.start())
                    .to_zero_indexed(),
            )
        });
        let window = match rows {
            Some(rows) => Window::in_rows(source, message.range, rows),
            None => Window::new(source, message.range),
        };
        write_snippet(message, &window, options, out)?;
        writeln!(out)?;
    }
    Ok(())
}

fn write_snippet(
    message: &Message,
    window: &Window,
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let span = window.span.clone();
    let (kind, color) = match message.severity {
        Severity::Error => (ReportKind::Error, Color::Red),
        Severity::Warning => (ReportKind::Warning, Color::Yellow),
        Severity::Info => (ReportKind::Advice, Color::Cyan),
    };
    // In a notebook ariadne's `file:row:col` names the cell, as Ruff's `-->` line does.
    let named;
    let id = match message.cell() {
        Some(cell) => {
            named = format!("{}:cell {cell}", message.filename);
            named.as_str()
        }
        None => message.filename.as_str(),
    };
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
        .write_for_stdout((id, &Source::from(window.text.as_str())), &mut rendered)?;
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

/// What ariadne is given to draw one finding: the lines the range touches and the line
/// after, as `printable` draws them, behind one empty line for each line before them.
/// ariadne splits whatever it is given into lines and numbers them from 1; giving it a
/// 700 KB module for a one-line snippet cost more than all the rest of the output. The
/// empty lines keep its line numbers, and the width of its line-number gutter, those of
/// the file (`Source::with_display_line_offset` shifts the numbers but not the width).
struct Window {
    text: String,
    /// The range in characters of `text` (ariadne counts characters, ranges count bytes).
    span: Range<usize>,
}

impl Window {
    fn new(source: &SourceFile, range: TextRange) -> Window {
        Window::in_rows(source, range, 0..usize::MAX)
    }

    /// The window of a finding in a notebook cell, whose 0-based rows in the text are
    /// `rows`: numbered from the cell's first line, and never showing the next cell's.
    fn in_rows(source: &SourceFile, range: TextRange, rows: Range<usize>) -> Window {
        let original = source.source_text();
        let index = source.index();
        let start = clamp_offset(original, range.start());
        let end = clamp_offset(original, range.end()).max(start);
        let first = index.line_index(start);
        let mut last = index.line_index(end).saturating_add(1);
        if last.to_zero_indexed() >= rows.end {
            last = first.max(index.line_index(end));
        }
        let (from, to) = (
            index.line_start(first, original).to_usize(),
            index.line_end(last, original).to_usize(),
        );
        let before = first.to_zero_indexed().saturating_sub(rows.start);
        let mut text = "\n".repeat(before);
        let mut span = text.len()..text.len();
        let (start, end) = (start.to_usize(), end.to_usize());
        for (index, c) in original[from..to].char_indices() {
            let offset = from + index;
            let Some(c) = printable(c, offset) else {
                continue;
            };
            span.start += usize::from(offset < start);
            span.end += usize::from(offset < end);
            text.push(c);
        }
        // A position after the file's last line break is on a line of its own, which
        // ariadne only sees if it has a character.
        if text.is_empty() || text.ends_with(['\n', '\r']) {
            text.push(' ');
        }
        Window { text, span }
    }
}

/// What to draw for `c`: one character for one, so that character offsets stay put, except
/// a byte-order mark, which is not drawn (and is not a column: see `LineIndex::line_column`).
/// Characters ariadne would take for line breaks but the line index does not (form feed,
/// vertical tab, NEL, U+2028/9) become spaces, so the line numbers agree; other control
/// characters become their visible pictures, so they cannot drive the terminal.
fn printable(c: char, offset: usize) -> Option<char> {
    match c {
        '\u{feff}' if offset == 0 => None,
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
    use ruff_text_size::TextSize;

    use super::*;
    use crate::registry::Rule;
    use crate::render::Location;

    /// The whole file as ariadne drew it before windows: every character through
    /// `printable`, the span counted over the whole text.
    fn whole_file(source: &SourceFile, range: TextRange) -> Window {
        let original = source.source_text();
        let start = clamp_offset(original, range.start()).to_usize();
        let end = clamp_offset(original, range.end()).to_usize().max(start);
        let mut text = String::new();
        let mut span = 0..0;
        for (offset, c) in original.char_indices() {
            if let Some(c) = printable(c, offset) {
                span.start += usize::from(offset < start);
                span.end += usize::from(offset < end);
                text.push(c);
            }
        }
        if text.is_empty() || text.ends_with(['\n', '\r']) {
            text.push(' ');
        }
        Window { text, span }
    }

    /// A window draws every range as the whole file did: same numbers, gutter, columns and
    /// marks, on every kind of line break, wide characters, a BOM, control characters, and
    /// line numbers that change width inside the file.
    #[test]
    fn a_window_draws_what_the_whole_file_drew() {
        let long = (1..=12)
            .map(|i| format!("line{i} = {i}\n"))
            .collect::<String>();
        let more = [long.as_str(), "a\n\nb\n\n", "x = '\u{e9}'\r\ny\r\n\r\nz"];
        let mut compared = 0;
        for text in TRICKY_TEXTS.iter().copied().chain(more) {
            let source = Arc::new(SourceFileBuilder::new("t.py", text).finish());
            let len = u32::try_from(text.len()).unwrap();
            for start in 0..=len + 1 {
                for end in start..=len + 1 {
                    let message = message_at(&source, start, end);
                    let draw = |window: &Window| {
                        let mut out = Vec::new();
                        write_snippet(&message, window, &RenderOptions::default(), &mut out)
                            .unwrap();
                        String::from_utf8(out).unwrap()
                    };
                    let range = message.range;
                    assert_eq!(
                        draw(&Window::new(&source, range)),
                        draw(&whole_file(&source, range)),
                        "{text:?} {start}..{end}"
                    );
                    compared += 1;
                }
            }
        }
        assert!(compared > 5_000, "{compared}");
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

    fn message_at(source: &Arc<SourceFile>, start: u32, end: u32) -> Message {
        Message {
            rule: Rule::SyntaxError,
            message: "m".to_string(),
            severity: Severity::Error,
            filename: "t.py".to_string(),
            source: Some(Arc::clone(source)),
            range: TextRange::new(TextSize::new(start), TextSize::new(end)),
            fix: None,
            noqa_offset: TextSize::new(start),
            cells: None,
            live: None,
        }
    }

    fn snippet_of(text: &str, start: u32, end: u32) -> String {
        let source = Arc::new(SourceFileBuilder::new("t.py", text).finish());
        let message = message_at(&source, start, end);
        let mut out = Vec::new();
        let window = Window::new(&source, message.range);
        write_snippet(&message, &window, &RenderOptions::default(), &mut out).unwrap();
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
                cells: None,
                live: None,
            };
            let options = RenderOptions {
                color,
                ..RenderOptions::default()
            };
            let mut out = Vec::new();
            let window = Window::new(&source, message.range);
            write_snippet(&message, &window, &options, &mut out).unwrap();
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
