//! Packets as the simulator moves them: addresses, a transport header, and the payload bytes.
//!
//! IP and transport headers are not kept as bytes; the [`crate::pcapng`] writer synthesises
//! them (with correct lengths and checksums) when a packet is captured. Payloads are never
//! rewritten by anything in the network (no ALG).

use core::fmt;
use std::net::SocketAddr;

use harness_core::endpoint::Transport;

/// TCP flag bits, as on the wire.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct TcpFlags(pub u8);

impl TcpFlags {
    /// FIN.
    pub const FIN: Self = Self(0x01);
    /// SYN.
    pub const SYN: Self = Self(0x02);
    /// RST.
    pub const RST: Self = Self(0x04);
    /// PSH.
    pub const PSH: Self = Self(0x08);
    /// ACK.
    pub const ACK: Self = Self(0x10);

    /// Whether every bit of `other` is set.
    #[must_use]
    pub const fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    /// The union of both.
    #[must_use]
    pub const fn with(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }
}

impl fmt::Debug for TcpFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for TcpFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = [
            (Self::SYN, "SYN"),
            (Self::FIN, "FIN"),
            (Self::RST, "RST"),
            (Self::PSH, "PSH"),
            (Self::ACK, "ACK"),
        ];
        let mut first = true;
        for (flag, name) in names {
            if self.contains(flag) {
                if !first {
                    f.write_str("+")?;
                }
                f.write_str(name)?;
                first = false;
            }
        }
        if first {
            f.write_str("-")?;
        }
        Ok(())
    }
}

/// The TCP header fields the simulator models.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TcpHeader {
    /// Sequence number.
    pub seq: u32,
    /// Acknowledgement number (meaningful with ACK).
    pub ack: u32,
    /// Flags.
    pub flags: TcpFlags,
    /// Receive window.
    pub window: u16,
}

/// The transport layer of a packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum L4 {
    /// A UDP datagram.
    Udp,
    /// A TCP segment.
    Tcp(TcpHeader),
}

impl L4 {
    /// UDP or TCP.
    #[must_use]
    pub const fn transport(&self) -> Transport {
        match self {
            Self::Udp => Transport::Udp,
            Self::Tcp(_) => Transport::Tcp,
        }
    }
}

/// One packet in flight.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Packet {
    /// Identifier for the trace: unique per packet sent (a duplicate made by a link gets a
    /// fresh one).
    pub id: u64,
    /// Source address and port (rewritten by NATs).
    pub src: SocketAddr,
    /// Destination address and port (rewritten by NATs).
    pub dst: SocketAddr,
    /// Hop limit; routers decrement it and drop at zero.
    pub ttl: u8,
    /// UDP or TCP header.
    pub l4: L4,
    /// The payload bytes (never rewritten).
    pub payload: Vec<u8>,
}

/// Initial hop limit of packets sent by hosts.
pub const DEFAULT_TTL: u8 = 64;

impl Packet {
    /// Length of the IP header.
    #[must_use]
    pub const fn ip_header_len(&self) -> usize {
        if self.src.is_ipv4() { 20 } else { 40 }
    }

    /// Length of the transport header (TCP SYNs carry a 4-byte MSS option).
    #[must_use]
    pub const fn l4_header_len(&self) -> usize {
        match self.l4 {
            L4::Udp => 8,
            L4::Tcp(h) if h.flags.contains(TcpFlags::SYN) => 24,
            L4::Tcp(_) => 20,
        }
    }

    /// Size of the whole IP packet in bytes (what MTUs and rate limits see).
    #[must_use]
    pub fn wire_len(&self) -> usize {
        self.ip_header_len() + self.l4_header_len() + self.payload.len()
    }
}

impl fmt::Debug for Packet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "#{} {} {} -> {}",
            self.id,
            self.l4.transport(),
            self.src,
            self.dst
        )?;
        if let L4::Tcp(h) = self.l4 {
            write!(f, " [{}] seq={} ack={}", h.flags, h.seq, h.ack)?;
        }
        write!(f, " len={}", self.payload.len())
    }
}
