#![doc = include_str!("../../rules/AL506.md")]

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{Expr, Stmt};

use crate::checker::Checker;
use crate::diagnostic::Diagnostic;
use crate::model::{ClassInfo, Member, MemberKind, Signature};
use crate::registry::Rule;
use crate::rules::helpers;

pub fn check(checker: &mut Checker, class: &ClassInfo, member: &Member) {
    let message = match member.kind {
        // Unlike `__array_ufunc__`, `None` is no opt-out: NumPy finds the attribute and
        // calls it.
        MemberKind::Attribute {
            value: Expr::NoneLiteral(_),
        } => "`__array_function__ = None` is not an opt-out: NumPy calls it and every NumPy function given this object raises `TypeError: 'NoneType' object is not callable`; remove it, or return `NotImplemented` from a method".to_string(),
        MemberKind::Attribute { value } => match helpers::literal_description(value) {
            Some(what) => format!("`__array_function__` is {what}; it must be a method `(self, func, types, args, kwargs)`"),
            None => return,
        },
        MemberKind::Method { def, binding } => {
            let signature = Signature::of(def, binding);
            let accepts = |s: &Signature| s.accepts_call(4, &[]);
            if !accepts(&signature) {
                if helpers::other_definition_accepts(class, member, accepts) {
                    return;
                }
                "`__array_function__` cannot be called as `__array_function__(func, types, args, kwargs)`; NumPy passes the four positionally".to_string()
            } else if let Some(vararg) =
                spilled_vararg(&signature).filter(|vararg| !forwards(&def.body, vararg))
            {
                format!("`__array_function__`'s `*{vararg}` receives NumPy's positional `args` tuple and `kwargs` dict, not the call's arguments; declare `(self, func, types, args, kwargs)`")
            } else {
                return;
            }
        }
        MemberKind::Property { .. } => return,
    };
    checker.report(Diagnostic::new(
        Rule::ArrayFunctionSignature,
        message,
        member.range,
    ));
}

/// The body hands `*vararg` on to another `__array_function__` (`super()`'s), which
/// rebuilds NumPy's call exactly.
fn forwards(body: &[Stmt], vararg: &str) -> bool {
    struct Forwards<'n> {
        vararg: &'n str,
        found: bool,
    }
    impl<'b> Visitor<'b> for Forwards<'_> {
        fn visit_expr(&mut self, expr: &'b Expr) {
            if let Expr::Call(call) = expr {
                let is_override = matches!(
                    &*call.func,
                    Expr::Attribute(attr) if attr.attr.as_str() == "__array_function__"
                );
                let spreads = call.arguments.args.iter().any(|arg| {
                    matches!(arg, Expr::Starred(starred)
                        if matches!(&*starred.value, Expr::Name(name) if name.id.as_str() == self.vararg))
                });
                if is_override && spreads {
                    self.found = true;
                }
            }
            visitor::walk_expr(self, expr);
        }
    }
    let mut forwards = Forwards {
        vararg,
        found: false,
    };
    forwards.visit_body(body);
    forwards.found
}

/// `(self, func, types, *args, **kwargs)`: the call binds, but `args` and `kwargs` land
/// in `*args` as two positional values. Pure forwarding, `(self, *args, **kwargs)`, is
/// fine.
fn spilled_vararg<'a>(signature: &Signature<'a>) -> Option<&'a str> {
    let named = signature.positional().count();
    let vararg = signature.vararg?;
    (1..=3).contains(&named).then_some(vararg.name.as_str())
}
