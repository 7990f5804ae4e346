//! `webrtc-harness inspect` for SDP: detection, a field tree, findings.
//!
//! Detection: text whose first line is `v=` is SDP for certain; a UTF-8 byte order mark or
//! blank lines before it are tolerated (and reported by `sdp.syntax.start`).
//!
//! When the [`InspectContext`] carries the other side of an exchange (`offer` or `answer`),
//! the input is judged as the missing side with [`crate::check_offer_answer_bytes`];
//! otherwise on its own with [`crate::validate`].

use std::borrow::Cow;

use harness_core::inspect::{Confidence, Field, FieldValue, InspectContext, Inspection, Inspector};

use crate::attr::{Attribute, Typed};
use crate::rules::{check, check_offer_answer_bytes};
use crate::view::{BOM, LineEnding, Media, Sdp};

/// The SDP inspector (see [`crate::inspector`]).
#[derive(Clone, Copy, Debug, Default)]
pub struct SdpInspector;

fn text(b: &[u8]) -> Cow<'static, str> {
    Cow::Owned(String::from_utf8_lossy(b).into_owned())
}

fn attribute_field(a: &Attribute<'_>) -> Field {
    let span = (a.line.span.start, a.line.span.len());
    let mut f = match a.value {
        Some(v) => Field::text(a.name.to_string(), v.to_string()),
        None => Field::new(a.name.to_string(), FieldValue::Bool(true)),
    }
    .at(span.0, span.1);
    if let Ok(Typed::Candidate(c)) = a.typed() {
        let mut kids = vec![
            Field::text("foundation", c.foundation.to_string()),
            Field::uint("component", u64::from(c.component)),
            Field::text("transport", c.transport.to_string()),
            Field::uint("priority", c.priority),
            Field::text("address", c.address.to_string()),
            Field::uint("port", u64::from(c.port)),
            Field::text("type", c.kind.to_string()),
        ];
        if let Some(r) = c.related_address {
            kids.push(Field::text("raddr", r.to_string()));
        }
        if let Some(p) = c.related_port {
            kids.push(Field::uint("rport", u64::from(p)));
        }
        for (n, v) in c.extension_pairs() {
            kids.push(Field::text(n.to_string(), v.to_string()));
        }
        f.children = kids;
    }
    f
}

fn media_field(m: &Media<'_, '_>) -> Field {
    let mut kids = Vec::new();
    if let Some(Ok(ml)) = m.media_line() {
        kids.push(Field::text("media", ml.media.to_string()));
        kids.push(Field::text("port", ml.port_text.to_string()));
        kids.push(Field::text("proto", ml.proto.to_string()));
        kids.push(Field::text("formats", ml.formats.to_string()));
    }
    if let Some(c) = m.line_of(b'c') {
        kids.push(Field::text("connection", text(c.value())).at(c.span.start, c.span.len()));
    }
    kids.push(Field::group(
        "attributes",
        m.attributes().map(|a| attribute_field(&a)).collect(),
    ));
    let mut f = Field::group(format!("media[{}]", m.index), kids);
    if let (Some(first), Some(last)) = (m.m_line(), m.lines().last()) {
        f = f.at(
            first.span.start,
            last.span.end.saturating_sub(first.span.start),
        );
    }
    f
}

/// The field tree of a parsed SDP.
#[must_use]
pub fn fields(sdp: &Sdp<'_>) -> Vec<Field> {
    let mut out = Vec::new();
    if let Some(v) = sdp.session_line(b'v') {
        out.push(Field::text("version", text(v.value())).at(v.span.start, v.span.len()));
    }
    if let Some(o) = sdp.session_line(b'o') {
        let mut f = Field::text("origin", text(o.value())).at(o.span.start, o.span.len());
        if let Ok(origin) = crate::fields::Origin::parse(o.value()) {
            f.children = vec![
                Field::text("username", origin.username.to_string()),
                Field::text("session_id", origin.session_id.to_string()),
                Field::text("session_version", origin.session_version.to_string()),
                Field::text(
                    "address",
                    format!("{} {} {}", origin.nettype, origin.addrtype, origin.address),
                ),
            ];
        }
        out.push(f);
    }
    if let Some(s) = sdp.session_line(b's') {
        out.push(Field::text("session_name", text(s.value())).at(s.span.start, s.span.len()));
    }
    if let Some(t) = sdp.session_line(b't') {
        out.push(Field::text("timing", text(t.value())).at(t.span.start, t.span.len()));
    }
    out.push(Field::group(
        "session_attributes",
        sdp.attributes().map(|a| attribute_field(&a)).collect(),
    ));
    out.push(Field::uint(
        "lines",
        u64::try_from(sdp.line_count()).unwrap_or(u64::MAX),
    ));
    out.push(Field::group(
        "media",
        sdp.media().map(|m| media_field(&m)).collect(),
    ));
    out
}

fn line_endings(sdp: &Sdp<'_>) -> &'static str {
    let crlf = sdp.spans().iter().any(|s| s.ending == LineEnding::CrLf);
    let lf = sdp.spans().iter().any(|s| s.ending == LineEnding::Lf);
    match (crlf, lf) {
        (true, true) => "mixed",
        (false, true) => "lf",
        _ => "crlf",
    }
}

impl Inspector for SdpInspector {
    fn protocol(&self) -> &'static str {
        "sdp"
    }

    fn detect(&self, input: &[u8]) -> Confidence {
        let rest = input.strip_prefix(BOM).unwrap_or(input);
        let start = rest
            .iter()
            .position(|b| !matches!(b, b'\r' | b'\n' | b' ' | b'\t'))
            .unwrap_or(rest.len());
        match rest.get(start..) {
            Some([b'v', b'=', d, ..]) if d.is_ascii_digit() => Confidence::Certain,
            Some([b'v', b'=', ..]) => Confidence::Maybe,
            _ => Confidence::No,
        }
    }

    fn inspect(&self, input: &[u8], context: &InspectContext) -> Inspection {
        let mut out = Inspection::new("sdp");
        let sdp = match Sdp::parse(input) {
            Ok(s) => s,
            Err(e) => {
                out.error = Some(e.to_string());
                return out;
            }
        };
        out.parsed = true;
        out.fields = fields(&sdp);
        out.findings = match (&context.offer, &context.answer) {
            (Some(offer), _) => check_offer_answer_bytes(offer.as_bytes(), input),
            (None, Some(answer)) => check_offer_answer_bytes(input, answer.as_bytes()),
            (None, None) => check(&sdp),
        };
        out.verdicts
            .push(("line_endings", Cow::Borrowed(line_endings(&sdp))));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_sdp_with_bom_or_blank_lines() {
        let i = SdpInspector;
        assert_eq!(i.detect(b"v=0\r\n"), Confidence::Certain);
        assert_eq!(i.detect(b"\xEF\xBB\xBF\nv=0\n"), Confidence::Certain);
        assert_eq!(i.detect(b"\x00\x01"), Confidence::No);
        assert_eq!(i.detect(b""), Confidence::No);
    }

    #[test]
    fn inspection_lists_media_and_flags_a_leading_blank_line() {
        let input = b"\nv=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\nc=IN IP4 0.0.0.0\r\n";
        let r = SdpInspector.inspect(input, &InspectContext::default());
        assert!(r.parsed);
        assert!(r.findings.iter().any(|f| f.rule.id == "sdp.syntax.start"));
        let media = r.fields.iter().find(|f| f.name == "media").unwrap();
        assert_eq!(media.children.len(), 1);
        assert_eq!(r.verdict("line_endings"), Some("mixed"));
    }
}
