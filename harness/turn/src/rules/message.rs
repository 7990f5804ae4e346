//! Rules on one message as sent.

use harness_core::endpoint::Transport;
use harness_core::rules::{Finding, Location, Rule};

use super::*;
use crate::channeldata::{self, CHANNEL_MAX, CHANNEL_MIN};
use crate::stun::{Class, Message, RawAttr, attr, decode_xor_address, method};

fn at(a: &RawAttr<'_>) -> Location {
    Location::bytes(a.offset, a.value.len().saturating_add(4))
}

fn finding(rule: &'static Rule, loc: Location, msg: &'static str) -> Finding {
    Finding::new(rule, loc, msg)
}

/// Judges one TURN message (STUN or ChannelData) as sent over `transport`. Bytes that are
/// neither yield no findings (the STUN inspector reports them).
#[must_use]
pub fn check_message(bytes: &[u8], transport: Transport) -> Vec<Finding> {
    let mut out = Vec::new();
    if channeldata::is_channel_data(bytes) {
        check_channel_data(bytes, transport, &mut out);
    } else if let Ok(m) = Message::parse(bytes) {
        check_stun(&m, &mut out);
    }
    out
}

fn check_channel_data(bytes: &[u8], transport: Transport, out: &mut Vec<Finding>) {
    let number = match bytes {
        [a, b, ..] => u16::from_be_bytes([*a, *b]),
        _ => return,
    };
    if !(CHANNEL_MIN..=CHANNEL_MAX).contains(&number) {
        out.push(finding(
            &CHANNELDATA_NUMBER_RANGE,
            Location::bytes(0, 2),
            "channel number outside 0x4000-0x4FFF",
        ));
    }
    let len = match bytes {
        [_, _, a, b, ..] => usize::from(u16::from_be_bytes([*a, *b])),
        _ => {
            out.push(finding(
                &CHANNELDATA_LENGTH,
                Location::bytes(0, bytes.len()),
                "shorter than the 4-byte header",
            ));
            return;
        }
    };
    let present = bytes.len().saturating_sub(4);
    if len > present {
        out.push(finding(
            &CHANNELDATA_LENGTH,
            Location::bytes(2, 2),
            "length field exceeds the data present",
        ));
    } else if transport == Transport::Tcp
        && present < channeldata::padded_len(len).saturating_sub(4)
    {
        out.push(finding(
            &CHANNELDATA_PADDING,
            Location::bytes(4, present),
            "ChannelData over TCP not padded to 4 bytes",
        ));
    }
}

fn check_stun(m: &Message<'_>, out: &mut Vec<Finding>) {
    let method = m.method();
    let turn_method = matches!(
        method,
        method::ALLOCATE
            | method::REFRESH
            | method::SEND
            | method::DATA
            | method::CREATE_PERMISSION
            | method::CHANNEL_BIND
    );
    if !turn_method {
        return;
    }
    for a in m.effective() {
        check_attribute(m, a, out);
    }
    let class = m.class();
    if matches!(method, method::SEND | method::DATA) && class != Class::Indication {
        out.push(finding(
            &INDICATION_ONLY,
            Location::bytes(0, 2),
            "Send/Data used as a request or response",
        ));
    }
    if class == Class::Indication
        && m.attributes()
            .iter()
            .any(|a| a.typ == attr::MESSAGE_INTEGRITY)
    {
        out.push(finding(
            &INDICATION_NO_INTEGRITY,
            Location::whole(),
            "indication carries MESSAGE-INTEGRITY",
        ));
    }
    if class == Class::Request
        && m.has(attr::MESSAGE_INTEGRITY)
        && !(m.has(attr::USERNAME) && m.has(attr::REALM) && m.has(attr::NONCE))
    {
        out.push(finding(
            &LONG_TERM_ATTRS,
            Location::whole(),
            "MESSAGE-INTEGRITY without USERNAME, REALM and NONCE",
        ));
    }
    match (method, class) {
        (method::ALLOCATE, Class::Request) => {
            if !m.has(attr::REQUESTED_TRANSPORT) {
                out.push(finding(
                    &ALLOCATE_TRANSPORT,
                    Location::whole(),
                    "Allocate without REQUESTED-TRANSPORT",
                ));
            }
            if m.has(attr::RESERVATION_TOKEN) && m.has(attr::EVEN_PORT) {
                out.push(finding(
                    &ALLOCATE_TOKEN_NO_EVEN,
                    Location::whole(),
                    "RESERVATION-TOKEN together with EVEN-PORT",
                ));
            }
            if m.has(attr::REQUESTED_ADDRESS_FAMILY) && m.has(attr::ADDITIONAL_ADDRESS_FAMILY) {
                out.push(finding(
                    &ALLOCATE_ONE_FAMILY_ATTR,
                    Location::whole(),
                    "both address-family attributes",
                ));
            }
        }
        (method::CREATE_PERMISSION, Class::Request) if !m.has(attr::XOR_PEER_ADDRESS) => {
            out.push(finding(
                &PERMISSION_HAS_PEER,
                Location::whole(),
                "CreatePermission without XOR-PEER-ADDRESS",
            ));
        }
        (method::CHANNEL_BIND, Class::Request)
            if !(m.has(attr::CHANNEL_NUMBER) && m.has(attr::XOR_PEER_ADDRESS)) =>
        {
            out.push(finding(
                &CHANNEL_BIND_ATTRS,
                Location::whole(),
                "ChannelBind without CHANNEL-NUMBER or XOR-PEER-ADDRESS",
            ));
        }
        (method::SEND, Class::Indication)
            if !(m.has(attr::XOR_PEER_ADDRESS) && m.has(attr::DATA)) =>
        {
            out.push(finding(
                &SEND_ATTRS,
                Location::whole(),
                "Send indication without XOR-PEER-ADDRESS or DATA",
            ));
        }
        (method::DATA, Class::Indication)
            if !(m.has(attr::XOR_PEER_ADDRESS) && m.has(attr::DATA)) =>
        {
            out.push(finding(
                &DATA_ATTRS,
                Location::whole(),
                "Data indication without XOR-PEER-ADDRESS or DATA",
            ));
        }
        _ => {}
    }
}

