//! The validator: message, exchange and flow checks over one endpoint's view.

use core::time::Duration;
use std::collections::HashMap;

use harness_core::endpoint::TransportContext;
use harness_core::inspect::{Confidence, Field, InspectContext, Inspection, Inspector};
use harness_core::rules::{Finding, Location, Rule};
use harness_core::time::Instant;
use harness_stun::integrity::{Check, check_fingerprint, check_message_integrity};
use harness_stun::{AttrType, Class, MAGIC_COOKIE, Message, Method, TransactionId};

use super::*;
use crate::candidate::{Candidate, CandidateKind};
use crate::config::IceCredentials;
use crate::stunmsg::{CheckAttrs, read_attrs, unknown_required};

/// One parsed STUN Binding message of the view.
#[derive(Clone, Debug)]
struct Msg {
    index: usize,
    at: Instant,
    dir: Direction,
    ctx: TransportContext,
    class: Class,
    txid: TransactionId,
    attrs: CheckAttrs,
    fingerprint: Check,
    /// MESSAGE-INTEGRITY with the local password (requests received, responses sent).
    mi_local: Option<Check>,
    /// MESSAGE-INTEGRITY with the remote password (requests sent, responses received).
    mi_remote: Option<Check>,
    unknown: Vec<AttrType>,
    other_attrs: bool,
}

fn key(c: &IceCredentials) -> harness_stun::Key {
    harness_stun::Key::from_bytes(c.pwd.as_bytes())
}

fn parse_view(view: &[Observed], ctx: &ValidatorContext) -> Vec<Msg> {
    let lk = ctx.local.as_ref().map(key);
    let rk = ctx.remote.as_ref().map(key);
    let mut out = Vec::new();
    for (index, o) in view.iter().enumerate() {
        let Ok(m) = Message::new_checked(&o.payload) else {
            continue;
        };
        if m.cookie() != MAGIC_COOKIE || m.top_bits() != 0 || m.method() != Method::BINDING {
            continue;
        }
        let class = m.class();
        let local_side = matches!(
            (o.direction, class),
            (Direction::Received, Class::Request)
                | (Direction::Sent, Class::Success | Class::Error)
        );
        let mi_local = if local_side {
            lk.as_ref().map(|k| check_message_integrity(&m, k))
        } else {
            None
        };
        let mi_remote = if local_side {
            None
        } else {
            rk.as_ref().map(|k| check_message_integrity(&m, k))
        };
        let other_attrs = m
            .attributes()
            .map_while(Result::ok)
            .any(|a| a.ty != AttrType::FINGERPRINT);
        out.push(Msg {
            index,
            at: o.at,
            dir: o.direction,
            ctx: o.context,
            class,
            txid: m.transaction_id(),
            attrs: read_attrs(&m),
            fingerprint: check_fingerprint(&m),
            mi_local,
            mi_remote,
            unknown: unknown_required(&m),
            other_attrs,
        });
    }
    out
}

fn is_check(m: &Msg) -> bool {
    m.class == Class::Request
        && (m.attrs.username.is_some()
            || m.attrs.priority.is_some()
            || m.attrs.controlling.is_some()
            || m.attrs.controlled.is_some()
            || m.attrs.use_candidate)
}

struct Out {
    findings: Vec<Finding>,
}

impl Out {
    fn push(
        &mut self,
        rule: &'static Rule,
        m: &Msg,
        msg: impl Into<std::borrow::Cow<'static, str>>,
    ) {
        self.findings.push(Finding::new(
            rule,
            Location::at(m.at).about(format!("datagram {} {}", m.index.saturating_add(1), m.ctx)),
            msg,
        ));
    }
}

fn is_ice_chars(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
}

fn role_of(m: &Msg) -> Option<bool> {
    match (m.attrs.controlling, m.attrs.controlled) {
        (Some(_), None) => Some(true),
        (None, Some(_)) => Some(false),
        _ => None,
    }
}

