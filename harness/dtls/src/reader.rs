//! A bounds-checked cursor over borrowed bytes (TLS presentation language vectors).
//!
//! Every read returns `None` when the input is too short; callers attach the context that
//! turns that into a typed [`DecodeError`](crate::DecodeError). Nothing here panics or
//! allocates.

/// A cursor over `buf`, starting at offset 0.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// A reader over `buf`.
    pub(crate) const fn new(buf: &'a [u8]) -> Self {
        Self { buf, pos: 0 }
    }

    /// Bytes consumed so far.
    pub(crate) const fn offset(&self) -> usize {
        self.pos
    }

    /// Bytes left.
    pub(crate) fn remaining(&self) -> usize {
        self.buf.len().saturating_sub(self.pos)
    }

    /// True when every byte has been read.
    pub(crate) fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    /// The unread bytes, consuming them.
    pub(crate) fn rest(&mut self) -> &'a [u8] {
        let out = self.buf.get(self.pos..).unwrap_or_default();
        self.pos = self.buf.len();
        out
    }

    /// The next `n` bytes.
    pub(crate) fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let out = self.buf.get(self.pos..end)?;
        self.pos = end;
        Some(out)
    }

    /// The next `N` bytes as an array reference.
    pub(crate) fn array<const N: usize>(&mut self) -> Option<&'a [u8; N]> {
        self.take(N)?.try_into().ok()
    }

    /// One byte.
    pub(crate) fn u8(&mut self) -> Option<u8> {
        self.array::<1>().map(|b| b[0])
    }

    /// A big-endian `uint16`.
    pub(crate) fn u16(&mut self) -> Option<u16> {
        self.array::<2>().map(|b| u16::from_be_bytes(*b))
    }

    /// A big-endian `uint24`.
    pub(crate) fn u24(&mut self) -> Option<u32> {
        self.array::<3>()
            .map(|b| u32::from_be_bytes([0, b[0], b[1], b[2]]))
    }

    /// A big-endian `uint48`.
    pub(crate) fn u48(&mut self) -> Option<u64> {
        self.array::<6>()
            .map(|b| u64::from_be_bytes([0, 0, b[0], b[1], b[2], b[3], b[4], b[5]]))
    }

    /// A vector with a one-byte length prefix (`opaque x<0..2^8-1>`).
    pub(crate) fn vec8(&mut self) -> Option<&'a [u8]> {
        let n = self.u8()?;
        self.take(usize::from(n))
    }

    /// A vector with a two-byte length prefix.
    pub(crate) fn vec16(&mut self) -> Option<&'a [u8]> {
        let n = self.u16()?;
        self.take(usize::from(n))
    }

    /// A vector with a three-byte length prefix.
    pub(crate) fn vec24(&mut self) -> Option<&'a [u8]> {
        let n = self.u24()?;
        self.take(usize::try_from(n).ok()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_stop_at_the_end_without_panicking() {
        let mut r = Reader::new(&[0, 1, 2, 3, 4]);
        assert_eq!(r.u16(), Some(1));
        assert_eq!(r.u24(), Some(0x0002_0304));
        assert_eq!(r.u8(), None);
        assert!(r.is_empty());
        let mut r = Reader::new(&[3, 9, 9]);
        assert_eq!(r.vec8(), None);
        let mut r = Reader::new(&[0, 0, 0, 0, 0, 7]);
        assert_eq!(r.u48(), Some(7));
    }
}
