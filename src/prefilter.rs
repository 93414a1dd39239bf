//! The byte pre-filter: a file in which none of the enabled rules' needles occur cannot
//! produce a finding, so it is never parsed. It must never change results: the fixture
//! harness and the CLI tests run with and without it and compare.

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, MatchKind};

use crate::layout::{is_identifier_byte, Layout};
use crate::registry::{Rule, RuleSet};

/// The needles of every rule, and the searcher for the distinct heads among them.
///
/// Needles may be prefixes of one another (`__dlpack` and `__dlpack_device__`), so the
/// searcher looks for heads that are not (`__array`, `__dlpack`, `copy`, ...); at each
/// head found, every needle that starts there counts.
struct Needles {
    searcher: HeadSearcher,
    /// Each needle with the rules it serves.
    needles: Vec<(&'static [u8], RuleSet)>,
}

enum HeadSearcher {
    Packed(aho_corasick::packed::Searcher),
    Automaton(AhoCorasick),
}

impl HeadSearcher {
    /// The start of every head found, left to right, not overlapping.
    fn starts<'h>(&'h self, haystack: &'h [u8]) -> Box<dyn Iterator<Item = usize> + 'h> {
        match self {
            HeadSearcher::Packed(s) => Box::new(s.find_iter(haystack).map(|m| m.start())),
            HeadSearcher::Automaton(s) => Box::new(s.find_iter(haystack).map(|m| m.start())),
        }
    }
}

fn needles() -> &'static Needles {
    static NEEDLES: OnceLock<Needles> = OnceLock::new();
    NEEDLES.get_or_init(|| {
        let mut needles: Vec<(&'static [u8], RuleSet)> = Vec::new();
        for rule in Rule::ALL {
            for needle in rule.needles() {
                match needles.iter_mut().find(|(n, _)| *n == needle.as_bytes()) {
                    Some((_, rules)) => rules.insert(*rule),
                    None => needles.push((needle.as_bytes(), std::iter::once(*rule).collect())),
                }
            }
        }
        let mut heads: Vec<&[u8]> = needles
            .iter()
            .map(|(n, _)| *n)
            .filter(|n| !needles.iter().any(|(m, _)| m != n && n.starts_with(m)))
            .collect();
        heads.sort();
        heads.dedup();
        // Teddy (SIMD, for a handful of patterns) where the CPU has it: the automaton's own
        // prefilter keys on `_` and `c`, which are everywhere in Python.
        let searcher = match aho_corasick::packed::Config::new()
            .match_kind(aho_corasick::packed::MatchKind::LeftmostFirst)
            .builder()
            .extend(&heads)
            .build()
        {
            Some(packed) => HeadSearcher::Packed(packed),
            None => HeadSearcher::Automaton(
                AhoCorasick::builder()
                    .match_kind(MatchKind::LeftmostFirst)
                    .build(&heads)
                    .unwrap_or_else(|e| panic!("the registry's needles are valid patterns: {e}")),
            ),
        };
        Needles { searcher, needles }
    })
}

/// The rules, of those enabled, that can fire in a file with these bytes.
///
/// A needle counts only where it can matter, which keeps it exact (no rule can fire where
/// no needle counts) while skipping most mentions:
/// - a protocol name (`__array__`, ...) counts where a member is defined or the name is
///   called or assigned: followed by `(`, `=` or `:` (after blanks);
/// - `copy` counts where it is the `copy=False` keyword of a call that can be `np.array`.
pub fn possible_rules(bytes: &[u8], enabled: RuleSet) -> RuleSet {
    prefilter(bytes, enabled).rules
}

/// What the pre-filter learnt of a file.
#[derive(Debug, Default)]
pub struct Prefiltered {
    /// The enabled rules that can fire in it.
    pub rules: RuleSet,
    /// Its layout, where some needle made the scan worth it and the scan was sure.
    pub layout: Option<Layout>,
    /// Some character becomes ASCII letters under NFKC: names in the text are not the
    /// names Python reads, so nothing may be matched by name (see `narrow`).
    pub normalizes: bool,
}

/// `possible_rules`, with what else the scan found.
pub fn prefilter(bytes: &[u8], enabled: RuleSet) -> Prefiltered {
    match std::str::from_utf8(bytes) {
        Ok(text) => prefilter_source(text, enabled),
        Err(_) => Prefiltered {
            rules: code_needles_found(bytes, enabled).0,
            layout: None,
            normalizes: false,
        },
    }
}

/// `prefilter` for text known to be UTF-8 (the CLI and the linter have it decoded, and
/// validating a large file again costs more than the search).
pub fn prefilter_source(text: &str, enabled: RuleSet) -> Prefiltered {
    let bytes = text.as_bytes();
    let (found, layout) = code_needles_found(bytes, enabled);
    // Python reads identifiers NFKC-normalized (`__ａrray__` is `__array__`), and so does
    // the parser: a needle may appear only once normalized. Most text is NFKC already, and
    // the quick check says so without allocating.
    let normalizes = !bytes.is_ascii() && may_normalize_to_ascii(text);
    let rules = if normalizes {
        found.union(code_needles_found(nfkc(text).as_bytes(), enabled).0)
    } else {
        found
    };
    Prefiltered {
        rules,
        layout,
        normalizes,
    }
}

/// Whether NFKC can turn some character of `text` into ASCII letters or `_`, the
/// stuff of needles (fullwidth `ａ`, ligatures, mathematical letters). Composition never
/// makes ASCII, so looking at each character alone is enough; normalizing whole files
/// that merely hold a `µ` or a `²` cost a fifth of the run on the bench corpus.
fn may_normalize_to_ascii(text: &str) -> bool {
    use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};
    // A file repeats a few characters (`é`, `µ`, `…`) many times: decide each once.
    let mut harmless: Vec<char> = Vec::new();
    non_ascii_runs(text).flat_map(str::chars).any(|c| {
        if harmless.contains(&c) {
            return false;
        }
        let makes_ascii = is_nfkc_quick(std::iter::once(c)) != IsNormalized::Yes
            && std::iter::once(c)
                .nfkc()
                .any(|d| d.is_ascii_alphabetic() || d == '_');
        if !makes_ascii && harmless.len() < 64 {
            harmless.push(c);
        }
        makes_ascii
    })
}

