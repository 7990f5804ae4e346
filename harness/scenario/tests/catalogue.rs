//! The bundled catalogue: every file loads, every scenario runs, and two runs give
//! byte-identical reports and captures (all peers are the reference implementation here).
use std::path::PathBuf;

use harness_scenario::catalogue::{Options, run_all};
use harness_scenario::run::Injected;
use harness_scenario::{load, report};

fn catalogue_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scenarios")
}

fn run() -> Vec<harness_scenario::run::ScenarioResult> {
    let loaded = load::load_all(&[catalogue_dir()]).expect("catalogue loads");
    let opts = Options {
        jobs: 2,
        ..Options::default()
    };
    run_all(&loaded, &opts, &Injected::default(), &|_, _, _| {})
}

#[test]
fn catalogue_has_at_least_24_scenarios_and_all_pass() {
    let results = run();
    assert!(results.len() >= 24, "{} scenarios", results.len());
    let summary = report::summary_text(&results);
    println!("{summary}");
    let failed: Vec<_> = results
        .iter()
        .filter(|r| !r.passed)
        .map(|r| {
            (
                r.name.clone(),
                r.expectations
                    .iter()
                    .filter(|e| !e.passed)
                    .map(|e| format!("{}: {}", e.expectation, e.observed))
                    .collect::<Vec<_>>(),
                r.outcome.clone(),
            )
        })
        .collect();
    assert!(failed.is_empty(), "{summary}\n{failed:#?}");
}

#[test]
fn two_runs_give_identical_reports_and_captures() {
    let a = run();
    let b = run();
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(report::json(x), report::json(y), "{}", x.name);
        assert_eq!(report::markdown(x), report::markdown(y), "{}", x.name);
        assert!(
            x.masked.is_empty(),
            "{}: reference runs mask nothing",
            x.name
        );
        assert_eq!(x.pcapng, y.pcapng, "{}: pcapng differs", x.name);
    }
}
