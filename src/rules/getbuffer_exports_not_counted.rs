#![doc = include_str!("../../rules/AL706.md")]

use ruff_python_ast::{Expr, ExprContext, Operator, Stmt};
use ruff_text_size::Ranged;

use crate::checker::Checker;
use crate::diagnostic::Diagnostic;
use crate::model::{dotted_name, ClassInfo, Member, MemberKind};
use crate::registry::Rule;
use crate::rules::buffer_exporter::{self, Exporter};

/// Calls that move or free memory: their first argument's old pointer dies.
const REALLOCATING: &[&str] = &[
    "realloc",
    "free",
    "PyMem_Realloc",
    "PyMem_Free",
    "PyMem_RawRealloc",
    "PyMem_RawFree",
    "PyObject_Realloc",
    "PyObject_Free",
];

/// Methods that run when no view can be alive (construction, destruction) or are the
/// buffer slots themselves.
const NOT_MUTATORS: &[&str] = &[
    "__getbuffer__",
    "__releasebuffer__",
    "__cinit__",
    "__init__",
    "__dealloc__",
    "__del__",
];

pub fn check(checker: &mut Checker, class: &ClassInfo, member: &Member, exporter: &Exporter) {
    let exported = Exported::of(exporter);
    if exported.data.is_empty() && exported.len.is_empty() {
        return;
    }
    let Some((name, what)) = first_mutator(checker, class, &exported) else {
        return;
    };
    let counter = counter(exporter, class);
    let message = match counter {
        None => format!(
            "`{name}` {what}, which `__getbuffer__` exports, but no count of live exports \
             is kept (`self.exports += 1` in `__getbuffer__`, `-= 1` in \
             `__releasebuffer__`): a live view reads freed memory; refuse to resize while \
             views are alive"
        ),
        Some(counter) if !read_elsewhere(class, &counter) => format!(
            "`{name}` {what}, which `__getbuffer__` exports, but never checks the export \
             count `self.{counter}`: a live view reads freed memory; raise `BufferError` \
             while `self.{counter} > 0`"
        ),
        Some(_) => return,
    };
    checker.report(Diagnostic::new(
        Rule::GetbufferExportsNotCounted,
        message,
        member.range,
    ));
}

/// What `__getbuffer__` exports: the dotted `self.` paths its pointer and its length come
/// from (`self.data`, `self.pk.length`), from stores and from `PyBuffer_FillInfo`'s
/// arguments.
struct Exported {
    data: Vec<String>,
    len: Vec<String>,
}

impl Exported {
    fn of(exporter: &Exporter) -> Exported {
        let fill_infos: Vec<_> = exporter.fill_info_calls().collect();
        let values = |field: &str, argument: usize| -> Vec<String> {
            let mut values: Vec<&Expr> = exporter
                .stores
                .iter()
                .filter(|s| s.field == field)
                .map(|s| s.value)
                .collect();
            values.extend(
                fill_infos
                    .iter()
                    .filter_map(|c| c.arguments.args.get(argument)),
            );
            whole_paths(&values)
        };
        Exported {
            data: values("buf", 2),
            len: values("len", 3),
        }
    }
}

/// The `self.` chains read in the values (only whole chains: not `self.pk` of
/// `self.pk.buf`).
fn whole_paths(values: &[&Expr]) -> Vec<String> {
    let mut paths = Vec::new();
    for value in values {
        buffer_exporter::any_in(value, &mut |e| {
            paths.extend(self_path(e));
            false
        });
    }
    paths.sort();
    paths.dedup();
    paths
        .iter()
        .filter(|p| !paths.iter().any(|q| q.starts_with(&format!("{p}."))))
        .cloned()
        .collect()
}

/// `self.a.b` as text, for an attribute chain on `self` (not a deeper part of a longer
/// one: `self.a` of `self.a.b` is not its own path).
fn self_path(expr: &Expr) -> Option<String> {
    let Expr::Attribute(_) = expr else {
        return None;
    };
    let path = dotted_name(expr)?;
    path.starts_with("self.").then_some(path)
}

