//! What an exception raised by a protocol method means (AL908): a refusal of data the
//! method cannot export is the method doing its job, an exception that shows a bug is not.

/// The verdict on one exception.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Raised {
    /// `BufferError`, `ValueError`, `TypeError` (and subclasses): "I cannot export this"
    /// (NumPy refuses ragged data with `ValueError`, pyarrow nulls with `ArrowTypeError`).
    Refusal,
    /// A `TypeError` about the call's own arguments: the method does not take what the
    /// protocol passes (`copy=`, `max_version=`, a positional dtype).
    SignatureError,
    /// Anything else: `NameError`, `KeyError`, `AssertionError`, `RuntimeError`, ...
    Bug,
}

/// The builtin exception classes whose instances are refusals.
const REFUSALS: &[&str] = &["BufferError", "ValueError", "TypeError"];

/// Judge an exception from the names of the builtin classes in its MRO (`builtins` only:
/// a user class named `ValueError` is not one) and its message.
pub fn classify(builtin_mro: &[String], message: &str) -> Raised {
    let is = |name: &str| builtin_mro.iter().any(|class| class == name);
    if is("TypeError") && is_signature_message(message) {
        return Raised::SignatureError;
    }
    if REFUSALS.iter().any(|name| is(name)) {
        Raised::Refusal
    } else {
        Raised::Bug
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
            Raised::Bug
        );
    }

    #[test]
    fn bugs() {
        for name in [
            "NameError",
            "KeyError",
            "IndexError",
            "ZeroDivisionError",
            "RecursionError",
            "AssertionError",
            "RuntimeError",
            "AttributeError",
        ] {
            assert_eq!(classify(&mro(&[name, "Exception"]), "x"), Raised::Bug);
        }
    }
}
