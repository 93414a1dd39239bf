//! The signature model: which calls a `def` accepts, as Python binds arguments.

use ruff_python_ast::{Expr, Parameter, Parameters, StmtFunctionDef};
use ruff_text_size::{Ranged, TextRange};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamKind {
    /// Before `/`: cannot be passed by keyword.
    PositionalOnly,
    PositionalOrKeyword,
    /// After `*` or `*args`: cannot be passed by position.
    KeywordOnly,
}

#[derive(Debug, Clone, Copy)]
pub struct Param<'a> {
    pub name: &'a str,
    pub kind: ParamKind,
    pub default: Option<&'a Expr>,
    pub range: TextRange,
}

/// How a method is bound: whether its first parameter is the instance or class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Binding {
    Instance,
    Class,
    Static,
}

/// A method's parameters as seen by a caller (the bound `self`/`cls` removed).
#[derive(Debug, Clone)]
pub struct Signature<'a> {
    pub params: Vec<Param<'a>>,
    pub vararg: Option<&'a Parameter>,
    pub kwarg: Option<&'a Parameter>,
    /// The bound method has no parameter to receive `self`/`cls` (and no `*args`).
    pub missing_self: bool,
    pub parameters: &'a Parameters,
}

impl<'a> Signature<'a> {
    pub fn of(def: &'a StmtFunctionDef, binding: Binding) -> Self {
        Self::from_parameters(&def.parameters, binding)
    }

    pub fn from_parameters(parameters: &'a Parameters, binding: Binding) -> Self {
        let mut params: Vec<Param<'a>> = Vec::new();
        let groups = [
            (&parameters.posonlyargs, ParamKind::PositionalOnly),
            (&parameters.args, ParamKind::PositionalOrKeyword),
            (&parameters.kwonlyargs, ParamKind::KeywordOnly),
        ];
        for (group, kind) in groups {
            for p in group.iter() {
                params.push(Param {
                    name: p.parameter.name.id.as_str(),
                    kind,
                    default: p.default.as_deref(),
                    range: p.range(),
                });
            }
        }
        let mut missing_self = false;
        if binding != Binding::Static {
            match params.first() {
                Some(first) if first.kind != ParamKind::KeywordOnly => {
                    params.remove(0);
                }
                _ => missing_self = parameters.vararg.is_none(),
            }
        }
        Signature {
            params,
            vararg: parameters.vararg.as_deref(),
            kwarg: parameters.kwarg.as_deref(),
            missing_self,
            parameters,
        }
    }

    pub fn param(&self, name: &str) -> Option<&Param<'a>> {
        self.params.iter().find(|p| p.name == name)
    }

    /// The parameters that can receive a positional argument, in order.
    pub fn positional(&self) -> impl Iterator<Item = &Param<'a>> {
        self.params
            .iter()
            .filter(|p| p.kind != ParamKind::KeywordOnly)
    }

    /// Whether `name=...` can be passed.
    pub fn accepts_keyword(&self, name: &str) -> bool {
        self.kwarg.is_some()
            || self
                .params
                .iter()
                .any(|p| p.name == name && p.kind != ParamKind::PositionalOnly)
    }

    /// Whether a call with `positional` positional arguments and the given keywords binds,
    /// as Python would bind it (too many, duplicate, unknown or missing arguments fail).
    pub fn accepts_call(&self, positional: usize, keywords: &[&str]) -> bool {
        if self.missing_self {
            return false;
        }
        let slots: Vec<&Param> = self.positional().collect();
        if positional > slots.len() && self.vararg.is_none() {
            return false;
        }
        let mut filled: Vec<&str> = slots.iter().take(positional).map(|p| p.name).collect();
        for keyword in keywords {
            match self
                .params
                .iter()
                .find(|p| p.name == *keyword && p.kind != ParamKind::PositionalOnly)
            {
                Some(param) => {
                    if filled.contains(&param.name) {
                        return false;
                    }
                    filled.push(param.name);
                }
                None if self.kwarg.is_some() => {}
                None => return false,
            }
        }
        self.params
            .iter()
            .all(|p| p.default.is_some() || filled.contains(&p.name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ruff_python_ast::Stmt;

    fn with_sig(src: &str, binding: Binding, f: impl FnOnce(&Signature)) {
        let parsed = ruff_python_parser::parse_module(src).expect("test source parses");
        let Stmt::FunctionDef(def) = &parsed.syntax().body[0] else {
            panic!("not a def")
        };
        f(&Signature::of(def, binding));
    }

    #[test]
    fn binds_like_python() {
        with_sig(
            "def f(self, dtype=None, /, *, copy=None): ...",
            Binding::Instance,
            |s| {
                assert!(s.accepts_call(0, &[]));
                assert!(s.accepts_call(1, &["copy"]));
                assert!(!s.accepts_call(2, &[]));
                assert!(!s.accepts_keyword("dtype"));
                assert!(s.accepts_keyword("copy"));
            },
        );
        with_sig(
            "def f(self, *args, **kwargs): ...",
            Binding::Instance,
            |s| {
                assert!(s.accepts_call(5, &["anything", "copy"]));
            },
        );
        with_sig("def f(self, arr, context): ...", Binding::Instance, |s| {
            assert!(s.accepts_call(2, &[]));
            assert!(!s.accepts_call(1, &[]));
            assert!(!s.accepts_call(3, &[]));
            assert!(!s.accepts_call(1, &["arr"]));
        });
        with_sig("def f(): ...", Binding::Instance, |s| {
            assert!(s.missing_self);
            assert!(!s.accepts_call(0, &[]));
        });
        with_sig("def f(x, y=1): ...", Binding::Static, |s| {
            assert!(s.accepts_call(1, &["y"]));
            assert!(!s.accepts_call(0, &[]));
        });
    }
}
