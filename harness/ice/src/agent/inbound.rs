//! Datagrams in: requests (RFC 8445 §7.3) and responses (§7.2.5).

use std::net::SocketAddr;

use harness_core::endpoint::TransportContext;
use harness_core::time::Instant;
use harness_stun::integrity::{Check, check_fingerprint, check_message_integrity};
use harness_stun::{Class, MAGIC_COOKIE, Message, Method, TransactionId};

use super::{Agent, Consent, TxKind};
use crate::candidate::{Candidate, CandidateKind, candidate_priority};
use crate::checklist::{Pair, PairState};
use crate::config::Role;
use crate::event::{ConnectionState, IceEventKind};
use crate::stunmsg::{build_error, build_success, read_attrs, unknown_required};

impl Agent {
    pub(crate) fn on_datagram(&mut self, now: Instant, ctx: TransportContext, payload: &[u8]) {
        let Ok(msg) = Message::new_checked(payload) else {
            self.on_application_data(now, ctx, payload);
            return;
        };
        if msg.cookie() != MAGIC_COOKIE || msg.top_bits() != 0 || msg.method() != Method::BINDING {
            self.counters.dropped = self.counters.dropped.saturating_add(1);
            return;
        }
        match msg.class() {
            Class::Request => self.on_request(now, ctx, &msg),
            Class::Indication => {}
            Class::Success | Class::Error => self.on_response(now, ctx, &msg),
        }
    }

    fn reply(&mut self, ctx: TransportContext, payload: Vec<u8>) {
        self.transmit_from(ctx.local, ctx.remote, payload);
    }

    fn reply_error(&mut self, now: Instant, ctx: TransportContext, txid: TransactionId, code: u16) {
        let (reason, key) = match code {
            400 => ("Bad Request", None),
            401 => ("Unauthorized", None),
            487 => ("Role Conflict", Some(self.local_key.clone())),
            _ => ("Error", Some(self.local_key.clone())),
        };
        let bytes = build_error(txid, code, reason, key.as_ref(), &[]);
        self.count_error(code);
        self.reply(ctx, bytes);
        self.emit(
            now,
            IceEventKind::ErrorSent {
                code,
                to: ctx.remote,
            },
        );
    }

    fn count_error(&mut self, code: u16) {
        let c = match code {
            400 => &mut self.counters.sent_400,
            401 => &mut self.counters.sent_401,
            420 => &mut self.counters.sent_420,
            _ => &mut self.counters.sent_487,
        };
        *c = c.saturating_add(1);
    }

    /// A datagram that is not STUN: application data when it arrives on a valid pair (RFC
    /// 8445 §11: data may flow once a pair is valid), dropped otherwise.
    fn on_application_data(&mut self, now: Instant, ctx: TransportContext, payload: &[u8]) {
        let on_valid_pair = self
            .pairs
            .iter()
            .any(|p| p.valid && p.base == ctx.local && p.remote_addr == ctx.remote);
        if !on_valid_pair || payload.is_empty() || self.consent.is_some_and(|c| c.lost) {
            self.counters.dropped = self.counters.dropped.saturating_add(1);
            return;
        }
        self.counters.data_received = self.counters.data_received.saturating_add(1);
        self.emit(now, IceEventKind::Data(payload.to_vec()));
    }

