//! Shared by the descriptor rules (AL2xx, AL3xx): each `__array_interface__`,
//! `__cuda_array_interface__` and `__array_struct__` member is evaluated and validated
//! once (`descriptor::validate`, the one spec the live verifier also uses); each rule
//! file then reports its own findings.

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{Expr, Stmt, StmtFunctionDef};
use ruff_text_size::TextRange;

use crate::checker::Checker;
use crate::descriptor::{self, Context, Finding, Protocol};
use crate::diagnostic::Diagnostic;
use crate::model::{ClassInfo, Member, MemberKind};
use crate::registry::Rule;
use crate::value::eval::Returned;

/// The rules whose findings come from evaluating the descriptor's value.
pub const VALUE_RULES: &[Rule] = &[
    Rule::InterfaceNotDict,
    Rule::InterfaceMissingKey,
    Rule::InterfaceUnknownKey,
    Rule::InterfaceBadVersion,
    Rule::InterfaceShapeInvalid,
    Rule::InterfaceBadTypestr,
    Rule::InterfaceBadData,
    Rule::InterfaceStridesInvalid,
    Rule::InterfaceStridesNotBytes,
    Rule::InterfaceDescrMismatch,
    Rule::InterfaceNullData,
    Rule::InterfaceMaskUnsupported,
    Rule::InterfaceOffsetIgnored,
    Rule::InterfaceDanglingPointer,
    Rule::ArrayStructInvalid,
    Rule::CaiStreamZero,
    Rule::CaiStreamInvalidType,
    Rule::CaiStreamWithoutV3,
    Rule::CaiBigEndian,
];

/// The descriptor protocol a member name implements.
pub fn protocol_of(name: &str) -> Option<Protocol> {
    match name {
        "__array_interface__" => Some(Protocol::ArrayInterface),
        "__cuda_array_interface__" => Some(Protocol::CudaArrayInterface),
        "__array_struct__" => Some(Protocol::ArrayStruct),
        _ => None,
    }
}

/// A finding with the `return` (or class-attribute value) it was found in.
pub struct Located {
    pub finding: Finding,
    pub return_range: TextRange,
}

/// What one descriptor member evaluates to, checked against its spec.
pub struct Evaluated {
    pub protocol: Protocol,
    pub findings: Vec<Located>,
    /// Some `return` gives a dict the getter builds itself (not another object's
    /// descriptor it passes on).
    pub builds_dict: bool,
}

impl Evaluated {
    /// Report this member's findings of `rule`. Rules about the returned value as a whole
    /// start on the `return`; the others on the key or element they are about.
    pub fn report(&self, checker: &mut Checker, rule: Rule) {
        for located in self.findings.iter().filter(|l| l.finding.rule == rule) {
            let about_whole_value = located.finding.path.is_empty()
                && matches!(rule, Rule::InterfaceNotDict | Rule::ArrayStructInvalid);
            let range = if about_whole_value || located.finding.range.is_empty() {
                located.return_range
            } else {
                located.finding.range
            };
            checker.report_descriptor(
                Diagnostic::new(rule, located.finding.message.clone(), range)
                    .with_severity(located.finding.severity),
            );
        }
    }
}

/// Evaluate and validate a descriptor member. `None` for declarations (their bodies
/// are not implementations) and for members that are not descriptors.
pub fn evaluate<'a>(
    checker: &Checker<'a>,
    class: &ClassInfo<'a>,
    member: &Member<'a>,
) -> Option<Evaluated> {
    let protocol = protocol_of(member.name)?;
    if member.is_declaration {
        return None;
    }
    let index = checker.value_index();
    let returns = match member.kind {
        MemberKind::Method { def, .. } | MemberKind::Property { getter: def, .. } => {
            index.getter_returns(def, Some(class.def))
        }
        MemberKind::Attribute { value } => index.attribute_values(value, Some(class.def)),
    };
    let context = Context {
        has_stream_state: has_stream_state(class),
        exports_buffer: exports_buffer(class),
    };
    let builds_dict = returns
        .iter()
        .any(|returned| returned.value.as_dict().is_some());
    let findings = validate_returns(&returns, protocol, &context);
    Some(Evaluated {
        protocol,
        findings,
        builds_dict,
    })
}

