//! Configuration: `[tool.arraylint]` in pyproject.toml, `arraylint.toml`, `.arraylint.toml`;
//! the closest file to each checked file wins; CLI flags override.
//!
//! The user-facing description is `docs/configuration.md`; keep the two in step.

mod error;
mod numpy_target;
mod options;
mod pattern;
mod selector;

use std::path::{Path, PathBuf};
use std::sync::{Arc, PoisonError, RwLock};

use globset::Candidate;

pub use error::{Origin, SettingsError};
pub use numpy_target::{requires_numpy2, NumpyMajor};
pub use options::KNOWN_KEYS;
pub use pattern::{absolutize, DEFAULT_EXCLUDES, DEFAULT_INCLUDE};
pub use selector::{parse_selector, parse_selectors, select_rules, RuleSelector, UnknownSelector};

use crate::registry::{Rule, RuleSet};
use options::{load_chain, MissingSection, Options};
use pattern::{FilePattern, PatternSet, PerFileIgnore};
use selector::{resolve_rules, RuleSelection};

/// Config file names, in the order they win within one directory (as Ruff's `.ruff.toml`,
/// `ruff.toml`, `pyproject.toml`).
pub const CONFIG_FILE_NAMES: &[&str] = &[".arraylint.toml", "arraylint.toml", "pyproject.toml"];

/// What the command line says about configuration; it overrides every config file.
#[derive(Debug, Clone, Default)]
pub struct CliOverrides {
    /// `--select` (comma-separated values already split).
    pub select: Option<Vec<String>>,
    /// `--ignore`.
    pub ignore: Vec<String>,
    /// `--extend-select`.
    pub extend_select: Vec<String>,
    /// `--exclude`: replaces the default list, as in Ruff.
    pub exclude: Option<Vec<String>>,
    /// `--extend-exclude`.
    pub extend_exclude: Vec<String>,
    /// `--respect-gitignore` / `--no-respect-gitignore`.
    pub respect_gitignore: Option<bool>,
    /// `--force-exclude`: apply the excludes to paths named on the command line too.
    pub force_exclude: bool,
    /// `--config PATH`: this file for everything (a pyproject.toml or arraylint.toml).
    pub config: Option<PathBuf>,
    /// `--isolated`: ignore all config files.
    pub isolated: bool,
    /// `--target-numpy`: the NumPy the code runs under.
    pub target_numpy: Option<String>,
}

/// The settings that apply to the files under one config file.
#[derive(Debug)]
pub struct Settings {
    config_file: Option<PathBuf>,
    project_root: PathBuf,
    rules: RuleSet,
    per_file_ignores: Vec<PerFileIgnore>,
    /// `include` and `extend-include` together; `None` while neither is written (the
    /// default kinds, matched by extension without a glob).
    include: Option<PatternSet>,
    exclude: PatternSet,
    extend_exclude: PatternSet,
    respect_gitignore: bool,
    target_numpy: Option<NumpyMajor>,
}

