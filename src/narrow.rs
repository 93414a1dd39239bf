//! Parse less: the bodies of functions that no rule can look at are blanked before the
//! file is parsed, keeping every offset and line where it was.
//!
//! A file that defines `__array__` in one class of a 700 KB module needs that class's
//! protocol members, what they refer to, and the module around them; the other few
//! hundred method bodies cost parsing time and cannot change a finding. A body is kept
//! when it may matter to some rule:
//! - it holds a protocol needle (anywhere, even in a string: `class_reads_attribute` looks
//!   for `x.__array_prepare__` reads, which the pre-filter does not count), a `copy=False`
//!   the pre-filter counts, or, as a whole word in its code (not in a string or a
//!   comment): `numpy` (imports anywhere bind aliases), `class` (classes at any depth are
//!   modelled), `global` or `nonlocal` (they unmake module constants);
//! - or kept code names it: the function's name (the evaluator follows helpers and
//!   methods), or an attribute it stores on `self` (`self.x = ...` decides what a class
//!   attribute `x` may be), until nothing new is kept.
//!
//! A file that mentions `__cuda_array_interface__` is not narrowed: the CUDA rules read
//! whole classes (stream and device attributes, `"cpu"` strings).
//!
//! A blanked body becomes one string of blanks (`"""   ...   """`, or `0` where that does
//! not fit) at its first statement's indentation, newlines kept, so the parser sees a
//! valid one-statement body and the lexer crosses it in one search. Syntax errors are reported in the
//! code arraylint reads (see `rules/AL001.md`): `hides` tells which offsets were blanked.
//! For a file that parses, narrowing never changes a result (`LintOptions::narrow` turns
//! it off to prove that: fixtures, fuzzing, the bench and real-world corpora); a narrowed
//! text that does not parse is parsed whole, since how the parser recovers from an error
//! may depend on what was blanked.

use rustc_hash::{FxHashMap, FxHashSet};
use std::ops::Range;
use std::sync::OnceLock;

use crate::layout::{is_identifier_byte, Layout, LogicalLine};

/// The bodies to blank, in order.
#[derive(Debug, Default)]
pub struct Plan {
    bodies: Vec<Body>,
}

#[derive(Debug, Clone)]
struct Body {
    /// From the start of the body's first line to the end of its last.
    region: Range<u32>,
    /// The first statement's first token: the indentation before it is kept.
    first: u32,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.bodies.is_empty()
    }

    /// Whether `offset` lies in a blanked body.
    pub fn hides(&self, offset: u32) -> bool {
        let after = self.bodies.partition_point(|b| b.region.start <= offset);
        after > 0 && self.bodies[after - 1].region.end > offset
    }

    /// `text` with the bodies blanked: same length, same line breaks. A body becomes one
    /// triple-quoted string of blanks, which the lexer crosses in one search (a body of
    /// blank lines would cost a token and an indentation count per line), or, too short
    /// for the quotes, `0`.
    pub fn apply(&self, text: &str) -> String {
        let mut bytes = text.as_bytes().to_vec();
        let is_break = |b: u8| matches!(b, b'\n' | b'\r');
        for body in &self.bodies {
            let (first, end) = (body.first as usize, body.region.end as usize);
            for b in &mut bytes[first..end] {
                if !is_break(*b) {
                    *b = b' ';
                }
            }
            let mut last = end;
            while last > first && is_break(bytes[last - 1]) {
                last -= 1;
            }
            let region = &bytes[first..last];
            let first_line = region
                .iter()
                .position(|b| is_break(*b))
                .unwrap_or(region.len());
            let last_line = region
                .iter()
                .rposition(|b| is_break(*b))
                .map_or(0, |at| at + 1);
            let fits = if first_line == region.len() {
                region.len() >= 6
            } else {
                first_line >= 3 && region.len() - last_line >= 3
            };
            if fits {
                bytes[first..first + 3].copy_from_slice(b"\"\"\"");
                bytes[last - 3..last].copy_from_slice(b"\"\"\"");
            } else {
                bytes[first] = b'0';
            }
        }
        // Whole lines were replaced by ASCII, so the text is still UTF-8; the fallback
        // (parse everything) cannot be reached.
        String::from_utf8(bytes).unwrap_or_else(|_| text.to_string())
    }
}

/// A function definition whose body may be blanked.
struct Candidate {
    /// From the `def` line to the end of the body: what the keeping words are looked for
    /// in (a protocol member's name is on its `def` line).
    whole: Range<u32>,
    name: Range<u32>,
    body: Body,
    kept: bool,
}

