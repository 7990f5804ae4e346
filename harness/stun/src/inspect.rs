//! The STUN [`Inspector`]: detection, a field tree, findings and the `integrity` /
//! `fingerprint` verdicts.

use std::borrow::Cow;

use harness_core::inspect::{Confidence, Field, FieldValue, InspectContext, Inspection, Inspector};

use crate::attr::Attribute;
use crate::attributes::RawAttribute;
use crate::enums::{AttrType, Method};
use crate::integrity::{Check, check_fingerprint, check_integrity};
use crate::message::{Generation, HEADER_LEN, MAGIC_COOKIE, Message, TransactionId};
use crate::rules::{ValidationContext, keys_for, validate};

/// The STUN inspector (see [`inspector`]).
#[derive(Clone, Copy, Debug, Default)]
pub struct StunInspector;

/// The STUN inspector, for `webrtc-harness inspect`.
#[must_use]
pub fn inspector() -> &'static dyn Inspector {
    static INSPECTOR: StunInspector = StunInspector;
    &INSPECTOR
}

/// The message types an RFC 3489 classic message can have (Binding and Shared Secret).
const CLASSIC_TYPES: [u16; 6] = [0x0001, 0x0101, 0x0111, 0x0002, 0x0102, 0x0112];

impl Inspector for StunInspector {
    fn protocol(&self) -> &'static str {
        "stun"
    }

    fn detect(&self, input: &[u8]) -> Confidence {
        let Ok(msg) = Message::new_checked(input) else {
            return Confidence::No;
        };
        if msg.top_bits() != 0 {
            return Confidence::No;
        }
        let len = usize::from(msg.length());
        let fits = HEADER_LEN.saturating_add(len) <= input.len();
        if msg.cookie() == MAGIC_COOKIE {
            return if fits || len.is_multiple_of(4) {
                Confidence::Certain
            } else {
                Confidence::Maybe
            };
        }
        let exact = HEADER_LEN.saturating_add(len) == input.len();
        if exact && len.is_multiple_of(4) && CLASSIC_TYPES.contains(&msg.raw_type()) {
            Confidence::Maybe
        } else {
            Confidence::No
        }
    }

    fn inspect(&self, input: &[u8], context: &InspectContext) -> Inspection {
        let mut out = Inspection::new("stun");
        let msg = match Message::new_checked(input) {
            Ok(m) => m,
            Err(e) => {
                out.error = Some(e.to_string());
                return out;
            }
        };
        out.parsed = true;
        let keys = keys_for(&msg, &context.credentials);
        out.findings = validate(&msg, &ValidationContext::with_keys(&keys));
        out.fields = vec![header_field(&msg), attributes_field(&msg)];
        let has_integrity = msg.find(AttrType::MESSAGE_INTEGRITY).is_some()
            || msg.find(AttrType::MESSAGE_INTEGRITY_SHA256).is_some();
        let integrity = if !has_integrity {
            "absent"
        } else if keys.is_empty() {
            "no-credentials"
        } else if keys.iter().any(|k| check_integrity(&msg, k) == Check::Ok) {
            "ok"
        } else {
            "fail"
        };
        let fingerprint = match check_fingerprint(&msg) {
            Check::Absent => "absent",
            Check::Ok => "ok",
            Check::Fail | Check::Malformed => "fail",
        };
        out.verdicts = vec![
            ("integrity", Cow::Borrowed(integrity)),
            ("fingerprint", Cow::Borrowed(fingerprint)),
        ];
        out
    }
}

fn header_field(msg: &Message<'_>) -> Field {
    let (class, method) = (msg.class(), msg.method());
    let generation = match msg.generation() {
        Generation::Modern => "rfc5389/rfc8489",
        Generation::Classic => "rfc3489 (no magic cookie)",
    };
    let type_name = format!("{} {}", method_name(method), class.name());
    let mut children = vec![
        Field::new("message_type", FieldValue::Hex(u64::from(msg.raw_type())))
            .at(0, 2)
            .with_children(vec![
                Field::text("class", class.name()),
                Field::text("method", method_name(method)),
                Field::text("name", type_name),
            ]),
        Field::uint("length", u64::from(msg.length())).at(2, 2),
    ];
    match msg.generation() {
        Generation::Modern => {
            children.push(
                Field::new("magic_cookie", FieldValue::Hex(u64::from(msg.cookie()))).at(4, 4),
            );
            children.push(
                Field::new(
                    "transaction_id",
                    FieldValue::Bytes(msg.transaction_id().0.to_vec()),
                )
                .at(8, 12),
            );
        }
        Generation::Classic => children.push(
            Field::new(
                "transaction_id",
                FieldValue::Bytes(msg.classic_transaction_id().to_vec()),
            )
            .at(4, 16),
        ),
    }
    children.push(Field::text("generation", generation));
    Field::group("header", children).at(0, HEADER_LEN)
}

fn method_name(method: Method) -> String {
    method
        .name()
        .map_or_else(|| format!("0x{:03x}", method.0), str::to_owned)
}

fn attributes_field(msg: &Message<'_>) -> Field {
    let txid = msg.transaction_id();
    let mut children = Vec::new();
    for item in msg.attributes() {
        match item {
            Ok(a) => children.push(attribute_field(&a, txid)),
            Err(e) => {
                children.push(Field::text("truncated", e.to_string()).at(e.offset, e.remaining))
            }
        }
    }
    let body = msg.body();
    Field::group("attributes", children).at(HEADER_LEN, body.len())
}

