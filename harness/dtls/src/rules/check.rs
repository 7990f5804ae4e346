//! Per-datagram and per-message validators.

use std::collections::HashSet;

use harness_core::rules::{Finding, Location};

use super::hello::{check_client_hello, check_server_hello};
use super::{
    ALERT_ALWAYS_FATAL, ALERT_DESCRIPTION, ALERT_LEVEL, ALERT_ONE_PER_RECORD, CCS_VALUE,
    DTLS10_COOKIE_LENGTH, DTLS13_ACK_FORMAT, DTLS13_ACK_ORDER, DTLS13_RECORD_CIPHERTEXT_LENGTH,
    DTLS13_RECORD_LEGACY_VERSION, DTLS13_RECORD_MIN_CIPHERTEXT, DTLS13_RECORD_SINGLE_ASSOCIATION,
    HANDSHAKE_EMPTY_FRAGMENT, HANDSHAKE_FRAGMENT_BOUNDS, HANDSHAKE_MESSAGE_SEQ_INCREMENT,
    HANDSHAKE_NO_OVERLAP, HELLO_VERIFY_REQUEST_VERSION, RECORD_APPLICATION_DATA_EPOCH0,
    RECORD_CIPHERTEXT_LENGTH, RECORD_CONTENT_TYPE, RECORD_PLAINTEXT_LENGTH, RECORD_SEQUENCE_UNIQUE,
    RECORD_VERSION, SERVER_HELLO_DONE_EMPTY,
};
use crate::codes::{AlertDescription, AlertLevel, ContentType, HandshakeType, ProtocolVersion};
use crate::datagram::{Content, Dissection, RecordView};
use crate::error::RecordError;
use crate::handshake::HANDSHAKE_HEADER_LEN;
use crate::messages::{HandshakeBody, HelloVerifyRequest};
use crate::record::{MAX_CIPHERTEXT_LEN, MAX_DTLS13_CIPHERTEXT_LEN, MAX_PLAINTEXT_LEN, Record};

/// Descriptions RFC 5246 §7.2.2 calls "always fatal" (or "a fatal error").
const ALWAYS_FATAL: [AlertDescription; 14] = [
    AlertDescription::UNEXPECTED_MESSAGE,
    AlertDescription::BAD_RECORD_MAC,
    AlertDescription::RECORD_OVERFLOW,
    AlertDescription::DECOMPRESSION_FAILURE,
    AlertDescription::HANDSHAKE_FAILURE,
    AlertDescription::ILLEGAL_PARAMETER,
    AlertDescription::UNKNOWN_CA,
    AlertDescription::ACCESS_DENIED,
    AlertDescription::DECODE_ERROR,
    AlertDescription::DECRYPT_ERROR,
    AlertDescription::PROTOCOL_VERSION,
    AlertDescription::INSUFFICIENT_SECURITY,
    AlertDescription::INTERNAL_ERROR,
    AlertDescription::UNSUPPORTED_EXTENSION,
];

/// Offset in the datagram of the body of the handshake fragment at `fragment_offset` in `rv`.
pub(crate) fn body_offset(rv: &RecordView<'_>, fragment_offset: usize) -> usize {
    let header = match &rv.record {
        Record::Plaintext(p) => p.header.len(),
        Record::Unified(u) => u.header.len(),
    };
    rv.record
        .offset()
        .saturating_add(header)
        .saturating_add(fragment_offset)
        .saturating_add(HANDSHAKE_HEADER_LEN)
}

/// True when the datagram shows DTLS 1.3 is in use: a unified header, an ACK, or a
/// ServerHello selecting DTLS 1.3 (HelloRetryRequests included).
fn shows_dtls13(d: &Dissection<'_>) -> bool {
    d.records.iter().any(|r| {
        matches!(r.record, Record::Unified(_))
            || matches!(r.content, Content::Ack(_))
            || match &r.content {
                Content::Handshake(list, _) => list.iter().any(|f| {
                    matches!(&f.body, Some(Ok(HandshakeBody::ServerHello(sh)))
                        if sh.selects_dtls13() || sh.is_hello_retry_request())
                }),
                _ => false,
            }
    })
}

fn carries_client_hello(rv: &RecordView<'_>) -> bool {
    match &rv.content {
        Content::Handshake(list, _) => list
            .iter()
            .any(|f| f.fragment.msg_type == HandshakeType::CLIENT_HELLO),
        _ => false,
    }
}

