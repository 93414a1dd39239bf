//! Path globs for `exclude`, `extend-exclude` and `per-file-ignores`, matched as Ruff does:
//! a pattern matches a path when it matches the path's file name, or, made absolute against
//! the directory of the file that wrote it, the whole absolute path.

use std::path::{Component, Path, PathBuf};

use globset::{Candidate, Glob, GlobMatcher, GlobSet, GlobSetBuilder};

use crate::registry::RuleSet;

/// The files a walk checks unless `include` says otherwise, as Ruff's default (less its
/// `pyproject.toml`, which arraylint does not lint). `discover::FILE_KINDS` (the checked
/// kinds) is the same list by extension, for the walk's hot path; a test keeps the two together.
pub const DEFAULT_INCLUDE: &[&str] = &[
    "*.py", "*.pyw", "*.pyi", "*.ipynb", "*.pyx", "*.pxi", "*.pxd",
];

/// Ruff's default `exclude` list; `exclude` replaces it, `extend-exclude` adds to it.
pub const DEFAULT_EXCLUDES: &[&str] = &[
    ".bzr",
    ".direnv",
    ".eggs",
    ".git",
    ".git-rewrite",
    ".hg",
    ".ipynb_checkpoints",
    ".mypy_cache",
    ".nox",
    ".pants.d",
    ".pyenv",
    ".pytest_cache",
    ".pytype",
    ".ruff_cache",
    ".svn",
    ".tox",
    ".venv",
    ".vscode",
    "__pypackages__",
    "_build",
    "buck-out",
    "build",
    "dist",
    "node_modules",
    "site-packages",
    "venv",
];

/// Make `path` absolute against `base` and drop `.` and `..` components lexically, without
/// touching the file system (symlinks stay as named, as in Ruff).
pub fn absolutize(path: &Path, base: &Path) -> PathBuf {
    if is_normalized(path) {
        return path.to_path_buf(); // the walk's paths, once per file: no need to rebuild
    }
    let joined;
    let path = if path.is_absolute() {
        path
    } else {
        joined = base.join(path);
        &joined
    };
    let mut normalized = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                normalized.pop();
            }
            other => normalized.push(other.as_os_str()),
        }
    }
    normalized
}

/// One glob as written plus its absolute form.
#[derive(Debug, Clone)]
pub struct FilePattern {
    /// As written, for messages and `--show-settings`.
    pub text: String,
    globs: Vec<Glob>,
}

impl FilePattern {
    /// A built-in pattern (a bare name): matched as written only.
    pub fn builtin(name: &str) -> Result<Self, globset::Error> {
        Ok(FilePattern {
            text: name.to_string(),
            globs: vec![Glob::new(name)?],
        })
    }

    /// A user pattern, relative to `root` (the directory of the config file, or the
    /// working directory for command-line flags).
    pub fn user(text: &str, root: &Path) -> Result<Self, globset::Error> {
        // `build/` means the directory `build`; the path we match never ends in a slash.
        let trimmed = text.trim_end_matches('/');
        let trimmed = if trimmed.is_empty() { text } else { trimmed };
        let mut globs = vec![Glob::new(trimmed)?];
        let absolute = absolute_glob(trimmed, root);
        if absolute != trimmed {
            globs.push(Glob::new(&absolute)?);
        }
        Ok(FilePattern {
            text: text.to_string(),
            globs,
        })
    }
}

/// The glob text of `pattern` joined to `root`, with the root escaped so that glob
/// characters in directory names match literally.
fn absolute_glob(pattern: &str, root: &Path) -> String {
    if Path::new(pattern).is_absolute() {
        return pattern.to_string();
    }
    let mut root = root.to_path_buf();
    let mut rest = pattern;
    loop {
        if let Some(stripped) = rest.strip_prefix("./") {
            rest = stripped;
        } else if let Some(stripped) = rest.strip_prefix("../") {
            root.pop();
            rest = stripped;
        } else {
            break;
        }
    }
    let root = globset::escape(&root.to_string_lossy());
    if root.ends_with('/') {
        format!("{root}{rest}")
    } else {
        format!("{root}/{rest}")
    }
}

/// A compiled list of patterns.
#[derive(Debug, Clone)]
pub struct PatternSet {
    patterns: Vec<FilePattern>,
    set: GlobSet,
}

impl PatternSet {
    pub fn new(patterns: Vec<FilePattern>) -> Result<Self, globset::Error> {
        let mut builder = GlobSetBuilder::new();
        for pattern in &patterns {
            for glob in &pattern.globs {
                builder.add(glob.clone());
            }
        }
        Ok(PatternSet {
            set: builder.build()?,
            patterns,
        })
    }

    pub fn default_excludes() -> Result<Self, globset::Error> {
        let patterns = DEFAULT_EXCLUDES
            .iter()
            .map(|name| FilePattern::builtin(name))
            .collect::<Result<Vec<_>, _>>()?;
        PatternSet::new(patterns)
    }

    pub fn patterns(&self) -> &[FilePattern] {
        &self.patterns
    }

    /// `path` is absolute and normalized; `name` is its last component.
    pub fn is_match(&self, path: &Candidate<'_>, name: &Candidate<'_>) -> bool {
        !self.set.is_empty()
            && (self.set.is_match_candidate(path) || self.set.is_match_candidate(name))
    }
}

