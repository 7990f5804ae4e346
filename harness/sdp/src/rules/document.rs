//! Rules over the whole description: line syntax, order, the fixed lines, and the
//! session-level attributes.

use core::net::IpAddr;
use std::collections::{HashMap, HashSet};

use harness_core::rules::{Finding, Location};

use super::*;
use crate::attr::Typed;
use crate::fields::{Connection, FieldError, MediaLine, Origin, Timing, is_token};
use crate::view::{Line, LineEnding, Sdp};

const SESSION_ORDER: &[u8] = b"vosiuepcbtrzka";
const MEDIA_ORDER: &[u8] = b"micbka";

fn session_rank(kind: u8) -> Option<usize> {
    match kind {
        // Time descriptions (t, r, z) repeat as a group.
        b'r' | b'z' => Some(9),
        k => SESSION_ORDER.iter().position(|&c| c == k),
    }
}

fn media_rank(kind: u8) -> Option<usize> {
    MEDIA_ORDER.iter().position(|&c| c == kind)
}

/// Known WebRTC and legacy protocols (RFC 8866 §8.2.3 registry, as used in practice).
const KNOWN_PROTOS: &[&str] = &[
    "RTP/AVP",
    "RTP/SAVP",
    "RTP/AVPF",
    "RTP/SAVPF",
    "UDP/TLS/RTP/SAVP",
    "UDP/TLS/RTP/SAVPF",
    "TCP/TLS/RTP/SAVP",
    "TCP/TLS/RTP/SAVPF",
    "TCP/DTLS/RTP/SAVP",
    "TCP/DTLS/RTP/SAVPF",
    "TCP/RTP/AVP",
    "TCP/RTP/AVPF",
    "RTP/AVP/TCP",
    "udp",
    "TCP",
    "TCP/TLS",
    "UDP/BFCP",
    "TCP/BFCP",
    "TCP/TLS/BFCP",
    "UDP/DTLS/SCTP",
    "TCP/DTLS/SCTP",
    "DTLS/SCTP",
    "udptl",
    "UDP/TLS/UDPTL",
    "TCP/MSRP",
    "TCP/TLS/MSRP",
];

/// True for a WebRTC-style description (DTLS or ICE in use), where JSEP rules apply.
pub(crate) fn is_webrtc(sdp: &Sdp<'_>) -> bool {
    sdp.lines().filter_map(|l| l.attribute()).any(|a| {
        matches!(a.name, "fingerprint" | "ice-ufrag" | "ice-pwd" | "candidate")
    }) || sdp.media().any(|m| {
        matches!(m.media_line(), Some(Ok(ml)) if ml.proto.contains("DTLS") || ml.proto.contains("TLS/RTP"))
    })
}

fn field_finding(out: &mut Vec<Finding>, rule: &'static Rule, line: &Line<'_>, e: FieldError) {
    let rule = match e {
        FieldError::NotUtf8 => &SYNTAX_UTF8,
        FieldError::Empty(_) => &SYNTAX_SEPARATOR,
        _ => rule,
    };
    out.push(Finding::new(rule, at(line), e.to_string()));
}

fn check_address(out: &mut Vec<Finding>, line: &Line<'_>, addrtype: &str, address: &str) {
    let host = address.split('/').next().unwrap_or(address);
    let mismatch = match host.parse::<IpAddr>() {
        Ok(IpAddr::V4(_)) => addrtype == "IP6",
        Ok(IpAddr::V6(_)) => addrtype == "IP4",
        Err(_) => false,
    };
    if mismatch {
        out.push(Finding::new(
            &ADDRESS_TYPE,
            at(line),
            format!("{host} is not an {addrtype} address"),
        ));
    }
}

