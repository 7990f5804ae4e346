//! Rules over attributes and media sections: ICE, DTLS, RTP, SCTP and the JSEP profile.

use std::collections::HashSet;

use harness_core::rules::Finding;

use super::document::is_webrtc;
use super::*;
use crate::attr::{
    Attribute, Typed, fingerprint_len, hash_len, is_fingerprint_value, is_ice_char, is_ice_string,
    is_payload_type,
};
use crate::candidate::{AddressKind, Candidate};
use crate::fields::{digits_u64, is_digits, is_token_char};
use crate::view::{Media, Sdp};

fn push(out: &mut Vec<Finding>, rule: &'static Rule, a: &Attribute<'_>, msg: String) {
    out.push(Finding::new(rule, at(&a.line), msg));
}

fn check_candidate(out: &mut Vec<Finding>, a: &Attribute<'_>, c: &Candidate<'_>) {
    if !is_ice_string(c.foundation, 1, 32) {
        push(
            out,
            &ICE_FOUNDATION,
            a,
            format!("foundation {:?}", c.foundation),
        );
    }
    if !(1..=256).contains(&c.component) {
        push(out, &ICE_COMPONENT, a, format!("component {}", c.component));
    }
    if !(1..=0x7fff_ffff).contains(&c.priority) {
        push(out, &ICE_PRIORITY, a, format!("priority {}", c.priority));
    }
    let needs_related = matches!(c.kind, "srflx" | "prflx" | "relay");
    let has_related = c.related_address.is_some() || c.related_port.is_some();
    let complete = c.related_address.is_some() && c.related_port.is_some();
    if (needs_related && !complete) || (c.kind == "host" && has_related) {
        push(
            out,
            &ICE_RELATED,
            a,
            format!(
                "{} candidate with raddr {:?} rport {:?}",
                c.kind, c.related_address, c.related_port
            ),
        );
    }
    if c.address_kind() == AddressKind::Fqdn {
        push(
            out,
            &ICE_FQDN,
            a,
            format!("address {:?} is an FQDN", c.address),
        );
    }
    if !matches!(c.kind, "host" | "srflx" | "prflx" | "relay") {
        push(
            out,
            &ICE_CANDIDATE_TYPE,
            a,
            format!("candidate type {:?}", c.kind),
        );
    }
    if c.is_tcp() && !matches!(c.tcp_type(), Some("active" | "passive" | "so")) {
        push(
            out,
            &ICE_TCPTYPE,
            a,
            format!("TCP candidate with tcptype {:?}", c.tcp_type()),
        );
    }
}

fn check_fingerprint(out: &mut Vec<Finding>, a: &Attribute<'_>, hash: &str, value: &str) {
    if !is_fingerprint_value(value) {
        push(
            out,
            &FINGERPRINT_SYNTAX,
            a,
            "the value is not upper-case hex pairs separated by colons".into(),
        );
    }
    if hash.eq_ignore_ascii_case("md5") || hash.eq_ignore_ascii_case("md2") {
        push(out, &FINGERPRINT_WEAK, a, format!("hash function {hash}"));
    }
    match hash_len(hash) {
        None => push(
            out,
            &FINGERPRINT_HASH,
            a,
            format!("unknown hash function {hash:?}"),
        ),
        Some(n) if n != fingerprint_len(value) => push(
            out,
            &FINGERPRINT_HASH,
            a,
            format!(
                "{hash} digests are {n} bytes, the value has {}",
                fingerprint_len(value)
            ),
        ),
        Some(_) => {}
    }
}