    /// A Binding request: authenticate (RFC 8489 §9.1.3), check attributes, resolve role
    /// conflicts (RFC 8445 §7.3.1.1), answer, learn peer-reflexive candidates (§7.3.1.3),
    /// trigger a check (§7.3.1.4) and note nominations (§7.3.1.5).
    fn on_request(&mut self, now: Instant, ctx: TransportContext, msg: &Message<'_>) {
        let txid = msg.transaction_id();
        // FINGERPRINT is mandatory for ICE (RFC 8445 §7.2.2); without a correct one the datagram
        // is not a check and is discarded (RFC 8489 §7.3).
        if check_fingerprint(msg) != Check::Ok {
            self.counters.dropped = self.counters.dropped.saturating_add(1);
            return;
        }
        let attrs = read_attrs(msg);
        let Some(username) = attrs.username.clone().filter(|_| attrs.has_integrity) else {
            self.reply_error(now, ctx, txid, 400);
            return;
        };
        let expected = format!("{}:", self.local_creds.ufrag);
        if !username.starts_with(&expected)
            || check_message_integrity(msg, &self.local_key) != Check::Ok
        {
            self.reply_error(now, ctx, txid, 401);
            return;
        }
        // Authenticated from here on.
        let unknown = unknown_required(msg);
        if !unknown.is_empty() {
            let bytes = build_error(
                txid,
                420,
                "Unknown Attribute",
                Some(&self.local_key),
                &unknown,
            );
            self.count_error(420);
            self.reply(ctx, bytes);
            self.emit(
                now,
                IceEventKind::ErrorSent {
                    code: 420,
                    to: ctx.remote,
                },
            );
            return;
        }
        let Some(priority) = attrs.priority else {
            self.reply_error(now, ctx, txid, 400);
            return;
        };
        if attrs.controlling.is_some() && attrs.controlled.is_some() {
            self.reply_error(now, ctx, txid, 400);
            return;
        }
        self.counters.requests_received = self.counters.requests_received.saturating_add(1);
        if !self.cfg.lite {
            // Role conflicts, only now that the request is authenticated (§7.3.1.1).
            match (self.role, attrs.controlling, attrs.controlled) {
                (Role::Controlling, Some(theirs), _) => {
                    if self.tie_breaker >= theirs {
                        self.reply_error(now, ctx, txid, 487);
                        return;
                    }
                    self.switch_role(now, Role::Controlled);
                }
                (Role::Controlled, _, Some(theirs)) => {
                    if self.tie_breaker >= theirs {
                        self.switch_role(now, Role::Controlling);
                    } else {
                        self.reply_error(now, ctx, txid, 487);
                        return;
                    }
                }
                _ => {}
            }
        }
        let bytes = build_success(txid, ctx.remote, &self.local_key);
        self.reply(ctx, bytes);
        if self.state == ConnectionState::New {
            self.set_state(now, ConnectionState::Checking);
        }

        let Some(remote_index) = self.learn_remote(now, ctx.remote, priority) else {
            return;
        };
        let Some(local_index) = self.locals.iter().position(|c| {
            matches!(c.kind, CandidateKind::Host | CandidateKind::Relayed) && c.base == ctx.local
        }) else {
            return;
        };
        let pair_index = self.pair_for(now, local_index, remote_index);
        let Some(pair_index) = pair_index else { return };

        if self.cfg.lite {
            // Lite: the pair the check came on is valid; USE-CANDIDATE selects it (§7.3.2, §8.2).
            if let Some(p) = self.pairs.get_mut(pair_index) {
                p.valid = true;
            }
            self.set_pair_state(now, pair_index, PairState::Succeeded);
            if attrs.use_candidate {
                self.nominate(now, pair_index);
            }
            return;
        }
        self.trigger(now, pair_index);
        if attrs.use_candidate && self.role == Role::Controlled {
            let succeeded = self
                .pairs
                .get(pair_index)
                .is_some_and(|p| p.state == PairState::Succeeded);
            if succeeded {
                if let Some(v) = self.valid_pair_for(ctx.local, ctx.remote) {
                    self.nominate(now, v);
                }
            } else if let Some(p) = self.pairs.get_mut(pair_index) {
                p.use_candidate_received = true;
            }
        }
    }

    /// The remote candidate at `addr`, learning a peer-reflexive one when unknown (§7.3.1.3).
    fn learn_remote(&mut self, _now: Instant, addr: SocketAddr, priority: u32) -> Option<usize> {
        if let Some(i) = self.remotes.iter().position(|r| r.addr == addr) {
            return Some(i);
        }
        if self.remotes.len() >= self.cfg.max_remote_candidates {
            return None;
        }
        self.prflx_count = self.prflx_count.saturating_add(1);
        self.remotes.push(Candidate {
            kind: CandidateKind::PeerReflexive,
            transport: harness_core::endpoint::Transport::Udp,
            addr,
            base: addr,
            priority,
            foundation: format!("prflx{}", self.prflx_count),
            component: 1,
            related: None,
        });
        Some(self.remotes.len().saturating_sub(1))
    }

