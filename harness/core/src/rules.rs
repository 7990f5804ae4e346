//! The rule model.
//!
//! Rules are data: each check the harness makes has a dotted id (`stun.fingerprint.last`), the
//! RFC and section it comes from, a requirement level, a scope, and one line of text. Parsers
//! describe what is on the wire; validators judge it and return [`Finding`]s that point at a
//! [`Rule`] and a [`Location`]. Reports and coverage tables are generated from the catalogue.
//!
//! # Coverage
//!
//! Every rule must be exercised by at least one input that triggers it and one relevant input
//! that passes it. Each protocol crate exposes its cases through a [`Catalogue`]; the function
//! [`Catalogue::coverage`] runs them and reports, per rule, whether both halves are proven. The
//! `rules --coverage` command prints the result and each protocol crate's tests assert it.

use core::fmt;
use std::borrow::Cow;

use crate::time::Instant;

/// Requirement level, as in RFC 2119 / RFC 8174.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    /// MUST (or REQUIRED, SHALL).
    Must,
    /// MUST NOT (or SHALL NOT).
    MustNot,
    /// SHOULD (or RECOMMENDED).
    Should,
    /// SHOULD NOT (or NOT RECOMMENDED).
    ShouldNot,
    /// MAY (or OPTIONAL): informational findings.
    May,
}

impl Level {
    /// How a violation of this level is weighed.
    #[must_use]
    pub const fn severity(self) -> Severity {
        match self {
            Self::Must | Self::MustNot => Severity::Must,
            Self::Should | Self::ShouldNot => Severity::Should,
            Self::May => Severity::Info,
        }
    }

    /// The RFC 2119 keyword.
    #[must_use]
    pub const fn keyword(self) -> &'static str {
        match self {
            Self::Must => "MUST",
            Self::MustNot => "MUST NOT",
            Self::Should => "SHOULD",
            Self::ShouldNot => "SHOULD NOT",
            Self::May => "MAY",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.keyword())
    }
}

/// The weight of a finding, for `--fail-on`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// Informational (MAY).
    Info,
    /// A SHOULD or SHOULD NOT was not followed.
    Should,
    /// A MUST or MUST NOT was broken.
    Must,
}

/// What a rule looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    /// One message on its own (a STUN message, an SDP, a DTLS record).
    Message,
    /// A request and its response, an offer and its answer.
    Exchange,
    /// A flow over time: retransmissions, pacing, sequence numbers.
    Flow,
    /// How an endpoint behaves (what a server answers, what a NAT does).
    Endpoint,
}

impl Scope {
    /// Lower-case name for reports.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Message => "message",
            Self::Exchange => "exchange",
            Self::Flow => "flow",
            Self::Endpoint => "endpoint",
        }
    }
}

/// One requirement of one RFC.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Rule {
    /// Dotted id, lower case: `protocol.subject.check`.
    pub id: &'static str,
    /// RFC number.
    pub rfc: u16,
    /// Section, as printed in the RFC (`"14.7"`, `"B.1"`).
    pub section: &'static str,
    /// Requirement level.
    pub level: Level,
    /// What the rule looks at.
    pub scope: Scope,
    /// One line: what is required.
    pub text: &'static str,
}

impl Rule {
    /// `RFC 8489 §14.7`.
    #[must_use]
    pub fn citation(&self) -> String {
        format!("RFC {} §{}", self.rfc, self.section)
    }
}

/// A byte range inside a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ByteRange {
    /// Offset of the first byte.
    pub offset: usize,
    /// Number of bytes.
    pub len: usize,
}

/// Where a finding was made. Fields compose: a finding in a capture has a frame and a byte range;
/// one in a scenario has a time and possibly a byte range in the packet sent then.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Location {
    /// Bytes inside the message.
    pub bytes: Option<ByteRange>,
    /// Line number (1-based) in a text format such as SDP.
    pub line: Option<u32>,
    /// Frame number (1-based, as Wireshark counts) in a capture.
    pub frame: Option<u64>,
    /// Virtual time in a scenario.
    pub time: Option<Instant>,
    /// What the location refers to, when a run has several inputs (a file, a flow, a peer).
    pub subject: Option<String>,
}

impl Location {
    /// Nowhere in particular (the message as a whole).
    #[must_use]
    pub fn whole() -> Self {
        Self::default()
    }

    /// `len` bytes at `offset`.
    #[must_use]
    pub fn bytes(offset: usize, len: usize) -> Self {
        Self {
            bytes: Some(ByteRange { offset, len }),
            ..Self::default()
        }
    }

    /// A line of a text format.
    #[must_use]
    pub fn line(line: u32) -> Self {
        Self {
            line: Some(line),
            ..Self::default()
        }
    }

    /// A frame of a capture.
    #[must_use]
    pub fn frame(frame: u64) -> Self {
        Self {
            frame: Some(frame),
            ..Self::default()
        }
    }

