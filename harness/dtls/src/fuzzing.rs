//! Fuzzing bodies. The cargo-fuzz targets in `fuzz/` are thin shims over these; ordinary
//! `cargo test` runs them over the seeds and regressions.
//!
//! Invariants checked (a failed check panics, which the fuzzer reports):
//! * `fuzz_record`: framing never panics; framed records tile the datagram up to the first
//!   error; a DTLSPlaintext record re-emitted from its fields gives back its bytes; the
//!   dissector, validators and inspector accept anything.
//! * `fuzz_reassembly_input`: memory stays within the limits; a completed message equals,
//!   byte for byte, what the accepted fragments carried.
#![allow(
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "fuzz bodies state invariants with assertions; indices come from checked lengths"
)]

use arbitrary::{Arbitrary, Unstructured};

use crate::build::{handshake_fragment, plaintext_record};
use crate::codes::HandshakeType;
use crate::handshake::parse_fragment;
use crate::reassembly::{FeedOutcome, Limits, Reassembler};
use crate::record::{Record, RecordContext, records};

/// Frames `data` as a datagram (without and with a connection id length taken from the
/// first byte) and checks the framing invariants.
pub fn fuzz_record(data: &[u8]) {
    let cid = data.first().map(|b| usize::from(b % 5));
    for context in [RecordContext::default(), RecordContext { cid_len: cid }] {
        let mut end = 0usize;
        for r in records(data, context) {
            let Ok(r) = r else { break };
            assert_eq!(r.offset(), end, "records tile the datagram");
            end += r.wire_len();
            assert!(end <= data.len());
            if let Record::Plaintext(p) = r {
                let mut again = plaintext_record(
                    p.content_type,
                    p.version.0,
                    p.epoch,
                    p.sequence_number,
                    p.fragment,
                );
                if let Some(cid) = p.connection_id {
                    // The CID sits before the length: splice it in.
                    let tail = again.split_off(11);
                    again.extend_from_slice(cid);
                    again.extend_from_slice(&tail);
                }
                assert_eq!(&again[..], &data[p.offset..p.offset + r.wire_len()]);
            }
        }
        let diss = crate::datagram::dissect(data, context);
        let _ = crate::rules::check_datagram(&diss, true);
    }
    let _ = crate::inspector().inspect(data, &harness_core::inspect::InspectContext::default());
    let mut obs = crate::observer::Observer::default();
    obs.datagram(0, None, data);
}

/// Small limits chosen by the fuzzer, so that every bound is reachable.
#[derive(Clone, Copy, Debug, Arbitrary)]
pub struct FuzzLimits {
    /// `max_message_len` (bytes).
    pub max_message_len: u16,
    /// `max_fragments_per_message`.
    pub max_fragments: u8,
    /// `max_memory` (bytes).
    pub max_memory: u16,
    /// `window`.
    pub window: u8,
}

/// One fragment to feed.
#[derive(Clone, Copy, Debug, Arbitrary)]
pub struct FragmentOp {
    /// Which true message (index into `messages`, modulo their number).
    pub message: u8,
    /// Fragment offset inside it.
    pub offset: u16,
    /// Fragment length.
    pub len: u16,
    /// A corruption: `None` sends true bytes; otherwise XOR every byte with it.
    pub flip: Option<u8>,
    /// Lie about the message length by this much (0 = truthful).
    pub length_delta: i8,
}

/// A structured reassembly input: true messages and the fragments sent of them.
#[derive(Clone, Debug, Arbitrary)]
pub struct ReassemblyInput {
    /// Limits of the reassembler.
    pub limits: FuzzLimits,
    /// Message bodies; message `i` has message_seq `i`.
    pub messages: Vec<Vec<u8>>,
    /// Fragments, in arrival order.
    pub ops: Vec<FragmentOp>,
}

/// Decodes a [`ReassemblyInput`] from raw bytes and runs it.
pub fn fuzz_reassembly(data: &[u8]) {
    if let Ok(input) = ReassemblyInput::arbitrary(&mut Unstructured::new(data)) {
        fuzz_reassembly_input(&input);
    }
}

