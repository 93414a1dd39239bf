//! The static partial evaluator: what a descriptor getter returns, as far as the source
//! says. Anything it cannot know is `Unknown` (and never reported).
//!
//! It follows the shapes real producers use: `return {...}` from a getter, a dict built
//! in straight-line code (`d = {...}`, `d["k"] = v`, `d.update(...)`, keys set under an
//! `if` are "maybe present"), `dict(...)`, `{**base, ...}`, class attributes and module
//! constants, helper functions and methods of the same module. Control flow is joined,
//! not enumerated: at each join a dict keeps the keys of every path, and a key set
//! differently on different paths keeps one entry per alternative.
//!
//! Work is bounded: expression depth, call depth and a step budget per evaluation, and
//! the module's constants, functions and classes are indexed once per file.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use ruff_python_ast::{
    self as ast, ExceptHandler, Expr, Number, Operator, Stmt, StmtClassDef, StmtFunctionDef,
    UnaryOp,
};
use ruff_text_size::{Ranged, TextRange, TextSize};

use super::{Dict, DictEntry, Origin, Presence, Value, ValueKind};
use crate::model::compound_bodies;

/// Nesting of expressions followed before giving up (guards the native stack).
const MAX_DEPTH: usize = 64;
/// Nesting of statement blocks followed; deeper blocks are treated as unknown code.
const MAX_BLOCK_DEPTH: usize = 24;
/// Nesting the syntactic scans (bindings, stores, keep-alive) look into.
const MAX_SCAN_DEPTH: usize = 48;
/// Helper calls followed from a getter (`getter -> helper -> helper ...`).
const MAX_CALL_DEPTH: usize = 4;
/// Expressions and statements evaluated per top-level evaluation.
const MAX_STEPS: usize = 20_000;
/// Entries a dict may collect (alternatives included) before it is given up as incomplete.
const MAX_DICT_ENTRIES: usize = 256;
/// Elements a sequence may have when built by repetition (`(0,) * n`).
const MAX_REPEAT: i128 = 1024;

/// Calls that create a new object (AL216's temporaries). Matched on the last name of
/// the callee: `np.ascontiguousarray`, `cupy.ascontiguousarray`, `numpy.array`.
const TEMPORARY_FUNCTIONS: &[&str] = &[
    "ascontiguousarray",
    "asfortranarray",
    "array",
    "copy",
    "zeros",
    "empty",
    "ones",
    "full",
    "zeros_like",
    "empty_like",
    "ones_like",
    "full_like",
    "concatenate",
    "stack",
    "hstack",
    "vstack",
    "dstack",
    "column_stack",
    "arange",
    "linspace",
    "logspace",
    "geomspace",
    "eye",
    "identity",
    "tile",
    "repeat",
    "fromiter",
    "fromfunction",
    "create_string_buffer",
];
/// Methods whose result is a new object.
const TEMPORARY_METHODS: &[&str] = &["copy", "astype", "tobytes", "flatten", "tolist"];
/// Calls that only read an object (its address, its type): passing a temporary to
/// them does not keep it alive.
const NON_RETAINING_CALLS: &[&str] = &[
    "addressof",
    "cast",
    "id",
    "int",
    "len",
    "c_void_p",
    "byref",
    "pointer",
    "data_as",
    "isinstance",
    "print",
    "hasattr",
    "getattr",
    "type",
    "sizeof",
    "c_char_p",
];

/// What one `return` of a getter gives.
#[derive(Debug, Clone, PartialEq)]
pub struct Returned {
    /// The `return` statement (or, for a class attribute, its value).
    pub range: TextRange,
    pub value: Value,
}

/// The module-level facts the evaluator looks names up in, built once per file.
pub struct ModuleIndex<'a> {
    constants: HashMap<&'a str, &'a Expr>,
    functions: HashMap<&'a str, &'a StmtFunctionDef>,
    classes: HashMap<&'a str, &'a StmtClassDef>,
    /// How many top-level classes bind each name in their body.
    class_level_names: HashMap<&'a str, usize>,
    constant_cache: RefCell<HashMap<&'a str, Value>>,
    constants_in_progress: RefCell<HashSet<&'a str>>,
    class_cache: RefCell<HashMap<TextSize, Rc<ClassInfo<'a>>>>,
}

/// What a class body defines, built once per class.
#[derive(Default)]
struct ClassInfo<'a> {
    /// Names bound exactly once in the class body by a plain assignment.
    attributes: HashMap<&'a str, &'a Expr>,
    methods: HashMap<&'a str, &'a StmtFunctionDef>,
    /// `self.X` assigned in some method: `self.X` may not be the class attribute.
    instance_stores: HashSet<&'a str>,
}

/// Count how often each name is bound in a block, looking into compound statements
/// but not into function or class bodies.
fn count_bindings<'a>(body: &'a [Stmt], counts: &mut HashMap<&'a str, usize>, nested: bool) {
    count_bindings_at(body, counts, nested, 0);
}

fn count_bindings_at<'a>(
    body: &'a [Stmt],
    counts: &mut HashMap<&'a str, usize>,
    nested: bool,
    depth: usize,
) {
    if depth > MAX_SCAN_DEPTH {
        return;
    }
    let bump = |name: &'a str, counts: &mut HashMap<&'a str, usize>| {
        // A binding inside `if`/`try` is conditional: never a constant.
        *counts.entry(name).or_default() += if nested { 2 } else { 1 };
    };
    for stmt in body {
        match stmt {
            Stmt::Assign(assign) => {
                for target in &assign.targets {
                    for name in target_names(target) {
                        bump(name, counts);
                    }
                }
            }
            Stmt::AnnAssign(assign) => {
                for name in target_names(&assign.target) {
                    bump(name, counts);
                }
            }
            Stmt::AugAssign(assign) => {
                for name in target_names(&assign.target) {
                    *counts.entry(name).or_default() += 2;
                }
            }
            Stmt::FunctionDef(def) => bump(def.name.as_str(), counts),
            Stmt::ClassDef(def) => bump(def.name.as_str(), counts),
            Stmt::Import(import) => {
                for alias in &import.names {
                    let bound = alias.asname.as_ref().unwrap_or(&alias.name);
                    *counts.entry(bound.as_str()).or_default() += 2;
                }
            }
            Stmt::ImportFrom(import) => {
                for alias in &import.names {
                    let bound = alias.asname.as_ref().unwrap_or(&alias.name);
                    *counts.entry(bound.as_str()).or_default() += 2;
                }
            }
            Stmt::For(for_stmt) => {
                for name in target_names(&for_stmt.target) {
                    *counts.entry(name).or_default() += 2;
                }
                count_bindings_at(&for_stmt.body, counts, true, depth + 1);
                count_bindings_at(&for_stmt.orelse, counts, true, depth + 1);
            }
            Stmt::While(while_stmt) => {
                count_bindings_at(&while_stmt.body, counts, true, depth + 1);
                count_bindings_at(&while_stmt.orelse, counts, true, depth + 1);
            }
            Stmt::If(if_stmt) => {
                count_bindings_at(&if_stmt.body, counts, true, depth + 1);
                for clause in &if_stmt.elif_else_clauses {
                    count_bindings_at(&clause.body, counts, true, depth + 1);
                }
            }
            Stmt::With(with) => {
                for item in &with.items {
                    if let Some(vars) = &item.optional_vars {
                        for name in target_names(vars) {
                            *counts.entry(name).or_default() += 2;
                        }
                    }
                }
                count_bindings_at(&with.body, counts, true, depth + 1);
            }
            Stmt::Try(try_stmt) => {
                count_bindings_at(&try_stmt.body, counts, true, depth + 1);
                for ExceptHandler::ExceptHandler(handler) in &try_stmt.handlers {
                    count_bindings_at(&handler.body, counts, true, depth + 1);
                }
                count_bindings_at(&try_stmt.orelse, counts, true, depth + 1);
                count_bindings_at(&try_stmt.finalbody, counts, true, depth + 1);
            }
            Stmt::Match(match_stmt) => {
                for case in &match_stmt.cases {
                    count_bindings_at(&case.body, counts, true, depth + 1);
                }
            }
            _ => {}
        }
    }
}

/// Names a `global` statement anywhere in the module rebinds (function bodies included).
fn collect_globals<'a>(body: &'a [Stmt], globals: &mut HashSet<&'a str>) {
    collect_globals_at(body, globals, 0);
}

fn collect_globals_at<'a>(body: &'a [Stmt], globals: &mut HashSet<&'a str>, depth: usize) {
    if depth > MAX_SCAN_DEPTH {
        return;
    }
    for stmt in body {
        match stmt {
            Stmt::Global(global) => {
                globals.extend(global.names.iter().map(|name| name.as_str()));
            }
            Stmt::FunctionDef(def) => collect_globals_at(&def.body, globals, depth + 1),
            Stmt::ClassDef(def) => collect_globals_at(&def.body, globals, depth + 1),
            other => {
                for nested in compound_bodies(other) {
                    collect_globals_at(nested, globals, depth + 1);
                }
            }
        }
    }
}

