//! The RFC 5780 discovery client.

use core::time::Duration;
use std::collections::VecDeque;
use std::net::{IpAddr, SocketAddr};

use harness_core::endpoint::{
    Endpoint, Input, Output, Socket, Transmit, Transport, TransportContext,
};
use harness_core::rng::SeededRng;
use harness_core::time::Instant;
use harness_stun::{Attribute, Class, MessageBuilder, Method, TransactionId};

use super::{Binding, parse_binding};
use crate::nat::{Dependence, PortAssignment};

const RTO: Duration = Duration::from_millis(100);
const ATTEMPTS: u32 = 3;
const PORT_PROBES: usize = 3;

/// What the discovery client found. `None` means the test could not decide (no answer to a
/// prerequisite, or the server lacks OTHER-ADDRESS).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Classification {
    /// The mapped address of the first test.
    pub mapped: Option<SocketAddr>,
    /// Mapping behaviour (§4.3).
    pub mapping: Option<Dependence>,
    /// Filtering behaviour (§4.4).
    pub filtering: Option<Dependence>,
    /// Hairpinning (§4.5).
    pub hairpinning: Option<bool>,
    /// Whether a hairpinned packet arrived from the sender's mapped address (rather than its
    /// internal one).
    pub hairpin_source_translated: Option<bool>,
    /// Port assignment, from three probes on distinct local ports.
    pub port_assignment: Option<PortAssignment>,
    /// Whether every probe kept the parity of its local port.
    pub port_parity: Option<bool>,
    /// Why the run stopped early, if it did.
    pub error: Option<&'static str>,
}

/// Reported once, when all tests are done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiscoveryEvent {
    /// The result.
    Done(Classification),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    MapI,
    MapII,
    MapIII,
    FiltI,
    FiltII,
    FiltIII,
    HairI,
    HairII,
    Port(usize),
}

#[derive(Clone, Copy, Debug)]
struct Txn {
    txid: TransactionId,
    local: SocketAddr,
    remote: SocketAddr,
    change: (bool, bool),
    attempts: u32,
    deadline: Instant,
    expect_request: bool,
}

/// Runs the RFC 5780 tests against an [`super::Rfc5780Server`] and reports a
/// [`Classification`] as [`DiscoveryEvent::Done`] (also readable with
/// [`DiscoveryClient::result`]). Starts at the first deadline it is given.
#[derive(Debug)]
pub struct DiscoveryClient {
    local_ip: IpAddr,
    base_port: u16,
    server: SocketAddr,
    rng: SeededRng,
    announced: usize,
    started: bool,
    done: bool,
    step: Step,
    txn: Option<Txn>,
    out: VecDeque<Output<DiscoveryEvent>>,
    result: Classification,
    first_mapped: Option<SocketAddr>,
    second_mapped: Option<SocketAddr>,
    other: Option<SocketAddr>,
    hairpin_target: Option<SocketAddr>,
    port_samples: Vec<(u16, u16)>,
}

impl DiscoveryClient {
    /// A client on `local_ip`, using local ports from `base_port` up to `base_port + 16`,
    /// against the server's primary address `server`.
    #[must_use]
    pub fn new(local_ip: IpAddr, base_port: u16, server: SocketAddr, rng: SeededRng) -> Self {
        Self {
            local_ip,
            base_port,
            server,
            rng,
            announced: 0,
            started: false,
            done: false,
            step: Step::MapI,
            txn: None,
            out: VecDeque::new(),
            result: Classification::default(),
            first_mapped: None,
            second_mapped: None,
            other: None,
            hairpin_target: None,
            port_samples: Vec::new(),
        }
    }

    /// The result once finished.
    #[must_use]
    pub fn result(&self) -> Option<Classification> {
        self.done.then_some(self.result)
    }

    fn ports(&self) -> [u16; 6] {
        let b = self.base_port;
        [
            b,
            b.wrapping_add(2),
            b.wrapping_add(4),
            b.wrapping_add(10),
            b.wrapping_add(13),
            b.wrapping_add(16),
        ]
    }

