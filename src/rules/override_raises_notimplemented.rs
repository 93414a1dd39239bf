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

#[derive(Default)]
struct Finder {
    found: Vec<(TextRange, &'static str)>,
}

impl<'b> Visitor<'b> for Finder {
    fn visit_stmt(&mut self, stmt: &'b Stmt) {
        match stmt {
            // Nested functions and classes are not the override.
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
            Stmt::Raise(raise) if raise.exc.as_deref().is_some_and(is_not_implemented_error) => {
                self.found.push((raise.range(), "raises"));
            }
            Stmt::Return(ret) if ret.value.as_deref().is_some_and(is_not_implemented_error) => {
                self.found.push((ret.range(), "returns"));
            }
            _ => visitor::walk_stmt(self, stmt),
        }
    }
    fn visit_expr(&mut self, _: &'b Expr) {}
}
