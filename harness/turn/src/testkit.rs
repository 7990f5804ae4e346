//! Helpers for driving a TURN server by hand: tests, fuzz targets, benchmarks and coverage
//! cases build authenticated requests with them.

use harness_core::endpoint::{Drained, Endpoint, Input, TransportContext, drain};
use harness_core::time::Instant;

use crate::stun::{self, Class, Message, MessageBuilder, attr};

/// Long-term credentials plus the nonce and realm learnt from the last 401/438.
#[derive(Clone, Debug)]
pub struct Credentials {
    /// USERNAME.
    pub username: String,
    /// REALM to send.
    pub realm: String,
    /// The password.
    pub password: String,
    /// The nonce to send, once learnt.
    pub nonce: Option<String>,
}

impl Credentials {
    /// Credentials for `username` / `password` in `realm`.
    #[must_use]
    pub fn new(username: &str, realm: &str, password: &str) -> Self {
        Self {
            username: username.to_owned(),
            realm: realm.to_owned(),
            password: password.to_owned(),
            nonce: None,
        }
    }

    /// The long-term key.
    #[must_use]
    pub fn key(&self) -> [u8; 16] {
        stun::long_term_key(&self.username, &self.realm, &self.password)
    }

    /// Finishes `b` with USERNAME, REALM, NONCE, MESSAGE-INTEGRITY and FINGERPRINT (or just
    /// FINGERPRINT while no nonce is known).
    #[must_use]
    pub fn sign(&self, b: MessageBuilder) -> Vec<u8> {
        match &self.nonce {
            Some(n) => b
                .text(attr::USERNAME, &self.username)
                .text(attr::REALM, &self.realm)
                .text(attr::NONCE, n)
                .integrity(&self.key())
                .fingerprint(),
            None => b.fingerprint(),
        }
    }

    /// Learns REALM and NONCE from a 401 or 438 response; true when it did.
    pub fn learn(&mut self, response: &[u8]) -> bool {
        let Ok(m) = Message::parse(response) else {
            return false;
        };
        if m.class() != Class::Error {
            return false;
        }
        match (m.text(attr::NONCE), m.text(attr::REALM)) {
            (Some(n), Some(r)) => {
                self.nonce = Some(n.to_owned());
                self.realm = r.to_owned();
                true
            }
            _ => false,
        }
    }
}

/// Feeds one datagram to `ep` and drains it (bounded).
pub fn feed<E: Endpoint + ?Sized>(
    ep: &mut E,
    now: Instant,
    context: TransportContext,
    payload: &[u8],
) -> Drained<E::Event> {
    ep.handle_input(Input::Datagram {
        now,
        context,
        payload,
    });
    drain(ep, 10_000).unwrap_or(Drained {
        transmits: Vec::new(),
        events: Vec::new(),
        sockets: Vec::new(),
        tcp: Vec::new(),
        deadline: None,
    })
}

/// A transaction id made from a counter (deterministic, distinct).
#[must_use]
pub fn txid(n: u64) -> [u8; 12] {
    let mut t = [0u8; 12];
    t[4..].copy_from_slice(&n.to_be_bytes());
    t
}
