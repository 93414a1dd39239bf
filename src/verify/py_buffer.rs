//! The `Py_buffer` an exporter fills (the live side of the AL7xx rows): AL701 `obj` not
//! set, AL702 a writable request granted on read-only data, AL704 `len` against shape and
//! item size, AL705 no format for items wider than a byte, AL708 a refusal with another
//! exception than `BufferError`, AL710 a NULL `buf`. The extension asks the object with
//! `PyObject_GetBuffer` and copies the fields out (through the kernel, never dereferencing
//! them) into a `FilledBuffer`; the verdicts are here, testable without Python.

use super::checks::Verdict;
use super::memory;
use super::raises::{self, Raised};
use crate::registry::Rule;

/// The most dimensions a `Py_buffer` may have (`PyBUF_MAX_NDIM`); more is not read.
pub const MAX_NDIM: i32 = 64;
/// The longest format string read (struct syntax of a record with many fields fits).
pub const MAX_FORMAT_LEN: usize = 4096;

/// A request the verifier makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request {
    /// `PyBUF_FULL_RO`: shape, strides, suboffsets and format, read-only allowed.
    FullRo,
    /// `PyBUF_WRITABLE`: a writable, C-contiguous buffer (no shape, no format).
    Writable,
}

impl Request {
    pub const ALL: [Request; 2] = [Request::FullRo, Request::Writable];

    /// The `flags` argument of `PyObject_GetBuffer`.
    pub fn flags(self) -> i32 {
        const WRITABLE: i32 = 0x0001;
        const FORMAT: i32 = 0x0004;
        const INDIRECT: i32 = 0x0100 | 0x0010 | 0x0008;
        match self {
            Request::FullRo => INDIRECT | FORMAT,
            Request::Writable => WRITABLE,
        }
    }

    /// How findings name the request (their `path`).
    pub fn path(self) -> &'static str {
        match self {
            Request::FullRo => "buffer(PyBUF_FULL_RO)",
            Request::Writable => "buffer(PyBUF_WRITABLE)",
        }
    }

    /// Whether the request asks for `shape` (`PyBUF_ND`) and `format` (`PyBUF_FORMAT`).
    fn asks_shape_and_format(self) -> bool {
        self == Request::FullRo
    }
}

/// A pointer field of the `Py_buffer`, as far as it could be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field<T> {
    Null,
    Read(T),
    /// Not readable memory, too long, or `ndim` out of bounds: not judged.
    Unreadable,
}

/// What a successful `PyObject_GetBuffer` filled in, copied before the release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilledBuffer {
    /// `obj` is not NULL.
    pub obj_set: bool,
    pub buf: u64,
    pub len: i64,
    pub itemsize: i64,
    pub readonly: bool,
    pub ndim: i32,
    pub format: Field<String>,
    pub shape: Field<Vec<i64>>,
    pub strides: Field<Vec<i64>>,
    pub has_suboffsets: bool,
}

/// The pointer fields of a filled `Py_buffer`, read through the kernel (never
/// dereferenced) in one system call: `shape` and `strides` as `ndim` entries when `ndim` is
/// within `0..=MAX_NDIM`, `format` as a C string of at most `MAX_FORMAT_LEN` bytes.
pub fn read_pointer_fields(
    ndim: i32,
    shape: u64,
    strides: u64,
    format: u64,
) -> (Field<Vec<i64>>, Field<Vec<i64>>, Field<String>) {
    /// The first read of a format: most are a few bytes; a longer one is read on.
    const FIRST_FORMAT_CHUNK: u64 = 64;
    let array_len = usize::try_from(ndim)
        .ok()
        .filter(|_| ndim <= MAX_NDIM)
        .map(|count| count * 8);
    let format_chunk = FIRST_FORMAT_CHUNK.min(4096 - format % 4096);
    let mut ranges = Vec::with_capacity(3);
    let mut wanted = |addr: u64, len: Option<usize>| match (addr, len) {
        (0, _) => None,
        (_, None) => Some(None),
        (addr, Some(len)) => {
            ranges.push((addr, len));
            Some(Some(ranges.len() - 1))
        }
    };
    let shape_at = wanted(shape, array_len);
    let strides_at = wanted(strides, array_len);
    let format_at = wanted(format, usize::try_from(format_chunk).ok());
    let read = memory::read_many_by_kernel(&ranges);
    let array = |at: Option<Option<usize>>| match at {
        None => Field::Null,
        Some(None) => Field::Unreadable,
        Some(Some(index)) => read[index]
            .as_deref()
            .map_or(Field::Unreadable, |bytes| Field::Read(memory::i64s(bytes))),
    };
    let format_field = match format_at {
        None => Field::Null,
        Some(None) => Field::Unreadable,
        Some(Some(index)) => {
            let text = match read[index].as_deref() {
                Some(chunk) => match chunk.iter().position(|&byte| byte == 0) {
                    Some(nul) => Some(chunk[..nul].to_vec()),
                    None => memory::read_c_string(format, MAX_FORMAT_LEN),
                },
                None => None,
            };
            text.map_or(Field::Unreadable, |text| {
                Field::Read(String::from_utf8_lossy(&text).into_owned())
            })
        }
    };
    (array(shape_at), array(strides_at), format_field)
}

