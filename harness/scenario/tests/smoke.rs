//! Runs one scenario end to end (printing the result when it fails).
use harness_scenario::{load, run, schema::Implementation};

#[test]
fn open_internet_connects_host_to_host() {
    let root =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/open-internet.yaml");
    let l = load::load_file(&root).unwrap();
    let r = run::run_scenario(
        &l.scenario,
        l.scenario.seed,
        [Implementation::Reference; 2],
        &run::Injected::default(),
    );
    assert!(r.passed, "{}", serde_json::to_string_pretty(&r).unwrap());
}
