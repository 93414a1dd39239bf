//! `arraylint verify TARGET... [--python PATH]`: run the verifier inside the user's Python
//! (pointers only mean something in the process that made them), read back its JSON and
//! render it like `check` does.
//!
//! Unlike `check`, this imports and runs the target's code.

use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

use anyhow::Context;

use crate::registry::RuleSet;
use crate::render::{self, Message, OutputFormat, RenderOptions, Summary};
use crate::settings::{CliOverrides, Resolver, SettingsError};
use crate::verify::report::{LiveFinding, Report, REPORT_VERSION};

use super::{EXIT_ERROR, EXIT_FINDINGS, EXIT_OK};

#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// `module:attr` or `path/to/file.py:attr`; attr may be an object, a zero-argument
    /// callable, or a list, tuple or dict of objects.
    #[arg(required = true, value_name = "TARGET")]
    pub targets: Vec<String>,
    /// The Python interpreter to run in (default: `$VIRTUAL_ENV/bin/python`, else the
    /// `python` installed beside this executable, else `python3`).
    #[arg(long, value_name = "PATH", env = "ARRAYLINT_PYTHON")]
    pub python: Option<PathBuf>,
    /// How to print the findings.
    #[arg(long, value_enum, env = "ARRAYLINT_OUTPUT_FORMAT", default_value_t)]
    pub output_format: OutputFormat,
    /// Exit 0 even when there are findings.
    #[arg(long)]
    pub exit_zero: bool,
    /// Print only the findings (no summary).
    #[arg(short, long)]
    pub quiet: bool,
    #[command(flatten)]
    pub selection: super::SelectionArgs,
    /// Use this configuration file for every target.
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Ignore all configuration files.
    #[arg(long)]
    pub isolated: bool,
}

impl VerifyArgs {
    fn overrides(&self) -> CliOverrides {
        CliOverrides {
            select: self.selection.select.clone(),
            ignore: self.selection.ignore.clone(),
            extend_select: self.selection.extend_select.clone(),
            config: self.config.clone(),
            isolated: self.isolated,
            ..CliOverrides::default()
        }
    }
}

/// `--python` (or `ARRAYLINT_PYTHON`, which `python -m arraylint` sets to its own
/// interpreter), else the active virtual environment's interpreter, else the `python` of the
/// environment this executable was installed into (`pip install arraylint` puts it beside
/// that environment's interpreter), else `python3` on PATH.
pub fn choose_interpreter(
    explicit: Option<&Path>,
    virtual_env: Option<OsString>,
    executable: Option<PathBuf>,
) -> PathBuf {
    if let Some(explicit) = explicit {
        return explicit.to_path_buf();
    }
    if let Some(venv) = virtual_env.filter(|venv| !venv.is_empty()) {
        let candidate = Path::new(&venv).join("bin").join("python");
        if candidate.exists() {
            return candidate;
        }
    }
    let installed_beside = executable
        .as_deref()
        .and_then(Path::parent)
        .and_then(|dir| {
            ["python", "python3"]
                .iter()
                .map(|name| {
                    dir.join(name)
                        .with_extension(std::env::consts::EXE_EXTENSION)
                })
                .find(|candidate| candidate.is_file())
        });
    installed_beside.unwrap_or_else(|| PathBuf::from("python3"))
}

/// Whether the interpreter's stderr says the `arraylint` package (or its extension) is
/// not installed there.
fn package_missing(stderr: &str) -> bool {
    stderr.contains("No module named arraylint")
        || stderr.contains("No module named 'arraylint")
        || stderr.contains("'arraylint' is a package and cannot be directly executed")
}

