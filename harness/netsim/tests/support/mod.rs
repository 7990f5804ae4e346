//! Small endpoints for the simulator's tests.
#![allow(dead_code, reason = "each test binary uses a different subset")]

use core::time::Duration;
use std::collections::VecDeque;
use std::net::SocketAddr;

use harness_core::endpoint::{
    Endpoint, Input, Output, Socket, TcpCommand, TcpEvent, Transmit, Transport, TransportContext,
};
use harness_core::time::Instant;

/// Echoes every UDP datagram and TCP stream chunk back to where it came from.
pub(crate) struct Echo {
    pub(crate) socket: Socket,
    bound: bool,
    out: VecDeque<Output<String>>,
}

impl Echo {
    pub(crate) fn udp(addr: &str) -> Self {
        Self::new(addr.parse().unwrap(), Transport::Udp)
    }
    pub(crate) fn tcp(addr: &str) -> Self {
        Self::new(addr.parse().unwrap(), Transport::Tcp)
    }
    pub(crate) fn new(addr: SocketAddr, transport: Transport) -> Self {
        Self {
            socket: Socket { addr, transport },
            bound: false,
            out: VecDeque::new(),
        }
    }
}

impl Endpoint for Echo {
    type Event = String;
    fn handle_input(&mut self, input: Input<'_>) {
        match input {
            Input::Datagram {
                context, payload, ..
            } => self.out.push_back(Output::Transmit(Transmit {
                context,
                payload: payload.to_vec(),
            })),
            Input::Tcp { context, event, .. } => {
                self.out
                    .push_back(Output::Event(format!("{event:?} {context}")));
                if event == TcpEvent::Closed {
                    self.out.push_back(Output::Tcp(TcpCommand::Close(context)));
                }
            }
            _ => {}
        }
    }
    fn poll_output(&mut self) -> Output<String> {
        if !self.bound {
            self.bound = true;
            return Output::Bind(self.socket);
        }
        self.out.pop_front().unwrap_or(Output::Idle)
    }
    fn sockets(&self) -> Vec<Socket> {
        vec![self.socket]
    }
}

/// Sends `count` numbered UDP datagrams, one every `interval`, and records what comes back.
pub(crate) struct Pinger {
    pub(crate) context: TransportContext,
    pub(crate) count: u32,
    pub(crate) interval: Duration,
    pub(crate) size: usize,
    sent: u32,
    next: Instant,
    bound: bool,
    /// (sequence number, send time, receive time)
    pub(crate) received: Vec<(u32, Instant, Instant)>,
    pub(crate) send_times: Vec<Instant>,
    pending: Option<Transmit>,
}

impl Pinger {
    pub(crate) fn new(local: &str, remote: &str, count: u32, interval: Duration) -> Self {
        Self {
            context: TransportContext {
                local: local.parse().unwrap(),
                remote: remote.parse().unwrap(),
                transport: Transport::Udp,
            },
            count,
            interval,
            size: 32,
            sent: 0,
            next: Instant::ZERO,
            bound: false,
            received: Vec::new(),
            send_times: Vec::new(),
            pending: None,
        }
    }
}

impl Endpoint for Pinger {
    type Event = String;
    fn handle_input(&mut self, input: Input<'_>) {
        match input {
            Input::Datagram { now, payload, .. } if payload.len() >= 4 => {
                let n = u32::from_be_bytes(payload[..4].try_into().unwrap());
                let sent = self.send_times.get(n as usize).copied().unwrap_or(now);
                self.received.push((n, sent, now));
            }
            Input::Timeout { now } if self.sent < self.count && now >= self.next => {
                let mut payload = vec![0u8; self.size.max(4)];
                payload[..4].copy_from_slice(&self.sent.to_be_bytes());
                self.pending = Some(Transmit {
                    context: self.context,
                    payload,
                });
                self.send_times.push(now);
                self.sent += 1;
                self.next = now + self.interval;
            }
            _ => {}
        }
    }
    fn poll_output(&mut self) -> Output<String> {
        if !self.bound {
            self.bound = true;
            return Output::Bind(Socket {
                addr: self.context.local,
                transport: Transport::Udp,
            });
        }
        if let Some(t) = self.pending.take() {
            return Output::Transmit(t);
        }
        if self.sent < self.count {
            Output::Timeout(self.next)
        } else {
            Output::Idle
        }
    }
    fn sockets(&self) -> Vec<Socket> {
        vec![Socket {
            addr: self.context.local,
            transport: Transport::Udp,
        }]
    }
}

/// Binds one socket and records every datagram: (time, remote, local, payload).
pub(crate) struct Sink {
    pub(crate) socket: Socket,
    bound: bool,
    pub(crate) received: Vec<(Instant, SocketAddr, SocketAddr, Vec<u8>)>,
}

impl Sink {
    pub(crate) fn udp(addr: &str) -> Self {
        Self {
            socket: Socket {
                addr: addr.parse().unwrap(),
                transport: Transport::Udp,
            },
            bound: false,
            received: Vec::new(),
        }
    }
}

impl Endpoint for Sink {
    type Event = String;
    fn handle_input(&mut self, input: Input<'_>) {
        if let Input::Datagram {
            now,
            context,
            payload,
        } = input
        {
            self.received
                .push((now, context.remote, context.local, payload.to_vec()));
        }
    }
    fn poll_output(&mut self) -> Output<String> {
        if !self.bound {
            self.bound = true;
            return Output::Bind(self.socket);
        }
        Output::Idle
    }
    fn sockets(&self) -> Vec<Socket> {
        vec![self.socket]
    }
}

/// A UDP transmit from `local` to `remote`.
pub(crate) fn udp(local: &str, remote: &str) -> Transmit {
    Transmit {
        context: TransportContext {
            local: local.parse().unwrap(),
            remote: remote.parse().unwrap(),
            transport: Transport::Udp,
        },
        payload: b"probe".to_vec(),
    }
}
