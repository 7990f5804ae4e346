//! Coverage cases: for every rule, an input that triggers it and one that passes it. Passing
//! exchanges and flows come from the reference server and client.

use std::net::SocketAddr;

use harness_core::endpoint::{Transport, TransportContext, drain};
use harness_core::rng::SeededRng;
use harness_core::rules::{CaseResult, Expect, Finding};
use harness_core::time::Instant;

use super::{Direction, Observed, check_exchange, check_flow, check_message};
use crate::channeldata;
use crate::policy::PeerPolicy;
use crate::server::{TurnServer, TurnServerConfig};
use crate::stun::{Class, Message, MessageBuilder, attr, method};
use crate::stun_server::{StunServer, StunServerConfig};
use crate::testkit::{Credentials, feed, txid};

const PEER: &str = "203.0.113.9:7000";

fn b(m: u16, c: Class) -> MessageBuilder {
    MessageBuilder::new(m, c, txid(7))
}

fn msg(bytes: &[u8]) -> Vec<Finding> {
    check_message(bytes, Transport::Udp)
}

/// The reference server with a client that has learnt a nonce.
struct Reference {
    server: TurnServer,
    creds: Credentials,
    ctx: TransportContext,
    n: u64,
}

impl Reference {
    fn new() -> Self {
        let mut cfg = TurnServerConfig::new(
            "192.0.2.15:3478"
                .parse()
                .unwrap_or(SocketAddr::from(([192, 0, 2, 15], 3478))),
            "example.org",
            vec![("alice".into(), "secret".into())],
        );
        cfg.peer_policy = PeerPolicy::default();
        let mut server = TurnServer::new(cfg, SeededRng::from_u64(99));
        let _ = drain(&mut server, 16);
        let mut r = Self {
            server,
            creds: Credentials::new("alice", "", "secret"),
            ctx: TransportContext {
                local: SocketAddr::from(([192, 0, 2, 15], 3478)),
                remote: SocketAddr::from(([198, 51, 100, 2], 50000)),
                transport: Transport::Udp,
            },
            n: 1000,
        };
        let (_, resp) = r.raw(&b(method::ALLOCATE, Class::Request).build());
        r.creds.learn(&resp);
        r
    }

    fn raw(&mut self, req: &[u8]) -> (Vec<u8>, Vec<u8>) {
        let out = feed(&mut self.server, Instant::from_secs(1), self.ctx, req);
        let resp = out
            .transmits
            .into_iter()
            .find(|t| t.context == self.ctx)
            .map(|t| t.payload)
            .unwrap_or_default();
        (req.to_vec(), resp)
    }

    /// An authenticated exchange.
    fn ask(
        &mut self,
        m: u16,
        add: impl FnOnce(MessageBuilder) -> MessageBuilder,
    ) -> (Vec<u8>, Vec<u8>) {
        self.n += 1;
        let req = self
            .creds
            .sign(add(MessageBuilder::new(m, Class::Request, txid(self.n))));
        self.raw(&req)
    }

    fn allocated() -> Self {
        let mut r = Self::new();
        let _ = r.ask(method::ALLOCATE, |b| {
            b.u32(attr::REQUESTED_TRANSPORT, 17 << 24)
        });
        r
    }
}

/// A response built by hand for `req` (keeping its method and transaction id).
fn forged(req: &[u8], class: Class, add: impl FnOnce(MessageBuilder) -> MessageBuilder) -> Vec<u8> {
    let Ok(m) = Message::parse(req) else {
        return Vec::new();
    };
    add(MessageBuilder::new(m.method(), class, m.transaction_id())).build()
}

fn ex(pair: &(Vec<u8>, Vec<u8>)) -> Vec<Finding> {
    check_exchange(&pair.0, &pair.1)
}

fn peer() -> SocketAddr {
    PEER.parse()
        .unwrap_or(SocketAddr::from(([203, 0, 113, 9], 7000)))
}

fn five780(
    alternate: bool,
    add: impl FnOnce(MessageBuilder) -> MessageBuilder,
) -> (Vec<u8>, Vec<u8>) {
    let primary = SocketAddr::from(([192, 0, 2, 1], 3478));
    let mut s = StunServer::new(StunServerConfig {
        primary,
        alternate: alternate.then_some(SocketAddr::from(([192, 0, 2, 2], 3479))),
        software: None,
    });
    let _ = drain(&mut s, 8);
    let req = add(b(method::BINDING, Class::Request)).build();
    let ctx = TransportContext {
        local: primary,
        remote: SocketAddr::from(([198, 51, 100, 9], 5000)),
        transport: Transport::Udp,
    };
    let out = feed(&mut s, Instant::ZERO, ctx, &req);
    let resp = out
        .transmits
        .into_iter()
        .next()
        .map(|t| t.payload)
        .unwrap_or_default();
    (req, resp)
}

