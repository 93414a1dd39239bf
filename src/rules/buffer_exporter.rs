//! What the AL7xx rules (Cython buffer exporters) share: the `__getbuffer__` /
//! `__releasebuffer__` method with its `buffer` and `flags` parameters, the stores to
//! `buffer.<field>`, the calls it makes, the C locals it declares, and how the C
//! expressions Cython writes look once projected (`<T>` casts and `&` blanked, recorded
//! in `CDecls`) or written in Cython's pure-Python mode (`cython.cast(T, x)`,
//! `cython.address(x)`, `cython.NULL`, `cython.declare(T)`).

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{Expr, ExprCall, Stmt, StmtFunctionDef};
use ruff_text_size::{Ranged, TextRange};

use crate::checker::Checker;
use crate::model::{dotted_name, Member, MemberKind};
use crate::rules::helpers;

/// One store `buffer.<field> = value` (also `buffer[0].<field>`, pure mode's explicit
/// dereference).
#[derive(Debug, Clone, Copy)]
pub struct Store<'a> {
    pub field: &'a str,
    pub value: &'a Expr,
    /// The assignment statement: where a diagnostic about the field starts.
    pub range: TextRange,
}

/// A `__getbuffer__` or `__releasebuffer__` implementation.
#[derive(Debug)]
pub struct Exporter<'a> {
    pub def: &'a StmtFunctionDef,
    /// The name of the `Py_buffer *` parameter (the second positional one).
    pub buffer: &'a str,
    /// The name of the `flags` parameter (the third positional one), if any.
    pub flags: Option<&'a str>,
    /// Every store to a field of the buffer in the body, in text order.
    pub stores: Vec<Store<'a>>,
    /// Every call in the body (not in nested functions), in text order.
    pub calls: Vec<&'a ExprCall>,
}

impl<'a> Exporter<'a> {
    /// The exporter a member implements: a method (not a declaration) with the buffer
    /// among its parameters.
    pub fn of(member: &Member<'a>) -> Option<Exporter<'a>> {
        let MemberKind::Method { def, .. } = member.kind else {
            return None;
        };
        if member.is_declaration {
            return None;
        }
        let parameters = &def.parameters;
        let mut positional = parameters
            .posonlyargs
            .iter()
            .chain(&parameters.args)
            .map(|p| p.parameter.name.as_str());
        let _self = positional.next()?;
        let buffer = positional.next()?;
        let flags = positional.next();
        let mut collector = Collector {
            buffer,
            stores: Vec::new(),
            calls: Vec::new(),
        };
        collector.visit_body(&def.body);
        Some(Exporter {
            def,
            buffer,
            flags,
            stores: collector.stores,
            calls: collector.calls,
        })
    }

    /// The stores to one field.
    pub fn stores_of(&self, field: &'a str) -> impl Iterator<Item = &Store<'a>> + '_ {
        self.stores.iter().filter(move |s| s.field == field)
    }

    /// Whether `expr` is the buffer itself (`buffer`, or `buffer[0]` in pure mode).
    pub fn is_buffer(&self, expr: &Expr) -> bool {
        is_buffer_expr(expr, self.buffer)
    }

    /// Whether `expr` is the field `field` of the buffer (`buffer.len`).
    pub fn is_field(&self, expr: &Expr, field: &str) -> bool {
        matches!(expr, Expr::Attribute(a) if a.attr.as_str() == field && self.is_buffer(&a.value))
    }

    /// The calls that hand the buffer to `PyBuffer_FillInfo` (as its first argument).
    pub fn fill_info_calls(&self) -> impl Iterator<Item = &'a ExprCall> + '_ {
        self.calls.iter().copied().filter(move |call| {
            callee_tail(call) == Some("PyBuffer_FillInfo")
                && call
                    .arguments
                    .args
                    .first()
                    .is_some_and(|a| self.is_buffer(a))
        })
    }

    /// Whether a call receives the buffer itself as an argument (it may fill any field).
    pub fn passes_buffer(&self, call: &ExprCall) -> bool {
        call.arguments
            .args
            .iter()
            .chain(call.arguments.keywords.iter().map(|k| &k.value))
            .any(|a| self.is_buffer(strip_cast(a)))
    }

    /// Whether the flags are handed to any call (which may refuse a request).
    pub fn passes_flags(&self) -> bool {
        let Some(flags) = self.flags else {
            return false;
        };
        self.calls.iter().any(|call| {
            call.arguments
                .args
                .iter()
                .chain(call.arguments.keywords.iter().map(|k| &k.value))
                .any(|a| reads_name(a, flags))
        })
    }
}

fn is_buffer_expr(expr: &Expr, buffer: &str) -> bool {
    match expr {
        Expr::Name(n) => n.id.as_str() == buffer,
        Expr::Subscript(s) => {
            matches!(&*s.value, Expr::Name(n) if n.id.as_str() == buffer)
                && literal_int(&s.slice) == Some(0)
        }
        _ => false,
    }
}

struct Collector<'a> {
    buffer: &'a str,
    stores: Vec<Store<'a>>,
    calls: Vec<&'a ExprCall>,
}

