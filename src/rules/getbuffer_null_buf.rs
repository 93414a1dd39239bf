#![doc = include_str!("../../rules/AL710.md")]

use ruff_python_ast::{Expr, Stmt};
use ruff_text_size::Ranged;

use crate::checker::Checker;
use crate::diagnostic::Diagnostic;
use crate::model::compound_bodies;
use crate::registry::Rule;
use crate::rules::buffer_exporter::{self, Exporter};

pub fn check(checker: &mut Checker, exporter: &Exporter) {
    let buffer = exporter.buffer;
    let message = format!(
        "`{buffer}.buf` is set to NULL: consumers may refuse a NULL pointer even for an empty \
         export (Arrow ARROW-16048); point it at a valid address (a static empty byte, the \
         object's own storage)"
    );
    let mut ranges = Vec::new();
    let overwritten = overwritten_or_refused(exporter);
    for store in exporter.stores_of("buf") {
        if overwritten.contains(&store.range) {
            continue;
        }
        if may_be_null(checker, store.value) {
            ranges.push(store.range);
        }
    }
    for call in exporter.fill_info_calls() {
        if call
            .arguments
            .args
            .get(2)
            .is_some_and(|buf| may_be_null(checker, buf))
        {
            ranges.push(call.range());
        }
    }
    for range in ranges {
        checker.report(Diagnostic::new(
            Rule::GetbufferNullBuf,
            message.clone(),
            range,
        ));
    }
}

/// The stores of `buf` that a later statement of the same block stores again, or that a
/// `raise` follows (an initial `NULL`, the state of a refused request): no export has them.
fn overwritten_or_refused(exporter: &Exporter) -> Vec<ruff_text_size::TextRange> {
    fn walk(exporter: &Exporter, body: &[Stmt], out: &mut Vec<ruff_text_size::TextRange>) {
        let stores_buf = |stmt: &Stmt| match stmt {
            Stmt::Assign(a) => a.targets.iter().any(|t| exporter.is_field(t, "buf")),
            _ => false,
        };
        for (i, stmt) in body.iter().enumerate() {
            if stores_buf(stmt)
                && body[i + 1..]
                    .iter()
                    .any(|later| stores_buf(later) || matches!(later, Stmt::Raise(_)))
            {
                out.push(stmt.range());
            }
            for nested in compound_bodies(stmt) {
                walk(exporter, nested, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(exporter, &exporter.def.body, &mut out);
    out
}

/// `NULL`, or a conditional expression with `NULL` in a branch (`NULL if n == 0 else p`).
fn may_be_null(checker: &Checker, value: &Expr) -> bool {
    match buffer_exporter::strip_cast(value) {
        Expr::If(e) => {
            buffer_exporter::is_null(checker, &e.body)
                || buffer_exporter::is_null(checker, &e.orelse)
        }
        _ => buffer_exporter::is_null(checker, value),
    }
}