fn tie_of(m: &Msg) -> Option<u64> {
    m.attrs.controlling.or(m.attrs.controlled)
}

/// Judges one endpoint from its own view (see the [module documentation](super)).
#[must_use]
pub fn validate(view: &[Observed], ctx: &ValidatorContext) -> Vec<Finding> {
    let msgs = parse_view(view, ctx);
    let mut out = Out {
        findings: Vec::new(),
    };
    sent_messages(&msgs, ctx, &mut out);
    server_exchanges(&msgs, ctx, &mut out);
    client_flows(&msgs, &mut out);
    pacing(&msgs, ctx, &mut out);
    consent(view, &msgs, ctx, &mut out);
    out.findings
}

fn sent_messages(msgs: &[Msg], ctx: &ValidatorContext, out: &mut Out) {
    for m in msgs.iter().filter(|m| m.dir == Direction::Sent) {
        if m.fingerprint == Check::Fail || m.fingerprint == Check::Malformed {
            out.push(
                &MESSAGE_FINGERPRINT_VALID,
                m,
                "FINGERPRINT does not match the message",
            );
        }
        if m.class == Class::Indication {
            if m.attrs.has_integrity {
                out.push(
                    &INDICATION_NO_AUTH,
                    m,
                    "keepalive indication carries MESSAGE-INTEGRITY",
                );
            }
            if !m.attrs.has_fingerprint {
                out.push(
                    &INDICATION_FINGERPRINT,
                    m,
                    "keepalive indication without FINGERPRINT",
                );
            }
            if m.other_attrs {
                out.push(
                    &INDICATION_ONLY_FINGERPRINT,
                    m,
                    "keepalive indication carries other attributes",
                );
            }
            continue;
        }
        if !is_check(m) {
            continue;
        }
        if ctx.local_lite && !ctx.remote_lite {
            out.push(&LITE_NO_CHECKS, m, "a lite agent sent a connectivity check");
        }
        if ctx.remote_lite && !ctx.local_lite && role_of(m) == Some(false) {
            out.push(
                &LITE_FULL_CONTROLS,
                m,
                "check to a lite agent claims the controlled role",
            );
        }
        match &m.attrs.username {
            None => out.push(&REQUEST_USERNAME, m, "check without USERNAME"),
            Some(u) => {
                let parts: Vec<&str> = u.split(':').collect();
                let well_formed = parts.len() == 2 && parts.iter().all(|p| !p.is_empty());
                let matches = match (&ctx.remote, &ctx.local) {
                    (Some(r), Some(l)) => *u == format!("{}:{}", r.ufrag, l.ufrag),
                    _ => true,
                };
                if !well_formed || !matches {
                    out.push(&REQUEST_USERNAME_FORM, m, format!("USERNAME `{u}`"));
                } else if parts
                    .iter()
                    .any(|p| p.len() < 4 || p.len() > 256 || !is_ice_chars(p))
                {
                    out.push(&CREDENTIALS_LENGTH, m, format!("ufrag in USERNAME `{u}`"));
                }
            }
        }
        if !m.attrs.has_integrity {
            out.push(&REQUEST_INTEGRITY, m, "check without MESSAGE-INTEGRITY");
        } else if matches!(m.mi_remote, Some(Check::Fail | Check::Malformed)) {
            out.push(
                &REQUEST_INTEGRITY_VALID,
                m,
                "MESSAGE-INTEGRITY does not verify with the peer's password",
            );
        }
        if !m.attrs.has_fingerprint {
            out.push(&REQUEST_FINGERPRINT, m, "check without FINGERPRINT");
        }
        match m.attrs.priority {
            None => out.push(&REQUEST_PRIORITY, m, "check without PRIORITY"),
            Some(p) if p >> 24 != 110 => out.push(
                &REQUEST_PRIORITY_TYPE,
                m,
                format!("PRIORITY {p} has type preference {}", p >> 24),
            ),
            Some(_) => {}
        }
        if role_of(m).is_none() {
            out.push(
                &REQUEST_ROLE_ATTRIBUTE,
                m,
                "not exactly one of ICE-CONTROLLING and ICE-CONTROLLED",
            );
        }
        if m.attrs.use_candidate && m.attrs.controlled.is_some() {
            out.push(
                &REQUEST_USE_CANDIDATE_CONTROLLING,
                m,
                "USE-CANDIDATE with ICE-CONTROLLED",
            );
        }
    }
}

