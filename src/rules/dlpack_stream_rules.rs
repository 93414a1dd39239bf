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
            if member.is_declaration {
                return;
            }
            let handling = StreamHandling::of(def);
            if handling.tested || !exports(def) {
                return;
            }
            if handling.used {
                "`__dlpack_device__` says CPU (`kDLCPU`), but `__dlpack__` uses `stream` without refusing a value other than `None`; a CPU producer must only accept `stream=None`"
            } else if handling.delegated {
                return;
            } else {
                "`__dlpack_device__` says CPU (`kDLCPU`), but `__dlpack__` never tests `stream`, so it accepts any stream; a CPU producer must refuse a stream other than `None` (raise `BufferError`)"
            }
        }
        Some(KDLCUDA) => {
            if stream.default.is_some_and(is_zero) {
                "`__dlpack__`'s `stream` defaults to 0 on a CUDA producer; 0 is disallowed (ambiguous between the legacy and the per-thread default stream): default to `None`"
            } else if member.is_declaration {
                return;
            } else if accepts_zero(&def.body) {
                "`__dlpack__` treats `stream=0` as valid on a CUDA producer; 0 is disallowed (ambiguous between the legacy and the per-thread default stream): raise `ValueError`"
            } else if StreamHandling::of(def).goes_on_for_zero() && exports(def) {
                "`__dlpack__` never refuses `stream=0` on a CUDA producer (no branch tells 0 apart); 0 is disallowed (ambiguous between the legacy and the per-thread default stream): raise `ValueError`"
            } else {
                return;
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

/// Some `return` hands something out (not `None`): a body that only raises accepts no
/// stream.
fn exports(def: &StmtFunctionDef) -> bool {
    helpers::returns(def).iter().any(|ret| {
        ret.value
            .as_deref()
            .is_some_and(|v| !v.is_none_literal_expr())
    })
}

fn is_zero(expr: &Expr) -> bool {
    matches!(expr, Expr::NumberLiteral(n) if matches!(&n.value, Number::Int(i) if *i == 0u8))
}

fn is_stream(expr: &Expr) -> bool {
    matches!(expr, Expr::Name(name) if name.id.as_str() == "stream")
}

/// What `__dlpack__`'s body does with `stream` (not counting nested functions).
#[derive(Debug, Default)]
struct StreamHandling {
    /// Its value is tested: compared, truth-tested, asserted on, matched, or handed to a
    /// function whose name says it checks (`_check_stream(stream)`, `validate(stream)`).
    tested: bool,
    /// Every test compares it with `None` (which cannot tell 0 apart) and no branch of
    /// such a test only raises.
    only_none_tests: bool,
    /// Read other than in a test or a hand-over to another `__dlpack__`.
    used: bool,
    /// Handed on to another producer's `__dlpack__`, which checks it itself.
    delegated: bool,
    /// Handed to a call that may look at it (a helper of the class or module), other than
    /// a stream constructor (`ExternalStream(stream)`) or another `__dlpack__`.
    passed_to_helper: bool,
}

impl StreamHandling {
    fn of(def: &StmtFunctionDef) -> StreamHandling {
        let mut handling = StreamHandling {
            only_none_tests: true,
            ..StreamHandling::default()
        };
        handling.visit_body(&def.body);
        handling
    }

    /// No branch can take `stream == 0` apart from the others, so 0 goes on like any
    /// stream: nothing tests it (or only against `None`), nothing that may test it is
    /// handed it, and it is not handed on to another producer.
    fn goes_on_for_zero(&self) -> bool {
        (!self.tested || self.only_none_tests) && !self.delegated && !self.passed_to_helper
    }

    fn note_test(&mut self, test: &Expr, branches: &[&[Stmt]]) {
        if !mentions_stream(test) {
            return;
        }
        self.tested = true;
        if !is_none_test(test) || branches.iter().any(|body| helpers::only_raises(body)) {
            self.only_none_tests = false;
        }
    }
}

impl<'b> Visitor<'b> for StreamHandling {
    fn visit_stmt(&mut self, stmt: &'b Stmt) {
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => return,
            Stmt::If(if_stmt) => {
                let mut branches: Vec<&[Stmt]> = vec![&if_stmt.body];
                branches.extend(if_stmt.elif_else_clauses.iter().map(|c| &c.body[..]));
                self.note_test(&if_stmt.test, &branches);
                for clause in &if_stmt.elif_else_clauses {
                    if let Some(test) = &clause.test {
                        self.note_test(test, &branches);
                    }
                }
                // `if stream:` is a truth test of the value, not a use.
                if is_stream(&if_stmt.test) {
                    self.visit_body(&if_stmt.body);
                    for clause in &if_stmt.elif_else_clauses {
                        self.visit_elif_else_clause(clause);
                    }
                    return;
                }
            }
            Stmt::Assert(assert) if mentions_stream(&assert.test) => {
                self.tested = true;
                self.only_none_tests = false;
                return;
            }
            Stmt::Match(match_stmt) if mentions_stream(&match_stmt.subject) => {
                self.tested = true;
                self.only_none_tests = false;
            }
            Stmt::While(while_stmt) => self.note_test(&while_stmt.test, &[&while_stmt.body]),
            _ => {}
        }
        visitor::walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'b Expr) {
        match expr {
            Expr::Compare(_) if mentions_stream(expr) => {
                self.tested = true;
                if !is_none_test(expr) {
                    self.only_none_tests = false;
                }
            }
            Expr::UnaryOp(unary) if is_stream(&unary.operand) => {
                self.tested = true;
                self.only_none_tests = false;
            }
            Expr::BoolOp(_) if mentions_stream(expr) && !is_none_test(expr) => {
                self.tested = true;
                self.only_none_tests = false;
                visitor::walk_expr(self, expr);
            }
            Expr::If(if_expr) if is_stream(&if_expr.test) => {
                self.tested = true;
                self.only_none_tests = false;
                self.visit_expr(&if_expr.body);
                self.visit_expr(&if_expr.orelse);
            }
            Expr::Call(call) if passes_stream(call) => {
                let callee = dotted_last_name(&call.func).unwrap_or_default();
                if callee == "__dlpack__" {
                    self.delegated = true;
                    self.visit_expr(&call.func);
                    return;
                }
                let lower = callee.to_ascii_lowercase();
                if ["check", "valid", "verify", "ensure", "assert"]
                    .iter()
                    .any(|word| lower.contains(word))
                {
                    self.tested = true;
                    self.only_none_tests = false;
                    return;
                }
                if !lower.contains("stream") {
                    self.passed_to_helper = true;
                }
                visitor::walk_expr(self, expr);
            }
            // `del stream` or `stream = ...` is not a use of the caller's value.
            Expr::Name(name) if is_stream(expr) && name.ctx.is_load() => self.used = true,
            _ => visitor::walk_expr(self, expr),
        }
    }
}

/// The last name of a callee: `f` in `a.b.f(...)`.
fn dotted_last_name(func: &Expr) -> Option<&str> {
    match func {
        Expr::Name(name) => Some(name.id.as_str()),
        Expr::Attribute(attribute) => Some(attribute.attr.as_str()),
        _ => None,
    }
}

/// `stream` is one of the call's arguments (`f(stream)`, `f(stream=stream)`).
fn passes_stream(call: &ruff_python_ast::ExprCall) -> bool {
    call.arguments.args.iter().any(is_stream)
        || call.arguments.keywords.iter().any(|k| is_stream(&k.value))
}

/// `stream` appears in the expression.
fn mentions_stream(expr: &Expr) -> bool {
    struct Finder(bool);
    impl<'b> Visitor<'b> for Finder {
        fn visit_expr(&mut self, expr: &'b Expr) {
            if is_stream(expr) {
                self.0 = true;
            }
            visitor::walk_expr(self, expr);
        }
    }
    let mut finder = Finder(false);
    finder.visit_expr(expr);
    finder.0
}

/// Only compares `stream` with `None` (`stream is None`, `stream is not None and x`):
/// such a test treats 0 like every other stream.
fn is_none_test(expr: &Expr) -> bool {
    match expr {
        Expr::Compare(compare) => {
            let mut left = &*compare.left;
            compare.ops.iter().zip(&compare.comparators).all(|(op, right)| {
                let pair = (left, right);
                left = right;
                let with_none = matches!(pair, (l, r) if (is_stream(l) && r.is_none_literal_expr()) || (l.is_none_literal_expr() && is_stream(r)));
                let unrelated = !is_stream(pair.0) && !is_stream(pair.1);
                (with_none
                    && matches!(op, CmpOp::Is | CmpOp::IsNot | CmpOp::Eq | CmpOp::NotEq))
                    || unrelated
            })
        }
        Expr::BoolOp(bool_op) => bool_op
            .values
            .iter()
            .all(|value| !mentions_stream(value) || is_none_test(value)),
        _ => !mentions_stream(expr),
    }
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
