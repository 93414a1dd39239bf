//! `# noqa` in the editor: the edit behind "Disable ALxxx for this line", and the code
//! under the cursor for hover. The comments are read by the core's `noqa` module (from the
//! parser's comment tokens), the same reading the check applies.

use ruff_python_ast::PySourceType;
use ruff_source_file::{LineIndex, OneIndexed};
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::diagnostic::{Diagnostic, Edit};
use crate::noqa::{Codes, Directives};
use crate::registry::Rule;

fn parse(text: &str) -> ruff_python_parser::Parsed<ruff_python_ast::ModModule> {
    ruff_python_parser::parse_unchecked_source(text, PySourceType::Python)
}

/// Adds the code to the line's `# noqa:` list, or a `# noqa: CODE` comment at the end of
/// the line. `None` when the line already suppresses the rule, or when its end lies inside
/// a multi-line string (a comment there would change the string).
pub fn disable_edit(text: &str, lines: &LineIndex, diagnostic: &Diagnostic) -> Option<Edit> {
    let code = diagnostic.rule.code();
    let line = crate::noqa_line(diagnostic, lines);
    let parsed = parse(text);
    let directives = Directives::from_tokens(parsed.tokens(), text, lines);
    if let Some(directive) = directives.lines.iter().find(|d| d.line == line) {
        return match (&directive.codes, directive.codes_range) {
            (Codes::Some(codes), Some(list))
                if !codes.iter().any(|c| c.eq_ignore_ascii_case(code)) =>
            {
                Some(Edit::insertion(list.end(), format!(", {code}")))
            }
            _ => None,
        };
    }
    let range = lines.line_range(OneIndexed::from_zero_indexed(line), text);
    let content = text[range].trim_end_matches(['\n', '\r']);
    let trimmed = content.trim_end();
    let end = range.start() + TextSize::of(trimmed);
    if parsed
        .tokens()
        .iter()
        .any(|token| token.start() < end && end < token.end())
    {
        return None;
    }
    let gap = if trimmed.is_empty() { "" } else { "  " };
    let replaced = TextRange::new(end, range.start() + TextSize::of(content));
    Some(Edit::replacement(replaced, format!("{gap}# noqa: {code}")))
}

/// The rule whose code, in a `# noqa:` list, is under `offset`.
pub fn code_at(text: &str, lines: &LineIndex, offset: TextSize) -> Option<(Rule, TextRange)> {
    let parsed = parse(text);
    let directives = Directives::from_tokens(parsed.tokens(), text, lines);
    let list = directives
        .lines
        .iter()
        .filter_map(|d| d.codes_range)
        .find(|list| list.contains_inclusive(offset))?;
    let mut at = list.start().to_usize();
    for piece in text[list].split_inclusive([',', ' ', '\t']) {
        let word = piece.trim_end_matches([',', ' ', '\t']);
        let range = TextRange::at(TextSize::try_from(at).ok()?, TextSize::of(word));
        if !word.is_empty() && range.contains_inclusive(offset) {
            return Rule::from_code(word).map(|rule| (rule, range));
        }
        at += piece.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diagnostic_at(text: &str, needle: &str, rule: Rule) -> Diagnostic {
        let at = TextSize::try_from(text.find(needle).unwrap()).unwrap();
        Diagnostic::new(rule, "message", TextRange::at(at, TextSize::of(needle)))
    }

    fn disable(text: &str, needle: &str, rule: Rule) -> Option<String> {
        let lines = LineIndex::from_source_text(text);
        let edit = disable_edit(text, &lines, &diagnostic_at(text, needle, rule))?;
        let mut out = text.to_owned();
        out.replace_range(
            edit.range.start().to_usize()..edit.range.end().to_usize(),
            &edit.content,
        );
        Some(out)
    }

    #[test]
    fn adds_a_comment() {
        let text = "class A:\n    def __array__(self):   \n        pass\n";
        assert_eq!(
            disable(text, "def", Rule::ArrayMissingCopy).unwrap(),
            "class A:\n    def __array__(self):  # noqa: AL101\n        pass\n"
        );
        assert_eq!(
            disable("x = 1\r\n", "x", Rule::ArrayMissingCopy).unwrap(),
            "x = 1  # noqa: AL101\r\n"
        );
        // Another tool's comment stays; the directive follows it.
        assert_eq!(
            disable("x = 1  # type: ignore\n", "x", Rule::ArrayMissingCopy).unwrap(),
            "x = 1  # type: ignore  # noqa: AL101\n"
        );
    }

    #[test]
    fn extends_an_existing_list() {
        let text = "def __array__(self):  # noqa: AL102 and some words\n";
        assert_eq!(
            disable(text, "def", Rule::ArrayMissingCopy).unwrap(),
            "def __array__(self):  # noqa: AL102, AL101 and some words\n"
        );
    }

    #[test]
    fn nothing_to_do_when_already_disabled_or_inside_a_string() {
        assert!(disable("x = 1  # noqa\n", "x", Rule::ArrayMissingCopy).is_none());
        assert!(disable("x = 1  # noqa: al101\n", "x", Rule::ArrayMissingCopy).is_none());
        let text = "d = {'typestr': '''<f8\n'''}\n";
        assert!(disable(text, "'typestr'", Rule::InterfaceBadTypestr).is_none());
        // A `# noqa` inside a string is no directive: a real one is added.
        assert_eq!(
            disable("s = '# noqa: AL102'\n", "s", Rule::ArrayMissingCopy).unwrap(),
            "s = '# noqa: AL102'  # noqa: AL101\n"
        );
    }

    #[test]
    fn finds_the_code_under_the_cursor() {
        let text = "x = 1\ndef __array__(self):  # noqa: AL102, AL101\n";
        let lines = LineIndex::from_source_text(text);
        let at = |needle: &str| {
            code_at(
                text,
                &lines,
                TextSize::try_from(text.find(needle).unwrap()).unwrap(),
            )
        };
        let (rule, range) = at("L101").unwrap();
        assert_eq!(rule, Rule::ArrayMissingCopy);
        assert_eq!(&text[range], "AL101");
        assert_eq!(at("AL102").unwrap().0, Rule::ArrayMissingDtype);
        assert!(at("noqa").is_none());
        assert!(at("__array__").is_none());
        let text = "s = 'noqa: AL101'\n";
        assert!(code_at(text, &LineIndex::from_source_text(text), TextSize::new(12)).is_none());
    }
}
