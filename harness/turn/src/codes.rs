//! STUN and TURN error codes (RFC 8489 §14.8, RFC 8656 §19).

/// 300 Try Alternate.
pub const TRY_ALTERNATE: u16 = 300;
/// 400 Bad Request.
pub const BAD_REQUEST: u16 = 400;
/// 401 Unauthenticated.
pub const UNAUTHORIZED: u16 = 401;
/// 403 Forbidden.
pub const FORBIDDEN: u16 = 403;
/// 420 Unknown Attribute.
pub const UNKNOWN_ATTRIBUTE: u16 = 420;
/// 437 Allocation Mismatch.
pub const ALLOCATION_MISMATCH: u16 = 437;
/// 438 Stale Nonce.
pub const STALE_NONCE: u16 = 438;
/// 440 Address Family not Supported.
pub const ADDRESS_FAMILY_NOT_SUPPORTED: u16 = 440;
/// 441 Wrong Credentials.
pub const WRONG_CREDENTIALS: u16 = 441;
/// 442 Unsupported Transport Protocol.
pub const UNSUPPORTED_TRANSPORT: u16 = 442;
/// 443 Peer Address Family Mismatch.
pub const PEER_ADDRESS_FAMILY_MISMATCH: u16 = 443;
/// 486 Allocation Quota Reached.
pub const ALLOCATION_QUOTA_REACHED: u16 = 486;
/// 500 Server Error.
pub const SERVER_ERROR: u16 = 500;
/// 508 Insufficient Capacity.
pub const INSUFFICIENT_CAPACITY: u16 = 508;

/// The standard reason phrase of an error code.
#[must_use]
pub const fn reason(code: u16) -> &'static str {
    match code {
        TRY_ALTERNATE => "Try Alternate",
        BAD_REQUEST => "Bad Request",
        UNAUTHORIZED => "Unauthorized",
        FORBIDDEN => "Forbidden",
        UNKNOWN_ATTRIBUTE => "Unknown Attribute",
        ALLOCATION_MISMATCH => "Allocation Mismatch",
        STALE_NONCE => "Stale Nonce",
        ADDRESS_FAMILY_NOT_SUPPORTED => "Address Family not Supported",
        WRONG_CREDENTIALS => "Wrong Credentials",
        UNSUPPORTED_TRANSPORT => "Unsupported Transport Protocol",
        PEER_ADDRESS_FAMILY_MISMATCH => "Peer Address Family Mismatch",
        ALLOCATION_QUOTA_REACHED => "Allocation Quota Reached",
        INSUFFICIENT_CAPACITY => "Insufficient Capacity",
        _ => "Error",
    }
}