/// The local endpoint's role and tie-breaker as its last check before `before` showed them.
fn local_role_before(msgs: &[Msg], before: usize) -> Option<(bool, u64)> {
    msgs.iter()
        .rfind(|m| m.dir == Direction::Sent && is_check(m) && m.index < before)
        .and_then(|m| Some((role_of(m)?, tie_of(m)?)))
}

fn server_exchanges(msgs: &[Msg], ctx: &ValidatorContext, out: &mut Out) {
    for (qi, q) in msgs.iter().enumerate() {
        if q.dir != Direction::Received || !is_check(q) {
            continue;
        }
        let Some(r) = msgs
            .iter()
            .skip(qi)
            .find(|r| r.dir == Direction::Sent && r.txid == q.txid && r.class != Class::Request)
        else {
            continue;
        };
        if r.ctx.local != q.ctx.local || r.ctx.remote != q.ctx.remote {
            out.push(
                &RESPONSE_SYMMETRIC,
                r,
                "response does not mirror the request's 5-tuple",
            );
        }
        if !r.attrs.has_fingerprint {
            out.push(&RESPONSE_FINGERPRINT, r, "response without FINGERPRINT");
        }
        let code = r.attrs.error;
        if matches!(code, Some(400 | 401)) && r.attrs.has_integrity {
            out.push(
                &RESPONSE_ERROR_NO_INTEGRITY,
                r,
                "400/401 response carries MESSAGE-INTEGRITY",
            );
        }
        let has_creds = q.attrs.username.is_some() && q.attrs.has_integrity;
        if !has_creds {
            if code != Some(400) {
                out.push(&RESPONSE_400, r, format!("answered {}", describe(r)));
            }
            if r.class == Class::Success {
                out.push(
                    &RESPONSE_UNAUTHENTICATED_SUCCESS,
                    r,
                    "success to a request without credentials",
                );
            }
            continue;
        }
        let authenticated = match (&ctx.local, q.mi_local) {
            (Some(l), Some(mi)) => {
                mi == Check::Ok
                    && q.attrs
                        .username
                        .as_deref()
                        .is_some_and(|u| u.starts_with(&format!("{}:", l.ufrag)))
            }
            _ => true,
        };
        if !authenticated {
            if code != Some(401) {
                out.push(&RESPONSE_401, r, format!("answered {}", describe(r)));
            }
            if r.class == Class::Success {
                out.push(
                    &RESPONSE_UNAUTHENTICATED_SUCCESS,
                    r,
                    "success to a request that fails authentication",
                );
            }
            if code == Some(487) {
                out.push(
                    &ROLE_487_AUTHENTICATED_ONLY,
                    r,
                    "487 to a request that fails authentication",
                );
            }
            continue;
        }
        if !q.unknown.is_empty() {
            if code != Some(420) {
                out.push(&RESPONSE_420, r, format!("answered {}", describe(r)));
            } else if q
                .unknown
                .iter()
                .any(|t| !r.attrs.unknown_listed.contains(&t.0))
            {
                out.push(
                    &RESPONSE_420_LISTS,
                    r,
                    "UNKNOWN-ATTRIBUTES does not list every unknown attribute",
                );
            }
            continue;
        }
        if r.class == Class::Success {
            match r.attrs.mapped {
                None => out.push(
                    &RESPONSE_XOR_MAPPED,
                    r,
                    "success without XOR-MAPPED-ADDRESS",
                ),
                Some(a) if a != q.ctx.remote => out.push(
                    &RESPONSE_MAPPED_IS_SOURCE,
                    r,
                    format!("XOR-MAPPED-ADDRESS {a}, request came from {}", q.ctx.remote),
                ),
                Some(_) => {}
            }
            if !r.attrs.has_integrity {
                out.push(&RESPONSE_INTEGRITY, r, "success without MESSAGE-INTEGRITY");
            } else if matches!(r.mi_local, Some(Check::Fail | Check::Malformed)) {
                out.push(
                    &RESPONSE_INTEGRITY_VALID,
                    r,
                    "MESSAGE-INTEGRITY does not verify",
                );
            }
        }
        // Role conflicts (§7.3.1.1).
        let Some((controlling, tie)) = local_role_before(msgs, q.index) else {
            continue;
        };
        let ((true, Some(theirs), _) | (false, _, Some(theirs))) =
            (controlling, q.attrs.controlling, q.attrs.controlled)
        else {
            continue;
        };
        let local_wins_487 = if controlling {
            tie >= theirs
        } else {
            tie < theirs
        };
        if local_wins_487 {
            if code != Some(487) {
                out.push(
                    &ROLE_487_WHEN_HIGHER,
                    r,
                    format!("role conflict answered {}", describe(r)),
                );
            }
        } else {
            let next = msgs
                .iter()
                .find(|m| m.dir == Direction::Sent && is_check(m) && m.index > r.index);
            let switched = next.is_none_or(|n| role_of(n) == Some(!controlling));
            if code == Some(487) || !switched {
                out.push(
                    &ROLE_SWITCH_WHEN_LOWER,
                    r,
                    "lost the tie-break but kept its role",
                );
            }
        }
    }
}