/// Keywords that keep a body as whole words in its code.
const KEYWORDS: &[&str] = &["numpy", "class", "global", "nonlocal"];

struct KeepingWords {
    searcher: aho_corasick::packed::Searcher,
    /// How many patterns are protocol heads (the rest are `KEYWORDS`).
    heads: usize,
}

fn keeping_words() -> Option<&'static KeepingWords> {
    static WORDS: OnceLock<Option<KeepingWords>> = OnceLock::new();
    WORDS
        .get_or_init(|| {
            let heads = crate::prefilter::protocol_heads();
            let searcher = aho_corasick::packed::Config::new()
                .match_kind(aho_corasick::packed::MatchKind::LeftmostFirst)
                .builder()
                .extend(heads.iter().chain(KEYWORDS))
                .build()?;
            Some(KeepingWords {
                searcher,
                heads: heads.len(),
            })
        })
        .as_ref()
}

/// Offsets of the keeping words that count, in order.
fn keeping_hits(bytes: &[u8], layout: &Layout) -> Option<Vec<u32>> {
    let words = keeping_words()?;
    let hits = words
        .searcher
        .find_iter(bytes)
        .filter(|found| {
            let at = found.start();
            found.pattern().as_usize() < words.heads
                || ((at == 0 || !is_identifier_byte(bytes[at - 1]))
                    && bytes
                        .get(found.end())
                        .is_none_or(|b| !is_identifier_byte(*b))
                    && !layout.in_literal(at as u32))
        })
        .map(|found| found.start() as u32)
        .collect();
    Some(hits)
}

/// What to blank in `text`, whose layout is `layout`. Empty when nothing can be.
pub fn plan(text: &str, layout: &Layout) -> Plan {
    let bytes = text.as_bytes();
    // The CUDA rules look at whole classes (their strings too): a file that implements
    // `__cuda_array_interface__` is parsed whole.
    if layout.tab_indented || memchr::memmem::find(bytes, b"__cuda_array_interface__").is_some() {
        return Plan::default();
    }
    let mut candidates = candidates(bytes, layout);
    if candidates.is_empty() {
        return Plan::default();
    }

    // Bodies that matter by what they hold.
    let Some(hits) = keeping_hits(bytes, layout) else {
        return Plan::default();
    };
    let mut numpy_from_import = None;
    for candidate in &mut candidates {
        let whole = candidate.whole.start as usize..candidate.whole.end as usize;
        let first_hit = hits.partition_point(|&at| at < candidate.whole.start);
        candidate.kept = hits
            .get(first_hit)
            .is_some_and(|&at| at < candidate.whole.end)
            || memchr::memmem::find_iter(&bytes[whole], b"copy").any(|at| {
                let at = candidate.whole.start as usize + at;
                crate::prefilter::copy_counts(bytes, at, &mut numpy_from_import, layout)
            });
    }

    // Bodies that kept code refers to, to a fixed point. A function is followed where
    // the evaluator follows it: called or named bare (`helper(x)`, `property(getter)`),
    // or as a method of an instance parameter (`self.method()`; the receiver is whatever
    // a function's first parameter is called). A stored attribute counts however it is
    // read (`self.x`, `cls.x`, `Class.x`).
    let mut by_name: FxHashMap<&[u8], Vec<usize>> = FxHashMap::default();
    let mut by_store: FxHashMap<&[u8], Vec<usize>> = FxHashMap::default();
    for (index, candidate) in candidates.iter().enumerate().filter(|(_, c)| !c.kept) {
        let name = &bytes[candidate.name.start as usize..candidate.name.end as usize];
        by_name.entry(name).or_default().push(index);
        let region = candidate.body.region.start as usize..candidate.body.region.end as usize;
        for attribute in self_stores(&bytes[region]) {
            by_store.entry(attribute).or_default().push(index);
        }
    }
    if by_name.is_empty() && by_store.is_empty() {
        return Plan::default();
    }
    let receivers = instance_parameters(bytes, layout);
    let mut filter = NameFilter::default();
    for word in by_name.keys().chain(by_store.keys()) {
        filter.insert(name_hash(word));
    }
    let names: FxHashSet<u32> = candidates.iter().map(|c| c.name.start).collect();
    // Kept text: everything outside the bodies not kept yet.
    let mut pending: Vec<Range<usize>> = Vec::new();
    let mut from = 0usize;
    for candidate in candidates.iter().filter(|c| !c.kept) {
        pending.push(from..candidate.body.region.start as usize);
        from = candidate.body.region.end as usize;
    }
    pending.push(from..bytes.len());
    let mut newly_kept: Vec<usize> = Vec::new();
    while let Some(range) = pending.pop() {
        for_each_name(bytes, layout, range, |start, end, hash| {
            if !filter.may_contain(hash) || names.contains(&(start as u32)) {
                return;
            }
            let name = &bytes[start..end];
            if let Some(indices) = by_store.get(name) {
                newly_kept.extend(indices.iter().copied());
            }
            let followed = match receiver_of(bytes, start) {
                Receiver::None => true,
                Receiver::Name(receiver) => {
                    receivers.as_ref().is_none_or(|set| set.contains(receiver))
                }
                Receiver::Other => false,
            };
            if followed {
                if let Some(indices) = by_name.get(name) {
                    newly_kept.extend(indices.iter().copied());
                }
            }
        });
        for index in newly_kept.drain(..) {
            let candidate = &mut candidates[index];
            if !candidate.kept {
                candidate.kept = true;
                pending
                    .push(candidate.body.region.start as usize..candidate.body.region.end as usize);
            }
        }
    }
    Plan {
        bodies: candidates
            .into_iter()
            .filter(|c| !c.kept)
            .map(|c| c.body)
            .collect(),
    }
}