/// Grammar checks that apply wherever the attribute appears.
fn check_attribute_syntax(out: &mut Vec<Finding>, a: &Attribute<'_>) {
    let typed = a.typed();
    match (a.name, typed) {
        ("ice-ufrag", Ok(Typed::IceUfrag(v))) if !is_ice_string(v, 4, 256) => {
            push(
                out,
                &ICE_UFRAG,
                a,
                format!("ice-ufrag {v:?} is not 4-256 ice-chars"),
            );
        }
        ("ice-ufrag", Err(e)) => push(out, &ICE_UFRAG, a, e.to_string()),
        ("ice-pwd", Ok(Typed::IcePwd(v))) if !is_ice_string(v, 22, 256) => push(
            out,
            &ICE_PWD,
            a,
            format!("ice-pwd of {} characters is not 22-256 ice-chars", v.len()),
        ),
        ("ice-pwd", Err(e)) => push(out, &ICE_PWD, a, e.to_string()),
        ("ice-options", Ok(Typed::IceOptions(w)))
            if w.0
                .split(' ')
                .any(|t| t.is_empty() || !t.bytes().all(is_ice_char)) =>
        {
            push(out, &ICE_OPTIONS, a, format!("ice-options {:?}", w.0));
        }
        ("ice-options", Err(e)) => push(out, &ICE_OPTIONS, a, e.to_string()),
        ("fingerprint", Ok(Typed::Fingerprint { hash, value })) => {
            check_fingerprint(out, a, hash, value)
        }
        ("fingerprint", Err(e)) => push(out, &FINGERPRINT_SYNTAX, a, e.to_string()),
        ("setup", Err(e)) => push(out, &SETUP_VALUE, a, format!("{e}: {:?}", a.value)),
        ("candidate", Ok(Typed::Candidate(c))) => check_candidate(out, a, &c),
        ("candidate", Err(e)) => push(out, &ICE_CANDIDATE_SYNTAX, a, e.to_string()),
        ("remote-candidates", Ok(Typed::RemoteCandidates(w))) => {
            let items: Vec<&str> = w.0.split(' ').collect();
            let ok = !items.is_empty()
                && items.len().is_multiple_of(3)
                && items.chunks(3).all(|t| {
                    matches!(t, [c, addr, p] if is_digits(c) && !addr.is_empty()
                        && digits_u64(p).is_some_and(|p| p <= 65535))
                });
            if !ok {
                push(
                    out,
                    &ICE_REMOTE_CANDIDATES,
                    a,
                    format!("remote-candidates {:?}", w.0),
                );
            }
        }
        ("remote-candidates", Err(e)) => push(out, &ICE_REMOTE_CANDIDATES, a, e.to_string()),
        ("rtpmap", Err(e)) => push(out, &RTPMAP_SYNTAX, a, e.to_string()),
        ("ssrc", Err(e)) => push(out, &SSRC_SYNTAX, a, e.to_string()),
        ("ssrc", Ok(Typed::Ssrc { attribute: "", .. })) => {
            push(out, &SSRC_SYNTAX, a, "empty source attribute".into());
        }
        ("msid", Ok(Typed::Msid { stream, .. }))
            if (stream.is_empty() || stream.len() > 64 || !stream.bytes().all(is_token_char)) =>
        {
            push(out, &MSID_SYNTAX, a, format!("msid-id {stream:?}"));
        }
        ("msid", Err(e)) => push(out, &MSID_SYNTAX, a, e.to_string()),
        ("rid", Ok(Typed::Rid { id, direction, .. })) => {
            let id_ok = !id.is_empty()
                && id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            if !id_ok || !matches!(direction, "send" | "recv") {
                push(out, &RID_SYNTAX, a, format!("rid {id:?} {direction:?}"));
            }
        }
        ("rid", Err(e)) => push(out, &RID_SYNTAX, a, e.to_string()),
        ("sctp-port", Ok(Typed::SctpPort(_))) if a.value.is_some_and(|v| v.len() > 5) => {
            push(
                out,
                &SCTP_PORT_SYNTAX,
                a,
                format!("sctp-port {:?}", a.value),
            );
        }
        ("sctp-port", Err(e)) => push(out, &SCTP_PORT_SYNTAX, a, e.to_string()),
        ("max-message-size", Err(e)) => push(out, &SCTP_MAX_MESSAGE_SIZE, a, e.to_string()),
        _ => {}
    }
}

/// Session-level attributes that media checks fall back to, looked up once.
#[derive(Clone, Copy)]
struct SessionFacts {
    fingerprint: bool,
    setup: bool,
    extmap_allow_mixed: bool,
}