fn check_attribute(m: &Message<'_>, a: &RawAttr<'_>, out: &mut Vec<Finding>) {
    let v = a.value;
    match a.typ {
        attr::CHANNEL_NUMBER => match v {
            [h, l, 0, 0] => {
                let n = u16::from_be_bytes([*h, *l]);
                if !(CHANNEL_MIN..=CHANNEL_MAX).contains(&n) {
                    out.push(finding(
                        &CHANNELDATA_NUMBER_RANGE,
                        at(a),
                        "CHANNEL-NUMBER outside 0x4000-0x4FFF",
                    ));
                }
            }
            _ => out.push(finding(
                &CHANNEL_NUMBER_FORMAT,
                at(a),
                "CHANNEL-NUMBER not 4 bytes with zero RFFU",
            )),
        },
        attr::LIFETIME if v.len() != 4 => {
            out.push(finding(&LIFETIME_FORMAT, at(a), "LIFETIME not 4 bytes"))
        }
        attr::REQUESTED_ADDRESS_FAMILY if !matches!(v, [1 | 2, 0, 0, 0]) => {
            out.push(finding(
                &RAF_FORMAT,
                at(a),
                "REQUESTED-ADDRESS-FAMILY malformed",
            ));
        }
        attr::EVEN_PORT if v.len() != 1 => {
            out.push(finding(&EVEN_PORT_FORMAT, at(a), "EVEN-PORT not 1 byte"))
        }
        attr::REQUESTED_TRANSPORT if !matches!(v, [_, 0, 0, 0]) => {
            out.push(finding(
                &REQUESTED_TRANSPORT_FORMAT,
                at(a),
                "REQUESTED-TRANSPORT not 4 bytes with zero RFFU",
            ));
        }
        attr::DONT_FRAGMENT if !v.is_empty() => {
            out.push(finding(
                &DONT_FRAGMENT_FORMAT,
                at(a),
                "DONT-FRAGMENT has a value",
            ));
        }
        attr::RESERVATION_TOKEN if v.len() != 8 => {
            out.push(finding(
                &RESERVATION_TOKEN_FORMAT,
                at(a),
                "RESERVATION-TOKEN not 8 bytes",
            ));
        }
        attr::ADDITIONAL_ADDRESS_FAMILY if v.len() != 4 => {
            out.push(finding(
                &AAF_FORMAT,
                at(a),
                "ADDITIONAL-ADDRESS-FAMILY not 4 bytes",
            ));
        }
        attr::XOR_PEER_ADDRESS if decode_xor_address(v, &m.transaction_id()).is_err() => {
            out.push(finding(
                &PEER_ADDRESS_FORMAT,
                at(a),
                "XOR-PEER-ADDRESS malformed",
            ));
        }
        _ => {}
    }
}
