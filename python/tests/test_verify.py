"""The live verifier on real producers (must verify clean) and on fakes (exactly their code)."""

import array
import mmap
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from PIL import Image
import pyarrow as pa

import arraylint
import producers


def failing_codes(findings):
    return sorted({f.code for f in findings if f.severity != "info"})


# ---- real producers --------------------------------------------------------------------


def _readonly():
    array = np.arange(6, dtype=np.int16)
    array.flags.writeable = False
    return array


def _memmap(tmp_path, mode):
    path = tmp_path / "data.bin"
    path.write_bytes(bytes(range(256)) * 16)
    return np.memmap(path, dtype=np.uint16, mode=mode, shape=(1024,))


REAL = {
    "contiguous": lambda tmp: np.arange(12.0).reshape(3, 4),
    "negative-strides": lambda tmp: np.arange(24, dtype=np.int32).reshape(4, 6)[::-1, ::-2],
    "zero-size": lambda tmp: np.zeros((0, 5)),
    "scalar-shape": lambda tmp: np.array(3.5),
    "read-only": lambda tmp: _readonly(),
    "bytes-backed": lambda tmp: np.frombuffer(b"0123456789abcdef", dtype=np.uint32),
    "bytearray-backed": lambda tmp: np.frombuffer(bytearray(32), dtype=np.float64)[1:3],
    "memmap-writable": lambda tmp: _memmap(tmp, "r+"),
    "memmap-read-only": lambda tmp: _memmap(tmp, "r")[10:20],
    "big-endian": lambda tmp: np.arange(4, dtype=">i4"),
    "unicode": lambda tmp: np.array(["ab", "c"]),
    "structured": lambda tmp: np.zeros(3, dtype=[("a", "<i4"), ("b", "<f8")]),
    "datetime": lambda tmp: np.arange(3).astype("M8[s]"),
    "pillow-rgb": lambda tmp: Image.new("RGB", (7, 5), (1, 2, 3)),
    "pillow-gray": lambda tmp: Image.new("L", (3, 9)),
    "pyarrow-int": lambda tmp: pa.array([1, 2, 3], type=pa.int64()),
    "pyarrow-float": lambda tmp: pa.array([1.5, -2.0]),
    "pyarrow-slice": lambda tmp: pa.array(list(range(10)), type=pa.int32()).slice(2, 5),
    # pyarrow refuses DLPack for nulls, strings and bit-packed booleans (ArrowTypeError):
    # a refusal, info at most.
    "pyarrow-nulls": lambda tmp: pa.array([1, None, 3]),
    "pyarrow-strings": lambda tmp: pa.array(["a", "bc"]),
    "pyarrow-booleans": lambda tmp: pa.array([True, False, True]),
    "pyarrow-tensor": lambda tmp: pa.Tensor.from_numpy(np.arange(6.0).reshape(2, 3)),
    "array.array": lambda tmp: array.array("d", [1.0, 2.0, 3.0]),
    "memoryview": lambda tmp: memoryview(bytearray(16)).cast("i")[::2],
    "bytes": lambda tmp: b"some bytes",
    "bytearray": lambda tmp: bytearray(b"abc"),
    "pillow-rgba": lambda tmp: Image.new("RGBA", (4, 3), (1, 2, 3, 4)),
    "pillow-1": lambda tmp: Image.new("1", (9, 3)),
    "pillow-I;16": lambda tmp: Image.new("I;16", (3, 3)),
    "pillow-F": lambda tmp: Image.new("F", (2, 5)),
    "pillow-P": lambda tmp: Image.new("P", (2, 2)),
    "pillow-CMYK": lambda tmp: Image.new("CMYK", (2, 2)),
    "pandas-series": lambda tmp: pd.Series([1.0, 2.5, 3.0]),
    "pandas-series-strings": lambda tmp: pd.Series(["a", "b"]),
    "pandas-series-datetime": lambda tmp: pd.Series(pd.date_range("2020-01-01", periods=3)),
    "pandas-index": lambda tmp: pd.Index([3, 1, 2]),
    "pandas-categorical": lambda tmp: pd.Categorical(["a", "b", "a"]),
    "xarray-dataarray": lambda tmp: xr.DataArray(np.arange(6).reshape(2, 3), dims=("x", "y")),
}


