//! Capture ingestion for webrtc-harness.
//!
//! Turns a `.pcap` or `.pcapng` stream into the transport payloads the protocol checkers judge:
//!
//! * [`reader`]: a streaming reader over any [`std::io::Read`] (pcap-parser underneath) that
//!   hands out one [`Frame`] at a time, with a buffer that grows only up to
//!   [`Limits::max_block`], and an error naming the frame when the capture is truncated or
//!   corrupt ([`CaptureError`]).
//! * [`link`]: Ethernet (with 802.1Q/802.1ad VLAN tags), Linux cooked v1 and v2, raw IP,
//!   BSD loopback (`NULL`/`LOOP`).
//! * [`ip`]: IPv4 and IPv6 (extension headers skipped), with bounded fragment reassembly.
//! * [`tcp`]: per-direction stream reassembly and the message framings that carry STUN,
//!   ChannelData, DTLS and RTP over TCP: RFC 8656 §12.5 (STUN and ChannelData are
//!   self-delimiting; ChannelData padded to 4 bytes) and RFC 4571 / RFC 6544 (a 16-bit length
//!   before every message).
//! * [`decode`]: the [`Decoder`] that strings them together and yields [`Packet`]s: one UDP
//!   datagram, or one framed message of a TCP stream, with its 5-tuple and frame number.
//!
//! # Memory
//!
//! Everything kept between frames is bounded by [`Limits`]: the read buffer, the number of
//! fragment sets and their bytes, the number of TCP streams and the bytes each holds. When a
//! bound is reached the oldest state is dropped and counted in [`Stats`]; nothing grows with
//! the length of the capture.
//!
//! # Errors
//!
//! [`CaptureError`] names the frame that could not be read (`frame 812: truncated record`).
//! Every frame before it has already been handed out, so a caller judges everything up to the
//! damage and reports the error next to its results.
//!
//! # Example
//! ```
//! use harness_capture::{Capture, Limits};
//! # let bytes: &[u8] = &[0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0,
//! #     0xff, 0xff, 0, 0, 1, 0, 0, 0];
//! let mut capture = Capture::new(bytes, Limits::default()).unwrap();
//! let mut count = 0;
//! let stats = capture.for_each_packet(|packet| count += packet.payload.len()).unwrap();
//! assert_eq!(stats.frames, 0);
//! ```
#![forbid(unsafe_code)]
#![warn(
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]
#![cfg_attr(not(test), warn(clippy::arithmetic_side_effects))]

pub mod decode;
mod error;
pub mod fuzzing;
pub mod hash;
pub mod ip;
pub mod link;
pub mod reader;
pub mod tcp;

pub use decode::{Capture, Decoder, Packet, Stats, Transport};
pub use error::{CaptureError, CaptureErrorKind};
pub use reader::{Frame, FrameReader, Limits};
pub use tcp::Framing;
