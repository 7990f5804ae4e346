//! The RFC 5780 NAT behaviour discovery client (§4).
//!
//! It uses two local UDP sockets: the *mapping* socket runs the mapping tests (§4.3) and is the
//! hairpinning target; the *filtering* socket runs the filtering tests (§4.4) on a fresh NAT
//! binding, since the mapping tests open holes towards the alternate address that would make
//! the filtering tests pass spuriously (§4.4: "sensitive to prior state on the NAT").
//!
//! Order: mapping I, II, III; filtering I, II, III; hairpinning (§3.4: from the filtering
//! socket to the mapping socket's mapped address); then, if asked, binding lifetime (§4.6:
//! after waiting T, the filtering socket asks the server to answer to the mapping socket's
//! mapped port with RESPONSE-PORT; a response on the mapping socket means the binding lived T).
//! Tests are sequential (§5 limits the pace of new transactions).

use core::fmt;
use core::time::Duration;
use std::collections::VecDeque;
use std::net::SocketAddr;

use harness_core::endpoint::{
    Endpoint, Input, Output, Socket, Transmit, Transport, TransportContext,
};
use harness_core::rng::SeededRng;
use harness_core::time::Instant;
use rand_core::RngCore;

use crate::stun::{Class, Message, MessageBuilder, attr, method};
use crate::transaction::{ClientTransaction, TimerAction, TransactionConfig};

/// A NAT behaviour (RFC 4787 terms, as RFC 5780 §4.3 and §4.4 classify them).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Behaviour {
    /// Endpoint-independent.
    EndpointIndependent,
    /// Address-dependent.
    AddressDependent,
    /// Address- and port-dependent.
    AddressAndPortDependent,
}

impl Behaviour {
    /// Kebab-case name for JSON and text reports.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::EndpointIndependent => "endpoint-independent",
            Self::AddressDependent => "address-dependent",
            Self::AddressAndPortDependent => "address-and-port-dependent",
        }
    }
}

impl fmt::Display for Behaviour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What discovery found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DiscoveryReport {
    /// The mapping socket's local address.
    pub local: Option<SocketAddr>,
    /// Its mapped address (test I).
    pub mapped: Option<SocketAddr>,
    /// The server's OTHER-ADDRESS.
    pub other: Option<SocketAddr>,
    /// False when the mapped address equals the local one.
    pub nat: Option<bool>,
    /// Mapping behaviour.
    pub mapping: Option<Behaviour>,
    /// Filtering behaviour.
    pub filtering: Option<Behaviour>,
    /// Whether the NAT hairpins.
    pub hairpinning: Option<bool>,
    /// The longest probed wait after which the binding was still alive.
    pub binding_lifetime: Option<Duration>,
    /// Why discovery stopped early, if it did.
    pub error: Option<&'static str>,
}

impl DiscoveryReport {
    /// JSON rendering (hand-written: the crate has no serde dependency).
    #[must_use]
    pub fn to_json(&self) -> String {
        fn s<T: fmt::Display>(v: Option<T>) -> String {
            v.map_or_else(|| "null".to_owned(), |v| format!("\"{v}\""))
        }
        format!(
            "{{\"local\":{},\"mapped\":{},\"other\":{},\"nat\":{},\"mapping\":{},\"filtering\":{},\"hairpinning\":{},\"binding_lifetime_s\":{},\"error\":{}}}",
            s(self.local),
            s(self.mapped),
            s(self.other),
            self.nat.map_or("null".to_owned(), |b| b.to_string()),
            s(self.mapping),
            s(self.filtering),
            self.hairpinning
                .map_or("null".to_owned(), |b| b.to_string()),
            self.binding_lifetime
                .map_or("null".to_owned(), |d| d.as_secs().to_string()),
            s(self.error),
        )
    }
}

