//! The report model: what every command produces, whatever the output format.

use harness_core::rules::{Finding, Severity};
use serde::{Deserialize, Serialize};

/// Version of the JSON shape of reports and of `inspect --format json`.
pub const SCHEMA_VERSION: u32 = 1;

/// A whole report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The command that produced it (`vectors`, `rules --coverage`, `run`).
    pub command: String,
    /// Suites, in order.
    pub suites: Vec<Suite>,
}

/// A group of cases (one per protocol, per vector directory, per scenario file, per capture).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suite {
    /// Suite name.
    pub name: String,
    /// Cases, in order.
    pub cases: Vec<Case>,
}

/// How a case ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// As expected.
    Pass,
    /// Not as expected.
    Fail,
    /// Could not be run (bad input file, panic).
    Error,
    /// Not run, with a reason in the message (for example `../shared` is absent).
    Skipped,
}

impl Status {
    /// Upper-case label for text output.
    #[must_use]
    pub const fn label(self) -> &'static str {
        match self {
            Self::Pass => "PASS",
            Self::Fail => "FAIL",
            Self::Error => "ERROR",
            Self::Skipped => "SKIP",
        }
    }
}

/// One key/value line of a case (selected pair, time to connect, protocol, integrity).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Detail {
    /// Key.
    pub key: String,
    /// Value.
    pub value: String,
}

/// A finding, flattened for serialisation.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
pub struct FindingRecord {
    /// Rule id.
    pub rule: String,
    /// `MUST`, `SHOULD NOT` ...
    pub level: String,
    /// RFC number.
    pub rfc: u16,
    /// RFC section.
    pub section: String,
    /// Where, as text (`frame 12 bytes 20..28`).
    pub location: String,
    /// What was seen.
    pub message: String,
    /// Weight for `--fail-on`.
    #[serde(skip)]
    pub severity: Option<Severity>,
}

impl From<&Finding> for FindingRecord {
    fn from(f: &Finding) -> Self {
        Self {
            rule: f.rule.id.to_string(),
            level: f.rule.level.keyword().to_string(),
            rfc: f.rule.rfc,
            section: f.rule.section.to_string(),
            location: f.location.to_string(),
            message: f.message.to_string(),
            severity: Some(f.rule.level.severity()),
        }
    }
}

impl FindingRecord {
    /// The weight of this finding (from its level when it was read back from JSON).
    #[must_use]
    pub fn severity(&self) -> Severity {
        self.severity.unwrap_or(match self.level.as_str() {
            "MUST" | "MUST NOT" => Severity::Must,
            "SHOULD" | "SHOULD NOT" => Severity::Should,
            _ => Severity::Info,
        })
    }
}

/// One case: a vector, a scenario, a capture flow, a rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    /// Case name (unique within its suite).
    pub name: String,
    /// Outcome.
    pub status: Status,
    /// Why it failed, errored or was skipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Key/value details.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<Detail>,
    /// Rule findings observed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<FindingRecord>,
}

impl Case {
    /// A case with a status and nothing else.
    #[must_use]
    pub fn new(name: impl Into<String>, status: Status) -> Self {
        Self {
            name: name.into(),
            status,
            message: None,
            details: Vec::new(),
            findings: Vec::new(),
        }
    }

    /// The same case with a message.
    #[must_use]
    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = Some(message.into());
        self
    }

    /// Adds a detail.
    pub fn detail(&mut self, key: impl Into<String>, value: impl ToString) {
        self.details.push(Detail {
            key: key.into(),
            value: value.to_string(),
        });
    }
}

/// Counts of cases by status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    /// Passed.
    pub passed: usize,
    /// Failed.
    pub failed: usize,
    /// Errored.
    pub errors: usize,
    /// Skipped.
    pub skipped: usize,
}

impl Suite {
    /// An empty suite.
    #[must_use]
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            cases: Vec::new(),
        }
    }

    /// Counts by status.
    #[must_use]
    pub fn totals(&self) -> Totals {
        let mut t = Totals::default();
        for c in &self.cases {
            match c.status {
                Status::Pass => t.passed += 1,
                Status::Fail => t.failed += 1,
                Status::Error => t.errors += 1,
                Status::Skipped => t.skipped += 1,
            }
        }
        t
    }
}

impl Report {
    /// An empty report for `command`.
    #[must_use]
    pub fn new(command: impl Into<String>) -> Self {
        Self {
            schema_version: SCHEMA_VERSION,
            command: command.into(),
            suites: Vec::new(),
        }
    }

    /// Counts by status over every suite.
    #[must_use]
    pub fn totals(&self) -> Totals {
        self.suites
            .iter()
            .map(Suite::totals)
            .fold(Totals::default(), |a, b| Totals {
                passed: a.passed + b.passed,
                failed: a.failed + b.failed,
                errors: a.errors + b.errors,
                skipped: a.skipped + b.skipped,
            })
    }

    /// Every finding of every case.
    pub fn findings(&self) -> impl Iterator<Item = &FindingRecord> {
        self.suites
            .iter()
            .flat_map(|s| s.cases.iter())
            .flat_map(|c| c.findings.iter())
    }
}
