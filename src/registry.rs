//! The rule registry: every code arraylint can report, with its name, default severity,
//! mode, fix availability, the byte needles the pre-filter looks for, and its page.
//!
//! Codes are stable (see `rules/` and RULES.md). The page text is compiled in, so
//! `arraylint rule CODE` works from an installed binary.

use crate::diagnostic::Severity;

/// Where a rule is found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Found by reading the source (`check`).
    Static,
    /// Found on live objects (`verify`).
    Dynamic,
    /// One check both modes run.
    Both,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Static => "static",
            Mode::Dynamic => "dynamic",
            Mode::Both => "static and dynamic",
        }
    }
    pub fn is_static(self) -> bool {
        matches!(self, Mode::Static | Mode::Both)
    }
}

/// Whether a rule offers a fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixAvailability {
    None,
    Sometimes,
    Always,
}

macro_rules! rules {
    ($( $variant:ident = ($code:literal, $name:literal, $sev:ident, $mode:ident, $fix:ident, [$($needle:literal),*], $summary:literal); )*) => {
        /// Every rule, by its code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[repr(u8)]
        pub enum Rule { $( $variant, )* }

        impl Rule {
            pub const ALL: &'static [Rule] = &[ $( Rule::$variant, )* ];

            pub fn code(self) -> &'static str {
                match self { $( Rule::$variant => $code, )* }
            }
            /// The kebab-case name, e.g. `array-missing-copy`.
            pub fn name(self) -> &'static str {
                match self { $( Rule::$variant => $name, )* }
            }
            pub fn severity(self) -> Severity {
                match self { $( Rule::$variant => Severity::$sev, )* }
            }
            pub fn mode(self) -> Mode {
                match self { $( Rule::$variant => Mode::$mode, )* }
            }
            pub fn fix_availability(self) -> FixAvailability {
                match self { $( Rule::$variant => FixAvailability::$fix, )* }
            }
            /// Byte strings of which at least one must occur in a file for this rule to be
            /// able to fire there. Empty for rules that are not found by parsing a file.
            pub fn needles(self) -> &'static [&'static str] {
                match self { $( Rule::$variant => &[$($needle),*], )* }
            }
            /// One line, as in the rule table.
            pub fn summary(self) -> &'static str {
                match self { $( Rule::$variant => $summary, )* }
            }
            /// The rule's page (Markdown), from `rules/CODE.md`.
            pub fn page(self) -> &'static str {
                match self { $( Rule::$variant => include_str!(concat!("../rules/", $code, ".md")), )* }
            }
        }
    };
}

