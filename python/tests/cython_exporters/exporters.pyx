# cython: language_level=3
"""Buffer exporters written as real Cython writes them, good and broken, for the live buffer
checks (`python/tests/test_buffer.py` builds this with Cython and gcc). Each broken class has
exactly one fault; its docstring names the rule it breaks."""

from cpython.buffer cimport PyBuffer_FillInfo, PyBUF_FORMAT, PyBUF_WRITABLE
from libc.stdlib cimport free, malloc

cdef bytes PAYLOAD = b"0123456789abcdef"


cdef class ReadOnlyBytes:
    """Good: a read-only export of a `bytes` it holds; `obj`, shape and strides on the
    object, writable requests refused with BufferError."""
    cdef bytes data
    cdef Py_ssize_t shape[1]
    cdef Py_ssize_t strides[1]

    def __cinit__(self):
        self.data = PAYLOAD
        self.shape[0] = len(self.data)
        self.strides[0] = 1

    def __getbuffer__(self, Py_buffer *buffer, int flags):
        if (flags & PyBUF_WRITABLE) == PyBUF_WRITABLE:
            raise BufferError("read-only data")
        buffer.buf = <char *>self.data
        buffer.obj = self
        buffer.len = self.shape[0]
        buffer.itemsize = 1
        buffer.readonly = 1
        buffer.ndim = 1
        buffer.format = "B"
        buffer.shape = self.shape
        buffer.strides = self.strides
        buffer.suboffsets = NULL
        buffer.internal = NULL


cdef class FillInfo:
    """Good: `PyBuffer_FillInfo(buffer, self, ...)` does it all (and refuses writable
    requests on read-only data with BufferError)."""
    cdef bytes data

    def __cinit__(self):
        self.data = PAYLOAD

    def __getbuffer__(self, Py_buffer *buffer, int flags):
        PyBuffer_FillInfo(buffer, self, <char *>self.data, len(self.data), 1, flags)


cdef class Doubles:
    """Good: a writable 2x3 array of doubles in memory it allocated."""
    cdef double *values
    cdef Py_ssize_t shape[2]
    cdef Py_ssize_t strides[2]

    def __cinit__(self):
        self.values = <double *>malloc(6 * sizeof(double))
        if self.values == NULL:
            raise MemoryError()
        for i in range(6):
            self.values[i] = i
        self.shape[0] = 2
        self.shape[1] = 3
        self.strides[0] = 3 * sizeof(double)
        self.strides[1] = sizeof(double)

    def __dealloc__(self):
        free(self.values)

    def __getbuffer__(self, Py_buffer *buffer, int flags):
        buffer.buf = self.values
        buffer.obj = self
        buffer.len = self.len_in_bytes()
        buffer.itemsize = sizeof(double)
        buffer.readonly = 0
        buffer.ndim = 2
        buffer.format = self.format(flags)
        buffer.shape = self.shape
        buffer.strides = self.strides
        buffer.suboffsets = NULL
        buffer.internal = NULL

    cdef Py_ssize_t len_in_bytes(self):
        return 6 * sizeof(double)

    cdef char *format(self, int flags):
        return "d"


cdef class ObjNotSet(ReadOnlyBytes):
    """AL701: `buffer.obj` is never set (Cython then leaves it NULL)."""

    def __getbuffer__(self, Py_buffer *buffer, int flags):
        if (flags & PyBUF_WRITABLE) == PyBUF_WRITABLE:
            raise BufferError("read-only data")
        buffer.buf = <char *>self.data
        buffer.len = self.shape[0]
        buffer.itemsize = 1
        buffer.readonly = 1
        buffer.ndim = 1
        buffer.format = "B"
        buffer.shape = self.shape
        buffer.strides = self.strides
        buffer.suboffsets = NULL
        buffer.internal = NULL


cdef class WritableNotRefused(ReadOnlyBytes):
    """AL702: read-only, but a PyBUF_WRITABLE request is granted (pyarrow's `Tensor`)."""

    def __getbuffer__(self, Py_buffer *buffer, int flags):
        buffer.buf = <char *>self.data
        buffer.obj = self
        buffer.len = self.shape[0]
        buffer.itemsize = 1
        buffer.readonly = 1
        buffer.ndim = 1
        buffer.format = "B"
        buffer.shape = self.shape
        buffer.strides = self.strides
        buffer.suboffsets = NULL
        buffer.internal = NULL


cdef class LenAsCount(Doubles):
    """AL704: `len` is the element count, not bytes."""

    cdef Py_ssize_t len_in_bytes(self):
        return 6


cdef class FormatMissing(Doubles):
    """AL705: `itemsize` 8 with `format` NULL (read as unsigned bytes)."""

    cdef char *format(self, int flags):
        return NULL


cdef class ValueErrorRefusal(ReadOnlyBytes):
    """AL708: a writable request refused with ValueError, not BufferError."""

    def __getbuffer__(self, Py_buffer *buffer, int flags):
        if (flags & PyBUF_WRITABLE) == PyBUF_WRITABLE:
            raise ValueError("read-only data")
        PyBuffer_FillInfo(buffer, self, <char *>self.data, len(self.data), 1, flags)


cdef class NullBufEmpty:
    """AL710: an empty export with `buf` NULL (Arrow ARROW-16048)."""

    def __getbuffer__(self, Py_buffer *buffer, int flags):
        PyBuffer_FillInfo(buffer, self, NULL, 0, 0, flags)


cdef class NullBufWithLen:
    """AL710: `buf` NULL with 8 bytes."""

    def __getbuffer__(self, Py_buffer *buffer, int flags):
        PyBuffer_FillInfo(buffer, self, NULL, 8, 0, flags)


cdef class ReadOnlyHandedOutWritable:
    """AL903: says read-only to a full request but hands the `bytes` it holds out writable
    to a writable one (`readonly` set from the flags)."""
    cdef object data

    def __cinit__(self):
        self.data = PAYLOAD

    def __getbuffer__(self, Py_buffer *buffer, int flags):
        cdef bytes data = self.data
        writable = (flags & PyBUF_WRITABLE) == PyBUF_WRITABLE
        PyBuffer_FillInfo(buffer, self, <char *>data, len(data), not writable, flags)


cdef class FreshWritableCopy(ReadOnlyBytes):
    """Good: read-only, and a writable request gets a fresh copy (as lxml's XSLT result)."""
    cdef char *copy

    def __dealloc__(self):
        free(self.copy)

    def __getbuffer__(self, Py_buffer *buffer, int flags):
        cdef Py_ssize_t n = len(self.data)
        if (flags & PyBUF_WRITABLE) == PyBUF_WRITABLE:
            if self.copy == NULL:
                self.copy = <char *>malloc(n)
                if self.copy == NULL:
                    raise MemoryError()
                for i in range(n):
                    self.copy[i] = self.data[i]
            PyBuffer_FillInfo(buffer, self, self.copy, n, 0, flags)
        else:
            PyBuffer_FillInfo(buffer, self, <char *>self.data, n, 1, flags)


cdef class DoublesWithInterface(Doubles):
    """Good: the buffer and `__array_interface__` describe the same 2x3 doubles."""

    @property
    def __array_interface__(self):
        return {
            "version": 3,
            "data": (<size_t>self.values, False),
            "shape": self.interface_shape(),
            "typestr": "<f8",
        }

    def interface_shape(self):
        return (2, 3)


cdef class InterfaceDisagrees(DoublesWithInterface):
    """AL907: `__array_interface__` says 3x2 where the buffer says 2x3."""

    def interface_shape(self):
        return (3, 2)
