//! Reports, and the files users hand the harness.
//!
//! * [`model`]: one report model for every command: suites of cases, each with a status,
//!   details and rule findings.
//! * [`render`]: text, JSON, Markdown and JUnit XML renderers (one JUnit testcase per vector,
//!   per scenario, per capture flow).
//! * [`policy`]: `--fail-on` and `--baseline`: which findings fail a run, which are accepted.
//! * [`manifest`]: the vector manifest format (`vectors/**/manifest.yaml`).
//! * [`credentials`]: the `--credentials FILE` format.
//! * [`inspect_json`]: the stable JSON shape of `inspect --format json`.
//! * [`input_error`]: one clear error for bad user input, naming file, line, column and field.
#![forbid(unsafe_code)]

pub mod credentials;
pub mod input_error;
pub mod inspect_json;
pub mod manifest;
pub mod model;
pub mod policy;
pub mod render;

pub use model::{Case, Detail, FindingRecord, Report, Status, Suite};
