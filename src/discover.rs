//! The file walk: which Python files a `check` run reads.
//!
//! As Ruff: `.gitignore`, `.ignore` and `.git/info/exclude` are respected (also outside a
//! git repository) unless `respect-gitignore = false`; hidden files are walked; the
//! `exclude`/`extend-exclude` of the closest config prune the walk; files named on the
//! command line are checked even where excluded, unless `--force-exclude` is given. Which
//! kinds of file are read is `FILE_KINDS`; a named file of another kind, and a named path
//! that does not exist, are handed on as such, so that the run says so and goes on.

use std::collections::HashSet;
use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use ignore::{WalkBuilder, WalkState};

use crate::settings::{absolutize, Resolver, SettingsError, WalkEntry};

/// One thing the run will look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Candidate {
    /// A Python file, as an absolute normalized path.
    File(PathBuf),
    /// Something the walk could not read (permission denied, a broken link); the run goes on.
    Error { path: PathBuf, message: String },
    /// A path named on the command line that does not exist; the run goes on and exits 2.
    Missing(PathBuf),
    /// A file named on the command line of a kind `check` does not read (a notebook, a
    /// `.txt`): said, never silently passed over.
    Unchecked { path: PathBuf, reason: String },
}

impl Candidate {
    pub fn path(&self) -> &Path {
        match self {
            Candidate::File(path)
            | Candidate::Error { path, .. }
            | Candidate::Missing(path)
            | Candidate::Unchecked { path, .. } => path,
        }
    }
}

/// A problem that stops the run (the CLI exits 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiscoverError {
    /// A config file met during the walk is invalid.
    Settings(SettingsError),
}

impl fmt::Display for DiscoverError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DiscoverError::Settings(error) => error.fmt(f),
        }
    }
}

impl std::error::Error for DiscoverError {}

impl From<SettingsError> for DiscoverError {
    fn from(error: SettingsError) -> Self {
        DiscoverError::Settings(error)
    }
}

/// A kind of file, known by its extension, and whether `check` reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileKind {
    /// What the user calls such files, in the plural.
    pub name: &'static str,
    pub extensions: &'static [&'static str],
    pub checked: bool,
}

/// Every kind of file arraylint knows. The one list: the walk reads the checked kinds, and
/// a named file of another kind is reported as not checked. A kind that becomes checked
/// (notebooks, Cython) changes here and nowhere else.
pub const FILE_KINDS: &[FileKind] = &[
    FileKind {
        name: "Python files",
        // `.pyw`: Windows GUI scripts, Python all the same (Ruff reads them too).
        extensions: &["py", "pyw"],
        checked: true,
    },
    FileKind {
        name: "stub files",
        extensions: &["pyi"],
        checked: true,
    },
    FileKind {
        name: "Jupyter notebooks",
        extensions: &["ipynb"],
        checked: true,
    },
    FileKind {
        name: "Cython files",
        extensions: &["pyx", "pxd", "pxi"],
        checked: true,
    },
];

/// The kind of `path`, by its extension; `None` for an extension arraylint does not know.
pub fn file_kind(path: &Path) -> Option<&'static FileKind> {
    let extension = path.extension()?;
    FILE_KINDS
        .iter()
        .find(|kind| kind.extensions.iter().any(|known| extension == *known))
}

/// Whether a file name is one `check` reads when walking a directory by default (the
/// `include` setting can say otherwise): `settings::DEFAULT_INCLUDE` by extension.
pub fn is_python_file(path: &Path) -> bool {
    file_kind(path).is_some_and(|kind| kind.checked)
}

/// Why a file named on the command line is not checked; `None` when it is. A file without
/// an extension is checked (a script, as in Ruff).
pub fn not_checked_reason(path: &Path) -> Option<String> {
    let extension = path.extension()?;
    if let Some(kind) = file_kind(path) {
        return (!kind.checked).then(|| format!("{} are not checked", kind.name));
    }
    let checked: Vec<String> = FILE_KINDS
        .iter()
        .filter(|kind| kind.checked)
        .flat_map(|kind| kind.extensions.iter().map(|e| format!("`.{e}`")))
        .collect();
    Some(format!(
        "`.{}` files are not checked (arraylint checks {})",
        extension.to_string_lossy(),
        checked.join(", ")
    ))
}

/// The files to check under `paths` (the working directory when empty), sorted, each once.
pub fn discover(paths: &[PathBuf], resolver: &Resolver) -> Result<Vec<Candidate>, DiscoverError> {
    let found = Mutex::new(Vec::new());
    discover_each(paths, resolver, &|candidate| {
        found
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(candidate);
    })?;
    let mut candidates = found.into_inner().unwrap_or_else(PoisonError::into_inner);
    candidates.sort_by(|a, b| path_order(a.path(), b.path()));
    candidates.dedup();
    Ok(candidates)
}