/// Every value a descriptor can take, checked against its protocol's spec; each finding
/// remembers the `return` (or assignment) it came from.
fn validate_returns(returns: &[Returned], protocol: Protocol, context: &Context) -> Vec<Located> {
    returns
        .iter()
        .flat_map(|returned| {
            descriptor::validate(&returned.value, protocol, context)
                .into_iter()
                .map(|finding| Located {
                    finding,
                    return_range: returned.range,
                })
        })
        .collect()
}

/// Descriptors a class sets on its instances (`self.__cuda_array_interface__ = {...}`
/// in `__init__`, common in wrappers and test doubles), evaluated like a getter's
/// returns. Skipped where the class defines the member itself (that one is checked).
pub fn evaluate_instance_attributes<'a>(
    checker: &Checker<'a>,
    class: &ClassInfo<'a>,
) -> Vec<Evaluated> {
    let mut evaluated = Vec::new();
    if checker.is_stub() {
        return evaluated;
    }
    let index = checker.value_index();
    let context = Context {
        has_stream_state: has_stream_state(class),
        exports_buffer: exports_buffer(class),
    };
    for stmt in &class.def.body {
        let Stmt::FunctionDef(method) = stmt else {
            continue;
        };
        for name in assigned_self_descriptors(method) {
            let Some(protocol) = protocol_of(name) else {
                continue;
            };
            if class.member(name).is_some() {
                continue;
            }
            let returns = index.instance_attribute_values(method, Some(class.def), name);
            let findings = validate_returns(&returns, protocol, &context);
            evaluated.push(Evaluated {
                protocol,
                findings,
                builds_dict: true,
            });
        }
    }
    evaluated
}

/// The descriptor names a method assigns on `self` (`self.__array_interface__ = ...`).
fn assigned_self_descriptors(method: &StmtFunctionDef) -> Vec<&str> {
    struct Finder<'b> {
        names: Vec<&'b str>,
    }
    impl<'b> Visitor<'b> for Finder<'b> {
        fn visit_stmt(&mut self, stmt: &'b Stmt) {
            match stmt {
                Stmt::Assign(assign) => {
                    for target in &assign.targets {
                        if let Expr::Attribute(attribute) = target {
                            let on_self = matches!(&*attribute.value, Expr::Name(name) if name.id.as_str() == "self");
                            let name = attribute.attr.as_str();
                            if on_self && protocol_of(name).is_some() && !self.names.contains(&name)
                            {
                                self.names.push(name);
                            }
                        }
                    }
                }
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => {}
                _ => visitor::walk_stmt(self, stmt),
            }
        }
        fn visit_expr(&mut self, _: &'b Expr) {}
    }
    let mut finder = Finder { names: Vec::new() };
    finder.visit_body(&method.body);
    finder.names
}

/// The class keeps a stream: a member or a `self.` attribute named like one.
fn has_stream_state(class: &ClassInfo) -> bool {
    class
        .members
        .iter()
        .any(|member| member.name.to_ascii_lowercase().contains("stream"))
        || uses_self_attribute(class, |attr| attr.to_ascii_lowercase().contains("stream"))
}

/// The object may export a buffer itself, so an array interface may leave `data` out:
/// it defines `__buffer__`, or derives from a class that may be a buffer exporter.
fn exports_buffer(class: &ClassInfo) -> bool {
    class.has_real_base
        || class
            .members
            .iter()
            .any(|member| matches!(member.name, "__buffer__" | "__getbuffer__"))
}

/// Whether any method of the class reads or writes a `self.<attr>` that `matches`.
pub fn uses_self_attribute(class: &ClassInfo, matches: impl Fn(&str) -> bool) -> bool {
    struct Finder<F> {
        matches: F,
        found: bool,
    }
    impl<'b, F: Fn(&str) -> bool> Visitor<'b> for Finder<F> {
        fn visit_expr(&mut self, expr: &'b Expr) {
            if self.found {
                return;
            }
            if let Expr::Attribute(attribute) = expr {
                if matches!(&*attribute.value, Expr::Name(name) if name.id.as_str() == "self")
                    && (self.matches)(attribute.attr.as_str())
                {
                    self.found = true;
                    return;
                }
            }
            visitor::walk_expr(self, expr);
        }
    }
    let mut finder = Finder {
        matches,
        found: false,
    };
    finder.visit_body(&class.def.body);
    finder.found
}
