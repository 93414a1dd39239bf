//! IPython's additions to Python in a notebook cell, made into Python the parser reads.
//!
//! Line magics (`%time f()`), shell escapes (`!pip install x`, `files = !ls`) and help
//! (`?np.zeros`, `np.zeros?`) are blanked: the command becomes `0` and spaces, so every
//! offset, line and column of the cell stays where it was, and an escape inside an indented
//! block still leaves a statement there. A cell run by a cell magic that is not Python
//! (`%%bash`), or one that starts with an automagic (`pip install x` without `%`), is not
//! Python at all: it is not read, as in Ruff.

use std::ops::Range;

/// Cell magics whose body is Python that runs in the notebook's namespace (as Ruff lists
/// them): the body is read, the `%%` line blanked.
const PYTHON_CELL_MAGICS: &[&str] = &[
    "capture", "debug", "ipytest", "prun", "pypy", "python", "python3", "time", "timeit",
];

/// Magics IPython runs without `%` when they start a cell (automagic): such a cell is
/// shell-like commands, not Python. Only common ones: a cell that is missed here is read
/// as Python, and an escape is not a protocol needle, so it costs at most an AL001 in a
/// cell that also defines a protocol member.
const AUTOMAGICS: &[&str] = &[
    "cd",
    "conda",
    "env",
    "load_ext",
    "mamba",
    "matplotlib",
    "micromamba",
    "pip",
    "pwd",
    "reload_ext",
    "timeit",
    "who",
    "whos",
];

/// Whether the cell is Python (after blanking its line magics), as Ruff decides, except
/// that only the first line that is not blank can be a cell magic (IPython reads `%%` there
/// only; a `%%html` line further down, in a string, must not hide the cell), and an
/// automagic (`pip install x`) is looked for on the first line that is neither blank nor a
/// comment.
pub fn is_python_cell(source: &str) -> bool {
    let mut lines = source.lines().filter(|line| !line.trim().is_empty());
    let Some(first) = lines.next() else {
        return true;
    };
    let cell_magic = first
        .split_whitespace()
        .next()
        .and_then(|token| token.strip_prefix("%%"))
        .is_some_and(|command| !command.is_empty() && !PYTHON_CELL_MAGICS.contains(&command));
    if cell_magic {
        return false;
    }
    let first_code = std::iter::once(first)
        .chain(lines)
        .find(|line| !line.trim_start().starts_with('#'));
    let automagic = first_code.is_some_and(|line| {
        let mut tokens = line.split_whitespace();
        tokens
            .next()
            .is_some_and(|token| AUTOMAGICS.contains(&token))
            && !tokens.next().is_some_and(is_assignment_operator)
    });
    !automagic
}

fn is_assignment_operator(token: &str) -> bool {
    matches!(
        token,
        "=" | "+="
            | "-="
            | "*="
            | "/="
            | "//="
            | "%="
            | "**="
            | "&="
            | "|="
            | "^="
            | "@="
            | ">>="
            | "<<="
    )
}

/// The byte ranges of `source` that are IPython, not Python: each a whole escape, to the
/// end of its line or of its last `\` continuation line. Found only where a statement starts:
/// a `!` or `%` inside a string, a bracket or an expression is Python's.
pub fn escapes(source: &str) -> Vec<Range<usize>> {
    let bytes = source.as_bytes();
    let mut found: Vec<Range<usize>> = Vec::new();
    let mut scan = Scan::default();
    let mut start = 0;
    // A magic's `\`-continued lines belong to it.
    let mut continues_escape = false;
    while start < bytes.len() {
        let end = memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |i| start + i + 1);
        let line = &source[start..end];
        let content = line.trim_end_matches(['\n', '\r']);
        if continues_escape {
            if let Some(escape) = found.last_mut() {
                escape.end = start + content.len();
            }
            continues_escape = content.ends_with('\\');
        } else if scan.at_statement_start() {
            let indent = content.len() - content.trim_start_matches([' ', '\t']).len();
            if let Some(at) = escape_start(&content[indent..]) {
                found.push(start + indent + at..start + content.len());
                continues_escape = content.ends_with('\\');
                start = end;
                continue;
            }
            scan.line(content);
        } else {
            scan.line(content);
        }
        start = end;
    }
    found
}

