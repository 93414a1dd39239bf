//! Rule selectors (`ALL`, `AL`, `AL1`, `AL10`, `AL101`) and Ruff's selection algorithm.

use std::fmt;

use crate::registry::{Rule, RuleSet};

/// A parsed selector: the rules it names and how specific it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSelector {
    /// The selector as written, upper-cased (`AL1`), or `ALL`.
    text: String,
    rules: RuleSet,
    specificity: u8,
}

impl RuleSelector {
    /// Every rule the selector names (dynamic rules included).
    pub fn rules(&self) -> RuleSet {
        self.rules
    }

    /// `ALL` is 0; a prefix counts its characters, so `AL` < `AL1` < `AL10` < `AL101`.
    pub fn specificity(&self) -> u8 {
        self.specificity
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for RuleSelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// A selector that names no rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownSelector(pub String);

impl fmt::Display for UnknownSelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown rule selector `{}`: use a rule code (AL101), a code prefix (AL1, AL10, AL) or ALL",
            self.0
        )
    }
}

impl std::error::Error for UnknownSelector {}

/// Parse one selector. Case-insensitive; surrounding whitespace is ignored.
pub fn parse_selector(text: &str) -> Result<RuleSelector, UnknownSelector> {
    let normalized = text.trim().to_ascii_uppercase();
    if normalized == "ALL" {
        return Ok(RuleSelector {
            text: normalized,
            rules: RuleSet::all(),
            specificity: 0,
        });
    }
    // Only `AL` followed by digits is a code prefix; `A` or `AL1X` are typos, not prefixes.
    let is_prefix = normalized
        .strip_prefix("AL")
        .is_some_and(|digits| digits.bytes().all(|b| b.is_ascii_digit()));
    let rules: RuleSet = if is_prefix {
        Rule::ALL
            .iter()
            .copied()
            .filter(|rule| rule.code().starts_with(&normalized))
            .collect()
    } else {
        RuleSet::empty()
    };
    if rules.is_empty() {
        return Err(UnknownSelector(text.trim().to_string()));
    }
    let specificity = u8::try_from(normalized.len()).unwrap_or(u8::MAX);
    Ok(RuleSelector {
        text: normalized,
        rules,
        specificity,
    })
}

/// Parse a list of selectors; the first unknown one is the error.
pub fn parse_selectors<S: AsRef<str>>(texts: &[S]) -> Result<Vec<RuleSelector>, UnknownSelector> {
    texts
        .iter()
        .map(|text| parse_selector(text.as_ref()))
        .collect()
}

/// The selection written at one level (one config file, or the command line).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleSelection {
    pub select: Option<Vec<RuleSelector>>,
    pub extend_select: Vec<RuleSelector>,
    pub ignore: Vec<RuleSelector>,
}

/// The rules one level of `select` / `ignore` leaves on, from their texts: what the Python
/// API's `verify(obj, select=..., ignore=...)` takes, resolved as a configuration file is.
pub fn select_rules<S: AsRef<str>>(
    select: Option<&[S]>,
    ignore: &[S],
) -> Result<RuleSet, UnknownSelector> {
    let level = RuleSelection {
        select: select.map(parse_selectors).transpose()?,
        extend_select: Vec::new(),
        ignore: parse_selectors(ignore)?,
    };
    Ok(resolve_rules([&level]))
}

/// Apply the levels in order (base config first, command line last) to the default
/// selection, ALL rules.
///
/// As in Ruff: within one level, selectors are applied from least to most specific, and at
/// equal specificity `ignore` after `select`, so the more specific selector wins and a tie
/// goes to `ignore`. A level with `select` starts over; one without it edits the result so far.
pub fn resolve_rules<'a>(levels: impl IntoIterator<Item = &'a RuleSelection>) -> RuleSet {
    let mut enabled = RuleSet::all();
    for level in levels {
        let mut on = RuleSet::empty();
        let mut off = RuleSet::empty();
        let selects: Vec<&RuleSelector> = level
            .select
            .iter()
            .flatten()
            .chain(level.extend_select.iter())
            .collect();
        let mut specificities: Vec<u8> = selects
            .iter()
            .copied()
            .chain(level.ignore.iter())
            .map(RuleSelector::specificity)
            .collect();
        specificities.sort_unstable();
        specificities.dedup();
        for specificity in specificities {
            for selector in selects.iter().filter(|s| s.specificity == specificity) {
                for rule in selector.rules.iter() {
                    on.insert(rule);
                    off.remove(rule);
                }
            }
            for selector in level.ignore.iter().filter(|s| s.specificity == specificity) {
                for rule in selector.rules.iter() {
                    off.insert(rule);
                    on.remove(rule);
                }
            }
        }
        if level.select.is_some() {
            enabled = on;
        } else {
            for rule in on.iter() {
                enabled.insert(rule);
            }
            for rule in off.iter() {
                enabled.remove(rule);
            }
        }
    }
    enabled
}

