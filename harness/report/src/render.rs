//! Renderers: one report, four formats.
//!
//! All renderers are pure functions of the report: the same report gives the same bytes, so
//! rendered reports can be kept as snapshots.

use core::fmt::Write as _;
use core::str::FromStr;

use crate::model::{Case, Report, Status};

/// Output format, as `--format` spells it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Format {
    /// Human-readable text (the default on a terminal).
    #[default]
    Text,
    /// JSON, schema [`crate::model::SCHEMA_VERSION`].
    Json,
    /// GitHub-flavoured Markdown tables.
    Markdown,
    /// JUnit XML, one testcase per case.
    Junit,
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "text" => Ok(Self::Text),
            "json" => Ok(Self::Json),
            "markdown" | "md" => Ok(Self::Markdown),
            "junit" | "xml" => Ok(Self::Junit),
            other => Err(format!(
                "unknown format `{other}` (expected text, json, markdown or junit)"
            )),
        }
    }
}

impl Format {
    /// The usual file extension.
    #[must_use]
    pub const fn extension(self) -> &'static str {
        match self {
            Self::Text => "txt",
            Self::Json => "json",
            Self::Markdown => "md",
            Self::Junit => "xml",
        }
    }
}

/// Renders `report` in `format`.
#[must_use]
pub fn render(report: &Report, format: Format) -> String {
    match format {
        Format::Text => text(report),
        Format::Json => json(report),
        Format::Markdown => markdown(report),
        Format::Junit => junit(report),
    }
}

/// Pretty JSON with a trailing newline.
#[must_use]
pub fn json(report: &Report) -> String {
    // Serialising plain data with string keys cannot fail.
    let mut s =
        serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"));
    s.push('\n');
    s
}

/// Plain text: a line per case, findings indented beneath, a closing totals line in the form
/// CI log readers recognise (`N passed, N failed`).
#[must_use]
pub fn text(report: &Report) -> String {
    let mut out = String::new();
    for suite in &report.suites {
        let _ = writeln!(out, "== {} ==", suite.name);
        for case in &suite.cases {
            let _ = write!(out, "{:5} {}", case.status.label(), case.name);
            if let Some(m) = &case.message {
                let _ = write!(out, " — {m}");
            }
            out.push('\n');
            for d in &case.details {
                let _ = writeln!(out, "      {}: {}", d.key, d.value);
            }
            for f in &case.findings {
                let _ = writeln!(
                    out,
                    "      {} [{} RFC {} §{}] at {}: {}",
                    f.rule, f.level, f.rfc, f.section, f.location, f.message
                );
            }
        }
    }
    let t = report.totals();
    let _ = writeln!(
        out,
        "{}: {} passed, {} failed, {} skipped",
        report.command,
        t.passed,
        t.failed + t.errors,
        t.skipped
    );
    out
}

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', "<br>")
}

/// Markdown: a summary, then a table per suite and the findings of each case.
#[must_use]
pub fn markdown(report: &Report) -> String {
    let mut out = String::new();
    let t = report.totals();
    let _ = writeln!(out, "# webrtc-harness {}\n", report.command);
    let _ = writeln!(
        out,
        "{} passed, {} failed, {} errors, {} skipped.\n",
        t.passed, t.failed, t.errors, t.skipped
    );
    for suite in &report.suites {
        let _ = writeln!(out, "## {}\n", suite.name);
        let _ = writeln!(out, "| case | status | details | findings |");
        let _ = writeln!(out, "|---|---|---|---|");
        for case in &suite.cases {
            let details: Vec<String> = case
                .message
                .iter()
                .cloned()
                .chain(
                    case.details
                        .iter()
                        .map(|d| format!("{}: {}", d.key, d.value)),
                )
                .collect();
            let findings: Vec<String> = case
                .findings
                .iter()
                .map(|f| {
                    format!(
                        "`{}` ({} RFC {} §{}) at {}: {}",
                        f.rule, f.level, f.rfc, f.section, f.location, f.message
                    )
                })
                .collect();
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                md_cell(&case.name),
                case.status.label(),
                md_cell(&details.join("\n")),
                md_cell(&findings.join("\n"))
            );
        }
        out.push('\n');
    }
    out
}

/// Escapes text for XML attributes and content; drops characters XML 1.0 cannot carry.
fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