impl Settings {
    /// Combine the levels (base config first, command line last) as Ruff does: the last
    /// `exclude` / `per-file-ignores` / `respect-gitignore` written wins, the `extend-*`
    /// lists add up, and the rule selection applies level by level.
    fn combine(
        levels: &[&Options],
        config_file: Option<PathBuf>,
        project_root: PathBuf,
    ) -> Result<Settings, SettingsError> {
        // Each glob was compiled when read; only the combined set (too large) fails here.
        let glob_error = |key: &'static str, error: globset::Error| SettingsError::InvalidValue {
            origin: match &config_file {
                Some(path) => Origin::File {
                    path: path.clone(),
                    line: 1,
                },
                None if key == "exclude" => Origin::Cli { flag: "--exclude" },
                None => Origin::Cli {
                    flag: "--extend-exclude",
                },
            },
            key: key.to_string(),
            message: error.to_string(),
        };
        let exclude = match levels.iter().rev().find_map(|level| level.exclude.as_ref()) {
            Some(patterns) => PatternSet::new(patterns.clone()),
            None => PatternSet::default_excludes(),
        }
        .map_err(|e| glob_error("exclude", e))?;
        let extend_exclude: Vec<FilePattern> = levels
            .iter()
            .flat_map(|level| level.extend_exclude.iter().cloned())
            .collect();
        let extend_exclude =
            PatternSet::new(extend_exclude).map_err(|e| glob_error("extend-exclude", e))?;
        let include_written = levels.iter().rev().find_map(|level| level.include.as_ref());
        let extend_include: Vec<FilePattern> = levels
            .iter()
            .flat_map(|level| level.extend_include.iter().cloned())
            .collect();
        let include = if include_written.is_none() && extend_include.is_empty() {
            None
        } else {
            let mut patterns = match include_written {
                Some(patterns) => patterns.clone(),
                None => DEFAULT_INCLUDE
                    .iter()
                    .map(|glob| FilePattern::builtin(glob))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| glob_error("include", e))?,
            };
            patterns.extend(extend_include);
            Some(PatternSet::new(patterns).map_err(|e| glob_error("include", e))?)
        };
        let mut per_file_ignores: Vec<PerFileIgnore> = levels
            .iter()
            .rev()
            .find_map(|level| level.per_file_ignores.clone())
            .unwrap_or_default();
        per_file_ignores.extend(
            levels
                .iter()
                .flat_map(|level| level.extend_per_file_ignores.iter().cloned()),
        );
        Ok(Settings {
            rules: resolve_rules(levels.iter().map(|level| &level.selection)),
            respect_gitignore: levels
                .iter()
                .rev()
                .find_map(|level| level.respect_gitignore)
                .unwrap_or(true),
            target_numpy: levels.iter().rev().find_map(|level| level.target_numpy),
            config_file,
            project_root,
            per_file_ignores,
            include,
            exclude,
            extend_exclude,
        })
    }

    /// The config file these settings come from; `None` for the defaults.
    pub fn config_file(&self) -> Option<&Path> {
        self.config_file.as_deref()
    }

    /// The directory relative patterns are rooted at: the config file's directory.
    pub fn project_root(&self) -> &Path {
        &self.project_root
    }

    /// The selected rules before `per-file-ignores`.
    pub fn rules(&self) -> RuleSet {
        self.rules
    }

    pub fn respect_gitignore(&self) -> bool {
        self.respect_gitignore
    }

    /// `target-numpy` as configured; `None`: inferred from the closest `pyproject.toml`.
    pub fn target_numpy(&self) -> Option<NumpyMajor> {
        self.target_numpy
    }

    /// The `exclude` patterns in force (Ruff's defaults unless replaced).
    pub fn exclude(&self) -> impl Iterator<Item = &str> {
        self.exclude.patterns().iter().map(|p| p.text.as_str())
    }

    pub fn extend_exclude(&self) -> impl Iterator<Item = &str> {
        self.extend_exclude
            .patterns()
            .iter()
            .map(|p| p.text.as_str())
    }

    /// `(pattern, rules)` for every per-file ignore in force.
    pub fn per_file_ignores(&self) -> impl Iterator<Item = (&str, RuleSet)> {
        self.per_file_ignores
            .iter()
            .map(|entry| (entry.pattern.as_str(), entry.rules))
    }

    /// The rules for a file, given as an absolute normalized path.
    fn rules_for_file(&self, path: &Path) -> RuleSet {
        let mut rules = self.rules;
        if self.per_file_ignores.is_empty() {
            return rules;
        }
        let name = path.file_name().unwrap_or(path.as_os_str());
        let (path, name) = (Candidate::new(path), Candidate::new(name));
        for entry in &self.per_file_ignores {
            if entry.applies_to(&path, &name) {
                for rule in entry.rules.iter() {
                    rules.remove(rule);
                }
            }
        }
        rules
    }

    /// Whether the walk checks this file: it matches `include` or `extend-include`, by
    /// default a kind arraylint reads (`DEFAULT_INCLUDE`).
    pub fn includes(&self, path: &Path) -> bool {
        match &self.include {
            // The default, by extension: no glob on the walk's hot path.
            None => crate::discover::is_python_file(path),
            Some(include) => {
                let Some(name) = path.file_name() else {
                    return false;
                };
                include.is_match(&Candidate::new(path), &Candidate::new(name))
            }
        }
    }

    /// The `include` patterns in force (with `extend-include`'s).
    pub fn include(&self) -> Vec<&str> {
        match &self.include {
            Some(include) => include.patterns().iter().map(|p| p.text.as_str()).collect(),
            None => DEFAULT_INCLUDE.to_vec(),
        }
    }

    /// Whether one path (not its ancestors) matches `exclude` or `extend-exclude`.
    fn excludes(&self, path: &Path) -> bool {
        let Some(name) = path.file_name() else {
            return false;
        };
        let (path, name) = (Candidate::new(path), Candidate::new(name));
        self.exclude.is_match(&path, &name) || self.extend_exclude.is_match(&path, &name)
    }
}

