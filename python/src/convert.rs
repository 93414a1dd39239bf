//! Live Python objects to `arraylint::value::Value`, so the descriptor spec that the static
//! rules use checks the real value too. Live values carry empty source ranges.

use arraylint::value::{Dict, DictEntry, Presence, Value, ValueKind};
use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyBytes, PyCapsule, PyCapsuleMethods, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple,
};
use ruff_text_size::TextRange;

/// Nesting deeper than any descriptor has (descr entries are the deepest, at 3) is not
/// followed: a self-referencing list must not hang the verifier.
const MAX_DEPTH: usize = 16;

pub fn to_value(obj: &Bound<'_, PyAny>) -> Value {
    to_value_at(obj, 0)
}

fn to_value_at(obj: &Bound<'_, PyAny>, depth: usize) -> Value {
    Value::live(kind_of(obj, depth))
}

fn kind_of(obj: &Bound<'_, PyAny>, depth: usize) -> ValueKind {
    if depth > MAX_DEPTH {
        return ValueKind::Unknown;
    }
    if obj.is_none() {
        return ValueKind::None;
    }
    // bool before int: Python's bool is an int subclass.
    if let Ok(flag) = obj.downcast_exact::<PyBool>() {
        return ValueKind::Bool(flag.is_true());
    }
    if obj.is_instance_of::<PyInt>() {
        // An int beyond i128 is no pointer or size anyone can use; the spec cannot judge it.
        return obj
            .extract::<i128>()
            .map(ValueKind::Int)
            .unwrap_or(ValueKind::Unknown);
    }
    if let Ok(float) = obj.downcast::<PyFloat>() {
        return ValueKind::Float(float.value());
    }
    if let Ok(text) = obj.downcast::<PyString>() {
        return text
            .extract::<String>()
            .map(ValueKind::Str)
            .unwrap_or(ValueKind::Unknown);
    }
    if let Ok(bytes) = obj.downcast::<PyBytes>() {
        return ValueKind::Bytes(bytes.as_bytes().len());
    }
    if let Ok(tuple) = obj.downcast::<PyTuple>() {
        return ValueKind::Tuple(
            tuple
                .iter()
                .map(|item| to_value_at(&item, depth + 1))
                .collect(),
        );
    }
    if let Ok(list) = obj.downcast::<PyList>() {
        return ValueKind::List(
            list.iter()
                .map(|item| to_value_at(&item, depth + 1))
                .collect(),
        );
    }
    if let Ok(dict) = obj.downcast::<PyDict>() {
        let mut entries = Vec::with_capacity(dict.len());
        let mut complete = true;
        for (key, value) in dict.iter() {
            match key
                .downcast::<PyString>()
                .ok()
                .and_then(|key| key.extract::<String>().ok())
            {
                Some(key) => entries.push(DictEntry {
                    key,
                    key_range: TextRange::default(),
                    value: to_value_at(&value, depth + 1),
                    presence: Presence::Always,
                }),
                // A non-string key is outside every spec, but `Dict` only holds string keys.
                None => complete = false,
            }
        }
        return ValueKind::Dict(Dict { entries, complete });
    }
    if let Ok(capsule) = obj.downcast::<PyCapsule>() {
        let name = capsule
            .name()
            .ok()
            .flatten()
            .map(|name| name.to_string_lossy().into_owned());
        return ValueKind::Capsule(name);
    }
    ValueKind::Object(type_name(obj))
}

/// `type(obj).__qualname__`, for messages.
pub fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .qualname()
        .map(|name| name.to_string())
        .unwrap_or_else(|_| "object".to_string())
}
