//! What one protocol says about an object's data, normalised so that protocols can be
//! compared (AL907) and checked against memory (AL901-AL905).

use super::extent::{byte_extent, contiguous_strides, Extent, ExtentError};
use crate::descriptor::typestr;
use crate::value::{Value, ValueKind};

/// The element type, as far as a protocol tells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DType {
    /// The typestr kind (`b i u f c m M O S U V`); `None` where the protocol only gives a size
    /// (the buffer protocol's format is not compared).
    pub kind: Option<char>,
    pub itemsize: i64,
}

impl DType {
    /// From a typestr like `<f8`, through the descriptor spec's grammar; a typestr it
    /// rejects (AL207) or one without a fixed size gives `None`.
    pub fn from_typestr(text: &str) -> Option<DType> {
        let typestr = typestr::parse(text).ok()?;
        let itemsize = i64::try_from(typestr.itemsize()?).ok()?;
        (itemsize > 0).then_some(DType {
            kind: Some(typestr.kind),
            itemsize,
        })
    }

    /// From a DLPack `DLDataType` (code, bits, lanes). Sub-byte types give `None`.
    pub fn from_dlpack(code: u8, bits: u8, lanes: u16) -> Option<DType> {
        let total_bits = i64::from(bits) * i64::from(lanes);
        if total_bits == 0 || total_bits % 8 != 0 {
            return None;
        }
        let kind = match code {
            0 => Some('i'),
            1 => Some('u'),
            2 => Some('f'),
            5 => Some('c'),
            6 => Some('b'),
            // bfloat16, opaque handles, fp8...: no typestr kind to compare with.
            _ => None,
        };
        Some(DType {
            kind,
            itemsize: total_bits / 8,
        })
    }

    fn agrees_with(&self, other: &DType) -> bool {
        self.itemsize == other.itemsize
            && match (self.kind, other.kind) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            }
    }
}

impl std::fmt::Display for DType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.kind {
            Some(kind) => write!(f, "{kind}{}", self.itemsize),
            None => write!(f, "{}-byte items", self.itemsize),
        }
    }
}

/// Where the data lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    Host,
    /// CUDA device memory (CAI, or DLPack device type 2/13).
    Cuda,
    /// Something else (another DLPack device type): not compared for pointers.
    Other(i64),
}

/// One protocol's description of the data.
#[derive(Debug, Clone, PartialEq)]
pub struct DataView {
    /// `__array_interface__`, `__dlpack__`, `the buffer protocol`, ...
    pub protocol: String,
    /// The address of the element at index 0 (offset already applied).
    pub pointer: u64,
    pub shape: Vec<i64>,
    /// Strides in bytes; `None` means C-contiguous.
    pub strides: Option<Vec<i64>>,
    pub dtype: DType,
    /// `None` where the protocol does not say.
    pub readonly: Option<bool>,
    pub location: Location,
}

impl DataView {
    pub fn element_count(&self) -> i128 {
        self.shape.iter().map(|&dim| i128::from(dim)).product()
    }

    pub fn extent(&self) -> Result<Extent, ExtentError> {
        byte_extent(
            self.pointer,
            &self.shape,
            self.strides.as_deref(),
            self.dtype.itemsize,
        )
    }

    /// Strides in bytes, with `None` spelled out.
    fn effective_strides(&self) -> Option<Vec<i64>> {
        match &self.strides {
            Some(strides) => Some(strides.clone()),
            None => contiguous_strides(&self.shape, self.dtype.itemsize),
        }
    }

    /// Shape and dtype differences only: for a copy, which need not share pointer or strides.
    pub fn value_differences(&self, other: &DataView) -> Vec<String> {
        let mut differences = Vec::new();
        if self.shape != other.shape {
            differences.push(format!(
                "shape {:?} vs {:?}",
                Shape(&self.shape),
                Shape(&other.shape)
            ));
        }
        if !self.dtype.agrees_with(&other.dtype) {
            differences.push(format!("dtype {} vs {}", self.dtype, other.dtype));
        }
        differences
    }

    /// How `other` differs from this view, one phrase per difference. Strides of dimensions
    /// of length 1 and the pointer of an empty array do not matter to any consumer and are
    /// not compared; neither are pointers on different kinds of device.
    pub fn differences(&self, other: &DataView) -> Vec<String> {
        self.differences_by(other, &Identity::Address)
    }

