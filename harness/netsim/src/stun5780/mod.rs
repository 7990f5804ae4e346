//! A minimal RFC 5780 NAT behaviour discovery server and client, as sans-IO endpoints.
//!
//! * [`Rfc5780Server`] answers Binding requests on two addresses × two ports with
//!   XOR-MAPPED-ADDRESS, MAPPED-ADDRESS, RESPONSE-ORIGIN and OTHER-ADDRESS, and honours
//!   CHANGE-REQUEST (RFC 5780 §6, §7.2–§7.4).
//! * [`DiscoveryClient`] runs the mapping tests I/II/III (§4.3), the filtering tests I/II/III
//!   (§4.4), the hairpinning test (§4.5) and a port-assignment probe, each on a fresh local
//!   port so one test's filter state cannot leak into another, and reports a
//!   [`Classification`].
//!
//! Messages are encoded and decoded with `harness-stun`.

mod client;
mod server;

pub use client::{Classification, DiscoveryClient, DiscoveryEvent};
pub use server::Rfc5780Server;

use std::net::SocketAddr;

use harness_stun::{Attribute, Class, Message, Method, TransactionId};

/// The fields of a Binding message the discovery needs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Binding {
    pub(crate) xor_mapped: Option<SocketAddr>,
    pub(crate) mapped: Option<SocketAddr>,
    pub(crate) response_origin: Option<SocketAddr>,
    pub(crate) other_address: Option<SocketAddr>,
    pub(crate) change_ip: bool,
    pub(crate) change_port: bool,
}

/// Parses a Binding message of class `class`; `None` for anything else.
pub(crate) fn parse_binding(bytes: &[u8], class: Class) -> Option<(TransactionId, Binding)> {
    let msg = Message::new_checked(bytes).ok()?;
    if msg.method() != Method::BINDING || msg.class() != class {
        return None;
    }
    let txid = msg.transaction_id();
    let mut b = Binding::default();
    for raw in msg.attributes().flatten() {
        match Attribute::decode(&raw, txid) {
            Ok(Attribute::XorMappedAddress(a)) => b.xor_mapped = Some(a),
            Ok(Attribute::MappedAddress(a)) => b.mapped = Some(a),
            Ok(Attribute::ResponseOrigin(a)) => b.response_origin = Some(a),
            Ok(Attribute::OtherAddress(a)) => b.other_address = Some(a),
            Ok(Attribute::ChangeRequest {
                change_ip,
                change_port,
            }) => {
                b.change_ip = change_ip;
                b.change_port = change_port;
            }
            _ => {}
        }
    }
    Some((txid, b))
}
