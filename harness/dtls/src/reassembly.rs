//! Bounded reassembly of fragmented handshake messages (RFC 6347 §4.2.3, RFC 9147 §5.5).
//!
//! A [`Reassembler`] takes the fragments one direction of a handshake sends, in arrival order,
//! and hands out complete messages in `message_seq` order through
//! [`Reassembler::next_ready`]. Every fragment gets a [`FeedOutcome`]; inconsistent input is a
//! typed [`Problem`], never a panic, and never grows memory past [`Limits`]:
//!
//! * `max_message_len`: the largest message it will buffer;
//! * `max_fragments_per_message`: how many fragments (duplicates included) one message may
//!   take, which ends endless fragment streams;
//! * `max_memory`: bytes buffered per handshake, pending and retained messages together;
//! * `window`: how far ahead of the next expected `message_seq` a message may be.
//!
//! Messages already delivered are remembered (their bytes, while memory allows), so that a
//! retransmission is recognised and a retransmission with different bytes is reported.

use core::fmt;

use crate::codes::HandshakeType;
use crate::handshake::HandshakeFragment;

/// The bounds of one reassembler.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest message length accepted (bytes).
    pub max_message_len: u32,
    /// Most fragments, duplicates included, that one message may take.
    pub max_fragments_per_message: u32,
    /// Most bytes buffered for the handshake (pending plus retained messages).
    pub max_memory: usize,
    /// How far past the next expected `message_seq` a message is still buffered.
    pub window: u16,
}

impl Default for Limits {
    /// 128 KiB messages, 256 fragments per message, 512 KiB per handshake, a window of 16.
    fn default() -> Self {
        Self {
            max_message_len: 128 * 1024,
            max_fragments_per_message: 256,
            max_memory: 512 * 1024,
            window: 16,
        }
    }
}

/// Where the first expected `message_seq` comes from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Start {
    /// Zero, as for an endpoint (RFC 6347 §4.2.2: the first message has message_seq 0).
    #[default]
    Zero,
    /// The first fragment seen, as for an observer that may join a handshake late.
    FirstSeen,
}

/// A fragment the reassembler would not take as it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Problem {
    /// A fragment's `length` disagrees with earlier fragments of the same message.
    LengthMismatch {
        /// The message.
        message_seq: u16,
        /// Length first seen.
        expected: u32,
        /// Length of this fragment.
        found: u32,
    },
    /// A fragment's `msg_type` disagrees with earlier fragments of the same message.
    TypeMismatch {
        /// The message.
        message_seq: u16,
        /// Type first seen.
        expected: HandshakeType,
        /// Type of this fragment.
        found: HandshakeType,
    },
    /// `fragment_offset + fragment_length` exceeds the message length.
    FragmentBeyondLength {
        /// The message.
        message_seq: u16,
    },
    /// Overlapping bytes differ from the ones already held.
    OverlapDiffers {
        /// The message.
        message_seq: u16,
        /// First differing byte, as an offset in the message.
        at: u32,
    },
    /// A retransmission of a delivered message carries different bytes.
    RetransmissionDiffers {
        /// The message.
        message_seq: u16,
    },
    /// A fragment of a non-empty message carries no bytes.
    ZeroLengthFragment {
        /// The message.
        message_seq: u16,
    },
    /// The message took more fragments than allowed (an endless fragment stream).
    TooManyFragments {
        /// The message.
        message_seq: u16,
    },
    /// The message is longer than `max_message_len`.
    MessageTooLarge {
        /// The message.
        message_seq: u16,
        /// Its declared length.
        length: u32,
    },
    /// Buffering the message would exceed `max_memory`.
    MemoryExceeded {
        /// The message.
        message_seq: u16,
    },
    /// `message_seq` is beyond the window of the next expected message.
    OutsideWindow {
        /// The message.
        message_seq: u16,
        /// The next expected message_seq.
        next_expected: u16,
    },
}