/// The exception a request was refused with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// `ValueError: buffer source array is read-only`, for messages.
    pub described: String,
    /// The names of the builtin classes in the exception's MRO (see `raises::classify`).
    pub builtin_mro: Vec<String>,
    pub message: String,
    /// The exporter is NumPy's (an array or a NumPy scalar).
    pub numpy: bool,
}

/// The answer to one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Filled(FilledBuffer),
    Refused(Refusal),
}

/// A verdict on one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judged {
    pub request: Request,
    pub rule: Rule,
    pub message: String,
    /// Reported as info: said, but no failure.
    pub info: bool,
}

/// The verdicts on every request an object was asked. A fault the exporter shows on every
/// request (`obj`, `buf`) is reported once, on the first request that shows it. An object
/// that refuses every request with the same wrong exception cannot export in its present
/// state (a released view, a closed file: CPython's own `memoryview` and `mmap` say so with
/// `ValueError`): one AL708, as info.
pub fn check_answers(answers: &[(Request, Answer)]) -> Vec<Judged> {
    let mut judged: Vec<Judged> = Vec::new();
    for (request, answer) in answers {
        let found = match answer {
            Answer::Filled(filled) => check_filled(*request, filled),
            Answer::Refused(refusal) => check_refusal(*request, refusal).into_iter().collect(),
        };
        for (rule, message) in found {
            let once = matches!(rule, Rule::GetbufferObjNotSet | Rule::GetbufferNullBuf);
            if once && judged.iter().any(|seen| seen.rule == rule) {
                continue;
            }
            judged.push(Judged {
                request: *request,
                rule,
                message,
                info: false,
            });
        }
    }
    let classes: Vec<Option<&str>> = answers
        .iter()
        .map(|(_, answer)| match answer {
            Answer::Refused(refusal) => refusal.builtin_mro.first().map(String::as_str),
            Answer::Filled(_) => None,
        })
        .collect();
    let same_refusal = classes
        .first()
        .is_some_and(|first| first.is_some() && classes.iter().all(|class| class == first));
    let wrong_everywhere = judged.len() == answers.len()
        && judged
            .iter()
            .all(|verdict| verdict.rule == Rule::GetbufferWrongException);
    if same_refusal && wrong_everywhere {
        judged.truncate(1);
        if let Some(first) = judged.first_mut() {
            first.info = true;
            first.message = format!(
                "{} (every request is refused the same way: an object that cannot export in its present state should say so with BufferError too)",
                first.message
            );
        }
    }
    judged
}