impl<'a> Visitor<'a> for Collector<'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(_) | Stmt::ClassDef(_) => return,
            Stmt::Assign(assign) => {
                for target in &assign.targets {
                    if let Expr::Attribute(attr) = target {
                        if is_buffer_expr(&attr.value, self.buffer) {
                            self.stores.push(Store {
                                field: attr.attr.as_str(),
                                value: &assign.value,
                                range: assign.range(),
                            });
                        }
                    }
                }
            }
            _ => {}
        }
        visitor::walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Lambda(_) => return,
            Expr::Call(call) => self.calls.push(call),
            _ => {}
        }
        visitor::walk_expr(self, expr);
    }
}

/// Whether `expr` reads the plain name `name` anywhere.
pub fn reads_name(expr: &Expr, name: &str) -> bool {
    struct Reads<'n> {
        name: &'n str,
        found: bool,
    }
    impl<'b> Visitor<'b> for Reads<'_> {
        fn visit_expr(&mut self, expr: &'b Expr) {
            match expr {
                Expr::Name(n) if n.id.as_str() == self.name => self.found = true,
                _ => visitor::walk_expr(self, expr),
            }
        }
    }
    let mut reads = Reads { name, found: false };
    reads.visit_expr(expr);
    reads.found
}

/// The last component of a dotted name (`python.PyBUF_WRITABLE` -> `PyBUF_WRITABLE`).
pub fn tail(name: &str) -> &str {
    name.rsplit('.').next().unwrap_or(name)
}

/// The last component of the called function's dotted name.
pub fn callee_tail(call: &ExprCall) -> Option<&str> {
    match &*call.func {
        Expr::Name(n) => Some(n.id.as_str()),
        Expr::Attribute(a) => Some(a.attr.as_str()),
        _ => None,
    }
}

/// A pure-mode `cython.<what>(...)` (or the bare name, imported from `cython`).
fn is_cython_call<'e>(expr: &'e Expr, what: &str) -> Option<&'e ExprCall> {
    let Expr::Call(call) = expr else {
        return None;
    };
    let name = dotted_name(&call.func)?;
    (name == what || name == format!("cython.{what}")).then_some(call)
}

/// The expression without pure-mode casts (`cython.cast(T, x)` -> `x`). Casts in a Cython
/// file are blanked by the projection already.
pub fn strip_cast(mut expr: &Expr) -> &Expr {
    while let Some(call) = is_cython_call(expr, "cast") {
        match call.arguments.args.get(1) {
            Some(inner) => expr = inner,
            None => break,
        }
    }
    expr
}

/// What `&x` or `cython.address(x)` takes the address of.
pub fn address_of<'e>(checker: &Checker, expr: &'e Expr) -> Option<&'e Expr> {
    let expr = strip_cast(expr);
    if let Some(call) = is_cython_call(expr, "address") {
        return call.arguments.args.first();
    }
    checker
        .cython
        .is_some_and(|c| c.address_of_before(checker.text, expr.start()))
        .then_some(expr)
}

/// `NULL`, `cython.NULL`, or `0` cast to a pointer (`<void*>0`, `cython.cast(p, 0)`).
pub fn is_null(checker: &Checker, expr: &Expr) -> bool {
    let stripped = strip_cast(expr);
    match stripped {
        Expr::Name(n) => n.id.as_str() == "NULL",
        Expr::Attribute(a) => {
            a.attr.as_str() == "NULL"
                && matches!(&*a.value, Expr::Name(n) if n.id.as_str() == "cython")
        }
        Expr::NumberLiteral(_) if literal_int(stripped) == Some(0) => {
            !std::ptr::eq(stripped, expr)
                || checker
                    .cython
                    .and_then(|c| c.cast_before(checker.text, stripped.start()))
                    .is_some_and(|cast| cast.ctype.contains('*'))
        }
        _ => false,
    }
}

