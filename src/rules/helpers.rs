//! Small queries over function bodies and signatures that several rules share.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{Expr, Parameters, Stmt, StmtFunctionDef, StmtRaise, StmtReturn};
use ruff_text_size::{Ranged, TextSize};

use crate::diagnostic::Edit;
use crate::model::{ClassInfo, Member, MemberKind, Signature};

/// Whether the body reads `name` (a load of the plain name, anywhere but in nested
/// functions and classes that rebind it), or calls `locals()`/`vars()`.
pub fn reads_name(body: &[Stmt], name: &str) -> bool {
    struct Reads<'n> {
        name: &'n str,
        found: bool,
    }
    impl<'b> Visitor<'b> for Reads<'_> {
        fn visit_expr(&mut self, expr: &'b Expr) {
            if self.found {
                return;
            }
            match expr {
                Expr::Name(n) if n.id.as_str() == self.name => self.found = true,
                Expr::Call(call) if matches!(&*call.func, Expr::Name(f) if matches!(f.id.as_str(), "locals" | "vars")) => {
                    self.found = true
                }
                _ => visitor::walk_expr(self, expr),
            }
        }
    }
    let mut reads = Reads { name, found: false };
    reads.visit_body(body);
    reads.found
}

/// What a literal expression evaluates to, for messages (`a list`, `None`), or `None` when
/// the expression is not a literal (a name, a call, a lambda: anything that might be the
/// right kind of object). None of these values is callable.
pub fn literal_description(expr: &Expr) -> Option<&'static str> {
    Some(match expr {
        Expr::NoneLiteral(_) => "`None`",
        Expr::List(_) | Expr::ListComp(_) => "a list",
        Expr::Tuple(_) => "a tuple",
        Expr::Dict(_) | Expr::DictComp(_) => "a dict",
        Expr::Set(_) | Expr::SetComp(_) => "a set",
        Expr::NumberLiteral(_) | Expr::BooleanLiteral(_) => "a Python scalar",
        Expr::StringLiteral(_) | Expr::FString(_) => "a string",
        Expr::BytesLiteral(_) => "a bytes object",
        _ => return None,
    })
}

/// Whether another method of the same name in the class passes `accepts`: the other
/// signatures of an `@overload` series (in a stub every overload is kept), or the other
/// branch of `if NUMPY_2: def ... else: def ...`. Callers get one of them, so a signature
/// rule stays quiet when one of them binds the call.
pub fn other_definition_accepts(
    class: &ClassInfo,
    member: &Member,
    accepts: impl Fn(&Signature) -> bool,
) -> bool {
    class.members.iter().any(|other| match other.kind {
        MemberKind::Method { def, binding } => {
            other.name == member.name
                && other.range != member.range
                && accepts(&Signature::of(def, binding))
        }
        _ => false,
    })
}

/// The body without a leading docstring.
pub fn without_docstring(body: &[Stmt]) -> &[Stmt] {
    match body.first() {
        Some(Stmt::Expr(e)) if e.value.is_string_literal_expr() => &body[1..],
        _ => body,
    }
}

/// The body does nothing but raise (after an optional docstring).
pub fn only_raises(body: &[Stmt]) -> bool {
    let body = without_docstring(body);
    !body.is_empty() && body.iter().all(|s| matches!(s, Stmt::Raise(_)))
}

/// The `return` statements of a function, not those of nested functions or classes.
pub fn returns(def: &StmtFunctionDef) -> Vec<&StmtReturn> {
    struct Returns<'b> {
        found: Vec<&'b StmtReturn>,
    }
    impl<'b> Visitor<'b> for Returns<'b> {
        fn visit_stmt(&mut self, stmt: &'b Stmt) {
            match stmt {
                Stmt::Return(ret) => self.found.push(ret),
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
                _ => visitor::walk_stmt(self, stmt),
            }
        }
        fn visit_expr(&mut self, _: &'b Expr) {}
    }
    let mut returns = Returns { found: Vec::new() };
    returns.visit_body(&def.body);
    returns.found
}

/// Where a new parameter goes and how it is joined, in a parameter list `(...)`.
enum Slot {
    /// After this offset, written as `, new`.
    After(TextSize),
    /// Right after `(`: the list is empty.
    First(TextSize),
}

