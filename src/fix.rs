//! The fix engine: apply the fixes of a lint to a fixed point, refuse any result that does
//! not re-parse. Writing files (atomically) is the CLI's job; this works on text only, so
//! the CLI, the language server and the tests share it.

use std::collections::BTreeMap;
use std::path::Path;

use ruff_text_size::TextRange;

use crate::diagnostic::{Applicability, Diagnostic, Edit};
use crate::registry::{Rule, RuleSet};
use crate::source::SourceKind;

/// At most this many lint-and-fix passes: fixes never need more, and a pair of fixes that
/// undo each other must not loop forever.
const MAX_PASSES: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixOutcome {
    /// The fixed text (the input, unchanged, when nothing was fixed or the fix was refused).
    pub text: String,
    /// How many fixes of each rule were applied.
    pub fixed: BTreeMap<Rule, usize>,
    /// Why the fixes were refused, if they were: the file must then be left untouched.
    pub refused: Option<String>,
}

impl FixOutcome {
    pub fn fixed_count(&self) -> usize {
        self.fixed.values().sum()
    }
}

/// Whether a fix of this applicability is applied.
pub fn applies(applicability: Applicability, unsafe_fixes: bool) -> bool {
    applicability == Applicability::Safe || unsafe_fixes
}

/// Apply every applicable fix, re-lint, and repeat until nothing changes.
pub fn fix_text(text: &str, path: &Path, rules: RuleSet, unsafe_fixes: bool) -> FixOutcome {
    fix_with(text, SourceKind::of(path), unsafe_fixes, |current| {
        crate::lint_source(current, path, rules)
    })
}

/// `fix_text` with the lint given: the tests use it to feed fixes no rule produces.
pub fn fix_with(
    text: &str,
    kind: SourceKind,
    unsafe_fixes: bool,
    lint: impl FnMut(&str) -> Vec<Diagnostic>,
) -> FixOutcome {
    fix_tracking(text, kind, unsafe_fixes, lint, None)
}

/// Offsets in a text that a caller needs to follow through the fixes: a text made of
/// parts (a notebook's cells) that go back where they came from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tracked {
    /// Where each part starts: moved by the edits before it. An insertion at an anchor
    /// goes to the part that starts there; an edit across one is refused.
    pub anchors: Vec<usize>,
    /// Ranges no edit may touch (a notebook's blanked IPython lines): moved as a whole.
    pub protected: Vec<std::ops::Range<usize>>,
}

impl Tracked {
    /// Move the offsets past `edits` (sorted, not overlapping); `false` when an edit
    /// crosses an anchor or touches a protected range.
    pub(crate) fn follow(&mut self, edits: &[&Edit]) -> bool {
        let span = |e: &Edit| (e.range.start().to_usize(), e.range.end().to_usize());
        let delta = |e: &Edit| {
            let (start, end) = span(e);
            e.content.len() as isize - (end - start) as isize
        };
        let crosses = edits.iter().any(|e| {
            let (start, end) = span(e);
            self.anchors.iter().any(|&a| start < a && a < end)
                || self
                    .protected
                    .iter()
                    .any(|p| start < p.end && end > p.start)
        });
        if crosses {
            return false;
        }
        let shift = |at: usize, before: &dyn Fn(usize, usize) -> bool| -> usize {
            let moved: isize = edits
                .iter()
                .filter(|e| {
                    let (start, end) = span(e);
                    before(start, end)
                })
                .map(|e| delta(e))
                .sum();
            at.saturating_add_signed(moved)
        };
        for anchor in &mut self.anchors {
            let at = *anchor;
            // An insertion at the anchor belongs to the part that starts there.
            *anchor = shift(at, &|start, end| end <= at && !(start == end && end == at));
        }
        for range in &mut self.protected {
            let at = range.start;
            let moved = shift(at, &|_, end| end <= at);
            *range = moved..moved + range.len();
        }
        true
    }
}

