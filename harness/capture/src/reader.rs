//! Streaming frame reader over pcap and pcapng.
//!
//! [`FrameReader`] wraps pcap-parser's streaming readers. It keeps one read buffer, which
//! starts at [`Limits::read_buffer`] bytes and doubles only when a single record does not fit,
//! up to [`Limits::max_block`]; the interface table of pcapng is capped at
//! [`Limits::max_interfaces`]. Frames are numbered from 1 as Wireshark numbers them (every
//! packet record or packet block counts, whatever its link type).

use std::io::Read;

use pcap_parser::pcapng::Block;
use pcap_parser::traits::PcapReaderIterator;
use pcap_parser::{Linktype, PcapBlockOwned, PcapError, create_reader};

use crate::error::{CaptureError, CaptureErrorKind};

/// Bounds on everything the capture layer keeps in memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Initial size of the read buffer.
    pub read_buffer: usize,
    /// Largest record or block accepted; larger ones end the capture with
    /// [`CaptureErrorKind::BlockTooLarge`].
    pub max_block: usize,
    /// Most pcapng interfaces remembered per section.
    pub max_interfaces: usize,
    /// Most IP datagrams being reassembled at once.
    pub max_fragment_sets: usize,
    /// Largest reassembled IP datagram.
    pub max_datagram: usize,
    /// Most TCP stream directions followed at once.
    pub max_tcp_streams: usize,
    /// Most bytes buffered per TCP stream direction (in-order tail plus out-of-order segments).
    pub max_tcp_buffer: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            read_buffer: 1 << 20,
            max_block: 16 << 20,
            max_interfaces: 256,
            max_fragment_sets: 256,
            max_datagram: 65_535,
            max_tcp_streams: 4096,
            max_tcp_buffer: 256 << 10,
        }
    }
}

/// One captured frame: what the link layer saw.
#[derive(Clone, Copy, Debug)]
pub struct Frame<'a> {
    /// 1-based frame number.
    pub number: u64,
    /// Capture timestamp, nanoseconds since the Unix epoch (as recorded in the file).
    pub time_ns: u64,
    /// Link type of the interface (LINKTYPE_* value).
    pub linktype: i32,
    /// Captured bytes (possibly fewer than were on the wire).
    pub data: &'a [u8],
    /// Length on the wire.
    pub original_len: u32,
}

#[derive(Clone, Copy, Debug)]
struct Interface {
    linktype: i32,
    resolution: u64,
    ts_offset: u64,
}

/// What to do after a `next()` call, decided without holding a borrow of the reader.
enum Step {
    Consume(usize),
    Refill,
    Grow,
    End,
    Fail(CaptureErrorKind, &'static str),
}

/// A streaming reader of frames.
pub struct FrameReader<'r> {
    inner: Box<dyn PcapReaderIterator + 'r>,
    capacity: usize,
    limits: Limits,
    frames: u64,
    legacy_linktype: i32,
    legacy_nanos: bool,
    interfaces: Vec<Interface>,
    last_time_ns: u64,
}

impl core::fmt::Debug for FrameReader<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("FrameReader")
            .field("frames", &self.frames)
            .field("capacity", &self.capacity)
            .finish()
    }
}

fn map_open_error(e: &PcapError<&'static [u8]>) -> CaptureError {
    let kind = match e {
        PcapError::Eof => CaptureErrorKind::Empty,
        PcapError::ReadError => CaptureErrorKind::Read,
        PcapError::Incomplete(_) | PcapError::UnexpectedEof => CaptureErrorKind::Truncated,
        _ => CaptureErrorKind::NotACapture,
    };
    CaptureError::new(kind, None, 0, "file header")
}

impl<'r> FrameReader<'r> {
    /// Opens a capture. Fails when the input is empty, unreadable, or not pcap/pcapng.
    ///
    /// # Errors
    /// [`CaptureErrorKind::Empty`], [`CaptureErrorKind::Read`],
    /// [`CaptureErrorKind::NotACapture`] or [`CaptureErrorKind::Truncated`] (a header cut short).
    pub fn new(source: impl Read + 'r, limits: Limits) -> Result<Self, CaptureError> {
        let capacity = limits.read_buffer.clamp(4096, limits.max_block.max(4096));
        let inner = create_reader(capacity, source).map_err(|e| map_open_error(&e))?;
        Ok(Self {
            inner,
            capacity,
            limits,
            frames: 0,
            legacy_linktype: Linktype::ETHERNET.0,
            legacy_nanos: false,
            interfaces: Vec::new(),
            last_time_ns: 0,
        })
    }

    /// Frames handed out so far.
    #[must_use]
    pub const fn frames(&self) -> u64 {
        self.frames
    }

    /// Size of the read buffer now (it grows only for records larger than it).
    #[must_use]
    pub const fn buffer_capacity(&self) -> usize {
        self.capacity
    }