/// For `--show-settings`: one `key: value` line per setting.
impl std::fmt::Display for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let codes = |rules: RuleSet| {
            let codes: Vec<&str> = rules.iter().map(|rule| rule.code()).collect();
            codes.join(", ")
        };
        match &self.config_file {
            Some(path) => writeln!(f, "config-file: {}", path.display())?,
            None => writeln!(f, "config-file: (none, defaults)")?,
        }
        writeln!(f, "project-root: {}", self.project_root.display())?;
        writeln!(f, "rules: {}", codes(self.rules))?;
        writeln!(f, "include: {}", self.include().join(", "))?;
        writeln!(
            f,
            "exclude: {}",
            self.exclude().collect::<Vec<_>>().join(", ")
        )?;
        writeln!(
            f,
            "extend-exclude: {}",
            self.extend_exclude().collect::<Vec<_>>().join(", ")
        )?;
        writeln!(f, "per-file-ignores:")?;
        for (pattern, rules) in self.per_file_ignores() {
            writeln!(f, "  {pattern}: {}", codes(rules))?;
        }
        writeln!(f, "respect-gitignore: {}", self.respect_gitignore)?;
        match self.target_numpy {
            Some(major) => writeln!(f, "target-numpy: {major}"),
            None => writeln!(
                f,
                "target-numpy: (not set: NumPy 2 where the closest pyproject.toml requires it)"
            ),
        }
    }
}

type Lookup = Result<Arc<Settings>, SettingsError>;

/// What the walk does with a path (`Resolver::walk_entry`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WalkEntry {
    /// `exclude`d: not checked, and a directory is not entered.
    Excluded,
    /// A directory to enter, a file to check.
    Walked,
    /// A file `include` does not name.
    NotIncluded,
}

/// Finds the settings for any path. Cheap to query from many threads: the closest config of
/// each directory is looked up once and cached.
#[derive(Debug)]
pub struct Resolver {
    cwd: PathBuf,
    cli: Options,
    force_exclude: bool,
    /// `--config` or `--isolated`: `fallback` is used for every path.
    fixed: bool,
    /// `--isolated`: not even the closest `pyproject.toml`'s dependencies are read.
    isolated: bool,
    /// For paths with no config above them: the config found from the working directory
    /// upward (as Ruff), or the defaults.
    fallback: Arc<Settings>,
    /// Keyed by the directory's bytes (paths here are normalized): hashing and comparing
    /// a `PathBuf` goes component by component, which cost more than the look-up.
    by_directory: RwLock<rustc_hash::FxHashMap<Vec<u8>, Lookup>>,
    /// Whether the closest `pyproject.toml` above a directory requires NumPy 2, keyed as
    /// `by_directory`.
    numpy2_by_directory: RwLock<rustc_hash::FxHashMap<Vec<u8>, bool>>,
}

