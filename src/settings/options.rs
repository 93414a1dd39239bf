//! Reading config files: `[tool.arraylint]` in `pyproject.toml`, or the top level of
//! `arraylint.toml` / `.arraylint.toml`, and the chain of files joined by `extend`.

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use serde::de::{IgnoredAny, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use toml::Spanned;

use super::error::{Origin, SettingsError};
use super::numpy_target::NumpyMajor;
use super::pattern::{absolutize, FilePattern, PerFileIgnore};
use super::selector::{parse_selector, RuleSelection, RuleSelector};
use crate::registry::RuleSet;
use crate::suggest::edit_distance;

/// Every key a config file may hold, in the order the docs list them.
pub const KNOWN_KEYS: &[&str] = &[
    "select",
    "extend-select",
    "ignore",
    "per-file-ignores",
    "extend-per-file-ignores",
    "include",
    "extend-include",
    "exclude",
    "extend-exclude",
    "respect-gitignore",
    "target-numpy",
    "extend",
];

/// The options written at one level (one config file, or the command line), with paths
/// already made absolute against that level's directory.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub selection: RuleSelection,
    /// `include`: which files the walk checks (replaces the default kinds).
    pub include: Option<Vec<FilePattern>>,
    pub extend_include: Vec<FilePattern>,
    pub exclude: Option<Vec<FilePattern>>,
    pub extend_exclude: Vec<FilePattern>,
    pub per_file_ignores: Option<Vec<PerFileIgnore>>,
    pub extend_per_file_ignores: Vec<PerFileIgnore>,
    pub respect_gitignore: Option<bool>,
    /// `target-numpy`: the NumPy the code runs under (else inferred per file).
    pub target_numpy: Option<NumpyMajor>,
}

/// How a file whose format has no arraylint section is treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MissingSection {
    /// Found while searching upward: not a config file, keep searching.
    Skip,
    /// Named by `--config` or `extend`: an empty configuration.
    Empty,
}

/// Load `path` and every file it extends. Returns the levels base first, or `None` when
/// `path` is a `pyproject.toml` without `[tool.arraylint]` and `missing` is `Skip`.
pub fn load_chain(
    path: &Path,
    missing: MissingSection,
) -> Result<Option<Vec<Options>>, SettingsError> {
    let mut levels = Vec::new();
    let mut chain: Vec<PathBuf> = Vec::new();
    let mut seen: Vec<PathBuf> = Vec::new();
    let mut current = path.to_path_buf();
    let mut named_by: Option<(PathBuf, usize)> = None;
    loop {
        let read_error = |error: std::io::Error| SettingsError::Read {
            path: current.clone(),
            message: error.to_string(),
            named_by: named_by.clone(),
        };
        // Canonical paths so that `a/../b.toml` and `b.toml` are seen as the same file.
        let canonical = fs::canonicalize(&current).map_err(&read_error)?;
        chain.push(current.clone());
        if seen.contains(&canonical) {
            return Err(SettingsError::ExtendCycle { chain });
        }
        seen.push(canonical);
        let text = fs::read_to_string(&current).map_err(&read_error)?;
        let parsed = match parse_config(&current, &text)? {
            Some(parsed) => parsed,
            None if levels.is_empty() && missing == MissingSection::Skip => return Ok(None),
            None => ParsedConfig::default(),
        };
        levels.push(parsed.options);
        match parsed.extend {
            Some((target, line)) => {
                named_by = Some((current.clone(), line));
                current = target;
            }
            None => break,
        }
    }
    levels.reverse();
    Ok(Some(levels))
}

#[derive(Debug, Default)]
struct ParsedConfig {
    options: Options,
    /// The extended file, absolute, and the line of the `extend` key.
    extend: Option<(PathBuf, usize)>,
}

fn is_pyproject(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|name| name == "pyproject.toml")
}