/// `fix_with`, following `tracked` through every pass; an edit that crosses a tracked
/// boundary refuses the whole fix.
pub fn fix_tracking(
    text: &str,
    kind: SourceKind,
    unsafe_fixes: bool,
    mut lint: impl FnMut(&str) -> Vec<Diagnostic>,
    mut tracked: Option<&mut Tracked>,
) -> FixOutcome {
    // As in Ruff, a file that does not parse is not fixed: no result could re-parse, and
    // edits computed from a recovered tree may land in the wrong place.
    if syntax_error_count(text, kind) > 0 {
        return FixOutcome {
            text: text.to_string(),
            fixed: BTreeMap::new(),
            refused: None,
        };
    }
    let mut current = text.to_string();
    let mut fixed: BTreeMap<Rule, usize> = BTreeMap::new();
    let mut seen: Vec<u64> = vec![hash(&current)];
    let mut settled = false;
    for _ in 0..MAX_PASSES {
        let diagnostics = lint(&current);
        let (chosen, applied) = choose_edits(&current, &diagnostics, unsafe_fixes);
        let Some(next) = apply_edits(&current, &chosen) else {
            settled = true;
            break;
        };
        if let Some(tracked) = tracked.as_deref_mut() {
            if !tracked.follow(&chosen) {
                return FixOutcome {
                    text: text.to_string(),
                    fixed: BTreeMap::new(),
                    refused: Some(format!(
                        "a fix for {} would cross a notebook cell's boundary or change an IPython line; the file was left unchanged",
                        applied.iter().map(|r| r.code()).collect::<Vec<_>>().join(", ")
                    )),
                };
            }
        }
        if syntax_error_count(&next, kind) > 0 {
            return FixOutcome {
                text: text.to_string(),
                fixed: BTreeMap::new(),
                refused: Some(format!(
                    "applying the fixes for {} would make the file invalid Python; it was left unchanged",
                    applied.iter().map(|r| r.code()).collect::<Vec<_>>().join(", ")
                )),
            };
        }
        for rule in applied {
            *fixed.entry(rule).or_default() += 1;
        }
        let digest = hash(&next);
        current = next;
        if seen.contains(&digest) {
            settled = true;
            break; // fixes that undo each other
        }
        seen.push(digest);
    }
    if !settled {
        // Fixes that keep changing the text are a bug in a rule; the file is safer as it was.
        return FixOutcome {
            text: text.to_string(),
            fixed: BTreeMap::new(),
            refused: Some(format!(
                "the fixes did not settle after {MAX_PASSES} passes; the file was left unchanged (please report this)"
            )),
        };
    }
    FixOutcome {
        text: current,
        fixed,
        refused: None,
    }
}

/// One pass: the applicable fixes that do not overlap an earlier one (a fix that waits is
/// applied in the next pass). None when there is nothing to apply.
pub fn apply_fixes(
    text: &str,
    diagnostics: &[Diagnostic],
    unsafe_fixes: bool,
) -> Option<(String, Vec<Rule>)> {
    let (chosen, applied) = choose_edits(text, diagnostics, unsafe_fixes);
    apply_edits(text, &chosen).map(|out| (out, applied))
}

/// The edits of one pass, sorted, and the rules they fix.
fn choose_edits<'d>(
    text: &str,
    diagnostics: &'d [Diagnostic],
    unsafe_fixes: bool,
) -> (Vec<&'d Edit>, Vec<Rule>) {
    let mut chosen: Vec<&Edit> = Vec::new();
    let mut applied = Vec::new();
    for diagnostic in diagnostics {
        let Some(fix) = &diagnostic.fix else { continue };
        if !applies(fix.applicability, unsafe_fixes) || fix.edits.is_empty() {
            continue;
        }
        let in_bounds = fix.edits.iter().all(|e| {
            e.range.end().to_usize() <= text.len()
                && text.is_char_boundary(e.range.start().to_usize())
                && text.is_char_boundary(e.range.end().to_usize())
        });
        let overlaps = fix
            .edits
            .iter()
            .any(|e| chosen.iter().any(|c| overlap(c.range, e.range)));
        if !in_bounds || overlaps {
            continue;
        }
        chosen.extend(fix.edits.iter());
        applied.push(diagnostic.rule);
    }
    chosen.sort_by_key(|e| (e.range.start(), e.range.end()));
    (chosen, applied)
}

/// `text` with the sorted `edits` applied; None when that changes nothing.
fn apply_edits(text: &str, chosen: &[&Edit]) -> Option<String> {
    if chosen.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(text.len() + 64);
    let mut last = 0usize;
    for edit in chosen {
        let start = edit.range.start().to_usize();
        out.push_str(&text[last..start]);
        out.push_str(&edit.content);
        last = edit.range.end().to_usize();
    }
    out.push_str(&text[last..]);
    (out != text).then_some(out)
}

/// Two edits conflict when their ranges intersect, or both insert at the same point.
fn overlap(a: TextRange, b: TextRange) -> bool {
    (a.start() < b.end() && b.start() < a.end()) || a.start() == b.start()
}

fn hash(text: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut hasher);
    hasher.finish()
}

