#![doc = include_str!("../../rules/AL702.md")]

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{Expr, Stmt};

use crate::checker::Checker;
use crate::diagnostic::Diagnostic;
use crate::registry::Rule;
use crate::rules::buffer_exporter::{self, Exporter};

/// Request flags whose value includes the `PyBUF_WRITABLE` bit.
const WRITABLE_FLAGS: &[&str] = &[
    "PyBUF_WRITABLE",
    "PyBUF_WRITEABLE",
    "PyBUF_CONTIG",
    "PyBUF_STRIDED",
    "PyBUF_RECORDS",
    "PyBUF_FULL",
];

pub fn check(checker: &mut Checker, exporter: &Exporter) {
    let read_only: Vec<_> = exporter
        .stores_of("readonly")
        .filter(|store| {
            buffer_exporter::literal_int(buffer_exporter::strip_cast(store.value)) == Some(1)
        })
        .copied()
        .collect();
    if read_only.is_empty() || considers_writable(exporter) {
        return;
    }
    for store in read_only {
        checker.report(Diagnostic::new(
            Rule::GetbufferWritableNotRefused,
            format!(
                "the export is read-only but `__getbuffer__` does not refuse a `PyBUF_WRITABLE` \
                 request: consumers that ask for writable memory get read-only memory and \
                 write to it; `if {} & PyBUF_WRITABLE: raise BufferError(...)`",
                exporter.flags.unwrap_or("flags")
            ),
            store.range,
        ));
    }
}

/// Whether the method may refuse writable requests: it names a flag with the writable bit,
/// hands the flags to a call (`PyBuffer_FillInfo` refuses by itself, a helper may), or
/// raises under a test of the flags that is not only about other bits.
fn considers_writable(exporter: &Exporter) -> bool {
    let body = &exporter.def.body;
    if WRITABLE_FLAGS
        .iter()
        .any(|f| buffer_exporter::mentions(body, f))
        || exporter.passes_flags()
    {
        return true;
    }
    let Some(flags) = exporter.flags else {
        return false;
    };
    struct Tests<'f> {
        flags: &'f str,
        found: bool,
    }
    impl<'b> Visitor<'b> for Tests<'_> {
        fn visit_stmt(&mut self, stmt: &'b Stmt) {
            match stmt {
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
                // `assert` refuses too (with AssertionError, and not under `-O`).
                Stmt::Assert(assert) if may_test_writable(&assert.test, self.flags) => {
                    self.found = true;
                }
                Stmt::If(if_stmt) => {
                    let tests = std::iter::once((Some(&*if_stmt.test), &if_stmt.body)).chain(
                        if_stmt
                            .elif_else_clauses
                            .iter()
                            .map(|c| (c.test.as_ref(), &c.body)),
                    );
                    for (test, body) in tests {
                        if test.is_some_and(|t| may_test_writable(t, self.flags))
                            && buffer_exporter::raises_somewhere(body)
                        {
                            self.found = true;
                        }
                    }
                    visitor::walk_stmt(self, stmt);
                }
                _ => visitor::walk_stmt(self, stmt),
            }
        }
    }
    let mut tests = Tests {
        flags,
        found: false,
    };
    tests.visit_body(body);
    tests.found
}

/// A test that reads the flags other than as `flags & PyBUF_X` (`flags & 1`, `flags &
/// mask`, `flags` passed on): it may test the writable bit. (A flag with the writable bit
/// was looked for already.)
fn may_test_writable(test: &Expr, flags: &str) -> bool {
    buffer_exporter::reads_name(test, flags) && !only_known_flags(test, flags)
}

/// Whether every use of the flags in the test is `flags & PyBUF_<something>`.
fn only_known_flags(test: &Expr, flags: &str) -> bool {
    let mut uses = 0usize;
    let mut known = 0usize;
    buffer_exporter::any_in(test, &mut |e| {
        match e {
            Expr::Name(n) if n.id.as_str() == flags => uses += 1,
            Expr::BinOp(b) if b.op == ruff_python_ast::Operator::BitAnd => {
                let pair = [(&b.left, &b.right), (&b.right, &b.left)];
                for (this, other) in pair {
                    if matches!(&**this, Expr::Name(n) if n.id.as_str() == flags)
                        && crate::model::dotted_name(other)
                            .is_some_and(|name| buffer_exporter::tail(&name).starts_with("PyBUF_"))
                    {
                        known += 1;
                    }
                }
            }
            _ => {}
        }
        false
    });
    uses == known
}
