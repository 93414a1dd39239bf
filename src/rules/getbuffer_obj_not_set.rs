#![doc = include_str!("../../rules/AL701.md")]

use ruff_python_ast::{Expr, Stmt};

use crate::checker::Checker;
use crate::diagnostic::Diagnostic;
use crate::model::{compound_bodies, Member};
use crate::registry::Rule;
use crate::rules::buffer_exporter::{self, Exporter};

pub fn check(checker: &mut Checker, member: &Member, exporter: &Exporter) {
    let mut flow = Flow {
        exporter,
        unset_return: false,
    };
    let end = flow.body(&exporter.def.body, false);
    if flow.unset_return || end == Some(false) {
        checker.report(Diagnostic::new(
            Rule::GetbufferObjNotSet,
            format!(
                "a success path of `__getbuffer__` never sets `{}.obj`: the view does not keep \
                 the exporter alive and `__releasebuffer__` is never called; set it to `self` \
                 (or the owner of the memory)",
                exporter.buffer
            ),
            member.range,
        ));
    }
}

/// A "must" analysis over the structured body: whether `obj` is set on every path that
/// reaches a statement. Where the code is unsure it errs towards "set" (a loop body runs,
/// a handler starts where its `try` body ended), since a false alarm costs more than a
/// miss.
struct Flow<'e, 'a> {
    exporter: &'e Exporter<'a>,
    /// A `return` reached with `obj` not set.
    unset_return: bool,
}

impl Flow<'_, '_> {
    /// The state after the statements, `None` where no path falls through.
    fn body(&mut self, stmts: &[Stmt], mut set: bool) -> Option<bool> {
        for stmt in stmts {
            set = self.stmt(stmt, set)?;
        }
        Some(set)
    }

    fn stmt(&mut self, stmt: &Stmt, set: bool) -> Option<bool> {
        match stmt {
            Stmt::Return(_) => {
                if !set {
                    self.unset_return = true;
                }
                None
            }
            Stmt::Raise(_) => None,
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => Some(set),
            Stmt::If(if_stmt) => {
                // `if buffer == NULL: return`: there is no view to fill.
                if self.tests_null_buffer(&if_stmt.test) {
                    let rest: Vec<Option<bool>> = if_stmt
                        .elif_else_clauses
                        .iter()
                        .map(|c| self.body(&c.body, set))
                        .collect();
                    return join(
                        rest.into_iter().chain(
                            if_stmt
                                .elif_else_clauses
                                .iter()
                                .all(|c| c.test.is_some())
                                .then_some(Some(set)),
                        ),
                    );
                }
                let set = set || self.sets_in(&if_stmt.test);
                let mut outs = vec![self.body(&if_stmt.body, set)];
                let mut has_else = false;
                for clause in &if_stmt.elif_else_clauses {
                    let set = set || clause.test.as_ref().is_some_and(|t| self.sets_in(t));
                    has_else |= clause.test.is_none();
                    outs.push(self.body(&clause.body, set));
                }
                if !has_else {
                    outs.push(Some(set));
                }
                join(outs.into_iter())
            }
            Stmt::For(for_stmt) => {
                let set = set || self.sets_in(&for_stmt.iter);
                let after = self.body(&for_stmt.body, set).unwrap_or(set) || set;
                self.body(&for_stmt.orelse, after)
            }
            Stmt::While(while_stmt) => {
                let set = set || self.sets_in(&while_stmt.test);
                let after = self.body(&while_stmt.body, set).unwrap_or(set) || set;
                if matches!(&*while_stmt.test, Expr::BooleanLiteral(b) if b.value) {
                    // Left only by `break`: trusted to have set it.
                    return Some(true);
                }
                self.body(&while_stmt.orelse, after)
            }
            Stmt::With(with) => {
                let set = set
                    || with
                        .items
                        .iter()
                        .any(|item| self.sets_in(&item.context_expr));
                self.body(&with.body, set)
            }
            Stmt::Try(try_stmt) => {
                let body = self.body(&try_stmt.body, set);
                let mut outs = vec![match body {
                    Some(after) => self.body(&try_stmt.orelse, after),
                    None => None,
                }];
                for handler in &try_stmt.handlers {
                    let ruff_python_ast::ExceptHandler::ExceptHandler(h) = handler;
                    outs.push(self.body(&h.body, body.unwrap_or(set)));
                }
                let after = join(outs.into_iter());
                let finally = self.body(&try_stmt.finalbody, after.unwrap_or(set))?;
                after.map(|a| a || finally)
            }
            Stmt::Match(_) => {
                let outs: Vec<Option<bool>> = compound_bodies(stmt)
                    .into_iter()
                    .map(|b| self.body(b, set))
                    .chain(std::iter::once(Some(set)))
                    .collect();
                join(outs.into_iter())
            }
            _ => Some(set || self.sets(stmt)),
        }
    }

    /// A simple statement that sets `obj`: a store of anything but `None`, or a call that
    /// receives the buffer (`PyBuffer_FillInfo`, `PyObject_GetBuffer`, a helper).
    fn sets(&self, stmt: &Stmt) -> bool {
        if let Stmt::Assign(assign) = stmt {
            if assign
                .targets
                .iter()
                .any(|t| self.exporter.is_field(t, "obj"))
            {
                return !matches!(
                    buffer_exporter::strip_cast(&assign.value),
                    Expr::NoneLiteral(_)
                );
            }
        }
        buffer_exporter::any_expr(std::slice::from_ref(stmt), &mut |expr| self.sets_expr(expr))
    }

    /// An expression (a test, an iterable) that sets `obj` or reads it: code that looks at
    /// `buffer.obj` decides about it.
    fn sets_in(&self, expr: &Expr) -> bool {
        buffer_exporter::any_in(expr, &mut |e| {
            self.sets_expr(e) || self.exporter.is_field(e, "obj")
        })
    }

    fn sets_expr(&self, expr: &Expr) -> bool {
        let Expr::Call(call) = expr else {
            return false;
        };
        if !self.exporter.passes_buffer(call) {
            return false;
        }
        // `PyBuffer_FillInfo(buffer, None, ...)` leaves it unset.
        !(buffer_exporter::callee_tail(call) == Some("PyBuffer_FillInfo")
            && matches!(call.arguments.args.get(1), Some(Expr::NoneLiteral(_))))
    }

    /// `buffer == NULL`, `buffer is NULL`, `not buffer`.
    fn tests_null_buffer(&self, test: &Expr) -> bool {
        match test {
            Expr::UnaryOp(u) if u.op == ruff_python_ast::UnaryOp::Not => {
                self.exporter.is_buffer(&u.operand)
            }
            Expr::Compare(c) => {
                c.comparators.len() == 1
                    && matches!(
                        c.ops[0],
                        ruff_python_ast::CmpOp::Eq | ruff_python_ast::CmpOp::Is
                    )
                    && self.exporter.is_buffer(&c.left)
                    && match &c.comparators[0] {
                        Expr::Name(n) => n.id.as_str() == "NULL",
                        Expr::Attribute(a) => a.attr.as_str() == "NULL",
                        _ => false,
                    }
            }
            _ => false,
        }
    }
}

/// Paths joined: set where every path that falls through set it; `None` where none does.
fn join(outs: impl Iterator<Item = Option<bool>>) -> Option<bool> {
    outs.flatten().reduce(|a, b| a && b)
}
