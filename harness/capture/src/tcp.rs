//! TCP stream reassembly and message framing.
//!
//! STUN, TURN, DTLS and RTP reach TCP in two framings:
//!
//! * RFC 8656 §12.5 (TURN over TCP, also STUN over TCP per RFC 8489 §6.2.2): messages follow
//!   each other with no extra framing. A STUN message is 20 bytes of header plus its length
//!   field; a ChannelData message is 4 bytes plus its length, padded to a multiple of four.
//! * RFC 4571 (used by ICE-TCP, RFC 6544 §3): every message is preceded by a 16-bit length.
//!
//! A stream's framing is decided from its first bytes; streams that carry neither (TLS, HTTP)
//! are marked ignored and their bytes are dropped as they come, so they cost no memory.
//! Each direction of a connection is its own stream. Segments are put in order by sequence
//! number with a bounded out-of-order store; when a gap cannot be filled within the bound the
//! stream restarts its framing at the next segment (messages lost in the gap are counted).

use std::net::SocketAddr;

use crate::hash::FastMap;

/// How a payload was delimited.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Framing {
    /// A UDP datagram.
    Datagram,
    /// STUN/ChannelData over TCP, self-delimiting (RFC 8656 §12.5).
    Rfc8656,
    /// Length-prefixed over TCP (RFC 4571, RFC 6544).
    Rfc4571,
}

impl Framing {
    /// Short name for summaries.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Datagram => "udp",
            Self::Rfc8656 => "tcp/rfc8656",
            Self::Rfc4571 => "tcp/rfc4571",
        }
    }
}

const STUN_COOKIE: [u8; 4] = [0x21, 0x12, 0xa4, 0x42];
/// TCP flag bits.
const FIN: u8 = 0x01;
const SYN: u8 = 0x02;
const RST: u8 = 0x04;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Undecided,
    Rfc8656,
    Rfc4571,
    Ignored,
}

#[derive(Debug)]
struct Stream {
    next_seq: Option<u32>,
    buf: Vec<u8>,
    start: usize,
    out_of_order: Vec<(u32, Vec<u8>)>,
    out_of_order_bytes: usize,
    mode: Mode,
    last_seen: u64,
}

impl Stream {
    fn new(now: u64) -> Self {
        Self {
            next_seq: None,
            buf: Vec::new(),
            start: 0,
            out_of_order: Vec::new(),
            out_of_order_bytes: 0,
            mode: Mode::Undecided,
            last_seen: now,
        }
    }

    fn pending(&self) -> &[u8] {
        self.buf.get(self.start..).unwrap_or(&[])
    }

    fn reset_framing(&mut self) {
        self.buf.clear();
        self.start = 0;
        self.mode = Mode::Undecided;
    }
}

/// Counters of the TCP layer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TcpStats {
    /// Stream directions seen.
    pub streams: u64,
    /// Streams whose first bytes were neither framing (TLS, HTTP ...).
    pub ignored_streams: u64,
    /// Gaps that could not be filled (bytes lost, framing restarted).
    pub gaps: u64,
    /// Streams dropped because the table was full.
    pub evicted: u64,
    /// Messages framed.
    pub messages: u64,
}

/// Reassembles TCP streams and frames the messages they carry.
#[derive(Debug)]
pub struct TcpReassembler {
    streams: FastMap<(SocketAddr, SocketAddr), Stream>,
    max_streams: usize,
    max_buffer: usize,
    /// Counters.
    pub stats: TcpStats,
}

fn be16(data: &[u8], at: usize) -> Option<usize> {
    let hi = *data.get(at)?;
    let lo = *data.get(at.checked_add(1)?)?;
    Some(usize::from(u16::from_be_bytes([hi, lo])))
}

fn looks_like_stun(data: &[u8]) -> bool {
    data.first().is_some_and(|b| b & 0xc0 == 0) && data.get(4..8) == Some(&STUN_COOKIE[..])
}