    /// The pair of local `li` and remote `ri`, created Waiting when absent.
    fn pair_for(&mut self, now: Instant, li: usize, ri: usize) -> Option<usize> {
        let (base, raddr) = (self.locals.get(li)?.base, self.remotes.get(ri)?.addr);
        if let Some(i) = self
            .pairs
            .iter()
            .position(|p| p.base == base && p.remote_addr == raddr && p.local == li)
        {
            return Some(i);
        }
        if self.pairs.len() >= self.cfg.max_pairs {
            return None;
        }
        let mut pair = Pair::new(
            li,
            self.locals.get(li)?,
            ri,
            self.remotes.get(ri)?,
            self.role,
        );
        pair.state = PairState::Frozen;
        self.pairs.push(pair);
        let i = self.pairs.len().saturating_sub(1);
        self.set_pair_state(now, i, PairState::Waiting);
        Some(i)
    }

    /// The valid pair whose checks go from `base` to `remote` (§7.2.5.3.2).
    pub(crate) fn valid_pair_for(&self, base: SocketAddr, remote: SocketAddr) -> Option<usize> {
        self.pairs
            .iter()
            .enumerate()
            .filter(|(_, p)| p.valid && p.base == base && p.remote_addr == remote)
            .max_by_key(|(_, p)| p.priority)
            .map(|(i, _)| i)
    }

    /// Queues a triggered check (§7.3.1.4).
    fn trigger(&mut self, now: Instant, index: usize) {
        let Some(p) = self.pairs.get(index) else {
            return;
        };
        if p.removed && self.selected != Some(index) {
            return;
        }
        match p.state {
            PairState::Succeeded => {}
            PairState::InProgress => {
                // Cancel the outstanding transaction; a new one goes in the queue.
                for t in &mut self.txs {
                    if matches!(t.kind, TxKind::Check { pair, .. } if pair == index) {
                        t.cancelled = true;
                    }
                }
                if !self.triggered.contains(&index) {
                    self.triggered.push_back(index);
                }
            }
            PairState::Frozen | PairState::Waiting | PairState::Failed => {
                self.set_pair_state(now, index, PairState::Waiting);
                if !self.triggered.contains(&index) {
                    self.triggered.push_back(index);
                }
            }
        }
    }

    /// A response: match the transaction, authenticate, apply the symmetric check, then
    /// handle 487 (§7.2.5.1), failures (§7.2.5.2) and success (§7.2.5.3).
    fn on_response(&mut self, now: Instant, ctx: TransportContext, msg: &Message<'_>) {
        let txid = msg.transaction_id();
        let Some(ti) = self.txs.iter().position(|t| t.id == txid) else {
            self.counters.dropped = self.counters.dropped.saturating_add(1);
            return;
        };
        let Some(tx) = self.txs.get(ti).cloned() else {
            return;
        };
        let attrs = read_attrs(msg);
        if let TxKind::Srflx { server } = tx.kind {
            if ctx.remote != server || ctx.local != tx.local {
                return;
            }
            self.txs.remove(ti);
            if let Some(mapped) = attrs.mapped.filter(|_| msg.class() == Class::Success) {
                self.add_srflx(now, tx.local, mapped, server);
            }
            self.check_gathering_done(now);
            return;
        }
        // Checks: FINGERPRINT and MESSAGE-INTEGRITY with the remote password (§7.2.5), except
        // 400 and 401, which carry no MESSAGE-INTEGRITY (RFC 8489 §9.1.3).
        if check_fingerprint(msg) != Check::Ok {
            self.counters.dropped = self.counters.dropped.saturating_add(1);
            return;
        }
        let Some(key) = self.remote_key.clone() else {
            return;
        };
        let integrity = check_message_integrity(msg, &key);
        let unauthenticated_error = msg.class() == Class::Error
            && integrity == Check::Absent
            && matches!(attrs.error, Some(400 | 401));
        if integrity != Check::Ok && !unauthenticated_error {
            self.counters.dropped = self.counters.dropped.saturating_add(1);
            return;
        }
        self.counters.responses_received = self.counters.responses_received.saturating_add(1);
        self.txs.remove(ti);
        let pair_index = match tx.kind {
            TxKind::Check { pair, .. } | TxKind::Consent { pair } => pair,
            TxKind::Srflx { .. } => return,
        };
        // Symmetric transport addresses (§7.2.5.2.1).
        if ctx.remote != tx.remote || ctx.local != tx.local {
            if matches!(tx.kind, TxKind::Check { .. }) {
                self.set_pair_state(now, pair_index, PairState::Failed);
            }
            return;
        }
        if let TxKind::Consent { .. } = tx.kind {
            if msg.class() == Class::Success {
                self.refresh_consent(now, pair_index);
            }
            return;
        }
        let TxKind::Check {
            use_candidate,
            priority,
            role,
            ..
        } = tx.kind
        else {
            return;
        };
        if msg.class() == Class::Error {
            if attrs.error == Some(487) {
                self.counters.received_487 = self.counters.received_487.saturating_add(1);
                if self.role == role {
                    self.switch_role(now, role.flipped());
                }
                // A new tie-breaker after a 487 (RFC 8445 §7.2.5.1).
                self.tie_breaker = self.rng.below(u64::MAX);
                self.set_pair_state(now, pair_index, PairState::Waiting);
                if !self.triggered.contains(&pair_index) {
                    self.triggered.push_back(pair_index);
                }
            } else {
                self.set_pair_state(now, pair_index, PairState::Failed);
            }
            return;
        }
        let Some(mapped) = attrs.mapped else {
            self.set_pair_state(now, pair_index, PairState::Failed);
            return;
        };
        self.on_check_success(now, pair_index, mapped, priority, use_candidate);
    }