/// The plain names an assignment target binds.
fn target_names(target: &Expr) -> Vec<&str> {
    match target {
        Expr::Name(name) => vec![name.id.as_str()],
        Expr::Tuple(tuple) => tuple.elts.iter().flat_map(target_names).collect(),
        Expr::List(list) => list.elts.iter().flat_map(target_names).collect(),
        Expr::Starred(starred) => target_names(&starred.value),
        _ => Vec::new(),
    }
}

impl<'a> ModuleIndex<'a> {
    pub fn new(body: &'a [Stmt]) -> Self {
        let mut counts = HashMap::new();
        count_bindings(body, &mut counts, false);
        let mut globals = HashSet::new();
        collect_globals(body, &mut globals);
        let is_single = |name: &str| counts.get(name) == Some(&1) && !globals.contains(name);

        let mut constants = HashMap::new();
        let mut functions = HashMap::new();
        let mut classes = HashMap::new();
        for stmt in body {
            match stmt {
                Stmt::Assign(assign) => {
                    if let [Expr::Name(name)] = assign.targets.as_slice() {
                        if is_single(name.id.as_str()) {
                            constants.insert(name.id.as_str(), &*assign.value);
                        }
                    }
                }
                Stmt::AnnAssign(assign) => {
                    if let (Expr::Name(name), Some(value)) = (&*assign.target, &assign.value) {
                        if is_single(name.id.as_str()) {
                            constants.insert(name.id.as_str(), &**value);
                        }
                    }
                }
                Stmt::FunctionDef(def) if is_single(def.name.as_str()) => {
                    functions.insert(def.name.as_str(), def);
                }
                Stmt::ClassDef(def) if is_single(def.name.as_str()) => {
                    classes.insert(def.name.as_str(), def);
                }
                _ => {}
            }
        }
        let mut class_level_names: HashMap<&'a str, usize> = HashMap::new();
        for stmt in body {
            if let Stmt::ClassDef(class) = stmt {
                let mut names = HashMap::new();
                count_bindings(&class.body, &mut names, false);
                for name in names.into_keys() {
                    *class_level_names.entry(name).or_default() += 1;
                }
            }
        }
        ModuleIndex {
            constants,
            functions,
            classes,
            class_level_names,
            constant_cache: RefCell::default(),
            constants_in_progress: RefCell::default(),
            class_cache: RefCell::default(),
        }
    }

    /// What each `return` of a getter (a `@property` function, or the function given to
    /// `property(...)`) evaluates to. `class` is the class it is defined in.
    pub fn getter_returns(
        &self,
        getter: &'a StmtFunctionDef,
        class: Option<&'a StmtClassDef>,
    ) -> Vec<Returned> {
        let mut evaluator = Evaluator::new(self, class);
        evaluator.function_returns(getter, &[], &[], true)
    }

    /// What a descriptor bound by a class-body assignment evaluates to: the value itself
    /// (`__array_interface__ = {...}`), or, for `property(fget)`, each `return` of the
    /// getter.
    pub fn attribute_values(
        &self,
        value: &'a Expr,
        class: Option<&'a StmtClassDef>,
    ) -> Vec<Returned> {
        let mut evaluator = Evaluator::new(self, class);
        if let Some(getter) = property_getter(value) {
            match getter {
                Expr::Lambda(lambda) => {
                    let mut frame = Frame::default();
                    if let Some(parameters) = &lambda.parameters {
                        evaluator.bind_parameters(&mut frame, parameters, &[], &[], true);
                    }
                    let value = evaluator.eval(&lambda.body, &mut frame);
                    return vec![Returned {
                        range: lambda.body.range(),
                        value,
                    }];
                }
                Expr::Name(name) => {
                    let def = class
                        .and_then(|class| {
                            self.class_info(class)
                                .methods
                                .get(name.id.as_str())
                                .copied()
                        })
                        .or_else(|| self.functions.get(name.id.as_str()).copied());
                    return match def {
                        Some(def) => evaluator.function_returns(def, &[], &[], true),
                        None => Vec::new(),
                    };
                }
                _ => return Vec::new(),
            }
        }
        let mut frame = Frame::class_body();
        let value = evaluator.eval(value, &mut frame);
        vec![Returned {
            range: value.range,
            value,
        }]
    }

    /// What a method leaves in `self.<attr>` when it falls through (the producer that
    /// sets `self.__array_interface__ = {...}` in `__init__`).
    pub fn instance_attribute_values(
        &self,
        method: &'a StmtFunctionDef,
        class: Option<&'a StmtClassDef>,
        attr: &str,
    ) -> Vec<Returned> {
        let mut evaluator = Evaluator::new(self, class);
        let mut frame = Frame::default();
        evaluator.bind_parameters(&mut frame, &method.parameters, &[], &[], true);
        frame.kept = kept_alive_names(&method.body);
        let Some(self_name) = frame.self_name.clone() else {
            return Vec::new();
        };
        let env = std::mem::take(&mut frame.env);
        let mut returns = Vec::new();
        let Some(env) = evaluator.exec_block(&method.body, env, &mut frame, &mut returns) else {
            return Vec::new();
        };
        env.get(&format!("{self_name}.{attr}"))
            .map(|value| Returned {
                range: value.range,
                value: value.clone(),
            })
            .into_iter()
            .collect()
    }

    /// The function `name` defined once at module level.
    pub fn function(&self, name: &str) -> Option<&'a StmtFunctionDef> {
        self.functions.get(name).copied()
    }

    fn class_info(&self, class: &'a StmtClassDef) -> Rc<ClassInfo<'a>> {
        let key = class.range.start();
        if let Some(info) = self.class_cache.borrow().get(&key) {
            return Rc::clone(info);
        }
        let mut counts = HashMap::new();
        count_bindings(&class.body, &mut counts, false);
        let mut info = ClassInfo::default();
        for stmt in &class.body {
            match stmt {
                Stmt::Assign(assign) => {
                    if let [Expr::Name(name)] = assign.targets.as_slice() {
                        if counts.get(name.id.as_str()) == Some(&1) {
                            info.attributes.insert(name.id.as_str(), &*assign.value);
                        }
                    }
                }
                Stmt::AnnAssign(assign) => {
                    if let (Expr::Name(name), Some(value)) = (&*assign.target, &assign.value) {
                        if counts.get(name.id.as_str()) == Some(&1) {
                            info.attributes.insert(name.id.as_str(), &**value);
                        }
                    }
                }
                Stmt::FunctionDef(def) => {
                    info.methods.insert(def.name.as_str(), def);
                    collect_self_stores(&def.body, &mut info.instance_stores);
                }
                _ => {}
            }
        }
        let info = Rc::new(info);
        self.class_cache.borrow_mut().insert(key, Rc::clone(&info));
        info
    }
}

/// `property(f)`, `property(fget=f)`, `cached_property(f)`: the getter expression.
fn property_getter(value: &Expr) -> Option<&Expr> {
    let Expr::Call(call) = value else {
        return None;
    };
    let callee = dotted_last(&call.func)?;
    if !matches!(callee, "property" | "cached_property") {
        return None;
    }
    call.arguments.args.first().or_else(|| {
        call.arguments
            .keywords
            .iter()
            .find(|keyword| {
                keyword
                    .arg
                    .as_ref()
                    .is_some_and(|arg| arg.as_str() == "fget")
            })
            .map(|keyword| &keyword.value)
    })
}

/// `X` of `a.b.X` or of `X`.
fn dotted_last(expr: &Expr) -> Option<&str> {
    match expr {
        Expr::Name(name) => Some(name.id.as_str()),
        Expr::Attribute(attribute) => Some(attribute.attr.as_str()),
        _ => None,
    }
}

/// The callee's text when it names a class by Python's convention (`MaskView`,
/// `np.ma.MaskedArray`; CapWords, not an ALL_CAPS constant).
fn constructor_name(func: &Expr) -> Option<String> {
    let last = dotted_last(func)?;
    let mut chars = last.trim_start_matches('_').chars();
    let capitalized = chars.next().is_some_and(|c| c.is_ascii_uppercase());
    (capitalized && chars.any(|c| c.is_ascii_lowercase())).then(|| dotted_text(func))?
}

/// A name, a dotted name or a number as written, for messages about arithmetic.
fn operand_text(expr: &Expr) -> Option<String> {
    match expr {
        Expr::NumberLiteral(number) => match &number.value {
            Number::Int(int) => Some(int.to_string()),
            _ => None,
        },
        other => dotted_text(other),
    }
}

