//! From frames to transport payloads: the [`Decoder`] and the [`Capture`] driver.

use std::io::Read;
use std::net::{IpAddr, SocketAddr};

use crate::error::CaptureError;
use crate::ip::{self, IpPacket, PROTO_TCP, PROTO_UDP, Reassembled, Reassembler};
use crate::link::{self, Network};
use crate::reader::{Frame, FrameReader, Limits};
use crate::tcp::{Framing, TcpReassembler, TcpStats};

/// The transport a payload arrived on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Transport {
    /// UDP.
    Udp,
    /// TCP.
    Tcp,
}

impl Transport {
    /// Lower-case name.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Udp => "udp",
            Self::Tcp => "tcp",
        }
    }
}

/// One transport payload: a UDP datagram or one framed message of a TCP stream.
#[derive(Clone, Copy, Debug)]
pub struct Packet<'a> {
    /// The frame that completed it (1-based).
    pub frame: u64,
    /// Capture time of that frame, nanoseconds since the Unix epoch.
    pub time_ns: u64,
    /// Source transport address.
    pub src: SocketAddr,
    /// Destination transport address.
    pub dst: SocketAddr,
    /// UDP or TCP.
    pub transport: Transport,
    /// How the payload was delimited.
    pub framing: Framing,
    /// The bytes.
    pub payload: &'a [u8],
}

/// What the decoder saw, frame by frame.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Frames read.
    pub frames: u64,
    /// Bytes of frame data read.
    pub bytes: u64,
    /// Frames of a link type this crate does not decode.
    pub unsupported_link: u64,
    /// Frames carrying something other than IP (ARP ...).
    pub not_ip: u64,
    /// Frames whose link or IP header was cut short or impossible.
    pub malformed: u64,
    /// IP packets captured shorter than their header announced (snap length).
    pub snapped: u64,
    /// IP fragments seen.
    pub fragments: u64,
    /// Datagrams rebuilt from fragments.
    pub reassembled: u64,
    /// Fragment sets given up (bound reached or timed out).
    pub fragments_evicted: u64,
    /// IP packets of other protocols (ICMP, SCTP over IP ...).
    pub other_protocol: u64,
    /// UDP datagrams handed out.
    pub udp_datagrams: u64,
    /// TCP segments seen.
    pub tcp_segments: u64,
    /// The TCP layer's counters.
    pub tcp: TcpStats,
}

/// Stateful decoding of frames (fragments and TCP streams are kept between frames).
#[derive(Debug)]
pub struct Decoder {
    fragments: Reassembler,
    tcp: TcpReassembler,
    stats: Stats,
}

fn be16(data: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([
        *data.get(at)?,
        *data.get(at.checked_add(1)?)?,
    ]))
}

impl Decoder {
    /// A decoder with the given bounds.
    #[must_use]
    pub fn new(limits: &Limits) -> Self {
        Self {
            fragments: Reassembler::new(limits.max_fragment_sets, limits.max_datagram),
            tcp: TcpReassembler::new(limits.max_tcp_streams, limits.max_tcp_buffer),
            stats: Stats::default(),
        }
    }

    /// Counters so far.
    #[must_use]
    pub fn stats(&self) -> Stats {
        let mut stats = self.stats;
        stats.tcp = self.tcp.stats;
        stats.fragments_evicted = self.fragments.evicted;
        stats
    }

    /// Bytes held between frames (fragments and TCP buffers), for memory accounting.
    #[must_use]
    pub fn held_bytes(&self) -> usize {
        self.tcp.buffered()
    }

