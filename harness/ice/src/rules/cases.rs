//! Coverage cases: for every rule, views that break it and views that obey it.

use core::time::Duration;
use std::net::SocketAddr;

use harness_core::endpoint::{Transport, TransportContext};
use harness_core::rules::{CaseResult, Expect, Finding};
use harness_core::time::Instant;
use harness_stun::{AttrType, Attribute, Class, Key, MessageBuilder, Method, TransactionId};

use super::{
    Direction, Observed, ValidatorContext, validate, validate_candidate, validate_restart,
};
use crate::candidate::{Candidate, CandidateKind, candidate_priority};
use crate::config::{IceCredentials, Role};
use crate::stunmsg::{build_check, build_error, build_indication, build_success};

const L: (&str, &str) = ("LOCL", "localpasswordlocalpassw");
const R: (&str, &str) = ("REMO", "remotepasswordremotepas");

fn creds(c: (&str, &str)) -> IceCredentials {
    IceCredentials {
        ufrag: c.0.into(),
        pwd: c.1.into(),
    }
}

fn lkey() -> Key {
    Key::from_bytes(L.1.as_bytes())
}
fn rkey() -> Key {
    Key::from_bytes(R.1.as_bytes())
}

fn ctx() -> ValidatorContext {
    ValidatorContext {
        local: Some(creds(L)),
        remote: Some(creds(R)),
        ..ValidatorContext::default()
    }
}

fn la() -> SocketAddr {
    SocketAddr::from(([10, 0, 0, 1], 5000))
}
fn ra() -> SocketAddr {
    SocketAddr::from(([10, 0, 0, 2], 5000))
}
fn tuple() -> TransportContext {
    TransportContext {
        local: la(),
        remote: ra(),
        transport: Transport::Udp,
    }
}

fn tx(n: u8) -> TransactionId {
    TransactionId([n; 12])
}

fn ms(n: u64) -> Instant {
    Instant::from_millis(n)
}

fn sent(at: Instant, payload: Vec<u8>) -> Observed {
    Observed {
        at,
        direction: Direction::Sent,
        context: tuple(),
        payload,
    }
}
fn recv(at: Instant, payload: Vec<u8>) -> Observed {
    Observed {
        at,
        direction: Direction::Received,
        context: tuple(),
        payload,
    }
}

const PRFLX: u32 = (110 << 24) | (65535 << 8) | 255;

/// A good check sent by the local endpoint.
fn my_check(n: u8, role: Role, tie: u64, uc: bool) -> Vec<u8> {
    build_check(tx(n), "REMO:LOCL", PRFLX, role, tie, uc, &rkey())
}
/// A good check received from the peer.
fn their_check(n: u8, role: Role, tie: u64, uc: bool) -> Vec<u8> {
    build_check(tx(n), "LOCL:REMO", PRFLX, role, tie, uc, &lkey())
}

