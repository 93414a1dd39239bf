#![doc = include_str!("../../rules/AL709.md")]

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{BoolOp, Expr, Operator, Stmt, UnaryOp};
use ruff_text_size::Ranged;

use crate::checker::Checker;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::model::dotted_name;
use crate::registry::Rule;
use crate::rules::py_buffer::{self, Exporter};

/// Request flags made of several bits (`PyBUF_STRIDES` is `0x10 | PyBUF_ND`).
const COMPOSITE: &[&str] = &[
    "PyBUF_STRIDES",
    "PyBUF_INDIRECT",
    "PyBUF_C_CONTIGUOUS",
    "PyBUF_F_CONTIGUOUS",
    "PyBUF_ANY_CONTIGUOUS",
    "PyBUF_STRIDED",
    "PyBUF_STRIDED_RO",
    "PyBUF_RECORDS",
    "PyBUF_RECORDS_RO",
    "PyBUF_FULL",
    "PyBUF_FULL_RO",
    "PyBUF_CONTIG",
    "PyBUF_CONTIG_RO",
];

pub fn check(checker: &mut Checker, exporter: &Exporter) {
    let mut tests = Tests { found: Vec::new() };
    tests.visit_body(&exporter.def.body);
    // A test inside `not`/`and` is met from the statement and from the expression.
    let mut found = tests.found;
    found.sort_by_key(|e| e.start());
    found.dedup_by_key(|e| e.range());
    for test in found {
        let Expr::BinOp(bin) = test else {
            continue;
        };
        let (flag, other) = match (composite(&bin.left), composite(&bin.right)) {
            (_, Some(flag)) => (flag, &*bin.left),
            (Some(flag), None) => (flag, &*bin.right),
            (None, None) => continue,
        };
        let flag_name = py_buffer::tail(&flag).to_string();
        let mut diagnostic = Diagnostic::new(
            Rule::GetbufferFlagTest,
            format!(
                "`{flag_name}` is several bits: `& {flag_name}` alone is also true when only \
                 one of them (e.g. `PyBUF_ND`) was asked; test `(flags & {flag_name}) == \
                 {flag_name}`"
            ),
            bin.range(),
        );
        // The fix writes the operands back as they are written: only plain (dotted) names,
        // whose text the projection of a Cython file leaves alone.
        if let (Some(left), Some(right)) = (dotted_name(&bin.left), dotted_name(&bin.right)) {
            if dotted_name(other).is_some() {
                diagnostic = diagnostic.with_fix(Fix {
                    applicability: Applicability::Safe,
                    message: format!("Compare with `== {flag_name}`"),
                    edits: vec![Edit::replacement(
                        bin.range(),
                        format!("({left} & {right}) == {flag}"),
                    )],
                });
            }
        }
        checker.report(diagnostic);
    }
}

/// The composite flag an operand names.
fn composite(expr: &Expr) -> Option<String> {
    let name = dotted_name(expr)?;
    COMPOSITE.contains(&py_buffer::tail(&name)).then_some(name)
}

/// The `a & b` expressions used as truth values: tests of `if`, `elif`, `while`, `assert`
/// and conditional expressions, and operands of `not`, `and`, `or` there or anywhere.
struct Tests<'a> {
    found: Vec<&'a Expr>,
}

impl<'a> Tests<'a> {
    fn truth(&mut self, expr: &'a Expr) {
        match expr {
            Expr::BinOp(b) if b.op == Operator::BitAnd => self.found.push(expr),
            Expr::UnaryOp(u) if u.op == UnaryOp::Not => self.truth(&u.operand),
            Expr::BoolOp(b) if matches!(b.op, BoolOp::And | BoolOp::Or) => {
                for value in &b.values {
                    self.truth(value);
                }
            }
            _ => {}
        }
    }
}

impl<'a> Visitor<'a> for Tests<'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => return,
            Stmt::If(s) => {
                self.truth(&s.test);
                for clause in &s.elif_else_clauses {
                    if let Some(test) = &clause.test {
                        self.truth(test);
                    }
                }
            }
            Stmt::While(s) => self.truth(&s.test),
            Stmt::Assert(s) => self.truth(&s.test),
            _ => {}
        }
        visitor::walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::If(e) => self.truth(&e.test),
            Expr::UnaryOp(u) if u.op == UnaryOp::Not => self.truth(&u.operand),
            Expr::BoolOp(b) => {
                // An operand of `and`/`or` is a truth value, except the last one, whose value
                // is the expression's.
                for value in &b.values[..b.values.len().saturating_sub(1)] {
                    self.truth(value);
                }
            }
            _ => {}
        }
        visitor::walk_expr(self, expr);
    }
}
