//! AL001: the file does not parse.
#![doc = include_str!("../../rules/AL001.md")]

use ruff_python_parser::ParseError;

use crate::diagnostic::Diagnostic;
use crate::registry::Rule;

pub fn diagnostic(error: &ParseError) -> Diagnostic {
    Diagnostic::new(
        Rule::SyntaxError,
        format!("SyntaxError: {}", error.error),
        error.location,
    )
}
