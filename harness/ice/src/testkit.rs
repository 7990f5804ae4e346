//! A tiny direct-delivery wire for two agents (or any two endpoints): datagrams go straight
//! from one endpoint's socket to the other's after a fixed delay, with an optional filter that
//! drops or rewrites them. Used by the crate's tests, the benchmark and the fuzz body; the
//! simulated network (harness-netsim) is the realistic stage.

use core::time::Duration;
use std::collections::BTreeMap;
use std::net::SocketAddr;

use harness_core::endpoint::{Endpoint, Input, Output, TransportContext};
use harness_core::time::Instant;

use crate::rules::{Direction, Observed};

/// Which endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Side {
    /// The first.
    A,
    /// The second.
    B,
}

/// One datagram on the wire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WireDatagram {
    /// When it was sent.
    pub sent_at: Instant,
    /// Who sent it.
    pub from_side: Side,
    /// 5-tuple as the sender sees it.
    pub context: TransportContext,
    /// Bytes.
    pub payload: Vec<u8>,
}

/// What the filter decides about a datagram.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Deliver after the wire's delay.
    Deliver,
    /// Drop it.
    Drop,
}

type Filter = Box<dyn FnMut(Instant, &WireDatagram) -> Verdict>;

/// Two endpoints joined by a wire.
pub struct Wire<A: Endpoint, B: Endpoint> {
    /// First endpoint.
    pub a: A,
    /// Second endpoint.
    pub b: B,
    /// One-way delay.
    pub delay: Duration,
    /// Current time.
    pub now: Instant,
    /// Events of A, with the time they came out.
    pub events_a: Vec<(Instant, A::Event)>,
    /// Events of B.
    pub events_b: Vec<(Instant, B::Event)>,
    /// Every datagram sent, in order.
    pub log: Vec<WireDatagram>,
    queue: BTreeMap<(Instant, u64), (Side, TransportContext, Vec<u8>)>,
    seq: u64,
    deadline_a: Option<Instant>,
    deadline_b: Option<Instant>,
    filter: Option<Filter>,
}

impl<A: Endpoint, B: Endpoint> core::fmt::Debug for Wire<A, B> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Wire")
            .field("now", &self.now)
            .field("queued", &self.queue.len())
            .finish()
    }
}

impl<A: Endpoint, B: Endpoint> Wire<A, B> {
    /// Joins `a` and `b` with a one-way `delay`, at time zero, and drains both.
    pub fn new(a: A, b: B, delay: Duration) -> Self {
        let mut w = Self {
            a,
            b,
            delay,
            now: Instant::ZERO,
            events_a: Vec::new(),
            events_b: Vec::new(),
            log: Vec::new(),
            queue: BTreeMap::new(),
            seq: 0,
            deadline_a: None,
            deadline_b: None,
            filter: None,
        };
        w.drain(Side::A);
        w.drain(Side::B);
        w
    }

    /// Installs a filter that sees every datagram when it is sent.
    pub fn set_filter(&mut self, f: impl FnMut(Instant, &WireDatagram) -> Verdict + 'static) {
        self.filter = Some(Box::new(f));
    }

    /// Removes the filter.
    pub fn clear_filter(&mut self) {
        self.filter = None;
    }

    /// Injects a datagram as if `from` had sent it to `to` (spoofing and fuzzing).
    pub fn inject(&mut self, to: Side, context: TransportContext, payload: Vec<u8>) {
        self.seq = self.seq.saturating_add(1);
        self.queue
            .insert((self.now, self.seq), (to, context, payload));
    }

    /// Drains one side after an input or a signalling call.
    pub fn drain(&mut self, side: Side) {
        for _ in 0..10_000 {
            let out = match side {
                Side::A => match self.a.poll_output() {
                    Output::Event(e) => {
                        self.events_a.push((self.now, e));
                        continue;
                    }
                    o => map_output(o),
                },
                Side::B => match self.b.poll_output() {
                    Output::Event(e) => {
                        self.events_b.push((self.now, e));
                        continue;
                    }
                    o => map_output(o),
                },
            };
            match out {
                Step::Transmit(context, payload) => self.send(side, context, payload),
                Step::Deadline(d) => {
                    match side {
                        Side::A => self.deadline_a = d,
                        Side::B => self.deadline_b = d,
                    }
                    return;
                }
                Step::Other => {}
            }
        }
    }

