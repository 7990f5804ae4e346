//! The demux inspector: which protocol a datagram is, with the minimal header views.

use harness_core::inspect::{Confidence, Field, FieldValue, InspectContext, Inspection, Inspector};

use crate::{Class, TurnSource, classify};

/// Names the protocol of a datagram by RFC 7983 §7 / RFC 9443 §3 (source unknown).
#[derive(Clone, Copy, Debug, Default)]
pub struct DemuxInspector;

static INSPECTOR: DemuxInspector = DemuxInspector;

/// The demux inspector. It only ever says [`Confidence::Maybe`]: a protocol's own
/// inspector knows better; this one tells which to ask.
#[must_use]
pub fn inspector() -> &'static dyn Inspector {
    &INSPECTOR
}

impl Inspector for DemuxInspector {
    fn protocol(&self) -> &'static str {
        "demux"
    }

    fn detect(&self, input: &[u8]) -> Confidence {
        match classify(input, TurnSource::Unknown) {
            Class::Drop => Confidence::No,
            _ => Confidence::Maybe,
        }
    }

    fn inspect(&self, input: &[u8], _context: &InspectContext) -> Inspection {
        let mut out = Inspection::new("demux");
        let class = classify(input, TurnSource::Unknown);
        out.parsed = class != Class::Drop;
        if class == Class::Drop {
            out.error = Some("first byte in no known range (RFC 9443 §3: drop)".to_string());
        }
        let mut fields = vec![Field::text("class", class.name())];
        if let Some(&b) = input.first() {
            fields.push(Field::uint("first_byte", u64::from(b)).at(0, 1));
        }
        match class {
            Class::Stun(Some(v)) => fields.extend([
                Field::new("message_type", FieldValue::Hex(u64::from(v.message_type))),
                Field::uint("length", u64::from(v.length)),
                Field::new("magic_cookie", FieldValue::Bool(v.magic_cookie)),
            ]),
            Class::TurnChannel(Some(v)) | Class::TurnChannelOrQuic(Some(v)) => fields.extend([
                Field::new("channel", FieldValue::Hex(u64::from(v.channel))),
                Field::uint("length", u64::from(v.length)),
            ]),
            Class::Rtp(Some(v)) => fields.extend([
                Field::uint("version", u64::from(v.version)),
                Field::new("marker", FieldValue::Bool(v.marker)),
                Field::uint("payload_type", u64::from(v.payload_type)),
                Field::uint("sequence_number", u64::from(v.sequence_number)),
                Field::uint("timestamp", u64::from(v.timestamp)),
                Field::new("ssrc", FieldValue::Hex(u64::from(v.ssrc))),
            ]),
            Class::Rtcp(Some(v)) => fields.extend([
                Field::uint("version", u64::from(v.version)),
                Field::uint("packet_type", u64::from(v.packet_type)),
                Field::uint("length_words", u64::from(v.length_words)),
                Field::new("ssrc", FieldValue::Hex(u64::from(v.ssrc))),
                Field::uint("compound_packets", v.compound_packets as u64),
            ]),
            _ => {}
        }
        out.fields = fields;
        out
    }
}
