//! Code actions: each available fix as a quick fix, "Disable ALxxx for this line", and
//! `source.fixAll.arraylint`.

use std::collections::HashMap;

use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, TextEdit, Url, WorkspaceEdit,
};
use ruff_text_size::{TextRange, TextSize};

use crate::diagnostic::{Applicability, Diagnostic, Edit};

use super::documents::Document;
use super::position::Encoding;
use super::{engine, RequestContext, FIX_ALL_KIND};

pub fn code_actions(
    cx: RequestContext<'_>,
    params: CodeActionParams,
) -> Option<Vec<CodeActionOrCommand>> {
    let uri = params.text_document.uri;
    let document = cx.documents.get(&uri)?;
    let only = params.context.only.as_deref();
    let diagnostics = engine::diagnostics(cx.workspace, &uri, document);
    let requested = document.indexed().text_range(params.range, cx.encoding);
    let mut actions = Vec::new();

    if wanted(only, &CodeActionKind::QUICKFIX) {
        let mut disabled = Vec::new();
        for diagnostic in diagnostics
            .iter()
            .filter(|d| d.range.intersect(requested).is_some())
        {
            let lsp_diagnostic = engine::to_lsp_diagnostic(document, diagnostic, cx.encoding);
            if let Some(fix) = &diagnostic.fix {
                let unsafe_fix = fix.applicability == Applicability::Unsafe;
                let title = if unsafe_fix {
                    format!("{} (unsafe)", fix.message)
                } else {
                    fix.message.clone()
                };
                actions.push(action(
                    title,
                    CodeActionKind::QUICKFIX,
                    vec![lsp_diagnostic.clone()],
                    edit(&uri, document, &fix.edits, cx.encoding),
                    !unsafe_fix,
                ));
            }
            let line = document.lines.line_index(diagnostic.range.start());
            if disabled.contains(&(diagnostic.rule, line)) {
                continue;
            }
            disabled.push((diagnostic.rule, line));
            if let Some(noqa) = engine::noqa_edit(document, diagnostic) {
                actions.push(action(
                    format!("Disable {} for this line", diagnostic.rule.code()),
                    CodeActionKind::QUICKFIX,
                    vec![lsp_diagnostic],
                    edit(&uri, document, &[noqa], cx.encoding),
                    false,
                ));
            }
        }
    }

    let fix_all = CodeActionKind::new(FIX_ALL_KIND);
    if wanted(only, &fix_all) && diagnostics.iter().any(has_safe_fix) {
        if let Some(fixed) = engine::fix_all(cx.workspace, &uri, document) {
            if let Some(change) = minimal_edit(&document.text, &fixed) {
                actions.push(action(
                    "arraylint: Fix all auto-fixable problems".to_owned(),
                    fix_all,
                    Vec::new(),
                    edit(&uri, document, &[change], cx.encoding),
                    false,
                ));
            }
        }
    }
    Some(actions)
}

fn has_safe_fix(diagnostic: &Diagnostic) -> bool {
    diagnostic
        .fix
        .as_ref()
        .is_some_and(|fix| fix.applicability == Applicability::Safe)
}

/// Whether a client's `only` filter admits `kind`. Kinds are hierarchical: asking for
/// `source` or `source.fixAll` admits `source.fixAll.arraylint`. With no filter, all kinds.
fn wanted(only: Option<&[CodeActionKind]>, kind: &CodeActionKind) -> bool {
    let Some(only) = only else {
        return true;
    };
    only.iter().any(|filter| {
        let filter = filter.as_str();
        let kind = kind.as_str();
        kind == filter
            || kind
                .strip_prefix(filter)
                .is_some_and(|rest| rest.starts_with('.'))
    })
}

fn action(
    title: String,
    kind: CodeActionKind,
    diagnostics: Vec<lsp_types::Diagnostic>,
    edit: WorkspaceEdit,
    preferred: bool,
) -> CodeActionOrCommand {
    CodeActionOrCommand::CodeAction(CodeAction {
        title,
        kind: Some(kind),
        diagnostics: (!diagnostics.is_empty()).then_some(diagnostics),
        edit: Some(edit),
        command: None,
        is_preferred: Some(preferred),
        disabled: None,
        data: None,
    })
}

fn edit(uri: &Url, document: &Document, edits: &[Edit], encoding: Encoding) -> WorkspaceEdit {
    let indexed = document.indexed();
    let text_edits = edits
        .iter()
        .map(|edit| TextEdit {
            range: indexed.range(edit.range, encoding),
            new_text: edit.content.clone(),
        })
        .collect();
    WorkspaceEdit {
        changes: Some(HashMap::from([(uri.clone(), text_edits)])),
        ..WorkspaceEdit::default()
    }
}

/// One edit that turns `old` into `new`: the span between their common prefix and suffix.
/// Editors keep the cursor and folds outside that span, unlike a whole-text replacement.
fn minimal_edit(old: &str, new: &str) -> Option<Edit> {
    if old == new {
        return None;
    }
    let mut prefix = old
        .bytes()
        .zip(new.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    while !old.is_char_boundary(prefix) || !new.is_char_boundary(prefix) {
        prefix -= 1;
    }
    let (old_rest, new_rest) = (&old[prefix..], &new[prefix..]);
    let mut suffix = old_rest
        .bytes()
        .rev()
        .zip(new_rest.bytes().rev())
        .take_while(|(a, b)| a == b)
        .count();
    while !old_rest.is_char_boundary(old_rest.len() - suffix)
        || !new_rest.is_char_boundary(new_rest.len() - suffix)
    {
        suffix -= 1;
    }
    let start = TextSize::try_from(prefix).ok()?;
    let end = TextSize::try_from(old.len() - suffix).ok()?;
    Some(Edit::replacement(
        TextRange::new(start, end),
        &new[prefix..new.len() - suffix],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(old: &str, edit: &Edit) -> String {
        let mut text = old.to_owned();
        text.replace_range(
            edit.range.start().to_usize()..edit.range.end().to_usize(),
            &edit.content,
        );
        text
    }

    #[test]
    fn minimal_edit_covers_only_the_change() {
        for (old, new) in [
            (
                "def f(self):\n    pass\n",
                "def f(self, copy=None):\n    pass\n",
            ),
            ("aé", "aè"),
            ("x🧮y", "x🧭y"),
            ("abc", ""),
            ("", "abc"),
            ("aaaa", "aa"),
        ] {
            let edit = minimal_edit(old, new).unwrap();
            assert_eq!(apply(old, &edit), new, "{old:?} -> {new:?}");
        }
        let edit = minimal_edit("def f(self):\n", "def f(self, copy=None):\n").unwrap();
        assert_eq!(edit.content, ", copy=None");
        assert!(minimal_edit("same", "same").is_none());
    }

    #[test]
    fn only_filters_by_kind_hierarchy() {
        let fix_all = CodeActionKind::new(FIX_ALL_KIND);
        assert!(wanted(None, &fix_all));
        assert!(wanted(Some(&[CodeActionKind::SOURCE]), &fix_all));
        assert!(wanted(Some(&[CodeActionKind::SOURCE_FIX_ALL]), &fix_all));
        assert!(wanted(Some(std::slice::from_ref(&fix_all)), &fix_all));
        assert!(!wanted(Some(&[CodeActionKind::QUICKFIX]), &fix_all));
        assert!(!wanted(
            Some(&[CodeActionKind::new("source.fix")]),
            &fix_all
        ));
        assert!(!wanted(
            Some(&[CodeActionKind::SOURCE]),
            &CodeActionKind::QUICKFIX
        ));
    }
}