/// The maximal runs of non-ASCII characters in `text`, found a machine word at a time:
/// the files that hold any mostly hold a few (`é` in a name, `µs` in a docstring).
fn non_ascii_runs(text: &str) -> impl Iterator<Item = &str> {
    let bytes = text.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        let start = at + next_non_ascii(&bytes[at..])?;
        let end = start
            + bytes[start..]
                .iter()
                .position(u8::is_ascii)
                .unwrap_or(bytes.len() - start);
        at = end;
        // Both ends are character boundaries: UTF-8 never puts an ASCII byte inside a
        // character.
        text.get(start..end)
    })
}

/// The offset of the first byte >= 0x80.
fn next_non_ascii(bytes: &[u8]) -> Option<usize> {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut chunks = bytes.chunks_exact(8);
    let mut offset = 0;
    for chunk in chunks.by_ref() {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        if u64::from_le_bytes(word) & HIGH != 0 {
            break;
        }
        offset += 8;
    }
    bytes[offset..]
        .iter()
        .position(|b| !b.is_ascii())
        .map(|i| offset + i)
}

/// `text` in NFKC, as `text.nfkc()` gives it, normalizing only around the non-ASCII runs.
///
/// An ASCII character is a starter that never composes with what precedes it, so the text
/// splits before any ASCII character into parts that normalize independently; the one
/// ASCII character just before a run may compose with the combining marks in it (`e` and
/// U+0301 make `é`), so it goes with the run.
fn nfkc(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let mut normalized = String::with_capacity(text.len());
    let mut copied = 0;
    for run in non_ascii_runs(text) {
        let start = run.as_ptr() as usize - text.as_ptr() as usize;
        let end = start + run.len();
        // The ASCII byte before the run is a whole character.
        let from = start.saturating_sub(1).max(copied);
        normalized.push_str(&text[copied..from]);
        normalized.extend(text[from..end].nfkc());
        copied = end;
    }
    normalized.push_str(&text[copied..]);
    normalized
}

