//! The memory checks, as pure functions of what was read from the object, the process's
//! mappings and (for CUDA) what the driver answered. The extension gathers the facts; the
//! verdicts live here so that they can be tested without Python or a GPU.

use super::extent::Extent;
use super::maps::{Coverage, MemoryMap};
use super::view::{DataView, Identity};
use crate::registry::Rule;

/// A buffer that owns (part of) the memory: found through the object, its `base` chain,
/// the buffer object in `data`, or a buffer exporter the object holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnerBuffer {
    /// For messages: "the `bytes` in `data`", "`base` (ndarray)", "attribute `_buf`".
    pub description: String,
    pub extent: Extent,
    pub readonly: bool,
}

/// `1 byte`, `17 bytes`.
fn bytes(count: u64) -> String {
    if count == 1 {
        "1 byte".to_string()
    } else {
        format!("{count} bytes")
    }
}

/// A verdict: the rule and its message.
pub type Verdict = (Rule, String);

/// AL901, AL902, AL903 for a host view whose extent is `extent`.
pub fn check_host_memory(
    view: &DataView,
    extent: &Extent,
    map: &MemoryMap,
    owners: &[OwnerBuffer],
) -> Vec<Verdict> {
    let mut verdicts = Vec::new();
    if extent.is_empty() {
        return verdicts;
    }
    let exported_writable = view.readonly == Some(false);
    // With negative strides the lowest byte lies below the first element: when the first
    // element is readable memory, an unmapped lowest byte is an extent that runs below.
    let first_element_readable = map
        .find(view.pointer)
        .is_some_and(|mapping| mapping.readable);
    match map.coverage(extent, exported_writable) {
        Coverage::StartUnmapped | Coverage::StartUnreadable
            if extent.start < view.pointer && first_element_readable =>
        {
            verdicts.push((
                Rule::ExtentExceedsBuffer,
                format!(
                    "{} describes {} at {extent}: its negative strides reach below the readable memory that holds the first element at {:#x}",
                    view.protocol,
                    bytes(extent.len()),
                    view.pointer
                ),
            ));
            return verdicts;
        }
        Coverage::StartUnmapped => {
            verdicts.push((
                Rule::HostPointerUnmapped,
                format!(
                    "{} data pointer {:#x} is not in any mapped memory of the process",
                    view.protocol, extent.start
                ),
            ));
            return verdicts;
        }
        Coverage::StartUnreadable => {
            verdicts.push((
                Rule::HostPointerUnmapped,
                format!(
                    "{} data pointer {:#x} is in memory mapped without read permission",
                    view.protocol, extent.start
                ),
            ));
            return verdicts;
        }
        Coverage::RunsPast { readable_end } => {
            verdicts.push((
                Rule::ExtentExceedsBuffer,
                format!(
                    "{} describes {} at {extent}, which runs {} past the readable mapping ending at {readable_end:#x}",
                    view.protocol,
                    bytes(extent.len()),
                    bytes(extent.end - readable_end)
                ),
            ));
            return verdicts;
        }
        Coverage::NotWritable { at, name } => {
            let name = if name.is_empty() { "anonymous" } else { &name };
            verdicts.push((
                Rule::ReadonlyMemoryExportedWritable,
                format!(
                    "{} says `readonly` is False, but the memory at {at:#x} is mapped read-only ({name})",
                    view.protocol
                ),
            ));
        }
        Coverage::Ok => {}
    }

    // An owner is one that holds the first element (with negative strides, the lowest
    // byte is not it); the extent must lie inside it, below the first element included.
    let holding: Vec<&OwnerBuffer> = owners
        .iter()
        .filter(|owner| owner.extent.contains_addr(view.pointer))
        .collect();
    let covering: Vec<&&OwnerBuffer> = holding
        .iter()
        .filter(|owner| owner.extent.covers(extent))
        .collect();
    if covering.is_empty() {
        if let Some(largest) = holding.iter().max_by_key(|owner| owner.extent.len()) {
            let how = if extent.start < largest.extent.start {
                format!(
                    "which starts {} below the start",
                    bytes(largest.extent.start - extent.start)
                )
            } else {
                format!(
                    "which runs {} past the end",
                    bytes(extent.end.saturating_sub(largest.extent.end))
                )
            };
            verdicts.push((
                Rule::ExtentExceedsBuffer,
                format!(
                    "{} describes {} at {extent}, {how} of {} ({} at {})",
                    view.protocol,
                    bytes(extent.len()),
                    largest.description,
                    bytes(largest.extent.len()),
                    largest.extent
                ),
            ));
        }
    } else if exported_writable && verdicts.is_empty() {
        // Read-only only when every buffer that holds the data is: a read-only view of
        // writable memory (`memoryview.toreadonly()`) held beside it proves nothing.
        if covering.iter().all(|owner| owner.readonly) {
            verdicts.push((
                Rule::ReadonlyMemoryExportedWritable,
                format!(
                    "{} says `readonly` is False, but {} is read-only",
                    view.protocol, covering[0].description
                ),
            ));
        }
    }
    verdicts
}