/// AL701, AL702, AL704, AL705, AL710 on a buffer the exporter granted.
pub fn check_filled(request: Request, filled: &FilledBuffer) -> Vec<Verdict> {
    let call = format!("`PyObject_GetBuffer(obj, {})`", flags_name(request));
    let mut verdicts = Vec::new();
    if !filled.obj_set {
        verdicts.push((
            Rule::GetbufferObjNotSet,
            format!(
                "{call} succeeded with `obj` NULL: the view does not keep the exporter alive and `__releasebuffer__` is never called (`memoryview(x).obj` is None)"
            ),
        ));
    }
    if filled.buf == 0 {
        let what = if filled.len == 0 {
            "for an empty export: consumers may not accept a NULL pointer even for 0 bytes"
                .to_string()
        } else {
            format!("with `len` {}: consumers read from address 0", filled.len)
        };
        verdicts.push((
            Rule::GetbufferNullBuf,
            format!("{call} filled `buf` with NULL {what}"),
        ));
    }
    if request == Request::Writable && filled.readonly {
        verdicts.push((
            Rule::GetbufferWritableNotRefused,
            format!(
                "{call} succeeded with `readonly` set: a request for writable memory must be refused with BufferError, or the consumer writes to read-only data"
            ),
        ));
    }
    if request.asks_shape_and_format() {
        verdicts.extend(check_len(&call, filled));
        if filled.itemsize != 1 && filled.format == Field::Null {
            verdicts.push((
                Rule::GetbufferFormatMissing,
                format!(
                    "{call} asked for the format (`PyBUF_FORMAT`), but `format` is NULL (unsigned bytes, \"B\") while `itemsize` is {}: consumers read the items as bytes",
                    filled.itemsize
                ),
            ));
        }
    }
    verdicts
}

/// AL704: `len` must be the product of `shape` times `itemsize` (`itemsize` for 0-d).
fn check_len(call: &str, filled: &FilledBuffer) -> Option<Verdict> {
    let (expected, shown) = if filled.ndim == 0 {
        (filled.itemsize, "a zero-dimensional export".to_string())
    } else {
        let Field::Read(shape) = &filled.shape else {
            return None;
        };
        if shape.iter().any(|&extent| extent < 0) {
            return None;
        }
        let count = shape
            .iter()
            .try_fold(1i64, |product, &extent| product.checked_mul(extent))?;
        let expected = count.checked_mul(filled.itemsize)?;
        let dims = shape
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        (expected, format!("shape ({dims})"))
    };
    if filled.len == expected {
        return None;
    }
    let hint = if filled.ndim > 0
        && filled.itemsize != 1
        && filled.len.checked_mul(filled.itemsize) == Some(expected)
    {
        " (an element count where bytes are due)"
    } else if filled.ndim == 0 {
        " (the whole payload of a 0-d export is one item)"
    } else {
        ""
    };
    Some((
        Rule::GetbufferLenMismatch,
        format!(
            "{call} filled `len` {} for {shown} of `itemsize` {}: {} due{hint}",
            filled.len,
            filled.itemsize,
            bytes_due(expected)
        ),
    ))
}

/// AL708 (or AL908 for an exception that shows a bug) on a refused request.
pub fn check_refusal(request: Request, refusal: &Refusal) -> Option<Verdict> {
    let is = |name: &str| refusal.builtin_mro.iter().any(|class| class == name);
    if is("BufferError") {
        return None;
    }
    // NumPy, the reference implementation, has always refused with ValueError (read-only,
    // not contiguous, a dtype the format cannot spell); consumers of NumPy arrays catch it.
    if refusal.numpy && is("ValueError") {
        return None;
    }
    let call = format!("`PyObject_GetBuffer(obj, {})`", flags_name(request));
    if raises::classify(&refusal.builtin_mro, &refusal.message) == Raised::Bug {
        return Some((
            Rule::GetterRaises,
            format!("{call} raised {}", refusal.described),
        ));
    }
    Some((
        Rule::GetbufferWrongException,
        format!(
            "{call} was refused with {}: consumers of the buffer protocol catch BufferError",
            refusal.described
        ),
    ))
}

fn bytes_due(count: i64) -> String {
    if count == 1 {
        "1 byte is".to_string()
    } else {
        format!("{count} bytes are")
    }
}

