#![doc = include_str!("../../rules/AL503.md")]

use ruff_python_ast::Expr;

use crate::checker::Checker;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::{ClassInfo, Member, MemberKind, Signature};
use crate::registry::Rule;
use crate::rules::helpers;

pub fn check(checker: &mut Checker, class: &ClassInfo, member: &Member) {
    let diagnostic = match member.kind {
        MemberKind::Attribute {
            value: Expr::NoneLiteral(_),
        } => Diagnostic::new(
            Rule::ArrayFinalizeSignature,
            "`__array_finalize__ = None` is deprecated since NumPy 1.23 and will raise `TypeError`; remove it (ndarray's own method does nothing)",
            member.range,
        )
        .with_severity(Severity::Warning),
        MemberKind::Attribute { value } => match helpers::literal_description(value) {
            Some(what) => Diagnostic::new(
                Rule::ArrayFinalizeSignature,
                format!("`__array_finalize__` is {what}, not a method; NumPy calls `self.__array_finalize__(obj)` on every new view"),
                member.range,
            ),
            // Another function, or `np.ndarray.__array_finalize__`.
            None => return,
        },
        MemberKind::Method { def, binding } => {
            let accepts = |s: &Signature| s.accepts_call(1, &[]);
            if accepts(&Signature::of(def, binding))
                || helpers::other_definition_accepts(class, member, accepts)
            {
                return;
            }
            Diagnostic::new(
                Rule::ArrayFinalizeSignature,
                "`__array_finalize__` cannot be called as `self.__array_finalize__(obj)`; NumPy passes the array it came from positionally",
                member.range,
            )
        }
        MemberKind::Property { .. } => return,
    };
    checker.report(diagnostic);
}
