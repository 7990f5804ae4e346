//! The DTLS record layer: framing the records of one datagram, zero-copy.
//!
//! Two header formats share a datagram:
//!
//! * **DTLSPlaintext** (RFC 6347 §4.1, RFC 9147 §4): `type(1) version(2) epoch(2)
//!   sequence_number(6) length(2) fragment`. DTLS 1.2 uses the same header for protected
//!   records (DTLSCiphertext); with RFC 9146 connection ids, content type `tls12_cid(25)` puts
//!   the CID between the sequence number and the length.
//! * **DTLS 1.3 unified header** (RFC 9147 §4, Figure 3): first byte `001CSLEE`, then the CID
//!   if C, an 8- or 16-bit (encrypted) sequence number, a 16-bit length if L, and the encrypted
//!   record. Without L the record runs to the end of the datagram.
//!
//! The first byte decides (RFC 9147 §4.1, Figure 5). A connection id's length is never on the
//! wire: the caller supplies it in [`RecordContext`].
//!
//! # Panics
//! Never: every read is bounds-checked; lengths that overrun the datagram are
//! [`RecordError`]s. Lengths above the protocol limits parse and are judged by the rules.
//!
//! # Fuzzing
//! `fuzzing::fuzz_record` frames arbitrary datagrams and checks that the records tile the
//! input exactly.

use crate::codes::{ContentType, ProtocolVersion};
use crate::error::RecordError;
use crate::reader::Reader;

/// Largest DTLSPlaintext fragment (RFC 5246 §6.2.1: 2^14).
pub const MAX_PLAINTEXT_LEN: usize = 1 << 14;
/// Largest DTLS 1.2 protected fragment (RFC 5246 §6.2.3: 2^14 + 2048).
pub const MAX_CIPHERTEXT_LEN: usize = (1 << 14) + 2048;
/// Largest DTLS 1.3 protected record (RFC 8446 §5.2: 2^14 + 256).
pub const MAX_DTLS13_CIPHERTEXT_LEN: usize = (1 << 14) + 256;
/// Length of a DTLSPlaintext header without connection id.
pub const PLAINTEXT_HEADER_LEN: usize = 13;

/// What the receiver knows that is not on the wire.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RecordContext {
    /// Length of the connection ids this receiver negotiated (RFC 9146), if any. Needed to
    /// frame unified headers with the C bit and `tls12_cid` records.
    pub cid_len: Option<usize>,
}

/// A record with the DTLSPlaintext header layout (DTLS 1.0/1.2 records of every epoch,
/// DTLS 1.3 epoch-0 records, `tls12_cid` records).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlaintextRecord<'a> {
    /// Offset of the record in the datagram.
    pub offset: usize,
    /// Content type.
    pub content_type: ContentType,
    /// Record version (`legacy_record_version` in DTLS 1.3).
    pub version: ProtocolVersion,
    /// Epoch.
    pub epoch: u16,
    /// 48-bit sequence number.
    pub sequence_number: u64,
    /// Connection id (`tls12_cid` records only).
    pub connection_id: Option<&'a [u8]>,
    /// The length field.
    pub length: u16,
    /// The fragment (plaintext in epoch 0, protected otherwise).
    pub fragment: &'a [u8],
    /// The whole header, as on the wire.
    pub header: &'a [u8],
}

/// A DTLS 1.3 record with the unified header (always protected).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnifiedRecord<'a> {
    /// Offset of the record in the datagram.
    pub offset: usize,
    /// The first byte, `001CSLEE`.
    pub first_byte: u8,
    /// Connection id, when the C bit is set.
    pub connection_id: Option<&'a [u8]>,
    /// Low-order sequence number bits as on the wire (encrypted, RFC 9147 §4.2.3).
    pub sequence_number: u16,
    /// True when the sequence number is 16 bits (S bit).
    pub sequence_is_16_bit: bool,
    /// The length field, when the L bit is set.
    pub length: Option<u16>,
    /// The two low-order bits of the epoch.
    pub epoch_bits: u8,
    /// The encrypted DTLSInnerPlaintext.
    pub encrypted_record: &'a [u8],
    /// The whole header, as on the wire (the AEAD additional data before record number
    /// encryption is removed).
    pub header: &'a [u8],
}

impl UnifiedRecord<'_> {
    /// The C bit.
    pub const FLAG_CID: u8 = 0x10;
    /// The S bit.
    pub const FLAG_SEQ16: u8 = 0x08;
    /// The L bit.
    pub const FLAG_LENGTH: u8 = 0x04;
}