/// A check built attribute by attribute (for broken ones).
fn custom(
    n: u8,
    attrs: &[Attribute<'_>],
    key: Option<&Key>,
    fingerprint: bool,
    class: Class,
) -> Vec<u8> {
    let mut b = MessageBuilder::new(class, Method::BINDING, tx(n));
    for a in attrs {
        b = b.attr(*a);
    }
    if let Some(k) = key {
        b = b.message_integrity(k);
    }
    if fingerprint {
        b = b.fingerprint();
    }
    b.build().unwrap_or_default()
}

/// A connected controlling endpoint: check, success, nomination, success at 0–60 ms.
fn connected() -> Vec<Observed> {
    vec![
        sent(ms(0), my_check(1, Role::Controlling, 7, false)),
        recv(ms(20), build_success(tx(1), la(), &rkey())),
        sent(ms(60), my_check(2, Role::Controlling, 7, true)),
        recv(ms(80), build_success(tx(2), la(), &rkey())),
    ]
}

/// `connected()` plus consent checks at the given seconds, each answered.
fn with_consent(secs: &[f64], answer: bool) -> Vec<Observed> {
    let mut v = connected();
    for (i, s) in secs.iter().enumerate() {
        let n = u8::try_from(i).unwrap_or(0).saturating_add(10);
        let at = Instant::from_nanos((s * 1e9) as u64);
        v.push(sent(at, my_check(n, Role::Controlling, 7, false)));
        if answer {
            v.push(recv(
                at + Duration::from_millis(20),
                build_success(tx(n), la(), &rkey()),
            ));
        }
    }
    v
}

/// A request received and the local endpoint's response.
fn exchange(request: Vec<u8>, response: Vec<u8>) -> Vec<Observed> {
    vec![recv(ms(0), request), sent(ms(1), response)]
}

struct Cases(Vec<CaseResult>);

impl Cases {
    fn run(&mut self, rule: &'static str, name: &'static str, expect: Expect, f: &[Finding]) {
        self.0.push(CaseResult::judge(rule, name, expect, f));
    }
    fn view(&mut self, rule: &'static str, name: &'static str, expect: Expect, v: &[Observed]) {
        self.view_ctx(rule, name, expect, v, &ctx());
    }
    fn view_ctx(
        &mut self,
        rule: &'static str,
        name: &'static str,
        expect: Expect,
        v: &[Observed],
        c: &ValidatorContext,
    ) {
        let f = validate(v, c);
        self.run(rule, name, expect, &f);
    }
}

#[allow(clippy::too_many_lines, reason = "one list of cases, rule by rule")]
pub(super) fn cases() -> Vec<CaseResult> {
    use Expect::{Passes, Triggers};
    let mut c = Cases(Vec::new());
    let good = connected();
    let pass_all = [
        "ice.request.username",
        "ice.request.username-form",
        "ice.request.integrity",
        "ice.request.integrity-valid",
        "ice.request.fingerprint",
        "ice.message.fingerprint-valid",
        "ice.request.priority",
        "ice.request.priority-prflx",
        "ice.request.role-attribute",
        "ice.request.use-candidate-controlling",
        "ice.request.tiebreaker-stable",
        "ice.nomination.valid-pair",
        "ice.pacing.min-interval",
        "ice.pacing.ta",
    ];
    for r in pass_all {
        c.view(r, "connected controlling endpoint", Passes, &good);
    }
    let p = Attribute::Priority(PRFLX);
    let u = Attribute::Username("REMO:LOCL");
    let ctl = Attribute::IceControlling(7);
    let send1 = |b: Vec<u8>| vec![sent(ms(0), b)];
    c.view(
        "ice.request.username",
        "check without USERNAME",
        Triggers,
        &send1(custom(1, &[p, ctl], Some(&rkey()), true, Class::Request)),
    );
    c.view(
        "ice.request.username-form",
        "USERNAME without colon",
        Triggers,
        &send1(custom(
            1,
            &[Attribute::Username("REMOLOCL"), p, ctl],
            Some(&rkey()),
            true,
            Class::Request,
        )),
    );
    c.view(
        "ice.request.integrity",
        "check without MESSAGE-INTEGRITY",
        Triggers,
        &send1(custom(1, &[u, p, ctl], None, true, Class::Request)),
    );
    c.view(
        "ice.request.integrity-valid",
        "check keyed with the wrong password",
        Triggers,
        &send1(custom(1, &[u, p, ctl], Some(&lkey()), true, Class::Request)),
    );
    c.view(
        "ice.request.fingerprint",
        "check without FINGERPRINT",
        Triggers,
        &send1(custom(
            1,
            &[u, p, ctl],
            Some(&rkey()),
            false,
            Class::Request,
        )),
    );
    let mut broken_fp = my_check(1, Role::Controlling, 7, false);
    if let Some(b) = broken_fp.last_mut() {
        *b ^= 0xff;
    }
    c.view(
        "ice.message.fingerprint-valid",
        "corrupted FINGERPRINT",
        Triggers,
        &send1(broken_fp),
    );
    c.view(
        "ice.request.priority",
        "check without PRIORITY",
        Triggers,
        &send1(custom(1, &[u, ctl], Some(&rkey()), true, Class::Request)),
    );
    c.view(
        "ice.request.priority-prflx",
        "PRIORITY with the host type preference",
        Triggers,
        &send1(custom(
            1,
            &[
                u,
                Attribute::Priority(candidate_priority(CandidateKind::Host, 65535, 1)),
                ctl,
            ],
            Some(&rkey()),
            true,
            Class::Request,
        )),
    );
    c.view(
        "ice.request.role-attribute",
        "both role attributes",
        Triggers,
        &send1(custom(
            1,
            &[u, p, ctl, Attribute::IceControlled(7)],
            Some(&rkey()),
            true,
            Class::Request,
        )),
    );
    c.view(
        "ice.request.use-candidate-controlling",
        "USE-CANDIDATE from the controlled side",
        Triggers,
        &send1(my_check(1, Role::Controlled, 7, true)),
    );
    c.view(
        "ice.request.tiebreaker-stable",
        "tie-breaker changes",
        Triggers,
        &[
            sent(ms(0), my_check(1, Role::Controlling, 7, false)),
            sent(ms(50), my_check(2, Role::Controlling, 8, false)),
        ],
    );
    // Lite.
    let lite_local = ValidatorContext {
        local_lite: true,
        ..ctx()
    };
    let lite_remote = ValidatorContext {
        remote_lite: true,
        ..ctx()
    };
    c.view_ctx(
        "ice.lite.no-checks",
        "lite agent sends a check",
        Triggers,
        &send1(my_check(1, Role::Controlled, 7, false)),
        &lite_local,
    );
    c.view_ctx(
        "ice.lite.no-checks",
        "lite agent only answers",
        Passes,
        &exchange(
            their_check(1, Role::Controlling, 9, true),
            build_success(tx(1), ra(), &lkey()),
        ),
        &lite_local,
    );
    c.view_ctx(
        "ice.lite.full-controls",
        "full agent claims controlled towards lite",
        Triggers,
        &send1(my_check(1, Role::Controlled, 7, false)),
        &lite_remote,
    );
    c.view_ctx(
        "ice.lite.full-controls",
        "full agent controls towards lite",
        Passes,
        &send1(my_check(1, Role::Controlling, 7, false)),
        &lite_remote,
    );
    // Keepalives.
    let ind = |at: Instant, b: Vec<u8>| sent(at, b);
    let mut v = good.clone();
    v.push(ind(Instant::from_secs(10), build_indication(tx(30))));
    for r in [
        "ice.keepalive.no-auth",
        "ice.keepalive.fingerprint",
        "ice.keepalive.only-fingerprint",
        "ice.keepalive.interval",
    ] {
        c.view(r, "one plain keepalive indication", Passes, &v);
    }
    c.view(
        "ice.keepalive.no-auth",
        "indication with MESSAGE-INTEGRITY",
        Triggers,
        &send1(custom(1, &[], Some(&rkey()), true, Class::Indication)),
    );
    c.view(
        "ice.keepalive.fingerprint",
        "indication without FINGERPRINT",
        Triggers,
        &send1(custom(1, &[], None, false, Class::Indication)),
    );
    c.view(
        "ice.keepalive.only-fingerprint",
        "indication with SOFTWARE",
        Triggers,
        &send1(custom(
            1,
            &[Attribute::Software("x")],
            None,
            true,
            Class::Indication,
        )),
    );
    let mut v = good.clone();
    v.push(ind(Instant::from_secs(10), build_indication(tx(30))));
    v.push(ind(Instant::from_secs(12), build_indication(tx(31))));
    c.view(
        "ice.keepalive.interval",
        "indications 2 s apart",
        Triggers,
        &v,
    );
    c.view(
        "ice.keepalive.sent",
        "consent checks every 5 s",
        Passes,
        &with_consent(&[5.0, 9.6, 14.8, 20.3, 25.0], true),
    );
    c.view(
        "ice.keepalive.sent",
        "20 s of silence on the selected pair",
        Triggers,
        &with_consent(&[5.0, 25.0], true),
    );
    // Responses of the local endpoint.
    let q = || their_check(1, Role::Controlled, 9, false);
    let ok = exchange(q(), build_success(tx(1), ra(), &lkey()));
    for r in [
        "ice.response.xor-mapped-address",
        "ice.response.mapped-is-source",
        "ice.response.integrity",
        "ice.response.integrity-valid",
        "ice.response.fingerprint",
        "ice.response.symmetric",
        "ice.response.400-missing-credentials",
        "ice.response.401-bad-credentials",
        "ice.response.no-success-unauthenticated",
        "ice.response.420-unknown-attribute",
    ] {
        c.view(r, "good success response", Passes, &ok);
    }
    c.view(
        "ice.response.xor-mapped-address",
        "success without XOR-MAPPED-ADDRESS",
        Triggers,
        &exchange(q(), custom(1, &[], Some(&lkey()), true, Class::Success)),
    );
    c.view(
        "ice.response.mapped-is-source",
        "XOR-MAPPED-ADDRESS of another address",
        Triggers,
        &exchange(q(), build_success(tx(1), la(), &lkey())),
    );
    c.view(
        "ice.response.integrity",
        "success without MESSAGE-INTEGRITY",
        Triggers,
        &exchange(
            q(),
            custom(
                1,
                &[Attribute::XorMappedAddress(ra())],
                None,
                true,
                Class::Success,
            ),
        ),
    );
    c.view(
        "ice.response.integrity-valid",
        "success keyed with the wrong password",
        Triggers,
        &exchange(q(), build_success(tx(1), ra(), &rkey())),
    );
    c.view(
        "ice.response.fingerprint",
        "success without FINGERPRINT",
        Triggers,
        &exchange(
            q(),
            custom(
                1,
                &[Attribute::XorMappedAddress(ra())],
                Some(&lkey()),
                false,
                Class::Success,
            ),
        ),
    );
    let mut asym = exchange(q(), build_success(tx(1), ra(), &lkey()));
    if let Some(o) = asym.get_mut(1) {
        o.context.local = SocketAddr::from(([10, 0, 0, 1], 5001));
    }
    c.view(
        "ice.response.symmetric",
        "response from another local port",
        Triggers,
        &asym,
    );
    let no_mi = custom(
        1,
        &[
            Attribute::Username("LOCL:REMO"),
            Attribute::Priority(PRFLX),
            Attribute::IceControlled(9),
        ],
        None,
        true,
        Class::Request,
    );
    c.view(
        "ice.response.400-missing-credentials",
        "request without MESSAGE-INTEGRITY answered with success",
        Triggers,
        &exchange(no_mi.clone(), build_success(tx(1), ra(), &lkey())),
    );
    c.view(
        "ice.response.400-missing-credentials",
        "request without MESSAGE-INTEGRITY answered with 400",
        Passes,
        &exchange(no_mi, build_error(tx(1), 400, "Bad Request", None, &[])),
    );
    let bad_mi = build_check(
        tx(1),
        "LOCL:REMO",
        PRFLX,
        Role::Controlled,
        9,
        false,
        &rkey(),
    );
    c.view(
        "ice.response.401-bad-credentials",
        "wrong MESSAGE-INTEGRITY answered with success",
        Triggers,
        &exchange(bad_mi.clone(), build_success(tx(1), ra(), &lkey())),
    );
    c.view(
        "ice.response.401-bad-credentials",
        "wrong MESSAGE-INTEGRITY answered with 401",
        Passes,
        &exchange(
            bad_mi.clone(),
            build_error(tx(1), 401, "Unauthorized", None, &[]),
        ),
    );
    c.view(
        "ice.response.no-success-unauthenticated",
        "wrong MESSAGE-INTEGRITY answered with success",
        Triggers,
        &exchange(bad_mi.clone(), build_success(tx(1), ra(), &lkey())),
    );
    c.view(
        "ice.response.no-integrity-400-401",
        "401 with MESSAGE-INTEGRITY",
        Triggers,
        &exchange(
            bad_mi.clone(),
            build_error(tx(1), 401, "Unauthorized", Some(&lkey()), &[]),
        ),
    );
    c.view(
        "ice.response.no-integrity-400-401",
        "401 without MESSAGE-INTEGRITY",
        Passes,
        &exchange(
            bad_mi.clone(),
            build_error(tx(1), 401, "Unauthorized", None, &[]),
        ),
    );
    let unknown = custom(
        1,
        &[
            Attribute::Username("LOCL:REMO"),
            Attribute::Priority(PRFLX),
            Attribute::IceControlled(9),
            Attribute::Unknown(AttrType(0x7f01), b"abcd"),
        ],
        Some(&lkey()),
        true,
        Class::Request,
    );
    c.view(
        "ice.response.420-unknown-attribute",
        "unknown attribute answered with success",
        Triggers,
        &exchange(unknown.clone(), build_success(tx(1), ra(), &lkey())),
    );
    c.view(
        "ice.response.420-lists-attributes",
        "420 listing the attribute",
        Passes,
        &exchange(
            unknown.clone(),
            build_error(
                tx(1),
                420,
                "Unknown Attribute",
                Some(&lkey()),
                &[AttrType(0x7f01)],
            ),
        ),
    );
    c.view(
        "ice.response.420-lists-attributes",
        "420 without UNKNOWN-ATTRIBUTES",
        Triggers,
        &exchange(
            unknown,
            build_error(tx(1), 420, "Unknown Attribute", Some(&lkey()), &[]),
        ),
    );
    // Role conflicts, the local endpoint answering.
    let conflict = |local_tie: u64, their_tie: u64, answer: Vec<u8>, then_role: Role| {
        vec![
            sent(ms(0), my_check(1, Role::Controlling, local_tie, false)),
            recv(ms(10), their_check(2, Role::Controlling, their_tie, false)),
            sent(ms(11), answer),
            sent(ms(60), my_check(3, then_role, local_tie, false)),
        ]
    };
    c.view(
        "ice.role.487-when-higher",
        "higher tie-breaker answers 487",
        Passes,
        &conflict(
            10,
            5,
            build_error(tx(2), 487, "Role Conflict", Some(&lkey()), &[]),
            Role::Controlling,
        ),
    );
    c.view(
        "ice.role.487-when-higher",
        "higher tie-breaker answers success",
        Triggers,
        &conflict(
            10,
            5,
            build_success(tx(2), ra(), &lkey()),
            Role::Controlling,
        ),
    );
    c.view(
        "ice.role.switch-when-lower",
        "lower tie-breaker switches",
        Passes,
        &conflict(5, 10, build_success(tx(2), ra(), &lkey()), Role::Controlled),
    );
    c.view(
        "ice.role.switch-when-lower",
        "lower tie-breaker answers 487",
        Triggers,
        &conflict(
            5,
            10,
            build_error(tx(2), 487, "Role Conflict", Some(&lkey()), &[]),
            Role::Controlling,
        ),
    );
    let forged = build_check(
        tx(2),
        "LOCL:REMO",
        PRFLX,
        Role::Controlling,
        1,
        false,
        &rkey(),
    );
    let forged_view = |answer: Vec<u8>| {
        vec![
            sent(ms(0), my_check(1, Role::Controlling, 10, false)),
            recv(ms(10), forged.clone()),
            sent(ms(11), answer),
        ]
    };
    c.view(
        "ice.role.conflict-authenticated-only",
        "forged ICE-CONTROLLING answered 487",
        Triggers,
        &forged_view(build_error(tx(2), 487, "Role Conflict", Some(&lkey()), &[])),
    );
    c.view(
        "ice.role.conflict-authenticated-only",
        "forged ICE-CONTROLLING answered 401",
        Passes,
        &forged_view(build_error(tx(2), 401, "Unauthorized", None, &[])),
    );
    // Role conflicts, the local endpoint receiving 487.
    let after_487 = |role: Role, tie: u64, other_tuple: bool| {
        let mut next = sent(ms(100), my_check(3, role, tie, false));
        if other_tuple {
            next.context.remote = SocketAddr::from(([10, 0, 0, 3], 5000));
        }
        vec![
            sent(ms(0), my_check(1, Role::Controlling, 5, false)),
            recv(
                ms(20),
                build_error(tx(1), 487, "Role Conflict", Some(&rkey()), &[]),
            ),
            next,
        ]
    };
    c.view(
        "ice.role.switch-after-487",
        "switches to controlled",
        Passes,
        &after_487(Role::Controlled, 6, false),
    );
    c.view(
        "ice.role.switch-after-487",
        "keeps controlling",
        Triggers,
        &after_487(Role::Controlling, 6, false),
    );
    c.view(
        "ice.role.retry-after-487",
        "retries the pair",
        Passes,
        &after_487(Role::Controlled, 6, false),
    );
    c.view(
        "ice.role.retry-after-487",
        "never retries the pair",
        Triggers,
        &after_487(Role::Controlled, 6, true),
    );
    c.view(
        "ice.role.new-tiebreaker-after-487",
        "new tie-breaker",
        Passes,
        &after_487(Role::Controlled, 6, false),
    );
    c.view(
        "ice.role.new-tiebreaker-after-487",
        "same tie-breaker",
        Triggers,
        &after_487(Role::Controlled, 5, false),
    );
    // Nomination, pacing, retransmission.
    c.view(
        "ice.nomination.valid-pair",
        "USE-CANDIDATE on the first check",
        Triggers,
        &send1(my_check(1, Role::Controlling, 7, true)),
    );
    c.view(
        "ice.pacing.min-interval",
        "checks 1 ms apart",
        Triggers,
        &[
            sent(ms(0), my_check(1, Role::Controlling, 7, false)),
            sent(ms(1), my_check(2, Role::Controlling, 7, false)),
        ],
    );
    c.view(
        "ice.pacing.ta",
        "checks 20 ms apart",
        Triggers,
        &[
            sent(ms(0), my_check(1, Role::Controlling, 7, false)),
            sent(ms(20), my_check(2, Role::Controlling, 7, false)),
        ],
    );
    c.view(
        "ice.retransmit.rto-min",
        "retransmission after 100 ms",
        Triggers,
        &[
            sent(ms(0), my_check(1, Role::Controlling, 7, false)),
            sent(ms(100), my_check(1, Role::Controlling, 7, false)),
        ],
    );
    c.view(
        "ice.retransmit.rto-min",
        "retransmission after 500 ms",
        Passes,
        &[
            sent(ms(0), my_check(1, Role::Controlling, 7, false)),
            sent(ms(500), my_check(1, Role::Controlling, 7, false)),
        ],
    );
    // Consent.
    let fresh = with_consent(&[5.0, 9.6, 14.8, 20.3, 25.0, 29.1], true);
    for r in [
        "ice.consent.interval-min",
        "ice.consent.randomised",
        "ice.consent.once-only",
        "ice.consent.cease-after-expiry",
    ] {
        c.view(r, "randomised consent, answered", Passes, &fresh);
    }
    c.view(
        "ice.consent.interval-min",
        "consent every 2 s",
        Triggers,
        &with_consent(&[4.0, 6.0, 8.0], true),
    );
    c.view(
        "ice.consent.randomised",
        "consent every 5 s exactly",
        Triggers,
        &with_consent(&[5.0, 10.0, 15.0, 20.0, 25.0], true),
    );
    let mut once = with_consent(&[5.0], true);
    once.push(sent(
        Instant::from_millis(5500),
        my_check(10, Role::Controlling, 7, false),
    ));
    c.view(
        "ice.consent.once-only",
        "consent check retransmitted",
        Triggers,
        &once,
    );
    c.view(
        "ice.consent.cease-after-expiry",
        "keeps sending 40 s without answers",
        Triggers,
        &with_consent(&[5.0, 10.0, 15.0, 20.0, 25.0, 30.0, 35.0, 40.0], false),
    );
    // Signalled data.
    let cand = |kind: CandidateKind, priority: u32, component: u16| Candidate {
        kind,
        transport: Transport::Udp,
        addr: la(),
        base: la(),
        priority,
        foundation: "1".into(),
        component,
        related: None,
    };
    let host = cand(
        CandidateKind::Host,
        candidate_priority(CandidateKind::Host, 65535, 1),
        1,
    );
    for r in [
        "ice.candidate.priority-range",
        "ice.candidate.component-range",
        "ice.candidate.type-preference",
    ] {
        c.run(
            r,
            "recommended host candidate",
            Passes,
            &validate_candidate(&host),
        );
    }
    c.run(
        "ice.candidate.priority-range",
        "priority 0",
        Triggers,
        &validate_candidate(&cand(CandidateKind::Relayed, 0, 1)),
    );
    c.run(
        "ice.candidate.component-range",
        "component 0",
        Triggers,
        &validate_candidate(&cand(
            CandidateKind::Host,
            candidate_priority(CandidateKind::Host, 65535, 1),
            0,
        )),
    );
    c.run(
        "ice.candidate.type-preference",
        "host with the srflx preference",
        Triggers,
        &validate_candidate(&cand(
            CandidateKind::Host,
            candidate_priority(CandidateKind::ServerReflexive, 65535, 1),
            1,
        )),
    );
    let old = creds(L);
    let new = IceCredentials {
        ufrag: "NEWU".into(),
        pwd: "newpasswordnewpassword".into(),
    };
    c.run(
        "ice.restart.new-credentials",
        "both changed",
        Passes,
        &validate_restart(&old, &new),
    );
    c.run(
        "ice.restart.new-credentials",
        "ufrag kept",
        Triggers,
        &validate_restart(
            &old,
            &IceCredentials {
                ufrag: old.ufrag.clone(),
                pwd: new.pwd.clone(),
            },
        ),
    );
    c.run(
        "ice.credentials.length",
        "4 and 22 ice-chars",
        Passes,
        &validate_restart(&old, &new),
    );
    c.run(
        "ice.credentials.length",
        "2-char ufrag",
        Triggers,
        &validate_restart(
            &old,
            &IceCredentials {
                ufrag: "ab".into(),
                pwd: new.pwd.clone(),
            },
        ),
    );
    c.0
}
