//! What one protocol says about an object's data, normalised so that protocols can be
//! compared (AL907) and checked against memory (AL901-AL905).

use super::extent::{byte_extent, contiguous_strides, Extent, ExtentError};

/// The element type, as far as a protocol tells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DType {
    /// The typestr kind (`b i u f c m M O S U V`); `None` where the protocol only gives a size
    /// (the buffer protocol's format is not compared).
    pub kind: Option<char>,
    pub itemsize: i64,
}

impl DType {
    /// From a typestr like `<f8`. Only the kind and size are read: the grammar itself is the
    /// descriptor spec's business (AL207); a typestr it would reject gives `None` here.
    pub fn from_typestr(typestr: &str) -> Option<DType> {
        let mut chars = typestr.chars();
        let order = chars.next()?;
        let kind = chars.next()?;
        if !matches!(order, '<' | '>' | '|' | '=') {
            return None;
        }
        let itemsize: i64 = chars.as_str().parse().ok()?;
        (itemsize > 0).then_some(DType {
            kind: Some(kind),
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

    /// How `other` differs from this view, one phrase per difference. Strides of dimensions
    /// of length 1 and the pointer of an empty array do not matter to any consumer and are
    /// not compared; neither are pointers on different kinds of device.
    pub fn differences(&self, other: &DataView) -> Vec<String> {
        let mut differences = Vec::new();
        if self.shape != other.shape {
            differences.push(format!(
                "shape {:?} vs {:?}",
                Shape(&self.shape),
                Shape(&other.shape)
            ));
            // Pointer and strides of differently shaped views are not comparable.
        } else {
            let empty = self.element_count() == 0;
            if !empty && self.location == other.location && self.pointer != other.pointer {
                differences.push(format!(
                    "data pointer {:#x} vs {:#x}",
                    self.pointer, other.pointer
                ));
            }
            if !empty {
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
        if !self.dtype.agrees_with(&other.dtype) {
            differences.push(format!("dtype {} vs {}", self.dtype, other.dtype));
        }
        differences
    }
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
