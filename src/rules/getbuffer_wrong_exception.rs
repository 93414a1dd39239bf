#![doc = include_str!("../../rules/AL708.md")]

use ruff_text_size::Ranged;

use crate::checker::Checker;
use crate::diagnostic::Diagnostic;
use crate::model::dotted_name;
use crate::registry::Rule;
use crate::rules::buffer_exporter::{self, Exporter};
use crate::rules::helpers;

/// Exceptions that refuse a request the wrong way: PEP 3118 consumers catch `BufferError`.
const WRONG: &[&str] = &[
    "ValueError",
    "TypeError",
    "RuntimeError",
    "NotImplementedError",
];

pub fn check(checker: &mut Checker, exporter: &Exporter) {
    for raise in helpers::leaving_raises(&exporter.def.body) {
        let Some(exc) = raise.exc.as_deref() else {
            continue;
        };
        let class = match exc {
            ruff_python_ast::Expr::Call(call) => &*call.func,
            other => other,
        };
        let Some(name) = dotted_name(class) else {
            continue;
        };
        let name = buffer_exporter::tail(&name);
        if !WRONG.contains(&name) {
            continue;
        }
        checker.report(Diagnostic::new(
            Rule::GetbufferWrongException,
            format!(
                "`__getbuffer__` refuses the request with `{name}`: PEP 3118 consumers \
                 (`memoryview`, NumPy, Cython) expect `BufferError`; raise `BufferError`"
            ),
            raise.range(),
        ));
    }
}
