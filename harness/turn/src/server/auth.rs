//! Long-term credentials on the server side (RFC 8489 §9.2.4) with stateless nonces.
//!
//! A nonce is `hex(issued_at_ms) hex(tag)` where the tag is an HMAC-SHA1 over the issue time
//! and the client's transport address under a secret drawn from the server's seeded
//! randomness. The server keeps no per-nonce state (so unauthenticated traffic cannot grow its
//! memory); a nonce is stale once `issued_at + nonce_lifetime` has passed.

use core::time::Duration;
use std::fmt::Write as _;
use std::net::SocketAddr;

use hmac::{Hmac, Mac};
use sha1::Sha1;

use harness_core::time::Instant;

/// Issues and checks nonces.
#[derive(Clone, Debug)]
pub struct NonceMint {
    secret: [u8; 20],
    lifetime: Duration,
}

impl NonceMint {
    /// A mint with `secret` whose nonces live `lifetime`.
    #[must_use]
    pub fn new(secret: [u8; 20], lifetime: Duration) -> Self {
        Self { secret, lifetime }
    }

    fn tag(&self, issued_ms: u64, client: SocketAddr) -> u64 {
        let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(&self.secret) else {
            return 0;
        };
        mac.update(&issued_ms.to_be_bytes());
        mac.update(client.to_string().as_bytes());
        let out = mac.finalize().into_bytes();
        let mut t = [0u8; 8];
        t.copy_from_slice(out.get(..8).unwrap_or(&[0; 8]));
        u64::from_be_bytes(t)
    }

    /// A fresh nonce for `client`.
    #[must_use]
    pub fn issue(&self, now: Instant, client: SocketAddr) -> String {
        let ms = now.as_nanos() / 1_000_000;
        let mut s = String::with_capacity(32);
        let _ = write!(s, "{ms:016x}{:016x}", self.tag(ms, client));
        s
    }

    /// Whether `nonce` was issued by this mint for `client`, and if so whether it is fresh.
    #[must_use]
    pub fn check(&self, nonce: &str, now: Instant, client: SocketAddr) -> NonceState {
        if nonce.len() != 32 || !nonce.is_ascii() {
            return NonceState::Invalid;
        }
        let (a, b) = nonce.split_at(16);
        let (Ok(ms), Ok(tag)) = (u64::from_str_radix(a, 16), u64::from_str_radix(b, 16)) else {
            return NonceState::Invalid;
        };
        if self.tag(ms, client) != tag {
            return NonceState::Invalid;
        }
        let issued = Instant::from_millis(ms);
        if issued > now || issued.saturating_add(self.lifetime) <= now {
            NonceState::Stale
        } else {
            NonceState::Fresh
        }
    }
}

/// The verdict on a nonce.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NonceState {
    /// Issued here, still valid.
    Fresh,
    /// Issued here, expired.
    Stale,
    /// Not one of ours.
    Invalid,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonce_is_fresh_then_stale_and_bound_to_the_client() {
        let m = NonceMint::new([9; 20], Duration::from_secs(60));
        let a: SocketAddr = "192.0.2.1:1000".parse().unwrap();
        let b: SocketAddr = "192.0.2.1:1001".parse().unwrap();
        let n = m.issue(Instant::from_secs(5), a);
        assert_eq!(m.check(&n, Instant::from_secs(30), a), NonceState::Fresh);
        assert_eq!(m.check(&n, Instant::from_secs(65), a), NonceState::Stale);
        assert_eq!(m.check(&n, Instant::from_secs(30), b), NonceState::Invalid);
        assert_eq!(
            m.check("zz", Instant::from_secs(30), a),
            NonceState::Invalid
        );
    }
}