/// The edit that appends `new` (e.g. `copy=None`) as a positional-or-keyword parameter:
/// after the last positional parameter and after a `/` marker, before `*`, `*args`,
/// keyword-only parameters and `**kwargs`.
pub fn append_positional_parameter(parameters: &Parameters, text: &str, new: &str) -> Edit {
    let last_positional = parameters.args.last().map(|p| p.end()).or_else(|| {
        parameters
            .posonlyargs
            .last()
            .map(|p| slash_end(p.end(), text))
    });
    let slot = match last_positional {
        Some(end) => Slot::After(end),
        None => Slot::First(parameters.start() + TextSize::from(1)),
    };
    let has_more = parameters.vararg.is_some()
        || !parameters.kwonlyargs.is_empty()
        || parameters.kwarg.is_some();
    match slot {
        Slot::After(at) => append_after(parameters, text, at, &split_items(new)),
        Slot::First(at) if has_more => Edit::insertion(at, format!("{new}, ")),
        Slot::First(at) => Edit::insertion(at, new.to_string()),
    }
}

/// The edit that appends keyword-only parameters `new` (e.g. `stream=None, copy=None`):
/// after existing keyword-only parameters (or `*args`), adding `*` when there is none,
/// before `**kwargs`.
pub fn append_keyword_only_parameters(parameters: &Parameters, text: &str, new: &str) -> Edit {
    let items = split_items(new);
    if let Some(last) = parameters.kwonlyargs.last() {
        return append_after(parameters, text, last.end(), &items);
    }
    if let Some(vararg) = &parameters.vararg {
        return append_after(parameters, text, vararg.end(), &items);
    }
    let before_kwarg = parameters.kwarg.as_ref().map(|k| k.start());
    let last_positional = parameters.args.last().map(|p| p.end()).or_else(|| {
        parameters
            .posonlyargs
            .last()
            .map(|p| slash_end(p.end(), text))
    });
    match (last_positional, before_kwarg) {
        (Some(end), _) => {
            let starred: Vec<&str> = std::iter::once("*").chain(items).collect();
            append_after(parameters, text, end, &starred)
        }
        (None, Some(kwarg)) => {
            // The parameter's range may or may not cover the `**`: step back over it.
            let prefix = text.get(..kwarg.to_usize()).unwrap_or("");
            let stars = prefix.len() - prefix.trim_end_matches('*').len();
            let at = kwarg - TextSize::try_from(stars).unwrap_or_default();
            Edit::insertion(at, format!("*, {new}, "))
        }
        (None, None) => {
            Edit::insertion(parameters.start() + TextSize::from(1), format!("*, {new}"))
        }
    }
}

/// The edit that writes `items` after the parameter (or `/`) that ends at `end`. In a
/// list laid out one parameter per line with a trailing comma (as Ruff and Black format
/// it), each item gets a line of its own at the same indentation; otherwise they follow
/// inline, `, a, b`.
fn append_after(parameters: &Parameters, text: &str, end: TextSize, items: &[&str]) -> Edit {
    let at = end.to_usize();
    let before = text.get(..at).unwrap_or("");
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let indent = &before[line_start..];
    let indent = &indent[..indent.len() - indent.trim_start_matches([' ', '\t']).len()];
    // The opening `(` is on an earlier line: this line is inside a broken-up list.
    let own_line = line_start > parameters.start().to_usize();
    let rest = text.get(at..).unwrap_or("");
    let after_comma = rest.trim_start_matches([' ', '\t']).strip_prefix(',');
    if let (true, Some(after_comma)) = (own_line, after_comma) {
        let after_comment = after_comma.trim_start_matches([' ', '\t']);
        let comment_len = if after_comment.starts_with('#') {
            after_comment
                .find(['\r', '\n'])
                .unwrap_or(after_comment.len())
        } else {
            0
        };
        let tail = &after_comment[comment_len..];
        let newline = if tail.starts_with("\r\n") {
            "\r\n"
        } else if tail.starts_with('\n') {
            "\n"
        } else {
            ""
        };
        if !newline.is_empty() {
            let next_line = at + (rest.len() - tail.len()) + newline.len();
            let lines: String = items
                .iter()
                .map(|item| format!("{indent}{item},{newline}"))
                .collect();
            if let Ok(next_line) = TextSize::try_from(next_line) {
                return Edit::insertion(next_line, lines);
            }
        }
    }
    Edit::insertion(end, format!(", {}", items.join(", ")))
}