fn check_rtp(m: &Media<'_, '_>, formats: &str, facts: SessionFacts, out: &mut Vec<Finding>) {
    // The payload types that have an rtpmap, and the ssrcs and rids declared, read once.
    let mut mapped: HashSet<&str> = HashSet::new();
    let mut declared_ssrcs: HashSet<&str> = HashSet::new();
    let mut declared_rids: HashSet<&str> = HashSet::new();
    let listed: HashSet<&str> = formats.split(' ').collect();
    for a in m.attributes() {
        let first = a.value.and_then(|v| v.split(' ').next());
        let list = match a.name {
            "rtpmap" => &mut mapped,
            "ssrc" => &mut declared_ssrcs,
            "rid" => &mut declared_rids,
            _ => continue,
        };
        list.extend(first);
    }
    for f in formats.split(' ') {
        if !is_payload_type(f) {
            if let Some(l) = m.m_line() {
                out.push(Finding::new(
                    &RTP_PAYLOAD_TYPE,
                    at(&l),
                    format!("format {f:?} is not a payload type 0-127"),
                ));
            }
        } else if digits_u64(f).is_some_and(|pt| pt >= 96)
            && !mapped.contains(&f)
            && let Some(l) = m.m_line()
        {
            out.push(Finding::new(
                &RTPMAP_DYNAMIC,
                at(&l),
                format!("dynamic payload type {f} has no rtpmap"),
            ));
        }
    }
    let mut extmap_ids: HashSet<u16> = HashSet::new();
    let mixed = facts.extmap_allow_mixed || m.has("extmap-allow-mixed");
    for a in m.attributes() {
        match a.typed() {
            Ok(Typed::Rtpmap { payload_type, .. })
                if !listed.contains(a.value.and_then(|v| v.split(' ').next()).unwrap_or("")) =>
            {
                push(
                    out,
                    &RTPMAP_FORMAT,
                    &a,
                    format!("payload type {payload_type} is not on the m= line"),
                );
            }
            Ok(Typed::Fmtp { format, .. }) if !listed.contains(format) => {
                push(
                    out,
                    &FMTP_FORMAT,
                    &a,
                    format!("format {format} is not on the m= line"),
                );
            }
            Ok(Typed::RtcpFb { format, .. }) if format != "*" && !listed.contains(format) => {
                push(
                    out,
                    &RTCP_FB_FORMAT,
                    &a,
                    format!("payload type {format} is not on the m= line"),
                );
            }
            Ok(Typed::Extmap { id, .. }) => {
                let valid = (1..=14).contains(&id) || (mixed && (16..=255).contains(&id));
                if !valid {
                    push(out, &EXTMAP_ID, &a, format!("extmap id {id}"));
                }
                if !extmap_ids.insert(id) {
                    push(
                        out,
                        &EXTMAP_UNIQUE,
                        &a,
                        format!("extmap id {id} is used twice"),
                    );
                }
            }
            Ok(Typed::SsrcGroup { ssrcs, .. }) => {
                for s in ssrcs.iter() {
                    if !declared_ssrcs.contains(&s) {
                        push(
                            out,
                            &SSRC_GROUP_DEFINED,
                            &a,
                            format!("ssrc {s} has no a=ssrc line"),
                        );
                    }
                }
            }
            Ok(Typed::Simulcast(v)) => {
                let rids = v
                    .split([' ', ';', ','])
                    .filter(|t| !t.is_empty() && *t != "send" && *t != "recv")
                    .map(|t| t.trim_start_matches('~'));
                for rid in rids {
                    if !declared_rids.contains(&rid) {
                        push(
                            out,
                            &SIMULCAST_RID,
                            &a,
                            format!("rid {rid:?} has no a=rid line"),
                        );
                    }
                }
            }
            _ => {}
        }
    }
    if let Some(a) = m.attribute("rtcp-mux-only")
        && !m.has("rtcp-mux")
    {
        push(
            out,
            &RTCP_MUX_ONLY,
            &a,
            "rtcp-mux-only without rtcp-mux".into(),
        );
    }
}

