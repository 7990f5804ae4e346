//! `rules [--coverage]`: the catalogue, and the proof that every rule triggers and passes.

use core::fmt::Write as _;

use harness_report::input_error::InputError;
use harness_report::model::{Case, Report, Status, Suite};
use harness_report::policy::FailOn;

use super::{finish, write_output};
use crate::args::RulesArgs;
use crate::registry;

/// Runs every catalogue's coverage cases: a case per rule, passing when the rule has a
/// triggering case, a passing case and no case that behaved unexpectedly.
#[must_use]
pub fn coverage_report(protocol: Option<&str>) -> Report {
    let mut report = Report::new("rules --coverage");
    for cat in registry::catalogues() {
        if protocol.is_some_and(|p| p != cat.protocol) {
            continue;
        }
        let (table, unknown) = cat.coverage();
        let mut suite = Suite::new(cat.protocol);
        for row in table {
            let status = if row.complete() {
                Status::Pass
            } else {
                Status::Fail
            };
            let mut case = Case::new(row.rule.id, status);
            case.detail(
                "rule",
                format!(
                    "{} {} ({})",
                    row.rule.level,
                    row.rule.citation(),
                    row.rule.scope.name()
                ),
            );
            case.detail(
                "triggered by",
                if row.triggered_by.is_empty() {
                    "NONE".to_string()
                } else {
                    row.triggered_by.join(", ")
                },
            );
            case.detail(
                "passed by",
                if row.passed_by.is_empty() {
                    "NONE".to_string()
                } else {
                    row.passed_by.join(", ")
                },
            );
            if !row.broken.is_empty() {
                case.message = Some(format!(
                    "cases not behaving as expected: {}",
                    row.broken.join(", ")
                ));
            } else if !row.complete() {
                case.message = Some("a triggering or a passing case is missing".to_string());
            }
            suite.cases.push(case);
        }
        for u in unknown {
            suite.cases.push(
                Case::new(format!("case {}", u.case), Status::Fail)
                    .with_message(format!("names unknown rule `{}`", u.rule)),
            );
        }
        report.suites.push(suite);
    }
    report
}

fn listing(protocol: Option<&str>) -> String {
    let mut out = String::new();
    let mut total = 0;
    for cat in registry::catalogues() {
        if protocol.is_some_and(|p| p != cat.protocol) {
            continue;
        }
        let _ = writeln!(out, "== {} ({} rules) ==", cat.protocol, cat.rules.len());
        for r in cat.rules {
            let _ = writeln!(
                out,
                "{:48} {:10} {:16} {}",
                r.id,
                r.level.keyword(),
                r.citation(),
                r.text
            );
        }
        total += cat.rules.len();
    }
    let _ = writeln!(out, "{total} rules");
    out
}

/// Runs `rules`.
///
/// # Errors
/// An unwritable output file or a bad baseline.
pub(super) fn run(a: &RulesArgs) -> Result<i32, InputError> {
    if let Some(p) = &a.protocol
        && !registry::catalogues().iter().any(|c| c.protocol == p)
    {
        return Err(InputError::new(
            "--protocol",
            format!("no rule catalogue for `{p}`"),
        ));
    }
    if a.coverage {
        return finish(
            coverage_report(a.protocol.as_deref()),
            &a.conventions,
            FailOn::Never,
        );
    }
    write_output(
        a.conventions.output.as_deref(),
        &listing(a.protocol.as_deref()),
    )?;
    Ok(0)
}