/// The files `discover` finds, handed to `emit` as the walk meets them (from the walk's
/// threads, in no order), so that checking overlaps the walk. Each path once.
pub fn discover_each(
    paths: &[PathBuf],
    resolver: &Resolver,
    emit: &(dyn Fn(Candidate) + Sync),
) -> Result<(), DiscoverError> {
    // Overlapping roots (`src src/a.py`) meet a file twice; one root cannot.
    let seen: Mutex<HashSet<PathBuf>> = Mutex::new(HashSet::new());
    let once = |candidate: Candidate| {
        let first = paths.len() < 2
            || seen
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(candidate.path().to_path_buf());
        if first {
            emit(candidate);
        }
    };
    discover_into(paths, resolver, &once)
}

fn discover_into(
    paths: &[PathBuf],
    resolver: &Resolver,
    emit: &(dyn Fn(Candidate) + Sync),
) -> Result<(), DiscoverError> {
    let current = [PathBuf::from(".")];
    let paths = if paths.is_empty() {
        &current[..]
    } else {
        paths
    };

    // Walk roots, split by whether ignore files apply (one walker cannot mix the two).
    let mut roots: [Vec<PathBuf>; 2] = [Vec::new(), Vec::new()];
    let mut named = Vec::with_capacity(paths.len());
    for path in paths {
        let absolute = absolutize(path, resolver.cwd());
        match fs::metadata(&absolute) {
            Ok(metadata) => named.push((absolute, metadata.is_dir())),
            Err(error)
                if matches!(
                    error.kind(),
                    io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
                ) =>
            {
                emit(Candidate::Missing(absolute));
            }
            Err(error) => emit(Candidate::Error {
                path: absolute,
                message: error.to_string(),
            }),
        }
    }
    for (path, is_dir) in named {
        if resolver.force_exclude() && resolver.is_excluded(&path) {
            continue;
        }
        if is_dir {
            let respect = resolver.respect_gitignore_in(&path)?;
            roots[usize::from(respect)].push(path);
        } else {
            // Named explicitly: checked even where the walk would not go (an excluded
            // directory), but only if it is a kind arraylint reads.
            match not_checked_reason(&path) {
                None => emit(Candidate::File(path)),
                Some(reason) => emit(Candidate::Unchecked { path, reason }),
            }
        }
    }
    for (respect_gitignore, roots) in [(false, &roots[0]), (true, &roots[1])] {
        walk(roots, respect_gitignore, resolver, emit)?;
    }
    Ok(())
}

/// `Path`'s order (component by component) for normalized paths, found from their bytes:
/// a separator sorts before every other byte, so a shorter component comes first. Walks
/// of thousands of files spent more time in `Path::cmp`'s component parsing than here.
pub fn path_order(a: &Path, b: &Path) -> std::cmp::Ordering {
    let (a, b) = (
        a.as_os_str().as_encoded_bytes(),
        b.as_os_str().as_encoded_bytes(),
    );
    let rank = |byte: Option<&u8>| match byte {
        None => 0u16,
        Some(b'/') => 1,
        Some(byte) => u16::from(*byte) + 2,
    };
    let same = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    rank(a.get(same)).cmp(&rank(b.get(same)))
}

fn walk(
    roots: &[PathBuf],
    respect_gitignore: bool,
    resolver: &Resolver,
    emit: &(dyn Fn(Candidate) + Sync),
) -> Result<(), DiscoverError> {
    let Some((first, rest)) = roots.split_first() else {
        return Ok(());
    };
    let mut builder = WalkBuilder::new(first);
    for root in rest {
        builder.add(root);
    }
    builder
        .standard_filters(respect_gitignore)
        .hidden(false)
        .require_git(false)
        .follow_links(false)
        // As many walkers as checking threads, so that RAYON_NUM_THREADS bounds both.
        .threads(rayon::current_num_threads().min(12));

    let failure: Mutex<Option<SettingsError>> = Mutex::new(None);
    builder.build_parallel().run(|| {
        let failure = &failure;
        Box::new(move |entry| {
            let entry = match entry {
                Ok(entry) => entry,
                Err(error) => {
                    let (path, message) = describe(&error);
                    let path = path.unwrap_or_else(|| first.clone());
                    emit(Candidate::Error { path, message });
                    return WalkState::Continue;
                }
            };
            if entry.depth() == 0 {
                return WalkState::Continue;
            }
            let path = entry.path();
            let Some(file_type) = entry.file_type() else {
                return WalkState::Continue;
            };
            match resolver.walk_entry(path, file_type.is_dir()) {
                Ok(WalkEntry::Excluded) => return WalkState::Skip,
                Ok(WalkEntry::NotIncluded) => return WalkState::Continue,
                Ok(WalkEntry::Walked) if file_type.is_dir() => return WalkState::Continue,
                Ok(WalkEntry::Walked) => {}
                Err(error) => {
                    let mut slot = failure.lock().unwrap_or_else(PoisonError::into_inner);
                    // Keep the first error in path order, so the message is deterministic.
                    let replace = match slot.as_ref() {
                        Some(previous) => error.to_string() < previous.to_string(),
                        None => true,
                    };
                    if replace {
                        *slot = Some(error);
                    }
                    return WalkState::Quit;
                }
            }
            let candidate = if file_type.is_symlink() {
                // Links are not followed into directories, but a link to a file is checked.
                match fs::metadata(path) {
                    Ok(target) if target.is_file() => Candidate::File(path.to_path_buf()),
                    Ok(_) => return WalkState::Continue,
                    Err(error) => Candidate::Error {
                        path: path.to_path_buf(),
                        message: format!("broken symbolic link: {error}"),
                    },
                }
            } else {
                Candidate::File(path.to_path_buf())
            };
            emit(candidate);
            WalkState::Continue
        })
    });
    if let Some(error) = failure.into_inner().unwrap_or_else(PoisonError::into_inner) {
        return Err(error.into());
    }
    Ok(())
}

