//! Seeded randomness.
//!
//! A run has one [`RunSeed`]. Each component (a NAT, a link, an ICE agent, a TURN server)
//! derives its own stream with [`RunSeed::stream`] from a stable label, so adding a component
//! never changes the numbers another one draws. Streams are ChaCha12: fast, reproducible across
//! platforms, and good enough to feed key generation inside a deterministic test run.
//!
//! Nothing in the harness seeds from the operating system; a seed is always visible and printed.

use rand_chacha::ChaCha12Rng;
use rand_core::{CryptoRng, RngCore, SeedableRng};

/// The seed of a whole run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct RunSeed(pub u64);

impl RunSeed {
    /// The random stream of the component named `label` (for example `"nat/home"`,
    /// `"link/alice-lan"`, `"ice/alice"`). The same seed and label always give the same stream.
    #[must_use]
    pub fn stream(self, label: &str) -> SeededRng {
        let mut key = [0u8; 32];
        let mut state = self.0 ^ fnv1a(label.as_bytes());
        for chunk in key.chunks_exact_mut(8) {
            chunk.copy_from_slice(&splitmix64(&mut state).to_le_bytes());
        }
        SeededRng(ChaCha12Rng::from_seed(key))
    }
}

/// A reproducible random stream. Implements [`RngCore`] and [`CryptoRng`] so it can feed
/// libraries that take a `rand` generator.
#[derive(Clone, Debug)]
pub struct SeededRng(ChaCha12Rng);

impl SeededRng {
    /// A stream from a raw seed, for tests that need no [`RunSeed`].
    #[must_use]
    pub fn from_u64(seed: u64) -> Self {
        Self(ChaCha12Rng::seed_from_u64(seed))
    }

    /// A child stream, derived from this one (advances this stream by 32 bytes).
    #[must_use]
    pub fn fork(&mut self) -> Self {
        let mut key = [0u8; 32];
        self.0.fill_bytes(&mut key);
        Self(ChaCha12Rng::from_seed(key))
    }

    /// A uniformly distributed value in `0..bound` (`bound` > 0), without modulo bias.
    /// Returns 0 when `bound` is 0.
    pub fn below(&mut self, bound: u64) -> u64 {
        if bound == 0 {
            return 0;
        }
        // Lemire's nearly-divisionless method.
        loop {
            let x = self.0.next_u64();
            let m = u128::from(x) * u128::from(bound);
            let low = m as u64; // truncation intended: the low 64 bits of the product
            if low >= bound.wrapping_neg() % bound {
                return (m >> 64) as u64;
            }
        }
    }

    /// A uniformly distributed value in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        // 53 random bits: the mantissa of an f64.
        (self.0.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// True with probability `p` (clamped to `[0, 1]`).
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
}

impl RngCore for SeededRng {
    fn next_u32(&mut self) -> u32 {
        self.0.next_u32()
    }
    fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }
    fn fill_bytes(&mut self, dst: &mut [u8]) {
        self.0.fill_bytes(dst);
    }
}

impl CryptoRng for SeededRng {}

const fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash = 0xcbf2_9ce4_8422_2325u64;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u64;
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        i += 1;
    }
    hash
}

fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_and_label_give_the_same_stream() {
        let a: Vec<u64> = (0..4)
            .map(|_| 0)
            .scan(RunSeed(7).stream("nat"), |r, _: u64| Some(r.next_u64()))
            .collect();
        let b: Vec<u64> = (0..4)
            .map(|_| 0)
            .scan(RunSeed(7).stream("nat"), |r, _: u64| Some(r.next_u64()))
            .collect();
        assert_eq!(a, b);
    }

    #[test]
    fn streams_are_independent_of_each_other() {
        let mut nat = RunSeed(7).stream("nat");
        let mut link = RunSeed(7).stream("link");
        assert_ne!(nat.next_u64(), link.next_u64());
        assert_ne!(
            RunSeed(7).stream("nat").next_u64(),
            RunSeed(8).stream("nat").next_u64()
        );
    }

    #[test]
    fn below_stays_in_range_and_covers_it() {
        let mut r = SeededRng::from_u64(1);
        let mut seen = [false; 6];
        for _ in 0..1000 {
            let v = r.below(6);
            assert!(v < 6);
            seen[v as usize] = true;
        }
        assert!(seen.iter().all(|s| *s));
        assert_eq!(r.below(0), 0);
    }

    #[test]
    fn unit_is_in_half_open_interval() {
        let mut r = SeededRng::from_u64(2);
        for _ in 0..1000 {
            let u = r.unit();
            assert!((0.0..1.0).contains(&u));
        }
    }
}
