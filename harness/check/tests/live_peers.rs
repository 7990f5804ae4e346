//! Fresh captures from real stacks: aiortc/aioice peers (and coturn for the relay-only case)
//! run inside a network namespace this test creates, tshark records its loopback, and the
//! capture is checked. Assertions are on structure (flows, message types, no MUST violation
//! from a correct exchange), never on bytes: every run has new ports, ufrags and keys.
//!
//! Needs root (for `ip netns`), python3 with aiortc, coturn's `turnserver` and tshark:
//! `.ci/install-peers` installs them. Run with `cargo test -p harness-check --test live_peers
//! -- --include-ignored`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use harness_check::{CheckOptions, CheckOutcome, Session, check_capture};
use harness_core::credentials::Credential;
use harness_core::rules::Severity;

/// A network namespace with only `lo`, deleted on drop.
struct Namespace {
    name: String,
}

impl Namespace {
    fn new(tag: &str) -> Self {
        let name = format!("whcheck-{tag}-{}", std::process::id());
        let _ = Command::new("ip")
            .args(["netns", "del", &name])
            .stderr(Stdio::null())
            .status();
        run(Command::new("ip").args(["netns", "add", &name]));
        run(Command::new("ip").args(["-n", &name, "link", "set", "lo", "up"]));
        Self { name }
    }

    fn command(&self, program: &str) -> Command {
        let mut c = Command::new("ip");
        c.args(["netns", "exec", &self.name, program]);
        c
    }
}

impl Drop for Namespace {
    fn drop(&mut self) {
        let _ = Command::new("ip")
            .args(["netns", "del", &self.name])
            .status();
    }
}

/// A child process stopped with SIGINT (tshark flushes its file) or SIGTERM on drop.
struct Background {
    child: Child,
    signal: &'static str,
}

