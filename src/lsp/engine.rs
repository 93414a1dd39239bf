//! The linter as the server uses it: which rules apply to a document (the same settings
//! resolution as the CLI), the check itself with panics contained, fix-all, and the
//! conversion of diagnostics to LSP's.

use std::collections::{HashMap, HashSet};
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

use lsp_types::{CodeDescription, DiagnosticSeverity, NumberOrString, Url};

use crate::diagnostic::{Diagnostic, Edit, Severity};
use crate::registry::RuleSet;
use crate::settings::{CliOverrides, Resolver};

use super::documents::{checked_path, file_path, Document};
use crate::source::SourceKind;
use super::position::Encoding;

/// One settings resolver per project root, as `arraylint check` run from that root would
/// build it, with the modification times of the settings files it has used.
struct Project {
    resolver: Resolver,
    seen: Mutex<HashMap<PathBuf, Option<SystemTime>>>,
}

/// The folders the client opened, and the settings found from them.
pub struct Workspace {
    roots: Vec<PathBuf>,
    projects: Mutex<HashMap<PathBuf, Arc<Project>>>,
    /// Settings errors already shown, so that each is shown once, not on every keystroke.
    reported: Mutex<HashSet<String>>,
}

/// Which rules apply to a document.
pub enum Selection {
    Rules(RuleSet),
    /// The settings exclude the file: the server reports nothing for it, as `check
    /// --force-exclude` would.
    Excluded,
    /// The settings cannot be read; the message says why.
    Error(String),
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

impl Workspace {
    pub fn new(roots: Vec<PathBuf>) -> Self {
        Workspace {
            roots,
            projects: Mutex::default(),
            reported: Mutex::default(),
        }
    }

    /// Forget every settings file read so far; the next check reads them again.
    pub fn reload(&self) {
        self.projects
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
        self.reported
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }

    /// The root a path belongs to (the deepest workspace folder that holds it), else its
    /// own folder.
    fn root_for(&self, path: &Path) -> PathBuf {
        self.roots
            .iter()
            .filter(|root| path.starts_with(root))
            .max_by_key(|root| root.components().count())
            .cloned()
            .or_else(|| path.parent().map(Path::to_path_buf))
            .unwrap_or_else(|| PathBuf::from("/"))
    }

    fn project(&self, root: &Path) -> Result<Arc<Project>, String> {
        let mut projects = self.projects.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(project) = projects.get(root) {
            return Ok(Arc::clone(project));
        }
        let resolver = Resolver::new(&CliOverrides::default(), root).map_err(|e| e.to_string())?;
        let project = Arc::new(Project {
            resolver,
            seen: Mutex::default(),
        });
        projects.insert(root.to_path_buf(), Arc::clone(&project));
        Ok(project)
    }

    /// The rules for `path`. A settings file that changed on disk since it was read (the
    /// client may not watch files) makes the whole project's settings be read again.
    pub fn selection(&self, path: &Path) -> Selection {
        let root = self.root_for(path);
        let mut project = match self.project(&root) {
            Ok(project) => project,
            Err(message) => return Selection::Error(message),
        };
        if let Some(config) = project.resolver.config_file_for(path) {
            let now = modified(&config);
            let stale = {
                let mut seen = project.seen.lock().unwrap_or_else(PoisonError::into_inner);
                match seen.get(&config) {
                    Some(before) => *before != now,
                    None => {
                        seen.insert(config.clone(), now);
                        false
                    }
                }
            };
            if stale {
                self.projects
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .remove(&root);
                project = match self.project(&root) {
                    Ok(project) => project,
                    Err(message) => return Selection::Error(message),
                };
                project
                    .seen
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .insert(config, now);
            }
        }
        if project.resolver.is_excluded(path) {
            return Selection::Excluded;
        }
        match project.resolver.rules_for(path) {
            Ok(rules) => Selection::Rules(rules),
            Err(error) => {
                // The resolver caches the error; start afresh next time, so that a repaired
                // file is seen even when the client does not report the change.
                self.projects
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .remove(&root);
                Selection::Error(error.to_string())
            }
        }
    }

    /// Whether this settings error is new (and so worth showing to the user).
    pub fn first_report(&self, message: &str) -> bool {
        self.reported
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(message.to_owned())
    }

