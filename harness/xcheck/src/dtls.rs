//! DTLS cross-check: epoch-0 records and handshake messages through `harness-dtls` and
//! through rtc-dtls 0.21.1.
//!
//! rtc-dtls keeps its handshake fields crate-private, so the comparison goes through bytes:
//! every record rtc-dtls reads is marshalled again and compared with the wire; where the
//! bytes differ, rtc-dtls's re-marshalled ClientHello / ServerHello is parsed by the
//! reference and compared field by field. Extensions rtc-dtls does not implement are
//! dropped by its parser: those are listed as masked, not as divergences.
//!
//! Not compared (masked): DTLS 1.3 unified-header records (rtc-dtls 0.21.1 has no DTLS 1.3),
//! content of epochs above 0 (protected), and handshake fragments that are not whole
//! messages (rtc-dtls reassembles only inside its connection; `FragmentBuffer` is
//! crate-private).

use std::io::Cursor;

use dtls::handshake::Handshake;
use dtls::record_layer::RecordLayer;
use dtls::record_layer::record_layer_header::RecordLayerHeader;
use harness_core::divergence::{CrossCheck, Divergence, DivergenceClass, Verdict};
use harness_dtls::codes::{ContentType, ExtensionType, HandshakeType};
use harness_dtls::datagram::{Content, Dissection, dissect};
use harness_dtls::messages::extensions::Extensions;
use harness_dtls::messages::{ClientHello, HandshakeBody, ServerHello};
use harness_dtls::record::{Record, RecordContext};

use crate::guarded;

/// The other implementation's name in reports.
pub const OTHER: &str = "rtc-dtls 0.21.1";

/// Extension types rtc-dtls 0.21.1 parses (its `Extension::unmarshal`); it drops the others.
const RTC_EXTENSIONS: [ExtensionType; 7] = [
    ExtensionType::SERVER_NAME,
    ExtensionType::SUPPORTED_GROUPS,
    ExtensionType::EC_POINT_FORMATS,
    ExtensionType::SIGNATURE_ALGORITHMS,
    ExtensionType::USE_SRTP,
    ExtensionType::EXTENDED_MASTER_SECRET,
    ExtensionType::RENEGOTIATION_INFO,
];

/// What rtc-dtls made of one item of the datagram.
#[derive(Debug)]
enum RtcItem {
    /// A record header, re-marshalled.
    Header(usize, Result<Vec<u8>, String>),
    /// A whole record (alert, ChangeCipherSpec), re-marshalled.
    Record(usize, Result<Vec<u8>, String>),
    /// One handshake message (record index, fragment index), re-marshalled.
    Message(usize, usize, Result<Vec<u8>, String>),
}

fn marshal_header(slice: &[u8]) -> Result<Vec<u8>, String> {
    let h = RecordLayerHeader::unmarshal(&mut Cursor::new(slice)).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    h.marshal(&mut out).map_err(|e| e.to_string())?;
    Ok(out)
}

fn marshal_record(slice: &[u8]) -> Result<Vec<u8>, String> {
    let r = RecordLayer::unmarshal(&mut Cursor::new(slice)).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    r.marshal(&mut out).map_err(|e| e.to_string())?;
    Ok(out)
}

fn marshal_handshake(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let h = Handshake::unmarshal(&mut Cursor::new(bytes)).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    h.marshal(&mut out).map_err(|e| e.to_string())?;
    Ok(out)
}

fn fragment_bytes(f: &harness_dtls::handshake::HandshakeFragment<'_>) -> Vec<u8> {
    let mut out = Vec::new();
    f.emit(&mut out);
    out
}

/// Runs rtc-dtls over every item the reference framed.
fn rtc_side(datagram: &[u8], d: &Dissection<'_>) -> Vec<RtcItem> {
    let mut items = Vec::new();
    for (i, rv) in d.records.iter().enumerate() {
        let Record::Plaintext(p) = &rv.record else {
            continue;
        };
        let start = p.offset;
        let end = start.saturating_add(rv.record.wire_len());
        let slice = datagram.get(start..end).unwrap_or_default();
        items.push(RtcItem::Header(i, marshal_header(slice)));
        if p.epoch != 0 {
            continue;
        }
        match &rv.content {
            Content::Handshake(list, _) => {
                for (j, f) in list.iter().enumerate() {
                    if f.fragment.is_whole_message() {
                        items.push(RtcItem::Message(
                            i,
                            j,
                            marshal_handshake(&fragment_bytes(&f.fragment)),
                        ));
                    }
                }
            }
            Content::Alert(_) | Content::ChangeCipherSpec(_) => {
                items.push(RtcItem::Record(i, marshal_record(slice)));
            }
            _ => {}
        }
    }
    items
}

