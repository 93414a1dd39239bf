//! Which NumPy a project's code runs under: `target-numpy` when it is configured, else
//! what the closest `pyproject.toml` requires. Rules about the NumPy 1 -> 2 migration
//! (AL602) do not apply to code that only runs under NumPy 2 (RULES.md, Conventions).

use std::fmt;
use std::str::FromStr;

/// A NumPy major version, as `target-numpy = "2"` writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct NumpyMajor(pub u32);

impl NumpyMajor {
    pub const TWO: NumpyMajor = NumpyMajor(2);

    /// Code that only runs under NumPy 2 or later.
    pub fn is_numpy2(self) -> bool {
        self >= NumpyMajor::TWO
    }
}

impl fmt::Display for NumpyMajor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl FromStr for NumpyMajor {
    type Err = String;

    /// `"2"`, `"2.1"` or `"1.26"`: the major version counts; anything else is refused.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || format!("`{text}` is not a NumPy version; use a major version such as \"2\"");
        let major = text.trim().split('.').next().ok_or_else(bad)?;
        let rest_ok = text
            .trim()
            .split('.')
            .skip(1)
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()));
        match major.parse::<u32>() {
            Ok(major) if major >= 1 && rest_ok => Ok(NumpyMajor(major)),
            _ => Err(bad()),
        }
    }
}

/// Whether a `pyproject.toml` requires NumPy 2 or later.
///
/// Requirements add up: when `project.dependencies` names NumPy, the project needs NumPy 2
/// as soon as one unconditional entry there has a lower bound of 2 or more (an extra can
/// only narrow it further), or when every entry does, markers or not (pandas:
/// `numpy>=2.0.2; python_version < "3.14"` and `numpy>=2.3.3; python_version >= "3.14"`).
/// When only optional dependencies or dependency groups name it, the code that imports
/// NumPy runs with any of them, so every entry must say 2 or more. An entry with an
/// environment marker counts only while every other NumPy entry says 2 as well
/// (`numpy>=1.22; python_version < "3.10"` beside it means NumPy 1 there).
pub fn requires_numpy2(pyproject: &str) -> bool {
    let Ok(doc) = pyproject.parse::<toml::Table>() else {
        return false;
    };
    let project = doc.get("project").and_then(toml::Value::as_table);
    let required: Vec<&str> = project
        .and_then(|p| p.get("dependencies"))
        .map(strings)
        .unwrap_or_default();
    let required_numpy: Vec<NumpyRequirement> = required
        .iter()
        .filter_map(|r| numpy_requirement(r))
        .collect();
    if !required_numpy.is_empty() {
        return required_numpy
            .iter()
            .any(NumpyRequirement::guarantees_numpy2)
            || required_numpy.iter().all(NumpyRequirement::says_numpy2);
    }
    let optional = project
        .and_then(|p| p.get("optional-dependencies"))
        .and_then(toml::Value::as_table)
        .into_iter()
        .flat_map(|extras| extras.values().flat_map(strings));
    let groups = doc
        .get("dependency-groups")
        .and_then(toml::Value::as_table)
        .into_iter()
        .flat_map(|groups| groups.values().flat_map(strings));
    let elsewhere: Vec<NumpyRequirement> = optional
        .chain(groups)
        .filter_map(numpy_requirement)
        .collect();
    !elsewhere.is_empty() && elsewhere.iter().all(NumpyRequirement::says_numpy2)
}

/// The strings of a TOML array (tables in it, like `{include-group = "x"}`, are skipped).
fn strings(value: &toml::Value) -> Vec<&str> {
    value
        .as_array()
        .map(|items| items.iter().filter_map(toml::Value::as_str).collect())
        .unwrap_or_default()
}

#[derive(Debug)]
struct NumpyRequirement<'a> {
    specifiers: &'a str,
    has_marker: bool,
}

impl NumpyRequirement<'_> {
    /// Some specifier excludes every 1.x: `>=2`, `>=2.0.0rc1`, `~=2.1`, `==2.*`, `>2.0`
    /// (in the environments its marker selects).
    fn says_numpy2(&self) -> bool {
        self.specifiers
            .split(',')
            .any(|specifier| lower_bound_major(specifier.trim()).is_some_and(|m| m >= 2))
    }

    /// `says_numpy2` in every environment: no marker.
    fn guarantees_numpy2(&self) -> bool {
        !self.has_marker && self.says_numpy2()
    }
}