/// The rules whose needles count somewhere in code: a needle in a plain string or a
/// comment (a docstring's `np.array(x, copy=False)`) never makes a finding. Only a file
/// with some needle pays for the layout scan; where the scan is unsure, all text is code.
fn code_needles_found(bytes: &[u8], enabled: RuleSet) -> (RuleSet, Option<Layout>) {
    let found = needles_found(bytes, enabled, None);
    if found.is_empty() {
        return (found, None);
    }
    match crate::layout::scan(bytes) {
        Some(layout) => (needles_found(bytes, enabled, Some(&layout)), Some(layout)),
        None => (found, None),
    }
}

fn needles_found(bytes: &[u8], enabled: RuleSet, layout: Option<&Layout>) -> RuleSet {
    let needles = needles();
    let mut found = RuleSet::empty();
    let mut scans = CopyScans::for_text(bytes);
    for at in needles.searcher.starts(bytes) {
        if layout.is_some_and(|layout| layout.in_literal(at as u32)) {
            continue;
        }
        let rest = &bytes[at..];
        let mut rules = RuleSet::empty();
        for (needle, needle_rules) in &needles.needles {
            if rest.starts_with(needle) {
                rules = rules.union(*needle_rules);
            }
        }
        if !rules.intersects(enabled) || found.contains_all(rules) {
            continue;
        }
        let counts = if rest.starts_with(b"copy") {
            copy_false_in_array_call(bytes, at, &mut scans, layout)
        } else {
            member_or_call_follows(bytes, at)
        };
        if counts {
            found = found.union(rules);
        }
    }
    RuleSet::from_iter(found.iter().filter(|r| enabled.contains(*r)))
}

/// The needle heads of the protocol names (every head but `copy`), for `narrow`.
pub fn protocol_heads() -> Vec<&'static str> {
    let mut heads: Vec<&'static str> = Rule::ALL
        .iter()
        .flat_map(|rule| rule.needles().iter().copied())
        .filter(|needle| *needle != "copy")
        .collect();
    heads.sort_unstable();
    heads.dedup();
    heads
}

/// Whether the `copy` at `at` counts as the pre-filter counts it: the `copy=False` of a
/// call that can be NumPy's `array`. `scans` is what the checks of one file share.
pub fn copy_counts(bytes: &[u8], at: usize, scans: &mut CopyScans, layout: &Layout) -> bool {
    bytes[at..].starts_with(b"copy")
        && !layout.in_literal(at as u32)
        && copy_false_in_array_call(bytes, at, scans, Some(layout))
}

/// What the `copy=False` checks in one file share: whether the file imports from numpy
/// (looked up once), and how many bytes the backward scans for the calls may still
/// cross. Each scan is bounded, but a call with a million `copy=False` arguments would
/// be crossed once for each; past the budget a keyword counts, which is always safe
/// (counting keeps code and runs AL602; it never drops a finding).
#[derive(Debug)]
pub struct CopyScans {
    numpy_from_import: Option<bool>,
    budget: usize,
}

impl CopyScans {
    pub fn for_text(bytes: &[u8]) -> CopyScans {
        CopyScans {
            numpy_from_import: None,
            budget: bytes.len().saturating_mul(4).max(CALL_SCAN_LIMIT * 16),
        }
    }
}

/// Whether any enabled rule can fire in a file with these bytes.
pub fn may_match(bytes: &[u8], enabled: RuleSet) -> bool {
    !possible_rules(bytes, enabled).is_empty()
}

