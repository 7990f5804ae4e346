//! Rules on a flow: the messages between one client and a server, plus what the server relayed.

use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, SocketAddr};

use harness_core::rules::{Finding, Location};

use super::*;
use crate::stun::{Class, Message, attr, decode_xor_address, method};

/// Which way a message went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// From the client to the server.
    ToServer,
    /// From the server to the client.
    ToClient,
    /// From one of the allocation's relayed addresses to a peer.
    ToPeer(SocketAddr),
}

/// One observed message of a flow.
#[derive(Clone, Copy, Debug)]
pub struct Observed<'a> {
    /// Which way.
    pub direction: Direction,
    /// The bytes.
    pub bytes: &'a [u8],
}

/// Judges a flow, in order.
#[must_use]
pub fn check_flow(flow: &[Observed<'_>]) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut requests: HashMap<[u8; 12], &[u8]> = HashMap::new();
    let mut responses: HashMap<[u8; 12], &[u8]> = HashMap::new();
    let mut permitted: HashSet<IpAddr> = HashSet::new();
    for (i, o) in flow.iter().enumerate() {
        let loc = || Location::whole().about(format!("message {}", i + 1));
        match o.direction {
            Direction::ToPeer(peer) => {
                if !permitted.contains(&peer.ip()) {
                    out.push(Finding::new(
                        &RELAY_NEEDS_PERMISSION,
                        loc(),
                        "data relayed to a peer without a permission",
                    ));
                }
            }
            Direction::ToServer => {
                let Ok(m) = Message::parse(o.bytes) else {
                    continue;
                };
                if m.class() != Class::Request {
                    continue;
                }
                match requests.get(&m.transaction_id()) {
                    Some(prev) if *prev != o.bytes => {
                        out.push(Finding::new(
                            &RETRANSMIT_IDENTICAL,
                            loc(),
                            "retransmission differs from the original",
                        ));
                    }
                    Some(_) => {}
                    None => {
                        requests.insert(m.transaction_id(), o.bytes);
                    }
                }
            }
            Direction::ToClient => {
                let Ok(m) = Message::parse(o.bytes) else {
                    continue;
                };
                if !matches!(m.class(), Class::Success | Class::Error) {
                    continue;
                }
                let txid = m.transaction_id();
                let Some(req) = requests.get(&txid).and_then(|b| Message::parse(b).ok()) else {
                    continue;
                };
                if req.has(attr::MESSAGE_INTEGRITY) {
                    match responses.get(&txid) {
                        Some(prev) if *prev != o.bytes => {
                            out.push(Finding::new(
                                &RESPONSE_IDEMPOTENT,
                                loc(),
                                "a retransmission got a different response",
                            ));
                        }
                        Some(_) => {}
                        None => {
                            responses.insert(txid, o.bytes);
                        }
                    }
                }
                if m.class() == Class::Success
                    && matches!(
                        req.method(),
                        method::CREATE_PERMISSION | method::CHANNEL_BIND
                    )
                {
                    let rt = req.transaction_id();
                    permitted.extend(
                        req.all(attr::XOR_PEER_ADDRESS)
                            .filter_map(|v| decode_xor_address(v, &rt).ok())
                            .map(|p| p.ip()),
                    );
                }
            }
        }
    }
    out
}
