//! The projection itself: statement by statement over the scanner's logical lines, each
//! rewrite in place and of the same length (see the parent module).

use ruff_text_size::{TextRange, TextSize};

use super::scan::{scan, Kind, Token, NO_PARTNER};
use super::CDecls;

mod declarations;
mod expressions;

/// What the lines indented under a header are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Block {
    /// Pure C (`cdef extern from`, `struct`, `ctypedef ...:`): blanked.
    C,
    /// A `cdef:` block: each line a declaration without its `cdef`.
    Declarations,
}

/// Python keywords: a name that is one of these does not end an operand (a `<` or `&`
/// after it starts a cast or an address-of).
const KEYWORDS: &[&[u8]] = &[
    b"and",
    b"as",
    b"assert",
    b"async",
    b"await",
    b"del",
    b"elif",
    b"else",
    b"except",
    b"for",
    b"from",
    b"global",
    b"if",
    b"import",
    b"in",
    b"is",
    b"lambda",
    b"nonlocal",
    b"not",
    b"or",
    b"raise",
    b"return",
    b"while",
    b"with",
    b"yield",
];

/// Words between `cdef`/`cpdef` and what it declares.
const MODIFIERS: &[&[u8]] = &[
    b"public",
    b"readonly",
    b"api",
    b"inline",
    b"static",
    b"final",
    b"noexcept",
];

/// What follows `cdef` (after its modifiers) when the statement is pure C.
const C_ONLY: &[&[u8]] = &[
    b"struct",
    b"union",
    b"enum",
    b"cppclass",
    b"packed",
    b"fused",
    b"extern",
    b"ctypedef",
];

pub(super) struct Projector<'a> {
    text: &'a [u8],
    out: Vec<u8>,
    toks: Vec<Token>,
    decls: CDecls,
    /// The first token of the current logical line: a cast there cannot become blanks
    /// (the statement would move right).
    line_start: usize,
    /// The decorator lines right before the current line (token range): a declaration
    /// that becomes `pass` takes them with it.
    decorators: Option<(usize, usize)>,
}

pub(super) fn project(text: &str) -> (String, CDecls) {
    let bytes = text.as_bytes();
    let scanned = scan(bytes);
    let mut projector = Projector {
        text: bytes,
        out: bytes.to_vec(),
        toks: scanned.tokens,
        decls: CDecls::default(),
        line_start: 0,
        decorators: None,
    };
    let mut decorators: Option<(usize, usize, usize)> = None;
    let mut blocks: Vec<(usize, Block)> = Vec::new();
    let mut statements = Vec::new();
    for line in scanned.lines {
        let column = projector.column(line.start);
        projector.line_start = line.start;
        projector.decorators = decorators
            .filter(|(_, _, c)| *c == column)
            .map(|(a, b, _)| (a, b));
        decorators = if projector.is_op(line.start, b"@") {
            let first = projector.decorators.map_or(line.start, |(a, _)| a);
            Some((first, line.end, column))
        } else {
            None
        };
        while blocks.last().is_some_and(|(c, _)| *c >= column) {
            blocks.pop();
        }
        match blocks.last() {
            Some((_, Block::C)) => {
                projector.blank_tokens(line.start, line.end);
                continue;
            }
            Some((_, Block::Declarations)) => {
                projector.statements(line.start, line.end, &mut statements);
                for &(a, b) in &statements {
                    if let Some(block) = projector.declaration_line(a, b) {
                        blocks.push((column, block));
                    }
                }
            }
            None => {
                projector.statements(line.start, line.end, &mut statements);
                for &(a, b) in &statements {
                    if let Some(block) = projector.statement(a, b) {
                        blocks.push((column, block));
                    }
                }
            }
        }
    }
    let Projector { out, decls, .. } = projector;
    // Only ASCII bytes were replaced, by ASCII bytes: still UTF-8.
    let python = String::from_utf8(out).unwrap_or_else(|_| text.to_string());
    (python, decls)
}

impl<'a> Projector<'a> {
    // ---- token queries -------------------------------------------------------------

