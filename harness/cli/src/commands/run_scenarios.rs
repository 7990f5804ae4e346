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
    let mut bad_input = false;
    let loaded = match load::load_all(&a.paths) {
        Ok(l) => l,
        Err(errors) => {
            bad_input = true;
            // The first error is printed by the caller when nothing runs; print the rest here.
            let skip = usize::from(!a.keep_going);
            for e in errors.iter().skip(skip) {
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
    let injected = Injected {
        agents: vec![webrtc_rs::injected()],
        dtls: Some(dtls_rs::injected()),
    };
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
    let mut code = if bad_input {
        policy::EXIT_INPUT
    } else {
        policy::EXIT_OK
    };
    for r in results.iter().filter(|r| !r.passed) {
        println!(
            "FAILED {} (seed {}): {}",
            report::stem(r),
            r.seed,
            catalogue::reproduce_command(r, &path)
        );
        code = code.max(policy::EXIT_FAIL);
    }
    Ok(code)
}

/// The webrtc crate's ICE agent (rtc-ice 0.21.1, through harness-xcheck) as a scenario
/// implementation: rtc-ice runs the checks; the scenario crate's shim gathers and relays.
mod webrtc_rs {
    use std::net::SocketAddr;
    use std::sync::Arc;

    use harness_core::endpoint::{Endpoint, Input, Output, Transport, TransportContext};
    use harness_core::rng::SeededRng;
    use harness_core::time::Instant;
    use harness_ice::{Candidate as IceCandidate, ConnectionState, IceCredentials};
    use harness_scenario::agent::shim::{BareAgent, BareOutput, Shim, bases};
    use harness_scenario::agent::{AgentConfig, AgentFactory, Candidate, IceAgent, IceState};
    use harness_scenario::peer::candidate_sdp;
    use harness_scenario::schema::Implementation;
    use harness_xcheck::ice::{RtcIceEndpoint, RtcIceEvent};

    struct Bare {
        ep: RtcIceEndpoint,
        queued: std::collections::VecDeque<BareOutput>,
        deadline: Option<Instant>,
    }

    fn to_ice(c: &Candidate) -> Result<IceCandidate, String> {
        IceCandidate::from_sdp(&candidate_sdp(c)).map_err(|e| format!("{e:?}"))
    }

    impl Bare {
        fn drain(&mut self) {
            loop {
                match self.ep.poll_output() {
                    Output::Transmit(t) => self.queued.push_back(BareOutput::Transmit {
                        local: t.context.local,
                        remote: t.context.remote,
                        payload: t.payload,
                    }),
                    Output::Event(RtcIceEvent::ConnectionState(s)) => {
                        let st = match s {
                            ConnectionState::Checking => Some(IceState::Checking),
                            ConnectionState::Connected | ConnectionState::Completed => {
                                Some(IceState::Connected)
                            }
                            ConnectionState::Failed | ConnectionState::Disconnected => {
                                Some(IceState::Failed)
                            }
                            ConnectionState::Closed => Some(IceState::Closed),
                            _ => None,
                        };
                        if let Some(st) = st {
                            self.queued.push_back(BareOutput::State(st));
                        }
                    }
                    Output::Event(RtcIceEvent::SelectedPair { local, remote, .. }) => {
                        self.queued
                            .push_back(BareOutput::Selected { local, remote });
                    }
                    Output::Event(RtcIceEvent::RoleChange(c)) => {
                        self.queued.push_back(BareOutput::RoleChanged(c))
                    }
                    Output::Timeout(t) => {
                        self.deadline = Some(t);
                        return;
                    }
                    Output::Idle => {
                        self.deadline = None;
                        return;
                    }
                    _ => {}
                }
            }
        }
    }

    impl BareAgent for Bare {
        fn implementation(&self) -> Implementation {
            Implementation::WebrtcRs
        }
        fn credentials(&self) -> (String, String) {
            let c = self.ep.local_credentials();
            (c.ufrag, c.pwd)
        }
        fn controlling(&self) -> bool {
            self.ep.is_controlling()
        }
        fn add_local(&mut self, c: &Candidate) -> Result<(), String> {
            self.ep.add_local_candidate(&to_ice(c)?)
        }
        fn add_remote(&mut self, now: Instant, c: &Candidate) -> Result<(), String> {
            let r = self.ep.add_remote_candidate(now, &to_ice(c)?);
            self.drain();
            r
        }
        fn start(&mut self, now: Instant, ufrag: &str, pwd: &str) -> Result<(), String> {
            let r = self.ep.start(
                now,
                &IceCredentials {
                    ufrag: ufrag.to_owned(),
                    pwd: pwd.to_owned(),
                },
            );
            self.drain();
            r
        }
        fn restart(&mut self, now: Instant) -> Result<(), String> {
            let r = self.ep.restart(now);
            self.drain();
            r
        }
        fn handle_datagram(
            &mut self,
            now: Instant,
            local: SocketAddr,
            remote: SocketAddr,
            payload: &[u8],
        ) {
            self.ep.handle_input(Input::Datagram {
                now,
                context: TransportContext {
                    local,
                    remote,
                    transport: Transport::Udp,
                },
                payload,
            });
            self.drain();
        }
        fn handle_timeout(&mut self, now: Instant) {
            self.ep.handle_input(Input::Timeout { now });
            self.drain();
        }
        fn poll(&mut self) -> Option<BareOutput> {
            self.drain();
            self.queued.pop_front()
        }
        fn poll_timeout(&self) -> Option<Instant> {
            self.deadline
        }
        fn masked_fields(&self) -> Vec<&'static str> {
            vec![
                "stun.transaction_id (rtc-ice draws it from an unseeded thread RNG)",
                "prflx candidate ids",
            ]
        }
    }

    /// The factory the CLI injects.
    pub(super) struct Factory;

    impl AgentFactory for Factory {
        fn implementation(&self) -> Implementation {
            Implementation::WebrtcRs
        }

        #[allow(
            clippy::disallowed_methods,
            reason = "rtc-ice takes std instants: one real base, mapped exactly from virtual time"
        )]
        fn create(
            &self,
            config: &AgentConfig,
            rng: SeededRng,
        ) -> Result<Box<dyn IceAgent>, String> {
            let mut rng = rng;
            let engine_rng = rng.fork();
            let base = std::time::Instant::now();
            let hosts = bases(config);
            let ep = RtcIceEndpoint::new(
                base,
                Instant::ZERO,
                config.controlling,
                config.lite,
                &hosts,
                engine_rng,
            )?;
            let mut bare = Bare {
                ep,
                queued: std::collections::VecDeque::new(),
                deadline: None,
            };
            bare.drain();
            Ok(Box::new(Shim::new(config.clone(), rng, Box::new(bare))))
        }
    }

    /// All injected implementations.
    pub(super) fn injected() -> Arc<dyn AgentFactory> {
        Arc::new(Factory)
    }
}