/// Parse one config file. `None`: a `pyproject.toml` without `[tool.arraylint]`.
fn parse_config(path: &Path, text: &str) -> Result<Option<ParsedConfig>, SettingsError> {
    let Some(keys) = read_keys(path, text)? else {
        return Ok(None);
    };
    let section = if is_pyproject(path) {
        "[tool.arraylint]"
    } else {
        ""
    };
    // The first unknown key in the file, not in key order.
    let unknown = keys
        .keys()
        .filter(|key| !KNOWN_KEYS.contains(&key.get_ref().as_str()))
        .min_by_key(|key| key.span().start);
    if let Some(key) = unknown {
        return Err(SettingsError::UnknownKey {
            path: path.to_path_buf(),
            line: line_col(text, key.span().start).0,
            key: key.get_ref().clone(),
            section: section.to_string(),
            suggestion: suggest(key.get_ref()),
        });
    }
    let raw: RawOptions = if is_pyproject(path) {
        toml::from_str::<PyprojectTyped>(text)
            .map(|doc| doc.tool.and_then(|tool| tool.arraylint).unwrap_or_default())
    } else {
        toml::from_str::<RawOptions>(text)
    }
    .map_err(|error| {
        let at = error.span().map_or(0, |span| span.start);
        // The key is the last one written before the bad value.
        let key = keys
            .keys()
            .filter(|key| key.span().start <= at)
            .max_by_key(|key| key.span().start)
            .map_or_else(|| section.to_string(), |key| key.get_ref().clone());
        SettingsError::InvalidValue {
            origin: Origin::File {
                path: path.to_path_buf(),
                line: line_col(text, at).0,
            },
            key,
            message: one_line(error.message()),
        }
    })?;
    let root = path.parent().unwrap_or(Path::new("/"));
    raw.into_parsed(path, text, root).map(Some)
}

type KeyMap = BTreeMap<Spanned<String>, IgnoredAny>;

/// The arraylint keys of the file with their positions; `None` for a `pyproject.toml`
/// without `[tool.arraylint]`. Syntax errors surface here.
fn read_keys(path: &Path, text: &str) -> Result<Option<KeyMap>, SettingsError> {
    #[derive(Deserialize)]
    struct Pyproject {
        tool: Option<Tool>,
    }
    #[derive(Deserialize)]
    struct Tool {
        arraylint: Option<KeyMap>,
    }

    // First the syntax alone, so that a syntax error is reported as such.
    toml::from_str::<IgnoredAny>(text).map_err(|error| {
        let (line, column) = line_col(text, error.span().map_or(0, |span| span.start));
        SettingsError::InvalidToml {
            path: path.to_path_buf(),
            line,
            column,
            message: one_line(error.message()),
        }
    })?;
    let shape_error = |error: toml::de::Error, key: &str| SettingsError::InvalidValue {
        origin: Origin::File {
            path: path.to_path_buf(),
            line: line_col(text, error.span().map_or(0, |span| span.start)).0,
        },
        key: key.to_string(),
        message: format!("{}; it must be a table", one_line(error.message())),
    };
    if is_pyproject(path) {
        let doc: Pyproject = toml::from_str(text).map_err(|e| shape_error(e, "tool.arraylint"))?;
        Ok(doc.tool.and_then(|tool| tool.arraylint))
    } else {
        toml::from_str::<KeyMap>(text)
            .map(Some)
            .map_err(|e| shape_error(e, "arraylint"))
    }
}

/// The toml crate's messages can span lines ("invalid array\nexpected `]`").
fn one_line(message: &str) -> String {
    let lines: Vec<&str> = message
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    lines.join(": ")
}

/// 1-based line and column (in characters) of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |at| at + 1);
    let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    (line, column)
}

/// The known key closest to a misspelt one, if it is close.
fn suggest(key: &str) -> Option<&'static str> {
    KNOWN_KEYS
        .iter()
        .copied()
        .map(|known| {
            (
                edit_distance(&key.to_ascii_lowercase().replace('_', "-"), known),
                known,
            )
        })
        .filter(|(distance, _)| *distance <= 2)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, known)| known)
}

#[derive(Deserialize)]
struct PyprojectTyped {
    tool: Option<ToolTyped>,
}

#[derive(Deserialize)]
struct ToolTyped {
    arraylint: Option<RawOptions>,
}

/// The file's options as written. Unknown keys were rejected before this is read.
#[derive(Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
struct RawOptions {
    select: Option<StringList>,
    extend_select: Option<StringList>,
    ignore: Option<StringList>,
    per_file_ignores: Option<BTreeMap<Spanned<String>, StringList>>,
    extend_per_file_ignores: Option<BTreeMap<Spanned<String>, StringList>>,
    include: Option<StringList>,
    extend_include: Option<StringList>,
    exclude: Option<StringList>,
    extend_exclude: Option<StringList>,
    respect_gitignore: Option<bool>,
    target_numpy: Option<Spanned<toml::Value>>,
    extend: Option<Spanned<String>>,
}

/// A list of strings, each with its position, so an error can name the line.
struct StringList(Vec<Spanned<String>>);

impl<'de> Deserialize<'de> for StringList {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ListVisitor;
        impl<'de> Visitor<'de> for ListVisitor {
            type Value = StringList;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of strings, e.g. [\"AL101\"]")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<StringList, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element::<Spanned<String>>()? {
                    items.push(item);
                }
                Ok(StringList(items))
            }
        }
        deserializer.deserialize_seq(ListVisitor)
    }
}