    /// As `differences`, with the data itself compared as `identity` says: by address, or
    /// by content for an object that hands out a fresh copy at every access.
    pub fn differences_by(&self, other: &DataView, identity: &Identity<'_>) -> Vec<String> {
        let mut differences = Vec::new();
        let raw_bytes = self.is_raw_bytes_of(other) || other.is_raw_bytes_of(self);
        if self.shape != other.shape && !raw_bytes {
            differences.push(format!(
                "shape {:?} vs {:?}",
                Shape(&self.shape),
                Shape(&other.shape)
            ));
            // Pointer and strides of differently shaped views are not comparable.
        } else {
            let empty = self.element_count() == 0;
            if !empty && self.location == other.location && self.pointer != other.pointer {
                match identity {
                    Identity::Address => differences.push(format!(
                        "data pointer {:#x} vs {:#x}",
                        self.pointer, other.pointer
                    )),
                    Identity::Content(same_bytes) => {
                        if !same_bytes(self, other) {
                            differences.push(format!(
                                "the bytes at {:#x} and {:#x} differ (the object hands out a fresh copy at every access, so the data is compared, not the address)",
                                self.pointer, other.pointer
                            ));
                        }
                    }
                }
            }
            if !empty && !raw_bytes {
                if let (Some(mine), Some(theirs)) =
                    (self.effective_strides(), other.effective_strides())
                {
                    let differ = self
                        .shape
                        .iter()
                        .zip(mine.iter().zip(&theirs))
                        .any(|(&dim, (a, b))| dim > 1 && a != b);
                    if differ {
                        differences.push(format!(
                            "strides {:?} vs {:?} bytes",
                            Shape(&mine),
                            Shape(&theirs)
                        ));
                    }
                }
            }
        }
        if !raw_bytes && !self.dtype.agrees_with(&other.dtype) {
            differences.push(format!("dtype {} vs {}", self.dtype, other.dtype));
        }
        differences
    }

    /// Whether the elements are laid out C-contiguously (what `strides: None` says).
    fn is_contiguous(&self) -> bool {
        match (
            &self.strides,
            contiguous_strides(&self.shape, self.dtype.itemsize),
        ) {
            (None, _) => true,
            (Some(strides), Some(contiguous)) => self
                .shape
                .iter()
                .zip(strides.iter().zip(&contiguous))
                .all(|(&dim, (a, b))| dim <= 1 || a == b),
            (Some(_), None) => false,
        }
    }

    /// Whether this view is a buffer export of `other`'s bytes as raw bytes (untyped, 1-D,
    /// contiguous, the same number of bytes): how NumPy's scalars export the types PEP
    /// 3118 cannot spell (`datetime64`, `bytes_`). Both then describe the same data.
    fn is_raw_bytes_of(&self, other: &DataView) -> bool {
        let [length] = self.shape[..] else {
            return false;
        };
        self.dtype.kind.is_none()
            && self.dtype.itemsize == 1
            && self.is_contiguous()
            && other.is_contiguous()
            && other.element_count() * i128::from(other.dtype.itemsize) == i128::from(length)
    }
}

/// How `DataView::differences_by` compares the data of two views of the same shape.
pub enum Identity<'a> {
    /// The data pointers must be equal.
    Address,
    /// The bytes must be equal (`true` from the function).
    Content(&'a dyn Fn(&DataView, &DataView) -> bool),
}