/// An integer literal's value.
pub fn literal_int(expr: &Expr) -> Option<i64> {
    match expr {
        Expr::NumberLiteral(n) => n.value.as_int().and_then(|i| i.as_i64()),
        Expr::BooleanLiteral(b) => Some(i64::from(b.value)),
        _ => None,
    }
}

/// The root name of an access chain (`self` in `self.a.b[0].c()`).
pub fn root_name(mut expr: &Expr) -> Option<&str> {
    loop {
        expr = match expr {
            Expr::Name(n) => return Some(n.id.as_str()),
            Expr::Attribute(a) => &a.value,
            Expr::Subscript(s) => &s.value,
            Expr::Call(c) => &c.func,
            _ => return None,
        };
    }
}

/// The text of an expression without blanks: two expressions written alike compare equal,
/// whatever the spacing and the blanked casts.
pub fn compact(checker: &Checker, expr: &Expr) -> String {
    checker
        .text
        .get(expr.range().start().to_usize()..expr.range().end().to_usize())
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// What an `itemsize` is known to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Size {
    Literal(i64),
    /// `sizeof(T)`: whether `T` is a one-byte type.
    Sizeof {
        one_byte: bool,
    },
}

impl Size {
    pub fn is_not_one(&self) -> bool {
        match self {
            Size::Literal(n) => *n != 1,
            Size::Sizeof { one_byte } => !one_byte,
        }
    }
}

/// The C types one byte wide.
const ONE_BYTE_TYPES: &[&str] = &[
    "char",
    "signedchar",
    "unsignedchar",
    "uchar",
    "schar",
    "int8_t",
    "uint8_t",
    "Py_UCS1",
    "npy_int8",
    "npy_uint8",
    "npy_byte",
    "npy_ubyte",
    "npy_bool",
];

/// An `itemsize` value that is known: a literal or `sizeof(T)` (`cython.sizeof(T)`).
pub fn known_size(checker: &Checker, expr: &Expr) -> Option<Size> {
    let expr = strip_cast(expr);
    if let Some(n) = literal_int(expr) {
        return Some(Size::Literal(n));
    }
    let call = is_cython_call(expr, "sizeof")?;
    let [argument] = &call.arguments.args[..] else {
        return None;
    };
    let written = compact(checker, argument);
    if written.contains('*') {
        return Some(Size::Sizeof { one_byte: false });
    }
    let one_byte = ONE_BYTE_TYPES.contains(&tail(&written));
    Some(Size::Sizeof { one_byte })
}

/// A C local of the method: a name whose storage dies when it returns.
#[derive(Debug, Clone)]
pub struct Local {
    pub name: String,
    /// A C array (`cdef Py_ssize_t shape[2]`, `cython.declare(cython.Py_ssize_t[2])`):
    /// its name is a pointer to the stack.
    pub array: bool,
}

/// The locals of a method: its parameters, the C declarations inside it (Cython), what it
/// declares in pure mode (`cython.declare`, annotations, `@cython.locals`), and the names
/// it assigns.
pub fn locals(checker: &Checker, def: &StmtFunctionDef) -> Vec<Local> {
    let mut locals: Vec<Local> = Vec::new();
    if let Some(cython) = checker.cython {
        for declaration in cython.within(def.range()) {
            locals.push(Local {
                name: declaration.name.clone(),
                array: declaration.ctype.array,
            });
        }
    }
    for parameter in def.parameters.iter() {
        locals.push(Local {
            name: parameter.name().to_string(),
            array: false,
        });
    }
    for decorator in &def.decorator_list {
        let Expr::Call(call) = &decorator.expression else {
            continue;
        };
        if dotted_name(&call.func).as_deref() == Some("cython.locals") {
            for keyword in &call.arguments.keywords {
                if let Some(arg) = &keyword.arg {
                    locals.push(Local {
                        name: arg.to_string(),
                        array: is_array_type(&keyword.value),
                    });
                }
            }
        }
    }
    struct Assigned<'l> {
        locals: &'l mut Vec<Local>,
    }
    impl<'b> Visitor<'b> for Assigned<'_> {
        fn visit_stmt(&mut self, stmt: &'b Stmt) {
            match stmt {
                Stmt::FunctionDef(_) | Stmt::ClassDef(_) => return,
                Stmt::Assign(assign) => {
                    let array = is_cython_call(&assign.value, "declare")
                        .and_then(|call| call.arguments.args.first())
                        .is_some_and(is_array_type);
                    for target in &assign.targets {
                        if let Expr::Name(n) = target {
                            self.locals.push(Local {
                                name: n.id.to_string(),
                                array,
                            });
                        }
                    }
                }
                Stmt::AnnAssign(assign) => {
                    if let Expr::Name(n) = &*assign.target {
                        self.locals.push(Local {
                            name: n.id.to_string(),
                            array: is_array_type(&assign.annotation),
                        });
                    }
                }
                _ => {}
            }
            visitor::walk_stmt(self, stmt);
        }
    }
    Assigned {
        locals: &mut locals,
    }
    .visit_body(&def.body);
    locals
}