    /// The path a document is checked as: its file, or for an unsaved buffer a name in the
    /// first workspace folder, so that the workspace's settings still apply (an unsaved
    /// Cython buffer is named `.pyx`, so that it is read as Cython).
    pub fn document_path(&self, uri: &Url, document: &Document) -> PathBuf {
        file_path(uri).unwrap_or_else(|| {
            let name = uri
                .path()
                .rsplit('/')
                .next()
                .filter(|n| !n.is_empty())
                .unwrap_or("untitled");
            let name = if checked_path(name) {
                name.to_owned()
            } else if document.source_language() == Some(SourceKind::Cython) {
                format!("{name}.pyx")
            } else {
                format!("{name}.py")
            };
            self.roots
                .first()
                .cloned()
                .unwrap_or_else(|| PathBuf::from("/"))
                .join(name)
        })
    }
}

/// Runs `work`, turning a panic into `None` (the panic hook has already written the message
/// to stderr, which is the server's log).
pub fn contain<T>(work: impl FnOnce() -> T) -> Option<T> {
    panic::catch_unwind(AssertUnwindSafe(work)).ok()
}

/// What checking a document gave.
pub enum Checked {
    Diagnostics(Vec<Diagnostic>),
    /// The settings could not be read: nothing is reported and the message is shown.
    SettingsError(String),
    /// The check panicked.
    Failed,
}

/// The diagnostics of a document. One that is not Python, or that the settings exclude,
/// has none.
pub fn check(workspace: &Workspace, uri: &Url, document: &Document) -> Checked {
    if !document.is_checked(uri) {
        return Checked::Diagnostics(Vec::new());
    }
    let path = workspace.document_path(uri, document);
    let outcome = contain(|| {
        fail_on_request(document);
        match workspace.selection(&path) {
            Selection::Rules(rules) => {
                Checked::Diagnostics(crate::lint_source(&document.text, &path, rules))
            }
            Selection::Excluded => Checked::Diagnostics(Vec::new()),
            Selection::Error(message) => Checked::SettingsError(message),
        }
    });
    outcome.unwrap_or(Checked::Failed)
}

/// Debug builds only: panic inside the check of a document that contains
/// `arraylint-test-panic` when `ARRAYLINT_LSP_TEST_PANIC` is set, so that tests/lsp.rs can
/// show that a failing check is contained. Release builds have no such hook.
fn fail_on_request(document: &Document) {
    #[cfg(debug_assertions)]
    if std::env::var_os("ARRAYLINT_LSP_TEST_PANIC").is_some()
        && document.text.contains("arraylint-test-panic")
    {
        panic!("arraylint-test-panic: a check failure requested by a test");
    }
    #[cfg(not(debug_assertions))]
    let _ = document;
}

/// The diagnostics, or none when they cannot be had (for requests, which answer with what
/// they can).
pub fn diagnostics(workspace: &Workspace, uri: &Url, document: &Document) -> Vec<Diagnostic> {
    match check(workspace, uri, document) {
        Checked::Diagnostics(diagnostics) => diagnostics,
        Checked::SettingsError(_) | Checked::Failed => Vec::new(),
    }
}

/// The document's text with every safe fix applied (to a fixed point, by the same engine
/// as `check --fix`), `None` when nothing changes or the fixes were refused.
pub fn fix_all(workspace: &Workspace, uri: &Url, document: &Document) -> Option<String> {
    let path = workspace.document_path(uri, document);
    let Selection::Rules(rules) = workspace.selection(&path) else {
        return None;
    };
    let outcome = crate::fix::fix_text(&document.text, &path, rules, false);
    (outcome.refused.is_none() && outcome.text != *document.text).then_some(outcome.text)
}

/// The edit that disables `diagnostic`'s rule on its line.
pub fn noqa_edit(document: &Document, diagnostic: &Diagnostic) -> Option<Edit> {
    super::noqa::disable_edit(&document.text, &document.lines, diagnostic)
}

pub fn to_lsp_diagnostic(
    document: &Document,
    diagnostic: &Diagnostic,
    encoding: Encoding,
) -> lsp_types::Diagnostic {
    let rule = diagnostic.rule;
    lsp_types::Diagnostic {
        range: document.indexed().range(diagnostic.range, encoding),
        severity: Some(match diagnostic.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
            Severity::Info => DiagnosticSeverity::INFORMATION,
        }),
        code: Some(NumberOrString::String(rule.code().to_owned())),
        code_description: Url::parse(&rule.url())
            .ok()
            .map(|href| CodeDescription { href }),
        source: Some("arraylint".to_owned()),
        message: diagnostic.message.clone(),
        related_information: None,
        tags: None,
        data: None,
    }
}

pub fn to_lsp_diagnostics(
    document: &Document,
    diagnostics: &[Diagnostic],
    encoding: Encoding,
) -> Vec<lsp_types::Diagnostic> {
    diagnostics
        .iter()
        .map(|d| to_lsp_diagnostic(document, d, encoding))
        .collect()
}
