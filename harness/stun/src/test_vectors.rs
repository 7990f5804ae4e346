//! RFC test vectors, read from the sourced files in `vectors/stun/` (see vectors/PROVENANCE.md).

/// RFC 5769 §2.1 Sample Request.
pub(crate) const RFC5769_REQUEST: &[u8] =
    include_bytes!("../../../vectors/stun/rfc/rfc5769_2.1_sample_request.bin");
/// RFC 5769 §2.2 Sample IPv4 Response.
pub(crate) const RFC5769_IPV4_RESPONSE: &[u8] =
    include_bytes!("../../../vectors/stun/rfc/rfc5769_2.2_sample_ipv4_response.bin");
/// RFC 5769 §2.3 Sample IPv6 Response.
pub(crate) const RFC5769_IPV6_RESPONSE: &[u8] =
    include_bytes!("../../../vectors/stun/rfc/rfc5769_2.3_sample_ipv6_response.bin");
/// RFC 5769 §2.4 Sample Request with Long-Term Authentication.
pub(crate) const RFC5769_LONG_TERM: &[u8] =
    include_bytes!("../../../vectors/stun/rfc/rfc5769_2.4_sample_request_long_term_auth.bin");
/// RFC 8489 Appendix B.1 as corrected by Errata 6268.
pub(crate) const RFC8489_B1_ERRATA: &[u8] = include_bytes!(
    "../../../vectors/stun/rfc/rfc8489_B.1_errata6268_request_userhash_mi_sha256.bin"
);
/// RFC 8489 Appendix B.1 as published (known bad).
pub(crate) const RFC8489_B1_PUBLISHED: &[u8] = include_bytes!(
    "../../../vectors/stun/malformed/rfc8489_B.1_as_published_request_userhash_mi_sha256.bin"
);
/// The short-term password of RFC 5769 §2.1-2.3.
pub(crate) const RFC5769_PASSWORD: &str = "VOkJxbRl1RmTxUk/WvJxBt";
/// The long-term username of RFC 5769 §2.4 and RFC 8489 B.1.
pub(crate) const RFC5769_LT_USERNAME: &str = "\u{30DE}\u{30C8}\u{30EA}\u{30C3}\u{30AF}\u{30B9}";
/// The long-term password of RFC 5769 §2.4 before SASLprep.
pub(crate) const RFC5769_LT_PASSWORD: &str = "The\u{00AD}M\u{00AA}tr\u{2168}";