/// Feeds the fragments and checks the invariants.
pub fn fuzz_reassembly_input(input: &ReassemblyInput) {
    let limits = Limits {
        max_message_len: u32::from(input.limits.max_message_len),
        max_fragments_per_message: u32::from(input.limits.max_fragments),
        max_memory: usize::from(input.limits.max_memory),
        window: u16::from(input.limits.window),
    };
    let mut r = Reassembler::new(limits);
    let count = input.messages.len().min(64);
    if count == 0 {
        return;
    }
    // What accepted fragments carried, per message: first writer wins, as in the reassembler.
    let mut shadow: Vec<Vec<Option<u8>>> = Vec::new();
    let mut shadow_len: Vec<Option<usize>> = vec![None; count];
    for op in input.ops.iter().take(512) {
        let index = usize::from(op.message) % count;
        let truth = &input.messages[index];
        let seq = u16::try_from(index).unwrap_or(u16::MAX);
        let mut bytes = handshake_fragment(
            HandshakeType::CERTIFICATE,
            seq,
            truth,
            usize::from(op.offset),
            usize::from(op.len),
        );
        let claimed = i64::try_from(truth.len()).unwrap_or(0) + i64::from(op.length_delta);
        let claimed = u32::try_from(claimed.clamp(0, 0x00ff_ffff)).unwrap_or(0);
        bytes[1..4].copy_from_slice(&claimed.to_be_bytes()[1..]);
        if let Some(x) = op.flip {
            for b in &mut bytes[12..] {
                *b ^= x;
            }
        }
        let Ok(frag) = parse_fragment(&bytes, 0) else {
            panic!("built fragment must parse")
        };
        let outcome = r.feed(&frag);
        assert!(r.memory() <= limits.max_memory, "memory bound");
        if let FeedOutcome::Accepted { .. } = outcome {
            let len = usize::try_from(frag.length).unwrap_or(0);
            if shadow.len() < count {
                shadow.resize(count, Vec::new());
            }
            if shadow_len[index].is_none() {
                shadow_len[index] = Some(len);
                shadow[index] = vec![None; len];
            }
            assert_eq!(
                shadow_len[index],
                Some(len),
                "accepted fragments agree on length"
            );
            let start = usize::try_from(frag.fragment_offset).unwrap_or(0);
            for (i, b) in frag.body.iter().enumerate() {
                let slot = &mut shadow[index][start + i];
                if slot.is_none() {
                    *slot = Some(*b);
                }
                assert_eq!(*slot, Some(*b), "accepted overlap carries the same byte");
            }
        }
        while let Some(m) = r.next_ready() {
            let i = usize::from(m.message_seq);
            let expected: Vec<u8> = shadow[i].iter().map(|b| b.unwrap_or(0)).collect();
            assert!(
                shadow[i].iter().all(Option::is_some),
                "complete means every byte held"
            );
            assert_eq!(
                m.body, expected,
                "completed message equals the bytes carried"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_hold_on_hand_made_inputs() {
        fuzz_record(&[]);
        fuzz_record(&[22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0x3f, 1, 2]);
        fuzz_record(&[25, 0xfe, 0xfd, 0, 1, 0, 0, 0, 0, 0, 0, 2, 9, 9, 0, 1, 7]);
        fuzz_reassembly(&[0xff; 64]);
        fuzz_reassembly_input(&ReassemblyInput {
            limits: FuzzLimits {
                max_message_len: 100,
                max_fragments: 8,
                max_memory: 300,
                window: 4,
            },
            messages: vec![b"hello world".to_vec(), vec![]],
            ops: vec![
                FragmentOp {
                    message: 0,
                    offset: 6,
                    len: 5,
                    flip: None,
                    length_delta: 0,
                },
                FragmentOp {
                    message: 0,
                    offset: 0,
                    len: 7,
                    flip: Some(1),
                    length_delta: 0,
                },
                FragmentOp {
                    message: 0,
                    offset: 0,
                    len: 6,
                    flip: None,
                    length_delta: 0,
                },
                FragmentOp {
                    message: 1,
                    offset: 0,
                    len: 0,
                    flip: None,
                    length_delta: 0,
                },
            ],
        });
    }
}