    /// A moment of a scenario.
    #[must_use]
    pub fn at(time: Instant) -> Self {
        Self {
            time: Some(time),
            ..Self::default()
        }
    }

    /// The same location inside `frame`.
    #[must_use]
    pub fn in_frame(mut self, frame: u64) -> Self {
        self.frame = Some(frame);
        self
    }

    /// The same location at `time`.
    #[must_use]
    pub fn at_time(mut self, time: Instant) -> Self {
        self.time = Some(time);
        self
    }

    /// The same location, shifted by `base` bytes (a message found at `base` inside a datagram).
    #[must_use]
    pub fn shifted(mut self, base: usize) -> Self {
        if let Some(b) = &mut self.bytes {
            b.offset = b.offset.saturating_add(base);
        }
        self
    }

    /// The same location, naming what it refers to.
    #[must_use]
    pub fn about(mut self, subject: impl Into<String>) -> Self {
        self.subject = Some(subject.into());
        self
    }
}

impl fmt::Display for Location {
    /// `flow A frame 12 bytes 20..28 line 4 t=1.000000000s`, or `message` when empty.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<String> = Vec::new();
        if let Some(s) = &self.subject {
            parts.push(s.clone());
        }
        if let Some(fr) = self.frame {
            parts.push(format!("frame {fr}"));
        }
        if let Some(t) = self.time {
            parts.push(format!("t={t}"));
        }
        if let Some(l) = self.line {
            parts.push(format!("line {l}"));
        }
        if let Some(b) = self.bytes {
            parts.push(format!(
                "bytes {}..{}",
                b.offset,
                b.offset.saturating_add(b.len)
            ));
        }
        if parts.is_empty() {
            f.write_str("message")
        } else {
            f.write_str(&parts.join(" "))
        }
    }
}

/// One violation of one rule at one place.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Finding {
    /// The rule broken.
    pub rule: &'static Rule,
    /// Where.
    pub location: Location,
    /// What exactly was seen, in one line.
    pub message: Cow<'static, str>,
}

impl Finding {
    /// A finding of `rule` at `location`.
    #[must_use]
    pub fn new(
        rule: &'static Rule,
        location: Location,
        message: impl Into<Cow<'static, str>>,
    ) -> Self {
        Self {
            rule,
            location,
            message: message.into(),
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} [{} {}] at {}: {}",
            self.rule.id,
            self.rule.level,
            self.rule.citation(),
            self.location,
            self.message
        )
    }
}

/// Whether a coverage case is meant to trigger its rule or to pass it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Expect {
    /// The input breaks the rule: a finding with its id must come out.
    Triggers,
    /// The input is relevant to the rule and obeys it: no finding with its id may come out.
    Passes,
}

/// The outcome of running one coverage case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseResult {
    /// The rule exercised.
    pub rule: &'static str,
    /// The case's name (a test name or a vector file).
    pub case: Cow<'static, str>,
    /// What the case is meant to show.
    pub expect: Expect,
    /// Whether the rule's id was among the findings.
    pub triggered: bool,
}

impl CaseResult {
    /// True when the case showed what it was meant to.
    #[must_use]
    pub fn holds(&self) -> bool {
        self.triggered == (self.expect == Expect::Triggers)
    }

    /// Runs one case: `findings` are what the validator said about the case's input.
    #[must_use]
    pub fn judge(
        rule: &'static str,
        case: impl Into<Cow<'static, str>>,
        expect: Expect,
        findings: &[Finding],
    ) -> Self {
        let triggered = findings.iter().any(|f| f.rule.id == rule);
        Self {
            rule,
            case: case.into(),
            expect,
            triggered,
        }
    }
}

/// One protocol's rules and the cases that exercise them.
#[derive(Clone, Copy)]
pub struct Catalogue {
    /// Protocol name (`stun`, `sdp`, `dtls`, ...).
    pub protocol: &'static str,
    /// Every rule of the protocol.
    pub rules: &'static [Rule],
    /// Runs every coverage case and returns the outcomes.
    pub cases: fn() -> Vec<CaseResult>,
}

impl fmt::Debug for Catalogue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Catalogue")
            .field("protocol", &self.protocol)
            .field("rules", &self.rules.len())
            .finish()
    }
}

/// Per-rule coverage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleCoverage {
    /// The rule.
    pub rule: &'static Rule,
    /// Cases that trigger it as expected.
    pub triggered_by: Vec<String>,
    /// Cases that pass it as expected.
    pub passed_by: Vec<String>,
    /// Cases that did not behave as expected (each a bug in the validator or the case).
    pub broken: Vec<String>,
}

impl RuleCoverage {
    /// Both halves proven and nothing broken.
    #[must_use]
    pub fn complete(&self) -> bool {
        !self.triggered_by.is_empty() && !self.passed_by.is_empty() && self.broken.is_empty()
    }
}

