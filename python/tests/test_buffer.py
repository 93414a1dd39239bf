"""The live buffer checks (AL701, AL702, AL704, AL705, AL708, AL710, and AL903 on a writable
grant): real compiled Cython exporters, good and broken, and real libraries' exports."""

import array
import ctypes
import importlib.util
import mmap
import pathlib
import subprocess
import sys
import sysconfig

import numpy as np
import pyarrow as pa
import pytest
from lxml import etree

import arraylint

CYTHON_SOURCE = pathlib.Path(__file__).parent / "cython_exporters" / "exporters.pyx"


def failing_codes(findings):
    return sorted({f.code for f in findings if f.severity != "info"})


@pytest.fixture(scope="module")
def exporters(tmp_path_factory):
    """`exporters.pyx` compiled by Cython and gcc into a temporary directory, imported."""
    out = tmp_path_factory.mktemp("cython_exporters")
    c_file = out / "exporters.c"
    subprocess.run(
        [sys.executable, "-m", "cython", "-3", str(CYTHON_SOURCE), "-o", str(c_file)],
        check=True,
    )
    library = out / ("exporters" + sysconfig.get_config_var("EXT_SUFFIX"))
    subprocess.run(
        ["gcc", "-shared", "-fPIC", "-O1", "-w", "-I" + sysconfig.get_paths()["include"],
         str(c_file), "-o", str(library)],
        check=True,
    )
    spec = importlib.util.spec_from_file_location("exporters", library)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# The classes of exporters.pyx: the good ones, and each broken one with its one code.
GOOD = ["ReadOnlyBytes", "FillInfo", "Doubles", "FreshWritableCopy", "DoublesWithInterface"]
BROKEN = {
    "ObjNotSet": "AL701",
    "WritableNotRefused": "AL702",
    "LenAsCount": "AL704",
    "FormatMissing": "AL705",
    "ValueErrorRefusal": "AL708",
    "NullBufEmpty": "AL710",
    "NullBufWithLen": "AL710",
    "ReadOnlyHandedOutWritable": "AL903",
    "InterfaceDisagrees": "AL907",
}


@pytest.mark.parametrize("name", GOOD)
def test_good_cython_exporters_verify_clean(exporters, name):
    obj = getattr(exporters, name)()
    findings = arraylint.verify(obj, name)
    assert [f for f in findings if f.severity != "info"] == [], [str(f) for f in findings]
    # The exports really are what they claim to be.
    view = memoryview(obj)
    assert view.obj is obj
    assert view.nbytes == len(view.tobytes())


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_cython_exporters_give_exactly_their_code(exporters, name):
    findings = arraylint.verify(getattr(exporters, name)(), name)
    assert failing_codes(findings) == [BROKEN[name]], [str(f) for f in findings]
    (finding,) = [f for f in findings if f.severity != "info"]
    if BROKEN[name] == "AL907":
        assert finding.protocol == "__array_interface__"
        assert "the buffer protocol describe different data: shape (3, 2) vs (2, 3)" in finding.message
        return
    assert finding.protocol == "__buffer__"
    expected_path = "buffer(PyBUF_FULL_RO)"
    if BROKEN[name] in ("AL702", "AL708", "AL903"):
        expected_path = "buffer(PyBUF_WRITABLE)"
    assert finding.path == expected_path


def test_broken_cython_exporters_really_are_broken(exporters):
    # What a consumer sees, without arraylint: the faults the findings name are real.
    assert memoryview(exporters.ObjNotSet()).obj is None
    with pytest.raises(ValueError):
        _writable_request_readonly(exporters.ValueErrorRefusal())
    assert _writable_request_readonly(exporters.WritableNotRefused()) is True
    view = memoryview(exporters.LenAsCount())
    assert view.nbytes == 6 and view.itemsize * 6 == 48
    assert memoryview(exporters.FormatMissing()).format == "B"


