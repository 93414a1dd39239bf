//! What a module exposes to the rules: every class (at any depth) with its protocol
//! members, and the consumer call sites (`x.__array_interface__()`, `np.array(...)`).
//!
//! Built once per file by one walk of the AST; every rule reads from it.

pub mod signature;

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{
    Decorator, Expr, ExprCall, Stmt, StmtClassDef, StmtFunctionDef, StmtIf, StmtTry, StmtWith,
};
use ruff_text_size::{Ranged, TextRange};

use crate::source::cython::CDecls;

pub use signature::{Binding, Param, ParamKind, Signature};

/// How a class member is defined.
#[derive(Debug, Clone, Copy)]
pub enum MemberKind<'a> {
    /// `def name(...)` (or `name = other_def` in the class body).
    Method {
        def: &'a StmtFunctionDef,
        binding: Binding,
    },
    /// `@property` / `@cached_property` on a `def`, or `name = property(getter)`.
    Property {
        getter: &'a StmtFunctionDef,
        via: PropertyVia,
    },
    /// `name = <expr>` or `name: T = <expr>` in the class body.
    Attribute { value: &'a Expr },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PropertyVia {
    Decorator,
    CachedProperty,
    PropertyCall,
    /// Cython's legacy `property NAME:` block, whose getter is its `def __get__(self)`.
    LegacyBlock,
}

#[derive(Debug, Clone, Copy)]
pub struct Member<'a> {
    pub name: &'a str,
    pub kind: MemberKind<'a>,
    /// Where member diagnostics start: the `def`'s name or the assignment target.
    pub range: TextRange,
    /// The whole statement that defines the member.
    pub stmt_range: TextRange,
    /// A declaration, not an implementation: in a `Protocol`, `@abstractmethod`,
    /// `@overload`, or a `.pyi` stub. Body rules do not apply.
    pub is_declaration: bool,
}

impl<'a> Member<'a> {
    /// The function that implements the member, if it is one.
    pub fn function(&self) -> Option<&'a StmtFunctionDef> {
        match self.kind {
            MemberKind::Method { def, .. } => Some(def),
            MemberKind::Property { getter, .. } => Some(getter),
            MemberKind::Attribute { .. } => None,
        }
    }
}

#[derive(Debug)]
pub struct ClassInfo<'a> {
    pub def: &'a StmtClassDef,
    pub members: Vec<Member<'a>>,
    pub is_protocol: bool,
    /// The class has a base other than `object`/`Protocol`/`Generic`.
    pub has_real_base: bool,
}

impl<'a> ClassInfo<'a> {
    pub fn member(&self, name: &str) -> Option<&Member<'a>> {
        self.members.iter().find(|m| m.name == name)
    }
}

/// How `numpy` is bound in this module.
#[derive(Debug, Default)]
pub struct NumpyNames<'a> {
    /// Names bound to the `numpy` module (`np`, `numpy`).
    pub modules: Vec<&'a str>,
    /// Names bound to `numpy.array` (`from numpy import array [as x]`).
    pub array_functions: Vec<&'a str>,
}

/// A call that consumer rules look at, with the guards around it.
#[derive(Debug, Clone, Copy)]
pub struct CallSite<'a> {
    pub call: &'a ExprCall,
    /// The call sits where code expects NumPy to refuse or where the NumPy version is
    /// tested: inside `pytest.raises(...)`, a `try` that catches `ValueError`/`TypeError`,
    /// or an `if` that tests a version.
    pub guarded: bool,
}

#[derive(Debug)]
pub struct Model<'a> {
    pub classes: Vec<ClassInfo<'a>>,
    pub numpy: NumpyNames<'a>,
    pub calls: Vec<CallSite<'a>>,
    pub is_stub: bool,
}

impl<'a> Model<'a> {
    /// `cython`: the C declarations of a Cython file, which say which classes are legacy
    /// `property` blocks.
    pub fn build(body: &'a [Stmt], is_stub: bool, cython: Option<&CDecls>) -> Self {
        let mut builder = Builder {
            model: Model {
                classes: Vec::new(),
                numpy: NumpyNames::default(),
                calls: Vec::new(),
                is_stub,
            },
            guard_depth: 0,
            legacy_properties: cython
                .map_or(&[][..], |c| &c.legacy_properties[..])
                .to_vec(),
        };
        builder.visit_body(body);
        builder.model
    }
}