fn junit_body(case: &Case) -> String {
    let mut body = String::new();
    if let Some(m) = &case.message {
        body.push_str(m);
        body.push('\n');
    }
    for d in &case.details {
        let _ = writeln!(body, "{}: {}", d.key, d.value);
    }
    for f in &case.findings {
        let _ = writeln!(
            body,
            "{} [{} RFC {} §{}] at {}: {}",
            f.rule, f.level, f.rfc, f.section, f.location, f.message
        );
    }
    body
}

/// JUnit XML: a `<testsuite>` per suite, a `<testcase>` per case.
#[must_use]
pub fn junit(report: &Report) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let t = report.totals();
    let _ = writeln!(
        out,
        "<testsuites name=\"webrtc-harness {}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">",
        xml_escape(&report.command),
        t.passed + t.failed + t.errors + t.skipped,
        t.failed,
        t.errors,
        t.skipped
    );
    for suite in &report.suites {
        let st = suite.totals();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">",
            xml_escape(&suite.name),
            suite.cases.len(),
            st.failed,
            st.errors,
            st.skipped
        );
        for case in &suite.cases {
            let _ = write!(
                out,
                "    <testcase classname=\"{}\" name=\"{}\"",
                xml_escape(&suite.name),
                xml_escape(&case.name)
            );
            let body = xml_escape(&junit_body(case));
            let message = xml_escape(case.message.as_deref().unwrap_or(""));
            match case.status {
                Status::Pass if body.is_empty() => out.push_str("/>\n"),
                Status::Pass => {
                    let _ = writeln!(
                        out,
                        ">\n      <system-out>{body}</system-out>\n    </testcase>"
                    );
                }
                Status::Fail => {
                    let _ = writeln!(
                        out,
                        ">\n      <failure message=\"{message}\">{body}</failure>\n    </testcase>"
                    );
                }
                Status::Error => {
                    let _ = writeln!(
                        out,
                        ">\n      <error message=\"{message}\">{body}</error>\n    </testcase>"
                    );
                }
                Status::Skipped => {
                    let _ = writeln!(
                        out,
                        ">\n      <skipped message=\"{message}\"/>\n    </testcase>"
                    );
                }
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{FindingRecord, Suite};

    fn sample() -> Report {
        let mut r = Report::new("vectors");
        let mut s = Suite::new("stun");
        let mut ok = Case::new("rfc5769_2.1 <request>", Status::Pass);
        ok.detail("integrity", "ok");
        s.cases.push(ok);
        let mut bad = Case::new("bad & broken", Status::Fail).with_message("expected valid");
        bad.findings.push(FindingRecord {
            rule: "stun.fingerprint.value".into(),
            level: "MUST".into(),
            rfc: 8489,
            section: "14.7".into(),
            location: "bytes 100..108".into(),
            message: "CRC mismatch".into(),
            severity: None,
        });
        s.cases.push(bad);
        s.cases
            .push(Case::new("shared file", Status::Skipped).with_message("../shared absent"));
        r.suites.push(s);
        r
    }

    #[test]
    fn text_ends_with_a_totals_line() {
        let t = text(&sample());
        assert!(
            t.ends_with("vectors: 1 passed, 1 failed, 1 skipped\n"),
            "{t}"
        );
        assert!(t.contains("stun.fingerprint.value [MUST RFC 8489 §14.7] at bytes 100..108"));
    }

    #[test]
    fn junit_escapes_and_counts() {
        let x = junit(&sample());
        assert!(x.contains("tests=\"3\" failures=\"1\" errors=\"0\" skipped=\"1\""));
        assert!(x.contains("name=\"bad &amp; broken\""));
        assert!(x.contains("name=\"rfc5769_2.1 &lt;request&gt;\""));
        assert!(x.contains("<failure message=\"expected valid\">"));
        assert_eq!(xml_escape("a\u{1}b"), "a\u{fffd}b");
    }

    #[test]
    fn markdown_escapes_pipes() {
        let mut r = sample();
        r.suites[0].cases[0].name = "a|b".into();
        assert!(markdown(&r).contains("| a\\|b | PASS |"));
    }

    #[test]
    fn json_round_trips() {
        let r = sample();
        let back: Report = serde_json::from_str(&json(&r)).unwrap();
        assert_eq!(back.suites[0].cases, r.suites[0].cases);
        assert_eq!(
            back.findings().next().unwrap().severity(),
            harness_core::rules::Severity::Must
        );
    }

    #[test]
    fn format_parses_cli_spellings() {
        assert_eq!("junit".parse::<Format>(), Ok(Format::Junit));
        assert!("yaml".parse::<Format>().is_err());
    }
}