rules! {
    SyntaxError = ("AL001", "syntax-error", Error, Static, None, [], "The file does not parse.");
    IoError = ("AL002", "io-error", Error, Static, None, [], "The file cannot be read or is not valid UTF-8.");

    ArrayMissingCopy = ("AL101", "array-missing-copy", Error, Static, Sometimes, ["__array__"], "`__array__` has no `copy` parameter that can be passed by keyword.");
    ArrayMissingDtype = ("AL102", "array-missing-dtype", Error, Static, Sometimes, ["__array__"], "`__array__` takes no `dtype` parameter.");
    ArrayDtypeKeywordOnly = ("AL103", "array-dtype-keyword-only", Error, Static, None, ["__array__"], "`__array__`'s `dtype` is keyword-only; NumPy passes it positionally.");
    ArrayCopyIgnored = ("AL104", "array-copy-ignored", Warning, Static, None, ["__array__"], "`__array__` accepts `copy` but never reads it.");
    ArrayReturnsNonNdarray = ("AL105", "array-returns-non-ndarray", Error, Both, None, ["__array__"], "`__array__` returns something that is not an ndarray.");
    ArrayNotAMethod = ("AL106", "array-not-a-method", Error, Static, None, ["__array__"], "`__array__` is not a plain method.");
    ArrayCopySemantics = ("AL107", "array-copy-semantics", Error, Dynamic, None, [], "Live `__array__` does not honour `copy=False` / `copy=True`.");

    InterfaceNotProperty = ("AL201", "interface-not-property", Error, Static, Sometimes, ["__array_interface__", "__cuda_array_interface__", "__array_struct__"], "A descriptor is defined with `def` but without `@property`.");
    InterfaceNotDict = ("AL202", "interface-not-dict", Error, Both, None, ["__array_interface__", "__cuda_array_interface__"], "The descriptor is not a dict.");
    InterfaceMissingKey = ("AL203", "interface-missing-key", Error, Both, None, ["__array_interface__", "__cuda_array_interface__"], "A required key is missing from the descriptor.");
    InterfaceUnknownKey = ("AL204", "interface-unknown-key", Warning, Both, None, ["__array_interface__", "__cuda_array_interface__"], "A key outside the spec.");
    InterfaceBadVersion = ("AL205", "interface-bad-version", Warning, Both, None, ["__array_interface__", "__cuda_array_interface__"], "`version` is not an int or out of range.");
    InterfaceShapeInvalid = ("AL206", "interface-shape-invalid", Error, Both, None, ["__array_interface__", "__cuda_array_interface__"], "`shape` is not a tuple of non-negative ints.");
    InterfaceBadTypestr = ("AL207", "interface-bad-typestr", Error, Both, None, ["__array_interface__", "__cuda_array_interface__"], "`typestr` does not follow the typestr grammar.");
    InterfaceBadData = ("AL208", "interface-bad-data", Error, Both, None, ["__array_interface__", "__cuda_array_interface__"], "`data` is not a `(pointer, readonly)` 2-tuple.");
    InterfaceStridesInvalid = ("AL209", "interface-strides-invalid", Error, Both, None, ["__array_interface__", "__cuda_array_interface__"], "`strides` is neither `None` nor a tuple of ints matching `shape`.");
    InterfaceStridesNotBytes = ("AL210", "interface-strides-not-bytes", Error, Both, None, ["__array_interface__", "__cuda_array_interface__"], "A stride is not a multiple of the item size.");
    InterfaceDescrMismatch = ("AL211", "interface-descr-mismatch", Error, Both, None, ["__array_interface__", "__cuda_array_interface__"], "`descr` is malformed or disagrees with `typestr`.");
    InterfaceNullData = ("AL212", "interface-null-data", Error, Both, None, ["__array_interface__", "__cuda_array_interface__"], "NULL data with elements, or a non-NULL CAI pointer for an empty array.");
    InterfaceMaskUnsupported = ("AL213", "interface-mask-unsupported", Error, Both, None, ["__array_interface__", "__cuda_array_interface__"], "`mask` is not `None`.");
    InterfaceOffsetIgnored = ("AL214", "interface-offset-ignored", Error, Both, None, ["__array_interface__"], "`offset` given with a tuple `data` is ignored.");
    InterfaceGetterWrongException = ("AL215", "interface-getter-wrong-exception", Error, Static, None, ["__array_interface__", "__cuda_array_interface__", "__array_struct__"], "The getter refuses with an exception other than `AttributeError`.");
    InterfaceDanglingPointer = ("AL216", "interface-dangling-pointer", Error, Static, None, ["__array_interface__", "__cuda_array_interface__"], "The data pointer comes from a temporary that is freed when the getter returns.");
    ArrayStructInvalid = ("AL217", "array-struct-invalid", Error, Both, None, ["__array_struct__"], "`__array_struct__` is not a valid `PyArrayInterface` capsule (or is legacy).");

    CaiStreamZero = ("AL301", "cai-stream-zero", Error, Both, None, ["__cuda_array_interface__"], "CAI `stream` is 0.");
    CaiStreamInvalidType = ("AL302", "cai-stream-invalid-type", Error, Both, None, ["__cuda_array_interface__"], "CAI `stream` is neither `None` nor an int.");
    CaiStreamWithoutV3 = ("AL303", "cai-stream-without-v3", Warning, Both, None, ["__cuda_array_interface__"], "CAI `stream` with a version below 3, or version 3 without `stream`.");
    CaiBigEndian = ("AL304", "cai-big-endian", Error, Both, None, ["__cuda_array_interface__"], "Big-endian CAI typestr.");
    CaiCpuExported = ("AL305", "cai-cpu-exported", Warning, Static, None, ["__cuda_array_interface__"], "The CAI getter does not refuse host data.");

    DlpackSignature = ("AL401", "dlpack-signature", Error, Static, Sometimes, ["__dlpack__"], "`__dlpack__` lacks keyword-only `stream`, `max_version`, `dl_device`, `copy`.");
    DlpackMissingPair = ("AL402", "dlpack-missing-pair", Error, Static, None, ["__dlpack"], "`__dlpack__` without `__dlpack_device__`, or the reverse.");
    DlpackDeviceInvalid = ("AL403", "dlpack-device-invalid", Error, Both, None, ["__dlpack_device__"], "`__dlpack_device__` does not return a valid `(device_type, device_id)`.");
    DlpackCapsuleInvalid = ("AL404", "dlpack-capsule-invalid", Error, Dynamic, None, [], "`__dlpack__()` returned a wrong capsule.");
    DlpackStreamRules = ("AL405", "dlpack-stream-rules", Warning, Both, None, ["__dlpack__"], "A CPU producer accepts a stream, or a CUDA producer accepts stream 0.");

    ArrayWrapSignature = ("AL501", "array-wrap-signature", Error, Static, Sometimes, ["__array_wrap__"], "`__array_wrap__` does not accept `(arr, context=None, return_scalar=False)`.");
    ArrayPrepareRemoved = ("AL502", "array-prepare-removed", Warning, Static, None, ["__array_prepare__"], "`__array_prepare__` was removed in NumPy 2.0.");
    ArrayFinalizeSignature = ("AL503", "array-finalize-signature", Error, Static, None, ["__array_finalize__"], "`__array_finalize__` is not `(self, obj)`.");
    ArrayPriorityNotNumber = ("AL504", "array-priority-not-number", Error, Static, None, ["__array_priority__"], "`__array_priority__` is not a number.");
    ArrayUfuncSignature = ("AL505", "array-ufunc-signature", Error, Static, None, ["__array_ufunc__"], "`__array_ufunc__` is not `(self, ufunc, method, *inputs, **kwargs)`.");
    ArrayFunctionSignature = ("AL506", "array-function-signature", Error, Static, None, ["__array_function__"], "`__array_function__` is not `(self, func, types, args, kwargs)`.");
    OverrideRaisesNotImplemented = ("AL507", "override-raises-notimplemented", Error, Static, None, ["__array_ufunc__", "__array_function__"], "An override raises `NotImplementedError` instead of returning `NotImplemented`.");
    ArrayNamespaceSignature = ("AL508", "array-namespace-signature", Error, Static, None, ["__array_namespace__"], "`__array_namespace__` is not `(self, /, *, api_version=None)`.");
    BufferSignature = ("AL509", "buffer-signature", Error, Static, None, ["__buffer__", "__release_buffer__"], "`__buffer__` / `__release_buffer__` signature differs from PEP 688.");
    BufferNotMemoryview = ("AL510", "buffer-not-memoryview", Error, Static, None, ["__buffer__"], "`__buffer__` returns something that is not a memoryview.");

    InterfaceCalled = ("AL601", "interface-called", Error, Static, None, ["__array_interface__", "__cuda_array_interface__", "__array_struct__"], "A descriptor attribute is called like a method.");
    NumpyCopyFalse = ("AL602", "numpy-copy-false", Warning, Static, Sometimes, ["copy"], "`np.array(x, copy=False)` raises in NumPy 2 when a copy is needed.");

    GetbufferObjNotSet = ("AL701", "getbuffer-obj-not-set", Error, Both, None, ["__getbuffer__"], "A success path of `__getbuffer__` never sets `buffer.obj`.");
    GetbufferWritableNotRefused = ("AL702", "getbuffer-writable-not-refused", Error, Both, None, ["__getbuffer__"], "A read-only export does not refuse `PyBUF_WRITABLE` with `BufferError`.");
    GetbufferDanglingMetadata = ("AL703", "getbuffer-dangling-metadata", Error, Static, None, ["__getbuffer__"], "A `Py_buffer` field points into something that dies when `__getbuffer__` returns.");
    GetbufferLenMismatch = ("AL704", "getbuffer-len-mismatch", Error, Both, None, ["__getbuffer__"], "`len` disagrees with the product of `shape` and `itemsize`.");
    GetbufferFormatMissing = ("AL705", "getbuffer-format-missing", Error, Both, None, ["__getbuffer__"], "`itemsize` is not 1 but `format` is NULL (unsigned bytes).");
    GetbufferExportsNotCounted = ("AL706", "getbuffer-exports-not-counted", Warning, Static, None, ["__getbuffer__"], "The exported memory can be reallocated or freed while views of it are alive.");
    ReleasebufferFreesData = ("AL707", "releasebuffer-frees-data", Error, Static, None, ["__releasebuffer__"], "`__releasebuffer__` frees the exported data.");
    GetbufferWrongException = ("AL708", "getbuffer-wrong-exception", Error, Both, None, ["__getbuffer__"], "`__getbuffer__` refuses a request with an exception other than `BufferError`.");
    GetbufferFlagTest = ("AL709", "getbuffer-flag-test", Error, Static, Sometimes, ["__getbuffer__"], "A composite `PyBUF_*` flag tested with `flags & X` alone.");
    GetbufferNullBuf = ("AL710", "getbuffer-null-buf", Warning, Both, None, ["__getbuffer__"], "`buf` is set to NULL.");
    LegacyBufferMethod = ("AL711", "legacy-buffer-method", Warning, Static, None, ["__getreadbuffer__", "__getwritebuffer__", "__getsegcount__", "__getcharbuffer__", "__getbuffer__"], "A Python 2 buffer slot, or `__getbuffer__` outside a `cdef class`.");

    DeviceChecksSkipped = ("AL900", "device-checks-skipped", Info, Dynamic, None, [], "No CUDA driver or device: device checks were skipped.");
    HostPointerUnmapped = ("AL901", "host-pointer-unmapped", Error, Dynamic, None, [], "A data pointer is not in readable mapped memory.");
    ExtentExceedsBuffer = ("AL902", "extent-exceeds-buffer", Error, Dynamic, None, [], "The byte extent runs past the owning buffer or mapping.");
    ReadonlyMemoryExportedWritable = ("AL903", "readonly-memory-exported-writable", Error, Dynamic, None, [], "Read-only memory exported as writable.");
    CaiPointerNotDevice = ("AL904", "cai-pointer-not-device", Error, Dynamic, None, [], "A CAI pointer is not CUDA device or managed memory.");
    CaiExtentExceedsAllocation = ("AL905", "cai-extent-exceeds-allocation", Error, Dynamic, None, [], "The CAI extent runs past the allocation.");
    CaiStreamInvalid = ("AL906", "cai-stream-invalid", Error, Dynamic, None, [], "The exported stream is not a live stream.");
    ProtocolsDisagree = ("AL907", "protocols-disagree", Error, Dynamic, None, [], "The object's protocols describe different data.");
    GetterRaises = ("AL908", "getter-raises", Error, Dynamic, None, [], "Reading a descriptor or calling a protocol method raised.");
}

