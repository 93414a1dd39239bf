//! The command line: one module per subcommand. `arraylint PATH...` without a subcommand
//! means `arraylint check PATH...`, as users were promised.

pub mod check;
pub mod rule;
pub mod server;
pub mod verify;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "arraylint",
    version,
    about = "Find bugs in Python code that implements or consumes the array protocols.",
    after_help = "Run `arraylint rule CODE` for a rule's documentation."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check Python files (the default command).
    Check(Box<check::CheckArgs>),
    /// Show a rule's documentation.
    Rule(rule::RuleArgs),
    /// Run the language server over stdio.
    Server,
    /// Import objects in a Python interpreter and verify their live descriptors.
    Verify(verify::VerifyArgs),
}

/// The rule selection flags, as in Ruff: `check` and `verify` take the same ones.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct SelectionArgs {
    /// Rule codes or prefixes to enable (`AL1`, `AL101`, `ALL`), replacing the configured ones.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub select: Option<Vec<String>>,
    /// Rule codes or prefixes to disable.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub ignore: Vec<String>,
    /// Rule codes or prefixes to enable in addition to the configured ones.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub extend_select: Vec<String>,
}

/// Exit statuses, as in Ruff.
pub const EXIT_OK: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

const SUBCOMMANDS: &[&str] = &["check", "rule", "server", "verify", "help"];

/// Insert `check` when the first argument is not a subcommand or a top-level flag.
fn with_default_subcommand(mut args: Vec<OsString>) -> Vec<OsString> {
    let first = args.get(1).and_then(|a| a.to_str()).map(str::to_string);
    let needs_check = match first.as_deref() {
        None => true,
        Some(a) if SUBCOMMANDS.contains(&a) => false,
        Some("-h" | "--help" | "-V" | "--version") => false,
        Some(_) => true,
    };
    if needs_check {
        args.insert(1.min(args.len()), OsString::from("check"));
    }
    args
}

pub fn run(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let args = with_default_subcommand(args.into_iter().collect());
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(err) => {
            let code = if err.use_stderr() {
                EXIT_ERROR
            } else {
                EXIT_OK
            };
            let _ = err.print();
            return ExitCode::from(code);
        }
    };
    let result = match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Rule(args) => rule::run(&args),
        Command::Server => server::run(),
        Command::Verify(args) => verify::run(&args),
    };
    match result {
        Ok(code) => code,
        // `arraylint check | head`: the reader has what it wants; stop quietly, as Ruff does.
        Err(err)
            if err
                .downcast_ref::<std::io::Error>()
                .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe) =>
        {
            ExitCode::from(EXIT_OK)
        }
        Err(err) => {
            eprintln!("arraylint: error: {err:#}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}