def _numpy_scalars():
    """One instance of every NumPy scalar type (`np.object_(x)` returns `x` itself)."""
    made = {}
    for kind in sorted(set(np.sctypeDict.values()), key=lambda kind: kind.__name__):
        if kind is np.object_:
            continue
        if kind is np.datetime64:
            made[kind.__name__] = kind("2020-01-02")
        elif kind is np.timedelta64:
            made[kind.__name__] = kind(3, "s")
        elif kind is np.void:
            made[kind.__name__] = kind(b"ab")
        elif kind is np.str_:
            made[kind.__name__] = kind("ab")
        elif kind is np.bytes_:
            made[kind.__name__] = kind(b"ab")
        else:
            made[kind.__name__] = kind(1)
    made["structured-void"] = np.zeros(1, dtype=[("a", "<i4"), ("b", "<f8")])[0]
    return made


NUMPY_SCALARS = _numpy_scalars()


@pytest.mark.parametrize("name", sorted(NUMPY_SCALARS))
def test_every_numpy_scalar_verifies_clean(name):
    # Each access hands out a fresh 0-d copy (compared by content), `__ref` is private, and
    # NumPy never calls `__array__(copy=...)` on its own scalars.
    scalar = NUMPY_SCALARS[name]
    findings = arraylint.verify(scalar, name)
    assert failing_codes(findings) == [], [str(f) for f in findings]
    arraylint.assert_valid(scalar)
    assert len(NUMPY_SCALARS) >= 24


def test_pyarrow_temporal_arrays_ignore_copy_true():
    # A real bug, confirmed in pyarrow 26.0.1 (pyarrow/array.pxi, `Array.__array__`):
    # `copy=True` makes a copy only for numeric types, but `to_numpy(zero_copy_only=False)`
    # hands out the Arrow buffer itself for temporal types without nulls, so
    # `__array__(copy=True)` shares memory with the array. Checked here with NumPy alone,
    # so that the test follows pyarrow when it is fixed.
    stamps = pa.array(np.arange(3).astype("M8[s]"))
    shares = np.shares_memory(stamps.__array__(copy=True), stamps.__array__(copy=False))
    findings = arraylint.verify(stamps)
    assert failing_codes(findings) == (["AL107"] if shares else []), [str(f) for f in findings]


def test_numpy_arrays_without_buffer_export_own_their_memory():
    # datetime and timedelta arrays refuse the buffer protocol; no "owner not found" info.
    for array in (np.arange(3).astype("M8[s]"), np.arange(3).astype("m8[ms]")):
        assert [f.code for f in arraylint.verify(array)] == ["AL217"]


def test_refusals_are_info():
    findings = arraylint.verify(pa.array([1, None, 3]))
    assert [(f.code, f.severity) for f in findings] == [("AL908", "info")]
    assert "ArrowTypeError" in findings[0].message


@pytest.mark.parametrize("name", sorted(REAL))
def test_real_producers_verify_clean(name, tmp_path):
    obj = REAL[name](tmp_path)
    findings = arraylint.verify(obj, name)
    assert failing_codes(findings) == [], [str(f) for f in findings]
    arraylint.assert_valid(obj)


def test_numpy_checks_really_run():
    # A view built over the real array but one element too long must be caught: the clean
    # results above are not clean because nothing was checked.
    base = np.arange(4.0)

    class TooLong:
        def __init__(self):
            self.base = base

        @property
        def __array_interface__(self):
            return dict(base.__array_interface__, shape=(5,))

    assert failing_codes(arraylint.verify(TooLong())) == ["AL902"]


# ---- fakes -----------------------------------------------------------------------------


FAULT_CASES = [(code, obj) for code, objs in producers.FAULTS.items() for obj in objs]