impl fmt::Display for DiscoveryReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let o = |v: Option<String>| v.unwrap_or_else(|| "unknown".to_owned());
        writeln!(f, "local:       {}", o(self.local.map(|a| a.to_string())))?;
        writeln!(f, "mapped:      {}", o(self.mapped.map(|a| a.to_string())))?;
        writeln!(f, "other:       {}", o(self.other.map(|a| a.to_string())))?;
        writeln!(f, "nat:         {}", o(self.nat.map(|b| b.to_string())))?;
        writeln!(f, "mapping:     {}", o(self.mapping.map(|b| b.to_string())))?;
        writeln!(
            f,
            "filtering:   {}",
            o(self.filtering.map(|b| b.to_string()))
        )?;
        writeln!(
            f,
            "hairpinning: {}",
            o(self.hairpinning.map(|b| b.to_string()))
        )?;
        if let Some(d) = self.binding_lifetime {
            writeln!(f, "binding lifetime: at least {} s", d.as_secs())?;
        }
        if let Some(e) = self.error {
            writeln!(f, "error:       {e}")?;
        }
        Ok(())
    }
}

/// Configuration of a [`Discovery`].
#[derive(Clone, Debug)]
pub struct DiscoveryConfig {
    /// The server's primary address.
    pub server: SocketAddr,
    /// Local socket for the mapping tests.
    pub mapping_socket: SocketAddr,
    /// Local socket for the filtering tests (and the hairpinning probe).
    pub filtering_socket: SocketAddr,
    /// Retransmission of each probe (no answer within it counts as "no response").
    pub transaction: TransactionConfig,
    /// Waits to probe the binding lifetime with, in increasing order (empty: skip).
    pub lifetime_probes: Vec<Duration>,
}