fn describe(r: &Msg) -> String {
    match (r.class, r.attrs.error) {
        (Class::Success, _) => "with success".into(),
        (_, Some(c)) => format!("with {c}"),
        _ => "without an error code".into(),
    }
}

fn client_flows(msgs: &[Msg], out: &mut Out) {
    let sent: Vec<&Msg> = msgs
        .iter()
        .filter(|m| m.dir == Direction::Sent && is_check(m))
        .collect();
    // Tie-breaker stability (§16.1), allowing a change after a 487 or a restart (new ufrag).
    for w in sent.windows(2) {
        let (Some(a), Some(b)) = (w.first(), w.get(1)) else {
            continue;
        };
        let got_487 = msgs.iter().any(|m| {
            m.dir == Direction::Received
                && m.attrs.error == Some(487)
                && m.index > a.index
                && m.index < b.index
        });
        let restarted = a.attrs.username != b.attrs.username;
        if tie_of(a) != tie_of(b) && !got_487 && !restarted {
            out.push(
                &REQUEST_TIEBREAKER_STABLE,
                b,
                "tie-breaker changed without a 487",
            );
        }
    }
    // Reactions to 487 (§7.2.5.1).
    for resp in msgs
        .iter()
        .filter(|m| m.dir == Direction::Received && m.attrs.error == Some(487))
    {
        if matches!(
            resp.mi_remote,
            Some(Check::Fail | Check::Malformed | Check::Absent)
        ) {
            continue; // not authenticated: nothing to react to
        }
        let Some(req) = sent.iter().find(|s| s.txid == resp.txid) else {
            continue;
        };
        let Some(was) = role_of(req) else { continue };
        let later: Vec<&&Msg> = sent.iter().filter(|s| s.index > resp.index).collect();
        if let Some(next) = later.first() {
            if role_of(next) != Some(!was) {
                out.push(
                    &ROLE_SWITCH_AFTER_487,
                    next,
                    "check after a 487 keeps the old role",
                );
            }
            if tie_of(next) == tie_of(req) {
                out.push(
                    &ROLE_NEW_TIEBREAKER_AFTER_487,
                    next,
                    "same tie-breaker after a 487",
                );
            }
        } else {
            out.push(&ROLE_SWITCH_AFTER_487, resp, "no check follows the 487");
        }
        if !later.iter().any(|s| s.ctx == req.ctx) {
            out.push(
                &ROLE_RETRY_AFTER_487,
                resp,
                "the pair is not checked again after the 487",
            );
        }
    }
    // Nomination only on valid pairs (§8.1.1).
    for s in sent.iter().filter(|s| s.attrs.use_candidate) {
        let valid_before = msgs.iter().any(|m| {
            m.dir == Direction::Received
                && m.class == Class::Success
                && m.index < s.index
                && m.ctx == s.ctx
                && !matches!(
                    m.mi_remote,
                    Some(Check::Fail | Check::Malformed | Check::Absent)
                )
                && sent.iter().any(|q| q.txid == m.txid)
        });
        let retransmission = sent.iter().any(|q| q.txid == s.txid && q.index < s.index);
        if !valid_before && !retransmission {
            out.push(
                &NOMINATION_VALID_PAIR,
                s,
                "USE-CANDIDATE before the pair's check succeeded",
            );
        }
    }
}