impl Problem {
    /// The message the problem concerns.
    #[must_use]
    pub const fn message_seq(&self) -> u16 {
        match *self {
            Self::LengthMismatch { message_seq, .. }
            | Self::TypeMismatch { message_seq, .. }
            | Self::FragmentBeyondLength { message_seq }
            | Self::OverlapDiffers { message_seq, .. }
            | Self::RetransmissionDiffers { message_seq }
            | Self::ZeroLengthFragment { message_seq }
            | Self::TooManyFragments { message_seq }
            | Self::MessageTooLarge { message_seq, .. }
            | Self::MemoryExceeded { message_seq }
            | Self::OutsideWindow { message_seq, .. } => message_seq,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::LengthMismatch {
                message_seq,
                expected,
                found,
            } => write!(
                f,
                "message_seq {message_seq}: fragment says length {found}, earlier {expected}"
            ),
            Self::TypeMismatch {
                message_seq,
                expected,
                found,
            } => write!(
                f,
                "message_seq {message_seq}: fragment says {found}, earlier {expected}"
            ),
            Self::FragmentBeyondLength { message_seq } => write!(
                f,
                "message_seq {message_seq}: fragment runs past the message length"
            ),
            Self::OverlapDiffers { message_seq, at } => write!(
                f,
                "message_seq {message_seq}: overlapping fragment changes byte {at}"
            ),
            Self::RetransmissionDiffers { message_seq } => write!(
                f,
                "message_seq {message_seq}: retransmission differs from the message delivered"
            ),
            Self::ZeroLengthFragment { message_seq } => write!(
                f,
                "message_seq {message_seq}: zero-length fragment of a non-empty message"
            ),
            Self::TooManyFragments { message_seq } => {
                write!(f, "message_seq {message_seq}: too many fragments")
            }
            Self::MessageTooLarge {
                message_seq,
                length,
            } => write!(
                f,
                "message_seq {message_seq}: length {length} above the reassembly limit"
            ),
            Self::MemoryExceeded { message_seq } => write!(
                f,
                "message_seq {message_seq}: handshake memory limit reached"
            ),
            Self::OutsideWindow {
                message_seq,
                next_expected,
            } => write!(
                f,
                "message_seq {message_seq} outside the window after {next_expected}"
            ),
        }
    }
}

/// What one fragment did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FeedOutcome {
    /// Buffered; `complete` when the message now has all its bytes.
    Accepted {
        /// The message.
        message_seq: u16,
        /// Whether every byte is now present.
        complete: bool,
    },
    /// A fragment of a message already delivered, with the same bytes.
    Retransmission {
        /// The message.
        message_seq: u16,
    },
    /// Not taken.
    Problem(Problem),
}

/// A complete handshake message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// Type.
    pub msg_type: HandshakeType,
    /// Sequence number.
    pub message_seq: u16,
    /// The body (the message without the 12-byte DTLS header).
    pub body: Vec<u8>,
    /// How many fragments carried it (duplicates included).
    pub fragments: u32,
}

#[derive(Clone, Debug)]
struct Pending {
    msg_type: HandshakeType,
    message_seq: u16,
    length: u32,
    body: Vec<u8>,
    /// Sorted, disjoint, non-adjacent byte ranges held: `(start, end)`.
    have: Vec<(u32, u32)>,
    fragments: u32,
}

impl Pending {
    /// Every byte held, by at least one accepted fragment (an empty message needs one too).
    fn complete(&self) -> bool {
        self.fragments > 0 && (self.length == 0 || self.have.first() == Some(&(0, self.length)))
    }

    fn held(&self, start: u32, end: u32) -> impl Iterator<Item = (u32, u32)> + '_ {
        self.have
            .iter()
            .filter(move |&&(s, e)| s < end && start < e)
            .map(move |&(s, e)| (s.max(start), e.min(end)))
    }

    fn insert_range(&mut self, start: u32, end: u32) {
        let mut merged = (start, end);
        self.have.retain(|&(s, e)| {
            if s <= merged.1 && merged.0 <= e {
                merged = (merged.0.min(s), merged.1.max(e));
                false
            } else {
                true
            }
        });
        let at = self.have.partition_point(|&(s, _)| s < merged.0);
        self.have.insert(at, merged);
    }
}

#[derive(Clone, Debug)]
struct Delivered {
    msg_type: HandshakeType,
    message_seq: u16,
    length: u32,
    /// The body, while memory allows keeping it.
    body: Option<Vec<u8>>,
}

/// Reassembles one direction of one handshake. See the module documentation.
#[derive(Clone, Debug)]
pub struct Reassembler {
    limits: Limits,
    start: Start,
    next_expected: Option<u16>,
    pending: Vec<Pending>,
    delivered: Vec<Delivered>,
    memory: usize,
}

