//! Runs the static rules over one parsed module: the model is built once and every rule
//! reads it. Rule files live in `src/rules/`; this is the only place that dispatches.

use std::cell::OnceCell;
use std::collections::HashSet;
use std::path::Path;

use ruff_python_ast::ModModule;
use ruff_text_size::TextRange;

use crate::diagnostic::Diagnostic;
use crate::model::{ClassInfo, Member, Model};
use crate::registry::{Rule, RuleSet};
use crate::rules;
use crate::source::cython::CDecls;
use crate::value::ModuleIndex;

pub struct Checker<'a> {
    pub text: &'a str,
    pub path: &'a Path,
    pub module: &'a ModModule,
    pub model: &'a Model<'a>,
    /// The C declarations of a Cython file (`None` for any other kind): what the
    /// projection blanked.
    pub cython: Option<&'a CDecls>,
    rules: RuleSet,
    diagnostics: Vec<Diagnostic>,
    /// The evaluator's index of module constants and functions, built on first use.
    value_index: OnceCell<ModuleIndex<'a>>,
    /// Descriptor findings already reported: two getters that return the same module
    /// constant or helper result report its problems once.
    descriptor_reported: HashSet<(Rule, TextRange)>,
}

impl<'a> Checker<'a> {
    pub fn new(
        text: &'a str,
        path: &'a Path,
        module: &'a ModModule,
        model: &'a Model<'a>,
        rules: RuleSet,
    ) -> Self {
        Checker {
            text,
            path,
            module,
            model,
            cython: None,
            rules,
            diagnostics: Vec::new(),
            value_index: OnceCell::new(),
            descriptor_reported: HashSet::new(),
        }
    }

    /// The partial evaluator's view of this module (indexed once per file).
    pub fn value_index(&self) -> &ModuleIndex<'a> {
        // Narrowing keeps what the evaluator may follow only when an evaluating rule runs.
        debug_assert!(
            self.rules.intersects(rules::evaluating_in(self.is_stub())),
            "a rule evaluates code but is not in rules::EVALUATING (or EVALUATING_IN_STUBS)"
        );
        let module = self.module;
        self.value_index
            .get_or_init(|| ModuleIndex::new(&module.body))
    }

    /// Report a descriptor diagnostic unless the same rule was already reported at the
    /// same range.
    pub fn report_descriptor(&mut self, diagnostic: Diagnostic) {
        if self
            .descriptor_reported
            .insert((diagnostic.rule, diagnostic.range))
        {
            self.report(diagnostic);
        }
    }

    pub fn enabled(&self, rule: Rule) -> bool {
        self.rules.contains(rule)
    }

    pub fn any_enabled(&self, rules: &[Rule]) -> bool {
        rules.iter().any(|r| self.enabled(*r))
    }

    /// Report a diagnostic; diagnostics of rules that are not enabled are dropped here, so
    /// rules may report without asking first.
    pub fn report(&mut self, diagnostic: Diagnostic) {
        if self.enabled(diagnostic.rule) {
            self.diagnostics.push(diagnostic);
        }
    }

    pub fn is_stub(&self) -> bool {
        self.model.is_stub
    }

    pub fn into_diagnostics(self) -> Vec<Diagnostic> {
        self.diagnostics
    }

    /// Run every rule.
    pub fn run(&mut self) {
        let model = self.model;
        for class in &model.classes {
            // A `typing.Protocol` is a consumer-side structural type: `__array__(self)`
            // there means "anything with an `__array__`", so no rule reports on it.
            if class.is_protocol {
                continue;
            }
            for member in &class.members {
                self.member(class, member);
            }
            rules::check_class(self, class);
        }
        for call in &model.calls {
            rules::check_call(self, call);
        }
    }

    fn member(&mut self, class: &'a ClassInfo<'a>, member: &'a Member<'a>) {
        rules::check_member(self, class, member);
    }
}