/// `a=None, b=(1, 0)` -> `["a=None", "b=(1, 0)"]`: split at the top-level commas.
fn split_items(new: &str) -> Vec<&str> {
    let mut items = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in new.char_indices() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                items.push(new[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(new[start..].trim());
    items.retain(|item| !item.is_empty());
    items
}

/// The end of the `/` marker that follows the last positional-only parameter (or the
/// parameter's end if the marker is not found, which valid syntax rules out).
fn slash_end(after: TextSize, text: &str) -> TextSize {
    let start = after.to_usize();
    let rest = text.get(start..).unwrap_or("");
    // Skip whitespace, comments and the comma up to the `/`.
    let mut in_comment = false;
    for (i, c) in rest.char_indices() {
        match c {
            '\n' | '\r' => in_comment = false,
            _ if in_comment => {}
            '#' => in_comment = true,
            '/' => return after + TextSize::try_from(i + 1).unwrap_or_default(),
            ',' | ' ' | '\t' | '\\' => {}
            _ => break,
        }
    }
    after
}

/// The `raise` statements of a body that leave it: not those in a `try` body with
/// handlers (a handler may turn them into something else), nor those of nested functions
/// and classes. A getter's refusals (AL215), an exporter's (AL708).
pub fn leaving_raises(body: &[Stmt]) -> Vec<&StmtRaise> {
    struct Raises<'b> {
        found: Vec<&'b StmtRaise>,
    }
    impl<'b> Visitor<'b> for Raises<'b> {
        fn visit_stmt(&mut self, stmt: &'b Stmt) {
            match stmt {
                Stmt::Raise(raise) => self.found.push(raise),
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
                Stmt::Try(try_stmt) if !try_stmt.handlers.is_empty() => {
                    for handler in &try_stmt.handlers {
                        self.visit_except_handler(handler);
                    }
                    self.visit_body(&try_stmt.orelse);
                    self.visit_body(&try_stmt.finalbody);
                }
                _ => visitor::walk_stmt(self, stmt),
            }
        }
        fn visit_expr(&mut self, _: &'b Expr) {}
    }
    let mut raises = Raises { found: Vec::new() };
    raises.visit_body(body);
    raises.found
}

#[cfg(test)]
mod tests {
    use super::*;
    use ruff_python_ast::Stmt;

    fn apply(src: &str, f: impl Fn(&Parameters, &str) -> Edit) -> String {
        let parsed = ruff_python_parser::parse_module(src).expect("parses");
        let Stmt::FunctionDef(def) = &parsed.syntax().body[0] else {
            panic!()
        };
        let edit = f(&def.parameters, src);
        let mut out = src.to_string();
        out.replace_range(edit.range.to_std_range(), &edit.content);
        out
    }

    #[test]
    fn positional_insertion() {
        let add = |p: &Parameters, t: &str| append_positional_parameter(p, t, "copy=None");
        assert_eq!(
            apply("def f(self): ...", add),
            "def f(self, copy=None): ..."
        );
        assert_eq!(
            apply("def f(self, dtype=None, /): ...", add),
            "def f(self, dtype=None, /, copy=None): ..."
        );
        assert_eq!(
            apply("def f(self, d, *, x=1): ...", add),
            "def f(self, d, copy=None, *, x=1): ..."
        );
        assert_eq!(apply("def f(): ...", add), "def f(copy=None): ...");
        assert_eq!(
            apply("def f(self,\n      dtype=None,\n): ...", add),
            "def f(self,\n      dtype=None,\n      copy=None,\n): ..."
        );
    }

    #[test]
    fn keyword_only_insertion() {
        let add = |p: &Parameters, t: &str| append_keyword_only_parameters(p, t, "copy=None");
        assert_eq!(
            apply("def f(self): ...", add),
            "def f(self, *, copy=None): ..."
        );
        assert_eq!(
            apply("def f(self, *, stream=None): ...", add),
            "def f(self, *, stream=None, copy=None): ..."
        );
        assert_eq!(
            apply("def f(self, *args): ...", add),
            "def f(self, *args, copy=None): ..."
        );
        assert_eq!(
            apply("def f(self, /, **kw): ...", add),
            "def f(self, /, *, copy=None, **kw): ..."
        );
    }

    #[test]
    fn one_parameter_per_line_stays_so() {
        let add = |p: &Parameters, t: &str| {
            append_keyword_only_parameters(p, t, "max_version=None, dl_device=(1, 0)")
        };
        assert_eq!(
            apply("def f(\n    self,\n    stream=None,  # why\n):\n    ...", add),
            "def f(\n    self,\n    stream=None,  # why\n    *,\n    max_version=None,\n    dl_device=(1, 0),\n):\n    ..."
        );
        assert_eq!(
            apply("def f(\r\n    self,\r\n    *,\r\n    stream=None,\r\n): ...", add),
            "def f(\r\n    self,\r\n    *,\r\n    stream=None,\r\n    max_version=None,\r\n    dl_device=(1, 0),\r\n): ..."
        );
        // No trailing comma, or the list opens on the same line: inline.
        assert_eq!(
            apply("def f(\n    self,\n    stream=None\n): ...", add),
            "def f(\n    self,\n    stream=None, *, max_version=None, dl_device=(1, 0)\n): ..."
        );
        assert_eq!(
            apply("def f(self, stream=None,\n): ...", add),
            "def f(self, stream=None, *, max_version=None, dl_device=(1, 0),\n): ..."
        );
    }
}
