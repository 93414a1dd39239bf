//! arraylint: find bugs in Python code that implements or consumes the array protocols.
//!
//! See ARCHITECTURE.md at the repository root for the map of this crate.

pub mod checker;
pub mod cli;
pub mod descriptor;
pub mod diagnostic;
pub mod discover;
pub mod fix;
pub mod layout;
pub mod lsp;
pub mod model;
pub mod narrow;
pub mod nesting;
pub mod noqa;
pub mod prefilter;
pub mod registry;
pub mod render;
pub mod rules;
pub mod settings;
pub mod source;
pub mod suggest;
pub mod value;
pub mod verify;

use std::path::Path;

use ruff_source_file::LineIndex;

use crate::diagnostic::Diagnostic;
use crate::registry::{Rule, RuleSet};

/// Where rule pages are published; `Rule::url` appends `/CODE.md`.
pub const DOCS_BASE_URL: &str = "https://github.com/arraylint/arraylint/blob/main/rules";

/// How `lint_source` runs.
#[derive(Debug, Clone, Copy)]
pub struct LintOptions {
    /// Skip parsing files that contain no needle of an enabled rule. Never changes results;
    /// off only to prove that.
    pub prefilter: bool,
    /// Blank the bodies no rule can look at before parsing (`narrow`). Never
    /// changes the result for a file that parses; in one that does not, AL001 covers the
    /// code arraylint reads. Off only to prove that.
    pub narrow: bool,
}

impl Default for LintOptions {
    fn default() -> Self {
        LintOptions {
            prefilter: true,
            narrow: true,
        }
    }
}

impl LintOptions {
    /// Everything on, but for the pre-filter.
    pub fn without_prefilter() -> Self {
        LintOptions {
            prefilter: false,
            ..LintOptions::default()
        }
    }
}

/// Lint one source text with the given rules: the one entry point the CLI, the fix engine
/// and the language server share. `# noqa` is applied; diagnostics are sorted.
pub fn lint_source(text: &str, path: &Path, rules: RuleSet) -> Vec<Diagnostic> {
    lint_source_with(text, path, rules, LintOptions::default())
}

pub fn lint_source_with(
    text: &str,
    path: &Path,
    rules: RuleSet,
    options: LintOptions,
) -> Vec<Diagnostic> {
    let prefiltered = prefilter::prefilter_source(text, rules);
    lint_prefiltered(text, path, rules, prefiltered, options)
}

