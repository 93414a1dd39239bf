#![doc = include_str!("../../rules/AL402.md")]

use ruff_python_ast::{Expr, StmtClassDef};
use ruff_text_size::Ranged;

use crate::checker::Checker;
use crate::diagnostic::Diagnostic;
use crate::model::{dotted_name, ClassInfo, Member, MemberKind, Model};
use crate::registry::Rule;

/// Bases that are known to define neither member.
const EMPTY_BASES: &[&str] = &["object", "ABC", "Generic"];

/// Inheritance deeper than this (or a cycle of reused names) is treated as unknown.
const MAX_DEPTH: usize = 16;

pub fn check(checker: &mut Checker, class: &ClassInfo) {
    let (present, absent) = match (
        class.member("__dlpack__"),
        class.member("__dlpack_device__"),
    ) {
        (Some(member), None) => (member, "__dlpack_device__"),
        (None, Some(member)) => (member, "__dlpack__"),
        _ => return,
    };
    // `__dlpack__ = None` says "no DLPack export": nothing to pair.
    if opts_out(present) {
        return;
    }
    let model = checker.model;
    // A mixin: the class that inherits it may bring the other half.
    if model.classes.iter().any(|other| {
        base_names(other.def)
            .flatten()
            .any(|base| base.rsplit('.').next() == Some(class.def.name.as_str()))
    }) {
        return;
    }
    if !inherits_nothing_named(model, class.def, absent, 0) {
        return;
    }
    checker.report(Diagnostic::new(
        Rule::DlpackMissingPair,
        format!(
            "`{}` is defined without `{absent}`; `from_dlpack` consumers need both (they ask `__dlpack_device__()` where the data is before calling `__dlpack__`)",
            present.name
        ),
        present.range,
    ));
}

fn opts_out(member: &Member) -> bool {
    matches!(
        member.kind,
        MemberKind::Attribute {
            value: Expr::NoneLiteral(_)
        }
    )
}

/// Each base's dotted name (`np.ndarray`), `None` for a base that is not one (a call,
/// `*bases`). `Generic[T]` counts as `Generic`.
fn base_names(class: &StmtClassDef) -> impl Iterator<Item = Option<String>> + '_ {
    class
        .arguments
        .as_deref()
        .into_iter()
        .flat_map(|arguments| arguments.args.iter())
        .map(|base| {
            let base = match base {
                Expr::Subscript(subscript) => &*subscript.value,
                other => other,
            };
            dotted_name(base)
        })
}

/// Whether the class's bases are all known (defined in this file, or known to be empty)
/// and none of them defines `name`: only then is the member surely missing.
fn inherits_nothing_named(model: &Model, class: &StmtClassDef, name: &str, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    base_names(class).all(|base| {
        let Some(base) = base else {
            return false;
        };
        let tail = base.rsplit('.').next().unwrap_or(&base);
        if EMPTY_BASES.contains(&tail) {
            return true;
        }
        // `module.Base` lives in another file.
        if base.contains('.') {
            return false;
        }
        // The base as defined in this file: the last definition before the class.
        let Some(parent) = model
            .classes
            .iter()
            .filter(|c| c.def.name.as_str() == base && c.def.start() < class.start())
            .last()
        else {
            return false;
        };
        parent.member(name).is_none() && inherits_nothing_named(model, parent.def, name, depth + 1)
    })
}
