//! The sans-IO STUN Binding server with NAT Behavior Discovery (RFC 5780 §6).
//!
//! With an alternate address the server listens on four UDP sockets — A1:P1, A1:P2, A2:P1,
//! A2:P2 — and answers each Binding request from the socket Table 1 of RFC 5780 §6.1 names for
//! the CHANGE-REQUEST flags, with XOR-MAPPED-ADDRESS, MAPPED-ADDRESS, RESPONSE-ORIGIN and
//! OTHER-ADDRESS. RESPONSE-PORT redirects the response to another port of the client's IP;
//! PADDING is echoed. Without an alternate address it is a plain Binding server that answers
//! CHANGE-REQUEST with 420 and never sends OTHER-ADDRESS (§6).
//!
//! # Amplification
//!
//! RFC 5780 §7.6 suggests padding responses to the MTU; this server pads a response only as
//! much as the request was padded, so a small request never buys a large answer.

use std::collections::VecDeque;
use std::net::SocketAddr;

use harness_core::endpoint::{
    Endpoint, Input, Output, Socket, Transmit, Transport, TransportContext,
};

use crate::codes;
use crate::stun::{Class, Message, MessageBuilder, attr, method};

/// Configuration of a [`StunServer`].
#[derive(Clone, Debug)]
pub struct StunServerConfig {
    /// A1:P1.
    pub primary: SocketAddr,
    /// A2:P2, when the server has a second address.
    pub alternate: Option<SocketAddr>,
    /// SOFTWARE to put in responses.
    pub software: Option<String>,
}

impl StunServerConfig {
    /// The four sockets (or one without an alternate address).
    #[must_use]
    pub fn sockets(&self) -> Vec<Socket> {
        let udp = |addr| Socket {
            addr,
            transport: Transport::Udp,
        };
        match self.alternate {
            None => vec![udp(self.primary)],
            Some(alt) => {
                let (a1, p1, a2, p2) =
                    (self.primary.ip(), self.primary.port(), alt.ip(), alt.port());
                vec![
                    udp(SocketAddr::new(a1, p1)),
                    udp(SocketAddr::new(a1, p2)),
                    udp(SocketAddr::new(a2, p1)),
                    udp(SocketAddr::new(a2, p2)),
                ]
            }
        }
    }
}

/// What the server reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StunServerEvent {
    /// A Binding request was answered (from `from`, to `to`).
    Answered {
        /// Source of the response.
        from: SocketAddr,
        /// Destination of the response.
        to: SocketAddr,
    },
}

/// The RFC 5780 Binding server. See the [module documentation](self).
#[derive(Debug)]
pub struct StunServer {
    config: StunServerConfig,
    out: VecDeque<Output<StunServerEvent>>,
}

impl StunServer {
    /// A server with `config`.
    #[must_use]
    pub fn new(config: StunServerConfig) -> Self {
        let out = config.sockets().into_iter().map(Output::Bind).collect();
        Self { config, out }
    }

    /// Source of a response to a request received on `local` with CHANGE-REQUEST flags
    /// (RFC 5780 §6.1, Table 1), and the OTHER-ADDRESS (Ca:Cp).
    fn origin(
        &self,
        local: SocketAddr,
        change_ip: bool,
        change_port: bool,
    ) -> Option<(SocketAddr, SocketAddr)> {
        let alt = self.config.alternate?;
        let (a1, p1, a2, p2) = (
            self.config.primary.ip(),
            self.config.primary.port(),
            alt.ip(),
            alt.port(),
        );
        let ca = if local.ip() == a1 { a2 } else { a1 };
        let cp = if local.port() == p1 { p2 } else { p1 };
        let src = SocketAddr::new(
            if change_ip { ca } else { local.ip() },
            if change_port { cp } else { local.port() },
        );
        Some((src, SocketAddr::new(ca, cp)))
    }