impl Reassembler {
    /// A reassembler with these limits, expecting message_seq 0 first.
    #[must_use]
    pub const fn new(limits: Limits) -> Self {
        Self::with_start(limits, Start::Zero)
    }

    /// A reassembler with these limits and this idea of the first message_seq.
    #[must_use]
    pub const fn with_start(limits: Limits, start: Start) -> Self {
        Self {
            limits,
            start,
            next_expected: match start {
                Start::Zero => Some(0),
                Start::FirstSeen => None,
            },
            pending: Vec::new(),
            delivered: Vec::new(),
            memory: 0,
        }
    }

    /// The limits.
    #[must_use]
    pub const fn limits(&self) -> Limits {
        self.limits
    }

    /// Bytes buffered now (pending and retained), never above `limits().max_memory`.
    #[must_use]
    pub const fn memory(&self) -> usize {
        self.memory
    }

    /// The next message_seq to be delivered, once known.
    #[must_use]
    pub const fn next_expected(&self) -> Option<u16> {
        self.next_expected
    }

    /// Messages still incomplete or waiting for an earlier one: `(message_seq, bytes held, length)`.
    #[must_use]
    pub fn pending(&self) -> Vec<(u16, u32, u32)> {
        self.pending
            .iter()
            .map(|p| {
                let held = p.have.iter().map(|&(s, e)| e.saturating_sub(s)).sum();
                (p.message_seq, held, p.length)
            })
            .collect()
    }

    /// Takes one fragment. Call [`Self::next_ready`] afterwards to collect complete messages.
    pub fn feed(&mut self, fragment: &HandshakeFragment<'_>) -> FeedOutcome {
        let seq = fragment.message_seq;
        if self.next_expected.is_none() && self.start == Start::FirstSeen {
            self.next_expected = Some(seq);
        }
        let next = self.next_expected.unwrap_or(0);
        if !fragment.within_message() {
            return FeedOutcome::Problem(Problem::FragmentBeyondLength { message_seq: seq });
        }
        if seq < next {
            return self.retransmitted(fragment);
        }
        if seq.saturating_sub(next) > self.limits.window {
            return FeedOutcome::Problem(Problem::OutsideWindow {
                message_seq: seq,
                next_expected: next,
            });
        }
        if fragment.fragment_length == 0 && fragment.length != 0 {
            return FeedOutcome::Problem(Problem::ZeroLengthFragment { message_seq: seq });
        }
        let index = match self.pending.iter().position(|p| p.message_seq == seq) {
            Some(i) => i,
            None => match self.open(fragment) {
                Ok(i) => i,
                Err(p) => return FeedOutcome::Problem(p),
            },
        };
        let max_fragments = self.limits.max_fragments_per_message;
        let Some(pending) = self.pending.get_mut(index) else {
            return FeedOutcome::Problem(Problem::MemoryExceeded { message_seq: seq });
        };
        if pending.length != fragment.length {
            return FeedOutcome::Problem(Problem::LengthMismatch {
                message_seq: seq,
                expected: pending.length,
                found: fragment.length,
            });
        }
        if pending.msg_type != fragment.msg_type {
            return FeedOutcome::Problem(Problem::TypeMismatch {
                message_seq: seq,
                expected: pending.msg_type,
                found: fragment.msg_type,
            });
        }
        if pending.fragments >= max_fragments {
            return FeedOutcome::Problem(Problem::TooManyFragments { message_seq: seq });
        }
        pending.fragments = pending.fragments.saturating_add(1);
        let start = fragment.fragment_offset;
        let end = start.saturating_add(fragment.fragment_length);
        let differing = pending.held(start, end).find_map(|(s, e)| {
            (s..e).find(|&i| {
                let held = usize::try_from(i).ok().and_then(|i| pending.body.get(i));
                let new = i
                    .checked_sub(start)
                    .and_then(|k| usize::try_from(k).ok())
                    .and_then(|k| fragment.body.get(k));
                held != new
            })
        });
        if let Some(at) = differing {
            return FeedOutcome::Problem(Problem::OverlapDiffers {
                message_seq: seq,
                at,
            });
        }
        let (Ok(s), Ok(e)) = (usize::try_from(start), usize::try_from(end)) else {
            return FeedOutcome::Problem(Problem::FragmentBeyondLength { message_seq: seq });
        };
        if let Some(dst) = pending.body.get_mut(s..e) {
            dst.copy_from_slice(fragment.body);
        } else {
            return FeedOutcome::Problem(Problem::FragmentBeyondLength { message_seq: seq });
        }
        if end > start {
            pending.insert_range(start, end);
        }
        FeedOutcome::Accepted {
            message_seq: seq,
            complete: pending.complete(),
        }
    }