struct Builder<'a> {
    model: Model<'a>,
    guard_depth: usize,
    /// The names of Cython's legacy `property NAME:` blocks (projected to classes).
    legacy_properties: Vec<TextRange>,
}

/// The statement lists nested in a compound statement (`for`, `while`, `if`, `with`, `try`,
/// `match`), in source order; empty for simple statements, functions and classes.
pub fn compound_bodies(stmt: &Stmt) -> Vec<&[Stmt]> {
    match stmt {
        Stmt::For(s) => vec![&s.body, &s.orelse],
        Stmt::While(s) => vec![&s.body, &s.orelse],
        Stmt::If(s) => std::iter::once(&s.body[..])
            .chain(s.elif_else_clauses.iter().map(|c| &c.body[..]))
            .collect(),
        Stmt::With(s) => vec![&s.body],
        Stmt::Try(s) => std::iter::once(&s.body[..])
            .chain(s.handlers.iter().map(|h| {
                let ruff_python_ast::ExceptHandler::ExceptHandler(h) = h;
                &h.body[..]
            }))
            .chain([&s.orelse[..], &s.finalbody[..]])
            .collect(),
        Stmt::Match(s) => s.cases.iter().map(|c| &c.body[..]).collect(),
        _ => Vec::new(),
    }
}

/// The dotted name of an expression (`np.array`, `functools.cached_property`).
pub fn dotted_name(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Name(name) => Some(name.id.to_string()),
        Expr::Attribute(attr) => {
            let mut base = dotted_name(&attr.value)?;
            base.push('.');
            base.push_str(attr.attr.as_str());
            Some(base)
        }
        _ => None,
    }
}

/// The last component of a decorator's dotted name, ignoring a call (`@x.setter`,
/// `@functools.cached_property`, `@abc.abstractmethod`).
fn decorator_tail(decorator: &Decorator) -> Option<String> {
    let expr = match &decorator.expression {
        Expr::Call(call) => &*call.func,
        other => other,
    };
    let name = dotted_name(expr)?;
    Some(name.rsplit('.').next().unwrap_or(&name).to_string())
}

fn is_type_checking(test: &Expr) -> bool {
    matches!(
        dotted_name(test).as_deref(),
        Some("TYPE_CHECKING" | "typing.TYPE_CHECKING")
    )
}

fn mentions_version(test: &Expr) -> bool {
    struct Finder(bool);
    impl<'b> Visitor<'b> for Finder {
        fn visit_expr(&mut self, expr: &'b Expr) {
            match expr {
                Expr::Name(n) if n.id.to_ascii_lowercase().contains("version") => self.0 = true,
                Expr::Attribute(a) if a.attr.to_ascii_lowercase().contains("version") => {
                    self.0 = true
                }
                _ => visitor::walk_expr(self, expr),
            }
        }
    }
    let mut finder = Finder(false);
    finder.visit_expr(test);
    finder.0
}

fn catches_refusal(try_stmt: &StmtTry) -> bool {
    try_stmt.handlers.iter().any(|handler| {
        let ruff_python_ast::ExceptHandler::ExceptHandler(h) = handler;
        let Some(kind) = &h.type_ else {
            return true; // bare except
        };
        let names: Vec<&Expr> = match &**kind {
            Expr::Tuple(t) => t.elts.iter().collect(),
            other => vec![other],
        };
        names.iter().any(|n| {
            matches!(
                dotted_name(n)
                    .as_deref()
                    .map(|s| s.rsplit('.').next().unwrap_or(s)),
                Some("ValueError" | "TypeError" | "Exception" | "BaseException")
            )
        })
    })
}

fn is_raises_context(with: &StmtWith) -> bool {
    with.items.iter().any(|item| {
        let expr = match &item.context_expr {
            Expr::Call(call) => &*call.func,
            other => other,
        };
        matches!(
            dotted_name(expr)
                .as_deref()
                .map(|s| s.rsplit('.').next().unwrap_or(s)),
            Some("raises" | "assertRaises" | "assertRaisesRegex" | "warns" | "deprecated_call")
        )
    })
}

