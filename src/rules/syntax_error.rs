//! AL001: the file does not parse.
#![doc = include_str!("../../rules/AL001.md")]

use ruff_python_parser::ParseError;
use ruff_text_size::{TextRange, TextSize};

use crate::diagnostic::Diagnostic;
use crate::registry::Rule;

pub fn diagnostic(error: &ParseError) -> Diagnostic {
    // The parser quotes the offending token: a NUL or an escape sequence in it would reach
    // the terminal raw.
    let message: String = format!("SyntaxError: {}", error.error)
        .chars()
        .flat_map(|c| {
            let escaped: Vec<char> = if c.is_control() {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            escaped
        })
        .collect();
    Diagnostic::new(Rule::SyntaxError, message, error.location)
}

/// CPython refuses a source with a NUL byte anywhere, even in a comment or a string,
/// where the parser accepts it.
pub fn null_byte(at: TextSize) -> Diagnostic {
    Diagnostic::new(
        Rule::SyntaxError,
        "SyntaxError: source code cannot contain null bytes",
        TextRange::at(at, TextSize::new(1)),
    )
}