impl Rule {
    /// Look a rule up by its code (`AL101`), case-insensitively.
    pub fn from_code(code: &str) -> Option<Rule> {
        Rule::ALL
            .iter()
            .copied()
            .find(|rule| rule.code().eq_ignore_ascii_case(code))
    }

    /// Look a rule up by its code (`AL101`) or its name (`array-missing-copy`),
    /// case-insensitively.
    pub fn from_code_or_name(text: &str) -> Option<Rule> {
        Rule::from_code(text).or_else(|| {
            Rule::ALL
                .iter()
                .copied()
                .find(|rule| rule.name().eq_ignore_ascii_case(text))
        })
    }

    /// The URL of the rule's page.
    pub fn url(self) -> String {
        format!("{}/{}.md", crate::DOCS_BASE_URL, self.code())
    }
}

/// A set of rules, as a bit set (there are fewer than 128 rules).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct RuleSet(u128);

impl RuleSet {
    pub const fn empty() -> Self {
        RuleSet(0)
    }
    pub fn all() -> Self {
        Rule::ALL.iter().copied().collect()
    }
    pub fn contains(self, rule: Rule) -> bool {
        self.0 & (1u128 << rule as u8) != 0
    }
    pub fn insert(&mut self, rule: Rule) {
        self.0 |= 1u128 << rule as u8;
    }
    pub fn remove(&mut self, rule: Rule) {
        self.0 &= !(1u128 << rule as u8);
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    pub fn intersects(self, other: RuleSet) -> bool {
        self.0 & other.0 != 0
    }
    pub fn iter(self) -> impl Iterator<Item = Rule> {
        Rule::ALL
            .iter()
            .copied()
            .filter(move |rule| self.contains(*rule))
    }
}

impl FromIterator<Rule> for RuleSet {
    fn from_iter<I: IntoIterator<Item = Rule>>(iter: I) -> Self {
        let mut set = RuleSet::empty();
        for rule in iter {
            set.insert(rule);
        }
        set
    }
}

impl RuleSet {
    pub fn union(self, other: RuleSet) -> RuleSet {
        RuleSet(self.0 | other.0)
    }
    pub fn contains_all(self, other: RuleSet) -> bool {
        self.0 & other.0 == other.0
    }
}