@pytest.mark.parametrize(
    "code,obj", FAULT_CASES, ids=[f"{code}-{type(obj).__name__}" for code, obj in FAULT_CASES]
)
def test_fake_producer_gives_exactly_its_code(code, obj):
    findings = arraylint.verify(obj, "fake")
    if code == "AL900":
        assert [f.code for f in findings] == ["AL900"]
        assert findings[0].severity == "info"
        arraylint.assert_valid(obj)  # info never fails
    else:
        assert failing_codes(findings) == [code], [str(f) for f in findings]
        with pytest.raises(AssertionError, match=code):
            arraylint.assert_valid(obj)


@pytest.mark.parametrize("name", sorted(producers.CLEAN))
def test_look_alikes_stay_quiet(name):
    findings = arraylint.verify(producers.CLEAN[name], name)
    assert failing_codes(findings) == [], [str(f) for f in findings]


def test_attribute_error_is_info_not_error():
    findings = arraylint.verify(producers.GetterRefusesWithAttributeError())
    assert [(f.code, f.severity) for f in findings] == [("AL908", "info")]


def test_finding_fields():
    (finding,) = [
        f for f in arraylint.verify(producers.UnmappedPointer(), "pkg:unmapped") if f.severity != "info"
    ]
    assert finding.code == "AL901"
    assert finding.name == "host-pointer-unmapped"
    assert finding.severity == "error"
    assert finding.object == "pkg:unmapped"
    assert finding.protocol == "__array_interface__"
    assert finding.path == "data"
    assert "0x10" in finding.message


def test_descriptor_spec_runs_on_live_dicts():
    class ListShape:
        def __init__(self):
            self._values = np.arange(3)

        @property
        def __array_interface__(self):
            return dict(self._values.__array_interface__, shape=[3])

    findings = arraylint.verify(ListShape())
    assert "AL206" in failing_codes(findings)
    assert any(f.code == "AL206" and f.path == "shape" for f in findings)


def test_dlpack_capsules_are_not_consumed():
    # numpy frees its DLPack export when the unconsumed capsule dies; the array must stay
    # exportable and intact after being verified many times.
    array = np.arange(100.0)
    for _ in range(200):
        arraylint.verify(array)
    assert np.from_dlpack(array).sum() == array.sum()


def test_fake_cuda_producer_without_driver_does_not_crash():
    ok, reason = arraylint.cuda_status()
    if ok:
        pytest.skip("a CUDA driver is present; tests/gpu covers this machine")
    findings = arraylint.verify(producers.FakeCudaArray())
    assert [f.code for f in findings] == ["AL900"]
    assert reason in findings[0].message


def test_warnings_as_errors_do_not_turn_into_findings():
    # NumPy warns on unversioned DLPack exports; under -W error that must not read as AL908.
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c",
         "import numpy, arraylint; arraylint.assert_valid(numpy.arange(3.0))"],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr


# ---- python -m arraylint._verify (what `arraylint verify` runs) ------------------------


def run_module(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "arraylint._verify", "verify", *args],
        capture_output=True, text=True, cwd=cwd,
    )


def test_module_cli_json_and_exit_codes():
    import json

    fixture = str(producers.__file__)
    result = run_module("--output-format", "json", f"{fixture}:all_faults")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    codes = {f["code"] for f in report["findings"]}
    assert codes == set(producers.FAULTS)
    names = {f["object"] for f in report["findings"]}
    assert f"{fixture}:all_faults[0]" in names

    clean = run_module(f"{fixture}:CLEAN")
    assert clean.returncode == 0, clean.stdout + clean.stderr


def test_module_cli_target_errors_are_clear(tmp_path):
    missing = run_module("no_such_module_here:x")
    assert missing.returncode == 2
    assert "cannot import module 'no_such_module_here'" in missing.stderr
    assert "Traceback" not in missing.stderr

    broken = tmp_path / "broken.py"
    broken.write_text("raise RuntimeError('boom at import')\n")
    result = run_module(f"{broken}:x")
    assert result.returncode == 2
    assert "RuntimeError: boom at import" in result.stderr
    assert "Traceback" not in result.stderr

    fixture = str(producers.__file__)
    attr = run_module(f"{fixture}:does_not_exist")
    assert attr.returncode == 2
    assert "has no attribute 'does_not_exist'" in attr.stderr

    bad = run_module("no-colon")
    assert bad.returncode == 2

    factory = tmp_path / "factory.py"
    factory.write_text("def make():\n    raise RuntimeError('no data\\nsecond line')\n")
    raised = run_module(f"{factory}:make")
    assert raised.returncode == 2
    assert "calling make() raised RuntimeError: no data second line" in raised.stderr
    # One line per error, and never "All checks passed!" when a target failed.
    assert raised.stderr.count("\n") == 1, raised.stderr
    for result in (missing, result, attr, raised):
        assert "All checks passed!" not in result.stdout, result.stdout


