#![doc = include_str!("../../rules/AL215.md")]

use ruff_python_ast::{Expr, Stmt, StmtClassDef};
use ruff_text_size::Ranged;

use crate::checker::Checker;
use crate::diagnostic::Diagnostic;
use crate::model::{dotted_name, Member};
use crate::registry::Rule;
use crate::rules::helpers;

/// Built-in exceptions that are not `AttributeError` (nor one of its subclasses).
const OTHER_BUILTIN_EXCEPTIONS: &[&str] = &[
    "Exception",
    "BaseException",
    "NotImplementedError",
    "RuntimeError",
    "TypeError",
    "ValueError",
    "KeyError",
    "IndexError",
    "LookupError",
    "AssertionError",
    "BufferError",
    "MemoryError",
    "OSError",
    "IOError",
    "OverflowError",
    "ArithmeticError",
    "ZeroDivisionError",
    "SystemError",
    "UnicodeError",
];

pub fn check(checker: &mut Checker, member: &Member) {
    let Some(def) = member.function() else {
        return;
    };
    if member.is_declaration {
        return;
    }
    for raise in helpers::leaving_raises(&def.body) {
        let Some(exception) = raise.exc.as_deref().and_then(exception_name) else {
            continue;
        };
        if !is_other_than_attribute_error(checker, &exception, 0) {
            continue;
        }
        checker.report(Diagnostic::new(
            Rule::InterfaceGetterWrongException,
            format!(
                "the `{}` getter raises `{exception}`: only `AttributeError` tells consumers \
                 the interface is not available (NumPy then falls back, `hasattr` returns \
                 False); `{exception}` escapes from `np.asarray` and `hasattr`",
                member.name
            ),
            raise.range(),
        ));
    }
}

/// `raise X(...)`, `raise X`, `raise mod.X(...)`: the exception class's name.
fn exception_name(exc: &Expr) -> Option<String> {
    let class = match exc {
        Expr::Call(call) => &*call.func,
        other => other,
    };
    let name = dotted_name(class)?;
    Some(name.rsplit('.').next().unwrap_or(&name).to_string())
}

/// Whether `name` is known not to be `AttributeError` or a subclass of it: a built-in,
/// or a class of this module whose bases lead to one.
fn is_other_than_attribute_error(checker: &Checker, name: &str, depth: usize) -> bool {
    if name == "AttributeError" || depth > 8 {
        return false;
    }
    if OTHER_BUILTIN_EXCEPTIONS.contains(&name) {
        return true;
    }
    let Some(class) = module_class(checker, name) else {
        return false;
    };
    let Some(arguments) = class.arguments.as_deref() else {
        return false;
    };
    let bases: Vec<String> = arguments.args.iter().filter_map(exception_name).collect();
    // Any base that is (or may be) an AttributeError makes the class one.
    !bases.is_empty()
        && bases
            .iter()
            .all(|base| is_other_than_attribute_error(checker, base, depth + 1))
}

fn module_class<'a>(checker: &Checker<'a>, name: &str) -> Option<&'a StmtClassDef> {
    checker.module.body.iter().find_map(|stmt| match stmt {
        Stmt::ClassDef(class) if class.name.as_str() == name => Some(class),
        _ => None,
    })
}