/// `lint_source_with` for a caller that has already run the pre-filter on this very text
/// (`prefiltered` is `prefilter::prefilter_source(text, rules)`): the CLI scans each file once.
pub fn lint_prefiltered(
    text: &str,
    path: &Path,
    rules: RuleSet,
    prefiltered: prefilter::Prefiltered,
    options: LintOptions,
) -> Vec<Diagnostic> {
    let mut possible = prefiltered.rules;
    // AL001 is reported only in files that mention an array protocol: a file in which no
    // rule can fire is not parsed, so its syntax is not ours to judge. This holds with and
    // without the pre-filter, which therefore never changes results.
    possible.remove(Rule::SyntaxError);
    if possible.is_empty() && options.prefilter {
        return Vec::new();
    }
    let enabled = rules;
    let mentions_protocol = !possible.is_empty();
    let mut rules = if options.prefilter { possible } else { rules };
    if mentions_protocol && enabled.contains(Rule::SyntaxError) {
        rules.insert(Rule::SyntaxError);
    } else {
        rules.remove(Rule::SyntaxError);
    }
    // A Cython text is read as its projection: the same offsets and lines, so everything
    // below (and every diagnostic) works on it unchanged; the C facts it blanked go to the
    // checker. The layout is the projection's.
    let kind = source::SourceKind::of(path);
    let projection = (kind == source::SourceKind::Cython).then(|| source::cython::project(text));
    let mut prefiltered = prefiltered;
    if let Some(projection) = &projection {
        prefiltered.layout = layout::scan(projection.python.as_bytes());
    }
    let text = projection.as_ref().map_or(text, |p| &p.python[..]);
    let cython = projection.as_ref().map(|p| &p.decls);
    let too_deep = match &prefiltered.layout {
        Some(layout) => nesting::too_deep_with(text, layout),
        None => nesting::too_deep(text),
    };
    if too_deep {
        return if rules.contains(Rule::SyntaxError) {
            vec![nesting::diagnostic()]
        } else {
            Vec::new()
        };
    }
    let source_type = kind.py_source_type();
    // Function bodies no rule can look at are blanked (same offsets, same lines); the plan
    // also says which syntax errors are reported: those in the code arraylint reads. It is
    // made for the rules that can fire, with or without the pre-filter: a rule that
    // cannot fire on the text cannot on less of it, and so AL001 does not depend on it.
    let plan = match &prefiltered.layout {
        Some(layout) if options.narrow && !prefiltered.normalizes => {
            narrow::plan(text, layout, possible, source_type.is_stub())
        }
        _ => narrow::Plan::default(),
    };
    let blanked;
    // `text` becomes the narrowed text when that is what is parsed.
    let (original, mut text) = (text, text);
    let mut parsed = None;
    if !plan.is_empty() {
        blanked = plan.apply(original);
        let narrowed = ruff_python_parser::parse_unchecked_source(&blanked, source_type);
        // A file that does not parse is parsed whole: how the parser recovers from an
        // error may depend on what was blanked.
        if narrowed.errors().is_empty() {
            text = &blanked;
            parsed = Some(narrowed);
        }
    }
    let parsed =
        parsed.unwrap_or_else(|| ruff_python_parser::parse_unchecked_source(text, source_type));
    let model = model::Model::build(&parsed.syntax().body, source_type.is_stub(), cython);
    let mut checker = checker::Checker::new(text, path, parsed.syntax(), &model, rules);
    checker.cython = cython;
    checker.run();
    let mut diagnostics = checker.into_diagnostics();

    // The parser's errors, and a NUL byte, which CPython refuses wherever it is; at the same
    // offset the NUL's own message wins (the sort below is stable).
    let null_byte = memchr::memchr(0, original.as_bytes())
        .and_then(|at| u32::try_from(at).ok())
        .map(|at| rules::syntax_error::null_byte(at.into()));
    let mut syntax_errors: Vec<Diagnostic> = null_byte
        .into_iter()
        .chain(parsed.errors().iter().map(rules::syntax_error::diagnostic))
        .collect();
    // In the code arraylint reads: not in a body no rule looks at.
    syntax_errors.retain(|d| !plan.hides(d.range.start().to_u32()));
    syntax_errors.sort_by_key(|d| d.range.start());
    // Most files that are parsed have no finding: then there are no lines to look up and
    // no `# noqa` to read.
    if diagnostics.is_empty() && (syntax_errors.is_empty() || !rules.contains(Rule::SyntaxError)) {
        return Vec::new();
    }
    let index = LineIndex::from_source_text(text);
    // A line with a syntax error gets AL001 only: the rest is noise from a half-written line.
    let error_lines: Vec<usize> = syntax_errors
        .iter()
        .map(|d| index.line_index(d.range.start()).to_zero_indexed())
        .collect();
    if !error_lines.is_empty() {
        // Sorted (the errors are), so each look-up is a binary search, not a scan.
        let line_of = |offset| index.line_index(offset).to_zero_indexed();
        diagnostics.retain(|d| {
            error_lines
                .binary_search(&line_of(d.range.start()))
                .is_err()
        });
    }

    let mut directives = noqa::Directives::from_tokens(parsed.tokens(), text, &index);
    // A file-level directive counts wherever it stands, in blanked code too.
    if let Some(layout) = &prefiltered.layout {
        for comment in plan.hidden_comments(original, layout) {
            directives.add_file_directive(comment);
        }
    }
    diagnostics.retain(|d| {
        !directives.suppresses(d.rule, index.line_index(d.range.start()).to_zero_indexed())
    });
    // AL001 cannot be suppressed, as in Ruff: the file is broken whatever the comments say.
    if rules.contains(Rule::SyntaxError) {
        // One per line: the errors after the first on a line are the parser recovering.
        let mut last_line = None;
        for error in syntax_errors {
            let line = index.line_index(error.range.start());
            if last_line != Some(line) {
                diagnostics.push(error);
            }
            last_line = Some(line);
        }
    }
    diagnostics.sort_by(|a, b| {
        (a.range.start(), a.range.end(), a.rule).cmp(&(b.range.start(), b.range.end(), b.rule))
    });
    diagnostics.dedup_by(|a, b| a.rule == b.rule && a.range == b.range && a.message == b.message);
    diagnostics
}

/// The line (0-based) on which a `# noqa` for this diagnostic goes.
pub fn noqa_line(diagnostic: &Diagnostic, index: &LineIndex) -> usize {
    index.line_index(diagnostic.range.start()).to_zero_indexed()
}