/// Whether some owner holds the view's first element and all of `extent`: when none does,
/// the verifier looks further for one (module globals, containers, the getter's closure).
pub fn owner_covers(view: &DataView, extent: &Extent, owners: &[OwnerBuffer]) -> bool {
    owners
        .iter()
        .any(|owner| owner.extent.contains_addr(view.pointer) && owner.extent.covers(extent))
}

/// AL907: every view against the first one (the most authoritative the caller found),
/// their data compared as `identity` says.
pub fn check_agreement(views: &[DataView], identity: &Identity<'_>) -> Vec<Verdict> {
    let Some((first, rest)) = views.split_first() else {
        return Vec::new();
    };
    rest.iter()
        .filter_map(|other| {
            let differences = first.differences_by(other, identity);
            (!differences.is_empty()).then(|| {
                (
                    Rule::ProtocolsDisagree,
                    format!(
                        "{} and {} describe different data: {}",
                        first.protocol,
                        other.protocol,
                        differences.join(", ")
                    ),
                )
            })
        })
        .collect()
}

/// What the CUDA driver says about a pointer (`cuPointerGetAttribute`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DriverPointer {
    /// The driver does not know the address (`CUDA_ERROR_INVALID_VALUE`): plain host memory
    /// or garbage.
    Unknown,
    Known {
        /// `CU_MEMORYTYPE_*`: 1 host, 2 device, 3 array, 4 unified.
        memory_type: u32,
        is_managed: bool,
        range_start: u64,
        range_size: u64,
        device_ordinal: Option<i32>,
    },
}

const CU_MEMORYTYPE_HOST: u32 = 1;
const CU_MEMORYTYPE_DEVICE: u32 = 2;
const CU_MEMORYTYPE_UNIFIED: u32 = 4;

/// AL904 and AL905 for a CAI view.
pub fn check_device_memory(
    view: &DataView,
    extent: &Extent,
    answer: DriverPointer,
) -> Vec<Verdict> {
    if extent.is_empty() {
        return Vec::new();
    }
    match answer {
        DriverPointer::Unknown => vec![(
            Rule::CaiPointerNotDevice,
            format!(
                "{} data pointer {:#x} is not memory the CUDA driver knows (host memory passed off as device memory?)",
                view.protocol, view.pointer
            ),
        )],
        DriverPointer::Known {
            memory_type,
            is_managed,
            range_start,
            range_size,
            device_ordinal,
        } => {
            let device_like = is_managed
                || memory_type == CU_MEMORYTYPE_DEVICE
                || memory_type == CU_MEMORYTYPE_UNIFIED;
            if !device_like {
                let what = if memory_type == CU_MEMORYTYPE_HOST {
                    "page-locked host memory"
                } else {
                    "not device or managed memory"
                };
                return vec![(
                    Rule::CaiPointerNotDevice,
                    format!(
                        "{} data pointer {:#x} is {what} (CUDA memory type {memory_type})",
                        view.protocol, view.pointer
                    ),
                )];
            }
            let allocation = Extent {
                start: range_start,
                end: range_start.saturating_add(range_size),
            };
            if allocation.covers(extent) {
                return Vec::new();
            }
            let device = device_ordinal
                .map(|ordinal| format!(" on device {ordinal}"))
                .unwrap_or_default();
            vec![(
                Rule::CaiExtentExceedsAllocation,
                format!(
                    "{} describes {} at {extent}, but the allocation{device} is {} at {allocation}",
                    view.protocol,
                    bytes(extent.len()),
                    bytes(range_size)
                ),
            )]
        }
    }
}

