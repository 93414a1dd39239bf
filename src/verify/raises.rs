//! What an exception raised by a protocol method means (AL908): a refusal of data the
//! method cannot export is the method doing its job, an exception that shows a bug is not.

/// The verdict on one exception.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Raised {
    /// "I cannot export this": `BufferError`, `ValueError`, `TypeError` and their subclasses
    /// (NumPy refuses ragged data with `ValueError`, pyarrow nulls with `ArrowTypeError`),
    /// and any exception not known to show a bug (pydata/sparse refuses to densify with
    /// `RuntimeError`): info at most, since a false alarm costs more than a miss.
    Refusal,
    /// A `TypeError` about the call's own arguments: the method does not take what the
    /// protocol passes (`copy=`, `max_version=`, a positional dtype).
    SignatureError,
    /// An exception that shows a bug in the method (the AL908 row's list).
    Bug,
}

/// The builtin exception classes whose instances (subclasses included) show a bug.
const BUGS: &[&str] = &[
    "NameError",
    "AttributeError",
    "KeyError",
    "IndexError",
    "ZeroDivisionError",
    "RecursionError",
    "AssertionError",
];

/// Judge an exception from the names of the builtin classes in its MRO (`builtins` only:
/// a user class named `ValueError` is not one) and its message.
pub fn classify(builtin_mro: &[String], message: &str) -> Raised {
    let is = |name: &str| builtin_mro.iter().any(|class| class == name);
    if is("TypeError") && is_signature_message(message) {
        return Raised::SignatureError;
    }
    // By the MRO: `UnboundLocalError` is a `NameError`, `RecursionError` a `RuntimeError`.
    if BUGS.iter().any(|name| is(name)) {
        Raised::Bug
    } else {
        Raised::Refusal
    }
}

/// CPython's own wording for a call that does not fit the signature (`ceval.c`,
/// `getargs.c`, Argument Clinic): the argument is wrong, not the data.
fn is_signature_message(message: &str) -> bool {
    const PHRASES: &[&str] = &[
        "unexpected keyword argument",
        "takes no keyword arguments",
        "takes no arguments",
        "positional argument",
        "positional arguments",
        "required keyword-only argument",
        "keyword-only argument",
        "got multiple values for argument",
        "got some positional-only arguments passed as keyword",
        "takes exactly one argument",
        "takes at most",
        "takes at least",
    ];
    PHRASES.iter().any(|phrase| message.contains(phrase))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mro(names: &[&str]) -> Vec<String> {
        names.iter().map(|name| name.to_string()).collect()
    }

    #[test]
    fn refusals() {
        for names in [
            &["ValueError", "Exception", "BaseException", "object"][..],
            &["BufferError", "Exception"],
            // pyarrow's ArrowTypeError: only the builtin classes of its MRO are passed.
            &["TypeError", "Exception"],
            &[
                "UnicodeDecodeError",
                "UnicodeError",
                "ValueError",
                "Exception",
            ],
        ] {
            assert_eq!(
                classify(&mro(names), "cannot export nulls"),
                Raised::Refusal
            );
        }
    }

    #[test]
    fn signature_errors() {
        let type_error = mro(&["TypeError", "Exception"]);
        for message in [
            "__array__() got an unexpected keyword argument 'copy'",
            "__array__() takes no keyword arguments",
            "__array__() takes 1 positional argument but 2 were given",
            "__array__() missing 1 required positional argument: 'dtype'",
            "f() got multiple values for argument 'dtype'",
        ] {
            assert_eq!(classify(&type_error, message), Raised::SignatureError);
        }
        // The same words from another class are not about the call.
        assert_eq!(
            classify(
                &mro(&["RuntimeError", "Exception"]),
                "takes no keyword arguments"
            ),
            Raised::Refusal
        );
    }

    #[test]
    fn bugs() {
        for names in [
            &["NameError", "Exception"][..],
            &["UnboundLocalError", "NameError", "Exception"],
            &["KeyError", "LookupError", "Exception"],
            &["IndexError", "LookupError", "Exception"],
            &["ZeroDivisionError", "ArithmeticError", "Exception"],
            &["RecursionError", "RuntimeError", "Exception"],
            &["AssertionError", "Exception"],
            &["AttributeError", "Exception"],
        ] {
            assert_eq!(classify(&mro(names), "x"), Raised::Bug, "{names:?}");
        }
    }

    #[test]
    fn other_exceptions_are_refusals() {
        // pydata/sparse: "Cannot convert a sparse array to dense automatically".
        for name in [
            "RuntimeError",
            "NotImplementedError",
            "OSError",
            "Exception",
        ] {
            assert_eq!(classify(&mro(&[name, "Exception"]), "x"), Raised::Refusal);
        }
    }
}
