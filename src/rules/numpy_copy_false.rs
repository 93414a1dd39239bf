#![doc = include_str!("../../rules/AL602.md")]

use ruff_python_ast::{Expr, Keyword};
use ruff_text_size::{Ranged, TextRange};

use crate::checker::Checker;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::model::CallSite;
use crate::registry::Rule;

/// Keywords that `np.asarray` takes with the same meaning as `np.array`.
const ASARRAY_KEYWORDS: &[&str] = &["dtype", "order", "like"];

pub fn check(checker: &mut Checker, site: &CallSite) {
    if site.guarded {
        return;
    }
    let call = site.call;
    let numpy = &checker.model.numpy;
    let module_alias = match &*call.func {
        Expr::Attribute(attr) if attr.attr.as_str() == "array" => match &*attr.value {
            Expr::Name(base) if numpy.modules.contains(&base.id.as_str()) => Some(base.id.as_str()),
            _ => return,
        },
        Expr::Name(name) if numpy.array_functions.contains(&name.id.as_str()) => None,
        _ => return,
    };
    let keywords = &call.arguments.keywords;
    let Some(index) = keywords.iter().position(|k| {
        k.arg.as_ref().is_some_and(|a| a.as_str() == "copy")
            && matches!(k.value, Expr::BooleanLiteral(ref b) if !b.value)
    }) else {
        return;
    };
    let mut diagnostic = Diagnostic::new(
        Rule::NumpyCopyFalse,
        "`np.array(..., copy=False)` raises `ValueError` in NumPy 2 when a copy is needed; use `np.asarray(...)` for NumPy 1's meaning",
        call.range(),
    );
    if let Some(alias) = module_alias {
        if let Some(fix) = asarray_fix(checker.text, call, alias, &keywords[index], index) {
            diagnostic = diagnostic.with_fix(fix);
        }
    }
    checker.report(diagnostic);
}

/// `np.array(x, copy=False)` -> `np.asarray(x)`, only when `asarray` takes every other
/// argument with the same meaning (one or two positional arguments: object, dtype).
fn asarray_fix(
    text: &str,
    call: &ruff_python_ast::ExprCall,
    alias: &str,
    copy: &Keyword,
    index: usize,
) -> Option<Fix> {
    let arguments = &call.arguments;
    if arguments.args.is_empty() || arguments.args.len() > 2 {
        return None;
    }
    let others_ok = arguments.keywords.iter().enumerate().all(|(i, k)| {
        i == index
            || k.arg
                .as_ref()
                .is_some_and(|a| ASARRAY_KEYWORDS.contains(&a.as_str()))
    });
    if !others_ok || arguments.args.iter().any(|a| a.is_starred_expr()) {
        return None;
    }
    // Remove `copy=False` with the comma before it (the previous argument's end).
    let previous_end = arguments
        .iter_source_order()
        .take_while(|a| a.range() != copy.range())
        .last()
        .map(|a| a.end())?;
    let removal = TextRange::new(previous_end, copy.end());
    // Keep a comment or line break inside the removed span: refuse instead.
    if text.get(removal.to_std_range())?.contains('#') {
        return None;
    }
    Some(Fix {
        applicability: Applicability::Unsafe,
        message: "Replace with `np.asarray(...)`".to_string(),
        edits: vec![
            Edit::replacement(call.func.range(), format!("{alias}.asarray")),
            Edit::replacement(removal, String::new()),
        ],
    })
}