#[cfg(test)]
mod tests {
    use super::*;

    fn selectors(texts: &[&str]) -> Vec<RuleSelector> {
        match parse_selectors(texts) {
            Ok(selectors) => selectors,
            Err(error) => panic!("{error}"),
        }
    }

    fn codes(set: RuleSet) -> Vec<&'static str> {
        set.iter().map(Rule::code).collect()
    }

    #[test]
    fn exact_code_prefix_and_all() {
        let exact = &selectors(&["AL101"])[0];
        assert_eq!(codes(exact.rules()), ["AL101"]);
        let group = &selectors(&["al1"])[0];
        assert!(group.rules().contains(Rule::ArrayMissingCopy));
        assert!(group.rules().contains(Rule::ArrayCopySemantics));
        assert!(!group.rules().contains(Rule::InterfaceNotProperty));
        assert_eq!(group.as_str(), "AL1");
        let all = &selectors(&["ALL"])[0];
        assert_eq!(all.rules(), RuleSet::all());
        assert_eq!(selectors(&["AL"])[0].rules(), RuleSet::all());
        assert!(all.specificity() < selectors(&["AL"])[0].specificity());
        assert!(group.specificity() < exact.specificity());
    }

    #[test]
    fn unknown_selectors_are_errors_naming_them() {
        for bad in ["AL999", "AL8", "X", "A", "AL1X", "", "AL1011"] {
            let error = parse_selector(bad).expect_err(bad);
            assert_eq!(error.0, bad);
            assert!(error.to_string().contains(&format!("`{bad}`")));
        }
    }

    #[test]
    fn default_is_all_rules() {
        assert_eq!(resolve_rules([]), RuleSet::all());
    }

    #[test]
    fn more_specific_wins_within_a_level() {
        // select a group, ignore one member: the member is off.
        let level = RuleSelection {
            select: Some(selectors(&["AL1"])),
            ignore: selectors(&["AL101"]),
            ..RuleSelection::default()
        };
        let rules = resolve_rules([&level]);
        assert!(!rules.contains(Rule::ArrayMissingCopy));
        assert!(rules.contains(Rule::ArrayMissingDtype));
        assert!(!rules.contains(Rule::InterfaceNotProperty));

        // ignore a group, select one member: the member is on.
        let level = RuleSelection {
            select: Some(selectors(&["AL101"])),
            ignore: selectors(&["AL1"]),
            ..RuleSelection::default()
        };
        assert_eq!(codes(resolve_rules([&level])), ["AL101"]);
    }

    #[test]
    fn tie_goes_to_ignore() {
        let level = RuleSelection {
            select: Some(selectors(&["AL10"])),
            ignore: selectors(&["AL10"]),
            ..RuleSelection::default()
        };
        assert!(resolve_rules([&level]).is_empty());
    }

    #[test]
    fn later_levels_edit_or_replace() {
        let config = RuleSelection {
            select: Some(selectors(&["AL1"])),
            ..RuleSelection::default()
        };
        // extend-select and ignore edit the config's selection ...
        let cli = RuleSelection {
            extend_select: selectors(&["AL201"]),
            ignore: selectors(&["AL102"]),
            ..RuleSelection::default()
        };
        let rules = resolve_rules([&config, &cli]);
        assert!(rules.contains(Rule::ArrayMissingCopy));
        assert!(rules.contains(Rule::InterfaceNotProperty));
        assert!(!rules.contains(Rule::ArrayMissingDtype));
        assert!(!rules.contains(Rule::InterfaceNotDict));
        // ... and a later select starts over, dropping earlier ignores.
        let base = RuleSelection {
            ignore: selectors(&["AL101"]),
            ..RuleSelection::default()
        };
        let select = RuleSelection {
            select: Some(selectors(&["AL10"])),
            ..RuleSelection::default()
        };
        assert!(resolve_rules([&base, &select]).contains(Rule::ArrayMissingCopy));
        // An ignore at a later level beats a more specific select at an earlier one.
        let exact = RuleSelection {
            select: Some(selectors(&["AL101"])),
            ..RuleSelection::default()
        };
        let broad_ignore = RuleSelection {
            ignore: selectors(&["AL"]),
            ..RuleSelection::default()
        };
        assert!(resolve_rules([&exact, &broad_ignore]).is_empty());
    }

    #[test]
    fn select_rules_from_texts() {
        let rules = select_rules(Some(&["AL9"][..]), &["AL907"]).unwrap();
        assert!(rules.contains(Rule::HostPointerUnmapped));
        assert!(!rules.contains(Rule::ProtocolsDisagree));
        assert!(!rules.contains(Rule::InterfaceNullData));
        let rules = select_rules::<&str>(None, &["AL2"]).unwrap();
        assert!(rules.contains(Rule::ProtocolsDisagree));
        assert!(!rules.contains(Rule::InterfaceNullData));
        assert!(select_rules(Some(&["AL999"][..]), &[]).is_err());
    }
}
