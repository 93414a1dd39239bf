//! The typestr grammar of the array interface (and the CUDA Array Interface, which
//! reuses it): a byte-order character, a kind character, an item size, and for
//! datetimes an optional `[unit]`.
//!
//! It accepts everything NumPy's `dtype.str` produces (`|O`, `<U4`, `<M8[ns]`, `|V0`,
//! `<f16`) and rejects what NumPy's `PyArray_DescrConverter` or the spec refuse.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ByteOrder {
    Little,
    Big,
    /// `|`: byte order does not apply (one-byte and opaque kinds).
    NotApplicable,
    /// `=`: native; not in the spec's list but NumPy accepts it.
    Native,
}

/// A parsed typestr.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Typestr {
    pub byte_order: ByteOrder,
    pub kind: char,
    /// The number as written (characters for `U`, bytes otherwise); `None` when absent.
    pub size: Option<u64>,
    /// The datetime unit inside `[...]`, without the brackets.
    pub unit: Option<String>,
}

impl Typestr {
    /// The size of one item in bytes, where the typestr fixes it.
    pub fn itemsize(&self) -> Option<u64> {
        let size = self.size?;
        // `<U4` counts UCS-4 characters, not bytes.
        if self.kind == 'U' {
            size.checked_mul(4)
        } else {
            Some(size)
        }
    }
}

/// Why a string is not a typestr. `Display` gives the explanation used in messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypestrError {
    Empty,
    /// Looks like a dtype name (`float32`, `int`) rather than a typestr.
    DtypeName {
        suggestion: Option<&'static str>,
    },
    /// Starts with a kind, not a byte order (`f4`).
    MissingByteOrder,
    MissingKind,
    UnknownKind(char),
    /// Kind `t` (bit field): in the spec's text, rejected by NumPy.
    BitField,
    MissingSize(char),
    ImpossibleSize {
        kind: char,
        size: u64,
    },
    /// A `[unit]` on a kind other than `m`/`M`, or a unit NumPy does not know.
    BadUnit(String),
    Trailing(String),
}

impl fmt::Display for TypestrError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TypestrError::Empty => write!(f, "it is empty"),
            TypestrError::DtypeName { suggestion } => {
                write!(f, "it is a dtype name, not a typestr")?;
                if let Some(suggestion) = suggestion {
                    write!(f, " (the typestr is `{suggestion}`)")?;
                }
                write!(f, "; use `dtype.str`")
            }
            TypestrError::MissingByteOrder => {
                write!(f, "it must start with a byte order: `<`, `>` or `|`")
            }
            TypestrError::MissingKind => write!(f, "it has no kind character after the byte order"),
            TypestrError::UnknownKind(kind) => write!(
                f,
                "`{kind}` is not a kind (expected one of `b i u f c m M O S U V`)"
            ),
            TypestrError::BitField => write!(f, "bit fields (kind `t`) are not supported by NumPy"),
            TypestrError::MissingSize(kind) => write!(f, "kind `{kind}` needs an item size"),
            TypestrError::ImpossibleSize { kind, size } => {
                write!(f, "no `{kind}` type is {size} bytes wide")
            }
            TypestrError::BadUnit(unit) => write!(f, "`[{unit}]` is not a datetime unit here"),
            TypestrError::Trailing(rest) => write!(f, "unexpected `{rest}` after the item size"),
        }
    }
}

const KINDS: &str = "biufcmMOSUV";

/// Datetime units NumPy knows (`np.datetime_data`).
const DATETIME_UNITS: &[&str] = &[
    "Y", "M", "W", "D", "h", "m", "s", "ms", "us", "μs", "ns", "ps", "fs", "as", "generic",
];