    fn error(&mut self, ctx: TransportContext, msg: &Message<'_>, code: u16, unknown: &[u16]) {
        let mut b = MessageBuilder::new(method::BINDING, Class::Error, msg.transaction_id())
            .error(code, codes::reason(code));
        if !unknown.is_empty() {
            let v: Vec<u8> = unknown.iter().flat_map(|t| t.to_be_bytes()).collect();
            b = b.raw(attr::UNKNOWN_ATTRIBUTES, &v);
        }
        if let Some(s) = &self.config.software {
            b = b.text(attr::SOFTWARE, s);
        }
        self.out.push_back(Output::Transmit(Transmit {
            context: ctx,
            payload: b.fingerprint(),
        }));
    }

    fn binding(&mut self, ctx: TransportContext, msg: &Message<'_>) {
        const KNOWN: &[u16] = &[
            attr::CHANGE_REQUEST,
            attr::PADDING,
            attr::RESPONSE_PORT,
            attr::USERNAME,
            attr::MESSAGE_INTEGRITY,
            attr::PRIORITY,
            attr::USE_CANDIDATE,
        ];
        let unknown = msg.unknown_required(KNOWN);
        if !unknown.is_empty() {
            return self.error(ctx, msg, codes::UNKNOWN_ATTRIBUTE, &unknown);
        }
        let (change_ip, change_port) = match msg.get(attr::CHANGE_REQUEST) {
            None => (false, false),
            Some([_, _, _, f]) => (f & 0x04 != 0, f & 0x02 != 0),
            Some(_) => return self.error(ctx, msg, codes::BAD_REQUEST, &[]),
        };
        if msg.has(attr::CHANGE_REQUEST) && self.config.alternate.is_none() {
            return self.error(ctx, msg, codes::UNKNOWN_ATTRIBUTE, &[attr::CHANGE_REQUEST]);
        }
        let padding = msg.get(attr::PADDING);
        let response_port = match msg.get(attr::RESPONSE_PORT) {
            None => None,
            Some([h, l, _, _]) => Some(u16::from_be_bytes([*h, *l])),
            Some(_) => return self.error(ctx, msg, codes::BAD_REQUEST, &[]),
        };
        if padding.is_some() && response_port.is_some() || response_port == Some(0) {
            return self.error(ctx, msg, codes::BAD_REQUEST, &[]);
        }
        let (from, other) = match self.origin(ctx.local, change_ip, change_port) {
            Some((f, o)) => (f, Some(o)),
            None => (ctx.local, None),
        };
        let to = SocketAddr::new(ctx.remote.ip(), response_port.unwrap_or(ctx.remote.port()));
        let mut b = MessageBuilder::new(method::BINDING, Class::Success, msg.transaction_id())
            .xor_address(attr::XOR_MAPPED_ADDRESS, ctx.remote)
            .address(attr::MAPPED_ADDRESS, ctx.remote)
            .address(attr::RESPONSE_ORIGIN, from);
        if let Some(o) = other {
            b = b.address(attr::OTHER_ADDRESS, o);
        }
        if let Some(s) = &self.config.software {
            b = b.text(attr::SOFTWARE, s);
        }
        if let Some(p) = padding {
            b = b.raw(attr::PADDING, &vec![0u8; p.len().div_ceil(4) * 4]);
        }
        self.out.push_back(Output::Transmit(Transmit {
            context: TransportContext {
                local: from,
                remote: to,
                transport: Transport::Udp,
            },
            payload: b.fingerprint(),
        }));
        self.out
            .push_back(Output::Event(StunServerEvent::Answered { from, to }));
    }
}

impl Endpoint for StunServer {
    type Event = StunServerEvent;

    fn handle_input(&mut self, input: Input<'_>) {
        let Input::Datagram {
            context, payload, ..
        } = input
        else {
            return;
        };
        let Ok(msg) = Message::parse(payload) else {
            return;
        };
        if msg.class() != Class::Request {
            return;
        }
        if msg.method() == method::BINDING {
            self.binding(context, &msg);
        } else {
            self.error(context, &msg, codes::BAD_REQUEST, &[]);
        }
    }

    fn poll_output(&mut self) -> Output<StunServerEvent> {
        self.out.pop_front().unwrap_or(Output::Idle)
    }