/// Parse errors, plus the errors CPython raises at compile time that the parser does not
/// flag but a fix could introduce (a repeated parameter name). A Cython text is counted on
/// its projection.
pub fn syntax_error_count(text: &str, kind: SourceKind) -> usize {
    let text = &*crate::source::parseable(text, kind);
    let source_type = kind.py_source_type();
    if crate::nesting::too_deep(text) {
        return 1; // not parsed: the parser would overflow the stack (see nesting.rs)
    }
    // CPython refuses a NUL byte anywhere; the parser lets one pass in a comment or string.
    let null_byte = usize::from(text.contains('\0'));
    let parsed = ruff_python_parser::parse_unchecked_source(text, source_type);
    parsed.errors().len() + duplicate_parameters(parsed.syntax()) + null_byte
}

fn duplicate_parameters(module: &ruff_python_ast::ModModule) -> usize {
    use ruff_python_ast::visitor::{self, Visitor};
    struct Duplicates(usize);
    impl<'a> Visitor<'a> for Duplicates {
        fn visit_parameters(&mut self, parameters: &'a ruff_python_ast::Parameters) {
            let mut names: Vec<&str> = parameters.iter().map(|p| p.name().as_str()).collect();
            let total = names.len();
            names.sort_unstable();
            names.dedup();
            self.0 += total - names.len();
            visitor::walk_parameters(self, parameters);
        }
    }
    let mut duplicates = Duplicates(0);
    duplicates.visit_body(&module.body);
    duplicates.0
}

/// The file's line ending, for fixes that insert lines.
pub fn line_ending(text: &str) -> &'static str {
    match ruff_source_file::find_newline(text) {
        Some((_, ruff_source_file::LineEnding::CrLf)) => "\r\n",
        Some((_, ruff_source_file::LineEnding::Cr)) => "\r",
        _ => "\n",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixes_to_a_fixed_point_and_is_idempotent() {
        let src = "class A:\n    def __array__(self):\n        return 1\n";
        let out = fix_text(src, Path::new("a.py"), RuleSet::all(), true);
        assert_eq!(out.refused, None);
        assert!(
            out.text
                .contains("def __array__(self, dtype=None, copy=None):"),
            "{}",
            out.text
        );
        let again = fix_text(&out.text, Path::new("a.py"), RuleSet::all(), true);
        assert_eq!(again.text, out.text);
        assert_eq!(again.fixed_count(), 0);
    }

    #[test]
    fn refuses_a_fix_that_breaks_the_file() {
        use crate::diagnostic::Fix;
        let src = "x = 1\n";
        let out = fix_with(src, SourceKind::Python, true, |_| {
            vec![
                Diagnostic::new(Rule::ArrayMissingCopy, "m", TextRange::default()).with_fix(Fix {
                    applicability: Applicability::Safe,
                    message: "break it".into(),
                    edits: vec![Edit::insertion(0.into(), "def (")],
                }),
            ]
        });
        assert_eq!(out.text, src);
        assert!(out.refused.is_some());
        assert_eq!(out.fixed_count(), 0);
    }

    #[test]
    fn refuses_fixes_that_never_settle() {
        use crate::diagnostic::Fix;
        let src = "x = 1\n";
        // A fix whose edit the next lint never sees: it would be applied forever.
        let out = fix_with(src, SourceKind::Python, true, |_| {
            vec![
                Diagnostic::new(Rule::ArrayMissingCopy, "m", TextRange::default()).with_fix(Fix {
                    applicability: Applicability::Safe,
                    message: "grow".into(),
                    edits: vec![Edit::insertion(0.into(), "#\n")],
                }),
            ]
        });
        assert_eq!(out.text, src);
        assert!(out
            .refused
            .as_ref()
            .is_some_and(|r| r.contains("did not settle")));
        assert_eq!(out.fixed_count(), 0);
    }

    #[test]
    fn leaves_a_file_with_syntax_errors_alone() {
        let src = "class A:\n    def __array__(self\n";
        let out = fix_text(src, Path::new("a.py"), RuleSet::all(), true);
        assert_eq!(out.text, src);
        assert_eq!(out.fixed_count(), 0);
        assert_eq!(out.refused, None);
    }

    #[test]
    fn counts_duplicate_parameters() {
        assert_eq!(
            syntax_error_count("def f(a, a): ...\n", SourceKind::Python),
            1
        );
        assert_eq!(
            syntax_error_count("def f(a, b): ...\n", SourceKind::Python),
            0
        );
    }
}