impl<'a> Builder<'a> {
    fn class(&mut self, class: &'a StmtClassDef) {
        let bases: Vec<String> = class
            .arguments
            .as_deref()
            .map(|args| {
                args.args
                    .iter()
                    .filter_map(|base| {
                        let base = match base {
                            Expr::Subscript(s) => &*s.value,
                            other => other,
                        };
                        dotted_name(base)
                    })
                    .collect()
            })
            .unwrap_or_default();
        let tail = |b: &String| b.rsplit('.').next().unwrap_or(b).to_string();
        let is_protocol = bases.iter().any(|b| tail(b) == "Protocol");
        let has_real_base = class
            .arguments
            .as_deref()
            .is_some_and(|args| args.args.len() > bases.len())
            || bases
                .iter()
                .any(|b| !matches!(tail(b).as_str(), "object" | "Protocol" | "Generic"));
        let mut members = Vec::new();
        collect_members(
            &class.body,
            &mut members,
            is_protocol || self.model.is_stub,
            &self.legacy_properties,
        );
        resolve_aliases(&class.body, &mut members);
        self.model.classes.push(ClassInfo {
            def: class,
            members,
            is_protocol,
            has_real_base,
        });
    }
}

fn function_member<'a>(def: &'a StmtFunctionDef, declared: bool) -> Option<Member<'a>> {
    let mut binding = Binding::Instance;
    let mut property = None;
    let mut is_declaration = declared;
    for decorator in &def.decorator_list {
        match decorator_tail(decorator).as_deref() {
            Some("property") => property = Some(PropertyVia::Decorator),
            Some("cached_property") => property = Some(PropertyVia::CachedProperty),
            Some("staticmethod") => binding = Binding::Static,
            Some("classmethod") => binding = Binding::Class,
            Some("abstractmethod" | "abstractproperty") => is_declaration = true,
            Some("overload") => is_declaration = true,
            // `@x.setter` / `@x.deleter` define another accessor of a member already seen.
            Some("setter" | "deleter" | "getter") => return None,
            _ => {}
        }
    }
    let kind = match property {
        Some(via) => MemberKind::Property { getter: def, via },
        None => MemberKind::Method { def, binding },
    };
    Some(Member {
        name: def.name.id.as_str(),
        kind,
        range: def.name.range(),
        stmt_range: def.range(),
        is_declaration,
    })
}

/// Members defined in a class body, following `if`/`try` branches (not `TYPE_CHECKING`).
fn collect_members<'a>(
    body: &'a [Stmt],
    members: &mut Vec<Member<'a>>,
    declared: bool,
    legacy_properties: &[TextRange],
) {
    for stmt in body {
        match stmt {
            // Cython's `property NAME:` block, projected to a class: a property whose getter
            // is the block's `__get__`.
            Stmt::ClassDef(block) if legacy_properties.contains(&block.name.range()) => {
                let getter = block.body.iter().find_map(|stmt| match stmt {
                    Stmt::FunctionDef(def) if def.name.as_str() == "__get__" => Some(def),
                    _ => None,
                });
                if let Some(getter) = getter {
                    members.push(Member {
                        name: block.name.id.as_str(),
                        kind: MemberKind::Property {
                            getter,
                            via: PropertyVia::LegacyBlock,
                        },
                        range: block.name.range(),
                        stmt_range: block.range(),
                        is_declaration: declared,
                    });
                }
            }
            Stmt::FunctionDef(def) => {
                if let Some(member) = function_member(def, declared) {
                    // An `@overload` series is followed by the implementation: keep the last.
                    members.retain(|m| m.name != member.name || !m.is_declaration || declared);
                    members.push(member);
                }
            }
            Stmt::Assign(assign) => {
                for target in &assign.targets {
                    if let Expr::Name(name) = target {
                        members.push(Member {
                            name: name.id.as_str(),
                            kind: MemberKind::Attribute {
                                value: &assign.value,
                            },
                            range: name.range(),
                            stmt_range: assign.range(),
                            is_declaration: declared,
                        });
                    }
                }
            }
            Stmt::AnnAssign(assign) => {
                if let (Expr::Name(name), Some(value)) = (&*assign.target, &assign.value) {
                    members.push(Member {
                        name: name.id.as_str(),
                        kind: MemberKind::Attribute { value },
                        range: name.range(),
                        stmt_range: assign.range(),
                        is_declaration: declared,
                    });
                }
            }
            Stmt::If(StmtIf {
                test,
                body,
                elif_else_clauses,
                ..
            }) => {
                if is_type_checking(test) {
                    for clause in elif_else_clauses {
                        if clause.test.is_none() {
                            collect_members(&clause.body, members, declared, legacy_properties);
                        }
                    }
                    continue;
                }
                collect_members(body, members, declared, legacy_properties);
                for clause in elif_else_clauses {
                    collect_members(&clause.body, members, declared, legacy_properties);
                }
            }
            Stmt::Try(t) => {
                collect_members(&t.body, members, declared, legacy_properties);
                collect_members(&t.orelse, members, declared, legacy_properties);
                collect_members(&t.finalbody, members, declared, legacy_properties);
            }
            _ => {}
        }
    }
}

