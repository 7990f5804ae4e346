//! Vector manifests: `vectors/**/manifest.yaml`.
//!
//! Each entry names one input file, its protocol and encoding, the credentials its integrity
//! checks need, and the expected outcome. The format is documented in `docs/ARCHITECTURE.md`.
//!
//! Files whose licence keeps them out of the repository stay in `../shared/vectors` and are
//! named with `shared:` instead of `file:`; the loader finds that folder beside the checkout
//! (or at `$WEBRTC_HARNESS_SHARED`) and reports such entries as skipped when it is absent.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use harness_core::credentials::{Credential, PasswordPrep};
use harness_core::inspect::Inspection;
use harness_core::rules::Severity;
use serde::{Deserialize, Serialize};

use crate::credentials::CredentialEntry;
use crate::input_error::InputError;

/// A whole manifest file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// The vectors, in order.
    pub vectors: Vec<VectorEntry>,
}

/// How the file's bytes are stored.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Encoding {
    /// Raw bytes (SDP text counts as binary).
    #[default]
    Binary,
    /// Hex digits; `#` starts a comment line; whitespace is ignored.
    Hex,
}

/// One credential or several.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    /// A single entry.
    One(CredentialEntry),
    /// A list.
    Many(Vec<CredentialEntry>),
}

/// The expected outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Parses, with no MUST or SHOULD findings.
    Valid,
    /// Does not parse.
    ParseError,
    /// Produces the findings listed in `rules`.
    Findings,
}

/// How `rules` is compared with what was found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RuleMatch {
    /// The set of rule ids found equals `rules`.
    #[default]
    Exactly,
    /// Every id in `rules` is found; others may be too.
    AtLeast,
}

/// What a vector must produce.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expectation {
    /// valid, parse-error or findings.
    pub outcome: Outcome,
    /// Rule ids, with `findings` (also allowed with `parse-error`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<String>,
    /// How `rules` is compared.
    #[serde(default, rename = "match")]
    pub rule_match: RuleMatch,
    /// Named verdicts that must come out (`integrity: ok`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub verdicts: BTreeMap<String, String>,
}

/// One vector.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VectorEntry {
    /// Path relative to the manifest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// Path relative to `../shared/vectors`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shared: Option<String>,
    /// Protocol name, as inspectors call themselves.
    pub protocol: String,
    /// Encoding of the file.
    #[serde(default)]
    pub encoding: Encoding,
    /// Credentials for integrity checks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials: Option<OneOrMany>,
    /// The expected outcome.
    pub expect: Expectation,
    /// Where it comes from, one line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Anything else worth saying.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl VectorEntry {
    /// The credentials, converted.
    ///
    /// # Errors
    /// An unknown `prep` spelling.
    pub fn credentials(&self) -> Result<Vec<Credential>, String> {
        let entries: Vec<&CredentialEntry> = match &self.credentials {
            None => Vec::new(),
            Some(OneOrMany::One(e)) => vec![e],
            Some(OneOrMany::Many(v)) => v.iter().collect(),
        };
        entries
            .into_iter()
            .map(|e| e.to_credential(PasswordPrep::SaslPrep))
            .collect()
    }

    /// A display name: the file path as written.
    #[must_use]
    pub fn name(&self) -> String {
        match (&self.file, &self.shared) {
            (Some(f), _) => f.clone(),
            (None, Some(s)) => format!("shared:{s}"),
            (None, None) => "<no file>".to_string(),
        }
    }
}

/// A vector with its bytes loaded (or the reason they are not).
#[derive(Clone, Debug)]
pub struct LoadedVector {
    /// The manifest it came from.
    pub manifest: PathBuf,
    /// Its entry.
    pub entry: VectorEntry,
    /// Its bytes, or why it is skipped (`Err`).
    pub bytes: Result<Vec<u8>, String>,
}

/// Finds `../shared/vectors`: `$WEBRTC_HARNESS_SHARED/vectors` if set, else the first ancestor
/// of `start` that holds `shared/vectors/PROVENANCE.md`.
#[must_use]
pub fn shared_vectors_dir(start: &Path) -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("WEBRTC_HARNESS_SHARED") {
        let p = PathBuf::from(dir).join("vectors");
        return p.is_dir().then_some(p);
    }
    let start = start.canonicalize().ok()?;
    start
        .ancestors()
        .map(|a| a.join("shared").join("vectors"))
        .find(|p| p.join("PROVENANCE.md").is_file())
}

