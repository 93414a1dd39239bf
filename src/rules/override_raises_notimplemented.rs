#![doc = include_str!("../../rules/AL507.md")]

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use crate::checker::Checker;
use crate::diagnostic::Diagnostic;
use crate::model::{dotted_name, Member, MemberKind};
use crate::registry::Rule;

pub fn check(checker: &mut Checker, member: &Member) {
    let MemberKind::Method { def, .. } = member.kind else {
        return;
    };
    if member.is_declaration {
        return;
    }
    let mut finder = Finder::default();
    finder.visit_body(&def.body);
    for (range, verb) in finder.found {
        // A method that returns `NotImplemented` for foreign types and refuses one of its
        // own operations with a message has chosen the specific error on purpose.
        if verb == Verb::RaisesWithMessage && finder.returns_not_implemented {
            continue;
        }
        let verb = match verb {
            Verb::Returns => "returns",
            Verb::Raises | Verb::RaisesWithMessage => "raises",
        };
        checker.report(Diagnostic::new(
            Rule::OverrideRaisesNotImplemented,
            format!("`{}` {verb} `NotImplementedError`; return `NotImplemented` so that NumPy tries the other operands' overrides (or raises its own `TypeError`)", member.name),
            range,
        ));
    }
}

/// `NotImplementedError` or `NotImplementedError(...)`.
fn is_not_implemented_error(expr: &Expr) -> bool {
    let expr = match expr {
        Expr::Call(call) => &*call.func,
        other => other,
    };
    matches!(
        dotted_name(expr).as_deref(),
        Some("NotImplementedError" | "builtins.NotImplementedError")
    )
}

/// `NotImplemented`, the value NumPy's override protocol asks for.
fn is_not_implemented(expr: &Expr) -> bool {
    matches!(
        dotted_name(expr).as_deref(),
        Some("NotImplemented" | "builtins.NotImplemented")
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verb {
    Returns,
    /// `raise NotImplementedError` or `raise NotImplementedError()`.
    Raises,
    /// `raise NotImplementedError("...")`.
    RaisesWithMessage,
}

#[derive(Default)]
struct Finder {
    found: Vec<(TextRange, Verb)>,
    /// Some path returns `NotImplemented`.
    returns_not_implemented: bool,
}

fn has_message(expr: &Expr) -> bool {
    matches!(expr, Expr::Call(call) if !call.arguments.args.is_empty())
}

impl<'b> Visitor<'b> for Finder {
    fn visit_stmt(&mut self, stmt: &'b Stmt) {
        match stmt {
            // Nested functions and classes are not the override.
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
            Stmt::Raise(raise) => match raise.exc.as_deref() {
                Some(exc) if is_not_implemented_error(exc) => {
                    let verb = if has_message(exc) {
                        Verb::RaisesWithMessage
                    } else {
                        Verb::Raises
                    };
                    self.found.push((raise.range(), verb));
                }
                _ => {}
            },
            Stmt::Return(ret) => match ret.value.as_deref() {
                Some(value) if is_not_implemented_error(value) => {
                    self.found.push((ret.range(), Verb::Returns));
                }
                Some(value) if is_not_implemented(value) => self.returns_not_implemented = true,
                _ => {}
            },
            _ => visitor::walk_stmt(self, stmt),
        }
    }
    fn visit_expr(&mut self, _: &'b Expr) {}
}
