//! What fails a run: `--fail-on` and `--baseline`.
//!
//! # Exit codes (every command)
//! | code | meaning |
//! |---|---|
//! | 0 | everything as expected; no finding at or above the `--fail-on` level |
//! | 1 | a case failed (a vector's outcome differs, a scenario's expectation broke) or a finding at or above `--fail-on` was not accepted by the baseline |
//! | 2 | bad input: unreadable file, malformed YAML/pcap/hex, bad flags (one error naming file, line, field) |
//! | 3 | internal error: a panic in the harness or in a cross-checked implementation |

use core::str::FromStr;
use std::path::Path;

use harness_core::rules::Severity;
use serde::{Deserialize, Serialize};

use crate::input_error::InputError;
use crate::model::{FindingRecord, Report};

/// Exit code: all as expected.
pub const EXIT_OK: i32 = 0;
/// Exit code: failures or findings at or above `--fail-on`.
pub const EXIT_FAIL: i32 = 1;
/// Exit code: bad input from the user.
pub const EXIT_INPUT: i32 = 2;
/// Exit code: internal error or a panic.
pub const EXIT_INTERNAL: i32 = 3;

/// `--fail-on`: which findings make the exit code non-zero.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum FailOn {
    /// MUST and MUST NOT violations (the default).
    #[default]
    Must,
    /// SHOULD violations too.
    Should,
    /// Findings never fail the run (cases still can).
    Never,
}

impl FromStr for FailOn {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "must" => Ok(Self::Must),
            "should" => Ok(Self::Should),
            "never" => Ok(Self::Never),
            other => Err(format!(
                "unknown --fail-on level `{other}` (expected must, should or never)"
            )),
        }
    }
}

impl FailOn {
    /// Whether a finding of this severity fails the run.
    #[must_use]
    pub fn fails(self, severity: Severity) -> bool {
        match self {
            Self::Must => severity >= Severity::Must,
            Self::Should => severity >= Severity::Should,
            Self::Never => false,
        }
    }
}

/// One accepted finding. Fields left out match anything.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Accepted {
    /// Rule id.
    pub rule: String,
    /// Case name (a vector file, a scenario, a flow).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case: Option<String>,
    /// Location text, as reports print it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Why it is accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// `--baseline FILE`: findings a CI suite accepts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// The accepted findings.
    pub accepted: Vec<Accepted>,
}

impl Baseline {
    /// Reads a baseline file (YAML; JSON is YAML too).
    ///
    /// # Errors
    /// One [`InputError`] naming the file, line and field.
    pub fn load(path: &Path) -> Result<Self, InputError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| InputError::new(path, format!("cannot read baseline: {e}")))?;
        serde_yaml::from_str(&text).map_err(|e| InputError::from_yaml(path, &e))
    }

    /// A baseline that accepts every finding of `report` (for `--write-baseline`).
    #[must_use]
    pub fn from_report(report: &Report) -> Self {
        let mut accepted: Vec<Accepted> = report
            .suites
            .iter()
            .flat_map(|s| s.cases.iter())
            .flat_map(|c| {
                c.findings.iter().map(|f| Accepted {
                    rule: f.rule.clone(),
                    case: Some(c.name.clone()),
                    location: Some(f.location.clone()),
                    reason: None,
                })
            })
            .collect();
        accepted.dedup();
        Self { accepted }
    }

    fn accepts(&self, case: &str, f: &FindingRecord) -> bool {
        self.accepted.iter().any(|a| {
            a.rule == f.rule
                && a.case.as_deref().is_none_or(|c| c == case)
                && a.location.as_deref().is_none_or(|l| l == f.location)
        })
    }

    /// Removes accepted findings from `report`; returns how many were removed.
    pub fn apply(&self, report: &mut Report) -> usize {
        let mut removed = 0;
        for case in report.suites.iter_mut().flat_map(|s| s.cases.iter_mut()) {
            let before = case.findings.len();
            let name = case.name.clone();
            case.findings.retain(|f| !self.accepts(&name, f));
            removed += before - case.findings.len();
        }
        removed
    }
}

/// The exit code for a finished report: failed or errored cases first, then findings.
#[must_use]
pub fn exit_code(report: &Report, fail_on: FailOn) -> i32 {
    let t = report.totals();
    let panicked = report
        .suites
        .iter()
        .flat_map(|s| s.cases.iter())
        .any(|c| c.message.as_deref().is_some_and(|m| m.contains("PANICKED")));
    if panicked {
        return EXIT_INTERNAL;
    }
    if t.failed > 0 || t.errors > 0 || report.findings().any(|f| fail_on.fails(f.severity())) {
        EXIT_FAIL
    } else {
        EXIT_OK
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Case, Status, Suite};

    fn report_with(level: &str) -> Report {
        let mut r = Report::new("inspect");
        let mut s = Suite::new("stun");
        let mut c = Case::new("a.bin", Status::Pass);
        c.findings.push(FindingRecord {
            rule: "stun.x".into(),
            level: level.into(),
            rfc: 8489,
            section: "5".into(),
            location: "bytes 0..4".into(),
            message: "m".into(),
            severity: None,
        });
        s.cases.push(c);
        r.suites.push(s);
        r
    }

    #[test]
    fn fail_on_levels_gate_the_exit_code() {
        assert_eq!(exit_code(&report_with("MUST"), FailOn::Must), EXIT_FAIL);
        assert_eq!(exit_code(&report_with("SHOULD"), FailOn::Must), EXIT_OK);
        assert_eq!(exit_code(&report_with("SHOULD"), FailOn::Should), EXIT_FAIL);
        assert_eq!(exit_code(&report_with("MUST"), FailOn::Never), EXIT_OK);
    }

    #[test]
    fn baseline_accepts_matching_findings_only() {
        let mut r = report_with("MUST");
        let other = Baseline {
            accepted: vec![Accepted {
                rule: "stun.x".into(),
                case: Some("b.bin".into()),
                location: None,
                reason: None,
            }],
        };
        assert_eq!(other.apply(&mut r), 0);
        let written = Baseline::from_report(&r);
        assert_eq!(written.apply(&mut r), 1);
        assert_eq!(exit_code(&r, FailOn::Must), EXIT_OK);
    }

    #[test]
    fn baseline_file_errors_name_the_field() {
        let dir = std::env::temp_dir().join(format!("wh-baseline-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("b.yaml");
        std::fs::write(&p, "accepted:\n  - rule: a\n    cse: x\n").unwrap();
        let e = Baseline::load(&p).unwrap_err();
        assert_eq!(e.line, Some(3));
        assert!(e.to_string().contains("unknown field `cse`"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
