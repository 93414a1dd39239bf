//! Configuration: `[tool.arraylint]` in pyproject.toml, `arraylint.toml`, `.arraylint.toml`;
//! the closest file to each checked file wins; CLI flags override.
//!
//! PROVISIONAL: the settings branch replaces this file (same API).

use std::path::{Path, PathBuf};

use crate::registry::{Rule, RuleSet};

#[derive(Debug, Clone, Default)]
pub struct CliOverrides {
    pub select: Option<Vec<String>>,
    pub ignore: Vec<String>,
    pub extend_select: Vec<String>,
    pub exclude: Option<Vec<String>>,
    pub extend_exclude: Vec<String>,
    pub respect_gitignore: Option<bool>,
    pub force_exclude: bool,
    pub config: Option<PathBuf>,
    pub isolated: bool,
}

#[derive(Debug)]
pub struct SettingsError(String);

impl std::fmt::Display for SettingsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for SettingsError {}

pub struct Resolver {
    rules: RuleSet,
    force_exclude: bool,
}

fn select(selector: &str) -> Result<RuleSet, SettingsError> {
    if selector.eq_ignore_ascii_case("ALL") {
        return Ok(RuleSet::all());
    }
    let set: RuleSet = Rule::ALL
        .iter()
        .copied()
        .filter(|r| r.code().starts_with(&selector.to_ascii_uppercase()))
        .collect();
    if set.is_empty() {
        return Err(SettingsError(format!("unknown rule selector `{selector}`")));
    }
    Ok(set)
}

impl Resolver {
    pub fn new(overrides: &CliOverrides, _cwd: &Path) -> Result<Resolver, SettingsError> {
        let mut rules = match &overrides.select {
            Some(selectors) => {
                let mut set = RuleSet::empty();
                for s in selectors {
                    set = set.union(select(s)?);
                }
                set
            }
            None => RuleSet::all(),
        };
        for s in &overrides.extend_select {
            rules = rules.union(select(s)?);
        }
        for s in &overrides.ignore {
            for r in select(s)?.iter() {
                rules.remove(r);
            }
        }
        Ok(Resolver {
            rules,
            force_exclude: overrides.force_exclude,
        })
    }
    pub fn rules_for(&self, _path: &Path) -> Result<RuleSet, SettingsError> {
        Ok(self.rules)
    }
    pub fn is_excluded(&self, _path: &Path) -> bool {
        false
    }
    pub fn force_exclude(&self) -> bool {
        self.force_exclude
    }
    pub fn config_file_for(&self, _path: &Path) -> Option<PathBuf> {
        None
    }
}
