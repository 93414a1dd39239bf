//! `check` on a Jupyter notebook: the notebook's Python (`source::notebook_python`) is
//! linted as any file's text; findings carry the notebook's position map; fixes go back
//! into the cells, and the file is written only when the fixed Python re-parses and the
//! fixed notebook reads back.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use ruff_source_file::SourceFileBuilder;

use super::{io_error, write_atomically, CheckArgs, FileResult};
use crate::registry::{Rule, RuleSet};
use crate::source::{self, SourceKind, WrittenBack};
use crate::{fix, prefilter};

/// What checking a notebook gave, and its fixed JSON where fixes changed it (what `--fix -`
/// prints).
pub(super) struct NotebookResult {
    pub result: FileResult,
    pub fixed_json: Option<String>,
}

/// Check the notebook `json` (its file's text). `None` when it cannot hold a finding: no
/// needle of an enabled rule in its bytes, read before any JSON is parsed.
pub(super) fn check_notebook(
    json: &str,
    path: &Path,
    display: impl Fn() -> String,
    rules: RuleSet,
    args: &CheckArgs,
    write: bool,
) -> Option<NotebookResult> {
    // As AL001 in a Python file, a broken notebook is reported only where a rule could
    // fire, with or without the pre-filter: a notebook with no protocol word costs this
    // scan and nothing else.
    let may_match = prefilter::notebook_may_match(json, rules);
    if args.lint_options().prefilter && !may_match {
        return None;
    }
    let display = display();
    let (notebook, python) = match source::notebook_python(json) {
        Ok(read) => read,
        Err(error) => {
            let reported = may_match && rules.contains(Rule::IoError);
            return reported.then(|| NotebookResult {
                result: io_error(&display, error.to_string()),
                fixed_json: None,
            });
        }
    };
    let lint = |text: &str| crate::lint_source_with(text, path, rules, args.lint_options());
    let map = Arc::new(python.map.clone());
    let source = |text: &str| Arc::new(SourceFileBuilder::new(display.as_str(), text).finish());
    let mut result = FileResult {
        cells: Some(map.clone()),
        ..FileResult::empty(&display)
    };
    if !args.fix_mode() {
        result.diagnostics = lint(&python.text);
        if !result.diagnostics.is_empty() {
            result.source = source(&python.text);
        }
        return Some(NotebookResult {
            result,
            fixed_json: None,
        });
    }

    let mut tracked = python.tracked();
    let outcome = fix::fix_tracking(
        &python.text,
        SourceKind::Notebook,
        args.unsafe_fixes,
        |text| crate::lint_source(text, path, rules),
        Some(&mut tracked),
    );
    // What remains is linted on the original notebook (`--diff`, a refused or failed fix),
    // or on the fixed one, read back as it was written.
    let unfixed = |mut result: FileResult, error: Option<String>| {
        result.error = error;
        result.diagnostics = lint(&python.text);
        result.source = source(&python.text);
        Some(NotebookResult {
            result,
            fixed_json: None,
        })
    };
    if let Some(reason) = outcome.refused {
        return unfixed(result, Some(format!("{display}: {reason}")));
    }
    if outcome.text == python.text {
        return unfixed(result, None);
    }
    let written = match notebook.write_back(&python, &outcome.text, &tracked) {
        Ok(written) => written,
        Err(error) => return unfixed(result, Some(format!("{display}: {error}"))),
    };
    // The fixed notebook must read back as one, with the fixed Python in it.
    let fixed_python = match source::notebook_python(&written.json) {
        Ok((_, fixed)) if fixed.text == outcome.text => fixed,
        _ => {
            return unfixed(
                result,
                Some(format!(
                    "{display}: the fixed notebook did not read back as written; it was left unchanged (please report this)"
                )),
            )
        }
    };
    result.fixed = outcome.fixed;
    if args.diff {
        result.diff = Some(cell_diffs(&written, &display));
        // `--diff` shows what would change; what remains is what the original has.
        let mut remaining = unfixed(result, None)?;
        remaining.result.diagnostics.retain(|d| {
            d.fix
                .as_ref()
                .is_none_or(|f| !fix::applies(f.applicability, args.unsafe_fixes))
        });
        return Some(remaining);
    }
    if write {
        if let Err(err) = write_atomically(path, json.as_bytes(), written.json.as_bytes()) {
            result.fixed = BTreeMap::new();
            return unfixed(
                result,
                Some(format!("{display}: the fixes were not written: {err}")),
            );
        }
    }
    result.diagnostics = lint(&fixed_python.text);
    result.source = source(&fixed_python.text);
    result.cells = Some(Arc::new(fixed_python.map));
    Some(NotebookResult {
        result,
        fixed_json: Some(written.json),
    })
}

/// One unified diff per changed cell, headed `a/nb.ipynb:cell N` as Ruff heads them.
fn cell_diffs(written: &WrittenBack, display: &str) -> String {
    let mut out = String::new();
    for change in &written.changed {
        let header = format!("{display}:cell {}", change.number);
        // A cell's last line often has no newline; the diff says so on both sides alike.
        out.push_str(
            &similar::TextDiff::from_lines(&change.old, &change.new)
                .unified_diff()
                .header(&format!("a/{header}"), &format!("b/{header}"))
                .to_string(),
        );
    }
    out
}
