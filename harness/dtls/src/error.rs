//! Typed parse errors. Variants carry `&'static str` context and never allocate.

use core::fmt;

/// Why bytes did not parse as the structure asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DecodeError {
    /// The input ended inside the named field.
    Truncated(&'static str),
    /// Bytes were left after the named structure.
    TrailingData(&'static str),
    /// A length field of the named structure is impossible (odd length of a `uint16` list,
    /// a vector below its minimum).
    BadLength(&'static str),
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Truncated(what) => write!(f, "truncated {what}"),
            Self::TrailingData(what) => write!(f, "trailing bytes after {what}"),
            Self::BadLength(what) => write!(f, "impossible length in {what}"),
        }
    }
}

impl std::error::Error for DecodeError {}

/// Why the record layer could not frame the next record of a datagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RecordError {
    /// The datagram ended inside a record header.
    TruncatedHeader {
        /// Offset of the record in the datagram.
        offset: usize,
    },
    /// The declared length runs past the end of the datagram (records never span datagrams).
    LengthBeyondDatagram {
        /// Offset of the record in the datagram.
        offset: usize,
        /// Length the header declares.
        declared: usize,
        /// Bytes left after the header.
        available: usize,
    },
    /// A connection id is present but the caller's context does not give its length
    /// (the length is negotiated, never on the wire).
    ConnectionIdLengthUnknown {
        /// Offset of the record in the datagram.
        offset: usize,
    },
    /// The first byte is neither a plaintext content type nor a DTLS 1.3 unified header
    /// (RFC 9147 §4.1: such a record is rejected).
    NotDtls {
        /// Offset of the record in the datagram.
        offset: usize,
        /// The byte found.
        first_byte: u8,
    },
}

impl RecordError {
    /// Offset in the datagram of the record that failed.
    #[must_use]
    pub const fn offset(&self) -> usize {
        match *self {
            Self::TruncatedHeader { offset }
            | Self::LengthBeyondDatagram { offset, .. }
            | Self::ConnectionIdLengthUnknown { offset }
            | Self::NotDtls { offset, .. } => offset,
        }
    }
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TruncatedHeader { offset } => {
                write!(f, "record header truncated at offset {offset}")
            }
            Self::LengthBeyondDatagram {
                offset,
                declared,
                available,
            } => write!(
                f,
                "record at offset {offset} declares {declared} bytes but {available} remain"
            ),
            Self::ConnectionIdLengthUnknown { offset } => write!(
                f,
                "record at offset {offset} carries a connection id of unknown length"
            ),
            Self::NotDtls { offset, first_byte } => write!(
                f,
                "byte 0x{first_byte:02x} at offset {offset} does not start a DTLS record"
            ),
        }
    }
}

impl std::error::Error for RecordError {}
