//! Reading this process's own memory at an address that came from an untrusted descriptor
//! (a capsule's `PyArrayInterface*`, a `DLManagedTensor*`, a shape array) without ever
//! dereferencing it: first the mappings must say the bytes are readable, then the copy is
//! made by the kernel (`process_vm_readv` on our own pid), which answers EFAULT for memory
//! that went away in between instead of crashing us.

use super::extent::Extent;
use super::maps::{Coverage, MemoryMap};

/// Copy `len` bytes at `addr`, or `None` when they are not all readable.
pub fn read_own_memory(addr: u64, len: usize, map: &MemoryMap) -> Option<Vec<u8>> {
    let end = addr.checked_add(len as u64)?;
    if len == 0 {
        return Some(Vec::new());
    }
    if map.coverage(&Extent { start: addr, end }, false) != Coverage::Ok {
        return None;
    }
    copy_by_kernel(addr, len)
}

/// Copy `len` bytes at `addr` through the kernel alone, without consulting the mappings:
/// for the few bytes a `Py_buffer` points to (shape, strides, format), read while the buffer
/// is held and before the mappings are looked at. The kernel refuses memory that is not
/// mapped or not readable (EFAULT) instead of crashing us. `None` off Linux.
pub fn read_by_kernel(addr: u64, len: usize) -> Option<Vec<u8>> {
    if len == 0 {
        return Some(Vec::new());
    }
    addr.checked_add(len as u64)?;
    copy_by_kernel(addr, len)
}

/// A NUL-terminated C string at `addr`, at most `max` bytes before the NUL, read through the
/// kernel a page at a time (a string that ends just before an unmapped page is still read).
/// `None` when it is unreadable or longer than `max`.
pub fn read_c_string(addr: u64, max: usize) -> Option<Vec<u8>> {
    const PAGE: u64 = 4096;
    let mut text = Vec::new();
    let mut at = addr;
    while text.len() <= max {
        let to_page_end = PAGE - at % PAGE;
        let chunk = read_by_kernel(at, usize::try_from(to_page_end).ok()?)?;
        if let Some(nul) = chunk.iter().position(|&byte| byte == 0) {
            text.extend_from_slice(&chunk[..nul]);
            return (text.len() <= max).then_some(text);
        }
        text.extend_from_slice(&chunk);
        at = at.checked_add(to_page_end)?;
    }
    None
}

/// Several ranges read through the kernel alone in one system call (`process_vm_readv`
/// takes many remote ranges); `None` for a range that is not readable. The kernel stops at
/// the first range it cannot read: the ranges after it are read again one by one.
pub fn read_many_by_kernel(ranges: &[(u64, usize)]) -> Vec<Option<Vec<u8>>> {
    let mut buffers: Vec<Vec<u8>> = ranges.iter().map(|&(_, len)| vec![0u8; len]).collect();
    let copied = copy_many_by_kernel(ranges, &mut buffers);
    let mut done = 0usize;
    ranges
        .iter()
        .zip(buffers)
        .map(|(&(addr, len), buffer)| {
            done = done.saturating_add(len);
            if done <= copied {
                Some(buffer)
            } else {
                read_by_kernel(addr, len)
            }
        })
        .collect()
}

/// Native `i64`s out of bytes read from our memory (a shape or strides array).
pub fn i64s(bytes: &[u8]) -> Vec<i64> {
    bytes
        .chunks_exact(8)
        .filter_map(|chunk| chunk.try_into().ok().map(i64::from_ne_bytes))
        .collect()
}

#[cfg(target_os = "linux")]
fn copy_many_by_kernel(ranges: &[(u64, usize)], buffers: &mut [Vec<u8>]) -> usize {
    let mut local = Vec::with_capacity(ranges.len());
    let mut remote = Vec::with_capacity(ranges.len());
    for (&(addr, len), buffer) in ranges.iter().zip(buffers.iter_mut()) {
        let Ok(address) = usize::try_from(addr) else {
            break;
        };
        if address.checked_add(len).is_none() {
            break;
        }
        local.push(libc::iovec {
            iov_base: buffer.as_mut_ptr().cast(),
            iov_len: len,
        });
        remote.push(libc::iovec {
            iov_base: address as *mut libc::c_void,
            iov_len: len,
        });
    }
    if local.is_empty() {
        return 0;
    }
    // SAFETY: the kernel writes at most each buffer's length into it (we own them); the
    // remote ranges are only read by the kernel, which checks them (EFAULT, or a short
    // count at the first range it cannot read).
    let copied = unsafe {
        libc::process_vm_readv(
            libc::getpid(),
            local.as_ptr(),
            local.len() as libc::c_ulong,
            remote.as_ptr(),
            remote.len() as libc::c_ulong,
            0,
        )
    };
    usize::try_from(copied).unwrap_or(0)
}

#[cfg(not(target_os = "linux"))]
fn copy_many_by_kernel(_ranges: &[(u64, usize)], _buffers: &mut [Vec<u8>]) -> usize {
    0
}

