#![doc = include_str!("../../rules/AL709.md")]

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{BoolOp, CmpOp, Expr, ExprBinOp, Operator, Stmt, UnaryOp};
use ruff_text_size::{Ranged, TextRange};

use crate::checker::Checker;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::model::dotted_name;
use crate::registry::Rule;
use crate::rules::buffer_exporter::{self, Exporter};

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
    found.sort_by_key(|t| t.range.start());
    found.dedup_by_key(|t| t.range);
    for test in found {
        let bin = test.and;
        let (flag, other) = match (composite(&bin.left), composite(&bin.right)) {
            (_, Some(flag)) => (flag, &*bin.left),
            (Some(flag), None) => (flag, &*bin.right),
            (None, None) => continue,
        };
        let flag_name = buffer_exporter::tail(&flag).to_string();
        let (op, alone) = if test.negated {
            ("!=", "`== 0`")
        } else {
            ("==", "alone")
        };
        let mut diagnostic = Diagnostic::new(
            Rule::GetbufferFlagTest,
            format!(
                "`{flag_name}` is several bits: `& {flag_name}` {alone} also holds when only \
                 some of them (e.g. `PyBUF_ND`) were asked; test `(flags & {flag_name}) {op} \
                 {flag_name}`"
            ),
            test.range,
        );
        // The fix writes the operands back as they are written: only plain (dotted) names,
        // whose text the projection of a Cython file leaves alone.
        if let (Some(left), Some(right)) = (dotted_name(&bin.left), dotted_name(&bin.right)) {
            if dotted_name(other).is_some() {
                diagnostic = diagnostic.with_fix(Fix {
                    applicability: Applicability::Safe,
                    message: format!("Compare with `{op} {flag_name}`"),
                    edits: vec![Edit::replacement(
                        test.range,
                        format!("({left} & {right}) {op} {flag}"),
                    )],
                });
            }
        }
        checker.report(diagnostic);
    }
}

/// `flags & X` tested: where (the `&`, or the whole `(flags & X) == 0`), and whether the
/// test is negated (`== 0`).
struct Test<'a> {
    and: &'a ExprBinOp,
    range: TextRange,
    negated: bool,
}

/// The composite flag an operand names.
fn composite(expr: &Expr) -> Option<String> {
    let name = dotted_name(expr)?;
    COMPOSITE
        .contains(&buffer_exporter::tail(&name))
        .then_some(name)
}

/// The `a & b` expressions used as truth values: tests of `if`, `elif`, `while`, `assert`
/// and conditional expressions, and operands of `not`, `and`, `or` there or anywhere.
struct Tests<'a> {
    found: Vec<Test<'a>>,
}

impl<'a> Tests<'a> {
    fn truth(&mut self, expr: &'a Expr) {
        match expr {
            Expr::BinOp(b) if b.op == Operator::BitAnd => self.found.push(Test {
                and: b,
                range: b.range(),
                negated: false,
            }),
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
            // `(flags & X) != 0` is the truth value; `== 0` its negation.
            Expr::Compare(c)
                if c.ops.len() == 1 && matches!(c.ops[0], CmpOp::Eq | CmpOp::NotEq) =>
            {
                let and = match (&*c.left, &c.comparators[0]) {
                    (Expr::BinOp(b), zero) | (zero, Expr::BinOp(b))
                        if b.op == Operator::BitAnd
                            && buffer_exporter::literal_int(zero) == Some(0) =>
                    {
                        Some(b)
                    }
                    _ => None,
                };
                if let Some(and) = and {
                    self.found.push(Test {
                        and,
                        range: c.range(),
                        negated: c.ops[0] == CmpOp::Eq,
                    });
                }
            }
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