    fn send(&mut self, side: Side, context: TransportContext, payload: Vec<u8>) {
        let d = WireDatagram {
            sent_at: self.now,
            from_side: side,
            context,
            payload,
        };
        let verdict = match &mut self.filter {
            Some(f) => f(self.now, &d),
            None => Verdict::Deliver,
        };
        let to = match side {
            Side::A => Side::B,
            Side::B => Side::A,
        };
        if verdict == Verdict::Deliver {
            let ctx = TransportContext {
                local: context.remote,
                remote: context.local,
                transport: context.transport,
            };
            self.seq = self.seq.saturating_add(1);
            self.queue.insert(
                (self.now + self.delay, self.seq),
                (to, ctx, d.payload.clone()),
            );
        }
        self.log.push(d);
    }

    /// Runs until `until` (inclusive) or until nothing is left to do.
    pub fn run_until(&mut self, until: Instant) {
        for _ in 0..10_000_000u64 {
            let next_packet = self.queue.keys().next().map(|k| k.0);
            let candidates = [next_packet, self.deadline_a, self.deadline_b];
            let Some(t) = candidates.iter().flatten().min().copied() else {
                self.now = until;
                return;
            };
            if t > until {
                self.now = until;
                return;
            }
            self.now = self.now.max(t);
            if next_packet == Some(t) {
                if let Some((_, (to, ctx, payload))) = self.queue.pop_first() {
                    let input = Input::Datagram {
                        now: self.now,
                        context: ctx,
                        payload: &payload,
                    };
                    match to {
                        Side::A => self.a.handle_input(input),
                        Side::B => self.b.handle_input(input),
                    }
                    self.drain(to);
                }
                continue;
            }
            if self.deadline_a == Some(t) {
                self.deadline_a = None;
                self.a.handle_input(Input::Timeout { now: self.now });
                self.drain(Side::A);
            }
            if self.deadline_b == Some(t) {
                self.deadline_b = None;
                self.b.handle_input(Input::Timeout { now: self.now });
                self.drain(Side::B);
            }
        }
    }

    /// Runs for `d` more.
    pub fn run_for(&mut self, d: Duration) {
        let until = self.now + d;
        self.run_until(until);
    }

    /// One side's view of the wire: what it sent and what reached it, for the validator.
    #[must_use]
    pub fn observed(&self, side: Side) -> Vec<Observed> {
        let mut out = Vec::new();
        for d in &self.log {
            if d.from_side == side {
                out.push(Observed {
                    at: d.sent_at,
                    direction: Direction::Sent,
                    context: d.context,
                    payload: d.payload.clone(),
                });
            } else {
                out.push(Observed {
                    at: d.sent_at + self.delay,
                    direction: Direction::Received,
                    context: TransportContext {
                        local: d.context.remote,
                        remote: d.context.local,
                        transport: d.context.transport,
                    },
                    payload: d.payload.clone(),
                });
            }
        }
        out.sort_by_key(|o| o.at);
        out
    }
}

enum Step {
    Transmit(TransportContext, Vec<u8>),
    Deadline(Option<Instant>),
    Other,
}

fn map_output<E>(o: Output<E>) -> Step {
    match o {
        Output::Transmit(t) => Step::Transmit(t.context, t.payload),
        Output::Timeout(t) => Step::Deadline(Some(t)),
        Output::Idle => Step::Deadline(None),
        _ => Step::Other,
    }
}

/// Unused-address helper for tests: `10.0.0.<n>:<port>`.
#[must_use]
pub fn addr(n: u8, port: u16) -> SocketAddr {
    SocketAddr::from(([10, 0, 0, n], port))
}