/// rtc-dtls 0.21.1 (through harness-xcheck) for DTLS over the selected pair.
mod dtls_rs {
    use std::sync::Arc;

    use harness_core::rng::SeededRng;
    use harness_core::time::Instant;
    use harness_scenario::dtls::{DtlsFactory, DtlsSession, DtlsState};
    use harness_xcheck::dtls_endpoint::{DtlsOutcome, DtlsPeer, MASKED, peer_fingerprint};

    struct Session(DtlsPeer);

    impl DtlsSession for Session {
        fn start(&mut self, now: Instant) {
            self.0.start(now);
        }
        fn handle_datagram(&mut self, now: Instant, datagram: &[u8]) {
            self.0.handle_datagram(now, datagram);
        }
        fn handle_timeout(&mut self, now: Instant) {
            self.0.handle_timeout(now);
        }
        fn poll_transmit(&mut self) -> Option<Vec<u8>> {
            self.0.poll_transmit()
        }
        fn poll_timeout(&self) -> Option<Instant> {
            self.0.poll_timeout()
        }
        fn state(&self) -> DtlsState {
            match self.0.outcome() {
                DtlsOutcome::Handshaking => DtlsState::Handshaking,
                DtlsOutcome::Connected(peer_fingerprint) => {
                    DtlsState::Connected { peer_fingerprint }
                }
                DtlsOutcome::Failed(e) => DtlsState::Failed(e),
            }
        }
    }

    struct Factory {
        base: std::time::Instant,
    }

    impl DtlsFactory for Factory {
        fn name(&self) -> &'static str {
            "rtc-dtls 0.21.1"
        }
        fn fingerprint(&self, index: usize) -> String {
            peer_fingerprint(index).unwrap_or_default()
        }
        fn create(
            &self,
            index: usize,
            client: bool,
            mtu: usize,
            rng: SeededRng,
        ) -> Result<Box<dyn DtlsSession>, String> {
            Ok(Box::new(Session(DtlsPeer::new(
                index, client, mtu, rng, self.base,
            )?)))
        }
        fn masked_fields(&self) -> Vec<&'static str> {
            MASKED.to_vec()
        }
    }

    #[allow(
        clippy::disallowed_methods,
        reason = "rtc-dtls takes std instants: one real base, mapped exactly from virtual time"
    )]
    pub(super) fn injected() -> Arc<dyn DtlsFactory> {
        Arc::new(Factory {
            base: std::time::Instant::now(),
        })
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use harness_scenario::catalogue::{Options, run_all};
    use harness_scenario::run::Injected;
    use harness_scenario::{load, report};

    fn design_card(inj: &Injected) -> Vec<harness_scenario::run::ScenarioResult> {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
        let loaded = load::load_all(&[dir]).expect("catalogue loads");
        let opts = Options {
            filter: Some("tag:design-card".into()),
            compare: true,
            jobs: 2,
            ..Options::default()
        };
        run_all(&loaded, &opts, inj, &|_, _, _| {})
    }

    fn injected() -> Injected {
        Injected {
            agents: vec![super::webrtc_rs::injected()],
            dtls: Some(super::dtls_rs::injected()),
        }
    }

    #[test]
    fn design_card_scenarios_pass_with_both_implementations_in_both_roles() {
        let results = design_card(&injected());
        assert_eq!(results.len(), 9, "{}", report::summary_text(&results));
        for r in &results {
            assert!(r.passed && r.skipped.is_none(), "{}", report::markdown(r));
        }
    }

    #[test]
    fn reports_with_the_webrtc_crate_are_identical_and_name_the_masked_fields() {
        let a = design_card(&injected());
        let b = design_card(&injected());
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(report::json(x), report::json(y), "{}", report::stem(x));
            assert_eq!(
                report::markdown(x),
                report::markdown(y),
                "{}",
                report::stem(x)
            );
            assert!(
                x.masked.iter().any(|m| m.contains("dtls.ecdhe_public_key")),
                "{:?}",
                x.masked
            );
            if x.implementations.contains(&"webrtc-rs") {
                assert!(
                    x.masked.iter().any(|m| m.contains("stun.transaction_id")),
                    "{:?}",
                    x.masked
                );
            }
        }
    }
}
