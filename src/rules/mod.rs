//! One file per rule. Each file's documentation is the rule's page (`rules/CODE.md`).
//!
//! `check_member`, `check_class` and `check_call` are the dispatch points the checker calls;
//! they route by member name so that a rule only ever sees what it is about.

use crate::checker::Checker;
use crate::model::{CallSite, ClassInfo, Member};
use crate::registry::{Rule, RuleSet};

pub mod array_copy_ignored;
pub mod array_dtype_keyword_only;
pub mod array_finalize_signature;
pub mod array_function_signature;
pub mod array_missing_copy;
pub mod array_missing_dtype;
pub mod array_namespace_signature;
pub mod array_not_a_method;
pub mod array_prepare_removed;
pub mod array_priority_not_number;
pub mod array_returns_non_ndarray;
pub mod array_ufunc_signature;
pub mod array_wrap_signature;
pub mod buffer_not_memoryview;
pub mod buffer_signature;
pub mod dlpack_device_invalid;
pub mod dlpack_missing_pair;
pub mod dlpack_signature;
pub mod dlpack_stream_rules;
pub mod interface_called;
pub mod numpy_copy_false;
pub mod override_raises_notimplemented;
pub mod syntax_error;

pub mod array_struct_invalid;
pub mod cai_big_endian;
pub mod cai_cpu_exported;
pub mod cai_stream_invalid_type;
pub mod cai_stream_without_v3;
pub mod cai_stream_zero;
pub mod descriptors;
pub mod interface_bad_data;
pub mod interface_bad_typestr;
pub mod interface_bad_version;
pub mod interface_dangling_pointer;
pub mod interface_descr_mismatch;
pub mod interface_getter_wrong_exception;
pub mod interface_mask_unsupported;
pub mod interface_missing_key;
pub mod interface_not_dict;
pub mod interface_not_property;
pub mod interface_null_data;
pub mod interface_offset_ignored;
pub mod interface_shape_invalid;
pub mod interface_strides_invalid;
pub mod interface_strides_not_bytes;
pub mod interface_unknown_key;

pub mod buffer_exporter;
pub mod getbuffer_dangling_metadata;
pub mod getbuffer_exports_not_counted;
pub mod getbuffer_flag_test;
pub mod getbuffer_format_missing;
pub mod getbuffer_len_mismatch;
pub mod getbuffer_null_buf;
pub mod getbuffer_obj_not_set;
pub mod getbuffer_writable_not_refused;
pub mod getbuffer_wrong_exception;
pub mod legacy_buffer_method;
pub mod releasebuffer_frees_data;

pub mod helpers;

pub(crate) fn check_member<'a>(
    checker: &mut Checker<'a>,
    class: &'a ClassInfo<'a>,
    member: &'a Member<'a>,
) {
    match member.name {
        "__array__" => {
            // One member, one root cause: a non-method gets AL106 only.
            if array_not_a_method::check(checker, member) {
                return;
            }
            array_missing_copy::check(checker, member);
            array_missing_dtype::check(checker, member);
            array_dtype_keyword_only::check(checker, member);
            array_copy_ignored::check(checker, member);
            array_returns_non_ndarray::check(checker, class, member);
        }
        "__dlpack__" => {
            dlpack_signature::check(checker, class, member);
            dlpack_stream_rules::check(checker, class, member);
        }
        "__dlpack_device__" => dlpack_device_invalid::check(checker, class, member),
        "__array_wrap__" => array_wrap_signature::check(checker, class, member),
        "__array_prepare__" => array_prepare_removed::check(checker, class, member),
        "__array_finalize__" => array_finalize_signature::check(checker, class, member),
        "__array_priority__" => array_priority_not_number::check(checker, member),
        "__array_ufunc__" => {
            array_ufunc_signature::check(checker, class, member);
            override_raises_notimplemented::check(checker, member);
        }
        "__array_function__" => {
            array_function_signature::check(checker, class, member);
            override_raises_notimplemented::check(checker, member);
        }
        "__array_namespace__" => array_namespace_signature::check(checker, class, member),
        "__buffer__" => {
            buffer_signature::check(checker, class, member);
            buffer_not_memoryview::check(checker, member);
        }
        "__release_buffer__" => buffer_signature::check(checker, class, member),
        "__array_interface__" | "__cuda_array_interface__" | "__array_struct__" => {
            check_descriptor(checker, class, member);
        }
        "__getbuffer__" => check_getbuffer(checker, class, member),
        "__releasebuffer__" => {
            if let Some(release) = buffer_exporter::Exporter::of(member) {
                releasebuffer_frees_data::check(checker, class, &release);
            }
        }
        name if legacy_buffer_method::LEGACY.contains(&name) => {
            legacy_buffer_method::check(checker, class, member);
        }
        _ => {}
    }
}

