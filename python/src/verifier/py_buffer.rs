//! The object's own buffer: asked with `PyBUF_FULL_RO` and `PyBUF_WRITABLE` (only when its
//! type has the slot: a `TypeError` from an object without one is no refusal), the filled
//! `Py_buffer`s and the refusals judged by `arraylint::verify::py_buffer`, and the full
//! export kept as a view of the object's memory (memory checks, agreement).

use arraylint::diagnostic::Severity;
use arraylint::verify::checks::OwnerBuffer;
use arraylint::verify::py_buffer::{check_answers, Answer, FilledBuffer, Refusal, Request};
use arraylint::verify::report::LiveFinding;
use arraylint::verify::view::{DType, DataView, Location};
use pyo3::exceptions::{PyBufferError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use super::owners::OWN_BUFFER;
use super::{Gathered, Verifier};
use crate::buffer::{self, facts_of, has_buffer};

/// The protocol name of the buffer findings (PEP 688's `__buffer__`).
pub(super) const BUFFER_PROTOCOL: &str = "__buffer__";
/// The protocol name of the full export as a view of the object's memory.
pub(super) const BUFFER_VIEW: &str = "the buffer protocol";

impl<'py> Verifier<'py> {
    pub(super) fn read_buffer_protocol(&mut self) {
        if !has_buffer(&self.obj) {
            return;
        }
        let mut answers = Vec::with_capacity(Request::ALL.len());
        for request in Request::ALL {
            let answer = match buffer::request(&self.obj, request) {
                Ok(filled) => Answer::Filled(filled),
                Err(error) => Answer::Refused(self.refusal(&error)),
            };
            answers.push((request, answer));
        }
        for judged in check_answers(&answers) {
            let mut finding = LiveFinding::new(
                judged.rule,
                judged.message,
                self.name.clone(),
                BUFFER_PROTOCOL,
                judged.request.path(),
            );
            if judged.info {
                finding = finding.with_severity(Severity::Info);
            }
            self.findings.push(finding);
        }
        let filled = |wanted: Request| {
            answers.iter().find_map(|(request, answer)| match answer {
                Answer::Filled(filled) if *request == wanted => Some(filled),
                _ => None,
            })
        };
        let full = filled(Request::FullRo);
        if let Some(granted) = filled(Request::Writable) {
            if !granted.readonly && full.is_none_or(|full| full.readonly) {
                self.writable_grant = Some(writable_view(granted));
            }
        }
        // Any full export counts for the descriptor spec (an interface may omit `data`),
        // also one the memory checks cannot read as one flat extent (suboffsets).
        self.exports_buffer = full.is_some();
        match full.and_then(facts_of) {
            Some(facts) => {
                // The object's own buffer owns the memory it exports (an ndarray that owns
                // its data has no `base`).
                self.add_owner(OWN_BUFFER, &facts);
                let strides =
                    (facts.strides.len() == facts.shape.len()).then(|| facts.strides.clone());
                self.views.push(Gathered {
                    view: DataView {
                        protocol: BUFFER_VIEW.to_string(),
                        pointer: facts.pointer,
                        shape: facts.shape,
                        strides,
                        dtype: DType {
                            kind: None,
                            itemsize: facts.itemsize,
                        },
                        readonly: Some(facts.readonly),
                        location: Location::Host,
                    },
                    owner: None,
                    path: String::new(),
                    stream: None,
                });
            }
            None => {
                // A NumPy array whose dtype the buffer protocol cannot spell (datetime,
                // timedelta) still owns its memory.
                if let Some((extent, readonly)) = self.owned_memory(&self.obj.clone()) {
                    self.owners.push(OwnerBuffer {
                        description: "the array's own memory".to_string(),
                        extent,
                        readonly,
                    });
                }
            }
        }
    }

    /// The facts of a refusal. The common, right ones (`BufferError`, NumPy's
    /// `ValueError`) are told by their class alone: describing an exception
    /// and walking its MRO cost more than the rest of a bytes object's verification.
    fn refusal(&self, error: &PyErr) -> Refusal {
        let plain = |class: &str, numpy: bool| Refusal {
            described: String::new(),
            builtin_mro: vec![class.to_string()],
            message: String::new(),
            numpy,
        };
        if error.is_instance_of::<PyBufferError>(self.py) {
            return plain("BufferError", false);
        }
        let numpy = self.is_numpy_own();
        if numpy && error.is_instance_of::<PyValueError>(self.py) {
            return plain("ValueError", true);
        }
        Refusal {
            described: self.describe(error),
            builtin_mro: self.builtin_mro(error),
            message: error.value(self.py).to_string(),
            numpy,
        }
    }

    /// Whether the object is one of NumPy's own arrays or scalars (their buffer is NumPy's).
    fn is_numpy_own(&self) -> bool {
        let Ok(numpy) = self
            .py
            .import(intern!(self.py, "sys"))
            .and_then(|sys| sys.getattr(intern!(self.py, "modules")))
            .and_then(|modules| modules.get_item("numpy"))
        else {
            return false;
        };
        let (Ok(ndarray), Ok(generic)) = (
            numpy.getattr(intern!(self.py, "ndarray")),
            numpy.getattr(intern!(self.py, "generic")),
        ) else {
            return false;
        };
        PyTuple::new(self.py, [ndarray, generic])
            .and_then(|kinds| self.obj.is_instance(&kinds))
            .unwrap_or(false)
    }
}

/// A writable grant as a view of `len` bytes, for the memory checks.
fn writable_view(granted: &FilledBuffer) -> DataView {
    DataView {
        protocol: format!("the buffer granted to `{}`", Request::Writable.path()),
        pointer: granted.buf,
        shape: vec![granted.len.max(0)],
        strides: None,
        dtype: DType {
            kind: None,
            itemsize: 1,
        },
        readonly: Some(false),
        location: Location::Host,
    }
}
