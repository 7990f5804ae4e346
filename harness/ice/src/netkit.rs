//! Signalling for agents that run inside a simulated network (harness-netsim) or any other
//! driver of [`Endpoint`]s: [`Signalled`] wraps an agent and exchanges credentials,
//! candidates (trickled as they are gathered) and end-of-candidates with its peer through a
//! [`Mailbox`] with a fixed signalling delay. The wrapper wakes at least every
//! [`SIGNAL_TICK`] to deliver and to pick up what its agent gathered, and records the agent's
//! connection states with their times.

use core::cell::RefCell;
use core::time::Duration;
use std::collections::VecDeque;
use std::rc::Rc;

use harness_core::endpoint::{Endpoint, Input, Output, Socket};
use harness_core::time::Instant;

use crate::candidate::Candidate;
use crate::config::IceCredentials;
use crate::event::ConnectionState;
use crate::rules::{Direction, Observed};
use crate::{Agent, CandidateKind};

/// Bound on [`Signalled::observed`].
pub const MAX_OBSERVED: usize = 200_000;

/// How often a [`Signalled`] wrapper wakes to move signalling messages.
pub const SIGNAL_TICK: Duration = Duration::from_millis(10);

/// What the signalling channel carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Signal {
    /// The sender's ICE credentials (new ones mean an ICE restart).
    Credentials(IceCredentials),
    /// One candidate of the sender.
    Candidate(Candidate),
    /// The sender gathered everything.
    EndOfCandidates,
}

/// One direction of the signalling channel: messages with their delivery times.
pub type Mailbox = Rc<RefCell<VecDeque<(Instant, Signal)>>>;

/// What [`Signalled`] needs from an agent besides [`Endpoint`].
pub trait IcePeer: Endpoint {
    /// Current local credentials.
    fn local_credentials(&self) -> IceCredentials;
    /// Candidates to announce now (all of them; the wrapper sends each once).
    fn candidates_to_announce(&self) -> Vec<Candidate>;
    /// Whether local gathering is over.
    fn gathering_done(&self) -> bool;
    /// The peer's credentials (first time, or after the peer restarted).
    fn set_remote_credentials(&mut self, now: Instant, creds: IceCredentials);
    /// A peer candidate.
    fn add_remote_candidate(&mut self, now: Instant, c: Candidate);
    /// The peer's end-of-candidates.
    fn end_of_remote_candidates(&mut self, now: Instant);
    /// ICE restart with new local credentials.
    fn restart(&mut self, now: Instant);
    /// The connection state.
    fn connection_state(&self) -> ConnectionState;
    /// The selected pair's local and remote candidate types.
    fn selected_kinds(&self) -> Option<(CandidateKind, CandidateKind)>;
}

impl IcePeer for Agent {
    fn local_credentials(&self) -> IceCredentials {
        Self::local_credentials(self).clone()
    }
    fn candidates_to_announce(&self) -> Vec<Candidate> {
        self.announced_candidates()
    }
    fn gathering_done(&self) -> bool {
        self.gathering_complete()
    }
    fn set_remote_credentials(&mut self, now: Instant, creds: IceCredentials) {
        Self::set_remote_credentials(self, now, creds);
    }
    fn add_remote_candidate(&mut self, now: Instant, c: Candidate) {
        let _ = Self::add_remote_candidate(self, now, c);
    }
    fn end_of_remote_candidates(&mut self, now: Instant) {
        Self::end_of_remote_candidates(self, now);
    }
    fn restart(&mut self, now: Instant) {
        Self::restart(self, now);
    }
    fn connection_state(&self) -> ConnectionState {
        self.state()
    }
    fn selected_kinds(&self) -> Option<(CandidateKind, CandidateKind)> {
        self.selected_pair().map(|p| p.kinds())
    }
}

/// An agent with its end of the signalling channel. See the [module documentation](self).
#[derive(Debug)]
pub struct Signalled<E: IcePeer> {
    /// The agent.
    pub inner: E,
    /// Signalling delay.
    pub delay: Duration,
    /// Restart the agent at this time.
    pub restart_at: Option<Instant>,
    /// Connection states with the time they were first seen.
    pub states: Vec<(Instant, ConnectionState)>,
    /// What the agent sent and received (on its own sockets; relayed traffic appears in its
    /// TURN framing), for the validator; at most [`MAX_OBSERVED`] datagrams.
    pub observed: Vec<Observed>,
    inbox: Mailbox,
    outbox: Mailbox,
    sent_creds: Option<IceCredentials>,
    sent_candidates: Vec<Candidate>,
    sent_done: bool,
    remote_creds: Option<IceCredentials>,
    restarted: bool,
    now: Instant,
    inner_deadline: Option<Instant>,
}

/// Two signalling channel ends, crossed: what `a` sends `b` reads and the other way round.
#[must_use]
pub fn signalled_pair<A: IcePeer, B: IcePeer>(
    a: A,
    b: B,
    delay: Duration,
    now: Instant,
) -> (Signalled<A>, Signalled<B>) {
    let (ab, ba): (Mailbox, Mailbox) = (Mailbox::default(), Mailbox::default());
    (
        Signalled::new(a, Rc::clone(&ba), Rc::clone(&ab), delay, now),
        Signalled::new(b, ab, ba, delay, now),
    )
}

