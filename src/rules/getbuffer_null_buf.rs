#![doc = include_str!("../../rules/AL710.md")]

use ruff_python_ast::Expr;
use ruff_text_size::Ranged;

use crate::checker::Checker;
use crate::diagnostic::Diagnostic;
use crate::registry::Rule;
use crate::rules::py_buffer::{self, Exporter};

pub fn check(checker: &mut Checker, exporter: &Exporter) {
    let buffer = exporter.buffer;
    let message = format!(
        "`{buffer}.buf` is set to NULL: consumers may refuse a NULL pointer even for an empty \
         export (Arrow ARROW-16048); point it at a valid address (a static empty byte, the \
         object's own storage)"
    );
    let mut ranges = Vec::new();
    for store in exporter.stores_of("buf") {
        let value = py_buffer::strip_cast(store.value);
        let null = match value {
            Expr::If(e) => {
                py_buffer::is_null(checker, &e.body) || py_buffer::is_null(checker, &e.orelse)
            }
            other => py_buffer::is_null(checker, other) || py_buffer::is_null(checker, store.value),
        };
        if null {
            ranges.push(store.range);
        }
    }
    for call in exporter.fill_info_calls() {
        if call
            .arguments
            .args
            .get(2)
            .is_some_and(|buf| py_buffer::is_null(checker, buf))
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
