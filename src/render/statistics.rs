//! `--statistics`: findings counted per rule, most frequent first (Ruff's shape, after
//! Flake8's): `3\tAL101\t[*] array-missing-copy`, columns aligned; JSON under `json`.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use super::{Message, OutputFormat};
use crate::registry::Rule;

#[derive(Debug, Serialize)]
struct Statistic {
    code: &'static str,
    name: &'static str,
    count: usize,
    /// Every finding of the rule has a fix `--fix` applies.
    fixable: bool,
}

/// `write_statistics_with` with `--unsafe-fixes` off: only safe fixes count as fixable.
pub fn write_statistics(
    messages: &[Message],
    format: OutputFormat,
    out: &mut dyn Write,
) -> io::Result<()> {
    write_statistics_with(messages, format, false, out)
}

/// Per-rule counts. Text for `full`/`concise`, JSON for `json`; other formats are refused,
/// as Ruff refuses them. `unsafe_fixes`: whether unsafe fixes count as fixable. With no
/// findings the text is empty and the JSON is `[]` (Ruff prints nothing for either; an empty
/// array keeps JSON readers working).
pub fn write_statistics_with(
    messages: &[Message],
    format: OutputFormat,
    unsafe_fixes: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    let statistics = count(messages, unsafe_fixes);
    match format {
        OutputFormat::Full | OutputFormat::Concise => write_text(&statistics, out)?,
        OutputFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &statistics)?;
            writeln!(out)?;
        }
        OutputFormat::JsonLines | OutputFormat::Github | OutputFormat::Sarif => {
            return Err(io::Error::new(
                io::ErrorKind::Unsupported,
                format!("Unsupported serialization format for statistics: {format:?}"),
            ));
        }
    }
    out.flush()
}

fn count(messages: &[Message], unsafe_fixes: bool) -> Vec<Statistic> {
    // Keyed by code, so equal counts come out in code order after the stable sort below.
    let mut by_rule: BTreeMap<&'static str, (Rule, usize, bool)> = BTreeMap::new();
    for message in messages {
        let fixable = message.has_applicable_fix(unsafe_fixes);
        let entry = by_rule
            .entry(message.rule.code())
            .or_insert((message.rule, 0, true));
        entry.1 += 1;
        entry.2 &= fixable;
    }
    let mut statistics: Vec<Statistic> = by_rule
        .into_values()
        .map(|(rule, count, fixable)| Statistic {
            code: rule.code(),
            name: rule.name(),
            count,
            fixable,
        })
        .collect();
    statistics.sort_by_key(|statistic| std::cmp::Reverse(statistic.count));
    statistics
}

fn write_text(statistics: &[Statistic], out: &mut dyn Write) -> io::Result<()> {
    let count_width = statistics
        .iter()
        .map(|statistic| statistic.count.to_string().len())
        .max()
        .unwrap_or(0);
    let code_width = statistics
        .iter()
        .map(|statistic| statistic.code.len())
        .max()
        .unwrap_or(0);
    // The marker column only appears when some rule is fixable, as in Ruff.
    let any_fixable = statistics.iter().any(|statistic| statistic.fixable);
    for statistic in statistics {
        let marker = match (any_fixable, statistic.fixable) {
            (false, _) => "",
            (true, true) => "[*] ",
            (true, false) => "[ ] ",
        };
        writeln!(
            out,
            "{:>count_width$}\t{:<code_width$}\t{marker}{}",
            statistic.count, statistic.code, statistic.name
        )?;
    }
    Ok(())
}