/// `source` with its escapes blanked: each becomes `0` and spaces, its continuation lines
/// blank lines (same bytes, same lines).
pub fn blank(source: &str, escapes: &[Range<usize>]) -> String {
    let mut bytes = source.as_bytes().to_vec();
    for range in escapes {
        for byte in &mut bytes[range.clone()] {
            if *byte != b'\n' && *byte != b'\r' {
                *byte = b' ';
            }
        }
        if let Some(first) = bytes.get_mut(range.start).filter(|_| !range.is_empty()) {
            *first = b'0';
        }
    }
    // Only ASCII bytes were written over whole escapes, which start and end at character
    // boundaries (after indentation or `=`, at a line's end).
    String::from_utf8(bytes).unwrap_or_else(|_| source.to_string())
}

/// Where, in a statement's text (indentation removed), an IPython escape starts.
fn escape_start(statement: &str) -> Option<usize> {
    let first = *statement.as_bytes().first()?;
    if matches!(first, b'%' | b'!' | b'?') {
        return Some(0);
    }
    if is_help_suffix(statement) {
        return Some(0);
    }
    assignment_escape(statement)
}

/// `np.zeros?`, `np.*load*??`: a name asked about.
fn is_help_suffix(statement: &str) -> bool {
    let Some(name) = statement
        .strip_suffix("??")
        .or_else(|| statement.strip_suffix('?'))
    else {
        return false;
    };
    let name = name.trim_end();
    !name.is_empty()
        && name
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_' || b == b'*')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'*' | b'[' | b']'))
}

/// `files = !ls`, `t = %timeit -o f()`: where the escape that is assigned starts.
fn assignment_escape(statement: &str) -> Option<usize> {
    let equals = statement.find('=')?;
    let target = &statement[..equals];
    let simple_target = !target.trim().is_empty()
        && target.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'_' | b'.' | b',' | b' ' | b'\t' | b'[' | b']' | b'(' | b')' | b'*'
                )
        });
    if !simple_target {
        return None;
    }
    let rest = &statement[equals + 1..];
    let value = rest.trim_start_matches([' ', '\t']);
    let at = equals + 1 + (rest.len() - value.len());
    let bytes = value.as_bytes();
    (matches!(bytes.first(), Some(b'!' | b'%')) && bytes.get(1) != Some(&b'=')).then_some(at)
}

/// Just enough of Python's lexing to know where statements start: open brackets, strings
/// (a triple-quoted one spans lines), comments and `\` continuations.
#[derive(Default)]
struct Scan {
    depth: usize,
    triple: Option<u8>,
    /// A one-line string whose line ended with a `\`: it goes on on the next line.
    string: Option<u8>,
    continued: bool,
}

impl Scan {
    fn at_statement_start(&self) -> bool {
        self.depth == 0 && self.triple.is_none() && self.string.is_none() && !self.continued
    }

    /// Past the one-line string that starts at `from` (after its opening quote): the offset
    /// of its closing quote, or `None` when the line ends first (then a final `\` carries
    /// the string on to the next line).
    fn string_end(&mut self, bytes: &[u8], mut from: usize, quote: u8) -> Option<usize> {
        while from < bytes.len() && bytes[from] != quote {
            if bytes[from] == b'\\' {
                if from + 1 == bytes.len() {
                    self.string = Some(quote);
                    return None;
                }
                from += 2;
            } else {
                from += 1;
            }
        }
        (from < bytes.len()).then_some(from)
    }

