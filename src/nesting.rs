//! How deeply a source text can nest, bounded from its tokens alone (the lexer keeps its
//! state on the heap; it does not recurse). The parser, the AST visitors and dropping the
//! AST recurse once per level of nesting: past [`MAX_NESTING`] they could overflow even the
//! 64 MiB stacks the CLI runs them on, so such a file is not parsed and AL001 says why.
//!
//! CPython refuses far shallower files (200 nested brackets, 100 indentation levels, about
//! 3000 levels of expression at compile time), so a file that runs is refused only if it
//! chains thousands of operators in one expression that CPython keeps flat (`and`, `or`,
//! comparisons).

use ruff_python_ast::token::TokenKind;
use ruff_python_parser::lexer::lex;
use ruff_python_parser::Mode;
use ruff_text_size::TextRange;

use crate::diagnostic::Diagnostic;
use crate::layout::Layout;
use crate::registry::Rule;

/// The deepest nesting (as [`depth_bound`] counts it) that is parsed.
pub const MAX_NESTING: usize = 5000;

/// One open bracket (or f-string) while counting.
#[derive(Default)]
struct Group {
    /// Levels the current comma-separated element can nest.
    element: usize,
    /// The deepest element already closed by a comma.
    widest: usize,
}

/// An upper bound on the depth of the syntax tree of `text`, or a number above `stop_above`
/// as soon as the bound exceeds it.
///
/// Every token that can add a level (an operator, a keyword, a dot, a colon) counts one
/// within its comma-separated element; a bracket counts two (its node and a tuple inside)
/// plus its deepest element; an indentation level counts two. Names, literals and commas
/// add nothing, so a flat list of a million numbers stays shallow.
pub fn depth_bound(text: &str, stop_above: usize) -> usize {
    let mut lexer = lex(text, Mode::Module);
    let mut groups: Vec<Group> = vec![Group::default()];
    // The sum of the open groups' elements plus two per open bracket: what the statement
    // being read nests at least, whatever follows.
    let mut open = 0usize;
    let mut indent = 0usize;
    let mut deepest = 0usize;
    loop {
        let kind = lexer.next_token();
        match kind {
            TokenKind::EndOfFile => break,
            TokenKind::Lpar
            | TokenKind::Lsqb
            | TokenKind::Lbrace
            | TokenKind::FStringStart
            | TokenKind::TStringStart => {
                groups.push(Group::default());
                open += 2;
            }
            TokenKind::Rpar
            | TokenKind::Rsqb
            | TokenKind::Rbrace
            | TokenKind::FStringEnd
            | TokenKind::TStringEnd => close_group(&mut groups, &mut open),
            TokenKind::Comma => next_element(&mut groups, &mut open),
            TokenKind::Newline | TokenKind::Semi if groups.len() == 1 => {
                next_element(&mut groups, &mut open);
            }
            TokenKind::Newline => {
                // The lexer ended the logical line inside brackets we count as open (an
                // unterminated f-string, say): close them so the next line starts afresh.
                while groups.len() > 1 {
                    close_group(&mut groups, &mut open);
                }
                next_element(&mut groups, &mut open);
            }
            TokenKind::Indent => indent += 1,
            TokenKind::Dedent => indent = indent.saturating_sub(1),
            TokenKind::Name
            | TokenKind::Int
            | TokenKind::Float
            | TokenKind::Complex
            | TokenKind::String
            | TokenKind::FStringMiddle
            | TokenKind::TStringMiddle
            | TokenKind::Comment
            | TokenKind::NonLogicalNewline
            | TokenKind::True
            | TokenKind::False
            | TokenKind::None
            | TokenKind::Ellipsis
            | TokenKind::Unknown => {}
            _ => {
                if let Some(group) = groups.last_mut() {
                    group.element += 1;
                }
                open += 1;
            }
        }
        deepest = deepest.max(open + 2 * indent);
        if deepest > stop_above {
            break;
        }
    }
    deepest
}

fn close_group(groups: &mut Vec<Group>, open: &mut usize) {
    if groups.len() < 2 {
        return; // an unmatched closing bracket
    }
    let Some(group) = groups.pop() else { return };
    let depth = 2 + group.widest.max(group.element);
    *open = *open - group.element - 2 + depth;
    if let Some(parent) = groups.last_mut() {
        parent.element += depth;
    }
}

