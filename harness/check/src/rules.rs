//! The rules `check` adds to those of the protocol crates: the ones that need more than one
//! message of a capture. Every section number was looked up in /work/shared/rfc.

harness_core::rules! {
    /// Every rule of the capture checker.
    pub RULES;
    /// RFC 8489 §6.3.1.1: "The method of the response is the same as that of the request".
    RESPONSE_METHOD = ("check.stun.response.method", 8489, "6.3.1.1", Must, Exchange,
        "a response carries the method of the request with the same transaction id");
    /// RFC 8489 §6.2.1: retransmissions start at RTO and the interval doubles after each one.
    RETRANSMIT_BACKOFF = ("check.stun.retransmit.backoff", 8489, "6.2.1", Should, Flow,
        "over UDP, the interval between retransmissions of a request doubles each time");
    /// RFC 8445 §14.2: transactions from all agents are not sent more often than once every 5 ms.
    ICE_PACING = ("check.ice.pacing", 8445, "14.2", MustNot, Flow,
        "an agent (known by its ufrag) does not start connectivity checks more often than once every 5 ms");
    /// RFC 8445 §7.2.2: the username of a check is the peer's ufrag, a colon, the sender's ufrag.
    ICE_USERNAME = ("check.ice.username", 8445, "7.2.2", Must, Exchange,
        "a connectivity check's USERNAME is RFRAG:LFRAG from the offer and answer");
    /// RFC 8656 §11.2: the server discards a Send indication to a peer without a permission.
    TURN_SEND_PERMISSION = ("check.turn.send.permission", 8656, "11.2", Should, Flow,
        "a Send indication goes to a peer for which a permission is installed");
    /// RFC 8656 §12.5 and §12.6: ChannelData goes on a channel bound by a successful ChannelBind.
    TURN_CHANNEL_BOUND = ("check.turn.channeldata.bound", 8656, "12.5", Should, Flow,
        "ChannelData is sent only on a channel bound by a successful ChannelBind");
    /// RFC 8656 §12: 0x4000-0x4FFF are the channel numbers; 0x5000-0xFFFF are reserved
    /// (0x5000-0x7FFF were allowed by RFC 5766 and are left to the ChannelBind rules).
    TURN_CHANNEL_NUMBER = ("check.turn.channeldata.number", 8656, "12", Must, Message,
        "a ChannelData message never uses a channel number above 0x7FFF (reserved for DTLS-SRTP multiplexing)");
    /// RFC 8656 §12.5: "The server ... MUST use the ChannelData message if a channel has been bound".
    TURN_SERVER_USES_CHANNEL = ("check.turn.server.channeldata", 8656, "12.5", Must, Flow,
        "a server relays data from a peer with a bound channel in ChannelData, not a Data indication");
    /// RFC 6347 §4.1: any given sequence/epoch pair is unique.
    DTLS_RECORD_REPLAY = ("check.dtls.record.unique", 6347, "4.1", Must, Flow,
        "no two records a side sends share an epoch and sequence number");
    /// RFC 6347 §4.2.1: "The client MUST retransmit the ClientHello with the cookie added."
    DTLS_COOKIE_ECHO = ("check.dtls.cookie.echo", 6347, "4.2.1", Must, Exchange,
        "the ClientHello after a HelloVerifyRequest carries the cookie it gave");
}

/// Largest interval ratio accepted as "doubling" (allows scheduling jitter): 2 × 0.8.
pub(crate) const BACKOFF_MIN_RATIO: f64 = 1.6;
/// Below this gap (ns), two new transactions from one host break the 5 ms pacing; 0.5 ms of
/// tolerance covers capture timestamp jitter.
pub(crate) const PACING_MIN_GAP_NS: u64 = 4_500_000;
/// RFC 8656 §9: "The Permission Lifetime MUST be 300 seconds".
pub(crate) const PERMISSION_LIFETIME_NS: u64 = 300_000_000_000;
/// RFC 8656 §12: a channel binding lasts 10 minutes unless refreshed.
pub(crate) const CHANNEL_LIFETIME_NS: u64 = 600_000_000_000;
