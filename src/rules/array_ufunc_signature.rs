#![doc = include_str!("../../rules/AL505.md")]

use ruff_python_ast::Expr;

use crate::checker::Checker;
use crate::diagnostic::Diagnostic;
use crate::model::{ClassInfo, Member, MemberKind, Signature};
use crate::registry::Rule;
use crate::rules::helpers;

/// The keywords a ufunc and its methods (`reduce`, `accumulate`, `reduceat`, `outer`,
/// `at`) hand on to `__array_ufunc__` when the caller gives them.
const UFUNC_KEYWORDS: &[&str] = &[
    "out",
    "where",
    "axes",
    "axis",
    "keepdims",
    "casting",
    "order",
    "dtype",
    "subok",
    "signature",
    "initial",
];

/// NumPy passes `ufunc`, `method`, then the inputs: one for `reduce` and unary ufuncs,
/// three for `at` and ternary ufuncs, more for generalized ufuncs.
const MAX_INPUTS_CHECKED: usize = 4;

pub fn check(checker: &mut Checker, class: &ClassInfo, member: &Member) {
    let message = match member.kind {
        // `None` is the documented opt-out: NumPy then raises `TypeError` for ufuncs and
        // binary operators return `NotImplemented`.
        MemberKind::Attribute {
            value: Expr::NoneLiteral(_),
        } => return,
        MemberKind::Attribute { value } => match helpers::literal_description(value) {
            Some(what) => format!("`__array_ufunc__` is {what}; it must be a method `(self, ufunc, method, *inputs, **kwargs)`, or `None` to opt out of ufuncs"),
            None => return,
        },
        MemberKind::Method { def, binding } => {
            let signature = Signature::of(def, binding);
            if binds(&signature) || helpers::other_definition_accepts(class, member, binds) {
                return;
            }
            let missing = match (signature.vararg.is_some(), signature.kwarg.is_some()) {
                (false, false) => " (it has no `*inputs` and no `**kwargs`)",
                (false, true) => " (it has no `*inputs`)",
                (true, false) => " (it has no `**kwargs`)",
                (true, true) => "",
            };
            format!("`__array_ufunc__` cannot take every call NumPy makes, `__array_ufunc__(ufunc, method, *inputs, **kwargs)`{missing}")
        }
        MemberKind::Property { .. } => return,
    };
    checker.report(Diagnostic::new(
        Rule::ArrayUfuncSignature,
        message,
        member.range,
    ));
}

/// Every call NumPy makes binds.
fn binds(signature: &Signature) -> bool {
    (1..=MAX_INPUTS_CHECKED).all(|inputs| signature.accepts_call(2 + inputs, UFUNC_KEYWORDS))
}