fn flags_name(request: Request) -> &'static str {
    match request {
        Request::FullRo => "PyBUF_FULL_RO",
        Request::Writable => "PyBUF_WRITABLE",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes_export(len: i64) -> FilledBuffer {
        FilledBuffer {
            obj_set: true,
            buf: 0x1000,
            len,
            itemsize: 1,
            readonly: true,
            ndim: 1,
            format: Field::Read("B".into()),
            shape: Field::Read(vec![len]),
            strides: Field::Read(vec![1]),
            has_suboffsets: false,
        }
    }

    fn rules(verdicts: &[Verdict]) -> Vec<Rule> {
        verdicts.iter().map(|(rule, _)| *rule).collect()
    }

    fn refusal(mro: &[&str], numpy: bool) -> Refusal {
        Refusal {
            described: format!("{}: no", mro[0]),
            builtin_mro: mro.iter().map(|name| name.to_string()).collect(),
            message: "no".into(),
            numpy,
        }
    }

    #[test]
    fn a_good_export_is_clean() {
        assert!(check_filled(Request::FullRo, &bytes_export(3)).is_empty());
        // A writable request needs no shape or format.
        let writable = FilledBuffer {
            readonly: false,
            ndim: 0,
            format: Field::Null,
            shape: Field::Null,
            strides: Field::Null,
            itemsize: 8,
            len: 48,
            ..bytes_export(48)
        };
        assert!(check_filled(Request::Writable, &writable).is_empty());
    }

    #[test]
    fn obj_not_set() {
        let filled = FilledBuffer {
            obj_set: false,
            ..bytes_export(3)
        };
        assert_eq!(
            rules(&check_filled(Request::FullRo, &filled)),
            vec![Rule::GetbufferObjNotSet]
        );
    }

    #[test]
    fn writable_granted_on_read_only() {
        assert_eq!(
            rules(&check_filled(Request::Writable, &bytes_export(3))),
            vec![Rule::GetbufferWritableNotRefused]
        );
    }

    #[test]
    fn len_as_element_count() {
        let filled = FilledBuffer {
            itemsize: 8,
            format: Field::Read("d".into()),
            shape: Field::Read(vec![2, 3]),
            ndim: 2,
            ..bytes_export(6)
        };
        let verdicts = check_filled(Request::FullRo, &filled);
        assert_eq!(rules(&verdicts), vec![Rule::GetbufferLenMismatch]);
        assert!(verdicts[0].1.contains("element count"), "{}", verdicts[0].1);
        // The same under PyBUF_WRITABLE, which asks for no shape, is not judged.
        let writable = FilledBuffer {
            readonly: false,
            ..filled
        };
        assert!(check_filled(Request::Writable, &writable).is_empty());
    }

    #[test]
    fn zero_dimensional_len_is_one_item() {
        let scalar = FilledBuffer {
            ndim: 0,
            shape: Field::Null,
            strides: Field::Null,
            itemsize: 8,
            format: Field::Read("d".into()),
            ..bytes_export(8)
        };
        assert!(check_filled(Request::FullRo, &scalar).is_empty());
        // lxml's XSLT result: 0-d, itemsize 1, `len` the whole text.
        let payload = FilledBuffer {
            ndim: 0,
            shape: Field::Null,
            strides: Field::Null,
            ..bytes_export(11)
        };
        assert_eq!(
            rules(&check_filled(Request::FullRo, &payload)),
            vec![Rule::GetbufferLenMismatch]
        );
    }

    #[test]
    fn unreadable_or_odd_shapes_are_not_judged() {
        for shape in [Field::Unreadable, Field::Null, Field::Read(vec![-1])] {
            let filled = FilledBuffer {
                shape,
                ..bytes_export(7)
            };
            assert!(check_filled(Request::FullRo, &filled).is_empty());
        }
        let overflow = FilledBuffer {
            shape: Field::Read(vec![i64::MAX, 4]),
            ndim: 2,
            ..bytes_export(7)
        };
        assert!(check_filled(Request::FullRo, &overflow).is_empty());
    }

    #[test]
    fn format_missing_only_when_asked_and_wide() {
        let filled = FilledBuffer {
            itemsize: 8,
            format: Field::Null,
            shape: Field::Read(vec![2]),
            ..bytes_export(16)
        };
        assert_eq!(
            rules(&check_filled(Request::FullRo, &filled)),
            vec![Rule::GetbufferFormatMissing]
        );
        let bytes = FilledBuffer {
            format: Field::Null,
            ..bytes_export(16)
        };
        assert!(check_filled(Request::FullRo, &bytes).is_empty());
        // An unreadable format is not NULL.
        let unreadable = FilledBuffer {
            format: Field::Unreadable,
            ..filled
        };
        assert!(check_filled(Request::FullRo, &unreadable).is_empty());
    }

    #[test]
    fn null_buf_with_and_without_bytes() {
        for len in [0, 4] {
            let filled = FilledBuffer {
                buf: 0,
                ..bytes_export(len)
            };
            assert_eq!(
                rules(&check_filled(Request::FullRo, &filled)),
                vec![Rule::GetbufferNullBuf]
            );
        }
    }

    #[test]
    fn refusals() {
        let request = Request::Writable;
        assert_eq!(
            check_refusal(request, &refusal(&["BufferError"], false)),
            None
        );
        assert_eq!(
            check_refusal(request, &refusal(&["ValueError"], false)).map(|v| v.0),
            Some(Rule::GetbufferWrongException)
        );
        assert_eq!(
            check_refusal(request, &refusal(&["RuntimeError"], false)).map(|v| v.0),
            Some(Rule::GetbufferWrongException)
        );
        // NumPy's ValueError, not its other exceptions.
        assert_eq!(
            check_refusal(request, &refusal(&["ValueError"], true)),
            None
        );
        assert_eq!(
            check_refusal(request, &refusal(&["TypeError"], true)).map(|v| v.0),
            Some(Rule::GetbufferWrongException)
        );
        assert_eq!(
            check_refusal(request, &refusal(&["AttributeError"], false)).map(|v| v.0),
            Some(Rule::GetterRaises)
        );
    }

    #[test]
    fn refusing_every_request_alike_is_info() {
        let closed = || Answer::Refused(refusal(&["ValueError", "Exception"], false));
        let judged = check_answers(&[(Request::FullRo, closed()), (Request::Writable, closed())]);
        assert_eq!(judged.len(), 1);
        assert_eq!(judged[0].rule, Rule::GetbufferWrongException);
        assert!(judged[0].info);
        // Refusing one request only is the fault itself.
        let granted = Answer::Filled(FilledBuffer {
            readonly: false,
            ..bytes_export(3)
        });
        let judged = check_answers(&[(Request::FullRo, granted), (Request::Writable, closed())]);
        assert_eq!(judged.len(), 1);
        assert!(!judged[0].info);
        // Two different wrong exceptions are not a state.
        let other = Answer::Refused(refusal(&["RuntimeError", "Exception"], false));
        let judged = check_answers(&[(Request::FullRo, closed()), (Request::Writable, other)]);
        assert_eq!(judged.len(), 2);
        assert!(judged.iter().all(|verdict| !verdict.info));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn pointer_fields_are_read_through_the_kernel() {
        let shape: [i64; 2] = [2, 3];
        let strides: [i64; 2] = [24, 8];
        let format = b"T{<i:a:}\0";
        let addr = |bytes: &[u8]| bytes.as_ptr() as u64;
        let read = read_pointer_fields(
            2,
            shape.as_ptr() as u64,
            strides.as_ptr() as u64,
            addr(format),
        );
        assert_eq!(
            read,
            (
                Field::Read(vec![2, 3]),
                Field::Read(vec![24, 8]),
                Field::Read("T{<i:a:}".into())
            )
        );
        // NULL pointers, an unmapped shape, an ndim out of bounds.
        assert_eq!(
            read_pointer_fields(2, 16, 0, 0),
            (Field::Unreadable, Field::Null, Field::Null)
        );
        assert_eq!(
            read_pointer_fields(65, shape.as_ptr() as u64, 0, 0).0,
            Field::Unreadable
        );
        assert_eq!(
            read_pointer_fields(-1, shape.as_ptr() as u64, 0, 0).0,
            Field::Unreadable
        );
        // A format longer than the first read.
        let mut long = vec![b'x'; 300];
        long.push(0);
        assert_eq!(
            read_pointer_fields(0, 0, 0, addr(&long)).2,
            Field::Read("x".repeat(300))
        );
    }

    #[test]
    fn obj_and_buf_faults_are_reported_once() {
        let broken = FilledBuffer {
            obj_set: false,
            buf: 0,
            readonly: false,
            ..bytes_export(0)
        };
        let answers = [
            (Request::FullRo, Answer::Filled(broken.clone())),
            (Request::Writable, Answer::Filled(broken)),
        ];
        let found: Vec<(Request, Rule)> = check_answers(&answers)
            .into_iter()
            .map(|judged| (judged.request, judged.rule))
            .collect();
        assert_eq!(
            found,
            vec![
                (Request::FullRo, Rule::GetbufferObjNotSet),
                (Request::FullRo, Rule::GetbufferNullBuf)
            ]
        );
    }
}
