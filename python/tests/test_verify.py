"""The live verifier on real producers (must verify clean) and on fakes (exactly their code)."""

import mmap
import subprocess
import sys

import numpy as np
import pytest
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
}


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


# ---- python -m arraylint ---------------------------------------------------------------


def run_module(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "arraylint", "verify", *args],
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