fn ext_types(exts: Option<Extensions<'_>>) -> Vec<ExtensionType> {
    exts.map(|e| e.iter().filter_map(Result::ok).map(|x| x.typ).collect())
        .unwrap_or_default()
}

/// Compares two readings of a hello field by field; returns `(field, reference, other)`.
fn hello_fields(
    reference: &HandshakeBody<'_>,
    other: &HandshakeBody<'_>,
) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    let mut cmp = |name: &str, a: String, b: String| {
        if a != b {
            out.push((name.to_string(), a, b));
        }
    };
    match (reference, other) {
        (HandshakeBody::ClientHello(a), HandshakeBody::ClientHello(b)) => {
            let (a, b): (&ClientHello<'_>, &ClientHello<'_>) = (a, b);
            cmp(
                "client_version",
                format!("{:04x}", a.client_version.0),
                format!("{:04x}", b.client_version.0),
            );
            cmp(
                "random",
                format!("{:02x?}", a.random),
                format!("{:02x?}", b.random),
            );
            cmp(
                "session_id",
                format!("{:02x?}", a.session_id),
                format!("{:02x?}", b.session_id),
            );
            cmp(
                "cookie",
                format!("{:02x?}", a.cookie),
                format!("{:02x?}", b.cookie),
            );
            cmp(
                "cipher_suites",
                format!("{:02x?}", a.cipher_suites),
                format!("{:02x?}", b.cipher_suites),
            );
            cmp(
                "compression_methods",
                format!("{:?}", a.compression_methods),
                format!("{:?}", b.compression_methods),
            );
            compare_extensions(a.extensions, b.extensions, &mut cmp);
        }
        (HandshakeBody::ServerHello(a), HandshakeBody::ServerHello(b)) => {
            let (a, b): (&ServerHello<'_>, &ServerHello<'_>) = (a, b);
            cmp(
                "server_version",
                format!("{:04x}", a.server_version.0),
                format!("{:04x}", b.server_version.0),
            );
            cmp(
                "random",
                format!("{:02x?}", a.random),
                format!("{:02x?}", b.random),
            );
            cmp(
                "session_id",
                format!("{:02x?}", a.session_id),
                format!("{:02x?}", b.session_id),
            );
            cmp(
                "cipher_suite",
                format!("{:04x}", a.cipher_suite),
                format!("{:04x}", b.cipher_suite),
            );
            cmp(
                "compression_method",
                a.compression_method.to_string(),
                b.compression_method.to_string(),
            );
            compare_extensions(a.extensions, b.extensions, &mut cmp);
        }
        _ => {}
    }
    out
}

/// The first byte where two bodies differ: `(offset, reference byte, other byte)`.
fn first_difference(a: &[u8], b: &[u8]) -> Option<(usize, String, String)> {
    let at = a
        .iter()
        .zip(b)
        .position(|(x, y)| x != y)
        .or_else(|| (a.len() != b.len()).then(|| a.len().min(b.len())))?;
    let show = |s: &[u8]| {
        s.get(at).map_or("end".to_string(), |v| {
            format!("{v:02x} (of {} bytes)", s.len())
        })
    };
    Some((at, show(a), show(b)))
}

fn compare_extensions(
    a: Option<Extensions<'_>>,
    b: Option<Extensions<'_>>,
    cmp: &mut impl FnMut(&str, String, String),
) {
    let known = |t: &ExtensionType| RTC_EXTENSIONS.contains(t);
    let mine: Vec<_> = ext_types(a).into_iter().filter(known).collect();
    let theirs = ext_types(b);
    cmp("extensions", format!("{mine:?}"), format!("{theirs:?}"));
    for t in mine.iter().filter(|t| theirs.contains(t)) {
        let x = a.and_then(|e| e.get(*t)).map(|e| e.data.to_vec());
        let y = b.and_then(|e| e.get(*t)).map(|e| e.data.to_vec());
        cmp(
            &format!("extensions.{t}"),
            format!("{x:02x?}"),
            format!("{y:02x?}"),
        );
    }
}

