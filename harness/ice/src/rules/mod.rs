//! The ICE rules and the validator.
//!
//! [`validate`] judges one endpoint from its own view of the wire: every datagram it sent and
//! received ([`Observed`]), in time order, with the credentials in use when they are known
//! ([`ValidatorContext`]). It looks at the checks the endpoint sends, how it answers the
//! requests it receives, and its behaviour over time (pacing, retransmissions, role changes,
//! nomination, consent, keepalives). Judge both endpoints of a capture by calling it once with
//! each one's view. [`validate_candidate`] and [`validate_restart`] judge signalled data.

mod cases;
mod validate;

use core::time::Duration;

use harness_core::endpoint::TransportContext;
use harness_core::rules::Catalogue;
use harness_core::time::Instant;

pub use validate::{validate, validate_candidate, validate_restart};

use crate::config::IceCredentials;

harness_core::rules! {
    /// Every ICE rule.
    pub RULES;
    /// RFC 8445 §7.2.2: a check carries USERNAME.
    REQUEST_USERNAME = ("ice.request.username", 8445, "7.2.2", Must, Message,
        "a connectivity check carries USERNAME");
    /// RFC 8445 §7.2.2: USERNAME is `remote ufrag:local ufrag`.
    REQUEST_USERNAME_FORM = ("ice.request.username-form", 8445, "7.2.2", Must, Message,
        "USERNAME is the receiver's ufrag, a colon, and the sender's ufrag");
    /// RFC 8445 §7.2.2: a check carries MESSAGE-INTEGRITY.
    REQUEST_INTEGRITY = ("ice.request.integrity", 8445, "7.2.2", Must, Message,
        "a connectivity check carries MESSAGE-INTEGRITY (short-term credentials)");
    /// RFC 8445 §7.2.2: MESSAGE-INTEGRITY uses the receiver's password.
    REQUEST_INTEGRITY_VALID = ("ice.request.integrity-valid", 8445, "7.2.2", Must, Message,
        "MESSAGE-INTEGRITY of a check verifies with the receiver's password");
    /// RFC 8445 §7.2.4: FINGERPRINT on checks.
    REQUEST_FINGERPRINT = ("ice.request.fingerprint", 8445, "7.2.4", Must, Message,
        "the FINGERPRINT mechanism is used for connectivity checks");
    /// RFC 8489 §14.7: FINGERPRINT value.
    MESSAGE_FINGERPRINT_VALID = ("ice.message.fingerprint-valid", 8489, "14.7", Must, Message,
        "FINGERPRINT, when present, holds the CRC-32 of the message XOR 0x5354554E");
    /// RFC 8445 §7.1.1: PRIORITY on checks.
    REQUEST_PRIORITY = ("ice.request.priority", 8445, "7.1.1", Must, Message,
        "a connectivity check carries PRIORITY");
    /// RFC 8445 §7.1.1: PRIORITY as for a peer-reflexive candidate.
    REQUEST_PRIORITY_TYPE = ("ice.request.priority-prflx", 8445, "7.1.1", Should, Message,
        "PRIORITY is computed with the peer-reflexive type preference (110 with the recommended formula)");
    /// RFC 8445 §7.1.3: exactly one role attribute.
    REQUEST_ROLE_ATTRIBUTE = ("ice.request.role-attribute", 8445, "7.1.3", Must, Message,
        "a check carries exactly one of ICE-CONTROLLING and ICE-CONTROLLED");
    /// RFC 8445 §7.1.2: only the controlling agent sends USE-CANDIDATE.
    REQUEST_USE_CANDIDATE_CONTROLLING = ("ice.request.use-candidate-controlling", 8445, "7.1.2", MustNot, Message,
        "USE-CANDIDATE is not sent by an agent in the controlled role");
    /// RFC 8445 §16.1: the tie-breaker stays the same.
    REQUEST_TIEBREAKER_STABLE = ("ice.request.tiebreaker-stable", 8445, "16.1", Must, Flow,
        "the same tie-breaker is used for all Binding requests unless a 487 was received");
    /// RFC 8445 §6.2 / §6.1.1: a lite agent does not send checks.
    LITE_NO_CHECKS = ("ice.lite.no-checks", 8445, "6.1.1", MustNot, Endpoint,
        "a lite agent facing a full agent sends no connectivity checks");
    /// RFC 8445 §6.1.1: a full agent facing a lite one controls.
    LITE_FULL_CONTROLS = ("ice.lite.full-controls", 8445, "6.1.1", Must, Endpoint,
        "a full agent facing a lite agent takes the controlling role");
    /// RFC 8445 §11: keepalive indications are unauthenticated.
    INDICATION_NO_AUTH = ("ice.keepalive.no-auth", 8445, "11", MustNot, Message,
        "a keepalive Binding indication uses no authentication");
    /// RFC 8445 §11: keepalive indications carry FINGERPRINT.
    INDICATION_FINGERPRINT = ("ice.keepalive.fingerprint", 8445, "11", Should, Message,
        "a keepalive Binding indication carries FINGERPRINT");
    /// RFC 8445 §11: no other attributes.
    INDICATION_ONLY_FINGERPRINT = ("ice.keepalive.only-fingerprint", 8445, "11", ShouldNot, Message,
        "a keepalive Binding indication carries no attribute besides FINGERPRINT");
    /// RFC 8445 §11: Tr of at least 15 s.
    KEEPALIVE_INTERVAL = ("ice.keepalive.interval", 8445, "11", MustNot, Flow,
        "keepalive indications on a pair are not sent less than 15 s apart");
    /// RFC 8445 §11: a packet at least every Tr on the selected pair.
    KEEPALIVE_SENT = ("ice.keepalive.sent", 8445, "11", Must, Flow,
        "something is sent on the selected pair at least every 15 s while it is in use");
    /// RFC 8445 §7.3.1.2: success carries the mapped address.
    RESPONSE_XOR_MAPPED = ("ice.response.xor-mapped-address", 8445, "7.3.1.2", Must, Exchange,
        "a success response to a check carries XOR-MAPPED-ADDRESS");
    /// RFC 8445 §7.3.1.2: mapped address is the source.
    RESPONSE_MAPPED_IS_SOURCE = ("ice.response.mapped-is-source", 8445, "7.3.1.2", Must, Exchange,
        "XOR-MAPPED-ADDRESS is the source transport address of the request");
    /// RFC 8489 §9.1.3: success responses are authenticated.
    RESPONSE_INTEGRITY = ("ice.response.integrity", 8489, "9.1.3", Must, Exchange,
        "a success response to an authenticated request carries MESSAGE-INTEGRITY");
    /// RFC 8489 §9.1.3: with the same password.
    RESPONSE_INTEGRITY_VALID = ("ice.response.integrity-valid", 8489, "9.1.3", Must, Exchange,
        "MESSAGE-INTEGRITY of the response verifies with the responder's password");
    /// RFC 8445 §7.3: FINGERPRINT on responses.
    RESPONSE_FINGERPRINT = ("ice.response.fingerprint", 8445, "7.3", Must, Exchange,
        "responses to checks use the FINGERPRINT mechanism");
    /// RFC 8445 §7.2.5.2.1: responses mirror the request's addresses.
    RESPONSE_SYMMETRIC = ("ice.response.symmetric", 8445, "7.2.5.2.1", Must, Exchange,
        "the response goes from the request's destination to the request's source");
    /// RFC 8489 §9.1.3: 400 when credentials are missing.
    RESPONSE_400 = ("ice.response.400-missing-credentials", 8489, "9.1.3", Must, Exchange,
        "a request without USERNAME or MESSAGE-INTEGRITY is answered with 400");
    /// RFC 8489 §9.1.3: 401 on bad credentials.
    RESPONSE_401 = ("ice.response.401-bad-credentials", 8489, "9.1.3", Must, Exchange,
        "a request with an unknown USERNAME or a wrong MESSAGE-INTEGRITY is answered with 401");
    /// RFC 8489 §9.1.3: never a success to an unauthenticated request.
    RESPONSE_UNAUTHENTICATED_SUCCESS = ("ice.response.no-success-unauthenticated", 8489, "9.1.3", MustNot, Exchange,
        "a request that fails authentication is not answered with a success response");
    /// RFC 8489 §9.1.3: 400/401 carry no MESSAGE-INTEGRITY.
    RESPONSE_ERROR_NO_INTEGRITY = ("ice.response.no-integrity-400-401", 8489, "9.1.3", MustNot, Exchange,
        "400 and 401 responses do not carry MESSAGE-INTEGRITY");
    /// RFC 8489 §7.3.1: 420 for unknown comprehension-required attributes.
    RESPONSE_420 = ("ice.response.420-unknown-attribute", 8489, "7.3.1", Must, Exchange,
        "a request with an unknown comprehension-required attribute is answered with 420");
    /// RFC 8489 §14.9: UNKNOWN-ATTRIBUTES lists them.
    RESPONSE_420_LISTS = ("ice.response.420-lists-attributes", 8489, "14.9", Must, Exchange,
        "a 420 response lists the unknown attributes in UNKNOWN-ATTRIBUTES");
    /// RFC 8445 §7.3.1.1: 487 when the responder's tie-breaker wins.
    ROLE_487_WHEN_HIGHER = ("ice.role.487-when-higher", 8445, "7.3.1.1", Must, Exchange,
        "an agent in the conflicting role whose tie-breaker wins answers 487 and keeps its role");
    /// RFC 8445 §7.3.1.1: switch (no 487) when the responder's tie-breaker loses.
    ROLE_SWITCH_WHEN_LOWER = ("ice.role.switch-when-lower", 8445, "7.3.1.1", Must, Flow,
        "an agent in the conflicting role whose tie-breaker loses switches role instead of answering 487");
    /// RFC 8445 §7.3.1.1: role conflicts only from authenticated requests.
    ROLE_487_AUTHENTICATED_ONLY = ("ice.role.conflict-authenticated-only", 8445, "7.3.1.1", MustNot, Exchange,
        "a request that fails authentication causes no 487 and no role change");
    /// RFC 8445 §7.2.5.1: switch after 487.
    ROLE_SWITCH_AFTER_487 = ("ice.role.switch-after-487", 8445, "7.2.5.1", Must, Flow,
        "after a 487 the agent switches role: its next checks carry the other role attribute");
    /// RFC 8445 §7.2.5.1: retry the pair after 487.
    ROLE_RETRY_AFTER_487 = ("ice.role.retry-after-487", 8445, "7.2.5.1", Must, Flow,
        "after a 487 the pair is checked again (triggered check)");
    /// RFC 8445 §7.2.5.1: new tie-breaker after 487.
    ROLE_NEW_TIEBREAKER_AFTER_487 = ("ice.role.new-tiebreaker-after-487", 8445, "7.2.5.1", Must, Flow,
        "after a 487 the agent changes its tie-breaker");
    /// RFC 8445 §8.1.1: nominate only valid pairs.
    NOMINATION_VALID_PAIR = ("ice.nomination.valid-pair", 8445, "8.1.1", Must, Flow,
        "USE-CANDIDATE is sent only on a pair whose check already succeeded (regular nomination)");
    /// RFC 8445 §14.2: 5 ms floor.
    PACING_MIN = ("ice.pacing.min-interval", 8445, "14.2", MustNot, Flow,
        "new STUN transactions are not sent more often than every 5 ms");
    /// RFC 8445 §14.2: Ta.
    PACING_TA = ("ice.pacing.ta", 8445, "14.2", Should, Flow,
        "new checks are paced at the agreed Ta (50 ms by default)");
    /// RFC 8445 §14.3: RTO floor.
    RETRANSMIT_RTO_MIN = ("ice.retransmit.rto-min", 8445, "14.3", MustNot, Flow,
        "a check is not retransmitted sooner than 500 ms after its previous transmission");
    /// RFC 7675 §5.1: consent interval floor.
    CONSENT_INTERVAL_MIN = ("ice.consent.interval-min", 7675, "5.1", MustNot, Flow,
        "consent checks on the selected pair are not sent less than 4 s apart");
    /// RFC 7675 §5.1: randomised interval.
    CONSENT_RANDOMISED = ("ice.consent.randomised", 7675, "5.1", Must, Flow,
        "consent intervals are randomised (0.8 to 1.2 times the base period)");
    /// RFC 7675 §5.1: sent once only.
    CONSENT_ONCE = ("ice.consent.once-only", 7675, "5.1", Must, Flow,
        "each consent check uses a new transaction id and is transmitted once only");
    /// RFC 7675 §5.1: cease after expiry.
    CONSENT_CEASE = ("ice.consent.cease-after-expiry", 7675, "5.1", Must, Flow,
        "30 s after the last authenticated response on the selected pair, sending on it stops");
    /// RFC 8839 §5.4: ufrag and pwd lengths.
    CREDENTIALS_LENGTH = ("ice.credentials.length", 8839, "5.4", Must, Message,
        "ice-ufrag has 4 to 256 and ice-pwd 22 to 256 ice-chars");
    /// RFC 8445 §5.1.2.1: candidate priority range.
    CANDIDATE_PRIORITY_RANGE = ("ice.candidate.priority-range", 8445, "5.1.2.1", Must, Message,
        "a candidate priority is between 1 and 2^31 - 1");
    /// RFC 8445 §5.1.2.1: component id range.
    CANDIDATE_COMPONENT_RANGE = ("ice.candidate.component-range", 8445, "5.1.2.1", Must, Message,
        "a component id is between 1 and 256");
    /// RFC 8445 §5.1.2.2: type preferences.
    CANDIDATE_TYPE_PREFERENCE = ("ice.candidate.type-preference", 8445, "5.1.2.2", Should, Message,
        "host candidates have the highest type preference and relayed ones the lowest (126 / 110 / 100 / 0)");
    /// RFC 8839 §4.4.1.1.1: restart changes both credentials.
    RESTART_NEW_CREDENTIALS = ("ice.restart.new-credentials", 8839, "4.4.1.1.1", Must, Endpoint,
        "an ICE restart changes both ice-ufrag and ice-pwd");
}

