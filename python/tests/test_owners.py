"""Broken producers fail: owner discovery, negative strides, one root cause, AL405 live,
fresh copies, exceptions, and the rule selection of the Python API."""

import time

import numpy as np
import pytest

import arraylint
import producers
from producers import address_of, interface


def failing(findings):
    return [f for f in findings if f.severity != "info"]


def failing_codes(findings):
    return sorted({f.code for f in failing(findings)})


# ---- owner discovery -------------------------------------------------------------------


@pytest.mark.parametrize(
    "obj,owner",
    [
        (producers.OverrunsHeldBuffer(), "attribute `_buffer`"),
        (producers.OverrunsModuleGlobal(), "module global `GLOBAL_BUFFER`"),
        (producers.OverrunsDictEntry(), "entry payload of attribute `_store`"),
        (producers.OverrunsListEntry(), "item 1 of attribute `_chunks`"),
        (producers.OverrunsTupleEntry(), "item 0 of attribute `_parts`"),
        (producers.OverrunsSlot(), "`__slots__` entry `__buffer`"),
        (producers._closure_producer(16, 17), "closure variable `buffer`"),
        (producers.OverrunsReferent(), "a `bytearray` the object refers to (3 steps away)"),
    ],
    ids=lambda value: value if isinstance(value, str) else type(value).__name__,
)
def test_the_owner_is_found_where_it_lives(obj, owner):
    (finding,) = failing(arraylint.verify(obj))
    assert finding.code == "AL902"
    assert owner in finding.message, finding.message


def test_no_owner_found_is_info():
    hidden = bytearray(64)

    class Hidden:
        # The only reference to the buffer is a local of this test (no object, global or
        # closure the verifier looks at holds it): the verifier says so, as info.
        pointer = address_of(hidden)

        @property
        def __array_interface__(self):
            return interface(self.pointer, (64,))

    findings = arraylint.verify(Hidden())
    assert failing(findings) == []
    (info,) = findings
    assert (info.code, info.severity) == ("AL902", "info")
    assert "no buffer that owns the memory" in info.message


def test_the_search_is_bounded():
    # A large object graph (100,000 objects) without the owner: the walk stops at its
    # bounds instead of visiting everything.
    hidden = bytearray(64)

    class Crowded:
        pointer = address_of(hidden)

        def __init__(self):
            self.crowd = [[object() for _ in range(100)] for _ in range(1000)]

        @property
        def __array_interface__(self):
            return interface(self.pointer, (64,))

    class Huge(Crowded):
        def __init__(self):
            self.crowd = list(range(3_000_000))

    for obj in (Crowded(), Huge()):
        start = time.perf_counter()
        findings = arraylint.verify(obj)
        elapsed = time.perf_counter() - start
        assert failing(findings) == []
        assert elapsed < 0.25, elapsed
        (info,) = findings
        assert info.code == "AL902" and info.severity == "info"


def test_negative_strides_below_the_owner():
    class ReversedTooFar:
        """4 elements backwards from byte 2 of a 16-byte buffer: reaches 1 byte below."""

        def __init__(self):
            self._buffer = bytearray(16)

        @property
        def __array_interface__(self):
            return interface(address_of(self._buffer) + 2, (4,), strides=(-1,))

    (finding,) = failing(arraylint.verify(ReversedTooFar()))
    assert finding.code == "AL902"
    assert "1 byte below the start of attribute `_buffer`" in finding.message

    class ReversedInside(ReversedTooFar):
        @property
        def __array_interface__(self):
            return interface(address_of(self._buffer) + 3, (4,), strides=(-1,))

    assert failing(arraylint.verify(ReversedInside())) == []
    # NumPy's own negative strides stay clean (the `base` owns the memory).
    assert failing(arraylint.verify(np.arange(10.0)[::-3])) == []


def test_null_pointer_with_elements_is_one_root_cause():
    class NullData:
        @property
        def __array_interface__(self):
            return interface(0, (4,))

    assert failing_codes(arraylint.verify(NullData())) == ["AL212"]

    class NullDeviceData:
        @property
        def __cuda_array_interface__(self):
            return dict(shape=(4,), typestr="<f4", data=(0, False), version=3, stream=None)

    # Not also AL904 where a driver is present; AL900 (info) where none is.
    assert failing_codes(arraylint.verify(NullDeviceData())) == ["AL212"]


