//! Runs scenario files and prints each Markdown report: `cargo run -p harness-scenario
//! --example scenario -- scenarios/relay-only-both.yaml`.
use harness_scenario::{load, report, run};

fn main() {
    for arg in std::env::args().skip(1) {
        match load::load_file(std::path::Path::new(&arg)) {
            Ok(l) => {
                let imps = [
                    l.scenario.peers[0].implementation,
                    l.scenario.peers[1].implementation,
                ];
                let r = run::run_scenario(
                    &l.scenario,
                    l.scenario.seed,
                    imps,
                    &run::Injected::default(),
                );
                print!("{}", report::markdown(&r));
            }
            Err(e) => eprintln!("error: {e}"),
        }
    }
}
