#![doc = include_str!("../../rules/AL305.md")]

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{Expr, Stmt, StmtFunctionDef};

use crate::checker::Checker;
use crate::diagnostic::Diagnostic;
use crate::model::{ClassInfo, Member};
use crate::registry::Rule;
use crate::rules::descriptors::{uses_self_attribute, Evaluated};

/// Names (without leading underscores) that say the data may be on the host.
const HOST_MARKERS: &[&str] = &[
    "is_cuda", "is_cpu", "is_gpu", "on_gpu", "on_cpu", "on_host", "is_host", "cpu", "to_host",
];

/// `evaluated` tells whether the getter builds the dict itself: one that passes on
/// another object's `__cuda_array_interface__` leaves the device check to it.
pub fn check(checker: &mut Checker, class: &ClassInfo, member: &Member, evaluated: &Evaluated) {
    let Some(getter) = member.function() else {
        return;
    };
    if !evaluated.builds_dict || !data_can_be_on_host(class) || tests_the_device(getter) {
        return;
    }
    checker.report(Diagnostic::new(
        Rule::CaiCpuExported,
        "`__cuda_array_interface__` is exported without checking that the data is on a CUDA \
         device, though this class's data can live on the host; raise `AttributeError` for \
         host data",
        member.range,
    ));
}

fn is_host_marker(name: &str) -> bool {
    HOST_MARKERS.contains(&name.trim_start_matches('_'))
}

/// The class tracks where its data is: a device attribute together with a way to tell
/// (or choose) host placement.
fn data_can_be_on_host(class: &ClassInfo) -> bool {
    let has_device = class
        .members
        .iter()
        .any(|m| m.name.trim_start_matches('_') == "device")
        || uses_self_attribute(class, |attr| attr.trim_start_matches('_') == "device");
    let has_host_marker = class.members.iter().any(|m| is_host_marker(m.name))
        || uses_self_attribute(class, is_host_marker);
    (has_device && mentions_host_literal(class)) || has_host_marker
}

/// A `"cpu"` or `"host"` string anywhere in the class (`device="cpu"`, `== "cpu"`).
fn mentions_host_literal(class: &ClassInfo) -> bool {
    struct Finder(bool);
    impl<'b> Visitor<'b> for Finder {
        fn visit_expr(&mut self, expr: &'b Expr) {
            if let Expr::StringLiteral(string) = expr {
                let text = string.value.to_str().to_ascii_lowercase();
                if matches!(text.as_str(), "cpu" | "host") {
                    self.0 = true;
                }
            }
            visitor::walk_expr(self, expr);
        }
    }
    let mut finder = Finder(false);
    finder.visit_body(&class.def.body);
    finder.0
}

/// The getter refuses host data: it raises `AttributeError`, tests something about the
/// device in a condition, or calls a device check.
fn tests_the_device(getter: &StmtFunctionDef) -> bool {
    struct Finder {
        found: bool,
    }
    fn mentions_device(expr: &Expr) -> bool {
        struct Mentions(bool);
        impl<'b> Visitor<'b> for Mentions {
            fn visit_expr(&mut self, expr: &'b Expr) {
                let name = match expr {
                    Expr::Name(name) => Some(name.id.as_str()),
                    Expr::Attribute(attribute) => Some(attribute.attr.as_str()),
                    Expr::StringLiteral(string) => Some(string.value.to_str()),
                    _ => None,
                };
                if let Some(name) = name {
                    let name = name.to_ascii_lowercase();
                    if ["device", "cuda", "cpu", "gpu", "host"]
                        .iter()
                        .any(|word| name.contains(word))
                    {
                        self.0 = true;
                    }
                }
                visitor::walk_expr(self, expr);
            }
        }
        let mut mentions = Mentions(false);
        mentions.visit_expr(expr);
        mentions.0
    }
    impl<'b> Visitor<'b> for Finder {
        fn visit_stmt(&mut self, stmt: &'b Stmt) {
            match stmt {
                Stmt::Raise(raise) => {
                    let class = raise.exc.as_deref().map(|exc| match exc {
                        Expr::Call(call) => &*call.func,
                        other => other,
                    });
                    if let Some(Expr::Name(name)) = class {
                        if name.id.as_str() == "AttributeError" {
                            self.found = true;
                        }
                    }
                }
                Stmt::If(if_stmt)
                    if mentions_device(&if_stmt.test)
                        || if_stmt
                            .elif_else_clauses
                            .iter()
                            .filter_map(|clause| clause.test.as_ref())
                            .any(mentions_device) =>
                {
                    self.found = true;
                }
                Stmt::Assert(assert) if mentions_device(&assert.test) => self.found = true,
                Stmt::While(while_stmt) if mentions_device(&while_stmt.test) => self.found = true,
                Stmt::Expr(expr)
                    if matches!(&*expr.value, Expr::Call(_)) && mentions_device(&expr.value) =>
                {
                    self.found = true;
                }
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => return,
                _ => {}
            }
            visitor::walk_stmt(self, stmt);
        }
        fn visit_expr(&mut self, expr: &'b Expr) {
            if let Expr::If(if_expr) = expr {
                if mentions_device(&if_expr.test) {
                    self.found = true;
                }
            }
            visitor::walk_expr(self, expr);
        }
    }
    let mut finder = Finder { found: false };
    finder.visit_body(&getter.body);
    finder.found
}
