//! A fast, fixed (unseeded) hasher for lookup tables keyed by short values: socket
//! addresses, 5-tuples, transaction ids.
//!
//! Use it only for tables whose iteration order never affects a result (the order is fixed
//! but arbitrary) and whose size is bounded elsewhere: with a fixed hash, crafted keys can
//! be made to collide, which costs time within those bounds, not memory. In exchange,
//! lookups avoid SipHash's cost on every packet.

use core::hash::{BuildHasherDefault, Hasher};
use std::collections::HashMap;

/// The Fx multiplicative hash (as in rustc), one 64-bit word at a time.
#[derive(Clone, Copy, Debug, Default)]
pub struct FxHasher {
    hash: u64,
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            if let Some(dst) = word.get_mut(..rest.len()) {
                dst.copy_from_slice(rest);
            }
            self.add(u64::from_le_bytes(word));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u16(&mut self, i: u16) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

/// A `HashMap` with [`FxHasher`].
pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

#[cfg(test)]
mod tests {
    use super::{FastMap, FxHasher};
    use core::hash::Hasher;

    fn hash_of(bytes: &[u8]) -> u64 {
        let mut h = FxHasher::default();
        h.write(bytes);
        h.finish()
    }

    #[test]
    fn hash_is_fixed_and_reads_the_partial_last_word() {
        assert_eq!(hash_of(b"0123456789"), hash_of(b"0123456789"));
        assert_ne!(hash_of(b"0123456789"), hash_of(b"0123456788"));
        assert_ne!(hash_of(b"01234567"), hash_of(b"76543210"));
        let mut map: FastMap<u16, &str> = FastMap::default();
        map.insert(0x4000, "channel");
        assert_eq!(map.get(&0x4000), Some(&"channel"));
    }
}