impl RawOptions {
    fn into_parsed(
        self,
        path: &Path,
        text: &str,
        root: &Path,
    ) -> Result<ParsedConfig, SettingsError> {
        let at = |offset: usize, key: &str, message: String| SettingsError::InvalidValue {
            origin: Origin::File {
                path: path.to_path_buf(),
                line: line_col(text, offset).0,
            },
            key: key.to_string(),
            message,
        };
        let selectors =
            |list: &StringList, key: &str| -> Result<Vec<RuleSelector>, SettingsError> {
                list.0
                    .iter()
                    .map(|item| {
                        parse_selector(item.get_ref())
                            .map_err(|error| at(item.span().start, key, error.to_string()))
                    })
                    .collect()
            };
        let patterns = |list: &StringList, key: &str| -> Result<Vec<FilePattern>, SettingsError> {
            list.0
                .iter()
                .map(|item| {
                    FilePattern::user(item.get_ref(), root).map_err(|error| {
                        at(
                            item.span().start,
                            key,
                            format!("invalid glob `{}`: {error}", item.get_ref()),
                        )
                    })
                })
                .collect()
        };
        let per_file = |table: &BTreeMap<Spanned<String>, StringList>,
                        key: &str|
         -> Result<Vec<PerFileIgnore>, SettingsError> {
            table
                .iter()
                .map(|(glob, codes)| {
                    let rules: RuleSet = selectors(codes, key)?
                        .iter()
                        .flat_map(|selector| selector.rules().iter())
                        .collect();
                    PerFileIgnore::new(glob.get_ref(), rules, root).map_err(|error| {
                        at(
                            glob.span().start,
                            key,
                            format!("invalid glob `{}`: {error}", glob.get_ref()),
                        )
                    })
                })
                .collect()
        };

        let options = Options {
            selection: RuleSelection {
                select: self
                    .select
                    .as_ref()
                    .map(|l| selectors(l, "select"))
                    .transpose()?,
                extend_select: match &self.extend_select {
                    Some(list) => selectors(list, "extend-select")?,
                    None => Vec::new(),
                },
                ignore: match &self.ignore {
                    Some(list) => selectors(list, "ignore")?,
                    None => Vec::new(),
                },
            },
            include: self
                .include
                .as_ref()
                .map(|l| patterns(l, "include"))
                .transpose()?,
            extend_include: match &self.extend_include {
                Some(list) => patterns(list, "extend-include")?,
                None => Vec::new(),
            },
            exclude: self
                .exclude
                .as_ref()
                .map(|l| patterns(l, "exclude"))
                .transpose()?,
            extend_exclude: match &self.extend_exclude {
                Some(list) => patterns(list, "extend-exclude")?,
                None => Vec::new(),
            },
            per_file_ignores: self
                .per_file_ignores
                .as_ref()
                .map(|t| per_file(t, "per-file-ignores"))
                .transpose()?,
            extend_per_file_ignores: match &self.extend_per_file_ignores {
                Some(table) => per_file(table, "extend-per-file-ignores")?,
                None => Vec::new(),
            },
            respect_gitignore: self.respect_gitignore,
            target_numpy: self
                .target_numpy
                .as_ref()
                .map(|value| {
                    let parsed = match value.get_ref() {
                        toml::Value::String(text) => text.parse::<NumpyMajor>(),
                        toml::Value::Integer(n) => u32::try_from(*n)
                            .map_err(|_| String::new())
                            .and_then(|n| n.to_string().parse::<NumpyMajor>()),
                        _ => Err(String::new()),
                    };
                    parsed.map_err(|message| {
                        let message = if message.is_empty() {
                            "expected a NumPy major version as a string, e.g. \"2\"".to_string()
                        } else {
                            message
                        };
                        at(value.span().start, "target-numpy", message)
                    })
                })
                .transpose()?,
        };
        let extend = match &self.extend {
            Some(target) => {
                let written = target.get_ref();
                if written.trim().is_empty() {
                    return Err(at(
                        target.span().start,
                        "extend",
                        "the path is empty".to_string(),
                    ));
                }
                Some((
                    absolutize(&expand_home(written), root),
                    line_col(text, target.span().start).0,
                ))
            }
            None => None,
        };
        Ok(ParsedConfig { options, extend })
    }
}

