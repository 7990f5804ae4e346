//! Snapshots of the JSON and Markdown reports of the whole catalogue (reference peers).
use std::path::PathBuf;

use harness_scenario::catalogue::{Options, run_all};
use harness_scenario::run::Injected;
use harness_scenario::{load, report};

#[test]
fn catalogue_reports_match_snapshots() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
    let loaded = load::load_all(&[dir]).expect("catalogue loads");
    let opts = Options {
        jobs: 2,
        ..Options::default()
    };
    let results = run_all(&loaded, &opts, &Injected::default(), &|_, _, _| {});
    for r in &results {
        insta::assert_snapshot!(format!("{}.json", r.name), report::json(r));
        insta::assert_snapshot!(format!("{}.md", r.name), report::markdown(r));
    }
    insta::assert_snapshot!("summary.md", report::summary_markdown(&results));
}
