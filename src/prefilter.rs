//! The byte pre-filter: a file in which none of the enabled rules' needles occur cannot
//! produce a finding, so it is never parsed. It must never change results: the fixture
//! harness and the CLI tests run with and without it and compare.

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, MatchKind};

use crate::registry::{Rule, RuleSet};

/// The needles of every rule, and the searcher for the distinct heads among them.
///
/// Needles may be prefixes of one another (`__dlpack` and `__dlpack_device__`), so the
/// searcher looks for heads that are not (`__array`, `__dlpack`, `copy`, ...); at each
/// head found, every needle that starts there counts.
struct Needles {
    searcher: AhoCorasick,
    /// Each needle with the rules it serves.
    needles: Vec<(&'static [u8], RuleSet)>,
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
        let searcher = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostFirst)
            .build(&heads)
            .unwrap_or_else(|e| panic!("the registry's needles are valid patterns: {e}"));
        Needles { searcher, needles }
    })
}

/// The rules, of those enabled, that can fire in a file with these bytes.
///
/// A needle counts only where it can matter, which keeps it exact (no rule can fire where
/// no needle counts) while skipping most mentions:
/// - a protocol name (`__array__`, ...) counts where a member is defined or the name is
///   called or assigned: followed by `(`, `[`, `=` or `:` (after blanks);
/// - `copy` counts where it is the `copy=False` keyword of a call that can be `np.array`.
pub fn possible_rules(bytes: &[u8], enabled: RuleSet) -> RuleSet {
    let found = needles_found(bytes, enabled);
    // Python reads identifiers NFKC-normalized (`__ａrray__` is `__array__`), and so does
    // the parser: a needle may appear only once normalized. Most text is NFKC already, and
    // the quick check says so without allocating.
    if bytes.is_ascii() {
        return found;
    }
    match std::str::from_utf8(bytes) {
        Ok(text)
            if unicode_normalization::is_nfkc_quick(text.chars())
                != unicode_normalization::IsNormalized::Yes =>
        {
            use unicode_normalization::UnicodeNormalization;
            let normalized: String = text.nfkc().collect();
            found.union(needles_found(normalized.as_bytes(), enabled))
        }
        _ => found,
    }
}

fn needles_found(bytes: &[u8], enabled: RuleSet) -> RuleSet {
    let needles = needles();
    let mut found = RuleSet::empty();
    let mut numpy_from_import: Option<bool> = None;
    for m in needles.searcher.find_iter(bytes) {
        let at = m.start();
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
            copy_false_in_array_call(bytes, at, &mut numpy_from_import)
        } else {
            member_or_call_follows(bytes, at)
        };
        if counts {
            found = found.union(rules);
        }
    }
    RuleSet::from_iter(found.iter().filter(|r| enabled.contains(*r)))
}

/// Whether any enabled rule can fire in a file with these bytes.
pub fn may_match(bytes: &[u8], enabled: RuleSet) -> bool {
    !possible_rules(bytes, enabled).is_empty()
}

fn is_identifier_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
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

/// The identifier at `at` follows `def`, or is followed by `(`, `[`, `=` or `:`.
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
    matches!(bytes.get(i), Some(b'(' | b'[' | b'=' | b':'))
}

/// How far back to look for the call that holds a `copy=False`.
const CALL_SCAN_LIMIT: usize = 64 * 1024;

/// `copy` at `at` reads `copy=False` (blanks and parentheses allowed around `=` and
/// `False`) and sits in a call that can be NumPy's `array`: the callee's name is `array`,
/// or the file imports from numpy (`from numpy import array as make`). Whenever the scan
/// cannot be sure (a string or comment in the way, a long call), it says yes.
fn copy_false_in_array_call(bytes: &[u8], at: usize, numpy_from_import: &mut Option<bool>) -> bool {
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
    // Find the `(` that opens the call holding the keyword.
    let mut depth = 0usize;
    let stop = at.saturating_sub(CALL_SCAN_LIMIT);
    let mut j = at;
    let open = loop {
        if j == stop {
            return true;
        }
        j -= 1;
        match bytes[j] {
            b')' | b']' | b'}' => depth += 1,
            b'(' | b'[' | b'{' if depth > 0 => depth -= 1,
            b'(' => break j,
            b'[' | b'{' => return true,
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
    if callee.is_empty() {
        return true;
    }
    *numpy_from_import.get_or_insert_with(|| imports_from_numpy(bytes))
}

/// `from numpy import` appears in the file (with any blanks).
fn imports_from_numpy(bytes: &[u8]) -> bool {
    memchr::memmem::find_iter(bytes, b"from").any(|at| {
        let mut i = at + 4;
        let blank_run = |i: &mut usize| {
            let start = *i;
            while *i < bytes.len() && is_blank(bytes[*i]) {
                *i += 1;
            }
            *i > start
        };
        if !blank_run(&mut i) || !bytes[i..].starts_with(b"numpy") {
            return false;
        }
        i += 5;
        blank_run(&mut i) && bytes[i..].starts_with(b"import")
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
        assert!(!possible_rules(b"deepcopy=False", all).contains(Rule::NumpyCopyFalse));
        assert!(
            possible_rules(b"from numpy import array as a\na(x, copy=False)", all)
                .contains(Rule::NumpyCopyFalse)
        );
        assert!(possible_rules(b"np.array(')', copy=False)", all).contains(Rule::NumpyCopyFalse));
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
