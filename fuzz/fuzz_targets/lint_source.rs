//! The whole static check of one source text: no panic; every range inside the text on
//! char boundaries; the pre-filter never changes the result, nor does narrowing in a file that
//! parses.
#![no_main]

use std::path::Path;

use arraylint::registry::RuleSet;
use arraylint::{lint_source, lint_source_with, LintOptions};
use libfuzzer_sys::fuzz_target;
use ruff_python_ast::PySourceType;

/// The CLI checks on threads with this stack (see src/main.rs); so does the fuzzer.
const STACK_SIZE: usize = 64 * 1024 * 1024;

fn check(text: &str, path: &Path) {
    let diagnostics = lint_source(text, path, RuleSet::all());
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
    let unfiltered = lint_source_with(text, path, RuleSet::all(), LintOptions::without_prefilter());
    assert_eq!(diagnostics, unfiltered, "the pre-filter changed the result");
    // Narrowing changes nothing in a file that parses (in one that does not, AL001 covers
    // the code arraylint reads).
    if arraylint::fix::syntax_error_count(text, PySourceType::from(path)) == 0 {
        let whole = LintOptions {
            narrow: false,
            ..LintOptions::default()
        };
        let unnarrowed = lint_source_with(text, path, RuleSet::all(), whole);
        assert_eq!(diagnostics, unnarrowed, "narrowing changed the result");
    }
}

fuzz_target!(|data: &[u8]| {
    // The first byte picks the file kind, so stubs get fuzzed too.
    let Some((&kind, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let path = if kind & 1 == 1 {
        Path::new("fuzz.pyi")
    } else {
        Path::new("fuzz.py")
    };
    std::thread::scope(|scope| {
        let worker = std::thread::Builder::new()
            .stack_size(STACK_SIZE)
            .spawn_scoped(scope, || check(text, path))
            .unwrap_or_else(|err| panic!("cannot start the checking thread: {err}"));
        if let Err(panic) = worker.join() {
            std::panic::resume_unwind(panic);
        }
    });
});
