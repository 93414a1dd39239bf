//! The JSON a live verification produces: what `python -m arraylint verify --output-format
//! json` prints and what the Rust CLI reads back and renders. One shape on both sides.

use serde::{Deserialize, Serialize};

use crate::diagnostic::Severity;
use crate::registry::Rule;
use crate::render::{LiveInfo, Message};

/// The version of this JSON shape; bumped when a field changes meaning.
pub const REPORT_VERSION: u32 = 1;

/// One finding on a live object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveFinding {
    /// `AL902`
    pub code: String,
    /// `extent-exceeds-buffer`
    pub name: String,
    pub message: String,
    /// `error`, `warning` or `info`.
    pub severity: String,
    /// `module:attr[key]`
    pub object: String,
    /// The protocol the finding is about (`__array_interface__`, ...).
    pub protocol: String,
    /// Where inside the descriptor (`data[0]`); empty for the descriptor as a whole.
    pub path: String,
    /// The file of the target's module, for the per-file settings (`None` for a module
    /// without a file, and in what the extension itself returns).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
}

impl LiveFinding {
    /// A finding with the rule's default severity.
    pub fn new(
        rule: Rule,
        message: impl Into<String>,
        object: impl Into<String>,
        protocol: impl Into<String>,
        path: impl Into<String>,
    ) -> Self {
        LiveFinding {
            code: rule.code().to_string(),
            name: rule.name().to_string(),
            message: message.into(),
            severity: rule.severity().as_str().to_string(),
            object: object.into(),
            protocol: protocol.into(),
            path: path.into(),
            file: None,
        }
    }

    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity.as_str().to_string();
        self
    }

    pub fn rule(&self) -> Option<Rule> {
        Rule::from_code(&self.code)
    }

    pub fn severity_level(&self) -> Option<Severity> {
        [Severity::Error, Severity::Warning, Severity::Info]
            .into_iter()
            .find(|severity| severity.as_str() == self.severity)
    }

    /// Whether the finding fails a run (info findings do not).
    pub fn is_failure(&self) -> bool {
        self.severity_level() != Some(Severity::Info)
    }

    /// The renderers' form; `None` for a code this build does not know (a newer Python
    /// package talking to an older CLI).
    pub fn to_message(&self) -> Option<Message> {
        let rule = self.rule()?;
        Some(Message {
            rule,
            message: self.message.clone(),
            severity: self.severity_level().unwrap_or(rule.severity()),
            filename: self.object.clone(),
            source: None,
            range: ruff_text_size::TextRange::default(),
            fix: None,
            noqa_offset: ruff_text_size::TextSize::default(),
            cells: None,
            live: Some(LiveInfo {
                object: self.object.clone(),
                protocol: self.protocol.clone(),
                path: self.path.clone(),
            }),
        })
    }
}

/// A target that could not be verified at all (import failed, attribute missing).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetError {
    pub target: String,
    pub message: String,
}

/// Everything one `verify` run found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub version: u32,
    pub findings: Vec<LiveFinding>,
    #[serde(default)]
    pub errors: Vec<TargetError>,
}

impl Report {
    pub fn parse(text: &str) -> Result<Report, serde_json::Error> {
        serde_json::from_str(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_renders_as_live_message() {
        let finding = LiveFinding::new(
            Rule::ExtentExceedsBuffer,
            "runs 8 bytes past the buffer",
            "pkg.mod:arr[0]",
            "__array_interface__",
            "shape",
        );
        let report = Report {
            version: REPORT_VERSION,
            findings: vec![finding.clone()],
            errors: vec![],
        };
        let text = serde_json::to_string(&report).unwrap();
        assert!(text.contains("\"code\":\"AL902\""));
        assert!(text.contains("\"severity\":\"error\""));
        let back = Report::parse(&text).unwrap();
        assert_eq!(back, report);
        let message = back.findings[0].to_message().unwrap();
        assert_eq!(message.rule, Rule::ExtentExceedsBuffer);
        assert_eq!(message.filename, "pkg.mod:arr[0]");
        assert!(message.source.is_none());
        assert_eq!(message.live.unwrap().path, "shape");
    }

    #[test]
    fn info_findings_do_not_fail() {
        let skipped = LiveFinding::new(Rule::DeviceChecksSkipped, "no driver", "m:x", "", "");
        assert!(!skipped.is_failure());
        let refused = LiveFinding::new(Rule::GetterRaises, "refused", "m:x", "", "")
            .with_severity(Severity::Info);
        assert!(!refused.is_failure());
        assert!(LiveFinding::new(Rule::GetterRaises, "raised", "m:x", "", "").is_failure());
    }

    #[test]
    fn unknown_code_is_not_rendered() {
        let mut finding = LiveFinding::new(Rule::GetterRaises, "x", "m:x", "", "");
        finding.code = "AL999".into();
        assert!(finding.to_message().is_none());
    }
}
