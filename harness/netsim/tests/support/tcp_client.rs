// A TCP client endpoint shared by tests (included with `include!`).

use std::collections::VecDeque;

use harness_core::endpoint::{
    Endpoint, Input, Output, Socket, TcpCommand, TcpEvent, Transmit, Transport, TransportContext,
};
use harness_core::time::Instant;

/// Connects, sends `data` in chunks, collects the echo, then closes.
pub(crate) struct Client {
    pub(crate) context: TransportContext,
    pub(crate) data: Vec<u8>,
    pub(crate) chunk: usize,
    started: bool,
    out: VecDeque<Output<String>>,
    pub(crate) received: Vec<u8>,
    pub(crate) events: Vec<TcpEvent>,
}

impl Client {
    pub(crate) fn new(local: &str, remote: &str, data: Vec<u8>) -> Self {
        Self {
            context: TransportContext {
                local: local.parse().unwrap(),
                remote: remote.parse().unwrap(),
                transport: Transport::Tcp,
            },
            data,
            chunk: 1000,
            started: false,
            out: VecDeque::new(),
            received: Vec::new(),
            events: Vec::new(),
        }
    }
}

impl Endpoint for Client {
    type Event = String;
    fn handle_input(&mut self, input: Input<'_>) {
        match input {
            Input::Timeout { .. } if !self.started => {
                self.started = true;
                self.out
                    .push_back(Output::Tcp(TcpCommand::Connect(self.context)));
            }
            Input::Tcp { event, .. } => {
                self.events.push(event);
                if event == TcpEvent::Connected {
                    for c in self.data.chunks(self.chunk) {
                        self.out.push_back(Output::Transmit(Transmit {
                            context: self.context,
                            payload: c.to_vec(),
                        }));
                    }
                }
            }
            Input::Datagram { payload, .. } => {
                self.received.extend_from_slice(payload);
                if self.received.len() == self.data.len() {
                    self.out
                        .push_back(Output::Tcp(TcpCommand::Close(self.context)));
                }
            }
            _ => {}
        }
    }
    fn poll_output(&mut self) -> Output<String> {
        if let Some(o) = self.out.pop_front() {
            return o;
        }
        if self.started {
            Output::Idle
        } else {
            Output::Timeout(Instant::ZERO)
        }
    }
    fn sockets(&self) -> Vec<Socket> {
        Vec::new()
    }
}