fn next_element(groups: &mut [Group], open: &mut usize) {
    if let Some(group) = groups.last_mut() {
        group.widest = group.widest.max(group.element);
        *open -= group.element;
        group.element = 0;
    }
}

/// Whether `text` nests deeper than arraylint parses.
pub fn too_deep(text: &str) -> bool {
    // Each byte adds at most two levels: short files need no lexing.
    text.len() * 2 > MAX_NESTING && depth_bound(text, MAX_NESTING) > MAX_NESTING
}

/// [`too_deep`], lexing only when the layout's bound is above the limit: most files
/// are far from it, and the lexing pass cost as much as a sixth of parsing them.
pub fn too_deep_with(text: &str, layout: &Layout) -> bool {
    layout_bound(layout) > MAX_NESTING && too_deep(text)
}

/// A bound on [`depth_bound`] from the layout alone: statements nest in blocks (two levels
/// for each, and each takes a byte of indentation at least) and within their logical line
/// (two levels a byte at most, as [`too_deep`] counts, but a string or a comment is one
/// token however long).
pub fn layout_bound(layout: &Layout) -> usize {
    let mut literals = layout.literals.iter().peekable();
    let mut deepest_line = 0;
    let mut widest_indent = 0;
    for line in &layout.lines {
        let mut bytes = (line.end - line.code) as usize;
        // Literals are in order and do not overlap; one that starts on this line ends on
        // it (a logical line holds whole tokens).
        while let Some(literal) = literals.next_if(|l| l.start < line.end) {
            if literal.start >= line.code {
                let inside = (literal.end.min(line.end) - literal.start) as usize;
                bytes = bytes.saturating_sub(inside) + 1;
            }
        }
        deepest_line = deepest_line.max(bytes * 2);
        widest_indent = widest_indent.max(line.indent() as usize);
    }
    // The text before the first logical line and between them is blank or comments.
    deepest_line + widest_indent * 2 + 2
}

/// The AL001 for a file that nests too deeply; it points at the start of the file because
/// the lexer does not say where a token is.
pub fn diagnostic() -> Diagnostic {
    Diagnostic::new(
        Rule::SyntaxError,
        format!(
            "the file nests more than {MAX_NESTING} levels deep (brackets, operators, blocks), \
             arraylint's limit; it was not checked"
        ),
        TextRange::default(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_data_is_shallow() {
        let list = format!("x = [{}]\n", "-1, ".repeat(100_000));
        assert!(depth_bound(&list, usize::MAX) < 10);
        let dict = format!("x = {{{}}}\n", "'a': f(1), ".repeat(100_000));
        assert!(depth_bound(&dict, usize::MAX) < 10);
        let lines = "x = a.b + c[1:2] if d else e\n".repeat(100_000);
        assert!(depth_bound(&lines, usize::MAX) < 20);
    }

    #[test]
    fn bounds_every_kind_of_nesting() {
        let n = 1000;
        let cases = [
            format!("{}1{}", "(".repeat(n), ")".repeat(n)),
            format!("{}1", "-".repeat(n)),
            format!("x{}", ".a".repeat(n)),
            format!("x{}", "()".repeat(n)),
            "+1".repeat(n),
            format!("{}1", "lambda: ".repeat(n)),
            format!("{}1{}", "f'{".repeat(n), "}'".repeat(n)),
            (0..n)
                .map(|i| format!("{}if 1:\n", " ".repeat(i)))
                .collect::<String>()
                + &" ".repeat(n)
                + "pass\n",
            "((".repeat(n), // unclosed
        ];
        for case in &cases {
            let bound = depth_bound(case, usize::MAX);
            assert!(bound >= n, "{bound} < {n} for {:?}", &case[..20]);
        }
    }

    #[test]
    fn stops_early_and_refuses_only_deep_files() {
        let deep = "-".repeat(1_000_000) + "1\n";
        assert!(depth_bound(&deep, 10) <= 11);
        assert!(too_deep(&deep));
        assert!(!too_deep("x = 1\n"));
    }
}