impl Background {
    fn stop(&mut self) {
        if matches!(self.child.try_wait(), Ok(Some(_))) {
            return;
        }
        let _ = Command::new("kill")
            .args([self.signal, &self.child.id().to_string()])
            .stderr(Stdio::null())
            .status();
        for _ in 0..50 {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        self.stop();
    }
}

fn run(cmd: &mut Command) {
    let status = cmd.status().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(status.success(), "{cmd:?} failed: {status}");
}

fn wait_for(path: &Path, needle: &str) {
    for _ in 0..100 {
        if std::fs::read_to_string(path).is_ok_and(|t| t.contains(needle)) {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("`{needle}` never appeared in {}", path.display());
}

fn scratch(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("whcheck-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn tshark(ns: &Namespace, dir: &Path) -> Background {
    let log = dir.join("tshark.log");
    let child = ns
        .command("tshark")
        .args(["-i", "lo", "-f", "udp or tcp", "-w"])
        .arg(dir.join("capture.pcapng"))
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .expect("tshark");
    let bg = Background {
        child,
        signal: "-INT",
    };
    wait_for(&log, "Capturing on");
    bg
}

fn peers(ns: &Namespace, dir: &Path, turn: Option<[&str; 3]>) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers/aiortc_pair.py");
    let mut cmd = ns.command("timeout");
    cmd.arg("60").arg("python3").arg(script).arg(dir);
    if let Some(args) = turn {
        cmd.args(args);
    }
    run(&mut cmd);
}

fn check(dir: &Path, credentials: Vec<Credential>) -> CheckOutcome {
    check_with(dir, credentials, |answer| answer, true)
}

/// Checks the capture of `dir` with its offer and an answer passed through `edit`.
fn check_with(
    dir: &Path,
    credentials: Vec<Credential>,
    edit: impl Fn(String) -> String,
    print: bool,
) -> CheckOutcome {
    let offer = std::fs::read_to_string(dir.join("offer.sdp")).unwrap();
    let answer = edit(std::fs::read_to_string(dir.join("answer.sdp")).unwrap());
    let options = CheckOptions {
        credentials,
        session: Some(Session::parse(&offer, &answer).unwrap()),
        ..CheckOptions::default()
    };
    let outcome = check_capture(&dir.join("capture.pcapng"), &options).unwrap();
    if print {
        // The summary goes to the test log and, with the capture and SDPs, to
        // target/tmp/live-peers/<case>/ where CI can keep them.
        println!("{}", outcome.summary);
        keep(dir, &outcome.summary.to_string());
    }
    assert!(
        outcome.capture_error.is_none(),
        "{:?}",
        outcome.capture_error
    );
    outcome
}

fn assert_no_must_violation(outcome: &CheckOutcome) {
    let must: Vec<_> = outcome
        .summary
        .violations
        .iter()
        .filter(|v| v.rule.level.severity() == Severity::Must)
        .map(|v| v.rule.id)
        .collect();
    assert!(
        must.is_empty(),
        "MUST violations from a correct exchange: {must:?}"
    );
}

fn assert_dtls_handshake_completed(outcome: &CheckOutcome) {
    let dtls = &outcome.summary.dtls;
    assert_eq!(dtls.len(), 1, "one DTLS association");
    let flights = &dtls[0].flights;
    let all = flights.join(" ");
    for wanted in [
        "client_hello",
        "server_hello",
        "certificate",
        "client_key_exchange",
    ] {
        assert!(all.contains(wanted), "{wanted} missing from {flights:?}");
    }
    // ClientHello, the server's flight, the client's flight: each from one side.
    assert!(flights.len() >= 3, "{flights:?}");
    // Both certificates match the fingerprints of their side's SDP.
    assert_eq!(dtls[0].fingerprint, "ok");
}

#[test]
#[ignore = "needs aiortc, coturn, tshark and network namespaces: run with --include-ignored (the README test command does)"]
fn aiortc_direct_data_channel_is_conformant() {
    let dir = scratch("direct");
    let ns = Namespace::new("direct");
    let mut capture = tshark(&ns, &dir);
    peers(&ns, &dir, None);
    std::thread::sleep(Duration::from_millis(300));
    capture.stop();
    let outcome = check(&dir, Vec::new());
    let s = &outcome.summary;

    // One UDP flow between the two host candidates carries ICE, then DTLS.
    let media: Vec<_> = s
        .flows
        .iter()
        .filter(|f| f.kinds.iter().any(|(k, _)| *k == "dtls"))
        .collect();
    assert_eq!(media.len(), 1, "{s}");
    assert_eq!(media[0].transport, "udp");
    assert!(media[0].kinds.iter().any(|(k, _)| *k == "stun"));
    assert!(media[0].packets[0] > 0 && media[0].packets[1] > 0);

    // ICE: one session between the SDP ufrags, checks answered, one nominated.
    assert_eq!(s.ice_sessions.len(), 1, "{s}");
    let ice = &s.ice_sessions[0];
    assert!(ice.checks >= 2 && ice.successes >= 2, "{s}");
    assert!(ice.nominations >= 1);
    assert!(s.messages_of("stun Binding request") >= 2);
    assert!(s.messages_of("stun Binding success") >= 2);
    assert_eq!(s.messages_of("stun Binding error"), 0);
    assert!(s.allocations.is_empty());

    assert_dtls_handshake_completed(&outcome);
    // MESSAGE-INTEGRITY checked with the SDP passwords, no check with a foreign USERNAME.
    assert_eq!(s.violations_of("stun.message-integrity.mismatch"), 0);
    assert_eq!(s.violations_of("check.ice.username"), 0);
    assert_no_must_violation(&outcome);

    // The integrity checks really ran: with another ice-pwd in the answer they fail.
    let wrong = check_with(&dir, Vec::new(), |a| with_other_ice_pwd(&a), false);
    assert!(
        wrong
            .summary
            .violations_of("stun.message-integrity.mismatch")
            >= 1
    );
}

/// Copies the capture, the SDPs and the summary to `$CARGO_TARGET_TMPDIR/live-peers/<case>/`.
fn keep(dir: &Path, summary: &str) {
    // `whcheck-<case>-<pid>`: kept under the case name alone, so each run replaces the last.
    let case = dir
        .file_name()
        .and_then(|n| n.to_string_lossy().split('-').nth(1).map(str::to_string))
        .unwrap_or_default();
    let out = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("live-peers")
        .join(case);
    if std::fs::create_dir_all(&out).is_err() {
        return;
    }
    for name in ["capture.pcapng", "offer.sdp", "answer.sdp"] {
        let _ = std::fs::copy(dir.join(name), out.join(name));
    }
    let _ = std::fs::write(out.join("summary.txt"), summary);
    println!("kept in {}", out.display());
}

fn with_other_ice_pwd(answer: &str) -> String {
    answer
        .lines()
        .map(|l| {
            if l.starts_with("a=ice-pwd:") {
                "a=ice-pwd:aaaaaaaaaaaaaaaaaaaaaaaa"
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\r\n")
}

#[test]
#[ignore = "needs aiortc, coturn, tshark and network namespaces: run with --include-ignored (the README test command does)"]
fn aiortc_relay_only_through_coturn_is_conformant() {
    let dir = scratch("relay");
    let ns = Namespace::new("relay");
    let log = dir.join("turnserver.log");
    let server = ns
        .command("turnserver")
        .args([
            "-n",
            "--listening-ip=127.0.0.1",
            "--relay-ip=127.0.0.1",
            "--listening-port=3478",
            "--lt-cred-mech",
            "--user=alice:secret",
            "--realm=example.org",
            "--no-tls",
            "--no-dtls",
            "--no-cli",
            "--allow-loopback-peers",
            "--fingerprint",
            "--min-port=49160",
            "--max-port=49200",
            "--log-file=stdout",
            "--simple-log",
        ])
        .stdout(std::fs::File::create(&log).unwrap())
        .stderr(Stdio::null())
        .spawn()
        .expect("turnserver");
    let mut server = Background {
        child: server,
        signal: "-TERM",
    };
    std::thread::sleep(Duration::from_millis(500));
    let mut capture = tshark(&ns, &dir);
    peers(&ns, &dir, Some(["turn:127.0.0.1:3478", "alice", "secret"]));
    std::thread::sleep(Duration::from_millis(300));
    capture.stop();
    server.stop();
    let outcome = check(
        &dir,
        vec![Credential::long_term("alice", "example.org", "secret")],
    );
    let s = &outcome.summary;

    // Each peer allocates on coturn: 401 first, then success with credentials.
    assert!(s.allocations.len() >= 2, "{s}");
    for a in s.allocations.iter().filter(|a| a.relayed.is_some()) {
        assert_eq!(a.server, "127.0.0.1:3478");
        assert!(a.observed_from_start);
        assert!(a.permissions >= 1, "{s}");
    }
    assert!(
        s.allocations.iter().filter(|a| a.relayed.is_some()).count() >= 2,
        "{s}"
    );
    assert!(s.messages_of("stun Allocate request") >= 4);
    assert!(s.messages_of("stun Allocate error") >= 2, "401 challenges");
    assert!(s.messages_of("stun Allocate success") >= 2);
    // Permissions come from CreatePermission or ChannelBind (aioice uses ChannelBind).
    assert!(
        s.messages_of("stun CreatePermission success") + s.messages_of("stun ChannelBind success")
            >= 2,
        "{s}"
    );
    // Relay-only: everything between the peers goes through the server, as Send/Data
    // indications or ChannelData; no flow joins the two peers' host ports directly.
    let relayed = s.messages_of("stun Send indication")
        + s.messages_of("stun Data indication")
        + s.messages_of("turn ChannelData");
    assert!(relayed > 0, "{s}");
    assert!(
        s.flows
            .iter()
            .all(|f| f.a.ends_with(":3478") || f.b.ends_with(":3478") || is_relay_leg(f, s))
    );

    assert_eq!(s.ice_sessions.len(), 1, "{s}");
    assert!(s.ice_sessions[0].successes >= 1);
    assert_dtls_handshake_completed(&outcome);
    // Integrity verified with the long-term credentials and the SDP passwords.
    assert_eq!(s.violations_of("stun.message-integrity.mismatch"), 0);
    assert_eq!(s.violations_of("check.turn.send.permission"), 0);
    assert_eq!(s.violations_of("check.turn.channeldata.bound"), 0);
    assert_no_must_violation(&outcome);

    // The long-term credentials were really used: with another password the TURN requests'
    // MESSAGE-INTEGRITY fails.
    let wrong = check_with(
        &dir,
        vec![Credential::long_term(
            "alice",
            "example.org",
            "not-the-password",
        )],
        |a| a,
        false,
    );
    assert!(
        wrong
            .summary
            .violations_of("stun.message-integrity.mismatch")
            >= 2
    );
}

/// A flow between coturn's relay ports (both relayed addresses are on 127.0.0.1:49160-49200).
fn is_relay_leg(f: &harness_check::summary::FlowSummary, _: &harness_check::Summary) -> bool {
    let port = |a: &str| a.rsplit(':').next().and_then(|p| p.parse::<u16>().ok());
    [&f.a, &f.b]
        .iter()
        .all(|a| port(a).is_some_and(|p| (49160..=49200).contains(&p)))
}