/// What a name at some offset is an attribute of.
enum Receiver<'t> {
    /// Nothing: a bare name.
    None,
    /// `receiver.name`, the receiver a bare name.
    Name(&'t [u8]),
    /// `a.b.name`, `f().name`, `x[0].name`, ...
    Other,
}

fn receiver_of(bytes: &[u8], start: usize) -> Receiver<'_> {
    let blank = |b: u8| matches!(b, b' ' | b'\t' | b'\x0c');
    let mut i = start;
    while i > 0 && blank(bytes[i - 1]) {
        i -= 1;
    }
    // A line continuation or a newline inside brackets may stand between: unsure, so
    // the name counts as bare (which keeps more, never less).
    if i == 0 || bytes[i - 1] != b'.' {
        return Receiver::None;
    }
    let mut end = i - 1;
    while end > 0 && blank(bytes[end - 1]) {
        end -= 1;
    }
    let mut begin = end;
    while begin > 0 && is_identifier_byte(bytes[begin - 1]) {
        begin -= 1;
    }
    let mut before = begin;
    while before > 0 && blank(bytes[before - 1]) {
        before -= 1;
    }
    if begin == end || bytes[begin].is_ascii_digit() || (before > 0 && bytes[before - 1] == b'.') {
        return Receiver::Other;
    }
    Receiver::Name(&bytes[begin..end])
}

/// The first parameter's name of every function in the file (`self`, `cls`, `this`...):
/// the receivers through which the evaluator follows a method. `None` where unsure: then
/// every receiver counts.
fn instance_parameters<'t>(bytes: &'t [u8], layout: &Layout) -> Option<FxHashSet<&'t [u8]>> {
    let mut receivers: FxHashSet<&[u8]> = [&b"self"[..], b"cls"].into_iter().collect();
    for line in &layout.lines {
        let Some(name) = def_name(bytes, line) else {
            continue;
        };
        let mut i = name.end as usize;
        let skip = |i: &mut usize| {
            while bytes
                .get(*i)
                .is_some_and(|b| b.is_ascii_whitespace() || *b == b'\\')
            {
                *i += 1;
            }
        };
        skip(&mut i);
        if bytes.get(i) == Some(&b'[') {
            // PEP 695 type parameters: unsure where the parameters start.
            return None;
        }
        if bytes.get(i) != Some(&b'(') {
            continue;
        }
        i += 1;
        skip(&mut i);
        if bytes.get(i) == Some(&b'#') {
            return None; // a comment first: unsure
        }
        let start = i;
        while bytes.get(i).is_some_and(|b| is_identifier_byte(*b)) {
            i += 1;
        }
        if i > start {
            receivers.insert(&bytes[start..i]);
        }
    }
    Some(receivers)
}

/// FNV-1a over a name's bytes, as `for_each_name` computes it while scanning.
fn name_hash(name: &[u8]) -> u32 {
    name.iter().fold(FNV_OFFSET, |hash, b| {
        (hash ^ u32::from(*b)).wrapping_mul(FNV_PRIME)
    })
}

const FNV_OFFSET: u32 = 0x811c_9dc5;
const FNV_PRIME: u32 = 0x0100_0193;