pub fn run(args: &VerifyArgs) -> anyhow::Result<ExitCode> {
    // The configuration is read (and a broken one refused) before any target's code runs.
    let cwd = std::env::current_dir().context("cannot read the working directory")?;
    let resolver = match Resolver::new(&args.overrides(), &cwd) {
        Ok(resolver) => resolver,
        Err(error) => {
            eprintln!("arraylint: error: {error}");
            return Ok(ExitCode::from(EXIT_ERROR));
        }
    };
    let python = choose_interpreter(
        args.python.as_deref(),
        std::env::var_os("VIRTUAL_ENV"),
        std::env::current_exe().ok(),
    );
    let output = match Command::new(&python)
        .args([
            "-m",
            "arraylint._verify",
            "verify",
            "--output-format",
            "json",
            "--",
        ])
        .args(&args.targets)
        .stdin(Stdio::null())
        .output()
    {
        Ok(output) => output,
        Err(error) => {
            eprintln!(
                "arraylint: error: cannot run the Python interpreter `{}`: {error}; pass one with --python",
                python.display()
            );
            return Ok(ExitCode::from(EXIT_ERROR));
        }
    };
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let report = match Report::parse(stdout.trim()) {
        Ok(report) => report,
        Err(_) if package_missing(&stderr) => {
            eprintln!(
                "arraylint: error: the interpreter `{}` does not have the `arraylint` Python package.\n\
                 Install it into that environment (`{} -m pip install arraylint`, or from a checkout: \
                 `pip install ./python/native ./python`), or pick another interpreter with --python.",
                python.display(),
                python.display()
            );
            return Ok(ExitCode::from(EXIT_ERROR));
        }
        Err(error) => {
            std::io::stderr().write_all(&output.stderr)?;
            eprintln!(
                "arraylint: error: `{} -m arraylint verify` did not produce a report ({error}; exit status {})",
                python.display(),
                output.status
            );
            return Ok(ExitCode::from(EXIT_ERROR));
        }
    };
    // What the target's own code printed (the verifier keeps stdout for its JSON).
    std::io::stderr().write_all(&output.stderr)?;
    if report.version != REPORT_VERSION {
        eprintln!(
            "arraylint: error: the `arraylint` Python package in `{}` writes report version {}, \
             this arraylint reads version {REPORT_VERSION}: install matching versions",
            python.display(),
            report.version
        );
        return Ok(ExitCode::from(EXIT_ERROR));
    }

    let mut report = report;
    report.findings = match configured_findings(std::mem::take(&mut report.findings), &resolver) {
        Ok(findings) => findings,
        Err(error) => {
            eprintln!("arraylint: error: {error}");
            return Ok(ExitCode::from(EXIT_ERROR));
        }
    };
    let messages: Vec<Message> = report
        .findings
        .iter()
        .filter_map(|finding| finding.to_message())
        .collect();

    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let options = RenderOptions {
        color: std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        show_fix_status: false,
        unsafe_fixes: false,
    };
    render::render(args.output_format, &messages, &options, &mut out)
        .context("cannot write the findings")?;
    let human = matches!(
        args.output_format,
        OutputFormat::Full | OutputFormat::Concise
    );
    if human && !args.quiet {
        write_verify_summary(render::Tally::of(&messages), report.errors.len(), &mut out)?;
    }
    out.flush()?;
    drop(out);

    for error in &report.errors {
        eprintln!("arraylint: error: {}: {}", error.target, error.message);
    }
    Ok(ExitCode::from(exit_status(&report, args.exit_zero)))
}

/// The findings the configuration keeps: each by the rules for its target's file
/// (`select`, `ignore`, `per-file-ignores` of the closest configuration, then the command
/// line), or for the working directory when the target's module has no file.
fn configured_findings(
    findings: Vec<LiveFinding>,
    resolver: &Resolver,
) -> Result<Vec<LiveFinding>, SettingsError> {
    let mut by_file: std::collections::HashMap<Option<String>, RuleSet> =
        std::collections::HashMap::new();
    let mut kept = Vec::with_capacity(findings.len());
    for finding in findings {
        let rules = match by_file.get(&finding.file) {
            Some(rules) => *rules,
            None => {
                let rules = match &finding.file {
                    Some(file) => resolver.rules_for(Path::new(file))?,
                    // No file: the settings of the working directory, without per-file ones.
                    None => resolver.settings_for(&resolver.cwd().join("-"))?.rules(),
                };
                by_file.insert(finding.file.clone(), rules);
                rules
            }
        };
        // A code this build does not know is dropped when rendered, not here.
        if finding.rule().is_none_or(|rule| rules.contains(rule)) {
            kept.push(finding);
        }
    }
    Ok(kept)
}

/// The last line of a human-readable run, in `check`'s words, except that a run in which a
/// target could not be verified never says "All checks passed!" (its errors go to stderr).
fn write_verify_summary(
    remaining: render::Tally,
    errors: usize,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    if errors > 0 && remaining.failing() == 0 {
        return Ok(());
    }
    let summary = Summary {
        remaining,
        ..Summary::default()
    };
    render::write_summary(&summary, out)
}