/// What can be said about a CAI `stream` integer without handing it to the driver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamHandle {
    /// 1 (legacy default stream) or 2 (per-thread default stream): always valid.
    Special,
    /// Cannot be a stream: a `CUstream` is a pointer to a driver object in host memory, and
    /// this value is negative, too large, or points to no readable mapping.
    NotAStream(String),
    /// Points into readable mapped memory: only the driver can tell. It is asked with a
    /// look-up that has no side effects (`cuStreamGetCtx`); a handle outside mapped memory
    /// is never handed to it.
    AskDriver,
}

/// Judge a `stream` value (0 and non-ints are AL301/AL302, the descriptor spec's).
pub fn classify_stream(stream: i128, map: &MemoryMap) -> StreamHandle {
    if stream == 1 || stream == 2 {
        return StreamHandle::Special;
    }
    let Ok(address) = u64::try_from(stream) else {
        return StreamHandle::NotAStream(format!(
            "stream {stream} is not a valid handle (handles are addresses)"
        ));
    };
    match map.find(address) {
        Some(mapping) if mapping.readable => StreamHandle::AskDriver,
        _ => StreamHandle::NotAStream(format!(
            "stream {address:#x} is not a live stream: it points to no readable memory of the process"
        )),
    }
}

/// What the CUDA driver says about a stream handle that points into mapped memory
/// (`cuStreamGetCtx`: a query without side effects).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DriverStream {
    /// The driver knows the stream.
    Live,
    /// The driver refused the handle (`CUDA_ERROR_INVALID_HANDLE`, `..._CONTEXT_IS_DESTROYED`,
    /// `..._INVALID_CONTEXT`): destroyed, or never a stream.
    Invalid(String),
    /// The driver could not be asked or said something else: not judged.
    Unknown,
}

