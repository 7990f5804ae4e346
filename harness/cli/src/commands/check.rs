//! `check CAPTURE...`: judge real captures from any stack.

use harness_check::{CheckOptions, Session, check_capture};
use harness_report::input_error::InputError;
use harness_report::model::Report;
use harness_report::render::Format;

use super::finish;
use crate::args::CheckArgs;

fn read_text(path: &std::path::Path) -> Result<String, InputError> {
    std::fs::read_to_string(path).map_err(|e| InputError::new(path, format!("cannot read: {e}")))
}

/// Runs `check`.
///
/// # Errors
/// A capture that cannot be read at all, bad credentials, an unreadable or unparsable SDP.
pub(super) fn run(a: &CheckArgs) -> Result<i32, InputError> {
    let conv = &a.conventions;
    let mut options = CheckOptions {
        credentials: conv.credentials()?,
        ..CheckOptions::default()
    };
    match (&conv.offer, &conv.answer) {
        (Some(o), Some(ans)) => {
            let session = Session::parse(&read_text(o)?, &read_text(ans)?)
                .map_err(|e| InputError::new(o, format!("cannot use the offer/answer: {e}")))?;
            options.session = Some(session);
        }
        (None, None) => {}
        (Some(o), None) => return Err(InputError::new(o, "--offer needs --answer")),
        (None, Some(ans)) => return Err(InputError::new(ans, "--answer needs --offer")),
    }
    let mut report = Report::new("check");
    for path in &a.captures {
        let outcome = check_capture(path, &options).map_err(|e| {
            InputError::new(path, e.to_string()).with_hint("give a pcap or pcapng capture file")
        })?;
        if conv.format == Format::Text && conv.output.is_none() {
            println!("== {} ==\n{}", path.display(), outcome.summary);
        }
        report
            .suites
            .extend(outcome.report(&path.display().to_string()).suites);
    }
    finish(report, conv, conv.fail_on)
}
