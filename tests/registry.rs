//! The registry, the pages in `rules/` and the README's rule table agree.

use std::collections::BTreeSet;
use std::path::Path;

use arraylint::registry::{FixAvailability, Rule};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn every_page_belongs_to_a_rule_and_every_rule_has_a_page() {
    let pages: BTreeSet<String> = std::fs::read_dir(root().join("rules"))
        .expect("rules/ exists")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    let expected: BTreeSet<String> = Rule::ALL
        .iter()
        .map(|r| format!("{}.md", r.code()))
        .collect();
    assert_eq!(pages, expected);
}

#[test]
fn every_page_has_the_sections() {
    let mut problems = Vec::new();
    for rule in Rule::ALL {
        let page = rule.page();
        let title = format!("# {}: {}\n", rule.code(), rule.name());
        if !page.starts_with(&title) {
            problems.push(format!(
                "{}: the page must start with `{}`",
                rule.code(),
                title.trim()
            ));
        }
        let mut sections = vec![
            "## What it does",
            "## Why is this bad?",
            "## Example",
            "## Use instead",
            "## References",
        ];
        if rule.fix_availability() != FixAvailability::None {
            sections.push("## Fix safety");
        }
        for section in sections {
            if !page.contains(&format!("\n{section}\n")) {
                problems.push(format!("{}: missing `{section}`", rule.code()));
            }
        }
        if page.contains("TODO") {
            problems.push(format!("{}: the page is a placeholder", rule.code()));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn codes_and_names_are_unique_and_well_formed() {
    let codes: BTreeSet<&str> = Rule::ALL.iter().map(|r| r.code()).collect();
    let names: BTreeSet<&str> = Rule::ALL.iter().map(|r| r.name()).collect();
    assert_eq!(codes.len(), Rule::ALL.len());
    assert_eq!(names.len(), Rule::ALL.len());
    for rule in Rule::ALL {
        assert!(
            rule.code().len() == 5 && rule.code().starts_with("AL"),
            "{:?}",
            rule
        );
        assert!(
            rule.name()
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "{}",
            rule.name()
        );
        assert_eq!(Rule::from_code(&rule.code().to_lowercase()), Some(*rule));
    }
}

/// The README's table, as the registry says it must read.
fn rule_table() -> String {
    let mut table =
        String::from("| code | name | mode | fix | what it reports |\n|---|---|---|---|---|\n");
    for rule in Rule::ALL {
        let fix = match rule.fix_availability() {
            FixAvailability::None => "",
            FixAvailability::Sometimes => "sometimes",
            FixAvailability::Always => "yes",
        };
        table.push_str(&format!(
            "| [{code}](rules/{code}.md) | {} | {} | {fix} | {} |\n",
            rule.name(),
            rule.mode().as_str(),
            rule.summary(),
            code = rule.code()
        ));
    }
    table
}

#[test]
fn readme_lists_every_rule() {
    let path = root().join("README.md");
    let readme = std::fs::read_to_string(&path).expect("README.md");
    let table = rule_table();
    if std::env::var_os("UPDATE_README").is_some() {
        let start = readme
            .find("| code | name |")
            .expect("the README has a rule table");
        let end = readme[start..]
            .find("\n\n")
            .map_or(readme.len(), |e| start + e + 1);
        let updated = format!("{}{}{}", &readme[..start], table, &readme[end..]);
        std::fs::write(&path, updated).expect("README.md is writable");
        return;
    }
    assert!(
        readme.contains(&table),
        "the README's rule table is stale; run `UPDATE_README=1 cargo test --test registry`"
    );
}