/// AL906 for a stream handle the driver was asked about.
pub fn check_stream_answer(stream: u64, answer: &DriverStream) -> Option<Verdict> {
    match answer {
        DriverStream::Invalid(status) => Some((
            Rule::CaiStreamInvalid,
            format!(
                "stream {stream:#x} is not a live stream: the CUDA driver refuses the handle ({status}); was it destroyed?"
            ),
        )),
        DriverStream::Live | DriverStream::Unknown => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::view::{DType, Location};

    const MAPS: &str = "\
1000-3000 rw-p 00000000 00:00 0
5000-6000 r--p 00000000 08:02 17 /data/file.bin
";

    fn host_view(pointer: u64, len: i64, readonly: bool) -> DataView {
        DataView {
            protocol: "__array_interface__".into(),
            pointer,
            shape: vec![len],
            strides: None,
            dtype: DType::from_typestr("|u1").unwrap(),
            readonly: Some(readonly),
            location: Location::Host,
        }
    }

    fn rules(verdicts: &[Verdict]) -> Vec<Rule> {
        verdicts.iter().map(|(rule, _)| *rule).collect()
    }

    fn run(view: &DataView, owners: &[OwnerBuffer]) -> Vec<Rule> {
        let map = MemoryMap::parse(MAPS);
        let extent = view.extent().unwrap();
        rules(&check_host_memory(view, &extent, &map, owners))
    }

    fn owner(start: u64, end: u64, readonly: bool) -> OwnerBuffer {
        OwnerBuffer {
            description: "the `bytes` in `data`".into(),
            extent: Extent { start, end },
            readonly,
        }
    }

    #[test]
    fn clean_host_view() {
        assert!(run(
            &host_view(0x1000, 16, false),
            &[owner(0x1000, 0x1010, false)]
        )
        .is_empty());
    }

    #[test]
    fn unmapped_pointer() {
        assert_eq!(
            run(&host_view(0x10, 16, true), &[]),
            vec![Rule::HostPointerUnmapped]
        );
    }

    #[test]
    fn past_the_mapping() {
        assert_eq!(
            run(&host_view(0x2ff0, 32, true), &[]),
            vec![Rule::ExtentExceedsBuffer]
        );
    }

    #[test]
    fn past_the_owner_by_one_byte() {
        let verdicts = {
            let map = MemoryMap::parse(MAPS);
            let view = host_view(0x1000, 17, true);
            check_host_memory(
                &view,
                &view.extent().unwrap(),
                &map,
                &[owner(0x1000, 0x1010, true)],
            )
        };
        assert_eq!(rules(&verdicts), vec![Rule::ExtentExceedsBuffer]);
        assert!(verdicts[0]
            .1
            .contains("runs 1 byte past the end of the `bytes`"));
    }

    #[test]
    fn owner_that_does_not_hold_the_start_is_ignored() {
        assert!(run(&host_view(0x1000, 16, true), &[owner(0x2000, 0x2004, true)]).is_empty());
    }

    #[test]
    fn readonly_owner_or_mapping_exported_writable() {
        assert_eq!(
            run(
                &host_view(0x1000, 16, false),
                &[owner(0x1000, 0x1010, true)]
            ),
            vec![Rule::ReadonlyMemoryExportedWritable]
        );
        assert_eq!(
            run(&host_view(0x5000, 16, false), &[]),
            vec![Rule::ReadonlyMemoryExportedWritable]
        );
        assert!(run(&host_view(0x5000, 16, true), &[]).is_empty());
    }

    #[test]
    fn negative_strides_below_the_owner() {
        // Four bytes with stride -1 from 0x1002: the lowest byte 0x0fff is below the owner
        // that starts at 0x1000 (and below the mapping).
        let view = DataView {
            strides: Some(vec![-1]),
            ..host_view(0x1002, 4, true)
        };
        let map = MemoryMap::parse(MAPS);
        let extent = view.extent().unwrap();
        let verdicts = check_host_memory(&view, &extent, &map, &[owner(0x1000, 0x1010, true)]);
        assert_eq!(rules(&verdicts), vec![Rule::ExtentExceedsBuffer]);
        assert!(
            verdicts[0].1.contains("below the readable memory"),
            "{verdicts:?}"
        );
        // Inside the mapping, below the owner's start.
        let view = DataView {
            strides: Some(vec![-1]),
            ..host_view(0x1102, 4, true)
        };
        let extent = view.extent().unwrap();
        let verdicts = check_host_memory(&view, &extent, &map, &[owner(0x1100, 0x1110, true)]);
        assert_eq!(rules(&verdicts), vec![Rule::ExtentExceedsBuffer]);
        assert!(
            verdicts[0].1.contains("starts 1 byte below the start"),
            "{verdicts:?}"
        );
        // The same reversed view inside the owner is clean.
        let view = DataView {
            strides: Some(vec![-1]),
            ..host_view(0x1103, 4, true)
        };
        let extent = view.extent().unwrap();
        assert!(check_host_memory(&view, &extent, &map, &[owner(0x1100, 0x1110, true)]).is_empty());
        assert!(owner_covers(&view, &extent, &[owner(0x1100, 0x1110, true)]));
        assert!(!owner_covers(
            &view,
            &extent,
            &[owner(0x1101, 0x1110, true)]
        ));
    }

    #[test]
    fn readonly_only_when_every_owner_is() {
        let view = host_view(0x1000, 16, false);
        assert!(run(
            &view,
            &[owner(0x1000, 0x1010, true), owner(0x1000, 0x1020, false)]
        )
        .is_empty());
    }

    #[test]
    fn empty_extent_is_never_checked() {
        assert!(run(&host_view(0x10, 0, false), &[]).is_empty());
    }

    #[test]
    fn agreement() {
        let a = host_view(0x1000, 16, true);
        let mut b = a.clone();
        b.protocol = "__array_struct__".into();
        assert!(check_agreement(&[a.clone(), b.clone()], &Identity::Address).is_empty());
        b.pointer += 1;
        let verdicts = check_agreement(&[a, b], &Identity::Address);
        assert_eq!(rules(&verdicts), vec![Rule::ProtocolsDisagree]);
        assert!(verdicts[0]
            .1
            .contains("__array_interface__ and __array_struct__"));
    }

    fn device_view(pointer: u64, len: i64) -> DataView {
        DataView {
            protocol: "__cuda_array_interface__".into(),
            location: Location::Cuda,
            ..host_view(pointer, len, false)
        }
    }

    #[test]
    fn device_memory_verdicts() {
        let view = device_view(0x7000_0000, 256);
        let extent = view.extent().unwrap();
        let known = |start, size, memory_type| DriverPointer::Known {
            memory_type,
            is_managed: false,
            range_start: start,
            range_size: size,
            device_ordinal: Some(0),
        };
        assert!(check_device_memory(&view, &extent, known(0x7000_0000, 256, 2)).is_empty());
        assert_eq!(
            rules(&check_device_memory(
                &view,
                &extent,
                known(0x7000_0000, 255, 2)
            )),
            vec![Rule::CaiExtentExceedsAllocation]
        );
        assert_eq!(
            rules(&check_device_memory(&view, &extent, DriverPointer::Unknown)),
            vec![Rule::CaiPointerNotDevice]
        );
        assert_eq!(
            rules(&check_device_memory(
                &view,
                &extent,
                known(0x7000_0000, 256, 1)
            )),
            vec![Rule::CaiPointerNotDevice]
        );
        let managed = DriverPointer::Known {
            memory_type: 1,
            is_managed: true,
            range_start: 0x7000_0000,
            range_size: 4096,
            device_ordinal: None,
        };
        assert!(check_device_memory(&view, &extent, managed).is_empty());
    }

    #[test]
    fn stream_handles() {
        let map = MemoryMap::parse(MAPS);
        assert_eq!(classify_stream(1, &map), StreamHandle::Special);
        assert_eq!(classify_stream(2, &map), StreamHandle::Special);
        assert!(matches!(
            classify_stream(-5, &map),
            StreamHandle::NotAStream(_)
        ));
        assert!(matches!(
            classify_stream(1 << 70, &map),
            StreamHandle::NotAStream(_)
        ));
        assert!(matches!(
            classify_stream(0xdead, &map),
            StreamHandle::NotAStream(_)
        ));
        assert_eq!(classify_stream(0x1800, &map), StreamHandle::AskDriver);
    }

    #[test]
    fn driver_stream_answers() {
        assert!(check_stream_answer(0x1800, &DriverStream::Live).is_none());
        assert!(check_stream_answer(0x1800, &DriverStream::Unknown).is_none());
        let (rule, message) = check_stream_answer(
            0x1800,
            &DriverStream::Invalid("CUDA_ERROR_INVALID_HANDLE".into()),
        )
        .unwrap();
        assert_eq!(rule, Rule::CaiStreamInvalid);
        assert!(message.contains("0x1800") && message.contains("INVALID_HANDLE"));
    }
}

/// AL107 for `__array__(copy=True)`: the result must not share memory with the object.
/// `object_memory` holds every range known to be the object's (its descriptors' extents, its
/// owning buffers, the view `__array__()` and `__array__(copy=False)` returned).
pub fn check_copy_true(result: &Extent, object_memory: &[Extent]) -> Option<Verdict> {
    object_memory
        .iter()
        .find(|known| known.overlaps(result))
        .map(|known| {
            (
                Rule::ArrayCopySemantics,
                format!(
                    "`__array__(copy=True)` returned memory shared with the object ({result} overlaps {known}): a copy was asked for"
                ),
            )
        })
}

/// AL107 for `__array__(copy=False)`: the result must be a view of the object's memory.
/// Where nothing is known of the object's memory, a second `copy=False` result stands in:
/// a view returns the same memory twice, a fresh copy does not (without one, no verdict).
pub fn check_copy_false(
    result: &Extent,
    object_memory: &[Extent],
    second_result: Option<&Extent>,
) -> Option<Verdict> {
    if result.is_empty() || object_memory.iter().any(|known| known.overlaps(result)) {
        return None;
    }
    if object_memory.is_empty() {
        match second_result {
            // Nothing to judge by: no memory known and no second result.
            None => return None,
            Some(second) if second.overlaps(result) => return None,
            Some(_) => {}
        }
    }
    Some((
        Rule::ArrayCopySemantics,
        "`__array__(copy=False)` returned a copy instead of a view; it must raise `ValueError` when it cannot avoid copying".to_string(),
    ))
}

#[cfg(test)]
mod copy_tests {
    use super::*;

    fn range(start: u64, end: u64) -> Extent {
        Extent { start, end }
    }

    #[test]
    fn copy_true() {
        assert!(check_copy_true(&range(100, 108), &[range(0, 100)]).is_none());
        assert!(check_copy_true(&range(96, 108), &[range(0, 100)]).is_some());
        assert!(check_copy_true(&range(5, 5), &[range(0, 100)]).is_none());
    }

    #[test]
    fn copy_false() {
        assert!(check_copy_false(&range(10, 20), &[range(0, 100)], None).is_none());
        assert!(check_copy_false(&range(200, 210), &[range(0, 100)], None).is_some());
        // Nothing known: a stable second result means a view.
        assert!(check_copy_false(&range(200, 210), &[], Some(&range(200, 210))).is_none());
        assert!(check_copy_false(&range(200, 210), &[], Some(&range(300, 310))).is_some());
        assert!(check_copy_false(&range(200, 200), &[], None).is_none());
        assert!(check_copy_false(&range(200, 210), &[], None).is_none());
    }
}