/// One framed record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Record<'a> {
    /// DTLSPlaintext header layout.
    Plaintext(PlaintextRecord<'a>),
    /// DTLS 1.3 unified header.
    Unified(UnifiedRecord<'a>),
}

impl<'a> Record<'a> {
    /// Offset of the record in the datagram.
    #[must_use]
    pub const fn offset(&self) -> usize {
        match self {
            Self::Plaintext(r) => r.offset,
            Self::Unified(r) => r.offset,
        }
    }

    /// Header plus payload length.
    #[must_use]
    pub const fn wire_len(&self) -> usize {
        match self {
            Self::Plaintext(r) => r.header.len().saturating_add(r.fragment.len()),
            Self::Unified(r) => r.header.len().saturating_add(r.encrypted_record.len()),
        }
    }

    /// The bytes after the header.
    #[must_use]
    pub const fn payload(&self) -> &'a [u8] {
        match self {
            Self::Plaintext(r) => r.fragment,
            Self::Unified(r) => r.encrypted_record,
        }
    }

    /// The connection id, if the record carries one.
    #[must_use]
    pub const fn connection_id(&self) -> Option<&'a [u8]> {
        match self {
            Self::Plaintext(r) => r.connection_id,
            Self::Unified(r) => r.connection_id,
        }
    }

    /// The plaintext view, for records whose header has that layout.
    #[must_use]
    pub const fn as_plaintext(&self) -> Option<&PlaintextRecord<'a>> {
        match self {
            Self::Plaintext(r) => Some(r),
            Self::Unified(_) => None,
        }
    }

    /// The plaintext handshake fragment bytes, when this is an epoch-0 handshake record.
    #[must_use]
    pub fn plaintext_handshake(&self) -> Option<&'a [u8]> {
        match self {
            Self::Plaintext(r) if r.epoch == 0 && r.content_type == ContentType::HANDSHAKE => {
                Some(r.fragment)
            }
            _ => None,
        }
    }
}

/// Frames the records of `datagram`.
#[must_use]
pub const fn records(datagram: &[u8], context: RecordContext) -> Records<'_> {
    Records {
        datagram,
        offset: 0,
        context,
        done: false,
    }
}

/// Iterator over the records of a datagram; yields one error and then stops.
#[derive(Clone, Debug)]
pub struct Records<'a> {
    datagram: &'a [u8],
    offset: usize,
    context: RecordContext,
    done: bool,
}

impl<'a> Iterator for Records<'a> {
    type Item = Result<Record<'a>, RecordError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let rest = self.datagram.get(self.offset..).unwrap_or_default();
        if rest.is_empty() {
            self.done = true;
            return None;
        }
        match parse_record(rest, self.offset, self.context) {
            Ok(record) => {
                self.offset = self.offset.saturating_add(record.wire_len());
                Some(Ok(record))
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

/// Parses the record at the start of `input`; `offset` is its position in the datagram.
///
/// # Errors
/// [`RecordError`] when the header is truncated, the length overruns `input`, a connection
/// id's length is not in `context`, or the first byte cannot start a DTLS record.
pub fn parse_record(
    input: &[u8],
    offset: usize,
    context: RecordContext,
) -> Result<Record<'_>, RecordError> {
    let first = *input
        .first()
        .ok_or(RecordError::TruncatedHeader { offset })?;
    match first {
        0x20..=0x3f => parse_unified(input, offset, context).map(Record::Unified),
        20..=31 => parse_plaintext(input, offset, context).map(Record::Plaintext),
        _ => Err(RecordError::NotDtls {
            offset,
            first_byte: first,
        }),
    }
}

/// Reads a connection id of the length the context knows (RFC 9146, RFC 9147): the
/// record header does not carry it.
fn take_connection_id<'a>(
    r: &mut Reader<'a>,
    context: RecordContext,
    offset: usize,
) -> Result<&'a [u8], RecordError> {
    let len = context
        .cid_len
        .ok_or(RecordError::ConnectionIdLengthUnknown { offset })?;
    r.take(len).ok_or(RecordError::TruncatedHeader { offset })
}

/// Takes the `length` bytes a record header declares, or says how many there were.
fn take_declared<'a>(
    r: &mut Reader<'a>,
    length: u16,
    offset: usize,
) -> Result<&'a [u8], RecordError> {
    let available = r.remaining();
    r.take(usize::from(length))
        .ok_or(RecordError::LengthBeyondDatagram {
            offset,
            declared: usize::from(length),
            available,
        })
}

fn parse_plaintext(
    input: &[u8],
    offset: usize,
    context: RecordContext,
) -> Result<PlaintextRecord<'_>, RecordError> {
    let truncated = RecordError::TruncatedHeader { offset };
    let mut r = Reader::new(input);
    let content_type = ContentType(r.u8().ok_or(truncated)?);
    let version = ProtocolVersion(r.u16().ok_or(truncated)?);
    let epoch = r.u16().ok_or(truncated)?;
    let sequence_number = r.u48().ok_or(truncated)?;
    let connection_id = if content_type == ContentType::TLS12_CID {
        Some(take_connection_id(&mut r, context, offset)?)
    } else {
        None
    };
    let length = r.u16().ok_or(truncated)?;
    let header_len = r.offset();
    let fragment = take_declared(&mut r, length, offset)?;
    let header = input.get(..header_len).ok_or(truncated)?;
    Ok(PlaintextRecord {
        offset,
        content_type,
        version,
        epoch,
        sequence_number,
        connection_id,
        length,
        fragment,
        header,
    })
}

