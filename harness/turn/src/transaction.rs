//! Sans-IO STUN client transactions (RFC 8489 §6.2).
//!
//! Over UDP a request is retransmitted with exactly the same bytes at `RTO`, `3·RTO`, `7·RTO`,
//! … after the first send (the interval doubles each time), `Rc` sends in all; the transaction
//! fails `Rm·RTO` after the last send (RFC 8489 §6.2.1: RTO = 500 ms, Rc = 7, Rm = 16, so the
//! sends are at 0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 s and the failure at 39.5 s). Over TCP a
//! request is sent once and fails after Ti = 39.5 s (§6.2.2).
//!
//! Responses are matched by transaction id ([`ClientTransaction::matches`]).

use core::time::Duration;

use harness_core::endpoint::Transport;
use harness_core::time::Instant;

use crate::stun;

/// Retransmission parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TransactionConfig {
    /// Initial retransmission timeout (RFC 8489 §6.2.1: SHOULD be 500 ms or more).
    pub rto: Duration,
    /// Total number of sends over UDP (`Rc`, default 7).
    pub rc: u32,
    /// Multiplier of RTO for the final wait (`Rm`, default 16).
    pub rm: u32,
    /// Transaction timeout over TCP (`Ti`, 39.5 s).
    pub tcp_timeout: Duration,
}

impl Default for TransactionConfig {
    fn default() -> Self {
        Self {
            rto: Duration::from_millis(500),
            rc: 7,
            rm: 16,
            tcp_timeout: Duration::from_millis(39_500),
        }
    }
}

/// What a transaction wants done when its timer fires.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimerAction<'a> {
    /// Send these (unchanged) bytes again.
    Retransmit(&'a [u8]),
    /// No response came: the transaction failed.
    TimedOut,
    /// The timer has not fired yet.
    Wait,
}

/// One outstanding client transaction.
#[derive(Clone, Debug)]
pub struct ClientTransaction {
    request: Vec<u8>,
    txid: [u8; 12],
    transport: Transport,
    config: TransactionConfig,
    sends: u32,
    interval: Duration,
    next: Instant,
    done: bool,
}

impl ClientTransaction {
    /// Starts a transaction for `request` sent at `now` (the caller sends [`Self::request`]
    /// right away).
    #[must_use]
    pub fn new(
        request: Vec<u8>,
        transport: Transport,
        now: Instant,
        config: TransactionConfig,
    ) -> Self {
        let mut txid = [0u8; 12];
        if let Some(t) = request.get(8..20) {
            txid.copy_from_slice(t);
        }
        let next = match transport {
            Transport::Udp if config.rc > 1 => now.saturating_add(config.rto),
            Transport::Udp => now.saturating_add(config.rto.saturating_mul(config.rm)),
            Transport::Tcp => now.saturating_add(config.tcp_timeout),
        };
        Self {
            request,
            txid,
            transport,
            config,
            sends: 1,
            interval: config.rto,
            next,
            done: false,
        }
    }

    /// The request bytes (identical on every send).
    #[must_use]
    pub fn request(&self) -> &[u8] {
        &self.request
    }

    /// The transaction id.
    #[must_use]
    pub fn transaction_id(&self) -> [u8; 12] {
        self.txid
    }

    /// When [`Self::on_timer`] must next be called; `None` once finished.
    #[must_use]
    pub fn deadline(&self) -> Option<Instant> {
        (!self.done).then_some(self.next)
    }

    /// Number of sends so far.
    #[must_use]
    pub fn sends(&self) -> u32 {
        self.sends
    }

    /// Advances the timer to `now`.
    pub fn on_timer(&mut self, now: Instant) -> TimerAction<'_> {
        if self.done || now < self.next {
            return TimerAction::Wait;
        }
        if self.transport == Transport::Tcp || self.sends >= self.config.rc {
            self.done = true;
            return TimerAction::TimedOut;
        }
        self.sends = self.sends.saturating_add(1);
        self.interval = self.interval.saturating_mul(2);
        self.next = if self.sends >= self.config.rc {
            now.saturating_add(self.config.rto.saturating_mul(self.config.rm))
        } else {
            now.saturating_add(self.interval)
        };
        TimerAction::Retransmit(&self.request)
    }

    /// True when `response` answers this transaction (same transaction id, a response class).
    #[must_use]
    pub fn matches(&self, response: &[u8]) -> bool {
        stun::Message::parse(response).is_ok_and(|m| {
            m.transaction_id() == self.txid
                && matches!(m.class(), stun::Class::Success | stun::Class::Error)
        })
    }

    /// Marks the transaction finished (a response arrived).
    pub fn finish(&mut self) {
        self.done = true;
    }
}

#[cfg(test)]
#[allow(clippy::unreachable, reason = "a test may fail loudly")]
mod tests {
    use super::*;
    use crate::stun::{Class, MessageBuilder, method};

    fn request() -> Vec<u8> {
        MessageBuilder::new(method::BINDING, Class::Request, [5; 12]).build()
    }

    #[test]
    fn udp_retransmits_identical_bytes_on_the_rfc_schedule_then_times_out() {
        let mut t = ClientTransaction::new(
            request(),
            Transport::Udp,
            Instant::ZERO,
            TransactionConfig::default(),
        );
        let mut sends = vec![0u64];
        let mut now = Instant::ZERO;
        while let Some(d) = t.deadline() {
            now = d;
            match t.on_timer(now) {
                TimerAction::Retransmit(b) => {
                    assert_eq!(b, request().as_slice());
                    sends.push(now.as_nanos() / 1_000_000);
                }
                TimerAction::TimedOut => break,
                TimerAction::Wait => unreachable!("woken early"),
            }
        }
        assert_eq!(sends, vec![0, 500, 1500, 3500, 7500, 15500, 31500]);
        assert_eq!(now, Instant::from_millis(39_500));
        assert_eq!(t.deadline(), None);
    }

    #[test]
    fn tcp_sends_once_and_times_out_after_ti() {
        let mut t = ClientTransaction::new(
            request(),
            Transport::Tcp,
            Instant::ZERO,
            TransactionConfig::default(),
        );
        assert_eq!(t.on_timer(Instant::from_secs(39)), TimerAction::Wait);
        assert_eq!(
            t.on_timer(Instant::from_millis(39_500)),
            TimerAction::TimedOut
        );
    }

    #[test]
    fn matches_only_responses_with_the_same_transaction_id() {
        let t = ClientTransaction::new(
            request(),
            Transport::Udp,
            Instant::ZERO,
            TransactionConfig::default(),
        );
        let ok = MessageBuilder::new(method::BINDING, Class::Success, [5; 12]).build();
        let other = MessageBuilder::new(method::BINDING, Class::Success, [6; 12]).build();
        assert!(t.matches(&ok));
        assert!(!t.matches(&other));
        assert!(!t.matches(&request()));
    }
}