fn attribute_field(a: &RawAttribute<'_>, txid: TransactionId) -> Field {
    let mut children = vec![
        Field::new("type", FieldValue::Hex(u64::from(a.ty.0))).at(a.offset, 2),
        Field::uint("length", u64::from(a.declared_len)).at(a.offset.saturating_add(2), 2),
    ];
    if !a.ty.is_known() {
        let class = if a.ty.is_comprehension_required() {
            "comprehension-required"
        } else {
            "comprehension-optional"
        };
        children.push(Field::text("range", class));
    }
    let summary = match Attribute::decode(a, txid) {
        Ok(attr) => describe(&attr),
        Err(e) => format!("undecodable: {e}"),
    };
    children.push(
        Field::new("value", FieldValue::Bytes(a.value.to_vec()))
            .at(a.value_offset(), a.value.len()),
    );
    if !a.padding.is_empty() {
        let at = a.value_offset().saturating_add(a.value.len());
        children.push(
            Field::new("padding", FieldValue::Bytes(a.padding.to_vec())).at(at, a.padding.len()),
        );
    }
    Field::text(a.ty.field_name(), summary)
        .at(a.offset, a.wire_len())
        .with_children(children)
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// One line describing a decoded attribute.
#[must_use]
pub fn describe(attr: &Attribute<'_>) -> String {
    match attr {
        Attribute::MappedAddress(a)
        | Attribute::XorMappedAddress(a)
        | Attribute::AlternateServer(a)
        | Attribute::XorPeerAddress(a)
        | Attribute::XorRelayedAddress(a)
        | Attribute::ResponseOrigin(a)
        | Attribute::OtherAddress(a) => a.to_string(),
        Attribute::Username(s)
        | Attribute::Realm(s)
        | Attribute::Nonce(s)
        | Attribute::Software(s)
        | Attribute::AlternateDomain(s) => format!("{s:?}"),
        Attribute::Userhash(h) => hex(&h[..]),
        Attribute::MessageIntegrity(h) => hex(&h[..]),
        Attribute::MessageIntegritySha256(h) | Attribute::Data(h) | Attribute::Padding(h) => {
            format!("{} ({} bytes)", hex(h), h.len())
        }
        Attribute::Fingerprint(v) => format!("0x{v:08x}"),
        Attribute::ErrorCode(e) => format!("{} {:?}", e.code().0, e.reason),
        Attribute::PasswordAlgorithms(list) => list
            .iter()
            .map(|(a, _)| a.to_string())
            .collect::<Vec<_>>()
            .join(", "),
        Attribute::PasswordAlgorithm { algorithm, .. } => algorithm.to_string(),
        Attribute::UnknownAttributes(list) => list
            .iter()
            .map(|t| t.to_string())
            .collect::<Vec<_>>()
            .join(", "),
        Attribute::Priority(p) => p.to_string(),
        Attribute::UseCandidate => "set".into(),
        Attribute::DontFragment => "set".into(),
        Attribute::IceControlled(t) | Attribute::IceControlling(t) => {
            format!("tie-breaker 0x{t:016x}")
        }
        Attribute::ChannelNumber(c) => format!("0x{c:04x}"),
        Attribute::Lifetime(s) => format!("{s} s"),
        Attribute::RequestedAddressFamily(f) | Attribute::AdditionalAddressFamily(f) => {
            format!("0x{f:02x}")
        }
        Attribute::EvenPort(r) => format!("reserve next: {r}"),
        Attribute::RequestedTransport(p) => format!("protocol {p}"),
        Attribute::ReservationToken(t) => hex(&t[..]),
        Attribute::AddressErrorCode { family, error } => {
            format!(
                "family 0x{family:02x}: {} {:?}",
                error.code().0,
                error.reason
            )
        }
        Attribute::Icmp {
            icmp_type,
            icmp_code,
            error_data,
        } => format!("type {icmp_type} code {icmp_code} data 0x{error_data:08x}"),
        Attribute::ChangeRequest {
            change_ip,
            change_port,
        } => format!("change ip: {change_ip}, change port: {change_port}"),
        Attribute::ResponsePort(p) => p.to_string(),
        Attribute::Unknown(t, v) => format!("{t}: {}", hex(v)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_vectors::*;
    use harness_core::credentials::Credential;

    #[test]
    fn detects_modern_and_classic_messages() {
        let i = inspector();
        assert_eq!(i.detect(RFC5769_REQUEST), Confidence::Certain);
        let mut classic = RFC5769_REQUEST.to_vec();
        classic[4] = 0x99;
        assert_eq!(i.detect(&classic), Confidence::Maybe);
        assert_eq!(
            i.detect(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
            Confidence::No
        );
        assert_eq!(i.detect(&[0x16, 0xfe, 0xfd]), Confidence::No);
    }

    #[test]
    fn inspects_the_rfc5769_request_with_credentials() {
        let ctx = InspectContext {
            credentials: vec![Credential::short_term("evtj:h6vY", RFC5769_PASSWORD)],
            ..InspectContext::default()
        };
        let r = inspector().inspect(RFC5769_REQUEST, &ctx);
        assert!(r.parsed);
        assert_eq!(r.verdict("integrity"), Some("ok"));
        assert_eq!(r.verdict("fingerprint"), Some("ok"));
        let attrs = &r.fields[1];
        assert_eq!(attrs.children.len(), 6);
        assert_eq!(attrs.children[0].name, "software");
        let none = inspector().inspect(RFC5769_REQUEST, &InspectContext::default());
        assert_eq!(none.verdict("integrity"), Some("no-credentials"));
    }

    #[test]
    fn reports_a_short_input_as_unparsed() {
        let r = inspector().inspect(&[0, 1, 0], &InspectContext::default());
        assert!(!r.parsed);
        assert!(r.error.is_some());
    }
}
