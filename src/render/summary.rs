//! The summary lines under `full` and `concise` output, in Ruff's words where Ruff has them.
//!
//! Ruff has one level, so it says "Found 3 errors."; arraylint has three. The summary
//! names what it counts: "Found 1 error, 2 warnings." Info findings never fail a run (see
//! the exit statuses), so they are not counted with the others but named apart, on a
//! line of their own, so that "All checks passed!" stays true whenever it is printed.

use std::io::{self, Write};

use super::Message;
use crate::diagnostic::Severity;
use crate::registry::Rule;

/// Findings counted by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub errors: usize,
    pub warnings: usize,
    pub info: usize,
}

impl Tally {
    pub fn add(&mut self, severity: Severity, count: usize) {
        match severity {
            Severity::Error => self.errors += count,
            Severity::Warning => self.warnings += count,
            Severity::Info => self.info += count,
        }
    }

    /// The findings of `messages`, by their severity.
    pub fn of(messages: &[Message]) -> Tally {
        let mut tally = Tally::default();
        for message in messages {
            tally.add(message.severity, 1);
        }
        tally
    }

    /// Fixes applied (or that would be), by the severity of their rule.
    pub fn of_fixes<'a>(fixed: impl IntoIterator<Item = (&'a Rule, &'a usize)>) -> Tally {
        let mut tally = Tally::default();
        for (rule, count) in fixed {
            tally.add(rule.severity(), *count);
        }
        tally
    }

    /// The findings that fail a run: errors and warnings, not info.
    pub fn failing(&self) -> usize {
        self.errors + self.warnings
    }

    pub fn plus(self, other: Tally) -> Tally {
        Tally {
            errors: self.errors + other.errors,
            warnings: self.warnings + other.warnings,
            info: self.info + other.info,
        }
    }

    /// "1 error", "2 warnings", "1 error, 2 warnings" (info is not named here); "0 errors"
    /// when there is neither.
    pub fn describe(&self) -> String {
        match (self.errors, self.warnings) {
            (errors, 0) => count(errors, "error", "errors"),
            (0, warnings) => count(warnings, "warning", "warnings"),
            (errors, warnings) => format!(
                "{}, {}",
                count(errors, "error", "errors"),
                count(warnings, "warning", "warnings")
            ),
        }
    }
}

fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// What happened in a run, for the summary lines.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Findings reported, by severity.
    pub remaining: Tally,
    /// Findings fixed by `--fix` (or that `--diff` would fix), by severity.
    pub fixed: Tally,
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

    /// Nothing found or fixed that fails a run: the summary says "All checks passed!".
    pub fn passes(&self) -> bool {
        self.remaining.failing() == 0 && self.fixed.failing() == 0
    }
}

