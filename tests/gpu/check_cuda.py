"""Device checks of `arraylint verify` on a machine with an NVIDIA GPU.

Needs nothing but the NVIDIA driver: device memory, managed memory, page-locked host memory
and streams are made through `ctypes` calls into `libcuda.so.1`, and exported as CUDA Array
Interface objects. Where CuPy or PyTorch is installed, their arrays are checked too.
Run it through `tests/gpu/run` (which picks the prepared interpreter), or directly:

    python tests/gpu/check_cuda.py

Exit status: 0 every check passed, 1 a check failed, 77 skipped (no driver library, no
device, or the driver cannot be initialised; the reason is printed).
"""

import ctypes
import sys

import numpy as np

import arraylint

SKIPPED = 77

CU_MEM_ATTACH_GLOBAL = 1
CU_STREAM_NON_BLOCKING = 1


class DriverError(Exception):
    pass


class Driver:
    """The few CUDA driver calls the checks need, through ctypes (no CUDA toolkit)."""

    def __init__(self):
        self.lib = ctypes.CDLL("libcuda.so.1")
        self.context = ctypes.c_void_p()
        self.device = ctypes.c_int()

    def call(self, name, *args):
        status = getattr(self.lib, name)(*args)
        if status != 0:
            text = ctypes.c_char_p()
            self.lib.cuGetErrorName(status, ctypes.byref(text))
            raise DriverError(f"{name} failed: {status} ({(text.value or b'?').decode()})")

    def start(self):
        self.call("cuInit", 0)
        count = ctypes.c_int()
        self.call("cuDeviceGetCount", ctypes.byref(count))
        if count.value == 0:
            raise DriverError("the driver sees no device")
        self.call("cuDeviceGet", ctypes.byref(self.device), 0)
        # The primary context: the one the runtime API (CuPy, PyTorch) shares.
        self.call("cuDevicePrimaryCtxRetain", ctypes.byref(self.context), self.device)
        self.call("cuCtxSetCurrent", self.context)

    def stop(self):
        self.call("cuDevicePrimaryCtxRelease_v2", self.device)

    def mem_alloc(self, size):
        pointer = ctypes.c_uint64()
        self.call("cuMemAlloc_v2", ctypes.byref(pointer), ctypes.c_size_t(size))
        return pointer.value

    def mem_alloc_managed(self, size):
        pointer = ctypes.c_uint64()
        self.call(
            "cuMemAllocManaged", ctypes.byref(pointer), ctypes.c_size_t(size), CU_MEM_ATTACH_GLOBAL
        )
        return pointer.value

    def mem_free(self, pointer):
        self.call("cuMemFree_v2", ctypes.c_uint64(pointer))

    def host_alloc(self, size):
        pointer = ctypes.c_void_p()
        self.call("cuMemHostAlloc", ctypes.byref(pointer), ctypes.c_size_t(size), 0)
        return pointer.value

    def host_free(self, pointer):
        self.call("cuMemFreeHost", ctypes.c_void_p(pointer))

    def stream_create(self):
        stream = ctypes.c_void_p()
        self.call("cuStreamCreate", ctypes.byref(stream), CU_STREAM_NON_BLOCKING)
        return stream.value

    def stream_destroy(self, stream):
        self.call("cuStreamDestroy_v2", ctypes.c_void_p(stream))