/// `a.b.c` as text, for messages.
fn dotted_text(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Name(name) => Some(name.id.to_string()),
        Expr::Attribute(attribute) => Some(format!(
            "{}.{}",
            dotted_text(&attribute.value)?,
            attribute.attr.as_str()
        )),
        _ => None,
    }
}

/// Attributes of `self` that some method assigns.
fn collect_self_stores<'a>(body: &'a [Stmt], stores: &mut HashSet<&'a str>) {
    collect_self_stores_at(body, stores, 0);
}

fn collect_self_stores_at<'a>(body: &'a [Stmt], stores: &mut HashSet<&'a str>, depth: usize) {
    if depth > MAX_SCAN_DEPTH {
        return;
    }
    fn visit_target<'a>(target: &'a Expr, stores: &mut HashSet<&'a str>) {
        match target {
            Expr::Attribute(attribute) => {
                if matches!(&*attribute.value, Expr::Name(name) if name.id.as_str() == "self") {
                    stores.insert(attribute.attr.as_str());
                }
            }
            Expr::Tuple(tuple) => tuple.elts.iter().for_each(|elt| visit_target(elt, stores)),
            Expr::List(list) => list.elts.iter().for_each(|elt| visit_target(elt, stores)),
            _ => {}
        }
    }
    for stmt in body {
        match stmt {
            Stmt::Assign(assign) => assign.targets.iter().for_each(|t| visit_target(t, stores)),
            Stmt::AnnAssign(assign) => visit_target(&assign.target, stores),
            Stmt::AugAssign(assign) => visit_target(&assign.target, stores),
            other => {
                for nested in compound_bodies(other) {
                    collect_self_stores_at(nested, stores, depth + 1);
                }
            }
        }
    }
}

/// Locals of one function evaluation.
#[derive(Default)]
struct Frame {
    env: HashMap<String, Value>,
    /// Locals that something keeps alive (stored on `self`, in a container, passed on).
    kept: HashSet<String>,
    /// The name of the instance parameter (`self`), if any.
    self_name: Option<String>,
    /// Evaluating in a class body: bare names see the class's attributes.
    class_scope: bool,
}

impl Frame {
    /// The environment key of an expression the evaluator tracks like a local: a name,
    /// or an attribute of `self` the getter assigns (`self._iface = {...}`, the caching
    /// pattern), keyed `self.attr` (which no Python name can collide with).
    fn local_key(&self, expr: &Expr) -> Option<String> {
        match expr {
            Expr::Name(name) => Some(name.id.to_string()),
            Expr::Attribute(attribute) => match &*attribute.value {
                Expr::Name(base) if self.self_name.as_deref() == Some(base.id.as_str()) => {
                    Some(format!("{}.{}", base.id, attribute.attr))
                }
                _ => None,
            },
            _ => None,
        }
    }

    fn class_body() -> Self {
        Frame {
            class_scope: true,
            ..Frame::default()
        }
    }
}

type Env = HashMap<String, Value>;

struct Evaluator<'i, 'a> {
    index: &'i ModuleIndex<'a>,
    class: Option<&'a StmtClassDef>,
    steps: Cell<usize>,
    depth: usize,
    block_depth: usize,
    call_depth: usize,
}

impl<'i, 'a> Evaluator<'i, 'a> {
    fn new(index: &'i ModuleIndex<'a>, class: Option<&'a StmtClassDef>) -> Self {
        Evaluator {
            index,
            class,
            steps: Cell::new(0),
            depth: 0,
            block_depth: 0,
            call_depth: 0,
        }
    }

    /// Count one step; false when the budget is spent.
    fn step(&self) -> bool {
        let steps = self.steps.get() + 1;
        self.steps.set(steps);
        steps <= MAX_STEPS
    }

    fn bind_parameters(
        &mut self,
        frame: &mut Frame,
        parameters: &'a ast::Parameters,
        args: &[Value],
        kwargs: &[(String, Value)],
        is_method: bool,
    ) {
        let positional: Vec<&ast::ParameterWithDefault> = parameters
            .posonlyargs
            .iter()
            .chain(parameters.args.iter())
            .collect();
        let mut args = args.iter();
        for (position, parameter) in positional.iter().enumerate() {
            let name = parameter.parameter.name.as_str();
            if position == 0 && is_method {
                frame.self_name = Some(name.to_string());
                frame
                    .env
                    .insert(name.to_string(), Value::unknown(parameter.range));
                continue;
            }
            let value = args
                .next()
                .cloned()
                .or_else(|| {
                    kwargs
                        .iter()
                        .find(|(keyword, _)| keyword == name)
                        .map(|(_, value)| value.clone())
                })
                .unwrap_or_else(|| Value::unknown(parameter.range));
            frame.env.insert(name.to_string(), value);
        }
        for parameter in &parameters.kwonlyargs {
            let name = parameter.parameter.name.as_str();
            let value = kwargs
                .iter()
                .find(|(keyword, _)| keyword == name)
                .map(|(_, value)| value.clone())
                .unwrap_or_else(|| Value::unknown(parameter.range));
            frame.env.insert(name.to_string(), value);
        }
        for parameter in parameters.vararg.iter().chain(parameters.kwarg.iter()) {
            frame
                .env
                .insert(parameter.name.to_string(), Value::unknown(parameter.range));
        }
    }

    /// Each `return` of `def`, with `args` bound to its parameters (after `self` when
    /// `is_method`).
    fn function_returns(
        &mut self,
        def: &'a StmtFunctionDef,
        args: &[Value],
        kwargs: &[(String, Value)],
        is_method: bool,
    ) -> Vec<Returned> {
        let mut frame = Frame::default();
        self.bind_parameters(&mut frame, &def.parameters, args, kwargs, is_method);
        frame.kept = kept_alive_names(&def.body);
        let mut returns = Vec::new();
        let env = std::mem::take(&mut frame.env);
        // Falling off the end returns None, but that is rarely what the author meant to
        // export (and stubs end that way): only explicit returns count.
        let _ = self.exec_block(&def.body, env, &mut frame, &mut returns);
        returns
    }

    /// Run `body` from `env`; `None` when no path falls through.
    fn exec_block(
        &mut self,
        body: &'a [Stmt],
        mut env: Env,
        frame: &mut Frame,
        returns: &mut Vec<Returned>,
    ) -> Option<Env> {
        if self.block_depth >= MAX_BLOCK_DEPTH {
            // Too deep to follow: whatever it does to the locals' dicts is unknown.
            for value in env.values_mut() {
                if let ValueKind::Dict(dict) = &mut value.kind {
                    dict.complete = false;
                }
            }
            return Some(env);
        }
        self.block_depth += 1;
        let mut outcome = Some(());
        for stmt in body {
            if !self.step() {
                outcome = None;
                break;
            }
            match self.exec_stmt(stmt, env, frame, returns) {
                Some(next) => env = next,
                None => {
                    self.block_depth -= 1;
                    return None;
                }
            }
        }
        self.block_depth -= 1;
        outcome.map(|()| env)
    }