/// What an `__array_interface__` / `__cuda_array_interface__` dict says, read leniently: a
/// field that is malformed makes the whole read `None`, because judging malformed fields is
/// the descriptor spec's job (AL2xx), not the memory checks'.
#[derive(Debug, Clone, PartialEq)]
pub struct InterfaceFields {
    pub shape: Vec<i64>,
    /// In bytes; `None` for C-contiguous.
    pub strides: Option<Vec<i64>>,
    pub dtype: DType,
    pub data: DataField,
    /// AI `offset` (0 when absent); only meaningful with buffer-object data.
    pub offset: i64,
    /// CAI `stream` when it is an int.
    pub stream: Option<i128>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataField {
    /// `(pointer, readonly)`.
    Pointer { address: u64, readonly: bool },
    /// An object exporting the buffer protocol (AI only).
    BufferObject,
    /// `None` or missing: the object's own buffer (AI only).
    OwnBuffer,
}

pub fn interface_fields(value: &Value) -> Option<InterfaceFields> {
    let dict = value.as_dict()?;
    let int_tuple = |value: &Value| -> Option<Vec<i64>> {
        match &value.kind {
            ValueKind::Tuple(items) => items
                .iter()
                .map(|item| item.as_int().and_then(|i| i64::try_from(i).ok()))
                .collect(),
            _ => None,
        }
    };
    let shape = int_tuple(&dict.get("shape")?.value)?;
    let dtype = DType::from_typestr(dict.get("typestr")?.value.as_str()?)?;
    let strides = match dict.get("strides").map(|entry| &entry.value) {
        None => None,
        Some(value) if matches!(value.kind, ValueKind::None) => None,
        Some(value) => Some(int_tuple(value)?),
    };
    let data = match dict.get("data").map(|entry| &entry.value) {
        None => DataField::OwnBuffer,
        Some(value) => match &value.kind {
            ValueKind::None => DataField::OwnBuffer,
            ValueKind::Tuple(items) => match items.as_slice() {
                [pointer, readonly] => DataField::Pointer {
                    address: u64::try_from(pointer.as_int()?).ok()?,
                    readonly: match readonly.kind {
                        ValueKind::Bool(flag) => flag,
                        _ => return None,
                    },
                },
                _ => return None,
            },
            ValueKind::Bytes(_) | ValueKind::Object(_) => DataField::BufferObject,
            _ => return None,
        },
    };
    let offset = match dict.get("offset").map(|entry| &entry.value) {
        None => 0,
        Some(value) => i64::try_from(value.as_int()?).ok()?,
    };
    let stream = dict.get("stream").and_then(|entry| match entry.value.kind {
        ValueKind::Int(stream) => Some(stream),
        _ => None,
    });
    Some(InterfaceFields {
        shape,
        strides,
        dtype,
        data,
        offset,
        stream,
    })
}

/// Python tuple spelling for messages: `(3,)`, `(2, 4)`.
struct Shape<'a>(&'a [i64]);