impl Catalogue {
    /// Looks a rule up by id.
    #[must_use]
    pub fn rule(&self, id: &str) -> Option<&'static Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// Runs the cases and folds them per rule, in catalogue order. Cases naming a rule that is
    /// not in the catalogue are reported under `unknown`.
    #[must_use]
    pub fn coverage(&self) -> (Vec<RuleCoverage>, Vec<CaseResult>) {
        let mut table: Vec<RuleCoverage> = self
            .rules
            .iter()
            .map(|rule| RuleCoverage {
                rule,
                triggered_by: Vec::new(),
                passed_by: Vec::new(),
                broken: Vec::new(),
            })
            .collect();
        let mut unknown = Vec::new();
        for case in (self.cases)() {
            let Some(row) = table.iter_mut().find(|r| r.rule.id == case.rule) else {
                unknown.push(case);
                continue;
            };
            let name = case.case.to_string();
            match (case.holds(), case.expect) {
                (true, Expect::Triggers) => row.triggered_by.push(name),
                (true, Expect::Passes) => row.passed_by.push(name),
                (false, _) => row.broken.push(name),
            }
        }
        (table, unknown)
    }
}

/// Declares a `static` array of [`Rule`]s and a `const` per rule for use in validators.
///
/// ```
/// harness_core::rules! {
///     /// The catalogue.
///     pub RULES;
///     /// RFC 8489 §14.7: FINGERPRINT is the last attribute.
///     FINGERPRINT_LAST = ("stun.fingerprint.last", 8489, "14.7", Must, Message,
///         "FINGERPRINT, when present, is the last attribute");
/// }
/// assert_eq!(RULES.len(), 1);
/// assert_eq!(FINGERPRINT_LAST.rfc, 8489);
/// ```
#[macro_export]
macro_rules! rules {
    (
        $(#[$all_meta:meta])* $vis:vis $all:ident;
        $( $(#[$meta:meta])* $name:ident = ($id:literal, $rfc:literal, $section:literal, $level:ident, $scope:ident, $text:literal); )+
    ) => {
        $(
            $(#[$meta])*
            $vis static $name: $crate::rules::Rule = $crate::rules::Rule {
                id: $id,
                rfc: $rfc,
                section: $section,
                level: $crate::rules::Level::$level,
                scope: $crate::rules::Scope::$scope,
                text: $text,
            };
        )+
        $(#[$all_meta])*
        $vis static $all: &[$crate::rules::Rule] = &[ $( $crate::rules::Rule {
            id: $id,
            rfc: $rfc,
            section: $section,
            level: $crate::rules::Level::$level,
            scope: $crate::rules::Scope::$scope,
            text: $text,
        } ),+ ];
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    crate::rules! {
        /// Test catalogue.
        pub(crate) TEST_RULES;
        /// A test rule.
        SHORT = ("test.short", 8489, "5", Must, Message, "messages are short");
        /// Another.
        EVEN = ("test.even", 8489, "6", Should, Message, "lengths are even");
    }

    fn check(input: &[u8]) -> Vec<Finding> {
        let mut out = Vec::new();
        if input.len() > 4 {
            out.push(Finding::new(
                &SHORT,
                Location::bytes(4, input.len() - 4),
                "too long",
            ));
        }
        out
    }

    fn cases() -> Vec<CaseResult> {
        vec![
            CaseResult::judge("test.short", "five", Expect::Triggers, &check(b"12345")),
            CaseResult::judge("test.short", "four", Expect::Passes, &check(b"1234")),
            CaseResult::judge("test.even", "wrong", Expect::Triggers, &check(b"12")),
            CaseResult::judge("test.nope", "stray", Expect::Passes, &check(b"")),
        ]
    }

    #[test]
    fn coverage_folds_cases_per_rule_and_flags_broken_ones() {
        let cat = Catalogue {
            protocol: "test",
            rules: TEST_RULES,
            cases,
        };
        let (table, unknown) = cat.coverage();
        assert_eq!(table.len(), 2);
        assert!(table[0].complete());
        assert!(!table[1].complete());
        assert_eq!(table[1].broken, vec!["wrong".to_string()]);
        assert_eq!(unknown.len(), 1);
        assert_eq!(cat.rule("test.even").map(|r| r.level), Some(Level::Should));
    }

    #[test]
    fn location_display_composes() {
        let loc = Location::bytes(20, 8).in_frame(12).about("flow 1");
        assert_eq!(loc.to_string(), "flow 1 frame 12 bytes 20..28");
        assert_eq!(Location::whole().to_string(), "message");
        assert_eq!(
            Location::bytes(2, 2).shifted(10).bytes,
            Some(ByteRange { offset: 12, len: 2 })
        );
    }

    #[test]
    fn levels_map_to_severity() {
        assert_eq!(Level::MustNot.severity(), Severity::Must);
        assert_eq!(Level::ShouldNot.severity(), Severity::Should);
        assert!(Severity::Must > Severity::Should);
        assert_eq!(SHORT.citation(), "RFC 8489 §5");
        assert_eq!(EVEN.level, Level::Should);
    }
}
