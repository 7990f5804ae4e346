//! `inspect FILE|-`: one message, its fields and its violations.

use core::fmt::Write as _;

use harness_core::inspect::{Field, FieldValue, InspectContext, Inspection};
use harness_core::rules::Finding;
use harness_report::input_error::InputError;
use harness_report::model::{Report, Suite};
use harness_report::policy::{EXIT_FAIL, EXIT_OK};
use harness_report::render::Format;

use super::{case_from_inspection, finish, read_input, write_output};
use crate::args::{Conventions, InspectArgs};
use crate::registry;

/// Inspects `bytes` with the named protocol or the detected one. Unknown input gives an
/// inspection of protocol `unknown` that did not parse.
#[must_use]
pub fn inspect_bytes(bytes: &[u8], protocol: Option<&str>, context: &InspectContext) -> Inspection {
    let inspector = match protocol {
        Some(p) => registry::inspector_named(p),
        None => registry::detect(bytes),
    };
    match inspector {
        Some(i) => i.inspect(bytes, context),
        None => {
            let mut i = Inspection::new("unknown");
            i.error = Some(match protocol {
                Some(p) => format!("no inspector for protocol `{p}`"),
                None => format!(
                    "not recognised as any of: {}",
                    registry::inspectors()
                        .iter()
                        .map(|i| i.protocol())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
            i.fields.push(Field::uint("length", bytes.len() as u64));
            i
        }
    }
}

fn read_text(path: &std::path::Path) -> Result<String, InputError> {
    std::fs::read_to_string(path).map_err(|e| InputError::new(path, format!("cannot read: {e}")))
}

fn context(conv: &Conventions) -> Result<InspectContext, InputError> {
    Ok(InspectContext {
        credentials: conv.credentials()?,
        offer: conv.offer.as_deref().map(read_text).transpose()?,
        answer: conv.answer.as_deref().map(read_text).transpose()?,
    })
}

fn write_tree(out: &mut String, fields: &[Field], depth: usize) {
    for f in fields {
        let indent = "  ".repeat(depth);
        let _ = write!(out, "{indent}{}", f.name);
        if f.value != FieldValue::None {
            let _ = write!(out, ": {}", f.value);
        }
        if let Some(s) = f.span {
            let _ = write!(out, "  [{}..{}]", s.offset, s.offset.saturating_add(s.len));
        }
        out.push('\n');
        write_tree(out, &f.children, depth + 1);
    }
}

fn text(inspection: &Inspection) -> String {
    let mut out = format!(
        "protocol: {}\nparsed: {}\n",
        inspection.protocol, inspection.parsed
    );
    if let Some(e) = &inspection.error {
        let _ = writeln!(out, "error: {e}");
    }
    for (k, v) in &inspection.verdicts {
        let _ = writeln!(out, "{k}: {v}");
    }
    out.push_str("fields:\n");
    write_tree(&mut out, &inspection.fields, 1);
    let _ = writeln!(out, "violations: {}", inspection.findings.len());
    for f in &inspection.findings {
        let _ = writeln!(out, "  {f}");
    }
    out
}

/// Runs `inspect`.
///
/// # Errors
/// Unreadable input, bad hex, bad credentials.
pub(super) fn run(a: &InspectArgs) -> Result<i32, InputError> {
    let conv = &a.conventions;
    let ctx = context(conv)?;
    let Some(path) = &a.file else {
        return offer_answer(conv, &ctx);
    };
    let bytes = read_input(path, a.hex)?;
    let inspection = inspect_bytes(&bytes, a.protocol.as_deref(), &ctx);
    let name = path.display().to_string();
    match conv.format {
        Format::Json => {
            let v = harness_report::inspect_json::inspection(&inspection);
            let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
            s.push('\n');
            write_output(conv.output.as_deref(), &s)?;
        }
        Format::Text => write_output(conv.output.as_deref(), &text(&inspection))?,
        Format::Markdown | Format::Junit => {
            let mut report = Report::new("inspect");
            let mut suite = Suite::new(inspection.protocol);
            suite.cases.push(case_from_inspection(&name, &inspection));
            report.suites.push(suite);
            return finish(report, conv, conv.fail_on);
        }
    }
    let failing = !inspection.parsed
        || inspection
            .findings
            .iter()
            .any(|f| conv.fail_on.fails(f.rule.level.severity()));
    Ok(if failing { EXIT_FAIL } else { EXIT_OK })
}

fn offer_answer(conv: &Conventions, ctx: &InspectContext) -> Result<i32, InputError> {
    let (Some(offer), Some(answer)) = (&ctx.offer, &ctx.answer) else {
        return Err(InputError::new(
            "inspect",
            "give a FILE to inspect, or both --offer and --answer",
        )
        .with_hint("`-` reads standard input"));
    };
    let Some(findings) = registry::offer_answer(offer, answer) else {
        return Err(InputError::new(
            "inspect",
            "this build has no SDP module for offer/answer checks",
        ));
    };
    let mut inspection = Inspection::new("sdp-offer-answer");
    inspection.parsed = true;
    inspection.findings = findings;
    let mut report = Report::new("inspect --offer --answer");
    let mut suite = Suite::new("offer-answer");
    let name = format!(
        "{} / {}",
        conv.offer
            .as_deref()
            .map(|p| p.display().to_string())
            .unwrap_or_default(),
        conv.answer
            .as_deref()
            .map(|p| p.display().to_string())
            .unwrap_or_default()
    );
    suite.cases.push(case_from_inspection(&name, &inspection));
    report.suites.push(suite);
    let failing: Vec<&Finding> = inspection.findings.iter().collect();
    let _ = failing;
    finish(report, conv, conv.fail_on)
}
