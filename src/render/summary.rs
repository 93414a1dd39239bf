//! The summary lines under `full` and `concise` output, in Ruff's words.

use std::io::{self, Write};

/// What happened in a run, for the summary lines.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Findings reported.
    pub remaining: usize,
    /// Findings fixed by `--fix`.
    pub fixed: usize,
    /// Remaining findings with a fix applicable under the current `--unsafe-fixes` setting.
    pub fixable: usize,
    /// Remaining findings with only an unsafe fix while `--unsafe-fixes` is off.
    pub hidden_unsafe: usize,
    /// `--fix` was given.
    pub fix_mode: bool,
}

impl Summary {
    /// Whether findings should carry the `[*]` marker (`RenderOptions::show_fix_status`).
    /// Ruff hides it under `--fix`: a fix that still applies would have been applied.
    pub fn show_fix_status(&self) -> bool {
        !self.fix_mode && self.fixable > 0
    }
}

/// `All checks passed!` / `Found N errors.` / `Found N errors (F fixed, R remaining).`, then
/// what `--fix` and `--unsafe-fixes` would do.
pub fn write_summary(summary: &Summary, out: &mut dyn Write) -> io::Result<()> {
    let Summary {
        remaining,
        fixed,
        fixable,
        hidden_unsafe,
        fix_mode: _,
    } = *summary;
    // Ruff counts fixed findings as found ("Found 3 errors (2 fixed, 1 remaining).").
    let total = fixed + remaining;
    if fixed > 0 {
        writeln!(
            out,
            "Found {total} error{} ({fixed} fixed, {remaining} remaining).",
            plural(total, "", "s")
        )?;
    } else if remaining > 0 {
        writeln!(
            out,
            "Found {remaining} error{}.",
            plural(remaining, "", "s")
        )?;
    } else {
        writeln!(out, "All checks passed!")?;
    }

    let hidden = |count: usize| {
        format!(
            "{count} hidden fix{} can be enabled with the `--unsafe-fixes` option",
            plural(count, "", "es")
        )
    };
    if fixable > 0 && hidden_unsafe > 0 {
        writeln!(
            out,
            "[*] {fixable} fixable with the `--fix` option ({}).",
            hidden(hidden_unsafe)
        )?;
    } else if fixable > 0 {
        writeln!(out, "[*] {fixable} fixable with the `--fix` option.")?;
    } else if hidden_unsafe > 0 {
        writeln!(out, "No fixes available ({}).", hidden(hidden_unsafe))?;
    }
    Ok(())
}

/// The one line Ruff prints when findings are not shown (`--fix-only`, and `--diff`, where
/// `applied` is false): what was (or would be) fixed, and what `--unsafe-fixes` would add.
/// `remaining` and `fixable` are not used: the findings are not the point of these modes.
pub fn write_fix_summary(summary: &Summary, applied: bool, out: &mut dyn Write) -> io::Result<()> {
    let Summary {
        fixed,
        hidden_unsafe,
        ..
    } = *summary;
    let errors = plural(fixed, "error", "errors");
    let fixes = plural(hidden_unsafe, "fix", "fixes");
    match (fixed > 0, hidden_unsafe > 0, applied) {
        (true, true, true) => writeln!(
            out,
            "Fixed {fixed} {errors} ({hidden_unsafe} additional {fixes} available with `--unsafe-fixes`)."
        ),
        (true, true, false) => writeln!(
            out,
            "Would fix {fixed} {errors} ({hidden_unsafe} additional {fixes} available with `--unsafe-fixes`)."
        ),
        (false, true, true) => writeln!(
            out,
            "No errors fixed ({hidden_unsafe} {fixes} available with `--unsafe-fixes`)."
        ),
        (false, true, false) => writeln!(
            out,
            "No errors would be fixed ({hidden_unsafe} {fixes} available with `--unsafe-fixes`)."
        ),
        (true, false, true) => writeln!(out, "Fixed {fixed} {errors}."),
        (true, false, false) => writeln!(out, "Would fix {fixed} {errors}."),
        // Nothing fixed and nothing to offer: Ruff prints nothing.
        (false, false, _) => Ok(()),
    }
}