/// The first method of the class that frees, reallocates or replaces the exported memory:
/// its name and what it does. That is a `realloc`/`free` of the data pointer; a store of
/// the data attribute unless it is a C value (a pointer or an address moved elsewhere
/// frees nothing; a Python object replaced may die); a store of 0 to the length (a reset: the next write
/// reuses the memory the views see). Other stores of the length only change what later
/// exports say.
fn first_mutator(
    checker: &Checker,
    class: &ClassInfo,
    exported: &Exported,
) -> Option<(String, String)> {
    let c_value = |path: &str| {
        let Some(cython) = checker.cython else {
            return false;
        };
        let Some(field) = path.strip_prefix("self.").filter(|f| !f.contains('.')) else {
            return false;
        };
        cython
            .within(class.def.range())
            .any(|d| !d.parameter && d.name == field && is_c_value(&d.ctype))
    };
    for member in &class.members {
        let MemberKind::Method { def, .. } = member.kind else {
            continue;
        };
        if NOT_MUTATORS.contains(&member.name) {
            continue;
        }
        let mut what = None;
        buffer_exporter::any_stmt(&def.body, &mut |stmt| {
            let (targets, value): (Vec<&Expr>, Option<&Expr>) = match stmt {
                Stmt::Assign(a) => (a.targets.iter().collect(), Some(&a.value)),
                Stmt::AnnAssign(a) => (vec![&*a.target], a.value.as_deref()),
                _ => return false,
            };
            for target in targets {
                let Some(path) = self_path(target) else {
                    continue;
                };
                let replaces_data = exported.data.contains(&path) && !c_value(&path);
                let resets_len = exported.len.contains(&path)
                    && value
                        .and_then(|v| buffer_exporter::literal_int(buffer_exporter::strip_cast(v)))
                        == Some(0);
                if replaces_data || resets_len {
                    what = Some(format!("assigns `{path}`"));
                    return true;
                }
            }
            false
        });
        if what.is_none() {
            buffer_exporter::any_expr(&def.body, &mut |e| {
                let Expr::Call(call) = e else {
                    return false;
                };
                let Some(callee) = buffer_exporter::callee_tail(call) else {
                    return false;
                };
                if !REALLOCATING.contains(&callee) {
                    return false;
                }
                let Some(path) = call
                    .arguments
                    .args
                    .first()
                    .and_then(|a| self_path(buffer_exporter::strip_cast(a)))
                    .filter(|p| exported.data.contains(p))
                else {
                    return false;
                };
                what = Some(format!("calls `{callee}` on `{path}`"));
                true
            });
        }
        if let Some(what) = what {
            return Some((member.name.to_string(), what));
        }
    }
    None
}

/// The export counter: an attribute `__getbuffer__` increments and `__releasebuffer__`
/// decrements.
fn counter(exporter: &Exporter, class: &ClassInfo) -> Option<String> {
    let increments = steps(&exporter.def.body, Operator::Add);
    let release = class.member("__releasebuffer__")?.function()?;
    let decrements = steps(&release.body, Operator::Sub);
    increments.into_iter().find(|i| decrements.contains(i))
}

/// The attributes of `self` a body steps by one: `self.x += 1` (or `-=`).
fn steps(body: &[Stmt], op: Operator) -> Vec<String> {
    let mut found = Vec::new();
    buffer_exporter::any_stmt(body, &mut |stmt| {
        if let Stmt::AugAssign(a) = stmt {
            if a.op == op {
                if let Some(path) = self_path(&a.target) {
                    found.push(path.trim_start_matches("self.").to_string());
                }
            }
        }
        false
    });
    found
}

/// Whether a method other than the buffer slots reads `self.<counter>` (a check of it).
fn read_elsewhere(class: &ClassInfo, counter: &str) -> bool {
    let path = format!("self.{counter}");
    class.members.iter().any(|member| {
        let MemberKind::Method { def, .. } = member.kind else {
            return false;
        };
        !matches!(member.name, "__getbuffer__" | "__releasebuffer__")
            && buffer_exporter::any_expr(&def.body, &mut |e| {
                matches!(e, Expr::Attribute(a) if a.ctx == ExprContext::Load)
                    && self_path(e).is_some_and(|p| p == path)
            })
    })
}

/// A C pointer or a C scalar (an address kept as `intptr_t`): storing another one frees
/// nothing. Python objects, typed memoryviews and unknown types are not.
fn is_c_value(ctype: &crate::source::cython::CType) -> bool {
    const SCALARS: &[&str] = &[
        "char",
        "short",
        "int",
        "long",
        "float",
        "double",
        "bint",
        "size_t",
        "Py_ssize_t",
        "Py_intptr_t",
        "Py_uintptr_t",
    ];
    if ctype.memoryview {
        return false;
    }
    let base = ctype.base.rsplit(' ').next().unwrap_or(&ctype.base);
    ctype.pointers > 0 || SCALARS.contains(&base) || base.ends_with("_t")
}
