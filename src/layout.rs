//! A Python file's layout, found without lexing it properly: where its plain strings and
//! comments are, and where each logical line starts and at what indentation.
//!
//! The pre-filter uses it to tell a needle in code from one in a docstring, and
//! `narrow` to find function bodies. It is a byte scan (a fraction of the lexer's cost)
//! that knows just enough of Python's tokens: string prefixes, triple quotes, escapes,
//! f-strings and their replacement fields (nested strings included), comments, brackets
//! and line continuations. Whenever the text is not what it understands (an unterminated
//! string, unbalanced brackets, a stray backslash), `scan` says `None` and callers fall
//! back to treating the whole file as code and parsing all of it.

use std::ops::Range;

/// A line that holds a statement (not blank, not only a comment), with its continuation
/// lines. Offsets are bytes into the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogicalLine {
    /// Where its first physical line starts (the indentation included).
    pub start: u32,
    /// Its first token.
    pub code: u32,
    /// Just past its last newline (or the end of the text).
    pub end: u32,
}

impl LogicalLine {
    /// The indentation width in bytes (spaces only: `scan` reports tabs separately).
    pub fn indent(&self) -> u32 {
        self.code - self.start
    }
}

#[derive(Debug, Default)]
pub struct Layout {
    /// Plain string literals (not f-strings or t-strings, whose replacement fields are
    /// code) and comments, in order, not overlapping.
    pub literals: Vec<Range<u32>>,
    pub lines: Vec<LogicalLine>,
    /// Some logical line is indented with a tab or a form feed: indentation widths in
    /// bytes do not compare, so `lines` cannot give blocks.
    pub tab_indented: bool,
}

impl Layout {
    /// Whether `offset` lies in a plain string or a comment.
    pub fn in_literal(&self, offset: u32) -> bool {
        self.literal_at(offset).is_some()
    }

    /// The plain string or comment `offset` lies in.
    pub fn literal_at(&self, offset: u32) -> Option<&Range<u32>> {
        let after = self.literals.partition_point(|r| r.start <= offset);
        let literal = self.literals.get(after.checked_sub(1)?)?;
        (literal.end > offset).then_some(literal)
    }

    /// The first token of the logical line that `offset` (in code) lies in.
    pub fn line_start_of(&self, offset: u32) -> Option<u32> {
        let after = self.lines.partition_point(|l| l.code <= offset);
        let line = self.lines.get(after.checked_sub(1)?)?;
        (offset < line.end).then_some(line.code)
    }
}

/// f-strings nest (`f"{f'{x}'}"`); deeper than this is not worth understanding.
const MAX_FSTRING_NESTING: usize = 64;

/// The layout of `text`, or `None` where the scan is not sure of it.
pub fn scan(text: &[u8]) -> Option<Layout> {
    // Offsets are u32, as the parser's are.
    u32::try_from(text.len()).ok()?;
    let mut scanner = Scanner {
        b: text,
        i: 0,
        layout: Layout::default(),
    };
    scanner.file()?;
    Some(scanner.layout)
}

struct Scanner<'t> {
    b: &'t [u8],
    i: usize,
    layout: Layout,
}

/// The bytes the scan of code stops at; everything else is skipped in a tight loop.
static INTERESTING: [bool; 256] = {
    let mut table = [false; 256];
    let bytes = b"\n\r#\\([{)]}\"'";
    let mut i = 0;
    while i < bytes.len() {
        table[bytes[i] as usize] = true;
        i += 1;
    }
    table
};

/// The first byte at or after `from` (at most `bytes.len()`) that the scan of code stops at.
fn skip_to_interesting(bytes: &[u8], from: usize) -> usize {
    let rest = bytes.get(from..).unwrap_or_default();
    from + rest
        .iter()
        .position(|b| INTERESTING[usize::from(*b)])
        .unwrap_or(rest.len())
}

/// A byte that can be part of a Python name (any non-ASCII byte may be: UTF-8 letters).
pub(crate) fn is_identifier_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

