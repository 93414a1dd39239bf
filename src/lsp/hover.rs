//! Hover: the rule page for a code in a `# noqa` comment, or for a diagnostic under the
//! cursor.

use lsp_types::{Hover, HoverContents, HoverParams, MarkupContent, MarkupKind};
use ruff_text_size::{TextRange, TextSize};

use crate::registry::Rule;

use super::{engine, RequestContext};

pub fn hover(cx: RequestContext<'_>, params: HoverParams) -> Option<Hover> {
    let position = params.text_document_position_params;
    let uri = position.text_document.uri;
    let document = cx.documents.get(&uri)?;
    let indexed = document.indexed();
    let offset = indexed.offset(position.position, cx.encoding);

    let (rule, range) = match noqa_code_at(&document.text, offset) {
        Some(found) => found,
        None => {
            let diagnostics = engine::check_document(cx.workspace, &uri, document)?;
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

/// The rule whose code is under `offset`, when that code is part of a `# noqa` comment.
fn noqa_code_at(text: &str, offset: TextSize) -> Option<(Rule, TextRange)> {
    let mut offset = offset.to_usize().min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let line_start = text[..offset].rfind(['\n', '\r']).map_or(0, |at| at + 1);
    let line_end = text[offset..]
        .find(['\n', '\r'])
        .map_or(text.len(), |at| offset + at);
    let line = &text[line_start..line_end];
    let at = offset - line_start;

    let is_code_char = |c: char| c.is_ascii_alphanumeric();
    let start = line[..at]
        .char_indices()
        .rev()
        .find(|(_, c)| !is_code_char(*c))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let end = line[at..]
        .find(|c: char| !is_code_char(c))
        .map_or(line.len(), |i| at + i);
    let rule = Rule::from_code(&line[start..end])?;

    // Between the last `#` before the code and the code: `noqa`, a colon, and other codes.
    let hash = line[..start].rfind('#')?;
    let between = line[hash + 1..start].trim_start();
    let rest = between
        .get(..4)
        .filter(|word| word.eq_ignore_ascii_case("noqa"))
        .map(|_| &between[4..])?;
    let rest = rest.trim_start().strip_prefix(':')?;
    if !rest
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == ',' || c.is_whitespace())
    {
        return None;
    }
    let range = TextRange::new(
        TextSize::try_from(line_start + start).ok()?,
        TextSize::try_from(line_start + end).ok()?,
    );
    Some((rule, range))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code_at(text: &str, needle: &str) -> Option<(Rule, TextRange)> {
        let at = text.find(needle).unwrap();
        noqa_code_at(text, TextSize::try_from(at).unwrap())
    }

    #[test]
    fn finds_codes_in_noqa_comments() {
        let text = "x = 1\ndef __array__(self):  # noqa: AL102, AL101\ny = 2\n";
        let (rule, range) = code_at(text, "L101").unwrap();
        assert_eq!(rule, Rule::ArrayMissingCopy);
        assert_eq!(&text[range], "AL101");
        assert_eq!(code_at(text, "AL102").unwrap().0, Rule::ArrayMissingDtype);
        // Case of the directive does not matter, as for the CLI.
        assert_eq!(
            code_at("a  # NoQA:al101", "al101").unwrap().0,
            Rule::ArrayMissingCopy
        );
    }

    #[test]
    fn ignores_codes_outside_noqa_comments() {
        assert!(code_at("x = 'AL101'\n", "AL101").is_none());
        assert!(code_at("# see AL101\n", "AL101").is_none());
        assert!(code_at("x  # noqa: AL999\n", "AL999").is_none());
        assert!(code_at("x  # noqa: AL101\n", "noqa").is_none());
        assert!(code_at("", "").is_none());
    }
}
