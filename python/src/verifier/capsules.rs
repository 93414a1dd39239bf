//! Decoding the capsules of `__array_struct__` (`PyArrayInterface`) and `__dlpack__`
//! (`DLManagedTensor`, `DLManagedTensorVersioned`) without dereferencing their pointers:
//! every read goes through the mappings and the kernel.

use arraylint::descriptor::array_struct::{self, ArrayStructFields};
use arraylint::descriptor::Protocol;
use arraylint::registry::Rule;
use arraylint::verify::memory::{field_i32, field_u32, field_u64};
use arraylint::verify::view::{DType, DataView, Location};
use pyo3::types::PyCapsuleMethods;

use super::{Gathered, Verifier};

/// `PyArrayInterface` on a 64-bit platform: two, nd, typekind, itemsize, flags, shape,
/// strides, data, descr.
const ARRAY_STRUCT_SIZE: usize = 56;
/// `DLTensor`: data, device (type, id), ndim, dtype (code, bits, lanes), shape, strides,
/// byte_offset.
const DLTENSOR_SIZE: usize = 48;
/// `DLManagedTensorVersioned`: version, manager_ctx, deleter, flags, then the `DLTensor`.
const DLTENSOR_VERSIONED_HEADER: usize = 32;
const DLPACK_FLAG_READ_ONLY: u64 = 1;
/// `PyArrayInterface` flag: the data may be written.
const NPY_ARRAY_WRITEABLE: i32 = 0x0400;

impl<'py> Verifier<'py> {
    pub(super) fn decode_array_struct(&mut self) {
        let Some(capsule) = self.struct_capsule.take() else {
            return;
        };
        let protocol = "__array_struct__";
        let pointer = capsule.pointer() as u64;
        if pointer == 0 {
            self.report(
                Rule::ArrayStructInvalid,
                "the capsule holds a NULL pointer",
                protocol,
                "",
            );
            return;
        }
        // `two` first: only a struct that starts with 2 is read any further.
        let Some(two) = self
            .read_memory(pointer, 4)
            .and_then(|bytes| field_i32(&bytes, 0))
        else {
            let message = format!("the capsule's pointer {pointer:#x} is not readable memory");
            self.report(Rule::ArrayStructInvalid, message, protocol, "");
            return;
        };
        let not_two = ArrayStructFields {
            two,
            nd: 0,
            typekind: b'u',
            itemsize: 1,
        };
        if two != 2 {
            // The spec's own verdict on a struct without its sanity marker.
            let findings = array_struct::check_fields(&not_two);
            self.report_spec_findings(findings, Protocol::ArrayStruct);
            return;
        }
        let Some(bytes) = self.read_memory(pointer, ARRAY_STRUCT_SIZE) else {
            let message =
                format!("the `PyArrayInterface` at {pointer:#x} runs into unreadable memory");
            self.report(Rule::ArrayStructInvalid, message, protocol, "");
            return;
        };
        let fields = ArrayStructFields {
            two,
            nd: field_i32(&bytes, 4).unwrap_or(-1),
            typekind: bytes.get(8).copied().unwrap_or(0),
            itemsize: field_i32(&bytes, 12).unwrap_or(-1),
        };
        let findings = array_struct::check_fields(&fields);
        if !findings.is_empty() {
            self.report_spec_findings(findings, Protocol::ArrayStruct);
            return;
        }
        let flags = field_i32(&bytes, 16).unwrap_or(0);
        let shape_pointer = field_u64(&bytes, 24).unwrap_or(0);
        let strides_pointer = field_u64(&bytes, 32).unwrap_or(0);
        let data = field_u64(&bytes, 40).unwrap_or(0);
        let typekind = Some(char::from(fields.typekind));
        let itemsize = fields.itemsize;
        // check_fields accepted nd as 0..=64.
        let nd = usize::try_from(fields.nd).unwrap_or(0);
        if itemsize == 0 {
            // A zero item size (void `V0`) leaves nothing to compare or check.
            return;
        }
        let Some(shape) = self.read_i64s(shape_pointer, nd) else {
            let message = format!("`shape` pointer {shape_pointer:#x} is not readable memory");
            self.report(Rule::ArrayStructInvalid, message, protocol, "shape");
            return;
        };
        let strides = if strides_pointer == 0 {
            None
        } else {
            let Some(strides) = self.read_i64s(strides_pointer, nd) else {
                let message =
                    format!("`strides` pointer {strides_pointer:#x} is not readable memory");
                self.report(Rule::ArrayStructInvalid, message, protocol, "strides");
                return;
            };
            Some(strides)
        };
        self.views.push(Gathered {
            view: DataView {
                protocol: protocol.to_string(),
                pointer: data,
                shape,
                strides,
                dtype: DType {
                    kind: typekind,
                    itemsize: i64::from(itemsize),
                },
                readonly: Some(flags & NPY_ARRAY_WRITEABLE == 0),
                location: Location::Host,
            },
            owner: None,
            path: "data".to_string(),
            stream: None,
        });
    }