    /// The next complete message in message_seq order, if it is ready.
    pub fn next_ready(&mut self) -> Option<Message> {
        let next = self.next_expected?;
        let index = self
            .pending
            .iter()
            .position(|p| p.message_seq == next && p.complete())?;
        let p = self.pending.swap_remove(index);
        self.next_expected = Some(next.wrapping_add(1));
        // Keep the bytes to recognise retransmissions; the memory stays charged. When the
        // budget is tight, drop the oldest retained bodies first.
        let message = Message {
            msg_type: p.msg_type,
            message_seq: p.message_seq,
            body: p.body.clone(),
            fragments: p.fragments,
        };
        self.delivered.push(Delivered {
            msg_type: p.msg_type,
            message_seq: p.message_seq,
            length: p.length,
            body: Some(p.body),
        });
        Some(message)
    }

    fn open(&mut self, fragment: &HandshakeFragment<'_>) -> Result<usize, Problem> {
        let seq = fragment.message_seq;
        if fragment.length > self.limits.max_message_len {
            return Err(Problem::MessageTooLarge {
                message_seq: seq,
                length: fragment.length,
            });
        }
        let need = usize::try_from(fragment.length).map_err(|_| Problem::MessageTooLarge {
            message_seq: seq,
            length: fragment.length,
        })?;
        while self.memory.saturating_add(need) > self.limits.max_memory {
            if !self.release_retained() {
                return Err(Problem::MemoryExceeded { message_seq: seq });
            }
        }
        self.memory = self.memory.saturating_add(need);
        self.pending.push(Pending {
            msg_type: fragment.msg_type,
            message_seq: seq,
            length: fragment.length,
            body: vec![0; need],
            have: Vec::new(),
            fragments: 0,
        });
        Ok(self.pending.len().saturating_sub(1))
    }

    /// Drops the oldest retained body; false when none is left.
    fn release_retained(&mut self) -> bool {
        let Some(d) = self.delivered.iter_mut().find(|d| d.body.is_some()) else {
            return false;
        };
        if let Some(body) = d.body.take() {
            self.memory = self.memory.saturating_sub(body.len());
        }
        true
    }

    fn retransmitted(&self, fragment: &HandshakeFragment<'_>) -> FeedOutcome {
        let seq = fragment.message_seq;
        let Some(d) = self.delivered.iter().rev().find(|d| d.message_seq == seq) else {
            // Before the window of an observer that joined late: nothing to compare with.
            return FeedOutcome::Retransmission { message_seq: seq };
        };
        if d.msg_type != fragment.msg_type || d.length != fragment.length {
            return FeedOutcome::Problem(Problem::RetransmissionDiffers { message_seq: seq });
        }
        if let Some(body) = &d.body {
            let same = usize::try_from(fragment.fragment_offset)
                .ok()
                .and_then(|s| body.get(s..s.checked_add(fragment.body.len())?))
                .is_some_and(|held| held == fragment.body);
            if !same {
                return FeedOutcome::Problem(Problem::RetransmissionDiffers { message_seq: seq });
            }
        }
        FeedOutcome::Retransmission { message_seq: seq }
    }
}

