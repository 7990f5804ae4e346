//! The scenario catalogue part of `run`: load (one located error per bad file), run in
//! virtual time, write per-scenario reports, the JUnit XML and summary.md, print the summary
//! table and, for each failure, the seed and the command that reproduces it.

use std::io::{IsTerminal as _, Write as _};

use harness_report::input_error::InputError;
use harness_report::policy;
use harness_report::render;
use harness_scenario::catalogue::{self, Options};
use harness_scenario::run::Injected;
use harness_scenario::{load, report};

use crate::args::RunArgs;

/// Runs the scenarios; returns the exit code contribution.
pub(super) fn run(a: &RunArgs) -> Result<i32, InputError> {
    let loaded = match load::load_all(&a.paths) {
        Ok(l) => l,
        Err(errors) => {
            for e in &errors {
                eprintln!("error: {e}");
            }
            if !a.keep_going {
                return Err(errors
                    .into_iter()
                    .next()
                    .unwrap_or_else(|| InputError::new("scenarios", "no scenarios")));
            }
            let files = load::discover(&a.paths)?;
            files
                .iter()
                .filter_map(|f| load::load_file(f).ok())
                .collect()
        }
    };
    let shard = match &a.shard {
        Some(s) => Some(catalogue::parse_shard(s).map_err(|m| InputError::new("--shard", m))?),
        None => None,
    };
    let opts = Options {
        seed: a.seed,
        filter: a.filter.clone(),
        shard,
        jobs: a.jobs.max(1),
        compare: a.compare,
    };
    let injected = Injected::default();
    let tty = std::io::stdout().is_terminal();
    let progress = move |done: usize, total: usize, name: &str| {
        if tty {
            let width = 30;
            let filled = done * width / total.max(1);
            print!(
                "\r[{}{}] {done}/{total} {name:40}",
                "#".repeat(filled),
                " ".repeat(width - filled)
            );
            let _ = std::io::stdout().flush();
        }
    };
    let mut results = catalogue::run_all(&loaded, &opts, &injected, &progress);
    if tty {
        println!();
    }
    if let Some(b) = a.conventions.baseline()? {
        for r in &mut results {
            let accepted = |rule: &str| b.accepted.iter().any(|x| x.rule == rule);
            let only_musts = r
                .expectations
                .iter()
                .filter(|e| !e.passed)
                .all(|e| e.expectation == "no MUST violations");
            let all_known = r
                .violations
                .iter()
                .filter(|(_, t)| t.level.starts_with("MUST"))
                .all(|(_, t)| accepted(t.rule));
            if !r.passed && only_musts && all_known {
                r.passed = true;
            }
        }
    }
    let dir = a.out_dir.join("scenarios");
    std::fs::create_dir_all(&dir)
        .map_err(|e| InputError::new(&dir, format!("cannot create report directory: {e}")))?;
    for r in &results {
        report::write(&dir, r)
            .map_err(|e| InputError::new(&dir, format!("cannot write report: {e}")))?;
    }
    let mut summary = report::summary_markdown(&results);
    if a.compare {
        summary.push_str("\n## Compare\n\n```\n");
        summary.push_str(&catalogue::compare(&results));
        summary.push_str("```\n");
    }
    let junit = render::junit(&report::run_report(&results));
    for (name, text) in [
        ("summary.md", summary.as_str()),
        ("scenarios.junit.xml", junit.as_str()),
    ] {
        let p = a.out_dir.join(name);
        std::fs::write(&p, text)
            .map_err(|e| InputError::new(&p, format!("cannot write report: {e}")))?;
    }
    print!("{}", report::summary_text(&results));
    let path = a
        .paths
        .first()
        .map_or_else(|| "scenarios".to_owned(), |p| p.display().to_string());
    let mut code = policy::EXIT_OK;
    for r in results.iter().filter(|r| !r.passed) {
        println!(
            "FAILED {} (seed {}): {}",
            report::stem(r),
            r.seed,
            catalogue::reproduce_command(r, &path)
        );
        code = policy::EXIT_FAIL;
    }
    Ok(code)
}