    fn socket(&self, index: usize) -> SocketAddr {
        SocketAddr::new(
            self.local_ip,
            self.ports().get(index).copied().unwrap_or(self.base_port),
        )
    }

    fn txid(&mut self) -> TransactionId {
        let mut id = [0u8; 12];
        for chunk in id.chunks_mut(4) {
            let v = u32::try_from(self.rng.below(1 << 32)).unwrap_or(0);
            chunk.copy_from_slice(&v.to_be_bytes());
        }
        TransactionId(id)
    }

    fn start(&mut self, now: Instant, step: Step) {
        self.step = step;
        let server = self.server;
        let other = self.other.unwrap_or(server);
        let (local, remote, change, expect_request) = match step {
            Step::MapI => (self.socket(0), server, (false, false), false),
            Step::MapII => (
                self.socket(0),
                SocketAddr::new(other.ip(), server.port()),
                (false, false),
                false,
            ),
            Step::MapIII => (self.socket(0), other, (false, false), false),
            Step::FiltI => (self.socket(1), server, (false, false), false),
            Step::FiltII => (self.socket(1), server, (true, true), false),
            Step::FiltIII => (self.socket(1), server, (false, true), false),
            Step::HairI => (self.socket(2), server, (false, false), false),
            Step::HairII => (
                self.socket(2),
                self.hairpin_target.unwrap_or(server),
                (false, false),
                true,
            ),
            Step::Port(i) => (self.socket(3 + i), server, (false, false), false),
        };
        let txn = Txn {
            txid: self.txid(),
            local,
            remote,
            change,
            attempts: 0,
            deadline: now,
            expect_request,
        };
        self.txn = Some(txn);
        self.send(now);
    }

    fn send(&mut self, now: Instant) {
        let Some(txn) = &mut self.txn else {
            return;
        };
        let mut b = MessageBuilder::new(Class::Request, Method::BINDING, txn.txid);
        if txn.change != (false, false) {
            b = b.attr(Attribute::ChangeRequest {
                change_ip: txn.change.0,
                change_port: txn.change.1,
            });
        }
        let Ok(payload) = b.build() else {
            return;
        };
        txn.deadline = now + RTO.saturating_mul(1 << txn.attempts);
        txn.attempts += 1;
        self.out.push_back(Output::Transmit(Transmit {
            context: TransportContext {
                local: txn.local,
                remote: txn.remote,
                transport: Transport::Udp,
            },
            payload,
        }));
    }

    fn finish(&mut self, error: Option<&'static str>) {
        self.txn = None;
        self.done = true;
        if self.result.error.is_none() {
            self.result.error = error;
        }
        self.out
            .push_back(Output::Event(DiscoveryEvent::Done(self.result)));
    }

