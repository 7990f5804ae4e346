//! Coverage cases: each rule of [`crate::rules::RULES`] triggered by one synthetic exchange
//! and passed by a close, conforming one. They run through the same [`Checker`] as captures.

use std::net::SocketAddr;

use harness_capture::{Framing, Packet, Transport};
use harness_core::rules::{CaseResult, Expect, Finding};
use harness_dtls::build::{ClientHelloSpec, handshake_message, plaintext_record, push_vec8};
use harness_dtls::{ContentType, HandshakeType};
use harness_stun::{Attribute, Class, MessageBuilder, Method, TransactionId};

use crate::checker::Checker;
use crate::sdp::{Session, SideParams};

/// A checker fed by hand: payloads at chosen times, numbered frames.
pub(crate) struct Feed {
    checker: Checker,
    time_ns: u64,
    frame: u64,
}

pub(crate) const CLIENT: &str = "192.0.2.1:50000";
pub(crate) const SERVER: &str = "198.51.100.1:3478";
pub(crate) const PEER: &str = "203.0.113.9:40000";

pub(crate) fn addr(s: &str) -> SocketAddr {
    s.parse()
        .unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)))
}

impl Feed {
    pub(crate) fn new(session: Option<&Session>) -> Self {
        Self {
            checker: Checker::new(&[], session, 1000, 1000),
            time_ns: 0,
            frame: 0,
        }
    }

    /// Moves the clock to `ms` milliseconds.
    pub(crate) fn at_ms(&mut self, ms: u64) -> &mut Self {
        self.time_ns = ms.saturating_mul(1_000_000);
        self
    }

    /// One UDP payload from `src` to `dst`.
    pub(crate) fn udp(&mut self, src: &str, dst: &str, payload: &[u8]) -> &mut Self {
        self.frame = self.frame.saturating_add(1);
        self.checker.packet(&Packet {
            frame: self.frame,
            time_ns: self.time_ns,
            src: addr(src),
            dst: addr(dst),
            transport: Transport::Udp,
            framing: Framing::Datagram,
            payload,
        });
        self
    }

    pub(crate) fn findings(&self) -> Vec<Finding> {
        self.checker
            .findings
            .stored
            .iter()
            .map(|(_, f)| f.clone())
            .collect()
    }
}

