//! A pcapng writer for simulated packets.
//!
//! One interface per capture point (each host interface; the inside and outside interfaces
//! of every NAT and router), link type `LINKTYPE_RAW` (101: bare IPv4/IPv6 packets),
//! nanosecond timestamps (`if_tsresol` = 9) taken from virtual time. IP, UDP and TCP headers
//! are synthesised with correct lengths and checksums; payloads are written as they are.

use std::net::{IpAddr, SocketAddr};

use harness_core::time::Instant;

use crate::packet::{L4, Packet, TcpFlags};

const LINKTYPE_RAW: u16 = 101;
const SNAPLEN: u32 = 262_144;

/// An in-memory pcapng file being written.
#[derive(Clone, Debug, Default)]
pub struct PcapngWriter {
    bytes: Vec<u8>,
    interfaces: u32,
}

impl PcapngWriter {
    /// A file with its section header block.
    #[must_use]
    pub fn new() -> Self {
        let mut w = Self {
            bytes: Vec::new(),
            interfaces: 0,
        };
        let mut body = Vec::with_capacity(16);
        body.extend_from_slice(&0x1A2B_3C4Du32.to_le_bytes());
        body.extend_from_slice(&1u16.to_le_bytes());
        body.extend_from_slice(&0u16.to_le_bytes());
        body.extend_from_slice(&u64::MAX.to_le_bytes());
        w.block(0x0A0D_0D0A, &body);
        w
    }

    /// Adds an interface description block; returns the interface id.
    pub fn add_interface(&mut self, name: &str) -> u32 {
        let mut body = Vec::new();
        body.extend_from_slice(&LINKTYPE_RAW.to_le_bytes());
        body.extend_from_slice(&0u16.to_le_bytes());
        body.extend_from_slice(&SNAPLEN.to_le_bytes());
        push_option(&mut body, 2, name.as_bytes());
        push_option(&mut body, 9, &[9]);
        push_option(&mut body, 0, &[]);
        self.block(1, &body);
        let id = self.interfaces;
        self.interfaces += 1;
        id
    }

    /// Writes one packet seen on `interface` at `at`.
    pub fn write_packet(&mut self, interface: u32, at: Instant, p: &Packet) {
        let frame = encode_packet(p);
        let len = u32::try_from(frame.len()).unwrap_or(u32::MAX);
        let ts = at.as_nanos();
        let mut body = Vec::with_capacity(20 + frame.len() + 3);
        body.extend_from_slice(&interface.to_le_bytes());
        body.extend_from_slice(&((ts >> 32) as u32).to_le_bytes());
        body.extend_from_slice(&(ts as u32).to_le_bytes());
        body.extend_from_slice(&len.to_le_bytes());
        body.extend_from_slice(&len.to_le_bytes());
        body.extend_from_slice(&frame);
        pad4(&mut body);
        self.block(6, &body);
    }

    /// The file so far.
    #[must_use]
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    fn block(&mut self, kind: u32, body: &[u8]) {
        let total = u32::try_from(12 + body.len()).unwrap_or(u32::MAX);
        self.bytes.extend_from_slice(&kind.to_le_bytes());
        self.bytes.extend_from_slice(&total.to_le_bytes());
        self.bytes.extend_from_slice(body);
        self.bytes.extend_from_slice(&total.to_le_bytes());
    }
}

fn push_option(body: &mut Vec<u8>, code: u16, value: &[u8]) {
    body.extend_from_slice(&code.to_le_bytes());
    body.extend_from_slice(&u16::try_from(value.len()).unwrap_or(0).to_le_bytes());
    body.extend_from_slice(value);
    pad4(body);
}

fn pad4(v: &mut Vec<u8>) {
    while !v.len().is_multiple_of(4) {
        v.push(0);
    }
}

/// The bytes of `p` as an IP packet: IP header, UDP or TCP header, payload.
#[must_use]
pub fn encode_packet(p: &Packet) -> Vec<u8> {
    let l4 = encode_l4(p);
    let mut out = Vec::with_capacity(p.ip_header_len() + l4.len());
    let proto: u8 = match p.l4 {
        L4::Udp => 17,
        L4::Tcp(_) => 6,
    };
    match (p.src.ip(), p.dst.ip()) {
        (IpAddr::V4(s), IpAddr::V4(d)) => {
            let total = u16::try_from(20 + l4.len()).unwrap_or(u16::MAX);
            let mut h = [0u8; 20];
            h[0] = 0x45;
            h[2..4].copy_from_slice(&total.to_be_bytes());
            h[4..6].copy_from_slice(&((p.id & 0xffff) as u16).to_be_bytes());
            h[6] = 0x40; // don't fragment
            h[8] = p.ttl;
            h[9] = proto;
            h[12..16].copy_from_slice(&s.octets());
            h[16..20].copy_from_slice(&d.octets());
            let sum = fold(sum_words(0, &h));
            h[10..12].copy_from_slice(&(!sum).to_be_bytes());
            out.extend_from_slice(&h);
        }
        (s, d) => {
            let (s, d) = (to_v6(s), to_v6(d));
            let mut h = [0u8; 40];
            h[0] = 0x60;
            h[4..6].copy_from_slice(&u16::try_from(l4.len()).unwrap_or(u16::MAX).to_be_bytes());
            h[6] = proto;
            h[7] = p.ttl;
            h[8..24].copy_from_slice(&s);
            h[24..40].copy_from_slice(&d);
            out.extend_from_slice(&h);
        }
    }
    out.extend_from_slice(&l4);
    out
}

