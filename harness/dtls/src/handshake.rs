//! The DTLS handshake header (RFC 6347 §4.2.2, RFC 9147 §5.2) and the fragments of one
//! plaintext handshake record.
//!
//! ```text
//! msg_type(1) length(3) message_seq(2) fragment_offset(3) fragment_length(3) body
//! ```
//! Several handshake fragments may share one record (RFC 6347 §4.2.3).

use crate::codes::HandshakeType;
use crate::error::DecodeError;
use crate::reader::Reader;

/// Length of the DTLS handshake header.
pub const HANDSHAKE_HEADER_LEN: usize = 12;

/// One handshake fragment, as in a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HandshakeFragment<'a> {
    /// Offset of the fragment inside the record's fragment.
    pub offset: usize,
    /// Message type.
    pub msg_type: HandshakeType,
    /// Length of the whole message.
    pub length: u32,
    /// Message sequence number.
    pub message_seq: u16,
    /// Where this fragment's bytes start in the message.
    pub fragment_offset: u32,
    /// How many bytes of the message this fragment carries.
    pub fragment_length: u32,
    /// The bytes carried (`fragment_length` of them).
    pub body: &'a [u8],
}

impl HandshakeFragment<'_> {
    /// True when this fragment is the whole message (offset 0, length = message length).
    #[must_use]
    pub const fn is_whole_message(&self) -> bool {
        self.fragment_offset == 0 && self.fragment_length == self.length
    }

    /// One past the last message byte this fragment carries (saturating).
    #[must_use]
    pub const fn end(&self) -> u64 {
        (self.fragment_offset as u64).saturating_add(self.fragment_length as u64)
    }

    /// True when the fragment stays inside the message (`offset + fragment_length <= length`).
    #[must_use]
    pub const fn within_message(&self) -> bool {
        self.end() <= self.length as u64
    }

    /// Writes the 12-byte header followed by the body into `out`.
    pub fn emit(&self, out: &mut Vec<u8>) {
        out.push(self.msg_type.0);
        out.extend_from_slice(&self.length.to_be_bytes()[1..]);
        out.extend_from_slice(&self.message_seq.to_be_bytes());
        out.extend_from_slice(&self.fragment_offset.to_be_bytes()[1..]);
        out.extend_from_slice(&self.fragment_length.to_be_bytes()[1..]);
        out.extend_from_slice(self.body);
    }
}

/// Parses the fragment at the start of `input`; `offset` is its position in the record.
///
/// # Errors
/// [`DecodeError::Truncated`] when the header or the `fragment_length` bytes are missing.
pub fn parse_fragment(input: &[u8], offset: usize) -> Result<HandshakeFragment<'_>, DecodeError> {
    let mut r = Reader::new(input);
    let msg_type = HandshakeType(r.u8().ok_or(DecodeError::Truncated("handshake.msg_type"))?);
    let length = r.u24().ok_or(DecodeError::Truncated("handshake.length"))?;
    let message_seq = r
        .u16()
        .ok_or(DecodeError::Truncated("handshake.message_seq"))?;
    let fragment_offset = r
        .u24()
        .ok_or(DecodeError::Truncated("handshake.fragment_offset"))?;
    let fragment_length = r
        .u24()
        .ok_or(DecodeError::Truncated("handshake.fragment_length"))?;
    let body = usize::try_from(fragment_length)
        .ok()
        .and_then(|n| r.take(n))
        .ok_or(DecodeError::Truncated("handshake.body"))?;
    Ok(HandshakeFragment {
        offset,
        msg_type,
        length,
        message_seq,
        fragment_offset,
        fragment_length,
        body,
    })
}

/// Iterates the handshake fragments of a plaintext handshake record's fragment.
#[must_use]
pub const fn fragments(record_fragment: &[u8]) -> Fragments<'_> {
    Fragments {
        input: record_fragment,
        offset: 0,
        done: false,
    }
}

/// Iterator over handshake fragments; yields one error and then stops.
#[derive(Clone, Debug)]
pub struct Fragments<'a> {
    input: &'a [u8],
    offset: usize,
    done: bool,
}

impl<'a> Iterator for Fragments<'a> {
    type Item = Result<HandshakeFragment<'a>, DecodeError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let rest = self.input.get(self.offset..).unwrap_or_default();
        if rest.is_empty() {
            self.done = true;
            return None;
        }
        match parse_fragment(rest, self.offset) {
            Ok(f) => {
                self.offset = self
                    .offset
                    .saturating_add(HANDSHAKE_HEADER_LEN)
                    .saturating_add(f.body.len());
                Some(Ok(f))
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_two_fragments_of_one_record_and_re_emits_them() {
        let bytes = [
            14, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, // ServerHelloDone, seq 3
            11, 0, 0, 4, 0, 2, 0, 0, 1, 0, 0, 2, 0xaa, 0xbb, // Certificate part
        ];
        let frags: Vec<_> = fragments(&bytes).collect::<Result<_, _>>().unwrap();
        assert_eq!(frags.len(), 2);
        assert!(frags[0].is_whole_message());
        assert_eq!(frags[1].offset, 12);
        assert_eq!(frags[1].fragment_offset, 1);
        assert!(!frags[1].is_whole_message());
        assert!(frags[1].within_message());
        let mut out = Vec::new();
        for f in &frags {
            f.emit(&mut out);
        }
        assert_eq!(out, bytes);
    }

    #[test]
    fn reports_a_body_shorter_than_fragment_length() {
        let bytes = [1, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 9, 1, 2];
        let out: Vec<_> = fragments(&bytes).collect();
        assert_eq!(out, vec![Err(DecodeError::Truncated("handshake.body"))]);
    }
}
