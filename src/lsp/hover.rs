//! Hover: the rule page for a code in a `# noqa` comment, or for a diagnostic under the
//! cursor.

use lsp_types::{Hover, HoverContents, HoverParams, MarkupContent, MarkupKind};

use super::{engine, noqa, RequestContext};

pub fn hover(cx: RequestContext<'_>, params: HoverParams) -> Option<Hover> {
    let position = params.text_document_position_params;
    let uri = position.text_document.uri;
    let document = cx.documents.get(&uri)?;
    let indexed = document.indexed();
    let offset = indexed.offset(position.position, cx.encoding);

    let (rule, range) = match noqa::code_at(&document.text, &document.lines, offset) {
        Some(found) => found,
        None => {
            let diagnostics = engine::diagnostics(cx.workspace, &uri, document);
            let diagnostic = diagnostics
                .iter()
                .find(|d| d.range.contains_inclusive(offset))?;
            (diagnostic.rule, diagnostic.range)
        }
    };
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: rule.page().to_owned(),
        }),
        range: Some(indexed.range(range, cx.encoding)),
    })
}
