//! Rules on a request and the response a server gave to it.

use std::net::IpAddr;

use harness_core::rules::{Finding, Location, Rule};

use super::*;
use crate::channeldata::{CHANNEL_MAX, CHANNEL_MIN};
use crate::codes;
use crate::policy::special_range;
use crate::stun::{Class, Message, attr, decode_xor_address, method};

fn f(rule: &'static Rule, msg: &'static str) -> Finding {
    Finding::new(rule, Location::whole().about("response"), msg)
}

/// Judges `response` as the server's answer to `request`. Unparseable input yields nothing.
#[must_use]
pub fn check_exchange(request: &[u8], response: &[u8]) -> Vec<Finding> {
    let mut out = Vec::new();
    let (Ok(req), Ok(resp)) = (Message::parse(request), Message::parse(response)) else {
        return out;
    };
    if req.class() != Class::Request {
        return out;
    }
    if resp.transaction_id() != req.transaction_id() || resp.method() != req.method() {
        out.push(f(
            &RESPONSE_MATCHES,
            "method or transaction id differs from the request",
        ));
        return out;
    }
    let code = resp.error_code().map(|c| c.0);
    let ok = resp.class() == Class::Success;
    let authed = req.has(attr::MESSAGE_INTEGRITY);
    let is_400 = code == Some(codes::BAD_REQUEST);
    match code {
        Some(codes::UNAUTHORIZED) if !(resp.has(attr::REALM) && resp.has(attr::NONCE)) => {
            out.push(f(&UNAUTHORIZED_REALM_NONCE, "401 without REALM or NONCE"));
        }
        Some(codes::STALE_NONCE) if !(resp.has(attr::REALM) && resp.has(attr::NONCE)) => {
            out.push(f(&STALE_NONCE_REALM_NONCE, "438 without REALM or NONCE"));
        }
        _ => {}
    }
    let turn_request = matches!(
        req.method(),
        method::ALLOCATE | method::REFRESH | method::CREATE_PERMISSION | method::CHANNEL_BIND
    );
    if turn_request && !authed && ok {
        out.push(f(&AUTH_REQUIRED, "unauthenticated request succeeded"));
    }
    let unknown: Vec<u16> = req
        .effective()
        .map(|a| a.typ)
        .filter(|t| *t < 0x8000 && !crate::server::KNOWN_ATTRIBUTES.contains(t))
        .collect();
    if !unknown.is_empty() && turn_request {
        let listed = resp.get(attr::UNKNOWN_ATTRIBUTES).is_some_and(|v| {
            unknown
                .iter()
                .all(|t| v.chunks_exact(2).any(|c| c == t.to_be_bytes()))
        });
        if code != Some(codes::UNKNOWN_ATTRIBUTE) || !listed {
            out.push(f(
                &UNKNOWN_ATTRIBUTE_420,
                "unknown comprehension-required attribute not answered with 420 listing it",
            ));
        }
    }
    // Beyond here: only requests that passed authentication and the unknown-attribute check.
    if !authed || !unknown.is_empty() || matches!(code, Some(401 | 438)) {
        if req.method() == method::BINDING {
            check_binding(&req, &resp, &mut out);
        }
        return out;
    }
    match req.method() {
        method::ALLOCATE => check_allocate(&req, &resp, &mut out),
        method::REFRESH if ok => {
            let got = resp.u32_attr(attr::LIFETIME);
            if got.is_none() || (req.u32_attr(attr::LIFETIME) == Some(0) && got != Some(0)) {
                out.push(f(
                    &REFRESH_LIFETIME,
                    "Refresh success without the right LIFETIME",
                ));
            }
        }
        method::CREATE_PERMISSION => {
            if !req.has(attr::XOR_PEER_ADDRESS) && !is_400 {
                out.push(f(
                    &PERMISSION_NO_PEER_400,
                    "CreatePermission without a peer not rejected with 400",
                ));
            }
            check_special_peer(&req, ok, &mut out);
        }
        method::CHANNEL_BIND => {
            let number = match req.get(attr::CHANNEL_NUMBER) {
                Some([h, l, _, _]) => Some(u16::from_be_bytes([*h, *l])),
                _ => None,
            };
            if (number.is_none() || !req.has(attr::XOR_PEER_ADDRESS)) && !is_400 {
                out.push(f(
                    &CHANNEL_ATTRS_400,
                    "ChannelBind without its attributes not rejected with 400",
                ));
            }
            if number.is_some_and(|n| !(CHANNEL_MIN..=CHANNEL_MAX).contains(&n)) && !is_400 {
                out.push(f(
                    &CHANNEL_RANGE_400,
                    "ChannelBind with a channel number out of range not rejected with 400",
                ));
            }
            check_special_peer(&req, ok, &mut out);
        }
        method::BINDING => check_binding(&req, &resp, &mut out),
        _ => {}
    }
    out
}

fn check_special_peer(req: &Message<'_>, ok: bool, out: &mut Vec<Finding>) {
    let txid = req.transaction_id();
    let special = req
        .all(attr::XOR_PEER_ADDRESS)
        .filter_map(|v| decode_xor_address(v, &txid).ok())
        .any(|p| special_range(p.ip()).is_some());
    if special && ok {
        out.push(f(
            &PEER_POLICY_403,
            "relay towards a special-purpose address accepted",
        ));
    }
}