def test_the_fault_is_reported_once_for_all_requests(exporters):
    # `obj` is NULL in the full and the writable answer alike: one finding.
    class_ = exporters.NullBufEmpty
    findings = arraylint.verify(class_())
    assert [f.code for f in findings] == ["AL710"]
    assert "empty export" in findings[0].message


# ---- real libraries ----------------------------------------------------------------------


def _read_only_file_map(tmp_path):
    path = tmp_path / "data.bin"
    path.write_bytes(bytes(range(64)))
    with open(path, "rb") as handle:
        return mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)


def _read_only_array():
    values = np.arange(6, dtype=np.int16)
    values.flags.writeable = False
    return values


class _Pair(ctypes.Structure):
    _fields_ = [("a", ctypes.c_int), ("b", ctypes.c_double)]


REAL = {
    "bytes": lambda tmp: b"abc",
    "bytes-empty": lambda tmp: b"",
    "bytearray-empty": lambda tmp: bytearray(),
    "array.array-empty": lambda tmp: array.array("i"),
    "mmap-anonymous": lambda tmp: mmap.mmap(-1, 100),
    "mmap-read-only-file": _read_only_file_map,
    "memoryview-sliced": lambda tmp: memoryview(bytearray(16)).cast("i")[::2],
    "memoryview-cast-2d": lambda tmp: memoryview(bytearray(24)).cast("d", (3, 1)),
    "memoryview-0d": lambda tmp: memoryview(bytearray(8)).cast("d", ()),
    "memoryview-read-only": lambda tmp: memoryview(b"abcd"),
    "numpy-strided": lambda tmp: np.arange(24).reshape(4, 6)[::-1, ::2],
    "numpy-0d": lambda tmp: np.array(3.5),
    "numpy-read-only": lambda tmp: _read_only_array(),
    "numpy-structured": lambda tmp: np.zeros(3, dtype=[("a", "<i4"), ("b", "<f8")]),
    "numpy-zero-size": lambda tmp: np.zeros((0, 5)),
    "numpy-object": lambda tmp: np.array([1, "a"], dtype=object),
    "numpy-scalar": lambda tmp: np.float64(1.5),
    "numpy-datetime-scalar": lambda tmp: np.datetime64("2020-01-01"),
    "pyarrow-buffer": lambda tmp: pa.py_buffer(b"abcdef"),
    "pyarrow-allocated": lambda tmp: pa.allocate_buffer(10),
    "pyarrow-allocated-empty": lambda tmp: pa.allocate_buffer(0),
    "pyarrow-tensor": lambda tmp: pa.Tensor.from_numpy(np.arange(6.0).reshape(2, 3)),
    "ctypes-array": lambda tmp: (ctypes.c_int * 4)(),
    "ctypes-2d": lambda tmp: ((ctypes.c_double * 3) * 2)(),
    "ctypes-structures": lambda tmp: (_Pair * 2)(),
    "ctypes-structure": lambda tmp: _Pair(),
    "ctypes-int": lambda tmp: ctypes.c_int(5),
    "ctypes-empty": lambda tmp: (ctypes.c_int * 0)(),
    "ctypes-string": lambda tmp: ctypes.create_string_buffer(5),
    "ctypes-pointer": lambda tmp: ctypes.pointer(ctypes.c_int(1)),
}


@pytest.mark.parametrize("name", sorted(REAL))
def test_real_exporters_verify_clean(name, tmp_path):
    obj = REAL[name](tmp_path)
    findings = arraylint.verify(obj, name)
    assert failing_codes(findings) == [], [str(f) for f in findings]


class _PyBuffer(ctypes.Structure):
    _fields_ = [
        ("buf", ctypes.c_void_p), ("obj", ctypes.c_void_p), ("len", ctypes.c_ssize_t),
        ("itemsize", ctypes.c_ssize_t), ("readonly", ctypes.c_int), ("ndim", ctypes.c_int),
        ("format", ctypes.c_char_p), ("shape", ctypes.c_void_p), ("strides", ctypes.c_void_p),
        ("suboffsets", ctypes.c_void_p), ("internal", ctypes.c_void_p),
    ]


