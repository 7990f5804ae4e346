//! `webrtc-harness check`: judges a real capture.
//!
//! A pcap or pcapng file from any stack goes in (read by [`harness_capture`], streaming and
//! bounded); every UDP datagram and every message framed on TCP is demultiplexed by its first
//! byte (RFC 7983 / RFC 9443), parsed as STUN, TURN ChannelData, DTLS, RTP or RTCP, and
//! grouped into flows (5-tuples), ICE sessions (ufrag pairs), TURN allocations (client
//! 5-tuples, with permissions and channels over time) and DTLS associations (handshakes
//! reassembled by harness-dtls's observer). Each message is judged by the rules of its
//! protocol crate; the rules of this crate ([`rules::RULES`]) judge what needs more than one
//! message: responses against requests, retransmission back-off, ICE pacing and usernames,
//! TURN permissions and channels, DTLS record uniqueness and the cookie exchange.
//!
//! # Calling it (for the CLI)
//!
//! ```no_run
//! use harness_check::{CheckOptions, check_capture, sdp::Session};
//! use harness_core::credentials::Credential;
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut options = CheckOptions::default();
//! options.credentials.push(Credential::long_term("alice", "example.org", "secret"));
//! // --offer / --answer: ufrag, pwd and fingerprints tie the capture to its session.
//! options.session = Some(Session::parse(&std::fs::read_to_string("offer.sdp")?,
//!                                       &std::fs::read_to_string("answer.sdp")?)?);
//! let outcome = check_capture(std::path::Path::new("call.pcapng"), &options)?;
//! print!("{}", outcome.summary);                   // human summary
//! let report = outcome.report("call.pcapng");      // harness_report::Report for --format,
//! # let _ = report;                                // --fail-on and --baseline
//! # Ok(()) }
//! ```
//!
//! `check_capture` fails only when nothing can be read (missing file, not a capture). A capture
//! that is truncated or corrupt part-way is still judged up to the damaged frame; the error is
//! in [`CheckOutcome::capture_error`], in the summary, and in the report as a `capture` case
//! with status `error` (so the exit code is non-zero).
#![forbid(unsafe_code)]
#![warn(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

mod cases;
pub mod checker;
pub mod classify;
pub mod dtls_state;
pub mod findings;
pub mod flows;
pub mod fuzzing;
pub mod inspect;
pub mod replicate;
pub mod rtp;
pub mod rules;
pub mod sdp;
pub mod stun_state;
pub mod summary;
pub mod turn_state;

use std::io::Read;
use std::path::Path;

use harness_capture::{Capture, CaptureError, CaptureErrorKind, Limits, Stats};
use harness_core::credentials::Credential;
use harness_core::rules::{Catalogue, Finding};
use harness_report::Report;

pub use checker::Checker;
pub use inspect::inspector;
pub use sdp::Session;
pub use summary::Summary;

/// What a check may know beyond the capture.
#[derive(Clone, Debug)]
pub struct CheckOptions {
    /// Credentials for MESSAGE-INTEGRITY checks (`--credentials`); a message is checked with
    /// those whose username it carries (or its request carried).
    pub credentials: Vec<Credential>,
    /// The session's offer and answer (`--offer`, `--answer`).
    pub session: Option<Session>,
    /// Memory bounds of the capture reader.
    pub limits: Limits,
    /// Most findings kept with their location (counts stay exact beyond it).
    pub max_findings: usize,
    /// Most flows followed one by one.
    pub max_flows: usize,
}

impl Default for CheckOptions {
    fn default() -> Self {
        Self {
            credentials: Vec::new(),
            session: None,
            limits: Limits::default(),
            max_findings: 10_000,
            max_flows: 100_000,
        }
    }
}

/// The result of checking one capture.
#[derive(Clone, Debug)]
pub struct CheckOutcome {
    /// Flows, messages, sessions, allocations, handshakes, violations.
    pub summary: Summary,
    /// Stored findings with their flow id (0: the capture).
    pub findings: Vec<(usize, Finding)>,
    /// Counters of the capture reader.
    pub stats: Stats,
    /// Why reading stopped before the end, if it did.
    pub capture_error: Option<CaptureError>,
}

impl CheckOutcome {
    /// The report (one suite named `name`), for `--format`, `--fail-on` and `--baseline`.
    #[must_use]
    pub fn report(&self, name: &str) -> Report {
        summary::report(
            name,
            &self.summary,
            &self.findings,
            self.capture_error.as_ref(),
        )
    }
}

/// Checks the capture in the file at `path`.
///
/// # Errors
/// When the file cannot be opened or is not a pcap/pcapng capture at all.
pub fn check_capture(path: &Path, options: &CheckOptions) -> Result<CheckOutcome, CaptureError> {
    let file = std::fs::File::open(path)
        .map_err(|_| CaptureError::new(CaptureErrorKind::Read, None, 0, "opening the file"))?;
    // The reader buffers (`Limits::read_buffer`), so the file is read directly.
    check_reader(file, options)
}

/// Checks a capture read from `source`.
///
/// # Errors
/// When the input is empty, unreadable or not a pcap/pcapng capture at all.
pub fn check_reader(
    source: impl Read,
    options: &CheckOptions,
) -> Result<CheckOutcome, CaptureError> {
    let mut capture = Capture::new(source, options.limits)?;
    let mut checker = Checker::new(
        &options.credentials,
        options.session.as_ref(),
        options.max_findings,
        options.max_flows,
    );
    let result = capture.for_each_packet(|packet| checker.packet(packet));
    let stats = capture.stats();
    let capture_error = result.err();
    let summary = Summary::of(&checker, &stats, capture_error.as_ref());
    Ok(CheckOutcome {
        summary,
        findings: checker.findings.stored,
        stats,
        capture_error,
    })
}

/// The rules of this crate and their coverage cases.
#[must_use]
pub fn catalogue() -> Catalogue {
    Catalogue {
        protocol: "check",
        rules: rules::RULES,
        cases: cases::cases,
    }
}