fn pacing(msgs: &[Msg], ctx: &ValidatorContext, out: &mut Out) {
    let mut first_sent: HashMap<TransactionId, Instant> = HashMap::new();
    let mut last_sent: HashMap<TransactionId, Instant> = HashMap::new();
    let mut prev_new: Option<Instant> = None;
    let slack = Duration::from_millis(1);
    for m in msgs
        .iter()
        .filter(|m| m.dir == Direction::Sent && m.class == Class::Request)
    {
        if let Some(prev) = last_sent.get(&m.txid).copied() {
            if m.at.saturating_duration_since(prev) + slack < Duration::from_millis(500) {
                out.push(
                    &RETRANSMIT_RTO_MIN,
                    m,
                    format!("retransmitted after {:?}", m.at - prev),
                );
            }
            last_sent.insert(m.txid, m.at);
            continue;
        }
        first_sent.insert(m.txid, m.at);
        last_sent.insert(m.txid, m.at);
        if !is_check(m) {
            continue;
        }
        if let Some(p) = prev_new {
            let gap = m.at.saturating_duration_since(p);
            if gap + slack < Duration::from_millis(5) {
                out.push(
                    &PACING_MIN,
                    m,
                    format!("new check {gap:?} after the previous one"),
                );
            } else if gap + slack < ctx.ta {
                out.push(
                    &PACING_TA,
                    m,
                    format!("new check {gap:?} after the previous one"),
                );
            }
        }
        prev_new = Some(m.at);
    }
}

/// The selected 5-tuple and when it was selected, as the view shows it.
fn selection(msgs: &[Msg]) -> Option<(TransportContext, Instant)> {
    msgs.iter().find_map(|m| {
        // Controlling: an authenticated success to our USE-CANDIDATE check.
        if m.dir == Direction::Received && m.class == Class::Success {
            let req = msgs
                .iter()
                .find(|q| q.dir == Direction::Sent && q.txid == m.txid && q.attrs.use_candidate)?;
            return Some((req.ctx, m.at));
        }
        // Controlled: our success to a USE-CANDIDATE check.
        if m.dir == Direction::Sent && m.class == Class::Success {
            let req = msgs.iter().find(|q| {
                q.dir == Direction::Received && q.txid == m.txid && q.attrs.use_candidate
            })?;
            return Some((req.ctx, m.at));
        }
        None
    })
}

