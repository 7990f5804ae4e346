//! A crypto provider for the webrtc crate whose randomness comes from the run's seed.
//!
//! rtc-ice and rtc-dtls draw ufrag/pwd, tie-breakers, DTLS randoms and cookies through
//! `RTCCryptoProvider::random()`; handing them this provider makes those draws reproducible.
//! Everything else (hashes, HMAC, ECDHE, signatures) is the default provider's.

use std::sync::{Arc, Mutex};

use harness_core::rng::SeededRng;
use ice::crypto::{CryptoError, RTCCrypto, RTCCryptoProvider, RTCRandom};
use rand_core::RngCore;

/// Randomness from the run's seed.
struct SeededRandom(Mutex<SeededRng>);

impl RTCRandom for SeededRandom {
    fn fill(&self, output: &mut [u8]) -> Result<(), CryptoError> {
        if let Ok(mut r) = self.0.lock() {
            r.fill_bytes(output);
        }
        Ok(())
    }
}

/// The default provider's crypto with seeded randomness.
struct SeededProvider {
    inner: Arc<dyn RTCCryptoProvider>,
    random: SeededRandom,
}

impl RTCCryptoProvider for SeededProvider {
    fn name(&self) -> &'static str {
        "seeded"
    }
    fn crypto(&self) -> &dyn RTCCrypto {
        self.inner.crypto()
    }
    fn random(&self) -> &dyn RTCRandom {
        &self.random
    }
}

/// `inner`'s crypto with randomness drawn from `rng`.
pub(crate) fn seeded_provider(
    inner: Arc<dyn RTCCryptoProvider>,
    rng: SeededRng,
) -> Arc<dyn RTCCryptoProvider> {
    Arc::new(SeededProvider {
        inner,
        random: SeededRandom(Mutex::new(rng)),
    })
}
