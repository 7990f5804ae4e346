//! IPv4 and IPv6, and bounded fragment reassembly.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// IP protocol number of TCP.
pub const PROTO_TCP: u8 = 6;
/// IP protocol number of UDP.
pub const PROTO_UDP: u8 = 17;

/// A fragment's place in its datagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fragment {
    /// Identification (16 bits for IPv4, 32 for IPv6).
    pub id: u32,
    /// Byte offset of this fragment's payload.
    pub offset: usize,
    /// More fragments follow.
    pub more: bool,
}

/// One IP packet, its header read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IpPacket<'a> {
    /// Source address.
    pub src: IpAddr,
    /// Destination address.
    pub dst: IpAddr,
    /// Upper-layer protocol (after IPv6 extension headers).
    pub protocol: u8,
    /// The upper-layer bytes captured.
    pub payload: &'a [u8],
    /// Set when the packet is one fragment of a larger datagram.
    pub fragment: Option<Fragment>,
    /// The capture holds fewer bytes than the header announces (snap length).
    pub truncated: bool,
}

/// Why an IP header could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IpError {
    /// Shorter than its header.
    Short,
    /// Version, header length or total length impossible.
    BadHeader,
}

fn byte(data: &[u8], at: usize) -> Result<u8, IpError> {
    data.get(at).copied().ok_or(IpError::Short)
}

fn be16(data: &[u8], at: usize) -> Result<u16, IpError> {
    Ok(u16::from_be_bytes([
        byte(data, at)?,
        byte(data, at.saturating_add(1))?,
    ]))
}

/// Reads an IPv4 header.
///
/// # Errors
/// [`IpError`] when the header cannot be read.
pub fn parse_ipv4(data: &[u8]) -> Result<IpPacket<'_>, IpError> {
    let first = byte(data, 0)?;
    if first >> 4 != 4 {
        return Err(IpError::BadHeader);
    }
    let header_len = usize::from(first & 0x0f).saturating_mul(4);
    let total_len = usize::from(be16(data, 2)?);
    if header_len < 20 || total_len < header_len {
        return Err(IpError::BadHeader);
    }
    let src: [u8; 4] = data
        .get(12..16)
        .and_then(|s| s.try_into().ok())
        .ok_or(IpError::Short)?;
    let dst: [u8; 4] = data
        .get(16..20)
        .and_then(|s| s.try_into().ok())
        .ok_or(IpError::Short)?;
    let end = total_len.min(data.len());
    let payload = data.get(header_len..end).ok_or(IpError::Short)?;
    let flags_offset = be16(data, 6)?;
    let more = flags_offset & 0x2000 != 0;
    let offset = usize::from(flags_offset & 0x1fff).saturating_mul(8);
    let fragment = (more || offset != 0).then(|| Fragment {
        id: u32::from(be16(data, 4).unwrap_or(0)),
        offset,
        more,
    });
    Ok(IpPacket {
        src: IpAddr::V4(Ipv4Addr::from(src)),
        dst: IpAddr::V4(Ipv4Addr::from(dst)),
        protocol: byte(data, 9)?,
        payload,
        fragment,
        truncated: total_len > data.len(),
    })
}

/// Most IPv6 extension headers skipped before giving up.
const MAX_EXTENSIONS: usize = 8;

