#![doc = include_str!("../../rules/AL704.md")]

use ruff_python_ast::{Expr, Operator, Stmt};

use crate::checker::Checker;
use crate::diagnostic::Diagnostic;
use crate::registry::Rule;
use crate::rules::buffer_exporter::{self, Exporter, Size, Store};

pub fn check(checker: &mut Checker, exporter: &Exporter) {
    let len_stores: Vec<Store> = exporter.stores_of("len").copied().collect();
    let itemsize = single(exporter, "itemsize");
    let ndim = all_literal(exporter, "ndim");
    let shape = single(exporter, "shape");
    let buffer = exporter.buffer;

    // `shape = &buffer.len` says there are `len` items: right for bytes only.
    if let (Some(shape), Some(itemsize)) = (shape, itemsize) {
        let at_len = buffer_exporter::address_of(checker, shape.value)
            .is_some_and(|target| exporter.is_field(target, "len"));
        if at_len
            && buffer_exporter::known_size(checker, itemsize.value).is_some_and(|s| s.is_not_one())
        {
            checker.report(Diagnostic::new(
                Rule::GetbufferLenMismatch,
                format!(
                    "`{buffer}.shape` points at `{buffer}.len`, the size in bytes, but \
                     `itemsize` is not 1: the shape counts bytes, not items; store the item \
                     count on the object and point `shape` at it"
                ),
                shape.range,
            ));
            return;
        }
    }
    let (Some(itemsize), Some(ndim)) = (itemsize, ndim) else {
        return;
    };
    let Some(size) = buffer_exporter::known_size(checker, itemsize.value) else {
        return;
    };
    let itemsize_text =
        buffer_exporter::compact(checker, buffer_exporter::strip_cast(itemsize.value));

    // One item: zero dimensions, or one dimension whose shape points at `itemsize` (a
    // shape of `(itemsize,)`, right only when it is 1 and so is `len`).
    let at_itemsize = ndim == 1
        && shape.is_some_and(|shape| {
            buffer_exporter::address_of(checker, shape.value)
                .is_some_and(|target| exporter.is_field(target, "itemsize"))
        });
    if ndim == 0 || at_itemsize {
        let one_item = |text: &str, value: &ruff_python_ast::Expr| {
            let same = text == itemsize_text
                || exporter.is_field(value, "itemsize")
                || text.to_ascii_lowercase().contains("itemsize");
            match (buffer_exporter::literal_int(value), &size) {
                (Some(n), Size::Literal(m)) => n == *m,
                (Some(_), Size::Sizeof { .. }) => true,
                (None, _) => same,
            }
        };
        for store in &len_stores {
            let value = buffer_exporter::strip_cast(store.value);
            let text = buffer_exporter::compact(checker, value);
            if one_item(&text, value) {
                continue;
            }
            let (message, range) = match shape {
                Some(shape) if at_itemsize => (
                    format!(
                        "`{buffer}.shape` points at `{buffer}.itemsize`: the shape is \
                         `({itemsize_text},)`, but `{buffer}.len` is `{text}`; point `shape` \
                         at the item count (`&{buffer}.len` for bytes)"
                    ),
                    shape.range,
                ),
                _ => (
                    format!(
                        "the export has no dimensions (`ndim = 0`, one item) but \
                         `{buffer}.len` is `{text}`, not its itemsize `{itemsize_text}`: \
                         consumers see one item; export `ndim = 1` with `shape` pointing at \
                         the item count"
                    ),
                    store.range,
                ),
            };
            checker.report(Diagnostic::new(Rule::GetbufferLenMismatch, message, range));
        }
        return;
    }

    let Some(shape) = shape else {
        return;
    };
    let Some(shape_factors) = shape_factors(checker, exporter, shape.value, ndim) else {
        return;
    };
    let mut expected = shape_factors;
    expected.push(Factor::of(checker, itemsize.value));
    for store in &len_stores {
        let mut actual = Vec::new();
        factors(checker, store.value, &mut actual);
        let (actual_rest, expected_rest) = cancel(actual, expected.clone());
        let missing_itemsize = actual_rest.is_empty()
            && matches!(&expected_rest[..], [only] if only.text == itemsize_text)
            && size.is_not_one();
        let literal_mismatch = !actual_rest.is_empty() || !expected_rest.is_empty();
        let literal_mismatch = literal_mismatch
            && actual_rest
                .iter()
                .chain(&expected_rest)
                .all(|f| f.value.is_some())
            && product(&actual_rest) != product(&expected_rest);
        if !missing_itemsize && !literal_mismatch {
            continue;
        }
        let written = buffer_exporter::compact(checker, store.value);
        let message = if missing_itemsize {
            format!(
                "`{buffer}.len` is `{written}`, an item count, but `len` is in bytes: the \
                 product of the shape and `itemsize` (`{itemsize_text}`); consumers see a \
                 buffer {} too short",
                match size {
                    Size::Literal(n) => format!("{n}x"),
                    Size::Sizeof { .. } => format!("`{itemsize_text}` times"),
                }
            )
        } else {
            format!(
                "`{buffer}.len` is `{written}`, but the shape times `itemsize` is `{}`",
                expected
                    .iter()
                    .map(|f| f.text.as_str())
                    .collect::<Vec<_>>()
                    .join(" * ")
            )
        };
        checker.report(Diagnostic::new(
            Rule::GetbufferLenMismatch,
            message,
            store.range,
        ));
    }
}