fn plural(count: usize, one: &'static str, many: &'static str) -> &'static str {
    if count == 1 {
        one
    } else {
        many
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary_text(summary: Summary) -> String {
        let mut out = Vec::new();
        write_summary(&summary, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn nothing_found() {
        assert_eq!(summary_text(Summary::default()), "All checks passed!\n");
    }

    #[test]
    fn found_singular_and_plural() {
        let one = Summary {
            remaining: 1,
            ..Summary::default()
        };
        assert_eq!(summary_text(one), "Found 1 error.\n");
        let two = Summary {
            remaining: 2,
            ..Summary::default()
        };
        assert_eq!(summary_text(two), "Found 2 errors.\n");
    }

    #[test]
    fn fixed_counts_into_found() {
        let summary = Summary {
            remaining: 1,
            fixed: 2,
            fix_mode: true,
            ..Summary::default()
        };
        assert_eq!(
            summary_text(summary),
            "Found 3 errors (2 fixed, 1 remaining).\n"
        );
        let all_fixed = Summary {
            fixed: 1,
            fix_mode: true,
            ..Summary::default()
        };
        assert_eq!(
            summary_text(all_fixed),
            "Found 1 error (1 fixed, 0 remaining).\n"
        );
    }

    #[test]
    fn fixable_and_hidden_fixes() {
        let fixable = Summary {
            remaining: 3,
            fixable: 2,
            ..Summary::default()
        };
        assert_eq!(
            summary_text(fixable),
            "Found 3 errors.\n[*] 2 fixable with the `--fix` option.\n"
        );
        let both = Summary {
            remaining: 3,
            fixable: 1,
            hidden_unsafe: 1,
            ..Summary::default()
        };
        assert_eq!(
            summary_text(both),
            "Found 3 errors.\n[*] 1 fixable with the `--fix` option \
             (1 hidden fix can be enabled with the `--unsafe-fixes` option).\n"
        );
        let only_hidden = Summary {
            remaining: 2,
            hidden_unsafe: 2,
            ..Summary::default()
        };
        assert_eq!(
            summary_text(only_hidden),
            "Found 2 errors.\nNo fixes available \
             (2 hidden fixes can be enabled with the `--unsafe-fixes` option).\n"
        );
    }

    fn fix_summary_text(summary: Summary, applied: bool) -> String {
        let mut out = Vec::new();
        write_fix_summary(&summary, applied, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn fix_only_wording() {
        let one = Summary {
            fixed: 1,
            ..Summary::default()
        };
        assert_eq!(fix_summary_text(one, true), "Fixed 1 error.\n");
        assert_eq!(fix_summary_text(one, false), "Would fix 1 error.\n");
        let with_hidden = Summary {
            fixed: 2,
            hidden_unsafe: 1,
            ..Summary::default()
        };
        assert_eq!(
            fix_summary_text(with_hidden, true),
            "Fixed 2 errors (1 additional fix available with `--unsafe-fixes`).\n"
        );
        assert_eq!(
            fix_summary_text(with_hidden, false),
            "Would fix 2 errors (1 additional fix available with `--unsafe-fixes`).\n"
        );
        let only_hidden = Summary {
            hidden_unsafe: 3,
            ..Summary::default()
        };
        assert_eq!(
            fix_summary_text(only_hidden, true),
            "No errors fixed (3 fixes available with `--unsafe-fixes`).\n"
        );
        assert_eq!(
            fix_summary_text(only_hidden, false),
            "No errors would be fixed (3 fixes available with `--unsafe-fixes`).\n"
        );
        assert_eq!(fix_summary_text(Summary::default(), true), "");
    }

    #[test]
    fn fix_status_hidden_under_fix() {
        let check = Summary {
            remaining: 1,
            fixable: 1,
            ..Summary::default()
        };
        assert!(check.show_fix_status());
        assert!(!Summary {
            fix_mode: true,
            ..check
        }
        .show_fix_status());
        assert!(!Summary::default().show_fix_status());
    }
}