/// Item sizes each fixed-size kind can have; `None`: any size.
fn allowed_sizes(kind: char) -> Option<&'static [u64]> {
    match kind {
        'b' => Some(&[1]),
        'i' | 'u' => Some(&[1, 2, 4, 8]),
        // 12 and 16 are `long double` on 32- and 64-bit platforms.
        'f' => Some(&[2, 4, 8, 12, 16]),
        'c' => Some(&[8, 16, 24, 32]),
        'm' | 'M' => Some(&[8]),
        'O' => Some(&[4, 8]),
        _ => None,
    }
}

/// NumPy dtype names people write instead of a typestr, with the typestr they mean
/// (little-endian, as on the platforms that matter).
fn dtype_name_typestr(name: &str) -> Option<Option<&'static str>> {
    let typestr = match name {
        "bool" | "bool_" => "|b1",
        "int8" => "|i1",
        "int16" => "<i2",
        "int32" => "<i4",
        "int64" | "int" | "intp" | "long" => "<i8",
        "uint8" | "ubyte" => "|u1",
        "uint16" => "<u2",
        "uint32" => "<u4",
        "uint64" | "uint" | "uintp" => "<u8",
        "float16" | "half" => "<f2",
        "float32" | "single" => "<f4",
        "float64" | "float" | "double" => "<f8",
        "complex64" => "<c8",
        "complex128" | "complex" => "<c16",
        "object" | "object_" => "|O",
        "str" | "str_" | "unicode" | "bytes" | "bytes_" | "void" | "datetime64" | "timedelta64"
        | "longdouble" | "clongdouble" => return Some(None),
        _ => return None,
    };
    Some(Some(typestr))
}

/// Parse a typestr, or say why it is not one.
pub fn parse(text: &str) -> Result<Typestr, TypestrError> {
    if text.is_empty() {
        return Err(TypestrError::Empty);
    }
    if let Some(suggestion) = dtype_name_typestr(text) {
        return Err(TypestrError::DtypeName { suggestion });
    }
    let mut chars = text.chars();
    let byte_order = match chars.next() {
        Some('<') => ByteOrder::Little,
        Some('>') => ByteOrder::Big,
        Some('|') => ByteOrder::NotApplicable,
        Some('=') => ByteOrder::Native,
        Some(c) if KINDS.contains(c) || c == 't' => return Err(TypestrError::MissingByteOrder),
        Some(_) | None => {
            return Err(TypestrError::DtypeName { suggestion: None });
        }
    };
    let kind = match chars.next() {
        None => return Err(TypestrError::MissingKind),
        Some('t') => return Err(TypestrError::BitField),
        Some(c) if KINDS.contains(c) => c,
        Some(c) => return Err(TypestrError::UnknownKind(c)),
    };
    let rest = chars.as_str();
    let digits_end = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    let (digits, rest) = rest.split_at(digits_end);
    let size = if digits.is_empty() {
        None
    } else {
        // Absurdly long digit strings are not sizes of anything.
        match digits.parse::<u64>() {
            Ok(size) => Some(size),
            Err(_) => {
                return Err(TypestrError::ImpossibleSize {
                    kind,
                    size: u64::MAX,
                })
            }
        }
    };
    let unit = if let Some(inner) = rest.strip_prefix('[') {
        let Some(unit) = inner.strip_suffix(']') else {
            return Err(TypestrError::Trailing(rest.to_string()));
        };
        if !matches!(kind, 'm' | 'M') || !is_datetime_unit(unit) {
            return Err(TypestrError::BadUnit(unit.to_string()));
        }
        Some(unit.to_string())
    } else if rest.is_empty() {
        None
    } else {
        return Err(TypestrError::Trailing(rest.to_string()));
    };
    match (allowed_sizes(kind), size) {
        // `|O` is what NumPy itself exports for object arrays.
        (_, None) if kind == 'O' => {}
        // `|S`, `|V`: NumPy reads these as the unsized `S0`, `V0`.
        (None, None) => {}
        (Some(_), None) => return Err(TypestrError::MissingSize(kind)),
        (Some(allowed), Some(size)) if !allowed.contains(&size) => {
            return Err(TypestrError::ImpossibleSize { kind, size })
        }
        _ => {}
    }
    Ok(Typestr {
        byte_order,
        kind,
        size,
        unit,
    })
}

