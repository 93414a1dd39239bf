//! The fixture harness: every `fixtures/**/*.py[i]` (and Cython: `.pyx`, `.pxd`, `.pxi`) is checked with all rules; each line
//! that carries `# error: AL101` (several codes separated by commas) must get exactly those
//! diagnostics starting on that line, and no other line may get any. Run once with the
//! pre-filter and once without: the results must be identical.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use arraylint::registry::{Rule, RuleSet};
use arraylint::source::SourceKind;
use arraylint::LintOptions;
use ruff_source_file::LineIndex;

fn fixture_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("fixtures/ is readable") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                // Live producers for verify and fix before/after pairs have their own tests.
                if !matches!(
                    path.file_name().and_then(|n| n.to_str()),
                    Some("verify" | "fix")
                ) {
                    stack.push(path);
                }
            } else if path
                .extension()
                .is_some_and(|e| matches!(e.to_str(), Some("py" | "pyi" | "pyx" | "pxd" | "pxi")))
            {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// `# error: AL101, AL102` markers: line (1-based) -> codes.
fn expectations(text: &str) -> BTreeMap<usize, Vec<String>> {
    let mut expected = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        if let Some(pos) = line.find("# error:") {
            let codes: Vec<String> = line[pos + 8..]
                .split(|c: char| c == ',' || c.is_whitespace())
                .map(str::trim)
                .filter(|c| c.starts_with("AL"))
                .map(str::to_string)
                .collect();
            let mut codes = codes;
            codes.sort();
            expected.insert(i + 1, codes);
        }
    }
    expected
}

fn actual(text: &str, path: &Path, prefilter: bool) -> BTreeMap<usize, Vec<String>> {
    let options = LintOptions {
        prefilter,
        ..LintOptions::default()
    };
    actual_with(text, path, options)
}

fn actual_with(text: &str, path: &Path, options: LintOptions) -> BTreeMap<usize, Vec<String>> {
    let index = LineIndex::from_source_text(text);
    let mut actual: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for d in arraylint::lint_source_with(text, path, RuleSet::all(), options) {
        let line = index.line_index(d.range.start()).get();
        actual
            .entry(line)
            .or_default()
            .push(d.rule.code().to_string());
    }
    for codes in actual.values_mut() {
        codes.sort();
    }
    actual
}