impl Resolver {
    /// Validate the command-line options and load the config that `--config`, or the
    /// working directory, names. Config files further away are loaded when first needed.
    pub fn new(overrides: &CliOverrides, cwd: &Path) -> Result<Resolver, SettingsError> {
        let cwd = absolutize(cwd, Path::new("/"));
        let cli = cli_options(overrides, &cwd)?;
        let fixed = overrides.isolated || overrides.config.is_some();
        let mut resolver = Resolver {
            fallback: Arc::new(Settings::combine(&[&cli], None, cwd.clone())?),
            cwd,
            cli,
            force_exclude: overrides.force_exclude,
            fixed,
            isolated: overrides.isolated,
            by_directory: RwLock::new(rustc_hash::FxHashMap::default()),
            numpy2_by_directory: RwLock::new(rustc_hash::FxHashMap::default()),
        };
        if overrides.isolated {
            return Ok(resolver);
        }
        if let Some(config) = &overrides.config {
            let path = absolutize(config, &resolver.cwd);
            let settings = resolver
                .load(&path, MissingSection::Empty)?
                .ok_or_else(|| SettingsError::Read {
                    path: path.clone(),
                    message: "no configuration found".to_string(),
                    named_by: None,
                })?;
            resolver.fallback = settings;
            return Ok(resolver);
        }
        for directory in resolver.cwd.ancestors() {
            if let Some(settings) = resolver.config_in(directory)? {
                resolver.fallback = settings;
                break;
            }
        }
        Ok(resolver)
    }

    /// The working directory relative paths are resolved against.
    pub fn cwd(&self) -> &Path {
        &self.cwd
    }

    /// The rules enabled for this file: selection + per-file-ignores applied.
    pub fn rules_for(&self, path: &Path) -> Result<RuleSet, SettingsError> {
        let path = absolutize(path, &self.cwd);
        let directory = parent_of(&path);
        let settings = self.settings_for_directory(directory)?;
        let mut rules = settings.rules_for_file(&path);
        // The NumPy 1 -> 2 migration rules do not apply to NumPy-2-only code.
        if rules.contains(Rule::NumpyCopyFalse) && self.runs_only_on_numpy2(&settings, directory) {
            rules.remove(Rule::NumpyCopyFalse);
        }
        Ok(rules)
    }

    /// `target-numpy` when configured; otherwise whether the closest `pyproject.toml`
    /// requires NumPy 2 (not read under `--isolated`).
    fn runs_only_on_numpy2(&self, settings: &Settings, directory: &Path) -> bool {
        match settings.target_numpy {
            Some(major) => major.is_numpy2(),
            None => !self.isolated && self.closest_pyproject_requires_numpy2(directory),
        }
    }

    fn closest_pyproject_requires_numpy2(&self, directory: &Path) -> bool {
        let mut missed: Vec<&Path> = Vec::new();
        let mut answer = None;
        {
            let cache = self
                .numpy2_by_directory
                .read()
                .unwrap_or_else(PoisonError::into_inner);
            for ancestor in directory.ancestors() {
                if let Some(hit) = cache.get(ancestor.as_os_str().as_encoded_bytes()) {
                    answer = Some(*hit);
                    break;
                }
                missed.push(ancestor);
            }
        }
        let mut searched = missed.len();
        if answer.is_none() {
            for (i, ancestor) in missed.iter().enumerate() {
                let candidate = ancestor.join("pyproject.toml");
                if candidate.is_file() {
                    // An unreadable file requires nothing we can see.
                    let text = std::fs::read_to_string(&candidate).unwrap_or_default();
                    answer = Some(requires_numpy2(&text));
                    searched = i + 1;
                    break;
                }
            }
        }
        let answer = answer.unwrap_or(false);
        let mut cache = self
            .numpy2_by_directory
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        for ancestor in &missed[..searched] {
            cache.insert(ancestor.as_os_str().as_encoded_bytes().to_vec(), answer);
        }
        answer
    }

    /// The settings that apply to a file (for `--show-settings` and the language server).
    pub fn settings_for(&self, path: &Path) -> Result<Arc<Settings>, SettingsError> {
        let path = absolutize(path, &self.cwd);
        self.settings_for_directory(parent_of(&path))
    }

