//! Open code points: newtypes over the wire integer with named constants, so that unknown
//! values survive parsing and print in hex (declared with [`harness_core::open_enum!`]).

harness_core::open_enum! {
    /// Record content type (RFC 6347 §4.1, RFC 9147 §4.1, RFC 9146 for `tls12_cid`).
    pub struct ContentType(u8) hex 2, unknown_display("unknown(", ")"), debug tuple;
    /// change_cipher_spec(20).
    CHANGE_CIPHER_SPEC = 20 => "change_cipher_spec",
    /// alert(21).
    ALERT = 21 => "alert",
    /// handshake(22).
    HANDSHAKE = 22 => "handshake",
    /// application_data(23).
    APPLICATION_DATA = 23 => "application_data",
    /// heartbeat(24).
    HEARTBEAT = 24 => "heartbeat",
    /// tls12_cid(25), RFC 9146.
    TLS12_CID = 25 => "tls12_cid",
    /// ack(26), RFC 9147 §7.
    ACK = 26 => "ack",
}

harness_core::open_enum! {
    /// Handshake message type (RFC 6347 §4.2.2, RFC 9147 §5.2).
    pub struct HandshakeType(u8) hex 2, unknown_display("unknown(", ")"), debug tuple;
    /// hello_request(0).
    HELLO_REQUEST = 0 => "hello_request",
    /// client_hello(1).
    CLIENT_HELLO = 1 => "client_hello",
    /// server_hello(2).
    SERVER_HELLO = 2 => "server_hello",
    /// hello_verify_request(3).
    HELLO_VERIFY_REQUEST = 3 => "hello_verify_request",
    /// new_session_ticket(4).
    NEW_SESSION_TICKET = 4 => "new_session_ticket",
    /// end_of_early_data(5).
    END_OF_EARLY_DATA = 5 => "end_of_early_data",
    /// encrypted_extensions(8).
    ENCRYPTED_EXTENSIONS = 8 => "encrypted_extensions",
    /// request_connection_id(9).
    REQUEST_CONNECTION_ID = 9 => "request_connection_id",
    /// new_connection_id(10).
    NEW_CONNECTION_ID = 10 => "new_connection_id",
    /// certificate(11).
    CERTIFICATE = 11 => "certificate",
    /// server_key_exchange(12).
    SERVER_KEY_EXCHANGE = 12 => "server_key_exchange",
    /// certificate_request(13).
    CERTIFICATE_REQUEST = 13 => "certificate_request",
    /// server_hello_done(14).
    SERVER_HELLO_DONE = 14 => "server_hello_done",
    /// certificate_verify(15).
    CERTIFICATE_VERIFY = 15 => "certificate_verify",
    /// client_key_exchange(16).
    CLIENT_KEY_EXCHANGE = 16 => "client_key_exchange",
    /// finished(20).
    FINISHED = 20 => "finished",
    /// key_update(24).
    KEY_UPDATE = 24 => "key_update",
    /// message_hash(254).
    MESSAGE_HASH = 254 => "message_hash",
}

harness_core::open_enum! {
    /// Protocol version on the wire (DTLS counts down: 1.0 = 0xfeff, 1.2 = 0xfefd, 1.3 = 0xfefc).
    pub struct ProtocolVersion(u16) hex 4, unknown_display("unknown(", ")"), debug tuple;
    /// DTLS 1.0.
    DTLS_1_0 = 0xfeff => "DTLS 1.0",
    /// DTLS 1.2.
    DTLS_1_2 = 0xfefd => "DTLS 1.2",
    /// DTLS 1.3 (only inside supported_versions).
    DTLS_1_3 = 0xfefc => "DTLS 1.3",
    /// TLS 1.2 (wrong inside DTLS).
    TLS_1_2 = 0x0303 => "TLS 1.2",
    /// TLS 1.3 (wrong inside DTLS).
    TLS_1_3 = 0x0304 => "TLS 1.3",
}

impl ProtocolVersion {
    /// A GREASE value (RFC 8701: 0x?a?a with both bytes equal).
    #[must_use]
    pub const fn is_grease(self) -> bool {
        let [hi, lo] = self.0.to_be_bytes();
        hi == lo && hi & 0x0f == 0x0a
    }

    /// True for the three DTLS versions.
    #[must_use]
    pub const fn is_dtls(self) -> bool {
        matches!(self.0, 0xfeff | 0xfefd | 0xfefc)
    }
}

