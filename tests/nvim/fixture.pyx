# Opened by tests/nvim/run.sh in a headless Neovim (filetype `pyrex`); the markers say what
# it must receive, at positions in this Cython text.
from libc.stdlib cimport malloc, free
import numpy as np

LABEL = "naïve 🧮"


cdef class Wrapper:
    cdef double *data
    cdef Py_ssize_t n

    def __array__(self, dtype=None):  # error: AL101
        return np.asarray(<double[:self.n]>self.data)


cdef class Fine:
    cdef object values

    def __array__(self, dtype=None, copy=None):
        return np.asarray(self.values, dtype=dtype, copy=copy)


def legacy(values):
    cdef int n = 0
    return ("🧮", np.array(values, copy=False))  # error: AL602