# ---- fresh copies ------------------------------------------------------------------------


class FreshCopies:
    """Hands out a fresh copy at every access, as NumPy's scalars do."""

    def __init__(self, dlpack_values):
        self._keep = []
        self._dlpack_values = dlpack_values

    def _fresh(self, values):
        array = np.array(values, dtype=np.float64)
        self._keep.append(array)
        return array

    @property
    def __array_interface__(self):
        return self._fresh([1.0, 2.0, 3.0]).__array_interface__

    def __dlpack__(self, *, stream=None, max_version=None, dl_device=None, copy=None):
        return self._fresh(self._dlpack_values).__dlpack__(stream=stream)

    def __dlpack_device__(self):
        return (1, 0)


def test_fresh_copies_are_compared_by_content():
    assert failing(arraylint.verify(FreshCopies([1.0, 2.0, 3.0]))) == []
    findings = failing(arraylint.verify(FreshCopies([1.0, 2.0, 4.0])))
    # Both DLPack calls (plain and max_version) disagree with the interface.
    assert [f.code for f in findings] == ["AL907", "AL907"]
    assert all("bytes at" in f.message and "differ" in f.message for f in findings)


# ---- exceptions from protocol methods ----------------------------------------------------


class Ragged:
    def __array__(self, dtype=None, copy=None):
        raise ValueError("setting an array element with a sequence: the data is ragged")


class NoCopyKeyword:
    def __init__(self):
        self._values = np.arange(3.0)

    def __array__(self, dtype=None):
        return self._values


class NameErrorInside:
    def __array__(self, dtype=None, copy=None):
        return np.asarray(undefined_name)  # noqa: F821


def test_refusal_signature_error_and_bug():
    findings = arraylint.verify(Ragged())
    assert [(f.code, f.severity) for f in findings] == [("AL908", "info")]
    assert failing_codes(arraylint.verify(NoCopyKeyword())) == ["AL908"]
    assert any("NumPy 2 passes `copy=`" in f.message for f in arraylint.verify(NoCopyKeyword()))
    assert failing_codes(arraylint.verify(NameErrorInside())) == ["AL908"]


# ---- AL405 live --------------------------------------------------------------------------


def test_dlpack_stream_rules_live():
    (finding,) = failing(arraylint.verify(producers.DlpackCpuAcceptsStream()))
    assert finding.code == "AL405"
    assert "stream=1" in finding.message
    (finding,) = failing(arraylint.verify(producers.DlpackCudaAcceptsStreamZero()))
    assert finding.code == "AL405"
    assert "stream=0" in finding.message
    # NumPy refuses stream=1 with RuntimeError: clean.
    assert failing(arraylint.verify(np.arange(3.0))) == []
    # Not selected: not even called.
    calls = []

    class Counting(producers.DlpackCpuAcceptsStream):
        def __dlpack__(self, *, stream=None, max_version=None, dl_device=None, copy=None):
            calls.append(stream)
            return super().__dlpack__()

    arraylint.verify(Counting(), ignore=["AL405"])
    assert 1 not in calls
    arraylint.verify(Counting())
    assert 1 in calls


# ---- select / ignore ---------------------------------------------------------------------


def test_select_and_ignore():
    unmapped = producers.UnmappedPointer()
    assert failing_codes(arraylint.verify(unmapped)) == ["AL901"]
    assert failing_codes(arraylint.verify(unmapped, ignore=["AL901"])) == []
    assert failing_codes(arraylint.verify(unmapped, ignore="AL9")) == []
    assert failing_codes(arraylint.verify(unmapped, select=["AL2"])) == []
    # The more specific selector wins, as in the configuration file.
    assert failing_codes(arraylint.verify(unmapped, select=["AL901"], ignore=["AL9"])) == ["AL901"]
    arraylint.assert_valid(unmapped, ignore=["AL901"])
    with pytest.raises(AssertionError, match="AL901"):
        arraylint.assert_valid(unmapped, select=["AL9"])
    with pytest.raises(ValueError, match="unknown rule selector `AL999`"):
        arraylint.verify(unmapped, select=["AL999"])
    with pytest.raises(TypeError):
        arraylint.verify(unmapped, ignore=[901])
