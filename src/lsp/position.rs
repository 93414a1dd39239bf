//! Conversion between byte offsets (what the linter speaks) and LSP positions (line plus
//! character, counted in UTF-16 code units unless the client negotiated UTF-8).
//!
//! Positions come from the client and may be anything: past the end of a line, past the
//! end of the file, inside a multi-byte character. Every conversion clamps instead of
//! panicking, as the LSP specification asks ("if the character value is greater than the
//! line length it defaults back to the line length").

use lsp_types::{Position, PositionEncodingKind, Range};
use ruff_source_file::{LineIndex, OneIndexed};
use ruff_text_size::{TextRange, TextSize};

/// The unit in which `Position::character` counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
}

impl Encoding {
    /// The encoding to use given the client's `general.positionEncodings`: UTF-8 when the
    /// client offers it (no conversion needed), else UTF-16, which every client supports.
    pub fn negotiate(offered: Option<&[PositionEncodingKind]>) -> Encoding {
        match offered {
            Some(kinds) if kinds.contains(&PositionEncodingKind::UTF8) => Encoding::Utf8,
            _ => Encoding::Utf16,
        }
    }

    pub fn kind(self) -> PositionEncodingKind {
        match self {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        }
    }
}

/// A text with its line index, ready for conversions in both directions.
#[derive(Debug, Clone)]
pub struct IndexedText<'a> {
    text: &'a str,
    lines: &'a LineIndex,
}

impl<'a> IndexedText<'a> {
    pub fn new(text: &'a str, lines: &'a LineIndex) -> Self {
        IndexedText { text, lines }
    }

    /// The byte range of line `line` (0-based) without its terminator, or `None` past the
    /// last line.
    fn line_content(&self, line: usize) -> Option<TextRange> {
        let starts = self.lines.line_starts();
        let start = *starts.get(line)?;
        let next = starts
            .get(line + 1)
            .copied()
            .unwrap_or_else(|| TextSize::of(self.text));
        let full = &self.text[TextRange::new(start, next)];
        let content = full.trim_end_matches(['\n', '\r']);
        Some(TextRange::at(start, TextSize::of(content)))
    }

    /// The byte offset of an LSP position, clamped into the text.
    pub fn offset(&self, position: Position, encoding: Encoding) -> TextSize {
        let Some(line) = self.line_content(position.line as usize) else {
            return TextSize::of(self.text);
        };
        let content = &self.text[line];
        let wanted = position.character as usize;
        let within = match encoding {
            Encoding::Utf8 => {
                let mut at = wanted.min(content.len());
                // A UTF-8 column inside a character snaps back to its start.
                while !content.is_char_boundary(at) {
                    at -= 1;
                }
                at
            }
            Encoding::Utf16 => {
                let mut units = 0;
                let mut bytes = content.len();
                for (index, ch) in content.char_indices() {
                    // A column inside a surrogate pair snaps back to the character's start.
                    if units + ch.len_utf16() > wanted {
                        bytes = index;
                        break;
                    }
                    units += ch.len_utf16();
                }
                bytes
            }
        };
        line.start() + TextSize::try_from(within).unwrap_or_default()
    }

    /// The LSP position of a byte offset (clamped into the text, snapped back to a
    /// character boundary).
    pub fn position(&self, offset: TextSize, encoding: Encoding) -> Position {
        let mut offset = offset.to_usize().min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let offset = TextSize::try_from(offset).unwrap_or_default();
        let line: OneIndexed = self.lines.line_index(offset);
        let line_start = self.lines.line_starts()[line.to_zero_indexed()];
        let before = &self.text[TextRange::new(line_start, offset)];
        let character = match encoding {
            Encoding::Utf8 => before.len(),
            Encoding::Utf16 => before.encode_utf16().count(),
        };
        Position {
            line: saturate(line.to_zero_indexed()),
            character: saturate(character),
        }
    }

    pub fn range(&self, range: TextRange, encoding: Encoding) -> Range {
        Range {
            start: self.position(range.start(), encoding),
            end: self.position(range.end(), encoding),
        }
    }

    /// The byte range of an LSP range; a reversed range is put in order.
    pub fn text_range(&self, range: Range, encoding: Encoding) -> TextRange {
        let start = self.offset(range.start, encoding);
        let end = self.offset(range.end, encoding);
        TextRange::new(start.min(end), start.max(end))
    }
}