/// Reads an IPv6 header and skips its extension headers.
///
/// # Errors
/// [`IpError`] when the header cannot be read.
pub fn parse_ipv6(data: &[u8]) -> Result<IpPacket<'_>, IpError> {
    if byte(data, 0)? >> 4 != 6 {
        return Err(IpError::BadHeader);
    }
    let payload_len = usize::from(be16(data, 4)?);
    let src: [u8; 16] = data
        .get(8..24)
        .and_then(|s| s.try_into().ok())
        .ok_or(IpError::Short)?;
    let dst: [u8; 16] = data
        .get(24..40)
        .and_then(|s| s.try_into().ok())
        .ok_or(IpError::Short)?;
    let end = 40usize.saturating_add(payload_len);
    let truncated = end > data.len();
    let body = data.get(40..end.min(data.len())).ok_or(IpError::Short)?;
    let mut next = byte(data, 6)?;
    let mut at = 0usize;
    let mut fragment = None;
    for _ in 0..MAX_EXTENSIONS {
        let header_len = match next {
            0 | 43 | 60 => (usize::from(byte(body, at.saturating_add(1))?) + 1).saturating_mul(8),
            51 => (usize::from(byte(body, at.saturating_add(1))?) + 2).saturating_mul(4),
            44 => {
                let offset_flags = be16(body, at.saturating_add(2))?;
                let id = body
                    .get(at.saturating_add(4)..at.saturating_add(8))
                    .and_then(|s| <[u8; 4]>::try_from(s).ok())
                    .ok_or(IpError::Short)?;
                fragment = Some(Fragment {
                    id: u32::from_be_bytes(id),
                    offset: usize::from(offset_flags >> 3).saturating_mul(8),
                    more: offset_flags & 1 != 0,
                });
                8
            }
            _ => break,
        };
        next = byte(body, at)?;
        at = at.saturating_add(header_len);
    }
    let payload = body.get(at..).ok_or(IpError::Short)?;
    // A first-and-only fragment (offset 0, no more) is a whole datagram (atomic fragment).
    let fragment = fragment.filter(|f| f.more || f.offset != 0);
    Ok(IpPacket {
        src: IpAddr::V6(Ipv6Addr::from(src)),
        dst: IpAddr::V6(Ipv6Addr::from(dst)),
        protocol: next,
        payload,
        fragment,
        truncated,
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct FragmentKey {
    src: IpAddr,
    dst: IpAddr,
    protocol: u8,
    id: u32,
}

#[derive(Debug)]
struct FragmentSet {
    key: FragmentKey,
    bytes: Vec<u8>,
    /// Ranges received, unsorted, bounded by [`MAX_PIECES`].
    pieces: Vec<(usize, usize)>,
    total: Option<usize>,
    started_ns: u64,
}

/// Most fragments accepted per datagram.
const MAX_PIECES: usize = 128;
/// Fragment sets older than this (capture time) are dropped (RFC 791 suggests 15 s; 30 s is lenient).
const FRAGMENT_TIMEOUT_NS: u64 = 30_000_000_000;

impl FragmentSet {
    fn complete(&mut self) -> bool {
        let Some(total) = self.total else {
            return false;
        };
        self.pieces.sort_unstable();
        let mut covered = 0usize;
        for &(start, end) in &self.pieces {
            if start > covered {
                return false;
            }
            covered = covered.max(end);
        }
        covered >= total
    }
}

/// What the reassembler did with a fragment.
#[derive(Debug, PartialEq, Eq)]
pub enum Reassembled {
    /// Held until the rest arrives.
    Pending,
    /// The last missing piece: here is the whole upper-layer payload.
    Complete(Vec<u8>),
    /// Dropped: beyond the size bound, too many pieces, or inconsistent.
    Dropped,
}

/// Bounded IP fragment reassembly (IPv4 and IPv6 alike).
#[derive(Debug)]
pub struct Reassembler {
    sets: Vec<FragmentSet>,
    max_sets: usize,
    max_datagram: usize,
    /// Fragment sets dropped because the table was full or they timed out.
    pub evicted: u64,
}

impl Reassembler {
    /// A reassembler holding at most `max_sets` datagrams of at most `max_datagram` bytes.
    #[must_use]
    pub fn new(max_sets: usize, max_datagram: usize) -> Self {
        Self {
            sets: Vec::new(),
            max_sets: max_sets.max(1),
            max_datagram,
            evicted: 0,
        }
    }

    /// Datagrams waiting for fragments.
    #[must_use]
    pub fn pending(&self) -> usize {
        self.sets.len()
    }

    /// Adds one fragment seen at `now_ns`.
    pub fn push(&mut self, packet: &IpPacket<'_>, now_ns: u64) -> Reassembled {
        let Some(fragment) = packet.fragment else {
            return Reassembled::Complete(packet.payload.to_vec());
        };
        let before = self.sets.len();
        self.sets
            .retain(|s| now_ns.saturating_sub(s.started_ns) <= FRAGMENT_TIMEOUT_NS);
        self.evicted = self
            .evicted
            .saturating_add((before.saturating_sub(self.sets.len())) as u64);
        let key = FragmentKey {
            src: packet.src,
            dst: packet.dst,
            protocol: packet.protocol,
            id: fragment.id,
        };
        let Some(end) = fragment.offset.checked_add(packet.payload.len()) else {
            return Reassembled::Dropped;
        };
        if end > self.max_datagram {
            self.sets.retain(|s| s.key != key);
            return Reassembled::Dropped;
        }
        let index = if let Some(i) = self.sets.iter().position(|s| s.key == key) {
            i
        } else {
            if self.sets.len() >= self.max_sets {
                self.sets.remove(0);
                self.evicted = self.evicted.saturating_add(1);
            }
            self.sets.push(FragmentSet {
                key,
                bytes: Vec::new(),
                pieces: Vec::new(),
                total: None,
                started_ns: now_ns,
            });
            self.sets.len().saturating_sub(1)
        };
        let Some(set) = self.sets.get_mut(index) else {
            return Reassembled::Dropped;
        };
        if set.pieces.len() >= MAX_PIECES {
            self.sets.remove(index);
            return Reassembled::Dropped;
        }
        if set.bytes.len() < end {
            set.bytes.resize(end, 0);
        }
        if let Some(target) = set.bytes.get_mut(fragment.offset..end) {
            target.copy_from_slice(packet.payload);
        }
        set.pieces.push((fragment.offset, end));
        if !fragment.more {
            set.total = Some(end);
        }
        if set.complete() {
            let mut done = self.sets.remove(index);
            let total = done.total.unwrap_or(done.bytes.len());
            done.bytes.truncate(total);
            return Reassembled::Complete(done.bytes);
        }
        Reassembled::Pending
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ipv4_fragment(id: u16, offset: u16, more: bool, payload: &[u8]) -> Vec<u8> {
        let total = 20 + payload.len();
        let flags = (offset / 8) | if more { 0x2000 } else { 0 };
        let mut p = vec![0x45, 0, (total >> 8) as u8, total as u8];
        p.extend_from_slice(&id.to_be_bytes());
        p.extend_from_slice(&flags.to_be_bytes());
        p.extend_from_slice(&[64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]);
        p.extend_from_slice(payload);
        p
    }

    #[test]
    fn reassembles_ipv4_fragments_out_of_order() {
        let mut r = Reassembler::new(4, 65535);
        let second = ipv4_fragment(7, 8, false, b"world");
        let first = ipv4_fragment(7, 0, true, b"hello, w");
        let p2 = parse_ipv4(&second).unwrap();
        assert_eq!(r.push(&p2, 0), Reassembled::Pending);
        let p1 = parse_ipv4(&first).unwrap();
        assert_eq!(p1.fragment.map(|f| f.more), Some(true));
        assert_eq!(
            r.push(&p1, 1),
            Reassembled::Complete(b"hello, wworld".to_vec())
        );
        assert_eq!(r.pending(), 0);
    }

    #[test]
    fn the_table_never_holds_more_than_its_bound() {
        let mut r = Reassembler::new(2, 65535);
        for id in 0..10u16 {
            let f = ipv4_fragment(id, 0, true, b"12345678");
            assert_eq!(r.push(&parse_ipv4(&f).unwrap(), 0), Reassembled::Pending);
        }
        assert_eq!(r.pending(), 2);
        assert_eq!(r.evicted, 8);
    }

    #[test]
    fn oversized_datagrams_are_dropped() {
        let mut r = Reassembler::new(2, 16);
        let f = ipv4_fragment(1, 16, false, b"12345678");
        assert_eq!(r.push(&parse_ipv4(&f).unwrap(), 0), Reassembled::Dropped);
    }

    #[test]
    fn ipv6_fragment_header_is_read_and_skipped() {
        let mut p = vec![0x60, 0, 0, 0, 0, 13, 44, 64];
        p.extend_from_slice(&[0u8; 32]);
        // Fragment header: next = UDP, offset 8, M = 0, id 0x01020304.
        p.extend_from_slice(&[17, 0, 0, 8, 1, 2, 3, 4]);
        p.extend_from_slice(b"tail!");
        let packet = parse_ipv6(&p).unwrap();
        assert_eq!(packet.protocol, PROTO_UDP);
        assert_eq!(packet.payload, b"tail!");
        assert_eq!(
            packet.fragment,
            Some(Fragment {
                id: 0x0102_0304,
                offset: 8,
                more: false
            })
        );
    }

    #[test]
    fn impossible_headers_are_errors() {
        assert_eq!(parse_ipv4(&[0x45, 0, 0, 10]), Err(IpError::BadHeader));
        assert_eq!(parse_ipv4(&[0x41; 40]), Err(IpError::BadHeader));
        assert_eq!(parse_ipv6(&[0x60; 10]), Err(IpError::Short));
    }
}
