//! The end of a `check` run: warnings, the findings (or the diff), the summary, errors and
//! the exit status.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use anyhow::Context;

use super::{CheckArgs, FileResult};
use crate::cli::{EXIT_ERROR, EXIT_FINDINGS, EXIT_OK};
use crate::render::{self, Message, OutputFormat, RenderOptions, Summary, Tally};

/// `run_warnings` are the run's own (no file found); the results carry theirs.
/// `nothing_checked`: no file was checked, so no summary.
pub(super) fn report(
    args: &CheckArgs,
    mut results: Vec<FileResult>,
    run_warnings: &[String],
    nothing_checked: bool,
) -> anyhow::Result<ExitCode> {
    results.sort_by(|a, b| a.display.cmp(&b.display));
    let mut messages = Vec::new();
    let mut fixed = Tally::default();
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let mut diffs = String::new();
    for result in &results {
        fixed = fixed.plus(Tally::of_fixes(&result.fixed));
        if let Some(err) = &result.error {
            errors.push(err.clone());
        }
        if let Some(warning) = &result.warning {
            warnings.push(warning.clone());
        }
        if let Some(diff) = &result.diff {
            diffs.push_str(diff);
        }
        for diagnostic in &result.diagnostics {
            messages.push(Message {
                rule: diagnostic.rule,
                message: diagnostic.message.clone(),
                severity: diagnostic.severity,
                filename: result.display.clone(),
                source: Some(result.source.clone()),
                range: diagnostic.range,
                fix: diagnostic.fix.clone(),
                noqa_offset: diagnostic.range.start(),
                cells: result.cells.clone(),
                live: None,
            });
        }
    }
    warnings.extend_from_slice(run_warnings);
    // A path or a fix failed: exit 2.
    let run_failed = !errors.is_empty();
    let fixable = messages
        .iter()
        .filter(|m| m.has_applicable_fix(args.unsafe_fixes))
        .count();
    let hidden_unsafe = if args.unsafe_fixes {
        0
    } else {
        messages.iter().filter(|m| m.fix.is_some()).count() - fixable
    };
    let remaining = Tally::of(&messages);
    let summary = Summary {
        remaining,
        fixed,
        fixable,
        hidden_unsafe,
        fix_mode: args.fix_mode(),
    };
    let stdin_fixing = args.fix_mode() && !args.diff && args.reads_stdin();

    // Warnings are not findings: stderr, as Ruff's, and not under `-q`/`-s`.
    if !args.quiet && !args.silent {
        for warning in &warnings {
            eprintln!("arraylint: warning: {warning}");
        }
    }
    let mut out: Box<dyn Write> = match &args.output_file {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot create the output file {}", path.display()))?,
        )),
        // With `--fix -` the fixed source owns stdout.
        None if stdin_fixing => Box::new(std::io::stderr().lock()),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    if args.diff {
        // The patch goes to stdout even with `-o`, so that it can be piped to `patch`.
        std::io::stdout().lock().write_all(diffs.as_bytes())?;
    }
    // `--diff` and `--fix-only` are about fixes: the findings are not listed, one line
    // says what was (or would be) fixed, and under `--fix-only` what is left.
    let fixes_only = args.diff || args.fix_only;
    if !args.silent {
        if args.show_fixes && fixed.failing() > 0 {
            let verb = if args.diff { "Would fix" } else { "Fixed" };
            writeln!(out, "{verb} {}:", fixed.describe())?;
            for result in &results {
                for (rule, count) in &result.fixed {
                    writeln!(
                        out,
                        "- {}: {count} × {} ({})",
                        result.display,
                        rule.code(),
                        rule.name()
                    )?;
                }
            }
            writeln!(out)?;
        }
        if args.statistics && !args.diff {
            render::write_statistics_with(
                &messages,
                args.output_format,
                args.unsafe_fixes,
                &mut out,
            )?;
        } else if !fixes_only {
            let color = args.output_file.is_none()
                && std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none();
            let options = RenderOptions {
                color,
                show_fix_status: summary.show_fix_status(),
                unsafe_fixes: args.unsafe_fixes,
            };
            render::render(args.output_format, &messages, &options, &mut out)?;
        }
        let human = matches!(
            args.output_format,
            OutputFormat::Full | OutputFormat::Concise
        );
        if human && !args.quiet && !args.statistics {
            if fixes_only {
                render::write_fix_summary(&summary, !args.diff, &mut out)?;
            } else if !(nothing_checked || (run_failed && summary.passes())) {
                // "All checks passed!" would say more than is known with no file checked
                // (the warning says so) or with a path or a fix that failed (the error).
                render::write_summary(&summary, &mut out)?;
            }
        }
    }
    out.flush()?;
    drop(out);
    for err in &errors {
        eprintln!("arraylint: error: {err}");
    }
    let fixed_and_asked = args.exit_non_zero_on_fix && fixed.failing() > 0;
    let code = if run_failed {
        EXIT_ERROR
    } else if args.exit_zero {
        EXIT_OK
    } else if args.diff {
        // As Ruff: 1 when there is a diff, whatever is left unfixed.
        if diffs.is_empty() {
            EXIT_OK
        } else {
            EXIT_FINDINGS
        }
    } else if fixed_and_asked || (remaining.failing() > 0 && !args.fix_only) {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    };
    Ok(ExitCode::from(code))
}
