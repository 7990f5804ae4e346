//! The ChannelData message (RFC 8656 §12.4).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |         Channel Number        |            Length             |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! /                       Application Data                        /
//! ```
//!
//! The view accepts any channel number whose leading bits are `01` (0x4000–0x7FFF), which is
//! what demultiplexing from STUN by the first byte allows; whether the number lies in the range
//! a client may bind (0x4000–0x4FFF, RFC 8656 §12) is judged by [`crate::rules`]. Padding is
//! required on stream transports (RFC 8656 §12.5) and optional on UDP.
//!
//! # Fuzzing
//!
//! [`ChannelData::parse`] never panics and never allocates.

use core::fmt;

/// The lowest channel number a client may bind (RFC 8656 §12).
pub const CHANNEL_MIN: u16 = 0x4000;
/// The highest channel number a client may bind (RFC 8656 §12).
pub const CHANNEL_MAX: u16 = 0x4FFF;
/// Size of the ChannelData header.
pub const HEADER_LEN: usize = 4;

/// Why bytes are not a ChannelData message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChannelDataError {
    /// Fewer than four bytes.
    TruncatedHeader,
    /// The leading bits are not `01`.
    NotChannelData,
    /// The length field exceeds the bytes present.
    TruncatedData,
    /// Over a stream transport, the padding after the data is missing.
    MissingPadding,
    /// More bytes follow than the length and padding explain.
    TrailingBytes,
}

impl fmt::Display for ChannelDataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::TruncatedHeader => "ChannelData shorter than its 4-byte header",
            Self::NotChannelData => "leading bits are not 01",
            Self::TruncatedData => "length field exceeds the bytes present",
            Self::MissingPadding => "padding to a multiple of 4 missing on a stream transport",
            Self::TrailingBytes => "bytes after the data and its padding",
        })
    }
}

impl std::error::Error for ChannelDataError {}

/// A ChannelData message, borrowed from the bytes it was parsed from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChannelData<'a> {
    /// The channel number as on the wire.
    pub number: u16,
    /// The application data (without padding).
    pub data: &'a [u8],
    /// Bytes after the data (padding on UDP, or nothing).
    pub trailing: usize,
}

/// True when the first byte says ChannelData (leading bits 01).
#[must_use]
pub fn is_channel_data(bytes: &[u8]) -> bool {
    bytes.first().is_some_and(|b| b & 0xC0 == 0x40)
}

/// The padded size of a ChannelData message carrying `data_len` bytes.
#[must_use]
pub const fn padded_len(data_len: usize) -> usize {
    HEADER_LEN + data_len.div_ceil(4) * 4
}

impl<'a> ChannelData<'a> {
    /// Parses a datagram. On UDP, up to three bytes of padding may follow the data
    /// (RFC 8656 §12.5); `stream` requires it to be present.
    ///
    /// # Errors
    /// A [`ChannelDataError`].
    pub fn parse(bytes: &'a [u8], stream: bool) -> Result<Self, ChannelDataError> {
        let Some(([n0, n1, l0, l1], rest)) = bytes.split_first_chunk::<HEADER_LEN>() else {
            return Err(ChannelDataError::TruncatedHeader);
        };
        let number = u16::from_be_bytes([*n0, *n1]);
        if number & 0xC000 != 0x4000 {
            return Err(ChannelDataError::NotChannelData);
        }
        let len = usize::from(u16::from_be_bytes([*l0, *l1]));
        let (data, after) = rest
            .split_at_checked(len)
            .ok_or(ChannelDataError::TruncatedData)?;
        let pad = (4 - len % 4) % 4;
        if stream && after.len() < pad {
            return Err(ChannelDataError::MissingPadding);
        }
        if after.len() > pad {
            return Err(ChannelDataError::TrailingBytes);
        }
        Ok(Self {
            number,
            data,
            trailing: after.len(),
        })
    }

    /// True when the number is in the range a client may bind.
    #[must_use]
    pub fn number_in_range(&self) -> bool {
        (CHANNEL_MIN..=CHANNEL_MAX).contains(&self.number)
    }
}

/// Writes a ChannelData message for `number` and `data` into `out` (cleared first), padded to
/// four bytes when `pad` is set (always on stream transports). Data longer than 65535 bytes is
/// cut at 65535: the length field cannot say more.
pub fn emit(number: u16, data: &[u8], pad: bool, out: &mut Vec<u8>) {
    out.clear();
    let data = data.get(..usize::from(u16::MAX)).unwrap_or(data);
    let len = u16::try_from(data.len()).unwrap_or(u16::MAX);
    out.reserve(padded_len(data.len()));
    out.extend_from_slice(&number.to_be_bytes());
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(data);
    if pad {
        out.extend(core::iter::repeat_n(0u8, (4 - data.len() % 4) % 4));
    }
}

/// [`emit`] into a new vector.
#[must_use]
pub fn encode(number: u16, data: &[u8], pad: bool) -> Vec<u8> {
    let mut out = Vec::new();
    emit(number, data, pad, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_with_and_without_padding() {
        let bytes = encode(0x4001, b"hello", true);
        assert_eq!(bytes, b"\x40\x01\x00\x05hello\0\0\0");
        let cd = ChannelData::parse(&bytes, true).unwrap();
        assert_eq!(
            (cd.number, cd.data, cd.trailing),
            (0x4001, &b"hello"[..], 3)
        );
        let bytes = encode(0x4FFF, b"hello", false);
        assert_eq!(ChannelData::parse(&bytes, false).unwrap().data, b"hello");
        assert_eq!(
            ChannelData::parse(&bytes, true),
            Err(ChannelDataError::MissingPadding)
        );
    }

    #[test]
    fn rejects_short_header_overlong_length_and_stun_first_byte() {
        assert_eq!(
            ChannelData::parse(b"\x40", false),
            Err(ChannelDataError::TruncatedHeader)
        );
        assert_eq!(
            ChannelData::parse(b"\x40\x00\x00\x09abc", false),
            Err(ChannelDataError::TruncatedData)
        );
        assert_eq!(
            ChannelData::parse(b"\x00\x01\x00\x00", false),
            Err(ChannelDataError::NotChannelData)
        );
        assert_eq!(
            ChannelData::parse(b"\x40\x00\x00\x01abcdefgh", false),
            Err(ChannelDataError::TrailingBytes)
        );
    }

    #[test]
    fn reserved_numbers_parse_but_are_out_of_range() {
        let bytes = encode(0x5000, b"", true);
        let cd = ChannelData::parse(&bytes, true).unwrap();
        assert!(!cd.number_in_range());
        assert!(
            ChannelData::parse(&encode(0x4000, b"", true), true)
                .unwrap()
                .number_in_range()
        );
    }
}