#[cfg(target_os = "linux")]
fn copy_by_kernel(addr: u64, len: usize) -> Option<Vec<u8>> {
    let mut buffer = vec![0u8; len];
    let local = libc::iovec {
        iov_base: buffer.as_mut_ptr().cast(),
        iov_len: len,
    };
    let remote = libc::iovec {
        iov_base: usize::try_from(addr).ok()? as *mut libc::c_void,
        iov_len: len,
    };
    // SAFETY: the kernel writes at most `len` bytes into `buffer`, which we own; the remote
    // address is only read by the kernel, which checks it and fails with EFAULT.
    let copied = unsafe { libc::process_vm_readv(libc::getpid(), &local, 1, &remote, 1, 0) };
    (copied == len as isize).then_some(buffer)
}

#[cfg(not(target_os = "linux"))]
fn copy_by_kernel(_addr: u64, _len: usize) -> Option<Vec<u8>> {
    None
}

/// Little helpers to decode native-endian fields out of the copied bytes.
pub fn field_i32(bytes: &[u8], offset: usize) -> Option<i32> {
    Some(i32::from_ne_bytes(
        bytes.get(offset..offset + 4)?.try_into().ok()?,
    ))
}
pub fn field_u32(bytes: &[u8], offset: usize) -> Option<u32> {
    Some(u32::from_ne_bytes(
        bytes.get(offset..offset + 4)?.try_into().ok()?,
    ))
}
pub fn field_i64(bytes: &[u8], offset: usize) -> Option<i64> {
    Some(i64::from_ne_bytes(
        bytes.get(offset..offset + 8)?.try_into().ok()?,
    ))
}
pub fn field_u64(bytes: &[u8], offset: usize) -> Option<u64> {
    Some(u64::from_ne_bytes(
        bytes.get(offset..offset + 8)?.try_into().ok()?,
    ))
}

/// `count` native `i64`s at `addr` (shape and strides arrays).
pub fn read_i64_array(addr: u64, count: usize, map: &MemoryMap) -> Option<Vec<i64>> {
    let bytes = read_own_memory(addr, count.checked_mul(8)?, map)?;
    (0..count).map(|i| field_i64(&bytes, i * 8)).collect()
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn reads_our_own_heap() {
        let data: Vec<u8> = (0..100u8).collect();
        let map = MemoryMap::of_this_process().unwrap();
        let copy = read_own_memory(data.as_ptr() as u64, data.len(), &map).unwrap();
        assert_eq!(copy, data);
    }

    #[test]
    fn refuses_unmapped_addresses() {
        let map = MemoryMap::of_this_process().unwrap();
        assert_eq!(read_own_memory(8, 16, &map), None);
        assert_eq!(read_own_memory(u64::MAX - 2, 16, &map), None);
    }

    #[test]
    fn kernel_copy_reports_efault_instead_of_crashing() {
        // Bypass the map check on purpose: the kernel itself must refuse.
        assert_eq!(copy_by_kernel(16, 8), None);
    }

    #[test]
    fn kernel_reads_without_the_map() {
        let values: [i64; 2] = [7, -1];
        let first = read_by_kernel(values.as_ptr() as u64, 16).unwrap();
        assert_eq!(i64s(&first), values.to_vec());
        assert_eq!(read_by_kernel(16, 16), None);
        assert_eq!(read_by_kernel(u64::MAX - 2, 8), None);
    }

    #[test]
    fn many_ranges_in_one_call() {
        let a = [1u8, 2, 3];
        let b = [9u8; 5];
        let read = read_many_by_kernel(&[
            (a.as_ptr() as u64, 3),
            (16, 4),
            (b.as_ptr() as u64, 5),
            (a.as_ptr() as u64, 0),
        ]);
        // The unreadable range in the middle: the one after it is still read.
        assert_eq!(
            read,
            vec![Some(a.to_vec()), None, Some(b.to_vec()), Some(Vec::new())]
        );
    }

    #[test]
    fn reads_bounded_c_strings() {
        let text = b"T{<i:a:}\0";
        assert_eq!(
            read_c_string(text.as_ptr() as u64, 64),
            Some(b"T{<i:a:}".to_vec())
        );
        assert_eq!(read_c_string(text.as_ptr() as u64, 3), None);
        assert_eq!(read_c_string(8, 64), None);
        // A string across a page boundary is read whole.
        let mut long = vec![b'x'; 10_000];
        long.push(0);
        assert_eq!(
            read_c_string(long.as_ptr() as u64, 20_000).map(|s| s.len()),
            Some(10_000)
        );
    }

    #[test]
    fn reads_i64_arrays() {
        let values: [i64; 3] = [3, -4, 5];
        let map = MemoryMap::of_this_process().unwrap();
        assert_eq!(
            read_i64_array(values.as_ptr() as u64, 3, &map),
            Some(values.to_vec())
        );
    }
}