/// `~/x` is relative to the home directory, as in Ruff.
fn expand_home(path: &str) -> PathBuf {
    if let Some(rest) = path.strip_prefix("~/") {
        if let Some(home) = std::env::var_os("HOME") {
            return PathBuf::from(home).join(rest);
        }
    }
    PathBuf::from(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(name: &str, text: &str) -> Result<Option<ParsedConfig>, SettingsError> {
        parse_config(&Path::new("/proj").join(name), text)
    }

    #[test]
    fn pyproject_without_section_is_not_a_config() {
        let parsed = parse(
            "pyproject.toml",
            "[project]\nname = \"x\"\n[tool.black]\nline-length = 3\n",
        );
        assert!(matches!(parsed, Ok(None)));
        // Other names count even when empty.
        assert!(matches!(parse("arraylint.toml", ""), Ok(Some(_))));
    }

    #[test]
    fn reads_every_key() {
        let text = r#"
[tool.arraylint]
select = ["AL1"]
extend-select = ["AL201"]
ignore = ["AL104"]
exclude = ["gen"]
extend-exclude = ["*_pb2.py"]
respect-gitignore = false
extend = "../base.toml"

[tool.arraylint.per-file-ignores]
"tests/*" = ["AL1", "AL201"]
"#;
        let parsed = match parse("pyproject.toml", text) {
            Ok(Some(parsed)) => parsed,
            other => panic!("{other:?}"),
        };
        let options = parsed.options;
        assert_eq!(options.selection.select.as_ref().map(Vec::len), Some(1));
        assert_eq!(options.selection.extend_select.len(), 1);
        assert_eq!(options.selection.ignore.len(), 1);
        assert_eq!(options.exclude.as_ref().map(Vec::len), Some(1));
        assert_eq!(options.extend_exclude.len(), 1);
        assert_eq!(options.respect_gitignore, Some(false));
        let pfi = options.per_file_ignores.unwrap_or_default();
        assert_eq!(pfi.len(), 1);
        assert_eq!(pfi[0].pattern, "tests/*");
        assert!(pfi[0]
            .rules
            .contains(crate::registry::Rule::InterfaceNotProperty));
        assert_eq!(parsed.extend, Some((PathBuf::from("/base.toml"), 9)));
    }

    #[test]
    fn unknown_key_names_key_line_and_suggestion() {
        let error = parse(
            "pyproject.toml",
            "[tool.arraylint]\nselect = []\nextend_select = [\"AL1\"]\n",
        );
        match error {
            Err(SettingsError::UnknownKey {
                line,
                key,
                suggestion,
                ..
            }) => {
                assert_eq!(line, 3);
                assert_eq!(key, "extend_select");
                assert_eq!(suggestion, Some("extend-select"));
            }
            other => panic!("{other:?}"),
        }
        let error = parse("arraylint.toml", "colour = 1\n").map(|_| ());
        let message = error.map_err(|e| e.to_string()).unwrap_err();
        assert!(
            message.contains("/proj/arraylint.toml:1: unknown key `colour`"),
            "{message}"
        );
        assert!(message.contains("select, extend-select"), "{message}");
    }

    #[test]
    fn bad_values_name_key_and_line() {
        let cases: &[(&str, &str, usize)] = &[
            ("[tool.arraylint]\nselect = \"AL101\"\n", "select", 2),
            ("[tool.arraylint]\nignore = [\n  \"AL101\",\n  \"AL999\",\n]\n", "ignore", 4),
            ("[tool.arraylint]\nrespect-gitignore = \"no\"\n", "respect-gitignore", 2),
            ("[tool.arraylint]\nexclude = [\"a[\"]\n", "exclude", 2),
            (
                "[tool.arraylint]\nselect = []\n[tool.arraylint.per-file-ignores]\n\"a.py\" = \"AL1\"\n",
                "per-file-ignores",
                4,
            ),
            (
                "[tool.arraylint.per-file-ignores]\n\"a.py\" = [\"AL1\", \"AL77\"]\n",
                "per-file-ignores",
                2,
            ),
            ("[tool.arraylint]\nextend = 3\n", "extend", 2),
        ];
        for (text, want_key, want_line) in cases {
            match parse("pyproject.toml", text) {
                Err(SettingsError::InvalidValue {
                    origin: Origin::File { line, .. },
                    key,
                    message,
                }) => {
                    assert_eq!(&key, want_key, "{text}: {message}");
                    assert_eq!(line, *want_line, "{text}: {message}");
                }
                other => panic!("{text}: {other:?}"),
            }
        }
    }

    #[test]
    fn invalid_toml_names_line() {
        match parse(
            "pyproject.toml",
            "[tool.arraylint]\nselect = [\"AL1\"\nignore = []\n",
        ) {
            Err(SettingsError::InvalidToml { line, .. }) => assert_eq!(line, 3),
            other => panic!("{other:?}"),
        }
        match parse("arraylint.toml", "select = [\"AL1\"]\n\n= 3\n") {
            Err(SettingsError::InvalidToml { line, column, .. }) => {
                assert_eq!((line, column), (3, 1))
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn line_col_counts_characters() {
        assert_eq!(line_col("ab\ncé d", 7), (2, 4));
        assert_eq!(line_col("", 5), (1, 1));
    }
}
