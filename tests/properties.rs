//! Property tests: generated producer classes that follow the spec (RULES.md) get no
//! finding, whatever their layout; each injected fault gets its own code, on the `def`,
//! and no other code.

use std::path::Path;

use arraylint::registry::RuleSet;
use arraylint::{lint_source, lint_source_with, LintOptions};
use proptest::prelude::*;
use ruff_source_file::LineIndex;
use ruff_text_size::TextSize;

/// How the file is laid out: none of it may change a result.
#[derive(Debug, Clone)]
struct Layout {
    newline: &'static str,
    indent: &'static str,
    bom: bool,
    docstring: bool,
    comment: bool,
    other_method: bool,
    class_name: String,
}

fn layout() -> impl Strategy<Value = Layout> {
    (
        prop_oneof![Just("\n"), Just("\r\n"), Just("\r")],
        prop_oneof![Just("    "), Just("  "), Just("\t")],
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        "[A-Z][A-Za-z0-9_]{0,8}".prop_filter("a keyword", |name| {
            !matches!(name.as_str(), "True" | "False" | "None")
        }),
    )
        .prop_map(
            |(newline, indent, bom, docstring, comment, other_method, class_name)| Layout {
                newline,
                indent,
                bom,
                docstring,
                comment,
                other_method,
                class_name,
            },
        )
}

/// Where NumPy's positional `dtype` lands.
#[derive(Debug, Clone)]
enum Dtype {
    /// `dtype=None` or any other name.
    PositionalOrKeyword(&'static str),
    /// `self, dtype=None, /`: NumPy's own signature.
    PositionalOnly(&'static str),
    /// `*args`.
    VarArgs,
}

/// How `copy=` is accepted.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Copy {
    PositionalOrKeyword,
    KeywordOnly,
    /// Only through `**kwargs`.
    Kwargs,
}

fn dtype() -> impl Strategy<Value = Dtype> {
    let name = prop_oneof![Just("dtype"), Just("t"), Just("dtype_")];
    prop_oneof![
        name.clone().prop_map(Dtype::PositionalOrKeyword),
        name.prop_map(Dtype::PositionalOnly),
        Just(Dtype::VarArgs),
    ]
}

fn copy() -> impl Strategy<Value = Copy> {
    prop_oneof![
        Just(Copy::PositionalOrKeyword),
        Just(Copy::KeywordOnly),
        Just(Copy::Kwargs)
    ]
}

/// A signature that follows the spec, with the body that goes with it.
#[derive(Debug, Clone)]
struct Producer {
    dtype: Dtype,
    copy: Copy,
    /// `**kwargs` at the end (when `copy` does not already come through it).
    kwargs: bool,
    /// How the body honours `copy`.
    copy_use: usize,
}

fn producer() -> impl Strategy<Value = Producer> {
    (dtype(), copy(), any::<bool>(), 0..3usize).prop_map(|(dtype, copy, kwargs, copy_use)| {
        Producer {
            dtype,
            copy,
            kwargs,
            copy_use,
        }
    })
}

/// One way to break `__array__`, and the code it must get.
#[derive(Debug, Clone)]
enum Fault {
    /// No `copy` at all (AL101).
    NoCopy,
    /// `copy` before `/`: it cannot be passed by keyword (AL101).
    PositionalOnlyCopy,
    /// No parameter takes the positional `dtype` (AL102).
    NoDtype,
    /// `copy` first: NumPy's positional `dtype` lands in it (AL102).
    CopyFirst,
    /// `dtype` after `*` (AL103).
    KeywordOnlyDtype,
    /// `copy` accepted, never read (AL104).
    CopyIgnored,
}

impl Fault {
    fn code(&self) -> &'static str {
        match self {
            Fault::NoCopy | Fault::PositionalOnlyCopy => "AL101",
            Fault::NoDtype | Fault::CopyFirst => "AL102",
            Fault::KeywordOnlyDtype => "AL103",
            Fault::CopyIgnored => "AL104",
        }
    }
}

fn fault() -> impl Strategy<Value = Fault> {
    prop_oneof![
        Just(Fault::NoCopy),
        Just(Fault::PositionalOnlyCopy),
        Just(Fault::NoDtype),
        Just(Fault::CopyFirst),
        Just(Fault::KeywordOnlyDtype),
        Just(Fault::CopyIgnored),
    ]
}

