//! The buffer protocol, declared by hand: under the abi3-py39 stable ABI pyo3 does not
//! expose `Py_buffer` (it joined the limited API in 3.11), but the struct's layout and both
//! functions have been unchanged and exported by every CPython 3 since 3.3.

use std::ffi::{c_char, c_int, c_void};

use pyo3::ffi;
use pyo3::prelude::*;

#[repr(C)]
struct RawBuffer {
    buf: *mut c_void,
    obj: *mut ffi::PyObject,
    len: isize,
    itemsize: isize,
    readonly: c_int,
    ndim: c_int,
    format: *mut c_char,
    shape: *mut isize,
    strides: *mut isize,
    suboffsets: *mut isize,
    internal: *mut c_void,
}

extern "C" {
    fn PyObject_CheckBuffer(obj: *mut ffi::PyObject) -> c_int;
    fn PyObject_GetBuffer(obj: *mut ffi::PyObject, view: *mut RawBuffer, flags: c_int) -> c_int;
    fn PyBuffer_Release(view: *mut RawBuffer);
}

/// PyBUF_STRIDES | PyBUF_FORMAT: strided, any writability, with the format string.
const PYBUF_RECORDS_RO: c_int = 0x0010 | 0x0008 | 0x0004;

/// What an exporter's buffer says, copied out before the buffer is released.
#[derive(Debug, Clone)]
pub struct BufferFacts {
    pub pointer: u64,
    pub len: u64,
    pub itemsize: i64,
    pub readonly: bool,
    pub shape: Vec<i64>,
    pub strides: Vec<i64>,
}

/// Outcome of asking an object for its buffer.
pub enum BufferRead {
    /// The object exports no buffer (the normal refusals, see below).
    NotExported,
    /// The exporter raised something else.
    Raised(PyErr),
    Exported(BufferFacts),
}

/// Whether the object's type exports the buffer protocol at all (a slot test: no call, no
/// exception), to sift many candidates cheaply before asking one for its buffer.
pub fn has_buffer(obj: &Bound<'_, PyAny>) -> bool {
    // SAFETY: a type-slot test on a live object (a function since CPython 3.9).
    unsafe { PyObject_CheckBuffer(obj.as_ptr()) != 0 }
}

pub fn read_buffer(obj: &Bound<'_, PyAny>) -> BufferRead {
    let py = obj.py();
    let mut raw = std::mem::MaybeUninit::<RawBuffer>::zeroed();
    // SAFETY: `raw` is a zeroed Py_buffer-sized struct; on success we copy out what we need
    // and release the buffer exactly once.
    let status = unsafe { PyObject_GetBuffer(obj.as_ptr(), raw.as_mut_ptr(), PYBUF_RECORDS_RO) };
    if status != 0 {
        let error = PyErr::fetch(py);
        // TypeError: no buffer support; BufferError/ValueError: this one cannot be exported
        // (NumPy refuses datetime and object arrays with ValueError).
        let refused = error.is_instance_of::<pyo3::exceptions::PyTypeError>(py)
            || error.is_instance_of::<pyo3::exceptions::PyBufferError>(py)
            || error.is_instance_of::<pyo3::exceptions::PyValueError>(py);
        return if refused {
            BufferRead::NotExported
        } else {
            BufferRead::Raised(error)
        };
    }
    // SAFETY: PyObject_GetBuffer succeeded, so the struct is initialised, and `shape` and
    // `strides` (requested by PyBUF_STRIDES) point to `ndim` entries valid until release.
    unsafe {
        let view = raw.assume_init_mut();
        let ndim = usize::try_from(view.ndim).unwrap_or(0);
        let read = |array: *mut isize| -> Vec<i64> {
            if array.is_null() {
                Vec::new()
            } else {
                std::slice::from_raw_parts(array, ndim)
                    .iter()
                    .map(|&value| value as i64)
                    .collect()
            }
        };
        // PyBUF_STRIDES implies PyBUF_ND, so ndim 0 really is a scalar: shape ().
        let shape = read(view.shape);
        let strides = read(view.strides);
        let facts = BufferFacts {
            pointer: view.buf as u64,
            len: u64::try_from(view.len).unwrap_or(0),
            itemsize: view.itemsize as i64,
            readonly: view.readonly != 0,
            shape,
            strides,
        };
        PyBuffer_Release(view);
        BufferRead::Exported(facts)
    }
}