    /// Decodes one frame and passes every payload it completes to `sink`.
    pub fn push_frame(&mut self, frame: &Frame<'_>, sink: &mut impl FnMut(&Packet<'_>)) {
        self.stats.frames = self.stats.frames.saturating_add(1);
        self.stats.bytes = self.stats.bytes.saturating_add(frame.data.len() as u64);
        let parsed = match link::decode(frame.linktype, frame.data) {
            Network::Ipv4(bytes) => ip::parse_ipv4(bytes),
            Network::Ipv6(bytes) => ip::parse_ipv6(bytes),
            Network::Other(_) => {
                self.stats.not_ip = self.stats.not_ip.saturating_add(1);
                return;
            }
            Network::UnsupportedLink(_) => {
                self.stats.unsupported_link = self.stats.unsupported_link.saturating_add(1);
                return;
            }
            Network::Truncated => {
                self.stats.malformed = self.stats.malformed.saturating_add(1);
                return;
            }
        };
        let Ok(packet) = parsed else {
            self.stats.malformed = self.stats.malformed.saturating_add(1);
            return;
        };
        if packet.truncated {
            self.stats.snapped = self.stats.snapped.saturating_add(1);
        }
        if packet.fragment.is_some() {
            self.stats.fragments = self.stats.fragments.saturating_add(1);
            if let Reassembled::Complete(whole) = self.fragments.push(&packet, frame.time_ns) {
                self.stats.reassembled = self.stats.reassembled.saturating_add(1);
                let rebuilt = IpPacket {
                    payload: &whole,
                    fragment: None,
                    ..packet
                };
                self.transport(frame, &rebuilt, sink);
            }
            return;
        }
        self.transport(frame, &packet, sink);
    }

    fn transport(
        &mut self,
        frame: &Frame<'_>,
        packet: &IpPacket<'_>,
        sink: &mut impl FnMut(&Packet<'_>),
    ) {
        let data = packet.payload;
        let (Some(src_port), Some(dst_port)) = (be16(data, 0), be16(data, 2)) else {
            if matches!(packet.protocol, PROTO_UDP | PROTO_TCP) {
                self.stats.malformed = self.stats.malformed.saturating_add(1);
            }
            return;
        };
        let src = SocketAddr::new(packet.src, src_port);
        let dst = SocketAddr::new(packet.dst, dst_port);
        match packet.protocol {
            PROTO_UDP => {
                let len = usize::from(be16(data, 4).unwrap_or(0));
                // A length below the header is impossible; a length beyond the capture means
                // the capture was snapped: hand out what is there.
                let payload = if len < 8 {
                    None
                } else {
                    data.get(8..len.min(data.len()))
                };
                let Some(payload) = payload else {
                    self.stats.malformed = self.stats.malformed.saturating_add(1);
                    return;
                };
                self.stats.udp_datagrams = self.stats.udp_datagrams.saturating_add(1);
                sink(&Packet {
                    frame: frame.number,
                    time_ns: frame.time_ns,
                    src,
                    dst,
                    transport: Transport::Udp,
                    framing: Framing::Datagram,
                    payload,
                });
            }
            PROTO_TCP => {
                let seq = data
                    .get(4..8)
                    .and_then(|s| <[u8; 4]>::try_from(s).ok())
                    .map(u32::from_be_bytes);
                let offset = data.get(12).map(|b| usize::from(b >> 4).saturating_mul(4));
                let flags = data.get(13).copied();
                let (Some(seq), Some(offset), Some(flags)) = (seq, offset, flags) else {
                    self.stats.malformed = self.stats.malformed.saturating_add(1);
                    return;
                };
                let Some(payload) = data.get(offset..).filter(|_| offset >= 20) else {
                    self.stats.malformed = self.stats.malformed.saturating_add(1);
                    return;
                };
                self.stats.tcp_segments = self.stats.tcp_segments.saturating_add(1);
                let (number, time_ns) = (frame.number, frame.time_ns);
                self.tcp.push(
                    src,
                    dst,
                    seq,
                    flags,
                    payload,
                    number,
                    &mut |message, framing| {
                        sink(&Packet {
                            frame: number,
                            time_ns,
                            src,
                            dst,
                            transport: Transport::Tcp,
                            framing,
                            payload: message,
                        });
                    },
                );
            }
            _ => self.stats.other_protocol = self.stats.other_protocol.saturating_add(1),
        }
    }
}

/// A capture being read: a [`FrameReader`] and a [`Decoder`] together.
#[derive(Debug)]
pub struct Capture<'r> {
    reader: FrameReader<'r>,
    decoder: Decoder,
}

impl<'r> Capture<'r> {
    /// Opens a capture.
    ///
    /// # Errors
    /// When the input is empty, unreadable or neither pcap nor pcapng.
    pub fn new(source: impl Read + 'r, limits: Limits) -> Result<Self, CaptureError> {
        Ok(Self {
            reader: FrameReader::new(source, limits)?,
            decoder: Decoder::new(&limits),
        })
    }

    /// Calls `sink` with every payload, in capture order, until the end of the capture.
    ///
    /// # Errors
    /// A [`CaptureError`] naming the first frame that could not be read; `sink` has seen every
    /// payload before it. The counters up to that point remain available from
    /// [`Capture::stats`].
    pub fn for_each_packet(
        &mut self,
        mut sink: impl FnMut(&Packet<'_>),
    ) -> Result<Stats, CaptureError> {
        let decoder = &mut self.decoder;
        self.reader
            .for_each_frame(|frame| decoder.push_frame(frame, &mut sink))?;
        Ok(self.decoder.stats())
    }

    /// Counters so far.
    #[must_use]
    pub fn stats(&self) -> Stats {
        self.decoder.stats()
    }

    /// Size of the read buffer now.
    #[must_use]
    pub fn buffer_capacity(&self) -> usize {
        self.reader.buffer_capacity()
    }
}

/// The address family of a socket address, for summaries.
#[must_use]
pub fn family(addr: &SocketAddr) -> &'static str {
    match addr.ip() {
        IpAddr::V4(_) => "ipv4",
        IpAddr::V6(_) => "ipv6",
    }
}