class DeviceView:
    """A CAI over a pointer, as a producer (correct or buggy) would export it."""

    def __init__(self, pointer, nbytes, stream=None, keep=None):
        self._keep = keep
        self._cai = dict(
            shape=(nbytes // 4,), typestr="<f4", data=(pointer, False), version=3, stream=stream
        )

    @property
    def __cuda_array_interface__(self):
        return self._cai


def codes(obj):
    """(failing codes, every code) of a verification."""
    findings = arraylint.verify(obj)
    failing = sorted({f.code for f in findings if f.severity != "info"})
    return failing, sorted({f.code for f in findings}), findings


class Checks:
    def __init__(self):
        self.failures = []
        self.count = 0

    def expect(self, label, obj, want):
        failing, every, findings = codes(obj)
        self.count += 1
        ok = failing == want and "AL900" not in every
        print(f"{'ok' if ok else 'FAIL':4s} {label}: {failing} (want {want})")
        if not ok:
            self.failures.append(label)
            for finding in findings:
                print(f"       {finding}")


def driver_checks(driver, checks):
    nbytes = 1 << 20
    device = driver.mem_alloc(nbytes)
    managed = driver.mem_alloc_managed(nbytes)
    pinned = driver.host_alloc(nbytes)
    stream = driver.stream_create()
    dead_stream = driver.stream_create()
    driver.stream_destroy(dead_stream)
    try:
        checks.expect("device memory is clean", DeviceView(device, nbytes), [])
        checks.expect("the second half of an allocation is clean", DeviceView(device + nbytes // 2, nbytes // 2), [])
        checks.expect("managed memory is clean", DeviceView(managed, nbytes), [])
        checks.expect("device memory with a live stream is clean", DeviceView(device, 4096, stream=stream), [])
        checks.expect("legacy default stream 1", DeviceView(device, 4096, stream=1), [])
        checks.expect("per-thread default stream 2", DeviceView(device, 4096, stream=2), [])

        host = np.zeros(nbytes // 4, dtype=np.float32)
        host_pointer = host.__array_interface__["data"][0]
        checks.expect("host memory passed off as device memory", DeviceView(host_pointer, nbytes, keep=host), ["AL904"])
        checks.expect("page-locked host memory passed off as device memory", DeviceView(pinned, nbytes), ["AL904"])
        checks.expect("a pointer no one allocated", DeviceView(0x10, 64), ["AL904"])

        # Four times the size: past any rounding of the allocation by the driver.
        checks.expect("an extent past the allocation", DeviceView(device, 4 * nbytes), ["AL905"])
        checks.expect("an extent past the managed allocation", DeviceView(managed, 4 * nbytes), ["AL905"])

        checks.expect("a destroyed stream", DeviceView(device, 4096, stream=dead_stream), ["AL906"])
        checks.expect("an unmapped stream handle", DeviceView(device, 4096, stream=0xDEAD0000), ["AL906"])
        checks.expect("a negative stream handle", DeviceView(device, 4096, stream=-7), ["AL906"])
    finally:
        driver.stream_destroy(stream)
        driver.host_free(pinned)
        driver.mem_free(managed)
        driver.mem_free(device)


def library_checks(checks):
    """CuPy and PyTorch arrays, where those libraries are installed."""
    try:
        import cupy
    except ImportError:
        print("skip CuPy: not installed")
    else:
        real = cupy.arange(1000, dtype=cupy.float32)
        checks.expect("CuPy array is clean", real, [])
        checks.expect("CuPy strided view is clean", real[::-3], [])
    try:
        import torch
    except ImportError:
        print("skip PyTorch: not installed")
    else:
        if torch.cuda.is_available():
            real = torch.arange(1000, dtype=torch.float32, device="cuda")
            checks.expect("PyTorch tensor is clean", real, [])
            checks.expect("PyTorch strided view is clean", real[::3], [])
        else:
            print("skip PyTorch: no CUDA device visible to it")


def main():
    ok, reason = arraylint.cuda_status()
    if not ok:
        print(f"skipped: no usable CUDA driver or device ({reason})")
        return SKIPPED
    try:
        driver = Driver()
        driver.start()
    except (OSError, DriverError) as error:
        print(f"skipped: the CUDA driver cannot be used through ctypes ({error})")
        return SKIPPED
    checks = Checks()
    try:
        driver_checks(driver, checks)
        library_checks(checks)
    finally:
        driver.stop()
    print(f"{checks.count} check(s), {len(checks.failures)} failure(s)")
    return 1 if checks.failures else 0


if __name__ == "__main__":
    sys.exit(main())
