//! Datagrams out and timers: pacing (RFC 8445 §6.1.4.2, §14.2), retransmissions (§14.3),
//! regular nomination (§8.1.1), consent (RFC 7675 §5.1), keepalives (§11), failure (§8.1.2).

use core::time::Duration;

use harness_core::time::Instant;

use super::{Agent, Transaction, TxKind};
use crate::candidate::{CandidateKind, candidate_priority};
use crate::checklist::PairState;
use crate::config::{Nomination, Role};
use crate::event::{ConnectionState, IceEventKind};
use crate::stunmsg::{build_check, build_indication, build_plain_request};

impl Agent {
    /// Does everything due at `now`.
    pub(crate) fn work(&mut self, now: Instant) {
        if self.state == ConnectionState::Closed {
            return;
        }
        self.retransmit_due(now);
        self.decide_nomination(now);
        if now >= self.next_ta {
            let sent = self.send_next_new_transaction(now);
            if sent {
                self.next_ta = now + self.cfg.ta;
            }
            self.pacer_idle = !sent;
        } else {
            self.pacer_idle = false;
        }
        self.update_completion(now);
        self.consent_due(now);
        self.check_failure(now);
    }

    /// The next instant the agent needs to run.
    pub(crate) fn deadline(&self) -> Option<Instant> {
        if self.state == ConnectionState::Closed {
            return None;
        }
        let mut d: Option<Instant> = None;
        let now = self.now;
        let mut at = |t: Instant| {
            if t > now {
                d = Some(d.map_or(t, |x| x.min(t)));
            }
        };
        for t in &self.txs {
            at(t.next);
        }
        if let Some(t) = self.relay_deadline() {
            at(t);
        }
        if !self.pacer_idle && self.has_new_transaction_pending() {
            at(self.next_ta.max(self.now));
        }
        if let (Some(first), true) = (self.first_valid_at, self.waiting_to_nominate()) {
            at(first + self.cfg.nomination_delay);
        }
        if let Some(c) = self.consent.filter(|c| !c.lost) {
            if self.cfg.consent && !self.cfg.lite {
                at(c.next_check);
            }
            if matches!(
                self.state,
                ConnectionState::Connected | ConnectionState::Completed
            ) {
                at(c.last_response + self.cfg.disconnected_timeout);
            }
            at(c.last_response + self.cfg.consent_timeout);
        }
        if self.selected.is_some() && !self.cfg.consent && !self.cfg.lite {
            at(self.last_keepalive + self.cfg.keepalive_interval);
        }
        // Everything due at `now` was done by `work`; a deadline that is not in the future would
        // only make the driver spin.
        d.filter(|t| *t > self.now)
    }

    fn transmit(
        &mut self,
        local: std::net::SocketAddr,
        remote: std::net::SocketAddr,
        payload: Vec<u8>,
    ) {
        self.transmit_from(local, remote, payload);
    }

    /// RTO for a new check (§14.3): `max(500 ms, Ta * (waiting + in-progress))`.
    fn check_rto(&self) -> Duration {
        let active = self
            .pairs
            .iter()
            .filter(|p| !p.removed && matches!(p.state, PairState::Waiting | PairState::InProgress))
            .count();
        let n = u32::try_from(active).unwrap_or(u32::MAX);
        self.cfg.rto_min.max(self.cfg.ta.saturating_mul(n))
    }

