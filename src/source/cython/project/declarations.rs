//! Declarations: `cdef` variables and functions, declarators, C types, parameters.

use ruff_text_size::TextRange;

use super::super::scan::Kind;
use super::super::{CDeclaration, CType};
use super::{normalize_spaces, Block, Projector, C_ONLY};

impl Projector<'_> {
    /// The declaration after `cdef` and its modifiers (at `k`; the statement starts at
    /// `a`): C only, a function, or variables.
    pub(super) fn declaration(&mut self, a: usize, k: usize, b: usize) -> Option<Block> {
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
    pub(super) fn declarator(&self, k: usize, b: usize, typed: bool) -> Option<Declarator> {
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
    pub(super) fn ctype(&self, type_start: usize, name: usize, after: usize) -> CType {
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

    pub(super) fn record(&mut self, d: &Declarator, statement: TextRange, parameter: bool) {
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
    pub(super) fn variables(&mut self, a: usize, k: usize, b: usize, first: Declarator) {
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
        // A type over several lines (`cdef tuple[\n ...\n] t`): its outer brackets stay, an
        // empty display, so that the line breaks stay inside brackets: `0; [\n\n];t`.
        let multiline = (k..d.name).find(|&o| {
            self.closer(o, d.name)
                .is_some_and(|c| self.spans_lines(o, c))
        });
        if let Some(open) = multiline {
            if let Some(close) = self.closer(open, d.name) {
                for bracket in [open, close] {
                    let at = self.toks[bracket].start;
                    self.out[at] = self.text[at];
                }
                self.put(self.toks[close].end, b";");
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
    pub(super) fn function(
        &mut self,
        a: usize,
        name: usize,
        b: usize,
        is_def: bool,
    ) -> Option<Block> {
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

    pub(super) fn parameters(&mut self, a: usize, b: usize) {
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

    pub(super) fn parameter(&mut self, a: usize, b: usize) {
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
    pub(super) fn function_pointer_name(&self, a: usize, b: usize) -> Option<usize> {
        let depth = self.toks[a].depth;
        let open = (a + 1..b).find(|&j| self.toks[j].depth == depth && self.is_op(j, b"("))?;
        let name = open + 2;
        (self.is_op(open + 1, b"*") && self.is_name(name) && self.is_op(name + 1, b")"))
            .then_some(name)
    }
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Declarator {
    /// Where the type (or, after a comma, the stars) starts.
    pub(super) type_start: usize,
    pub(super) name: usize,
    /// The token after the name's array brackets (or its C name).
    pub(super) after: usize,
    /// A C name string follows the name.
    pub(super) cname: bool,
}