    fn exec_stmt(
        &mut self,
        stmt: &'a Stmt,
        mut env: Env,
        frame: &mut Frame,
        returns: &mut Vec<Returned>,
    ) -> Option<Env> {
        match stmt {
            Stmt::Return(ret) => {
                frame.env = env;
                let value = match &ret.value {
                    Some(value) => self.eval(value, frame),
                    None => Value::new(ValueKind::None, ret.range),
                };
                returns.push(Returned {
                    range: ret.range,
                    value,
                });
                None
            }
            Stmt::Raise(_) => None,
            Stmt::Assign(assign) => {
                frame.env = env;
                let value = self.eval(&assign.value, frame);
                for target in &assign.targets {
                    self.assign(target, value.clone(), frame);
                }
                Some(std::mem::take(&mut frame.env))
            }
            Stmt::AnnAssign(assign) => {
                frame.env = env;
                if let Some(value) = &assign.value {
                    let value = self.eval(value, frame);
                    self.assign(&assign.target, value, frame);
                }
                Some(std::mem::take(&mut frame.env))
            }
            Stmt::AugAssign(assign) => {
                frame.env = env;
                let value = self.eval(&assign.value, frame);
                match (&*assign.target, assign.op) {
                    (Expr::Name(name), Operator::BitOr) => {
                        if let Some(ValueKind::Dict(dict)) =
                            frame.env.get_mut(name.id.as_str()).map(|v| &mut v.kind)
                        {
                            update_dict(dict, value);
                        } else {
                            self.assign(&assign.target, Value::unknown(assign.range), frame);
                        }
                    }
                    _ => self.assign(&assign.target, Value::unknown(assign.value.range()), frame),
                }
                Some(std::mem::take(&mut frame.env))
            }
            Stmt::Expr(expr) => {
                frame.env = env;
                self.exec_expression_statement(&expr.value, frame);
                Some(std::mem::take(&mut frame.env))
            }
            Stmt::Delete(delete) => {
                for target in &delete.targets {
                    match target {
                        Expr::Name(name) => {
                            env.remove(name.id.as_str());
                        }
                        Expr::Subscript(subscript) => {
                            frame.env = env;
                            let key = self.eval(&subscript.slice, frame);
                            env = std::mem::take(&mut frame.env);
                            let local = frame.local_key(&subscript.value);
                            if let (Some(local), Some(key)) = (local, key.as_str()) {
                                if let Some(ValueKind::Dict(dict)) =
                                    env.get_mut(&local).map(|v| &mut v.kind)
                                {
                                    dict.entries.retain(|entry| entry.key != key);
                                }
                            }
                        }
                        _ => {}
                    }
                }
                Some(env)
            }
            Stmt::If(if_stmt) => {
                let mut outcomes = Vec::new();
                outcomes.push(self.exec_block(&if_stmt.body, env.clone(), frame, returns));
                let mut has_else = false;
                for clause in &if_stmt.elif_else_clauses {
                    has_else |= clause.test.is_none();
                    outcomes.push(self.exec_block(&clause.body, env.clone(), frame, returns));
                }
                if !has_else {
                    outcomes.push(Some(env));
                }
                join_all(outcomes)
            }
            Stmt::For(for_stmt) => {
                let mut body_env = env.clone();
                for name in target_names(&for_stmt.target) {
                    body_env.insert(name.to_string(), Value::unknown(for_stmt.target.range()));
                }
                let after_body = self.exec_block(&for_stmt.body, body_env, frame, returns);
                let joined = join_all(vec![Some(env), after_body])?;
                self.exec_block(&for_stmt.orelse, joined, frame, returns)
            }
            Stmt::While(while_stmt) => {
                let after_body = self.exec_block(&while_stmt.body, env.clone(), frame, returns);
                let joined = join_all(vec![Some(env), after_body])?;
                self.exec_block(&while_stmt.orelse, joined, frame, returns)
            }
            Stmt::With(with) => {
                for item in &with.items {
                    if let Some(vars) = &item.optional_vars {
                        for name in target_names(vars) {
                            env.insert(name.to_string(), Value::unknown(vars.range()));
                        }
                    }
                }
                self.exec_block(&with.body, env, frame, returns)
            }
            Stmt::Try(try_stmt) => {
                let after_body = self.exec_block(&try_stmt.body, env.clone(), frame, returns);
                // A handler may start anywhere in the body: from before it or after it.
                let handler_start = join_all(vec![Some(env.clone()), after_body.clone()])
                    .unwrap_or_else(|| env.clone());
                let mut outcomes = Vec::new();
                for ExceptHandler::ExceptHandler(handler) in &try_stmt.handlers {
                    let mut start = handler_start.clone();
                    if let Some(name) = &handler.name {
                        start.insert(name.to_string(), Value::unknown(name.range));
                    }
                    outcomes.push(self.exec_block(&handler.body, start, frame, returns));
                }
                let after_else = match after_body {
                    Some(after_body) => {
                        self.exec_block(&try_stmt.orelse, after_body, frame, returns)
                    }
                    None => None,
                };
                outcomes.push(after_else);
                let joined = join_all(outcomes);
                if try_stmt.finalbody.is_empty() {
                    return joined;
                }
                match joined {
                    Some(joined) => self.exec_block(&try_stmt.finalbody, joined, frame, returns),
                    None => {
                        // `finally` still runs (and may return) before the exception leaves.
                        self.exec_block(&try_stmt.finalbody, env, frame, returns);
                        None
                    }
                }
            }
            Stmt::Match(match_stmt) => {
                let mut outcomes = vec![Some(env.clone())];
                for case in &match_stmt.cases {
                    outcomes.push(self.exec_block(&case.body, env.clone(), frame, returns));
                }
                join_all(outcomes)
            }
            Stmt::FunctionDef(def) => {
                env.insert(def.name.to_string(), Value::unknown(def.name.range));
                Some(env)
            }
            Stmt::ClassDef(def) => {
                env.insert(def.name.to_string(), Value::unknown(def.name.range));
                Some(env)
            }
            Stmt::Import(import) => {
                for alias in &import.names {
                    let bound = alias.asname.as_ref().unwrap_or(&alias.name);
                    env.insert(bound.to_string(), Value::unknown(alias.range));
                }
                Some(env)
            }
            Stmt::ImportFrom(import) => {
                for alias in &import.names {
                    let bound = alias.asname.as_ref().unwrap_or(&alias.name);
                    env.insert(bound.to_string(), Value::unknown(alias.range));
                }
                Some(env)
            }
            Stmt::Global(global) => {
                for name in &global.names {
                    env.insert(name.to_string(), Value::unknown(name.range));
                }
                Some(env)
            }
            Stmt::Nonlocal(nonlocal) => {
                for name in &nonlocal.names {
                    env.insert(name.to_string(), Value::unknown(name.range));
                }
                Some(env)
            }
            _ => Some(env),
        }
    }

    /// `d.update(...)`, `d.setdefault(...)`, `d.pop(...)`, `d.clear()` on a local dict;
    /// any other expression is evaluated for what it does to locals (a local dict passed
    /// to a call may gain keys we cannot see).
    fn exec_expression_statement(&mut self, expr: &'a Expr, frame: &mut Frame) {
        if let Expr::Call(call) = expr {
            if let Expr::Attribute(attribute) = &*call.func {
                if let Some(receiver) = frame.local_key(&attribute.value) {
                    let is_local_dict = matches!(
                        frame.env.get(&receiver).map(|v| &v.kind),
                        Some(ValueKind::Dict(_))
                    );
                    if is_local_dict {
                        self.mutate_dict(&receiver, attribute.attr.as_str(), call, frame);
                        return;
                    }
                }
            }
        }
        self.eval(expr, frame);
    }

    fn mutate_dict(
        &mut self,
        local: &str,
        method: &str,
        call: &'a ast::ExprCall,
        frame: &mut Frame,
    ) {
        let args: Vec<Value> = call
            .arguments
            .args
            .iter()
            .map(|arg| self.eval(arg, frame))
            .collect();
        let mut keyword_entries = Vec::new();
        let mut unknown_keywords = false;
        for keyword in &call.arguments.keywords {
            let value = self.eval(&keyword.value, frame);
            match &keyword.arg {
                Some(arg) => keyword_entries.push(DictEntry {
                    key: arg.to_string(),
                    key_range: arg.range,
                    value,
                    presence: Presence::Always,
                }),
                None => match value.kind {
                    ValueKind::Dict(dict) => keyword_entries.extend(dict.entries),
                    _ => unknown_keywords = true,
                },
            }
        }
        let Some(ValueKind::Dict(dict)) = frame.env.get_mut(local).map(|v| &mut v.kind) else {
            return;
        };
        match method {
            "update" => {
                for arg in args {
                    update_dict(dict, arg);
                }
                for entry in keyword_entries {
                    set_entry(dict, entry);
                }
                if unknown_keywords {
                    dict.complete = false;
                }
            }
            "setdefault" => match (args.first().and_then(Value::as_str), args.get(1)) {
                (Some(key), value) => {
                    if dict.get(key).is_none() {
                        let key_range = call
                            .arguments
                            .args
                            .first()
                            .map(Ranged::range)
                            .unwrap_or_default();
                        let value = value
                            .cloned()
                            .unwrap_or_else(|| Value::new(ValueKind::None, key_range));
                        push_entry(
                            dict,
                            DictEntry {
                                key: key.to_string(),
                                key_range,
                                value,
                                presence: Presence::Always,
                            },
                        );
                    }
                }
                (None, _) => dict.complete = false,
            },
            "pop" => {
                if let Some(key) = args.first().and_then(Value::as_str) {
                    dict.entries.retain(|entry| entry.key != key);
                }
            }
            "clear" => dict.entries.clear(),
            _ => dict.complete = false,
        }
    }

