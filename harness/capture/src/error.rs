//! The one error type of capture reading.

use core::fmt;

/// What went wrong while reading a capture.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CaptureErrorKind {
    /// The input is empty.
    Empty,
    /// The first bytes are neither a pcap header nor a pcapng section header block.
    NotACapture,
    /// Reading from the underlying source failed.
    Read,
    /// The capture ends in the middle of a record or block.
    Truncated,
    /// A record or block is malformed (bad length, bad magic, inconsistent lengths).
    Corrupt,
    /// A record or block is larger than [`crate::Limits::max_block`].
    BlockTooLarge,
    /// A pcapng packet names an interface that was never described.
    UnknownInterface,
}

impl CaptureErrorKind {
    /// One line describing the kind.
    #[must_use]
    pub const fn describe(self) -> &'static str {
        match self {
            Self::Empty => "empty input",
            Self::NotACapture => "not a pcap or pcapng capture",
            Self::Read => "read error",
            Self::Truncated => "capture ends inside a record",
            Self::Corrupt => "corrupt record",
            Self::BlockTooLarge => "record larger than the configured limit",
            Self::UnknownInterface => "packet names an undescribed interface",
        }
    }
}

/// A capture that could not be read past some point.
///
/// `frame` is the 1-based number (as Wireshark counts) of the frame that could not be read;
/// every frame before it was handed out. `offset` is the byte offset of its record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CaptureError {
    /// What went wrong.
    pub kind: CaptureErrorKind,
    /// The frame that could not be read (`None` for file-level errors before the first frame).
    pub frame: Option<u64>,
    /// Byte offset of the damaged record in the input.
    pub offset: u64,
    /// More context (`"pcap record"`, `"pcapng block"`).
    pub context: &'static str,
}

impl CaptureError {
    /// An error of `kind` at `frame`.
    #[must_use]
    pub const fn new(
        kind: CaptureErrorKind,
        frame: Option<u64>,
        offset: u64,
        context: &'static str,
    ) -> Self {
        Self {
            kind,
            frame,
            offset,
            context,
        }
    }
}

impl fmt::Display for CaptureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.frame {
            Some(frame) => write!(
                f,
                "frame {frame} (byte offset {}): {} ({})",
                self.offset,
                self.kind.describe(),
                self.context
            ),
            None => write!(
                f,
                "byte offset {}: {} ({})",
                self.offset,
                self.kind.describe(),
                self.context
            ),
        }
    }
}

impl std::error::Error for CaptureError {}