/// As `check`: 2 when a target could not be verified, else 1 for findings that are not
/// info (unless `--exit-zero`), else 0.
fn exit_status(report: &Report, exit_zero: bool) -> u8 {
    if !report.errors.is_empty() {
        EXIT_ERROR
    } else if exit_zero {
        EXIT_OK
    } else if report.findings.iter().any(|finding| finding.is_failure()) {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::Rule;
    use crate::verify::report::{LiveFinding, TargetError};

    #[test]
    fn interpreter_choice() {
        let explicit = Path::new("/opt/py/bin/python");
        let installed = tempfile::tempdir().unwrap();
        let beside = installed.path().join("bin");
        std::fs::create_dir(&beside).unwrap();
        std::fs::write(beside.join("python"), "").unwrap();
        let executable = Some(beside.join("arraylint"));
        assert_eq!(
            choose_interpreter(Some(explicit), Some("/venv".into()), executable.clone()),
            explicit
        );
        let venv = tempfile::tempdir().unwrap();
        std::fs::create_dir(venv.path().join("bin")).unwrap();
        std::fs::write(venv.path().join("bin").join("python"), "").unwrap();
        assert_eq!(
            choose_interpreter(
                None,
                Some(venv.path().as_os_str().to_owned()),
                executable.clone()
            ),
            venv.path().join("bin").join("python")
        );
        // A VIRTUAL_ENV without an interpreter falls back to the installed environment's.
        assert_eq!(
            choose_interpreter(None, Some("/no/such/venv".into()), executable.clone()),
            beside.join("python")
        );
        assert_eq!(
            choose_interpreter(None, None, executable),
            beside.join("python")
        );
        // An executable with no interpreter beside it (`cargo install`): PATH.
        let cargo_bin = tempfile::tempdir().unwrap();
        assert_eq!(
            choose_interpreter(None, None, Some(cargo_bin.path().join("arraylint"))),
            PathBuf::from("python3")
        );
        assert_eq!(
            choose_interpreter(None, None, None),
            PathBuf::from("python3")
        );
    }

    #[test]
    fn missing_package_messages() {
        assert!(package_missing(
            "/usr/bin/python3: No module named arraylint\n"
        ));
        assert!(package_missing(
            "ModuleNotFoundError: No module named 'arraylint._native'"
        ));
        assert!(!package_missing(
            "ModuleNotFoundError: No module named 'numpy'"
        ));
    }

    #[test]
    fn summary_never_says_passed_when_a_target_failed() {
        let text = |failing, errors| {
            let mut out = Vec::new();
            let remaining = render::Tally {
                errors: failing,
                ..render::Tally::default()
            };
            write_verify_summary(remaining, errors, &mut out).unwrap();
            String::from_utf8(out).unwrap()
        };
        assert_eq!(text(0, 0), "All checks passed!\n");
        assert_eq!(text(0, 1), "");
        assert!(text(2, 1).starts_with("Found 2 errors"));
    }

    #[test]
    fn configuration_filters_by_the_target_file() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(
            root.join("pyproject.toml"),
            "[tool.arraylint]\nignore = [\"AL907\"]\n[tool.arraylint.per-file-ignores]\n\"legacy/**\" = [\"AL9\"]\n",
        )
        .unwrap();
        std::fs::create_dir(root.join("legacy")).unwrap();
        let finding = |rule: Rule, file: Option<&str>| LiveFinding {
            file: file.map(|file| root.join(file).to_string_lossy().into_owned()),
            ..LiveFinding::new(rule, "m", "t:x", "", "")
        };
        let findings = vec![
            finding(Rule::HostPointerUnmapped, Some("mod.py")),
            finding(Rule::ProtocolsDisagree, Some("mod.py")),
            finding(Rule::HostPointerUnmapped, Some("legacy/old.py")),
            finding(Rule::InterfaceNullData, Some("legacy/old.py")),
            finding(Rule::ProtocolsDisagree, None),
            finding(Rule::HostPointerUnmapped, None),
        ];
        let resolver = Resolver::new(&CliOverrides::default(), root).unwrap();
        let kept = configured_findings(findings.clone(), &resolver).unwrap();
        let kept: Vec<(&str, bool)> = kept
            .iter()
            .map(|f| (f.code.as_str(), f.file.is_some()))
            .collect();
        // AL907 ignored everywhere, AL9 in legacy/; a target without a file gets the
        // working directory's settings.
        assert_eq!(
            kept,
            vec![("AL901", true), ("AL212", true), ("AL901", false)]
        );
        // The command line wins: --select AL907 keeps only AL907 (outside legacy/).
        let overrides = CliOverrides {
            select: Some(vec!["AL907".to_string()]),
            ..CliOverrides::default()
        };
        let resolver = Resolver::new(&overrides, root).unwrap();
        let kept = configured_findings(findings, &resolver).unwrap();
        assert_eq!(kept.len(), 2);
        assert!(kept.iter().all(|f| f.code == "AL907"));
    }

    #[test]
    fn exit_statuses() {
        let finding = |rule: Rule| LiveFinding::new(rule, "m", "t:x", "", "");
        let mut report = Report {
            version: REPORT_VERSION,
            findings: vec![finding(Rule::DeviceChecksSkipped)],
            errors: vec![],
        };
        assert_eq!(exit_status(&report, false), EXIT_OK);
        report.findings.push(finding(Rule::HostPointerUnmapped));
        assert_eq!(exit_status(&report, false), EXIT_FINDINGS);
        assert_eq!(exit_status(&report, true), EXIT_OK);
        report.errors.push(TargetError {
            target: "t:x".into(),
            message: "cannot import".into(),
        });
        assert_eq!(exit_status(&report, true), EXIT_ERROR);
    }
}