    /// Whether the path or one of its ancestors below its project root matches
    /// `exclude`/`extend-exclude` (Ruff's default excludes included). For `--force-exclude`
    /// on paths named on the command line and for `--stdin-filename`. A config error counts
    /// as not excluded; `rules_for` reports it.
    pub fn is_excluded(&self, path: &Path) -> bool {
        let path = absolutize(path, &self.cwd);
        let mut current = path.as_path();
        while current.file_name().is_some() {
            // The settings at `current` itself: a directory with a config file is a
            // project root, where the upward check stops. For a file this is its parent's.
            let Ok(settings) = self.settings_for_directory(current) else {
                return false;
            };
            // Excludes are rooted at the project: `build` must not exclude a project that
            // happens to live in (or under) a directory named `build`.
            if current == settings.project_root {
                break;
            }
            if settings.excludes(current) {
                return true;
            }
            current = parent_of(current);
        }
        false
    }

    /// What the walk does with a path it meets: one settings look-up for both questions.
    pub(crate) fn walk_entry(&self, path: &Path, is_dir: bool) -> Result<WalkEntry, SettingsError> {
        let settings = self.settings_for_directory(parent_of(path))?;
        Ok(if settings.excludes(path) {
            WalkEntry::Excluded
        } else if is_dir || settings.includes(path) {
            WalkEntry::Walked
        } else {
            WalkEntry::NotIncluded
        })
    }

    /// Whether `.gitignore` and friends apply to a walk rooted at this directory.
    pub(crate) fn respect_gitignore_in(&self, directory: &Path) -> Result<bool, SettingsError> {
        Ok(self.settings_for_directory(directory)?.respect_gitignore)
    }

    pub fn force_exclude(&self) -> bool {
        self.force_exclude
    }

    /// The config file that applies to this path, if any (for --show-settings, the LSP).
    pub fn config_file_for(&self, path: &Path) -> Option<PathBuf> {
        let settings = self.settings_for(path).ok()?;
        settings.config_file.clone()
    }

    /// The settings for files directly in `directory` (absolute, normalized).
    fn settings_for_directory(&self, directory: &Path) -> Lookup {
        if self.fixed {
            return Ok(self.fallback.clone());
        }
        let mut missed: Vec<&Path> = Vec::new();
        let mut found: Option<Lookup> = None;
        {
            let cache = self
                .by_directory
                .read()
                .unwrap_or_else(PoisonError::into_inner);
            for ancestor in directory.ancestors() {
                if let Some(hit) = cache.get(ancestor.as_os_str().as_encoded_bytes()) {
                    found = Some(hit.clone());
                    break;
                }
                missed.push(ancestor);
            }
        }
        if missed.is_empty() {
            return found.unwrap_or_else(|| Ok(self.fallback.clone()));
        }
        // Look for config files in the directories not cached yet, closest first.
        let mut result = None;
        let mut searched = 0;
        for ancestor in &missed {
            searched += 1;
            match self.config_in(ancestor) {
                Ok(Some(settings)) => {
                    result = Some(Ok(settings));
                    break;
                }
                Ok(None) => {}
                Err(error) => {
                    result = Some(Err(error));
                    break;
                }
            }
        }
        let result = result
            .or(found)
            .unwrap_or_else(|| Ok(self.fallback.clone()));
        let mut cache = self
            .by_directory
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        for ancestor in &missed[..searched] {
            cache.insert(
                ancestor.as_os_str().as_encoded_bytes().to_vec(),
                result.clone(),
            );
        }
        result
    }

    /// The settings of the config file in `directory` itself, if it has one.
    fn config_in(&self, directory: &Path) -> Result<Option<Arc<Settings>>, SettingsError> {
        for name in CONFIG_FILE_NAMES {
            let candidate = directory.join(name);
            if candidate.is_file() {
                if let Some(settings) = self.load(&candidate, MissingSection::Skip)? {
                    return Ok(Some(settings));
                }
            }
        }
        Ok(None)
    }

    fn load(
        &self,
        path: &Path,
        missing: MissingSection,
    ) -> Result<Option<Arc<Settings>>, SettingsError> {
        let Some(levels) = load_chain(path, missing)? else {
            return Ok(None);
        };
        let mut all: Vec<&Options> = levels.iter().collect();
        all.push(&self.cli);
        let root = parent_of(path).to_path_buf();
        Settings::combine(&all, Some(path.to_path_buf()), root).map(|s| Some(Arc::new(s)))
    }
}