fn consent(view: &[Observed], msgs: &[Msg], ctx: &ValidatorContext, out: &mut Out) {
    if ctx.local_lite {
        return;
    }
    let Some((tuple, selected_at)) = selection(msgs) else {
        return;
    };
    let same = |c: &TransportContext| c.local == tuple.local && c.remote == tuple.remote;
    let settle = selected_at + Duration::from_secs(3);
    let checks: Vec<&Msg> = msgs
        .iter()
        .filter(|m| m.dir == Direction::Sent && is_check(m) && same(&m.ctx) && m.at >= settle)
        .collect();
    let mut seen: Vec<TransactionId> = Vec::new();
    let mut firsts: Vec<&Msg> = Vec::new();
    for c in &checks {
        if seen.contains(&c.txid) {
            out.push(&CONSENT_ONCE, c, "consent check retransmitted");
        } else {
            seen.push(c.txid);
            firsts.push(c);
        }
    }
    let gaps: Vec<Duration> = firsts
        .windows(2)
        .filter_map(|w| Some(w.get(1)?.at.saturating_duration_since(w.first()?.at)))
        .collect();
    for (w, gap) in firsts.windows(2).zip(&gaps) {
        if *gap + Duration::from_millis(1) < Duration::from_secs(4)
            && let Some(m) = w.get(1)
        {
            out.push(
                &CONSENT_INTERVAL_MIN,
                m,
                format!("consent check {gap:?} after the previous one"),
            );
        }
    }
    if gaps.len() >= 4 {
        let min = gaps.iter().min().copied().unwrap_or_default();
        let max = gaps.iter().max().copied().unwrap_or_default();
        if max.saturating_sub(min) < Duration::from_millis(10)
            && let Some(m) = firsts.last()
        {
            out.push(
                &CONSENT_RANDOMISED,
                m,
                format!("consent intervals all {min:?}"),
            );
        }
    }
    // Expiry: the last authenticated success received on the tuple.
    let mut last_ok = selected_at;
    let mut ceased_reported = false;
    let mut last_sent_at: Option<Instant> = None;
    let mut keepalive_reported = false;
    let mut last_indication: Option<Instant> = None;
    for (i, o) in view.iter().enumerate() {
        if !same(&o.context) || o.at < selected_at {
            continue;
        }
        let m = msgs.iter().find(|m| m.index == i);
        if o.direction == Direction::Received {
            if let Some(m) = m
                && m.class == Class::Success
                && !matches!(
                    m.mi_remote,
                    Some(Check::Fail | Check::Malformed | Check::Absent)
                )
            {
                last_ok = last_ok.max(o.at);
            }
            continue;
        }
        let expired = o.at > last_ok + Duration::from_secs(31);
        if expired && !ceased_reported {
            if let Some(m) = m {
                out.push(&CONSENT_CEASE, m, "sent on the pair after consent expired");
            } else {
                out.findings.push(Finding::new(
                    &CONSENT_CEASE,
                    Location::at(o.at).about(format!(
                        "datagram {} {}",
                        i.saturating_add(1),
                        o.context
                    )),
                    "sent data on the pair after consent expired",
                ));
            }
            ceased_reported = true;
        }
        if let (Some(prev), false, false) = (last_sent_at, expired, keepalive_reported) {
            let gap = o.at.saturating_duration_since(prev);
            if gap > Duration::from_secs(16)
                && o.at <= last_ok + Duration::from_secs(30)
                && let Some(m) = m
            {
                out.push(
                    &KEEPALIVE_SENT,
                    m,
                    format!("nothing sent on the selected pair for {gap:?}"),
                );
                keepalive_reported = true;
            }
        }
        if let Some(m) = m
            && m.class == Class::Indication
        {
            if let Some(p) = last_indication
                && o.at.saturating_duration_since(p) + Duration::from_millis(1)
                    < Duration::from_secs(15)
            {
                out.push(
                    &KEEPALIVE_INTERVAL,
                    m,
                    "keepalive indications less than 15 s apart",
                );
            }
            last_indication = Some(o.at);
        }
        last_sent_at = Some(o.at);
    }
}