/// Decodes hex text: `#` comment lines and whitespace are ignored.
///
/// # Errors
/// The 1-based line and what is wrong.
pub fn decode_hex(text: &str) -> Result<Vec<u8>, (usize, String)> {
    let mut out = Vec::with_capacity(text.len() / 2);
    let mut pending: Option<u8> = None;
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        if line.trim_start().starts_with('#') {
            continue;
        }
        for c in line.chars().filter(|c| !c.is_whitespace()) {
            let Some(v) = c.to_digit(16) else {
                return Err((line_no, format!("`{c}` is not a hex digit")));
            };
            let v = v as u8; // a hex digit fits
            match pending.take() {
                Some(hi) => out.push(hi << 4 | v),
                None => pending = Some(v),
            }
        }
    }
    if pending.is_some() {
        return Err((text.lines().count(), "odd number of hex digits".to_string()));
    }
    Ok(out)
}

/// Every `manifest.yaml` under `dir`, sorted, so runs are reproducible.
#[must_use]
pub fn find_manifests(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in rd.flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.file_name().is_some_and(|n| n == "manifest.yaml") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Reads one manifest and loads each vector's bytes.
///
/// # Errors
/// One [`InputError`] for a manifest that cannot be read or parsed, or an entry that names
/// neither or both of `file` and `shared`, or a hex file that does not decode.
pub fn load(path: &Path) -> Result<Vec<LoadedVector>, InputError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| InputError::new(path, format!("cannot read manifest: {e}")))?;
    let manifest: Manifest =
        serde_yaml::from_str(&text).map_err(|e| InputError::from_yaml(path, &e))?;
    let base = path.parent().unwrap_or(Path::new("."));
    let shared = shared_vectors_dir(base);
    let mut out = Vec::with_capacity(manifest.vectors.len());
    for (i, entry) in manifest.vectors.into_iter().enumerate() {
        let field = format!("vectors[{i}]");
        let file = match (&entry.file, &entry.shared) {
            (Some(f), None) => base.join(f),
            (None, Some(s)) => match &shared {
                Some(dir) => dir.join(s),
                None => {
                    out.push(LoadedVector {
                        manifest: path.to_path_buf(),
                        bytes: Err("../shared/vectors is not beside this checkout".to_string()),
                        entry,
                    });
                    continue;
                }
            },
            _ => {
                return Err(
                    InputError::new(path, "give exactly one of `file` and `shared`")
                        .with_field(field),
                );
            }
        };
        if let Err(m) = entry.credentials() {
            return Err(InputError::new(path, m).with_field(format!("{field}.credentials")));
        }
        let raw = std::fs::read(&file).map_err(|e| {
            InputError::new(path, format!("cannot read {}: {e}", file.display()))
                .with_field(field.clone())
        })?;
        let bytes = match entry.encoding {
            Encoding::Binary => raw,
            Encoding::Hex => {
                let text = String::from_utf8_lossy(&raw);
                decode_hex(&text).map_err(|(line, m)| {
                    let mut e = InputError::new(&file, m).with_field(format!("{field} (hex)"));
                    e.line = Some(line);
                    e
                })?
            }
        };
        out.push(LoadedVector {
            manifest: path.to_path_buf(),
            entry,
            bytes: Ok(bytes),
        });
    }
    Ok(out)
}

