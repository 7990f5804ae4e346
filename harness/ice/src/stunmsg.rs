//! Building and reading the STUN messages of ICE (RFC 8445 §7.1, §7.2.2, §7.3).

use std::net::SocketAddr;

use harness_stun::{
    AttrType, AttrTypeList, Attribute, Class, ErrorValue, Key, Message, MessageBuilder, Method,
    TransactionId,
};

use crate::config::Role;

/// Comprehension-required attributes an ICE agent understands in Binding messages
/// (RFC 8489 §14, RFC 8445 §7.1).
pub const UNDERSTOOD: &[AttrType] = &[
    AttrType::MAPPED_ADDRESS,
    AttrType::USERNAME,
    AttrType::MESSAGE_INTEGRITY,
    AttrType::ERROR_CODE,
    AttrType::UNKNOWN_ATTRIBUTES,
    AttrType::REALM,
    AttrType::NONCE,
    AttrType::XOR_MAPPED_ADDRESS,
    AttrType::PRIORITY,
    AttrType::USE_CANDIDATE,
];

/// The comprehension-required attributes of `msg` that an ICE agent does not understand
/// (RFC 8489 §7.3.1), at most 16.
#[must_use]
pub fn unknown_required(msg: &Message<'_>) -> Vec<AttrType> {
    let mut out = Vec::new();
    for a in msg.attributes().map_while(Result::ok) {
        if a.ty.is_comprehension_required() && !UNDERSTOOD.contains(&a.ty) && !out.contains(&a.ty) {
            out.push(a.ty);
            if out.len() >= 16 {
                break;
            }
        }
    }
    out
}

/// What a Binding request of ICE carries, read leniently.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CheckAttrs {
    /// USERNAME.
    pub username: Option<String>,
    /// PRIORITY.
    pub priority: Option<u32>,
    /// USE-CANDIDATE present.
    pub use_candidate: bool,
    /// ICE-CONTROLLING tie-breaker.
    pub controlling: Option<u64>,
    /// ICE-CONTROLLED tie-breaker.
    pub controlled: Option<u64>,
    /// XOR-MAPPED-ADDRESS (responses).
    pub mapped: Option<SocketAddr>,
    /// ERROR-CODE (responses).
    pub error: Option<u16>,
    /// UNKNOWN-ATTRIBUTES listed (420 responses).
    pub unknown_listed: Vec<u16>,
    /// MESSAGE-INTEGRITY present.
    pub has_integrity: bool,
    /// FINGERPRINT present.
    pub has_fingerprint: bool,
}

/// Reads the ICE attributes of `msg` (first occurrence of each).
#[must_use]
pub fn read_attrs(msg: &Message<'_>) -> CheckAttrs {
    let txid = msg.transaction_id();
    let mut out = CheckAttrs::default();
    for raw in msg.attributes().map_while(Result::ok) {
        match raw.ty {
            AttrType::MESSAGE_INTEGRITY => out.has_integrity = true,
            AttrType::FINGERPRINT => out.has_fingerprint = true,
            _ => {}
        }
        let Ok(attr) = Attribute::decode(&raw, txid) else {
            continue;
        };
        match attr {
            Attribute::Username(u) if out.username.is_none() => out.username = Some(u.to_string()),
            Attribute::Priority(p) if out.priority.is_none() => out.priority = Some(p),
            Attribute::UseCandidate => out.use_candidate = true,
            Attribute::IceControlling(t) if out.controlling.is_none() => out.controlling = Some(t),
            Attribute::IceControlled(t) if out.controlled.is_none() => out.controlled = Some(t),
            Attribute::XorMappedAddress(a) if out.mapped.is_none() => out.mapped = Some(a),
            Attribute::ErrorCode(e) if out.error.is_none() => out.error = Some(e.code().0),
            Attribute::UnknownAttributes(list) => {
                out.unknown_listed = list.iter().map(|t| t.0).collect();
            }
            _ => {}
        }
    }
    out
}

/// A connectivity check (RFC 8445 §7.2.2, §7.1): USERNAME `remote:local`, PRIORITY, the role
/// attribute with the tie-breaker, USE-CANDIDATE when nominating, MESSAGE-INTEGRITY with the
/// remote password, FINGERPRINT.
#[allow(
    clippy::too_many_arguments,
    reason = "each argument is one attribute of the check"
)]
#[must_use]
pub fn build_check(
    txid: TransactionId,
    username: &str,
    priority: u32,
    role: Role,
    tie_breaker: u64,
    use_candidate: bool,
    key: &Key,
) -> Vec<u8> {
    let mut b = MessageBuilder::new(Class::Request, Method::BINDING, txid)
        .attr(Attribute::Username(username))
        .attr(Attribute::Priority(priority));
    b = match role {
        Role::Controlling => b.attr(Attribute::IceControlling(tie_breaker)),
        Role::Controlled => b.attr(Attribute::IceControlled(tie_breaker)),
    };
    if use_candidate {
        b = b.attr(Attribute::UseCandidate);
    }
    b.message_integrity(key)
        .fingerprint()
        .build()
        .unwrap_or_default()
}

/// A success response (RFC 8445 §7.3.1.2): XOR-MAPPED-ADDRESS of the request's source,
/// MESSAGE-INTEGRITY with the local password, FINGERPRINT.
#[must_use]
pub fn build_success(txid: TransactionId, mapped: SocketAddr, key: &Key) -> Vec<u8> {
    MessageBuilder::new(Class::Success, Method::BINDING, txid)
        .attr(Attribute::XorMappedAddress(mapped))
        .message_integrity(key)
        .fingerprint()
        .build()
        .unwrap_or_default()
}

/// An error response. `key` adds MESSAGE-INTEGRITY (never for 400 and 401, RFC 8489 §9.1.3);
/// `unknown` fills UNKNOWN-ATTRIBUTES (420, RFC 8489 §14.9).
#[must_use]
pub fn build_error(
    txid: TransactionId,
    code: u16,
    reason: &str,
    key: Option<&Key>,
    unknown: &[AttrType],
) -> Vec<u8> {
    let class = u8::try_from(code / 100).unwrap_or(4);
    let number = u8::try_from(code % 100).unwrap_or(0);
    let mut b = MessageBuilder::new(Class::Error, Method::BINDING, txid).attr(
        Attribute::ErrorCode(ErrorValue {
            class,
            number,
            reason,
        }),
    );
    let list: Vec<u8> = unknown.iter().flat_map(|t| t.0.to_be_bytes()).collect();
    if !unknown.is_empty() {
        b = b.attr(Attribute::UnknownAttributes(AttrTypeList(&list)));
    }
    if let Some(k) = key {
        b = b.message_integrity(k);
    }
    b.fingerprint().build().unwrap_or_default()
}

/// A plain Binding request to a STUN server (gathering, RFC 8445 §5.1.1.2).
#[must_use]
pub fn build_plain_request(txid: TransactionId) -> Vec<u8> {
    MessageBuilder::new(Class::Request, Method::BINDING, txid)
        .fingerprint()
        .build()
        .unwrap_or_default()
}

/// A keepalive Binding indication (RFC 8445 §11): no authentication, FINGERPRINT.
#[must_use]
pub fn build_indication(txid: TransactionId) -> Vec<u8> {
    MessageBuilder::new(Class::Indication, Method::BINDING, txid)
        .fingerprint()
        .build()
        .unwrap_or_default()
}
