//! Verify one live object: read each protocol it exposes once, keep every result alive while
//! checking, then look at the process's mappings and judge. The verdicts themselves live in
//! `arraylint::verify` and `arraylint::descriptor`; these files only gather facts:
//! `py_buffer` asks for the object's buffer, `owners` finds the buffers that own the
//! memory, `capsules` decodes `__array_struct__`
//! and DLPack capsules, `judge` hands everything to the checks.

mod capsules;
mod judge;
mod owners;
mod py_buffer;

use std::sync::{Arc, Mutex, PoisonError};

use arraylint::descriptor::{self, array_struct, Context, Protocol};
use arraylint::diagnostic::Severity;
use arraylint::registry::{Rule, RuleSet};
use arraylint::value::{Value, ValueKind};
use arraylint::verify::checks::{OwnerBuffer, Verdict};
use arraylint::verify::extent::Extent;
use arraylint::verify::maps::{LiveMap, MemoryMap};
use arraylint::verify::raises::{self, Raised};
use arraylint::verify::report::LiveFinding;
use arraylint::verify::view::{interface_fields, DataField, DataView, Location};
use pyo3::exceptions::{PyAttributeError, PyBufferError, PyTypeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyDict, PyTuple, PyType};

use crate::buffer::{read_buffer, BufferFacts, BufferRead};
use crate::convert::{to_value, type_name};

/// The process map of the previous verification (see `LiveMap`).
static PROCESS_MAP: Mutex<Option<Arc<MemoryMap>>> = Mutex::new(None);

type MapReader = fn() -> std::io::Result<MemoryMap>;

/// The result of reading a descriptor or calling a protocol method.
enum Read<'py> {
    /// The object does not expose it.
    Absent,
    Got(Bound<'py, PyAny>),
    /// It raised; the finding has been recorded.
    Failed,
}

/// A host or device view with what its memory checks need.
struct Gathered {
    view: DataView,
    /// The buffer the view's own descriptor names (`data` buffer object, own buffer).
    owner: Option<OwnerBuffer>,
    path: String,
    stream: Option<i128>,
}

pub struct Verifier<'py> {
    py: Python<'py>,
    obj: Bound<'py, PyAny>,
    name: String,
    /// The rules asked for: a rule outside it is not reported, and a check that calls the
    /// object's code only for it (AL405) is not run.
    rules: RuleSet,
    findings: Vec<LiveFinding>,
    /// Every object read, kept alive until the checks are done: a getter may build a fresh
    /// `bytes` or capsule whose memory dies with it.
    keep_alive: Vec<Bound<'py, PyAny>>,
    /// Capsules and arrays to decode once the mappings are read.
    struct_capsule: Option<Bound<'py, PyCapsule>>,
    dlpack_capsules: Vec<(Bound<'py, PyCapsule>, &'static str)>,
    dlpack_device: Option<(i64, i64)>,
    /// The object exports the buffer protocol itself (an AI may then omit `data`).
    exports_buffer: bool,
    owners: Vec<OwnerBuffer>,
    views: Vec<Gathered>,
    /// A writable buffer granted where the full request said read-only (a fresh copy, or
    /// read-only memory handed out writable: AL903 decides).
    writable_grant: Option<DataView>,
    array_results: ArrayResults<'py>,
    /// The process's mappings; `None` off Linux, where the memory checks are skipped.
    maps: Option<LiveMap<MapReader>>,
}

#[derive(Default)]
struct ArrayResults<'py> {
    plain: Option<Bound<'py, PyAny>>,
    copy_true: Option<Bound<'py, PyAny>>,
    copy_false: Option<Bound<'py, PyAny>>,
    copy_false_again: Option<Bound<'py, PyAny>>,
}

impl<'py> Verifier<'py> {
    pub fn new(obj: Bound<'py, PyAny>, name: String, rules: RuleSet) -> Self {
        Verifier {
            py: obj.py(),
            obj,
            name,
            rules,
            findings: Vec::new(),
            keep_alive: Vec::new(),
            struct_capsule: None,
            dlpack_capsules: Vec::new(),
            dlpack_device: None,
            exports_buffer: false,
            owners: Vec::new(),
            views: Vec::new(),
            writable_grant: None,
            array_results: ArrayResults::default(),
            maps: None,
        }
    }