/// A string prefix (any case): `r`, `u`, `b`, `f`, `t`, `br`, `rb`, `fr`, `rf`, `tr`, `rt`.
/// The second value says whether it makes an f-string or t-string.
fn string_prefix(word: &[u8]) -> Option<bool> {
    let mut lower = [0u8; 2];
    let lower = lower.get_mut(..word.len())?;
    for (l, w) in lower.iter_mut().zip(word) {
        *l = w.to_ascii_lowercase();
    }
    match &*lower {
        b"r" | b"u" | b"b" | b"br" | b"rb" => Some(false),
        b"f" | b"t" | b"fr" | b"rf" | b"tr" | b"rt" => Some(true),
        _ => None,
    }
}

impl Scanner<'_> {
    fn peek(&self, ahead: usize) -> Option<u8> {
        self.b.get(self.i + ahead).copied()
    }

    fn offset(&self) -> u32 {
        // `scan` checked that every offset fits.
        self.i as u32
    }

    /// The whole file: logical lines at bracket depth 0. The offset lives in a local
    /// here (written back around the string and comment scans): kept in `self`, every
    /// byte's step went through memory.
    fn file(&mut self) -> Option<()> {
        let b = self.b;
        let mut i = self.i;
        let mut current: Option<LogicalLine> = None;
        let mut depth: u32 = 0;
        // At the start of a physical line outside brackets, where indentation counts.
        let mut at_line_start = true;
        while i < b.len() {
            if at_line_start {
                at_line_start = false;
                // A BOM counts as nothing, as for the lexer.
                if i == 0 && b.starts_with("\u{feff}".as_bytes()) {
                    i += 3;
                }
                let line_start = i;
                while let Some(b' ' | b'\t' | b'\x0c') = b.get(i) {
                    i += 1;
                }
                let blank = matches!(b.get(i), None | Some(b'\n' | b'\r' | b'#'));
                if !blank && current.is_none() {
                    self.layout.tab_indented |= b[line_start..i].iter().any(|b| *b != b' ');
                    current = Some(LogicalLine {
                        start: line_start as u32,
                        code: i as u32,
                        end: 0,
                    });
                }
                continue;
            }
            let byte = b[i];
            match byte {
                b'\n' | b'\r' => {
                    i += 1;
                    if byte == b'\r' && b.get(i) == Some(&b'\n') {
                        i += 1;
                    }
                    if depth == 0 {
                        at_line_start = true;
                        if let Some(mut line) = current.take() {
                            line.end = i as u32;
                            self.layout.lines.push(line);
                        }
                    }
                }
                b'#' => {
                    self.i = i;
                    self.comment();
                    i = self.i;
                }
                b'\\' => {
                    // A line continuation: the logical line goes on.
                    match b.get(i + 1) {
                        Some(b'\n') => i += 2,
                        Some(b'\r') => {
                            i += 2;
                            if b.get(i) == Some(&b'\n') {
                                i += 1;
                            }
                        }
                        _ => return None,
                    }
                }
                b'(' | b'[' | b'{' => {
                    depth += 1;
                    i = skip_to_interesting(b, i + 1);
                }
                b')' | b']' | b'}' => {
                    depth = depth.checked_sub(1)?;
                    i = skip_to_interesting(b, i + 1);
                }
                b'"' | b'\'' => {
                    self.i = i;
                    self.quoted(0)?;
                    i = self.i;
                }
                // Nothing else matters here (names, numbers, operators).
                _ => i = skip_to_interesting(b, i + 1),
            }
        }
        self.i = i;
        if depth != 0 {
            return None;
        }
        if let Some(mut line) = current.take() {
            line.end = self.offset();
            self.layout.lines.push(line);
        }
        Some(())
    }

    fn comment(&mut self) {
        let start = self.offset();
        self.i =
            memchr::memchr2(b'\n', b'\r', &self.b[self.i..]).map_or(self.b.len(), |n| self.i + n);
        self.layout.literals.push(start..self.offset());
    }

    /// The string whose quote is at `self.i`, with the prefix before it, if any.
    fn quoted(&mut self, nesting: usize) -> Option<()> {
        let quote = self.i;
        let mut start = quote;
        while start > 0 && quote - start < 3 && is_identifier_byte(self.b[start - 1]) {
            start -= 1;
        }
        let prefixed = quote - start <= 2
            && (start == 0 || !is_identifier_byte(self.b[start - 1]))
            && start < quote;
        match prefixed
            .then(|| string_prefix(&self.b[start..quote]))
            .flatten()
        {
            Some(formatted) => self.string_from(start, formatted, nesting),
            // No prefix, or a keyword before the string (`return"x"`).
            None => self.string_from(quote, false, nesting),
        }
    }

    /// A string whose prefix starts at `start` and whose quote is at `self.i`.
    fn string_from(&mut self, start: usize, formatted: bool, nesting: usize) -> Option<()> {
        let quote = self.b[self.i];
        let triple = self.peek(1) == Some(quote) && self.peek(2) == Some(quote);
        self.i += if triple { 3 } else { 1 };
        if formatted {
            self.fstring_body(quote, triple, nesting)?;
        } else {
            self.plain_body(quote, triple)?;
            if nesting == 0 {
                self.layout.literals.push(start as u32..self.offset());
            }
        }
        Some(())
    }

    /// Past the closing quote of a plain string. A backslash always takes the next byte
    /// (even in a raw string, where `\"` does not end it).
    fn plain_body(&mut self, quote: u8, triple: bool) -> Option<()> {
        loop {
            let rest = self.b.get(self.i..)?;
            let at = if triple {
                memchr::memchr2(quote, b'\\', rest)?
            } else {
                memchr::memchr3(quote, b'\\', b'\n', rest)
                    .or_else(|| memchr::memchr(b'\r', rest))?
            };
            // memchr3 may have skipped a `\r` before what it found.
            let at = if triple {
                at
            } else {
                memchr::memchr(b'\r', &rest[..at]).unwrap_or(at)
            };
            self.i += at;
            match self.b[self.i] {
                b'\\' => self.i += 2,
                b'\n' | b'\r' => return None, // unterminated
                _ => {
                    if self.closing_quote(quote, triple) {
                        return Some(());
                    }
                }
            }
        }
    }

    /// At a `quote` byte inside a string: step past it, and past the two more a triple
    /// quote needs; whether that ended the string.
    fn closing_quote(&mut self, quote: u8, triple: bool) -> bool {
        if triple && !(self.peek(1) == Some(quote) && self.peek(2) == Some(quote)) {
            self.i += 1;
            return false;
        }
        self.i += if triple { 3 } else { 1 };
        true
    }

    /// Past the closing quote of an f-string (or t-string): literal text with `{{` and
    /// `}}`, and replacement fields, which are code.
    fn fstring_body(&mut self, quote: u8, triple: bool, nesting: usize) -> Option<()> {
        if nesting >= MAX_FSTRING_NESTING {
            return None;
        }
        loop {
            let b = *self.b.get(self.i)?;
            match b {
                b'\\' => self.i += 2,
                b'\n' | b'\r' if !triple => return None,
                b'{' if self.peek(1) == Some(b'{') => self.i += 2,
                b'}' if self.peek(1) == Some(b'}') => self.i += 2,
                b'{' => {
                    self.i += 1;
                    self.field(nesting + 1)?;
                }
                b'}' => return None,
                b if b == quote => {
                    if self.closing_quote(quote, triple) {
                        return Some(());
                    }
                }
                _ => self.i += 1,
            }
        }
    }

    /// A replacement field after its `{`: code up to a `!`, `:` or `}` at depth 0, then a
    /// format spec (literal text with nested fields) up to the `}`.
    fn field(&mut self, nesting: usize) -> Option<()> {
        let mut depth = 0u32;
        loop {
            let b = *self.b.get(self.i)?;
            match b {
                b'(' | b'[' | b'{' => {
                    depth += 1;
                    self.i += 1;
                }
                b')' | b']' => {
                    depth = depth.checked_sub(1)?;
                    self.i += 1;
                }
                b'}' if depth > 0 => {
                    depth -= 1;
                    self.i += 1;
                }
                b'}' => {
                    self.i += 1;
                    return Some(());
                }
                b'!' if depth == 0 && self.peek(1) != Some(b'=') => {
                    self.i += 1;
                }
                b':' if depth == 0 => {
                    self.i += 1;
                    return self.format_spec(nesting);
                }
                b'"' | b'\'' => self.quoted(nesting)?,
                b'#' => {
                    // A comment in a (multi-line) replacement field.
                    self.i = memchr::memchr2(b'\n', b'\r', &self.b[self.i..])
                        .map_or(self.b.len(), |n| self.i + n);
                }
                b'\\' => return None,
                _ => self.i += 1,
            }
        }
    }

    /// A format spec after `:`: up to the `}` that closes the field.
    fn format_spec(&mut self, nesting: usize) -> Option<()> {
        loop {
            let b = *self.b.get(self.i)?;
            match b {
                b'{' => {
                    self.i += 1;
                    self.field(nesting + 1)?;
                }
                b'}' => {
                    self.i += 1;
                    return Some(());
                }
                b'\n' | b'\r' | b'"' | b'\'' | b'\\' => return None,
                _ => self.i += 1,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn literals(text: &str) -> Vec<&str> {
        let layout = scan(text.as_bytes()).expect("scans");
        layout
            .literals
            .iter()
            .map(|r| &text[r.start as usize..r.end as usize])
            .collect()
    }

    #[test]
    fn finds_plain_strings_and_comments() {
        assert_eq!(
            literals("x = 'a' + \"b\"  # c\ny = b'd' + rb\"e\\\"\"\n"),
            ["'a'", "\"b\"", "# c", "b'd'", "rb\"e\\\"\""]
        );
        assert_eq!(
            literals("'''a\n'b'\n\"\"\" '''\nx = 1\n"),
            ["'''a\n'b'\n\"\"\" '''"]
        );
    }

    #[test]
    fn f_strings_are_code_and_end_where_python_ends_them() {
        // Replacement fields hold strings with any quote (3.12), nested f-strings and
        // format specs with fields; `{{` is literal.
        let text = "a = f\"{x[\"k\"]} {{ {f'{y!r:>{w}}'}\" + 'z'\nb = 1\n";
        assert_eq!(literals(text), ["'z'"]);
        assert_eq!(scan(text.as_bytes()).expect("scans").lines.len(), 2);
    }

    #[test]
    fn logical_lines_join_brackets_and_continuations() {
        let text =
            "def f(a,\n      b):\n    return (a +\n        b) \\\n        + 1\n\n    # c\nx = 1";
        let layout = scan(text.as_bytes()).expect("scans");
        let lines: Vec<(&str, u32)> = layout
            .lines
            .iter()
            .map(|l| (&text[l.code as usize..l.end as usize], l.indent()))
            .collect();
        assert_eq!(
            lines,
            [
                ("def f(a,\n      b):\n", 0),
                ("return (a +\n        b) \\\n        + 1\n", 4),
                ("x = 1", 0)
            ]
        );
        assert!(!layout.tab_indented);
        assert!(scan(b"if x:\n\ty = 1\n").expect("scans").tab_indented);
        assert!(
            !scan(b"x = 1\n\t# tab before a comment\n")
                .expect("scans")
                .tab_indented
        );
        // A newline inside brackets does not start a line where indentation counts.
        let layout = scan(b"x = (1,\n  2) + 3\ny = 4\n").expect("scans");
        assert_eq!(layout.lines.len(), 2);
        let bom = scan("\u{feff}def f():\n    pass\n".as_bytes()).expect("scans");
        assert_eq!(bom.lines[0].indent(), 0);
        assert_eq!(literals("return\"x\"\n"), ["\"x\""]);
    }

    #[test]
    fn refuses_what_it_does_not_understand() {
        for text in [
            "x = 'open\n",
            "x = (1,\n",
            "x = 1)\n",
            "x = \"\"\"never closed\n",
            "x = f'{y'\n",
            "x = f'}'\n",
            "x = 1 \\ 2\n",
        ] {
            assert!(scan(text.as_bytes()).is_none(), "{text:?}");
        }
    }

    #[test]
    fn in_literal_answers_by_offset() {
        let text = "a = '__array__'  # __dlpack__\nb.__array__()\n";
        let layout = scan(text.as_bytes()).expect("scans");
        let offset = |needle: &str, nth: usize| {
            text.match_indices(needle)
                .nth(nth)
                .map(|(i, _)| i as u32)
                .expect("present")
        };
        assert!(layout.in_literal(offset("__array__", 0)));
        assert!(layout.in_literal(offset("__dlpack__", 0)));
        assert!(!layout.in_literal(offset("__array__", 1)));
    }
}