    fn on_check_success(
        &mut self,
        now: Instant,
        pair_index: usize,
        mapped: SocketAddr,
        priority: u32,
        use_candidate: bool,
    ) {
        let Some(pair) = self.pairs.get(pair_index).cloned() else {
            return;
        };
        // Peer-reflexive local candidate (§7.2.5.3.1).
        let local_index = match self.locals.iter().position(|c| c.addr == mapped) {
            Some(i) => i,
            None => {
                let foundation = self.foundations.foundation(
                    CandidateKind::PeerReflexive,
                    pair.base.ip(),
                    None,
                    harness_core::endpoint::Transport::Udp,
                );
                self.locals.push(Candidate {
                    kind: CandidateKind::PeerReflexive,
                    transport: harness_core::endpoint::Transport::Udp,
                    addr: mapped,
                    base: pair.base,
                    priority,
                    foundation,
                    component: 1,
                    related: Some(pair.base),
                });
                self.locals.len().saturating_sub(1)
            }
        };
        self.set_pair_state(now, pair_index, PairState::Succeeded);
        // The valid pair (§7.2.5.3.2).
        let valid_index = if local_index == pair.local {
            pair_index
        } else {
            let existing = self.pairs.iter().position(|p| {
                p.local == local_index && p.remote == pair.remote && p.base == pair.base
            });
            match existing {
                Some(i) => i,
                None => {
                    let (Some(l), Some(r)) =
                        (self.locals.get(local_index), self.remotes.get(pair.remote))
                    else {
                        return;
                    };
                    let mut v = Pair::new(local_index, l, pair.remote, r, self.role);
                    v.base = pair.base;
                    v.state = PairState::Succeeded;
                    v.removed = true; // never scheduled itself
                    self.pairs.push(v);
                    self.pairs.len().saturating_sub(1)
                }
            }
        };
        if let Some(v) = self.pairs.get_mut(valid_index) {
            v.valid = true;
        }
        if self.first_valid_at.is_none() {
            self.first_valid_at = Some(now);
        }
        // Unfreeze pairs of the same foundation (§7.2.5.3.3).
        let frozen: Vec<usize> = self
            .pairs
            .iter()
            .enumerate()
            .filter(|(_, p)| p.foundation == pair.foundation && p.state == PairState::Frozen)
            .map(|(i, _)| i)
            .collect();
        for i in frozen {
            self.set_pair_state(now, i, PairState::Waiting);
        }
        if self.selected.is_some_and(|s| {
            self.pairs
                .get(s)
                .is_some_and(|p| p.base == pair.base && p.remote_addr == pair.remote_addr)
        }) && let Some(s) = self.selected
        {
            self.refresh_consent(now, s);
        }
        // Nomination (§7.2.5.3.4).
        let nominate = (use_candidate && self.role == Role::Controlling)
            || (self.role == Role::Controlled && pair.use_candidate_received);
        if nominate {
            self.nominate(now, valid_index);
        }
    }