def _writable_request_readonly(obj):
    """`readonly` of the buffer a PyBUF_WRITABLE request is granted (the exporter's own
    exception when it refuses), asked through the C API itself, as a C consumer asks."""
    get_buffer = ctypes.pythonapi.PyObject_GetBuffer
    get_buffer.argtypes = [ctypes.py_object, ctypes.POINTER(_PyBuffer), ctypes.c_int]
    release = ctypes.pythonapi.PyBuffer_Release
    release.argtypes = [ctypes.POINTER(_PyBuffer)]
    view = _PyBuffer()
    get_buffer(obj, ctypes.byref(view), 0x0001)
    readonly = bool(view.readonly)
    release(ctypes.byref(view))
    return readonly


def test_pyarrow_tensor_grants_writable_requests_on_read_only_data():
    # A real bug (ARROW-3228's kind), confirmed in pyarrow 26.0.1: `Tensor.__getbuffer__`
    # never refuses PyBUF_WRITABLE, it fills `readonly` from the tensor. Checked through
    # the C API alone, so that the test follows pyarrow when it is fixed.
    tensor = pa.Tensor.from_numpy(_read_only_array())
    try:
        granted = _writable_request_readonly(tensor)
    except BufferError:
        granted = False
    findings = arraylint.verify(tensor)
    assert failing_codes(findings) == (["AL702"] if granted else []), [str(f) for f in findings]
    # A writable tensor is granted writable memory: nothing.
    assert failing_codes(arraylint.verify(pa.Tensor.from_numpy(np.arange(6.0)))) == []


def test_lxml_xslt_result_exports_its_whole_text_as_one_item():
    # A real bug, confirmed in lxml 6.2.0 (`src/lxml/xslt.pxi`,
    # `_XSLTResultTree.__getbuffer__`): a 0-d export of `itemsize` 1 whose `len` is the
    # whole serialised result. Its writable requests get a fresh copy: fine (no AL702, no
    # AL903). Checked with memoryview alone, so that the test follows lxml when it is fixed.
    stylesheet = etree.XML(
        '<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">'
        '<xsl:output method="text"/><xsl:template match="/">hello world</xsl:template>'
        "</xsl:stylesheet>"
    )
    result = etree.XSLT(stylesheet)(etree.XML("<a/>"))
    view = memoryview(result)
    wrong_len = view.ndim == 0 and view.nbytes != view.itemsize
    findings = arraylint.verify(result)
    assert failing_codes(findings) == (["AL704"] if wrong_len else []), [str(f) for f in findings]
    if wrong_len:
        (finding,) = [f for f in findings if f.code == "AL704"]
        assert finding.path == "buffer(PyBUF_FULL_RO)"
        assert "`len` 11" in finding.message


def test_an_object_that_cannot_export_in_its_state_is_info(tmp_path):
    # CPython refuses every request on a released memoryview or a closed mmap with
    # ValueError: the object cannot export now, not a refusal of some flags. Info only.
    view = memoryview(b"ab")
    view.release()
    closed = mmap.mmap(-1, 16)
    closed.close()
    for obj in (view, closed):
        findings = arraylint.verify(obj)
        assert [(f.code, f.severity, f.path) for f in findings] == [
            ("AL708", "info", "buffer(PyBUF_FULL_RO)")
        ]
        assert "every request is refused the same way" in findings[0].message


def test_numpy_value_error_refusals_are_not_reported():
    # NumPy refuses writable requests on read-only arrays, and contiguous ones on strided
    # arrays, with ValueError: consumers of NumPy arrays catch it.
    with pytest.raises(ValueError):
        _writable_request_readonly(_read_only_array())
    assert failing_codes(arraylint.verify(_read_only_array())) == []