    fn line(&mut self, line: &str) {
        let bytes = line.as_bytes();
        let mut i = 0;
        self.continued = false;
        if let Some(quote) = self.string.take() {
            match self.string_end(bytes, 0, quote) {
                Some(end) => i = end + 1,
                None => return,
            }
        }
        while i < bytes.len() {
            if let Some(quote) = self.triple {
                match find_triple(bytes, i, quote) {
                    Some(end) => {
                        self.triple = None;
                        i = end;
                        continue;
                    }
                    None => return,
                }
            }
            match bytes[i] {
                b'#' => return,
                b'(' | b'[' | b'{' => self.depth += 1,
                b')' | b']' | b'}' => self.depth = self.depth.saturating_sub(1),
                quote @ (b'\'' | b'"') => {
                    if bytes[i..].starts_with(&[quote, quote, quote]) {
                        self.triple = Some(quote);
                        i += 3;
                        continue;
                    }
                    // A one-line string ends at its quote, or at the line's end (where a
                    // final `\` carries it on).
                    match self.string_end(bytes, i + 1, quote) {
                        Some(end) => i = end,
                        None => return,
                    }
                }
                b'\\' if i + 1 == bytes.len() => self.continued = true,
                _ => {}
            }
            i += 1;
        }
    }
}

/// The offset just past the closing triple quote at or after `from`.
fn find_triple(bytes: &[u8], mut from: usize, quote: u8) -> Option<usize> {
    while from + 3 <= bytes.len() {
        if bytes[from] == b'\\' {
            from += 2;
            continue;
        }
        if bytes[from..].starts_with(&[quote, quote, quote]) {
            return Some(from + 3);
        }
        from += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blanked(source: &str) -> String {
        blank(source, &escapes(source))
    }

    #[test]
    fn line_magics_and_shell_escapes_become_a_statement_of_the_same_length() {
        let source = "%time x = 1\n!pip install numpy\nif x:\n    !ls -l\ny = 2\n";
        let out = blanked(source);
        assert_eq!(out.len(), source.len());
        assert_eq!(
            out,
            "0          \n0                 \nif x:\n    0     \ny = 2\n"
        );
    }

    #[test]
    fn assigned_escapes_and_help() {
        assert_eq!(blanked("files = !ls\n"), "files = 0  \n");
        assert_eq!(blanked("t = %timeit f()\n"), "t = 0          \n");
        assert_eq!(
            blanked("np.zeros?\n?np\nnp.*load*??\n"),
            "0        \n0  \n0          \n"
        );
    }

    #[test]
    fn python_is_left_alone() {
        for source in [
            "x = a % b\n",
            "x != y\n",
            "s = '''\n!not magic\n%nor this\n'''\n",
            "f(\n    !x\n)\n",
            "x = 1  # really?\n",
            "if a == b:\n    pass\n",
            "d = {'k': '!v'}\n",
            "s = \"abc\\\n%def\"\n",
            "s = 'a\\\n!b' + 'c'\n",
        ] {
            assert_eq!(blanked(source), source, "{source:?}");
        }
    }

    #[test]
    fn a_magic_continued_with_backslashes_is_blanked_whole() {
        assert_eq!(blanked("  %time f(\\\n1)\nx\n"), "  0        \n  \nx\n");
    }

    #[test]
    fn cells_that_are_not_python() {
        assert!(!is_python_cell("%%bash\necho hi\n"));
        assert!(!is_python_cell("pip install numpy\n"));
        assert!(is_python_cell("%%time\nx = 1\n"));
        assert!(is_python_cell("pip = 3\n"));
        assert!(is_python_cell("x = 1\n"));
        assert!(is_python_cell(""));
        // A cell magic counts only on the first line that is not blank.
        assert!(!is_python_cell("\n%%bash\necho hi\n"));
        assert!(is_python_cell(
            "HELP = \"\"\"\n%%html renders HTML\n\"\"\"\n"
        ));
        // An automagic after a comment still makes the cell a shell cell.
        assert!(!is_python_cell("# install deps\npip install numpy\n"));
        assert!(is_python_cell("# pip install numpy\nimport numpy\n"));
    }
}