#[test]
fn every_fixture_matches_its_markers() {
    let mut failures = Vec::new();
    let files = fixture_files();
    assert!(files.len() >= 5, "fixtures/ holds the rule fixtures");
    for path in &files {
        let text = std::fs::read_to_string(path).expect("fixture is UTF-8");
        let expected = expectations(&text);
        let got = actual(&text, path, true);
        if expected != got {
            failures.push(format!(
                "{}:\n  expected {expected:?}\n  got      {got:?}",
                path.display()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "fixture mismatches:\n{}",
        failures.join("\n")
    );
}

#[test]
fn prefilter_never_changes_results() {
    for path in fixture_files() {
        let text = std::fs::read_to_string(&path).expect("fixture is UTF-8");
        assert_eq!(
            actual(&text, &path, true),
            actual(&text, &path, false),
            "{}",
            path.display()
        );
    }
}

#[test]
fn narrowing_never_changes_results_in_files_that_parse() {
    let mut compared = 0;
    for path in fixture_files() {
        let text = std::fs::read_to_string(&path).expect("fixture is UTF-8");
        // A Cython file is parsed as its projection, as the linter does.
        let parseable = arraylint::source::parseable(&text, SourceKind::of(&path));
        if ruff_python_parser::parse_module(&parseable).is_err() {
            continue; // there AL001 covers the code arraylint reads (rules/AL001.md)
        }
        let whole = LintOptions {
            narrow: false,
            ..LintOptions::default()
        };
        assert_eq!(
            actual(&text, &path, true),
            actual_with(&text, &path, whole),
            "{}",
            path.display()
        );
        compared += 1;
    }
    assert!(compared > 40, "{compared}");
}

/// Narrowing depends on the rules that run (the evaluator's reach is kept only for the
/// rules that evaluate): each rule alone, and each rule with every rule that evaluates,
/// gives what it gives on the whole text.
#[test]
fn narrowing_for_any_one_rule_never_changes_its_results() {
    let mut compared = 0;
    let evaluating = arraylint::rules::evaluating();
    for path in fixture_files() {
        let text = std::fs::read_to_string(&path).expect("fixture is UTF-8");
        // A Cython file is parsed as its projection, as the linter does.
        let parseable = arraylint::source::parseable(&text, SourceKind::of(&path));
        if ruff_python_parser::parse_module(&parseable).is_err() {
            continue;
        }
        for rule in Rule::ALL.iter().filter(|r| r.mode().is_static()) {
            let alone: RuleSet = [*rule].into_iter().collect();
            for rules in [alone, alone.union(evaluating)] {
                let lint = |narrow| {
                    let options = LintOptions {
                        narrow,
                        ..LintOptions::default()
                    };
                    arraylint::lint_source_with(&text, &path, rules, options)
                        .into_iter()
                        .map(|d| (d.rule, d.range, d.message))
                        .collect::<Vec<_>>()
                };
                assert_eq!(
                    lint(true),
                    lint(false),
                    "{} {}",
                    path.display(),
                    rule.code()
                );
                compared += 1;
            }
        }
    }
    assert!(compared > 1000, "{compared}");
}

/// Narrowing never leaves a file that parses unparseable: where it did, the file would be
/// parsed twice (narrowed, then whole), exact but slower than not narrowing at all.
#[test]
fn narrowed_fixtures_that_parse_still_parse() {
    let mut narrowed = 0;
    for path in fixture_files() {
        let text = std::fs::read_to_string(&path).expect("fixture is UTF-8");
        // A Cython fixture is narrowed as its projection is.
        let kind = SourceKind::of(&path);
        let text = arraylint::source::parseable(&text, kind).into_owned();
        let source_type = kind.py_source_type();
        let stub = source_type.is_stub();
        if !ruff_python_parser::parse_unchecked_source(&text, source_type)
            .errors()
            .is_empty()
        {
            continue;
        }
        let static_rules = Rule::ALL.iter().filter(|r| r.mode().is_static());
        let sets = std::iter::once(RuleSet::all())
            .chain(static_rules.map(|rule| [*rule].into_iter().collect::<RuleSet>()));
        for rules in sets {
            let prefiltered = arraylint::prefilter::prefilter_source(&text, rules);
            let Some(layout) = &prefiltered.layout else {
                continue;
            };
            let plan = arraylint::narrow::plan(&text, layout, prefiltered.rules, stub);
            if plan.is_empty() {
                continue;
            }
            let blanked = plan.apply(&text);
            let errors = ruff_python_parser::parse_unchecked_source(&blanked, source_type)
                .errors()
                .to_vec();
            assert!(
                errors.is_empty(),
                "{}: {errors:?}\n{blanked}",
                path.display()
            );
            narrowed += 1;
        }
    }
    assert!(narrowed > 50, "{narrowed}");
}

#[test]
fn every_static_rule_has_a_fixture_that_fires_it() {
    let mut fired = RuleSet::empty();
    for path in fixture_files() {
        let text = std::fs::read_to_string(&path).expect("fixture is UTF-8");
        for d in arraylint::lint_source(&text, &path, RuleSet::all()) {
            fired.insert(d.rule);
        }
    }
    let missing: Vec<&str> = Rule::ALL
        .iter()
        .filter(|r| r.mode().is_static() && **r != Rule::IoError && !fired.contains(**r))
        .map(|r| r.code())
        .collect();
    assert!(
        missing.is_empty(),
        "static rules no fixture fires: {missing:?}"
    );
}