    pub fn run(mut self) -> Vec<LiveFinding> {
        self.gather_owners();
        self.read_buffer_protocol();
        self.read_array_interface();
        self.read_array_struct();
        self.read_dlpack();
        self.read_cuda_array_interface();
        self.call_array_method();
        // The mappings are looked at after every getter ran and while every result is alive.
        let cached = PROCESS_MAP
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let reader: MapReader = MemoryMap::of_this_process;
        self.maps = LiveMap::new(cached, reader).ok();
        self.judge();
        if let Some(maps) = self.maps.take() {
            *PROCESS_MAP.lock().unwrap_or_else(PoisonError::into_inner) = Some(maps.into_shared());
        }
        drop(self.keep_alive);
        let rules = self.rules;
        self.findings
            .retain(|finding| finding.rule().is_some_and(|rule| rules.contains(rule)));
        self.findings
    }

    /// The mappings to judge `extent` by (`None` off Linux).
    fn map_covering(&mut self, extent: &Extent, need_write: bool) -> Option<&MemoryMap> {
        Some(self.maps.as_mut()?.covering(extent, need_write))
    }

    /// `len` bytes of our own memory at `addr`, when the mappings say they are readable.
    fn read_memory(&mut self, addr: u64, len: usize) -> Option<Vec<u8>> {
        let extent = Extent {
            start: addr,
            end: addr.checked_add(len as u64)?,
        };
        let map = self.map_covering(&extent, false)?;
        arraylint::verify::memory::read_own_memory(addr, len, map)
    }

    /// `count` native `i64`s at `addr` (a shape or strides array).
    fn read_i64s(&mut self, addr: u64, count: usize) -> Option<Vec<i64>> {
        let extent = Extent {
            start: addr,
            end: addr.checked_add(u64::try_from(count.checked_mul(8)?).ok()?)?,
        };
        let map = self.map_covering(&extent, false)?;
        arraylint::verify::memory::read_i64_array(addr, count, map)
    }

    fn report_info(&mut self, rule: Rule, message: impl Into<String>, protocol: &str) {
        self.findings.push(
            LiveFinding::new(rule, message, self.name.clone(), protocol, "")
                .with_severity(Severity::Info),
        );
    }

    /// What an exception from a protocol method means (AL908 row of the spec).
    fn classify(&self, error: &PyErr) -> Raised {
        raises::classify(&self.builtin_mro(error), &error.value(self.py).to_string())
    }

    /// The names of the builtin classes in an exception's MRO (a user class named
    /// `ValueError` is not one).
    fn builtin_mro(&self, error: &PyErr) -> Vec<String> {
        let mut builtin_mro = Vec::new();
        if let Ok(mro) = error.get_type(self.py).getattr(intern!(self.py, "__mro__")) {
            if let Ok(classes) = mro.try_iter() {
                for class in classes.flatten() {
                    let Ok(class) = class.downcast_into::<PyType>() else {
                        continue;
                    };
                    let builtin = class
                        .getattr(intern!(self.py, "__module__"))
                        .and_then(|module| module.extract::<String>())
                        .is_ok_and(|module| module == "builtins");
                    if let (true, Ok(name)) = (builtin, class.qualname()) {
                        builtin_mro.push(name.to_string());
                    }
                }
            }
        }
        builtin_mro
    }

    /// Report an exception from calling a protocol method: a refusal is info, a call the
    /// method's signature does not take and any other bug is AL908.
    fn report_raise(&mut self, error: &PyErr, call: &str, protocol: &str, hint: &str) {
        let described = self.describe(error);
        match self.classify(error) {
            Raised::Refusal => self.report_info(
                Rule::GetterRaises,
                format!("`{call}` refused: {described}"),
                protocol,
            ),
            Raised::SignatureError | Raised::Bug => {
                self.report(
                    Rule::GetterRaises,
                    format!("`{call}` raised {described}{hint}"),
                    protocol,
                    "",
                );
            }
        }
    }

    /// Whether the object is one of NumPy's own scalars (`np.float64(1.0)`): NumPy is the
    /// reference implementation, and never calls `__array__` on them with `copy=`.
    fn is_numpy_scalar(&self) -> bool {
        let Ok(generic) = self
            .py
            .import(intern!(self.py, "sys"))
            .and_then(|sys| sys.getattr(intern!(self.py, "modules")))
            .and_then(|modules| modules.get_item("numpy"))
            .and_then(|numpy| numpy.getattr(intern!(self.py, "generic")))
        else {
            return false;
        };
        let own_module = self
            .obj
            .get_type()
            .getattr(intern!(self.py, "__module__"))
            .and_then(|module| module.extract::<String>())
            .is_ok_and(|module| module == "numpy" || module.starts_with("numpy."));
        own_module && self.obj.is_instance(&generic).unwrap_or(false)
    }

