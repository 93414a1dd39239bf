//! The edit behind "Disable ALxxx for this line": add `# noqa: ALxxx` at the end of the
//! line where the diagnostic starts, or add the code to the `# noqa:` list already there.

use ruff_source_file::LineIndex;
use ruff_text_size::{TextRange, TextSize};

use crate::diagnostic::Edit;
use crate::registry::Rule;

/// `None` when the line already has a blanket `# noqa` (nothing left to disable) or
/// already lists the code.
pub fn disable_edit(text: &str, lines: &LineIndex, at: TextSize, rule: Rule) -> Option<Edit> {
    let line = lines.line_range(lines.line_index(at.min(TextSize::of(text))), text);
    let content = text[line].trim_end_matches(['\n', '\r']);
    let code = rule.code();
    match find_noqa(content) {
        Some(Noqa::Blanket) => None,
        Some(Noqa::Codes { codes, end }) => {
            if codes.iter().any(|c| c.eq_ignore_ascii_case(code)) {
                return None;
            }
            let at = line.start() + TextSize::try_from(end).ok()?;
            let separator = if codes.is_empty() { " " } else { ", " };
            Some(Edit::insertion(at, format!("{separator}{code}")))
        }
        None => {
            let trimmed = content.trim_end();
            let at = line.start() + TextSize::of(trimmed);
            let gap = if trimmed.is_empty() { "" } else { "  " };
            let range = TextRange::new(at, line.start() + TextSize::of(content));
            Some(Edit::replacement(range, format!("{gap}# noqa: {code}")))
        }
    }
}

enum Noqa<'a> {
    Blanket,
    /// The codes listed and the byte offset (in the line) just after the last one.
    Codes {
        codes: Vec<&'a str>,
        end: usize,
    },
}

fn find_noqa(line: &str) -> Option<Noqa<'_>> {
    for (hash, _) in line.match_indices('#') {
        let after = line[hash + 1..].trim_start();
        let Some(rest) = after
            .get(..4)
            .filter(|w| w.eq_ignore_ascii_case("noqa"))
            .map(|_| &after[4..])
        else {
            continue;
        };
        let Some(list) = rest.trim_start().strip_prefix(':') else {
            return Some(Noqa::Blanket);
        };
        let list_start = line.len() - list.len();
        let mut codes = Vec::new();
        let mut end = list_start;
        let mut offset = list_start;
        for piece in list.split_inclusive([',', ' ', '\t']) {
            let word = piece.trim_end_matches([',', ' ', '\t']);
            if !word.is_empty() {
                if !is_code(word) {
                    break;
                }
                codes.push(word);
                end = offset + word.len();
            }
            offset += piece.len();
        }
        return Some(Noqa::Codes { codes, end });
    }
    None
}

/// A rule code's shape: letters then digits (`AL101`); prose after the list is not a code.
fn is_code(word: &str) -> bool {
    let digits = word.trim_start_matches(|c: char| c.is_ascii_alphabetic());
    digits.len() < word.len() && !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn disable(text: &str, line_of: &str, rule: Rule) -> Option<String> {
        let lines = LineIndex::from_source_text(text);
        let at = TextSize::try_from(text.find(line_of).unwrap()).unwrap();
        let edit = disable_edit(text, &lines, at, rule)?;
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
            disable("x\r\n", "x", Rule::ArrayMissingCopy).unwrap(),
            "x  # noqa: AL101\r\n"
        );
    }

    #[test]
    fn extends_an_existing_list() {
        let text = "def __array__(self):  # noqa: AL102 some words\n";
        assert_eq!(
            disable(text, "def", Rule::ArrayMissingCopy).unwrap(),
            "def __array__(self):  # noqa: AL102, AL101 some words\n"
        );
        let text = "def __array__(self):  # type: ignore # NOQA:AL102,AL103\n";
        assert_eq!(
            disable(text, "def", Rule::ArrayMissingCopy).unwrap(),
            "def __array__(self):  # type: ignore # NOQA:AL102,AL103, AL101\n"
        );
    }

    #[test]
    fn nothing_to_do_when_already_disabled() {
        assert!(disable("x  # noqa\n", "x", Rule::ArrayMissingCopy).is_none());
        assert!(disable("x  # noqa: al101\n", "x", Rule::ArrayMissingCopy).is_none());
    }
}
