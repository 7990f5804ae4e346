//! The commands. Each builds a [`Report`] (or, for `inspect`, an inspection) and leaves
//! rendering, baselines and exit codes to [`finish`].

mod check;
mod inspect;
mod rules;
mod run;
mod serve;
mod vectors;
mod xcheck;

use std::io::Write as _;
use std::path::Path;

use harness_core::inspect::Inspection;
use harness_report::input_error::InputError;
use harness_report::model::{Case, FindingRecord, Report};
use harness_report::policy::{self, Baseline, FailOn};
use harness_report::render::{self, Format};

use crate::args::{Cli, Command, Conventions};

pub use inspect::inspect_bytes;
pub use rules::coverage_report;
pub use vectors::vectors_report;
pub use xcheck::xcheck_report;

/// Runs a parsed command line; returns the exit code, or the one input error to print.
///
/// # Errors
/// Bad input from the user: one error naming file, line and field.
pub fn run(cli: Cli) -> Result<i32, InputError> {
    match cli.command {
        Command::Run(a) => run::run(&a),
        Command::Inspect(a) => inspect::run(&a),
        Command::Vectors(a) => {
            let report = vectors_report(&a.paths, &a.conventions)?;
            // Vectors are meant to carry violations: only cases decide the exit code.
            finish(report, &a.conventions, FailOn::Never)
        }
        Command::Rules(a) => rules::run(&a),
        Command::Check(a) => check::run(&a),
        Command::Serve(cmd) => serve::serve(&cmd),
        Command::NatDiscovery(a) => serve::nat(&a),
        Command::Xcheck(a) => {
            let report = xcheck_report(&a.paths, &a.conventions)?;
            finish(report, &a.conventions, FailOn::Never)
        }
    }
}

/// Applies the baseline, writes a baseline if asked, renders, and computes the exit code.
///
/// # Errors
/// An unreadable baseline or an unwritable output file.
pub fn finish(mut report: Report, conv: &Conventions, fail_on: FailOn) -> Result<i32, InputError> {
    if let Some(b) = conv.baseline()? {
        let removed = b.apply(&mut report);
        if removed > 0 && conv.format == Format::Text {
            eprintln!("baseline: {removed} known finding(s) accepted");
        }
    }
    if let Some(path) = &conv.write_baseline {
        let b = Baseline::from_report(&report);
        let yaml = serde_yaml_string(&b);
        std::fs::write(path, yaml)
            .map_err(|e| InputError::new(path, format!("cannot write baseline: {e}")))?;
    }
    write_output(
        conv.output.as_deref(),
        &render::render(&report, conv.format),
    )?;
    Ok(policy::exit_code(&report, fail_on))
}

fn serde_yaml_string(b: &Baseline) -> String {
    let mut out = String::from(
        "# Findings accepted by this CI suite (webrtc-harness --baseline).\naccepted:\n",
    );
    for a in &b.accepted {
        out.push_str(&format!("  - rule: {}\n", a.rule));
        if let Some(c) = &a.case {
            out.push_str(&format!(
                "    case: {}\n",
                serde_json::Value::String(c.clone())
            ));
        }
        if let Some(l) = &a.location {
            out.push_str(&format!(
                "    location: {}\n",
                serde_json::Value::String(l.clone())
            ));
        }
    }
    if b.accepted.is_empty() {
        out = out.replace("accepted:\n", "accepted: []\n");
    }
    out
}

/// Writes `text` to `path`, or to standard output.
///
/// # Errors
/// The file cannot be written.
pub fn write_output(path: Option<&Path>, text: &str) -> Result<(), InputError> {
    match path {
        Some(p) => {
            std::fs::write(p, text).map_err(|e| InputError::new(p, format!("cannot write: {e}")))
        }
        None => {
            let mut out = std::io::stdout().lock();
            // A closed pipe (`| head`) is not an error worth reporting.
            let _ = out.write_all(text.as_bytes());
            let _ = out.flush();
            Ok(())
        }
    }
}

/// Reads a file (or standard input for `-`), decoding hex when asked or when it ends in `.hex`.
///
/// # Errors
/// The file cannot be read or its hex does not decode (line named).
pub fn read_input(path: &Path, hex: bool) -> Result<Vec<u8>, InputError> {
    let raw = if path == Path::new("-") {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut buf)
            .map_err(|e| InputError::new(path, format!("cannot read standard input: {e}")))?;
        buf
    } else {
        std::fs::read(path).map_err(|e| InputError::new(path, format!("cannot read: {e}")))?
    };
    if hex || path.extension().is_some_and(|e| e == "hex") {
        harness_report::manifest::decode_hex(&String::from_utf8_lossy(&raw)).map_err(|(line, m)| {
            let mut e = InputError::new(path, m)
                .with_hint("hex input: pairs of hex digits; `#` starts a comment line");
            e.line = Some(line);
            e
        })
    } else {
        Ok(raw)
    }
}

/// One report case from an inspection.
#[must_use]
pub fn case_from_inspection(name: &str, inspection: &Inspection) -> Case {
    use harness_report::model::Status;
    let status = if inspection.parsed {
        Status::Pass
    } else {
        Status::Fail
    };
    let mut case = Case::new(name, status);
    case.detail("protocol", inspection.protocol);
    if let Some(e) = &inspection.error {
        case.message = Some(format!("does not parse: {e}"));
    }
    for (k, v) in &inspection.verdicts {
        case.detail(*k, v);
    }
    case.findings = inspection
        .findings
        .iter()
        .map(FindingRecord::from)
        .collect();
    case
}