    fn retransmit_due(&mut self, now: Instant) {
        let mut failed = Vec::new();
        let max = self.cfg.max_transmissions.max(1);
        let mut resend = Vec::new();
        self.txs.retain_mut(|t| {
            if t.next > now {
                return true;
            }
            if let TxKind::Consent { .. } = t.kind {
                return false; // sent once only (RFC 7675 §5.1)
            }
            if t.sent < max && !t.cancelled {
                t.sent = t.sent.saturating_add(1);
                let wait = t
                    .rto
                    .saturating_mul(1u32 << t.sent.saturating_sub(1).min(16));
                t.next = if t.sent >= max {
                    // Rm = 16 (RFC 8489 §6.2.1) after the last transmission.
                    now + t.rto.saturating_mul(16)
                } else {
                    now + wait
                };
                resend.push((t.local, t.remote, t.bytes.clone()));
                return true;
            }
            if let TxKind::Check { pair, .. } = t.kind
                && !t.cancelled
            {
                failed.push(pair);
            }
            false
        });
        for (l, r, b) in resend {
            self.counters.retransmissions = self.counters.retransmissions.saturating_add(1);
            self.transmit(l, r, b);
        }
        for p in failed {
            let in_flight = self
                .txs
                .iter()
                .any(|t| matches!(t.kind, TxKind::Check { pair, .. } if pair == p));
            if !in_flight
                && self
                    .pairs
                    .get(p)
                    .is_some_and(|x| x.state == PairState::InProgress)
            {
                self.set_pair_state(now, p, PairState::Failed);
            }
        }
        self.check_gathering_done(now);
    }

    fn can_check(&self) -> bool {
        !self.cfg.lite && self.remote_key.is_some() && !self.consent.is_some_and(|c| c.lost)
    }

    fn has_new_transaction_pending(&self) -> bool {
        if !self.gather_jobs.is_empty() {
            return true;
        }
        if !self.can_check() {
            return false;
        }
        !self.triggered.is_empty()
            || self.nominating_pending()
            || self
                .pairs
                .iter()
                .any(|p| !p.removed && matches!(p.state, PairState::Waiting | PairState::Frozen))
    }

    fn nominating_pending(&self) -> bool {
        self.nominating.is_some_and(|n| {
            !self.txs.iter().any(
                |t| matches!(t.kind, TxKind::Check { pair, use_candidate: true, .. } if pair == n),
            )
        })
    }

    /// Picks and sends one new transaction: the triggered queue first, then gathering, then
    /// the highest-priority Waiting pair, unfreezing one when none waits (§6.1.4.2).
    fn send_next_new_transaction(&mut self, now: Instant) -> bool {
        if self.can_check() {
            if self.nominating_pending()
                && let Some(n) = self.nominating
            {
                self.send_check(now, n, true);
                return true;
            }
            while let Some(i) = self.triggered.pop_front() {
                if self.pairs.get(i).is_some() {
                    let uc = self.role == Role::Controlling
                        && self.cfg.nomination == Nomination::Aggressive;
                    self.send_check(now, i, uc);
                    return true;
                }
            }
        }
        if let Some((base, server)) = self.gather_jobs.pop_front() {
            let id = self.new_txid();
            let bytes = build_plain_request(id);
            self.transmit(base, server, bytes.clone());
            self.txs.push(Transaction {
                id,
                kind: TxKind::Srflx { server },
                local: base,
                remote: server,
                bytes,
                sent: 1,
                rto: self.cfg.rto_min,
                next: now + self.cfg.rto_min,
                cancelled: false,
            });
            return true;
        }
        if !self.can_check() {
            return false;
        }
        let waiting = self
            .pairs
            .iter()
            .enumerate()
            .filter(|(_, p)| !p.removed && p.state == PairState::Waiting)
            .max_by_key(|(_, p)| p.priority)
            .map(|(i, _)| i);
        let next = waiting.or_else(|| {
            let busy: Vec<&str> = self
                .pairs
                .iter()
                .filter(|p| matches!(p.state, PairState::Waiting | PairState::InProgress))
                .map(|p| p.foundation.as_str())
                .collect();
            self.pairs
                .iter()
                .enumerate()
                .filter(|(_, p)| {
                    !p.removed
                        && p.state == PairState::Frozen
                        && !busy.contains(&p.foundation.as_str())
                })
                .max_by_key(|(_, p)| p.priority)
                .map(|(i, _)| i)
        });
        let Some(i) = next else {
            return false;
        };
        let uc = self.role == Role::Controlling && self.cfg.nomination == Nomination::Aggressive;
        self.send_check(now, i, uc);
        true
    }

