//! Asking the CUDA driver about device pointers, through cudarc's dynamically loaded driver
//! API. cudarc panics when libcuda cannot be loaded or lacks a symbol, so the library is
//! probed with dlopen first and every call is wrapped in `catch_unwind`; any failure means
//! "no driver", which the verifier reports as AL900 and never as an error.

use std::ffi::c_void;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::OnceLock;

use arraylint::verify::checks::{DriverPointer, DriverStream};
use cudarc::driver::sys::{self as cu, CUpointer_attribute, CUresult};

/// Whether a driver with at least one device is usable in this process (asked once).
pub fn driver_ready() -> Result<(), String> {
    static STATE: OnceLock<Result<(), String>> = OnceLock::new();
    STATE.get_or_init(probe_driver).clone()
}

fn probe_driver() -> Result<(), String> {
    if !libcuda_loadable() {
        return Err("the CUDA driver library (libcuda.so.1) is not installed".to_string());
    }
    let outcome = catch_unwind(|| {
        // SAFETY: plain driver calls with valid out-pointers.
        unsafe {
            let status = cu::cuInit(0);
            if status != CUresult::CUDA_SUCCESS {
                return Err(format!("cuInit failed: {status:?}"));
            }
            let mut count = 0;
            let status = cu::cuDeviceGetCount(&mut count);
            if status != CUresult::CUDA_SUCCESS {
                return Err(format!("cuDeviceGetCount failed: {status:?}"));
            }
            if count == 0 {
                return Err("the CUDA driver sees no device".to_string());
            }
            Ok(())
        }
    });
    outcome.unwrap_or_else(|_| Err("the CUDA driver could not be loaded".to_string()))
}

#[cfg(unix)]
fn libcuda_loadable() -> bool {
    // SAFETY: dlopen with a constant name; the handle is kept (cudarc opens it again and the
    // loader hands back the same library).
    let handle =
        unsafe { libc::dlopen(c"libcuda.so.1".as_ptr(), libc::RTLD_NOW | libc::RTLD_LOCAL) };
    !handle.is_null()
}

#[cfg(not(unix))]
fn libcuda_loadable() -> bool {
    false
}

/// What the driver says about `pointer`. Call only after `driver_ready()` succeeded.
pub fn pointer_info(pointer: u64) -> Result<DriverPointer, String> {
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let mut memory_type: u64 = 0;
        let status = attribute(
            &mut memory_type,
            CUpointer_attribute::CU_POINTER_ATTRIBUTE_MEMORY_TYPE,
            pointer,
        );
        if status == CUresult::CUDA_ERROR_INVALID_VALUE {
            return Ok(DriverPointer::Unknown);
        }
        if status != CUresult::CUDA_SUCCESS {
            return Err(format!("cuPointerGetAttribute failed: {status:?}"));
        }
        let mut is_managed: u64 = 0;
        let mut range_start: u64 = 0;
        let mut range_size: u64 = 0;
        let mut ordinal: u64 = 0;
        let managed_ok = attribute(
            &mut is_managed,
            CUpointer_attribute::CU_POINTER_ATTRIBUTE_IS_MANAGED,
            pointer,
        ) == CUresult::CUDA_SUCCESS;
        let start_ok = attribute(
            &mut range_start,
            CUpointer_attribute::CU_POINTER_ATTRIBUTE_RANGE_START_ADDR,
            pointer,
        ) == CUresult::CUDA_SUCCESS;
        let size_ok = attribute(
            &mut range_size,
            CUpointer_attribute::CU_POINTER_ATTRIBUTE_RANGE_SIZE,
            pointer,
        ) == CUresult::CUDA_SUCCESS;
        let ordinal_ok = attribute(
            &mut ordinal,
            CUpointer_attribute::CU_POINTER_ATTRIBUTE_DEVICE_ORDINAL,
            pointer,
        ) == CUresult::CUDA_SUCCESS;
        if !(start_ok && size_ok) {
            return Err("the driver did not give the allocation's range".to_string());
        }
        Ok(DriverPointer::Known {
            memory_type: memory_type as u32,
            is_managed: managed_ok && (is_managed as u32) != 0,
            range_start,
            range_size,
            device_ordinal: ordinal_ok.then_some(ordinal as u32 as i32),
        })
    }));
    outcome.unwrap_or_else(|_| Err("the CUDA driver call panicked".to_string()))
}

/// Whether the driver knows `stream` (a handle that points into readable mapped memory:
/// only such handles are handed over). `cuStreamGetCtx` only looks the handle up.
pub fn stream_state(stream: u64) -> DriverStream {
    let outcome = catch_unwind(|| {
        let mut context: cu::CUcontext = std::ptr::null_mut();
        // SAFETY: `context` is a valid out-pointer; the handle is only looked up by the
        // driver, which answers CUDA_ERROR_INVALID_HANDLE for one it does not know.
        let status = unsafe { cu::cuStreamGetCtx(stream as usize as cu::CUstream, &mut context) };
        match status {
            CUresult::CUDA_SUCCESS => DriverStream::Live,
            CUresult::CUDA_ERROR_INVALID_HANDLE
            | CUresult::CUDA_ERROR_CONTEXT_IS_DESTROYED
            | CUresult::CUDA_ERROR_INVALID_CONTEXT => DriverStream::Invalid(format!("{status:?}")),
            _ => DriverStream::Unknown,
        }
    });
    outcome.unwrap_or(DriverStream::Unknown)
}

/// One attribute into a zeroed 8-byte slot: every attribute asked here is at most 8 bytes
/// (`unsigned int`, `int`, `CUdeviceptr`, `size_t`), and reading the low bytes of a
/// little-endian u64 gives the narrower values.
fn attribute(slot: &mut u64, which: CUpointer_attribute, pointer: u64) -> CUresult {
    // SAFETY: `slot` is valid for 8 bytes of writes; `pointer` is only an address the driver
    // looks up in its tables, never dereferenced by it.
    unsafe { cu::cuPointerGetAttribute((slot as *mut u64).cast::<c_void>(), which, pointer) }
}
