#![doc = include_str!("../../rules/AL706.md")]

use ruff_python_ast::{Expr, ExprContext, Operator, Stmt};

use crate::checker::Checker;
use crate::diagnostic::Diagnostic;
use crate::model::{dotted_name, ClassInfo, Member, MemberKind};
use crate::registry::Rule;
use crate::rules::py_buffer::{self, Exporter};

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
    let exported = exported_attributes(exporter);
    if exported.is_empty() {
        return;
    }
    let Some((name, what)) = first_mutator(class, &exported) else {
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

/// The dotted `self.` paths the export's pointer and length come from (`self.data`,
/// `self.pk.length`), from stores and from `PyBuffer_FillInfo`'s arguments.
fn exported_attributes(exporter: &Exporter) -> Vec<String> {
    let mut values: Vec<&Expr> = exporter
        .stores
        .iter()
        .filter(|s| matches!(s.field, "buf" | "len"))
        .map(|s| s.value)
        .collect();
    for call in exporter.fill_info_calls() {
        values.extend(call.arguments.args.get(2..4).into_iter().flatten());
    }
    let mut paths = Vec::new();
    for value in values {
        py_buffer::any_in(value, &mut |e| {
            paths.extend(self_path(e));
            false
        });
    }
    paths.sort();
    paths.dedup();
    // The walk also meets `self.pk` inside `self.pk.buf`: only the whole chain counts.
    let whole: Vec<String> = paths
        .iter()
        .filter(|p| !paths.iter().any(|q| q.starts_with(&format!("{p}."))))
        .cloned()
        .collect();
    whole
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

/// The first method of the class that reallocates, frees or reassigns an exported
/// attribute: its name and what it does.
fn first_mutator(class: &ClassInfo, exported: &[String]) -> Option<(String, String)> {
    for member in &class.members {
        let MemberKind::Method { def, .. } = member.kind else {
            continue;
        };
        if NOT_MUTATORS.contains(&member.name) {
            continue;
        }
        let mut what = None;
        py_buffer::any_stmt(&def.body, &mut |stmt| {
            let targets: Vec<&Expr> = match stmt {
                Stmt::Assign(a) => a.targets.iter().collect(),
                Stmt::AugAssign(a) => vec![&*a.target],
                Stmt::AnnAssign(a) => vec![&*a.target],
                _ => Vec::new(),
            };
            for target in targets {
                if let Some(path) = self_path(target).filter(|p| exported.contains(p)) {
                    what = Some(format!("assigns `{path}`"));
                    return true;
                }
            }
            false
        });
        if what.is_none() {
            py_buffer::any_expr(&def.body, &mut |e| {
                let Expr::Call(call) = e else {
                    return false;
                };
                let Some(callee) = py_buffer::callee_tail(call) else {
                    return false;
                };
                if !REALLOCATING.contains(&callee) {
                    return false;
                }
                let Some(path) = call
                    .arguments
                    .args
                    .first()
                    .and_then(|a| self_path(py_buffer::strip_cast(a)))
                    .filter(|p| exported.contains(p))
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
    py_buffer::any_stmt(body, &mut |stmt| {
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
            && py_buffer::any_expr(&def.body, &mut |e| {
                matches!(e, Expr::Attribute(a) if a.ctx == ExprContext::Load)
                    && self_path(e).is_some_and(|p| p == path)
            })
    })
}