    fn assign(&mut self, target: &'a Expr, value: Value, frame: &mut Frame) {
        match target {
            Expr::Name(name) => {
                let mut value = value;
                if frame.kept.contains(name.id.as_str()) && value.origin.is_fresh() {
                    value.origin = Origin::Plain;
                }
                frame.env.insert(name.id.to_string(), value);
            }
            Expr::Tuple(ast::ExprTuple { elts, .. }) | Expr::List(ast::ExprList { elts, .. }) => {
                let has_starred = elts.iter().any(Expr::is_starred_expr);
                match value.as_sequence() {
                    Some(items) if !has_starred && items.len() == elts.len() => {
                        for (elt, item) in elts.iter().zip(items.to_vec()) {
                            self.assign(elt, item, frame);
                        }
                    }
                    _ => {
                        for elt in elts {
                            self.assign(elt, Value::unknown(elt.range()), frame);
                        }
                    }
                }
            }
            Expr::Subscript(subscript) => {
                let key = self.eval(&subscript.slice, frame);
                let Some(base) = frame.local_key(&subscript.value) else {
                    return;
                };
                let Some(ValueKind::Dict(dict)) = frame.env.get_mut(&base).map(|v| &mut v.kind)
                else {
                    return;
                };
                match key.as_str() {
                    Some(key) => set_entry(
                        dict,
                        DictEntry {
                            key: key.to_string(),
                            key_range: subscript.slice.range(),
                            value,
                            presence: Presence::Always,
                        },
                    ),
                    None => dict.complete = false,
                }
            }
            Expr::Starred(starred) => {
                self.assign(&starred.value, Value::unknown(starred.range), frame);
            }
            Expr::Attribute(_) => {
                // `self.x = ...`: tracked for the rest of the getter; the instance keeps
                // the object alive, so it is no temporary.
                if let Some(key) = frame.local_key(target) {
                    frame.env.insert(key, bound_for_good(value));
                }
            }
            _ => {}
        }
    }

    fn eval(&mut self, expr: &'a Expr, frame: &mut Frame) -> Value {
        let range = expr.range();
        if self.depth >= MAX_DEPTH || !self.step() {
            return Value::unknown(range);
        }
        self.depth += 1;
        let value = self.eval_inner(expr, frame);
        self.depth -= 1;
        value
    }

    fn eval_inner(&mut self, expr: &'a Expr, frame: &mut Frame) -> Value {
        let range = expr.range();
        let unknown = Value::unknown(range);
        match expr {
            Expr::NumberLiteral(number) => match &number.value {
                Number::Int(int) => match int.as_u64() {
                    Some(n) => Value::new(ValueKind::Int(i128::from(n)), range),
                    None => unknown,
                },
                Number::Float(float) => Value::new(ValueKind::Float(*float), range),
                Number::Complex { .. } => Value::new(ValueKind::Object("complex".into()), range),
            },
            Expr::StringLiteral(string) => {
                Value::new(ValueKind::Str(string.value.to_str().to_string()), range)
            }
            Expr::BytesLiteral(bytes) => Value::new(ValueKind::Bytes(bytes.value.len()), range),
            Expr::BooleanLiteral(boolean) => Value::new(ValueKind::Bool(boolean.value), range),
            Expr::NoneLiteral(_) => Value::new(ValueKind::None, range),
            Expr::EllipsisLiteral(_) => Value::new(ValueKind::Object("ellipsis".into()), range),
            Expr::Tuple(tuple) => match self.eval_elements(&tuple.elts, frame) {
                Some(items) => Value::new(ValueKind::Tuple(items), range),
                None => unknown,
            },
            Expr::List(list) => match self.eval_elements(&list.elts, frame) {
                Some(items) => Value::new(ValueKind::List(items), range),
                None => Value::new(ValueKind::Object("list".into()), range),
            },
            Expr::ListComp(_) => Value::new(ValueKind::Object("list".into()), range),
            Expr::Set(_) | Expr::SetComp(_) => Value::new(ValueKind::Object("set".into()), range),
            Expr::Generator(_) => Value::new(ValueKind::Object("generator".into()), range),
            Expr::DictComp(_) => Value::new(
                ValueKind::Dict(Dict {
                    entries: Vec::new(),
                    complete: false,
                }),
                range,
            ),
            Expr::Dict(dict) => self.eval_dict(dict, frame),
            Expr::Name(name) => self.eval_name(name, frame),
            Expr::Attribute(attribute) => self.eval_attribute(attribute, frame),
            Expr::Subscript(subscript) => {
                let base = self.eval(&subscript.value, frame);
                let key = self.eval(&subscript.slice, frame);
                if base.origin.temporary_callee().is_some() {
                    return Value::unknown(range).with_origin(base.origin.derived());
                }
                match (&base.kind, &key.kind) {
                    (ValueKind::Dict(dict), ValueKind::Str(key)) if dict.complete => dict
                        .get(key)
                        .map(|entry| entry.value.clone())
                        .unwrap_or(unknown),
                    (ValueKind::Tuple(items) | ValueKind::List(items), ValueKind::Int(index)) => {
                        let len = items.len() as i128;
                        let index = if *index < 0 { index + len } else { *index };
                        usize::try_from(index)
                            .ok()
                            .and_then(|index| items.get(index).cloned())
                            .unwrap_or(unknown)
                    }
                    _ => unknown,
                }
            }
            Expr::Call(call) => self.eval_call(call, frame),
            Expr::BinOp(binop) => {
                let left = self.eval(&binop.left, frame);
                let right = self.eval(&binop.right, frame);
                let value = binary(binop.op, &left, &right, range);
                if value.is_unknown() && value.origin == Origin::Plain {
                    let text = operand_text(&binop.left)
                        .zip(operand_text(&binop.right))
                        .map(|(l, r)| format!("{l} {} {r}", binop.op.as_str()))
                        .unwrap_or_else(|| "arithmetic".to_string());
                    return value.with_origin(Origin::Arithmetic { text });
                }
                value
            }
            Expr::UnaryOp(unary) => {
                let operand = self.eval(&unary.operand, frame);
                match (unary.op, &operand.kind) {
                    (UnaryOp::USub, ValueKind::Int(n)) => match n.checked_neg() {
                        Some(negated) => Value::new(ValueKind::Int(negated), range),
                        None => unknown,
                    },
                    (UnaryOp::UAdd, ValueKind::Int(n)) => Value::new(ValueKind::Int(*n), range),
                    (UnaryOp::Invert, ValueKind::Int(n)) => Value::new(ValueKind::Int(!n), range),
                    (UnaryOp::USub, ValueKind::Float(f)) => Value::new(ValueKind::Float(-f), range),
                    (UnaryOp::Not, ValueKind::Bool(b)) => Value::new(ValueKind::Bool(!b), range),
                    _ => unknown,
                }
            }
            Expr::If(if_expr) => {
                self.eval(&if_expr.test, frame);
                let body = self.eval(&if_expr.body, frame);
                let orelse = self.eval(&if_expr.orelse, frame);
                if same_value(&body, &orelse) && body.origin == Origin::Plain {
                    body
                } else {
                    unknown
                }
            }
            Expr::Named(named) => {
                let value = self.eval(&named.value, frame);
                self.assign(&named.target, value.clone(), frame);
                value
            }
            Expr::BoolOp(boolop) => {
                for value in &boolop.values {
                    self.eval(value, frame);
                }
                unknown
            }
            Expr::Compare(compare) => {
                self.eval(&compare.left, frame);
                for comparator in &compare.comparators {
                    self.eval(comparator, frame);
                }
                unknown
            }
            _ => unknown,
        }
    }

    /// Elements of a tuple or list display; `None` when a `*x` cannot be spliced.
    fn eval_elements(&mut self, elts: &'a [Expr], frame: &mut Frame) -> Option<Vec<Value>> {
        let mut items = Vec::with_capacity(elts.len());
        let mut known = true;
        for elt in elts {
            if let Expr::Starred(starred) = elt {
                let value = self.eval(&starred.value, frame);
                match value.as_sequence() {
                    Some(spliced) => items.extend(spliced.iter().cloned()),
                    None => known = false,
                }
            } else {
                items.push(self.eval(elt, frame));
            }
        }
        known.then_some(items)
    }

    fn eval_dict(&mut self, dict_expr: &'a ast::ExprDict, frame: &mut Frame) -> Value {
        let mut dict = Dict {
            entries: Vec::new(),
            complete: true,
        };
        for item in &dict_expr.items {
            let value = self.eval(&item.value, frame);
            match &item.key {
                None => update_dict(&mut dict, value),
                Some(key_expr) => {
                    let key = self.eval(key_expr, frame);
                    match key.as_str() {
                        Some(key) => set_entry(
                            &mut dict,
                            DictEntry {
                                key: key.to_string(),
                                key_range: key_expr.range(),
                                value,
                                presence: Presence::Always,
                            },
                        ),
                        None => dict.complete = false,
                    }
                }
            }
        }
        Value::new(ValueKind::Dict(dict), dict_expr.range)
    }

    fn eval_name(&mut self, name: &'a ast::ExprName, frame: &mut Frame) -> Value {
        let id = name.id.as_str();
        let range = name.range;
        if let Some(value) = frame.env.get(id) {
            let mut value = value.clone();
            if frame.kept.contains(id) && value.origin.is_fresh() {
                value.origin = Origin::Plain;
            }
            return at_use(value, range);
        }
        if frame.class_scope {
            if let Some(class) = self.class {
                if let Some(value) = self.class_attribute(class, id, false) {
                    return at_use(value, range);
                }
            }
        }
        match self.index.constants.get(id) {
            Some(expr) => at_use(bound_for_good(self.constant(id, expr)), range),
            None => Value::unknown(range),
        }
    }