/// A pure-mode C array type: `cython.int[4]` (not a memoryview such as `cython.int[:]`).
fn is_array_type(expr: &Expr) -> bool {
    match expr {
        Expr::Subscript(s) => !matches!(&*s.slice, Expr::Slice(_) | Expr::Tuple(_)),
        _ => false,
    }
}

/// The local named `name`, if it is one; an array declaration wins over a plain assignment
/// of the same name.
pub fn local<'l>(locals: &'l [Local], name: &str) -> Option<&'l Local> {
    locals
        .iter()
        .filter(|l| l.name == name)
        .max_by_key(|l| l.array)
}

/// Whether a body raises anywhere (not in nested functions).
pub fn raises_somewhere(body: &[Stmt]) -> bool {
    !helpers::leaving_raises(body).is_empty()
}

/// Whether `f` holds for an expression in a body (not in nested functions).
pub fn any_expr<'b>(body: &'b [Stmt], f: &mut dyn FnMut(&'b Expr) -> bool) -> bool {
    let mut any = Any { f, found: false };
    any.visit_body(body);
    any.found
}

/// Whether `f` holds for `expr` or an expression inside it.
pub fn any_in<'b>(expr: &'b Expr, f: &mut dyn FnMut(&'b Expr) -> bool) -> bool {
    let mut any = Any { f, found: false };
    any.visit_expr(expr);
    any.found
}

struct Any<'f, 'b> {
    f: &'f mut dyn FnMut(&'b Expr) -> bool,
    found: bool,
}

impl<'b> Visitor<'b> for Any<'_, 'b> {
    fn visit_stmt(&mut self, stmt: &'b Stmt) {
        if self.found || matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
            return;
        }
        visitor::walk_stmt(self, stmt);
    }
    fn visit_expr(&mut self, expr: &'b Expr) {
        if self.found {
            return;
        }
        if (self.f)(expr) {
            self.found = true;
            return;
        }
        visitor::walk_expr(self, expr);
    }
}

/// Whether the body names `tail_name` (a bare name or the last part of a dotted one:
/// `PyBUF_WRITABLE`, `python.PyBUF_WRITABLE`).
pub fn mentions(body: &[Stmt], tail_name: &str) -> bool {
    any_expr(body, &mut |expr| match expr {
        Expr::Name(n) => n.id.as_str() == tail_name,
        Expr::Attribute(a) => a.attr.as_str() == tail_name,
        _ => false,
    })
}

/// The class's other method named `name` as an exporter.
pub fn sibling<'a>(
    class: &'a crate::model::ClassInfo<'a>,
    name: &str,
) -> Option<(&'a Member<'a>, Exporter<'a>)> {
    let member = class.member(name)?;
    Some((member, Exporter::of(member)?))
}

/// Whether `f` holds for a statement of a body, at any depth (not in nested functions).
pub fn any_stmt<'b>(body: &'b [Stmt], f: &mut dyn FnMut(&'b Stmt) -> bool) -> bool {
    struct AnyStmt<'f, 'b> {
        f: &'f mut dyn FnMut(&'b Stmt) -> bool,
        found: bool,
    }
    impl<'b> Visitor<'b> for AnyStmt<'_, 'b> {
        fn visit_stmt(&mut self, stmt: &'b Stmt) {
            if self.found || matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
                return;
            }
            if (self.f)(stmt) {
                self.found = true;
                return;
            }
            visitor::walk_stmt(self, stmt);
        }
        fn visit_expr(&mut self, _: &'b Expr) {}
    }
    let mut any = AnyStmt { f, found: false };
    any.visit_body(body);
    any.found
}

#[cfg(test)]
mod tests;
