#![doc = include_str!("../../rules/AL707.md")]

use ruff_python_ast::{Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};

use crate::checker::Checker;
use crate::diagnostic::Diagnostic;
use crate::model::{dotted_name, ClassInfo};
use crate::registry::Rule;
use crate::rules::buffer_exporter::{self, Exporter};

const FREEING: &[&str] = &["free", "PyMem_Free", "PyMem_RawFree", "PyObject_Free"];

/// Calls that allocate: a `buf` from one of them is the view's own copy.
const ALLOCATING: &[&str] = &[
    "malloc",
    "calloc",
    "realloc",
    "PyMem_Malloc",
    "PyMem_Calloc",
    "PyMem_Realloc",
    "PyMem_RawMalloc",
    "PyMem_RawCalloc",
    "PyMem_RawRealloc",
    "PyObject_Malloc",
    "PyObject_Calloc",
    "PyObject_Realloc",
];

/// Calls that only reach the object's data (a C++ `data()`, a smart pointer's `get()`).
const ACCESSORS: &[&str] = &["data", "get"];

pub fn check(checker: &mut Checker, class: &ClassInfo, release: &Exporter) {
    // What the release frees is the object's data only where `__getbuffer__` exports the
    // object's data: it is read from `self`, not allocated for the view.
    let Some((_, getbuffer)) = buffer_exporter::sibling(class, "__getbuffer__") else {
        return;
    };
    let mut buf_sources: Vec<&Expr> = getbuffer
        .stores_of("buf")
        .map(|s| buffer_exporter::strip_cast(s.value))
        .collect();
    for call in getbuffer.fill_info_calls() {
        buf_sources.extend(call.arguments.args.get(2).map(buffer_exporter::strip_cast));
    }
    if buf_sources.is_empty() {
        return;
    }
    let allocates = |e: &Expr| {
        buffer_exporter::any_in(
            e,
            &mut |inner| matches!(inner, Expr::Call(c) if buffer_exporter::callee_tail(c).is_some_and(|f| ALLOCATING.contains(&f))),
        )
    };
    // Read from `self` through attributes and accessors (`self.data`,
    // `self.tp.data().get().data()`); any other call may make a copy for the view.
    let only_accessors = |e: &Expr| {
        !buffer_exporter::any_in(
            e,
            &mut |inner| matches!(inner, Expr::Call(c) if !buffer_exporter::callee_tail(c).is_some_and(|f| ACCESSORS.contains(&f))),
        )
    };
    let objects_data = buf_sources.iter().all(|source| {
        buffer_exporter::root_name(source) == Some("self")
            && !allocates(source)
            && only_accessors(source)
    });
    if !objects_data {
        return;
    }
    let data_paths: Vec<String> = buf_sources
        .iter()
        .filter_map(|s| match s {
            Expr::Attribute(_) => dotted_name(s),
            _ => None,
        })
        .collect();
    // `__getbuffer__` that stores a fresh allocation on `self` for each view.
    let stored_per_view = |path: &str| {
        buffer_exporter::any_stmt(&getbuffer.def.body, &mut |stmt| match stmt {
            ruff_python_ast::Stmt::Assign(a) => a
                .targets
                .iter()
                .any(|t| dotted_name(t).as_deref() == Some(path)),
            _ => false,
        })
    };
    let deferred = deferred_release_bodies(&release.def.body, &counters(&getbuffer, release));
    for call in &release.calls {
        if !buffer_exporter::callee_tail(call).is_some_and(|f| FREEING.contains(&f)) {
            continue;
        }
        // The last view's release finishing a close that was deferred while views were
        // alive (`if self.exports == 0 and self.closed: free(self.data)`): no view is left.
        if deferred
            .iter()
            .any(|body| body.contains_range(call.range()))
        {
            continue;
        }
        let Some(argument) = call.arguments.args.first().map(buffer_exporter::strip_cast) else {
            continue;
        };
        let what = if release.is_field(argument, "buf") {
            format!("`{}.buf`", release.buffer)
        } else {
            match dotted_name(argument) {
                Some(path) if data_paths.contains(&path) && !stored_per_view(&path) => {
                    format!("`{path}`")
                }
                _ => continue,
            }
        };
        checker.report(Diagnostic::new(
            Rule::ReleasebufferFreesData,
            format!(
                "`__releasebuffer__` frees {what}, the object's data that `__getbuffer__` \
                 exports: the object and its other views now point at freed memory; free \
                 the data in `__dealloc__`, and in `__releasebuffer__` only what \
                 `__getbuffer__` allocated for this view (`{}.internal`, a copied shape)",
                release.buffer
            ),
            call.range(),
        ));
    }
}

/// The export counters: attributes of `self` that `__getbuffer__` or `__releasebuffer__`
/// count up or down (`self.exports += 1`).
fn counters(getbuffer: &Exporter, release: &Exporter) -> Vec<String> {
    let mut found = Vec::new();
    for body in [&getbuffer.def.body, &release.def.body] {
        buffer_exporter::any_stmt(body, &mut |stmt| {
            if let Stmt::AugAssign(assign) = stmt {
                if let Some(path) = dotted_name(&assign.target).filter(|p| p.starts_with("self.")) {
                    found.push(path);
                }
            }
            false
        });
    }
    found
}

/// The ranges of the `if` branches of a release whose test reads an export counter: what
/// runs there runs only when the count says so (the last view gone).
fn deferred_release_bodies(body: &[Stmt], counters: &[String]) -> Vec<TextRange> {
    let mut bodies = Vec::new();
    if counters.is_empty() {
        return bodies;
    }
    let reads_counter = |test: &Expr| {
        buffer_exporter::any_in(test, &mut |e| {
            matches!(e, Expr::Attribute(_))
                && dotted_name(e).is_some_and(|path| counters.contains(&path))
        })
    };
    buffer_exporter::any_stmt(body, &mut |stmt| {
        if let Stmt::If(if_stmt) = stmt {
            if reads_counter(&if_stmt.test) {
                bodies.push(if_stmt.range());
            }
        }
        false
    });
    bodies
}
