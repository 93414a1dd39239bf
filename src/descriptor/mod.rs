//! THE spec of each array protocol's descriptor, written once and checked against two
//! kinds of evidence: values the static evaluator derives from source, and values the
//! live verifier reads from real objects. Nothing here knows where a value came from.

use ruff_text_size::TextRange;

use crate::diagnostic::Severity;
use crate::registry::Rule;
use crate::value::Value;

pub mod array_struct;
mod checks;
pub mod dlpack;
pub mod spec;
pub mod typestr;

/// Which descriptor a value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// `__array_interface__` (array interface v3 dict).
    ArrayInterface,
    /// `__cuda_array_interface__` (CUDA Array Interface v3 dict).
    CudaArrayInterface,
    /// `__array_struct__` (a `PyArrayInterface` capsule).
    ArrayStruct,
    /// `__dlpack_device__()`'s return value.
    DlpackDevice,
}

impl Protocol {
    pub fn attribute(self) -> &'static str {
        match self {
            Protocol::ArrayInterface => "__array_interface__",
            Protocol::CudaArrayInterface => "__cuda_array_interface__",
            Protocol::ArrayStruct => "__array_struct__",
            Protocol::DlpackDevice => "__dlpack_device__",
        }
    }
}

/// One step into a value: a dict key or a sequence index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathSegment {
    Key(String),
    Index(usize),
}

/// Where inside a descriptor a finding is, e.g. `data[1]`, `descr[0][1]`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ValuePath(pub Vec<PathSegment>);

impl std::fmt::Display for ValuePath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, segment) in self.0.iter().enumerate() {
            match segment {
                PathSegment::Key(key) if i == 0 => write!(f, "{key}")?,
                PathSegment::Key(key) => write!(f, "[{key:?}]")?,
                PathSegment::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

/// What the spec says is wrong with a value.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub rule: Rule,
    pub message: String,
    /// Where inside the value (empty: the value as a whole).
    pub path: ValuePath,
    /// The source range of the offending part (empty for live values).
    pub range: TextRange,
    /// Usually the rule's own; some findings of a rule are only informational
    /// (AL217's legacy notice, AL303's missing `stream`).
    pub severity: Severity,
}

impl Finding {
    pub fn new(rule: Rule, message: impl Into<String>, path: ValuePath, range: TextRange) -> Self {
        Finding {
            rule,
            message: message.into(),
            path,
            range,
            severity: rule.severity(),
        }
    }
    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }
}

impl ValuePath {
    pub fn key(key: &str) -> Self {
        ValuePath(vec![PathSegment::Key(key.to_string())])
    }
    /// This path extended by one step.
    pub fn child(&self, segment: PathSegment) -> Self {
        let mut segments = self.0.clone();
        segments.push(segment);
        ValuePath(segments)
    }
    pub fn index(&self, index: usize) -> Self {
        self.child(PathSegment::Index(index))
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Facts about the producer that some checks need and the value itself does not carry.
#[derive(Debug, Clone, Copy, Default)]
pub struct Context {
    /// The producing class has stream state (AL303's "version 3 without `stream`").
    pub has_stream_state: bool,
    /// The object exports the buffer protocol itself, so an array interface may leave
    /// `data` out (NumPy then reads the object's own buffer).
    pub exports_buffer: bool,
}

/// Check a descriptor value against its protocol's spec.
///
/// `Unknown` parts are never reported. For `__array_struct__`, this checks what the
/// value is (a capsule, unnamed); the struct behind it is checked by
/// [`array_struct::check_fields`] and the legacy notice is [`array_struct::legacy_notice`].
pub fn validate(value: &Value, protocol: Protocol, context: &Context) -> Vec<Finding> {
    match protocol {
        Protocol::ArrayInterface | Protocol::CudaArrayInterface => {
            match spec::dict_spec(protocol) {
                Some(dict_spec) => checks::validate_dict(value, dict_spec, context),
                None => Vec::new(),
            }
        }
        Protocol::ArrayStruct => array_struct::validate(value),
        Protocol::DlpackDevice => dlpack::validate_device(value),
    }
}

#[cfg(test)]
mod tests;