pub(crate) fn stun(class: Class, method: Method, txid: u8, attrs: &[Attribute<'_>]) -> Vec<u8> {
    let mut b = MessageBuilder::new(class, method, TransactionId([txid; 12]));
    for a in attrs {
        b = b.attr(*a);
    }
    b.fingerprint().build().unwrap_or_default()
}

fn check(username: &'static str, txid: u8, nominate: bool) -> Vec<u8> {
    let mut attrs = vec![
        Attribute::Username(username),
        Attribute::Priority(1_862_270_975),
    ];
    if nominate {
        attrs.push(Attribute::UseCandidate);
    }
    stun(Class::Request, Method::BINDING, txid, &attrs)
}

fn judge(rule: &'static str, name: &'static str, expect: Expect, feed: &Feed) -> CaseResult {
    CaseResult::judge(rule, name, expect, &feed.findings())
}

/// An allocation seen from its start, with optional permission and channel for [`PEER`].
fn allocation(permission: bool, channel: Option<bool>) -> Feed {
    let mut f = Feed::new(None);
    let relayed = addr("198.51.100.1:49152");
    f.udp(
        CLIENT,
        SERVER,
        &stun(
            Class::Request,
            Method::ALLOCATE,
            1,
            &[Attribute::RequestedTransport(17)],
        ),
    );
    f.udp(
        SERVER,
        CLIENT,
        &stun(
            Class::Success,
            Method::ALLOCATE,
            1,
            &[
                Attribute::XorRelayedAddress(relayed),
                Attribute::Lifetime(600),
            ],
        ),
    );
    if permission {
        f.udp(
            CLIENT,
            SERVER,
            &stun(
                Class::Request,
                Method::CREATE_PERMISSION,
                2,
                &[Attribute::XorPeerAddress(addr(PEER))],
            ),
        );
        f.udp(
            SERVER,
            CLIENT,
            &stun(Class::Success, Method::CREATE_PERMISSION, 2, &[]),
        );
    }
    if let Some(succeeds) = channel {
        f.udp(
            CLIENT,
            SERVER,
            &stun(
                Class::Request,
                Method::CHANNEL_BIND,
                3,
                &[
                    Attribute::ChannelNumber(0x4000),
                    Attribute::XorPeerAddress(addr(PEER)),
                ],
            ),
        );
        if succeeds {
            f.udp(
                SERVER,
                CLIENT,
                &stun(Class::Success, Method::CHANNEL_BIND, 3, &[]),
            );
        }
    }
    f
}

fn send_indication() -> Vec<u8> {
    stun(
        Class::Indication,
        Method::SEND,
        9,
        &[
            Attribute::XorPeerAddress(addr(PEER)),
            Attribute::Data(b"hello"),
        ],
    )
}

fn data_indication() -> Vec<u8> {
    stun(
        Class::Indication,
        Method::DATA,
        10,
        &[
            Attribute::XorPeerAddress(addr(PEER)),
            Attribute::Data(b"hello"),
        ],
    )
}

fn session() -> Session {
    Session {
        offer: SideParams {
            ufrag: "OFFR".into(),
            pwd: "offer-password-0123456789".into(),
            fingerprints: Vec::new(),
        },
        answer: SideParams {
            ufrag: "ANSR".into(),
            pwd: "answer-password-012345678".into(),
            fingerprints: Vec::new(),
        },
    }
}

fn dtls_hello_exchange(echo_cookie: bool) -> Feed {
    let mut f = Feed::new(None);
    let client = "192.0.2.1:5000";
    let server = "192.0.2.2:5001";
    let hello = ClientHelloSpec::dtls12();
    let first = handshake_message(HandshakeType::CLIENT_HELLO, 0, &hello.encode());
    f.udp(
        client,
        server,
        &plaintext_record(ContentType::HANDSHAKE, 0xfeff, 0, 0, &first),
    );
    let mut hvr = 0xfeffu16.to_be_bytes().to_vec();
    push_vec8(&mut hvr, &[0xc0; 16]);
    let hvr = handshake_message(HandshakeType::HELLO_VERIFY_REQUEST, 0, &hvr);
    f.udp(
        server,
        client,
        &plaintext_record(ContentType::HANDSHAKE, 0xfeff, 0, 0, &hvr),
    );
    let mut second = hello;
    second.cookie = if echo_cookie {
        vec![0xc0; 16]
    } else {
        vec![0x0c; 16]
    };
    let second = handshake_message(HandshakeType::CLIENT_HELLO, 1, &second.encode());
    f.udp(
        client,
        server,
        &plaintext_record(ContentType::HANDSHAKE, 0xfeff, 0, 1, &second),
    );
    f
}

fn application_records(sequences: &[u64]) -> Feed {
    let mut f = Feed::new(None);
    for seq in sequences {
        let record = plaintext_record(ContentType::APPLICATION_DATA, 0xfefd, 1, *seq, &[0x55; 40]);
        f.udp("192.0.2.1:5000", "192.0.2.2:5001", &record);
    }
    f
}

/// Every case, in rule order.
pub(crate) fn cases() -> Vec<CaseResult> {
    let mut out = Vec::new();

    // check.stun.response.method
    let rule = "check.stun.response.method";
    let mut f = Feed::new(None);
    f.udp(
        CLIENT,
        SERVER,
        &stun(Class::Request, Method::BINDING, 7, &[]),
    );
    f.udp(
        SERVER,
        CLIENT,
        &stun(Class::Success, Method::ALLOCATE, 7, &[]),
    );
    out.push(judge(
        rule,
        "allocate_success_answers_binding_request",
        Expect::Triggers,
        &f,
    ));
    let mut f = Feed::new(None);
    f.udp(
        CLIENT,
        SERVER,
        &stun(Class::Request, Method::BINDING, 7, &[]),
    );
    f.udp(
        SERVER,
        CLIENT,
        &stun(
            Class::Success,
            Method::BINDING,
            7,
            &[Attribute::XorMappedAddress(addr(CLIENT))],
        ),
    );
    out.push(judge(
        rule,
        "binding_success_answers_binding_request",
        Expect::Passes,
        &f,
    ));

    // check.stun.retransmit.backoff
    let rule = "check.stun.retransmit.backoff";
    let request = stun(Class::Request, Method::BINDING, 8, &[]);
    let mut f = Feed::new(None);
    for ms in [0, 500, 1000, 1500] {
        f.at_ms(ms).udp(CLIENT, SERVER, &request);
    }
    out.push(judge(rule, "fixed_500ms_interval", Expect::Triggers, &f));
    let mut f = Feed::new(None);
    for ms in [0, 500, 1500, 3500] {
        f.at_ms(ms).udp(CLIENT, SERVER, &request);
    }
    out.push(judge(rule, "rfc8489_doubling_schedule", Expect::Passes, &f));

    // check.ice.pacing
    let rule = "check.ice.pacing";
    let mut f = Feed::new(None);
    f.at_ms(0).udp(CLIENT, PEER, &check("R:L", 20, false));
    f.at_ms(1)
        .udp(CLIENT, "203.0.113.9:40001", &check("R:L", 21, false));
    out.push(judge(rule, "two_checks_1ms_apart", Expect::Triggers, &f));
    let mut f = Feed::new(None);
    f.at_ms(0).udp(CLIENT, PEER, &check("R:L", 20, false));
    f.at_ms(50)
        .udp(CLIENT, "203.0.113.9:40001", &check("R:L", 21, false));
    f.at_ms(51).udp(PEER, CLIENT, &check("L:R", 22, false));
    out.push(judge(
        rule,
        "checks_50ms_apart_and_the_peer_1ms_later",
        Expect::Passes,
        &f,
    ));

    // check.ice.username
    let rule = "check.ice.username";
    let s = session();
    let mut f = Feed::new(Some(&s));
    f.udp(CLIENT, PEER, &check("ANSR:OTHER", 30, true));
    out.push(judge(
        rule,
        "username_with_a_foreign_ufrag",
        Expect::Triggers,
        &f,
    ));
    let mut f = Feed::new(Some(&s));
    f.udp(CLIENT, PEER, &check("ANSR:OFFR", 30, true));
    f.at_ms(10)
        .udp(PEER, CLIENT, &check("OFFR:ANSR", 31, false));
    out.push(judge(
        rule,
        "usernames_from_offer_and_answer",
        Expect::Passes,
        &f,
    ));

    // check.turn.send.permission
    let rule = "check.turn.send.permission";
    let mut f = allocation(false, None);
    f.udp(CLIENT, SERVER, &send_indication());
    out.push(judge(
        rule,
        "send_without_create_permission",
        Expect::Triggers,
        &f,
    ));
    let mut f = allocation(true, None);
    f.at_ms(301_000).udp(CLIENT, SERVER, &send_indication());
    out.push(judge(
        rule,
        "send_after_the_permission_expired",
        Expect::Triggers,
        &f,
    ));
    let mut f = allocation(true, None);
    f.at_ms(1000).udp(CLIENT, SERVER, &send_indication());
    out.push(judge(
        rule,
        "send_after_create_permission_success",
        Expect::Passes,
        &f,
    ));

    // check.turn.channeldata.bound
    let rule = "check.turn.channeldata.bound";
    let channel_data = [0x40, 0x00, 0x00, 0x04, 1, 2, 3, 4];
    let mut f = allocation(false, Some(false));
    f.udp(CLIENT, SERVER, &channel_data);
    out.push(judge(
        rule,
        "channeldata_before_channelbind_success",
        Expect::Triggers,
        &f,
    ));
    let mut f = allocation(false, Some(true));
    f.udp(CLIENT, SERVER, &channel_data);
    out.push(judge(
        rule,
        "channeldata_after_channelbind_success",
        Expect::Passes,
        &f,
    ));

    // check.turn.channeldata.number
    let rule = "check.turn.channeldata.number";
    let mut f = Feed::new(None);
    f.udp(CLIENT, SERVER, &[0xff, 0x10, 0x00, 0x04, 1, 2, 3, 4]);
    out.push(judge(
        rule,
        "channel_0xff10_on_a_turn_port",
        Expect::Triggers,
        &f,
    ));
    let mut f = Feed::new(None);
    f.udp(CLIENT, SERVER, &channel_data);
    out.push(judge(rule, "channel_0x4000", Expect::Passes, &f));

    // check.turn.server.channeldata
    let rule = "check.turn.server.channeldata";
    let mut f = allocation(false, Some(true));
    f.udp(SERVER, CLIENT, &data_indication());
    out.push(judge(
        rule,
        "data_indication_from_a_bound_peer",
        Expect::Triggers,
        &f,
    ));
    let mut f = allocation(true, None);
    f.udp(SERVER, CLIENT, &data_indication());
    out.push(judge(
        rule,
        "data_indication_without_a_channel",
        Expect::Passes,
        &f,
    ));

    // check.dtls.record.unique
    let rule = "check.dtls.record.unique";
    out.push(judge(
        rule,
        "sequence_5_twice_in_epoch_1",
        Expect::Triggers,
        &application_records(&[4, 5, 5]),
    ));
    out.push(judge(
        rule,
        "sequences_reordered_but_unique",
        Expect::Passes,
        &application_records(&[4, 6, 5, 7]),
    ));

    // check.dtls.cookie.echo
    let rule = "check.dtls.cookie.echo";
    out.push(judge(
        rule,
        "second_client_hello_with_another_cookie",
        Expect::Triggers,
        &dtls_hello_exchange(false),
    ));
    out.push(judge(
        rule,
        "second_client_hello_echoes_the_cookie",
        Expect::Passes,
        &dtls_hello_exchange(true),
    ));

    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_check_rule_is_triggered_and_passed_by_its_cases() {
        let (table, unknown) = crate::catalogue().coverage();
        assert!(unknown.is_empty(), "cases for unknown rules: {unknown:?}");
        for row in &table {
            assert!(
                row.complete(),
                "{}: triggered by {:?}, passed by {:?}, broken {:?}",
                row.rule.id,
                row.triggered_by,
                row.passed_by,
                row.broken
            );
        }
        assert_eq!(table.len(), crate::rules::RULES.len());
    }
}