impl Default for Reassembler {
    fn default() -> Self {
        Self::new(Limits::default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frag(seq: u16, length: u32, offset: u32, body: &[u8]) -> HandshakeFragment<'_> {
        HandshakeFragment {
            offset: 0,
            msg_type: HandshakeType::CERTIFICATE,
            length,
            message_seq: seq,
            fragment_offset: offset,
            fragment_length: u32::try_from(body.len()).unwrap(),
            body,
        }
    }

    #[test]
    fn reassembles_out_of_order_overlapping_fragments() {
        let mut r = Reassembler::default();
        assert_eq!(
            r.feed(&frag(0, 6, 3, b"def")),
            FeedOutcome::Accepted {
                message_seq: 0,
                complete: false
            }
        );
        assert!(r.next_ready().is_none());
        r.feed(&frag(0, 6, 2, b"cd"));
        assert_eq!(
            r.feed(&frag(0, 6, 0, b"abc")),
            FeedOutcome::Accepted {
                message_seq: 0,
                complete: true
            }
        );
        let m = r.next_ready().unwrap();
        assert_eq!(m.body, b"abcdef");
        assert_eq!(m.fragments, 3);
        assert_eq!(r.next_expected(), Some(1));
    }

    #[test]
    fn reports_fragments_that_disagree_on_length() {
        let mut r = Reassembler::default();
        r.feed(&frag(0, 6, 0, b"abc"));
        assert_eq!(
            r.feed(&frag(0, 7, 3, b"def")),
            FeedOutcome::Problem(Problem::LengthMismatch {
                message_seq: 0,
                expected: 6,
                found: 7
            })
        );
    }

    #[test]
    fn reports_overlaps_whose_bytes_differ() {
        let mut r = Reassembler::default();
        r.feed(&frag(0, 6, 0, b"abcd"));
        assert_eq!(
            r.feed(&frag(0, 6, 2, b"cXef")),
            FeedOutcome::Problem(Problem::OverlapDiffers {
                message_seq: 0,
                at: 3
            })
        );
    }

    #[test]
    fn recognises_retransmissions_and_changed_ones() {
        let mut r = Reassembler::default();
        r.feed(&frag(0, 3, 0, b"abc"));
        assert!(r.next_ready().is_some());
        assert_eq!(
            r.feed(&frag(0, 3, 0, b"abc")),
            FeedOutcome::Retransmission { message_seq: 0 }
        );
        assert_eq!(
            r.feed(&frag(0, 3, 1, b"bX")),
            FeedOutcome::Problem(Problem::RetransmissionDiffers { message_seq: 0 })
        );
    }

    #[test]
    fn bounds_zero_length_and_endless_fragment_streams() {
        let limits = Limits {
            max_fragments_per_message: 4,
            ..Limits::default()
        };
        let mut r = Reassembler::new(limits);
        assert_eq!(
            r.feed(&frag(0, 10, 0, b"")),
            FeedOutcome::Problem(Problem::ZeroLengthFragment { message_seq: 0 })
        );
        for _ in 0..4 {
            r.feed(&frag(0, 10, 0, b"a"));
        }
        assert_eq!(
            r.feed(&frag(0, 10, 0, b"a")),
            FeedOutcome::Problem(Problem::TooManyFragments { message_seq: 0 })
        );
    }

    #[test]
    fn refuses_messages_outside_the_window_or_the_memory_budget() {
        let limits = Limits {
            max_message_len: 100,
            max_memory: 150,
            window: 2,
            ..Limits::default()
        };
        let mut r = Reassembler::new(limits);
        assert_eq!(
            r.feed(&frag(3, 1, 0, b"a")),
            FeedOutcome::Problem(Problem::OutsideWindow {
                message_seq: 3,
                next_expected: 0
            })
        );
        assert_eq!(
            r.feed(&frag(0, 101, 0, b"a")),
            FeedOutcome::Problem(Problem::MessageTooLarge {
                message_seq: 0,
                length: 101
            })
        );
        r.feed(&frag(0, 100, 0, b"a"));
        assert_eq!(
            r.feed(&frag(1, 100, 0, b"a")),
            FeedOutcome::Problem(Problem::MemoryExceeded { message_seq: 1 })
        );
        assert!(r.memory() <= 150);
    }

    #[test]
    fn an_empty_message_whose_only_fragment_was_refused_is_not_delivered() {
        let limits = Limits {
            max_fragments_per_message: 0,
            ..Limits::default()
        };
        let mut r = Reassembler::new(limits);
        assert_eq!(
            r.feed(&frag(0, 0, 0, b"")),
            FeedOutcome::Problem(Problem::TooManyFragments { message_seq: 0 })
        );
        assert!(r.next_ready().is_none());
    }

    #[test]
    fn an_observer_starts_at_the_first_message_seen() {
        let mut r = Reassembler::with_start(Limits::default(), Start::FirstSeen);
        r.feed(&frag(5, 1, 0, b"z"));
        assert_eq!(r.next_ready().map(|m| m.message_seq), Some(5));
    }
}