    pub(crate) fn add_srflx(
        &mut self,
        now: Instant,
        base: SocketAddr,
        mapped: SocketAddr,
        server: SocketAddr,
    ) {
        // Redundancy elimination (§5.1.3): same address as an existing candidate with the same base.
        if self
            .locals
            .iter()
            .any(|c| c.addr == mapped && c.base == base)
        {
            return;
        }
        let host_pref = self
            .locals
            .iter()
            .find(|c| c.kind == CandidateKind::Host && c.base == base)
            .map_or(65535, |c| (c.priority >> 8) & 0xffff);
        let pref = u16::try_from(host_pref).unwrap_or(65535);
        let foundation = self.foundations.foundation(
            CandidateKind::ServerReflexive,
            base.ip(),
            Some(server.ip()),
            harness_core::endpoint::Transport::Udp,
        );
        let c = Candidate {
            kind: CandidateKind::ServerReflexive,
            transport: harness_core::endpoint::Transport::Udp,
            addr: mapped,
            base,
            priority: candidate_priority(CandidateKind::ServerReflexive, pref, 1),
            foundation,
            component: 1,
            related: Some(base),
        };
        self.locals.push(c.clone());
        self.emit(now, IceEventKind::CandidateGathered(c));
    }

    /// Nominates valid pair `index` and selects it when it beats the current selection.
    pub(crate) fn nominate(&mut self, now: Instant, index: usize) {
        let Some(p) = self.pairs.get_mut(index) else {
            return;
        };
        p.nominated = true;
        let (priority, base, remote) = (p.priority, p.base, p.remote_addr);
        let better = match self.selected.and_then(|s| self.pairs.get(s)) {
            None => true,
            Some(cur) => priority > cur.priority,
        };
        if !better {
            return;
        }
        self.selected = Some(index);
        self.nominating = None;
        if let Some(k) = self.relay_of(base) {
            self.relay_bind_channel(now, k, remote);
        }
        // Stop checking the rest (§8.1.2).
        for (i, q) in self.pairs.iter_mut().enumerate() {
            if i != index && matches!(q.state, PairState::Frozen | PairState::Waiting) {
                q.removed = true;
            }
        }
        self.triggered.clear();
        for t in &mut self.txs {
            if let TxKind::Check { pair, .. } = t.kind
                && self.pairs.get(pair).is_some_and(|q| q.priority < priority)
            {
                t.cancelled = true;
            }
        }
        self.consent = Some(Consent {
            last_response: now,
            next_check: now + self.consent_interval(),
            lost: false,
        });
        if let Some(sel) = self.selected_pair() {
            self.emit(now, IceEventKind::SelectedPair(sel));
        }
        self.update_completion(now);
    }

    pub(crate) fn refresh_consent(&mut self, now: Instant, pair_index: usize) {
        if self.selected != Some(pair_index) {
            return;
        }
        if let Some(c) = &mut self.consent {
            if c.lost {
                // Responses after expiry do not re-establish consent (RFC 7675 §5.1).
                return;
            }
            c.last_response = now;
        }
        if self.state == ConnectionState::Disconnected {
            self.set_state(now, ConnectionState::Connected);
            self.update_completion(now);
        }
    }

    pub(crate) fn update_completion(&mut self, now: Instant) {
        if self.selected.is_none() || self.consent.is_some_and(|c| c.lost) {
            return;
        }
        if matches!(self.state, ConnectionState::New | ConnectionState::Checking) {
            self.set_state(now, ConnectionState::Connected);
        }
        if self.state == ConnectionState::Connected && (!self.cfg.trickle || self.remote_eoc) {
            self.set_state(now, ConnectionState::Completed);
        }
    }
}