/// The parameters and body lines of `__array__` (body lines relative to the body indent,
/// nested lines prefixed with one `\x01` per extra level).
fn method(producer: &Producer, fault: Option<&Fault>) -> (String, Vec<String>) {
    let (mut params, dtype_expr) = match &producer.dtype {
        Dtype::PositionalOrKeyword(name) => (format!("self, {name}=None"), (*name).to_string()),
        Dtype::PositionalOnly(name) => (format!("self, {name}=None, /"), (*name).to_string()),
        Dtype::VarArgs => (
            "self, *args".to_string(),
            "(args[0] if args else None)".to_string(),
        ),
    };
    let star_seen = matches!(producer.dtype, Dtype::VarArgs);
    let mut copy_param = true;
    let mut reads_copy = true;
    match fault {
        None => match producer.copy {
            Copy::PositionalOrKeyword => params += ", copy=None",
            Copy::KeywordOnly if star_seen => params += ", copy=None",
            Copy::KeywordOnly => params += ", *, copy=None",
            Copy::Kwargs => copy_param = false,
        },
        Some(Fault::NoCopy) => {
            copy_param = false;
            reads_copy = false;
        }
        Some(Fault::PositionalOnlyCopy) => {
            params = "self, dtype=None, copy=None, /".to_string();
        }
        Some(Fault::NoDtype) => params = "self, *, copy=None".to_string(),
        Some(Fault::CopyFirst) => params = "self, copy=None".to_string(),
        Some(Fault::KeywordOnlyDtype) => params = "self, *, dtype=None, copy=None".to_string(),
        Some(Fault::CopyIgnored) => {
            params += if star_seen {
                ", copy=None"
            } else {
                ", *, copy=None"
            };
            reads_copy = false;
        }
    }
    let dtype_expr = match fault {
        Some(Fault::PositionalOnlyCopy | Fault::KeywordOnlyDtype) => "dtype".to_string(),
        Some(Fault::NoDtype | Fault::CopyFirst) => "None".to_string(),
        _ => dtype_expr,
    };
    let kwargs_copy = fault.is_none() && producer.copy == Copy::Kwargs;
    // `**kwargs` takes `copy=` too (even beside a positional-only `copy`): not with those.
    let kwargs_allowed = !matches!(fault, Some(Fault::NoCopy | Fault::PositionalOnlyCopy));
    if kwargs_copy || (producer.kwargs && kwargs_allowed) {
        params += ", **kwargs";
    }
    let mut body = Vec::new();
    if kwargs_copy {
        body.push("copy = kwargs.get(\"copy\")".to_string());
    }
    let array = format!("np.asarray(self._data, dtype={dtype_expr})");
    if reads_copy && (copy_param || kwargs_copy) {
        match producer.copy_use {
            0 => {
                body.push("if copy is False:".to_string());
                body.push("\x01raise ValueError(\"a copy is needed\")".to_string());
                body.push(format!("return {array}"));
            }
            1 => {
                body.push("if copy:".to_string());
                body.push(format!("\x01return {array}.copy()"));
                body.push(format!("return {array}"));
            }
            _ => body.push(format!(
                "return np.array(self._data, dtype={dtype_expr}, copy=copy)"
            )),
        }
    } else {
        body.push(format!("return {array}"));
    }
    (params, body)
}

/// The whole file, and the byte offset of `__array__` in it.
fn render(layout: &Layout, producer: &Producer, fault: Option<&Fault>) -> (String, usize) {
    let nl = layout.newline;
    let i1 = layout.indent;
    let i2 = layout.indent.repeat(2);
    let mut s = String::new();
    if layout.bom {
        s.push('\u{feff}');
    }
    s += &format!(
        "import numpy as np{nl}{nl}{nl}class {}:{nl}",
        layout.class_name
    );
    if layout.docstring {
        s +=
            &format!("{i1}\"\"\"Wraps a buffer; NumPy reads it through `__array__`.\"\"\"{nl}{nl}");
    }
    if layout.comment {
        s += &format!("{i1}# NumPy 2 passes copy= by keyword{nl}");
    }
    let (params, body) = method(producer, fault);
    s += &format!("{i1}def ");
    let offset = s.len();
    s += &format!("__array__({params}):{nl}");
    for line in body {
        let depth = line.chars().take_while(|c| *c == '\x01').count();
        s += &i2;
        s += &i1.repeat(depth);
        s += line.trim_start_matches('\x01');
        s += nl;
    }
    if layout.other_method {
        s += &format!("{nl}{i1}def shape(self):{nl}{i2}return self._data.shape{nl}");
    }
    (s, offset)
}

fn codes(text: &str) -> Vec<(&'static str, TextSize)> {
    let path = Path::new("producer.py");
    let found = lint_source(text, path, RuleSet::all());
    // The pre-filter never changes a result, here either.
    let unfiltered = lint_source_with(text, path, RuleSet::all(), LintOptions { prefilter: false });
    assert_eq!(found, unfiltered);
    found
        .iter()
        .map(|d| (d.rule.code(), d.range.start()))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 256,
        // Failures print their minimal input; no regression files beside the sources.
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn producers_that_follow_the_spec_get_no_finding(layout in layout(), producer in producer()) {
        let (text, _) = render(&layout, &producer, None);
        prop_assert_eq!(codes(&text), vec![], "{}", text);
    }

    #[test]
    fn each_fault_gets_its_code_only_on_the_def(
        layout in layout(),
        producer in producer(),
        fault in fault(),
    ) {
        let (text, offset) = render(&layout, &producer, Some(&fault));
        let found = codes(&text);
        let at = TextSize::try_from(offset).expect("small file");
        prop_assert_eq!(&found, &vec![(fault.code(), at)], "{}", text);
        // And the row is the def's row, however the lines end.
        let index = LineIndex::from_source_text(&text);
        let row = index.line_index(at).get();
        let def_row = text[..offset].matches(layout.newline).count() + 1;
        prop_assert_eq!(row, def_row);
    }
}
