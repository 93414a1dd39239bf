#![doc = include_str!("../../rules/AL703.md")]

use ruff_python_ast::{Expr, ExprContext, Stmt, StmtFunctionDef};
use ruff_text_size::{Ranged, TextRange};

use crate::checker::Checker;
use crate::diagnostic::Diagnostic;
use crate::registry::Rule;
use crate::rules::buffer_exporter::{self, Exporter, Store};

/// The fields that point at memory the consumer reads after `__getbuffer__` returned.
const POINTER_FIELDS: &[&str] = &["buf", "shape", "strides", "suboffsets", "format"];

/// Calls that make a new Python object (whose memory a `char *` may point into).
const FRESH_METHODS: &[&str] = &["encode", "tobytes", "tostring"];
const FRESH_FUNCTIONS: &[&str] = &[
    "bytes",
    "bytearray",
    "PyBytes_FromString",
    "PyBytes_FromStringAndSize",
    "PyByteArray_FromStringAndSize",
];
/// Calls that hand out a pointer into a bytes-like object.
const POINTER_INTO: &[&str] = &[
    "PyBytes_AsString",
    "PyBytes_AS_STRING",
    "PyByteArray_AsString",
    "PyByteArray_AS_STRING",
];

pub fn check(checker: &mut Checker, exporter: &Exporter) {
    let pointer_stores: Vec<Store> = exporter
        .stores
        .iter()
        .filter(|s| POINTER_FIELDS.contains(&s.field))
        .copied()
        .collect();
    if pointer_stores.is_empty() {
        return;
    }
    let locals = buffer_exporter::locals(checker, exporter.def);
    for store in &pointer_stores {
        let Some(what) = dangling(checker, exporter, store, &locals, &pointer_stores) else {
            continue;
        };
        checker.report(Diagnostic::new(
            Rule::GetbufferDanglingMetadata,
            format!(
                "`{}.{}` points into {what}, which dies when `__getbuffer__` returns: the \
                 consumer reads freed memory; store it on the object (or in `{}.internal`, \
                 freed in `__releasebuffer__`)",
                exporter.buffer, store.field, exporter.buffer
            ),
            store.range,
        ));
    }
}

/// What the stored pointer points into, when that dies with the call.
fn dangling(
    checker: &Checker,
    exporter: &Exporter,
    store: &Store,
    locals: &[buffer_exporter::Local],
    pointer_stores: &[Store],
) -> Option<String> {
    if let Some(target) = buffer_exporter::address_of(checker, store.value) {
        let (name, element) = match target {
            Expr::Name(n) => (n.id.as_str(), false),
            Expr::Subscript(s) => match &*s.value {
                Expr::Name(n) => (n.id.as_str(), true),
                _ => return None,
            },
            _ => return None,
        };
        let local = buffer_exporter::local(locals, name)?;
        // `&p[0]` of a local pointer points where the pointer does.
        if element && !local.array {
            return None;
        }
        return Some(format!("the local `{name}`"));
    }
    let value = buffer_exporter::strip_cast(store.value);
    if let Expr::Name(n) = value {
        if buffer_exporter::local(locals, n.id.as_str()).is_some_and(|l| l.array) {
            return Some(format!("the local array `{}`", n.id));
        }
    }
    // A Python object made in the call and kept nowhere: the pointer into it.
    let object = match value {
        Expr::Name(n) => n,
        Expr::Call(call)
            if buffer_exporter::callee_tail(call).is_some_and(|f| POINTER_INTO.contains(&f)) =>
        {
            match call.arguments.args.first().map(buffer_exporter::strip_cast) {
                Some(Expr::Name(n)) => n,
                _ => return None,
            }
        }
        _ => return None,
    };
    let name = object.id.as_str();
    is_temporary(exporter.def, name, pointer_stores)
        .then(|| format!("`{name}`, a Python object made in the call and stored nowhere"))
}

/// Whether `name` is bound once, to a new object, and read only where a pointer into it is
/// stored in the buffer (or by `len()`): nothing keeps the object alive.
fn is_temporary(def: &StmtFunctionDef, name: &str, pointer_stores: &[Store]) -> bool {
    let mut bindings = 0usize;
    let mut fresh = false;
    let mut others = false;
    buffer_exporter::any_stmt(&def.body, &mut |stmt| {
        match stmt {
            Stmt::Assign(assign) => {
                for target in &assign.targets {
                    if matches!(target, Expr::Name(n) if n.id.as_str() == name) {
                        bindings += 1;
                        fresh = assign.targets.len() == 1 && is_fresh(&assign.value);
                    }
                }
            }
            Stmt::AnnAssign(assign) => {
                if matches!(&*assign.target, Expr::Name(n) if n.id.as_str() == name) {
                    bindings += 1;
                    fresh = assign.value.as_deref().is_some_and(is_fresh);
                }
            }
            // Any other binding (a loop target, `with ... as`, `global`): not judged.
            Stmt::For(_)
            | Stmt::With(_)
            | Stmt::Global(_)
            | Stmt::Nonlocal(_)
            | Stmt::AugAssign(_) => {
                others |= binds_elsewhere(stmt, name);
            }
            _ => {}
        }
        false
    });
    if bindings != 1 || !fresh || others || def.parameters.iter().any(|p| p.name().as_str() == name)
    {
        return false;
    }
    let allowed: Vec<TextRange> = pointer_stores.iter().map(|s| s.value.range()).collect();
    let mut len_calls: Vec<TextRange> = Vec::new();
    buffer_exporter::any_expr(&def.body, &mut |e| {
        if let Expr::Call(call) = e {
            if matches!(&*call.func, Expr::Name(f) if f.id.as_str() == "len") {
                len_calls.push(call.arguments.range());
            }
        }
        false
    });
    let kept = buffer_exporter::any_expr(&def.body, &mut |e| match e {
        Expr::Name(n) if n.id.as_str() == name && n.ctx == ExprContext::Load => {
            let at = n.range();
            !allowed
                .iter()
                .chain(&len_calls)
                .any(|r| r.contains_range(at))
        }
        _ => false,
    });
    !kept
}

/// A call that makes a new object: `s.encode()`, `a.tobytes()`, `bytes(...)`.
fn is_fresh(value: &Expr) -> bool {
    let Expr::Call(call) = buffer_exporter::strip_cast(value) else {
        return false;
    };
    match &*call.func {
        Expr::Attribute(a) => FRESH_METHODS.contains(&a.attr.as_str()),
        Expr::Name(n) => FRESH_FUNCTIONS.contains(&n.id.as_str()),
        _ => false,
    }
}

/// Whether a compound or scoping statement binds `name` (as a loop or `with` target, or
/// by declaring it global).
fn binds_elsewhere(stmt: &Stmt, name: &str) -> bool {
    let is_name = |e: &Expr| buffer_exporter::reads_name(e, name);
    match stmt {
        Stmt::For(f) => is_name(&f.target),
        Stmt::With(w) => w
            .items
            .iter()
            .any(|i| i.optional_vars.as_deref().is_some_and(is_name)),
        Stmt::Global(g) => g.names.iter().any(|n| n.as_str() == name),
        Stmt::Nonlocal(g) => g.names.iter().any(|n| n.as_str() == name),
        Stmt::AugAssign(a) => is_name(&a.target),
        _ => false,
    }
}
