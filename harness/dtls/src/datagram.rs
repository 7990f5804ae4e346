//! One datagram, dissected: its records, and inside plaintext records the handshake
//! fragments, alerts, ChangeCipherSpec and ACKs. This is what the inspector prints and what
//! the per-datagram rules judge. It allocates (a vector of records); the zero-copy framing
//! underneath is [`crate::record::records`].

use crate::codes::ContentType;
use crate::error::{DecodeError, RecordError};
use crate::handshake::{HandshakeFragment, fragments};
use crate::messages::{Alert, HandshakeBody};
use crate::reader::Reader;
use crate::record::{Record, RecordContext, records};

/// A handshake fragment and, when it is a whole message, its interpreted body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FragmentView<'a> {
    /// The fragment.
    pub fragment: HandshakeFragment<'a>,
    /// The body, for unfragmented messages.
    pub body: Option<Result<HandshakeBody<'a>, DecodeError>>,
}

/// A record number in an ACK (RFC 9147 §7).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordNumber {
    /// Epoch.
    pub epoch: u64,
    /// Sequence number.
    pub sequence_number: u64,
}

/// What a record carries, as far as it can be read without keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Content<'a> {
    /// Plaintext handshake fragments; an error stops the list.
    Handshake(Vec<FragmentView<'a>>, Option<DecodeError>),
    /// A plaintext alert.
    Alert(Result<Alert, DecodeError>),
    /// ChangeCipherSpec: its bytes (one byte of value 1 when well formed).
    ChangeCipherSpec(&'a [u8]),
    /// A plaintext ACK: the record numbers, or why they do not frame.
    Ack(Result<Vec<RecordNumber>, DecodeError>),
    /// Protected content (epoch above 0, `tls12_cid`, unified header).
    Protected,
    /// Plaintext of another type (application_data in epoch 0, heartbeat, unknown).
    Other,
}

/// One record and its content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordView<'a> {
    /// The framed record.
    pub record: Record<'a>,
    /// Its content.
    pub content: Content<'a>,
}

/// A dissected datagram.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Dissection<'a> {
    /// Records framed, in order.
    pub records: Vec<RecordView<'a>>,
    /// Why framing stopped early, if it did.
    pub error: Option<RecordError>,
}

impl<'a> Dissection<'a> {
    /// Every handshake fragment, with the record it came from.
    pub fn fragments(&self) -> impl Iterator<Item = (&RecordView<'a>, &FragmentView<'a>)> {
        self.records.iter().flat_map(|r| {
            let list: &[FragmentView<'a>] = match &r.content {
                Content::Handshake(list, _) => list,
                _ => &[],
            };
            list.iter().map(move |f| (r, f))
        })
    }

    /// True when framing and every plaintext structure parsed.
    #[must_use]
    pub fn parsed_cleanly(&self) -> bool {
        self.error.is_none()
            && self.records.iter().all(|r| match &r.content {
                Content::Handshake(list, err) => {
                    err.is_none() && list.iter().all(|f| !matches!(f.body, Some(Err(_))))
                }
                Content::Alert(a) => a.is_ok(),
                Content::Ack(a) => a.is_ok(),
                _ => true,
            })
    }
}

/// Dissects `datagram`.
#[must_use]
pub fn dissect(datagram: &[u8], context: RecordContext) -> Dissection<'_> {
    let mut out = Dissection::default();
    for item in records(datagram, context) {
        match item {
            Ok(record) => out.records.push(RecordView {
                content: content_of(&record),
                record,
            }),
            Err(e) => out.error = Some(e),
        }
    }
    out
}

fn content_of<'a>(record: &Record<'a>) -> Content<'a> {
    let Record::Plaintext(p) = record else {
        return Content::Protected;
    };
    if p.epoch != 0 || p.content_type == ContentType::TLS12_CID {
        return if p.content_type == ContentType::CHANGE_CIPHER_SPEC {
            Content::ChangeCipherSpec(p.fragment)
        } else {
            Content::Protected
        };
    }
    match p.content_type {
        ContentType::HANDSHAKE => {
            let mut list = Vec::new();
            let mut error = None;
            for f in fragments(p.fragment) {
                match f {
                    Ok(fragment) => {
                        let body = fragment
                            .is_whole_message()
                            .then(|| HandshakeBody::parse(fragment.msg_type, fragment.body));
                        list.push(FragmentView { fragment, body });
                    }
                    Err(e) => error = Some(e),
                }
            }
            Content::Handshake(list, error)
        }
        ContentType::ALERT => Content::Alert(Alert::parse(p.fragment)),
        ContentType::CHANGE_CIPHER_SPEC => Content::ChangeCipherSpec(p.fragment),
        ContentType::ACK => Content::Ack(parse_ack(p.fragment)),
        _ => Content::Other,
    }
}

/// Parses an ACK body: `RecordNumber record_numbers<0..2^16-1>`.
///
/// # Errors
/// [`DecodeError`] when the list does not frame or is not a whole number of 16-byte entries.
pub fn parse_ack(body: &[u8]) -> Result<Vec<RecordNumber>, DecodeError> {
    let mut r = Reader::new(body);
    let list = r
        .vec16()
        .ok_or(DecodeError::Truncated("ack.record_numbers"))?;
    if !r.is_empty() {
        return Err(DecodeError::TrailingData("ack"));
    }
    if list.len() % 16 != 0 {
        return Err(DecodeError::BadLength("ack.record_numbers"));
    }
    let mut r = Reader::new(list);
    let mut out = Vec::with_capacity(list.len() / 16);
    while !r.is_empty() {
        let epoch = r.array::<8>().map(|b| u64::from_be_bytes(*b));
        let seq = r.array::<8>().map(|b| u64::from_be_bytes(*b));
        match (epoch, seq) {
            (Some(epoch), Some(sequence_number)) => out.push(RecordNumber {
                epoch,
                sequence_number,
            }),
            _ => return Err(DecodeError::Truncated("ack.record_number")),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dissects_alerts_ccs_and_acks() {
        let mut d = vec![21, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2, 2, 40];
        d.extend_from_slice(&[26, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 2, 0, 18, 0, 16]);
        d.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 7]);
        let diss = dissect(&d, RecordContext::default());
        assert!(diss.parsed_cleanly());
        assert!(matches!(diss.records[0].content, Content::Alert(Ok(_))));
        assert_eq!(
            diss.records[1].content,
            Content::Ack(Ok(vec![RecordNumber {
                epoch: 2,
                sequence_number: 7
            }]))
        );
        assert_eq!(
            parse_ack(&[0, 3, 1, 2, 3]),
            Err(DecodeError::BadLength("ack.record_numbers"))
        );
    }
}
