//! The byte scanner under the projection: Cython's tokens (names, numbers, strings,
//! operators; comments and blanks skipped) with their bracket depth, grouped into logical
//! lines. No allocation per byte: one token vector and one line vector per text.

use std::ops::Range;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Name,
    Number,
    /// A string literal, its prefix (`b`, `r`, `f`, `c`, ...) included.
    Str,
    Op,
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Token {
    pub start: usize,
    pub end: usize,
    pub kind: Kind,
    /// Brackets open before the token (an opener and its closer have the same depth).
    pub depth: u32,
    /// The length of a string's prefix (0 for other tokens).
    pub prefix: u8,
    /// For a bracket, the index of the one that closes or opens it (`NO_PARTNER` when
    /// unbalanced): the scanner pairs them once, so a look-up is not a scan.
    pub partner: u32,
}

pub(super) const NO_PARTNER: u32 = u32::MAX;

pub(super) struct Scan {
    pub tokens: Vec<Token>,
    /// Logical lines as ranges of `tokens` (a newline inside brackets or after a backslash
    /// does not end one).
    pub lines: Vec<Range<usize>>,
}

/// Bytes that continue a name (non-ASCII ones included: Python's names may be Unicode).
const IDENT: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let byte = b as u8;
        table[b] = byte.is_ascii_alphanumeric() || byte == b'_' || byte >= 0x80;
        b += 1;
    }
    table
};

fn is_ident_start(b: u8) -> bool {
    IDENT[usize::from(b)] && !b.is_ascii_digit()
}

#[inline]
fn is_ident(b: u8) -> bool {
    IDENT[usize::from(b)]
}

/// Python's string prefixes and Cython's `c` (a C char literal), in any case and order.
fn is_string_prefix(name: &[u8]) -> bool {
    name.len() <= 3
        && name
            .iter()
            .all(|b| matches!(b.to_ascii_lowercase(), b'r' | b'b' | b'u' | b'f' | b'c'))
}

/// The end of the string literal whose opening quote is at `quote`. An unterminated
/// one-line string ends at its line's end; an unterminated triple-quoted one at the end.
fn string_end(text: &[u8], quote: usize) -> usize {
    let q = text[quote];
    let triple = text.get(quote + 1) == Some(&q) && text.get(quote + 2) == Some(&q);
    let mut i = quote + if triple { 3 } else { 1 };
    while i < text.len() {
        match text[i] {
            // A backslash keeps the next byte (a quote or a newline) in the string, raw or not.
            b'\\' => i += 2,
            b'\n' | b'\r' if !triple => return i,
            b if b == q => {
                if !triple {
                    return i + 1;
                }
                if text.get(i + 1) == Some(&q) && text.get(i + 2) == Some(&q) {
                    return i + 3;
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    text.len()
}

/// The length of the operator at `i` (1 to 3 bytes).
fn operator_len(text: &[u8], i: usize) -> usize {
    let a = text[i];
    let b = text.get(i + 1).copied().unwrap_or(0);
    let c = text.get(i + 2).copied().unwrap_or(0);
    if matches!(
        (a, b),
        (b'*', b'*') | (b'/', b'/') | (b'<', b'<') | (b'>', b'>')
    ) {
        return if c == b'=' { 3 } else { 2 };
    }
    let compound_assignment = b == b'='
        && matches!(
            a,
            b'<' | b'>'
                | b'='
                | b'!'
                | b':'
                | b'+'
                | b'-'
                | b'*'
                | b'/'
                | b'%'
                | b'&'
                | b'|'
                | b'^'
                | b'@'
        );
    if compound_assignment || (a, b) == (b'-', b'>') {
        return 2;
    }
    1
}

fn number_end(text: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < text.len() {
        let b = text[i];
        let exponent_sign = matches!(b, b'+' | b'-')
            && matches!(text[i - 1], b'e' | b'E')
            && !matches!(text.get(start + 1), Some(b'x' | b'X'));
        if is_ident(b) && b < 0x80 || b == b'.' || exponent_sign {
            i += 1;
        } else {
            break;
        }
    }
    i
}

pub(super) fn scan(text: &[u8]) -> Scan {
    let mut tokens: Vec<Token> = Vec::with_capacity(text.len() / 6);
    let mut lines = Vec::with_capacity(text.len() / 40);
    let mut line_first = 0;
    let mut depth: u32 = 0;
    let mut i = 0;
    let n = text.len();
    #[inline(always)]
    fn push(tokens: &mut Vec<Token>, start: usize, end: usize, kind: Kind, depth: u32, prefix: u8) {
        tokens.push(Token {
            start,
            end,
            kind,
            depth,
            prefix,
            partner: NO_PARTNER,
        })
    }
    // The open brackets, innermost last.
    let mut open: Vec<usize> = Vec::new();
    while i < n {
        let b = text[i];
        match b {
            b' ' | b'\t' | b'\x0c' => i += 1,
            b'\\' if matches!(text.get(i + 1), Some(b'\n' | b'\r')) => {
                i += 2;
                if text[i - 1] == b'\r' && text.get(i) == Some(&b'\n') {
                    i += 1;
                }
            }
            b'\n' | b'\r' => {
                if depth == 0 && tokens.len() > line_first {
                    lines.push(line_first..tokens.len());
                    line_first = tokens.len();
                }
                i += 1;
            }
            b'#' => {
                while i < n && text[i] != b'\n' && text[i] != b'\r' {
                    i += 1;
                }
            }
            b'"' | b'\'' => {
                let end = string_end(text, i);
                push(&mut tokens, i, end, Kind::Str, depth, 0);
                i = end;
            }
            b'0'..=b'9' => {
                let end = number_end(text, i);
                push(&mut tokens, i, end, Kind::Number, depth, 0);
                i = end;
            }
            b'.' if text.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                let end = number_end(text, i);
                push(&mut tokens, i, end, Kind::Number, depth, 0);
                i = end;
            }
            b if is_ident_start(b) => {
                let mut j = i + 1;
                while j < n && is_ident(text[j]) {
                    j += 1;
                }
                if j < n && matches!(text[j], b'"' | b'\'') && is_string_prefix(&text[i..j]) {
                    let end = string_end(text, j);
                    // At most 3 bytes (`is_string_prefix`).
                    push(&mut tokens, i, end, Kind::Str, depth, (j - i) as u8);
                    i = end;
                } else {
                    push(&mut tokens, i, j, Kind::Name, depth, 0);
                    i = j;
                }
            }
            _ => {
                let len = operator_len(text, i);
                match b {
                    b'(' | b'[' | b'{' => {
                        open.push(tokens.len());
                        push(&mut tokens, i, i + 1, Kind::Op, depth, 0);
                        depth += 1;
                    }
                    b')' | b']' | b'}' => {
                        depth = depth.saturating_sub(1);
                        let index = tokens.len();
                        push(&mut tokens, i, i + 1, Kind::Op, depth, 0);
                        if let Some(opener) = open.pop() {
                            let (a, b) = (u32::try_from(index), u32::try_from(opener));
                            if let (Ok(a), Ok(b)) = (a, b) {
                                tokens[opener].partner = a;
                                tokens[index].partner = b;
                            }
                        }
                    }
                    _ => push(&mut tokens, i, i + len, Kind::Op, depth, 0),
                }
                i += len;
            }
        }
    }
    if tokens.len() > line_first {
        lines.push(line_first..tokens.len());
    }
    Scan { tokens, lines }
}
