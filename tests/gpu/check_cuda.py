"""Device checks of `arraylint verify` on a machine with an NVIDIA GPU.

Run there, in an environment with the arraylint package and CuPy (or PyTorch):

    python tests/gpu/check_cuda.py

It exits 1 when a check fails, 77 when no GPU library or device is available (skipped).
It checks real device pointers (clean), host pointers passed off as device memory (AL904),
extents past the allocation (AL905) and stream handles (AL906, only the ones the verifier can
judge without handing the driver an arbitrary integer).
"""

import sys

import numpy as np

import arraylint

SKIPPED = 77


def failing_codes(obj):
    return sorted({f.code for f in arraylint.verify(obj) if f.severity != "info"})


def all_codes(obj):
    return sorted({f.code for f in arraylint.verify(obj)})


class DeviceView:
    """A CAI over an arbitrary pointer, as a buggy producer would export it."""

    def __init__(self, pointer, nbytes, stream=None, keep=None):
        self._keep = keep
        self._cai = dict(
            shape=(nbytes // 4,), typestr="<f4", data=(pointer, False), version=3, stream=stream
        )

    @property
    def __cuda_array_interface__(self):
        return self._cai


def backend():
    try:
        import cupy

        if cupy.cuda.runtime.getDeviceCount() > 0:
            return "cupy", cupy
    except Exception:
        pass
    try:
        import torch

        if torch.cuda.is_available():
            return "torch", torch
    except Exception:
        pass
    return None, None


def main():
    name, lib = backend()
    ok, reason = arraylint.cuda_status()
    if lib is None or not ok:
        print(f"skipped: no GPU library or driver ({reason or 'no CuPy/PyTorch device'})")
        return SKIPPED
    failures = []

    def expect(label, got, want):
        status = "ok" if got == want else "FAIL"
        print(f"{status:4s} {label}: {got} (want {want})")
        if got != want:
            failures.append(label)

    nbytes = 1 << 20
    if name == "cupy":
        cupy = lib
        real = cupy.arange(1000, dtype=cupy.float32)
        sliced = cupy.arange(1000, dtype=cupy.float32)[::-3]
        allocation = cupy.cuda.runtime.malloc(nbytes)
        free = lambda: cupy.cuda.runtime.free(allocation)  # noqa: E731
        stream = cupy.cuda.Stream(non_blocking=True)
        stream_handle = stream.ptr
        managed = cupy.cuda.malloc_managed(nbytes)
        managed_view = DeviceView(managed.ptr, nbytes, keep=managed)
    else:
        torch = lib
        real = torch.arange(1000, dtype=torch.float32, device="cuda")
        sliced = real[::3]
        storage = torch.empty(nbytes, dtype=torch.uint8, device="cuda")
        # The caching allocator rounds and pools blocks: take the driver's range as truth
        # by overrunning far past the tensor.
        allocation = storage.data_ptr()
        free = lambda: None  # noqa: E731
        stream = torch.cuda.Stream()
        stream_handle = stream.cuda_stream
        managed_view = None

    expect("real device array is clean", failing_codes(real), [])
    expect("no AL900 with a driver", "AL900" in all_codes(real), False)
    expect("strided device view is clean", failing_codes(sliced), [])

    host = np.zeros(nbytes // 4, dtype=np.float32)
    host_pointer = host.__array_interface__["data"][0]
    expect("host pointer as device memory", failing_codes(DeviceView(host_pointer, nbytes, keep=host)), ["AL904"])
    expect("garbage pointer as device memory", failing_codes(DeviceView(0x10, 64)), ["AL904"])

    expect("exact allocation is clean", failing_codes(DeviceView(allocation, nbytes)), [])
    expect("extent past the allocation", failing_codes(DeviceView(allocation, nbytes * 64)), ["AL905"])

    expect("legacy default stream 1", failing_codes(DeviceView(allocation, 4096, stream=1)), [])
    expect("per-thread default stream 2", failing_codes(DeviceView(allocation, 4096, stream=2)), [])
    expect("live stream handle", failing_codes(DeviceView(allocation, 4096, stream=stream_handle)), [])
    expect("unmapped stream handle", failing_codes(DeviceView(allocation, 4096, stream=0xDEAD0000)), ["AL906"])
    expect("negative stream handle", failing_codes(DeviceView(allocation, 4096, stream=-7)), ["AL906"])

    if managed_view is not None:
        expect("managed memory is clean", failing_codes(managed_view), [])

    free()
    print(f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
