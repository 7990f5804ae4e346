//! The checks behind [`super::validate`], one function per group of rules.

use harness_core::rules::{Finding, Location, Rule};

use super::ValidationContext;
use super::catalogue::*;
use crate::attr::{AlgorithmList, FAMILY_IPV4, FAMILY_IPV6};
use crate::attributes::RawAttribute;
use crate::enums::{AttrType, Class, Method};
use crate::integrity::{
    Check, check_fingerprint, check_message_integrity, check_message_integrity_sha256,
};
use crate::message::{HEADER_LEN, MAGIC_COOKIE, Message, be16};

fn at(rule: &'static Rule, a: &RawAttribute<'_>, message: String) -> Finding {
    Finding::new(rule, Location::bytes(a.offset, a.wire_len()), message)
}

fn whole(rule: &'static Rule, message: String) -> Finding {
    Finding::new(rule, Location::bytes(0, HEADER_LEN), message)
}

pub(super) fn header(msg: &Message<'_>, ctx: &ValidationContext<'_>, out: &mut Vec<Finding>) {
    if msg.top_bits() != 0 {
        out.push(Finding::new(
            &HEADER_TOP_BITS,
            Location::bytes(0, 1),
            format!("top bits are {:02b}", msg.top_bits()),
        ));
    }
    if msg.cookie() != MAGIC_COOKIE {
        out.push(Finding::new(
            &HEADER_MAGIC_COOKIE,
            Location::bytes(4, 4),
            format!(
                "cookie 0x{:08x}: an RFC 3489 classic message or not STUN",
                msg.cookie()
            ),
        ));
    }
    let length = usize::from(msg.length());
    if !length.is_multiple_of(4) {
        out.push(Finding::new(
            &HEADER_LENGTH_MULTIPLE_OF_4,
            Location::bytes(2, 2),
            format!("length {length} is not a multiple of 4"),
        ));
    }
    let datagram = ctx.datagram_len.unwrap_or(msg.as_bytes().len());
    let actual = datagram.saturating_sub(HEADER_LEN);
    if length != actual {
        out.push(Finding::new(
            &HEADER_LENGTH_MATCHES_DATAGRAM,
            Location::bytes(2, 2),
            format!("length {length}, but {actual} bytes follow the header"),
        ));
    }
}

pub(super) fn attribute_framing<'a>(
    msg: &Message<'a>,
    out: &mut Vec<Finding>,
) -> Vec<RawAttribute<'a>> {
    let mut attrs = Vec::new();
    for item in msg.attributes() {
        let a = match item {
            Ok(a) => a,
            Err(e) => {
                out.push(Finding::new(
                    &ATTR_HEADER_TRUNCATED,
                    Location::bytes(e.offset, e.remaining),
                    e.to_string(),
                ));
                continue;
            }
        };
        if !a.is_complete() {
            out.push(at(
                &ATTR_OVERRUN,
                &a,
                format!(
                    "{} declares {} bytes, {} remain",
                    a.ty,
                    a.declared_len,
                    a.value.len()
                ),
            ));
        } else if !a.has_full_padding() {
            out.push(at(
                &ATTR_BOUNDARY,
                &a,
                format!(
                    "{} lacks {} padding byte(s)",
                    a.ty,
                    a.expected_padding().saturating_sub(a.padding.len())
                ),
            ));
        }
        if a.padding.iter().any(|&b| b != 0) {
            out.push(at(
                &ATTR_PADDING_ZERO,
                &a,
                format!("{} padded with {:02x?}", a.ty, a.padding),
            ));
        }
        attrs.push(a);
    }
    attrs
}