fn check_lines(sdp: &Sdp<'_>, out: &mut Vec<Finding>) {
    if sdp.has_bom() {
        out.push(Finding::new(
            &SYNTAX_START,
            Location::bytes(0, 3),
            "the input starts with a UTF-8 byte order mark",
        ));
    }
    let charset = sdp.attribute("charset").is_some();
    let mut seen_v = false;
    let mut bare_lf = 0usize;
    let mut first_bare_lf = None;
    for line in sdp.lines() {
        match line.span.ending {
            LineEnding::Lf => {
                bare_lf = bare_lf.saturating_add(1);
                first_bare_lf.get_or_insert(line);
            }
            LineEnding::None if !line.bytes.is_empty() => out.push(Finding::new(
                &SYNTAX_CRLF,
                at(&line),
                "the last line has no CRLF terminator",
            )),
            _ => {}
        }
        if line.bytes.iter().any(|&b| b == 0 || b == b'\r') {
            out.push(Finding::new(
                &SYNTAX_TEXT_OCTETS,
                at(&line),
                "the line contains a NUL or a CR",
            ));
        }
        if !charset && core::str::from_utf8(line.bytes).is_err() {
            out.push(Finding::new(
                &SYNTAX_UTF8,
                at(&line),
                "the line is not UTF-8",
            ));
        }
        match line.kind() {
            Some(b'v') => seen_v = true,
            Some(k) if !b"vosiuepcbtrzkam".contains(&k) => out.push(Finding::new(
                &SYNTAX_UNKNOWN_TYPE,
                at(&line),
                format!("unknown type letter '{}'", char::from(k)),
            )),
            Some(_) => {}
            None if !seen_v => out.push(Finding::new(
                &SYNTAX_START,
                at(&line),
                "a blank line comes before v=",
            )),
            None => out.push(Finding::new(
                &SYNTAX_LINE_FORM,
                at(&line),
                if line.is_blank() {
                    "blank line"
                } else {
                    "the line is not <type>=<value>"
                },
            )),
        }
        if matches!(line.kind(), Some(b'v' | b'o' | b'c' | b't' | b'm'))
            && (line.value().first() == Some(&b' ') || line.value().last() == Some(&b' '))
        {
            out.push(Finding::new(
                &SYNTAX_SEPARATOR,
                at(&line),
                "whitespace at the start or end of the value",
            ));
        }
        if line.kind() == Some(b'a')
            && let Some(a) = line.attribute()
            && !a.name.is_empty()
            && !is_token(a.name)
        {
            out.push(Finding::new(
                &ATTRIBUTE_NAME,
                at(&line),
                format!("attribute name {:?} is not a token", a.name),
            ));
        }
    }
    if let Some(first) = first_bare_lf {
        out.push(Finding::new(
            &SYNTAX_CRLF,
            at(&first),
            format!("{bare_lf} line(s) end with a bare LF instead of CRLF"),
        ));
    }
}

fn check_order(sdp: &Sdp<'_>, out: &mut Vec<Finding>) {
    let mut rank = 0usize;
    for line in sdp.session_lines() {
        let Some(r) = line.kind().and_then(session_rank) else {
            continue;
        };
        if r < rank {
            out.push(Finding::new(
                &ORDER_SESSION,
                at(&line),
                format!(
                    "{}= is out of order",
                    char::from(line.kind().unwrap_or(b'?'))
                ),
            ));
        }
        rank = rank.max(r);
    }
    for m in sdp.media() {
        let mut rank = 0usize;
        for line in m.lines() {
            let Some(r) = line.kind().and_then(media_rank) else {
                continue;
            };
            if r < rank {
                out.push(Finding::new(
                    &ORDER_MEDIA,
                    at(&line),
                    format!(
                        "{}= is out of order in media section {}",
                        char::from(line.kind().unwrap_or(b'?')),
                        m.index
                    ),
                ));
            }
            rank = rank.max(r);
        }
    }
}

fn count_kind<'a>(lines: impl Iterator<Item = Line<'a>>, kind: u8) -> (usize, Option<Line<'a>>) {
    let mut n = 0usize;
    let mut second = None;
    for l in lines.filter(|l| l.kind() == Some(kind)) {
        n = n.saturating_add(1);
        if n == 2 {
            second = Some(l);
        }
    }
    (n, second)
}

