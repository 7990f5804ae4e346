//! YAML network scenarios: the main job of webrtc-harness.
//!
//! * [`schema`]: the file format (unknown fields denied; [`schema::json_schema`] generates
//!   `scenarios/schema.json` for editor completion).
//! * [`load`]: reading files, with one precise [`InputError`](harness_report::input_error::InputError)
//!   per bad file (file, line, column, field, hint).
#![forbid(unsafe_code)]

pub mod agent;
pub mod catalogue;
pub mod dtls;
pub mod duration;
pub mod fuzzing;
pub mod load;
pub mod net;
pub mod oracle;
pub mod peer;
pub mod report;
pub mod run;
pub mod schema;
pub mod signaling;
pub mod wire;

/// The scenario rule catalogue (the outcome oracle's rules).
#[must_use]
pub fn catalogue() -> harness_core::rules::Catalogue {
    oracle::catalogue()
}
