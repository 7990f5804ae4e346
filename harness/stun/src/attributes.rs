//! The attribute walk: type-length-value records with their padding, in order, with byte
//! offsets; truncation and overrun are reported, never a panic.

use core::fmt;

use crate::enums::AttrType;
use crate::message::be16;

/// Size of an attribute header (type + length).
pub const ATTR_HEADER_LEN: usize = 4;

/// Rounds `len` up to a multiple of 4.
#[must_use]
pub const fn padded_len(len: usize) -> usize {
    len.saturating_add(3) & !3
}

/// One attribute as it is on the wire.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct RawAttribute<'a> {
    /// Offset of the attribute header in the message.
    pub offset: usize,
    /// The attribute type.
    pub ty: AttrType,
    /// The length field.
    pub declared_len: u16,
    /// The value bytes: `declared_len` of them, or fewer when the attribute overruns the message.
    pub value: &'a [u8],
    /// The padding bytes after the value: up to 3, fewer when the message ends early.
    pub padding: &'a [u8],
}

impl fmt::Debug for RawAttribute<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawAttribute")
            .field("offset", &self.offset)
            .field("ty", &self.ty)
            .field("declared_len", &self.declared_len)
            .field("value_len", &self.value.len())
            .field("padding", &self.padding)
            .finish()
    }
}

impl<'a> RawAttribute<'a> {
    /// The value holds all `declared_len` bytes.
    #[must_use]
    pub fn is_complete(&self) -> bool {
        self.value.len() == usize::from(self.declared_len)
    }

    /// How many padding bytes the value calls for.
    #[must_use]
    pub fn expected_padding(&self) -> usize {
        let n = usize::from(self.declared_len);
        padded_len(n).saturating_sub(n)
    }

    /// The padding is all there.
    #[must_use]
    pub fn has_full_padding(&self) -> bool {
        self.padding.len() == self.expected_padding()
    }

    /// Offset of the value.
    #[must_use]
    pub fn value_offset(&self) -> usize {
        self.offset.saturating_add(ATTR_HEADER_LEN)
    }

    /// Offset just past the attribute's padding, as far as the message goes.
    #[must_use]
    pub fn end(&self) -> usize {
        self.value_offset()
            .saturating_add(self.value.len())
            .saturating_add(self.padding.len())
    }

    /// Bytes the attribute occupies on the wire (header, value, padding), as far as present.
    #[must_use]
    pub fn wire_len(&self) -> usize {
        self.end().saturating_sub(self.offset)
    }
}

/// A walk that had to stop before the end of the message body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WalkError {
    /// Offset in the message of the bytes that could not be read as an attribute header.
    pub offset: usize,
    /// How many bytes were left (1 to 3).
    pub remaining: usize,
}

impl fmt::Display for WalkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} byte(s) at offset {} cannot hold a 4-byte attribute header",
            self.remaining, self.offset
        )
    }
}

/// Iterator over the attributes of a message body.
///
/// Yields `Ok(attribute)` for each attribute, including a last one whose value overruns the
/// body (then `value` is shorter than `declared_len` and the walk ends). Yields one
/// `Err(WalkError)` when 1 to 3 bytes are left that cannot hold an attribute header, then ends.
/// Allocates nothing.
#[derive(Clone, Debug)]
pub struct Attributes<'a> {
    body: &'a [u8],
    /// Offset of `body[0]` in the message.
    base: usize,
    /// Position in `body`.
    pos: usize,
    done: bool,
}

impl<'a> Attributes<'a> {
    /// Walks `body`, whose first byte is at offset `base` in the message.
    #[must_use]
    pub fn new(body: &'a [u8], base: usize) -> Self {
        Self {
            body,
            base,
            pos: 0,
            done: false,
        }
    }
}

impl<'a> Iterator for Attributes<'a> {
    type Item = Result<RawAttribute<'a>, WalkError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let rest = self.body.get(self.pos..).unwrap_or(&[]);
        if rest.is_empty() {
            self.done = true;
            return None;
        }
        let offset = self.base.saturating_add(self.pos);
        let Some((header, after)) = rest.split_at_checked(ATTR_HEADER_LEN) else {
            self.done = true;
            return Some(Err(WalkError {
                offset,
                remaining: rest.len(),
            }));
        };
        let ty = AttrType(be16(header, 0));
        let declared_len = be16(header, 2);
        let n = usize::from(declared_len);
        let (value, after_value) = after.split_at_checked(n).unwrap_or((after, &[]));
        let pad = padded_len(n).saturating_sub(n);
        let padding = after_value.get(..pad).unwrap_or(after_value);
        let consumed = ATTR_HEADER_LEN
            .saturating_add(value.len())
            .saturating_add(padding.len());
        self.pos = self.pos.saturating_add(consumed);
        if value.len() < n {
            self.done = true;
        }
        Some(Ok(RawAttribute {
            offset,
            ty,
            declared_len,
            value,
            padding,
        }))
    }
}

impl core::iter::FusedIterator for Attributes<'_> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_attributes_with_padding_and_offsets() {
        let body = [
            0x80, 0x22, 0x00, 0x03, b'a', b'b', b'c', 0x20, // SOFTWARE "abc" + 1 pad
            0x00, 0x25, 0x00, 0x00, // USE-CANDIDATE
        ];
        let attrs: Vec<_> = Attributes::new(&body, 20).collect();
        assert_eq!(attrs.len(), 2);
        let a = attrs[0].unwrap();
        assert_eq!(a.offset, 20);
        assert_eq!(a.ty, AttrType::SOFTWARE);
        assert_eq!(a.value, b"abc");
        assert_eq!(a.padding, &[0x20]);
        assert!(a.is_complete() && a.has_full_padding());
        let b = attrs[1].unwrap();
        assert_eq!(b.offset, 28);
        assert_eq!(b.value, b"");
        assert_eq!(b.end(), 32);
    }

    #[test]
    fn reports_a_value_overrunning_the_body() {
        let body = [0x00, 0x01, 0xff, 0xff, 1, 2, 3, 4];
        let attrs: Vec<_> = Attributes::new(&body, 20).collect();
        assert_eq!(attrs.len(), 1);
        let a = attrs[0].unwrap();
        assert_eq!(a.declared_len, 0xffff);
        assert_eq!(a.value, &[1, 2, 3, 4]);
        assert!(!a.is_complete());
    }

    #[test]
    fn reports_missing_padding_at_the_end() {
        let body = [0x00, 0x06, 0x00, 0x01, b'x'];
        let a = Attributes::new(&body, 20).next().unwrap().unwrap();
        assert!(a.is_complete());
        assert!(a.padding.is_empty());
        assert!(!a.has_full_padding());
        assert_eq!(a.expected_padding(), 3);
    }

    #[test]
    fn reports_bytes_too_short_for_a_header() {
        let body = [0x00, 0x25, 0x00, 0x00, 0xAA, 0xBB];
        let items: Vec<_> = Attributes::new(&body, 20).collect();
        assert_eq!(items.len(), 2);
        assert_eq!(
            items[1],
            Err(WalkError {
                offset: 24,
                remaining: 2
            })
        );
    }
}