    fn report(&mut self, rule: Rule, message: impl Into<String>, protocol: &str, path: &str) {
        self.findings.push(LiveFinding::new(
            rule,
            message,
            self.name.clone(),
            protocol,
            path,
        ));
    }

    fn report_verdicts(&mut self, verdicts: Vec<Verdict>, protocol: &str, path: &str) {
        for (rule, message) in verdicts {
            self.report(rule, message, protocol, path);
        }
    }

    fn describe(&self, error: &PyErr) -> String {
        let kind = error
            .get_type(self.py)
            .qualname()
            .map(|name| name.to_string())
            .unwrap_or_else(|_| "Exception".to_string());
        format!("{kind}: {}", error.value(self.py))
    }

    /// Whether the object's class (or the object) defines `name` at all.
    fn defines(&self, name: &str) -> bool {
        self.obj.get_type().hasattr(name).unwrap_or(false)
    }

    /// Read a descriptor attribute once. AttributeError from a getter the class defines is
    /// "not available" (info); any other exception is AL908.
    fn read_attribute(&mut self, name: &'static str) -> Read<'py> {
        match self.obj.getattr(name) {
            Ok(value) => {
                self.keep_alive.push(value.clone());
                Read::Got(value)
            }
            Err(error) if error.is_instance_of::<PyAttributeError>(self.py) => {
                if self.defines(name) {
                    let message = format!(
                        "`{name}` is not available: its getter raised {}",
                        self.describe(&error)
                    );
                    self.findings.push(
                        LiveFinding::new(Rule::GetterRaises, message, self.name.clone(), name, "")
                            .with_severity(Severity::Info),
                    );
                }
                Read::Absent
            }
            Err(error) => {
                let message = format!("reading `{name}` raised {}", self.describe(&error));
                self.report(Rule::GetterRaises, message, name, "");
                Read::Failed
            }
        }
    }

    /// Call a protocol method; `None` when the object has no such method.
    fn call(
        &mut self,
        method: &'static str,
        args: impl IntoPyObject<'py, Target = PyTuple>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> Option<Result<Bound<'py, PyAny>, PyErr>> {
        if !self.obj.hasattr(method).unwrap_or(false) {
            return None;
        }
        let result = self.obj.call_method(method, args, kwargs);
        if let Ok(value) = &result {
            self.keep_alive.push(value.clone());
        }
        Some(result)
    }

    fn validate(&mut self, value: &Value, protocol: Protocol) {
        let context = Context {
            has_stream_state: false,
            exports_buffer: self.exports_buffer,
        };
        let findings = descriptor::validate(value, protocol, &context);
        self.report_spec_findings(findings, protocol);
    }

    fn report_spec_findings(&mut self, findings: Vec<descriptor::Finding>, protocol: Protocol) {
        for finding in findings {
            let path = finding.path.to_string();
            self.findings.push(
                LiveFinding::new(
                    finding.rule,
                    finding.message,
                    self.name.clone(),
                    protocol.attribute(),
                    path,
                )
                .with_severity(finding.severity),
            );
        }
    }

    fn read_array_interface(&mut self) {
        let name = "__array_interface__";
        let Read::Got(descriptor) = self.read_attribute(name) else {
            return;
        };
        let value = to_value(&descriptor);
        self.validate(&value, Protocol::ArrayInterface);
        self.owners_in_descriptor(&descriptor, name);
        let Some(fields) = interface_fields(&value) else {
            return;
        };
        let (pointer, readonly, owner) = match fields.data {
            DataField::Pointer { address, readonly } => (address, readonly, None),
            DataField::BufferObject | DataField::OwnBuffer => {
                let exporter = if fields.data == DataField::BufferObject {
                    match descriptor.get_item("data") {
                        Ok(exporter) => exporter,
                        Err(_) => return,
                    }
                } else {
                    self.obj.clone()
                };
                let BufferRead::Exported(facts) = read_buffer(&exporter) else {
                    return;
                };
                let Some(extent) = buffer_extent(&facts) else {
                    return;
                };
                let Some(pointer) = facts.pointer.checked_add_signed(fields.offset) else {
                    return;
                };
                let description = if fields.data == DataField::BufferObject {
                    format!("the `{}` in `data`", type_name(&exporter))
                } else {
                    "the object's own buffer".to_string()
                };
                let owner = OwnerBuffer {
                    description,
                    extent,
                    readonly: facts.readonly,
                };
                (pointer, facts.readonly, Some(owner))
            }
        };
        self.views.push(Gathered {
            view: DataView {
                protocol: name.to_string(),
                pointer,
                shape: fields.shape,
                strides: fields.strides,
                dtype: fields.dtype,
                readonly: Some(readonly),
                location: Location::Host,
            },
            owner,
            path: "data".to_string(),
            stream: None,
        });
    }

    fn read_cuda_array_interface(&mut self) {
        let name = "__cuda_array_interface__";
        let Read::Got(descriptor) = self.read_attribute(name) else {
            return;
        };
        let value = to_value(&descriptor);
        self.validate(&value, Protocol::CudaArrayInterface);
        let Some(fields) = interface_fields(&value) else {
            return;
        };
        let DataField::Pointer { address, readonly } = fields.data else {
            return;
        };
        self.views.push(Gathered {
            view: DataView {
                protocol: name.to_string(),
                pointer: address,
                shape: fields.shape,
                strides: fields.strides,
                dtype: fields.dtype,
                readonly: Some(readonly),
                location: Location::Cuda,
            },
            owner: None,
            path: "data".to_string(),
            stream: fields.stream,
        });
    }

    fn read_array_struct(&mut self) {
        let name = "__array_struct__";
        let Read::Got(descriptor) = self.read_attribute(name) else {
            return;
        };
        let value = to_value(&descriptor);
        self.validate(&value, Protocol::ArrayStruct);
        self.report_spec_findings(
            vec![array_struct::legacy_notice(Default::default())],
            Protocol::ArrayStruct,
        );
        // Only an unnamed capsule is a valid `__array_struct__`; the spec reports the rest.
        if matches!(value.kind, ValueKind::Capsule(None)) {
            if let Ok(capsule) = descriptor.downcast_into::<PyCapsule>() {
                self.struct_capsule = Some(capsule);
            }
        }
    }

    fn read_dlpack(&mut self) {
        if let Some(result) = self.call("__dlpack_device__", (), None) {
            match result {
                Ok(device) => {
                    let value = to_value(&device);
                    self.validate(&value, Protocol::DlpackDevice);
                    if let Some([device_type, device_id]) = value.as_sequence() {
                        if let (Some(device_type), Some(device_id)) =
                            (device_type.as_int(), device_id.as_int())
                        {
                            self.dlpack_device = i64::try_from(device_type)
                                .ok()
                                .zip(i64::try_from(device_id).ok());
                        }
                    }
                }
                Err(error) => {
                    let message = format!("`__dlpack_device__()` raised {}", self.describe(&error));
                    self.report(Rule::GetterRaises, message, "__dlpack_device__", "");
                }
            }
        }

        let Some(result) = self.call("__dlpack__", (), None) else {
            return;
        };
        // One root cause: a producer that cannot export a good capsule is not asked again.
        if !self.take_dlpack_result(result, "__dlpack__()", &["dltensor"]) {
            return;
        }
        self.check_stream_rules();
        let kwargs = PyDict::new(self.py);
        if kwargs.set_item("max_version", (1, 0)).is_err() {
            return;
        }
        if let Some(result) = self.call("__dlpack__", (), Some(&kwargs)) {
            match result {
                Err(error) if error.is_instance_of::<PyTypeError>(self.py) => {
                    let message = format!(
                        "`__dlpack__(max_version=(1, 0))` raised {}: the producer predates DLPack 1.0 (consumers fall back to the unversioned call)",
                        self.describe(&error)
                    );
                    self.report_info(Rule::GetterRaises, message, "__dlpack__");
                }
                result => {
                    self.take_dlpack_result(
                        result,
                        "__dlpack__(max_version=(1, 0))",
                        &["dltensor_versioned", "dltensor"],
                    );
                }
            }
        }
    }

    /// AL405 live: a CPU producer must refuse `stream=1`, a CUDA producer `stream=0`
    /// (stream 0 is ambiguous in CUDA: the legacy or the per-thread default stream).
    fn check_stream_rules(&mut self) {
        if !self.rules.contains(Rule::DlpackStreamRules) {
            return;
        }
        let (stream, producer) = match self.dlpack_device {
            Some((1, _)) => (1, "a CPU producer (`__dlpack_device__()` says kDLCPU)"),
            Some((2 | 13, _)) => (0, "a CUDA producer"),
            _ => return,
        };
        let kwargs = PyDict::new(self.py);
        if kwargs.set_item("stream", stream).is_err() {
            return;
        }
        let call = format!("__dlpack__(stream={stream})");
        match self.call("__dlpack__", (), Some(&kwargs)) {
            Some(Ok(_)) => {
                let must = if stream == 1 {
                    "a CPU producer has no streams, so any stream other than None"
                } else {
                    "stream 0 is ambiguous in CUDA and"
                };
                let message = format!(
                    "{producer} accepted `{call}`: {must} must be refused (raise BufferError, ValueError, TypeError or RuntimeError)"
                );
                self.report(Rule::DlpackStreamRules, message, "__dlpack__", "");
            }
            // Raising is refusing, unless the exception shows a bug in the method.
            Some(Err(error)) if self.classify(&error) == Raised::Bug => {
                let message = format!(
                    "`{call}` raised {}, which shows a bug, instead of refusing the stream with BufferError, ValueError, TypeError or RuntimeError",
                    self.describe(&error)
                );
                self.report(Rule::GetterRaises, message, "__dlpack__", "");
            }
            Some(Err(_)) | None => {}
        }
    }

    /// Check a `__dlpack__` result's capsule name; keep a good capsule for decoding (and
    /// say whether there was one). The capsule is never consumed: dropping it runs the
    /// producer's own destructor.
    fn take_dlpack_result(
        &mut self,
        result: Result<Bound<'py, PyAny>, PyErr>,
        call: &'static str,
        accepted: &[&str],
    ) -> bool {
        let value = match result {
            Ok(value) => value,
            // BufferError is DLPack's way to refuse an export (read-only data, ...).
            Err(error) if error.is_instance_of::<PyBufferError>(self.py) => return false,
            // pyarrow refuses nulls and strings with ArrowTypeError: info.
            Err(error) => {
                self.report_raise(&error, call, "__dlpack__", "");
                return false;
            }
        };
        let expected = accepted
            .iter()
            .map(|name| format!("`{name}`"))
            .collect::<Vec<_>>()
            .join(" or ");
        let capsule = match value.downcast::<PyCapsule>() {
            Ok(capsule) => capsule.clone(),
            Err(_) => {
                let message = format!(
                    "`{call}` returned {}, not a capsule named {expected}",
                    type_name(&value)
                );
                self.report(Rule::DlpackCapsuleInvalid, message, "__dlpack__", "");
                return false;
            }
        };
        let name = capsule
            .name()
            .ok()
            .flatten()
            .map(|name| name.to_string_lossy().into_owned());
        match name {
            Some(name) if accepted.contains(&name.as_str()) => {
                self.dlpack_capsules.push((capsule, call));
                true
            }
            other => {
                let shown = other.map_or("an unnamed capsule".to_string(), |name| {
                    format!("a capsule named `{name}`")
                });
                let message = format!("`{call}` returned {shown}, expected {expected}");
                self.report(Rule::DlpackCapsuleInvalid, message, "__dlpack__", "");
                false
            }
        }
    }

    fn call_array_method(&mut self) {
        let Some(plain) = self.call("__array__", (), None) else {
            return;
        };
        let plain = match plain {
            Ok(plain) => plain,
            // TypeError from the plain call is a deliberate refusal of implicit conversion
            // to NumPy (CuPy and PyTorch do it for device data), ValueError one of data
            // NumPy cannot hold (ragged awkward arrays): info. A signature that does not take
            // the plain call, or any other exception, is AL908.
            Err(error) => {
                self.report_raise(&error, "__array__()", "__array__", "");
                return;
            }
        };
        if !self.is_ndarray(&plain, "__array__()") {
            return;
        }
        self.array_results.plain = Some(plain.clone());

        if let Ok(dtype) = plain.getattr(intern!(self.py, "dtype")) {
            match self.call("__array__", (dtype,), None) {
                Some(Ok(result)) => {
                    self.is_ndarray(&result, "__array__(dtype)");
                }
                Some(Err(error)) => self.report_raise(
                    &error,
                    "__array__(dtype)",
                    "__array__",
                    " (with the array's own dtype, passed positionally as NumPy does)",
                ),
                None => {}
            }
        }

        for copy in [true, false] {
            let kwargs = PyDict::new(self.py);
            if kwargs.set_item("copy", copy).is_err() {
                return;
            }
            let call = if copy {
                "__array__(copy=True)"
            } else {
                "__array__(copy=False)"
            };
            match self.call("__array__", (), Some(&kwargs)) {
                Some(Ok(result)) => {
                    if !self.is_ndarray(&result, call) {
                        continue;
                    }
                    if copy {
                        self.array_results.copy_true = Some(result);
                    } else {
                        self.array_results.copy_false = Some(result);
                        if let Some(Ok(again)) = self.call("__array__", (), Some(&kwargs)) {
                            self.array_results.copy_false_again = Some(again);
                        }
                    }
                }
                // copy=False may refuse with ValueError when a copy cannot be avoided.
                Some(Err(error)) if !copy && error.is_instance_of::<PyValueError>(self.py) => {}
                // NumPy never calls `__array__` on its own scalars (it reads them directly),
                // so their `__array__` without `copy=` is no bug of theirs: info.
                Some(Err(error))
                    if self.classify(&error) == Raised::SignatureError
                        && self.is_numpy_scalar() =>
                {
                    let message = format!(
                        "`{call}` raised {}: NumPy's own scalar types do not take `copy=`, and NumPy never calls `__array__` on them",
                        self.describe(&error)
                    );
                    self.report_info(Rule::GetterRaises, message, "__array__");
                }
                Some(Err(error)) => {
                    self.report_raise(&error, call, "__array__", " (NumPy 2 passes `copy=`)")
                }
                None => {}
            }
        }
    }

    /// AL105 unless `value` is a `numpy.ndarray` (or subclass).
    fn is_ndarray(&mut self, value: &Bound<'py, PyAny>, call: &str) -> bool {
        let ndarray = self
            .py
            .import(intern!(self.py, "sys"))
            .and_then(|sys| sys.getattr(intern!(self.py, "modules")))
            .and_then(|modules| modules.get_item("numpy"))
            .and_then(|numpy| numpy.getattr(intern!(self.py, "ndarray")));
        let is_array = match ndarray {
            Ok(ndarray) => value.is_instance(&ndarray).unwrap_or(false),
            // NumPy not even imported: nothing can be an ndarray.
            Err(_) => false,
        };
        if !is_array {
            let message = format!(
                "`{call}` returned {}, not a numpy.ndarray",
                type_name(value)
            );
            self.report(Rule::ArrayReturnsNonNdarray, message, "__array__", "");
        }
        is_array
    }
}

/// A host array's own view of its memory, read through its `__array_interface__` (an
/// `__array__` result, a NumPy array found as an owner); `None` where it has none or the
/// data is not a `(pointer, readonly)` pair.
pub(super) fn interface_view(
    py: Python<'_>,
    obj: &Bound<'_, PyAny>,
    protocol: String,
) -> Option<DataView> {
    let descriptor = obj.getattr(intern!(py, "__array_interface__")).ok()?;
    let fields = interface_fields(&to_value(&descriptor))?;
    let DataField::Pointer { address, readonly } = fields.data else {
        return None;
    };
    Some(DataView {
        protocol,
        pointer: address,
        shape: fields.shape,
        strides: fields.strides,
        dtype: fields.dtype,
        readonly: Some(readonly),
        location: Location::Host,
    })
}

/// The bytes a buffer covers. `len` is the exporter's own count of bytes; the strided
/// extent is used when shape and strides say more (a non-contiguous view).
fn buffer_extent(facts: &BufferFacts) -> Option<Extent> {
    if facts.strides.len() == facts.shape.len() && !facts.shape.is_empty() {
        if let Ok(extent) = arraylint::verify::extent::byte_extent(
            facts.pointer,
            &facts.shape,
            Some(&facts.strides),
            facts.itemsize.max(1),
        ) {
            return Some(extent);
        }
    }
    let end = facts.pointer.checked_add(facts.len)?;
    Some(Extent {
        start: facts.pointer,
        end,
    })
}