/// Whether a notebook's raw JSON may hold code in which an enabled rule fires, before
/// its JSON is parsed: some needle of an enabled rule anywhere in it (in a cell, an output
/// or markdown alike), or something that could spell one once decoded (a `\u` escape,
/// a character NFKC turns into ASCII). A notebook with no protocol word costs this scan.
pub fn notebook_may_match(json: &str, enabled: RuleSet) -> bool {
    let bytes = json.as_bytes();
    let found = needles().searcher.starts(bytes).any(|at| {
        needles()
            .needles
            .iter()
            .any(|(needle, rules)| rules.intersects(enabled) && bytes[at..].starts_with(needle))
    });
    found
        || memchr::memmem::find(bytes, b"\\u").is_some()
        || (!bytes.is_ascii() && may_normalize_to_ascii(json))
}

fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\\' | b'\x0c')
}

/// Bytes the lexer makes no token of (control characters, `$`, `?`, `!`, a backtick): the
/// parser skips them and recovers, so what they separate can still be one construct.
fn is_junk(b: u8) -> bool {
    (b < 0x20 && !is_blank(b)) || matches!(b, 0x7f | b'$' | b'?' | b'!' | b'`')
}

/// Skip blanks, junk and comments (`#` to the end of the line): inside brackets a comment
/// may sit between any two tokens of a call. With `parens`, also opening parentheses.
fn skip_trivia(bytes: &[u8], i: &mut usize, parens: bool) {
    while let Some(&b) = bytes.get(*i) {
        if b == b'#' {
            while bytes.get(*i).is_some_and(|b| !matches!(b, b'\n' | b'\r')) {
                *i += 1;
            }
        } else if is_blank(b) || is_junk(b) || (parens && b == b'(') {
            *i += 1;
        } else {
            break;
        }
    }
}

/// The identifier at `at` follows `def`, or is followed by `(`, `=` or `:`. Not `[`: a
/// subscript (`x.__array_interface__["data"]`) reads a value no rule looks at.
fn member_or_call_follows(bytes: &[u8], at: usize) -> bool {
    // Whatever follows: in a broken file the parser recovers `def NAME` as a method.
    let mut k = at;
    while k > 0 && matches!(bytes[k - 1], b' ' | b'\t') {
        k -= 1;
    }
    if k < at && bytes[..k].ends_with(b"def") && (k == 3 || !is_identifier_byte(bytes[k - 4])) {
        return true;
    }
    let mut i = at;
    while i < bytes.len() && is_identifier_byte(bytes[i]) {
        i += 1;
    }
    skip_trivia(bytes, &mut i, false);
    matches!(bytes.get(i), Some(b'(' | b'=' | b':'))
}

/// How far back to look for the call that holds a `copy=False`.
const CALL_SCAN_LIMIT: usize = 64 * 1024;

