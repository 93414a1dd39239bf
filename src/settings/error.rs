//! Configuration errors. Each names the file (and line) or the flag, and says what to do.

use std::fmt;
use std::path::PathBuf;

/// Where a bad value was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A config file, at a 1-based line.
    File { path: PathBuf, line: usize },
    /// A command-line flag, e.g. `--select`.
    Cli { flag: &'static str },
}

/// A problem with the configuration. The CLI exits 2 on any of these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SettingsError {
    /// A config file could not be read (`--config`, `extend`, or one found on the way up).
    Read {
        path: PathBuf,
        message: String,
        /// The `extend` key that named the file, if that is how it was reached.
        named_by: Option<(PathBuf, usize)>,
    },
    /// The file is not valid TOML.
    InvalidToml {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    /// A key arraylint does not know.
    UnknownKey {
        path: PathBuf,
        line: usize,
        key: String,
        /// `[tool.arraylint]`, or `[tool.arraylint.per-file-ignores]`-style context; empty
        /// for the top level of an `arraylint.toml`.
        section: String,
        suggestion: Option<&'static str>,
    },
    /// A known key with a value of the wrong type or content (an unknown code, a bad glob).
    InvalidValue {
        origin: Origin,
        key: String,
        message: String,
    },
    /// `extend` leads back to a file already in the chain.
    ExtendCycle { chain: Vec<PathBuf> },
}

impl fmt::Display for SettingsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SettingsError::Read {
                path,
                message,
                named_by,
            } => {
                write!(f, "cannot read config file {}: {message}", path.display())?;
                if let Some((file, line)) = named_by {
                    write!(
                        f,
                        " (named by `extend` at {}:{line}); fix the path, which is relative to that file's directory",
                        file.display()
                    )
                } else {
                    write!(f, "; check that the path exists and is readable")
                }
            }
            SettingsError::InvalidToml {
                path,
                line,
                column,
                message,
            } => write!(
                f,
                "{}:{line}:{column}: invalid TOML: {message}; fix the syntax on line {line}",
                path.display()
            ),
            SettingsError::UnknownKey {
                path,
                line,
                key,
                section,
                suggestion,
            } => {
                write!(f, "{}:{line}: unknown key `{key}`", path.display())?;
                if !section.is_empty() {
                    write!(f, " in {section}")?;
                }
                match suggestion {
                    Some(known) => write!(f, "; did you mean `{known}`?"),
                    None => write!(
                        f,
                        "; the known keys are: {}",
                        super::options::KNOWN_KEYS.join(", ")
                    ),
                }
            }
            SettingsError::InvalidValue {
                origin,
                key,
                message,
            } => match origin {
                Origin::File { path, line } => write!(
                    f,
                    "{}:{line}: invalid value for `{key}`: {message}",
                    path.display()
                ),
                Origin::Cli { flag } => write!(f, "invalid value for `{flag}`: {message}"),
            },
            SettingsError::ExtendCycle { chain } => {
                let chain: Vec<String> = chain.iter().map(|p| p.display().to_string()).collect();
                write!(
                    f,
                    "`extend` forms a cycle: {}; remove one of the `extend` keys",
                    chain.join(" -> ")
                )
            }
        }
    }
}

impl std::error::Error for SettingsError {}