fn looks_like_message(data: &[u8]) -> bool {
    match data.first() {
        Some(0..=3) => looks_like_stun(data),
        // DTLS 1.2 records: content type then version 0xfe 0xfd / 0xfe 0xff.
        Some(20..=63) => data.get(1) == Some(&0xfe),
        Some(128..=191) => data.len() >= 12,
        _ => false,
    }
}

/// Decides a stream's framing from its first bytes; `None` while too few bytes are in.
fn detect(data: &[u8]) -> Option<Mode> {
    if data.len() < 10 {
        // Wait for a little more, unless it cannot be either framing.
        return match data.first() {
            Some(0..=3 | 0x40..=0x4f) | None => None,
            Some(_) if data.len() < 2 => None,
            Some(_) => match be16(data, 0) {
                Some(len) if len > 0 && len <= 0xffff => None,
                _ => Some(Mode::Ignored),
            },
        };
    }
    if looks_like_stun(data) {
        return Some(Mode::Rfc8656);
    }
    if data.get(2..).is_some_and(looks_like_message) && be16(data, 0).is_some_and(|l| l > 0) {
        return Some(Mode::Rfc4571);
    }
    if matches!(data.first(), Some(0x40..=0x4f)) {
        return Some(Mode::Rfc8656);
    }
    Some(Mode::Ignored)
}

/// Length of the RFC 8656 §12.5 message at the start of `data`: `Ok(None)` when more bytes are
/// needed, `Err(())` when the bytes are neither STUN nor ChannelData.
fn rfc8656_len(data: &[u8]) -> Result<Option<usize>, ()> {
    let Some(&first) = data.first() else {
        return Ok(None);
    };
    let Some(len) = be16(data, 2) else {
        return Ok(None);
    };
    match first {
        0..=3 => Ok(Some(len.saturating_add(20))),
        0x40..=0x7f => Ok(Some(len.saturating_add(4).saturating_add(3) & !3)),
        _ => Err(()),
    }
}

impl TcpReassembler {
    /// A reassembler following at most `max_streams` directions of at most `max_buffer`
    /// buffered bytes each.
    #[must_use]
    pub fn new(max_streams: usize, max_buffer: usize) -> Self {
        Self {
            streams: FastMap::default(),
            max_streams: max_streams.max(1),
            max_buffer: max_buffer.max(1024),
            stats: TcpStats::default(),
        }
    }

    /// Stream directions currently followed.
    #[must_use]
    pub fn streams(&self) -> usize {
        self.streams.len()
    }

    /// Bytes currently buffered across every stream.
    #[must_use]
    pub fn buffered(&self) -> usize {
        self.streams
            .values()
            .map(|s| s.buf.len().saturating_add(s.out_of_order_bytes))
            .sum()
    }