/// Cross-checks one datagram. Never panics: a panic on either side becomes
/// [`Verdict::Panicked`].
#[must_use]
pub fn cross_check_dtls(subject: &str, datagram: &[u8]) -> CrossCheck {
    let mut check = CrossCheck {
        subject: subject.to_string(),
        protocol: "dtls",
        other_name: OTHER,
        reference: Verdict::Accepted,
        other: Verdict::Accepted,
        divergences: Vec::new(),
        masked: Vec::new(),
    };
    let (ref_verdict, diss) = guarded(|| Ok(dissect(datagram, RecordContext::default())));
    let Some(diss) = diss else {
        check.reference = ref_verdict;
        return check;
    };
    check.reference = match (&diss.error, diss.parsed_cleanly()) {
        (Some(e), _) => Verdict::Rejected(e.to_string()),
        (None, false) => Verdict::Rejected("a plaintext structure does not parse".to_string()),
        (None, true) => Verdict::Accepted,
    };
    let (other_verdict, items) = guarded(|| Ok(rtc_side(datagram, &diss)));
    let Some(items) = items else {
        check.other = other_verdict;
        return check;
    };
    // rtc-dtls on the bytes the reference could not frame.
    if let Some(e) = diss.error {
        let rest = datagram.get(e.offset()..).unwrap_or_default();
        let (_, tail) = guarded(|| marshal_record(rest));
        if tail.is_some() {
            check.divergences.push(Divergence {
                class: DivergenceClass::ReferenceRejectsOtherAccepts,
                field: format!("bytes[{}..]", e.offset()),
                reference: e.to_string(),
                other: "a record".to_string(),
                rule: None,
            });
        }
    }
    for (i, rv) in diss.records.iter().enumerate() {
        match &rv.record {
            Record::Unified(_) => check.masked.push(format!(
                "records[{i}]: DTLS 1.3 unified header, not implemented by {OTHER}"
            )),
            Record::Plaintext(p) if p.epoch != 0 => check.masked.push(format!(
                "records[{i}]: epoch {} content is protected",
                p.epoch
            )),
            Record::Plaintext(p) if p.content_type == ContentType::ACK => {
                check.masked.push(format!(
                    "records[{i}]: ACK (DTLS 1.3), not implemented by {OTHER}"
                ));
            }
            Record::Plaintext(_) => {}
        }
        if let Content::Handshake(list, _) = &rv.content {
            for (j, f) in list.iter().enumerate() {
                if !f.fragment.is_whole_message() {
                    check.masked.push(format!(
                        "records[{i}].handshake[{j}]: {} fragment, reassembly is crate-private in {OTHER}",
                        f.fragment.msg_type
                    ));
                }
            }
        }
    }
    let mut first_rejection = None;
    for item in &items {
        match item {
            RtcItem::Header(i, res) | RtcItem::Record(i, res) => {
                let Some(rv) = diss.records.get(*i) else {
                    continue;
                };
                let Some(p) = rv.record.as_plaintext() else {
                    continue;
                };
                let (field, expected) = match item {
                    RtcItem::Header(..) => (format!("records[{i}].header"), p.header.to_vec()),
                    _ => {
                        let mut whole = p.header.to_vec();
                        whole.extend_from_slice(p.fragment);
                        (format!("records[{i}]"), whole)
                    }
                };
                compare_bytes(&mut check, &mut first_rejection, field, &expected, res);
            }
            RtcItem::Message(i, j, res) => {
                let Some(Content::Handshake(list, _)) = diss.records.get(*i).map(|r| &r.content)
                else {
                    continue;
                };
                let Some(f) = list.get(*j) else { continue };
                let field = format!("records[{i}].handshake[{j}]");
                let expected = fragment_bytes(&f.fragment);
                match res {
                    Ok(bytes) if *bytes == expected => {}
                    Ok(bytes) => {
                        compare_messages(&mut check, &field, f.fragment.msg_type, &expected, bytes)
                    }
                    Err(e) => {
                        first_rejection.get_or_insert_with(|| format!("{field}: {e}"));
                        check.divergences.push(Divergence {
                            class: DivergenceClass::OtherRejectsReferenceAccepts,
                            field: format!("{field} ({})", f.fragment.msg_type),
                            reference: match &f.body {
                                Some(Ok(_)) => "parsed".to_string(),
                                Some(Err(e)) => format!("rejected: {e}"),
                                None => "fragment".to_string(),
                            },
                            other: e.clone(),
                            rule: None,
                        });
                    }
                }
            }
        }
    }
    if let Some(e) = first_rejection {
        check.other = Verdict::Rejected(e);
    }
    check
}

fn compare_bytes(
    check: &mut CrossCheck,
    first_rejection: &mut Option<String>,
    field: String,
    expected: &[u8],
    res: &Result<Vec<u8>, String>,
) {
    match res {
        Ok(bytes) if bytes == expected => {}
        Ok(bytes) => check.divergences.push(Divergence {
            class: DivergenceClass::ContentDiffers,
            field,
            reference: format!("{expected:02x?}"),
            other: format!("{bytes:02x?}"),
            rule: None,
        }),
        Err(e) => {
            first_rejection.get_or_insert_with(|| format!("{field}: {e}"));
            check.divergences.push(Divergence {
                class: DivergenceClass::OtherRejectsReferenceAccepts,
                field,
                reference: "framed".to_string(),
                other: e.clone(),
                rule: None,
            });
        }
    }
}

