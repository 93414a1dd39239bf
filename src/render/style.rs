//! ANSI styling for the text formats, as Ruff colours them: bold path, cyan separators,
//! bold red codes, cyan `*`; the severity of a finding that is not an error in yellow
//! (warning) or cyan (info), as the snippet's label is drawn.

/// SGR parameter strings.
pub(crate) const BOLD: &str = "1";
pub(crate) const CYAN: &str = "36";
pub(crate) const BOLD_RED: &str = "1;31";
pub(crate) const BOLD_YELLOW: &str = "1;33";
pub(crate) const BOLD_CYAN: &str = "1;36";

/// `text` wrapped in the SGR sequence `sgr` when `color` is on, else `text` unchanged.
pub(crate) fn paint(text: &str, sgr: &str, color: bool) -> String {
    if color {
        format!("\x1b[{sgr}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paint_only_when_colour_is_on() {
        assert_eq!(paint("AL101", BOLD_RED, false), "AL101");
        assert_eq!(paint("AL101", BOLD_RED, true), "\x1b[1;31mAL101\x1b[0m");
    }
}