/// Compares an inspection with the expectation; `Ok` or a one-line reason.
///
/// # Errors
/// The first difference, in words.
pub fn evaluate(expect: &Expectation, inspection: &Inspection) -> Result<(), String> {
    let found: std::collections::BTreeSet<&str> =
        inspection.findings.iter().map(|f| f.rule.id).collect();
    match expect.outcome {
        Outcome::Valid => {
            if !inspection.parsed {
                return Err(format!(
                    "expected valid, but it did not parse: {}",
                    inspection.error.as_deref().unwrap_or("no reason given")
                ));
            }
            let serious: Vec<&str> = inspection
                .findings
                .iter()
                .filter(|f| f.rule.level.severity() >= Severity::Should)
                .map(|f| f.rule.id)
                .collect();
            if !serious.is_empty() {
                return Err(format!("expected valid, found {}", serious.join(", ")));
            }
        }
        Outcome::ParseError => {
            if inspection.parsed {
                return Err("expected a parse error, but it parsed".to_string());
            }
        }
        Outcome::Findings => {}
    }
    if expect.outcome != Outcome::Valid && !expect.rules.is_empty()
        || expect.outcome == Outcome::Findings
    {
        let wanted: std::collections::BTreeSet<&str> =
            expect.rules.iter().map(String::as_str).collect();
        let missing: Vec<&str> = wanted.difference(&found).copied().collect();
        let extra: Vec<&str> = found.difference(&wanted).copied().collect();
        if !missing.is_empty() {
            return Err(format!("missing findings: {}", missing.join(", ")));
        }
        if expect.rule_match == RuleMatch::Exactly && !extra.is_empty() {
            return Err(format!("unexpected findings: {}", extra.join(", ")));
        }
    }
    for (name, want) in &expect.verdicts {
        match inspection.verdict(name) {
            Some(got) if got == want => {}
            Some(got) => return Err(format!("{name}: expected {want}, got {got}")),
            None => {
                return Err(format!(
                    "{name}: expected {want}, but the inspector gave no such verdict"
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use harness_core::rules::{Finding, Location};

    harness_core::rules! {
        /// Test rules.
        pub(crate) RULES;
        /// A MUST.
        R_MUST = ("t.must", 8489, "1", Must, Message, "a must");
        /// A MAY.
        R_MAY = ("t.may", 8489, "2", May, Message, "a may");
    }

    fn inspection(parsed: bool, rules: &[&'static harness_core::rules::Rule]) -> Inspection {
        let mut i = Inspection::new("t");
        i.parsed = parsed;
        i.findings = rules
            .iter()
            .map(|r| Finding::new(r, Location::whole(), "x"))
            .collect();
        i.verdicts.push(("integrity", "ok".into()));
        i
    }

    fn expect(yaml: &str) -> Expectation {
        serde_yaml::from_str(yaml).unwrap()
    }

    #[test]
    fn outcomes_compare_as_documented() {
        assert!(evaluate(&expect("outcome: valid"), &inspection(true, &[&R_MAY])).is_ok());
        assert!(evaluate(&expect("outcome: valid"), &inspection(true, &[&R_MUST])).is_err());
        assert!(evaluate(&expect("outcome: parse-error"), &inspection(false, &[])).is_ok());
        assert!(
            evaluate(
                &expect("outcome: findings\nrules: [t.must]"),
                &inspection(true, &[&R_MUST, &R_MAY])
            )
            .is_err()
        );
        assert!(
            evaluate(
                &expect("outcome: findings\nrules: [t.must]\nmatch: at-least"),
                &inspection(true, &[&R_MUST, &R_MAY])
            )
            .is_ok()
        );
        let e = evaluate(
            &expect("outcome: valid\nverdicts: {integrity: fail}"),
            &inspection(true, &[]),
        )
        .unwrap_err();
        assert!(e.contains("expected fail, got ok"), "{e}");
    }

    #[test]
    fn hex_decoding_skips_comments_and_reports_lines() {
        assert_eq!(
            decode_hex("# c\n00 01\n0a0B\n").unwrap(),
            vec![0, 1, 10, 11]
        );
        assert_eq!(decode_hex("00\n0g\n").unwrap_err().0, 2);
        assert!(decode_hex("0").is_err());
    }

    #[test]
    fn loader_resolves_files_and_rejects_bad_entries() {
        let dir = std::env::temp_dir().join(format!("wh-manifest-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("a.hex"), "# x\n0001\n").unwrap();
        let m = dir.join("manifest.yaml");
        std::fs::write(&m, "vectors:\n  - file: a.hex\n    protocol: stun\n    encoding: hex\n    expect: {outcome: valid}\n").unwrap();
        let v = load(&m).unwrap();
        assert_eq!(v[0].bytes.as_ref().unwrap(), &vec![0, 1]);
        std::fs::write(
            &m,
            "vectors:\n  - protocol: stun\n    expect: {outcome: valid}\n",
        )
        .unwrap();
        let e = load(&m).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("vectors[0]"));
        std::fs::write(
            &m,
            "vectors:\n  - file: a.hex\n    protocol: stun\n    expect: {outcome: vaild}\n",
        )
        .unwrap();
        let e = load(&m).unwrap_err();
        assert_eq!(e.line, Some(4), "{e}");
        assert!(e.message.contains("vaild"), "{e}");
        assert_eq!(find_manifests(&dir), vec![m]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
