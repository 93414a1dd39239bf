//! Suppression comments, read from the parser's comment tokens (so a `# noqa` inside a
//! string does not count): `# noqa`, `# noqa: AL101, AL102` on a line, and file-level
//! `# arraylint: noqa` / `# arraylint: noqa: AL101`. Case-insensitive, as in Ruff.

use ruff_python_ast::token::{TokenKind, Tokens};
use ruff_source_file::LineIndex;
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::registry::Rule;

/// Which codes a suppression names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Codes {
    /// A bare `# noqa`: every code.
    All,
    /// The codes named, as written (codes of other tools are kept and ignored).
    Some(Vec<String>),
}

impl Codes {
    pub fn includes(&self, rule: Rule) -> bool {
        match self {
            Codes::All => true,
            Codes::Some(codes) => codes.iter().any(|c| c.eq_ignore_ascii_case(rule.code())),
        }
    }
}

/// A `# noqa` comment on a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineDirective {
    /// 0-based line of the comment.
    pub line: usize,
    pub codes: Codes,
    /// The range of the whole comment.
    pub range: TextRange,
    /// The range of the codes list, when there is one (`AL101, AL102`).
    pub codes_range: Option<TextRange>,
}

#[derive(Debug, Default)]
pub struct Directives {
    pub lines: Vec<LineDirective>,
    pub file: Option<Codes>,
}

impl Directives {
    pub fn from_tokens(tokens: &Tokens, text: &str, index: &LineIndex) -> Self {
        let mut directives = Directives::default();
        for token in tokens.iter() {
            if token.kind() != TokenKind::Comment {
                continue;
            }
            let range = token.range();
            let comment = &text[range];
            if directives.add_file_directive(comment) {
                continue;
            }
            if let Some((codes, codes_range)) = parse_line_directive(comment) {
                directives.lines.push(LineDirective {
                    line: index.line_index(range.start()).to_zero_indexed(),
                    codes,
                    range,
                    codes_range: codes_range.map(|r| r + range.start()),
                });
            }
        }
        directives
    }

    /// Read `comment` as a file-level directive; says whether it is one. Also for comments
    /// the parser did not see: narrowing blanks code, and a file-level directive counts
    /// wherever it stands.
    pub fn add_file_directive(&mut self, comment: &str) -> bool {
        let Some(codes) = parse_file_directive(comment) else {
            return false;
        };
        self.file = Some(match (self.file.take(), codes) {
            (Some(Codes::All), _) | (_, Codes::All) => Codes::All,
            (Some(Codes::Some(mut a)), Codes::Some(b)) => {
                a.extend(b);
                Codes::Some(a)
            }
            (None, codes) => codes,
        });
        true
    }

    /// Whether a diagnostic of `rule` whose noqa line is `line` (0-based) is suppressed.
    pub fn suppresses(&self, rule: Rule, line: usize) -> bool {
        if self.file.as_ref().is_some_and(|c| c.includes(rule)) {
            return true;
        }
        // Built from the tokens in order, so sorted by line: a binary search finds the line
        // (a scan per diagnostic was quadratic in files with many `# noqa`s).
        let first = self.lines.partition_point(|d| d.line < line);
        self.lines[first..]
            .iter()
            .take_while(|d| d.line == line)
            .any(|d| d.codes.includes(rule))
    }
}