/// `ns`, `25s`, `generic`: an optional multiplier, then a unit.
fn is_datetime_unit(unit: &str) -> bool {
    let base = unit.trim_start_matches(|c: char| c.is_ascii_digit());
    DATETIME_UNITS.contains(&base)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_what_numpy_exports() {
        for text in [
            "|O",
            "|O8",
            "<U4",
            "<U0",
            "<M8[ns]",
            "<m8[25s]",
            "<M8",
            "<M8[generic]",
            "|V16",
            "|b1",
            "<f16",
            "<f12",
            "=i4",
            "|S0",
            "|V0",
            "|S",
            ">i8",
            "<c16",
            "<c8",
            "<f2",
            "|u1",
            "|i1",
            "<m8[us]",
            "<M8[D]",
        ] {
            assert!(
                parse(text).is_ok(),
                "{text} should parse: {:?}",
                parse(text)
            );
        }
    }

    #[test]
    fn rejects_what_the_spec_forbids() {
        assert_eq!(
            parse("<f3"),
            Err(TypestrError::ImpossibleSize { kind: 'f', size: 3 })
        );
        assert_eq!(
            parse("<i5"),
            Err(TypestrError::ImpossibleSize { kind: 'i', size: 5 })
        );
        assert_eq!(
            parse("|b2"),
            Err(TypestrError::ImpossibleSize { kind: 'b', size: 2 })
        );
        assert_eq!(parse("|t8"), Err(TypestrError::BitField));
        assert_eq!(
            parse("float32"),
            Err(TypestrError::DtypeName {
                suggestion: Some("<f4")
            })
        );
        assert_eq!(parse("f4"), Err(TypestrError::MissingByteOrder));
        assert_eq!(parse("<x4"), Err(TypestrError::UnknownKind('x')));
        assert_eq!(parse("<f"), Err(TypestrError::MissingSize('f')));
        assert_eq!(parse("<"), Err(TypestrError::MissingKind));
        assert_eq!(parse(""), Err(TypestrError::Empty));
        assert_eq!(parse("<f8[ns]"), Err(TypestrError::BadUnit("ns".into())));
        assert_eq!(
            parse("<M8[lightyears]"),
            Err(TypestrError::BadUnit("lightyears".into()))
        );
        assert_eq!(parse("<f4 "), Err(TypestrError::Trailing(" ".into())));
        assert_eq!(parse("<M8[ns"), Err(TypestrError::Trailing("[ns".into())));
        assert!(parse("<i99999999999999999999999").is_err());
    }

    #[test]
    fn item_sizes() {
        let size = |text: &str| parse(text).ok().and_then(|t| t.itemsize());
        assert_eq!(size("<U4"), Some(16));
        assert_eq!(size("<f8"), Some(8));
        assert_eq!(size("|V16"), Some(16));
        assert_eq!(size("|O"), None);
        assert_eq!(size("<M8[ns]"), Some(8));
    }

    #[test]
    fn byte_order_and_unit() {
        let parsed = parse(">m8[25s]").unwrap();
        assert_eq!(parsed.byte_order, ByteOrder::Big);
        assert_eq!(parsed.kind, 'm');
        assert_eq!(parsed.unit.as_deref(), Some("25s"));
    }

    proptest::proptest! {
        /// Any string parses or is refused with a reason; none panics, and what parses
        /// starts with a byte order and a kind.
        #[test]
        fn never_panics(text in "[<>|=]?[a-zA-Z]?[0-9]{0,3}(\\[[0-9a-zμ]{0,4}\\]?)?.{0,2}") {
            if let Ok(parsed) = parse(&text) {
                proptest::prop_assert!(KINDS.contains(parsed.kind));
                proptest::prop_assert!(text.starts_with(['<', '>', '|', '=']));
            }
        }
    }
}
