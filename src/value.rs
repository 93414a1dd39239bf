//! `Value`: what a descriptor evaluates to, as far as it can be known.
//!
//! The static side builds values from the source (the partial evaluator, below), the live
//! side builds them from real Python objects (`python/`). `descriptor::validate` only ever
//! sees a `Value`, so one spec serves both.
//!
//! A value that cannot be known is `Unknown` and is never reported.

use ruff_text_size::TextRange;

pub mod eval;

pub use eval::{ModuleIndex, Returned};

/// A value with where it came from. Live values have an empty range.
#[derive(Debug, Clone, PartialEq)]
pub struct Value {
    pub kind: ValueKind,
    /// Where the value is written in the source (empty for live values).
    pub range: TextRange,
    /// How the value was produced, where a rule needs to know.
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ValueKind {
    /// Python ints are unbounded; pointers need 64 bits unsigned, so i128 holds all we need.
    Int(i128),
    Bool(bool),
    Float(f64),
    Str(String),
    /// A `bytes` object of the given length.
    Bytes(usize),
    None,
    Tuple(Vec<Value>),
    List(Vec<Value>),
    Dict(Dict),
    /// A PyCapsule, with its name (`None` for an unnamed capsule).
    Capsule(Option<String>),
    /// A known kind of object that is none of the above (`memoryview`, `ndarray`, a
    /// buffer exporter...), named by its type.
    Object(String),
    Unknown,
}

/// A dict whose keys are strings. `complete` is false when it may hold more keys than
/// listed (e.g. `{**unknown, ...}` or `d.update(unknown)`).
///
/// Several entries with the same key are alternatives: the key is set to different
/// values on different paths through the getter (on one path, a later assignment
/// replaces the earlier entry).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Dict {
    pub entries: Vec<DictEntry>,
    pub complete: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DictEntry {
    pub key: String,
    /// The key's range in the source (empty for live values).
    pub key_range: TextRange,
    pub value: Value,
    pub presence: Presence,
}

/// Whether a key is set on every path through the getter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    Always,
    Maybe,
}

/// How a value was produced, where it matters to a rule.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Origin {
    #[default]
    Plain,
    /// The result of a call that creates a new object the getter does not keep
    /// (`np.ascontiguousarray(x)`, `x.copy()`, `bytes(...)`): AL216.
    Temporary { callee: String },
    /// The descriptor of such a temporary (`np.array(x).__array_interface__`): its
    /// pointer dangles once the getter returns (AL216).
    InterfaceOfTemporary { callee: String },
    /// Read from an attribute such as `dtype.char`, `.name`, `.kind`: AL207.
    Attribute { attr: String },
    /// Built by calling a class or constructor (`MaskView(v)`): nothing else is known
    /// about it, but it is not `None` (AL213).
    Constructed { callee: String },
    /// The result of arithmetic on values not known (`a * 2`): a fresh object when the
    /// operands are arrays, so its `.ctypes` or interface is a temporary's (AL216). The
    /// expression as written, where it is short.
    Arithmetic { text: String },
}

impl Origin {
    /// The call that created the temporary this value comes from, if any.
    pub fn temporary_callee(&self) -> Option<&str> {
        match self {
            Origin::Temporary { callee } | Origin::InterfaceOfTemporary { callee } => Some(callee),
            Origin::Plain
            | Origin::Attribute { .. }
            | Origin::Constructed { .. }
            | Origin::Arithmetic { .. } => None,
        }
    }
    /// A new object that dies with the getter unless something keeps it: a temporary, or
    /// an arithmetic result (which may be a new array).
    pub fn is_fresh(&self) -> bool {
        self.temporary_callee().is_some() || matches!(self, Origin::Arithmetic { .. })
    }
    /// The origin of something read from a value of this origin (`tmp.ctypes.data`,
    /// `iface["data"][0]`): still derived from the temporary.
    pub fn derived(&self) -> Origin {
        match self.temporary_callee() {
            Some(callee) => Origin::Temporary {
                callee: callee.to_string(),
            },
            None => Origin::Plain,
        }
    }
}