/// A PEP 508 requirement on NumPy (`numpy>=2`, `NumPy [extra] ~= 2.1 ; marker`).
fn numpy_requirement(requirement: &str) -> Option<NumpyRequirement<'_>> {
    let requirement = requirement.trim();
    let name_end = requirement
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(requirement.len());
    if !requirement[..name_end].eq_ignore_ascii_case("numpy") {
        return None;
    }
    let rest = requirement[name_end..].trim_start();
    // Extras: `numpy[foo]`.
    let rest = match rest.strip_prefix('[') {
        Some(after) => after.split_once(']').map_or("", |(_, tail)| tail),
        None => rest,
    };
    let (specifiers, marker) = match rest.split_once(';') {
        Some((specifiers, marker)) => (specifiers, !marker.trim().is_empty()),
        None => (rest, false),
    };
    let specifiers = specifiers.trim();
    // A direct reference (`numpy @ https://...`) says nothing about the version.
    if specifiers.starts_with('@') {
        return None;
    }
    let specifiers = specifiers
        .strip_prefix('(')
        .and_then(|s| s.strip_suffix(')'))
        .unwrap_or(specifiers);
    Some(NumpyRequirement {
        specifiers,
        has_marker: marker,
    })
}

/// The major version below which a specifier excludes everything: `>=2` -> 2, `>1.9` -> 1,
/// `>2` -> 2, `~=2.1` -> 2, `==2.*` -> 2; `<`, `<=`, `!=` set no lower bound.
fn lower_bound_major(specifier: &str) -> Option<u32> {
    let version = ["===", "==", "~=", ">="]
        .iter()
        .find_map(|op| specifier.strip_prefix(op))
        .or_else(|| specifier.strip_prefix('>').filter(|v| !v.starts_with('=')))?;
    let version = version.trim();
    let version = version.strip_prefix('v').unwrap_or(version);
    let digits: String = version.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deps(list: &str) -> String {
        format!("[project]\nname = \"x\"\ndependencies = [{list}]\n")
    }

    #[test]
    fn numpy2_forms_in_dependencies() {
        for spec in [
            "\"numpy>=2\"",
            "\"numpy>=2.0.0rc1\"",
            "\"numpy~=2.1\"",
            "\"numpy>=2,<3\"",
            "\"numpy <3, >= 2.1\"",
            "\"NumPy==2.*\"",
            "\"numpy[typing] >= 2\"",
            "\"numpy>2.0\"",
            "\"numpy>=2; python_version >= '3.10'\"",
            "\"scipy>=1.10\", \"numpy>=2\"",
        ] {
            assert!(requires_numpy2(&deps(spec)), "{spec}");
        }
    }

    #[test]
    fn numpy1_or_unknown_forms() {
        for spec in [
            "\"numpy\"",
            "\"numpy>=1.24\"",
            "\"numpy<3\"",
            "\"numpy!=2.0\"",
            "\"numpy>=1.24,<3\"",
            "\"numpy @ https://example.invalid/numpy.whl\"",
            "\"numpydoc>=2\"",
            "\"scipy>=2\"",
        ] {
            assert!(!requires_numpy2(&deps(spec)), "{spec}");
        }
        assert!(!requires_numpy2("[project]\nname = \"x\"\n"));
        assert!(!requires_numpy2("not toml ["));
    }

    #[test]
    fn required_entries_add_up() {
        // An unconditional `numpy>=2` holds whatever else is listed.
        assert!(requires_numpy2(&deps(
            "\"numpy>=2\", \"numpy>=1.22; python_version < '3.9'\""
        )));
        // Every environment gets a NumPy 2 (pandas 3 writes it this way).
        assert!(requires_numpy2(&deps(
            "\"numpy>=2.0.2; python_version < '3.14'\", \"numpy>=2.3.3; python_version >= '3.14'\""
        )));
        assert!(!requires_numpy2(&deps(
            "\"numpy>=2; python_version >= '3.10'\", \"numpy>=1.22; python_version < '3.10'\""
        )));
        // An extra cannot loosen what the dependencies require.
        let text = "[project]\nname = \"x\"\ndependencies = [\"numpy>=2\"]\n\
                    [project.optional-dependencies]\ntest = [\"numpy\"]\n";
        assert!(requires_numpy2(text));
    }

    #[test]
    fn optional_dependencies_and_groups_must_all_say_2() {
        let extras = "[project]\nname = \"x\"\n[project.optional-dependencies]\n\
                      array = [\"numpy>=2\"]\n";
        assert!(requires_numpy2(extras));
        let groups = "[dependency-groups]\ndev = [\"numpy~=2.2\", {include-group = \"x\"}]\n";
        assert!(requires_numpy2(groups));
        let mixed = "[project.optional-dependencies]\narray = [\"numpy>=2\"]\n\
                     [dependency-groups]\nold = [\"numpy>=1.26\"]\n";
        assert!(!requires_numpy2(mixed));
    }

    #[test]
    fn target_numpy_values() {
        assert_eq!("2".parse::<NumpyMajor>(), Ok(NumpyMajor(2)));
        assert_eq!("2.1".parse::<NumpyMajor>(), Ok(NumpyMajor(2)));
        assert_eq!("1.26".parse::<NumpyMajor>(), Ok(NumpyMajor(1)));
        for bad in ["", "two", "0", "2.", "2.x", "-1", ">=2"] {
            assert!(bad.parse::<NumpyMajor>().is_err(), "{bad}");
        }
        assert!(NumpyMajor(3).is_numpy2() && !NumpyMajor(1).is_numpy2());
    }
}
