//! The buffer protocol, declared by hand: under the abi3-py39 stable ABI pyo3 does not
//! expose `Py_buffer` (it joined the limited API in 3.11), but the struct's layout and both
//! functions have been unchanged and exported by every CPython 3 since 3.3.

use std::ffi::{c_char, c_int, c_void};

use arraylint::verify::py_buffer::{read_pointer_fields, Field, FilledBuffer, Request};
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

/// What an exporter's buffer says, copied out before the buffer is released: the facts the
/// memory checks and the owner search need.
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
    /// The object exports no buffer, refused (the object's own refusals are judged by
    /// `verifier::py_buffer`), or one that is not one flat extent.
    NotExported,
    Exported(BufferFacts),
}

/// Whether the object's type exports the buffer protocol at all (a slot test: no call, no
/// exception), to sift many candidates cheaply before asking one for its buffer.
pub fn has_buffer(obj: &Bound<'_, PyAny>) -> bool {
    // SAFETY: a type-slot test on a live object (a function since CPython 3.9).
    unsafe { PyObject_CheckBuffer(obj.as_ptr()) != 0 }
}

/// Ask `obj` for its buffer with `request`'s flags, copy out every field and release it.
/// The pointer fields are read through the kernel (`shape`/`strides` only for `ndim` up to
/// `PyBUF_MAX_NDIM`, `format` as a bounded C string): a broken exporter's pointers are
/// never dereferenced.
pub fn request(obj: &Bound<'_, PyAny>, request: Request) -> Result<FilledBuffer, PyErr> {
    let mut raw = std::mem::MaybeUninit::<RawBuffer>::zeroed();
    // SAFETY: `raw` is a zeroed Py_buffer-sized struct; on success we copy its fields and
    // release the buffer exactly once.
    let status = unsafe { PyObject_GetBuffer(obj.as_ptr(), raw.as_mut_ptr(), request.flags()) };
    if status != 0 {
        return Err(PyErr::fetch(obj.py()));
    }
    // SAFETY: PyObject_GetBuffer succeeded, so the struct is initialised; only its own
    // fields are read here, the memory they point to goes through the kernel.
    unsafe {
        let view = raw.assume_init_mut();
        let ndim = view.ndim;
        let (shape, strides, format) = read_pointer_fields(
            ndim,
            view.shape as u64,
            view.strides as u64,
            view.format as u64,
        );
        let filled = FilledBuffer {
            obj_set: !view.obj.is_null(),
            buf: view.buf as u64,
            len: view.len as i64,
            itemsize: view.itemsize as i64,
            readonly: view.readonly != 0,
            ndim,
            format,
            shape,
            strides,
            has_suboffsets: !view.suboffsets.is_null(),
        };
        PyBuffer_Release(view);
        Ok(filled)
    }
}

/// The facts of a full (`PyBUF_FULL_RO`) export, when they describe one flat extent: not
/// with suboffsets (indirect arrays), nor with a shape or strides that could not be read.
pub fn facts_of(filled: &FilledBuffer) -> Option<BufferFacts> {
    if filled.has_suboffsets {
        return None;
    }
    let read = |field: &Field<Vec<i64>>| match field {
        Field::Read(values) => Some(values.clone()),
        Field::Null => Some(Vec::new()),
        Field::Unreadable => None,
    };
    let shape = read(&filled.shape)?;
    if shape.len() != usize::try_from(filled.ndim).ok()? {
        return None;
    }
    Some(BufferFacts {
        pointer: filled.buf,
        len: u64::try_from(filled.len).unwrap_or(0),
        itemsize: filled.itemsize,
        readonly: filled.readonly,
        shape,
        strides: read(&filled.strides)?,
    })
}

/// An object's buffer as the memory checks see it (`PyBUF_FULL_RO`).
pub fn read_buffer(obj: &Bound<'_, PyAny>) -> BufferRead {
    match request(obj, Request::FullRo) {
        Ok(filled) => facts_of(&filled).map_or(BufferRead::NotExported, BufferRead::Exported),
        Err(_) => BufferRead::NotExported,
    }
}