def test_module_cli_select_and_ignore():
    fixture = str(producers.__file__)
    result = run_module("--ignore", "AL901", f"{fixture}:UnmappedPointer")
    assert result.returncode == 0, result.stdout + result.stderr
    result = run_module("--select", "AL9", f"{fixture}:UnmappedPointer")
    assert result.returncode == 1
    result = run_module("--select", "AL999", f"{fixture}:UnmappedPointer")
    assert result.returncode == 2
    assert "unknown rule selector" in result.stderr


def test_module_target_and_factory(tmp_path):
    (tmp_path / "mylib.py").write_text(
        "import numpy as np\n"
        "calls = []\n"
        "def make():\n"
        "    calls.append(1)\n"
        "    return {'a': np.arange(3), 'b': np.zeros(2)}\n"
        "print('printed at import')\n"
    )
    import json

    result = run_module("--output-format", "json", "mylib:make", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)  # what the target printed went to stderr
    assert report["errors"] == []
    # NumPy arrays get only the info notice that `__array_struct__` is legacy, one per item.
    assert {(f["object"], f["code"], f["severity"]) for f in report["findings"]} == {
        ("mylib:make[a]", "AL217", "info"),
        ("mylib:make[b]", "AL217", "info"),
    }
    # Each finding names its target's file, for the per-file settings of `arraylint verify`.
    assert {f["file"] for f in report["findings"]} == {str(tmp_path / "mylib.py")}
    assert "printed at import" in result.stderr


def test_dlpack_capsule_is_released_unconsumed():
    import ctypes

    destructor_type = ctypes.CFUNCTYPE(None, ctypes.c_void_p)
    get_name = ctypes.pythonapi.PyCapsule_GetName
    get_name.restype = ctypes.c_char_p
    get_name.argtypes = [ctypes.c_void_p]
    new = ctypes.pythonapi.PyCapsule_New
    new.restype = ctypes.py_object
    new.argtypes = [ctypes.c_void_p, ctypes.c_char_p, destructor_type]
    released = []

    @destructor_type
    def destructor(capsule):
        # A consumer renames the capsule to `used_dltensor`; an unconsumed one keeps its name.
        released.append(get_name(capsule))

    class Counted(producers.DlpackCpuTensor):
        created = 0

        def __dlpack__(self, *, stream=None, max_version=None, dl_device=None, copy=None):
            if stream is not None:
                raise BufferError("no streams on the CPU")
            Counted.created += 1
            return new(ctypes.addressof(self._tensor), b"dltensor", destructor)

    obj = Counted()
    assert failing_codes(arraylint.verify(obj)) == []
    import gc

    gc.collect()
    assert Counted.created == 2  # plain and max_version=(1, 0)
    assert released == [b"dltensor", b"dltensor"]


def test_dotted_attribute_and_class_targets(tmp_path):
    (tmp_path / "shapes.py").write_text(
        "import numpy as np\n"
        "class Holder:\n"
        "    ARRAY = np.arange(4)\n"
        "class Factory:\n"
        "    def __init__(self):\n"
        "        self._a = np.arange(3)\n"
        "    def __array__(self, dtype=None, copy=None):\n"
        "        return list(self._a)\n"
    )
    import json

    result = run_module("--output-format", "json", "shapes:Holder.ARRAY", "shapes:Factory", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert report["errors"] == []
    failing = {(f["object"], f["code"]) for f in report["findings"] if f["severity"] != "info"}
    # The class was instantiated and its instance verified; the dotted attribute is clean.
    assert failing == {("shapes:Factory", "AL105")}
    assert any(f["object"] == "shapes:Holder.ARRAY" for f in report["findings"])  # its info notice