/// A 65,536-bit filter over name hashes: most names in kept code are not candidates, and
/// the filter says so without a map look-up.
struct NameFilter(Vec<u64>);

impl Default for NameFilter {
    fn default() -> Self {
        NameFilter(vec![0; 1024])
    }
}

impl NameFilter {
    fn insert(&mut self, hash: u32) {
        let bit = (hash & 0xffff) as usize;
        self.0[bit / 64] |= 1 << (bit % 64);
    }

    fn may_contain(&self, hash: u32) -> bool {
        let bit = (hash & 0xffff) as usize;
        self.0[bit / 64] & (1 << (bit % 64)) != 0
    }
}

/// Every name (an identifier not starting with a digit) in `range` outside strings and
/// comments, with its start, end and `name_hash`.
fn for_each_name(
    bytes: &[u8],
    layout: &Layout,
    range: Range<usize>,
    mut found: impl FnMut(usize, usize, u32),
) {
    let literals = &layout.literals;
    let mut literal = literals.partition_point(|l| l.end as usize <= range.start);
    let mut i = range.start;
    // A name cut by the range's start is not a name of this range.
    while i < range.end && i > 0 && is_identifier_byte(bytes[i - 1]) && is_identifier_byte(bytes[i])
    {
        i += 1;
    }
    while i < range.end {
        let segment_end = match literals.get(literal) {
            Some(l) if (l.start as usize) <= i => {
                i = l.end as usize;
                literal += 1;
                continue;
            }
            Some(l) => (l.start as usize).min(range.end),
            None => range.end,
        };
        while i < segment_end {
            if !is_identifier_byte(bytes[i]) {
                i += 1;
                continue;
            }
            let start = i;
            let mut hash = FNV_OFFSET;
            while i < bytes.len() && is_identifier_byte(bytes[i]) {
                hash = (hash ^ u32::from(bytes[i])).wrapping_mul(FNV_PRIME);
                i += 1;
            }
            if !bytes[start].is_ascii_digit() {
                found(start, i, hash);
            }
        }
    }
}

/// The outermost `def`s (not inside another function) whose body is a block of lines
/// after a header that ends in `:`.
fn candidates(bytes: &[u8], layout: &Layout) -> Vec<Candidate> {
    let lines = &layout.lines;
    let mut found = Vec::new();
    let mut k = 0;
    while k < lines.len() {
        let line = lines[k];
        let Some(name) = def_name(bytes, &line) else {
            k += 1;
            continue;
        };
        let mut j = k + 1;
        while j < lines.len() && lines[j].indent() > line.indent() {
            j += 1;
        }
        if j > k + 1
            && ends_with_colon(bytes, layout, &line)
            && indents_cleanly(bytes, layout, line.indent(), &lines[k + 1..j])
        {
            found.push(Candidate {
                whole: line.code..lines[j - 1].end,
                name,
                body: Body {
                    region: lines[k + 1].start..lines[j - 1].end,
                    first: lines[k + 1].code,
                },
                kept: false,
            });
        }
        // Nested functions go with the one they are in.
        k = j.max(k + 1);
    }
    found
}

/// The name of the function a `def` or `async def` line defines.
fn def_name(bytes: &[u8], line: &LogicalLine) -> Option<Range<u32>> {
    let mut i = line.code as usize;
    let keyword = |i: &mut usize, word: &[u8]| {
        if bytes[*i..].starts_with(word)
            && bytes
                .get(*i + word.len())
                .is_some_and(|b| matches!(b, b' ' | b'\t'))
        {
            *i += word.len();
            while bytes.get(*i).is_some_and(|b| matches!(b, b' ' | b'\t')) {
                *i += 1;
            }
            true
        } else {
            false
        }
    };
    if keyword(&mut i, b"async") && !keyword(&mut i, b"def") {
        return None;
    }
    if i == line.code as usize && !keyword(&mut i, b"def") {
        return None;
    }
    let start = i;
    while bytes.get(i).is_some_and(|b| is_identifier_byte(*b)) {
        i += 1;
    }
    (i > start).then_some(start as u32..i as u32)
}

