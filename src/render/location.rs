//! Byte offsets to the 1-based row and character column every format prints.

use ruff_source_file::SourceFile;
use ruff_text_size::TextSize;
use serde::Serialize;

/// A 1-based row and a 1-based column counted in characters (Unicode scalar values), as
/// Ruff reports them. Field order is Ruff's JSON order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Location {
    pub column: usize,
    pub row: usize,
}

impl Location {
    /// The location of `offset` in `source`. An offset past the end or inside a character
    /// (a bad range from a caller) is moved back to the nearest character boundary rather
    /// than panicking inside the line index.
    pub fn of(source: &SourceFile, offset: TextSize) -> Location {
        let text = source.source_text();
        let offset = clamp_offset(text, offset);
        let line_column = source.to_source_code().line_column(offset);
        Location {
            column: line_column.column.get(),
            row: line_column.line.get(),
        }
    }
}

/// `offset` moved into `0..=text.len()` and back onto a character boundary.
pub(crate) fn clamp_offset(text: &str, offset: TextSize) -> TextSize {
    let mut offset = usize::from(offset).min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    // `text.len()` fits in u32: the line index asserts it when it is built.
    TextSize::try_from(offset).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use ruff_source_file::SourceFileBuilder;

    use super::*;

    fn at(text: &str, offset: u32) -> (usize, usize) {
        let source = SourceFileBuilder::new("t.py", text).finish();
        let location = Location::of(&source, TextSize::new(offset));
        (location.row, location.column)
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        // `é` is two bytes; `x` after it is the 3rd character.
        assert_eq!(at("aéx", 3), (1, 3));
    }

    #[test]
    fn crlf_and_cr_end_lines() {
        assert_eq!(at("a\r\nb", 3), (2, 1));
        assert_eq!(at("a\rb", 2), (2, 1));
    }

    #[test]
    fn offsets_past_the_end_or_inside_a_character_do_not_panic() {
        assert_eq!(at("ab\n", 99), (2, 1));
        // Offset 2 is inside `é` (bytes 1..3): moved back to its start.
        assert_eq!(at("aé", 2), (1, 2));
    }

    #[test]
    fn bom_is_not_a_column() {
        assert_eq!(at("\u{feff}x", 3), (1, 1));
    }
}