/// `All checks passed!` / `Found 1 error, 2 warnings.` / `Found 3 errors (2 fixed, 1
/// remaining).`, the info findings apart, then what `--fix` and `--unsafe-fixes` would do.
pub fn write_summary(summary: &Summary, out: &mut dyn Write) -> io::Result<()> {
    let Summary {
        remaining,
        fixed,
        fixable,
        hidden_unsafe,
        fix_mode: _,
    } = *summary;
    // Ruff counts fixed findings as found ("Found 3 errors (2 fixed, 1 remaining).").
    let found = fixed.plus(remaining);
    if fixed.failing() > 0 {
        writeln!(
            out,
            "Found {} ({} fixed, {} remaining).",
            found.describe(),
            fixed.failing(),
            remaining.failing()
        )?;
    } else if remaining.failing() > 0 {
        writeln!(out, "Found {}.", remaining.describe())?;
    } else {
        writeln!(out, "All checks passed!")?;
    }
    write_info(remaining.info, out)?;

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

/// Info findings, named apart from what the summary counts.
fn write_info(info: usize, out: &mut dyn Write) -> io::Result<()> {
    if info > 0 {
        writeln!(
            out,
            "{} (does not fail the check).",
            count(info, "info finding", "info findings")
        )?;
    }
    Ok(())
}

/// The one line printed when findings are not shown: under `--fix-only` (`applied`), what
/// was fixed and what is left; under `--diff`, what would be fixed. Both say what
/// `--unsafe-fixes` would add. Nothing at all to say: nothing is printed, as in Ruff.
pub fn write_fix_summary(summary: &Summary, applied: bool, out: &mut dyn Write) -> io::Result<()> {
    let Summary {
        remaining,
        fixed,
        hidden_unsafe,
        ..
    } = *summary;
    let mut notes = Vec::new();
    if applied && remaining.failing() > 0 {
        notes.push(format!("{} remaining", remaining.describe()));
    }
    if hidden_unsafe > 0 {
        let fixes = plural(hidden_unsafe, "fix", "fixes");
        let additional = if fixed.failing() > 0 {
            "additional "
        } else {
            ""
        };
        notes.push(format!(
            "{hidden_unsafe} {additional}{fixes} available with `--unsafe-fixes`"
        ));
    }
    let notes = if notes.is_empty() {
        String::new()
    } else {
        format!(" ({})", notes.join("; "))
    };
    match (fixed.failing() > 0, applied) {
        (true, true) => writeln!(out, "Fixed {}{notes}.", fixed.describe()),
        (true, false) => writeln!(out, "Would fix {}{notes}.", fixed.describe()),
        (false, _) if notes.is_empty() => Ok(()),
        (false, true) => writeln!(out, "No errors fixed{notes}."),
        (false, false) => writeln!(out, "No errors would be fixed{notes}."),
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

    fn tally(errors: usize, warnings: usize, info: usize) -> Tally {
        Tally {
            errors,
            warnings,
            info,
        }
    }

    fn found(errors: usize, warnings: usize, info: usize) -> Summary {
        Summary {
            remaining: tally(errors, warnings, info),
            ..Summary::default()
        }
    }

    #[test]
    fn fixes_are_counted_by_the_severity_of_their_rule() {
        let fixed = std::collections::BTreeMap::from([
            (Rule::ArrayMissingCopy, 2),
            (Rule::NumpyCopyFalse, 1),
        ]);
        assert_eq!(Tally::of_fixes(&fixed), tally(2, 1, 0));
        assert_eq!(Tally::of_fixes(&fixed).describe(), "2 errors, 1 warning");
        assert_eq!(Tally::default().describe(), "0 errors");
    }

    #[test]
    fn nothing_found() {
        assert_eq!(summary_text(Summary::default()), "All checks passed!\n");
    }

    #[test]
    fn found_singular_and_plural() {
        assert_eq!(summary_text(found(1, 0, 0)), "Found 1 error.\n");
        assert_eq!(summary_text(found(2, 0, 0)), "Found 2 errors.\n");
    }

    #[test]
    fn warnings_are_named_as_warnings() {
        assert_eq!(summary_text(found(0, 1, 0)), "Found 1 warning.\n");
        assert_eq!(summary_text(found(1, 2, 0)), "Found 1 error, 2 warnings.\n");
        assert_eq!(summary_text(found(2, 1, 0)), "Found 2 errors, 1 warning.\n");
    }

    #[test]
    fn info_is_named_apart_and_not_counted() {
        assert_eq!(
            summary_text(found(0, 0, 1)),
            "All checks passed!\n1 info finding (does not fail the check).\n"
        );
        assert_eq!(
            summary_text(found(1, 0, 2)),
            "Found 1 error.\n2 info findings (does not fail the check).\n"
        );
    }

    #[test]
    fn fixed_counts_into_found() {
        let summary = Summary {
            remaining: tally(1, 0, 0),
            fixed: tally(2, 0, 0),
            fix_mode: true,
            ..Summary::default()
        };
        assert_eq!(
            summary_text(summary),
            "Found 3 errors (2 fixed, 1 remaining).\n"
        );
        let all_fixed = Summary {
            fixed: tally(1, 0, 0),
            fix_mode: true,
            ..Summary::default()
        };
        assert_eq!(
            summary_text(all_fixed),
            "Found 1 error (1 fixed, 0 remaining).\n"
        );
        let mixed = Summary {
            remaining: tally(1, 0, 1),
            fixed: tally(0, 1, 0),
            fix_mode: true,
            ..Summary::default()
        };
        assert_eq!(
            summary_text(mixed),
            "Found 1 error, 1 warning (1 fixed, 1 remaining).\n\
             1 info finding (does not fail the check).\n"
        );
    }

    #[test]
    fn fixable_and_hidden_fixes() {
        let fixable = Summary {
            fixable: 2,
            ..found(3, 0, 0)
        };
        assert_eq!(
            summary_text(fixable),
            "Found 3 errors.\n[*] 2 fixable with the `--fix` option.\n"
        );
        let both = Summary {
            fixable: 1,
            hidden_unsafe: 1,
            ..found(3, 0, 0)
        };
        assert_eq!(
            summary_text(both),
            "Found 3 errors.\n[*] 1 fixable with the `--fix` option \
             (1 hidden fix can be enabled with the `--unsafe-fixes` option).\n"
        );
        let only_hidden = Summary {
            hidden_unsafe: 2,
            ..found(2, 0, 0)
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
    fn fix_only_and_diff_wording() {
        let one = Summary {
            fixed: tally(1, 0, 0),
            ..Summary::default()
        };
        assert_eq!(fix_summary_text(one, true), "Fixed 1 error.\n");
        assert_eq!(fix_summary_text(one, false), "Would fix 1 error.\n");
        let with_hidden = Summary {
            fixed: tally(1, 1, 0),
            hidden_unsafe: 1,
            ..Summary::default()
        };
        assert_eq!(
            fix_summary_text(with_hidden, true),
            "Fixed 1 error, 1 warning (1 additional fix available with `--unsafe-fixes`).\n"
        );
        assert_eq!(
            fix_summary_text(with_hidden, false),
            "Would fix 1 error, 1 warning (1 additional fix available with `--unsafe-fixes`).\n"
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
        assert_eq!(fix_summary_text(Summary::default(), false), "");
    }

    #[test]
    fn fix_only_says_what_is_left() {
        let left = Summary {
            remaining: tally(1, 2, 1),
            fixed: tally(2, 0, 0),
            hidden_unsafe: 1,
            ..Summary::default()
        };
        assert_eq!(
            fix_summary_text(left, true),
            "Fixed 2 errors (1 error, 2 warnings remaining; \
             1 additional fix available with `--unsafe-fixes`).\n"
        );
        let nothing_fixed = Summary {
            remaining: tally(0, 1, 0),
            ..Summary::default()
        };
        assert_eq!(
            fix_summary_text(nothing_fixed, true),
            "No errors fixed (1 warning remaining).\n"
        );
        // `--diff` shows what would change, not what is left (as Ruff).
        assert_eq!(fix_summary_text(nothing_fixed, false), "");
        // Info findings are not left to do.
        let info_only = Summary {
            remaining: tally(0, 0, 2),
            ..Summary::default()
        };
        assert_eq!(fix_summary_text(info_only, true), "");
    }

    #[test]
    fn fix_status_hidden_under_fix() {
        let check = Summary {
            fixable: 1,
            ..found(1, 0, 0)
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