    fn bytes(&self, k: usize) -> &'a [u8] {
        let t = &self.toks[k];
        &self.text[t.start..t.end]
    }

    fn is_op(&self, k: usize, op: &[u8]) -> bool {
        self.toks.get(k).is_some_and(|t| t.kind == Kind::Op) && self.bytes(k) == op
    }

    fn is_name(&self, k: usize) -> bool {
        self.toks.get(k).is_some_and(|t| t.kind == Kind::Name)
    }

    fn is_word(&self, k: usize, word: &[u8]) -> bool {
        self.is_name(k) && self.bytes(k) == word
    }

    fn is_keyword(&self, k: usize) -> bool {
        // Most names are longer than any keyword, or start with a letter none starts with.
        self.is_name(k) && {
            let name = self.bytes(k);
            name.len() <= 8
                && matches!(
                    name[0],
                    b'a' | b'd'
                        | b'e'
                        | b'f'
                        | b'g'
                        | b'i'
                        | b'l'
                        | b'n'
                        | b'o'
                        | b'r'
                        | b'w'
                        | b'y'
                )
                && KEYWORDS.contains(&name)
        }
    }

    /// The byte column of token `k` in its line.
    fn column(&self, k: usize) -> usize {
        let start = self.toks[k].start;
        let line_start = self.text[..start]
            .iter()
            .rposition(|b| matches!(b, b'\n' | b'\r'))
            .map_or(0, |p| p + 1);
        start - line_start
    }

    /// The closer of the bracket opened at `k`, before `end`.
    fn closer(&self, k: usize, end: usize) -> Option<usize> {
        let partner = self.toks[k].partner;
        (partner != NO_PARTNER)
            .then_some(partner as usize)
            .filter(|&j| j > k && j < end)
    }

    /// The first token in `a..b` at depth `depth` that is the operator `op`.
    fn find_op(&self, a: usize, b: usize, depth: u32, op: &[u8]) -> Option<usize> {
        (a..b).find(|&j| self.toks[j].depth == depth && self.is_op(j, op))
    }

    /// The statements of a logical line, split at top-level `;`, into `out`.
    fn statements(&self, a: usize, b: usize, out: &mut Vec<(usize, usize)>) {
        let depth = self.toks[a].depth;
        out.clear();
        let mut start = a;
        for k in a..b {
            if self.toks[k].depth == depth && self.is_op(k, b";") {
                if k > start {
                    out.push((start, k));
                }
                start = k + 1;
            }
        }
        if b > start {
            out.push((start, b));
        }
    }

    /// Whether a line break lies between the tokens `a` and `b`.
    fn spans_lines(&self, a: usize, b: usize) -> bool {
        self.text[self.toks[a].start..self.toks[b].end]
            .iter()
            .any(|b| matches!(b, b'\n' | b'\r'))
    }

    /// A statement that ends with `:` opens a block.
    fn ends_with_colon(&self, a: usize, b: usize) -> bool {
        b > a && self.toks[b - 1].depth == self.toks[a].depth && self.is_op(b - 1, b":")
    }

    // ---- writing -------------------------------------------------------------------

    /// Blank `from..to`: ASCII bytes other than line breaks become spaces. A line segment
    /// holding non-ASCII bytes (which stay) becomes a comment from its first byte when
    /// that byte is ASCII.
    fn blank(&mut self, from: usize, to: usize) {
        let mut segment = from;
        for i in from..to {
            let b = self.text[i];
            if b == b'\n' || b == b'\r' {
                segment = i + 1;
            } else if b < 0x80 {
                self.out[i] = b' ';
            } else if segment < i && self.text[segment] < 0x80 {
                self.out[segment] = b'#';
                segment = usize::MAX / 2;
            }
        }
    }

    fn blank_tokens(&mut self, a: usize, b: usize) {
        for k in a..b {
            let Token { start, end, .. } = self.toks[k];
            self.blank(start, end);
        }
    }

    /// Write ASCII `s` at `at` where the projection has blanks on one line.
    fn put(&mut self, at: usize, s: &[u8]) -> bool {
        let fits = self
            .out
            .get(at..at + s.len())
            .is_some_and(|span| span.iter().all(|b| matches!(b, b' ' | b'\t' | b'\x0c')));
        if fits {
            self.out[at..at + s.len()].copy_from_slice(s);
        }
        fits
    }

    /// Replace the token `k` (all ASCII) by `s`, padded with blanks.
    fn replace(&mut self, k: usize, s: &[u8]) {
        let Token { start, end, .. } = self.toks[k];
        if end - start >= s.len() && self.text[start..end].is_ascii() {
            self.blank(start, end);
            self.put(start, s);
        }
    }

    /// The statement becomes `pass` (or `0` where `pass` does not fit) and blanks.
    fn pass(&mut self, a: usize, b: usize) {
        if let Some((first, last)) = self.decorators.take() {
            if !self.is_op(a, b"@") {
                self.blank_tokens(first, last);
            }
        }
        self.blank_tokens(a, b);
        let at = self.toks[a].start;
        let end = self.toks[b - 1].end;
        let written = if self.put(at, b"pass") {
            4
        } else {
            usize::from(self.put(at, b"0"))
        };
        // Names that are not ASCII stay: after a `#` (on the statement's first line).
        if !self.text[at..end].is_ascii() {
            self.put(at + written, b"#");
        }
    }

    fn range(&self, a: usize, b: usize) -> TextRange {
        TextRange::new(offset(self.toks[a].start), offset(self.toks[b - 1].end))
    }

    fn token_range(&self, k: usize) -> TextRange {
        TextRange::new(offset(self.toks[k].start), offset(self.toks[k].end))
    }

    fn name(&self, k: usize) -> String {
        String::from_utf8_lossy(self.bytes(k)).into_owned()
    }

    // ---- statements ----------------------------------------------------------------

    /// One statement outside C and `cdef:` blocks; the block its body is, if it opens one.
    fn statement(&mut self, a: usize, b: usize) -> Option<Block> {
        if self.toks[a].kind != Kind::Name {
            self.expression(a, b);
            return None;
        }
        match self.bytes(a) {
            b"cdef" | b"cpdef" if b > a + 1 => return self.cdef(a, b),
            b"ctypedef" => return self.c_only(a, b),
            b"def" if self.is_name(a + 1) && self.is_op(a + 2, b"(") => {
                self.function(a, a + 1, b, true);
            }
            b"async"
                if self.is_word(a + 1, b"def")
                    && self.is_name(a + 2)
                    && self.is_op(a + 3, b"(") =>
            {
                self.function(a, a + 2, b, true);
            }
            b"cimport" => {
                self.replace(a, b"import");
            }
            b"from" => match (a + 1..b).find(|&k| self.is_word(k, b"cimport")) {
                Some(k) => {
                    self.blank_tokens(k, k + 1);
                    self.put(self.toks[k].start + 1, b"import");
                }
                None => self.expression(a, b),
            },
            b"include" if b == a + 2 && self.toks[a + 1].kind == Kind::Str => self.pass(a, b),
            b"DEF" if self.is_name(a + 1) && self.is_op(a + 2, b"=") => {
                self.replace(a, b"0;");
                self.expression(a + 3, b);
            }
            b"IF" | b"ELIF" | b"ELSE" if self.ends_with_colon(a, b) => {
                let lower = self.bytes(a).to_ascii_lowercase();
                let Token { start, end, .. } = self.toks[a];
                self.out[start..end].copy_from_slice(&lower);
                self.expression(a + 1, b);
            }
            b"property" if b == a + 3 && self.is_name(a + 1) && self.is_op(a + 2, b":") => {
                self.replace(a, b"class");
                self.decls.legacy_properties.push(self.token_range(a + 1));
            }
            b"for" if self.is_name(a + 1) && self.is_word(a + 2, b"from") => {
                self.replace(a + 2, b"in");
                let depth = self.toks[a].depth;
                let colon = self.find_op(a + 3, b, depth, b":").unwrap_or(b);
                if let Some(by) =
                    (a + 3..colon).find(|&k| self.toks[k].depth == depth && self.is_word(k, b"by"))
                {
                    self.blank_tokens(by, colon);
                }
                self.expression(a + 3, b);
            }
            _ => self.expression(a, b),
        }
        None
    }

    /// A pure C statement: `pass`, and its body blanked.
    fn c_only(&mut self, a: usize, b: usize) -> Option<Block> {
        let block = self.ends_with_colon(a, b).then_some(Block::C);
        self.pass(a, b);
        block
    }

    /// `cdef`/`cpdef` at `a`.
    fn cdef(&mut self, a: usize, b: usize) -> Option<Block> {
        let mut k = a + 1;
        while k < b && self.is_name(k) && MODIFIERS.contains(&self.bytes(k)) {
            k += 1;
        }
        if k == b - 1 && self.is_op(k, b":") {
            // `cdef:` -> `if 1:`
            self.blank_tokens(a, k);
            self.put(self.toks[a].start, b"if 1");
            return Some(Block::Declarations);
        }
        self.after_modifiers(a, k, b)
    }

    /// A line in a `cdef:` block.
    fn declaration_line(&mut self, a: usize, b: usize) -> Option<Block> {
        let mut k = a;
        while k < b && self.is_name(k) && MODIFIERS.contains(&self.bytes(k)) {
            k += 1;
        }
        self.after_modifiers(a, k, b)
    }

    /// The statement `a..b` past its `cdef` and modifiers (at `k`): a class, a declaration,
    /// or nothing but C.
    fn after_modifiers(&mut self, a: usize, k: usize, b: usize) -> Option<Block> {
        if k >= b {
            return self.c_only(a, b);
        }
        if self.is_word(k, b"class") {
            self.class(a, k, b);
            return None;
        }
        self.declaration(a, k, b)
    }

    /// `cdef [modifiers] class NAME[(BASES)] [[object O, type T]]:` with `class` at `k`.
    fn class(&mut self, a: usize, k: usize, b: usize) {
        let name = k + 1;
        if !self.is_name(name) {
            self.c_only(a, b);
            return;
        }
        let depth = self.toks[a].depth;
        let Some(colon) = self.find_op(name + 1, b, depth, b":") else {
            // A forward declaration.
            self.pass(a, b);
            return;
        };
        let mut j = name + 1;
        let mut bases = None;
        if self.is_op(j, b"(") {
            let close = self.closer(j, colon).unwrap_or(colon);
            self.expression(j, close);
            bases = Some(close);
            j = close + 1;
        }
        let names = self.is_op(j, b"[").then(|| self.closer(j, colon)).flatten();
        match names {
            // `[object XObject, type XType]` over several lines: its brackets become the
            // bases' parentheses, so that the line breaks stay inside brackets.
            Some(close) if close + 1 == colon && self.spans_lines(j, close) => {
                self.blank_tokens(j + 1, close);
                match bases {
                    Some(bases) => {
                        self.out[self.toks[bases].start] = b',';
                        self.out[self.toks[j].start] = b' ';
                    }
                    None => self.out[self.toks[j].start] = b'(',
                }
                self.out[self.toks[close].start] = b')';
            }
            _ => self.blank_tokens(j, colon),
        }
        self.blank_tokens(a, name);
        self.put(self.toks[a].start, b"class");
        self.decls.cdef_classes.push(self.token_range(name));
        self.expression(colon + 1, b);
    }
}

fn offset(at: usize) -> TextSize {
    TextSize::try_from(at).unwrap_or(TextSize::new(u32::MAX))
}

/// A type as written, its runs of blanks and line breaks made one space.
fn normalize_spaces(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    let mut out = String::with_capacity(text.len());
    for word in text.split(|c: char| c.is_whitespace() || c == '\\') {
        if word.is_empty() {
            continue;
        }
        if !out.is_empty() && needs_space(&out, word) {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Whether two words of a type were apart for a reason (`unsigned char`, not `np . ndarray`).
fn needs_space(before: &str, word: &str) -> bool {
    let last = before.chars().last().unwrap_or(' ');
    let first = word.chars().next().unwrap_or(' ');
    (last.is_alphanumeric() || last == '_') && (first.is_alphanumeric() || first == '_')
}