fn check_allocate(req: &Message<'_>, resp: &Message<'_>, out: &mut Vec<Finding>) {
    let code = resp.error_code().map(|c| c.0);
    let ok = resp.class() == Class::Success;
    let is_400 = code == Some(codes::BAD_REQUEST);
    let transport = req.get(attr::REQUESTED_TRANSPORT);
    if transport.is_none() && !is_400 {
        out.push(f(
            &ALLOCATE_MISSING_TRANSPORT_400,
            "Allocate without REQUESTED-TRANSPORT not rejected with 400",
        ));
    }
    if transport.is_some_and(|t| t.first() != Some(&17)) && !matches!(code, Some(400 | 442)) {
        out.push(f(
            &ALLOCATE_TRANSPORT_442,
            "Allocate for a non-UDP transport not rejected with 442",
        ));
    }
    let raf = req.get(attr::REQUESTED_ADDRESS_FAMILY);
    let aaf = req.get(attr::ADDITIONAL_ADDRESS_FAMILY);
    if req.has(attr::RESERVATION_TOKEN)
        && (req.has(attr::EVEN_PORT) || raf.is_some() || aaf.is_some())
        && !is_400
    {
        out.push(f(
            &ALLOCATE_TOKEN_CONFLICT_400,
            "RESERVATION-TOKEN with EVEN-PORT or a family not rejected with 400",
        ));
    }
    if raf.is_some() && aaf.is_some() && !is_400 {
        out.push(f(
            &ALLOCATE_BOTH_FAMILIES_400,
            "both address-family attributes not rejected with 400",
        ));
    }
    if aaf.is_some_and(|v| v.first() == Some(&0x01)) && !is_400 {
        out.push(f(
            &ALLOCATE_ADDITIONAL_IPV4_400,
            "ADDITIONAL-ADDRESS-FAMILY IPv4 not rejected with 400",
        ));
    }
    if !ok {
        return;
    }
    let txid = resp.transaction_id();
    let relayed: Vec<_> = resp
        .all(attr::XOR_RELAYED_ADDRESS)
        .filter_map(|v| decode_xor_address(v, &txid).ok())
        .collect();
    let lifetime = resp.u32_attr(attr::LIFETIME);
    if relayed.is_empty() || lifetime.is_none() || !resp.has(attr::XOR_MAPPED_ADDRESS) {
        out.push(f(
            &ALLOCATE_SUCCESS_ATTRS,
            "Allocate success lacks XOR-RELAYED-ADDRESS, LIFETIME or XOR-MAPPED-ADDRESS",
        ));
    }
    if req.has(attr::EVEN_PORT) && relayed.first().is_some_and(|r| r.port() % 2 == 1) {
        out.push(f(
            &ALLOCATE_EVEN_PORT,
            "EVEN-PORT requested but the relayed port is odd",
        ));
    }
    if let Some(l) = lifetime {
        if l < 600 {
            out.push(f(
                &ALLOCATE_LIFETIME_DEFAULT,
                "lifetime below the 600 s default",
            ));
        }
        if l > 3600 {
            out.push(f(&ALLOCATE_LIFETIME_MAX, "lifetime above 3600 s"));
        }
    }
    let want_v6 = raf.and_then(|v| v.first()) == Some(&0x02);
    if relayed
        .first()
        .is_some_and(|r| matches!(r.ip(), IpAddr::V6(_)) != want_v6)
    {
        out.push(f(&ALLOCATE_FAMILY, "relayed address in the wrong family"));
    }
}

fn check_binding(req: &Message<'_>, resp: &Message<'_>, out: &mut Vec<Finding>) {
    let code = resp.error_code().map(|c| c.0);
    let ok = resp.class() == Class::Success;
    let behaviour = resp.has(attr::OTHER_ADDRESS)
        || resp.has(attr::RESPONSE_ORIGIN)
        || req.has(attr::CHANGE_REQUEST)
        || req.has(attr::PADDING)
        || req.has(attr::RESPONSE_PORT);
    if !behaviour {
        return;
    }
    if req.has(attr::PADDING) && req.has(attr::RESPONSE_PORT) && code != Some(codes::BAD_REQUEST) {
        out.push(f(
            &BEHAVIOR_PADDING_PORT_400,
            "PADDING with RESPONSE-PORT not rejected with 400",
        ));
    }
    if !ok {
        return;
    }
    if !(resp.has(attr::MAPPED_ADDRESS) && resp.has(attr::XOR_MAPPED_ADDRESS)) {
        out.push(f(
            &BEHAVIOR_MAPPED_BOTH,
            "Binding response lacks MAPPED-ADDRESS or XOR-MAPPED-ADDRESS",
        ));
    }
    if !resp.has(attr::RESPONSE_ORIGIN) {
        out.push(f(
            &BEHAVIOR_RESPONSE_ORIGIN,
            "Binding response lacks RESPONSE-ORIGIN",
        ));
    }
    if req.has(attr::PADDING) && !resp.has(attr::PADDING) {
        out.push(f(
            &BEHAVIOR_PADDING_ECHO,
            "request had PADDING, response has none",
        ));
    }
    if req.has(attr::CHANGE_REQUEST) && !resp.has(attr::OTHER_ADDRESS) {
        out.push(f(
            &BEHAVIOR_CHANGE_WITHOUT_ALTERNATE,
            "CHANGE-REQUEST answered by a server without OTHER-ADDRESS",
        ));
    }
}