fn check_section(m: &Media<'_, '_>, webrtc: bool, facts: SessionFacts, out: &mut Vec<Finding>) {
    let mut directions = 0usize;
    for a in m.attributes() {
        if let Ok(Typed::Direction(_)) = a.typed() {
            directions = directions.saturating_add(1);
            if directions == 2 {
                push(
                    out,
                    &DIRECTION_SINGLE,
                    &a,
                    format!("a second direction attribute in media section {}", m.index),
                );
            }
        }
        if a.name == "ice-lite" {
            push(out, &ICE_LITE_LEVEL, &a, "ice-lite at media level".into());
        }
    }
    let Some(Ok(ml)) = m.media_line() else { return };
    let Some(mline) = m.m_line() else { return };
    if ml.is_rtp() {
        check_rtp(m, ml.formats, facts, out);
    }
    if ml.is_sctp() && ml.proto != "DTLS/SCTP" {
        if !m.has("sctp-port") && !m.is_rejected() {
            out.push(Finding::new(
                &SCTP_PORT_PRESENT,
                at(&mline),
                format!("media section {} has no a=sctp-port", m.index),
            ));
        }
        if ml.formats != "webrtc-datachannel" {
            out.push(Finding::new(
                &SCTP_FORMAT,
                at(&mline),
                format!("fmt {:?}", ml.formats),
            ));
        }
    }
    if !webrtc {
        return;
    }
    let bundle_only = m.has("bundle-only");
    if bundle_only && ml.port != Some(0) {
        out.push(Finding::new(
            &JSEP_BUNDLE_ONLY_PORT,
            at(&mline),
            "bundle-only with a non-zero port",
        ));
    }
    let jsep_protos = [
        "UDP/TLS/RTP/SAVPF",
        "TCP/DTLS/RTP/SAVPF",
        "UDP/DTLS/SCTP",
        "TCP/DTLS/SCTP",
    ];
    if !jsep_protos.contains(&ml.proto) {
        out.push(Finding::new(
            &JSEP_PROTO,
            at(&mline),
            format!("proto {:?}", ml.proto),
        ));
    }
    if m.mid().is_none() {
        out.push(Finding::new(
            &JSEP_MID,
            at(&mline),
            format!("media section {} has no a=mid", m.index),
        ));
    }
    if ml.is_rtp() && !m.is_rejected() && !m.has("rtcp-mux") {
        out.push(Finding::new(
            &JSEP_RTCP_MUX,
            at(&mline),
            format!("media section {} has no a=rtcp-mux", m.index),
        ));
    }
    let dtls = ml.proto.contains("DTLS") || ml.proto.contains("TLS/RTP");
    if dtls && !m.is_rejected() {
        if !facts.fingerprint && !m.has("fingerprint") {
            out.push(Finding::new(
                &JSEP_FINGERPRINT,
                at(&mline),
                format!("media section {} has no a=fingerprint", m.index),
            ));
        }
        if !facts.setup && !m.has("setup") {
            out.push(Finding::new(
                &JSEP_SETUP,
                at(&mline),
                format!("media section {} has no a=setup", m.index),
            ));
        }
    }
    if m.lines().nth(1).and_then(|l| l.kind()) != Some(b'c') {
        out.push(Finding::new(
            &JSEP_C_LINE,
            at(&mline),
            "the m= line is not followed by a c= line",
        ));
    }
}

pub(super) fn check(sdp: &Sdp<'_>, out: &mut Vec<Finding>) {
    for a in sdp.lines().filter_map(|l| l.attribute()) {
        check_attribute_syntax(out, &a);
    }
    let webrtc = is_webrtc(sdp);
    let facts = SessionFacts {
        fingerprint: sdp.attribute("fingerprint").is_some(),
        setup: sdp.attribute("setup").is_some(),
        extmap_allow_mixed: sdp.attribute("extmap-allow-mixed").is_some(),
    };
    for m in sdp.media() {
        check_section(&m, webrtc, facts, out);
    }
}
