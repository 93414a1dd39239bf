//! Judging: the gathered views and owners handed to `arraylint::verify::checks`.

use arraylint::registry::Rule;
use arraylint::verify::checks::{self, StreamHandle};
use arraylint::verify::extent::{Extent, ExtentError};
use arraylint::verify::memory::read_own_memory;
use arraylint::verify::py_buffer::Request;
use arraylint::verify::view::{interface_fields, DataField, DataView, Identity, Location};
use pyo3::intern;
use pyo3::prelude::*;

use super::owners::{Searched, OWN_BUFFER};
use super::py_buffer::{BUFFER_PROTOCOL, BUFFER_VIEW};
use super::{interface_view, to_value, Verifier};
use crate::cuda;

/// The most bytes compared when a fresh copy is compared by content.
const MAX_COMPARED_BYTES: u64 = 1 << 20;

impl<'py> Verifier<'py> {
    pub(super) fn judge(&mut self) {
        if self.maps.is_some() {
            self.decode_array_struct();
            self.decode_dlpack();
        }
        // The most authoritative protocol first: it is the one memory is checked on and
        // the others are compared with.
        self.views
            .sort_by_key(|gathered| protocol_rank(&gathered.view.protocol));
        let array_views = self.array_views();

        self.judge_host_memory();
        self.judge_writable_grant();
        self.judge_device();

        // AL107 against everything known to be the object's memory.
        let mut object_memory: Vec<Extent> = self
            .views
            .iter()
            .filter(|g| g.view.location == Location::Host)
            .filter_map(|g| g.view.extent().ok())
            .chain(self.owners.iter().map(|owner| owner.extent))
            .chain(
                self.views
                    .iter()
                    .filter_map(|g| g.owner.as_ref().map(|owner| owner.extent)),
            )
            .filter(|extent| !extent.is_empty())
            .collect();
        let known_before_array = object_memory.clone();
        let copy_false = array_views
            .copy_false
            .as_ref()
            .and_then(|view| view.extent().ok());
        if let Some(result) = &copy_false {
            let second = array_views
                .copy_false_again
                .as_ref()
                .and_then(|view| view.extent().ok());
            if let Some((rule, message)) =
                checks::check_copy_false(result, &known_before_array, second.as_ref())
            {
                self.report(rule, message, "__array__", "");
            } else if !result.is_empty() {
                object_memory.push(*result);
            }
        }
        if let Some(view) = &array_views.plain {
            if let Ok(extent) = view.extent() {
                if known_before_array
                    .iter()
                    .any(|known| known.overlaps(&extent))
                {
                    object_memory.push(extent);
                }
            }
        }
        if let Some(view) = &array_views.copy_true {
            if let Ok(extent) = view.extent() {
                if let Some((rule, message)) = checks::check_copy_true(&extent, &object_memory) {
                    self.report(rule, message, "__array__", "");
                }
            }
        }

        // AL907: every protocol against the first; `__array__()` by value only (it may copy),
        // `__array__(copy=False)` in full when it is a view.
        let mut views: Vec<DataView> = self.views.iter().map(|g| g.view.clone()).collect();
        if let Some(view) = array_views.copy_false {
            if copy_false
                .is_some_and(|extent| object_memory.iter().any(|known| known.overlaps(&extent)))
            {
                views.push(view);
            }
        }
        let fresh_copies = self.hands_out_fresh_copies(&views);
        let mut verdicts = if fresh_copies {
            // Every extent is looked up first, so that one map answers every comparison.
            for view in &views {
                if let Ok(extent) = view.extent() {
                    self.map_covering(&extent, false);
                }
            }
            match self.maps.as_mut() {
                Some(maps) => {
                    let map = maps.current();
                    let same_bytes = |a: &DataView, b: &DataView| same_bytes(a, b, map);
                    checks::check_agreement(&views, &Identity::Content(&same_bytes))
                }
                None => Vec::new(),
            }
        } else {
            checks::check_agreement(&views, &Identity::Address)
        };
        if let (Some(first), Some(plain)) = (views.first(), &array_views.plain) {
            let differences = first.value_differences(plain);
            if !differences.is_empty() {
                verdicts.push((
                    Rule::ProtocolsDisagree,
                    format!(
                        "{} and {} describe different data: {}",
                        first.protocol,
                        plain.protocol,
                        differences.join(", ")
                    ),
                ));
            }
        }
        let protocol = views
            .first()
            .map(|view| view.protocol.clone())
            .unwrap_or_default();
        self.report_verdicts(verdicts, &protocol, "");
    }