fn saturate(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(line: u32, character: u32) -> Position {
        Position { line, character }
    }

    fn round_trip(text: &str, encoding: Encoding) {
        let lines = LineIndex::from_source_text(text);
        let indexed = IndexedText::new(text, &lines);
        for (offset, _) in text.char_indices().chain([(text.len(), ' ')]) {
            let offset = TextSize::try_from(offset).unwrap();
            let position = indexed.position(offset, encoding);
            let back = indexed.offset(position, encoding);
            // A position between '\r' and '\n' is not expressible: it maps to the line end.
            if text[..offset.to_usize()].ends_with('\r')
                && text[offset.to_usize()..].starts_with('\n')
            {
                continue;
            }
            assert_eq!(back, offset, "{text:?} at {offset:?} -> {position:?}");
        }
    }

    #[test]
    fn utf16_counts_code_units() {
        // 'é' is 2 bytes / 1 unit, '🧮' is 4 bytes / 2 units.
        let text = "a = 'é🧮'\nb\n";
        let lines = LineIndex::from_source_text(text);
        let indexed = IndexedText::new(text, &lines);
        let quote_close = TextSize::try_from(text.rfind('\'').unwrap()).unwrap();
        assert_eq!(indexed.position(quote_close, Encoding::Utf16), pos(0, 8));
        assert_eq!(indexed.position(quote_close, Encoding::Utf8), pos(0, 11));
        assert_eq!(indexed.offset(pos(0, 8), Encoding::Utf16), quote_close);
        assert_eq!(indexed.offset(pos(0, 11), Encoding::Utf8), quote_close);
        assert_eq!(
            indexed.offset(pos(1, 0), Encoding::Utf16),
            TextSize::new(13)
        );
    }

    #[test]
    fn round_trips_in_both_encodings() {
        for text in [
            "",
            "x",
            "a\nb",
            "é\r\n🧮x\rz\n",
            "def f():\n    return '日本'\n",
        ] {
            round_trip(text, Encoding::Utf8);
            round_trip(text, Encoding::Utf16);
        }
    }

    #[test]
    fn out_of_range_positions_clamp() {
        let text = "ab\r\ncd";
        let lines = LineIndex::from_source_text(text);
        let indexed = IndexedText::new(text, &lines);
        // Past the end of a line: the line end, before its terminator.
        assert_eq!(
            indexed.offset(pos(0, 99), Encoding::Utf16),
            TextSize::new(2)
        );
        // Past the last line: the end of the text.
        assert_eq!(indexed.offset(pos(7, 0), Encoding::Utf16), TextSize::new(6));
        assert_eq!(
            indexed.offset(pos(u32::MAX, u32::MAX), Encoding::Utf8),
            TextSize::new(6)
        );
        // Offsets past the end clamp too.
        assert_eq!(
            indexed.position(TextSize::new(100), Encoding::Utf16),
            pos(1, 2)
        );
    }

    #[test]
    fn positions_inside_a_character_snap_back() {
        let text = "🧮é";
        let lines = LineIndex::from_source_text(text);
        let indexed = IndexedText::new(text, &lines);
        // UTF-16 unit 1 is inside the surrogate pair of '🧮'.
        assert_eq!(indexed.offset(pos(0, 1), Encoding::Utf16), TextSize::new(0));
        // UTF-8 byte 5 is inside 'é'.
        assert_eq!(indexed.offset(pos(0, 5), Encoding::Utf8), TextSize::new(4));
        assert_eq!(
            indexed.position(TextSize::new(2), Encoding::Utf16),
            pos(0, 0)
        );
    }

    #[test]
    fn reversed_ranges_are_ordered() {
        let text = "abc";
        let lines = LineIndex::from_source_text(text);
        let indexed = IndexedText::new(text, &lines);
        let range = Range {
            start: pos(0, 3),
            end: pos(0, 1),
        };
        assert_eq!(
            indexed.text_range(range, Encoding::Utf16),
            TextRange::new(TextSize::new(1), TextSize::new(3))
        );
    }

    #[test]
    fn negotiation_prefers_utf8_when_offered() {
        let both = [PositionEncodingKind::UTF16, PositionEncodingKind::UTF8];
        assert_eq!(Encoding::negotiate(Some(&both)), Encoding::Utf8);
        assert_eq!(
            Encoding::negotiate(Some(&[PositionEncodingKind::UTF16])),
            Encoding::Utf16
        );
        assert_eq!(Encoding::negotiate(None), Encoding::Utf16);
    }
}