    /// The current test ended: with an answer (`Some`) or without (`None`).
    fn complete(&mut self, now: Instant, answer: Option<(Binding, SocketAddr)>) {
        self.txn = None;
        let mapped = answer.and_then(|(b, _)| b.xor_mapped.or(b.mapped));
        match self.step {
            Step::MapI => {
                let Some(m) = mapped else {
                    return self.finish(Some("no answer to mapping test I (UDP blocked?)"));
                };
                self.result.mapped = Some(m);
                self.first_mapped = Some(m);
                self.other = answer.and_then(|(b, _)| b.other_address);
                if self.other.is_none() {
                    self.result.error = Some("server sent no OTHER-ADDRESS");
                    return self.start(now, Step::HairI);
                }
                self.start(now, Step::MapII);
            }
            Step::MapII => match mapped {
                Some(m) if Some(m) == self.first_mapped => {
                    self.result.mapping = Some(Dependence::EndpointIndependent);
                    self.start(now, Step::FiltI);
                }
                Some(m) => {
                    self.second_mapped = Some(m);
                    self.start(now, Step::MapIII);
                }
                None => self.start(now, Step::FiltI),
            },
            Step::MapIII => {
                self.result.mapping = mapped.map(|m| {
                    if Some(m) == self.second_mapped {
                        Dependence::AddressDependent
                    } else {
                        Dependence::AddressAndPortDependent
                    }
                });
                self.start(now, Step::FiltI);
            }
            Step::FiltI => {
                if mapped.is_some() {
                    self.start(now, Step::FiltII);
                } else {
                    self.start(now, Step::HairI);
                }
            }
            Step::FiltII => {
                if answer.is_some() {
                    self.result.filtering = Some(Dependence::EndpointIndependent);
                    self.start(now, Step::HairI);
                } else {
                    self.start(now, Step::FiltIII);
                }
            }
            Step::FiltIII => {
                self.result.filtering = Some(if answer.is_some() {
                    Dependence::AddressDependent
                } else {
                    Dependence::AddressAndPortDependent
                });
                self.start(now, Step::HairI);
            }
            Step::HairI => match mapped {
                Some(m) => {
                    self.hairpin_target = Some(m);
                    self.start(now, Step::HairII);
                }
                None => self.start(now, Step::Port(0)),
            },
            Step::HairII => {
                self.result.hairpinning = Some(answer.is_some());
                self.result.hairpin_source_translated =
                    answer.map(|(_, source)| source != self.socket(2));
                self.start(now, Step::Port(0));
            }
            Step::Port(i) => {
                if let Some(m) = mapped {
                    self.port_samples
                        .push((self.socket(3 + i).port(), m.port()));
                }
                if i + 1 < PORT_PROBES {
                    self.start(now, Step::Port(i + 1));
                } else {
                    self.classify_ports();
                    self.finish(None);
                }
            }
        }
    }

    fn classify_ports(&mut self) {
        let s = &self.port_samples;
        if s.len() < PORT_PROBES {
            return;
        }
        let assignment = if s.iter().all(|(l, m)| l == m) {
            PortAssignment::Preserve
        } else if s.windows(2).all(
            |w| matches!(w, [(_, a), (_, b)] if (1..=2).contains(&(i32::from(*b) - i32::from(*a)))),
        ) {
            PortAssignment::Sequential
        } else {
            PortAssignment::Random
        };
        self.result.port_assignment = Some(assignment);
        self.result.port_parity = Some(s.iter().all(|(l, m)| l % 2 == m % 2));
    }
}

impl Endpoint for DiscoveryClient {
    type Event = DiscoveryEvent;

    fn handle_input(&mut self, input: Input<'_>) {
        let now = input.now();
        if self.done {
            return;
        }
        if !self.started {
            self.started = true;
            self.start(now, Step::MapI);
            return;
        }
        match input {
            Input::Datagram {
                context, payload, ..
            } => {
                let Some(txn) = self.txn else {
                    return;
                };
                if context.local != txn.local {
                    return;
                }
                let class = if txn.expect_request {
                    Class::Request
                } else {
                    Class::Success
                };
                if let Some((txid, b)) = parse_binding(payload, class)
                    && txid == txn.txid
                {
                    self.complete(now, Some((b, context.remote)));
                }
            }
            Input::Timeout { .. } => {
                let Some(txn) = self.txn else {
                    return;
                };
                if now >= txn.deadline {
                    if txn.attempts < ATTEMPTS {
                        self.send(now);
                    } else {
                        self.complete(now, None);
                    }
                }
            }
            _ => {}
        }
    }

    fn poll_output(&mut self) -> Output<DiscoveryEvent> {
        if let Some(port) = self.ports().get(self.announced).copied() {
            self.announced += 1;
            return Output::Bind(Socket {
                addr: SocketAddr::new(self.local_ip, port),
                transport: Transport::Udp,
            });
        }
        if let Some(o) = self.out.pop_front() {
            return o;
        }
        if !self.started {
            return Output::Timeout(Instant::ZERO);
        }
        match self.txn {
            Some(t) if !self.done => Output::Timeout(t.deadline),
            _ => Output::Idle,
        }
    }

    fn sockets(&self) -> Vec<Socket> {
        self.ports()
            .iter()
            .take(self.announced)
            .map(|p| Socket {
                addr: SocketAddr::new(self.local_ip, *p),
                transport: Transport::Udp,
            })
            .collect()
    }
}