/// Judges one dissected datagram. With `messages`, whole handshake messages are judged too
/// (an observer that reassembles judges them itself and passes `false`).
#[must_use]
pub fn check_datagram(d: &Dissection<'_>, messages: bool) -> Vec<Finding> {
    let mut out = Vec::new();
    if let Some(RecordError::NotDtls { offset, first_byte }) = d.error {
        out.push(Finding::new(
            &RECORD_CONTENT_TYPE,
            Location::bytes(offset, 1),
            format!("record starts with 0x{first_byte:02x}"),
        ));
    }
    let dtls13 = shows_dtls13(d);
    let mut seqs = HashSet::new();
    let mut cids: Vec<&[u8]> = Vec::new();
    for rv in &d.records {
        if let Some(cid) = rv.record.connection_id() {
            if cids.first().is_some_and(|c| *c != cid) {
                out.push(Finding::new(
                    &DTLS13_RECORD_SINGLE_ASSOCIATION,
                    Location::bytes(rv.record.offset(), 1),
                    "connection id differs from an earlier record of the datagram",
                ));
            }
            cids.push(cid);
        }
        match &rv.record {
            Record::Plaintext(p) => {
                let loc = Location::bytes(p.offset, p.header.len());
                if !matches!(
                    p.version,
                    ProtocolVersion::DTLS_1_2 | ProtocolVersion::DTLS_1_0
                ) {
                    out.push(Finding::new(
                        &RECORD_VERSION,
                        loc.clone(),
                        format!("record version 0x{:04x}", p.version.0),
                    ));
                }
                if dtls13 && p.version != ProtocolVersion::DTLS_1_2 && !carries_client_hello(rv) {
                    out.push(Finding::new(
                        &DTLS13_RECORD_LEGACY_VERSION,
                        loc.clone(),
                        format!("legacy_record_version 0x{:04x}", p.version.0),
                    ));
                }
                if !p.content_type.is_known() {
                    out.push(Finding::new(
                        &RECORD_CONTENT_TYPE,
                        Location::bytes(p.offset, 1),
                        format!("content type {}", p.content_type),
                    ));
                }
                let protected = p.epoch != 0 || p.content_type == ContentType::TLS12_CID;
                let len = p.fragment.len();
                if !protected && len > MAX_PLAINTEXT_LEN {
                    out.push(Finding::new(
                        &RECORD_PLAINTEXT_LENGTH,
                        loc.clone(),
                        format!("plaintext fragment of {len} bytes"),
                    ));
                }
                if protected && len > MAX_CIPHERTEXT_LEN {
                    out.push(Finding::new(
                        &RECORD_CIPHERTEXT_LENGTH,
                        loc.clone(),
                        format!("protected fragment of {len} bytes"),
                    ));
                }
                if p.epoch == 0 && p.content_type == ContentType::APPLICATION_DATA {
                    out.push(Finding::new(
                        &RECORD_APPLICATION_DATA_EPOCH0,
                        loc.clone(),
                        "application_data in epoch 0",
                    ));
                }
                if !seqs.insert((p.epoch, p.sequence_number)) {
                    out.push(Finding::new(
                        &RECORD_SEQUENCE_UNIQUE,
                        loc,
                        format!(
                            "epoch {} sequence number {} repeated",
                            p.epoch, p.sequence_number
                        ),
                    ));
                }
            }
            Record::Unified(u) => {
                let loc = Location::bytes(u.offset, u.header.len());
                let len = u.encrypted_record.len();
                if len < 16 {
                    out.push(Finding::new(
                        &DTLS13_RECORD_MIN_CIPHERTEXT,
                        loc.clone(),
                        format!("{len} bytes of ciphertext"),
                    ));
                }
                if len > MAX_DTLS13_CIPHERTEXT_LEN {
                    out.push(Finding::new(
                        &DTLS13_RECORD_CIPHERTEXT_LENGTH,
                        loc,
                        format!("protected record of {len} bytes"),
                    ));
                }
            }
        }
        check_content(rv, messages, &mut out);
    }
    check_fragments(d, &mut out);
    out
}

fn check_content(rv: &RecordView<'_>, messages: bool, out: &mut Vec<Finding>) {
    let payload_at = rv
        .record
        .offset()
        .saturating_add(rv.record.wire_len())
        .saturating_sub(rv.record.payload().len());
    let loc = Location::bytes(payload_at, rv.record.payload().len());
    match &rv.content {
        Content::ChangeCipherSpec(bytes) if *bytes != [1] => out.push(Finding::new(
            &CCS_VALUE,
            loc,
            format!("ChangeCipherSpec of {} bytes", bytes.len()),
        )),
        Content::Alert(Ok(alert)) => {
            if !matches!(alert.level, AlertLevel::WARNING | AlertLevel::FATAL) {
                out.push(Finding::new(
                    &ALERT_LEVEL,
                    loc.clone(),
                    format!("alert level {}", alert.level.0),
                ));
            }
            if !alert.description.is_known() {
                out.push(Finding::new(
                    &ALERT_DESCRIPTION,
                    loc.clone(),
                    format!("alert description {}", alert.description.0),
                ));
            }
            if alert.level == AlertLevel::WARNING && ALWAYS_FATAL.contains(&alert.description) {
                out.push(Finding::new(
                    &ALERT_ALWAYS_FATAL,
                    loc.clone(),
                    format!("{} sent as a warning", alert.description),
                ));
            }
            if rv.record.payload().len() != 2 {
                out.push(Finding::new(
                    &ALERT_ONE_PER_RECORD,
                    loc,
                    format!("alert record of {} bytes", rv.record.payload().len()),
                ));
            }
        }
        Content::Alert(Err(e)) => out.push(Finding::new(
            &ALERT_ONE_PER_RECORD,
            loc,
            format!("alert record unreadable: {e}"),
        )),
        Content::Ack(Err(e)) => {
            out.push(Finding::new(&DTLS13_ACK_FORMAT, loc, format!("ACK: {e}")));
        }
        Content::Ack(Ok(list)) => {
            let increasing = list
                .windows(2)
                .all(|w| matches!(w, [a, b] if (a.epoch, a.sequence_number) < (b.epoch, b.sequence_number)));
            if !increasing {
                out.push(Finding::new(
                    &DTLS13_ACK_ORDER,
                    loc,
                    "ACK record numbers not in increasing order",
                ));
            }
        }
        Content::Handshake(list, _) if messages => {
            for f in list {
                if let Some(Ok(_)) = &f.body {
                    out.extend(check_message(
                        f.fragment.msg_type,
                        f.fragment.message_seq,
                        f.fragment.body,
                        body_offset(rv, f.fragment.offset),
                    ));
                }
            }
        }
        _ => {}
    }
}

