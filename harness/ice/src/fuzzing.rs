//! The body of the `ice_agent` fuzz target, built by ordinary `cargo test` too.
//!
//! The input is read as a list of operations: advance time, deliver arbitrary bytes from an
//! arbitrary address, deliver a correctly authenticated check built from fuzz data, or answer
//! one of the agent's outstanding checks with an authenticated success or error. After every
//! operation the invariants are asserted: candidates and pairs stay bounded, a selected pair is
//! valid (an authenticated check succeeded on it or, for the controlled side, it was
//! nominated after one), and connection states only make legal transitions.

use core::time::Duration;
use std::net::SocketAddr;

use harness_core::endpoint::{Endpoint, Input, Output, Transport, TransportContext};
use harness_core::rng::SeededRng;
use harness_core::time::Instant;
use harness_stun::{Key, Message, TransactionId};

use crate::config::{AgentConfig, IceCredentials, Role};
use crate::event::{ConnectionState, IceEventKind};
use crate::stunmsg::{build_check, build_error, build_success};
use crate::{Agent, Candidate};

fn local() -> SocketAddr {
    SocketAddr::from(([10, 0, 0, 1], 5000))
}

fn peer(n: u8) -> SocketAddr {
    SocketAddr::from(([10, 0, 1, n % 8], 5000 + u16::from(n % 4)))
}

/// Runs one fuzz input. Panics only when an invariant breaks.
#[allow(
    clippy::panic,
    reason = "a broken invariant is what the fuzzer looks for"
)]
pub fn fuzz_agent(data: &[u8]) {
    let role = if data.first().is_some_and(|b| b & 1 == 1) {
        Role::Controlling
    } else {
        Role::Controlled
    };
    let mut cfg = AgentConfig::new(role, vec![local()]);
    cfg.credentials = Some(IceCredentials {
        ufrag: "LOCL".into(),
        pwd: "localpasswordlocalpassw".into(),
    });
    cfg.lite = data.first().is_some_and(|b| b & 2 == 2);
    if data.first().is_some_and(|b| b & 4 == 4) {
        // A STUN and a TURN server among the fuzzed source addresses (peer(6), peer(7)): their
        // datagrams reach the server-reflexive transactions and the TURN client.
        cfg.stun_servers = vec![peer(6)];
        cfg.turn_servers = vec![crate::config::TurnServer::udp(peer(7), "user", "secret")];
        if data.first().is_some_and(|b| b & 8 == 8) {
            cfg.policy = crate::config::GatherPolicy::RelayOnly;
        }
    }
    let max_pairs = cfg.max_pairs;
    let max_remotes = cfg.max_remote_candidates;
    let mut agent = Agent::new(cfg, SeededRng::from_u64(7), Instant::ZERO);
    let remote = IceCredentials {
        ufrag: "REMO".into(),
        pwd: "remotepasswordremotepas".into(),
    };
    let local_key = Key::from_bytes(b"localpasswordlocalpassw");
    let remote_key = Key::from_bytes(b"remotepasswordremotepas");
    let mut now = Instant::ZERO;
    agent.set_remote_credentials(now, remote);
    if let Ok(c) = Candidate::from_sdp("1 1 udp 2130706431 10.0.1.1 5001 typ host") {
        agent.add_remote_candidate(now, c);
    }
    let mut state = ConnectionState::New;
    let mut outstanding: Vec<(TransactionId, SocketAddr)> = Vec::new();
    let mut drain = |agent: &mut Agent, outstanding: &mut Vec<(TransactionId, SocketAddr)>| {
        for _ in 0..10_000 {
            match agent.poll_output() {
                Output::Transmit(t) => {
                    if let Ok(m) = Message::new_checked(&t.payload)
                        && m.class() == harness_stun::Class::Request
                        && outstanding.len() < 64
                    {
                        outstanding.push((m.transaction_id(), t.context.remote));
                    }
                }
                Output::Event(e) => {
                    if let IceEventKind::ConnectionState(next) = e.kind {
                        assert!(
                            state.may_become(next),
                            "illegal transition {state} -> {next}"
                        );
                        state = next;
                    }
                }
                Output::Timeout(_) | Output::Idle => return,
                _ => {}
            }
        }
        panic!("agent never stops producing output");
    };
    drain(&mut agent, &mut outstanding);
    let mut i = 1usize;
    while let Some(&op) = data.get(i) {
        let arg = data.get(i.saturating_add(1)).copied().unwrap_or(0);
        i = i.saturating_add(2);
        match op % 5 {
            0 => {
                now += Duration::from_millis(u64::from(arg).saturating_mul(37));
                agent.handle_input(Input::Timeout { now });
            }
            1 => {
                let len = usize::from(arg);
                let end = i.saturating_add(len).min(data.len());
                let payload = data.get(i..end).unwrap_or(&[]);
                i = end;
                agent.handle_input(Input::Datagram {
                    now,
                    context: ctx(peer(arg)),
                    payload,
                });
            }
            2 => {
                let r = if arg & 1 == 1 {
                    Role::Controlling
                } else {
                    Role::Controlled
                };
                let tie = u64::from(data.get(i).copied().unwrap_or(0)) << 56;
                let txid = TransactionId([arg; 12]);
                let msg = build_check(
                    txid,
                    "LOCL:REMO",
                    0x6e00_00ff,
                    r,
                    tie,
                    arg & 2 == 2,
                    &local_key,
                );
                agent.handle_input(Input::Datagram {
                    now,
                    context: ctx(peer(arg >> 2)),
                    payload: &msg,
                });
            }
            3 => {
                if let Some((txid, to)) = outstanding
                    .get(usize::from(arg) % outstanding.len().max(1))
                    .copied()
                {
                    let mapped = if arg & 0x80 == 0 { local() } else { peer(arg) };
                    let msg = if arg & 0x40 == 0 {
                        build_success(txid, mapped, &remote_key)
                    } else {
                        build_error(txid, 487, "Role Conflict", Some(&remote_key), &[])
                    };
                    let from = if arg & 0x20 == 0 { to } else { peer(arg) };
                    agent.handle_input(Input::Datagram {
                        now,
                        context: ctx(from),
                        payload: &msg,
                    });
                }
            }
            _ => {
                if let Ok(c) = Candidate::from_sdp(&format!(
                    "{} 1 udp {} 10.0.1.{} {} typ host",
                    arg % 9,
                    u32::from(arg).saturating_mul(16_777_216).max(1),
                    arg % 8,
                    5000 + u16::from(arg % 4)
                )) {
                    agent.add_remote_candidate(now, c);
                }
            }
        }
        drain(&mut agent, &mut outstanding);
        assert!(agent.remote_candidates().len() <= max_remotes);
        assert!(agent.local_candidates().len() <= 1 + max_pairs);
        assert!(agent.pairs().len() <= max_pairs.saturating_mul(2));
        if let Some(sel) = agent.selected_pair() {
            let ok = agent.pairs().iter().any(|p| {
                p.valid && p.nominated && p.base == sel.base && p.remote_addr == sel.remote.addr
            });
            assert!(ok, "selected pair {sel:?} is not a valid nominated pair");
        }
    }
}

