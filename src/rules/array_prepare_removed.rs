#![doc = include_str!("../../rules/AL502.md")]

use ruff_text_size::Ranged;

use crate::checker::Checker;
use crate::diagnostic::Diagnostic;
use crate::model::{ClassInfo, Member};
use crate::registry::Rule;

pub fn check(checker: &mut Checker, class: &ClassInfo, member: &Member) {
    // Defined under an `if`/`try` (typically a NumPy version test): kept on purpose for
    // NumPy 1.x, where it still runs.
    if !class
        .def
        .body
        .iter()
        .any(|stmt| stmt.range() == member.stmt_range)
    {
        return;
    }
    // The class calls it itself (from its `__array_wrap__`, say): not waiting for NumPy.
    if class_reads_attribute(&class.def.body, "__array_prepare__") {
        return;
    }
    checker.report(Diagnostic::new(
        Rule::ArrayPrepareRemoved,
        "`__array_prepare__` was removed in NumPy 2.0 and is never called; move its work to `__array_wrap__` or `__array_ufunc__`",
        member.range,
    ));
}

/// Whether the class body reads `<expr>.NAME` anywhere (e.g. `self.__array_prepare__(...)`).
fn class_reads_attribute(body: &[ruff_python_ast::Stmt], name: &str) -> bool {
    use ruff_python_ast::visitor::{self, Visitor};
    use ruff_python_ast::Expr;
    struct Reads<'n> {
        name: &'n str,
        found: bool,
    }
    impl<'b> Visitor<'b> for Reads<'_> {
        fn visit_expr(&mut self, expr: &'b Expr) {
            if let Expr::Attribute(attribute) = expr {
                if attribute.attr.as_str() == self.name {
                    self.found = true;
                    return;
                }
            }
            visitor::walk_expr(self, expr);
        }
    }
    let mut reads = Reads { name, found: false };
    reads.visit_body(body);
    reads.found
}