    fn sockets(&self) -> Vec<Socket> {
        self.config.sockets()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::{feed, txid};
    use harness_core::time::Instant;

    fn server(alt: bool) -> StunServer {
        let mut s = StunServer::new(StunServerConfig {
            primary: "192.0.2.1:3478".parse().unwrap(),
            alternate: alt.then(|| "192.0.2.2:3479".parse().unwrap()),
            software: None,
        });
        let _ = harness_core::endpoint::drain(&mut s, 10);
        s
    }

    fn ctx(local: &str) -> TransportContext {
        TransportContext {
            local: local.parse().unwrap(),
            remote: "198.51.100.9:5000".parse().unwrap(),
            transport: Transport::Udp,
        }
    }

    #[test]
    fn change_request_picks_the_source_from_table_1() {
        let mut s = server(true);
        let cases = [
            (0u8, "192.0.2.1:3478"),
            (0x04, "192.0.2.2:3478"),
            (0x02, "192.0.2.1:3479"),
            (0x06, "192.0.2.2:3479"),
        ];
        for (flags, src) in cases {
            let req = MessageBuilder::new(method::BINDING, Class::Request, txid(1))
                .raw(attr::CHANGE_REQUEST, &[0, 0, 0, flags])
                .build();
            let out = feed(&mut s, Instant::ZERO, ctx("192.0.2.1:3478"), &req);
            let t = &out.transmits[0];
            assert_eq!(t.context.local, src.parse().unwrap());
            let m = Message::parse(&t.payload).unwrap();
            assert_eq!(m.address(attr::RESPONSE_ORIGIN), Some(t.context.local));
            assert_eq!(
                m.address(attr::OTHER_ADDRESS),
                Some("192.0.2.2:3479".parse().unwrap())
            );
            assert_eq!(
                m.address(attr::MAPPED_ADDRESS),
                m.xor_address(attr::XOR_MAPPED_ADDRESS)
            );
        }
    }

    #[test]
    fn response_port_redirects_and_padding_with_it_is_400() {
        let mut s = server(true);
        let req = MessageBuilder::new(method::BINDING, Class::Request, txid(2))
            .raw(attr::RESPONSE_PORT, &[0x1f, 0x90, 0, 0])
            .build();
        let out = feed(&mut s, Instant::ZERO, ctx("192.0.2.2:3479"), &req);
        assert_eq!(
            out.transmits[0].context.remote,
            "198.51.100.9:8080".parse().unwrap()
        );
        let req = MessageBuilder::new(method::BINDING, Class::Request, txid(3))
            .raw(attr::RESPONSE_PORT, &[0x1f, 0x90, 0, 0])
            .raw(attr::PADDING, &[0; 8])
            .build();
        let out = feed(&mut s, Instant::ZERO, ctx("192.0.2.1:3478"), &req);
        let m = Message::parse(&out.transmits[0].payload).unwrap();
        assert_eq!(m.error_code().map(|c| c.0), Some(400));
    }

    #[test]
    fn without_alternate_change_request_is_420_and_no_other_address() {
        let mut s = server(false);
        let req = MessageBuilder::new(method::BINDING, Class::Request, txid(4)).build();
        let out = feed(&mut s, Instant::ZERO, ctx("192.0.2.1:3478"), &req);
        let m = Message::parse(&out.transmits[0].payload).unwrap();
        assert!(!m.has(attr::OTHER_ADDRESS));
        let req = MessageBuilder::new(method::BINDING, Class::Request, txid(5))
            .raw(attr::CHANGE_REQUEST, &[0, 0, 0, 6])
            .build();
        let out = feed(&mut s, Instant::ZERO, ctx("192.0.2.1:3478"), &req);
        let m = Message::parse(&out.transmits[0].payload).unwrap();
        assert_eq!(m.error_code().map(|c| c.0), Some(420));
        assert_eq!(m.get(attr::UNKNOWN_ATTRIBUTES), Some(&[0, 3][..]));
    }
}
