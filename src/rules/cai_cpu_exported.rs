#![doc = include_str!("../../rules/AL305.md")]

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{Expr, Stmt, StmtFunctionDef};

use crate::checker::Checker;
use crate::diagnostic::Diagnostic;
use crate::model::{ClassInfo, Member};
use crate::registry::Rule;
use crate::rules::descriptors::{uses_self_attribute, Evaluated};
use crate::rules::helpers;

/// Flags (without leading underscores) that say where the data is, so it may be on the
/// host.
const HOST_FLAGS: &[&str] = &[
    "is_cuda", "is_cpu", "is_gpu", "on_gpu", "on_cpu", "on_host", "is_host",
];

/// Methods that move the data between host and device when they return the class
/// itself (PyTorch's `cpu()`, `cuda()`, `to(...)`); one that returns another type
/// (`copy_to_host()`, CuPy's `get()`) leaves the class on the device.
const MOVING_METHODS: &[&str] = &["cpu", "cuda", "to"];

/// `evaluated` tells whether the getter builds the dict itself: one that passes on
/// another object's `__cuda_array_interface__` leaves the device check to it.
pub fn check(checker: &mut Checker, class: &ClassInfo, member: &Member, evaluated: &Evaluated) {
    let Some(getter) = member.function() else {
        return;
    };
    if !evaluated.builds_dict || tests_the_device(getter) {
        return;
    }
    let message = if data_can_be_on_host(class) {
        "`__cuda_array_interface__` is exported without checking that the data is on a CUDA \
         device, though this class's data can live on the host; raise `AttributeError` for \
         host data"
    } else if host_pointer_by_construction(getter) {
        "`__cuda_array_interface__` exports a host pointer (`.ctypes.data`, \
         `__array_interface__[\"data\"]`, `ctypes.addressof`, a buffer's address) as device \
         memory; consumers read it on the GPU: export `__array_interface__` instead, or raise \
         `AttributeError`"
    } else {
        return;
    };
    checker.report(Diagnostic::new(Rule::CaiCpuExported, message, member.range));
}

fn is_host_flag(name: &str) -> bool {
    HOST_FLAGS.contains(&name.trim_start_matches('_'))
}

/// The class's data can live on the host: it has a host/device flag, a method that
/// moves it and returns the class, or a device attribute with a visible `"cpu"` or
/// `"host"` value.
fn data_can_be_on_host(class: &ClassInfo) -> bool {
    let has_device = class
        .members
        .iter()
        .any(|m| m.name.trim_start_matches('_') == "device")
        || uses_self_attribute(class, |attr| attr.trim_start_matches('_') == "device");
    let has_host_flag = class.members.iter().any(|m| is_host_flag(m.name))
        || uses_self_attribute(class, is_host_flag);
    let moves_data = class.members.iter().any(|m| {
        MOVING_METHODS.contains(&m.name)
            && m.function()
                .is_some_and(|def| returns_own_class(def, class.def.name.as_str()))
    });
    has_host_flag || moves_data || (has_device && mentions_host_literal(class))
}

/// Some `return` gives an instance of the class: `self`, `Name(...)`, `type(self)(...)`,
/// `self.__class__(...)`, `cls(...)`.
fn returns_own_class(def: &StmtFunctionDef, class_name: &str) -> bool {
    helpers::returns(def).iter().any(|ret| {
        let Some(value) = ret.value.as_deref() else {
            return false;
        };
        match value {
            Expr::Name(name) => name.id.as_str() == "self",
            Expr::Call(call) => match &*call.func {
                Expr::Name(name) => {
                    matches!(name.id.as_str(), "cls") || name.id.as_str() == class_name
                }
                Expr::Attribute(attribute) => attribute.attr.as_str() == "__class__",
                Expr::Call(inner) => {
                    matches!(&*inner.func, Expr::Name(name) if name.id.as_str() == "type")
                }
                _ => false,
            },
            _ => false,
        }
    })
}

/// The getter takes its pointer from host memory by construction: a NumPy array's
/// `.ctypes.data`, `x.__array_interface__["data"][0]`, `ctypes.addressof(...)`,
/// `array.array.buffer_info()[0]`, `ctypes.c_char.from_buffer(bytearray)`.
fn host_pointer_by_construction(getter: &StmtFunctionDef) -> bool {
    struct Finder(bool);
    impl<'b> Visitor<'b> for Finder {
        fn visit_stmt(&mut self, stmt: &'b Stmt) {
            if !matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
                visitor::walk_stmt(self, stmt);
            }
        }
        fn visit_expr(&mut self, expr: &'b Expr) {
            let host = match expr {
                Expr::Attribute(attribute) => {
                    attribute.attr.as_str() == "data"
                        && matches!(&*attribute.value, Expr::Attribute(inner) if inner.attr.as_str() == "ctypes")
                }
                Expr::Subscript(subscript) => match &*subscript.value {
                    // `x.__array_interface__["data"]`
                    Expr::Attribute(attribute) => {
                        attribute.attr.as_str() == "__array_interface__"
                            && matches!(&*subscript.slice, Expr::StringLiteral(key) if key.value.to_str() == "data")
                    }
                    // `arr.buffer_info()[0]`
                    Expr::Call(call) => {
                        matches!(&*call.func, Expr::Attribute(attribute) if attribute.attr.as_str() == "buffer_info")
                    }
                    _ => false,
                },
                Expr::Call(call) => match &*call.func {
                    Expr::Name(name) => name.id.as_str() == "addressof",
                    Expr::Attribute(attribute) => {
                        matches!(attribute.attr.as_str(), "addressof" | "from_buffer")
                    }
                    _ => false,
                },
                _ => false,
            };
            if host {
                self.0 = true;
            }
            visitor::walk_expr(self, expr);
        }
    }
    let mut finder = Finder(false);
    finder.visit_body(&getter.body);
    finder.0
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
