//! The capture inspector: `webrtc-harness inspect call.pcapng` and vector manifests with
//! `protocol: capture` run a whole check and describe it as a field tree.

use harness_core::inspect::{Confidence, Field, InspectContext, Inspection, Inspector};

use crate::sdp::Session;
use crate::{CheckOptions, check_reader};

/// Inspects pcap and pcapng captures.
#[derive(Clone, Copy, Debug, Default)]
pub struct CaptureInspector;

const MAGICS: [[u8; 4]; 5] = [
    [0xd4, 0xc3, 0xb2, 0xa1],
    [0xa1, 0xb2, 0xc3, 0xd4],
    [0x4d, 0x3c, 0xb2, 0xa1],
    [0xa1, 0xb2, 0x3c, 0x4d],
    [0x0a, 0x0d, 0x0d, 0x0a],
];

impl Inspector for CaptureInspector {
    fn protocol(&self) -> &'static str {
        "capture"
    }

    fn detect(&self, input: &[u8]) -> Confidence {
        match input.get(..4) {
            Some(head) if MAGICS.iter().any(|m| m == head) => Confidence::Certain,
            _ => Confidence::No,
        }
    }

    fn inspect(&self, input: &[u8], context: &InspectContext) -> Inspection {
        let mut inspection = Inspection::new("capture");
        let mut options = CheckOptions {
            credentials: context.credentials.clone(),
            ..CheckOptions::default()
        };
        if let (Some(offer), Some(answer)) = (&context.offer, &context.answer) {
            match Session::parse(offer, answer) {
                Ok(s) => options.session = Some(s),
                Err(e) => {
                    inspection.error = Some(e.to_string());
                    return inspection;
                }
            }
        }
        let outcome = match check_reader(input, &options) {
            Ok(o) => o,
            Err(e) => {
                inspection.error = Some(e.to_string());
                return inspection;
            }
        };
        let s = &outcome.summary;
        inspection.parsed = outcome.capture_error.is_none();
        inspection.error = outcome.capture_error.map(|e| e.to_string());
        inspection.fields.push(Field::uint("frames", s.frames));
        inspection.fields.push(Field::uint("payloads", s.payloads));
        inspection.fields.push(Field::group(
            "flows",
            s.flows
                .iter()
                .map(|f| {
                    Field::text(
                        format!("flow_{}", f.id),
                        format!("{} {} <-> {}", f.transport, f.a, f.b),
                    )
                    .with_children(
                        f.kinds
                            .iter()
                            .map(|(k, n)| Field::uint(k.replace('-', "_"), *n))
                            .collect(),
                    )
                })
                .collect(),
        ));
        inspection.fields.push(Field::group(
            "messages",
            s.messages
                .iter()
                .map(|(name, n)| Field::uint(name.replace(' ', "_"), *n))
                .collect(),
        ));
        for d in &s.dtls {
            if d.fingerprint != "absent" {
                inspection
                    .verdicts
                    .push(("fingerprint", d.fingerprint.into()));
            }
        }
        inspection.findings = outcome.findings.into_iter().map(|(_, f)| f).collect();
        inspection
    }
}

static INSPECTOR: CaptureInspector = CaptureInspector;

/// The capture inspector.
#[must_use]
pub fn inspector() -> &'static dyn Inspector {
    &INSPECTOR
}
