//! Virtual time.
//!
//! A run starts at [`Instant::ZERO`] and only moves forward when the driver (the simulated
//! network, a test, or the real-socket shell) says so. Protocol code never reads a clock: every
//! input carries its `now`. Resolution is one nanosecond; a `u64` covers 584 years.
//!
//! # Converting to `std::time::Instant`
//!
//! Adapters around libraries that insist on [`std::time::Instant`] (the webrtc crate) pick one
//! base instant when the run starts and map with [`Instant::to_std`] / [`Instant::from_std`].
//! The mapping is exact (nanosecond for nanosecond) and monotonic; instants before the base
//! saturate to [`Instant::ZERO`].

use core::fmt;
use core::ops::{Add, AddAssign, Sub};
use core::time::Duration;

/// A point in virtual time: nanoseconds since the start of the run.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Instant(u64);

impl Instant {
    /// The start of every run.
    pub const ZERO: Self = Self(0);
    /// The latest representable instant; useful as "never".
    pub const MAX: Self = Self(u64::MAX);

    /// An instant `nanos` nanoseconds after the start of the run.
    #[must_use]
    pub const fn from_nanos(nanos: u64) -> Self {
        Self(nanos)
    }

    /// An instant `millis` milliseconds after the start of the run (saturating).
    #[must_use]
    pub const fn from_millis(millis: u64) -> Self {
        Self(millis.saturating_mul(1_000_000))
    }

    /// An instant `secs` seconds after the start of the run (saturating).
    #[must_use]
    pub const fn from_secs(secs: u64) -> Self {
        Self(secs.saturating_mul(1_000_000_000))
    }

    /// Nanoseconds since the start of the run.
    #[must_use]
    pub const fn as_nanos(self) -> u64 {
        self.0
    }

    /// Time since the start of the run.
    #[must_use]
    pub const fn since_start(self) -> Duration {
        Duration::from_nanos(self.0)
    }

    /// `self + d`, or `None` on overflow.
    #[must_use]
    pub fn checked_add(self, d: Duration) -> Option<Self> {
        let nanos = u64::try_from(d.as_nanos()).ok()?;
        self.0.checked_add(nanos).map(Self)
    }

    /// `self + d`, clamped to [`Instant::MAX`].
    #[must_use]
    pub fn saturating_add(self, d: Duration) -> Self {
        self.checked_add(d).unwrap_or(Self::MAX)
    }

    /// `self - earlier`, or zero when `earlier` is later than `self`.
    #[must_use]
    pub const fn saturating_duration_since(self, earlier: Self) -> Duration {
        Duration::from_nanos(self.0.saturating_sub(earlier.0))
    }

    /// Maps to a real instant, given the real instant that stands for [`Instant::ZERO`].
    #[must_use]
    pub fn to_std(self, base: std::time::Instant) -> std::time::Instant {
        base + self.since_start()
    }

    /// Maps a real instant back, given the real instant that stands for [`Instant::ZERO`].
    /// Instants before `base` saturate to zero.
    #[must_use]
    pub fn from_std(base: std::time::Instant, t: std::time::Instant) -> Self {
        let d = t.saturating_duration_since(base);
        Self(u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
    }
}

impl Add<Duration> for Instant {
    type Output = Self;
    /// Saturates at [`Instant::MAX`] rather than panicking.
    fn add(self, rhs: Duration) -> Self {
        self.saturating_add(rhs)
    }
}

impl AddAssign<Duration> for Instant {
    fn add_assign(&mut self, rhs: Duration) {
        *self = *self + rhs;
    }
}

impl Sub for Instant {
    type Output = Duration;
    /// Saturates at zero rather than panicking.
    fn sub(self, rhs: Self) -> Duration {
        self.saturating_duration_since(rhs)
    }
}

impl fmt::Debug for Instant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for Instant {
    /// Seconds with nanosecond precision, trailing zeros kept so columns line up: `1.250000000s`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}.{:09}s",
            self.0 / 1_000_000_000,
            self.0 % 1_000_000_000
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_saturates_instead_of_panicking() {
        assert_eq!(Instant::MAX + Duration::from_secs(1), Instant::MAX);
        assert_eq!(Instant::ZERO - Instant::from_secs(1), Duration::ZERO);
        assert_eq!(
            Instant::from_millis(1500) - Instant::from_secs(1),
            Duration::from_millis(500)
        );
    }

    #[test]
    #[allow(
        clippy::disallowed_methods,
        reason = "the conversion needs one real base instant"
    )]
    fn std_round_trip_is_exact() {
        let base = std::time::Instant::now();
        let t = Instant::from_nanos(123_456_789_012);
        assert_eq!(Instant::from_std(base, t.to_std(base)), t);
        assert_eq!(
            Instant::from_std(base + Duration::from_secs(1), base),
            Instant::ZERO
        );
    }

    #[test]
    fn display_has_fixed_precision() {
        assert_eq!(Instant::from_millis(1250).to_string(), "1.250000000s");
    }
}
