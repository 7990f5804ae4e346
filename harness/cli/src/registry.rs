//! Which protocols the tool knows: their inspectors, rule catalogues and cross-checkers.
//!
//! Every protocol crate exports `inspector()` and `catalogue()`; `harness-xcheck` exports one
//! cross-check function per protocol. This is the one place that lists them.

use harness_core::divergence::CrossCheck;
use harness_core::inspect::{Confidence, InspectContext, Inspector};
use harness_core::rules::{Catalogue, Finding};

/// A cross-check entry point: subject name, bytes, context.
pub type CrossChecker = fn(&str, &[u8], &InspectContext) -> CrossCheck;

/// Every inspector, most specific first.
#[must_use]
pub fn inspectors() -> Vec<&'static dyn Inspector> {
    vec![
        harness_stun::inspector(),
        harness_sdp::inspector(),
        harness_dtls::inspector(),
        harness_ice::inspector(),
        harness_turn::inspector(),
        harness_check::inspector(),
        // Last: it recognises everything RFC 7983 classifies, with the least confidence.
        harness_demux::inspector(),
    ]
}

/// Every rule catalogue.
#[must_use]
pub fn catalogues() -> Vec<Catalogue> {
    vec![
        harness_stun::catalogue(),
        harness_sdp::catalogue(),
        harness_dtls::catalogue(),
        harness_ice::catalogue(),
        harness_turn::catalogue(),
        harness_check::catalogue(),
        harness_scenario::catalogue(),
    ]
}

/// The cross-checker for `protocol`, if the webrtc crate has a counterpart.
#[must_use]
pub fn cross_checker(protocol: &str) -> Option<CrossChecker> {
    match protocol {
        "stun" => Some(harness_xcheck::stun::cross_check_stun),
        "sdp" => Some(|subject, bytes, _| harness_xcheck::sdp::cross_check_sdp(subject, bytes)),
        "dtls" => Some(|subject, bytes, _| harness_xcheck::dtls::cross_check_dtls(subject, bytes)),
        _ => None,
    }
}

/// Offer/answer validation, when the SDP module is present.
#[must_use]
pub fn offer_answer(offer: &str, answer: &str) -> Option<Vec<Finding>> {
    Some(harness_sdp::check_offer_answer(offer, answer))
}

/// The inspector named `protocol`.
#[must_use]
pub fn inspector_named(protocol: &str) -> Option<&'static dyn Inspector> {
    inspectors().into_iter().find(|i| i.protocol() == protocol)
}

/// The most confident inspector for `bytes` (the first in [`inspectors`] order on a tie).
#[must_use]
pub fn detect(bytes: &[u8]) -> Option<&'static dyn Inspector> {
    let mut best: Option<(Confidence, &'static dyn Inspector)> = None;
    for i in inspectors() {
        let c = i.detect(bytes);
        if c > Confidence::No && best.is_none_or(|(b, _)| c > b) {
            best = Some((c, i));
        }
    }
    best.map(|(_, i)| i)
}