/// Judges a signalled candidate (RFC 8445 §5.1.2).
#[must_use]
pub fn validate_candidate(c: &Candidate) -> Vec<Finding> {
    let mut f = Vec::new();
    let loc = || Location::whole().about(c.to_sdp());
    if c.priority == 0 || c.priority > 0x7fff_ffff {
        f.push(Finding::new(
            &CANDIDATE_PRIORITY_RANGE,
            loc(),
            format!("priority {}", c.priority),
        ));
    }
    if c.component == 0 || c.component > 256 {
        f.push(Finding::new(
            &CANDIDATE_COMPONENT_RANGE,
            loc(),
            format!("component {}", c.component),
        ));
    }
    let tp = c.priority >> 24;
    let expected = c.kind.type_preference();
    let plausible = match c.kind {
        CandidateKind::Host => tp == expected,
        CandidateKind::Relayed => tp == expected,
        _ => tp == expected,
    };
    if !plausible {
        f.push(Finding::new(
            &CANDIDATE_TYPE_PREFERENCE,
            loc(),
            format!("{} candidate with type preference {tp}", c.kind),
        ));
    }
    f
}

/// Judges an ICE restart: `old` and `new` credentials of the same agent (RFC 8839
/// §4.4.1.1.1), and the lengths of the new ones (§5.4).
#[must_use]
pub fn validate_restart(old: &IceCredentials, new: &IceCredentials) -> Vec<Finding> {
    let mut f = Vec::new();
    if old.ufrag == new.ufrag || old.pwd == new.pwd {
        f.push(Finding::new(
            &RESTART_NEW_CREDENTIALS,
            Location::whole(),
            "restart kept the ufrag or the password",
        ));
    }
    let ok = |s: &str, min: usize| (min..=256).contains(&s.len()) && is_ice_chars(s);
    if !ok(&new.ufrag, 4) || !ok(&new.pwd, 22) {
        f.push(Finding::new(
            &CREDENTIALS_LENGTH,
            Location::whole(),
            "ufrag or password out of the ice-chars lengths",
        ));
    }
    f
}

/// The inspector: a Binding request judged as a check sent by the endpoint.
pub(super) struct IceInspector;

impl Inspector for IceInspector {
    fn protocol(&self) -> &'static str {
        "ice"
    }

    fn detect(&self, input: &[u8]) -> Confidence {
        match Message::new_checked(input) {
            Ok(m)
                if m.cookie() == MAGIC_COOKIE
                    && m.method() == Method::BINDING
                    && is_check_bytes(&m) =>
            {
                Confidence::Maybe
            }
            _ => Confidence::No,
        }
    }

    fn inspect(&self, input: &[u8], _context: &InspectContext) -> Inspection {
        let mut ins = Inspection::new("ice");
        let Ok(m) = Message::new_checked(input) else {
            ins.error = Some("not a STUN message".into());
            return ins;
        };
        ins.parsed = true;
        let a = read_attrs(&m);
        ins.fields.push(Field::text(
            "username",
            a.username.clone().unwrap_or_default(),
        ));
        if let Some(p) = a.priority {
            ins.fields.push(Field::uint("priority", u64::from(p)));
        }
        let role = match (a.controlling, a.controlled) {
            (Some(_), None) => "controlling",
            (None, Some(_)) => "controlled",
            _ => "none",
        };
        ins.fields.push(Field::text("role", role));
        ins.fields.push(Field::new(
            "use_candidate",
            harness_core::inspect::FieldValue::Bool(a.use_candidate),
        ));
        let view = [Observed {
            at: Instant::ZERO,
            direction: Direction::Sent,
            context: TransportContext {
                local: std::net::SocketAddr::from(([0, 0, 0, 0], 0)),
                remote: std::net::SocketAddr::from(([0, 0, 0, 0], 0)),
                transport: harness_core::endpoint::Transport::Udp,
            },
            payload: input.to_vec(),
        }];
        ins.findings = validate(&view, &ValidatorContext::default());
        ins
    }
}

fn is_check_bytes(m: &Message<'_>) -> bool {
    m.class() == Class::Request
        && (m.find(AttrType::PRIORITY).is_some()
            || m.find(AttrType::ICE_CONTROLLING).is_some()
            || m.find(AttrType::ICE_CONTROLLED).is_some())
}
