//! Our TURN client through coturn's `turnserver` on loopback.

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, UdpSocket};
use std::time::Duration;

use harness_core::endpoint::{
    Endpoint, Input, Output, TcpCommand, TcpEvent, Transport, TransportContext,
};
use harness_core::rng::SeededRng;
use harness_core::time::Instant;
use harness_turn::client::{TurnClient, TurnClientConfig, TurnEvent};

struct Driver {
    client: TurnClient,
    sock: UdpSocket,
    tcp: Option<(TcpStream, TransportContext)>,
    base: std::time::Instant,
}

impl Driver {
    #[allow(
        clippy::disallowed_methods,
        reason = "a real-socket test needs the real clock"
    )]
    fn now(&self) -> Instant {
        Instant::from_std(self.base, std::time::Instant::now())
    }

    fn transmit(&mut self, context: TransportContext, payload: &[u8]) {
        match (&mut self.tcp, context.transport) {
            (Some((stream, _)), Transport::Tcp) => stream.write_all(payload).expect("tcp write"),
            _ => {
                self.sock.send_to(payload, context.remote).expect("send");
            }
        }
    }

    fn connect(&mut self, ctx: TransportContext) {
        let stream = TcpStream::connect(ctx.remote).expect("connect to coturn over TCP");
        stream
            .set_read_timeout(Some(Duration::from_millis(50)))
            .expect("timeout");
        let context = TransportContext {
            local: stream.local_addr().expect("addr"),
            remote: ctx.remote,
            transport: Transport::Tcp,
        };
        self.tcp = Some((stream, context));
        let now = self.now();
        self.client.handle_input(Input::Tcp {
            now,
            context,
            event: TcpEvent::Connected,
        });
    }

    /// Sends whatever the client has queued.
    fn flush(&mut self) {
        loop {
            match self.client.poll_output() {
                Output::Transmit(t) => self.transmit(t.context, &t.payload),
                Output::Tcp(TcpCommand::Connect(c)) => self.connect(c),
                _ => return,
            }
        }
    }

    fn receive(&mut self, buf: &mut [u8]) -> Option<(TransportContext, usize)> {
        if let Some((stream, context)) = &mut self.tcp {
            return match stream.read(buf) {
                Ok(n) if n > 0 => Some((*context, n)),
                _ => None,
            };
        }
        let (n, from) = self.sock.recv_from(buf).ok()?;
        let context = TransportContext {
            local: self.sock.local_addr().expect("addr"),
            remote: from,
            transport: Transport::Udp,
        };
        Some((context, n))
    }

    /// Runs the client until `want` matches an event (or 10 s pass).
    fn until(&mut self, want: impl Fn(&TurnEvent) -> bool) -> TurnEvent {
        let start = self.now();
        let mut buf = vec![0u8; 65536];
        loop {
            loop {
                match self.client.poll_output() {
                    Output::Transmit(t) => self.transmit(t.context, &t.payload),
                    Output::Tcp(TcpCommand::Connect(c)) => self.connect(c),
                    Output::Event(e) => {
                        if want(&e) {
                            return e;
                        }
                        assert!(!matches!(e, TurnEvent::Failed { .. }), "{e:?}");
                    }
                    _ => break,
                }
            }
            assert!(
                self.now() - start < Duration::from_secs(10),
                "no matching event in 10 s"
            );
            match self.receive(&mut buf) {
                Some((context, n)) => {
                    let now = self.now();
                    self.client.handle_input(Input::Datagram {
                        now,
                        context,
                        payload: &buf[..n],
                    });
                }
                None => {
                    let now = self.now();
                    self.client.handle_input(Input::Timeout { now });
                }
            }
        }
    }
}

#[test]
#[ignore = "needs coturn: run with --include-ignored (the README test command does)"]
fn our_client_allocates_permits_binds_and_relays_both_ways_through_coturn() {
    relay_through_coturn(Transport::Udp);
}

#[test]
#[ignore = "needs coturn: run with --include-ignored (the README test command does)"]
fn our_client_relays_both_ways_through_coturn_over_tcp() {
    relay_through_coturn(Transport::Tcp);
}

fn relay_through_coturn(transport: Transport) {
    let server = common::start_turnserver(&[]);
    let sock = UdpSocket::bind("127.0.0.1:0").expect("bind");
    sock.set_read_timeout(Some(Duration::from_millis(50)))
        .expect("timeout");
    let peer = UdpSocket::bind("127.0.0.1:0").expect("peer");
    peer.set_read_timeout(Some(Duration::from_secs(3)))
        .expect("timeout");
    let peer_addr = peer.local_addr().expect("addr");
    let mut cfg = TurnClientConfig::new(
        server.addr,
        sock.local_addr().expect("addr"),
        "alice",
        "secret",
    );
    cfg.transport = transport;
    #[allow(
        clippy::disallowed_methods,
        reason = "a real-socket test needs the real clock"
    )]
    let base = std::time::Instant::now();
    let mut d = Driver {
        client: TurnClient::new(cfg, SeededRng::from_u64(11)),
        sock,
        tcp: None,
        base,
    };

    let now = d.now();
    d.client.allocate(now);
    let TurnEvent::Allocated { relayed, .. } =
        d.until(|e| matches!(e, TurnEvent::Allocated { .. }))
    else {
        unreachable!()
    };
    let relay: SocketAddr = relayed[0];
    let now = d.now();
    d.client.create_permission(now, &[peer_addr]);
    d.until(|e| matches!(e, TurnEvent::PermissionCreated(_)));

    let mut buf = [0u8; 2048];
    let now = d.now();
    d.client.send_to(now, peer_addr, b"send indication");
    d.flush();
    let (n, from) = peer.recv_from(&mut buf).expect("peer receives Send data");
    assert_eq!((&buf[..n], from), (&b"send indication"[..], relay));
    peer.send_to(b"data indication", relay).expect("peer send");
    let e = d.until(|e| matches!(e, TurnEvent::Data { .. }));
    assert_eq!(
        e,
        TurnEvent::Data {
            peer: peer_addr,
            data: b"data indication".to_vec()
        }
    );

    let now = d.now();
    let number = d.client.bind_channel(now, peer_addr);
    d.until(|e| matches!(e, TurnEvent::ChannelBound { .. }));
    let now = d.now();
    d.client.send_to(now, peer_addr, b"channel data up");
    d.flush();
    let (n, from) = peer
        .recv_from(&mut buf)
        .expect("peer receives ChannelData payload");
    assert_eq!((&buf[..n], from), (&b"channel data up"[..], relay));
    peer.send_to(b"channel data down", relay)
        .expect("peer send");
    let e = d.until(|e| matches!(e, TurnEvent::Data { .. }));
    assert_eq!(
        e,
        TurnEvent::Data {
            peer: peer_addr,
            data: b"channel data down".to_vec()
        }
    );
    assert!((0x4000..=0x4FFF).contains(&number));

    let now = d.now();
    d.client.deallocate(now);
    d.until(|e| matches!(e, TurnEvent::Deallocated));
    let mut log = String::new();
    for _ in 0..20 {
        log = std::fs::read_to_string(&server.log).unwrap_or_default();
        if log.contains("CHANNEL_BIND processed, success") {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(
        log.contains("CHANNEL_BIND processed, success"),
        "coturn log lacks the channel: {log}"
    );
}