/// `copy` at `at` reads `copy=False` (blanks and parentheses allowed around `=` and
/// `False`) and sits in a call that can be NumPy's `array`: the callee's name is `array`,
/// or the file imports from numpy (`from numpy import array as make`). Whenever the scan
/// cannot be sure (a string or comment in the way, a long call), it says yes.
fn copy_false_in_array_call(
    bytes: &[u8],
    at: usize,
    scans: &mut CopyScans,
    layout: Option<&Layout>,
) -> bool {
    if at > 0 && (is_identifier_byte(bytes[at - 1]) || bytes[at - 1] == b'.') {
        return false; // `deepcopy`, `_copy`, `self.copy`: not the keyword
    }
    let mut i = at + 4;
    skip_trivia(bytes, &mut i, false);
    if bytes.get(i) != Some(&b'=') || bytes.get(i + 1) == Some(&b'=') {
        return false;
    }
    i += 1;
    skip_trivia(bytes, &mut i, true);
    if !bytes[i.min(bytes.len())..].starts_with(b"False") {
        return false;
    }
    // Find the `(` that opens the call holding the keyword. With the layout, the scan
    // knows the statement's start (a keyword is inside it, a `copy = False` statement
    // starts it) and steps over strings and comments whole.
    let mut depth = 0usize;
    let stop = at.saturating_sub(CALL_SCAN_LIMIT);
    let statement = layout
        .and_then(|layout| layout.line_start_of(at as u32))
        .map(|start| start as usize);
    let mut j = at;
    let mut crossed_line = false;
    // The literals that start before `j`: the last of them is the one `j` may be in.
    let literals = layout.map_or(&[][..], |layout| &layout.literals[..]);
    let mut before = literals.partition_point(|r| (r.start as usize) < j);
    let open = loop {
        if statement.is_some_and(|start| j <= start) {
            return false; // back at the statement's start: in no call
        }
        if j <= stop || scans.budget == 0 {
            return true;
        }
        scans.budget -= 1;
        j -= 1;
        while before > 0 && literals[before - 1].start as usize > j {
            before -= 1;
        }
        if let Some(literal) = before
            .checked_sub(1)
            .map(|n| &literals[n])
            .filter(|r| r.end as usize > j)
        {
            j = literal.start as usize;
            continue;
        }
        match bytes[j] {
            b')' | b']' | b'}' => depth += 1,
            b'(' | b'[' | b'{' if depth > 0 => depth -= 1,
            b'(' => break j,
            b'[' | b'{' => return true,
            b'\n' | b'\r' => crossed_line = true,
            quote @ (b'"' | b'\'') if !crossed_line => match simple_string_start(bytes, j, quote) {
                Some(start) => j = start,
                None => return true,
            },
            // Outside the strings skipped above, a `#` on the same line starts a comment:
            // the `copy` is in a comment (or a string), not a keyword.
            b'#' if !crossed_line => return false,
            b'"' | b'\'' | b'#' => return true,
            _ => {}
        }
    };
    let mut k = open;
    while k > 0 && is_blank(bytes[k - 1]) {
        if matches!(bytes[k - 1], b'\n' | b'\r') {
            return true; // the line before may end in a comment: the callee is unknown
        }
        k -= 1;
    }
    let end = k;
    while k > 0 && is_identifier_byte(bytes[k - 1]) {
        k -= 1;
    }
    let callee = &bytes[k..end];
    if callee == b"array" {
        return true;
    }
    // `xp.astype(x, copy=False)`: an attribute other than `array` is never NumPy's (the
    // rule resolves `np.array` and names bound by `from numpy import array`).
    let mut dot = k;
    while dot > 0 && (is_blank(bytes[dot - 1]) || is_junk(bytes[dot - 1])) {
        dot -= 1;
    }
    if !callee.is_empty() && dot > 0 && bytes[dot - 1] == b'.' {
        return false;
    }
    // `def f(..., copy=False)`: a default, not a call.
    let mut d = k;
    while d > 0 && is_blank(bytes[d - 1]) {
        d -= 1;
    }
    if d < k && bytes[..d].ends_with(b"def") && (d == 3 || !is_identifier_byte(bytes[d - 4])) {
        return false;
    }
    if callee.is_empty() {
        return true;
    }
    *scans
        .numpy_from_import
        .get_or_insert_with(|| imports_from_numpy(bytes))
}

/// For the closing quote at `end` of a string on one line, the position of its opening
/// quote, when the string is plain enough to skip going backwards: on the same line, not
/// triple-quoted, without a backslash or a brace (an f-string's replacement field may hold
/// quotes and brackets). None when unsure.
fn simple_string_start(bytes: &[u8], end: usize, quote: u8) -> Option<usize> {
    if end > 1 && bytes[end - 1] == quote && bytes[end - 2] == quote {
        return None; // the end of a triple-quoted string
    }
    let mut i = end;
    while i > 0 {
        i -= 1;
        match bytes[i] {
            b if b == quote => {
                if i > 0 && bytes[i - 1] == quote {
                    return None; // `""` next to it: triple quotes or adjacent strings
                }
                return Some(i);
            }
            b'\\' | b'{' | b'}' | b'\n' | b'\r' => return None,
            _ => {}
        }
    }
    None
}

