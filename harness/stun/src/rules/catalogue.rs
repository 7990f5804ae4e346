//! The STUN rule declarations. Each rule cites the section of the RFC text (in
//! `/work/shared/rfc`) whose requirement it checks.

harness_core::rules! {
    /// Every STUN rule, in report order.
    pub RULES;

    /// RFC 8489 §5: "The most significant 2 bits of every STUN message MUST be zeroes."
    HEADER_TOP_BITS = ("stun.header.top-bits", 8489, "5", Must, Message,
        "the two most significant bits of the message are zero");
    /// RFC 8489 §5: "The Magic Cookie field MUST contain the fixed value 0x2112A442" (a message
    /// without it is an RFC 3489 classic message; §11).
    HEADER_MAGIC_COOKIE = ("stun.header.magic-cookie", 8489, "5", Must, Message,
        "the magic cookie field holds 0x2112A442");
    /// RFC 8489 §5: all attributes are padded to a multiple of 4 bytes, "the last 2 bits of this
    /// field are always zero".
    HEADER_LENGTH_MULTIPLE_OF_4 = ("stun.header.length-multiple-of-4", 8489, "5", Must, Message,
        "the message length is a multiple of 4");
    /// RFC 8489 §5: "The message length MUST contain the size of the message in bytes, not
    /// including the 20-byte STUN header."
    HEADER_LENGTH_MATCHES_DATAGRAM = ("stun.header.length-matches-datagram", 8489, "5", Must, Message,
        "the message length equals the bytes after the header in the datagram");
    /// RFC 8489 §6.3: the receiver "checks ... that the method value is a supported method".
    METHOD_KNOWN = ("stun.method.known", 8489, "6.3", May, Message,
        "the method is a registered one (Binding, the TURN methods)");
    /// RFC 8656 §17 (Table 4): Send and Data have "only indication semantics defined".
    TURN_INDICATION_ONLY = ("stun.turn.indication-only", 8656, "17", Must, Message,
        "Send and Data are indications only");
    /// RFC 8656 §17 (Table 4): Allocate, Refresh, CreatePermission and ChannelBind have "only
    /// request/response semantics defined".
    TURN_NO_INDICATION = ("stun.turn.no-indication", 8656, "17", Must, Message,
        "Allocate, Refresh, CreatePermission and ChannelBind are never indications");
    /// RFC 8489 §6.3.1.1: "For an error response, the server MUST add an ERROR-CODE attribute".
    ERROR_RESPONSE_HAS_ERROR_CODE = ("stun.error-response.error-code", 8489, "6.3.1.1", Must, Message,
        "an error response carries ERROR-CODE");
    /// RFC 8489 §14.8: "The ERROR-CODE attribute is used in error response messages."
    ERROR_CODE_ONLY_IN_ERROR_RESPONSE = ("stun.error-code.only-in-error-response", 8489, "14.8", Should, Message,
        "ERROR-CODE appears only in error responses");
    /// RFC 8489 §6.3.1.1: "for an error code of 420 (Unknown Attribute), the server MUST include
    /// an UNKNOWN-ATTRIBUTES attribute".
    ERROR_420_HAS_UNKNOWN_ATTRIBUTES = ("stun.error-420.unknown-attributes", 8489, "6.3.1.1", Must, Message,
        "a 420 error response carries UNKNOWN-ATTRIBUTES");
    /// RFC 8489 §6.3.1.1: "When forming the success response, the server adds an
    /// XOR-MAPPED-ADDRESS attribute to the response".
    BINDING_SUCCESS_XOR_MAPPED = ("stun.binding.success-xor-mapped-address", 8489, "6.3.1.1", Must, Message,
        "a Binding success response carries XOR-MAPPED-ADDRESS");
    /// RFC 8489 §14: "Each attribute MUST be TLV encoded, with a 16-bit type, 16-bit length".
    ATTR_HEADER_TRUNCATED = ("stun.attr.header-truncated", 8489, "14", Must, Message,
        "the attribute area holds whole 4-byte attribute headers");
    /// RFC 8489 §14: "The value in the Length field MUST contain the length of the Value part
    /// of the attribute".
    ATTR_OVERRUN = ("stun.attr.overrun", 8489, "14", Must, Message,
        "an attribute's value fits inside the message");
    /// RFC 8489 §14: "Each STUN attribute MUST end on a 32-bit boundary."
    ATTR_BOUNDARY = ("stun.attr.boundary", 8489, "14", Must, Message,
        "each attribute, with its padding, ends on a 32-bit boundary");
    /// RFC 8489 §14: "The padding bits MUST be set to zero on sending" (RFC 5389 §15 allowed any
    /// value, which is why the RFC 5769 samples pad with spaces).
    ATTR_PADDING_ZERO = ("stun.attr.padding-zero", 8489, "14", Must, Message,
        "padding bytes are zero");
    /// RFC 8489 §14: "only the first occurrence needs to be processed by a receiver, and any
    /// duplicates MAY be ignored by a receiver."
    ATTR_DUPLICATE = ("stun.attr.duplicate", 8489, "14", May, Message,
        "an attribute type appears once (later duplicates may be ignored)");
    /// RFC 8489 §6.3 and §6.3.1: unknown comprehension-required attributes make a request fail
    /// with 420 and a response be discarded.
    ATTR_UNKNOWN_COMPREHENSION_REQUIRED = ("stun.attr.unknown-comprehension-required", 8489, "6.3", Must, Message,
        "no unknown comprehension-required attribute (0x0000-0x7FFF)");
    /// RFC 8489 §14.1: family 0x01 (IPv4) or 0x02 (IPv6).
    ADDRESS_FAMILY = ("stun.address.family", 8489, "14.1", Must, Message,
        "address attributes use family 0x01 or 0x02");
    /// RFC 8489 §14.1: "If the address family is IPv4, the address MUST be 32 bits. If the
    /// address family is IPv6, the address MUST be 128 bits."
    ADDRESS_LENGTH = ("stun.address.length", 8489, "14.1", Must, Message,
        "address attributes are 8 bytes (IPv4) or 20 bytes (IPv6)");
    /// RFC 8489 §14.1: "The first 8 bits of the MAPPED-ADDRESS MUST be set to 0".
    ADDRESS_FIRST_BYTE_ZERO = ("stun.address.first-byte-zero", 8489, "14.1", Must, Message,
        "the first byte of an address attribute is zero");
    /// RFC 8489 §14.8: the value is 4 bytes of class and number, then the reason phrase.
    ERROR_CODE_LENGTH = ("stun.error-code.length", 8489, "14.8", Must, Message,
        "ERROR-CODE is at least 4 bytes");
    /// RFC 8489 §14.8: "The Class ... MUST be between 3 and 6."
    ERROR_CODE_CLASS_RANGE = ("stun.error-code.class-range", 8489, "14.8", Must, Message,
        "the ERROR-CODE class is between 3 and 6");
    /// RFC 8489 §14.8: the Number "MUST be between 0 and 99".
    ERROR_CODE_NUMBER_RANGE = ("stun.error-code.number-range", 8489, "14.8", Must, Message,
        "the ERROR-CODE number is between 0 and 99");
    /// RFC 8489 §14.8: "The Reserved bits SHOULD be 0".
    ERROR_CODE_RESERVED_ZERO = ("stun.error-code.reserved-zero", 8489, "14.8", Should, Message,
        "the ERROR-CODE reserved bits are zero");
    /// RFC 8489 §14.8: the reason phrase "MUST be a UTF-8-encoded sequence of fewer than 128
    /// characters".
    ERROR_CODE_REASON_LENGTH = ("stun.error-code.reason-length", 8489, "14.8", Must, Message,
        "the ERROR-CODE reason phrase is fewer than 128 characters");
    /// RFC 8489 §14.13: "present only in an error response when the response code in the
    /// ERROR-CODE attribute is 420".
    UNKNOWN_ATTRIBUTES_ONLY_IN_420 = ("stun.unknown-attributes.only-in-420", 8489, "14.13", Must, Message,
        "UNKNOWN-ATTRIBUTES appears only in 420 error responses");
    /// RFC 8489 §14.13: the value is a list of 16-bit attribute types.
    UNKNOWN_ATTRIBUTES_EVEN_LENGTH = ("stun.unknown-attributes.even-length", 8489, "14.13", Must, Message,
        "UNKNOWN-ATTRIBUTES is a whole number of 16-bit types");
    /// RFC 8489 §14.3: USERNAME "MUST contain a UTF-8-encoded sequence of fewer than 509 bytes".
    USERNAME_LENGTH = ("stun.username.length", 8489, "14.3", Must, Message,
        "USERNAME is fewer than 509 bytes");
    /// RFC 5389 §15.3: USERNAME "MUST contain a UTF-8 encoded sequence of less than 513 bytes".
    USERNAME_LENGTH_RFC5389 = ("stun.username.length-rfc5389", 5389, "15.3", Must, Message,
        "USERNAME is fewer than 513 bytes (RFC 5389 peers)");
    /// RFC 8489 §14.3, §14.8, §14.9, §14.10, §14.14: text values are UTF-8.
    TEXT_UTF8 = ("stun.text.utf8", 8489, "14.3", Must, Message,
        "USERNAME, REALM, NONCE, SOFTWARE and reason phrases are UTF-8");
    /// RFC 8489 §14.9: REALM "MUST be a UTF-8-encoded sequence of fewer than 128 characters".
    REALM_LENGTH = ("stun.realm.length", 8489, "14.9", Must, Message,
        "REALM is fewer than 128 characters");
    /// RFC 8489 §14.10: NONCE "MUST be fewer than 128 characters".
    NONCE_LENGTH = ("stun.nonce.length", 8489, "14.10", Must, Message,
        "NONCE is fewer than 128 characters");
    /// RFC 8489 §14.14: SOFTWARE "MUST be a UTF-8-encoded sequence of fewer than 128 characters".
    SOFTWARE_LENGTH = ("stun.software.length", 8489, "14.14", Must, Message,
        "SOFTWARE is fewer than 128 characters");
    /// RFC 8489 §14.16: ALTERNATE-DOMAIN "MUST be a valid DNS name ... of 255 or fewer ASCII
    /// characters".
    ALTERNATE_DOMAIN_LENGTH = ("stun.alternate-domain.length", 8489, "14.16", Must, Message,
        "ALTERNATE-DOMAIN is at most 255 ASCII characters");
    /// RFC 8489 §14.4: "The value of USERHASH has a fixed length of 32 bytes."
    USERHASH_LENGTH = ("stun.userhash.length", 8489, "14.4", Must, Message,
        "USERHASH is 32 bytes");
    /// RFC 8489 §14.5: "Since it uses the SHA-1 hash, the HMAC will be 20 bytes."
    MESSAGE_INTEGRITY_LENGTH = ("stun.message-integrity.length", 8489, "14.5", Must, Message,
        "MESSAGE-INTEGRITY is 20 bytes");
    /// RFC 8489 §14.6: "it MUST be at least 16 bytes and MUST be a multiple of 4 bytes" (at most 32).
    MESSAGE_INTEGRITY_SHA256_LENGTH = ("stun.message-integrity-sha256.length", 8489, "14.6", Must, Message,
        "MESSAGE-INTEGRITY-SHA256 is 16 to 32 bytes, a multiple of 4");
    /// RFC 8489 §14.6: "The value must be the full 32 bytes unless the STUN Usage explicitly
    /// specifies that truncation is allowed."
    MESSAGE_INTEGRITY_SHA256_TRUNCATED = ("stun.message-integrity-sha256.truncated", 8489, "14.6", Should, Message,
        "MESSAGE-INTEGRITY-SHA256 is the full 32 bytes unless the usage allows truncation");
    /// RFC 8489 §14.7: FINGERPRINT is a 32-bit CRC.
    FINGERPRINT_LENGTH = ("stun.fingerprint.length", 8489, "14.7", Must, Message,
        "FINGERPRINT is 4 bytes");
    /// RFC 8489 §14.7: "When present, the FINGERPRINT attribute MUST be the last attribute in
    /// the message".
    FINGERPRINT_LAST = ("stun.fingerprint.last", 8489, "14.7", Must, Message,
        "FINGERPRINT, when present, is the last attribute");
    /// RFC 8489 §9: "agents MUST ignore all attributes that follow MESSAGE-INTEGRITY, with the
    /// exception of the MESSAGE-INTEGRITY-SHA256 and FINGERPRINT attributes."
    MESSAGE_INTEGRITY_FOLLOWERS = ("stun.message-integrity.followers", 8489, "9", Must, Message,
        "only MESSAGE-INTEGRITY-SHA256 and FINGERPRINT follow MESSAGE-INTEGRITY");
    /// RFC 8489 §9: "agents MUST ignore all attributes that follow the MESSAGE-INTEGRITY-SHA256
    /// attribute if the MESSAGE-INTEGRITY attribute is not present, with the exception of the
    /// FINGERPRINT attribute."
    MESSAGE_INTEGRITY_SHA256_FOLLOWERS = ("stun.message-integrity-sha256.followers", 8489, "9", Must, Message,
        "only FINGERPRINT follows MESSAGE-INTEGRITY-SHA256 (without MESSAGE-INTEGRITY)");
    /// RFC 8489 §9.1.2 (and §9.2.3.2): a request or indication with message integrity includes
    /// USERNAME (or, long-term, USERHASH).
    INTEGRITY_NEEDS_USERNAME = ("stun.integrity.username-present", 8489, "9.1.2", Must, Message,
        "a request or indication with message integrity carries USERNAME or USERHASH");
    /// RFC 8489 §9.2.3.2: a long-term request "MUST include either the USERNAME or USERHASH,
    /// REALM, NONCE" with its message integrity.
    LONG_TERM_REALM_NONCE = ("stun.long-term.realm-nonce", 8489, "9.2.3.2", Must, Message,
        "a request with REALM and message integrity also carries NONCE");
    /// RFC 8489 §14.5 and §9.1.3 / §9.2.4: with known credentials, MESSAGE-INTEGRITY must match.
    MESSAGE_INTEGRITY_MISMATCH = ("stun.message-integrity.mismatch", 8489, "14.5", Must, Message,
        "MESSAGE-INTEGRITY matches the HMAC-SHA1 of the message under the credentials");
    /// RFC 8489 §14.6: with known credentials, MESSAGE-INTEGRITY-SHA256 must match.
    MESSAGE_INTEGRITY_SHA256_MISMATCH = ("stun.message-integrity-sha256.mismatch", 8489, "14.6", Must, Message,
        "MESSAGE-INTEGRITY-SHA256 matches the HMAC-SHA256 of the message under the credentials");
    /// RFC 8489 §14.7 and §7: FINGERPRINT holds the CRC-32 of the message XOR 0x5354554E.
    FINGERPRINT_MISMATCH = ("stun.fingerprint.mismatch", 8489, "14.7", Must, Message,
        "FINGERPRINT matches the CRC-32 of the message XOR 0x5354554E");
    /// RFC 8489 §14.12: "The PASSWORD-ALGORITHM attribute is present only in requests."
    PASSWORD_ALGORITHM_ONLY_IN_REQUESTS = ("stun.password-algorithm.only-in-requests", 8489, "14.12", Must, Message,
        "PASSWORD-ALGORITHM appears only in requests");
    /// RFC 8489 §14.12: algorithm (16 bits), parameters length (16 bits), parameters, padding.
    PASSWORD_ALGORITHM_WELL_FORMED = ("stun.password-algorithm.well-formed", 8489, "14.12", Must, Message,
        "PASSWORD-ALGORITHM holds one algorithm with its parameters");
    /// RFC 8489 §14.11: a list of algorithm, parameters length, parameters (padded) records.
    PASSWORD_ALGORITHMS_WELL_FORMED = ("stun.password-algorithms.well-formed", 8489, "14.11", Must, Message,
        "PASSWORD-ALGORITHMS is a whole list of algorithm records");
    /// RFC 8445 §7.1.1: "The PRIORITY attribute MUST be included in a Binding request" (an ICE
    /// check, recognised by ICE-CONTROLLED or ICE-CONTROLLING).
    ICE_PRIORITY_PRESENT = ("stun.ice.priority-present", 8445, "7.1.1", Must, Message,
        "an ICE connectivity check carries PRIORITY");
    /// RFC 8445 §7.1.2: "The controlled agent MUST NOT include the USE-CANDIDATE attribute in a
    /// Binding request."
    ICE_USE_CANDIDATE_CONTROLLED = ("stun.ice.use-candidate-controlled", 8445, "7.1.2", MustNot, Message,
        "a controlled agent's check does not carry USE-CANDIDATE");
    /// RFC 8445 §7.1.3: the controlling agent includes ICE-CONTROLLING, the controlled agent
    /// ICE-CONTROLLED; never both.
    ICE_ONE_ROLE = ("stun.ice.one-role", 8445, "7.1.3", Must, Message,
        "a check carries ICE-CONTROLLED or ICE-CONTROLLING, not both");
    /// RFC 8445 §16.1: PRIORITY is 32 bits, USE-CANDIDATE empty, ICE-CONTROLLED and
    /// ICE-CONTROLLING 64 bits.
    ICE_ATTR_LENGTH = ("stun.ice.attr-length", 8445, "16.1", Must, Message,
        "PRIORITY is 4 bytes, USE-CANDIDATE 0, ICE-CONTROLLED / ICE-CONTROLLING 8");
    /// RFC 8656 §12: channel numbers 0x4000 through 0x4FFF are the allowed ones.
    TURN_CHANNEL_NUMBER_RANGE = ("stun.turn.channel-number-range", 8656, "12", Must, Message,
        "CHANNEL-NUMBER is between 0x4000 and 0x4FFF");
    /// RFC 8656 §18: the fixed value sizes of the TURN attributes.
    TURN_ATTR_LENGTH = ("stun.turn.attr-length", 8656, "18", Must, Message,
        "TURN attributes have their defined sizes");
    /// RFC 8656 §18.1 and §18.8: the RFFU fields "MUST be set to 0 on transmission".
    TURN_RFFU_ZERO = ("stun.turn.rffu-zero", 8656, "18.1", Must, Message,
        "the RFFU bits of CHANNEL-NUMBER and REQUESTED-TRANSPORT are zero");
    /// RFC 8656 §18.6 and §18.11: family 0x01 or 0x02 (ADDITIONAL-ADDRESS-FAMILY: only 0x02).
    TURN_FAMILY_VALUE = ("stun.turn.family-value", 8656, "18.6", Must, Message,
        "REQUESTED-ADDRESS-FAMILY is 0x01 or 0x02; ADDITIONAL-ADDRESS-FAMILY is 0x02");
    /// RFC 5780 §7.2 and §7.5: CHANGE-REQUEST and RESPONSE-PORT are 32 bits.
    RFC5780_ATTR_LENGTH = ("stun.rfc5780.attr-length", 5780, "7.2", Must, Message,
        "CHANGE-REQUEST and RESPONSE-PORT are 4 bytes");
    /// RFC 5780 §7.2: "The CHANGE-REQUEST attribute is allowed only in the Binding Request."
    RFC5780_CHANGE_REQUEST_IN_BINDING_REQUEST = ("stun.rfc5780.change-request-binding-request", 5780, "7.2", Must, Message,
        "CHANGE-REQUEST appears only in Binding requests");
}