pub(super) fn class_and_method(msg: &Message<'_>, out: &mut Vec<Finding>) {
    let (class, method) = (msg.class(), msg.method());
    if method.name().is_none() {
        out.push(whole(
            &METHOD_KNOWN,
            format!("method {method} is not registered"),
        ));
    }
    let indication_only = matches!(method, Method::SEND | Method::DATA);
    let no_indication = matches!(
        method,
        Method::ALLOCATE | Method::REFRESH | Method::CREATE_PERMISSION | Method::CHANNEL_BIND
    );
    if indication_only && class != Class::Indication {
        out.push(whole(
            &TURN_INDICATION_ONLY,
            format!("{method} {class}: only indications are defined"),
        ));
    }
    if no_indication && class == Class::Indication {
        out.push(whole(
            &TURN_NO_INDICATION,
            format!("{method} indication: only requests and responses are defined"),
        ));
    }
}

/// Text attributes: UTF-8 and a limit in characters.
fn text_value(a: &RawAttribute<'_>, limit_rule: Option<&'static Rule>, out: &mut Vec<Finding>) {
    match core::str::from_utf8(a.value) {
        Err(e) => out.push(at(
            &TEXT_UTF8,
            a,
            format!("{} is not UTF-8 at byte {}", a.ty, e.valid_up_to()),
        )),
        Ok(s) => {
            if let Some(rule) = limit_rule {
                let chars = s.chars().count();
                if chars >= 128 {
                    out.push(at(rule, a, format!("{} has {chars} characters", a.ty)));
                }
            }
        }
    }
}

fn address_value(a: &RawAttribute<'_>, out: &mut Vec<Finding>) {
    let v = a.value;
    if v.first().is_some_and(|&b| b != 0) {
        out.push(at(
            &ADDRESS_FIRST_BYTE_ZERO,
            a,
            format!(
                "{} first byte is 0x{:02x}",
                a.ty,
                v.first().copied().unwrap_or(0)
            ),
        ));
    }
    match v.get(1).copied() {
        Some(FAMILY_IPV4) if v.len() != 8 => out.push(at(
            &ADDRESS_LENGTH,
            a,
            format!("{} IPv4 with a {}-byte value", a.ty, v.len()),
        )),
        Some(FAMILY_IPV6) if v.len() != 20 => out.push(at(
            &ADDRESS_LENGTH,
            a,
            format!("{} IPv6 with a {}-byte value", a.ty, v.len()),
        )),
        Some(FAMILY_IPV4 | FAMILY_IPV6) => {}
        Some(f) => out.push(at(&ADDRESS_FAMILY, a, format!("{} family 0x{f:02x}", a.ty))),
        None => out.push(at(
            &ADDRESS_LENGTH,
            a,
            format!("{} with a {}-byte value", a.ty, v.len()),
        )),
    }
}

fn fixed_len(
    a: &RawAttribute<'_>,
    rule: &'static Rule,
    len: usize,
    out: &mut Vec<Finding>,
) -> bool {
    if a.value.len() == len {
        true
    } else {
        out.push(at(
            rule,
            a,
            format!("{} is {} bytes, expected {len}", a.ty, a.value.len()),
        ));
        false
    }
}

fn error_code_value(a: &RawAttribute<'_>, out: &mut Vec<Finding>) {
    let v = a.value;
    if v.len() < 4 {
        out.push(at(
            &ERROR_CODE_LENGTH,
            a,
            format!("ERROR-CODE is {} bytes", v.len()),
        ));
        return;
    }
    let reserved = u32::from(be16(v, 0)) << 5 | u32::from(v.get(2).copied().unwrap_or(0) >> 3);
    let class = v.get(2).map_or(0, |b| b & 0x07);
    let number = v.get(3).copied().unwrap_or(0);
    if reserved != 0 {
        out.push(at(
            &ERROR_CODE_RESERVED_ZERO,
            a,
            format!("reserved bits 0x{reserved:x}"),
        ));
    }
    if !(3..=6).contains(&class) {
        out.push(at(&ERROR_CODE_CLASS_RANGE, a, format!("class {class}")));
    }
    if number > 99 {
        out.push(at(&ERROR_CODE_NUMBER_RANGE, a, format!("number {number}")));
    }
    let reason = RawAttribute {
        value: v.get(4..).unwrap_or(&[]),
        ..*a
    };
    text_value(&reason, Some(&ERROR_CODE_REASON_LENGTH), out);
}