    /// Sends a connectivity check on pair `i` (§7.2.2, §7.2.4).
    fn send_check(&mut self, now: Instant, i: usize, use_candidate: bool) {
        let (Some(p), Some(remote)) = (
            self.pairs.get(i),
            self.remote_creds.as_ref().map(|c| c.ufrag.clone()),
        ) else {
            return;
        };
        let (base, raddr, local_index) = (p.base, p.remote_addr, p.local);
        // PRIORITY: as a peer-reflexive candidate with the local preference of the base (§7.1.1).
        let pref = self
            .locals
            .get(local_index)
            .map_or(65535, |c| (c.priority >> 8) & 0xffff);
        let priority = candidate_priority(
            CandidateKind::PeerReflexive,
            u16::try_from(pref).unwrap_or(0),
            1,
        );
        let username = format!("{remote}:{}", self.local_creds.ufrag);
        let Some(key) = self.remote_key.clone() else {
            return;
        };
        let rto = self.check_rto();
        let id = self.new_txid();
        let bytes = build_check(
            id,
            &username,
            priority,
            self.role,
            self.tie_breaker,
            use_candidate,
            &key,
        );
        self.transmit(base, raddr, bytes.clone());
        self.counters.checks_sent = self.counters.checks_sent.saturating_add(1);
        self.txs.push(Transaction {
            id,
            kind: TxKind::Check {
                pair: i,
                use_candidate,
                priority,
                role: self.role,
            },
            local: base,
            remote: raddr,
            bytes,
            sent: 1,
            rto,
            next: now + rto,
            cancelled: false,
        });
        if self
            .pairs
            .get(i)
            .is_some_and(|p| p.state != PairState::Succeeded)
        {
            self.set_pair_state(now, i, PairState::InProgress);
        }
        if self.state == ConnectionState::New {
            self.set_state(now, ConnectionState::Checking);
        }
    }

    fn waiting_to_nominate(&self) -> bool {
        self.role == Role::Controlling
            && self.cfg.nomination == Nomination::Regular
            && self.selected.is_none()
            && self.nominating.is_none()
            && !self.cfg.lite
    }

    /// Regular nomination (§8.1.1): once a valid pair exists and either no pair of higher
    /// priority is still being checked or the nomination delay has passed, repeat the check of
    /// the best valid pair with USE-CANDIDATE.
    fn decide_nomination(&mut self, now: Instant) {
        if !self.waiting_to_nominate() || !self.can_check() {
            return;
        }
        let Some(best) = self
            .pairs
            .iter()
            .enumerate()
            .filter(|(_, p)| p.valid)
            .max_by_key(|(_, p)| p.priority)
            .map(|(i, p)| (i, p.priority, p.base, p.remote_addr))
        else {
            return;
        };
        let higher_pending = self.pairs.iter().any(|p| {
            !p.removed
                && p.priority > best.1
                && matches!(
                    p.state,
                    PairState::Waiting | PairState::InProgress | PairState::Frozen
                )
        });
        let delay_over = self
            .first_valid_at
            .is_some_and(|t| now >= t + self.cfg.nomination_delay);
        if higher_pending && !delay_over {
            return;
        }
        // The check goes on the pair whose check produced the valid pair: same base and remote.
        let checked = self
            .pairs
            .iter()
            .position(|p| !p.removed && p.base == best.2 && p.remote_addr == best.3)
            .unwrap_or(best.0);
        self.nominating = Some(checked);
    }

