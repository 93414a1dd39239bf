//! The whole static check of one source text: no panic; every range inside the text on
//! char boundaries; the pre-filter never changes the result, nor does narrowing in a file that
//! parses, for every rule or (as the first byte picks) one rule and the rules that evaluate:
//! narrowing depends on the rules that run.
#![no_main]

use std::path::Path;

use arraylint::registry::{Rule, RuleSet};
use arraylint::{lint_source, lint_source_with, LintOptions};
use libfuzzer_sys::fuzz_target;
use arraylint::source::SourceKind;

/// The CLI checks on threads with this stack (see src/main.rs); so does the fuzzer.
const STACK_SIZE: usize = 64 * 1024 * 1024;

fn check(text: &str, path: &Path, rules: RuleSet) {
    let diagnostics = lint_source(text, path, rules);
    for d in &diagnostics {
        let ranges = std::iter::once(d.range)
            .chain(d.fix.iter().flat_map(|f| f.edits.iter().map(|e| e.range)));
        for range in ranges {
            let (start, end) = (range.start().to_usize(), range.end().to_usize());
            assert!(start <= end && end <= text.len(), "{d:?} outside the text");
            assert!(
                text.is_char_boundary(start) && text.is_char_boundary(end),
                "{d:?} not on char boundaries"
            );
        }
    }
    let unfiltered = lint_source_with(text, path, rules, LintOptions::without_prefilter());
    assert_eq!(diagnostics, unfiltered, "the pre-filter changed the result");
    // Narrowing changes nothing in a file that parses (in one that does not, AL001 covers
    // the code arraylint reads).
    if arraylint::fix::syntax_error_count(text, SourceKind::of(path)) == 0 {
        let whole = LintOptions {
            narrow: false,
            ..LintOptions::default()
        };
        let unnarrowed = lint_source_with(text, path, rules, whole);
        assert_eq!(diagnostics, unnarrowed, "narrowing changed the result");
    }
}

fuzz_target!(|data: &[u8]| {
    // The first byte picks the file kind, so stubs and Cython get fuzzed too, and the rules: every
    // rule (the seeds), or one rule, alone or with the rules that evaluate.
    let Some((&kind, rest)) = data.split_first() else {
        return;
    };
    let rules = match usize::from((kind & 0x7f) >> 1) {
        0 => RuleSet::all(),
        pick => {
            let rule = Rule::ALL[(pick >> 1) % Rule::ALL.len()];
            let alone: RuleSet = [rule].into_iter().collect();
            if pick & 1 == 1 {
                alone.union(arraylint::rules::evaluating())
            } else {
                alone
            }
        }
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    // Bit 0: a stub; else the top bit: Cython (its projection, then the same checks). The
    // rules are picked by the bits between.
    let path = if kind & 1 == 1 {
        Path::new("fuzz.pyi")
    } else if kind & 0x80 != 0 {
        Path::new("fuzz.pyx")
    } else {
        Path::new("fuzz.py")
    };
    std::thread::scope(|scope| {
        let worker = std::thread::Builder::new()
            .stack_size(STACK_SIZE)
            .spawn_scoped(scope, || check(text, path, rules))
            .unwrap_or_else(|err| panic!("cannot start the checking thread: {err}"));
        if let Err(panic) = worker.join() {
            std::panic::resume_unwind(panic);
        }
    });
});