/// Runs every coverage case.
#[must_use]
#[allow(
    clippy::too_many_lines,
    reason = "one line per case reads best as a table"
)]
pub fn cases() -> Vec<CaseResult> {
    use Expect::{Passes as P, Triggers as T};
    let mut v = Vec::new();
    let mut c = |rule: &'static str, name: &'static str, e: Expect, f: &[Finding]| {
        v.push(CaseResult::judge(rule, name, e, f));
    };
    let tcp = |bytes: &[u8]| check_message(bytes, Transport::Tcp);
    let cd_ok = channeldata::encode(0x4001, b"abcde", true);

    // Message rules.
    c(
        "turn.channeldata.number-range",
        "channeldata-0x5000",
        T,
        &msg(&channeldata::encode(0x5000, b"x", true)),
    );
    c(
        "turn.channeldata.number-range",
        "channeldata-0x4001",
        P,
        &msg(&cd_ok),
    );
    c(
        "turn.channeldata.length",
        "length-past-end",
        T,
        &msg(b"\x40\x00\x00\x09abc"),
    );
    c("turn.channeldata.length", "length-exact", P, &msg(&cd_ok));
    c(
        "turn.channeldata.stream-padding",
        "tcp-unpadded",
        T,
        &tcp(&channeldata::encode(0x4001, b"abcde", false)),
    );
    c(
        "turn.channeldata.stream-padding",
        "tcp-padded",
        P,
        &tcp(&cd_ok),
    );
    let cb = |v: &[u8]| {
        b(method::CHANNEL_BIND, Class::Request)
            .raw(attr::CHANNEL_NUMBER, v)
            .xor_address(attr::XOR_PEER_ADDRESS, peer())
            .build()
    };
    c(
        "turn.attr.channel-number",
        "rffu-set",
        T,
        &msg(&cb(&[0x40, 0, 0, 1])),
    );
    c(
        "turn.attr.channel-number",
        "well-formed",
        P,
        &msg(&cb(&[0x40, 0, 0, 0])),
    );
    let alloc = |f: fn(MessageBuilder) -> MessageBuilder| {
        f(b(method::ALLOCATE, Class::Request).u32(attr::REQUESTED_TRANSPORT, 17 << 24)).build()
    };
    c(
        "turn.attr.lifetime",
        "lifetime-2-bytes",
        T,
        &msg(&alloc(|b| b.raw(attr::LIFETIME, &[0, 1]))),
    );
    c(
        "turn.attr.lifetime",
        "lifetime-4-bytes",
        P,
        &msg(&alloc(|b| b.u32(attr::LIFETIME, 600))),
    );
    c(
        "turn.attr.requested-address-family",
        "family-3",
        T,
        &msg(&alloc(|b| {
            b.raw(attr::REQUESTED_ADDRESS_FAMILY, &[3, 0, 0, 0])
        })),
    );
    c(
        "turn.attr.requested-address-family",
        "family-ipv6",
        P,
        &msg(&alloc(|b| {
            b.raw(attr::REQUESTED_ADDRESS_FAMILY, &[2, 0, 0, 0])
        })),
    );
    c(
        "turn.attr.even-port",
        "even-port-4-bytes",
        T,
        &msg(&alloc(|b| b.raw(attr::EVEN_PORT, &[0x80, 0, 0, 0]))),
    );
    c(
        "turn.attr.even-port",
        "even-port-1-byte",
        P,
        &msg(&alloc(|b| b.raw(attr::EVEN_PORT, &[0x80]))),
    );
    c(
        "turn.attr.requested-transport",
        "rffu-set",
        T,
        &msg(&b(method::ALLOCATE, Class::Request)
            .raw(attr::REQUESTED_TRANSPORT, &[17, 0, 0, 1])
            .build()),
    );
    c(
        "turn.attr.requested-transport",
        "udp",
        P,
        &msg(&alloc(|b| b)),
    );
    c(
        "turn.attr.dont-fragment",
        "with-value",
        T,
        &msg(&alloc(|b| b.raw(attr::DONT_FRAGMENT, &[1]))),
    );
    c(
        "turn.attr.dont-fragment",
        "empty",
        P,
        &msg(&alloc(|b| b.raw(attr::DONT_FRAGMENT, &[]))),
    );
    c(
        "turn.attr.reservation-token",
        "token-4-bytes",
        T,
        &msg(&alloc(|b| b.raw(attr::RESERVATION_TOKEN, &[1, 2, 3, 4]))),
    );
    c(
        "turn.attr.reservation-token",
        "token-8-bytes",
        P,
        &msg(&alloc(|b| b.raw(attr::RESERVATION_TOKEN, &[1; 8]))),
    );
    c(
        "turn.attr.additional-address-family",
        "aaf-1-byte",
        T,
        &msg(&alloc(|b| b.raw(attr::ADDITIONAL_ADDRESS_FAMILY, &[2]))),
    );
    c(
        "turn.attr.additional-address-family",
        "aaf-4-bytes",
        P,
        &msg(&alloc(|b| {
            b.raw(attr::ADDITIONAL_ADDRESS_FAMILY, &[2, 0, 0, 0])
        })),
    );
    let cp = |v: &[u8]| {
        b(method::CREATE_PERMISSION, Class::Request)
            .raw(attr::XOR_PEER_ADDRESS, v)
            .build()
    };
    c(
        "turn.attr.xor-peer-address",
        "family-9",
        T,
        &msg(&cp(&[0, 9, 0, 0, 1, 2, 3, 4])),
    );
    c(
        "turn.attr.xor-peer-address",
        "ipv4",
        P,
        &msg(&b(method::CREATE_PERMISSION, Class::Request)
            .xor_address(attr::XOR_PEER_ADDRESS, peer())
            .build()),
    );
    c(
        "turn.allocate.requested-transport",
        "missing",
        T,
        &msg(&b(method::ALLOCATE, Class::Request).build()),
    );
    c(
        "turn.allocate.requested-transport",
        "present",
        P,
        &msg(&alloc(|b| b)),
    );
    c(
        "turn.allocate.token-without-even-port",
        "both",
        T,
        &msg(&alloc(|b| {
            b.raw(attr::RESERVATION_TOKEN, &[1; 8])
                .raw(attr::EVEN_PORT, &[0])
        })),
    );
    c(
        "turn.allocate.token-without-even-port",
        "token-only",
        P,
        &msg(&alloc(|b| b.raw(attr::RESERVATION_TOKEN, &[1; 8]))),
    );
    c(
        "turn.allocate.single-family-attribute",
        "both",
        T,
        &msg(&alloc(|b| {
            b.u32(attr::REQUESTED_ADDRESS_FAMILY, 1 << 24)
                .u32(attr::ADDITIONAL_ADDRESS_FAMILY, 2 << 24)
        })),
    );
    c(
        "turn.allocate.single-family-attribute",
        "one",
        P,
        &msg(&alloc(|b| b.u32(attr::ADDITIONAL_ADDRESS_FAMILY, 2 << 24))),
    );
    c(
        "turn.create-permission.peer",
        "no-peer",
        T,
        &msg(&b(method::CREATE_PERMISSION, Class::Request).build()),
    );
    c(
        "turn.create-permission.peer",
        "one-peer",
        P,
        &msg(&b(method::CREATE_PERMISSION, Class::Request)
            .xor_address(attr::XOR_PEER_ADDRESS, peer())
            .build()),
    );
    c(
        "turn.channel-bind.attributes",
        "no-peer",
        T,
        &msg(&b(method::CHANNEL_BIND, Class::Request)
            .u32(attr::CHANNEL_NUMBER, 0x4000 << 16)
            .build()),
    );
    c(
        "turn.channel-bind.attributes",
        "complete",
        P,
        &msg(&cb(&[0x40, 0, 0, 0])),
    );
    c(
        "turn.send.attributes",
        "no-data",
        T,
        &msg(&b(method::SEND, Class::Indication)
            .xor_address(attr::XOR_PEER_ADDRESS, peer())
            .build()),
    );
    c(
        "turn.send.attributes",
        "complete",
        P,
        &msg(&b(method::SEND, Class::Indication)
            .xor_address(attr::XOR_PEER_ADDRESS, peer())
            .raw(attr::DATA, b"x")
            .build()),
    );
    c(
        "turn.data.attributes",
        "no-peer",
        T,
        &msg(&b(method::DATA, Class::Indication)
            .raw(attr::DATA, b"x")
            .build()),
    );
    c(
        "turn.data.attributes",
        "complete",
        P,
        &msg(&b(method::DATA, Class::Indication)
            .xor_address(attr::XOR_PEER_ADDRESS, peer())
            .raw(attr::DATA, b"x")
            .build()),
    );
    c(
        "turn.method.indication-only",
        "send-request",
        T,
        &msg(&b(method::SEND, Class::Request).build()),
    );
    c(
        "turn.method.indication-only",
        "send-indication",
        P,
        &msg(&b(method::SEND, Class::Indication)
            .xor_address(attr::XOR_PEER_ADDRESS, peer())
            .raw(attr::DATA, b"x")
            .build()),
    );
    c(
        "turn.auth.long-term-attributes",
        "integrity-without-nonce",
        T,
        &msg(&alloc(|b| b.text(attr::USERNAME, "alice").integrity(b"k"))),
    );
    let mut signed = Credentials::new("alice", "example.org", "secret");
    signed.nonce = Some("n".into());
    let signed_alloc =
        signed.sign(b(method::ALLOCATE, Class::Request).u32(attr::REQUESTED_TRANSPORT, 17 << 24));
    c(
        "turn.auth.long-term-attributes",
        "signed",
        P,
        &msg(&signed_alloc),
    );
    c(
        "turn.indication.no-integrity",
        "signed-send",
        T,
        &msg(&b(method::SEND, Class::Indication)
            .xor_address(attr::XOR_PEER_ADDRESS, peer())
            .raw(attr::DATA, b"x")
            .integrity(b"k")
            .build()),
    );
    c(
        "turn.indication.no-integrity",
        "plain-send",
        P,
        &msg(&b(method::SEND, Class::Indication)
            .xor_address(attr::XOR_PEER_ADDRESS, peer())
            .raw(attr::DATA, b"x")
            .build()),
    );

    // Exchange rules: passing answers come from the reference server.
    let mut r = Reference::new();
    let unauth = r.raw(
        &b(method::ALLOCATE, Class::Request)
            .u32(attr::REQUESTED_TRANSPORT, 17 << 24)
            .build(),
    );
    c(
        "turn.server.401-realm-nonce",
        "reference-401",
        P,
        &ex(&unauth),
    );
    c(
        "turn.server.401-realm-nonce",
        "bare-401",
        T,
        &check_exchange(
            &unauth.0,
            &forged(&unauth.0, Class::Error, |b| b.error(401, "Unauthorized")),
        ),
    );
    let mut stale = Credentials::new("alice", "example.org", "secret");
    stale.nonce = Some("00000000000000000000000000000000".into());
    let stale_pair = r.raw(
        &stale.sign(
            MessageBuilder::new(method::ALLOCATE, Class::Request, txid(3))
                .u32(attr::REQUESTED_TRANSPORT, 17 << 24),
        ),
    );
    c(
        "turn.server.438-realm-nonce",
        "reference-438",
        P,
        &ex(&stale_pair),
    );
    c(
        "turn.server.438-realm-nonce",
        "bare-438",
        T,
        &check_exchange(
            &stale_pair.0,
            &forged(&stale_pair.0, Class::Error, |b| b.error(438, "Stale Nonce")),
        ),
    );
    c(
        "turn.server.auth-required",
        "reference-401",
        P,
        &ex(&unauth),
    );
    let fake_ok = forged(&unauth.0, Class::Success, |b| {
        b.xor_address(attr::XOR_RELAYED_ADDRESS, peer())
            .u32(attr::LIFETIME, 600)
            .xor_address(attr::XOR_MAPPED_ADDRESS, peer())
    });
    c(
        "turn.server.auth-required",
        "unauthenticated-success",
        T,
        &check_exchange(&unauth.0, &fake_ok),
    );
    let ok_alloc = r.ask(method::ALLOCATE, |b| {
        b.u32(attr::REQUESTED_TRANSPORT, 17 << 24)
    });
    c(
        "turn.allocate.success-attributes",
        "reference",
        P,
        &ex(&ok_alloc),
    );
    c(
        "turn.allocate.success-attributes",
        "no-lifetime",
        T,
        &check_exchange(
            &ok_alloc.0,
            &forged(&ok_alloc.0, Class::Success, |b| {
                b.xor_address(attr::XOR_RELAYED_ADDRESS, peer())
                    .xor_address(attr::XOR_MAPPED_ADDRESS, peer())
            }),
        ),
    );
    c(
        "turn.allocate.lifetime-at-least-default",
        "reference",
        P,
        &ex(&ok_alloc),
    );
    let short_for = |req: &[u8], l: u32| {
        forged(req, Class::Success, |b| {
            b.xor_address(attr::XOR_RELAYED_ADDRESS, peer())
                .u32(attr::LIFETIME, l)
                .xor_address(attr::XOR_MAPPED_ADDRESS, peer())
        })
    };
    c(
        "turn.allocate.lifetime-at-least-default",
        "lifetime-60",
        T,
        &check_exchange(&ok_alloc.0, &short_for(&ok_alloc.0, 60)),
    );
    c("turn.allocate.lifetime-max", "reference", P, &ex(&ok_alloc));
    c(
        "turn.allocate.lifetime-max",
        "lifetime-86400",
        T,
        &check_exchange(&ok_alloc.0, &short_for(&ok_alloc.0, 86_400)),
    );
    c(
        "turn.allocate.relayed-family",
        "reference",
        P,
        &ex(&ok_alloc),
    );
    let v6 = forged(&ok_alloc.0, Class::Success, |b| {
        b.xor_address(
            attr::XOR_RELAYED_ADDRESS,
            SocketAddr::from(([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1], 5000)),
        )
        .u32(attr::LIFETIME, 600)
        .xor_address(attr::XOR_MAPPED_ADDRESS, peer())
    });
    c(
        "turn.allocate.relayed-family",
        "ipv6-unasked",
        T,
        &check_exchange(&ok_alloc.0, &v6),
    );
    let mut r2 = Reference::new();
    let missing = r2.ask(method::ALLOCATE, |b| b);
    c(
        "turn.allocate.missing-transport-400",
        "reference",
        P,
        &ex(&missing),
    );
    c(
        "turn.allocate.missing-transport-400",
        "accepted",
        T,
        &check_exchange(&missing.0, &short_for(&missing.0, 600)),
    );
    let tcp_alloc = r2.ask(method::ALLOCATE, |b| {
        b.u32(attr::REQUESTED_TRANSPORT, 6 << 24)
    });
    c(
        "turn.allocate.unsupported-transport-442",
        "reference",
        P,
        &ex(&tcp_alloc),
    );
    c(
        "turn.allocate.unsupported-transport-442",
        "answered-508",
        T,
        &check_exchange(
            &tcp_alloc.0,
            &forged(&tcp_alloc.0, Class::Error, |b| b.error(508, "x")),
        ),
    );
    let conflict = r2.ask(method::ALLOCATE, |b| {
        b.u32(attr::REQUESTED_TRANSPORT, 17 << 24)
            .raw(attr::RESERVATION_TOKEN, &[1; 8])
            .raw(attr::EVEN_PORT, &[0])
    });
    c(
        "turn.allocate.token-conflict-400",
        "reference",
        P,
        &ex(&conflict),
    );
    c(
        "turn.allocate.token-conflict-400",
        "answered-508",
        T,
        &check_exchange(
            &conflict.0,
            &forged(&conflict.0, Class::Error, |b| b.error(508, "x")),
        ),
    );
    let both = r2.ask(method::ALLOCATE, |b| {
        b.u32(attr::REQUESTED_TRANSPORT, 17 << 24)
            .u32(attr::REQUESTED_ADDRESS_FAMILY, 1 << 24)
            .u32(attr::ADDITIONAL_ADDRESS_FAMILY, 2 << 24)
    });
    c(
        "turn.allocate.both-families-400",
        "reference",
        P,
        &ex(&both),
    );
    c(
        "turn.allocate.both-families-400",
        "answered-440",
        T,
        &check_exchange(
            &both.0,
            &forged(&both.0, Class::Error, |b| b.error(440, "x")),
        ),
    );
    let aaf4 = r2.ask(method::ALLOCATE, |b| {
        b.u32(attr::REQUESTED_TRANSPORT, 17 << 24)
            .u32(attr::ADDITIONAL_ADDRESS_FAMILY, 1 << 24)
    });
    c(
        "turn.allocate.additional-ipv4-400",
        "reference",
        P,
        &ex(&aaf4),
    );
    c(
        "turn.allocate.additional-ipv4-400",
        "accepted",
        T,
        &check_exchange(&aaf4.0, &short_for(&aaf4.0, 600)),
    );
    let even = r2.ask(method::ALLOCATE, |b| {
        b.u32(attr::REQUESTED_TRANSPORT, 17 << 24)
            .raw(attr::EVEN_PORT, &[0])
    });
    c("turn.allocate.even-port", "reference", P, &ex(&even));
    let odd = forged(&even.0, Class::Success, |b| {
        b.xor_address(
            attr::XOR_RELAYED_ADDRESS,
            SocketAddr::from(([192, 0, 2, 15], 50001)),
        )
        .u32(attr::LIFETIME, 600)
        .xor_address(attr::XOR_MAPPED_ADDRESS, peer())
    });
    c(
        "turn.allocate.even-port",
        "odd-port",
        T,
        &check_exchange(&even.0, &odd),
    );

    let mut a = Reference::allocated();
    let refresh0 = a.ask(method::REFRESH, |b| b.u32(attr::LIFETIME, 0));
    c(
        "turn.refresh.lifetime",
        "reference-delete",
        P,
        &ex(&refresh0),
    );
    c(
        "turn.refresh.lifetime",
        "delete-answered-600",
        T,
        &check_exchange(
            &refresh0.0,
            &forged(&refresh0.0, Class::Success, |b| b.u32(attr::LIFETIME, 600)),
        ),
    );
    let mut a = Reference::allocated();
    let nopeer = a.ask(method::CREATE_PERMISSION, |b| b);
    c(
        "turn.create-permission.no-peer-400",
        "reference",
        P,
        &ex(&nopeer),
    );
    c(
        "turn.create-permission.no-peer-400",
        "accepted",
        T,
        &check_exchange(&nopeer.0, &forged(&nopeer.0, Class::Success, |b| b)),
    );
    let range = a.ask(method::CHANNEL_BIND, |b| {
        b.u32(attr::CHANNEL_NUMBER, 0x5000 << 16)
            .xor_address(attr::XOR_PEER_ADDRESS, peer())
    });
    c("turn.channel-bind.range-400", "reference", P, &ex(&range));
    c(
        "turn.channel-bind.range-400",
        "accepted",
        T,
        &check_exchange(&range.0, &forged(&range.0, Class::Success, |b| b)),
    );
    let noattr = a.ask(method::CHANNEL_BIND, |b| {
        b.u32(attr::CHANNEL_NUMBER, 0x4000 << 16)
    });
    c(
        "turn.channel-bind.attributes-400",
        "reference",
        P,
        &ex(&noattr),
    );
    c(
        "turn.channel-bind.attributes-400",
        "accepted",
        T,
        &check_exchange(&noattr.0, &forged(&noattr.0, Class::Success, |b| b)),
    );
    let loopback = a.ask(method::CREATE_PERMISSION, |b| {
        b.xor_address(
            attr::XOR_PEER_ADDRESS,
            SocketAddr::from(([127, 0, 0, 1], 9)),
        )
    });
    c(
        "turn.server.special-peer-403",
        "reference",
        P,
        &ex(&loopback),
    );
    c(
        "turn.server.special-peer-403",
        "accepted",
        T,
        &check_exchange(&loopback.0, &forged(&loopback.0, Class::Success, |b| b)),
    );
    let unknown = a.ask(method::REFRESH, |b| b.raw(0x0077, b"x"));
    c(
        "turn.server.unknown-attribute-420",
        "reference",
        P,
        &ex(&unknown),
    );
    c(
        "turn.server.unknown-attribute-420",
        "ignored",
        T,
        &check_exchange(
            &unknown.0,
            &forged(&unknown.0, Class::Success, |b| b.u32(attr::LIFETIME, 600)),
        ),
    );
    let refresh = a.ask(method::REFRESH, |b| b);
    c(
        "turn.server.response-matches-request",
        "reference",
        P,
        &ex(&refresh),
    );
    let wrong = MessageBuilder::new(method::ALLOCATE, Class::Success, txid(1)).build();
    c(
        "turn.server.response-matches-request",
        "other-transaction",
        T,
        &check_exchange(&refresh.0, &wrong),
    );

    // RFC 5780.
    let plain = five780(true, |b| b);
    let strip = |req: &[u8]| {
        forged(req, Class::Success, |b| {
            b.xor_address(attr::XOR_MAPPED_ADDRESS, peer())
                .address(attr::OTHER_ADDRESS, peer())
        })
    };
    c(
        "turn.rfc5780.mapped-and-xor-mapped",
        "reference",
        P,
        &ex(&plain),
    );
    c(
        "turn.rfc5780.mapped-and-xor-mapped",
        "xor-only",
        T,
        &check_exchange(&plain.0, &strip(&plain.0)),
    );
    c("turn.rfc5780.response-origin", "reference", P, &ex(&plain));
    c(
        "turn.rfc5780.response-origin",
        "missing",
        T,
        &check_exchange(&plain.0, &strip(&plain.0)),
    );
    let pp = five780(true, |b| {
        b.raw(attr::PADDING, &[0; 8])
            .raw(attr::RESPONSE_PORT, &[0x1f, 0x90, 0, 0])
    });
    c(
        "turn.rfc5780.padding-with-response-port-400",
        "reference",
        P,
        &ex(&pp),
    );
    c(
        "turn.rfc5780.padding-with-response-port-400",
        "answered",
        T,
        &check_exchange(&pp.0, &strip(&pp.0)),
    );
    let pad = five780(true, |b| b.raw(attr::PADDING, &[0; 8]));
    c("turn.rfc5780.padding-echo", "reference", P, &ex(&pad));
    c(
        "turn.rfc5780.padding-echo",
        "not-echoed",
        T,
        &check_exchange(&pad.0, &strip(&pad.0)),
    );
    let single = five780(false, |b| b.raw(attr::CHANGE_REQUEST, &[0, 0, 0, 6]));
    c(
        "turn.rfc5780.change-request-needs-alternate",
        "reference-420",
        P,
        &ex(&single),
    );
    let answered = forged(&single.0, Class::Success, |b| {
        b.xor_address(attr::XOR_MAPPED_ADDRESS, peer())
            .address(attr::MAPPED_ADDRESS, peer())
            .address(attr::RESPONSE_ORIGIN, peer())
    });
    c(
        "turn.rfc5780.change-request-needs-alternate",
        "answered-without-alternate",
        T,
        &check_exchange(&single.0, &answered),
    );

    // Flow rules.
    let mut f = Reference::allocated();
    let perm = f.ask(method::CREATE_PERMISSION, |b| {
        b.xor_address(attr::XOR_PEER_ADDRESS, peer())
    });
    let again = f.raw(&perm.0);
    let flow_ok = [
        Observed {
            direction: Direction::ToServer,
            bytes: &perm.0,
        },
        Observed {
            direction: Direction::ToClient,
            bytes: &perm.1,
        },
        Observed {
            direction: Direction::ToServer,
            bytes: &again.0,
        },
        Observed {
            direction: Direction::ToClient,
            bytes: &again.1,
        },
        Observed {
            direction: Direction::ToPeer(peer()),
            bytes: b"x",
        },
    ];
    let ok = check_flow(&flow_ok);
    c("turn.client.retransmit-identical", "reference", P, &ok);
    c("turn.server.retransmit-same-response", "reference", P, &ok);
    c(
        "turn.server.relay-needs-permission",
        "after-permission",
        P,
        &ok,
    );
    let mut altered = perm.0.clone();
    if let Some(last) = altered.last_mut() {
        *last ^= 1;
    }
    let other_resp = forged(&perm.0, Class::Error, |b| b.error(508, "x"));
    let flow_bad = [
        Observed {
            direction: Direction::ToPeer(peer()),
            bytes: b"x",
        },
        Observed {
            direction: Direction::ToServer,
            bytes: &perm.0,
        },
        Observed {
            direction: Direction::ToClient,
            bytes: &perm.1,
        },
        Observed {
            direction: Direction::ToServer,
            bytes: &altered,
        },
        Observed {
            direction: Direction::ToClient,
            bytes: &other_resp,
        },
    ];
    let bad = check_flow(&flow_bad);
    c(
        "turn.client.retransmit-identical",
        "altered-retransmission",
        T,
        &bad,
    );
    c(
        "turn.server.retransmit-same-response",
        "different-answer",
        T,
        &bad,
    );
    c(
        "turn.server.relay-needs-permission",
        "before-permission",
        T,
        &bad,
    );
    v
}