fn check_fragments(d: &Dissection<'_>, out: &mut Vec<Finding>) {
    let mut seen: Vec<(u16, u64, u64)> = Vec::new();
    let mut last_seq: Option<u16> = None;
    for (rv, f) in d.fragments() {
        let frag = &f.fragment;
        let loc = Location::bytes(
            body_offset(rv, frag.offset).saturating_sub(HANDSHAKE_HEADER_LEN),
            HANDSHAKE_HEADER_LEN,
        );
        if !frag.within_message() {
            out.push(Finding::new(
                &HANDSHAKE_FRAGMENT_BOUNDS,
                loc.clone(),
                format!(
                    "fragment {}+{} of a {}-byte message",
                    frag.fragment_offset, frag.fragment_length, frag.length
                ),
            ));
        }
        if frag.fragment_length == 0 && frag.length != 0 {
            out.push(Finding::new(
                &HANDSHAKE_EMPTY_FRAGMENT,
                loc.clone(),
                format!("empty fragment of message_seq {}", frag.message_seq),
            ));
        }
        let (start, end) = (u64::from(frag.fragment_offset), frag.end());
        if !frag.is_whole_message()
            && seen
                .iter()
                .any(|&(s, a, b)| s == frag.message_seq && a < end && start < b)
        {
            out.push(Finding::new(
                &HANDSHAKE_NO_OVERLAP,
                loc.clone(),
                format!("fragments of message_seq {} overlap", frag.message_seq),
            ));
        }
        seen.push((frag.message_seq, start, end));
        match last_seq {
            Some(prev) if frag.message_seq == prev => {}
            Some(prev) if frag.message_seq != prev.wrapping_add(1) => out.push(Finding::new(
                &HANDSHAKE_MESSAGE_SEQ_INCREMENT,
                loc,
                format!("message_seq {} follows {prev}", frag.message_seq),
            )),
            _ => {}
        }
        last_seq = Some(frag.message_seq);
    }
}

/// Judges one complete handshake message; `base` is the offset of its body in the datagram
/// (for locations).
#[must_use]
pub fn check_message(
    msg_type: HandshakeType,
    message_seq: u16,
    body: &[u8],
    base: usize,
) -> Vec<Finding> {
    let mut out = Vec::new();
    match HandshakeBody::parse(msg_type, body) {
        Ok(HandshakeBody::ClientHello(ch)) => {
            check_client_hello(&ch, message_seq, base, &mut out);
        }
        Ok(HandshakeBody::ServerHello(sh)) => check_server_hello(&sh, base, &mut out),
        Ok(HandshakeBody::HelloVerifyRequest(hvr)) => check_hello_verify(&hvr, base, &mut out),
        Ok(HandshakeBody::ServerHelloDone(b)) if !b.is_empty() => out.push(Finding::new(
            &SERVER_HELLO_DONE_EMPTY,
            Location::bytes(base, b.len()),
            format!("ServerHelloDone of {} bytes", b.len()),
        )),
        _ => {}
    }
    out
}

fn check_hello_verify(hvr: &HelloVerifyRequest<'_>, base: usize, out: &mut Vec<Finding>) {
    if hvr.server_version != ProtocolVersion::DTLS_1_0 {
        out.push(Finding::new(
            &HELLO_VERIFY_REQUEST_VERSION,
            Location::bytes(base, 2),
            format!("server_version 0x{:04x}", hvr.server_version.0),
        ));
    }
    if hvr.server_version == ProtocolVersion::DTLS_1_0 && hvr.cookie.len() > 32 {
        out.push(Finding::new(
            &DTLS10_COOKIE_LENGTH,
            Location::bytes(base, 0),
            format!("DTLS 1.0 cookie of {} bytes", hvr.cookie.len()),
        ));
    }
}