impl<E: IcePeer> Signalled<E> {
    fn new(inner: E, inbox: Mailbox, outbox: Mailbox, delay: Duration, now: Instant) -> Self {
        Self {
            inner,
            delay,
            restart_at: None,
            states: Vec::new(),
            observed: Vec::new(),
            inbox,
            outbox,
            sent_creds: None,
            sent_candidates: Vec::new(),
            sent_done: false,
            remote_creds: None,
            restarted: false,
            now,
            inner_deadline: None,
        }
    }

    /// When the agent first reached `state`.
    #[must_use]
    pub fn first(&self, state: ConnectionState) -> Option<Instant> {
        self.states
            .iter()
            .find(|(_, s)| *s == state)
            .map(|(t, _)| *t)
    }

    /// When the agent first reached `state` at or after `after`.
    #[must_use]
    pub fn first_after(&self, state: ConnectionState, after: Instant) -> Option<Instant> {
        self.states
            .iter()
            .find(|(t, s)| *s == state && *t >= after)
            .map(|(t, _)| *t)
    }

    fn record_state(&mut self) {
        let s = self.inner.connection_state();
        if self.states.last().is_none_or(|(_, last)| *last != s) {
            self.states.push((self.now, s));
        }
    }

    fn post(&self, signal: Signal) {
        self.outbox
            .borrow_mut()
            .push_back((self.now + self.delay, signal));
    }

    /// Delivers due signals to the agent, then posts what it has new.
    fn exchange(&mut self) {
        let now = self.now;
        if self.restart_at.is_some_and(|t| t <= now) {
            self.restart_at = None;
            self.restarted = true;
            self.inner.restart(now);
        }
        loop {
            let due = {
                let mut inbox = self.inbox.borrow_mut();
                match inbox.front() {
                    Some((t, _)) if *t <= now => inbox.pop_front().map(|(_, s)| s),
                    _ => None,
                }
            };
            let Some(signal) = due else { break };
            match signal {
                Signal::Credentials(c) => {
                    let changed = self.remote_creds.as_ref().is_some_and(|old| *old != c);
                    self.remote_creds = Some(c.clone());
                    if changed && !self.restarted {
                        // The peer restarted: restart too and signal everything again (RFC
                        // 8445 §9: both agents restart).
                        self.inner.restart(now);
                    }
                    self.restarted = false;
                    self.inner.set_remote_credentials(now, c);
                }
                Signal::Candidate(c) => self.inner.add_remote_candidate(now, c),
                Signal::EndOfCandidates => self.inner.end_of_remote_candidates(now),
            }
        }
        let creds = self.inner.local_credentials();
        if self.sent_creds.as_ref() != Some(&creds) {
            self.sent_creds = Some(creds.clone());
            self.sent_candidates.clear();
            self.sent_done = false;
            self.post(Signal::Credentials(creds));
        }
        for c in self.inner.candidates_to_announce() {
            if !self.sent_candidates.contains(&c) {
                self.sent_candidates.push(c.clone());
                self.post(Signal::Candidate(c));
            }
        }
        if !self.sent_done && self.inner.gathering_done() {
            self.sent_done = true;
            self.post(Signal::EndOfCandidates);
        }
    }
}

impl<E: IcePeer> Endpoint for Signalled<E> {
    type Event = E::Event;

    fn handle_input(&mut self, input: Input<'_>) {
        self.now = self.now.max(input.now());
        if let Input::Datagram {
            context, payload, ..
        } = &input
            && self.observed.len() < MAX_OBSERVED
        {
            self.observed.push(Observed {
                at: self.now,
                direction: Direction::Received,
                context: *context,
                payload: payload.to_vec(),
            });
        }
        match input {
            Input::Timeout { .. } => {
                if self.inner_deadline.is_some_and(|d| d <= self.now) {
                    self.inner.handle_input(input);
                }
            }
            _ => self.inner.handle_input(input),
        }
        self.record_state();
        self.exchange();
        self.record_state();
    }

    fn poll_output(&mut self) -> Output<E::Event> {
        let tick = self.now + SIGNAL_TICK;
        match self.inner.poll_output() {
            Output::Timeout(t) => {
                self.inner_deadline = Some(t);
                Output::Timeout(t.min(tick))
            }
            Output::Idle => {
                self.inner_deadline = None;
                Output::Timeout(tick)
            }
            Output::Transmit(t) => {
                if self.observed.len() < MAX_OBSERVED {
                    self.observed.push(Observed {
                        at: self.now,
                        direction: Direction::Sent,
                        context: t.context,
                        payload: t.payload.clone(),
                    });
                }
                Output::Transmit(t)
            }
            other => other,
        }
    }

    fn sockets(&self) -> Vec<Socket> {
        self.inner.sockets()
    }
}
