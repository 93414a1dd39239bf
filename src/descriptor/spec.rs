//! The key tables of the two descriptor dicts, as data.
//!
//! Sources: NumPy's "The array interface protocol" (version 3) and the CUDA Array
//! Interface (version 3) page of Numba.

use super::Protocol;

/// What one descriptor dict's spec says about its keys.
#[derive(Debug)]
pub struct DictSpec {
    pub protocol: Protocol,
    /// Every key the spec defines.
    pub keys: &'static [&'static str],
    /// Keys a consumer cannot do without.
    pub required: &'static [&'static str],
    /// Keys required unless the object exports the buffer protocol itself.
    pub required_without_buffer: &'static [&'static str],
    /// The `version` values consumers accept.
    pub versions: std::ops::RangeInclusive<i128>,
    /// Whether `data` may be a buffer object or `None` instead of `(pointer, readonly)`.
    pub data_may_be_buffer: bool,
}

pub const ARRAY_INTERFACE: DictSpec = DictSpec {
    protocol: Protocol::ArrayInterface,
    keys: &[
        "shape", "typestr", "descr", "data", "strides", "mask", "offset", "version",
    ],
    required: &["shape", "typestr", "version"],
    required_without_buffer: &["data"],
    versions: 3..=3,
    data_may_be_buffer: true,
};

pub const CUDA_ARRAY_INTERFACE: DictSpec = DictSpec {
    protocol: Protocol::CudaArrayInterface,
    keys: &[
        "shape", "typestr", "data", "version", "strides", "descr", "mask", "stream",
    ],
    required: &["shape", "typestr", "data", "version"],
    required_without_buffer: &[],
    versions: 0..=3,
    data_may_be_buffer: false,
};

/// NumPy's limit on dimensions (`NPY_MAXDIMS` since 2.0).
pub const MAX_DIMS: usize = 64;

/// Misspellings seen in the wild, with the key meant.
pub const NEAR_MISSES: &[(&str, &str)] = &[
    ("dtype", "typestr"),
    ("typestring", "typestr"),
    ("type_str", "typestr"),
    ("type", "typestr"),
    ("stride", "strides"),
    ("dims", "shape"),
    ("ndim", "shape"),
    ("ptr", "data"),
    ("pointer", "data"),
    ("versions", "version"),
    ("readonly", "data"),
];

pub fn dict_spec(protocol: Protocol) -> Option<&'static DictSpec> {
    match protocol {
        Protocol::ArrayInterface => Some(&ARRAY_INTERFACE),
        Protocol::CudaArrayInterface => Some(&CUDA_ARRAY_INTERFACE),
        Protocol::ArrayStruct | Protocol::DlpackDevice => None,
    }
}

impl DictSpec {
    pub fn knows(&self, key: &str) -> bool {
        self.keys.contains(&key)
    }
    /// The spec key an unknown key most likely meant.
    pub fn suggestion(&self, key: &str) -> Option<&'static str> {
        NEAR_MISSES
            .iter()
            .find(|(wrong, _)| wrong.eq_ignore_ascii_case(key))
            .map(|(_, right)| *right)
            .or_else(|| {
                self.keys
                    .iter()
                    .copied()
                    .find(|known| known.eq_ignore_ascii_case(key))
            })
    }
}