fn parse_unified(
    input: &[u8],
    offset: usize,
    context: RecordContext,
) -> Result<UnifiedRecord<'_>, RecordError> {
    let truncated = RecordError::TruncatedHeader { offset };
    let mut r = Reader::new(input);
    let first_byte = r.u8().ok_or(truncated)?;
    let connection_id = if first_byte & UnifiedRecord::FLAG_CID != 0 {
        Some(take_connection_id(&mut r, context, offset)?)
    } else {
        None
    };
    let sequence_is_16_bit = first_byte & UnifiedRecord::FLAG_SEQ16 != 0;
    let sequence_number = if sequence_is_16_bit {
        r.u16().ok_or(truncated)?
    } else {
        u16::from(r.u8().ok_or(truncated)?)
    };
    let length = if first_byte & UnifiedRecord::FLAG_LENGTH != 0 {
        Some(r.u16().ok_or(truncated)?)
    } else {
        None
    };
    let header_len = r.offset();
    let encrypted_record = match length {
        Some(len) => take_declared(&mut r, len, offset)?,
        None => r.rest(),
    };
    let header = input.get(..header_len).ok_or(truncated)?;
    Ok(UnifiedRecord {
        offset,
        first_byte,
        connection_id,
        sequence_number,
        sequence_is_16_bit,
        length,
        epoch_bits: first_byte & 0x03,
        encrypted_record,
        header,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO_RECORDS: &[u8] = &[
        // change_cipher_spec, DTLS 1.2, epoch 0, seq 5, length 1
        20, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 5, 0, 1, 1, // handshake epoch 1, 2 bytes
        22, 0xfe, 0xfd, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0xaa, 0xbb,
    ];

    #[test]
    fn splits_several_records_of_one_datagram() {
        let recs: Vec<_> = records(TWO_RECORDS, RecordContext::default())
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(recs.len(), 2);
        let Record::Plaintext(a) = recs[0] else {
            panic!("plaintext expected")
        };
        assert_eq!(a.content_type, ContentType::CHANGE_CIPHER_SPEC);
        assert_eq!(a.sequence_number, 5);
        assert_eq!(a.fragment, &[1]);
        assert_eq!(recs[1].offset(), 14);
        assert_eq!(recs[1].payload(), &[0xaa, 0xbb]);
    }

    #[test]
    fn rejects_a_length_running_past_the_datagram() {
        let mut bytes = TWO_RECORDS.to_vec();
        bytes.pop();
        let out: Vec<_> = records(&bytes, RecordContext::default()).collect();
        assert_eq!(
            out[1],
            Err(RecordError::LengthBeyondDatagram {
                offset: 14,
                declared: 2,
                available: 1
            })
        );
        assert_eq!(out.len(), 2);
    }

    #[test]
    fn reads_a_minimal_unified_header_to_the_end_of_the_datagram() {
        let bytes = [0x21, 0x07, 1, 2, 3];
        let rec = parse_record(&bytes, 0, RecordContext::default()).unwrap();
        let Record::Unified(u) = rec else {
            panic!("unified expected")
        };
        assert_eq!(u.epoch_bits, 1);
        assert_eq!(u.sequence_number, 7);
        assert_eq!(u.length, None);
        assert_eq!(u.encrypted_record, &[1, 2, 3]);
    }

    #[test]
    fn reads_a_full_unified_header_with_cid_from_context() {
        let bytes = [0x3e, 0xc1, 0xc2, 0x01, 0x02, 0x00, 0x02, 9, 9, 0x20, 0];
        let ctx = RecordContext { cid_len: Some(2) };
        let recs: Vec<_> = records(&bytes, ctx).collect::<Result<_, _>>().unwrap();
        let Record::Unified(u) = recs[0] else {
            panic!("unified expected")
        };
        assert_eq!(u.connection_id, Some(&[0xc1, 0xc2][..]));
        assert_eq!(u.sequence_number, 0x0102);
        assert!(u.sequence_is_16_bit);
        assert_eq!(u.length, Some(2));
        assert_eq!(u.epoch_bits, 2);
        assert_eq!(recs.len(), 2);
        assert_eq!(
            parse_record(&bytes, 0, RecordContext::default()),
            Err(RecordError::ConnectionIdLengthUnknown { offset: 0 })
        );
    }

    #[test]
    fn rejects_a_first_byte_outside_the_dtls_range() {
        assert_eq!(
            parse_record(&[0x80, 0], 3, RecordContext::default()),
            Err(RecordError::NotDtls {
                offset: 3,
                first_byte: 0x80
            })
        );
    }
}