#[allow(
    clippy::collapsible_match,
    reason = "one arm per attribute type reads as a table; guards would fall through to the catch-all arm"
)]
pub(super) fn attribute_values(
    msg: &Message<'_>,
    attrs: &[RawAttribute<'_>],
    out: &mut Vec<Finding>,
) {
    let mut seen: Vec<AttrType> = Vec::with_capacity(attrs.len());
    for a in attrs.iter().filter(|a| a.is_complete()) {
        if seen.contains(&a.ty) && !matches!(a.ty, AttrType::XOR_PEER_ADDRESS) {
            out.push(at(&ATTR_DUPLICATE, a, format!("second {}", a.ty)));
        }
        seen.push(a.ty);
        match a.ty {
            AttrType::MAPPED_ADDRESS
            | AttrType::XOR_MAPPED_ADDRESS
            | AttrType::ALTERNATE_SERVER
            | AttrType::XOR_PEER_ADDRESS
            | AttrType::XOR_RELAYED_ADDRESS
            | AttrType::RESPONSE_ORIGIN
            | AttrType::OTHER_ADDRESS => address_value(a, out),
            AttrType::USERNAME => {
                text_value(a, None, out);
                if a.value.len() >= 509 {
                    out.push(at(&USERNAME_LENGTH, a, format!("{} bytes", a.value.len())));
                }
                if a.value.len() >= 513 {
                    out.push(at(
                        &USERNAME_LENGTH_RFC5389,
                        a,
                        format!("{} bytes", a.value.len()),
                    ));
                }
            }
            AttrType::REALM => text_value(a, Some(&REALM_LENGTH), out),
            AttrType::NONCE => text_value(a, Some(&NONCE_LENGTH), out),
            AttrType::SOFTWARE => text_value(a, Some(&SOFTWARE_LENGTH), out),
            AttrType::ALTERNATE_DOMAIN => {
                if a.value.len() > 255 || !a.value.is_ascii() {
                    out.push(at(
                        &ALTERNATE_DOMAIN_LENGTH,
                        a,
                        format!("{} bytes, ASCII: {}", a.value.len(), a.value.is_ascii()),
                    ));
                }
            }
            AttrType::USERHASH => {
                fixed_len(a, &USERHASH_LENGTH, 32, out);
            }
            AttrType::MESSAGE_INTEGRITY => {
                fixed_len(a, &MESSAGE_INTEGRITY_LENGTH, 20, out);
            }
            AttrType::MESSAGE_INTEGRITY_SHA256 => {
                let n = a.value.len();
                if !(16..=32).contains(&n) || !n.is_multiple_of(4) {
                    out.push(at(
                        &MESSAGE_INTEGRITY_SHA256_LENGTH,
                        a,
                        format!("{n} bytes"),
                    ));
                } else if n < 32 {
                    out.push(at(
                        &MESSAGE_INTEGRITY_SHA256_TRUNCATED,
                        a,
                        format!("truncated to {n} bytes"),
                    ));
                }
            }
            AttrType::FINGERPRINT => {
                fixed_len(a, &FINGERPRINT_LENGTH, 4, out);
            }
            AttrType::ERROR_CODE => error_code_value(a, out),
            AttrType::UNKNOWN_ATTRIBUTES => {
                if !a.value.len().is_multiple_of(2) {
                    out.push(at(
                        &UNKNOWN_ATTRIBUTES_EVEN_LENGTH,
                        a,
                        format!("{} bytes", a.value.len()),
                    ));
                }
            }
            AttrType::PASSWORD_ALGORITHM => {
                let v = a.value;
                let params = usize::from(be16(v, 2));
                let expected = 4usize.saturating_add(crate::attributes::padded_len(params));
                if v.len() < 4 || v.len() != expected {
                    out.push(at(
                        &PASSWORD_ALGORITHM_WELL_FORMED,
                        a,
                        format!("{} bytes for {params} bytes of parameters", v.len()),
                    ));
                }
            }
            AttrType::PASSWORD_ALGORITHMS => {
                if a.value.is_empty() || !AlgorithmList(a.value).is_well_formed() {
                    out.push(at(
                        &PASSWORD_ALGORITHMS_WELL_FORMED,
                        a,
                        format!("{} bytes do not tile into algorithm records", a.value.len()),
                    ));
                }
            }
            AttrType::PRIORITY => {
                fixed_len(a, &ICE_ATTR_LENGTH, 4, out);
            }
            AttrType::USE_CANDIDATE => {
                fixed_len(a, &ICE_ATTR_LENGTH, 0, out);
            }
            AttrType::ICE_CONTROLLED | AttrType::ICE_CONTROLLING => {
                fixed_len(a, &ICE_ATTR_LENGTH, 8, out);
            }
            AttrType::CHANNEL_NUMBER => {
                if fixed_len(a, &TURN_ATTR_LENGTH, 4, out) {
                    let ch = be16(a.value, 0);
                    if !(0x4000..=0x4FFF).contains(&ch) {
                        out.push(at(
                            &TURN_CHANNEL_NUMBER_RANGE,
                            a,
                            format!("channel 0x{ch:04x}"),
                        ));
                    }
                    if be16(a.value, 2) != 0 {
                        out.push(at(
                            &TURN_RFFU_ZERO,
                            a,
                            "CHANNEL-NUMBER RFFU not zero".into(),
                        ));
                    }
                }
            }
            AttrType::REQUESTED_TRANSPORT => {
                if fixed_len(a, &TURN_ATTR_LENGTH, 4, out)
                    && a.value.get(1..4).is_some_and(|r| r != [0, 0, 0])
                {
                    out.push(at(
                        &TURN_RFFU_ZERO,
                        a,
                        "REQUESTED-TRANSPORT RFFU not zero".into(),
                    ));
                }
            }
            AttrType::REQUESTED_ADDRESS_FAMILY | AttrType::ADDITIONAL_ADDRESS_FAMILY => {
                if fixed_len(a, &TURN_ATTR_LENGTH, 4, out) {
                    let f = a.value.first().copied().unwrap_or(0);
                    let ok = if a.ty == AttrType::ADDITIONAL_ADDRESS_FAMILY {
                        f == FAMILY_IPV6
                    } else {
                        f == FAMILY_IPV4 || f == FAMILY_IPV6
                    };
                    if !ok {
                        out.push(at(&TURN_FAMILY_VALUE, a, format!("{} 0x{f:02x}", a.ty)));
                    }
                }
            }
            AttrType::LIFETIME => {
                fixed_len(a, &TURN_ATTR_LENGTH, 4, out);
            }
            AttrType::EVEN_PORT => {
                fixed_len(a, &TURN_ATTR_LENGTH, 1, out);
            }
            AttrType::DONT_FRAGMENT => {
                fixed_len(a, &TURN_ATTR_LENGTH, 0, out);
            }
            AttrType::RESERVATION_TOKEN | AttrType::ICMP => {
                fixed_len(a, &TURN_ATTR_LENGTH, 8, out);
            }
            AttrType::ADDRESS_ERROR_CODE => {
                if a.value.len() < 4 {
                    out.push(at(
                        &TURN_ATTR_LENGTH,
                        a,
                        format!("ADDRESS-ERROR-CODE is {} bytes", a.value.len()),
                    ));
                }
            }
            AttrType::CHANGE_REQUEST | AttrType::RESPONSE_PORT => {
                fixed_len(a, &RFC5780_ATTR_LENGTH, 4, out);
            }
            ty if !ty.is_known() && ty.is_comprehension_required() => {
                out.push(at(
                    &ATTR_UNKNOWN_COMPREHENSION_REQUIRED,
                    a,
                    format!("unknown comprehension-required attribute {ty}"),
                ));
            }
            _ => {}
        }
    }
    let _ = msg;
}

pub(super) fn ordering(attrs: &[RawAttribute<'_>], out: &mut Vec<Finding>) {
    let has_mi = attrs.iter().any(|a| a.ty == AttrType::MESSAGE_INTEGRITY);
    let mut after_mi = false;
    let mut after_mi256 = false;
    let mut fingerprint: Option<&RawAttribute<'_>> = None;
    for a in attrs {
        if let Some(fp) = fingerprint {
            out.push(at(
                &FINGERPRINT_LAST,
                fp,
                format!("{} follows FINGERPRINT", a.ty),
            ));
            fingerprint = None;
        }
        let allowed_after_mi = matches!(
            a.ty,
            AttrType::MESSAGE_INTEGRITY_SHA256 | AttrType::FINGERPRINT
        );
        if after_mi && !allowed_after_mi {
            out.push(at(
                &MESSAGE_INTEGRITY_FOLLOWERS,
                a,
                format!("{} follows MESSAGE-INTEGRITY and is ignored", a.ty),
            ));
        } else if after_mi256 && !has_mi && a.ty != AttrType::FINGERPRINT {
            out.push(at(
                &MESSAGE_INTEGRITY_SHA256_FOLLOWERS,
                a,
                format!("{} follows MESSAGE-INTEGRITY-SHA256 and is ignored", a.ty),
            ));
        }
        match a.ty {
            AttrType::MESSAGE_INTEGRITY => after_mi = true,
            AttrType::MESSAGE_INTEGRITY_SHA256 => after_mi256 = true,
            AttrType::FINGERPRINT => fingerprint = Some(a),
            _ => {}
        }
    }
}

pub(super) fn presence(msg: &Message<'_>, attrs: &[RawAttribute<'_>], out: &mut Vec<Finding>) {
    let find = |ty: AttrType| attrs.iter().find(|a| a.ty == ty && a.is_complete());
    let has = |ty: AttrType| find(ty).is_some();
    let (class, method) = (msg.class(), msg.method());
    let error_code = find(AttrType::ERROR_CODE);
    if class == Class::Error && error_code.is_none() {
        out.push(whole(
            &ERROR_RESPONSE_HAS_ERROR_CODE,
            format!("{method} error response without ERROR-CODE"),
        ));
    }
    if let Some(ec) = error_code
        && class != Class::Error
    {
        out.push(at(
            &ERROR_CODE_ONLY_IN_ERROR_RESPONSE,
            ec,
            format!("ERROR-CODE in a {class}"),
        ));
    }
    let code = error_code.map(|ec| {
        u16::from(ec.value.get(2).map_or(0, |b| b & 7))
            .saturating_mul(100)
            .saturating_add(u16::from(ec.value.get(3).copied().unwrap_or(0)))
    });
    let is_420 = class == Class::Error && code == Some(420);
    if is_420 && !has(AttrType::UNKNOWN_ATTRIBUTES) {
        out.push(whole(
            &ERROR_420_HAS_UNKNOWN_ATTRIBUTES,
            "420 without UNKNOWN-ATTRIBUTES".into(),
        ));
    }
    if let Some(ua) = find(AttrType::UNKNOWN_ATTRIBUTES)
        && !is_420
    {
        out.push(at(
            &UNKNOWN_ATTRIBUTES_ONLY_IN_420,
            ua,
            format!("UNKNOWN-ATTRIBUTES in a {method} {class}"),
        ));
    }
    if method == Method::BINDING && class == Class::Success && !has(AttrType::XOR_MAPPED_ADDRESS) {
        out.push(whole(
            &BINDING_SUCCESS_XOR_MAPPED,
            "Binding success response without XOR-MAPPED-ADDRESS".into(),
        ));
    }
    let has_integrity = has(AttrType::MESSAGE_INTEGRITY) || has(AttrType::MESSAGE_INTEGRITY_SHA256);
    if has_integrity
        && matches!(class, Class::Request | Class::Indication)
        && !has(AttrType::USERNAME)
        && !has(AttrType::USERHASH)
    {
        out.push(whole(
            &INTEGRITY_NEEDS_USERNAME,
            format!("{method} {class} with message integrity but no USERNAME or USERHASH"),
        ));
    }
    if has_integrity && class == Class::Request && has(AttrType::REALM) && !has(AttrType::NONCE) {
        out.push(whole(
            &LONG_TERM_REALM_NONCE,
            "long-term request with REALM but no NONCE".into(),
        ));
    }
    if let Some(pa) = find(AttrType::PASSWORD_ALGORITHM)
        && class != Class::Request
    {
        out.push(at(
            &PASSWORD_ALGORITHM_ONLY_IN_REQUESTS,
            pa,
            format!("PASSWORD-ALGORITHM in a {class}"),
        ));
    }
    if let Some(cr) = find(AttrType::CHANGE_REQUEST)
        && !(method == Method::BINDING && class == Class::Request)
    {
        out.push(at(
            &RFC5780_CHANGE_REQUEST_IN_BINDING_REQUEST,
            cr,
            format!("CHANGE-REQUEST in a {method} {class}"),
        ));
    }
    let controlled = find(AttrType::ICE_CONTROLLED);
    let controlling = find(AttrType::ICE_CONTROLLING);
    if method == Method::BINDING && class == Class::Request {
        if (controlled.is_some() || controlling.is_some()) && !has(AttrType::PRIORITY) {
            out.push(whole(
                &ICE_PRIORITY_PRESENT,
                "ICE check without PRIORITY".into(),
            ));
        }
        if let (Some(_), Some(b)) = (controlled, controlling) {
            out.push(at(
                &ICE_ONE_ROLE,
                b,
                "both ICE-CONTROLLED and ICE-CONTROLLING".into(),
            ));
        }
        if let (Some(_), Some(uc)) = (controlled, find(AttrType::USE_CANDIDATE)) {
            out.push(at(
                &ICE_USE_CANDIDATE_CONTROLLED,
                uc,
                "USE-CANDIDATE from the controlled agent".into(),
            ));
        }
    }
}

pub(super) fn integrity(msg: &Message<'_>, ctx: &ValidationContext<'_>, out: &mut Vec<Finding>) {
    if check_fingerprint(msg) == Check::Fail
        && let Some(fp) = msg.find(AttrType::FINGERPRINT)
    {
        out.push(at(
            &FINGERPRINT_MISMATCH,
            &fp,
            format!(
                "FINGERPRINT 0x{:08x}, computed 0x{:08x}",
                crate::message::be32(fp.value, 0),
                crate::integrity::compute_fingerprint(msg.as_bytes(), fp.offset)
            ),
        ));
    }
    if ctx.keys.is_empty() {
        return;
    }
    type CheckFn = fn(&Message<'_>, &crate::keys::Key) -> Check;
    let checks: [(AttrType, &'static Rule, CheckFn); 2] = [
        (
            AttrType::MESSAGE_INTEGRITY,
            &MESSAGE_INTEGRITY_MISMATCH,
            check_message_integrity,
        ),
        (
            AttrType::MESSAGE_INTEGRITY_SHA256,
            &MESSAGE_INTEGRITY_SHA256_MISMATCH,
            check_message_integrity_sha256,
        ),
    ];
    for (ty, rule, check) in checks {
        let results = ctx.keys.iter().map(|k| check(msg, k));
        let mut any_fail = false;
        let mut any_ok = false;
        for r in results {
            any_ok |= r == Check::Ok;
            any_fail |= r == Check::Fail;
        }
        if any_fail
            && !any_ok
            && let Some(a) = msg.find(ty)
        {
            out.push(at(
                rule,
                &a,
                format!("{ty} does not match under any of {} key(s)", ctx.keys.len()),
            ));
        }
    }
}