fn to_v6(ip: IpAddr) -> [u8; 16] {
    match ip {
        IpAddr::V4(a) => a.to_ipv6_mapped().octets(),
        IpAddr::V6(a) => a.octets(),
    }
}

fn encode_l4(p: &Packet) -> Vec<u8> {
    let mut seg = Vec::with_capacity(p.l4_header_len() + p.payload.len());
    seg.extend_from_slice(&p.src.port().to_be_bytes());
    seg.extend_from_slice(&p.dst.port().to_be_bytes());
    let checksum_at = match p.l4 {
        L4::Udp => {
            let len = u16::try_from(8 + p.payload.len()).unwrap_or(u16::MAX);
            seg.extend_from_slice(&len.to_be_bytes());
            seg.extend_from_slice(&[0, 0]);
            6
        }
        L4::Tcp(h) => {
            let syn = h.flags.contains(TcpFlags::SYN);
            seg.extend_from_slice(&h.seq.to_be_bytes());
            let ack = if h.flags.contains(TcpFlags::ACK) {
                h.ack
            } else {
                0
            };
            seg.extend_from_slice(&ack.to_be_bytes());
            let words: u8 = if syn { 6 } else { 5 };
            seg.push(words << 4);
            seg.push(h.flags.0);
            seg.extend_from_slice(&h.window.to_be_bytes());
            seg.extend_from_slice(&[0, 0, 0, 0]);
            if syn {
                let mss: u16 = if p.src.is_ipv4() { 1460 } else { 1440 };
                seg.extend_from_slice(&[2, 4]);
                seg.extend_from_slice(&mss.to_be_bytes());
            }
            16
        }
    };
    seg.extend_from_slice(&p.payload);
    let proto: u8 = match p.l4 {
        L4::Udp => 17,
        L4::Tcp(_) => 6,
    };
    let mut sum = pseudo_header(p.src, p.dst, proto, seg.len());
    sum = sum_words(sum, &seg);
    let mut c = !fold(sum);
    if c == 0 && proto == 17 {
        c = 0xffff;
    }
    if let Some(slot) = seg.get_mut(checksum_at..checksum_at + 2) {
        slot.copy_from_slice(&c.to_be_bytes());
    }
    seg
}

fn pseudo_header(src: SocketAddr, dst: SocketAddr, proto: u8, len: usize) -> u64 {
    let mut sum = 0u64;
    match (src.ip(), dst.ip()) {
        (IpAddr::V4(s), IpAddr::V4(d)) => {
            sum = sum_words(sum, &s.octets());
            sum = sum_words(sum, &d.octets());
        }
        (s, d) => {
            sum = sum_words(sum, &to_v6(s));
            sum = sum_words(sum, &to_v6(d));
        }
    }
    sum + u64::from(proto) + len as u64
}

fn sum_words(mut sum: u64, bytes: &[u8]) -> u64 {
    let mut chunks = bytes.chunks_exact(2);
    for c in &mut chunks {
        sum += u64::from(u16::from_be_bytes([c[0], c[1]]));
    }
    if let [last] = chunks.remainder() {
        sum += u64::from(*last) << 8;
    }
    sum
}

fn fold(mut sum: u64) -> u16 {
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    sum as u16
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packet::TcpHeader;

    fn udp(src: &str, dst: &str, payload: &[u8]) -> Packet {
        Packet {
            id: 1,
            src: src.parse().unwrap(),
            dst: dst.parse().unwrap(),
            ttl: 64,
            l4: L4::Udp,
            payload: payload.to_vec(),
        }
    }

    #[test]
    fn ipv4_udp_checksums_verify_to_zero() {
        let bytes = encode_packet(&udp("192.0.2.1:1000", "198.51.100.2:3478", b"hello"));
        assert_eq!(bytes.len(), 20 + 8 + 5);
        assert_eq!(fold(sum_words(0, &bytes[..20])), 0xffff);
        let mut sum = pseudo_header(
            "192.0.2.1:1000".parse().unwrap(),
            "198.51.100.2:3478".parse().unwrap(),
            17,
            13,
        );
        sum = sum_words(sum, &bytes[20..]);
        assert_eq!(fold(sum), 0xffff);
    }

    #[test]
    fn ipv6_tcp_syn_carries_mss_option_and_valid_checksum() {
        let mut p = udp("[2001:db8::1]:5000", "[2001:db8::2]:443", b"");
        p.l4 = L4::Tcp(TcpHeader {
            seq: 7,
            ack: 0,
            flags: TcpFlags::SYN,
            window: 65535,
        });
        let bytes = encode_packet(&p);
        assert_eq!(bytes.len(), 40 + 24);
        assert_eq!(bytes[40 + 12] >> 4, 6);
        let mut sum = pseudo_header(p.src, p.dst, 6, 24);
        sum = sum_words(sum, &bytes[40..]);
        assert_eq!(fold(sum), 0xffff);
    }

    #[test]
    fn blocks_are_length_framed() {
        let mut w = PcapngWriter::new();
        let i = w.add_interface("alice/eth0");
        w.write_packet(
            i,
            Instant::from_millis(1),
            &udp("10.0.0.1:1", "10.0.0.2:2", b"abc"),
        );
        let b = w.bytes();
        let mut off = 0;
        let mut blocks = 0;
        while off < b.len() {
            let len = u32::from_le_bytes(b[off + 4..off + 8].try_into().unwrap()) as usize;
            assert_eq!(len % 4, 0);
            assert_eq!(&b[off + 4..off + 8], &b[off + len - 4..off + len]);
            off += len;
            blocks += 1;
        }
        assert_eq!(blocks, 3);
    }
}