/// `name = other` where `other` is a function of the class: the member is that function;
/// `name = property(getter)` / `property(fget=getter)`: a property.
fn resolve_aliases<'a>(body: &'a [Stmt], members: &mut [Member<'a>]) {
    let find_def = |name: &str| -> Option<&'a StmtFunctionDef> {
        body.iter().rev().find_map(|stmt| match stmt {
            Stmt::FunctionDef(def) if def.name.id.as_str() == name => Some(def),
            _ => None,
        })
    };
    for member in members.iter_mut() {
        let MemberKind::Attribute { value } = member.kind else {
            continue;
        };
        match value {
            Expr::Name(other) => {
                if let Some(def) = find_def(other.id.as_str()) {
                    if let Some(resolved) = function_member(def, member.is_declaration) {
                        member.kind = resolved.kind;
                    }
                }
            }
            Expr::Call(call) => {
                let callee = dotted_name(&call.func);
                let tail = callee.as_deref().map(|c| c.rsplit('.').next().unwrap_or(c));
                if !matches!(tail, Some("property" | "cached_property")) {
                    continue;
                }
                let getter = call.arguments.args.first().or_else(|| {
                    call.arguments
                        .keywords
                        .iter()
                        .find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == "fget"))
                        .map(|k| &k.value)
                });
                if let Some(Expr::Name(getter)) = getter {
                    if let Some(def) = find_def(getter.id.as_str()) {
                        member.kind = MemberKind::Property {
                            getter: def,
                            via: PropertyVia::PropertyCall,
                        };
                    }
                }
            }
            _ => {}
        }
    }
}

impl<'a> Visitor<'a> for Builder<'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::ClassDef(class) => {
                self.class(class);
                visitor::walk_stmt(self, stmt);
            }
            Stmt::Import(import) => {
                for alias in &import.names {
                    let name = alias.name.as_str();
                    if let Some(asname) = &alias.asname {
                        if name == "numpy" {
                            self.model.numpy.modules.push(asname.as_str());
                        }
                    } else if name == "numpy" || name.starts_with("numpy.") {
                        self.model.numpy.modules.push("numpy");
                    }
                }
            }
            Stmt::ImportFrom(import) => {
                if import.module.as_ref().map(|m| m.id.as_str()) == Some("numpy")
                    && import.level == 0
                {
                    for alias in &import.names {
                        if alias.name.as_str() == "array" {
                            let bound = alias.asname.as_ref().unwrap_or(&alias.name);
                            self.model.numpy.array_functions.push(bound.as_str());
                        }
                    }
                }
            }
            Stmt::Try(t) if catches_refusal(t) => {
                self.guard_depth += 1;
                self.visit_body(&t.body);
                self.guard_depth -= 1;
                for handler in &t.handlers {
                    self.visit_except_handler(handler);
                }
                self.visit_body(&t.orelse);
                self.visit_body(&t.finalbody);
            }
            Stmt::With(with) if is_raises_context(with) => {
                self.guard_depth += 1;
                visitor::walk_stmt(self, stmt);
                self.guard_depth -= 1;
            }
            Stmt::If(if_stmt) if mentions_version(&if_stmt.test) => {
                self.guard_depth += 1;
                visitor::walk_stmt(self, stmt);
                self.guard_depth -= 1;
            }
            _ => visitor::walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Call(call) = expr {
            if is_consumer_call(call) {
                self.model.calls.push(CallSite {
                    call,
                    guarded: self.guard_depth > 0,
                });
            }
        }
        visitor::walk_expr(self, expr);
    }
}

/// Calls the consumer rules look at; everything else is not kept.
fn is_consumer_call(call: &ExprCall) -> bool {
    match &*call.func {
        Expr::Attribute(attr) => {
            matches!(
                attr.attr.as_str(),
                "__array_interface__" | "__cuda_array_interface__" | "__array_struct__" | "array"
            )
        }
        Expr::Name(_) => call
            .arguments
            .keywords
            .iter()
            .any(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == "copy")),
        _ => false,
    }
}

impl Ranged for CallSite<'_> {
    fn range(&self) -> TextRange {
        self.call.range()
    }
}