/// The AL7xx rules on a Cython `__getbuffer__`.
fn check_getbuffer<'a>(
    checker: &mut Checker<'a>,
    class: &'a ClassInfo<'a>,
    member: &'a Member<'a>,
) {
    // One member, one root cause: a `__getbuffer__` that fills no slot gets AL711 only.
    if legacy_buffer_method::check(checker, class, member) {
        return;
    }
    let Some(exporter) = buffer_exporter::Exporter::of(member) else {
        return;
    };
    getbuffer_obj_not_set::check(checker, member, &exporter);
    getbuffer_writable_not_refused::check(checker, &exporter);
    getbuffer_dangling_metadata::check(checker, &exporter);
    getbuffer_len_mismatch::check(checker, &exporter);
    getbuffer_format_missing::check(checker, &exporter);
    getbuffer_exports_not_counted::check(checker, class, member, &exporter);
    getbuffer_wrong_exception::check(checker, &exporter);
    getbuffer_flag_test::check(checker, &exporter);
    getbuffer_null_buf::check(checker, &exporter);
}

/// The rules that evaluate code (through `value::ModuleIndex`): a descriptor's value, what
/// `__dlpack_device__` returns (AL403, and AL405 to tell a CPU producer from a CUDA
/// one). They may follow helpers, methods, constants and stores
/// anywhere in the module; every other rule reads a protocol member's own definition.
/// `narrow` keeps what the evaluator may follow only for these (in stubs, only for
/// `EVALUATING_IN_STUBS`); `Checker::value_index` asserts (in debug builds) that no rule
/// outside the list evaluates.
pub const EVALUATING: &[Rule] = &[
    Rule::InterfaceNotProperty,
    Rule::InterfaceGetterWrongException,
    Rule::CaiCpuExported,
    Rule::DlpackDeviceInvalid,
    // A CPU or a CUDA producer: what `__dlpack_device__` returns.
    Rule::DlpackStreamRules,
];

/// `EVALUATING` and `descriptors::VALUE_RULES`, as a set.
pub fn evaluating() -> RuleSet {
    EVALUATING
        .iter()
        .chain(descriptors::VALUE_RULES)
        .copied()
        .collect()
}

/// The rules that evaluate code in a stub: there every member is a declaration, which no
/// rule evaluates, but AL405 still asks what `__dlpack_device__` returns.
pub const EVALUATING_IN_STUBS: &[Rule] = &[Rule::DlpackStreamRules];

/// The rules that evaluate code in a stub (`EVALUATING_IN_STUBS`) or in a module.
pub fn evaluating_in(stub: bool) -> RuleSet {
    if stub {
        EVALUATING_IN_STUBS.iter().copied().collect()
    } else {
        evaluating()
    }
}

/// The AL2xx/AL3xx rules on one descriptor member: the value is evaluated and validated
/// once, then each rule reports its own findings.
fn check_descriptor<'a>(
    checker: &mut Checker<'a>,
    class: &'a ClassInfo<'a>,
    member: &'a Member<'a>,
) {
    interface_not_property::check(checker, member);
    interface_getter_wrong_exception::check(checker, member);
    if member.name == "__array_struct__" {
        array_struct_invalid::check_legacy(checker, member);
    }
    if !checker.any_enabled(descriptors::VALUE_RULES) && !checker.enabled(Rule::CaiCpuExported) {
        return;
    }
    let Some(evaluated) = descriptors::evaluate(checker, class, member) else {
        return;
    };
    report_value_rules(checker, &evaluated);
    if member.name == "__cuda_array_interface__" {
        cai_cpu_exported::check(checker, class, member, &evaluated);
    }
}

/// The rules whose findings come from the descriptor's value.
fn report_value_rules(checker: &mut Checker, evaluated: &descriptors::Evaluated) {
    interface_not_dict::check(checker, evaluated);
    interface_missing_key::check(checker, evaluated);
    interface_unknown_key::check(checker, evaluated);
    interface_bad_version::check(checker, evaluated);
    interface_shape_invalid::check(checker, evaluated);
    interface_bad_typestr::check(checker, evaluated);
    interface_bad_data::check(checker, evaluated);
    interface_strides_invalid::check(checker, evaluated);
    interface_strides_not_bytes::check(checker, evaluated);
    interface_descr_mismatch::check(checker, evaluated);
    interface_null_data::check(checker, evaluated);
    interface_mask_unsupported::check(checker, evaluated);
    interface_offset_ignored::check(checker, evaluated);
    interface_dangling_pointer::check(checker, evaluated);
    array_struct_invalid::check(checker, evaluated);
    cai_stream_zero::check(checker, evaluated);
    cai_stream_invalid_type::check(checker, evaluated);
    cai_stream_without_v3::check(checker, evaluated);
    cai_big_endian::check(checker, evaluated);
}

pub(crate) fn check_class<'a>(checker: &mut Checker<'a>, class: &'a ClassInfo<'a>) {
    dlpack_missing_pair::check(checker, class);
    if checker.any_enabled(descriptors::VALUE_RULES) {
        for evaluated in descriptors::evaluate_instance_attributes(checker, class) {
            report_value_rules(checker, &evaluated);
        }
    }
}

pub(crate) fn check_call<'a>(checker: &mut Checker<'a>, call: &'a CallSite<'a>) {
    interface_called::check(checker, call);
    numpy_copy_false::check(checker, call);
}
