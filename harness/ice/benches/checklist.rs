//! Check-list formation and pruning for 50 × 50 candidates, and connectivity checks answered
//! per second by the reference agent.
#![allow(
    missing_docs,
    reason = "criterion's macros generate undocumented items"
)]

use core::hint::black_box;
use std::net::SocketAddr;

use criterion::{Criterion, criterion_group, criterion_main};
use harness_core::endpoint::{Endpoint, Input, Output, Transport, TransportContext};
use harness_core::rng::SeededRng;
use harness_core::time::Instant;
use harness_ice::candidate::{Candidate, CandidateKind, candidate_priority};
use harness_ice::checklist::form_check_list;
use harness_ice::stunmsg::build_check;
use harness_ice::{Agent, AgentConfig, IceCredentials, Role};
use harness_stun::{Key, TransactionId};

fn candidates(net: u8, n: u16) -> Vec<Candidate> {
    (0..n)
        .map(|i| {
            let kind = match i % 3 {
                0 => CandidateKind::Host,
                1 => CandidateKind::ServerReflexive,
                _ => CandidateKind::Relayed,
            };
            let addr =
                SocketAddr::from(([10, net, (i / 200) as u8, (i % 200) as u8 + 1], 5000 + i));
            Candidate {
                kind,
                transport: Transport::Udp,
                addr,
                base: SocketAddr::from(([10, net, 0, 1], 5000 + i)),
                priority: candidate_priority(kind, 65535 - i, 1),
                foundation: (i % 7).to_string(),
                component: 1,
                related: None,
            }
        })
        .collect()
}

fn bench_checklist(c: &mut Criterion) {
    let locals = candidates(1, 50);
    let remotes = candidates(2, 50);
    c.bench_function("ice/form_and_prune_50x50", |b| {
        b.iter(|| {
            form_check_list(
                black_box(&locals),
                black_box(&remotes),
                Role::Controlling,
                100,
            )
        })
    });
}

fn bench_checks(c: &mut Criterion) {
    let local: SocketAddr = "10.0.0.1:5000"
        .parse()
        .unwrap_or(SocketAddr::from(([0, 0, 0, 0], 0)));
    let remote: SocketAddr = "10.0.0.2:5000"
        .parse()
        .unwrap_or(SocketAddr::from(([0, 0, 0, 0], 0)));
    let mut cfg = AgentConfig::new(Role::Controlled, vec![local]);
    cfg.credentials = Some(IceCredentials {
        ufrag: "LOCL".into(),
        pwd: "localpasswordlocalpassw".into(),
    });
    cfg.consent = false;
    let mut agent = Agent::new(cfg, SeededRng::from_u64(1), Instant::ZERO);
    agent.set_remote_credentials(
        Instant::ZERO,
        IceCredentials {
            ufrag: "REMO".into(),
            pwd: "remotepasswordremotepas".into(),
        },
    );
    let key = Key::from_bytes(b"localpasswordlocalpassw");
    let requests: Vec<Vec<u8>> = (0..256u32)
        .map(|i| {
            let mut id = [0u8; 12];
            id[..4].copy_from_slice(&i.to_be_bytes());
            build_check(
                TransactionId(id),
                "LOCL:REMO",
                0x6e00_1eff,
                Role::Controlling,
                1,
                false,
                &key,
            )
        })
        .collect();
    let ctx = TransportContext {
        local,
        remote,
        transport: Transport::Udp,
    };
    let mut i = 0usize;
    let mut now = Instant::ZERO;
    c.bench_function("ice/answer_authenticated_check", |b| {
        b.iter(|| {
            i = (i + 1) % requests.len();
            now += core::time::Duration::from_micros(10);
            agent.handle_input(Input::Datagram {
                now,
                context: ctx,
                payload: &requests[i],
            });
            loop {
                match agent.poll_output() {
                    Output::Timeout(_) | Output::Idle => break,
                    o => {
                        let _ = black_box(o);
                    }
                }
            }
        })
    });
}