    /// A module constant's value, evaluated once per file.
    fn constant(&mut self, name: &'a str, expr: &'a Expr) -> Value {
        if let Some(value) = self.index.constant_cache.borrow().get(name) {
            return value.clone();
        }
        if !self.index.constants_in_progress.borrow_mut().insert(name) {
            return Value::unknown(expr.range());
        }
        // Module constants see only other module names, not the getter's locals, and
        // get budgets of their own: the cached value must not depend on which getter
        // asked first.
        let mut frame = Frame::default();
        let saved = (self.depth, self.call_depth, self.steps.get());
        (self.depth, self.call_depth) = (0, 0);
        self.steps.set(0);
        let value = self.eval(expr, &mut frame);
        let exhausted = self.steps.get() > MAX_STEPS;
        (self.depth, self.call_depth) = (saved.0, saved.1);
        self.steps.set(saved.2);
        self.index.constants_in_progress.borrow_mut().remove(name);
        if !exhausted {
            self.index
                .constant_cache
                .borrow_mut()
                .insert(name, value.clone());
        }
        value
    }

    /// A class attribute of `class` (not one that instances set on `self`).
    fn class_attribute(
        &mut self,
        class: &'a StmtClassDef,
        attr: &str,
        via_instance: bool,
    ) -> Option<Value> {
        let info = self.index.class_info(class);
        // Through `self`, the attribute may be an instance's or a subclass's: only a
        // class attribute that nothing else in the module sets is taken, and `None`
        // (the usual "set by subclasses" placeholder) is not.
        let overridden = self.index.class_level_names.get(attr).copied().unwrap_or(0) > 1;
        if via_instance && (info.instance_stores.contains(attr) || overridden) {
            return None;
        }
        let expr = *info.attributes.get(attr)?;
        if via_instance && expr.is_none_literal_expr() {
            return None;
        }
        let saved_class = self.class;
        self.class = Some(class);
        let mut frame = Frame::class_body();
        let value = self.eval(expr, &mut frame);
        self.class = saved_class;
        Some(bound_for_good(value))
    }

    fn eval_attribute(&mut self, attribute: &'a ast::ExprAttribute, frame: &mut Frame) -> Value {
        let range = attribute.range;
        let attr = attribute.attr.as_str();
        if let Expr::Name(base) = &*attribute.value {
            let base_id = base.id.as_str();
            let is_self = frame.self_name.as_deref() == Some(base_id);
            if is_self {
                if let Some(value) = frame.env.get(&format!("{base_id}.{attr}")) {
                    return at_use(value.clone(), range);
                }
            }
            if is_self || base_id == "cls" {
                if let Some(class) = self.class {
                    if let Some(value) = self.class_attribute(class, attr, true) {
                        return at_use(value, range);
                    }
                }
                return Value::unknown(range);
            }
            if !frame.env.contains_key(base_id) {
                if let Some(class) = self.index.classes.get(base_id).copied() {
                    if let Some(value) = self.class_attribute(class, attr, false) {
                        return at_use(value, range);
                    }
                    return Value::unknown(range);
                }
            }
        }
        let base = self.eval(&attribute.value, frame);
        // Only an array has these: an arithmetic result that has them is a new array.
        let base = match &base.origin {
            Origin::Arithmetic { text }
                if matches!(
                    attr,
                    "ctypes" | "__array_interface__" | "__cuda_array_interface__"
                ) =>
            {
                let callee = text.clone();
                base.with_origin(Origin::Temporary { callee })
            }
            _ => base,
        };
        if let Some(callee) = base.origin.temporary_callee() {
            let origin = if matches!(attr, "__array_interface__" | "__cuda_array_interface__") {
                Origin::InterfaceOfTemporary {
                    callee: callee.to_string(),
                }
            } else {
                base.origin.derived()
            };
            return Value::unknown(range).with_origin(origin);
        }
        if matches!(attr, "char" | "name" | "kind") && looks_like_dtype(&attribute.value) {
            return Value::unknown(range).with_origin(Origin::Attribute {
                attr: attr.to_string(),
            });
        }
        Value::unknown(range)
    }

    fn eval_call(&mut self, call: &'a ast::ExprCall, frame: &mut Frame) -> Value {
        let range = call.range();
        let unknown = Value::unknown(range);
        // What a call the evaluator cannot follow gives: nothing known, but a class's
        // instance is not `None`.
        let unfollowed = || match constructor_name(&call.func) {
            Some(callee) => Value::unknown(range).with_origin(Origin::Constructed { callee }),
            None => Value::unknown(range),
        };
        // Arguments first: they are evaluated whatever the callee is.
        let args: Vec<Value> = call
            .arguments
            .args
            .iter()
            .map(|arg| self.eval(arg, frame))
            .collect();
        let mut kwargs: Vec<(String, Value)> = Vec::new();
        let mut splat_kwargs: Vec<Value> = Vec::new();
        for keyword in &call.arguments.keywords {
            let value = self.eval(&keyword.value, frame);
            match &keyword.arg {
                Some(arg) => kwargs.push((arg.to_string(), value)),
                None => splat_kwargs.push(value),
            }
        }
        let callee_last = dotted_last(&call.func);
        if !matches!(
            callee_last,
            Some("dict" | "tuple" | "list" | "len" | "isinstance" | "print" | "repr" | "str")
        ) {
            // A method of the instance (or a function given it) may change what the
            // getter stored on `self`.
            if let Some(self_name) = frame.self_name.clone() {
                let touches_self = matches!(&*call.func, Expr::Attribute(attribute)
                    if matches!(&*attribute.value, Expr::Name(base) if base.id.as_str() == self_name))
                    || call.arguments.args.iter().any(
                        |arg| matches!(arg, Expr::Name(name) if name.id.as_str() == self_name),
                    );
                if touches_self {
                    let prefix = format!("{self_name}.");
                    for (key, value) in frame.env.iter_mut() {
                        if let (true, ValueKind::Dict(dict)) =
                            (key.starts_with(&prefix), &mut value.kind)
                        {
                            dict.complete = false;
                        }
                    }
                }
            }
            // A local dict handed to an unknown function may come back with more keys.
            for arg in call
                .arguments
                .args
                .iter()
                .chain(call.arguments.keywords.iter().map(|k| &k.value))
            {
                if let Expr::Name(name) = arg {
                    if let Some(ValueKind::Dict(dict)) =
                        frame.env.get_mut(name.id.as_str()).map(|v| &mut v.kind)
                    {
                        dict.complete = false;
                    }
                }
            }
        }

        // Calls on a temporary keep deriving from it (`tmp.ctypes.data_as(...)`), as do
        // the pointer-reading functions (`ctypes.addressof(tmp)`, `int(ptr)`).
        if let Expr::Attribute(attribute) = &*call.func {
            let receiver = self.eval(&attribute.value, frame);
            if receiver.origin.temporary_callee().is_some() {
                return unknown.with_origin(receiver.origin.derived());
            }
            let method = attribute.attr.as_str();
            if method == "copy" {
                if let ValueKind::Dict(_) = receiver.kind {
                    return Value { range, ..receiver };
                }
            }
            let receiver_is_module = matches!(&*attribute.value, Expr::Name(name)
                if !frame.env.contains_key(name.id.as_str())
                    && frame.self_name.as_deref() != Some(name.id.as_str()));
            let copy_false = kwargs.iter().any(|(name, value)| {
                name == "copy" && matches!(value.kind, ValueKind::Bool(false) | ValueKind::None)
            });
            if receiver_is_module && TEMPORARY_FUNCTIONS.contains(&method) && !copy_false {
                let callee = dotted_text(&call.func).unwrap_or_else(|| method.to_string());
                return unknown.with_origin(Origin::Temporary { callee });
            }
            if !receiver_is_module && TEMPORARY_METHODS.contains(&method) && !copy_false {
                let callee = match dotted_text(&attribute.value) {
                    Some(receiver) => format!("{receiver}.{method}()"),
                    None => format!(".{method}()"),
                };
                return unknown.with_origin(Origin::Temporary { callee });
            }
            // `self.helper(...)`: a method of this class.
            if let Expr::Name(base) = &*attribute.value {
                if frame.self_name.as_deref() == Some(base.id.as_str()) {
                    if let Some(def) = self
                        .class
                        .and_then(|class| self.index.class_info(class).methods.get(method).copied())
                    {
                        return self.call_function(def, &args, &kwargs, true, range);
                    }
                }
            }
        }
        if NON_RETAINING_CALLS.contains(&callee_last.unwrap_or_default()) {
            if let Some(first) = args.first() {
                if first.origin.temporary_callee().is_some() {
                    return unknown.with_origin(first.origin.derived());
                }
            }
        }

        let Expr::Name(func) = &*call.func else {
            return unfollowed();
        };
        let name = func.id.as_str();
        if frame.env.contains_key(name) {
            return unknown;
        }
        match name {
            "dict" => {
                let mut dict = Dict {
                    entries: Vec::new(),
                    complete: true,
                };
                if let Some(first) = args.into_iter().next() {
                    update_dict(&mut dict, first);
                }
                for value in splat_kwargs {
                    update_dict(&mut dict, value);
                }
                for (keyword, (name, value)) in call
                    .arguments
                    .keywords
                    .iter()
                    .filter(|keyword| keyword.arg.is_some())
                    .zip(kwargs)
                {
                    let key_range = keyword
                        .arg
                        .as_ref()
                        .map(|arg| arg.range)
                        .unwrap_or_default();
                    set_entry(
                        &mut dict,
                        DictEntry {
                            key: name,
                            key_range,
                            value,
                            presence: Presence::Always,
                        },
                    );
                }
                Value::new(ValueKind::Dict(dict), range)
            }
            "tuple" | "list" => {
                let items = match args.first() {
                    None => Some(Vec::new()),
                    Some(first) => first.as_sequence().map(<[Value]>::to_vec),
                };
                match (items, name) {
                    (Some(items), "tuple") => Value::new(ValueKind::Tuple(items), range),
                    (Some(items), _) => Value::new(ValueKind::List(items), range),
                    (None, "list") => Value::new(ValueKind::Object("list".into()), range),
                    (None, _) => unknown,
                }
            }
            "int" => match args.first().map(|arg| &arg.kind) {
                Some(ValueKind::Int(n)) => Value::new(ValueKind::Int(*n), range),
                Some(ValueKind::Bool(b)) => Value::new(ValueKind::Int(i128::from(*b)), range),
                _ => unknown,
            },
            "bool" => match args.first().map(|arg| &arg.kind) {
                Some(ValueKind::Bool(b)) => Value::new(ValueKind::Bool(*b), range),
                Some(ValueKind::Int(n)) => Value::new(ValueKind::Bool(*n != 0), range),
                _ => unknown,
            },
            "str" => match args.first().map(|arg| &arg.kind) {
                Some(ValueKind::Str(s)) => Value::new(ValueKind::Str(s.clone()), range),
                _ => unknown,
            },
            "len" => match args.first().and_then(Value::as_sequence) {
                Some(items) => Value::new(ValueKind::Int(items.len() as i128), range),
                None => unknown,
            },
            "bytes" | "bytearray" => Value::new(ValueKind::Object(name.to_string()), range)
                .with_origin(Origin::Temporary {
                    callee: format!("{name}(...)"),
                }),
            "memoryview" => Value::new(ValueKind::Object("memoryview".into()), range),
            _ => match self.index.functions.get(name).copied() {
                Some(def) => self.call_function(def, &args, &kwargs, false, range),
                None => unfollowed(),
            },
        }
    }