harness_core::open_enum! {
    /// Hello extension type (RFC 8446 §4.2 and the registries it points to).
    pub struct ExtensionType(u16) hex 4, unknown_display("unknown(", ")"), debug tuple;
    /// server_name(0).
    SERVER_NAME = 0 => "server_name",
    /// status_request(5).
    STATUS_REQUEST = 5 => "status_request",
    /// supported_groups(10).
    SUPPORTED_GROUPS = 10 => "supported_groups",
    /// ec_point_formats(11).
    EC_POINT_FORMATS = 11 => "ec_point_formats",
    /// signature_algorithms(13).
    SIGNATURE_ALGORITHMS = 13 => "signature_algorithms",
    /// use_srtp(14), RFC 5764.
    USE_SRTP = 14 => "use_srtp",
    /// heartbeat(15).
    HEARTBEAT = 15 => "heartbeat",
    /// application_layer_protocol_negotiation(16).
    ALPN = 16 => "application_layer_protocol_negotiation",
    /// padding(21).
    PADDING = 21 => "padding",
    /// encrypt_then_mac(22).
    ENCRYPT_THEN_MAC = 22 => "encrypt_then_mac",
    /// extended_master_secret(23).
    EXTENDED_MASTER_SECRET = 23 => "extended_master_secret",
    /// record_size_limit(28).
    RECORD_SIZE_LIMIT = 28 => "record_size_limit",
    /// session_ticket(35).
    SESSION_TICKET = 35 => "session_ticket",
    /// pre_shared_key(41).
    PRE_SHARED_KEY = 41 => "pre_shared_key",
    /// early_data(42).
    EARLY_DATA = 42 => "early_data",
    /// supported_versions(43).
    SUPPORTED_VERSIONS = 43 => "supported_versions",
    /// cookie(44).
    COOKIE = 44 => "cookie",
    /// psk_key_exchange_modes(45).
    PSK_KEY_EXCHANGE_MODES = 45 => "psk_key_exchange_modes",
    /// certificate_authorities(47).
    CERTIFICATE_AUTHORITIES = 47 => "certificate_authorities",
    /// post_handshake_auth(49).
    POST_HANDSHAKE_AUTH = 49 => "post_handshake_auth",
    /// signature_algorithms_cert(50).
    SIGNATURE_ALGORITHMS_CERT = 50 => "signature_algorithms_cert",
    /// key_share(51).
    KEY_SHARE = 51 => "key_share",
    /// connection_id(54), RFC 9146.
    CONNECTION_ID = 54 => "connection_id",
    /// renegotiation_info(0xff01).
    RENEGOTIATION_INFO = 0xff01 => "renegotiation_info",
}

harness_core::open_enum! {
    /// Named group for key exchange (RFC 8446 §4.2.7, plus the hybrid post-quantum groups).
    pub struct NamedGroup(u16) hex 4, unknown_display("unknown(", ")"), debug tuple;
    /// secp256r1.
    SECP256R1 = 0x0017 => "secp256r1",
    /// secp384r1.
    SECP384R1 = 0x0018 => "secp384r1",
    /// secp521r1.
    SECP521R1 = 0x0019 => "secp521r1",
    /// x25519.
    X25519 = 0x001d => "x25519",
    /// x448.
    X448 = 0x001e => "x448",
    /// ffdhe2048.
    FFDHE2048 = 0x0100 => "ffdhe2048",
    /// SecP256r1MLKEM768 (hybrid).
    SECP256R1_MLKEM768 = 0x11eb => "SecP256r1MLKEM768",
    /// X25519MLKEM768 (hybrid; 1216-byte client share, 1120-byte server share).
    X25519_MLKEM768 = 0x11ec => "X25519MLKEM768",
    /// SecP384r1MLKEM1024 (hybrid).
    SECP384R1_MLKEM1024 = 0x11ed => "SecP384r1MLKEM1024",
    /// X25519Kyber768Draft00 (pre-standard hybrid).
    X25519_KYBER768_DRAFT00 = 0x6399 => "X25519Kyber768Draft00",
}

impl NamedGroup {
    /// The exact `key_exchange` length RFC 8446 §4.2.8.2 fixes for ECDHE groups.
    #[must_use]
    pub const fn ecdhe_share_len(self) -> Option<usize> {
        match self.0 {
            0x0017 => Some(65),
            0x0018 => Some(97),
            0x0019 => Some(133),
            0x001d => Some(32),
            0x001e => Some(56),
            _ => None,
        }
    }

    /// True for the hybrid post-quantum groups.
    #[must_use]
    pub const fn is_hybrid_pq(self) -> bool {
        matches!(self.0, 0x11eb..=0x11ed | 0x6399)
    }
}

harness_core::open_enum! {
    /// SRTP protection profile (RFC 5764 §4.1.2, RFC 7714 §14.2).
    pub struct SrtpProfile(u16) hex 4, unknown_display("unknown(", ")"), debug tuple;
    /// SRTP_AES128_CM_HMAC_SHA1_80.
    AES128_CM_HMAC_SHA1_80 = 0x0001 => "SRTP_AES128_CM_HMAC_SHA1_80",
    /// SRTP_AES128_CM_HMAC_SHA1_32.
    AES128_CM_HMAC_SHA1_32 = 0x0002 => "SRTP_AES128_CM_HMAC_SHA1_32",
    /// SRTP_NULL_HMAC_SHA1_80.
    NULL_HMAC_SHA1_80 = 0x0005 => "SRTP_NULL_HMAC_SHA1_80",
    /// SRTP_NULL_HMAC_SHA1_32.
    NULL_HMAC_SHA1_32 = 0x0006 => "SRTP_NULL_HMAC_SHA1_32",
    /// SRTP_AEAD_AES_128_GCM.
    AEAD_AES_128_GCM = 0x0007 => "SRTP_AEAD_AES_128_GCM",
    /// SRTP_AEAD_AES_256_GCM.
    AEAD_AES_256_GCM = 0x0008 => "SRTP_AEAD_AES_256_GCM",
}

