#![doc = include_str!("../../rules/AL405.md")]

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{CmpOp, Expr, Number, Stmt, StmtFunctionDef};

use crate::checker::Checker;
use crate::diagnostic::Diagnostic;
use crate::model::{ClassInfo, Member, MemberKind, Signature};
use crate::registry::Rule;
use crate::rules::dlpack_device_invalid::literal_device_type;
use crate::rules::helpers;

/// `kDLCPU` and `kDLCUDA` in `dlpack.h`'s `DLDeviceType`.
const KDLCPU: i128 = 1;
const KDLCUDA: i128 = 2;

pub fn check<'a>(checker: &mut Checker<'a>, class: &'a ClassInfo<'a>, member: &'a Member<'a>) {
    if !checker.enabled(Rule::DlpackStreamRules) {
        return;
    }
    let MemberKind::Method { def, binding } = member.kind else {
        return;
    };
    let signature = Signature::of(def, binding);
    let Some(stream) = signature.param("stream") else {
        return;
    };
    let message = match literal_device_type(checker, class) {
        Some(KDLCPU) => {
            if member.is_declaration || !uses_stream_unchecked(def) {
                return;
            }
            "`__dlpack_device__` says CPU (`kDLCPU`), but `__dlpack__` uses `stream` without refusing a value other than `None`; a CPU producer must only accept `stream=None`"
        }
        Some(KDLCUDA) => {
            let zero_default = stream.default.is_some_and(is_zero);
            if !zero_default && (member.is_declaration || !accepts_zero(&def.body)) {
                return;
            }
            if zero_default {
                "`__dlpack__`'s `stream` defaults to 0 on a CUDA producer; 0 is disallowed (ambiguous between the legacy and the per-thread default stream): default to `None`"
            } else {
                "`__dlpack__` treats `stream=0` as valid on a CUDA producer; 0 is disallowed (ambiguous between the legacy and the per-thread default stream): raise `ValueError`"
            }
        }
        _ => return,
    };
    checker.report(Diagnostic::new(
        Rule::DlpackStreamRules,
        message,
        member.range,
    ));
}

fn is_zero(expr: &Expr) -> bool {
    matches!(expr, Expr::NumberLiteral(n) if matches!(&n.value, Number::Int(i) if *i == 0u8))
}

fn is_stream(expr: &Expr) -> bool {
    matches!(expr, Expr::Name(name) if name.id.as_str() == "stream")
}

/// A comparison of `stream` with anything (`stream is None`, `stream in (None, -1)`): the
/// producer looks at the value before using it.
fn compares_stream(expr: &Expr) -> bool {
    match expr {
        Expr::Compare(compare) => {
            is_stream(&compare.left) || compare.comparators.iter().any(is_stream)
        }
        _ => false,
    }
}

/// `stream` is read other than in a test of its value or when handed on to another
/// `__dlpack__` (which does its own checking), and no test of its value exists.
fn uses_stream_unchecked(def: &StmtFunctionDef) -> bool {
    #[derive(Default)]
    struct Uses {
        checked: bool,
        used: bool,
    }
    impl<'b> Visitor<'b> for Uses {
        fn visit_stmt(&mut self, stmt: &'b Stmt) {
            match stmt {
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
                // `if stream:` is a truth test of the value, not a use.
                Stmt::If(if_stmt) if is_stream(&if_stmt.test) => {
                    self.checked = true;
                    self.visit_body(&if_stmt.body);
                    for clause in &if_stmt.elif_else_clauses {
                        self.visit_elif_else_clause(clause);
                    }
                }
                _ => visitor::walk_stmt(self, stmt),
            }
        }
        fn visit_expr(&mut self, expr: &'b Expr) {
            match expr {
                _ if compares_stream(expr) => self.checked = true,
                Expr::UnaryOp(unary) if is_stream(&unary.operand) => self.checked = true,
                Expr::If(if_expr) if is_stream(&if_expr.test) => {
                    self.checked = true;
                    self.visit_expr(&if_expr.body);
                    self.visit_expr(&if_expr.orelse);
                }
                // Handed on to another producer's `__dlpack__`, which checks it itself.
                Expr::Call(call) if matches!(&*call.func, Expr::Attribute(attr) if attr.attr.as_str() == "__dlpack__") =>
                {
                    self.visit_expr(&call.func);
                }
                // `del stream` or `stream = ...` is not a use of the caller's value.
                Expr::Name(name) if is_stream(expr) && name.ctx.is_load() => self.used = true,
                _ => visitor::walk_expr(self, expr),
            }
        }
    }
    let mut uses = Uses::default();
    uses.visit_body(&def.body);
    uses.used && !uses.checked
}

/// A test that singles out `stream == 0` (`stream == 0`, `stream is 0`, `stream in (0, 1)`).
fn tests_zero(expr: &Expr) -> bool {
    match expr {
        Expr::Compare(compare) => {
            let mut left = &*compare.left;
            compare
                .ops
                .iter()
                .zip(compare.comparators.iter())
                .any(|(op, right)| {
                    let hit = match op {
                        CmpOp::Eq | CmpOp::Is => {
                            (is_stream(left) && is_zero(right))
                                || (is_zero(left) && is_stream(right))
                        }
                        CmpOp::In => is_stream(left) && contains_zero(right),
                        _ => false,
                    };
                    left = right;
                    hit
                })
        }
        Expr::BoolOp(bool_op) => bool_op.values.iter().any(tests_zero),
        _ => false,
    }
}

fn contains_zero(expr: &Expr) -> bool {
    match expr {
        Expr::Tuple(t) => t.elts.iter().any(is_zero),
        Expr::List(l) => l.elts.iter().any(is_zero),
        Expr::Set(s) => s.elts.iter().any(is_zero),
        _ => false,
    }
}

/// Some branch taken for `stream == 0` does something other than raise.
fn accepts_zero(body: &[Stmt]) -> bool {
    struct Finder(bool);
    impl<'b> Visitor<'b> for Finder {
        fn visit_stmt(&mut self, stmt: &'b Stmt) {
            match stmt {
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
                Stmt::If(if_stmt) => {
                    if tests_zero(&if_stmt.test) && !helpers::only_raises(&if_stmt.body) {
                        self.0 = true;
                    }
                    for clause in &if_stmt.elif_else_clauses {
                        if clause.test.as_ref().is_some_and(tests_zero)
                            && !helpers::only_raises(&clause.body)
                        {
                            self.0 = true;
                        }
                    }
                    visitor::walk_stmt(self, stmt);
                }
                _ => visitor::walk_stmt(self, stmt),
            }
        }
        fn visit_expr(&mut self, expr: &'b Expr) {
            if let Expr::If(if_expr) = expr {
                if tests_zero(&if_expr.test) {
                    self.0 = true;
                }
            }
            visitor::walk_expr(self, expr);
        }
    }
    let mut finder = Finder(false);
    finder.visit_body(body);
    finder.0
}
