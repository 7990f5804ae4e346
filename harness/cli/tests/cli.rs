//! The command line, end to end: exit codes, error messages, and every bundled vector.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repo root")
}

fn harness(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_webrtc-harness"))
        .args(args)
        .current_dir(repo())
        .output()
        .expect("runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wh-cli-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("readable").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn bundled_vectors_all_meet_their_manifests() {
    let o = harness(&["vectors"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains(" 0 failed"), "{}", stdout(&o));
}

#[test]
fn every_rule_has_a_triggering_and_a_passing_case() {
    let o = harness(&["rules", "--coverage"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let listing = stdout(&harness(&["rules"]));
    let count: usize = listing
        .lines()
        .last()
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .expect("closing count line");
    assert!(count > 0);
}

#[test]
fn inspect_json_handles_every_vector_file_without_panicking() {
    let vectors = repo().join("vectors");
    let mut seen = 0;
    for f in files_under(&vectors) {
        if f.extension().is_some_and(|e| e == "yaml" || e == "md") {
            continue;
        }
        let path = f.to_string_lossy().into_owned();
        let o = harness(&["inspect", &path, "--format", "json", "--fail-on", "never"]);
        let code = o.status.code();
        assert!(
            code == Some(0) || code == Some(1),
            "{path}: exit {code:?}\n{}",
            stderr(&o)
        );
        let v: serde_json::Value =
            serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{path}: {e}"));
        for key in [
            "schema_version",
            "protocol",
            "parsed",
            "error",
            "fields",
            "violations",
        ] {
            assert!(v.get(key).is_some(), "{path}: no `{key}`");
        }
        seen += 1;
    }
    assert!(seen > 50, "only {seen} vector files");
}

#[test]
fn a_malformed_manifest_names_file_line_and_field() {
    let dir = scratch("manifest");
    std::fs::write(dir.join("x.bin"), b"\x00\x01").expect("write");
    std::fs::write(
        dir.join("manifest.yaml"),
        "vectors:\n  - file: x.bin\n    protocol: sdp\n    expect:\n      outcome: valid\n      verdcts: {}\n",
    )
    .expect("write");
    let o = harness(&["vectors", &dir.to_string_lossy()]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("manifest.yaml:6:"), "{err}");
    assert!(err.contains("vectors[0].expect"), "{err}");
    assert!(err.contains("unknown field `verdcts`"), "{err}");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn bad_flags_and_missing_files_exit_two() {
    assert_eq!(
        harness(&["rules", "--format", "yaml"]).status.code(),
        Some(2)
    );
    assert_eq!(
        harness(&["inspect", "/nonexistent/file.bin"]).status.code(),
        Some(2)
    );
    let o = harness(&["inspect", "--username", "u"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--password"), "{}", stderr(&o));
}

#[test]
fn bad_hex_input_names_the_line() {
    let dir = scratch("hex");
    let f = dir.join("m.hex");
    std::fs::write(&f, "# comment\n0001\n00zz\n").expect("write");
    let o = harness(&["inspect", &f.to_string_lossy()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("m.hex:3"), "{}", stderr(&o));
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn a_written_baseline_accepts_exactly_the_findings_it_lists() {
    let dir = scratch("baseline");
    // An SDP with LF line endings: a MUST violation of RFC 8866 §5.
    let sdp = dir.join("lf.sdp");
    std::fs::write(&sdp, "v=0\no=- 1 1 IN IP4 127.0.0.1\ns=-\nt=0 0\n").expect("write");
    let sdp = sdp.to_string_lossy().into_owned();
    let baseline = dir.join("baseline.yaml").to_string_lossy().into_owned();
    let first = harness(&[
        "inspect",
        &sdp,
        "--format",
        "junit",
        "--write-baseline",
        &baseline,
    ]);
    assert_eq!(first.status.code(), Some(1), "{}", stdout(&first));
    assert!(stdout(&first).contains("<testcase"), "{}", stdout(&first));
    let again = harness(&[
        "inspect",
        &sdp,
        "--format",
        "junit",
        "--baseline",
        &baseline,
    ]);
    assert_eq!(again.status.code(), Some(0), "{}", stdout(&again));
    assert_eq!(
        harness(&["inspect", &sdp, "--fail-on", "never"])
            .status
            .code(),
        Some(0)
    );
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn offer_answer_mode_needs_both_documents() {
    let dir = scratch("oa");
    let offer = dir.join("offer.sdp");
    std::fs::write(
        &offer,
        "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n",
    )
    .expect("write");
    let o = harness(&["inspect", "--offer", &offer.to_string_lossy()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--answer"), "{}", stderr(&o));
    let both = harness(&[
        "inspect",
        "--offer",
        &offer.to_string_lossy(),
        "--answer",
        &offer.to_string_lossy(),
    ]);
    assert!(
        matches!(both.status.code(), Some(0 | 1)),
        "{}",
        stderr(&both)
    );
    assert!(stdout(&both).contains("offer-answer"), "{}", stdout(&both));
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn check_judges_a_bundled_capture_and_fails_on_its_must_violations() {
    let captures = files_under(&repo().join("vectors/captures"));
    let capture = captures
        .iter()
        .find(|p| p.extension().is_some_and(|e| e == "pcap" || e == "pcapng"))
        .expect("a bundled capture");
    let path = capture.to_string_lossy().into_owned();
    let o = harness(&["check", &path, "--format", "json", "--fail-on", "never"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json report");
    assert_eq!(v["command"], "check");
    assert!(!v["suites"].as_array().expect("suites").is_empty());
    let text = harness(&["check", &path]);
    assert!(stdout(&text).contains("flows"), "{}", stdout(&text));
}

#[test]
fn check_rejects_a_file_that_is_not_a_capture() {
    let dir = scratch("notpcap");
    let f = dir.join("x.pcap");
    std::fs::write(&f, b"not a capture at all").expect("write");
    let o = harness(&["check", &f.to_string_lossy()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("x.pcap"), "{}", stderr(&o));
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn nat_discovery_against_serve_stun_on_loopback_finds_no_nat() {
    use std::io::BufRead as _;
    let mut server = Command::new(env!("CARGO_BIN_EXE_webrtc-harness"))
        .args([
            "serve",
            "stun",
            "--listen",
            "127.0.0.1:0",
            "--alternate",
            "127.0.0.2:0",
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("serve stun starts");
    let stdout_pipe = server.stdout.take().expect("piped");
    let mut lines = std::io::BufReader::new(stdout_pipe).lines();
    let primary = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| l.strip_prefix("listening UDP ").map(str::to_string))
        .expect("a listening line");
    let o = harness(&[
        "nat-discovery",
        "--server",
        &primary,
        "--format",
        "json",
        "--seed",
        "1",
    ]);
    server.kill().ok();
    server.wait().ok();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["nat"], false, "{v}");
    assert_eq!(v["mapping"], "endpoint-independent", "{v}");
    assert_eq!(v["filtering"], "endpoint-independent", "{v}");
}