/// `from numpy import` names `array` (or `*`), so that any callee may be NumPy's `array`.
/// Unsure (a comment, a line continuation or a byte the lexer skips among the names): yes.
fn imports_from_numpy(bytes: &[u8]) -> bool {
    memchr::memmem::find_iter(bytes, b"from").any(|at| {
        let mut i = at + 4;
        let gap = |i: &mut usize| {
            let start = *i;
            while *i < bytes.len() && (is_blank(bytes[*i]) || is_junk(bytes[*i])) {
                *i += 1;
            }
            *i > start
        };
        if !gap(&mut i) || !bytes[i..].starts_with(b"numpy") {
            return false;
        }
        i += 5;
        if bytes.get(i).is_some_and(|b| is_identifier_byte(*b)) {
            return false; // `from numpyx`
        }
        gap(&mut i);
        // The recovering parser reads the names after whatever stands for `import`
        // (`from numpy imhort array`), so the keyword is not required.
        if bytes[i..].starts_with(b"import") {
            i += 6;
        }
        let names = &bytes[i..];
        let parenthesized = names.iter().find(|b| !is_blank(**b)) == Some(&b'(');
        let end = names
            .iter()
            .position(|b| {
                if parenthesized {
                    *b == b')'
                } else {
                    matches!(b, b'\n' | b'\r' | b';')
                }
            })
            .unwrap_or(names.len());
        let names = &names[..end];
        names
            .iter()
            .any(|b| matches!(b, b'*' | b'#' | b'\\') || is_junk(*b))
            || memchr::memmem::find_iter(names, b"array").any(|p| {
                let before = p.checked_sub(1).map(|q| names[q]);
                let after = names.get(p + 5).copied();
                !before.is_some_and(is_identifier_byte) && !after.is_some_and(is_identifier_byte)
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_rules_by_needle() {
        let all = RuleSet::all();
        assert!(possible_rules(b"def __array__(self): ...", all).contains(Rule::ArrayMissingCopy));
        assert!(possible_rules(b"import os\n", all).is_empty());
        assert!(possible_rules(b"x.copy()\n", all).is_empty());
        assert!(possible_rules(b"np.array(x, copy = False)", all).contains(Rule::NumpyCopyFalse));
        assert!(possible_rules(b"np.array(x, copy=\n  False)", all).contains(Rule::NumpyCopyFalse));
        assert!(possible_rules(b"np.array(f(x), copy=False)", all).contains(Rule::NumpyCopyFalse));
        assert!(!possible_rules(b"df.astype(int, copy=False)", all).contains(Rule::NumpyCopyFalse));
        // In a docstring or a comment, a needle is not code; in an f-string's field it is.
        let docstring = b"import numpy as np\ndef f(x):\n    '''np.array(x, copy=False)'''\n";
        assert!(!possible_rules(docstring, all).contains(Rule::NumpyCopyFalse));
        let comment = b"x = 1  # def __array__(self): ...\n";
        assert!(!possible_rules(comment, all).contains(Rule::ArrayMissingCopy));
        let field = b"import numpy as np\nf\"{np.array(x, copy=False)}\"\n";
        assert!(possible_rules(field, all).contains(Rule::NumpyCopyFalse));
        // Where the layout scan gives up (an unterminated string), everything is code.
        let broken = b"'''open\nimport numpy as np\nnp.array(x, copy=False)\n";
        assert!(possible_rules(broken, all).contains(Rule::NumpyCopyFalse));
        // A statement, not a keyword: the call it seems to sit in is on an earlier line.
        let statement = b"from numpy import array\nif f(x,\n      y):\n    copy = False\n";
        assert!(!possible_rules(statement, all).contains(Rule::NumpyCopyFalse));
        let keyword = b"from numpy import array\nf(x,\n  # (\n  copy = False)\n";
        assert!(possible_rules(keyword, all).contains(Rule::NumpyCopyFalse));
        // An attribute other than `array` is not NumPy's even where the file imports it.
        let imported = b"from numpy import array\nxp.astype(x, t, copy=False)\n";
        assert!(!possible_rules(imported, all).contains(Rule::NumpyCopyFalse));
        let imported = b"from numpy import array\nnp.ma . array(x, copy=False)\n";
        assert!(possible_rules(imported, all).contains(Rule::NumpyCopyFalse));
        assert!(!possible_rules(b"deepcopy=False", all).contains(Rule::NumpyCopyFalse));
        assert!(
            possible_rules(b"from numpy import array as a\na(x, copy=False)", all)
                .contains(Rule::NumpyCopyFalse)
        );
        assert!(possible_rules(b"np.array(')', copy=False)", all).contains(Rule::NumpyCopyFalse));
        assert!(possible_rules(b"np.array(\"#)\", copy=False)", all).contains(Rule::NumpyCopyFalse));
        assert!(possible_rules(b"np.array(f\"{x[')']}\", copy=False)", all)
            .contains(Rule::NumpyCopyFalse));
        assert!(!possible_rules(b"x.astype('i8', copy=False)", all).contains(Rule::NumpyCopyFalse));
        assert!(
            !possible_rules(b"# f(copy=False) shares memory\n", all).contains(Rule::NumpyCopyFalse)
        );
        assert!(!possible_rules(b"def f(x, copy=False): ...", all).contains(Rule::NumpyCopyFalse));
        assert!(
            !possible_rules(b"from numpy import ma\nf(x, copy=False)", all)
                .contains(Rule::NumpyCopyFalse)
        );
        assert!(possible_rules(
            b"from numpy import (ma,\n array as a)\na(x, copy=False)",
            all
        )
        .contains(Rule::NumpyCopyFalse));
        assert!(possible_rules(
            b"from numpy import (ma,  # (x)\n array as a)\na(x, copy=False)",
            all
        )
        .contains(Rule::NumpyCopyFalse));
        assert!(possible_rules(b"def __dlpack_device__(self): ...", all)
            .contains(Rule::DlpackDeviceInvalid));
        assert!(possible_rules(b"def __dlpack__(self): ...", all).contains(Rule::DlpackMissingPair));
        assert!(!possible_rules(b"hasattr(x, '__array__')", all).contains(Rule::ArrayMissingCopy));
        assert!(
            possible_rules(b"class A:\n    __array_priority__: float = 1", all)
                .contains(Rule::ArrayPriorityNotNumber)
        );
        let only_dlpack: RuleSet = [Rule::DlpackSignature].into_iter().collect();
        assert!(!may_match(b"def __array__(self): ...", only_dlpack));
    }

    #[test]
    fn normalizing_around_non_ascii_runs_is_nfkc() {
        use unicode_normalization::UnicodeNormalization;
        for text in [
            "",
            "plain ascii",
            "__\u{ff41}rray__",
            "e\u{301}x",
            "\u{301}start",
            "a\u{fb01}b\u{1d400}c\u{e9}",
            "x\u{0323}\u{0307}y",
            "\u{1100}\u{1161}\u{11a8}",
            "q\u{ff41}\u{ff41} \u{2075}\u{2099}",
        ] {
            assert_eq!(nfkc(text), text.nfkc().collect::<String>(), "{text:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn normalizing_around_runs_matches_nfkc_on_mixed_text(
            text in "[a-e_ (\u{300}-\u{36f}\u{e0}-\u{ff}\u{1100}-\u{1112}\u{1161}-\u{1175}\u{11a8}-\u{11c2}\u{ff21}-\u{ff5a}\u{fb00}-\u{fb06}\u{2070}-\u{209c}\u{1d400}-\u{1d420}\u{0b47}\u{0b3e}\u{0b57}]{0,40}"
        ) {
            use unicode_normalization::UnicodeNormalization;
            proptest::prop_assert_eq!(nfkc(&text), text.nfkc().collect::<String>());
        }
    }

    #[test]
    fn the_backward_scans_for_calls_share_a_budget() {
        // Not NumPy's call: `copy=False` does not count, until the budget is spent.
        let text = b"df.astype(int, copy=False)";
        assert!(!copy_false_in_array_call(
            text,
            15,
            &mut CopyScans::for_text(text),
            None
        ));
        let mut spent = CopyScans {
            numpy_from_import: None,
            budget: 0,
        };
        assert!(copy_false_in_array_call(text, 15, &mut spent, None));
        // A call with 3,000 of them (36 KB, within the scan limit): each scan crosses the
        // ones before, 54 M bytes in all; with the budget (linear in the text, 1 M here)
        // the scans stop early and the rest count.
        let mut call = b"df.astype(".to_vec();
        for _ in 0..3_000 {
            call.extend_from_slice(b"copy=False, ");
        }
        call.push(b')');
        let counted = |scans: &mut CopyScans| {
            memchr::memmem::find_iter(&call, b"copy")
                .filter(|&at| copy_false_in_array_call(&call, at, scans, None))
                .count()
        };
        let mut unbounded = CopyScans {
            numpy_from_import: None,
            budget: usize::MAX,
        };
        assert_eq!(counted(&mut unbounded), 0);
        let mut scans = CopyScans::for_text(&call);
        assert!(counted(&mut scans) > 2_500);
        assert_eq!(scans.budget, 0);
    }

    #[test]
    fn non_ascii_runs_are_found_past_the_first_word() {
        let text = "0123456789abcdef\u{e9}\u{b5}gh\u{fb01}";
        let runs: Vec<&str> = non_ascii_runs(text).collect();
        assert_eq!(runs, ["\u{e9}\u{b5}", "\u{fb01}"]);
        assert_eq!(non_ascii_runs("ascii only, longer than a word").count(), 0);
    }

    #[test]
    fn only_characters_that_normalize_to_ascii_trigger_normalization() {
        assert!(may_normalize_to_ascii("def __ａrray__(self): ..."));
        assert!(may_normalize_to_ascii("x = \u{fb01}"));
        assert!(!may_normalize_to_ascii("# 10 µs, 2² ms, 日本語, é"));
    }

    #[test]
    fn comments_inside_a_call_do_not_hide_a_needle() {
        let all = RuleSet::all();
        let copy_false = [
            "import numpy as np\nnp.array(x, copy=  # why\n    False)\n",
            "import numpy as np\nnp.array(x, copy  # why\n    = False)\n",
            "import numpy as np\n(np.array  # why\n    (x, copy=False))\n",
        ];
        for text in copy_false {
            assert!(
                possible_rules(text.as_bytes(), all).contains(Rule::NumpyCopyFalse),
                "{text}"
            );
        }
        assert!(
            possible_rules(b"(x.__array_interface__  # why\n ())\n", all)
                .contains(Rule::InterfaceCalled)
        );
    }

    #[test]
    fn broken_files_keep_their_needles() {
        let all = RuleSet::all();
        // The parser recovers a `def` whatever follows its name, and skips bytes it cannot
        // lex (fuzz/artifacts: `def __array__\x1d\x02...` then `return None`).
        for text in [
            &b"class A:\n    def __array__\x1d\x02(self):\n        return None\n"[..],
            b"class A:\n    def __array__\n        return None\n",
            b"class A:\n    __array__ \x00= None\n",
        ] {
            assert!(
                possible_rules(text, all).intersects(
                    [Rule::ArrayReturnsNonNdarray, Rule::ArrayNotAMethod]
                        .into_iter()
                        .collect()
                ),
                "{text:?}"
            );
        }
        assert!(
            possible_rules(b"import numpy as np\nnp.array(x, copy=\x1dFalse)\n", all)
                .contains(Rule::NumpyCopyFalse)
        );
        // Still skipped: mentions that define, call and assign nothing.
        assert!(possible_rules(b"undef __array__\nhasattr(x, '__array__')\n", all).is_empty());
    }

    #[test]
    fn identifiers_are_matched_as_python_reads_them() {
        // Fullwidth `a`: NFKC makes it `__array__`, for Python and for the parser.
        let text = "class A:\n    def __\u{ff41}rray__(self):\n        return 1\n";
        assert!(possible_rules(text.as_bytes(), RuleSet::all()).contains(Rule::ArrayMissingCopy));
        assert!(!possible_rules("x = '\u{e9}'\n".as_bytes(), RuleSet::all())
            .contains(Rule::ArrayMissingCopy));
    }
}