impl DiscoveryConfig {
    /// Defaults: probes retransmitted at 0, 0.25, 0.75, 1.75 s and given up at 2.75 s.
    #[must_use]
    pub fn new(
        server: SocketAddr,
        mapping_socket: SocketAddr,
        filtering_socket: SocketAddr,
    ) -> Self {
        Self {
            server,
            mapping_socket,
            filtering_socket,
            transaction: TransactionConfig {
                rto: Duration::from_millis(250),
                rc: 4,
                rm: 4,
                tcp_timeout: Duration::from_secs(5),
            },
            lifetime_probes: Vec::new(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    MapI,
    MapII,
    MapIII,
    FiltI,
    FiltII,
    FiltIII,
    Hairpin,
    LifetimeWait(usize),
    Lifetime(usize),
    Done,
}

/// What the client reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DiscoveryEvent {
    /// All tests ran (or discovery stopped early): the report.
    Finished(DiscoveryReport),
}

/// The discovery client. See the [module documentation](self).
#[derive(Debug)]
pub struct Discovery {
    config: DiscoveryConfig,
    rng: SeededRng,
    step: Step,
    tx: Option<(ClientTransaction, TransportContext)>,
    wait_until: Option<Instant>,
    report: DiscoveryReport,
    mapped2: Option<SocketAddr>,
    out: VecDeque<Output<DiscoveryEvent>>,
    started: bool,
}

impl Discovery {
    /// A client; the first input (any, typically a timeout at the start) begins the tests.
    #[must_use]
    pub fn new(config: DiscoveryConfig, rng: SeededRng) -> Self {
        let out = [config.mapping_socket, config.filtering_socket]
            .into_iter()
            .map(|addr| {
                Output::Bind(Socket {
                    addr,
                    transport: Transport::Udp,
                })
            })
            .collect();
        let report = DiscoveryReport {
            local: Some(config.mapping_socket),
            ..DiscoveryReport::default()
        };
        Self {
            config,
            rng,
            step: Step::MapI,
            tx: None,
            wait_until: None,
            report,
            mapped2: None,
            out,
            started: false,
        }
    }

    /// The report so far.
    #[must_use]
    pub fn report(&self) -> &DiscoveryReport {
        &self.report
    }

    /// True once finished.
    #[must_use]
    pub fn is_done(&self) -> bool {
        self.step == Step::Done
    }

    fn send(&mut self, now: Instant, from: SocketAddr, to: SocketAddr, add: &[(u16, Vec<u8>)]) {
        let mut txid = [0u8; 12];
        self.rng.fill_bytes(&mut txid);
        let mut b = MessageBuilder::new(method::BINDING, Class::Request, txid);
        for (t, v) in add {
            b = b.raw(*t, v);
        }
        let bytes = b.fingerprint();
        let context = TransportContext {
            local: from,
            remote: to,
            transport: Transport::Udp,
        };
        self.out.push_back(Output::Transmit(Transmit {
            context,
            payload: bytes.clone(),
        }));
        self.tx = Some((
            ClientTransaction::new(bytes, Transport::Udp, now, self.config.transaction),
            context,
        ));
    }

    fn begin(&mut self, now: Instant, step: Step) {
        self.step = step;
        self.tx = None;
        let (m, f, s) = (
            self.config.mapping_socket,
            self.config.filtering_socket,
            self.config.server,
        );
        let other = self.report.other;
        let change = |flags: u8| vec![(attr::CHANGE_REQUEST, vec![0, 0, 0, flags])];
        match step {
            Step::MapI => self.send(now, m, s, &[]),
            Step::MapII => match other {
                Some(o) => self.send(now, m, SocketAddr::new(o.ip(), s.port()), &[]),
                None => self.finish(Some("server sent no OTHER-ADDRESS")),
            },
            Step::MapIII => match other {
                Some(o) => self.send(now, m, o, &[]),
                None => self.finish(Some("server sent no OTHER-ADDRESS")),
            },
            Step::FiltI => self.send(now, f, s, &[]),
            Step::FiltII => self.send(now, f, s, &change(0x06)),
            Step::FiltIII => self.send(now, f, s, &change(0x02)),
            Step::Hairpin => match self.report.mapped {
                Some(mapped) => self.send(now, f, mapped, &[]),
                None => self.begin(now, Step::Done),
            },
            Step::LifetimeWait(i) => match self.config.lifetime_probes.get(i) {
                Some(d) => {
                    // Refresh the mapping socket's binding, then wait.
                    self.wait_until = Some(now.saturating_add(*d));
                }
                None => self.finish(None),
            },
            Step::Lifetime(_) => match self.report.mapped {
                Some(mapped) => {
                    let port = mapped.port().to_be_bytes();
                    self.send(
                        now,
                        f,
                        s,
                        &[(attr::RESPONSE_PORT, vec![port[0], port[1], 0, 0])],
                    );
                }
                None => self.finish(None),
            },
            Step::Done => self.finish(None),
        }
    }

    fn finish(&mut self, error: Option<&'static str>) {
        self.step = Step::Done;
        self.tx = None;
        self.wait_until = None;
        if error.is_some() {
            self.report.error = error;
        }
        self.out
            .push_back(Output::Event(DiscoveryEvent::Finished(self.report.clone())));
    }

    /// A probe of the current step got `response` (None: timed out).
    fn outcome(&mut self, now: Instant, response: Option<&Message<'_>>) {
        let mapped = response.and_then(|m| {
            m.xor_address(attr::XOR_MAPPED_ADDRESS)
                .or_else(|| m.address(attr::MAPPED_ADDRESS))
        });
        let ok = response.is_some_and(|m| m.class() == Class::Success);
        match self.step {
            Step::MapI => {
                if !ok {
                    return self.finish(Some("no response from the server (UDP blocked?)"));
                }
                self.report.mapped = mapped;
                self.report.other = response.and_then(|m| m.address(attr::OTHER_ADDRESS));
                let nat = mapped != Some(self.config.mapping_socket);
                self.report.nat = Some(nat);
                if !nat {
                    self.report.mapping = Some(Behaviour::EndpointIndependent);
                    return self.begin(now, Step::FiltI);
                }
                self.begin(now, Step::MapII);
            }
            Step::MapII => {
                if !ok {
                    return self.finish(Some("no response from the alternate address"));
                }
                if mapped == self.report.mapped {
                    self.report.mapping = Some(Behaviour::EndpointIndependent);
                    return self.begin(now, Step::FiltI);
                }
                self.mapped2 = mapped;
                self.begin(now, Step::MapIII);
            }
            Step::MapIII => {
                if !ok {
                    return self.finish(Some("no response from the alternate address and port"));
                }
                self.report.mapping = Some(if mapped == self.mapped2 {
                    Behaviour::AddressDependent
                } else {
                    Behaviour::AddressAndPortDependent
                });
                self.begin(now, Step::FiltI);
            }
            Step::FiltI => {
                if !ok {
                    return self.finish(Some("no response to the filtering socket"));
                }
                self.begin(now, Step::FiltII);
            }
            Step::FiltII => {
                if ok {
                    self.report.filtering = Some(Behaviour::EndpointIndependent);
                    return self.begin(now, Step::Hairpin);
                }
                self.begin(now, Step::FiltIII);
            }
            Step::FiltIII => {
                self.report.filtering = Some(if ok {
                    Behaviour::AddressDependent
                } else {
                    Behaviour::AddressAndPortDependent
                });
                self.begin(now, Step::Hairpin);
            }
            Step::Hairpin => {
                // Only reached on timeout; a hairpinned request is handled in `datagram`.
                self.report.hairpinning = Some(false);
                self.begin(now, Step::LifetimeWait(0));
            }
            Step::Lifetime(i) => {
                if ok && response.is_some() {
                    self.report.binding_lifetime = self.config.lifetime_probes.get(i).copied();
                    self.begin(now, Step::LifetimeWait(i.saturating_add(1)));
                } else {
                    self.finish(None);
                }
            }
            Step::LifetimeWait(_) | Step::Done => {}
        }
    }

    fn datagram(&mut self, now: Instant, ctx: TransportContext, payload: &[u8]) {
        let Ok(msg) = Message::parse(payload) else {
            return;
        };
        let Some((tx, sent)) = &self.tx else {
            return;
        };
        if msg.transaction_id() != tx.transaction_id() {
            return;
        }
        if self.step == Step::Hairpin {
            if msg.class() == Class::Request && ctx.local == self.config.mapping_socket {
                self.report.hairpinning = Some(true);
                self.begin(now, Step::LifetimeWait(0));
            }
            return;
        }
        if msg.class() == Class::Request {
            return;
        }
        if let Step::Lifetime(_) = self.step {
            // Only a response on the mapping socket proves its binding lived.
            if ctx.local != self.config.mapping_socket {
                return;
            }
        } else if ctx.local != sent.local {
            return;
        }
        self.outcome(now, Some(&msg));
    }
}

impl Endpoint for Discovery {
    type Event = DiscoveryEvent;

    fn handle_input(&mut self, input: Input<'_>) {
        let now = input.now();
        if !self.started {
            self.started = true;
            self.begin(now, Step::MapI);
        }
        match input {
            Input::Datagram {
                context, payload, ..
            } => self.datagram(now, context, payload),
            Input::Timeout { .. } => {
                if let Some(w) = self.wait_until {
                    if now >= w {
                        self.wait_until = None;
                        if let Step::LifetimeWait(i) = self.step {
                            self.begin(now, Step::Lifetime(i));
                        }
                    }
                    return;
                }
                let action = match self.tx.as_mut() {
                    Some((tx, ctx)) => match tx.on_timer(now) {
                        TimerAction::Retransmit(b) => Some(Some((*ctx, b.to_vec()))),
                        TimerAction::TimedOut => Some(None),
                        TimerAction::Wait => None,
                    },
                    None => None,
                };
                match action {
                    Some(Some((context, payload))) => {
                        self.out
                            .push_back(Output::Transmit(Transmit { context, payload }));
                    }
                    Some(None) => self.outcome(now, None),
                    None => {}
                }
            }
            _ => {}
        }
    }

    fn poll_output(&mut self) -> Output<DiscoveryEvent> {
        if let Some(o) = self.out.pop_front() {
            return o;
        }
        if !self.started {
            // Ask for a first input at once: it starts the tests.
            return Output::Timeout(Instant::ZERO);
        }
        if let Some(w) = self.wait_until {
            return Output::Timeout(w);
        }
        match self.tx.as_ref().and_then(|(t, _)| t.deadline()) {
            Some(d) => Output::Timeout(d),
            None => Output::Idle,
        }
    }

    fn sockets(&self) -> Vec<Socket> {
        [self.config.mapping_socket, self.config.filtering_socket]
            .into_iter()
            .map(|addr| Socket {
                addr,
                transport: Transport::Udp,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