/// Which way a datagram went, from the observed endpoint's side.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// The endpoint sent it.
    Sent,
    /// The endpoint received it.
    Received,
}

/// One datagram as one endpoint saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Observed {
    /// When.
    pub at: Instant,
    /// Which way.
    pub direction: Direction,
    /// The 5-tuple from the endpoint's side (`local` is the endpoint's address).
    pub context: TransportContext,
    /// Bytes.
    pub payload: Vec<u8>,
}

/// What the validator knows about the session.
#[derive(Clone, Debug)]
pub struct ValidatorContext {
    /// The observed endpoint's credentials (verifies requests it receives and its responses).
    pub local: Option<IceCredentials>,
    /// The peer's credentials (verifies the endpoint's checks and the peer's responses).
    pub remote: Option<IceCredentials>,
    /// The observed endpoint is lite.
    pub local_lite: bool,
    /// The peer is lite.
    pub remote_lite: bool,
    /// The Ta the endpoint should pace at.
    pub ta: Duration,
}

impl Default for ValidatorContext {
    fn default() -> Self {
        Self {
            local: None,
            remote: None,
            local_lite: false,
            remote_lite: false,
            ta: Duration::from_millis(50),
        }
    }
}

/// The ICE catalogue.
#[must_use]
pub fn catalogue() -> Catalogue {
    Catalogue {
        protocol: "ice",
        rules: RULES,
        cases: cases::cases,
    }
}

/// The ICE inspector: a STUN Binding message judged as an ICE check on its own.
#[must_use]
pub fn inspector() -> &'static dyn harness_core::inspect::Inspector {
    &validate::IceInspector
}
