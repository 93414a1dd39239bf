//! The byte pre-filter: a file in which none of the enabled rules' needles occur cannot
//! produce a finding, so it is never parsed. It must never change results: the fixture
//! harness and the CLI tests run with and without it and compare.

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, MatchKind};

use crate::registry::{Rule, RuleSet};

/// Every distinct needle of every rule, with the rules each one serves.
struct Needles {
    searcher: AhoCorasick,
    rules: Vec<RuleSet>,
}

fn needles() -> &'static Needles {
    static NEEDLES: OnceLock<Needles> = OnceLock::new();
    NEEDLES.get_or_init(|| {
        let mut patterns: Vec<&'static str> = Vec::new();
        let mut rules: Vec<RuleSet> = Vec::new();
        for rule in Rule::ALL {
            for needle in rule.needles() {
                match patterns.iter().position(|p| p == needle) {
                    Some(i) => rules[i].insert(*rule),
                    None => {
                        patterns.push(needle);
                        rules.push(std::iter::once(*rule).collect());
                    }
                }
            }
        }
        let searcher = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostFirst)
            .build(&patterns)
            .unwrap_or_else(|e| panic!("the registry's needles are valid patterns: {e}"));
        Needles { searcher, rules }
    })
}

/// The rules, of those enabled, whose needles occur in `bytes`.
pub fn possible_rules(bytes: &[u8], enabled: RuleSet) -> RuleSet {
    let needles = needles();
    let mut found = RuleSet::empty();
    for m in needles.searcher.find_iter(bytes) {
        let rules = needles.rules[m.pattern().as_usize()];
        if rules.intersects(enabled) && !found.contains_all(rules) {
            // `copy` alone is common; AL602 needs `copy` `=` `False`.
            if m.pattern().as_usize() == copy_pattern() && !copy_false_follows(bytes, m.end()) {
                continue;
            }
            found = found.union(rules);
        }
    }
    RuleSet::from_iter(found.iter().filter(|r| enabled.contains(*r)))
}

/// Whether any enabled rule can fire in a file with these bytes.
pub fn may_match(bytes: &[u8], enabled: RuleSet) -> bool {
    !possible_rules(bytes, enabled).is_empty()
}

fn copy_pattern() -> usize {
    static INDEX: OnceLock<usize> = OnceLock::new();
    *INDEX.get_or_init(|| {
        let mut seen: Vec<&str> = Vec::new();
        for rule in Rule::ALL {
            for needle in rule.needles() {
                if !seen.contains(needle) {
                    seen.push(needle);
                }
            }
        }
        seen.iter().position(|n| *n == "copy").unwrap_or(usize::MAX)
    })
}

fn copy_false_follows(bytes: &[u8], mut at: usize) -> bool {
    let skip_space = |at: &mut usize| {
        while bytes
            .get(*at)
            .is_some_and(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\\' | b'\x0c' | b'('))
        {
            *at += 1;
        }
    };
    skip_space(&mut at);
    if bytes.get(at) != Some(&b'=') {
        return false;
    }
    at += 1;
    skip_space(&mut at);
    bytes[at.min(bytes.len())..].starts_with(b"False")
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
        let only_dlpack: RuleSet = [Rule::DlpackSignature].into_iter().collect();
        assert!(!may_match(b"def __array__(self): ...", only_dlpack));
    }
}
