//! The cross-check model: how the reference and another implementation (the webrtc crate's
//! `rtc-*` crates, later outside stacks) disagree about the same input.
//!
//! A divergence is a finding about the two implementations, not a test failure; a panic on
//! either side is a failure and is reported as [`Verdict::Panicked`].

use core::fmt;

/// How the two sides disagree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DivergenceClass {
    /// The reference flags a rule violation in an input the other side accepts.
    ReferenceFlagsOtherAccepts,
    /// The other side rejects an input the reference accepts (without MUST violations).
    OtherRejectsReferenceAccepts,
    /// Both accept, but read different content.
    ContentDiffers,
    /// The reference rejects an input the other side accepts as something.
    ReferenceRejectsOtherAccepts,
}

impl DivergenceClass {
    /// Short, stable name for reports.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::ReferenceFlagsOtherAccepts => "reference-flags-other-accepts",
            Self::OtherRejectsReferenceAccepts => "other-rejects-reference-accepts",
            Self::ContentDiffers => "content-differs",
            Self::ReferenceRejectsOtherAccepts => "reference-rejects-other-accepts",
        }
    }
}

impl fmt::Display for DivergenceClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One difference, field by field.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Divergence {
    /// The class.
    pub class: DivergenceClass,
    /// The field compared (`class`, `attributes[3].type`, `media[0].protos`), or `message`.
    pub field: String,
    /// What the reference read (or its verdict).
    pub reference: String,
    /// What the other implementation read (or its verdict).
    pub other: String,
    /// The rule involved, when a rule explains the difference.
    pub rule: Option<&'static str>,
}

/// How one side fared on one input.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// Parsed.
    Accepted,
    /// Rejected with this error.
    Rejected(String),
    /// Panicked with this message: always a failure.
    Panicked(String),
}

impl Verdict {
    /// True for [`Verdict::Accepted`].
    #[must_use]
    pub const fn accepted(&self) -> bool {
        matches!(self, Self::Accepted)
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Accepted => f.write_str("accepted"),
            Self::Rejected(e) => write!(f, "rejected: {e}"),
            Self::Panicked(e) => write!(f, "PANICKED: {e}"),
        }
    }
}

/// The cross-check of one input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CrossCheck {
    /// What was checked (a file name, a vector id).
    pub subject: String,
    /// Protocol (`stun`, `sdp`, `dtls`).
    pub protocol: &'static str,
    /// The other implementation (`rtc-stun 0.21.1`).
    pub other_name: &'static str,
    /// The reference's verdict.
    pub reference: Verdict,
    /// The other implementation's verdict.
    pub other: Verdict,
    /// Every difference found.
    pub divergences: Vec<Divergence>,
    /// Fields deliberately not compared and why (randomness that cannot be seeded, known
    /// representation differences).
    pub masked: Vec<String>,
}

impl CrossCheck {
    /// True when either side panicked.
    #[must_use]
    pub fn panicked(&self) -> bool {
        matches!(self.reference, Verdict::Panicked(_)) || matches!(self.other, Verdict::Panicked(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_on_either_side_is_flagged() {
        let mut c = CrossCheck {
            subject: "x".into(),
            protocol: "stun",
            other_name: "rtc-stun 0.21.1",
            reference: Verdict::Accepted,
            other: Verdict::Rejected("bad".into()),
            divergences: Vec::new(),
            masked: Vec::new(),
        };
        assert!(!c.panicked());
        c.other = Verdict::Panicked("index out of bounds".into());
        assert!(c.panicked());
        assert_eq!(
            DivergenceClass::ContentDiffers.to_string(),
            "content-differs"
        );
    }
}