    pub(super) fn decode_dlpack(&mut self) {
        for (capsule, call) in std::mem::take(&mut self.dlpack_capsules) {
            let versioned = capsule
                .name()
                .ok()
                .flatten()
                .is_some_and(|name| name.to_bytes() == b"dltensor_versioned");
            let pointer = capsule.pointer() as u64;
            let (tensor_at, readonly) = if versioned {
                let Some(header) = self.read_memory(pointer, DLTENSOR_VERSIONED_HEADER) else {
                    self.dlpack_unreadable(call, pointer);
                    continue;
                };
                let major = field_u32(&header, 0).unwrap_or(u32::MAX);
                if major != 1 {
                    let message = if major > 1 {
                        format!("`{call}` returned DLPack version {major}.x, newer than the 1.0 asked for")
                    } else {
                        format!("`{call}` returned a versioned capsule with version {major}.x; versioned capsules start at 1.0")
                    };
                    self.report(Rule::DlpackCapsuleInvalid, message, "__dlpack__", "");
                    continue;
                }
                let flags = field_u64(&header, 24).unwrap_or(0);
                (
                    pointer + DLTENSOR_VERSIONED_HEADER as u64,
                    Some(flags & DLPACK_FLAG_READ_ONLY != 0),
                )
            } else {
                (pointer, None)
            };
            let Some(tensor) = self.read_memory(tensor_at, DLTENSOR_SIZE) else {
                self.dlpack_unreadable(call, tensor_at);
                continue;
            };
            let data = field_u64(&tensor, 0).unwrap_or(0);
            let device = (
                i64::from(field_i32(&tensor, 8).unwrap_or(-1)),
                i64::from(field_i32(&tensor, 12).unwrap_or(-1)),
            );
            let ndim = field_i32(&tensor, 16).unwrap_or(-1);
            let (code, bits) = (tensor[20], tensor[21]);
            let lanes = u16::from_ne_bytes([tensor[22], tensor[23]]);
            let shape_pointer = field_u64(&tensor, 24).unwrap_or(0);
            let strides_pointer = field_u64(&tensor, 32).unwrap_or(0);
            let byte_offset = field_u64(&tensor, 40).unwrap_or(0);

            if let Some(expected) = self.dlpack_device {
                if expected != device {
                    let message = format!(
                        "the capsule from `{call}` is on device {device:?}, but `__dlpack_device__()` says {expected:?}"
                    );
                    self.report(Rule::DlpackCapsuleInvalid, message, "__dlpack__", "");
                }
            }
            let Some(ndim) = usize::try_from(ndim).ok().filter(|&ndim| ndim <= 64) else {
                let message = format!("the capsule from `{call}` has ndim {ndim}");
                self.report(Rule::DlpackCapsuleInvalid, message, "__dlpack__", "");
                continue;
            };
            let Some(dtype) = DType::from_dlpack(code, bits, lanes) else {
                continue;
            };
            let Some(shape) = self.read_i64s(shape_pointer, ndim) else {
                let message = format!(
                    "the capsule from `{call}` has an unreadable shape pointer {shape_pointer:#x}"
                );
                self.report(Rule::DlpackCapsuleInvalid, message, "__dlpack__", "");
                continue;
            };
            let strides = if strides_pointer == 0 {
                None
            } else {
                let Some(strides) = self.read_i64s(strides_pointer, ndim) else {
                    let message = format!("the capsule from `{call}` has an unreadable strides pointer {strides_pointer:#x}");
                    self.report(Rule::DlpackCapsuleInvalid, message, "__dlpack__", "");
                    continue;
                };
                // DLPack strides count elements.
                match strides
                    .iter()
                    .map(|&stride| stride.checked_mul(dtype.itemsize))
                    .collect::<Option<Vec<i64>>>()
                {
                    Some(strides) => Some(strides),
                    None => continue,
                }
            };
            let location = match device.0 {
                1 | 3 => Location::Host,
                2 | 13 => Location::Cuda,
                other => Location::Other(other),
            };
            let Some(pointer) = data.checked_add(byte_offset) else {
                continue;
            };
            self.views.push(Gathered {
                view: DataView {
                    protocol: format!("`{call}`"),
                    pointer,
                    shape,
                    strides,
                    dtype,
                    readonly,
                    location,
                },
                owner: None,
                path: String::new(),
                stream: None,
            });
        }
    }

    fn dlpack_unreadable(&mut self, call: &str, pointer: u64) {
        let message =
            format!("the capsule from `{call}` points to unreadable memory at {pointer:#x}");
        self.report(Rule::DlpackCapsuleInvalid, message, "__dlpack__", "");
    }
}
