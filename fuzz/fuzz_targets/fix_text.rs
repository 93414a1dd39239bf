//! The fix engine with unsafe fixes: the output re-parses without new syntax errors, a
//! second run changes nothing, a BOM stays.
#![no_main]

use std::path::Path;

use arraylint::fix::{fix_text, syntax_error_count};
use arraylint::registry::RuleSet;
use libfuzzer_sys::fuzz_target;
use arraylint::source::SourceKind;

const STACK_SIZE: usize = 64 * 1024 * 1024;

fn check(text: &str, path: &Path, kind: SourceKind) {
    let out = fix_text(text, path, RuleSet::all(), true);
    if out.refused.is_some() {
        assert_eq!(out.text, text, "a refused fix changed the text");
        return;
    }
    if out.fixed_count() == 0 {
        assert_eq!(out.text, text, "no fix applied but the text changed");
        return;
    }
    assert!(
        syntax_error_count(&out.text, kind) <= syntax_error_count(text, kind),
        "the fixes added a syntax error:\n{}",
        out.text
    );
    if text.starts_with('\u{feff}') {
        assert!(
            out.text.starts_with('\u{feff}'),
            "the fixes dropped the BOM"
        );
    }
    let again = fix_text(&out.text, path, RuleSet::all(), true);
    assert_eq!(
        again.fixed_count(),
        0,
        "not idempotent: a second run fixed more"
    );
    assert_eq!(again.text, out.text, "not idempotent");
}

fuzz_target!(|data: &[u8]| {
    let Some((&kind, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    // Bit 0: a stub; else the top bit: Cython (fixed through its projection).
    let path = if kind & 1 == 1 {
        Path::new("fuzz.pyi")
    } else if kind & 0x80 != 0 {
        Path::new("fuzz.pyx")
    } else {
        Path::new("fuzz.py")
    };
    let source_kind = SourceKind::of(path);
    std::thread::scope(|scope| {
        let worker = std::thread::Builder::new()
            .stack_size(STACK_SIZE)
            .spawn_scoped(scope, || check(text, path, source_kind))
            .unwrap_or_else(|err| panic!("cannot start the fixing thread: {err}"));
        if let Err(panic) = worker.join() {
            std::panic::resume_unwind(panic);
        }
    });
});