    /// Calls `sink` with every frame, in order, until the end of the capture.
    ///
    /// # Errors
    /// A [`CaptureError`] naming the first frame that could not be read; `sink` has seen every
    /// frame before it.
    pub fn for_each_frame(
        &mut self,
        mut sink: impl FnMut(&Frame<'_>),
    ) -> Result<u64, CaptureError> {
        loop {
            let step = match self.inner.next() {
                Ok((offset, block)) => {
                    let number = self.frames.saturating_add(1);
                    match deliver(
                        block,
                        number,
                        &mut self.interfaces,
                        &mut self.legacy_linktype,
                        &mut self.legacy_nanos,
                        &mut self.last_time_ns,
                        self.limits.max_interfaces,
                        &mut sink,
                    ) {
                        Ok(true) => {
                            self.frames = number;
                            Step::Consume(offset)
                        }
                        Ok(false) => Step::Consume(offset),
                        Err(kind) => Step::Fail(kind, "pcapng enhanced packet block"),
                    }
                }
                Err(PcapError::Eof) => Step::End,
                Err(PcapError::Incomplete(_)) => Step::Refill,
                Err(PcapError::BufferTooSmall) => Step::Grow,
                Err(PcapError::UnexpectedEof) => {
                    Step::Fail(CaptureErrorKind::Truncated, "record cut short")
                }
                Err(PcapError::ReadError) => Step::Fail(CaptureErrorKind::Read, "reading input"),
                Err(PcapError::HeaderNotRecognized) => {
                    Step::Fail(CaptureErrorKind::NotACapture, "section header")
                }
                Err(PcapError::NomError(..) | PcapError::OwnedNomError(..)) => {
                    Step::Fail(CaptureErrorKind::Corrupt, "record header or length")
                }
            };
            match step {
                Step::Consume(offset) => self.inner.consume(offset),
                Step::Refill => self.refill()?,
                Step::Grow => {
                    let wanted = self.capacity.saturating_mul(2);
                    if wanted > self.limits.max_block || !self.inner.grow(wanted) {
                        return Err(self.error(CaptureErrorKind::BlockTooLarge, "record length"));
                    }
                    self.capacity = wanted;
                    self.refill()?;
                }
                Step::End => return Ok(self.frames),
                Step::Fail(kind, context) => return Err(self.error(kind, context)),
            }
        }
    }

    fn refill(&mut self) -> Result<(), CaptureError> {
        if self.inner.refill().is_err() {
            return Err(self.error(CaptureErrorKind::Read, "reading input"));
        }
        Ok(())
    }

    fn error(&self, kind: CaptureErrorKind, context: &'static str) -> CaptureError {
        CaptureError::new(
            kind,
            Some(self.frames.saturating_add(1)),
            self.inner.consumed() as u64,
            context,
        )
    }
}

fn scale_to_nanos(secs: u64, frac: u64, resolution: u64) -> u64 {
    let whole = secs.saturating_mul(1_000_000_000);
    let frac_ns = if resolution == 0 {
        0
    } else {
        let ns = u128::from(frac)
            .saturating_mul(1_000_000_000)
            .checked_div(u128::from(resolution))
            .unwrap_or(0);
        u64::try_from(ns).unwrap_or(u64::MAX)
    };
    whole.saturating_add(frac_ns)
}

/// Handles one block; returns whether it was a frame.
#[allow(
    clippy::too_many_arguments,
    reason = "split borrows of the reader's fields while the block borrows its buffer"
)]
fn deliver(
    block: PcapBlockOwned<'_>,
    number: u64,
    interfaces: &mut Vec<Interface>,
    legacy_linktype: &mut i32,
    legacy_nanos: &mut bool,
    last_time_ns: &mut u64,
    max_interfaces: usize,
    sink: &mut impl FnMut(&Frame<'_>),
) -> Result<bool, CaptureErrorKind> {
    match block {
        PcapBlockOwned::LegacyHeader(header) => {
            *legacy_linktype = header.network.0;
            *legacy_nanos = header.is_nanosecond_precision();
            Ok(false)
        }
        PcapBlockOwned::Legacy(record) => {
            let sub = if *legacy_nanos { 1 } else { 1000 };
            let time_ns = u64::from(record.ts_sec)
                .saturating_mul(1_000_000_000)
                .saturating_add(u64::from(record.ts_usec).saturating_mul(sub));
            *last_time_ns = time_ns;
            let caplen = usize::try_from(record.caplen).unwrap_or(usize::MAX);
            let data = record.data.get(..caplen).unwrap_or(record.data);
            sink(&Frame {
                number,
                time_ns,
                linktype: *legacy_linktype,
                data,
                original_len: record.origlen,
            });
            Ok(true)
        }
        PcapBlockOwned::NG(Block::SectionHeader(_)) => {
            interfaces.clear();
            Ok(false)
        }
        PcapBlockOwned::NG(Block::InterfaceDescription(idb)) => {
            if interfaces.len() < max_interfaces {
                interfaces.push(Interface {
                    linktype: idb.linktype.0,
                    resolution: idb.ts_resolution().unwrap_or(1_000_000),
                    ts_offset: u64::try_from(idb.if_tsoffset).unwrap_or(0),
                });
            }
            Ok(false)
        }
        PcapBlockOwned::NG(Block::EnhancedPacket(epb)) => {
            let index = usize::try_from(epb.if_id).unwrap_or(usize::MAX);
            let Some(interface) = interfaces.get(index).copied() else {
                return Err(CaptureErrorKind::UnknownInterface);
            };
            let (secs, frac) = epb.decode_ts(interface.ts_offset, interface.resolution);
            let time_ns = scale_to_nanos(u64::from(secs), u64::from(frac), interface.resolution);
            *last_time_ns = time_ns;
            let caplen = usize::try_from(epb.caplen).unwrap_or(usize::MAX);
            let data = epb.data.get(..caplen).unwrap_or(epb.data);
            sink(&Frame {
                number,
                time_ns,
                linktype: interface.linktype,
                data,
                original_len: epb.origlen,
            });
            Ok(true)
        }
        PcapBlockOwned::NG(Block::SimplePacket(spb)) => {
            let Some(interface) = interfaces.first().copied() else {
                return Err(CaptureErrorKind::UnknownInterface);
            };
            sink(&Frame {
                number,
                time_ns: *last_time_ns,
                linktype: interface.linktype,
                data: spb.data,
                original_len: spb.origlen,
            });
            Ok(true)
        }
        PcapBlockOwned::NG(_) => Ok(false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pcap_header(linktype: u32) -> Vec<u8> {
        let mut h = vec![0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0];
        h.extend_from_slice(&[0; 8]);
        h.extend_from_slice(&65535u32.to_le_bytes());
        h.extend_from_slice(&linktype.to_le_bytes());
        h
    }

    fn record(ts: u32, data: &[u8]) -> Vec<u8> {
        let mut r = ts.to_le_bytes().to_vec();
        r.extend_from_slice(&500u32.to_le_bytes());
        r.extend_from_slice(&(data.len() as u32).to_le_bytes());
        r.extend_from_slice(&(data.len() as u32).to_le_bytes());
        r.extend_from_slice(data);
        r
    }

    #[test]
    fn frames_are_numbered_from_one_with_microsecond_times() {
        let mut file = pcap_header(101);
        file.extend(record(1, &[0x45; 20]));
        file.extend(record(2, &[0x60; 40]));
        let mut reader = FrameReader::new(file.as_slice(), Limits::default()).unwrap();
        let mut seen = Vec::new();
        let n = reader
            .for_each_frame(|f| seen.push((f.number, f.time_ns, f.linktype, f.data.len())))
            .unwrap();
        assert_eq!(n, 2);
        assert_eq!(
            seen,
            vec![(1, 1_000_500_000, 101, 20), (2, 2_000_500_000, 101, 40)]
        );
    }

    #[test]
    fn garbage_is_not_a_capture_and_empty_is_empty() {
        let err = FrameReader::new(&b"GET / HTTP/1.1\r\n\r\n"[..], Limits::default()).unwrap_err();
        assert_eq!(err.kind, CaptureErrorKind::NotACapture);
        let err = FrameReader::new(&b""[..], Limits::default()).unwrap_err();
        assert_eq!(err.kind, CaptureErrorKind::Empty);
    }

    #[test]
    fn a_record_beyond_the_limit_is_refused_without_allocating_it() {
        let mut file = pcap_header(1);
        file.extend(record(1, &[0; 10]));
        let mut huge = 7u32.to_le_bytes().to_vec();
        huge.extend_from_slice(&0u32.to_le_bytes());
        huge.extend_from_slice(&0x4000_0000u32.to_le_bytes());
        huge.extend_from_slice(&0x4000_0000u32.to_le_bytes());
        file.extend(huge);
        file.extend(vec![0; 9000]);
        let limits = Limits {
            read_buffer: 4096,
            max_block: 65536,
            ..Limits::default()
        };
        let mut reader = FrameReader::new(file.as_slice(), limits).unwrap();
        let mut frames = 0;
        let err = reader.for_each_frame(|_| frames += 1).unwrap_err();
        assert_eq!(frames, 1);
        assert_eq!(err.frame, Some(2));
        assert!(matches!(
            err.kind,
            CaptureErrorKind::BlockTooLarge
                | CaptureErrorKind::Truncated
                | CaptureErrorKind::Corrupt
        ));
        assert!(reader.buffer_capacity() <= 65536);
    }
}