fn parent_of(path: &Path) -> &Path {
    path.parent().unwrap_or(path)
}

/// The command line as one more level, with its paths rooted at the working directory.
fn cli_options(overrides: &CliOverrides, cwd: &Path) -> Result<Options, SettingsError> {
    let selectors = |values: &[String], flag: &'static str| {
        parse_selectors(values).map_err(|error| SettingsError::InvalidValue {
            origin: Origin::Cli { flag },
            key: flag.to_string(),
            message: error.to_string(),
        })
    };
    let patterns = |values: &[String], flag: &'static str| {
        values
            .iter()
            .map(|value| {
                FilePattern::user(value, cwd).map_err(|error| SettingsError::InvalidValue {
                    origin: Origin::Cli { flag },
                    key: flag.to_string(),
                    message: format!("invalid glob `{value}`: {error}"),
                })
            })
            .collect::<Result<Vec<_>, _>>()
    };
    Ok(Options {
        selection: RuleSelection {
            select: overrides
                .select
                .as_deref()
                .map(|values| selectors(values, "--select"))
                .transpose()?,
            extend_select: selectors(&overrides.extend_select, "--extend-select")?,
            ignore: selectors(&overrides.ignore, "--ignore")?,
        },
        exclude: overrides
            .exclude
            .as_deref()
            .map(|values| patterns(values, "--exclude"))
            .transpose()?,
        extend_exclude: patterns(&overrides.extend_exclude, "--extend-exclude")?,
        // As in Ruff, which files are checked is the configuration's, not a flag's.
        include: None,
        extend_include: Vec::new(),
        per_file_ignores: None,
        extend_per_file_ignores: Vec::new(),
        respect_gitignore: overrides.respect_gitignore,
        target_numpy: overrides
            .target_numpy
            .as_deref()
            .map(|value| {
                value
                    .parse::<NumpyMajor>()
                    .map_err(|message| SettingsError::InvalidValue {
                        origin: Origin::Cli {
                            flag: "--target-numpy",
                        },
                        key: "--target-numpy".to_string(),
                        message,
                    })
            })
            .transpose()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn resolver_is_send_and_sync() {
        assert_send_sync::<Resolver>();
    }

    #[test]
    fn show_settings_lists_every_setting() {
        let overrides = CliOverrides {
            select: Some(vec!["AL10".into()]),
            ignore: vec!["AL105".into()],
            extend_exclude: vec!["gen".into()],
            isolated: true,
            ..CliOverrides::default()
        };
        let resolver = match Resolver::new(&overrides, Path::new("/proj")) {
            Ok(resolver) => resolver,
            Err(error) => panic!("{error}"),
        };
        let shown = match resolver.settings_for(Path::new("a.py")) {
            Ok(settings) => settings.to_string(),
            Err(error) => panic!("{error}"),
        };
        assert!(shown.contains("config-file: (none, defaults)\n"), "{shown}");
        assert!(shown.contains("project-root: /proj\n"), "{shown}");
        assert!(
            shown.contains("rules: AL101, AL102, AL103, AL104, AL106, AL107\n"),
            "{shown}"
        );
        assert!(shown.contains("exclude: .bzr, .direnv,"), "{shown}");
        assert!(shown.contains("extend-exclude: gen\n"), "{shown}");
        assert!(shown.contains("respect-gitignore: true\n"), "{shown}");
        assert!(
            shown.ends_with("closest pyproject.toml requires it)\n"),
            "{shown}"
        );
    }

    #[test]
    fn cli_errors_name_the_flag() {
        let overrides = CliOverrides {
            extend_select: vec!["AL101".into(), "AL1O1".into()],
            ..CliOverrides::default()
        };
        let error = Resolver::new(&overrides, Path::new("/")).map(|_| ());
        let message = error.map_err(|e| e.to_string()).unwrap_err();
        assert!(message.contains("--extend-select"), "{message}");
        assert!(message.contains("`AL1O1`"), "{message}");
    }
}