harness_core::open_enum! {
    /// Alert level (RFC 5246 §7.2).
    pub struct AlertLevel(u8) hex 2, unknown_display("unknown(", ")"), debug tuple;
    /// warning(1).
    WARNING = 1 => "warning",
    /// fatal(2).
    FATAL = 2 => "fatal",
}

harness_core::open_enum! {
    /// Alert description (RFC 5246 §7.2, RFC 8446 §6).
    pub struct AlertDescription(u8) hex 2, unknown_display("unknown(", ")"), debug tuple;
    /// close_notify(0).
    CLOSE_NOTIFY = 0 => "close_notify",
    /// unexpected_message(10).
    UNEXPECTED_MESSAGE = 10 => "unexpected_message",
    /// bad_record_mac(20).
    BAD_RECORD_MAC = 20 => "bad_record_mac",
    /// decryption_failed_RESERVED(21).
    DECRYPTION_FAILED = 21 => "decryption_failed_RESERVED",
    /// record_overflow(22).
    RECORD_OVERFLOW = 22 => "record_overflow",
    /// decompression_failure(30).
    DECOMPRESSION_FAILURE = 30 => "decompression_failure",
    /// handshake_failure(40).
    HANDSHAKE_FAILURE = 40 => "handshake_failure",
    /// no_certificate_RESERVED(41).
    NO_CERTIFICATE = 41 => "no_certificate_RESERVED",
    /// bad_certificate(42).
    BAD_CERTIFICATE = 42 => "bad_certificate",
    /// unsupported_certificate(43).
    UNSUPPORTED_CERTIFICATE = 43 => "unsupported_certificate",
    /// certificate_revoked(44).
    CERTIFICATE_REVOKED = 44 => "certificate_revoked",
    /// certificate_expired(45).
    CERTIFICATE_EXPIRED = 45 => "certificate_expired",
    /// certificate_unknown(46).
    CERTIFICATE_UNKNOWN = 46 => "certificate_unknown",
    /// illegal_parameter(47).
    ILLEGAL_PARAMETER = 47 => "illegal_parameter",
    /// unknown_ca(48).
    UNKNOWN_CA = 48 => "unknown_ca",
    /// access_denied(49).
    ACCESS_DENIED = 49 => "access_denied",
    /// decode_error(50).
    DECODE_ERROR = 50 => "decode_error",
    /// decrypt_error(51).
    DECRYPT_ERROR = 51 => "decrypt_error",
    /// export_restriction_RESERVED(60).
    EXPORT_RESTRICTION = 60 => "export_restriction_RESERVED",
    /// protocol_version(70).
    PROTOCOL_VERSION = 70 => "protocol_version",
    /// insufficient_security(71).
    INSUFFICIENT_SECURITY = 71 => "insufficient_security",
    /// internal_error(80).
    INTERNAL_ERROR = 80 => "internal_error",
    /// inappropriate_fallback(86).
    INAPPROPRIATE_FALLBACK = 86 => "inappropriate_fallback",
    /// user_canceled(90).
    USER_CANCELED = 90 => "user_canceled",
    /// no_renegotiation(100).
    NO_RENEGOTIATION = 100 => "no_renegotiation",
    /// missing_extension(109).
    MISSING_EXTENSION = 109 => "missing_extension",
    /// unsupported_extension(110).
    UNSUPPORTED_EXTENSION = 110 => "unsupported_extension",
    /// unrecognized_name(112).
    UNRECOGNIZED_NAME = 112 => "unrecognized_name",
    /// bad_certificate_status_response(113).
    BAD_CERTIFICATE_STATUS_RESPONSE = 113 => "bad_certificate_status_response",
    /// unknown_psk_identity(115).
    UNKNOWN_PSK_IDENTITY = 115 => "unknown_psk_identity",
    /// certificate_required(116).
    CERTIFICATE_REQUIRED = 116 => "certificate_required",
    /// no_application_protocol(120).
    NO_APPLICATION_PROTOCOL = 120 => "no_application_protocol",
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_values_survive_and_print_in_hex() {
        assert_eq!(ContentType(99).to_string(), "unknown(0x63)");
        assert_eq!(ExtensionType(0xfe0d).to_string(), "unknown(0xfe0d)");
        assert_eq!(NamedGroup(0x11ec).to_string(), "X25519MLKEM768");
        assert!(ProtocolVersion(0x3a3a).is_grease());
        assert!(!ProtocolVersion::DTLS_1_3.is_grease());
    }
}
