//! `arraylint rule CODE` / `arraylint rule NAME` / `arraylint rule --all`: the rule pages
//! compiled into the binary.

use std::io::Write;
use std::process::ExitCode;

use crate::registry::Rule;
use crate::suggest::edit_distance;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum RuleFormat {
    #[default]
    Text,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct RuleArgs {
    /// The rule's code or name, e.g. AL101 or array-missing-copy.
    #[arg(required_unless_present = "all", value_name = "RULE")]
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

/// The rule whose code or name is closest to `text`, if one is close enough to be a typo.
fn closest_rule(text: &str) -> Option<Rule> {
    let text = text.to_ascii_lowercase();
    Rule::ALL
        .iter()
        .flat_map(|rule| {
            [rule.code(), rule.name()]
                .map(|known| (edit_distance(&text, &known.to_ascii_lowercase()), *rule))
        })
        .filter(|(distance, _)| *distance <= (text.chars().count() / 4).max(1))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, rule)| rule)
}

pub fn run(args: &RuleArgs) -> anyhow::Result<ExitCode> {
    let rules: Vec<Rule> = if args.all {
        Rule::ALL.to_vec()
    } else {
        let code = args.code.as_deref().unwrap_or_default();
        match Rule::from_code_or_name(code) {
            Some(rule) => vec![rule],
            None => {
                let hint = match closest_rule(code) {
                    Some(rule) => format!("did you mean `{}` ({})? ", rule.name(), rule.code()),
                    None => String::new(),
                };
                eprintln!(
                    "arraylint: error: `{code}` is neither a rule code (like AL101) nor a rule \
                     name (like array-missing-copy); {hint}`arraylint rule --all` lists every rule"
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_are_matched_and_nonsense_is_not() {
        assert_eq!(
            closest_rule("array-mising-copy"),
            Some(Rule::ArrayMissingCopy)
        );
        assert_eq!(closest_rule("AL10"), Some(Rule::ArrayMissingCopy));
        assert_eq!(closest_rule("completely-unrelated-words"), None);
    }
}