/// Whether a body's lines indent as Python requires: deeper only after a line ending in
/// `:`, back only to a level in use, never level with or above an opening line. A body
/// that does not is kept: the parser's complaint about it may land after the body (at the
/// end of the file, say), where blanking would change it.
fn indents_cleanly(bytes: &[u8], layout: &Layout, def_indent: u32, body: &[LogicalLine]) -> bool {
    let mut levels = vec![def_indent];
    let mut opens = true; // the `def` line
    for line in body {
        let indent = line.indent();
        let top = levels.last().copied().unwrap_or_default();
        if indent > top {
            if !opens {
                return false; // unexpected indent
            }
            levels.push(indent);
        } else {
            if opens {
                return false; // a block with nothing in it
            }
            while levels.last().is_some_and(|&level| level > indent) {
                levels.pop();
            }
            if levels.last() != Some(&indent) || levels.len() < 2 {
                return false; // unindent to no level in use
            }
        }
        opens = ends_with_colon(bytes, layout, line);
    }
    !opens
}

/// Whether a line's last token is `:` (a comment after it aside): a `def` header whose
/// body is the indented block below (`def f(): return 1` has none), or any block opener.
fn ends_with_colon(bytes: &[u8], layout: &Layout, line: &LogicalLine) -> bool {
    let mut i = line.end as usize;
    while i > line.code as usize {
        let b = bytes[i - 1];
        if b.is_ascii_whitespace() {
            i -= 1;
        } else if layout.in_literal(i as u32 - 1) {
            // A trailing comment: skip to its `#`.
            let after = layout.literals.partition_point(|r| r.start < i as u32);
            match after.checked_sub(1).map(|n| &layout.literals[n]) {
                Some(comment) if bytes[comment.start as usize] == b'#' => {
                    i = comment.start as usize;
                }
                _ => return false,
            }
        } else {
            return b == b':';
        }
    }
    false
}

