//! Verify one live object: read each protocol it exposes once, keep every result alive while
//! checking, then read the process's mappings and judge. The verdicts themselves live in
//! `arraylint::verify` and `arraylint::descriptor`; this file only gathers facts.

use arraylint::descriptor::array_struct::{self, ArrayStructFields};
use arraylint::descriptor::{self, Context, Protocol};
use arraylint::diagnostic::Severity;
use arraylint::registry::Rule;
use arraylint::value::{Value, ValueKind};
use arraylint::verify::checks::{self, OwnerBuffer, StreamHandle, Verdict};
use arraylint::verify::extent::{Extent, ExtentError};
use arraylint::verify::maps::MemoryMap;
use arraylint::verify::memory::{field_i32, field_u32, field_u64, read_i64_array, read_own_memory};
use arraylint::verify::report::LiveFinding;
use arraylint::verify::view::{interface_fields, DType, DataField, DataView, Location};
use pyo3::exceptions::{PyAttributeError, PyBufferError, PyTypeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyCapsuleMethods, PyDict, PyTuple};

use crate::buffer::{read_buffer, BufferFacts, BufferRead};
use crate::convert::{to_value, type_name};
use crate::cuda;

/// How far a `base` chain is followed (NumPy collapses chains, so real ones are short).
const MAX_BASE_DEPTH: usize = 32;
/// Attributes of an object scanned for buffer exporters it holds.
const MAX_HELD_ATTRIBUTES: usize = 64;
/// `PyArrayInterface` on a 64-bit platform: two, nd, typekind, itemsize, flags, shape,
/// strides, data, descr.
const ARRAY_STRUCT_SIZE: usize = 56;
/// `DLTensor`: data, device (type, id), ndim, dtype (code, bits, lanes), shape, strides,
/// byte_offset.
const DLTENSOR_SIZE: usize = 48;
/// `DLManagedTensorVersioned`: version, manager_ctx, deleter, flags, then the `DLTensor`.
const DLTENSOR_VERSIONED_HEADER: usize = 32;
const NPY_ARRAY_WRITEABLE: i32 = 0x0400;
const DLPACK_FLAG_READ_ONLY: u64 = 1;

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
    array_results: ArrayResults<'py>,
}

#[derive(Default)]
struct ArrayResults<'py> {
    plain: Option<Bound<'py, PyAny>>,
    copy_true: Option<Bound<'py, PyAny>>,
    copy_false: Option<Bound<'py, PyAny>>,
    copy_false_again: Option<Bound<'py, PyAny>>,
}