    /// Consent checks (RFC 7675 §5.1) and keepalives (§11) on the selected pair; consent
    /// expiry turns the agent Disconnected, then Failed.
    fn consent_due(&mut self, now: Instant) {
        let Some(sel) = self.selected else {
            return;
        };
        let Some(mut c) = self.consent else {
            return;
        };
        if c.lost {
            return;
        }
        let silent = now.saturating_duration_since(c.last_response);
        if silent >= self.cfg.consent_timeout {
            c.lost = true;
            self.consent = Some(c);
            // Discard outstanding consent transactions; stop sending on this pair.
            self.txs
                .retain(|t| !matches!(t.kind, TxKind::Consent { .. } | TxKind::Check { .. }));
            self.triggered.clear();
            self.emit(now, IceEventKind::ConsentLost);
            self.set_state(now, ConnectionState::Failed);
            return;
        }
        if silent >= self.cfg.disconnected_timeout
            && matches!(
                self.state,
                ConnectionState::Connected | ConnectionState::Completed
            )
        {
            self.set_state(now, ConnectionState::Disconnected);
        }
        if self.cfg.lite {
            return;
        }
        if self.cfg.consent && now >= c.next_check {
            c.next_check = now + self.consent_interval();
            self.consent = Some(c);
            self.send_consent(now, sel);
        } else if !self.cfg.consent && now >= self.last_keepalive + self.cfg.keepalive_interval {
            self.last_keepalive = now;
            if let Some(p) = self.pairs.get(sel) {
                let (b, r) = (p.base, p.remote_addr);
                let id = self.new_txid();
                self.transmit(b, r, build_indication(id));
            }
        }
    }

    /// The randomised consent interval: 0.8–1.2 × the basic one (RFC 7675 §5.1), never under
    /// 4 s.
    pub(crate) fn consent_interval(&mut self) -> Duration {
        let base = self.cfg.consent_interval.as_secs_f64();
        let factor = 0.8 + 0.4 * self.rng.unit();
        Duration::from_secs_f64((base * factor).max(4.0))
    }

    fn send_consent(&mut self, now: Instant, sel: usize) {
        let (Some(p), Some(remote)) = (
            self.pairs.get(sel),
            self.remote_creds.as_ref().map(|c| c.ufrag.clone()),
        ) else {
            return;
        };
        let (base, raddr, local_index) = (p.base, p.remote_addr, p.local);
        let Some(key) = self.remote_key.clone() else {
            return;
        };
        let pref = self
            .locals
            .get(local_index)
            .map_or(65535, |c| (c.priority >> 8) & 0xffff);
        let priority = candidate_priority(
            CandidateKind::PeerReflexive,
            u16::try_from(pref).unwrap_or(0),
            1,
        );
        let id = self.new_txid();
        let bytes = build_check(
            id,
            &format!("{remote}:{}", self.local_creds.ufrag),
            priority,
            self.role,
            self.tie_breaker,
            false,
            &key,
        );
        self.transmit(base, raddr, bytes.clone());
        self.counters.consent_sent = self.counters.consent_sent.saturating_add(1);
        let until = self.consent.map_or(now, |c| c.next_check);
        self.txs.push(Transaction {
            id,
            kind: TxKind::Consent { pair: sel },
            local: base,
            remote: raddr,
            bytes,
            sent: 1,
            rto: self.cfg.rto_min,
            next: until,
            cancelled: false,
        });
    }

    /// The check list failed (§8.1.2): nothing selected, nothing left to check, and (with
    /// trickle) end-of-candidates received.
    fn check_failure(&mut self, now: Instant) {
        if self.selected.is_some()
            || self.cfg.lite
            || self.remote_key.is_none()
            || !matches!(self.state, ConnectionState::Checking | ConnectionState::New)
        {
            return;
        }
        if self.cfg.trickle && !self.remote_eoc {
            return;
        }
        if !self.gathering_done || (self.pairs.is_empty() && !self.remote_eoc) {
            return;
        }
        let pending_checks = self
            .txs
            .iter()
            .any(|t| matches!(t.kind, TxKind::Check { .. }))
            || !self.triggered.is_empty()
            || self.nominating.is_some()
            || self.pairs.iter().any(|p| {
                !p.removed
                    && matches!(
                        p.state,
                        PairState::Waiting | PairState::InProgress | PairState::Frozen
                    )
            });
        let any_valid = self.pairs.iter().any(|p| p.valid);
        if !pending_checks && !any_valid {
            self.set_state(now, ConnectionState::Failed);
        }
    }
}
