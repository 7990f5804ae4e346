//! The sans-IO driving trait.
//!
//! Every endpoint of the harness — STUN and TURN clients and servers, ICE agents, the adapters
//! around the webrtc crate, later outside stacks behind a bridge — is driven the same way, by
//! the simulated network, by a test, or by the real-socket shell of the CLI:
//!
//! ```text
//!   loop {
//!       endpoint.handle_input(input_at_now);          // one datagram, TCP event or timeout
//!       loop {                                        // then drain until it has nothing left
//!           match endpoint.poll_output() {
//!               Output::Transmit(t)  => send t.payload from t.context.local to t.context.remote,
//!               Output::Event(e)     => record e (stamped with the `now` of the input),
//!               Output::Bind(s)      => start delivering datagrams for socket s,
//!               Output::Unbind(s)    => stop,
//!               Output::Tcp(cmd)     => open or close a TCP connection,
//!               Output::Timeout(t)   => call again with Input::Timeout at t (or earlier input); break,
//!               Output::Idle         => no deadline; wait for input; break,
//!           }
//!       }
//!   }
//! ```
//!
//! This is the *single-mutation invariant*: one input, then drain until [`Output::Timeout`] or
//! [`Output::Idle`]. An endpoint may be handed a timeout later than the one it asked for (a
//! driver may be coarse) and must then catch up; it is never handed one earlier.
//!
//! Time is [`Instant`](crate::time::Instant), virtual, starting at zero. Randomness comes from a
//! [`SeededRng`](crate::rng::SeededRng) given to the endpoint's constructor. Endpoints own any
//! number of local sockets (an RFC 5780 server has four, a TURN server one per relay, an ICE
//! agent one per base) and announce them with [`Output::Bind`].

use core::fmt;
use std::net::SocketAddr;

use crate::time::Instant;

/// The transport protocol below STUN, TURN, DTLS.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Transport {
    /// UDP datagrams.
    Udp,
    /// A TCP byte stream; payloads are the bytes of one segment's worth of stream data, in order.
    Tcp,
}

impl fmt::Display for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Udp => "UDP",
            Self::Tcp => "TCP",
        })
    }
}

/// A local socket an endpoint listens on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Socket {
    /// Local address and port.
    pub addr: SocketAddr,
    /// UDP, or a listening TCP socket.
    pub transport: Transport,
}

/// The full transport context of one datagram (or of one TCP connection): the 5-tuple seen
/// from the endpoint's side.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TransportContext {
    /// The endpoint's own address: where an input arrived, or where a transmit leaves from.
    pub local: SocketAddr,
    /// The other side's address as the endpoint sees it (after any NAT).
    pub remote: SocketAddr,
    /// UDP or TCP.
    pub transport: Transport,
}

impl fmt::Display for TransportContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} <-> {}", self.transport, self.local, self.remote)
    }
}

/// What happened to a TCP connection, as seen by the endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TcpEvent {
    /// An outgoing connection the endpoint asked for is established.
    Connected,
    /// An outgoing connection failed (refused, reset during handshake, timed out, filtered).
    ConnectFailed,
    /// A listening socket accepted an incoming connection.
    Accepted,
    /// The remote side closed its half in order (FIN).
    Closed,
    /// The connection was reset (RST) or torn down by the network.
    Reset,
}

/// What the endpoint asks the driver to do with TCP.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TcpCommand {
    /// Open a connection from `context.local` to `context.remote`; answered by
    /// [`TcpEvent::Connected`] or [`TcpEvent::ConnectFailed`].
    Connect(TransportContext),
    /// Close the connection in order (FIN).
    Close(TransportContext),
    /// Abort the connection (RST).
    Abort(TransportContext),
}

/// One input to an endpoint, at a given `now`.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub enum Input<'a> {
    /// A datagram (UDP) or in-order stream bytes (TCP) arrived.
    Datagram {
        /// When it arrived.
        now: Instant,
        /// Where it arrived and where it came from.
        context: TransportContext,
        /// The payload; borrowed for the duration of the call.
        payload: &'a [u8],
    },
    /// A TCP connection changed state.
    Tcp {
        /// When.
        now: Instant,
        /// Which connection.
        context: TransportContext,
        /// What happened.
        event: TcpEvent,
    },
    /// The deadline the endpoint asked for (or a later one) has come.
    Timeout {
        /// The current time.
        now: Instant,
    },
}

impl Input<'_> {
    /// The time at which this input happens.
    #[must_use]
    pub const fn now(&self) -> Instant {
        match self {
            Self::Datagram { now, .. } | Self::Tcp { now, .. } | Self::Timeout { now } => *now,
        }
    }
}

/// A datagram (or TCP stream bytes) to send.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Transmit {
    /// Leaves from `context.local` towards `context.remote`.
    pub context: TransportContext,
    /// The bytes.
    pub payload: Vec<u8>,
}

impl fmt::Debug for Transmit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Transmit({}, {} bytes)",
            self.context,
            self.payload.len()
        )
    }
}

