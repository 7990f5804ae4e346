//! Coverage cases: for every rule, a message that triggers it and one that passes it.
//! Messages are built with [`MessageBuilder`] and, for broken framing, patched by hand.

use harness_core::rules::{CaseResult, Expect};

use super::{ValidationContext, validate};
use crate::attr::Attribute;
use crate::builder::MessageBuilder;
use crate::enums::{AttrType as T, Class, Method};
use crate::keys::Key;
use crate::message::{Message, TransactionId};

const TXID: TransactionId = TransactionId([0x5a; 12]);

/// A message of `class`/`method` with raw attributes (zero padding).
fn m(class: Class, method: Method, attrs: &[(T, &[u8])]) -> Vec<u8> {
    attrs
        .iter()
        .fold(MessageBuilder::new(class, method, TXID), |b, (t, v)| {
            b.raw(*t, v)
        })
        .build()
        .unwrap_or_default()
}

fn req(attrs: &[(T, &[u8])]) -> Vec<u8> {
    m(Class::Request, Method::BINDING, attrs)
}

fn err(attrs: &[(T, &[u8])]) -> Vec<u8> {
    m(Class::Error, Method::BINDING, attrs)
}

fn ok_resp(attrs: &[(T, &[u8])]) -> Vec<u8> {
    let xma = xma();
    let mut all: Vec<(T, &[u8])> = vec![(T::XOR_MAPPED_ADDRESS, &xma)];
    all.extend_from_slice(attrs);
    m(Class::Success, Method::BINDING, &all)
}

fn xma() -> Vec<u8> {
    let mut v = Vec::new();
    Attribute::XorMappedAddress(([192, 0, 2, 1], 32853).into()).encode_value(TXID, &mut v);
    v
}

fn with(mut bytes: Vec<u8>, at: usize, value: &[u8]) -> Vec<u8> {
    if let Some(dst) = bytes.get_mut(at..at.saturating_add(value.len())) {
        dst.copy_from_slice(value);
    }
    bytes
}

fn ec(class: u8, number: u8, reason: &str) -> Vec<u8> {
    let mut v = vec![0, 0, class, number];
    v.extend_from_slice(reason.as_bytes());
    v
}

fn key() -> Key {
    Key::from_bytes(b"coverage-key")
}

fn signed(builder: MessageBuilder) -> Vec<u8> {
    builder.build().unwrap_or_default()
}

struct Case {
    rule: &'static str,
    name: &'static str,
    expect: Expect,
    bytes: Vec<u8>,
    keys: Vec<Key>,
}

fn c(rule: &'static str, name: &'static str, expect: Expect, bytes: Vec<u8>) -> Case {
    Case {
        rule,
        name,
        expect,
        bytes,
        keys: Vec::new(),
    }
}