/// rtc-dtls read the message but re-marshals different bytes: compare field by field.
fn compare_messages(
    check: &mut CrossCheck,
    field: &str,
    msg_type: HandshakeType,
    wire: &[u8],
    remarshalled: &[u8],
) {
    let body = |b: &[u8]| b.get(12..).map(<[u8]>::to_vec).unwrap_or_default();
    let (wire_body, other_body) = (body(wire), body(remarshalled));
    let ours = HandshakeBody::parse(msg_type, &wire_body);
    let theirs = HandshakeBody::parse(msg_type, &other_body);
    match (ours, theirs) {
        (Ok(a), Ok(b)) => {
            let mut diffs = hello_fields(&a, &b);
            if !matches!(
                a,
                HandshakeBody::ClientHello(_) | HandshakeBody::ServerHello(_)
            ) && let Some((at, r, o)) = first_difference(&wire_body, &other_body)
            {
                diffs.push((format!("body[{at}]"), r, o));
            }
            let dropped: Vec<ExtensionType> = match &a {
                HandshakeBody::ClientHello(ch) => ext_types(ch.extensions),
                HandshakeBody::ServerHello(sh) => ext_types(sh.extensions),
                _ => Vec::new(),
            }
            .into_iter()
            .filter(|t| !RTC_EXTENSIONS.contains(t))
            .collect();
            if !dropped.is_empty() {
                let names: Vec<String> = dropped.iter().map(ToString::to_string).collect();
                check.masked.push(format!(
                    "{field}: extensions {OTHER} does not implement are dropped: {}",
                    names.join(", ")
                ));
            }
            if diffs.is_empty() && dropped.is_empty() {
                check.divergences.push(Divergence {
                    class: DivergenceClass::ContentDiffers,
                    field: format!("{field} ({msg_type})"),
                    reference: format!("{} bytes", wire.len()),
                    other: format!("{} bytes re-marshalled", remarshalled.len()),
                    rule: None,
                });
            }
            for (name, r, o) in diffs {
                check.divergences.push(Divergence {
                    class: DivergenceClass::ContentDiffers,
                    field: format!("{field}.{name}"),
                    reference: r,
                    other: o,
                    rule: None,
                });
            }
        }
        (a, b) => check.divergences.push(Divergence {
            class: DivergenceClass::ContentDiffers,
            field: format!("{field} ({msg_type})"),
            reference: format!("{:?}", a.map(|_| "parsed")),
            other: format!("re-marshalled bytes: {:?}", b.map(|_| "parsed")),
            rule: None,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use harness_dtls::build::{
        ClientHelloSpec, ExtensionSpec, handshake_message, plaintext_record,
    };

    fn hello(spec: &ClientHelloSpec) -> Vec<u8> {
        plaintext_record(
            ContentType::HANDSHAKE,
            0xfeff,
            0,
            0,
            &handshake_message(HandshakeType::CLIENT_HELLO, 0, &spec.encode()),
        )
    }

    #[test]
    fn a_plain_dtls12_client_hello_agrees() {
        let spec = ClientHelloSpec::dtls12()
            .with_extension(ExtensionSpec::signature_algorithms(&[0x0403, 0x0401]));
        let c = cross_check_dtls("ch", &hello(&spec));
        assert!(c.reference.accepted() && c.other.accepted(), "{c:#?}");
        assert!(c.divergences.is_empty(), "{:#?}", c.divergences);
    }

    #[test]
    fn rsa_pss_signature_scheme_is_rewritten_by_rtc_dtls() {
        // 0x0804 (rsa_pss_rsae_sha256) comes back from rtc-dtls's marshal as 0x0808.
        let spec = ClientHelloSpec::dtls12()
            .with_extension(ExtensionSpec::signature_algorithms(&[0x0804]));
        let c = cross_check_dtls("ch-pss", &hello(&spec));
        assert!(
            c.divergences
                .iter()
                .any(|d| d.field.ends_with("extensions.signature_algorithms")),
            "{c:#?}"
        );
    }

    #[test]
    fn a_session_id_is_lost_by_rtc_dtls() {
        let mut spec = ClientHelloSpec::dtls12();
        spec.session_id = vec![7; 32];
        let c = cross_check_dtls("ch-session-id", &hello(&spec));
        assert!(!c.divergences.is_empty(), "{c:#?}");
    }

    #[test]
    fn dtls13_extensions_are_masked_not_divergent() {
        let c = cross_check_dtls("ch13", &hello(&ClientHelloSpec::dtls13()));
        assert!(c.masked.iter().any(|m| m.contains("key_share")), "{c:#?}");
    }
}
