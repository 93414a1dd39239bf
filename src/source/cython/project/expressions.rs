//! Expressions: casts, address-of, `sizeof`, `new`, C literals, Python 2's statements.

use ruff_text_size::TextRange;

use super::super::scan::Kind;
use super::super::Cast;
use super::{offset, Projector};

impl Projector<'_> {
    /// Casts, address-of, `sizeof(T*)`, `new`, C char literals in `a..b`.
    pub(super) fn expression(&mut self, a: usize, b: usize) {
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
                            // `sizeof(unsigned char)`, `sizeof(T*)`: a type, blanked;
                            // `sizeof(x)`, `sizeof(buf[0])`: an expression, kept.
                            let pointer = close > k + 2
                                && matches!(self.bytes(close - 1), b"*" | b"**" | b"&");
                            let words = (k + 2..close.saturating_sub(1))
                                .any(|j| self.is_name(j) && self.is_name(j + 1));
                            if pointer || words {
                                self.blank_tokens(k + 2, close);
                            } else {
                                self.expression(k + 2, close);
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
                    if matches!(name, b"print" | b"exec")
                        && statement_start
                        && self.print_statement(k, b)
                    {
                        k += 1;
                        operand_before = false;
                        continue;
                    }
                    if name == b"lambda" {
                        // Cython's typed lambda arguments: `lambda int x: x + 1`.
                        if let Some(colon) = self.find_op(k + 1, b, t.depth, b":") {
                            self.parameters(k + 1, colon);
                            k = colon + 1;
                            operand_before = false;
                            continue;
                        }
                    }
                    if name == b"raise" {
                        // Python 2's `raise E, value[, traceback]`, which Cython still reads.
                        let depth = t.depth;
                        for j in k + 1..b {
                            if self.toks[j].depth == depth && self.is_op(j, b",") {
                                self.out[self.toks[j].start] = b';';
                            } else if self.is_word(j, b"raise") {
                                break; // that one's commas are its own
                            }
                        }
                    }
                    if name == b"new"
                        && !operand_before
                        && self.is_name(k + 1)
                        && !self.is_keyword(k + 1)
                        && k + 1 < b
                    {
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
    pub(super) fn fstring_casts(&mut self, from: usize, to: usize) {
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

    /// Python 2's `print x, y` (and `print >>f, x`) and `exec code in d`, which Cython
    /// still reads in `language_level=2` files: `0;    x, y`.
    pub(super) fn print_statement(&mut self, k: usize, b: usize) -> bool {
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
    pub(super) fn cast_end(&self, k: usize, b: usize) -> Option<usize> {
        let mut j = k + 1;
        let mut named = false;
        while j < b {
            match self.toks[j].kind {
                Kind::Name => named = true,
                Kind::Op => match self.bytes(j) {
                    b">" => break,
                    b"." | b"*" | b"**" | b"?" | b"&" => {}
                    // A C tuple `(int, double)` is a type; `[...]` follows one.
                    b"(" => {
                        j = self.closer(j, b)?;
                        named = true;
                    }
                    b"[" => j = self.closer(j, b)?,
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