    /// Feeds one segment of the direction `src -> dst`; every message it completes is passed
    /// to `emit` with its framing.
    #[allow(
        clippy::too_many_arguments,
        reason = "a segment is its 5-tuple, sequence number, flags and payload"
    )]
    pub fn push(
        &mut self,
        src: SocketAddr,
        dst: SocketAddr,
        seq: u32,
        flags: u8,
        payload: &[u8],
        frame: u64,
        emit: &mut impl FnMut(&[u8], Framing),
    ) {
        let key = (src, dst);
        if flags & RST != 0 {
            self.streams.remove(&key);
            return;
        }
        if !self.streams.contains_key(&key) {
            if payload.is_empty() && flags & SYN == 0 {
                return;
            }
            if self.streams.len() >= self.max_streams {
                self.evict_oldest();
            }
            self.stats.streams = self.stats.streams.saturating_add(1);
            self.streams.insert(key, Stream::new(frame));
        }
        let max_buffer = self.max_buffer;
        let Some(stream) = self.streams.get_mut(&key) else {
            return;
        };
        stream.last_seen = frame;
        let mut data_seq = seq;
        if flags & SYN != 0 {
            data_seq = seq.wrapping_add(1);
            stream.next_seq = Some(data_seq);
            stream.reset_framing();
        }
        let next = *stream.next_seq.get_or_insert(data_seq);
        if !payload.is_empty() {
            #[allow(
                clippy::cast_possible_wrap,
                reason = "serial-number arithmetic on 32-bit sequence numbers"
            )]
            let diff = data_seq.wrapping_sub(next) as i32;
            if diff > 0 {
                Self::store_out_of_order(stream, data_seq, payload, max_buffer, &mut self.stats);
            } else {
                let skip = usize::try_from(diff.unsigned_abs()).unwrap_or(usize::MAX);
                if let Some(fresh) = payload.get(skip..) {
                    Self::append(stream, fresh, max_buffer, &mut self.stats, emit);
                }
                Self::drain_out_of_order(stream, max_buffer, &mut self.stats, emit);
            }
        }
        if flags & FIN != 0 {
            self.streams.remove(&key);
        }
    }

    /// Drops the least recently seen half of the table (amortised O(1) per new stream).
    fn evict_oldest(&mut self) {
        let mut seen: Vec<u64> = self.streams.values().map(|s| s.last_seen).collect();
        let middle = seen.len() / 2;
        let (_, cutoff, _) = seen.select_nth_unstable(middle);
        let cutoff = *cutoff;
        let before = self.streams.len();
        self.streams.retain(|_, s| s.last_seen > cutoff);
        if self.streams.len() == before {
            // Every stream was seen at the same frame: drop them all.
            self.streams.clear();
        }
        self.stats.evicted = self
            .stats
            .evicted
            .saturating_add((before.saturating_sub(self.streams.len())) as u64);
    }

    fn store_out_of_order(
        stream: &mut Stream,
        seq: u32,
        payload: &[u8],
        max_buffer: usize,
        stats: &mut TcpStats,
    ) {
        if stream.mode == Mode::Ignored {
            // Nothing will be framed: just follow the sequence numbers.
            stream.next_seq = Some(seq.wrapping_add(u32::try_from(payload.len()).unwrap_or(0)));
            return;
        }
        if stream.out_of_order_bytes.saturating_add(payload.len()) > max_buffer / 2 {
            // The gap will not be filled within the bound: give it up and restart the framing
            // at the earliest segment held.
            stats.gaps = stats.gaps.saturating_add(1);
            stream.out_of_order.sort_by_key(|(s, _)| *s);
            let restart = stream.out_of_order.first().map_or(seq, |(s, _)| *s);
            stream.reset_framing();
            stream.next_seq = Some(restart);
        }
        stream.out_of_order_bytes = stream.out_of_order_bytes.saturating_add(payload.len());
        stream.out_of_order.push((seq, payload.to_vec()));
    }

    fn drain_out_of_order(
        stream: &mut Stream,
        max_buffer: usize,
        stats: &mut TcpStats,
        emit: &mut impl FnMut(&[u8], Framing),
    ) {
        while !stream.out_of_order.is_empty() {
            let Some(next) = stream.next_seq else {
                return;
            };
            #[allow(clippy::cast_possible_wrap, reason = "serial-number arithmetic")]
            let Some(index) = stream
                .out_of_order
                .iter()
                .position(|(s, _)| s.wrapping_sub(next) as i32 <= 0)
            else {
                return;
            };
            let (seq, bytes) = stream.out_of_order.swap_remove(index);
            stream.out_of_order_bytes = stream.out_of_order_bytes.saturating_sub(bytes.len());
            let skip = usize::try_from(next.wrapping_sub(seq)).unwrap_or(usize::MAX);
            if let Some(fresh) = bytes.get(skip..) {
                Self::append(stream, fresh, max_buffer, stats, emit);
            }
        }
    }

    fn append(
        stream: &mut Stream,
        fresh: &[u8],
        max_buffer: usize,
        stats: &mut TcpStats,
        emit: &mut impl FnMut(&[u8], Framing),
    ) {
        let advanced = stream
            .next_seq
            .unwrap_or(0)
            .wrapping_add(u32::try_from(fresh.len()).unwrap_or(0));
        stream.next_seq = Some(advanced);
        if stream.mode == Mode::Ignored || fresh.is_empty() {
            return;
        }
        // Fast path: a whole number of messages in one segment with nothing buffered.
        if stream.pending().is_empty() {
            stream.buf.clear();
            stream.start = 0;
            let used = Self::frame(stream, fresh, stats, emit);
            if let Some(rest) = fresh.get(used..)
                && !rest.is_empty()
                && stream.mode != Mode::Ignored
            {
                stream.buf.extend_from_slice(rest);
            }
        } else {
            stream.buf.extend_from_slice(fresh);
            let data = core::mem::take(&mut stream.buf);
            let start = stream.start;
            let pending = data.get(start..).unwrap_or(&[]);
            let used = Self::frame(stream, pending, stats, emit);
            stream.buf = data;
            stream.start = start.saturating_add(used);
            if stream.mode == Mode::Ignored {
                stream.buf.clear();
                stream.start = 0;
            } else if stream.start > 4096 || stream.start == stream.buf.len() {
                stream.buf.drain(..stream.start.min(stream.buf.len()));
                stream.start = 0;
            }
        }
        if stream.buf.len() > max_buffer {
            stream.mode = Mode::Ignored;
            stream.buf = Vec::new();
            stream.start = 0;
            stats.ignored_streams = stats.ignored_streams.saturating_add(1);
        }
    }

    /// Frames as many whole messages of `data` as there are; returns the bytes used.
    fn frame(
        stream: &mut Stream,
        data: &[u8],
        stats: &mut TcpStats,
        emit: &mut impl FnMut(&[u8], Framing),
    ) -> usize {
        if stream.mode == Mode::Undecided {
            match detect(data) {
                None => return 0,
                Some(Mode::Ignored) => {
                    stream.mode = Mode::Ignored;
                    stats.ignored_streams = stats.ignored_streams.saturating_add(1);
                    return data.len();
                }
                Some(mode) => stream.mode = mode,
            }
        }
        let mut used = 0usize;
        loop {
            let rest = data.get(used..).unwrap_or(&[]);
            let (skip, len, framing) = match stream.mode {
                Mode::Rfc8656 => match rfc8656_len(rest) {
                    Ok(Some(len)) => (0, len, Framing::Rfc8656),
                    Ok(None) => return used,
                    Err(()) => {
                        stream.mode = Mode::Ignored;
                        stats.ignored_streams = stats.ignored_streams.saturating_add(1);
                        return data.len();
                    }
                },
                Mode::Rfc4571 => match be16(rest, 0) {
                    Some(len) => (2, len, Framing::Rfc4571),
                    None => return used,
                },
                Mode::Undecided | Mode::Ignored => return data.len(),
            };
            let end = usize::saturating_add(skip, len);
            let Some(message) = rest.get(skip..end) else {
                return used;
            };
            if framing == Framing::Rfc8656 {
                // ChannelData padding is not part of the message handed out.
                let unpadded = match rest.first() {
                    Some(0x40..=0x7f) => be16(rest, 2).map_or(len, |l| l.saturating_add(4)),
                    _ => len,
                };
                emit(message.get(..unpadded).unwrap_or(message), framing);
            } else {
                emit(message, framing);
            }
            stats.messages = stats.messages.saturating_add(1);
            used = used.saturating_add(end);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(port: u16) -> SocketAddr {
        SocketAddr::from(([10, 0, 0, 1], port))
    }

    fn stun(len: u16) -> Vec<u8> {
        let mut m = vec![0x00, 0x03];
        m.extend_from_slice(&len.to_be_bytes());
        m.extend_from_slice(&STUN_COOKIE);
        m.extend_from_slice(&[7; 12]);
        m.extend(std::iter::repeat_n(0xaa, usize::from(len)));
        m
    }

    fn collect(
        r: &mut TcpReassembler,
        seq: u32,
        flags: u8,
        payload: &[u8],
    ) -> Vec<(Vec<u8>, Framing)> {
        let mut out = Vec::new();
        r.push(addr(1), addr(2), seq, flags, payload, 1, &mut |m, f| {
            out.push((m.to_vec(), f))
        });
        out
    }

    #[test]
    fn two_stun_messages_in_one_segment_come_out_separately() {
        let mut r = TcpReassembler::new(8, 65536);
        let mut seg = stun(8);
        seg.extend(stun(4));
        let out = collect(&mut r, 100, 0, &seg);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].0.len(), 28);
        assert_eq!(out[1].1, Framing::Rfc8656);
    }

    #[test]
    fn a_message_split_across_segments_and_reordered_is_rebuilt() {
        let mut r = TcpReassembler::new(8, 65536);
        let m = stun(16);
        assert!(collect(&mut r, 1000, SYN, &[]).is_empty());
        assert!(collect(&mut r, 1011, 0, &m[10..]).is_empty());
        let out = collect(&mut r, 1001, 0, &m[..10]);
        assert_eq!(out, vec![(m.clone(), Framing::Rfc8656)]);
        // A retransmission of the first part adds nothing.
        assert!(collect(&mut r, 1001, 0, &m[..10]).is_empty());
    }

    #[test]
    fn rfc4571_length_prefix_is_stripped() {
        let mut r = TcpReassembler::new(8, 65536);
        let m = stun(0);
        let mut seg = (m.len() as u16).to_be_bytes().to_vec();
        seg.extend_from_slice(&m);
        let out = collect(&mut r, 5, 0, &seg);
        assert_eq!(out, vec![(m, Framing::Rfc4571)]);
    }

    #[test]
    fn channel_data_padding_is_consumed_but_not_handed_out() {
        let mut r = TcpReassembler::new(8, 65536);
        let mut seg = vec![0x40, 0x00, 0x00, 0x05, 1, 2, 3, 4, 5, 0, 0, 0];
        seg.extend(stun(0));
        let out = collect(&mut r, 5, 0, &seg);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].0, vec![0x40, 0, 0, 5, 1, 2, 3, 4, 5]);
    }

    #[test]
    fn tls_streams_are_ignored_and_hold_no_bytes() {
        let mut r = TcpReassembler::new(8, 65536);
        let tls = [0x16, 0x03, 0x01, 0x02, 0x00, 1, 2, 3, 4, 5, 6, 7];
        assert!(collect(&mut r, 1, 0, &tls).is_empty());
        assert!(collect(&mut r, 13, 0, &[0u8; 3000]).is_empty());
        assert_eq!(r.buffered(), 0);
        assert_eq!(r.stats.ignored_streams, 1);
    }

    #[test]
    fn a_message_claiming_more_than_the_bound_ends_the_stream() {
        let mut r = TcpReassembler::new(8, 1024);
        let mut m = stun(0);
        m[2] = 0xff;
        m[3] = 0xff;
        for i in 0..10u32 {
            let seg = if i == 0 { m.clone() } else { vec![0; 500] };
            let seq = if i == 0 { 0 } else { 20 + (i - 1) * 500 };
            assert!(collect(&mut r, seq, 0, &seg).is_empty());
        }
        assert!(r.buffered() <= 1024);
    }

    #[test]
    fn the_stream_table_is_bounded() {
        let mut r = TcpReassembler::new(3, 65536);
        for port in 0..10u16 {
            r.push(
                addr(port),
                addr(2),
                0,
                SYN,
                &[],
                u64::from(port),
                &mut |_, _| {},
            );
            assert!(r.streams() <= 3);
        }
        assert!(r.stats.evicted >= 7);
        assert_eq!(r.stats.streams, 10);
    }
}