    /// AL901/AL902/AL903 on the first host view (the most authoritative protocol).
    fn judge_host_memory(&mut self) {
        let Some(index) = self
            .views
            .iter()
            .position(|g| g.view.location == Location::Host)
        else {
            return;
        };
        let gathered = &self.views[index];
        let view = gathered.view.clone();
        let (protocol, path) = (view.protocol.clone(), gathered.path.clone());
        let own_owner = gathered.owner.clone();
        let extent = match view.extent() {
            Ok(extent) => extent,
            Err(ExtentError::Overflow) => {
                let message = format!("{protocol}'s byte extent does not fit in the address space");
                self.report(Rule::ExtentExceedsBuffer, message, &protocol, &path);
                return;
            }
            // Negative dimensions and the like are the descriptor spec's findings.
            Err(_) => return,
        };
        if extent.is_empty() || self.null_data_reported(&view) {
            return;
        }
        let mut owners = self.owners.clone();
        owners.extend(own_owner);
        let need_write = view.readonly == Some(false);
        // Memory that is not mapped has no owner to look for (that is AL901).
        let first_mapped = self
            .map_covering(&extent, need_write)
            .and_then(|map| map.find(view.pointer))
            .is_some_and(|mapping| mapping.readable);
        // Pointers that arrive as integers (or in capsules) have no owner attached: look
        // for one further when the cheap places have none that covers the data.
        let mut unowned = None;
        if first_mapped && !checks::owner_covers(&view, &extent, &owners) {
            let searched = self.search_owners(view.pointer, extent, &protocol);
            owners = self.owners.clone();
            owners.extend(self.views[index].owner.clone());
            let holds = owners
                .iter()
                .any(|owner| owner.extent.contains_addr(view.pointer));
            if searched == Searched::Bounded {
                // A smaller buffer over the same memory (a slice held beside the whole) may
                // have been found before the real owner: judge by the mappings only.
                owners.clear();
                unowned = Some(searched);
            } else if !holds {
                unowned = Some(searched);
            }
        }
        let Some(map) = self.map_covering(&extent, need_write) else {
            return;
        };
        let verdicts = checks::check_host_memory(&view, &extent, map, &owners);
        let clean = verdicts.is_empty();
        self.report_verdicts(verdicts, &protocol, &path);
        // Say that the owner check could not be made, unless something else was found.
        if let (true, Some(searched)) = (clean, unowned) {
            let message = match searched {
                Searched::Bounded => format!(
                    "the search for the buffer that owns the memory at {:#x} stopped at its bounds (4,096 objects, 5 ms) without one that holds all of it: its extent was checked against the process's mappings only",
                    view.pointer
                ),
                _ => format!(
                    "no buffer that owns the memory at {:#x} was found (looked at the object's own buffer, its `base` chain, attributes, `__slots__`, containers, the getter's closure and module globals, and what it refers to): its extent was checked against the process's mappings only",
                    view.pointer
                ),
            };
            self.report_info(Rule::ExtentExceedsBuffer, message, &protocol);
        }
    }

    /// AL903 on a writable buffer granted by an object whose full export says read-only:
    /// a fresh copy (lxml's XSLT result) is fine, the read-only memory itself is not.
    fn judge_writable_grant(&mut self) {
        let Some(view) = self.writable_grant.take() else {
            return;
        };
        let Ok(extent) = view.extent() else {
            return;
        };
        if extent.is_empty() || view.pointer == 0 {
            return;
        }
        // The object's own export said read-only: that is what is being checked, not proof.
        // Set aside, so that the search can find the buffer that really holds the data.
        let (own, others): (Vec<_>, Vec<_>) = std::mem::take(&mut self.owners)
            .into_iter()
            .partition(|owner| owner.description == OWN_BUFFER);
        self.owners = others;
        if !checks::owner_covers(&view, &extent, &self.owners) {
            self.search_owners(view.pointer, extent, BUFFER_PROTOCOL);
        }
        let owners = self.owners.clone();
        self.owners.extend(own);
        let Some(map) = self.map_covering(&extent, true) else {
            return;
        };
        let verdicts = checks::check_host_memory(&view, &extent, map, &owners)
            .into_iter()
            .filter(|(rule, _)| *rule == Rule::ReadonlyMemoryExportedWritable)
            .collect();
        self.report_verdicts(verdicts, BUFFER_PROTOCOL, Request::Writable.path());
    }

    /// One root cause: a NULL pointer with elements is the descriptor spec's AL212 (a NULL
    /// `buf` AL710), not also a pointer to unmapped memory.
    fn null_data_reported(&self, view: &DataView) -> bool {
        let (rule, protocol) = if view.protocol == BUFFER_VIEW {
            (Rule::GetbufferNullBuf, BUFFER_PROTOCOL)
        } else {
            (Rule::InterfaceNullData, view.protocol.as_str())
        };
        view.pointer == 0
            && self
                .findings
                .iter()
                .any(|finding| finding.code == rule.code() && finding.protocol == protocol)
    }