fn check_fixed_lines(sdp: &Sdp<'_>, out: &mut Vec<Finding>) {
    for kind in *b"vouizk" {
        if let (_, Some(second)) = count_kind(sdp.session_lines(), kind) {
            out.push(Finding::new(
                &LINE_REPEATED,
                at(&second),
                format!("a second {}= line at session level", char::from(kind)),
            ));
        }
    }
    if let (_, Some(second)) = count_kind(sdp.session_lines(), b'c') {
        out.push(Finding::new(
            &LINE_REPEATED,
            at(&second),
            "a second c= line at session level",
        ));
    }
    for m in sdp.media() {
        for kind in *b"ik" {
            if let (_, Some(second)) = count_kind(m.lines(), kind) {
                out.push(Finding::new(
                    &LINE_REPEATED,
                    at(&second),
                    format!(
                        "a second {}= line in media section {}",
                        char::from(kind),
                        m.index
                    ),
                ));
            }
        }
    }
    // v=
    if let Some(v) = sdp.session_line(b'v')
        && v.value() != b"0"
    {
        out.push(Finding::new(&VERSION_ZERO, at(&v), "the version is not 0"));
    }
    // o=
    match sdp.session_line(b'o') {
        None => out.push(Finding::new(
            &ORIGIN_PRESENT,
            Location::whole(),
            "no o= line",
        )),
        Some(line) => match Origin::parse(line.value()) {
            Err(e) => field_finding(out, &ORIGIN_SYNTAX, &line, e),
            Ok(o) => {
                for (what, v, n) in [
                    ("sess-id", o.session_id, o.session_id_number()),
                    (
                        "sess-version",
                        o.session_version,
                        o.session_version_number(),
                    ),
                ] {
                    if !crate::fields::is_digits(v) {
                        out.push(Finding::new(
                            &ORIGIN_NUMERIC,
                            at(&line),
                            format!("{what} {v:?} is not decimal digits"),
                        ));
                    } else if what == "sess-id"
                        && is_webrtc(sdp)
                        && n.is_none_or(|n| n >= i64::MAX.unsigned_abs())
                    {
                        out.push(Finding::new(
                            &ORIGIN_SESS_ID_RANGE,
                            at(&line),
                            format!("sess-id {v} does not fit below 2^63-1"),
                        ));
                    }
                }
                check_address(out, &line, o.addrtype, o.address);
            }
        },
    }
    // s=
    let (names, second) = count_kind(sdp.session_lines(), b's');
    if names == 0 {
        out.push(Finding::new(
            &SESSION_NAME_ONE,
            Location::whole(),
            "no s= line",
        ));
    }
    if let Some(second) = second {
        out.push(Finding::new(
            &SESSION_NAME_ONE,
            at(&second),
            "a second s= line",
        ));
    }
    if let Some(s) = sdp.session_line(b's')
        && s.value().is_empty()
    {
        out.push(Finding::new(&SESSION_NAME_NONEMPTY, at(&s), "s= is empty"));
    }
    // t=
    let mut timings = 0usize;
    for t in sdp.session_lines().filter(|l| l.kind() == Some(b't')) {
        timings = timings.saturating_add(1);
        if let Err(e) = Timing::parse(t.value()) {
            field_finding(out, &TIMING_SYNTAX, &t, e);
        }
    }
    if timings == 0 {
        out.push(Finding::new(
            &TIMING_PRESENT,
            Location::whole(),
            "no t= line",
        ));
    }
    // k=
    for k in sdp.lines().filter(|l| l.kind() == Some(b'k')) {
        out.push(Finding::new(&KEY_OBSOLETE, at(&k), "k= line"));
    }
    // c=
    for c in sdp.lines().filter(|l| l.kind() == Some(b'c')) {
        match Connection::parse(c.value()) {
            Err(e) => field_finding(out, &CONNECTION_SYNTAX, &c, e),
            Ok(conn) => check_address(out, &c, conn.addrtype, conn.address),
        }
    }
    if sdp.session_line(b'c').is_none() {
        for m in sdp.media() {
            if m.line_of(b'c').is_none()
                && let Some(ml) = m.m_line()
            {
                out.push(Finding::new(
                    &CONNECTION_REQUIRED,
                    at(&ml),
                    format!(
                        "media section {} has no c= line and there is none at session level",
                        m.index
                    ),
                ));
            }
        }
    }
    // m=
    for m in sdp.media() {
        let Some(line) = m.m_line() else { continue };
        match MediaLine::parse(line.value()) {
            Err(e) => field_finding(out, &MEDIA_SYNTAX, &line, e),
            Ok(ml) => {
                if ml.port.is_none() || (ml.port_text.contains('/') && ml.port_count.is_none()) {
                    out.push(Finding::new(
                        &MEDIA_PORT,
                        at(&line),
                        format!("port {:?} is not a port number", ml.port_text),
                    ));
                }
                if !KNOWN_PROTOS.contains(&ml.proto) {
                    out.push(Finding::new(
                        &MEDIA_PROTO,
                        at(&line),
                        format!("proto {:?} is not registered", ml.proto),
                    ));
                }
            }
        }
    }
}