/// `# noqa`, `# noqa: A, B`, `#noqa:A`, also after other text (`# type: ignore # noqa`).
/// Returns the codes and the range (relative to the comment) of the codes list.
pub fn parse_line_directive(comment: &str) -> Option<(Codes, Option<TextRange>)> {
    let lower = comment.to_ascii_lowercase();
    let mut search = 0;
    while let Some(found) = lower[search..].find("noqa") {
        let start = search + found;
        search = start + 4;
        // `noqa` must start a comment segment: preceded by `#` and spaces.
        let before = lower[..start].trim_end_matches([' ', '\t']);
        if !before.ends_with('#') {
            continue;
        }
        let rest = &comment[start + 4..];
        let trimmed = rest.trim_start_matches([' ', '\t']);
        let Some(after_colon) = trimmed.strip_prefix(':') else {
            // `# noqa` alone, or followed by anything that is not a code list.
            if rest.is_empty() || rest.starts_with([' ', '\t', '#']) {
                return Some((Codes::All, None));
            }
            continue;
        };
        let list_start = comment.len() - after_colon.len();
        let (codes, list_end) = parse_codes(comment, list_start);
        if codes.is_empty() {
            return Some((Codes::All, None));
        }
        let range = TextRange::new(
            TextSize::try_from(list_start + (after_colon.len() - after_colon.trim_start().len()))
                .unwrap_or_default(),
            TextSize::try_from(list_end).unwrap_or_default(),
        );
        return Some((Codes::Some(codes), Some(range)));
    }
    None
}

/// Codes separated by commas and/or whitespace, starting at `from`. Returns the codes and
/// the byte offset where the list ends.
fn parse_codes(comment: &str, from: usize) -> (Vec<String>, usize) {
    let mut codes = Vec::new();
    let mut end = from;
    let bytes = comment.as_bytes();
    let mut i = from;
    loop {
        while i < bytes.len() && matches!(bytes[i], b' ' | b'\t' | b',') {
            i += 1;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
            i += 1;
        }
        let letters = i - start;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        if letters == 0 || i == start + letters {
            break;
        }
        codes.push(comment[start..i].to_string());
        end = i;
    }
    (codes, end)
}

/// `# arraylint: noqa` or `# arraylint: noqa: AL101` (the whole comment).
fn parse_file_directive(comment: &str) -> Option<Codes> {
    let body = comment.trim_start_matches('#').trim_start();
    let lower = body.to_ascii_lowercase();
    let rest = lower.strip_prefix("arraylint:")?.trim_start();
    let rest_orig = &body[body.len() - rest.len()..];
    let after = rest.strip_prefix("noqa")?;
    let after_orig = &rest_orig[4..];
    let after_trim = after.trim_start();
    if after_trim.is_empty() {
        return Some(Codes::All);
    }
    let list = after_trim.strip_prefix(':')?;
    let offset = after_orig.len() - list.len();
    let (codes, _) = parse_codes(after_orig, offset);
    if codes.is_empty() {
        Some(Codes::All)
    } else {
        Some(Codes::Some(codes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_directives() {
        assert_eq!(
            parse_line_directive("# noqa").map(|d| d.0),
            Some(Codes::All)
        );
        assert_eq!(
            parse_line_directive("# NOQA").map(|d| d.0),
            Some(Codes::All)
        );
        assert_eq!(
            parse_line_directive("# noqa: AL101, al102").map(|d| d.0),
            Some(Codes::Some(vec!["AL101".into(), "al102".into()]))
        );
        assert_eq!(
            parse_line_directive("#noqa:AL101 AL102").map(|d| d.0),
            Some(Codes::Some(vec!["AL101".into(), "AL102".into()]))
        );
        assert_eq!(
            parse_line_directive("# type: ignore  # noqa: E501").map(|d| d.0),
            Some(Codes::Some(vec!["E501".into()]))
        );
        assert_eq!(parse_line_directive("# this is not noqa"), None);
        assert_eq!(parse_line_directive("# noqanother"), None);
        let (_, range) = parse_line_directive("# noqa: AL101, AL102").unwrap_or((Codes::All, None));
        assert_eq!(range, Some(TextRange::new(8.into(), 20.into())));
    }

    #[test]
    fn file_directives() {
        assert_eq!(parse_file_directive("# arraylint: noqa"), Some(Codes::All));
        assert_eq!(
            parse_file_directive("# ArrayLint: NoQA: AL101"),
            Some(Codes::Some(vec!["AL101".into()]))
        );
        assert_eq!(parse_file_directive("# arraylint: enable"), None);
        assert_eq!(parse_file_directive("# noqa"), None);
    }
}