    /// Whether the object hands out a fresh copy of its data at every access (NumPy's
    /// scalars do): reading the first protocol again gives another pointer. Asked only
    /// when the protocols' pointers differ.
    fn hands_out_fresh_copies(&mut self, views: &[DataView]) -> bool {
        let Some((first, rest)) = views.split_first() else {
            return false;
        };
        let pointers_differ = rest
            .iter()
            .any(|other| other.location == first.location && other.pointer != first.pointer);
        if !pointers_differ || first.protocol != "__array_interface__" {
            return false;
        }
        let Ok(again) = self.obj.getattr(intern!(self.py, "__array_interface__")) else {
            return false;
        };
        self.keep_alive.push(again.clone());
        match interface_fields(&to_value(&again)) {
            Some(fields) => match fields.data {
                DataField::Pointer { address, .. } => address != first.pointer,
                _ => false,
            },
            None => false,
        }
    }

    fn judge_device(&mut self) {
        let Some(index) = self
            .views
            .iter()
            .position(|g| g.view.location == Location::Cuda)
        else {
            return;
        };
        if let Err(reason) = cuda::driver_ready() {
            let message = format!("device checks skipped: {reason}");
            let protocol = self.views[index].view.protocol.clone();
            self.report_info(Rule::DeviceChecksSkipped, message, &protocol);
            return;
        }
        let gathered = &self.views[index];
        let (protocol, path, stream) = (
            gathered.view.protocol.clone(),
            gathered.path.clone(),
            gathered.stream,
        );
        let Ok(extent) = gathered.view.extent() else {
            return;
        };
        let view = gathered.view.clone();
        if !extent.is_empty() && !self.null_data_reported(&view) {
            match cuda::pointer_info(view.pointer) {
                Ok(answer) => {
                    let verdicts = checks::check_device_memory(&view, &extent, answer);
                    self.report_verdicts(verdicts, &protocol, &path);
                }
                Err(reason) => {
                    let message = format!("device checks skipped: {reason}");
                    self.report_info(Rule::DeviceChecksSkipped, message, &protocol);
                }
            }
        }
        // 0 and non-int streams are the spec's (AL301, AL302).
        let stream = stream.filter(|&stream| stream != 0);
        let map = match (
            stream.and_then(|stream| u64::try_from(stream).ok()),
            self.maps.as_mut(),
        ) {
            (Some(address), Some(maps)) => Some(maps.containing(address)),
            (None, Some(maps)) => Some(maps.current()),
            (_, None) => None,
        };
        if let (Some(stream), Some(map)) = (stream, map) {
            match checks::classify_stream(stream, map) {
                StreamHandle::NotAStream(message) => {
                    self.report(Rule::CaiStreamInvalid, message, &protocol, "stream");
                }
                // Mapped memory: the driver can look the handle up without risk.
                StreamHandle::AskDriver => {
                    if let Ok(handle) = u64::try_from(stream) {
                        let answer = cuda::stream_state(handle);
                        if let Some((rule, message)) = checks::check_stream_answer(handle, &answer)
                        {
                            self.report(rule, message, &protocol, "stream");
                        }
                    }
                }
                StreamHandle::Special => {}
            }
        }
    }

    /// The `__array__` results as views, through their own `__array_interface__`.
    fn array_views(&self) -> ArrayViews {
        let view_of = |result: &Option<Bound<'py, PyAny>>, call: &str| -> Option<DataView> {
            interface_view(self.py, result.as_ref()?, format!("`{call}`"))
        };
        ArrayViews {
            plain: view_of(&self.array_results.plain, "__array__()"),
            copy_true: view_of(&self.array_results.copy_true, "__array__(copy=True)"),
            copy_false: view_of(&self.array_results.copy_false, "__array__(copy=False)"),
            copy_false_again: view_of(
                &self.array_results.copy_false_again,
                "__array__(copy=False)",
            ),
        }
    }
}

/// The richest description of host memory first (it carries `readonly` and the pointer as
/// given), then the struct and the buffer protocol; for device data the CUDA interface
/// (it carries the stream) before DLPack.
fn protocol_rank(protocol: &str) -> u8 {
    match protocol {
        "__array_interface__" => 0,
        "__array_struct__" => 1,
        BUFFER_VIEW => 2,
        "__cuda_array_interface__" => 3,
        _ => 4,
    }
}

struct ArrayViews {
    plain: Option<DataView>,
    copy_true: Option<DataView>,
    copy_false: Option<DataView>,
    copy_false_again: Option<DataView>,
}

/// Whether two views of the same shape hold the same bytes (the first `MAX_COMPARED_BYTES`
/// of each extent), read through the kernel.
fn same_bytes(a: &DataView, b: &DataView, map: &arraylint::verify::maps::MemoryMap) -> bool {
    let (Ok(first), Ok(second)) = (a.extent(), b.extent()) else {
        return false;
    };
    let len = first.len().min(second.len()).min(MAX_COMPARED_BYTES);
    let Ok(len) = usize::try_from(len) else {
        return false;
    };
    if first.len() != second.len() {
        return false;
    }
    match (
        read_own_memory(first.start, len, map),
        read_own_memory(second.start, len, map),
    ) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}