/// Attributes a body may store on `self`: `self.x` followed by `=`, an augmented
/// assignment, `:` (an annotation), or `,` `)` `]` or `in` (a target in a tuple, a `for`).
/// Generous on purpose: a read taken for a store only keeps a body.
fn self_stores(body: &[u8]) -> Vec<&[u8]> {
    let mut stores = Vec::new();
    for at in memchr::memmem::find_iter(body, b"self.") {
        if at > 0 && is_identifier_byte(body[at - 1]) {
            continue;
        }
        let start = at + 5;
        let mut end = start;
        while body.get(end).is_some_and(|b| is_identifier_byte(*b)) {
            end += 1;
        }
        if end == start {
            continue;
        }
        let mut i = end;
        while body.get(i).is_some_and(|b| matches!(b, b' ' | b'\t')) {
            i += 1;
        }
        let rest = &body[i..];
        let store = match rest.first() {
            Some(b'=') => rest.get(1) != Some(&b'='),
            Some(b':' | b',' | b')' | b']') => true,
            Some(b'+' | b'-' | b'*' | b'/' | b'%' | b'&' | b'|' | b'^' | b'@' | b'<' | b'>') => {
                // `+=`, `//=`, `**=`, `>>=`, `<<=`; not `<=` or `>=`, which compare.
                let op = rest.iter().take_while(|b| !b.is_ascii_whitespace()).take(3);
                let op: Vec<u8> = op.copied().collect();
                op.ends_with(b"=") && !matches!(op.as_slice(), b"<=" | b">=" | b"==")
            }
            Some(b'i') => {
                rest.starts_with(b"in") && rest.get(2).is_none_or(|b| !is_identifier_byte(*b))
            }
            _ => false,
        };
        if store {
            stores.push(&body[start..end]);
        }
    }
    stores
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blanked(text: &str) -> String {
        let layout = crate::layout::scan(text.as_bytes()).expect("scans");
        plan(text, &layout).apply(text)
    }

    #[test]
    fn blanks_bodies_no_rule_needs() {
        let text = "import numpy as np\n\nclass A:\n    def __array__(self, dtype=None, copy=None):\n        return self._data()\n\n    def _data(self):\n        return list(range(3))\n\n    def unrelated(self, x):\n        '''Docs.'''\n        return x + 1\n";
        let out = blanked(text);
        assert_eq!(out.len(), text.len());
        assert_eq!(out.lines().count(), text.lines().count());
        assert!(out.contains("return self._data()"), "{out}");
        assert!(
            out.contains("return list(range(3))"),
            "a helper the getter calls: {out}"
        );
        assert!(!out.contains("return x + 1"), "{out}");
        assert!(
            out.contains("    def unrelated(self, x):\n        \"\"\""),
            "{out}"
        );
        let parsed = ruff_python_parser::parse_module(&out);
        assert!(parsed.is_ok(), "{out}");
    }

    #[test]
    fn keeps_bodies_that_store_what_kept_code_reads() {
        let text = "class A:\n    @property\n    def __array_interface__(self):\n        return self._iface\n\n    def setup(self):\n        self._iface = {'shape': (1,)}\n\n    def other(self):\n        return self._other\n";
        let out = blanked(text);
        assert!(out.contains("self._iface = {"), "{out}");
        assert!(!out.contains("return self._other"), "{out}");
    }

    #[test]
    fn keeps_bodies_with_keeping_words() {
        for body in [
            "import numpy",
            "class B: pass",
            "global X",
            "return x.__array_prepare__",
            "return '__array__'",
        ] {
            let text = format!("def f(x):\n    {body}\n");
            assert_eq!(blanked(&text), text, "{body}");
        }
        // In docstrings and comments, and inside other words, they do not.
        for body in [
            "\"\"\"See :class:`numpy.ndarray`.\"\"\"",
            "return x  # global state, numpy",
            "return subclass_of(x)",
        ] {
            let text = format!("def f(x):\n    {body}\n");
            assert_ne!(blanked(&text), text, "{body}");
        }
        // A file with a CUDA interface is parsed whole.
        let cuda =
            "class A:\n    __cuda_array_interface__ = {}\n    def f(self):\n        return 1\n";
        assert_eq!(blanked(cuda), cuda);
    }

    #[test]
    fn leaves_one_liners_nested_functions_and_tabs_alone() {
        let one_liner = "def f(): return 1\nx = 1\n";
        assert_eq!(blanked(one_liner), one_liner);
        let tabs = "def f():\n\treturn 1\n";
        assert_eq!(blanked(tabs), tabs);
        let nested = "def f():\n    def g():\n        return 2\n    return g\n";
        let out = blanked(nested);
        assert!(out.starts_with("def f():\n    \"\"\" "), "{out}");
        assert!(!out.contains("return"), "{out}");
        assert_eq!(out.len(), nested.len());
    }

    #[test]
    fn blanked_bodies_parse_whatever_their_shape() {
        for body in [
            "x",
            "pass",
            "return 1",
            "if x:\n        y\n    z",
            "a\r\n    b",
            "x\n    y = 1",
        ] {
            let text = format!("def f():\n    {body}\nz = 1\n");
            let out = blanked(&text);
            assert_ne!(out, text, "{body:?}");
            assert_eq!(out.len(), text.len());
            let parsed = ruff_python_parser::parse_module(&out);
            assert!(parsed.is_ok(), "{body:?}: {out:?}");
        }
    }

    #[test]
    fn hides_only_blanked_offsets() {
        let text = "def f():\n    return 1\ndef __array__(self):\n    return 2\n";
        let layout = crate::layout::scan(text.as_bytes()).expect("scans");
        let plan = plan(text, &layout);
        let at = |needle: &str| text.find(needle).expect("present") as u32;
        assert!(plan.hides(at("return 1")));
        assert!(!plan.hides(at("def f")));
        assert!(!plan.hides(at("return 2")));
    }

    #[test]
    fn follows_functions_bare_and_methods_through_instance_parameters() {
        let text = "class A:\n    def __array__(this, dtype=None, copy=None):\n        return helper(this.method(), other.unrelated())\n\n    def method(self):\n        return 1\n\n    def unrelated(self):\n        return 2\n\ndef helper(a, b):\n    return 3\n";
        let out = blanked(text);
        assert!(out.contains("return 1"), "through `this`: {out}");
        assert!(out.contains("return 3"), "bare: {out}");
        assert!(!out.contains("return 2"), "another object's method: {out}");
    }

    #[test]
    fn keeps_bodies_whose_indentation_python_refuses() {
        for body in [
            "    x = 1\n        y = 2\n",
            "    if x:\n    y = 2\n",
            "    if x:\n        y = 2\n      z = 3\n",
            "    if x:\n",
        ] {
            let text = format!("def f():\n{body}x = 0\n");
            assert_eq!(blanked(&text), text, "{body:?}");
        }
        let clean = "def f():\n    if x:  # why\n        y = 2\n    return y\nx = 0\n";
        assert_ne!(blanked(clean), clean);
    }

    #[test]
    fn finds_self_stores() {
        let body = b"self.a = 1\nself.b += 2\nself.c == 3\nself.d: int\n(self.e, x) = y\nfor self.f in z: pass\nself.g <= 1\nself.h()\nself.i //= 2\n";
        let stores: Vec<&[u8]> = self_stores(body);
        assert_eq!(stores, [&b"a"[..], b"b", b"d", b"e", b"f", b"i"]);
    }
}