#[allow(
    clippy::disallowed_methods,
    reason = "one real base instant for rtc-ice's clock"
)]
fn std_base() -> std::time::Instant {
    std::time::Instant::now()
}

/// The same authenticated Binding requests, answered by rtc-ice's agent (controlled, one host
/// candidate, checks started with the same credentials).
fn bench_rtc_ice_checks(c: &mut Criterion) {
    use sansio::Protocol;
    let local: SocketAddr = SocketAddr::from(([10, 0, 0, 1], 5000));
    let remote: SocketAddr = SocketAddr::from(([10, 0, 0, 2], 5000));
    let base = std_base();
    let Ok(provider) = ice::crypto::default_provider() else {
        return;
    };
    let config = ice::AgentConfig {
        local_ufrag: "LOCL".into(),
        local_pwd: "localpasswordlocalpassw".into(),
        is_controlling: false,
        multicast_dns_mode: ice::mdns::MulticastDnsMode::Disabled,
        ..Default::default()
    };
    let Ok(mut agent) = ice::Agent::new(base, std::sync::Arc::new(config), provider) else {
        return;
    };
    let host = ice::candidate::candidate_host::CandidateHostConfig {
        base_config: ice::candidate::CandidateConfig {
            candidate_id: "h1".into(),
            network: "udp".into(),
            address: local.ip().to_string(),
            port: local.port(),
            component: 1,
            ..Default::default()
        },
        ..Default::default()
    }
    .new_candidate_host();
    let Ok(host) = host else { return };
    if agent.add_local_candidate(host).is_err()
        || agent
            .start_connectivity_checks(base, false, "REMO".into(), "remotepasswordremotepas".into())
            .is_err()
    {
        return;
    }
    let key = Key::from_bytes(b"localpasswordlocalpassw");
    let requests: Vec<Vec<u8>> = (0..256u32)
        .map(|i| {
            let mut id = [0u8; 12];
            id[..4].copy_from_slice(&i.to_be_bytes());
            build_check(
                TransactionId(id),
                "LOCL:REMO",
                0x6e00_1eff,
                Role::Controlling,
                1,
                false,
                &key,
            )
        })
        .collect();
    // rtc-ice must answer the request, or the comparison means nothing.
    let probe = agent.handle_read(shared::TaggedBytesMut {
        now: base,
        transport: shared::TransportContext {
            local_addr: local,
            peer_addr: remote,
            transport_protocol: shared::TransportProtocol::UDP,
            ecn: None,
        },
        message: bytes::BytesMut::from(&requests[255][..]),
    });
    let mut answers = 0;
    while let Some(w) = agent.poll_write() {
        answers += usize::from(w.message.get(..2) == Some(&[0x01, 0x01][..]));
    }
    println!("rtc-ice probe: {probe:?}, {answers} success response(s)");
    let mut i = 0usize;
    let mut now = base;
    c.bench_function("ice/rtc_ice_answer_authenticated_check", |b| {
        b.iter(|| {
            i = (i + 1) % requests.len();
            now += core::time::Duration::from_micros(10);
            let r = agent.handle_read(shared::TaggedBytesMut {
                now,
                transport: shared::TransportContext {
                    local_addr: local,
                    peer_addr: remote,
                    transport_protocol: shared::TransportProtocol::UDP,
                    ecn: None,
                },
                message: bytes::BytesMut::from(&requests[i][..]),
            });
            let _ = black_box(r);
            while let Some(w) = agent.poll_write() {
                let _ = black_box(w);
            }
            while let Some(e) = agent.poll_event() {
                let _ = black_box(e);
            }
        })
    });
    println!(
        "rtc-ice after the run: {} remote candidates",
        agent.get_remote_candidates().len()
    );
}

criterion_group!(benches, bench_checklist, bench_checks, bench_rtc_ice_checks);
criterion_main!(benches);
