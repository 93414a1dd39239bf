//! Small queries over function bodies and signatures that several rules share.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{Expr, Parameters, Stmt, StmtFunctionDef, StmtReturn};
use ruff_text_size::{Ranged, TextSize};

use crate::diagnostic::Edit;

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
        Slot::After(at) => Edit::insertion(at, format!(", {new}")),
        Slot::First(at) if has_more => Edit::insertion(at, format!("{new}, ")),
        Slot::First(at) => Edit::insertion(at, new.to_string()),
    }
}

/// The edit that appends keyword-only parameters `new` (e.g. `stream=None, copy=None`):
/// after existing keyword-only parameters (or `*args`), adding `*` when there is none,
/// before `**kwargs`.
pub fn append_keyword_only_parameters(parameters: &Parameters, text: &str, new: &str) -> Edit {
    if let Some(last) = parameters.kwonlyargs.last() {
        return Edit::insertion(last.end(), format!(", {new}"));
    }
    if let Some(vararg) = &parameters.vararg {
        return Edit::insertion(vararg.end(), format!(", {new}"));
    }
    let before_kwarg = parameters.kwarg.as_ref().map(|k| k.start());
    let last_positional = parameters.args.last().map(|p| p.end()).or_else(|| {
        parameters
            .posonlyargs
            .last()
            .map(|p| slash_end(p.end(), text))
    });
    match (last_positional, before_kwarg) {
        (Some(end), _) => Edit::insertion(end, format!(", *, {new}")),
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
            "def f(self,\n      dtype=None, copy=None,\n): ..."
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
}
