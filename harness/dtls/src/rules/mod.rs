//! The DTLS rule catalogue and the validators that apply it.
//!
//! * [`check_datagram`] judges one datagram: record headers and the plaintext content of
//!   each record (whole handshake messages, alerts, ChangeCipherSpec, ACKs).
//! * [`check_message`] judges one complete handshake message body.
//! * [`crate::observer::Observer`] follows a handshake across datagrams and adds the rules
//!   that need more than one message (fragment consistency, retransmissions, ServerHello
//!   against ClientHello, the certificate against the SDP fingerprint).
//!
//! Every section number below was looked up in the RFC text.

mod cases;
pub(crate) mod check;
mod hello;

pub use cases::cases;
pub use check::{check_datagram, check_message};

harness_core::rules! {
    /// Every DTLS rule.
    pub RULES;
    /// RFC 6347 §4.1: the record version is a DTLS version.
    RECORD_VERSION = ("dtls.record.version", 6347, "4.1", Must, Message,
        "the record version is a DTLS version ({254,253} for DTLS 1.2, {254,255} for DTLS 1.0)");
    /// RFC 9147 §4: legacy_record_version is {254,253} except on the initial ClientHello.
    DTLS13_RECORD_LEGACY_VERSION = ("dtls13.record.legacy_version", 9147, "4", Must, Message,
        "with DTLS 1.3, legacy_record_version is {254,253} on every record but the initial ClientHello");
    /// RFC 5246 §6.2.1: TLSPlaintext.length MUST NOT exceed 2^14.
    RECORD_PLAINTEXT_LENGTH = ("dtls.record.plaintext_length", 5246, "6.2.1", MustNot, Message,
        "a plaintext (epoch 0) fragment does not exceed 2^14 bytes");
    /// RFC 5246 §6.2.3: TLSCiphertext.length MUST NOT exceed 2^14 + 2048.
    RECORD_CIPHERTEXT_LENGTH = ("dtls.record.ciphertext_length", 5246, "6.2.3", MustNot, Message,
        "a protected DTLS 1.2 fragment does not exceed 2^14 + 2048 bytes");
    /// RFC 8446 §5.2: TLSCiphertext.length MUST NOT exceed 2^14 + 256.
    DTLS13_RECORD_CIPHERTEXT_LENGTH = ("dtls13.record.ciphertext_length", 8446, "5.2", MustNot, Message,
        "a DTLS 1.3 protected record does not exceed 2^14 + 256 bytes");
    /// RFC 9147 §4.1: a first byte that is neither a known content type nor 001xxxxx is rejected.
    RECORD_CONTENT_TYPE = ("dtls.record.content_type", 9147, "4.1", Must, Message,
        "a record starts with a known content type (20..26) or a unified header (001xxxxx)");
    /// RFC 9147 §4.2.3: receivers MUST reject records shorter than 16 bytes of ciphertext.
    DTLS13_RECORD_MIN_CIPHERTEXT = ("dtls13.record.min_ciphertext", 9147, "4.2.3", Must, Message,
        "a DTLS 1.3 protected record carries at least 16 bytes of ciphertext");
    /// RFC 6347 §4.1: it is impermissible to send data before the first handshake completes.
    RECORD_APPLICATION_DATA_EPOCH0 = ("dtls.record.application_data_epoch0", 6347, "4.1", MustNot, Message,
        "application data is not sent in epoch 0, before the first handshake completes");
    /// RFC 9147 §4: sending implementations MUST NOT mix records from multiple associations.
    DTLS13_RECORD_SINGLE_ASSOCIATION = ("dtls13.record.single_association", 9147, "4", MustNot, Message,
        "the records of one datagram do not mix connection ids (associations)");
    /// RFC 6347 §4.1: any given sequence/epoch pair is unique.
    RECORD_SEQUENCE_UNIQUE = ("dtls.record.sequence_unique", 6347, "4.1", Must, Message,
        "no two records of one datagram share an epoch and sequence number");
    /// RFC 5246 §7.1: ChangeCipherSpec is a single byte of value 1.
    CCS_VALUE = ("dtls.ccs.value", 5246, "7.1", Must, Message,
        "a ChangeCipherSpec message is a single byte of value 1");
    /// RFC 9147 §7: ACK is `RecordNumber record_numbers<0..2^16-1>`.
    DTLS13_ACK_FORMAT = ("dtls13.ack.format", 9147, "7", Must, Message,
        "an ACK is a list of 16-byte RecordNumbers that frames exactly");
    /// RFC 9147 §7: record_numbers are in numerically increasing order.
    DTLS13_ACK_ORDER = ("dtls13.ack.order", 9147, "7", Must, Message,
        "the record numbers of an ACK are in numerically increasing order");
    /// RFC 6347 §4.2.3: fragments jointly contain the message and stay inside it.
    HANDSHAKE_FRAGMENT_BOUNDS = ("dtls.handshake.fragment_bounds", 6347, "4.2.3", Must, Message,
        "fragment_offset + fragment_length does not exceed the message length");
    /// RFC 6347 §4.2.3: the length field in all fragments is the length of the original message.
    HANDSHAKE_LENGTH_CONSISTENT = ("dtls.handshake.length_consistent", 6347, "4.2.3", Must, Flow,
        "every fragment of a message carries the same length and type");
    /// RFC 9147 §5.5: senders MUST NOT change handshake message bytes upon retransmission.
    HANDSHAKE_RETRANSMISSION_IDENTICAL = ("dtls.handshake.retransmission_identical", 9147, "5.5", MustNot, Flow,
        "handshake message bytes do not change on retransmission or between overlapping fragments");
    /// RFC 6347 §4.2.3: the ranges SHOULD NOT overlap.
    HANDSHAKE_NO_OVERLAP = ("dtls.handshake.no_overlap", 6347, "4.2.3", ShouldNot, Message,
        "the fragments of one message sent in one datagram do not overlap");
    /// RFC 6347 §4.2.3: the message is divided into N contiguous data ranges.
    HANDSHAKE_EMPTY_FRAGMENT = ("dtls.handshake.empty_fragment", 6347, "4.2.3", ShouldNot, Message,
        "a fragment of a non-empty message carries at least one byte");
    /// RFC 6347 §4.2.2: the first message each side transmits has message_seq = 0.
    HANDSHAKE_FIRST_MESSAGE_SEQ = ("dtls.handshake.first_message_seq", 6347, "4.2.2", Must, Message,
        "an initial ClientHello (no cookie) has message_seq 0");
    /// RFC 6347 §4.2.2: message_seq is incremented by one for each new message.
    HANDSHAKE_MESSAGE_SEQ_INCREMENT = ("dtls.handshake.message_seq_increment", 6347, "4.2.2", Must, Message,
        "distinct messages of one datagram have message_seq values that increase by one");
    /// RFC 6347 §4.1: DTLS 1.2 uses version {254,253}; DTLS 1.0 {254,255}.
    CLIENT_HELLO_VERSION = ("dtls.client_hello.version", 6347, "4.1", Must, Message,
        "ClientHello.client_version is a DTLS version");
    /// RFC 9147 §5.3: legacy_version MUST be set to {254,253}.
    DTLS13_CLIENT_HELLO_LEGACY_VERSION = ("dtls13.client_hello.legacy_version", 9147, "5.3", Must, Message,
        "a ClientHello offering DTLS 1.3 has legacy_version {254,253}");
    /// RFC 5246 §7.4.1.2: opaque SessionID<0..32>.
    HELLO_SESSION_ID_LENGTH = ("dtls.hello.session_id_length", 5246, "7.4.1.2", Must, Message,
        "a hello's session_id is at most 32 bytes");
    /// RFC 6347 §4.2.1: the cookie limit remains 32 for previous versions of DTLS.
    DTLS10_COOKIE_LENGTH = ("dtls.cookie.dtls10_length", 6347, "4.2.1", Must, Message,
        "a DTLS 1.0 cookie (ClientHello or HelloVerifyRequest) is at most 32 bytes");
    /// RFC 9147 §5.3: a DTLS 1.3-only client MUST set legacy_cookie to zero length.
    DTLS13_CLIENT_HELLO_LEGACY_COOKIE = ("dtls13.client_hello.legacy_cookie", 9147, "5.3", Must, Message,
        "a DTLS 1.3-only ClientHello has an empty legacy_cookie");
    /// RFC 5246 §7.4.1.2: CipherSuite cipher_suites<2..2^16-2>.
    CLIENT_HELLO_CIPHER_SUITES = ("dtls.client_hello.cipher_suites", 5246, "7.4.1.2", Must, Message,
        "cipher_suites holds at least one suite and a whole number of two-byte values");
    /// RFC 5246 §7.4.1.2: the vector MUST contain CompressionMethod.null.
    CLIENT_HELLO_NULL_COMPRESSION = ("dtls.client_hello.null_compression", 5246, "7.4.1.2", Must, Message,
        "compression_methods contains null (0)");
    /// RFC 8446 §4.1.2: legacy_compression_methods MUST contain exactly one byte, set to zero.
    DTLS13_CLIENT_HELLO_COMPRESSION = ("dtls13.client_hello.compression", 8446, "4.1.2", Must, Message,
        "a ClientHello offering DTLS 1.3 has legacy_compression_methods of exactly one byte, 0");
    /// RFC 5246 §7.4.1.4: there MUST NOT be more than one extension of the same type.
    EXTENSIONS_NO_DUPLICATES = ("dtls.extensions.no_duplicates", 5246, "7.4.1.4", MustNot, Message,
        "no extension type appears twice in one hello");
    /// RFC 8446 §4.2.11: pre_shared_key MUST be the last extension in the ClientHello.
    EXTENSIONS_PRE_SHARED_KEY_LAST = ("dtls.extensions.pre_shared_key_last", 8446, "4.2.11", Must, Message,
        "pre_shared_key, when offered, is the last extension of the ClientHello");
    /// RFC 8446 §4.2.9: a client MUST provide psk_key_exchange_modes if it offers pre_shared_key.
    EXTENSIONS_PSK_MODES = ("dtls.extensions.psk_modes_with_psk", 8446, "4.2.9", Must, Message,
        "a ClientHello offering pre_shared_key also sends psk_key_exchange_modes");
    /// RFC 9147 §5.3: the supported_versions entries for DTLS are 0xfeff, 0xfefd, 0xfefc.
    DTLS13_SUPPORTED_VERSIONS_VALUES = ("dtls13.supported_versions.dtls_values", 9147, "5.3", Must, Message,
        "supported_versions carries DTLS version values (0xfefc, 0xfefd, 0xfeff), not TLS ones");
    /// RFC 8446 §4.2.8: each KeyShareEntry MUST correspond to a group in supported_groups.
    KEY_SHARE_GROUP_OFFERED = ("dtls.key_share.group_in_supported_groups", 8446, "4.2.8", Must, Message,
        "each key share's group is listed in supported_groups");
    /// RFC 8446 §4.2.8: clients MUST NOT offer multiple KeyShareEntry values for the same group.
    KEY_SHARE_UNIQUE_GROUPS = ("dtls.key_share.unique_groups", 8446, "4.2.8", MustNot, Message,
        "no two key shares of a ClientHello are for the same group");
    /// RFC 8446 §4.2.8.2: ECDHE key_exchange sizes are fixed by the group.
    KEY_SHARE_ECDHE_LENGTH = ("dtls.key_share.ecdhe_length", 8446, "4.2.8.2", Must, Message,
        "an ECDHE key share has the length its group fixes (32 for x25519, 65 for secp256r1 ...)");
    /// RFC 5764 §4.1.1: SRTPProtectionProfile SRTPProtectionProfiles<2..2^16-1>.
    USE_SRTP_PROFILES = ("dtls.use_srtp.profiles", 5764, "4.1.1", Must, Message,
        "a client's use_srtp lists at least one protection profile");
    /// RFC 5764 §4.1.1: the server's use_srtp contains a single profile.
    USE_SRTP_SERVER_SINGLE_PROFILE = ("dtls.use_srtp.server_single_profile", 5764, "4.1.1", Must, Message,
        "a server's use_srtp holds exactly one protection profile");
    /// RFC 5764 §4.1.1: the server MUST NOT select a value that the client has not offered.
    USE_SRTP_SERVER_PROFILE_OFFERED = ("dtls.use_srtp.server_profile_offered", 5764, "4.1.1", MustNot, Exchange,
        "the server selects an SRTP protection profile the client offered");
    /// RFC 5246 §7.4.1.4: an extension type MUST NOT appear in the ServerHello unless offered.
    SERVER_HELLO_EXTENSION_OFFERED = ("dtls.server_hello.extension_offered", 5246, "7.4.1.4", MustNot, Exchange,
        "a ServerHello carries no extension type the ClientHello did not offer");
    /// RFC 9147 §5.4: the DTLS 1.3 ServerHello legacy_version is 0xfefd.
    DTLS13_SERVER_HELLO_LEGACY_VERSION = ("dtls13.server_hello.legacy_version", 9147, "5.4", Must, Message,
        "a ServerHello selecting DTLS 1.3 (or a HelloRetryRequest) has legacy_version 0xfefd");
    /// RFC 8446 §4.1.3: legacy_compression_method MUST have the value 0.
    DTLS13_SERVER_HELLO_COMPRESSION = ("dtls13.server_hello.compression", 8446, "4.1.3", Must, Message,
        "a ServerHello selecting DTLS 1.3 has legacy_compression_method 0");
    /// RFC 6347 §4.2.1: DTLS 1.2 servers SHOULD use DTLS 1.0 in HelloVerifyRequest.
    HELLO_VERIFY_REQUEST_VERSION = ("dtls.hello_verify_request.version", 6347, "4.2.1", Should, Message,
        "HelloVerifyRequest.server_version is DTLS 1.0 ({254,255})");
    /// RFC 5246 §7.4.5: `struct { } ServerHelloDone;`.
    SERVER_HELLO_DONE_EMPTY = ("dtls.server_hello_done.empty", 5246, "7.4.5", Must, Message,
        "ServerHelloDone has an empty body");
    /// RFC 5246 §7.2: AlertLevel is warning(1) or fatal(2).
    ALERT_LEVEL = ("dtls.alert.level", 5246, "7.2", Must, Message,
        "an alert's level is warning(1) or fatal(2)");
    /// RFC 8446 §6: the alert descriptions (with RFC 5246 §7.2's older ones).
    ALERT_DESCRIPTION = ("dtls.alert.description", 8446, "6", Should, Message,
        "an alert's description is a registered AlertDescription");
    /// RFC 5246 §7.2.2: these error alerts are always fatal.
    ALERT_ALWAYS_FATAL = ("dtls.alert.always_fatal", 5246, "7.2.2", Must, Message,
        "error alerts that are always fatal are sent with level fatal");
    /// RFC 8446 §5.1: alerts are not fragmented and not coalesced.
    ALERT_ONE_PER_RECORD = ("dtls.alert.one_per_record", 8446, "5.1", MustNot, Message,
        "a plaintext alert record carries exactly one two-byte alert");
    /// RFC 8122 §6.2: a certificate that does not match the fingerprint terminates the connection.
    CERTIFICATE_FINGERPRINT = ("dtls.certificate.fingerprint", 8122, "6.2", Must, Exchange,
        "the leaf certificate matches an a=fingerprint of the session description");
}

/// The catalogue of DTLS rules with their coverage cases.
#[must_use]
pub fn catalogue() -> harness_core::rules::Catalogue {
    harness_core::rules::Catalogue {
        protocol: "dtls",
        rules: RULES,
        cases,
    }
}