impl<'py> Verifier<'py> {
    pub fn new(obj: Bound<'py, PyAny>, name: String) -> Self {
        Verifier {
            py: obj.py(),
            obj,
            name,
            findings: Vec::new(),
            keep_alive: Vec::new(),
            struct_capsule: None,
            dlpack_capsules: Vec::new(),
            dlpack_device: None,
            exports_buffer: false,
            owners: Vec::new(),
            views: Vec::new(),
            array_results: ArrayResults::default(),
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
        // The mappings are read after every getter ran and while every result is alive.
        match MemoryMap::of_this_process() {
            Ok(map) => self.judge(Some(&map)),
            // Off Linux there is no /proc/self/maps: the memory checks are skipped.
            Err(_) => self.judge(None),
        }
        drop(self.keep_alive);
        self.findings
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

    // ---- owners -------------------------------------------------------------------------

    /// Buffers that may own the memory: the `base` chain and buffer exporters held in the
    /// object's attributes (and their `base` chains).
    fn gather_owners(&mut self) {
        self.follow_base_chain(self.obj.clone(), "the object");
        let Ok(attributes) = self.obj.getattr(intern!(self.py, "__dict__")) else {
            return;
        };
        let Ok(attributes) = attributes.downcast_into::<PyDict>() else {
            return;
        };
        for (key, value) in attributes.iter().take(MAX_HELD_ATTRIBUTES) {
            let label = format!("attribute `{key}`");
            if let BufferRead::Exported(facts) = read_buffer(&value) {
                self.add_owner(&label, &facts);
            }
            self.keep_alive.push(value.clone());
            self.follow_base_chain(value, &label);
        }
    }

    fn follow_base_chain(&mut self, start: Bound<'py, PyAny>, label: &str) {
        let mut current = start;
        let mut description = label.to_string();
        for _ in 0..MAX_BASE_DEPTH {
            let Ok(base) = current.getattr(intern!(self.py, "base")) else {
                break;
            };
            if base.is_none() || base.is(&current) {
                break;
            }
            description = format!("{description}'s `base` ({})", type_name(&base));
            if let BufferRead::Exported(facts) = read_buffer(&base) {
                self.add_owner(&description, &facts);
            }
            self.keep_alive.push(base.clone());
            current = base;
        }
    }

    fn add_owner(&mut self, description: &str, facts: &BufferFacts) {
        if let Some(extent) = buffer_extent(facts) {
            self.owners.push(OwnerBuffer {
                description: description.to_string(),
                extent,
                readonly: facts.readonly,
            });
        }
    }

    // ---- descriptors --------------------------------------------------------------------

    fn read_array_interface(&mut self) {
        let name = "__array_interface__";
        let Read::Got(descriptor) = self.read_attribute(name) else {
            return;
        };
        let value = to_value(&descriptor);
        self.validate(&value, Protocol::ArrayInterface);
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

    fn read_buffer_protocol(&mut self) {
        match read_buffer(&self.obj) {
            BufferRead::NotExported => {}
            BufferRead::Raised(error) => {
                let message = format!(
                    "requesting the object's buffer raised {}",
                    self.describe(&error)
                );
                self.report(Rule::GetterRaises, message, "__buffer__", "");
            }
            BufferRead::Exported(facts) => {
                self.exports_buffer = true;
                let strides =
                    (facts.strides.len() == facts.shape.len()).then(|| facts.strides.clone());
                self.views.push(Gathered {
                    view: DataView {
                        protocol: "the buffer protocol".to_string(),
                        pointer: facts.pointer,
                        shape: facts.shape,
                        strides,
                        dtype: DType {
                            kind: None,
                            itemsize: facts.itemsize,
                        },
                        readonly: Some(facts.readonly),
                        location: Location::Host,
                    },
                    owner: None,
                    path: String::new(),
                    stream: None,
                });
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
        let failed = result.is_err();
        self.take_dlpack_result(result, "__dlpack__()", &["dltensor"]);
        // One root cause: a producer that cannot export at all is not asked again.
        if failed {
            return;
        }
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
                    self.findings.push(
                        LiveFinding::new(
                            Rule::GetterRaises,
                            message,
                            self.name.clone(),
                            "__dlpack__",
                            "",
                        )
                        .with_severity(Severity::Info),
                    );
                }
                result => self.take_dlpack_result(
                    result,
                    "__dlpack__(max_version=(1, 0))",
                    &["dltensor_versioned", "dltensor"],
                ),
            }
        }
    }

    /// Check a `__dlpack__` result's capsule name; keep a good capsule for decoding. The
    /// capsule is never consumed: dropping it runs the producer's own destructor.
    fn take_dlpack_result(
        &mut self,
        result: Result<Bound<'py, PyAny>, PyErr>,
        call: &'static str,
        accepted: &[&str],
    ) {
        let value = match result {
            Ok(value) => value,
            // BufferError is DLPack's way to refuse an export (read-only data, ...).
            Err(error) if error.is_instance_of::<PyBufferError>(self.py) => return,
            Err(error) => {
                let message = format!("`{call}` raised {}", self.describe(&error));
                self.report(Rule::GetterRaises, message, "__dlpack__", "");
                return;
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
                return;
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
            }
            other => {
                let shown = other.map_or("an unnamed capsule".to_string(), |name| {
                    format!("a capsule named `{name}`")
                });
                let message = format!("`{call}` returned {shown}, expected {expected}");
                self.report(Rule::DlpackCapsuleInvalid, message, "__dlpack__", "");
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
            // to NumPy (CuPy and PyTorch do it for device data): "not available", info.
            Err(error) if error.is_instance_of::<PyTypeError>(self.py) => {
                let message = format!(
                    "`__array__()` refuses conversion to NumPy: {}",
                    self.describe(&error)
                );
                self.findings.push(
                    LiveFinding::new(
                        Rule::GetterRaises,
                        message,
                        self.name.clone(),
                        "__array__",
                        "",
                    )
                    .with_severity(Severity::Info),
                );
                return;
            }
            Err(error) => {
                let message = format!("`__array__()` raised {}", self.describe(&error));
                self.report(Rule::GetterRaises, message, "__array__", "");
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
                Some(Err(error)) => {
                    let message = format!(
                        "`__array__(dtype)` with the array's own dtype, passed positionally as NumPy does, raised {}",
                        self.describe(&error)
                    );
                    self.report(Rule::GetterRaises, message, "__array__", "");
                }
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
                Some(Err(error)) => {
                    let hint = if error.is_instance_of::<PyTypeError>(self.py) {
                        " (NumPy 2 passes `copy=`)"
                    } else {
                        ""
                    };
                    let message = format!("`{call}` raised {}{hint}", self.describe(&error));
                    self.report(Rule::GetterRaises, message, "__array__", "");
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

    // ---- judging ------------------------------------------------------------------------

    fn judge(&mut self, map: Option<&MemoryMap>) {
        if let Some(map) = map {
            self.decode_array_struct(map);
            self.decode_dlpack(map);
        }
        // The most authoritative protocol first: it is the one memory is checked on and
        // the others are compared with.
        self.views
            .sort_by_key(|gathered| protocol_rank(&gathered.view.protocol));
        let array_views = self.array_views();

        // Host memory checks on the first host view (the most authoritative protocol).
        if let Some(map) = map {
            if let Some(index) = self
                .views
                .iter()
                .position(|g| g.view.location == Location::Host)
            {
                let gathered = &self.views[index];
                let mut owners = self.owners.clone();
                owners.extend(gathered.owner.clone());
                let (protocol, path) = (gathered.view.protocol.clone(), gathered.path.clone());
                let verdicts = match gathered.view.extent() {
                    Ok(extent) => checks::check_host_memory(&gathered.view, &extent, map, &owners),
                    Err(ExtentError::Overflow) => vec![(
                        Rule::ExtentExceedsBuffer,
                        format!("{protocol}'s byte extent does not fit in the address space"),
                    )],
                    // Negative dimensions and the like are the descriptor spec's findings.
                    Err(_) => Vec::new(),
                };
                self.report_verdicts(verdicts, &protocol, &path);
            }
        }

        self.judge_device(map);

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
        let mut verdicts = checks::check_agreement(&views);
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

    fn judge_device(&mut self, map: Option<&MemoryMap>) {
        let Some(index) = self
            .views
            .iter()
            .position(|g| g.view.location == Location::Cuda)
        else {
            return;
        };
        if let Err(reason) = cuda::driver_ready() {
            let message = format!("device checks skipped: {reason}");
            self.findings.push(
                LiveFinding::new(
                    Rule::DeviceChecksSkipped,
                    message,
                    self.name.clone(),
                    self.views[index].view.protocol.clone(),
                    "",
                )
                .with_severity(Severity::Info),
            );
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
        if !extent.is_empty() {
            match cuda::pointer_info(view.pointer) {
                Ok(answer) => {
                    let verdicts = checks::check_device_memory(&view, &extent, answer);
                    self.report_verdicts(verdicts, &protocol, &path);
                }
                Err(reason) => {
                    let message = format!("device checks skipped: {reason}");
                    self.findings.push(
                        LiveFinding::new(
                            Rule::DeviceChecksSkipped,
                            message,
                            self.name.clone(),
                            protocol.clone(),
                            "",
                        )
                        .with_severity(Severity::Info),
                    );
                }
            }
        }
        // 0 and non-int streams are the spec's (AL301, AL302).
        if let (Some(stream), Some(map)) = (stream.filter(|&stream| stream != 0), map) {
            if let StreamHandle::NotAStream(message) = checks::classify_stream(stream, map) {
                self.report(Rule::CaiStreamInvalid, message, &protocol, "stream");
            }
        }
    }

    fn decode_array_struct(&mut self, map: &MemoryMap) {
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
        let Some(two) = read_own_memory(pointer, 4, map).and_then(|bytes| field_i32(&bytes, 0))
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
        let Some(bytes) = read_own_memory(pointer, ARRAY_STRUCT_SIZE, map) else {
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
        let Some(shape) = read_i64_array(shape_pointer, nd, map) else {
            let message = format!("`shape` pointer {shape_pointer:#x} is not readable memory");
            self.report(Rule::ArrayStructInvalid, message, protocol, "shape");
            return;
        };
        let strides = if strides_pointer == 0 {
            None
        } else {
            let Some(strides) = read_i64_array(strides_pointer, nd, map) else {
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

    fn decode_dlpack(&mut self, map: &MemoryMap) {
        for (capsule, call) in std::mem::take(&mut self.dlpack_capsules) {
            let versioned = capsule
                .name()
                .ok()
                .flatten()
                .is_some_and(|name| name.to_bytes() == b"dltensor_versioned");
            let pointer = capsule.pointer() as u64;
            let (tensor_at, readonly) = if versioned {
                let Some(header) = read_own_memory(pointer, DLTENSOR_VERSIONED_HEADER, map) else {
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
            let Some(tensor) = read_own_memory(tensor_at, DLTENSOR_SIZE, map) else {
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
            let Some(shape) = read_i64_array(shape_pointer, ndim, map) else {
                let message = format!(
                    "the capsule from `{call}` has an unreadable shape pointer {shape_pointer:#x}"
                );
                self.report(Rule::DlpackCapsuleInvalid, message, "__dlpack__", "");
                continue;
            };
            let strides = if strides_pointer == 0 {
                None
            } else {
                let Some(strides) = read_i64_array(strides_pointer, ndim, map) else {
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

    /// The `__array__` results as views, through their own `__array_interface__`.
    fn array_views(&self) -> ArrayViews {
        let view_of = |result: &Option<Bound<'py, PyAny>>, call: &str| -> Option<DataView> {
            let result = result.as_ref()?;
            let descriptor = result
                .getattr(intern!(self.py, "__array_interface__"))
                .ok()?;
            let fields = interface_fields(&to_value(&descriptor))?;
            let DataField::Pointer { address, readonly } = fields.data else {
                return None;
            };
            Some(DataView {
                protocol: format!("`{call}`"),
                pointer: address,
                shape: fields.shape,
                strides: fields.strides,
                dtype: fields.dtype,
                readonly: Some(readonly),
                location: Location::Host,
            })
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
        "the buffer protocol" => 2,
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