/// One `per-file-ignores` entry: files matching `pattern` (or not matching, for `!pattern`)
/// lose `rules`.
#[derive(Debug, Clone)]
pub struct PerFileIgnore {
    /// As written, including a leading `!`.
    pub pattern: String,
    negated: bool,
    name_matcher: GlobMatcher,
    absolute_matcher: GlobMatcher,
    pub rules: RuleSet,
}

impl PerFileIgnore {
    pub fn new(pattern: &str, rules: RuleSet, root: &Path) -> Result<Self, globset::Error> {
        let (negated, glob) = match pattern.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, pattern),
        };
        Ok(PerFileIgnore {
            pattern: pattern.to_string(),
            negated,
            name_matcher: Glob::new(glob)?.compile_matcher(),
            absolute_matcher: Glob::new(&absolute_glob(glob, root))?.compile_matcher(),
            rules,
        })
    }

    pub fn applies_to(&self, path: &Candidate<'_>, name: &Candidate<'_>) -> bool {
        let matched = self.name_matcher.is_match_candidate(name)
            || self.absolute_matcher.is_match_candidate(path);
        matched != self.negated
    }
}

/// Absolute, with no `.` or `..` component, no doubled or trailing separator.
fn is_normalized(path: &Path) -> bool {
    let bytes = path.as_os_str().as_encoded_bytes();
    bytes.first() == Some(&b'/')
        && (bytes.len() == 1 || !bytes.ends_with(b"/"))
        && bytes
            .split(|b| *b == b'/')
            .skip(1)
            .all(|part| !part.is_empty() && part != b"." && part != b"..")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(set: &PatternSet, path: &str) -> bool {
        let path = Path::new(path);
        let name = path.file_name().unwrap_or(path.as_os_str());
        set.is_match(&Candidate::new(path), &Candidate::new(name))
    }

    #[test]
    fn absolutize_is_lexical() {
        let base = Path::new("/work/proj");
        assert_eq!(
            absolutize(Path::new("./src/../a.py"), base),
            Path::new("/work/proj/a.py")
        );
        assert_eq!(absolutize(Path::new("/x/./y"), base), Path::new("/x/y"));
        assert_eq!(absolutize(Path::new("/x//y/"), base), Path::new("/x/y"));
        assert_eq!(absolutize(Path::new("/x/y/.."), base), Path::new("/x"));
        assert_eq!(absolutize(Path::new("/x/y"), base), Path::new("/x/y"));
        assert_eq!(absolutize(Path::new("/"), base), Path::new("/"));
        assert_eq!(
            absolutize(Path::new("../other"), base),
            Path::new("/work/other")
        );
    }

    #[test]
    fn user_patterns_match_name_or_rooted_path() {
        let root = Path::new("/proj");
        let set = PatternSet::new(vec![
            FilePattern::user("generated", root).unwrap(),
            FilePattern::user("tests/fixtures/", root).unwrap(),
            FilePattern::user("*_pb2.py", root).unwrap(),
        ])
        .unwrap();
        assert!(matches(&set, "/proj/a/generated"));
        assert!(matches(&set, "/proj/tests/fixtures"));
        assert!(!matches(&set, "/proj/other/tests/fixtures"));
        assert!(matches(&set, "/proj/deep/x_pb2.py"));
        assert!(!matches(&set, "/proj/x.py"));
    }

    #[test]
    fn parent_relative_and_glob_characters_in_root() {
        let root = Path::new("/we[ir]d/proj");
        let set = PatternSet::new(vec![
            FilePattern::user("../shared/gen", root).unwrap(),
            FilePattern::user("./src/skip", root).unwrap(),
        ])
        .unwrap();
        assert!(matches(&set, "/we[ir]d/shared/gen"));
        assert!(matches(&set, "/we[ir]d/proj/src/skip"));
        assert!(!matches(&set, "/wed/proj/src/skip"));
    }

    #[test]
    fn default_excludes_match_by_name() {
        let set = PatternSet::default_excludes().unwrap();
        assert!(matches(&set, "/proj/.venv"));
        assert!(matches(&set, "/proj/pkg/node_modules"));
        assert!(!matches(&set, "/proj/.github"));
        assert!(!matches(&set, "/proj/builder"));
    }

    #[test]
    fn per_file_ignore_negation() {
        let root = Path::new("/proj");
        let tests = PerFileIgnore::new("tests/**", RuleSet::all(), root).unwrap();
        let not_src = PerFileIgnore::new("!src/**", RuleSet::all(), root).unwrap();
        let init = PerFileIgnore::new("__init__.py", RuleSet::all(), root).unwrap();
        let check = |rule: &PerFileIgnore, path: &str| {
            let path = Path::new(path);
            let name = path.file_name().unwrap_or(path.as_os_str());
            rule.applies_to(&Candidate::new(path), &Candidate::new(name))
        };
        assert!(check(&tests, "/proj/tests/unit/a.py"));
        assert!(!check(&tests, "/proj/src/tests.py"));
        assert!(check(&not_src, "/proj/tests/a.py"));
        assert!(!check(&not_src, "/proj/src/a.py"));
        assert!(check(&init, "/proj/deep/pkg/__init__.py"));
    }
}
