//! `run`: the main job on bundled defaults. Runs the vector manifests, the rule coverage and
//! the cross-checks, writes every report to `reports/` in Markdown, JSON and JUnit, and prints
//! a summary.

use core::fmt::Write as _;

use harness_report::input_error::InputError;
use harness_report::model::Report;
use harness_report::policy::{self, FailOn};
use harness_report::render::{self, Format};

use super::{coverage_report, vectors_report, write_output, xcheck_report};
use crate::args::RunArgs;

#[path = "run_scenarios.rs"]
mod scenarios;

fn write_all(dir: &std::path::Path, stem: &str, report: &Report) -> Result<(), InputError> {
    for format in [Format::Markdown, Format::Json, Format::Junit] {
        let path = dir.join(format!("{stem}.{}", format.extension()));
        std::fs::write(&path, render::render(report, format))
            .map_err(|e| InputError::new(&path, format!("cannot write report: {e}")))?;
    }
    Ok(())
}

/// Runs `run`.
///
/// # Errors
/// Unreadable manifests, an unwritable report directory.
pub(super) fn run(a: &RunArgs) -> Result<i32, InputError> {
    let conv = &a.conventions;
    std::fs::create_dir_all(&a.out_dir)
        .map_err(|e| InputError::new(&a.out_dir, format!("cannot create report directory: {e}")))?;
    let scenario_code = scenarios::run(a)?;
    let vectors = vectors_report(std::slice::from_ref(&a.vectors), conv)?;
    let coverage = coverage_report(None);
    let xcheck = xcheck_report(std::slice::from_ref(&a.vectors), conv)?;
    let mut summary = String::new();
    let mut code = policy::EXIT_OK;
    for (stem, report) in [
        ("vectors", &vectors),
        ("rules-coverage", &coverage),
        ("xcheck", &xcheck),
    ] {
        write_all(&a.out_dir, stem, report)?;
        let t = report.totals();
        let divergences = report
            .suites
            .iter()
            .flat_map(|s| s.cases.iter())
            .flat_map(|c| c.details.iter())
            .filter(|d| d.key == "divergence")
            .count();
        let _ = write!(
            summary,
            "{stem:16} {:5} passed {:4} failed {:4} errors {:4} skipped",
            t.passed, t.failed, t.errors, t.skipped
        );
        if stem == "xcheck" {
            let _ = write!(summary, " {divergences:4} divergences");
        }
        summary.push('\n');
        code = code.max(policy::exit_code(report, FailOn::Never));
    }
    code = code.max(scenario_code);
    let _ = writeln!(summary, "reports written to {}/", a.out_dir.display());
    if conv.format == Format::Text {
        write_output(conv.output.as_deref(), &summary)?;
    } else {
        let mut all = Report::new("run");
        for r in [vectors, coverage, xcheck] {
            all.suites.extend(r.suites);
        }
        write_output(conv.output.as_deref(), &render::render(&all, conv.format))?;
    }
    Ok(code)
}
