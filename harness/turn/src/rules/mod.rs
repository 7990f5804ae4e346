//! The TURN rule catalogue (RFC 8656, RFC 8489 server behaviour, RFC 5780) and validators
//! over captured messages, exchanges and flows.
//!
//! * [`check_message`] judges one TURN message (STUN or ChannelData) as sent.
//! * [`check_exchange`] judges a request and the response a server gave to it.
//! * [`check_flow`] judges a sequence of messages between one client and a server
//!   (retransmissions; relaying only to permitted peers).
//!
//! The reference server enforces these rules; [`cases`] proves each can trigger and pass, with
//! passing exchanges produced by the reference server itself.

mod cases;
mod exchange;
mod flow;
mod message;

pub use cases::cases;
pub use exchange::check_exchange;
pub use flow::{Direction, Observed, check_flow};
pub use message::check_message;

harness_core::rules! {
    /// Every TURN rule.
    pub RULES;
    /// RFC 8656 §12: channel numbers 0x4000–0x4FFF are the ones a client may use.
    CHANNELDATA_NUMBER_RANGE = ("turn.channeldata.number-range", 8656, "12", Must, Message,
        "ChannelData and CHANNEL-NUMBER use channel numbers 0x4000 through 0x4FFF");
    /// RFC 8656 §12.4: the length field gives the number of application data bytes present.
    CHANNELDATA_LENGTH = ("turn.channeldata.length", 8656, "12.4", Must, Message,
        "the ChannelData length field does not exceed the bytes present");
    /// RFC 8656 §12.5: over TCP the ChannelData message is padded to a multiple of four bytes.
    CHANNELDATA_PADDING = ("turn.channeldata.stream-padding", 8656, "12.5", Must, Message,
        "over TCP, ChannelData is padded to a multiple of four bytes");
    /// RFC 8656 §18.1: CHANNEL-NUMBER is four bytes with RFFU zero.
    CHANNEL_NUMBER_FORMAT = ("turn.attr.channel-number", 8656, "18.1", Must, Message,
        "CHANNEL-NUMBER is 4 bytes: a 16-bit number and 16 zero bits");
    /// RFC 8656 §18.2: LIFETIME is a 32-bit value.
    LIFETIME_FORMAT = ("turn.attr.lifetime", 8656, "18.2", Must, Message,
        "LIFETIME is 4 bytes");
    /// RFC 8656 §18.6: REQUESTED-ADDRESS-FAMILY is 0x01 or 0x02 and its reserved bits are zero.
    RAF_FORMAT = ("turn.attr.requested-address-family", 8656, "18.6", Must, Message,
        "REQUESTED-ADDRESS-FAMILY is 4 bytes: family 0x01 or 0x02, reserved bits zero");
    /// RFC 8656 §18.7: EVEN-PORT is one byte.
    EVEN_PORT_FORMAT = ("turn.attr.even-port", 8656, "18.7", Must, Message,
        "EVEN-PORT is 1 byte (R flag and 7 RFFU bits)");
    /// RFC 8656 §18.8: REQUESTED-TRANSPORT is four bytes with RFFU zero.
    REQUESTED_TRANSPORT_FORMAT = ("turn.attr.requested-transport", 8656, "18.8", Must, Message,
        "REQUESTED-TRANSPORT is 4 bytes: a protocol number and 24 zero bits");
    /// RFC 8656 §18.9: DONT-FRAGMENT has no value.
    DONT_FRAGMENT_FORMAT = ("turn.attr.dont-fragment", 8656, "18.9", Must, Message,
        "DONT-FRAGMENT has a zero-length value");
    /// RFC 8656 §18.10: RESERVATION-TOKEN is eight bytes.
    RESERVATION_TOKEN_FORMAT = ("turn.attr.reservation-token", 8656, "18.10", Must, Message,
        "RESERVATION-TOKEN is 8 bytes");
    /// RFC 8656 §18.11: ADDITIONAL-ADDRESS-FAMILY is four bytes.
    AAF_FORMAT = ("turn.attr.additional-address-family", 8656, "18.11", Must, Message,
        "ADDITIONAL-ADDRESS-FAMILY is 4 bytes");
    /// RFC 8656 §18.3: XOR-PEER-ADDRESS is a well-formed XOR address.
    PEER_ADDRESS_FORMAT = ("turn.attr.xor-peer-address", 8656, "18.3", Must, Message,
        "XOR-PEER-ADDRESS is an IPv4 (8 bytes) or IPv6 (20 bytes) XOR address");
    /// RFC 8656 §7.1: an Allocate request carries REQUESTED-TRANSPORT.
    ALLOCATE_TRANSPORT = ("turn.allocate.requested-transport", 8656, "7.1", Must, Message,
        "an Allocate request includes REQUESTED-TRANSPORT");
    /// RFC 8656 §7.1: with RESERVATION-TOKEN the client omits EVEN-PORT.
    ALLOCATE_TOKEN_NO_EVEN = ("turn.allocate.token-without-even-port", 8656, "7.1", Must, Message,
        "an Allocate request with RESERVATION-TOKEN omits EVEN-PORT");
    /// RFC 8656 §7.2 (item 6): REQUESTED- and ADDITIONAL-ADDRESS-FAMILY do not go together.
    ALLOCATE_ONE_FAMILY_ATTR = ("turn.allocate.single-family-attribute", 8656, "7.2", Must, Message,
        "an Allocate request does not carry both REQUESTED-ADDRESS-FAMILY and ADDITIONAL-ADDRESS-FAMILY");
    /// RFC 8656 §10.1: CreatePermission carries at least one XOR-PEER-ADDRESS.
    PERMISSION_HAS_PEER = ("turn.create-permission.peer", 8656, "10.1", Must, Message,
        "a CreatePermission request includes at least one XOR-PEER-ADDRESS");
    /// RFC 8656 §12.1: ChannelBind carries CHANNEL-NUMBER and XOR-PEER-ADDRESS.
    CHANNEL_BIND_ATTRS = ("turn.channel-bind.attributes", 8656, "12.1", Must, Message,
        "a ChannelBind request includes CHANNEL-NUMBER and XOR-PEER-ADDRESS");
    /// RFC 8656 §11.1: a Send indication carries XOR-PEER-ADDRESS and DATA.
    SEND_ATTRS = ("turn.send.attributes", 8656, "11.1", Must, Message,
        "a Send indication includes XOR-PEER-ADDRESS and DATA");
    /// RFC 8656 §11.3: a Data indication carries XOR-PEER-ADDRESS and DATA.
    DATA_ATTRS = ("turn.data.attributes", 8656, "11.3", Must, Message,
        "a Data indication includes XOR-PEER-ADDRESS and DATA");
    /// RFC 8656 §17: Send and Data are indications only.
    INDICATION_ONLY = ("turn.method.indication-only", 8656, "17", Must, Message,
        "Send and Data are only used as indications");
    /// RFC 8489 §9.2.3: an authenticated request carries USERNAME, REALM and NONCE.
    LONG_TERM_ATTRS = ("turn.auth.long-term-attributes", 8489, "9.2.3", Must, Message,
        "a request with MESSAGE-INTEGRITY carries USERNAME, REALM and NONCE");
    /// RFC 8656 §5: indications are never authenticated.
    INDICATION_NO_INTEGRITY = ("turn.indication.no-integrity", 8656, "5", ShouldNot, Message,
        "TURN indications carry no MESSAGE-INTEGRITY (they cannot be authenticated)");
    /// RFC 8489 §9.2.4: a 401 carries REALM and NONCE.
    UNAUTHORIZED_REALM_NONCE = ("turn.server.401-realm-nonce", 8489, "9.2.4", Must, Exchange,
        "a 401 response includes REALM and NONCE");
    /// RFC 8489 §9.2.4: a 438 carries REALM and a new NONCE.
    STALE_NONCE_REALM_NONCE = ("turn.server.438-realm-nonce", 8489, "9.2.4", Must, Exchange,
        "a 438 response includes REALM and NONCE");
    /// RFC 8656 §7.2 (item 1): the server requires authentication.
    AUTH_REQUIRED = ("turn.server.auth-required", 8656, "7.2", Must, Exchange,
        "an Allocate, Refresh, CreatePermission or ChannelBind request without MESSAGE-INTEGRITY does not succeed");
    /// RFC 8656 §7.2: the Allocate success response carries the relayed and mapped addresses and LIFETIME.
    ALLOCATE_SUCCESS_ATTRS = ("turn.allocate.success-attributes", 8656, "7.2", Must, Exchange,
        "an Allocate success response includes XOR-RELAYED-ADDRESS, LIFETIME and XOR-MAPPED-ADDRESS");
    /// RFC 8656 §7.2 (item 3): missing REQUESTED-TRANSPORT gets 400.
    ALLOCATE_MISSING_TRANSPORT_400 = ("turn.allocate.missing-transport-400", 8656, "7.2", Must, Exchange,
        "an authenticated Allocate without REQUESTED-TRANSPORT is rejected with 400");
    /// RFC 8656 §7.2 (item 3): an unsupported transport gets 442.
    ALLOCATE_TRANSPORT_442 = ("turn.allocate.unsupported-transport-442", 8656, "7.2", Must, Exchange,
        "an authenticated Allocate for a transport other than UDP is rejected with 442 (or 400)");
    /// RFC 8656 §7.2 (item 5): RESERVATION-TOKEN with EVEN-PORT or an address family gets 400.
    ALLOCATE_TOKEN_CONFLICT_400 = ("turn.allocate.token-conflict-400", 8656, "7.2", Must, Exchange,
        "an Allocate with RESERVATION-TOKEN and EVEN-PORT or an address-family attribute is rejected with 400");
    /// RFC 8656 §7.2 (item 6): both address-family attributes get 400.
    ALLOCATE_BOTH_FAMILIES_400 = ("turn.allocate.both-families-400", 8656, "7.2", Must, Exchange,
        "an Allocate with both REQUESTED- and ADDITIONAL-ADDRESS-FAMILY is rejected with 400");
    /// RFC 8656 §7.2 (item 9): ADDITIONAL-ADDRESS-FAMILY IPv4 gets 400.
    ALLOCATE_ADDITIONAL_IPV4_400 = ("turn.allocate.additional-ipv4-400", 8656, "7.2", Must, Exchange,
        "an Allocate with ADDITIONAL-ADDRESS-FAMILY 0x01 is rejected with 400");
    /// RFC 8656 §7.2: with EVEN-PORT the relayed port is even.
    ALLOCATE_EVEN_PORT = ("turn.allocate.even-port", 8656, "7.2", Must, Exchange,
        "an Allocate with EVEN-PORT succeeds with an even relayed port (or fails)");
    /// RFC 8656 §7.2: the lifetime granted is at least the default (600 s).
    ALLOCATE_LIFETIME_DEFAULT = ("turn.allocate.lifetime-at-least-default", 8656, "7.2", Must, Exchange,
        "the lifetime granted by Allocate is not below the default of 600 s");
    /// RFC 8656 §7.2: the maximum lifetime is at most 3600 s.
    ALLOCATE_LIFETIME_MAX = ("turn.allocate.lifetime-max", 8656, "7.2", Should, Exchange,
        "the lifetime granted is no more than 3600 s");
    /// RFC 8656 §7.2: the relayed address is in the requested family.
    ALLOCATE_FAMILY = ("turn.allocate.relayed-family", 8656, "7.2", Must, Exchange,
        "the relayed address is in the family REQUESTED-ADDRESS-FAMILY asked for (IPv4 by default)");
    /// RFC 8656 §8.2: a Refresh success carries LIFETIME; zero when the request asked for zero.
    REFRESH_LIFETIME = ("turn.refresh.lifetime", 8656, "8.2", Must, Exchange,
        "a Refresh success response includes LIFETIME, and 0 when LIFETIME 0 was requested");
    /// RFC 8656 §10.2: CreatePermission without XOR-PEER-ADDRESS gets 400.
    PERMISSION_NO_PEER_400 = ("turn.create-permission.no-peer-400", 8656, "10.2", Must, Exchange,
        "a CreatePermission without XOR-PEER-ADDRESS is rejected with 400");
    /// RFC 8656 §12.2: a channel number out of range gets 400.
    CHANNEL_RANGE_400 = ("turn.channel-bind.range-400", 8656, "12.2", Must, Exchange,
        "a ChannelBind with a channel number outside 0x4000–0x4FFF is rejected with 400");
    /// RFC 8656 §12.2: ChannelBind without its attributes gets 400.
    CHANNEL_ATTRS_400 = ("turn.channel-bind.attributes-400", 8656, "12.2", Must, Exchange,
        "a ChannelBind without CHANNEL-NUMBER or XOR-PEER-ADDRESS is rejected with 400");
    /// RFC 8656 §21.2.2: a relay to special-purpose addresses is refused with 403.
    PEER_POLICY_403 = ("turn.server.special-peer-403", 8656, "21.2.2", Should, Exchange,
        "permissions and channels towards loopback, unspecified, multicast, link-local or IPv4-mapped peers are refused with 403");
    /// RFC 8489 §6.3.1.1: an unknown comprehension-required attribute gets 420 with UNKNOWN-ATTRIBUTES.
    UNKNOWN_ATTRIBUTE_420 = ("turn.server.unknown-attribute-420", 8489, "6.3.1.1", Must, Exchange,
        "a request with an unknown comprehension-required attribute gets 420 listing it in UNKNOWN-ATTRIBUTES");
    /// RFC 8489 §6.3: a response carries the request's method and transaction id.
    RESPONSE_MATCHES = ("turn.server.response-matches-request", 8489, "6.3", Must, Exchange,
        "a response has the method and transaction id of its request");
    /// RFC 5780 §6.1: a Binding response includes MAPPED-ADDRESS and XOR-MAPPED-ADDRESS.
    BEHAVIOR_MAPPED_BOTH = ("turn.rfc5780.mapped-and-xor-mapped", 5780, "6.1", Must, Exchange,
        "an RFC 5780 server's Binding response includes both MAPPED-ADDRESS and XOR-MAPPED-ADDRESS");
    /// RFC 5780 §6.1: a Binding response includes RESPONSE-ORIGIN.
    BEHAVIOR_RESPONSE_ORIGIN = ("turn.rfc5780.response-origin", 5780, "6.1", Must, Exchange,
        "an RFC 5780 server's Binding response includes RESPONSE-ORIGIN");
    /// RFC 5780 §6.1: PADDING with RESPONSE-PORT gets 400.
    BEHAVIOR_PADDING_PORT_400 = ("turn.rfc5780.padding-with-response-port-400", 5780, "6.1", Must, Exchange,
        "a Binding request with both PADDING and RESPONSE-PORT is rejected with 400");
    /// RFC 5780 §6.1: PADDING in the request means PADDING in the response.
    BEHAVIOR_PADDING_ECHO = ("turn.rfc5780.padding-echo", 5780, "6.1", Must, Exchange,
        "a Binding response to a request with PADDING includes PADDING");
    /// RFC 5780 §6: without OTHER-ADDRESS the server answers CHANGE-REQUEST with 420.
    BEHAVIOR_CHANGE_WITHOUT_ALTERNATE = ("turn.rfc5780.change-request-needs-alternate", 5780, "6", Must, Exchange,
        "a server that sends no OTHER-ADDRESS answers CHANGE-REQUEST with 420");
    /// RFC 8489 §6.2.1: retransmissions carry the same bytes.
    RETRANSMIT_IDENTICAL = ("turn.client.retransmit-identical", 8489, "6.2.1", Must, Flow,
        "a retransmitted request (same transaction id) has the same bytes");
    /// RFC 8489 §6.3.1: retransmissions get the same response.
    RESPONSE_IDEMPOTENT = ("turn.server.retransmit-same-response", 8489, "6.3.1", Must, Flow,
        "responses to retransmissions of a request are the same");
    /// RFC 8656 §11.2 and §12.6: data reaches a peer only with a permission.
    RELAY_NEEDS_PERMISSION = ("turn.server.relay-needs-permission", 8656, "11.2", Must, Flow,
        "a server relays to a peer only after a successful CreatePermission or ChannelBind for its address");
}

/// The TURN catalogue.
#[must_use]
pub fn catalogue() -> harness_core::rules::Catalogue {
    harness_core::rules::Catalogue {
        protocol: "turn",
        rules: RULES,
        cases,
    }
}
