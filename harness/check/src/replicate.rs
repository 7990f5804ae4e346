//! Large captures built from real ones, for throughput measurements and memory-bound tests.
//!
//! [`replicate`] reads real captures and writes their Ethernet frames again and again into
//! one legacy pcap, until the output reaches a target size. Each replica shifts the UDP/TCP
//! ports of its frames (so replicas are new flows, not retransmissions of the first) and its
//! timestamps (so time only moves forward). Payloads are untouched, so every STUN message
//! keeps its FINGERPRINT and every DTLS record its framing.

use harness_capture::{FrameReader, Limits};

/// Ethernet link type.
const ETHERNET: i32 = 1;

struct Source {
    frames: Vec<(u64, Vec<u8>)>,
    span_ns: u64,
}

fn load(bytes: &[u8]) -> Option<Source> {
    let mut reader = FrameReader::new(bytes, Limits::default()).ok()?;
    let mut frames = Vec::new();
    let _ = reader.for_each_frame(|f| {
        if f.linktype == ETHERNET {
            frames.push((f.time_ns, f.data.to_vec()));
        }
    });
    let first = frames.iter().map(|(t, _)| *t).min()?;
    let last = frames.iter().map(|(t, _)| *t).max()?;
    for (t, _) in &mut frames {
        *t = t.saturating_sub(first);
    }
    Some(Source {
        frames,
        span_ns: last.saturating_sub(first),
    })
}

/// Offset of the transport header in an Ethernet frame carrying IPv4 or IPv6 UDP/TCP.
fn transport_offset(frame: &[u8]) -> Option<usize> {
    let ethertype = u16::from_be_bytes([*frame.get(12)?, *frame.get(13)?]);
    match ethertype {
        0x0800 => {
            let ihl = usize::from(frame.get(14)? & 0x0f) * 4;
            matches!(frame.get(23)?, 6 | 17).then_some(14 + ihl)
        }
        0x86dd => matches!(frame.get(20)?, 6 | 17).then_some(54),
        _ => None,
    }
}

#[allow(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "offsets checked by `get_mut` before use"
)]
fn shift_ports(frame: &mut [u8], shift: u16) {
    let Some(at) = transport_offset(frame) else {
        return;
    };
    for port_at in [at, at + 2] {
        if let Some(bytes) = frame.get_mut(port_at..port_at + 2) {
            let port = u16::from_be_bytes([bytes[0], bytes[1]]);
            // Keep well-known TURN ports (they mark TURN flows); move the others.
            let moved = if (3478..=3481).contains(&port) || port < 1024 {
                port
            } else {
                port.wrapping_add(shift)
            };
            bytes.copy_from_slice(&moved.to_be_bytes());
        }
    }
}

/// Builds a legacy pcap of at least `target_bytes` from the Ethernet frames of `captures`.
#[must_use]
#[allow(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "test-data generator over inputs it validated"
)]
pub fn replicate(captures: &[&[u8]], target_bytes: usize) -> Vec<u8> {
    let sources: Vec<Source> = captures.iter().filter_map(|c| load(c)).collect();
    let mut out = Vec::with_capacity(target_bytes + (1 << 16));
    out.extend_from_slice(&[0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    out.extend_from_slice(&262_144u32.to_le_bytes());
    out.extend_from_slice(&1u32.to_le_bytes());
    if sources.iter().all(|s| s.frames.is_empty()) {
        return out;
    }
    let mut base_ns: u64 = 1_700_000_000_000_000_000;
    let mut replica: u32 = 0;
    while out.len() < target_bytes {
        let shift = u16::try_from(replica % 512).unwrap_or(0) * 97;
        for source in &sources {
            for (t, data) in &source.frames {
                let mut frame = data.clone();
                shift_ports(&mut frame, shift);
                let time = base_ns + t;
                let secs = u32::try_from(time / 1_000_000_000).unwrap_or(u32::MAX);
                let micros = u32::try_from((time % 1_000_000_000) / 1000).unwrap_or(0);
                let len = u32::try_from(frame.len()).unwrap_or(u32::MAX);
                out.extend_from_slice(&secs.to_le_bytes());
                out.extend_from_slice(&micros.to_le_bytes());
                out.extend_from_slice(&len.to_le_bytes());
                out.extend_from_slice(&len.to_le_bytes());
                out.extend_from_slice(&frame);
            }
            base_ns += source.span_ns + 1_000_000_000;
        }
        replica += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replicas_grow_the_capture_and_keep_it_readable() {
        let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../vectors/captures/zeek/webrtc-stun.pcap");
        let bytes = std::fs::read(file).unwrap();
        let big = replicate(&[&bytes], 100_000);
        assert!(big.len() >= 100_000);
        let outcome = crate::check_reader(big.as_slice(), &crate::CheckOptions::default()).unwrap();
        assert!(outcome.capture_error.is_none());
        // Shifted ports make new flows; payloads are intact so no STUN message breaks.
        assert!(outcome.summary.flows.len() > 10);
        assert_eq!(
            outcome.summary.violations_of("stun.fingerprint.mismatch"),
            0
        );
    }
}