    /// The value a helper returns: its one `return`, or the value all its returns agree on.
    fn call_function(
        &mut self,
        def: &'a StmtFunctionDef,
        args: &[Value],
        kwargs: &[(String, Value)],
        is_method: bool,
        range: TextRange,
    ) -> Value {
        if self.call_depth >= MAX_CALL_DEPTH {
            return Value::unknown(range);
        }
        self.call_depth += 1;
        let returns = self.function_returns(def, args, kwargs, is_method);
        self.call_depth -= 1;
        let mut values = returns.into_iter().map(|returned| returned.value);
        let Some(first) = values.next() else {
            return Value::unknown(range);
        };
        if values.all(|other| same_value(&first, &other)) {
            first
        } else {
            Value::unknown(range)
        }
    }
}

/// A module constant or class attribute: the module or class keeps the object alive,
/// so it is no temporary (what was derived from a temporary inside it still is).
fn bound_for_good(mut value: Value) -> Value {
    if value.origin.is_fresh() {
        value.origin = Origin::Plain;
    }
    value
}

/// A scalar read through a name points at where it is used; a container keeps the
/// ranges of its parts (so a finding inside it points into the literal).
fn at_use(mut value: Value, range: TextRange) -> Value {
    let is_container = matches!(
        value.kind,
        ValueKind::Dict(_) | ValueKind::Tuple(_) | ValueKind::List(_)
    );
    if !is_container {
        value.range = range;
    }
    value
}

/// `x.dtype`, `dtype`, `self._dtype`, `np.dtype(...)`: an expression that is a dtype.
fn looks_like_dtype(expr: &Expr) -> bool {
    match expr {
        Expr::Name(name) => {
            let id = name.id.as_str().to_ascii_lowercase();
            id.contains("dtype") || id == "dt"
        }
        Expr::Attribute(attribute) => attribute
            .attr
            .as_str()
            .to_ascii_lowercase()
            .contains("dtype"),
        Expr::Call(call) => dotted_last(&call.func) == Some("dtype"),
        _ => false,
    }
}

/// Structural equality that ignores where values were written.
fn same_value(a: &Value, b: &Value) -> bool {
    if a.origin != b.origin {
        return false;
    }
    match (&a.kind, &b.kind) {
        (ValueKind::Tuple(x), ValueKind::Tuple(y)) | (ValueKind::List(x), ValueKind::List(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same_value(a, b))
        }
        (ValueKind::Dict(x), ValueKind::Dict(y)) => {
            x.complete == y.complete
                && x.entries.len() == y.entries.len()
                && x.entries.iter().zip(&y.entries).all(|(a, b)| {
                    a.key == b.key && a.presence == b.presence && same_value(&a.value, &b.value)
                })
        }
        (ValueKind::Unknown, ValueKind::Unknown) => false,
        (x, y) => x == y,
    }
}

fn binary(op: Operator, left: &Value, right: &Value, range: TextRange) -> Value {
    // Pointer arithmetic on a temporary's address still points into the temporary.
    for side in [left, right] {
        if side.origin.temporary_callee().is_some() {
            return Value::unknown(range).with_origin(side.origin.derived());
        }
    }
    let kind = match (&left.kind, &right.kind) {
        (ValueKind::Int(a), ValueKind::Int(b)) => {
            let (a, b) = (*a, *b);
            let result = match op {
                Operator::Add => a.checked_add(b),
                Operator::Sub => a.checked_sub(b),
                Operator::Mult => a.checked_mul(b),
                // Python floors; `div_euclid` differs for negative divisors, so only the
                // common non-negative case is computed.
                Operator::FloorDiv if b > 0 => a.checked_div_euclid(b),
                Operator::Mod if b > 0 => a.checked_rem_euclid(b),
                Operator::LShift if (0..64).contains(&b) => a.checked_mul(1i128 << b),
                Operator::RShift if (0..128).contains(&b) => Some(a >> b),
                Operator::BitOr => Some(a | b),
                Operator::BitAnd => Some(a & b),
                Operator::BitXor => Some(a ^ b),
                _ => None,
            };
            result.map(ValueKind::Int)
        }
        (ValueKind::Str(a), ValueKind::Str(b)) if op == Operator::Add => {
            Some(ValueKind::Str(format!("{a}{b}")))
        }
        (ValueKind::Tuple(a), ValueKind::Tuple(b)) if op == Operator::Add => {
            Some(ValueKind::Tuple(a.iter().chain(b).cloned().collect()))
        }
        (ValueKind::List(a), ValueKind::List(b)) if op == Operator::Add => {
            Some(ValueKind::List(a.iter().chain(b).cloned().collect()))
        }
        (ValueKind::Tuple(items), ValueKind::Int(n))
        | (ValueKind::Int(n), ValueKind::Tuple(items))
            if op == Operator::Mult =>
        {
            let n = if items.is_empty() { 0 } else { (*n).max(0) };
            let total = n.saturating_mul(items.len() as i128);
            (total <= MAX_REPEAT).then(|| {
                let mut repeated = Vec::new();
                for _ in 0..n {
                    repeated.extend(items.iter().cloned());
                }
                ValueKind::Tuple(repeated)
            })
        }
        _ => None,
    };
    match kind {
        Some(kind) => Value::new(kind, range),
        None => Value::unknown(range),
    }
}

/// Set a key on the path being evaluated: it replaces whatever the key held.
fn set_entry(dict: &mut Dict, entry: DictEntry) {
    dict.entries.retain(|existing| existing.key != entry.key);
    push_entry(dict, entry);
}

fn push_entry(dict: &mut Dict, entry: DictEntry) {
    if dict.entries.len() >= MAX_DICT_ENTRIES {
        dict.complete = false;
        return;
    }
    dict.entries.push(entry);
}

