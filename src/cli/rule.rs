//! `arraylint rule CODE` / `arraylint rule --all`: the rule pages compiled into the binary.

use std::io::Write;
use std::process::ExitCode;

use crate::registry::Rule;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum RuleFormat {
    #[default]
    Text,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct RuleArgs {
    /// The rule's code, e.g. AL101.
    #[arg(required_unless_present = "all")]
    pub code: Option<String>,
    /// Show every rule.
    #[arg(long, conflicts_with = "code")]
    pub all: bool,
    #[arg(long, value_enum, default_value_t)]
    pub output_format: RuleFormat,
}

fn json(rule: Rule) -> serde_json::Value {
    serde_json::json!({
        "code": rule.code(),
        "name": rule.name(),
        "summary": rule.summary(),
        "mode": rule.mode().as_str(),
        "severity": rule.severity().as_str(),
        "fix": match rule.fix_availability() {
            crate::registry::FixAvailability::None => "none",
            crate::registry::FixAvailability::Sometimes => "sometimes",
            crate::registry::FixAvailability::Always => "always",
        },
        "url": rule.url(),
        "explanation": rule.page(),
    })
}

pub fn run(args: &RuleArgs) -> anyhow::Result<ExitCode> {
    let rules: Vec<Rule> = if args.all {
        Rule::ALL.to_vec()
    } else {
        let code = args.code.as_deref().unwrap_or_default();
        match Rule::from_code(code) {
            Some(rule) => vec![rule],
            None => {
                eprintln!(
                    "arraylint: error: unknown rule `{code}`; `arraylint rule --all` lists every rule"
                );
                return Ok(ExitCode::from(super::EXIT_ERROR));
            }
        }
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match args.output_format {
        RuleFormat::Json if args.all => {
            let all: Vec<_> = rules.iter().map(|r| json(*r)).collect();
            writeln!(out, "{}", serde_json::to_string_pretty(&all)?)?;
        }
        RuleFormat::Json => {
            writeln!(out, "{}", serde_json::to_string_pretty(&json(rules[0]))?)?;
        }
        RuleFormat::Text => {
            for (i, rule) in rules.iter().enumerate() {
                if i > 0 {
                    writeln!(out)?;
                }
                write!(out, "{}", rule.page())?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
