#![doc = include_str!("../../rules/AL711.md")]

use crate::checker::Checker;
use crate::diagnostic::Diagnostic;
use crate::model::{dotted_name, ClassInfo, Member};
use crate::registry::Rule;

/// Python 2's buffer slots, which Python 3 never calls.
pub const LEGACY: &[&str] = &[
    "__getreadbuffer__",
    "__getwritebuffer__",
    "__getsegcount__",
    "__getcharbuffer__",
];

/// Reports a legacy slot, or a `__getbuffer__` that fills no slot; returns whether it did
/// (or would, were the rule enabled): the other buffer rules then say nothing about the
/// method (one member, one root cause).
pub fn check(checker: &mut Checker, class: &ClassInfo, member: &Member) -> bool {
    let message = if LEGACY.contains(&member.name) {
        format!(
            "`{}` is a Python 2 buffer slot, which Python 3 never calls; implement \
             `__getbuffer__` (and `__releasebuffer__`)",
            member.name
        )
    } else if member.name == "__getbuffer__" && !fills_slot(checker, class) {
        "`__getbuffer__` fills the buffer slot of a `cdef class` only; in this class it is \
         an ordinary method that Python never calls: make the class a `cdef class` (or \
         `@cython.cclass`), or implement PEP 688's `__buffer__` in Python"
            .to_string()
    } else {
        return false;
    };
    checker.report(Diagnostic::new(
        Rule::LegacyBufferMethod,
        message,
        member.range,
    ));
    true
}

/// Whether `__getbuffer__` in this class may fill the buffer slot: the class is a `cdef
/// class` (Cython), `@cython.cclass` (pure mode), or may be declared one in the module's
/// augmenting `.pxd` (a `.pxd` beside a `.py` file).
fn fills_slot(checker: &Checker, class: &ClassInfo) -> bool {
    if let Some(cython) = checker.cython {
        return cython.is_cdef_class(class.def.name.range);
    }
    let cclass = class.def.decorator_list.iter().any(|decorator| {
        let expr = match &decorator.expression {
            ruff_python_ast::Expr::Call(call) => &*call.func,
            other => other,
        };
        dotted_name(expr).is_some_and(|name| matches!(name.as_str(), "cython.cclass" | "cclass"))
    });
    // Stubs declare what an extension module (Cython or C) defines.
    cclass || checker.is_stub() || checker.path.with_extension("pxd").is_file()
}

#[cfg(test)]
mod tests {
    use crate::registry::{Rule, RuleSet};

    const PURE: &str = "import cython\n\nclass Exporter:\n    def __getbuffer__(self, buffer: cython.pointer(Py_buffer), flags: cython.int):\n        buffer.obj = self\n";

    fn al711(dir: &std::path::Path) -> usize {
        let rules: RuleSet = [Rule::LegacyBufferMethod].into_iter().collect();
        crate::lint_source(PURE, &dir.join("exporter.py"), rules).len()
    }

    #[test]
    fn an_augmenting_pxd_may_make_the_class_a_cdef_class() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        assert_eq!(al711(dir.path()), 1);
        std::fs::write(
            dir.path().join("exporter.pxd"),
            "cdef class Exporter:\n    pass\n",
        )
        .expect("the .pxd is written");
        assert_eq!(al711(dir.path()), 0);
    }
}