fn check_session_attributes(sdp: &Sdp<'_>, out: &mut Vec<Finding>) {
    let mut directions = 0usize;
    for a in sdp.attributes() {
        match a.typed() {
            Ok(Typed::Candidate(_)) | Err(_) if a.name == "candidate" => out.push(Finding::new(
                &ICE_CANDIDATE_LEVEL,
                at(&a.line),
                "candidate at session level",
            )),
            Ok(Typed::Direction(_)) => {
                directions = directions.saturating_add(1);
                if directions == 2 {
                    out.push(Finding::new(
                        &DIRECTION_SINGLE,
                        at(&a.line),
                        "a second direction attribute at session level",
                    ));
                }
            }
            _ => {}
        }
    }
    // mid uniqueness and BUNDLE references.
    let mids: Vec<(&str, Line<'_>)> = sdp
        .media()
        .flat_map(|m| {
            m.attributes()
                .filter(|a| a.name == "mid")
                .filter_map(|a| Some((a.value?, a.line)))
                .collect::<Vec<_>>()
        })
        .collect();
    // Sets keep these checks linear on inputs with thousands of sections.
    let mut seen: HashSet<&str> = HashSet::with_capacity(mids.len());
    for (mid, line) in &mids {
        if !seen.insert(mid) {
            out.push(Finding::new(
                &MID_UNIQUE,
                at(line),
                format!("mid {mid:?} is used by an earlier section"),
            ));
        }
    }
    let mut bundled: HashSet<&str> = HashSet::new();
    for a in sdp.attributes() {
        if let Ok(Typed::Group {
            semantics: "BUNDLE",
            tags,
        }) = a.typed()
        {
            for tag in tags.iter() {
                bundled.insert(tag);
                if !seen.contains(tag) {
                    out.push(Finding::new(
                        &BUNDLE_MID_EXISTS,
                        at(&a.line),
                        format!("BUNDLE names {tag:?}, which no m= section has as mid"),
                    ));
                }
            }
        }
    }
    for m in sdp.media() {
        if let Some(a) = m.attribute("bundle-only")
            && !m.mid().is_some_and(|mid| bundled.contains(&mid))
        {
            out.push(Finding::new(
                &BUNDLE_ONLY_GROUPED,
                at(&a.line),
                format!(
                    "media section {} is bundle-only but not in a BUNDLE group",
                    m.index
                ),
            ));
        }
    }
    check_ice_credentials(sdp, out);
}

fn check_ice_credentials(sdp: &Sdp<'_>, out: &mut Vec<Finding>) {
    let uses_ice = sdp
        .lines()
        .filter_map(|l| l.attribute())
        .any(|a| matches!(a.name, "ice-ufrag" | "ice-pwd" | "candidate"));
    if !uses_ice {
        return;
    }
    let mut pairs: HashMap<&str, &str> = HashMap::new();
    // Session-level values, looked up once rather than once per section.
    let session_ufrag = sdp.attribute("ice-ufrag");
    let session_pwd = sdp.attribute("ice-pwd");
    for m in sdp.media() {
        if m.is_rejected() || m.has("bundle-only") {
            continue;
        }
        let ufrag = m
            .attribute("ice-ufrag")
            .or(session_ufrag)
            .and_then(|a| a.value);
        let pwd = m.attribute("ice-pwd").or(session_pwd).and_then(|a| a.value);
        match (ufrag, pwd) {
            (Some(u), Some(p)) => {
                if pairs.get(u).is_some_and(|pp| *pp != p)
                    && let Some(l) = m
                        .attribute("ice-pwd")
                        .map(|a| a.line)
                        .or_else(|| m.m_line())
                {
                    out.push(Finding::new(
                        &ICE_UFRAG_PWD_CONSISTENT,
                        at(&l),
                        format!("ice-ufrag {u:?} is used with two different ice-pwds"),
                    ));
                }
                pairs.entry(u).or_insert(p);
            }
            _ => {
                if let Some(l) = m.m_line() {
                    out.push(Finding::new(
                        &ICE_CREDENTIALS,
                        at(&l),
                        format!("media section {} has no ice-ufrag/ice-pwd pair", m.index),
                    ));
                }
            }
        }
    }
}

pub(super) fn check(sdp: &Sdp<'_>, out: &mut Vec<Finding>) {
    check_lines(sdp, out);
    check_order(sdp, out);
    check_fixed_lines(sdp, out);
    check_session_attributes(sdp, out);
}