/// `d.update(other)`, `{**other}`, `dict(other)`.
fn update_dict(dict: &mut Dict, other: Value) {
    match other.kind {
        ValueKind::Dict(other) => {
            for entry in other.entries {
                match entry.presence {
                    Presence::Always => set_entry(dict, entry),
                    // Only maybe set: the old value survives on the other paths.
                    Presence::Maybe => {
                        for existing in dict.entries.iter_mut().filter(|e| e.key == entry.key) {
                            existing.presence = Presence::Maybe;
                        }
                        push_entry(dict, entry);
                    }
                }
            }
            if !other.complete {
                dict.complete = false;
            }
        }
        _ => dict.complete = false,
    }
}

/// Join the environments of the paths that fall through; `None` when none does.
fn join_all(outcomes: Vec<Option<Env>>) -> Option<Env> {
    let mut live = outcomes.into_iter().flatten();
    let first = live.next()?;
    Some(live.fold(first, join_envs))
}

fn join_envs(mut a: Env, mut b: Env) -> Env {
    let mut joined = Env::new();
    for (name, value_a) in a.drain() {
        let value = match b.remove(&name) {
            Some(value_b) => join_values(value_a, value_b),
            // Bound on one path only: a use on the other path fails, so this one is it.
            None => value_a,
        };
        joined.insert(name, value);
    }
    joined.extend(b);
    joined
}

fn join_values(a: Value, b: Value) -> Value {
    if a == b || same_value(&a, &b) {
        return a;
    }
    match (a.kind, b.kind) {
        (ValueKind::Dict(x), ValueKind::Dict(y)) => Value {
            kind: ValueKind::Dict(join_dicts(x, y)),
            range: a.range,
            origin: Origin::Plain,
        },
        _ => Value::unknown(a.range),
    }
}

/// The dict after either path: keys of both, "maybe" where only one path sets them,
/// one entry per distinct value.
fn join_dicts(a: Dict, b: Dict) -> Dict {
    let mut keys: Vec<String> = Vec::new();
    for entry in a.entries.iter().chain(&b.entries) {
        if !keys.contains(&entry.key) {
            keys.push(entry.key.clone());
        }
    }
    let mut joined = Dict {
        entries: Vec::new(),
        complete: a.complete && b.complete,
    };
    for key in keys {
        let from_a: Vec<&DictEntry> = a.entries.iter().filter(|e| e.key == key).collect();
        let from_b: Vec<&DictEntry> = b.entries.iter().filter(|e| e.key == key).collect();
        let always =
            |entries: &[&DictEntry]| entries.iter().any(|e| e.presence == Presence::Always);
        let presence = if always(&from_a) && always(&from_b) {
            Presence::Always
        } else {
            Presence::Maybe
        };
        let mut alternatives: Vec<DictEntry> = Vec::new();
        for entry in from_a.into_iter().chain(from_b) {
            let duplicate = alternatives.iter().any(|alt| {
                alt.key_range == entry.key_range
                    && (alt.value == entry.value || same_value(&alt.value, &entry.value))
            });
            if !duplicate {
                alternatives.push(DictEntry {
                    presence,
                    ..entry.clone()
                });
            }
        }
        for entry in alternatives {
            push_entry(&mut joined, entry);
        }
    }
    joined
}

/// Locals the function keeps alive beyond its return, found by a scan of the whole
/// body (so the order of statements does not matter): assigned into an attribute or a
/// subscript, passed to a call that is not known to only read it, returned or yielded
/// bare, or declared `global`/`nonlocal`.
fn kept_alive_names(body: &[Stmt]) -> HashSet<String> {
    let mut kept = HashSet::new();
    for stmt in body {
        scan_stmt_for_kept(stmt, &mut kept, 0);
    }
    kept
}

fn scan_stmt_for_kept(stmt: &Stmt, kept: &mut HashSet<String>, depth: usize) {
    if depth > MAX_SCAN_DEPTH {
        return;
    }
    let block = |body: &[Stmt], kept: &mut HashSet<String>| {
        for stmt in body {
            scan_stmt_for_kept(stmt, kept, depth + 1);
        }
    };
    match stmt {
        Stmt::Assign(assign) => {
            let stores_elsewhere = assign
                .targets
                .iter()
                .any(|target| matches!(target, Expr::Attribute(_) | Expr::Subscript(_)));
            if stores_elsewhere {
                names_in_value(&assign.value, kept);
                for target in &assign.targets {
                    for name in target_names(target) {
                        kept.insert(name.to_string());
                    }
                }
            }
            scan_expr_for_kept(&assign.value, kept);
        }
        Stmt::AnnAssign(assign) => {
            if let Some(value) = &assign.value {
                if matches!(&*assign.target, Expr::Attribute(_) | Expr::Subscript(_)) {
                    names_in_value(value, kept);
                }
                scan_expr_for_kept(value, kept);
            }
        }
        Stmt::AugAssign(assign) => {
            names_in_value(&assign.value, kept);
        }
        Stmt::Expr(expr) => scan_expr_for_kept(&expr.value, kept),
        Stmt::Return(ret) => {
            if let Some(value) = &ret.value {
                if let Expr::Name(name) = &**value {
                    kept.insert(name.id.to_string());
                }
                scan_expr_for_kept(value, kept);
            }
        }
        Stmt::Global(global) => kept.extend(global.names.iter().map(|name| name.to_string())),
        Stmt::Nonlocal(nonlocal) => kept.extend(nonlocal.names.iter().map(|name| name.to_string())),
        Stmt::If(s) => {
            block(&s.body, kept);
            for clause in &s.elif_else_clauses {
                block(&clause.body, kept);
            }
        }
        Stmt::For(s) => {
            block(&s.body, kept);
            block(&s.orelse, kept);
        }
        Stmt::While(s) => {
            block(&s.body, kept);
            block(&s.orelse, kept);
        }
        Stmt::With(s) => {
            for item in &s.items {
                scan_expr_for_kept(&item.context_expr, kept);
            }
            block(&s.body, kept);
        }
        Stmt::Try(s) => {
            block(&s.body, kept);
            for ExceptHandler::ExceptHandler(handler) in &s.handlers {
                block(&handler.body, kept);
            }
            block(&s.orelse, kept);
            block(&s.finalbody, kept);
        }
        Stmt::Match(s) => {
            for case in &s.cases {
                block(&case.body, kept);
            }
        }
        _ => {}
    }
}

/// Bare names that end up inside a stored value (`self._keep = (tmp, other)`).
fn names_in_value(expr: &Expr, kept: &mut HashSet<String>) {
    match expr {
        Expr::Name(name) => {
            kept.insert(name.id.to_string());
        }
        Expr::Tuple(ast::ExprTuple { elts, .. }) | Expr::List(ast::ExprList { elts, .. }) => {
            elts.iter().for_each(|elt| names_in_value(elt, kept));
        }
        Expr::Dict(dict) => dict
            .items
            .iter()
            .for_each(|item| names_in_value(&item.value, kept)),
        Expr::Starred(starred) => names_in_value(&starred.value, kept),
        _ => {}
    }
}

/// Names passed as arguments to calls that may retain them, anywhere in `expr`.
fn scan_expr_for_kept(expr: &Expr, kept: &mut HashSet<String>) {
    match expr {
        Expr::Call(call) => {
            let callee = dotted_last(&call.func).unwrap_or_default();
            let retains = !NON_RETAINING_CALLS.contains(&callee)
                && !TEMPORARY_FUNCTIONS.contains(&callee)
                && !TEMPORARY_METHODS.contains(&callee);
            for arg in call.arguments.args.iter() {
                if retains {
                    names_in_value(arg, kept);
                }
                scan_expr_for_kept(arg, kept);
            }
            for keyword in &call.arguments.keywords {
                if retains {
                    names_in_value(&keyword.value, kept);
                }
                scan_expr_for_kept(&keyword.value, kept);
            }
            scan_expr_for_kept(&call.func, kept);
        }
        Expr::Attribute(attribute) => scan_expr_for_kept(&attribute.value, kept),
        Expr::Subscript(subscript) => {
            scan_expr_for_kept(&subscript.value, kept);
            scan_expr_for_kept(&subscript.slice, kept);
        }
        Expr::Tuple(ast::ExprTuple { elts, .. }) | Expr::List(ast::ExprList { elts, .. }) => {
            elts.iter().for_each(|elt| scan_expr_for_kept(elt, kept));
        }
        Expr::Dict(dict) => {
            for item in &dict.items {
                if let Some(key) = &item.key {
                    scan_expr_for_kept(key, kept);
                }
                scan_expr_for_kept(&item.value, kept);
            }
        }
        Expr::BinOp(binop) => {
            scan_expr_for_kept(&binop.left, kept);
            scan_expr_for_kept(&binop.right, kept);
        }
        Expr::Named(named) => scan_expr_for_kept(&named.value, kept),
        Expr::Yield(yield_expr) => {
            if let Some(value) = &yield_expr.value {
                names_in_value(value, kept);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests;