/// One output of an endpoint. Drain with [`Endpoint::poll_output`] after every input until
/// [`Output::Timeout`] or [`Output::Idle`].
#[derive(Debug)]
#[must_use]
#[non_exhaustive]
pub enum Output<E> {
    /// Send these bytes.
    Transmit(Transmit),
    /// Something the driver should record (a state change, a selected pair, an error). The
    /// driver stamps it with the `now` of the input that produced it.
    Event(E),
    /// Start delivering inputs for this local socket.
    Bind(Socket),
    /// Stop delivering inputs for this local socket.
    Unbind(Socket),
    /// A TCP request.
    Tcp(TcpCommand),
    /// Nothing more for now; call [`Endpoint::handle_input`] with [`Input::Timeout`] at this
    /// instant unless another input comes first.
    Timeout(Instant),
    /// Nothing more for now and no deadline: wait for input.
    Idle,
}

/// The sans-IO driving trait. See the [module documentation](self) for the run loop.
pub trait Endpoint {
    /// What the endpoint reports besides packets.
    type Event: fmt::Debug;

    /// Feeds one input. Never panics on any bytes; never reads a clock.
    fn handle_input(&mut self, input: Input<'_>);

    /// The next output. Call repeatedly after each input until it returns
    /// [`Output::Timeout`] or [`Output::Idle`].
    fn poll_output(&mut self) -> Output<Self::Event>;

    /// The sockets the endpoint listens on right now (the union of every [`Output::Bind`] not
    /// yet followed by [`Output::Unbind`]); drivers use it when they attach an endpoint.
    fn sockets(&self) -> Vec<Socket>;
}

/// Everything one drain of an endpoint produced, collected (handy in tests and simple drivers).
#[derive(Debug)]
pub struct Drained<E> {
    /// Transmits, in order.
    pub transmits: Vec<Transmit>,
    /// Events, in order.
    pub events: Vec<E>,
    /// Binds and unbinds, in order (`true` = bind).
    pub sockets: Vec<(bool, Socket)>,
    /// TCP requests, in order.
    pub tcp: Vec<TcpCommand>,
    /// The next deadline, or `None` when idle.
    pub deadline: Option<Instant>,
}

/// Drains `endpoint` until it reports a deadline or idles. `limit` bounds the number of outputs
/// so a misbehaving endpoint cannot spin a driver forever; `None` is returned if it is exceeded.
pub fn drain<P: Endpoint + ?Sized>(endpoint: &mut P, limit: usize) -> Option<Drained<P::Event>> {
    let mut out = Drained {
        transmits: Vec::new(),
        events: Vec::new(),
        sockets: Vec::new(),
        tcp: Vec::new(),
        deadline: None,
    };
    for _ in 0..limit {
        match endpoint.poll_output() {
            Output::Transmit(t) => out.transmits.push(t),
            Output::Event(e) => out.events.push(e),
            Output::Bind(s) => out.sockets.push((true, s)),
            Output::Unbind(s) => out.sockets.push((false, s)),
            Output::Tcp(c) => out.tcp.push(c),
            Output::Timeout(t) => {
                out.deadline = Some(t);
                return Some(out);
            }
            Output::Idle => return Some(out),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::VecDeque;

    /// A toy endpoint: echoes every datagram after 10 ms.
    struct DelayedEcho {
        socket: Socket,
        pending: VecDeque<(Instant, Transmit)>,
        bound: bool,
    }

    impl Endpoint for DelayedEcho {
        type Event = &'static str;
        fn handle_input(&mut self, input: Input<'_>) {
            if let Input::Datagram {
                now,
                context,
                payload,
            } = input
            {
                let reply = TransportContext {
                    local: context.local,
                    remote: context.remote,
                    ..context
                };
                self.pending.push_back((
                    now + core::time::Duration::from_millis(10),
                    Transmit {
                        context: reply,
                        payload: payload.to_vec(),
                    },
                ));
            }
            if let Input::Timeout { now } = input {
                while self.pending.front().is_some_and(|(at, _)| *at <= now) {
                    self.pending.pop_front();
                }
            }
        }
        fn poll_output(&mut self) -> Output<&'static str> {
            if !self.bound {
                self.bound = true;
                return Output::Bind(self.socket);
            }
            match self.pending.front() {
                Some((at, _)) => Output::Timeout(*at),
                None => Output::Idle,
            }
        }
        fn sockets(&self) -> Vec<Socket> {
            vec![self.socket]
        }
    }

    #[test]
    fn drain_collects_until_deadline() {
        let addr: SocketAddr = "192.0.2.1:3478".parse().unwrap();
        let socket = Socket {
            addr,
            transport: Transport::Udp,
        };
        let mut ep = DelayedEcho {
            socket,
            pending: VecDeque::new(),
            bound: false,
        };
        let first = drain(&mut ep, 16).unwrap();
        assert_eq!(first.sockets, vec![(true, socket)]);
        assert_eq!(first.deadline, None);
        let context = TransportContext {
            local: addr,
            remote: "198.51.100.7:5000".parse().unwrap(),
            transport: Transport::Udp,
        };
        ep.handle_input(Input::Datagram {
            now: Instant::from_millis(5),
            context,
            payload: b"hi",
        });
        assert_eq!(
            drain(&mut ep, 16).unwrap().deadline,
            Some(Instant::from_millis(15))
        );
    }

    #[test]
    fn drain_gives_up_on_an_endpoint_that_never_stops() {
        struct Chatty;
        impl Endpoint for Chatty {
            type Event = ();
            fn handle_input(&mut self, _: Input<'_>) {}
            fn poll_output(&mut self) -> Output<()> {
                Output::Event(())
            }
            fn sockets(&self) -> Vec<Socket> {
                Vec::new()
            }
        }
        assert!(drain(&mut Chatty, 100).is_none());
    }
}