/// The one store of a field (`None` when it is stored on several paths or never).
fn single<'e, 'a>(exporter: &'e Exporter<'a>, field: &'a str) -> Option<&'e Store<'a>> {
    let mut stores = exporter.stores_of(field);
    let first = stores.next()?;
    stores.next().is_none().then_some(first)
}

/// The value of a field whose every store is the same literal.
fn all_literal(exporter: &Exporter, field: &str) -> Option<i64> {
    let mut value = None;
    for store in exporter.stores.iter().filter(|s| s.field == field) {
        let this = buffer_exporter::literal_int(buffer_exporter::strip_cast(store.value))?;
        if value.is_some_and(|v| v != this) {
            return None;
        }
        value = Some(this);
    }
    value
}

/// One factor of a product: its text, and its value when it is a literal.
#[derive(Debug, Clone)]
struct Factor {
    text: String,
    value: Option<i64>,
}

impl Factor {
    fn of(checker: &Checker, expr: &Expr) -> Factor {
        let expr = buffer_exporter::strip_cast(expr);
        Factor {
            text: buffer_exporter::compact(checker, expr),
            value: buffer_exporter::literal_int(expr),
        }
    }
}

/// The factors of a product (`a * b * 4`).
fn factors(checker: &Checker, expr: &Expr, out: &mut Vec<Factor>) {
    match buffer_exporter::strip_cast(expr) {
        Expr::BinOp(b) if b.op == Operator::Mult => {
            factors(checker, &b.left, out);
            factors(checker, &b.right, out);
        }
        other => out.push(Factor::of(checker, other)),
    }
}

/// Both lists less the factors they share (by text).
fn cancel(mut left: Vec<Factor>, mut right: Vec<Factor>) -> (Vec<Factor>, Vec<Factor>) {
    let mut i = 0;
    while i < left.len() {
        if let Some(j) = right.iter().position(|f| f.text == left[i].text) {
            right.remove(j);
            left.remove(i);
        } else {
            i += 1;
        }
    }
    (left, right)
}

fn product(factors: &[Factor]) -> i64 {
    factors
        .iter()
        .filter_map(|f| f.value)
        .fold(1i64, |p, v| p.saturating_mul(v))
}

/// The factors of the shape, when the method writes each of its `ndim` entries exactly
/// once (`self.shape[0] = n`, into the array `shape` points at).
fn shape_factors(
    checker: &Checker,
    exporter: &Exporter,
    shape: &Expr,
    ndim: i64,
) -> Option<Vec<Factor>> {
    let array = match buffer_exporter::address_of(checker, shape) {
        Some(Expr::Subscript(s)) if buffer_exporter::literal_int(&s.slice) == Some(0) => &*s.value,
        Some(_) => return None,
        None => buffer_exporter::strip_cast(shape),
    };
    let array_text = buffer_exporter::compact(checker, array);
    let count = usize::try_from(ndim).ok().filter(|n| *n <= 64)?;
    let mut entries: Vec<Vec<&Expr>> = vec![Vec::new(); count];
    let mut unknown = false;
    buffer_exporter::any_stmt(&exporter.def.body, &mut |stmt| {
        let Stmt::Assign(assign) = stmt else {
            return false;
        };
        for target in &assign.targets {
            let Expr::Subscript(s) = target else {
                continue;
            };
            if buffer_exporter::compact(checker, &s.value) != array_text {
                continue;
            }
            match buffer_exporter::literal_int(&s.slice).and_then(|i| usize::try_from(i).ok()) {
                Some(i) if i < count => entries[i].push(&assign.value),
                _ => unknown = true,
            }
        }
        false
    });
    if unknown || entries.iter().any(|e| e.len() != 1) {
        return None;
    }
    let mut out = Vec::new();
    for entry in entries {
        factors(checker, entry[0], &mut out);
    }
    Some(out)
}
