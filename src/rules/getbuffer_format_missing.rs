#![doc = include_str!("../../rules/AL705.md")]

use ruff_text_size::Ranged;

use crate::checker::Checker;
use crate::diagnostic::Diagnostic;
use crate::registry::Rule;
use crate::rules::buffer_exporter::{self, Exporter};

pub fn check(checker: &mut Checker, exporter: &Exporter) {
    // Where the format depends on the request (`PyBUF_FORMAT` unasked: NULL is required).
    if buffer_exporter::mentions(&exporter.def.body, "PyBUF_FORMAT") {
        return;
    }
    let fill_infos: Vec<_> = exporter.fill_info_calls().collect();
    // A helper handed the buffer may set the format.
    if exporter.calls.iter().any(|call| {
        exporter.passes_buffer(call) && !fill_infos.iter().any(|f| std::ptr::eq(*f, *call))
    }) {
        return;
    }
    let formats: Vec<_> = exporter.stores_of("format").collect();
    if formats
        .iter()
        .any(|s| !buffer_exporter::is_null(checker, s.value))
    {
        return;
    }
    // `PyBuffer_FillInfo` sets `itemsize` to 1: only a store after the last one counts.
    let last_fill = fill_infos.iter().map(|c| c.end()).max();
    let Some(itemsize) = exporter.stores_of("itemsize").find(|s| {
        last_fill.is_none_or(|end| s.range.start() >= end)
            && buffer_exporter::known_size(checker, s.value).is_some_and(|size| size.is_not_one())
    }) else {
        return;
    };
    let written = buffer_exporter::compact(checker, buffer_exporter::strip_cast(itemsize.value));
    let buffer = exporter.buffer;
    let message = format!(
        "`{buffer}.itemsize` is `{written}` but `{buffer}.format` is NULL, which means \
         unsigned bytes (`\"B\"`): consumers read the data as bytes; set the format of the \
         items (`\"d\"`, `\"i\"`, ...) when `PyBUF_FORMAT` is asked"
    );
    let ranges: Vec<_> = if formats.is_empty() {
        vec![itemsize.range]
    } else {
        formats.iter().map(|s| s.range).collect()
    };
    for range in ranges {
        checker.report(Diagnostic::new(
            Rule::GetbufferFormatMissing,
            message.clone(),
            range,
        ));
    }
}
