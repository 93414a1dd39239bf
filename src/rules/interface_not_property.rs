#![doc = include_str!("../../rules/AL201.md")]

use ruff_text_size::{Ranged, TextSize};

use crate::checker::Checker;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::model::{Binding, Member, MemberKind};
use crate::registry::Rule;

pub fn check(checker: &mut Checker, member: &Member) {
    let MemberKind::Method { def, binding } = member.kind else {
        return;
    };
    let consequence = if member.name == "__array_struct__" {
        "where NumPy expects a PyCapsule".to_string()
    } else {
        format!("(`Invalid {} value, must be a dict`)", member.name)
    };
    let mut diagnostic = Diagnostic::new(
        Rule::InterfaceNotProperty,
        format!(
            "`{}` is a method, but consumers read it as an attribute and get a bound \
             method {consequence}; make it a `@property`",
            member.name
        ),
        member.range,
    );
    // A decorated staticmethod/classmethod needs more than a new decorator.
    if binding == Binding::Instance {
        let start = def.start();
        let line_start = checker.text[..start.to_usize()]
            .rfind('\n')
            .map_or(0, |newline| newline + 1);
        let indent = &checker.text[line_start..start.to_usize()];
        if indent.chars().all(|c| c == ' ' || c == '\t') {
            diagnostic = diagnostic.with_fix(Fix {
                applicability: Applicability::Unsafe,
                message: "Add `@property`".to_string(),
                edits: vec![Edit::insertion(
                    TextSize::try_from(line_start).unwrap_or(start),
                    format!("{indent}@property\n"),
                )],
            });
        }
    }
    checker.report(diagnostic);
}
