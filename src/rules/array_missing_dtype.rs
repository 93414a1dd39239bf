#![doc = include_str!("../../rules/AL102.md")]

use ruff_python_ast::StmtFunctionDef;
use ruff_text_size::Ranged;

use crate::checker::Checker;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::model::{Member, MemberKind, ParamKind, Signature};
use crate::registry::Rule;

pub fn check(checker: &mut Checker, member: &Member) {
    let MemberKind::Method { def, binding } = member.kind else {
        return;
    };
    let signature = Signature::of(def, binding);
    if signature.missing_self {
        return;
    }
    // A `dtype` that exists but is keyword-only is AL103's business, whatever sits in the
    // positional slot (one member, one root cause).
    if signature
        .param("dtype")
        .is_some_and(|p| p.kind == ParamKind::KeywordOnly)
    {
        return;
    }
    let first = signature.positional().next();
    let message = match first {
        // NumPy's positional dtype would land in `copy`.
        Some(p) if p.name == "copy" => {
            "`__array__`'s first parameter is `copy`; NumPy passes `dtype` there positionally"
        }
        Some(_) => return,
        None if signature.vararg.is_some() => return,
        None => "`__array__` takes no `dtype` parameter; `np.array(x, dtype=...)` passes it positionally",
    };
    let mut diagnostic = Diagnostic::new(Rule::ArrayMissingDtype, message, member.range);
    if let Some(edit) = dtype_edit(&signature, def) {
        // A declaration (`@abstractmethod`, `@overload`, a stub) is the signature type
        // checkers hold implementations and callers to: changing it is not safe.
        let applicability = if member.is_declaration {
            Applicability::Unsafe
        } else {
            Applicability::Safe
        };
        diagnostic = diagnostic.with_fix(Fix {
            applicability,
            message: "Add `dtype=None`".to_string(),
            edits: vec![edit],
        });
    }
    checker.report(diagnostic);
}

/// Insert `dtype=None` as the first parameter after `self`, only where the result is a
/// valid signature: every positional parameter after it has a default, and no other
/// parameter is named `dtype`.
fn dtype_edit(signature: &Signature, def: &StmtFunctionDef) -> Option<Edit> {
    if signature.param("dtype").is_some() {
        return None;
    }
    let positional: Vec<_> = signature.positional().collect();
    if positional.iter().any(|p| p.default.is_none()) {
        return None;
    }
    if let Some(first) = positional.first() {
        return Some(Edit::insertion(first.range.start(), "dtype=None, "));
    }
    // Only `self`: right after it (before a `/`, which keeps `dtype` positional).
    let parameters = &def.parameters;
    let self_param = parameters.posonlyargs.first().or(parameters.args.first())?;
    Some(Edit::insertion(self_param.end(), ", dtype=None"))
}
