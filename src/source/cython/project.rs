//! The projection itself: statement by statement over the scanner's logical lines, each
//! rewrite in place and of the same length (see the parent module).

use ruff_text_size::{TextRange, TextSize};

use super::scan::{scan, Kind, Token};
use super::{CDeclaration, CDecls, CType, Cast};

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
                for (a, b) in projector.statements(line.start, line.end) {
                    if let Some(block) = projector.declaration_line(a, b) {
                        blocks.push((column, block));
                    }
                }
            }
            None => {
                for (a, b) in projector.statements(line.start, line.end) {
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
        self.is_name(k) && KEYWORDS.contains(&self.bytes(k))
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
        let depth = self.toks[k].depth;
        (k + 1..end).find(|&j| {
            self.toks[j].depth == depth
                && self.toks[j].kind == Kind::Op
                && matches!(self.bytes(j), b")" | b"]" | b"}")
        })
    }

    /// The first token in `a..b` at depth `depth` that is the operator `op`.
    fn find_op(&self, a: usize, b: usize, depth: u32, op: &[u8]) -> Option<usize> {
        (a..b).find(|&j| self.toks[j].depth == depth && self.is_op(j, op))
    }

    /// The statements of a logical line, split at top-level `;`.
    fn statements(&self, a: usize, b: usize) -> Vec<(usize, usize)> {
        let depth = self.toks[a].depth;
        let mut out = Vec::new();
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
        out
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
        if k >= b {
            return self.c_only(a, b);
        }
        if self.is_word(k, b"class") {
            self.class(a, k, b);
            return None;
        }
        self.declaration(a, k, b)
    }

    /// A line in a `cdef:` block.
    fn declaration_line(&mut self, a: usize, b: usize) -> Option<Block> {
        let mut k = a;
        while k < b && self.is_name(k) && MODIFIERS.contains(&self.bytes(k)) {
            k += 1;
        }
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

    /// The declaration after `cdef` and its modifiers (at `k`; the statement starts at
    /// `a`): C only, a function, or variables.
    fn declaration(&mut self, a: usize, k: usize, b: usize) -> Option<Block> {
        if self.is_name(k) && C_ONLY.contains(&self.bytes(k)) {
            return self.c_only(a, b);
        }
        let Some(declarator) = self.declarator(k, b, true) else {
            return self.c_only(a, b);
        };
        let Declarator { name, after, .. } = declarator;
        if declarator.cname {
            self.blank_tokens(name + 1, name + 2);
        }
        if self.is_op(after, b"(") {
            if after == name + 1 + usize::from(declarator.cname) && !self.is_op(after + 1, b"*") {
                return self.function(a, name, b, false);
            }
            // A function pointer.
            return self.c_only(a, b);
        }
        self.variables(a, k, b, declarator);
        None
    }

    /// One declarator from `k`: the type (when `typed`), stars, the name, array brackets.
    fn declarator(&self, k: usize, b: usize, typed: bool) -> Option<Declarator> {
        let mut j = k;
        if typed && self.is_op(j, b"(") {
            // A C tuple type.
            j = self.closer(j, b)? + 1;
        }
        let mut name = None;
        let mut cname = false;
        while j < b {
            let t = self.toks[j];
            match t.kind {
                Kind::Name => {
                    name = Some(j);
                    j += 1;
                }
                // The C name of a declaration: `cdef object x "c_x"`.
                Kind::Str if name == Some(j - 1) && j > k => {
                    cname = true;
                    j += 1;
                    break;
                }
                Kind::Op => match self.bytes(j) {
                    b"." | b"*" | b"**" | b"&" => j += 1,
                    b"[" => j = self.closer(j, b)? + 1,
                    _ => break,
                },
                _ => break,
            }
        }
        let name = name?;
        if !typed && name != k && !(k..name).all(|i| self.is_op(i, b"*") || self.is_op(i, b"**")) {
            return None;
        }
        Some(Declarator {
            type_start: k,
            name,
            after: j,
            cname,
        })
    }

    /// The C type of the declarator whose type starts at `type_start` and whose name is at
    /// `name` (array brackets up to `after`).
    fn ctype(&self, type_start: usize, name: usize, after: usize) -> CType {
        // The base ends at the first `[`, `*` or `&` (a C tuple's parentheses are in it).
        let mut base_end = type_start;
        let mut ended = false;
        let mut pointers: u32 = 0;
        let mut memoryview = false;
        let mut j = type_start;
        while j < name {
            let op = self.toks[j].kind == Kind::Op;
            match self.bytes(j) {
                b"[" | b"(" if op => {
                    let close = self.closer(j, name).unwrap_or(name);
                    if self.bytes(j) == b"[" {
                        let depth = self.toks[j].depth + 1;
                        memoryview |= self.find_op(j + 1, close, depth, b":").is_some();
                        ended = true;
                    } else if !ended {
                        base_end = close + 1;
                    }
                    j = close + 1;
                    continue;
                }
                b"*" if op => (pointers, ended) = (pointers + 1, true),
                b"**" if op => (pointers, ended) = (pointers + 2, true),
                b"&" if op => ended = true,
                _ if !ended => base_end = j + 1,
                _ => {}
            }
            j += 1;
        }
        let base = if base_end > type_start {
            let end = self.toks[base_end.min(name) - 1].end;
            normalize_spaces(&self.text[self.toks[type_start].start..end])
        } else {
            "object".to_string()
        };
        CType {
            base,
            pointers: u8::try_from(pointers).unwrap_or(u8::MAX),
            array: self.is_op(name + 1, b"[") && name + 1 < after,
            memoryview,
        }
    }

    fn record(&mut self, d: &Declarator, statement: TextRange, parameter: bool) {
        let ctype = self.ctype(d.type_start, d.name, d.after);
        self.decls.declarations.push(CDeclaration {
            name: self.name(d.name),
            name_range: self.token_range(d.name),
            range: statement,
            ctype,
            parameter,
        });
    }

    /// `cdef T a = v, *b, c[2]` -> `0;     a = v; b ; c   `.
    fn variables(&mut self, a: usize, k: usize, b: usize, first: Declarator) {
        let statement = self.range(a, b);
        let depth = self.toks[a].depth;
        let mut d = first;
        self.record(&d, statement, false);
        if d.name > a {
            self.blank_tokens(a, d.name);
            // `0; match = x` is taken for a `match` statement.
            if !(self.is_word(d.name, b"match") && self.put(self.toks[a].start, b"if 1:")) {
                self.put(self.toks[a].start, b"0;");
            }
        }
        loop {
            self.blank_tokens(d.name + 1, d.after);
            let mut j = d.after;
            if self.is_op(j, b"=") {
                let end = self.find_op(j + 1, b, depth, b",").unwrap_or(b);
                self.expression(j + 1, end);
                j = end;
            }
            if j >= b {
                return;
            }
            let next = self
                .is_op(j, b",")
                .then(|| self.declarator(j + 1, b, false))
                .flatten();
            let Some(next) = next else {
                // C the projection does not follow (`(*ranges)[3]`).
                self.blank_tokens(j, b);
                return;
            };
            self.blank_tokens(j, next.name);
            self.put(self.toks[j].start, b";");
            // The type is the first declarator's; the stars are this one's.
            let mut ctype = self.ctype(k, first.name, first.name);
            let own = self.ctype(next.type_start, next.name, next.after);
            ctype.pointers = own.pointers;
            ctype.array = own.array;
            self.decls.declarations.push(CDeclaration {
                name: self.name(next.name),
                name_range: self.token_range(next.name),
                range: statement,
                ctype,
                parameter: false,
            });
            d = next;
        }
    }

    /// A function whose name is at `name` and whose parameters follow it: `def` at the
    /// statement's start, the parameters' types blanked, the tail before `:` blanked; a
    /// declaration (no `:`) becomes `pass`.
    fn function(&mut self, a: usize, name: usize, b: usize, is_def: bool) -> Option<Block> {
        // After the name, or after its C name string.
        let open = if self.is_op(name + 1, b"(") {
            name + 1
        } else {
            name + 2
        };
        let Some(close) = self.closer(open, b) else {
            return self.c_only(a, b);
        };
        let depth = self.toks[a].depth;
        let Some(colon) = self.find_op(close + 1, b, depth, b":") else {
            // A declaration: its parameters may be bare types.
            self.pass(a, b);
            return None;
        };
        self.parameters(open + 1, close);
        if !is_def {
            self.blank_tokens(a, name);
            self.put(self.toks[a].start, b"def");
        }
        if is_def && self.is_op(close + 1, b"->") {
            self.expression(close + 2, colon);
        } else {
            // `except -1`, `except? -1`, `except *`, `except +`, `noexcept`, `nogil`,
            // `with gil`, `const`.
            self.blank_tokens(close + 1, colon);
        }
        self.expression(colon + 1, b);
        None
    }

    fn parameters(&mut self, a: usize, b: usize) {
        if a >= b {
            return;
        }
        let depth = self.toks[a].depth;
        let mut start = a;
        for k in a..=b {
            if k == b || self.toks[k].depth == depth && self.is_op(k, b",") {
                if k > start {
                    self.parameter(start, k);
                }
                start = k + 1;
            }
        }
    }

    fn parameter(&mut self, a: usize, b: usize) {
        let depth = self.toks[a].depth;
        if self.toks[a].kind == Kind::Op && matches!(self.bytes(a), b"*" | b"**" | b"/") {
            self.expression(a, b);
            return;
        }
        if b == a + 3 && (a..b).all(|j| self.is_op(j, b".")) {
            // C varargs.
            self.blank_tokens(a, b);
            return;
        }
        if let Some(name) = self.function_pointer_name(a, b) {
            let ctype = CType {
                base: normalize_spaces(&self.text[self.toks[a].start..self.toks[name - 2].start]),
                pointers: 1,
                array: false,
                memoryview: false,
            };
            self.decls.declarations.push(CDeclaration {
                name: self.name(name),
                name_range: self.token_range(name),
                range: self.range(a, b),
                ctype,
                parameter: true,
            });
            self.blank_tokens(a, name);
            self.blank_tokens(name + 1, b);
            return;
        }
        // The head is what comes before the annotation or the default value.
        let equals = (a..b)
            .find(|&j| self.toks[j].depth == depth && (self.is_op(j, b"=") || self.is_op(j, b":")));
        let mut head_end = equals.unwrap_or(b);
        if head_end >= a + 3
            && self.is_word(head_end - 1, b"None")
            && (self.is_word(head_end - 2, b"not") || self.is_word(head_end - 2, b"or"))
        {
            self.blank_tokens(head_end - 2, head_end);
            head_end -= 2;
        }
        if head_end > a + 1 {
            if let Some(d) = self.declarator(a, head_end, true) {
                if d.name > a && d.after == head_end {
                    self.record(&d, self.range(a, b), true);
                    self.blank_tokens(a, d.name);
                    self.blank_tokens(d.name + 1, head_end);
                }
            }
        }
        if let Some(eq) = equals {
            self.expression(eq + 1, b);
        }
    }

    /// The name of a function pointer parameter `T (*name)(ARGS) TAIL` in `a..b`.
    fn function_pointer_name(&self, a: usize, b: usize) -> Option<usize> {
        let depth = self.toks[a].depth;
        let open = (a + 1..b).find(|&j| self.toks[j].depth == depth && self.is_op(j, b"("))?;
        let name = open + 2;
        (self.is_op(open + 1, b"*") && self.is_name(name) && self.is_op(name + 1, b")"))
            .then_some(name)
    }

    // ---- expressions ---------------------------------------------------------------

    /// Casts, address-of, `sizeof(T*)`, `new`, C char literals in `a..b`.
    fn expression(&mut self, a: usize, b: usize) {
        // Whether the token before ends an operand: then `<` and `&` are binary.
        let mut operand_before = false;
        let mut k = a;
        while k < b {
            let t = self.toks[k];
            match t.kind {
                Kind::Op => {
                    let op = self.bytes(k);
                    if op == b"<" && !operand_before {
                        if let Some(close) = self.cast_end(k, b) {
                            let ctype = String::from_utf8_lossy(
                                &self.text[self.toks[k].end..self.toks[close].start],
                            )
                            .trim()
                            .to_string();
                            self.decls.casts.push(Cast {
                                range: TextRange::new(
                                    offset(t.start),
                                    offset(self.toks[close].end),
                                ),
                                ctype,
                            });
                            self.blank_tokens(k, close + 1);
                            if k == self.line_start {
                                // `<void>f(x)` as a statement: `0+    f(x)`.
                                self.put(t.start, b"0+");
                            }
                            k = close + 1;
                            continue;
                        }
                    }
                    if op == b"<"
                        && operand_before
                        && self.is_op(k + 1, b">")
                        && self.toks[k + 1].start == t.end
                    {
                        // Python 2's `<>`.
                        self.out[t.start..t.start + 2].copy_from_slice(b"!=");
                        k += 2;
                        operand_before = false;
                        continue;
                    }
                    if op == b"&" && !operand_before {
                        self.decls.address_of.push(offset(t.start));
                        self.blank_tokens(k, k + 1);
                        k += 1;
                        continue;
                    }
                    operand_before = matches!(op, b")" | b"]" | b"}");
                }
                Kind::Name => {
                    let name = self.bytes(k);
                    if name == b"sizeof" && self.is_op(k + 1, b"(") {
                        if let Some(close) = self.closer(k + 1, b) {
                            let simple = close == k + 3 && self.is_name(k + 2);
                            if !simple {
                                self.blank_tokens(k + 2, close);
                            }
                            k = close + 1;
                            operand_before = true;
                            continue;
                        }
                    }
                    if name == b"for" && self.is_name(k + 1) && self.is_word(k + 2, b"from") {
                        self.replace(k + 2, b"in");
                        k += 3;
                        operand_before = false;
                        continue;
                    }
                    let statement_start =
                        k == a || self.is_op(k - 1, b":") && t.depth == self.toks[a].depth;
                    if name == b"print" && statement_start && self.print_statement(k, b) {
                        k += 1;
                        operand_before = false;
                        continue;
                    }
                    if name == b"raise" {
                        // Python 2's `raise E, value[, traceback]`, which Cython still reads.
                        let depth = t.depth;
                        for j in k + 1..b {
                            if self.toks[j].depth == depth && self.is_op(j, b",") {
                                self.out[self.toks[j].start] = b';';
                            }
                        }
                    }
                    if name == b"new" && !operand_before && self.is_name(k + 1) && k + 1 < b {
                        self.blank_tokens(k, k + 1);
                        k += 1;
                        continue;
                    }
                    operand_before = !self.is_keyword(k);
                }
                Kind::Number => {
                    // C integer suffixes: `1U`, `24UL`, `1LL`.
                    let digits = self.bytes(k);
                    let hex = digits.len() > 1 && matches!(digits[1], b'x' | b'X');
                    let suffix = digits
                        .iter()
                        .rev()
                        .take_while(|b| matches!(b, b'u' | b'U' | b'l' | b'L'))
                        .count();
                    if suffix > 0 && suffix < digits.len() && (!hex || suffix < digits.len() - 2) {
                        self.blank(t.end - suffix, t.end);
                    }
                    operand_before = true;
                }
                Kind::Str => {
                    let prefix = &self.text[t.start..t.start + usize::from(t.prefix)];
                    if prefix.eq_ignore_ascii_case(b"c") {
                        // A C char literal `c'a'`.
                        self.out[t.start] = b' ';
                    } else if prefix.eq_ignore_ascii_case(b"ur")
                        || prefix.eq_ignore_ascii_case(b"ru")
                    {
                        // Python 2's `ur"..."`/`ru"..."`, which Cython reads: one letter goes
                        // (a string either way).
                        self.out[t.start] = b' ';
                    } else if prefix.iter().any(|b| matches!(b, b'f' | b'F')) {
                        self.fstring_casts(t.start + prefix.len(), t.end);
                    }
                    operand_before = true;
                }
            }
            k += 1;
        }
    }

    /// Casts in the replacement fields of the f-string body `from..to`
    /// (`f"{<long>x}"`): the same test as in code, on bytes.
    fn fstring_casts(&mut self, from: usize, to: usize) {
        let text = self.text;
        let mut field = 0u32;
        // The last byte of code before `i` in a field, blanks skipped.
        let mut before: u8 = b'{';
        let mut i = from;
        while i < to {
            let b = text[i];
            match b {
                b'{' if field == 0 && text.get(i + 1) == Some(&b'{') => i += 1,
                b'{' => {
                    field += 1;
                    before = b'{';
                }
                b'}' if field > 0 => {
                    field -= 1;
                    before = b'}';
                }
                b'\'' | b'"' if field > 0 && b != text[from] => {
                    // A string inside the field.
                    let end = text[i + 1..to]
                        .iter()
                        .position(|c| *c == b)
                        .map_or(to, |p| i + 1 + p);
                    i = end;
                    before = b'"';
                }
                b'<' if field > 0 && matches!(before, b'{' | b'(' | b'[' | b',' | b'=' | b':') => {
                    let close = text[i + 1..to]
                        .iter()
                        .position(|c| !(c.is_ascii_alphanumeric() || b" _.*?[]:".contains(c)))
                        .map(|p| i + 1 + p)
                        .filter(|&c| text[c] == b'>');
                    let named =
                        close.is_some_and(|c| text[i + 1..c].iter().any(u8::is_ascii_alphabetic));
                    let operand = close
                        .and_then(|c| text.get(c + 1))
                        .is_some_and(|n| n.is_ascii_alphanumeric() || b"_([-'\"".contains(n));
                    if let (Some(close), true, true) = (close, named, operand) {
                        self.decls.casts.push(Cast {
                            range: TextRange::new(offset(i), offset(close + 1)),
                            ctype: String::from_utf8_lossy(&text[i + 1..close])
                                .trim()
                                .to_string(),
                        });
                        self.blank(i, close + 1);
                        i = close + 1;
                        before = b'>';
                        continue;
                    }
                    before = b;
                }
                b' ' | b'\t' => {}
                _ if field > 0 => before = b,
                _ => {}
            }
            i += 1;
        }
    }

    /// Python 2's `print x, y` (and `print >>f, x`), which Cython still reads in
    /// `language_level=2` files: `0;    x, y`.
    fn print_statement(&mut self, k: usize, b: usize) -> bool {
        let next = k + 1;
        let statement = next < b
            && match self.toks[next].kind {
                Kind::Name => !self.is_keyword(next) || self.is_word(next, b"not"),
                Kind::Number | Kind::Str => true,
                Kind::Op => matches!(self.bytes(next), b"[" | b"{" | b"-" | b"~" | b">>"),
            };
        if statement {
            self.blank_tokens(k, k + 1);
            self.put(self.toks[k].start, b"0;");
            if self.is_op(next, b">>") {
                self.blank_tokens(next, next + 1);
            }
        }
        statement
    }

    /// The `>` closing a cast opened by the `<` at `k`: a type inside, an operand after.
    fn cast_end(&self, k: usize, b: usize) -> Option<usize> {
        let mut j = k + 1;
        let mut named = false;
        while j < b {
            match self.toks[j].kind {
                Kind::Name => named = true,
                Kind::Op => match self.bytes(j) {
                    b">" => break,
                    b"." | b"*" | b"**" | b"?" | b"&" => {}
                    b"[" | b"(" => j = self.closer(j, b)?,
                    _ => return None,
                },
                _ => return None,
            }
            j += 1;
        }
        if j >= b || !named {
            return None;
        }
        let next = j + 1;
        let operand = next < b
            && match self.toks[next].kind {
                Kind::Name => {
                    !self.is_keyword(next)
                        || matches!(self.bytes(next), b"not" | b"lambda" | b"await")
                }
                Kind::Number | Kind::Str => true,
                Kind::Op => matches!(
                    self.bytes(next),
                    b"(" | b"[" | b"{" | b"-" | b"+" | b"~" | b"<" | b"&"
                ),
            };
        operand.then_some(j)
    }
}

#[derive(Debug, Clone, Copy)]
struct Declarator {
    /// Where the type (or, after a comma, the stars) starts.
    type_start: usize,
    name: usize,
    /// The token after the name's array brackets (or its C name).
    after: usize,
    /// A C name string follows the name.
    cname: bool,
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
