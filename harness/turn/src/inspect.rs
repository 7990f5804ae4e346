//! The TURN inspector: ChannelData messages and STUN messages of TURN methods.

use std::borrow::Cow;

use harness_core::endpoint::Transport;
use harness_core::inspect::{Confidence, Field, FieldValue, InspectContext, Inspection, Inspector};

use crate::channeldata::{self, ChannelData};
use crate::rules::check_message;
use crate::stun::{Message, method};

/// Inspects TURN messages.
#[derive(Clone, Copy, Debug, Default)]
pub struct TurnInspector;

fn is_turn_method(m: u16) -> bool {
    matches!(
        m,
        method::ALLOCATE
            | method::REFRESH
            | method::SEND
            | method::DATA
            | method::CREATE_PERMISSION
            | method::CHANNEL_BIND
    )
}

fn method_name(m: u16) -> &'static str {
    match m {
        method::ALLOCATE => "Allocate",
        method::REFRESH => "Refresh",
        method::SEND => "Send",
        method::DATA => "Data",
        method::CREATE_PERMISSION => "CreatePermission",
        method::CHANNEL_BIND => "ChannelBind",
        _ => "other",
    }
}

impl Inspector for TurnInspector {
    fn protocol(&self) -> &'static str {
        "turn"
    }

    fn detect(&self, input: &[u8]) -> Confidence {
        if channeldata::is_channel_data(input) {
            return match ChannelData::parse(input, false) {
                Ok(_) => Confidence::Maybe,
                Err(_) => Confidence::No,
            };
        }
        match Message::parse(input) {
            Ok(m) if is_turn_method(m.method()) => Confidence::Certain,
            _ => Confidence::No,
        }
    }

    fn inspect(&self, input: &[u8], _context: &InspectContext) -> Inspection {
        let mut out = Inspection::new("turn");
        if channeldata::is_channel_data(input) {
            match ChannelData::parse(input, false) {
                Ok(cd) => {
                    out.parsed = true;
                    out.fields.push(Field::group(
                        "channel_data",
                        vec![
                            Field::new("channel_number", FieldValue::Hex(u64::from(cd.number)))
                                .at(0, 2),
                            Field::uint("length", cd.data.len() as u64).at(2, 2),
                            Field::new("data", FieldValue::Bytes(cd.data.to_vec()))
                                .at(4, cd.data.len()),
                        ],
                    ));
                }
                Err(e) => out.error = Some(e.to_string()),
            }
        } else {
            match Message::parse(input) {
                Ok(m) => {
                    out.parsed = true;
                    let attrs = m
                        .attributes()
                        .iter()
                        .map(|a| {
                            Field::new("attribute", FieldValue::Hex(u64::from(a.typ)))
                                .at(a.offset, a.value.len().saturating_add(4))
                        })
                        .collect();
                    out.fields.push(Field::group(
                        "turn",
                        vec![
                            Field::text("method", Cow::Borrowed(method_name(m.method()))),
                            Field::text("class", format!("{:?}", m.class())),
                            Field::group("attributes", attrs),
                        ],
                    ));
                }
                Err(e) => out.error = Some(e.to_string()),
            }
        }
        out.findings = check_message(input, Transport::Udp);
        out
    }
}

static INSPECTOR: TurnInspector = TurnInspector;

/// The TURN inspector.
#[must_use]
pub fn inspector() -> &'static dyn Inspector {
    &INSPECTOR
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stun::{Class, MessageBuilder};

    #[test]
    fn inspects_channel_data_and_flags_reserved_numbers() {
        let i = inspector();
        let bytes = channeldata::encode(0x5001, b"hi", false);
        assert_eq!(i.detect(&bytes), Confidence::Maybe);
        let r = i.inspect(&bytes, &InspectContext::default());
        assert!(r.parsed);
        assert!(
            r.findings
                .iter()
                .any(|f| f.rule.id == "turn.channeldata.number-range")
        );
    }

    #[test]
    fn claims_turn_methods_only() {
        let alloc = MessageBuilder::new(method::ALLOCATE, Class::Request, [1; 12]).build();
        let binding = MessageBuilder::new(method::BINDING, Class::Request, [1; 12]).build();
        assert_eq!(inspector().detect(&alloc), Confidence::Certain);
        assert_eq!(inspector().detect(&binding), Confidence::No);
        let r = inspector().inspect(&alloc, &InspectContext::default());
        assert!(
            r.findings
                .iter()
                .any(|f| f.rule.id == "turn.allocate.requested-transport")
        );
    }
}