/// The path an `ignore` error is about, and the message without the path.
fn describe(error: &ignore::Error) -> (Option<PathBuf>, String) {
    match error {
        ignore::Error::WithPath { path, err } => (Some(path.clone()), describe(err).1),
        ignore::Error::WithDepth { err, .. } => describe(err),
        ignore::Error::WithLineNumber { line, err } => {
            let (path, message) = describe(err);
            (path, format!("line {line}: {message}"))
        }
        ignore::Error::Loop { ancestor, child } => (
            Some(child.clone()),
            format!("symbolic link loop back to {}", ancestor.display()),
        ),
        ignore::Error::Partial(errors) => {
            let described: Vec<(Option<PathBuf>, String)> = errors.iter().map(describe).collect();
            let path = described.iter().find_map(|(path, _)| path.clone());
            let messages: Vec<String> = described.into_iter().map(|(_, message)| message).collect();
            (path, messages.join("; "))
        }
        other => (None, other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_order_is_path_cmp_for_normalized_paths() {
        let paths = [
            "/a",
            "/a/b",
            "/a-b",
            "/a/b/c.py",
            "/a.py",
            "/ab",
            "/a/b-c",
            "/a/b/c",
            "/b",
            "/a/\u{e9}",
            "/a/z",
            "/a0",
            "/A",
        ];
        for a in paths {
            for b in paths {
                let (a, b) = (Path::new(a), Path::new(b));
                assert_eq!(path_order(a, b), a.cmp(b), "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn python_files_by_extension() {
        assert!(is_python_file(Path::new("a/b.py")));
        assert!(is_python_file(Path::new("b.pyi")));
        assert!(is_python_file(Path::new("b.pyw")));
        assert!(is_python_file(Path::new("nb.ipynb")));
        assert!(is_python_file(Path::new("b.pyx")));
        assert!(is_python_file(Path::new("b.pxd")));
        assert!(is_python_file(Path::new("b.pxi")));
        assert!(!is_python_file(Path::new("b.pyc")));
        assert!(!is_python_file(Path::new("py")));
        assert!(!is_python_file(Path::new("b.py.txt")));
    }

    #[test]
    fn named_files_not_checked_say_why() {
        assert_eq!(not_checked_reason(Path::new("a.py")), None);
        assert_eq!(not_checked_reason(Path::new("a.pyi")), None);
        // A script without an extension is Python, as in Ruff.
        assert_eq!(not_checked_reason(Path::new("bin/tool")), None);
        assert_eq!(not_checked_reason(Path::new("nb.ipynb")), None);
        assert_eq!(not_checked_reason(Path::new("m.pxd")), None);
        assert_eq!(
            not_checked_reason(Path::new("notes.txt")).as_deref(),
            Some("`.txt` files are not checked (arraylint checks `.py`, `.pyw`, `.pyi`, `.ipynb`, `.pyx`, `.pxd`, `.pxi`)")
        );
    }

    #[test]
    fn the_default_kinds_are_the_default_include() {
        let globs = crate::settings::DEFAULT_INCLUDE
            .iter()
            .map(|glob| globset::Glob::new(glob).map(|g| g.compile_matcher()))
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
        for name in [
            "a.py", "a.pyw", "a.pyi", "a.ipynb", "a.pyc", "a.pyx", "a.pxd", "a.pxi", "a.txt", "py",
            "a.py.txt",
        ] {
            let by_glob = globs.iter().any(|glob| glob.is_match(name));
            assert_eq!(is_python_file(Path::new(name)), by_glob, "{name}");
        }
    }

    #[test]
    fn describe_unwraps_paths() {
        let error = ignore::Error::WithDepth {
            depth: 2,
            err: Box::new(ignore::Error::WithPath {
                path: PathBuf::from("/p/secret"),
                err: Box::new(ignore::Error::Io(io::Error::from(
                    io::ErrorKind::PermissionDenied,
                ))),
            }),
        };
        let (path, message) = describe(&error);
        assert_eq!(path, Some(PathBuf::from("/p/secret")));
        assert!(
            message.to_lowercase().contains("permission denied"),
            "{message}"
        );
    }
}