impl Value {
    pub fn new(kind: ValueKind, range: TextRange) -> Self {
        Value {
            kind,
            range,
            origin: Origin::Plain,
        }
    }
    /// A live value (no source range).
    pub fn live(kind: ValueKind) -> Self {
        Value::new(kind, TextRange::default())
    }
    pub fn unknown(range: TextRange) -> Self {
        Value::new(ValueKind::Unknown, range)
    }
    pub fn with_origin(mut self, origin: Origin) -> Self {
        self.origin = origin;
        self
    }
    pub fn is_unknown(&self) -> bool {
        matches!(self.kind, ValueKind::Unknown)
    }
    pub fn as_int(&self) -> Option<i128> {
        match self.kind {
            ValueKind::Int(i) => Some(i),
            _ => None,
        }
    }
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            ValueKind::Str(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_dict(&self) -> Option<&Dict> {
        match &self.kind {
            ValueKind::Dict(d) => Some(d),
            _ => None,
        }
    }
    /// Elements of a tuple or list.
    pub fn as_sequence(&self) -> Option<&[Value]> {
        match &self.kind {
            ValueKind::Tuple(items) | ValueKind::List(items) => Some(items),
            _ => None,
        }
    }
    /// A short name of the value's type, for messages (`list`, `int`, `None`).
    pub fn type_name(&self) -> &str {
        match &self.kind {
            ValueKind::Int(_) => "int",
            ValueKind::Bool(_) => "bool",
            ValueKind::Float(_) => "float",
            ValueKind::Str(_) => "str",
            ValueKind::Bytes(_) => "bytes",
            ValueKind::None => "None",
            ValueKind::Tuple(_) => "tuple",
            ValueKind::List(_) => "list",
            ValueKind::Dict(_) => "dict",
            ValueKind::Capsule(_) => "PyCapsule",
            ValueKind::Object(name) => name,
            ValueKind::Unknown => "unknown",
        }
    }
}

impl Dict {
    pub fn get(&self, key: &str) -> Option<&DictEntry> {
        // The last assignment wins, as in Python.
        self.entries.iter().rev().find(|entry| entry.key == key)
    }
}

/// Python-like text of a value, for messages and tests: `?` is a value not known,
/// `?'k': v` a key only maybe present, `...` a dict that may hold more keys, and
/// `<temporary f>` a value derived from a temporary.
impl std::fmt::Display for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.origin {
            Origin::Temporary { callee } => return write!(f, "<temporary {callee}>"),
            Origin::InterfaceOfTemporary { callee } => {
                return write!(f, "<interface of temporary {callee}>")
            }
            _ => {}
        }
        match &self.kind {
            ValueKind::Int(n) => write!(f, "{n}"),
            ValueKind::Bool(true) => write!(f, "True"),
            ValueKind::Bool(false) => write!(f, "False"),
            ValueKind::Float(x) => write!(f, "{x:?}"),
            ValueKind::Str(s) => write!(f, "{s:?}"),
            ValueKind::Bytes(n) => write!(f, "<bytes {n}>"),
            ValueKind::None => write!(f, "None"),
            ValueKind::Tuple(items) => {
                write!(f, "(")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{item}")?;
                }
                if items.len() == 1 {
                    write!(f, ",")?;
                }
                write!(f, ")")
            }
            ValueKind::List(items) => {
                write!(f, "[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{item}")?;
                }
                write!(f, "]")
            }
            ValueKind::Dict(dict) => {
                write!(f, "{{")?;
                for (i, entry) in dict.entries.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    if entry.presence == Presence::Maybe {
                        write!(f, "?")?;
                    }
                    write!(f, "{:?}: {}", entry.key, entry.value)?;
                }
                if !dict.complete {
                    if !dict.entries.is_empty() {
                        write!(f, ", ")?;
                    }
                    write!(f, "...")?;
                }
                write!(f, "}}")
            }
            ValueKind::Capsule(None) => write!(f, "<capsule>"),
            ValueKind::Capsule(Some(name)) => write!(f, "<capsule {name:?}>"),
            ValueKind::Object(name) => write!(f, "<{name}>"),
            ValueKind::Unknown => match &self.origin {
                Origin::Attribute { attr } => write!(f, "?.{attr}"),
                Origin::Constructed { callee } => write!(f, "<{callee}(...)>"),
                _ => write!(f, "?"),
            },
        }
    }
}
