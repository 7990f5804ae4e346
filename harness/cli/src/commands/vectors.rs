//! `vectors [DIR...]`: run manifests and compare outcomes.

use std::path::{Path, PathBuf};

use harness_core::inspect::InspectContext;
use harness_report::input_error::InputError;
use harness_report::manifest::{self, LoadedVector};
use harness_report::model::{Case, Report, Status, Suite};

use super::{case_from_inspection, inspect_bytes};
use crate::args::Conventions;
use crate::registry;

fn manifests(paths: &[PathBuf]) -> Result<Vec<PathBuf>, InputError> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_file() {
            out.push(p.clone());
        } else if p.is_dir() {
            out.extend(manifest::find_manifests(p));
        } else {
            return Err(InputError::new(p, "no such file or directory"));
        }
    }
    Ok(out)
}

fn suite_name(manifest: &Path) -> String {
    manifest
        .parent()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| manifest.display().to_string())
}

/// Runs one loaded vector into a case.
#[must_use]
pub(super) fn run_vector(v: &LoadedVector, extra: &InspectContext) -> Case {
    let name = v.entry.name();
    let bytes = match &v.bytes {
        Ok(b) => b,
        Err(why) => return Case::new(name, Status::Skipped).with_message(why.clone()),
    };
    if registry::inspector_named(&v.entry.protocol).is_none() {
        return Case::new(name, Status::Error)
            .with_message(format!("no inspector for protocol `{}`", v.entry.protocol));
    }
    let mut ctx = extra.clone();
    // Credentials were validated when the manifest was loaded.
    ctx.credentials
        .extend(v.entry.credentials().unwrap_or_default());
    let inspection = inspect_bytes(bytes, Some(&v.entry.protocol), &ctx);
    let mut case = case_from_inspection(&name, &inspection);
    match manifest::evaluate(&v.entry.expect, &inspection) {
        Ok(()) => {
            case.status = Status::Pass;
            case.message = None;
        }
        Err(why) => {
            case.status = Status::Fail;
            case.message = Some(why);
        }
    }
    if let Some(src) = &v.entry.source {
        case.detail("source", src);
    }
    case
}

/// Runs every manifest under `paths`.
///
/// # Errors
/// A manifest that cannot be read or parsed (file, line and field named).
pub fn vectors_report(paths: &[PathBuf], conv: &Conventions) -> Result<Report, InputError> {
    let extra = InspectContext {
        credentials: conv.credentials()?,
        offer: None,
        answer: None,
    };
    let mut report = Report::new("vectors");
    let found = manifests(paths)?;
    if found.is_empty() {
        return Err(InputError::new(
            paths
                .first()
                .map(PathBuf::as_path)
                .unwrap_or(Path::new("vectors")),
            "no manifest.yaml found",
        ));
    }
    for m in found {
        let vectors = manifest::load(&m)?;
        let mut suite = Suite::new(suite_name(&m));
        suite.cases = vectors.iter().map(|v| run_vector(v, &extra)).collect();
        report.suites.push(suite);
    }
    Ok(report)
}