fn ctx(remote: SocketAddr) -> TransportContext {
    TransportContext {
        local: local(),
        remote,
        transport: Transport::Udp,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fuzz_body_survives_a_spread_of_inputs() {
        let mut rng = SeededRng::from_u64(3);
        for _ in 0..300 {
            let len = usize::try_from(rng.below(200)).unwrap_or(0);
            let data: Vec<u8> = (0..len)
                .map(|_| u8::try_from(rng.below(256)).unwrap_or(0))
                .collect();
            fuzz_agent(&data);
        }
        // An input that authenticates a nomination and answers the agent's checks.
        fuzz_agent(&[1, 2, 3, 0, 5, 3, 0, 3, 1, 0, 20, 3, 0, 0, 200]);
        fuzz_agent(&[0, 2, 2, 0, 5, 3, 0, 0, 40]);
        // With STUN and TURN servers, arbitrary bytes from the TURN server's address.
        fuzz_agent(&[
            12, 1, 7, 0x01, 0x13, 0, 0, 0x21, 0x12, 0xa4, 0x42, 0, 0, 0, 0, 0, 50,
        ]);
    }

    #[test]
    fn committed_regressions_replay() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fuzz/regressions/ice_agent");
        if let Ok(entries) = std::fs::read_dir(dir) {
            for e in entries.flatten() {
                if let Ok(bytes) = std::fs::read(e.path()) {
                    fuzz_agent(&bytes);
                }
            }
        }
    }
}
