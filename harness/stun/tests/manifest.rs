//! Runs vectors/stun/manifest.yaml against the STUN inspector: every entry's outcome, rule ids
//! and verdicts must be what the manifest (written from the RFCs) says.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use harness_core::credentials::{Credential, PasswordPrep};
use harness_core::inspect::InspectContext;
use serde::Deserialize;

#[derive(Deserialize)]
struct Manifest {
    vectors: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    file: Option<String>,
    shared: Option<String>,
    protocol: String,
    #[serde(default)]
    encoding: Option<String>,
    credentials: Option<Creds>,
    expect: Expect,
}

#[derive(Deserialize)]
struct Creds {
    username: String,
    password: String,
    realm: Option<String>,
    prep: Option<String>,
}

#[derive(Deserialize)]
struct Expect {
    outcome: String,
    #[serde(default)]
    rules: Vec<String>,
    #[serde(default)]
    r#match: Option<String>,
    #[serde(default)]
    verdicts: BTreeMap<String, String>,
}

fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../vectors/stun")
}

fn decode_hex(text: &str) -> Vec<u8> {
    let digits: String = text
        .lines()
        .map(|l| l.split('#').next().unwrap_or(""))
        .flat_map(|l| l.chars().filter(char::is_ascii_hexdigit))
        .collect();
    (0..digits.len() / 2)
        .map(|i| u8::from_str_radix(&digits[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

fn load(entry: &Entry) -> Option<Vec<u8>> {
    let path = match (&entry.file, &entry.shared) {
        (Some(f), _) => vectors_dir().join(f),
        (None, Some(s)) => {
            let p = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../../shared/vectors")
                .join(s);
            if !p.exists() {
                eprintln!("skipped (../shared absent): {s}");
                return None;
            }
            p
        }
        (None, None) => panic!("entry without file or shared"),
    };
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Some(if entry.encoding.as_deref() == Some("hex") {
        decode_hex(&String::from_utf8(bytes).unwrap())
    } else {
        bytes
    })
}

fn context(creds: Option<&Creds>) -> InspectContext {
    let mut ctx = InspectContext::default();
    if let Some(c) = creds {
        let prep: PasswordPrep = c.prep.as_deref().unwrap_or("sasl").parse().unwrap();
        let cred = match &c.realm {
            Some(r) => Credential::long_term(&c.username, r, &c.password),
            None => Credential::short_term(&c.username, &c.password),
        };
        ctx.credentials.push(cred.with_prep(prep));
    }
    ctx
}

fn manifest() -> Manifest {
    let text = std::fs::read_to_string(vectors_dir().join("manifest.yaml")).unwrap();
    serde_yaml::from_str(&text).unwrap()
}

#[test]
fn every_manifest_entry_has_its_expected_outcome() {
    let inspector = harness_stun::inspector();
    let mut failures = Vec::new();
    let mut ran = 0;
    for entry in manifest().vectors.iter().filter(|e| e.protocol == "stun") {
        let Some(bytes) = load(entry) else { continue };
        ran += 1;
        let name = entry
            .file
            .clone()
            .or(entry.shared.clone())
            .unwrap_or_default();
        let got = inspector.inspect(&bytes, &context(entry.credentials.as_ref()));
        let ids: BTreeSet<&str> = got.findings.iter().map(|f| f.rule.id).collect();
        let want: BTreeSet<&str> = entry.expect.rules.iter().map(String::as_str).collect();
        let ok = match entry.expect.outcome.as_str() {
            "parse-error" => !got.parsed,
            "valid" => got.parsed && ids.is_empty(),
            "findings" => {
                got.parsed
                    && match entry.expect.r#match.as_deref().unwrap_or("exactly") {
                        "at-least" => want.is_subset(&ids),
                        _ => want == ids,
                    }
            }
            other => panic!("{name}: unknown outcome {other}"),
        };
        if !ok {
            failures.push(format!(
                "{name}: expected {} {want:?}, got parsed={} {ids:?}",
                entry.expect.outcome, got.parsed
            ));
        }
        for (verdict, value) in &entry.expect.verdicts {
            if got.verdict(verdict) != Some(value.as_str()) {
                failures.push(format!(
                    "{name}: verdict {verdict} expected {value}, got {:?}",
                    got.verdict(verdict)
                ));
            }
        }
    }
    assert!(ran >= 50, "only {ran} entries ran");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_message_file_under_vectors_stun_is_in_the_manifest() {
    let listed: BTreeSet<String> = manifest()
        .vectors
        .into_iter()
        .filter_map(|e| e.file)
        .collect();
    let mut missing = Vec::new();
    let mut stack = vec![vectors_dir()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let rel = path
                .strip_prefix(vectors_dir())
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let skip = rel == "manifest.yaml" || rel.ends_with(".csv") || rel.ends_with(".md");
            if !skip && !listed.contains(&rel) {
                missing.push(rel);
            }
        }
    }
    assert!(missing.is_empty(), "not in the manifest: {missing:?}");
}
