//! One file per rule. Each file's documentation is the rule's page (`rules/CODE.md`).
//!
//! `check_member`, `check_class` and `check_call` are the dispatch points the checker calls;
//! they route by member name so that a rule only ever sees what it is about.

use crate::checker::Checker;
use crate::model::{CallSite, ClassInfo, Member};

pub mod array_copy_ignored;
pub mod array_dtype_keyword_only;
pub mod array_missing_copy;
pub mod array_missing_dtype;
pub mod array_not_a_method;
pub mod array_returns_non_ndarray;
pub mod interface_called;
pub mod numpy_copy_false;
pub mod syntax_error;

pub mod helpers;

pub(crate) fn check_member<'a>(
    checker: &mut Checker<'a>,
    class: &'a ClassInfo<'a>,
    member: &'a Member<'a>,
) {
    #[allow(clippy::single_match)]
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
        _ => {}
    }
}

pub(crate) fn check_class<'a>(checker: &mut Checker<'a>, class: &'a ClassInfo<'a>) {
    let _ = (checker, class);
}

pub(crate) fn check_call<'a>(checker: &mut Checker<'a>, call: &'a CallSite<'a>) {
    interface_called::check(checker, call);
    numpy_copy_false::check(checker, call);
}
