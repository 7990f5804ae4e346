//! `xcheck [PATH...]`: the same bytes through the reference and the webrtc crate.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use harness_core::credentials::Credential;
use harness_report::manifest;

use harness_core::divergence::{CrossCheck, Verdict};
use harness_core::inspect::InspectContext;
use harness_report::input_error::InputError;
use harness_report::model::{Case, Report, Status, Suite};

use super::read_input;
use crate::args::Conventions;
use crate::registry;

/// Files under `paths`, sorted; manifests, notes and captures are left out.
fn input_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, InputError> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_file() {
            out.push(p.clone());
            continue;
        }
        if !p.is_dir() {
            return Err(InputError::new(p, "no such file or directory"));
        }
        let mut stack = vec![p.clone()];
        while let Some(d) = stack.pop() {
            let Ok(rd) = std::fs::read_dir(&d) else {
                continue;
            };
            for e in rd.flatten() {
                let f = e.path();
                if f.is_dir() {
                    stack.push(f);
                } else if !skipped(&f) {
                    out.push(f);
                }
            }
        }
    }
    out.sort();
    Ok(out)
}

fn skipped(f: &Path) -> bool {
    let ext = f.extension().and_then(|e| e.to_str()).unwrap_or("");
    matches!(
        ext,
        "yaml" | "yml" | "md" | "pcap" | "pcapng" | "gofuzz" | "csv" | "txt" | "json"
    )
}

/// Credentials that manifests under `paths` give their files, so `xcheck vectors/` compares
/// integrity on the vectors that have credentials without any flag.
fn manifest_credentials(paths: &[PathBuf]) -> HashMap<PathBuf, Vec<Credential>> {
    let mut out = HashMap::new();
    for dir in paths.iter().filter(|p| p.is_dir()) {
        for m in manifest::find_manifests(dir) {
            let Ok(vectors) = manifest::load(&m) else {
                continue;
            };
            let base = m.parent().map(Path::to_path_buf).unwrap_or_default();
            for v in vectors {
                let (Some(file), Ok(creds)) = (&v.entry.file, v.entry.credentials()) else {
                    continue;
                };
                if let (false, Ok(path)) = (creds.is_empty(), base.join(file).canonicalize()) {
                    out.insert(path, creds);
                }
            }
        }
    }
    out
}

/// The report case of one cross-check.
#[must_use]
pub(super) fn case_from_cross_check(c: &CrossCheck) -> Case {
    let status = if c.panicked() {
        Status::Error
    } else {
        Status::Pass
    };
    let mut case = Case::new(&c.subject, status);
    case.detail("protocol", c.protocol);
    case.detail("reference", &c.reference);
    case.detail(c.other_name, &c.other);
    for d in &c.divergences {
        let rule = d.rule.map(|r| format!(" [{r}]")).unwrap_or_default();
        case.detail(
            "divergence",
            format!(
                "{} {}: reference={} other={}{rule}",
                d.class, d.field, d.reference, d.other
            ),
        );
    }
    for m in &c.masked {
        case.detail("masked", m);
    }
    if c.panicked() {
        let who = if matches!(c.reference, Verdict::Panicked(_)) {
            "reference"
        } else {
            c.other_name
        };
        case.message = Some(format!("PANICKED in {who}"));
    } else if !c.divergences.is_empty() {
        case.message = Some(format!("{} divergence(s)", c.divergences.len()));
    }
    case
}

/// Cross-checks every file under `paths` whose protocol has a counterpart in the webrtc crate.
///
/// # Errors
/// A path that does not exist, a file that cannot be read, bad credentials.
pub fn xcheck_report(paths: &[PathBuf], conv: &Conventions) -> Result<Report, InputError> {
    let ctx = InspectContext {
        credentials: conv.credentials()?,
        offer: None,
        answer: None,
    };
    let manifest_credentials = manifest_credentials(paths);
    let mut report = Report::new("xcheck");
    let mut suites: Vec<Suite> = Vec::new();
    for file in input_files(paths)? {
        let bytes = read_input(&file, false)?;
        let mut ctx = ctx.clone();
        if let Some(extra) = file
            .canonicalize()
            .ok()
            .and_then(|f| manifest_credentials.get(&f))
        {
            ctx.credentials.extend(extra.iter().cloned());
        }
        let Some(inspector) = registry::detect(&bytes) else {
            continue;
        };
        let protocol = inspector.protocol();
        let Some(check) = registry::cross_checker(protocol) else {
            continue;
        };
        let result = check(&file.display().to_string(), &bytes, &ctx);
        let case = case_from_cross_check(&result);
        match suites.iter_mut().find(|s| s.name == protocol) {
            Some(s) => s.cases.push(case),
            None => {
                let mut s = Suite::new(protocol);
                s.cases.push(case);
                suites.push(s);
            }
        }
    }
    report.suites = suites;
    Ok(report)
}