#[allow(clippy::too_many_lines)] // reason: one flat table of cases reads best
fn table() -> Vec<Case> {
    use Expect::{Passes as P, Triggers as X};
    let plain = req(&[]);
    let s = |n: usize, ch: u8| vec![ch; n];
    let bi = || MessageBuilder::new(Class::Request, Method::BINDING, TXID);
    let user = Attribute::Username("alice");
    vec![
        c(
            "stun.header.top-bits",
            "top bits 11",
            X,
            with(plain.clone(), 0, &[0xC0]),
        ),
        c("stun.header.top-bits", "binding request", P, plain.clone()),
        c(
            "stun.header.magic-cookie",
            "classic cookie",
            X,
            with(plain.clone(), 4, &[1, 2, 3, 4]),
        ),
        c(
            "stun.header.magic-cookie",
            "binding request",
            P,
            plain.clone(),
        ),
        c("stun.header.length-multiple-of-4", "length 2", X, {
            let mut b = with(plain.clone(), 2, &[0, 2]);
            b.extend_from_slice(&[0, 0]);
            b
        }),
        c(
            "stun.header.length-multiple-of-4",
            "length 0",
            P,
            plain.clone(),
        ),
        c(
            "stun.header.length-matches-datagram",
            "4 trailing bytes",
            X,
            {
                let mut b = plain.clone();
                b.extend_from_slice(&[0; 4]);
                b
            },
        ),
        c(
            "stun.header.length-matches-datagram",
            "exact",
            P,
            plain.clone(),
        ),
        c(
            "stun.method.known",
            "method 0x0ff",
            X,
            m(Class::Request, Method(0x0FF), &[]),
        ),
        c("stun.method.known", "binding", P, plain.clone()),
        c(
            "stun.turn.indication-only",
            "send request",
            X,
            m(Class::Request, Method::SEND, &[]),
        ),
        c(
            "stun.turn.indication-only",
            "send indication",
            P,
            m(Class::Indication, Method::SEND, &[]),
        ),
        c(
            "stun.turn.no-indication",
            "allocate indication",
            X,
            m(Class::Indication, Method::ALLOCATE, &[]),
        ),
        c(
            "stun.turn.no-indication",
            "allocate request",
            P,
            m(Class::Request, Method::ALLOCATE, &[]),
        ),
        c("stun.error-response.error-code", "bare error", X, err(&[])),
        c(
            "stun.error-response.error-code",
            "error 400",
            P,
            err(&[(T::ERROR_CODE, &ec(4, 0, "Bad Request"))]),
        ),
        c(
            "stun.error-code.only-in-error-response",
            "in success",
            X,
            ok_resp(&[(T::ERROR_CODE, &ec(4, 0, ""))]),
        ),
        c(
            "stun.error-code.only-in-error-response",
            "in error",
            P,
            err(&[(T::ERROR_CODE, &ec(4, 0, ""))]),
        ),
        c(
            "stun.error-420.unknown-attributes",
            "420 bare",
            X,
            err(&[(T::ERROR_CODE, &ec(4, 20, ""))]),
        ),
        c(
            "stun.error-420.unknown-attributes",
            "420 listed",
            P,
            err(&[
                (T::ERROR_CODE, &ec(4, 20, "")),
                (T::UNKNOWN_ATTRIBUTES, &[0x40, 0]),
            ]),
        ),
        c(
            "stun.binding.success-xor-mapped-address",
            "bare success",
            X,
            m(Class::Success, Method::BINDING, &[]),
        ),
        c(
            "stun.binding.success-xor-mapped-address",
            "with address",
            P,
            ok_resp(&[]),
        ),
        c("stun.attr.header-truncated", "2 stray bytes", X, {
            let mut b = with(plain.clone(), 2, &[0, 2]);
            b.extend_from_slice(&[0, 0x25]);
            b
        }),
        c(
            "stun.attr.header-truncated",
            "use-candidate",
            P,
            req(&[(T::USE_CANDIDATE, &[])]),
        ),
        c(
            "stun.attr.overrun",
            "length 0xffff",
            X,
            with(req(&[(T::SOFTWARE, b"abcd")]), 22, &[0xff, 0xff]),
        ),
        c(
            "stun.attr.overrun",
            "fits",
            P,
            req(&[(T::SOFTWARE, b"abcd")]),
        ),
        c("stun.attr.boundary", "unpadded last", X, {
            let b = req(&[(T::SOFTWARE, b"a")]);
            let mut b = with(b, 2, &[0, 5]);
            b.truncate(25);
            b
        }),
        c(
            "stun.attr.boundary",
            "padded",
            P,
            req(&[(T::SOFTWARE, b"a")]),
        ),
        c(
            "stun.attr.padding-zero",
            "space padding",
            X,
            with(req(&[(T::SOFTWARE, b"abc")]), 27, &[0x20]),
        ),
        c(
            "stun.attr.padding-zero",
            "zero padding",
            P,
            req(&[(T::SOFTWARE, b"abc")]),
        ),
        c(
            "stun.attr.duplicate",
            "two SOFTWARE",
            X,
            req(&[(T::SOFTWARE, b"a"), (T::SOFTWARE, b"b")]),
        ),
        c(
            "stun.attr.duplicate",
            "one SOFTWARE",
            P,
            req(&[(T::SOFTWARE, b"a")]),
        ),
        c(
            "stun.attr.unknown-comprehension-required",
            "0x4000",
            X,
            req(&[(T(0x4000), b"x")]),
        ),
        c(
            "stun.attr.unknown-comprehension-required",
            "0xc000 optional",
            P,
            req(&[(T(0xC000), b"x")]),
        ),
        c(
            "stun.address.family",
            "family 3",
            X,
            ok_resp(&[(T::MAPPED_ADDRESS, &[0, 3, 0, 1, 1, 2, 3, 4])]),
        ),
        c(
            "stun.address.family",
            "family 1",
            P,
            ok_resp(&[(T::MAPPED_ADDRESS, &[0, 1, 0, 1, 1, 2, 3, 4])]),
        ),
        c(
            "stun.address.length",
            "ipv4 in 20 bytes",
            X,
            ok_resp(&[(
                T::MAPPED_ADDRESS,
                &[0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
            )]),
        ),
        c(
            "stun.address.length",
            "ipv4 in 8 bytes",
            P,
            ok_resp(&[(T::MAPPED_ADDRESS, &[0, 1, 0, 1, 1, 2, 3, 4])]),
        ),
        c(
            "stun.address.first-byte-zero",
            "first byte 1",
            X,
            ok_resp(&[(T::MAPPED_ADDRESS, &[1, 1, 0, 1, 1, 2, 3, 4])]),
        ),
        c(
            "stun.address.first-byte-zero",
            "first byte 0",
            P,
            ok_resp(&[]),
        ),
        c(
            "stun.error-code.length",
            "2 bytes",
            X,
            err(&[(T::ERROR_CODE, &[0, 0])]),
        ),
        c(
            "stun.error-code.length",
            "4 bytes",
            P,
            err(&[(T::ERROR_CODE, &ec(4, 0, ""))]),
        ),
        c(
            "stun.error-code.class-range",
            "class 7",
            X,
            err(&[(T::ERROR_CODE, &ec(7, 0, ""))]),
        ),
        c(
            "stun.error-code.class-range",
            "class 4",
            P,
            err(&[(T::ERROR_CODE, &ec(4, 0, ""))]),
        ),
        c(
            "stun.error-code.number-range",
            "number 100",
            X,
            err(&[(T::ERROR_CODE, &ec(4, 100, ""))]),
        ),
        c(
            "stun.error-code.number-range",
            "number 99",
            P,
            err(&[(T::ERROR_CODE, &ec(4, 99, ""))]),
        ),
        c(
            "stun.error-code.reserved-zero",
            "reserved set",
            X,
            err(&[(T::ERROR_CODE, &[0, 1, 4, 0])]),
        ),
        c(
            "stun.error-code.reserved-zero",
            "reserved zero",
            P,
            err(&[(T::ERROR_CODE, &ec(4, 0, ""))]),
        ),
        c(
            "stun.error-code.reason-length",
            "128 chars",
            X,
            err(&[(T::ERROR_CODE, &ec(4, 0, &"a".repeat(128)))]),
        ),
        c(
            "stun.error-code.reason-length",
            "127 chars",
            P,
            err(&[(T::ERROR_CODE, &ec(4, 0, &"a".repeat(127)))]),
        ),
        c(
            "stun.unknown-attributes.only-in-420",
            "in 400",
            X,
            err(&[
                (T::ERROR_CODE, &ec(4, 0, "")),
                (T::UNKNOWN_ATTRIBUTES, &[0x40, 0]),
            ]),
        ),
        c(
            "stun.unknown-attributes.only-in-420",
            "in 420",
            P,
            err(&[
                (T::ERROR_CODE, &ec(4, 20, "")),
                (T::UNKNOWN_ATTRIBUTES, &[0x40, 0]),
            ]),
        ),
        c(
            "stun.unknown-attributes.even-length",
            "3 bytes",
            X,
            err(&[
                (T::ERROR_CODE, &ec(4, 20, "")),
                (T::UNKNOWN_ATTRIBUTES, &[0x40, 0, 0]),
            ]),
        ),
        c(
            "stun.unknown-attributes.even-length",
            "2 bytes",
            P,
            err(&[
                (T::ERROR_CODE, &ec(4, 20, "")),
                (T::UNKNOWN_ATTRIBUTES, &[0x40, 0]),
            ]),
        ),
        c(
            "stun.username.length",
            "509 bytes",
            X,
            req(&[(T::USERNAME, &s(509, b'u'))]),
        ),
        c(
            "stun.username.length",
            "508 bytes",
            P,
            req(&[(T::USERNAME, &s(508, b'u'))]),
        ),
        c(
            "stun.username.length-rfc5389",
            "513 bytes",
            X,
            req(&[(T::USERNAME, &s(513, b'u'))]),
        ),
        c(
            "stun.username.length-rfc5389",
            "512 bytes",
            P,
            req(&[(T::USERNAME, &s(512, b'u'))]),
        ),
        c("stun.text.utf8", "0xff", X, req(&[(T::SOFTWARE, &[0xff])])),
        c("stun.text.utf8", "ascii", P, req(&[(T::SOFTWARE, b"ok")])),
        c(
            "stun.realm.length",
            "128 chars",
            X,
            req(&[(T::REALM, &s(128, b'r')), (T::NONCE, b"n")]),
        ),
        c(
            "stun.realm.length",
            "127 chars",
            P,
            req(&[(T::REALM, &s(127, b'r')), (T::NONCE, b"n")]),
        ),
        c(
            "stun.nonce.length",
            "128 chars",
            X,
            req(&[(T::NONCE, &s(128, b'n'))]),
        ),
        c(
            "stun.nonce.length",
            "127 chars",
            P,
            req(&[(T::NONCE, &s(127, b'n'))]),
        ),
        c(
            "stun.software.length",
            "128 chars",
            X,
            req(&[(T::SOFTWARE, "é".repeat(128).as_bytes())]),
        ),
        c(
            "stun.software.length",
            "127 two-byte chars",
            P,
            req(&[(T::SOFTWARE, "é".repeat(127).as_bytes())]),
        ),
        c(
            "stun.alternate-domain.length",
            "256 chars",
            X,
            err(&[
                (T::ERROR_CODE, &ec(3, 0, "")),
                (T::ALTERNATE_DOMAIN, &s(256, b'd')),
            ]),
        ),
        c(
            "stun.alternate-domain.length",
            "example.org",
            P,
            err(&[
                (T::ERROR_CODE, &ec(3, 0, "")),
                (T::ALTERNATE_DOMAIN, b"example.org"),
            ]),
        ),
        c(
            "stun.userhash.length",
            "31 bytes",
            X,
            req(&[(T::USERHASH, &[1; 31])]),
        ),
        c(
            "stun.userhash.length",
            "32 bytes",
            P,
            req(&[(T::USERHASH, &[1; 32])]),
        ),
        c(
            "stun.message-integrity.length",
            "16 bytes",
            X,
            req(&[(T::USERNAME, b"u"), (T::MESSAGE_INTEGRITY, &[0; 16])]),
        ),
        c(
            "stun.message-integrity.length",
            "20 bytes",
            P,
            signed(bi().attr(user).message_integrity(&key())),
        ),
        c(
            "stun.message-integrity-sha256.length",
            "12 bytes",
            X,
            req(&[(T::USERNAME, b"u"), (T::MESSAGE_INTEGRITY_SHA256, &[0; 12])]),
        ),
        c(
            "stun.message-integrity-sha256.length",
            "32 bytes",
            P,
            signed(bi().attr(user).message_integrity_sha256(&key())),
        ),
        c(
            "stun.message-integrity-sha256.truncated",
            "16 bytes",
            X,
            signed(
                bi().attr(user)
                    .message_integrity_sha256_truncated(&key(), 16),
            ),
        ),
        c(
            "stun.message-integrity-sha256.truncated",
            "32 bytes",
            P,
            signed(bi().attr(user).message_integrity_sha256(&key())),
        ),
        c(
            "stun.fingerprint.length",
            "8 bytes",
            X,
            req(&[(T::FINGERPRINT, &[0; 8])]),
        ),
        c(
            "stun.fingerprint.length",
            "4 bytes",
            P,
            signed(bi().fingerprint()),
        ),
        c(
            "stun.fingerprint.last",
            "software after",
            X,
            signed(bi().fingerprint().attr(Attribute::Software("late"))),
        ),
        c(
            "stun.fingerprint.last",
            "last",
            P,
            signed(bi().attr(Attribute::Software("x")).fingerprint()),
        ),
        c(
            "stun.message-integrity.followers",
            "software after",
            X,
            signed(
                bi().attr(user)
                    .message_integrity(&key())
                    .attr(Attribute::Software("late")),
            ),
        ),
        c(
            "stun.message-integrity.followers",
            "sha256 and fingerprint after",
            P,
            signed(
                bi().attr(user)
                    .message_integrity(&key())
                    .message_integrity_sha256(&key())
                    .fingerprint(),
            ),
        ),
        c(
            "stun.message-integrity-sha256.followers",
            "software after",
            X,
            signed(
                bi().attr(user)
                    .message_integrity_sha256(&key())
                    .attr(Attribute::Software("late")),
            ),
        ),
        c(
            "stun.message-integrity-sha256.followers",
            "fingerprint after",
            P,
            signed(
                bi().attr(user)
                    .message_integrity_sha256(&key())
                    .fingerprint(),
            ),
        ),
        c(
            "stun.integrity.username-present",
            "no username",
            X,
            signed(bi().message_integrity(&key())),
        ),
        c(
            "stun.integrity.username-present",
            "username",
            P,
            signed(bi().attr(user).message_integrity(&key())),
        ),
        c(
            "stun.long-term.realm-nonce",
            "no nonce",
            X,
            signed(
                bi().attr(user)
                    .attr(Attribute::Realm("r"))
                    .message_integrity(&key()),
            ),
        ),
        c(
            "stun.long-term.realm-nonce",
            "nonce",
            P,
            signed(
                bi().attr(user)
                    .attr(Attribute::Realm("r"))
                    .attr(Attribute::Nonce("n"))
                    .message_integrity(&key()),
            ),
        ),
        Case {
            keys: vec![Key::from_bytes(b"other")],
            ..c(
                "stun.message-integrity.mismatch",
                "wrong key",
                X,
                signed(bi().attr(user).message_integrity(&key())),
            )
        },
        Case {
            keys: vec![Key::from_bytes(b"other"), key()],
            ..c(
                "stun.message-integrity.mismatch",
                "second key right",
                P,
                signed(bi().attr(user).message_integrity(&key())),
            )
        },
        Case {
            keys: vec![Key::from_bytes(b"other")],
            ..c(
                "stun.message-integrity-sha256.mismatch",
                "wrong key",
                X,
                signed(bi().attr(user).message_integrity_sha256(&key())),
            )
        },
        Case {
            keys: vec![key()],
            ..c(
                "stun.message-integrity-sha256.mismatch",
                "right key",
                P,
                signed(bi().attr(user).message_integrity_sha256(&key())),
            )
        },
        c("stun.fingerprint.mismatch", "flipped byte", X, {
            let b = signed(bi().attr(Attribute::Software("abcd")).fingerprint());
            with(b, 24, b"x")
        }),
        c(
            "stun.fingerprint.mismatch",
            "intact",
            P,
            signed(bi().attr(Attribute::Software("abcd")).fingerprint()),
        ),
        c(
            "stun.password-algorithm.only-in-requests",
            "in success",
            X,
            ok_resp(&[(T::PASSWORD_ALGORITHM, &[0, 2, 0, 0])]),
        ),
        c(
            "stun.password-algorithm.only-in-requests",
            "in request",
            P,
            req(&[(T::PASSWORD_ALGORITHM, &[0, 2, 0, 0])]),
        ),
        c(
            "stun.password-algorithm.well-formed",
            "missing params",
            X,
            req(&[(T::PASSWORD_ALGORITHM, &[0, 2, 0, 4])]),
        ),
        c(
            "stun.password-algorithm.well-formed",
            "sha-256",
            P,
            req(&[(T::PASSWORD_ALGORITHM, &[0, 2, 0, 0])]),
        ),
        c(
            "stun.password-algorithms.well-formed",
            "truncated record",
            X,
            err(&[
                (T::ERROR_CODE, &ec(4, 1, "")),
                (T::PASSWORD_ALGORITHMS, &[0, 1, 0, 8, 0, 0]),
            ]),
        ),
        c(
            "stun.password-algorithms.well-formed",
            "md5 and sha-256",
            P,
            err(&[
                (T::ERROR_CODE, &ec(4, 1, "")),
                (T::PASSWORD_ALGORITHMS, &[0, 1, 0, 0, 0, 2, 0, 0]),
            ]),
        ),
        c(
            "stun.ice.priority-present",
            "no priority",
            X,
            req(&[(T::ICE_CONTROLLED, &[1; 8])]),
        ),
        c(
            "stun.ice.priority-present",
            "priority",
            P,
            req(&[(T::PRIORITY, &[0, 0, 0, 1]), (T::ICE_CONTROLLED, &[1; 8])]),
        ),
        c(
            "stun.ice.use-candidate-controlled",
            "controlled nominates",
            X,
            req(&[
                (T::PRIORITY, &[0, 0, 0, 1]),
                (T::USE_CANDIDATE, &[]),
                (T::ICE_CONTROLLED, &[1; 8]),
            ]),
        ),
        c(
            "stun.ice.use-candidate-controlled",
            "controlling nominates",
            P,
            req(&[
                (T::PRIORITY, &[0, 0, 0, 1]),
                (T::USE_CANDIDATE, &[]),
                (T::ICE_CONTROLLING, &[1; 8]),
            ]),
        ),
        c(
            "stun.ice.one-role",
            "both roles",
            X,
            req(&[
                (T::PRIORITY, &[0, 0, 0, 1]),
                (T::ICE_CONTROLLED, &[1; 8]),
                (T::ICE_CONTROLLING, &[1; 8]),
            ]),
        ),
        c(
            "stun.ice.one-role",
            "one role",
            P,
            req(&[(T::PRIORITY, &[0, 0, 0, 1]), (T::ICE_CONTROLLING, &[1; 8])]),
        ),
        c(
            "stun.ice.attr-length",
            "priority 8 bytes",
            X,
            req(&[(T::PRIORITY, &[0; 8])]),
        ),
        c(
            "stun.ice.attr-length",
            "priority 4 bytes",
            P,
            req(&[(T::PRIORITY, &[0; 4])]),
        ),
        c(
            "stun.turn.channel-number-range",
            "0x3fff",
            X,
            m(
                Class::Request,
                Method::CHANNEL_BIND,
                &[(T::CHANNEL_NUMBER, &[0x3f, 0xff, 0, 0])],
            ),
        ),
        c(
            "stun.turn.channel-number-range",
            "0x4000",
            P,
            m(
                Class::Request,
                Method::CHANNEL_BIND,
                &[(T::CHANNEL_NUMBER, &[0x40, 0, 0, 0])],
            ),
        ),
        c(
            "stun.turn.attr-length",
            "lifetime 8 bytes",
            X,
            m(Class::Request, Method::REFRESH, &[(T::LIFETIME, &[0; 8])]),
        ),
        c(
            "stun.turn.attr-length",
            "lifetime 4 bytes",
            P,
            m(
                Class::Request,
                Method::REFRESH,
                &[(T::LIFETIME, &[0, 0, 2, 0x58])],
            ),
        ),
        c(
            "stun.turn.rffu-zero",
            "rffu 1",
            X,
            m(
                Class::Request,
                Method::CHANNEL_BIND,
                &[(T::CHANNEL_NUMBER, &[0x40, 0, 0, 1])],
            ),
        ),
        c(
            "stun.turn.rffu-zero",
            "rffu 0",
            P,
            m(
                Class::Request,
                Method::ALLOCATE,
                &[(T::REQUESTED_TRANSPORT, &[17, 0, 0, 0])],
            ),
        ),
        c(
            "stun.turn.family-value",
            "family 3",
            X,
            m(
                Class::Request,
                Method::ALLOCATE,
                &[(T::REQUESTED_ADDRESS_FAMILY, &[3, 0, 0, 0])],
            ),
        ),
        c(
            "stun.turn.family-value",
            "family 2",
            P,
            m(
                Class::Request,
                Method::ALLOCATE,
                &[(T::REQUESTED_ADDRESS_FAMILY, &[2, 0, 0, 0])],
            ),
        ),
        c(
            "stun.rfc5780.attr-length",
            "change-request 8 bytes",
            X,
            req(&[(T::CHANGE_REQUEST, &[0; 8])]),
        ),
        c(
            "stun.rfc5780.attr-length",
            "change-request 4 bytes",
            P,
            req(&[(T::CHANGE_REQUEST, &[0, 0, 0, 6])]),
        ),
        c(
            "stun.rfc5780.change-request-binding-request",
            "in allocate",
            X,
            m(
                Class::Request,
                Method::ALLOCATE,
                &[(T::CHANGE_REQUEST, &[0, 0, 0, 6])],
            ),
        ),
        c(
            "stun.rfc5780.change-request-binding-request",
            "in binding",
            P,
            req(&[(T::CHANGE_REQUEST, &[0, 0, 0, 6])]),
        ),
    ]
}

/// Runs every case through the validator.
pub(super) fn run() -> Vec<CaseResult> {
    table()
        .into_iter()
        .map(|case| {
            let findings = match Message::new_checked(&case.bytes) {
                Ok(msg) => validate(&msg, &ValidationContext::with_keys(&case.keys)),
                Err(_) => Vec::new(),
            };
            CaseResult::judge(case.rule, case.name, case.expect, &findings)
        })
        .collect()
}