impl std::fmt::Debug for Shape<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            [one] => write!(f, "({one},)"),
            dims => {
                let parts: Vec<String> = dims.iter().map(i64::to_string).collect();
                write!(f, "({})", parts.join(", "))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(pointer: u64, shape: &[i64], strides: Option<&[i64]>, typestr: &str) -> DataView {
        DataView {
            protocol: "test".into(),
            pointer,
            shape: shape.to_vec(),
            strides: strides.map(<[i64]>::to_vec),
            dtype: DType::from_typestr(typestr).unwrap(),
            readonly: None,
            location: Location::Host,
        }
    }

    fn live(kind: ValueKind) -> Value {
        Value::live(kind)
    }

    fn interface(entries: Vec<(&str, ValueKind)>) -> Value {
        live(ValueKind::Dict(crate::value::Dict {
            entries: entries
                .into_iter()
                .map(|(key, kind)| crate::value::DictEntry {
                    key: key.to_string(),
                    key_range: Default::default(),
                    value: live(kind),
                    presence: crate::value::Presence::Always,
                })
                .collect(),
            complete: true,
        }))
    }

    fn ints(values: &[i128]) -> ValueKind {
        ValueKind::Tuple(values.iter().map(|&v| live(ValueKind::Int(v))).collect())
    }

    #[test]
    fn reads_interface_fields() {
        let value = interface(vec![
            ("shape", ints(&[2, 3])),
            ("typestr", ValueKind::Str("<i4".into())),
            (
                "data",
                ValueKind::Tuple(vec![
                    live(ValueKind::Int(4096)),
                    live(ValueKind::Bool(true)),
                ]),
            ),
            ("strides", ValueKind::None),
            ("version", ValueKind::Int(3)),
        ]);
        let fields = interface_fields(&value).unwrap();
        assert_eq!(fields.shape, vec![2, 3]);
        assert_eq!(fields.strides, None);
        assert_eq!(
            fields.data,
            DataField::Pointer {
                address: 4096,
                readonly: true
            }
        );
        let buffer_data = interface(vec![
            ("shape", ints(&[4])),
            ("typestr", ValueKind::Str("|u1".into())),
            ("data", ValueKind::Bytes(4)),
            ("offset", ValueKind::Int(2)),
        ]);
        let fields = interface_fields(&buffer_data).unwrap();
        assert_eq!(fields.data, DataField::BufferObject);
        assert_eq!(fields.offset, 2);
    }

    #[test]
    fn malformed_interface_reads_as_none() {
        let list_shape = interface(vec![
            ("shape", ValueKind::List(vec![live(ValueKind::Int(2))])),
            ("typestr", ValueKind::Str("<i4".into())),
        ]);
        assert_eq!(interface_fields(&list_shape), None);
        let negative_pointer = interface(vec![
            ("shape", ints(&[2])),
            ("typestr", ValueKind::Str("<i4".into())),
            (
                "data",
                ValueKind::Tuple(vec![live(ValueKind::Int(-1)), live(ValueKind::Bool(false))]),
            ),
        ]);
        assert_eq!(interface_fields(&negative_pointer), None);
        assert_eq!(interface_fields(&live(ValueKind::List(vec![]))), None);
    }

    #[test]
    fn typestr_and_dlpack_dtypes() {
        assert_eq!(
            DType::from_typestr("<f8"),
            Some(DType {
                kind: Some('f'),
                itemsize: 8
            })
        );
        assert_eq!(DType::from_typestr("float32"), None);
        assert_eq!(DType::from_typestr("<U2").unwrap().itemsize, 8);
        assert_eq!(DType::from_typestr("<M8[ns]").unwrap().itemsize, 8);
        assert_eq!(DType::from_typestr("<f3"), None);
        assert_eq!(DType::from_typestr("<f0"), None);
        assert_eq!(DType::from_dlpack(2, 64, 1), DType::from_typestr("<f8"));
        assert_eq!(DType::from_dlpack(1, 1, 1), None);
        assert_eq!(DType::from_dlpack(4, 16, 1).unwrap().kind, None);
    }

    #[test]
    fn same_data_in_different_spellings_agrees() {
        let implicit = view(100, &[2, 3], None, "<i4");
        let explicit = view(100, &[2, 3], Some(&[12, 4]), "<i4");
        assert!(implicit.differences(&explicit).is_empty());
        // Stride of a length-1 dimension is irrelevant.
        let a = view(100, &[1, 3], Some(&[999, 4]), "<i4");
        let b = view(100, &[1, 3], None, "<i4");
        assert!(a.differences(&b).is_empty());
        // Pointers of empty arrays are irrelevant.
        assert!(view(1, &[0], None, "<i4")
            .differences(&view(2, &[0], None, "<i4"))
            .is_empty());
    }

    #[test]
    fn reports_each_difference() {
        let base = view(100, &[4], None, "<f8");
        assert_eq!(
            base.differences(&view(108, &[4], None, "<f8")),
            vec!["data pointer 0x64 vs 0x6c"]
        );
        assert_eq!(
            base.differences(&view(100, &[5], None, "<f8")),
            vec!["shape (4,) vs (5,)"]
        );
        assert_eq!(
            base.differences(&view(100, &[4], Some(&[16]), "<f8")),
            vec!["strides (8,) vs (16,) bytes"]
        );
        assert_eq!(
            base.differences(&view(100, &[4], None, "<i8")),
            vec!["dtype f8 vs i8"]
        );
    }

    #[test]
    fn fresh_copies_are_compared_by_content() {
        let first = view(100, &[2], None, "<f8");
        let second = view(200, &[2], None, "<f8");
        let same = |_: &DataView, _: &DataView| true;
        let differ = |_: &DataView, _: &DataView| false;
        assert!(first
            .differences_by(&second, &Identity::Content(&same))
            .is_empty());
        let found = first.differences_by(&second, &Identity::Content(&differ));
        assert_eq!(found.len(), 1);
        assert!(
            found[0].contains("bytes at 0x64 and 0xc8 differ"),
            "{found:?}"
        );
        // Shape and dtype are still compared.
        assert_eq!(
            first
                .differences_by(&view(200, &[3], None, "<f8"), &Identity::Content(&same))
                .len(),
            1
        );
    }

    #[test]
    fn raw_byte_export_of_a_scalar_agrees() {
        // np.datetime64: `__array_interface__` says shape () `<M8[D]`, the buffer 8 bytes.
        let scalar = view(100, &[], None, "<M8[D]");
        let raw = DataView {
            dtype: DType {
                kind: None,
                itemsize: 1,
            },
            ..view(100, &[8], None, "|u1")
        };
        assert!(scalar.differences(&raw).is_empty());
        assert!(raw.differences(&scalar).is_empty());
        // Not the same number of bytes, or a typed byte view: still different.
        let short = DataView {
            shape: vec![4],
            ..raw.clone()
        };
        assert!(!scalar.differences(&short).is_empty());
        assert!(!scalar.differences(&view(100, &[8], None, "|u1")).is_empty());
    }

    #[test]
    fn buffer_protocol_size_only_dtype() {
        let typed = view(100, &[4], None, "<f8");
        let mut sized = typed.clone();
        sized.dtype = DType {
            kind: None,
            itemsize: 8,
        };
        assert!(typed.differences(&sized).is_empty());
    }
}
