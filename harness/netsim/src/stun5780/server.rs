//! The RFC 5780 Binding server: two addresses × two ports.

use std::collections::VecDeque;
use std::net::{IpAddr, SocketAddr};

use harness_core::endpoint::{
    Endpoint, Input, Output, Socket, Transmit, Transport, TransportContext,
};
use harness_stun::{Attribute, Class, MessageBuilder, Method};

use super::parse_binding;

/// Answers Binding requests from four sockets: `(primary | alternate) × (port | alt_port)`.
#[derive(Debug)]
pub struct Rfc5780Server {
    addrs: [IpAddr; 2],
    ports: [u16; 2],
    announced: usize,
    out: VecDeque<Transmit>,
}

impl Rfc5780Server {
    /// A server on `primary` and `alternate` (two IP addresses of one host), each listening
    /// on `port` and `alt_port`.
    #[must_use]
    pub fn new(primary: IpAddr, alternate: IpAddr, port: u16, alt_port: u16) -> Self {
        Self {
            addrs: [primary, alternate],
            ports: [port, alt_port],
            announced: 0,
            out: VecDeque::new(),
        }
    }

    /// The primary address and port (where clients start).
    #[must_use]
    pub fn primary(&self) -> SocketAddr {
        SocketAddr::new(self.addrs[0], self.ports[0])
    }

    fn all_sockets(&self) -> Vec<Socket> {
        let mut v = Vec::with_capacity(4);
        for ip in self.addrs {
            for port in self.ports {
                v.push(Socket {
                    addr: SocketAddr::new(ip, port),
                    transport: Transport::Udp,
                });
            }
        }
        v
    }

    fn answer(&mut self, context: TransportContext, payload: &[u8]) {
        let Some((txid, req)) = parse_binding(payload, Class::Request) else {
            return;
        };
        let ip_index = usize::from(context.local.ip() == self.addrs[1]);
        let port_index = usize::from(context.local.port() == self.ports[1]);
        // RFC 5780 §6.1: CHANGE-REQUEST selects the source of the response.
        let src_ip = self.addrs[ip_index ^ usize::from(req.change_ip)];
        let src_port = self.ports[port_index ^ usize::from(req.change_port)];
        let origin = SocketAddr::new(src_ip, src_port);
        // §7.4: OTHER-ADDRESS differs from the receiving address in both IP and port.
        let other = SocketAddr::new(self.addrs[ip_index ^ 1], self.ports[port_index ^ 1]);
        let built = MessageBuilder::new(Class::Success, Method::BINDING, txid)
            .attr(Attribute::XorMappedAddress(context.remote))
            .attr(Attribute::MappedAddress(context.remote))
            .attr(Attribute::ResponseOrigin(origin))
            .attr(Attribute::OtherAddress(other))
            .build();
        if let Ok(payload) = built {
            self.out.push_back(Transmit {
                context: TransportContext {
                    local: origin,
                    remote: context.remote,
                    transport: Transport::Udp,
                },
                payload,
            });
        }
    }
}

impl Endpoint for Rfc5780Server {
    type Event = core::convert::Infallible;

    fn handle_input(&mut self, input: Input<'_>) {
        if let Input::Datagram {
            context, payload, ..
        } = input
        {
            self.answer(context, payload);
        }
    }

    fn poll_output(&mut self) -> Output<Self::Event> {
        let sockets = self.all_sockets();
        if let Some(s) = sockets.get(self.announced) {
            self.announced += 1;
            return Output::Bind(*s);
        }
        match self.out.pop_front() {
            Some(t) => Output::Transmit(t),
            None => Output::Idle,
        }
    }

    fn sockets(&self) -> Vec<Socket> {
        self.all_sockets()
    }
}
