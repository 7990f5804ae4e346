//! Open wire enums: newtypes over the integer with named constants, so that unknown values
//! round-trip unchanged and print in hex (declared with [`harness_core::open_enum!`]).

use core::fmt;

harness_core::open_enum! {
    /// An attribute type (RFC 8489 §18.3 and the registries of RFC 8656, RFC 8445, RFC 5780).
    pub struct AttrType(u16) hex 4;
    /// RFC 8489 §14.1.
    MAPPED_ADDRESS = 0x0001 => "MAPPED-ADDRESS",
    /// RFC 5780 §7.2 (reserved in RFC 8489 §18.3.1).
    CHANGE_REQUEST = 0x0003 => "CHANGE-REQUEST",
    /// RFC 8489 §14.3.
    USERNAME = 0x0006 => "USERNAME",
    /// RFC 8489 §14.5.
    MESSAGE_INTEGRITY = 0x0008 => "MESSAGE-INTEGRITY",
    /// RFC 8489 §14.8.
    ERROR_CODE = 0x0009 => "ERROR-CODE",
    /// RFC 8489 §14.13.
    UNKNOWN_ATTRIBUTES = 0x000A => "UNKNOWN-ATTRIBUTES",
    /// RFC 8656 §18.1.
    CHANNEL_NUMBER = 0x000C => "CHANNEL-NUMBER",
    /// RFC 8656 §18.2.
    LIFETIME = 0x000D => "LIFETIME",
    /// RFC 8656 §18.3.
    XOR_PEER_ADDRESS = 0x0012 => "XOR-PEER-ADDRESS",
    /// RFC 8656 §18.4.
    DATA = 0x0013 => "DATA",
    /// RFC 8489 §14.9.
    REALM = 0x0014 => "REALM",
    /// RFC 8489 §14.10.
    NONCE = 0x0015 => "NONCE",
    /// RFC 8656 §18.5.
    XOR_RELAYED_ADDRESS = 0x0016 => "XOR-RELAYED-ADDRESS",
    /// RFC 8656 §18.6.
    REQUESTED_ADDRESS_FAMILY = 0x0017 => "REQUESTED-ADDRESS-FAMILY",
    /// RFC 8656 §18.7.
    EVEN_PORT = 0x0018 => "EVEN-PORT",
    /// RFC 8656 §18.8.
    REQUESTED_TRANSPORT = 0x0019 => "REQUESTED-TRANSPORT",
    /// RFC 8656 §18.9.
    DONT_FRAGMENT = 0x001A => "DONT-FRAGMENT",
    /// RFC 8489 §14.6.
    MESSAGE_INTEGRITY_SHA256 = 0x001C => "MESSAGE-INTEGRITY-SHA256",
    /// RFC 8489 §14.12.
    PASSWORD_ALGORITHM = 0x001D => "PASSWORD-ALGORITHM",
    /// RFC 8489 §14.4.
    USERHASH = 0x001E => "USERHASH",
    /// RFC 8489 §14.2.
    XOR_MAPPED_ADDRESS = 0x0020 => "XOR-MAPPED-ADDRESS",
    /// RFC 8656 §18.10.
    RESERVATION_TOKEN = 0x0022 => "RESERVATION-TOKEN",
    /// RFC 8445 §16.1.
    PRIORITY = 0x0024 => "PRIORITY",
    /// RFC 8445 §16.1.
    USE_CANDIDATE = 0x0025 => "USE-CANDIDATE",
    /// RFC 5780 §7.6.
    PADDING = 0x0026 => "PADDING",
    /// RFC 5780 §7.5.
    RESPONSE_PORT = 0x0027 => "RESPONSE-PORT",
    /// RFC 8656 §18.11.
    ADDITIONAL_ADDRESS_FAMILY = 0x8000 => "ADDITIONAL-ADDRESS-FAMILY",
    /// RFC 8656 §18.12.
    ADDRESS_ERROR_CODE = 0x8001 => "ADDRESS-ERROR-CODE",
    /// RFC 8489 §14.11.
    PASSWORD_ALGORITHMS = 0x8002 => "PASSWORD-ALGORITHMS",
    /// RFC 8489 §14.16.
    ALTERNATE_DOMAIN = 0x8003 => "ALTERNATE-DOMAIN",
    /// RFC 8656 §18.13.
    ICMP = 0x8004 => "ICMP",
    /// RFC 8489 §14.14.
    SOFTWARE = 0x8022 => "SOFTWARE",
    /// RFC 8489 §14.15.
    ALTERNATE_SERVER = 0x8023 => "ALTERNATE-SERVER",
    /// RFC 8489 §14.7.
    FINGERPRINT = 0x8028 => "FINGERPRINT",
    /// RFC 8445 §16.1.
    ICE_CONTROLLED = 0x8029 => "ICE-CONTROLLED",
    /// RFC 8445 §16.1.
    ICE_CONTROLLING = 0x802A => "ICE-CONTROLLING",
    /// RFC 5780 §7.3.
    RESPONSE_ORIGIN = 0x802B => "RESPONSE-ORIGIN",
    /// RFC 5780 §7.4.
    OTHER_ADDRESS = 0x802C => "OTHER-ADDRESS",
}

impl AttrType {
    /// RFC 8489 §18.3: types 0x0000-0x7FFF are comprehension-required.
    #[must_use]
    pub const fn is_comprehension_required(self) -> bool {
        self.0 < 0x8000
    }

    /// The name for field trees: lower case with underscores (`xor_mapped_address`), or
    /// `attr_0xNNNN` for an unknown type.
    #[must_use]
    pub fn field_name(self) -> String {
        match self.name() {
            Some(n) => n.to_ascii_lowercase().replace('-', "_"),
            None => format!("attr_0x{:04x}", self.0),
        }
    }
}

harness_core::open_enum! {
    /// A STUN method (12 bits; RFC 8489 §18.2, RFC 8656 §17, RFC 6062 §6.1).
    pub struct Method(u16) hex 3;
    /// RFC 8489 §18.2.
    BINDING = 0x001 => "Binding",
    /// RFC 8656 §17.
    ALLOCATE = 0x003 => "Allocate",
    /// RFC 8656 §17.
    REFRESH = 0x004 => "Refresh",
    /// RFC 8656 §17.
    SEND = 0x006 => "Send",
    /// RFC 8656 §17.
    DATA = 0x007 => "Data",
    /// RFC 8656 §17.
    CREATE_PERMISSION = 0x008 => "CreatePermission",
    /// RFC 8656 §17.
    CHANNEL_BIND = 0x009 => "ChannelBind",
    /// RFC 6062 §6.1.
    CONNECT = 0x00A => "Connect",
    /// RFC 6062 §6.1.
    CONNECTION_BIND = 0x00B => "ConnectionBind",
    /// RFC 6062 §6.1.
    CONNECTION_ATTEMPT = 0x00C => "ConnectionAttempt",
}

harness_core::open_enum! {
    /// An error code (RFC 8489 §14.8 and §18.4, RFC 8656 §19, RFC 8445 §16.2).
    pub struct ErrorCode(u16) hex 3;
    /// RFC 8489 §14.8.
    TRY_ALTERNATE = 300 => "Try Alternate",
    /// RFC 8489 §14.8.
    BAD_REQUEST = 400 => "Bad Request",
    /// RFC 8489 §14.8.
    UNAUTHORIZED = 401 => "Unauthorized",
    /// RFC 8656 §19.
    FORBIDDEN = 403 => "Forbidden",
    /// RFC 8489 §14.8.
    UNKNOWN_ATTRIBUTE = 420 => "Unknown Attribute",
    /// RFC 8656 §19.
    ALLOCATION_MISMATCH = 437 => "Allocation Mismatch",
    /// RFC 8489 §14.8.
    STALE_NONCE = 438 => "Stale Nonce",
    /// RFC 8656 §19.
    ADDRESS_FAMILY_NOT_SUPPORTED = 440 => "Address Family not Supported",
    /// RFC 8656 §19.
    WRONG_CREDENTIALS = 441 => "Wrong Credentials",
    /// RFC 8656 §19.
    UNSUPPORTED_TRANSPORT_PROTOCOL = 442 => "Unsupported Transport Protocol",
    /// RFC 8656 §19.
    PEER_ADDRESS_FAMILY_MISMATCH = 443 => "Peer Address Family Mismatch",
    /// RFC 8656 §19.
    ALLOCATION_QUOTA_REACHED = 486 => "Allocation Quota Reached",
    /// RFC 8445 §16.2.
    ROLE_CONFLICT = 487 => "Role Conflict",
    /// RFC 8489 §14.8.
    SERVER_ERROR = 500 => "Server Error",
    /// RFC 8656 §19.
    INSUFFICIENT_CAPACITY = 508 => "Insufficient Capacity",
}

impl ErrorCode {
    /// The hundreds digit (the Class field of ERROR-CODE).
    #[must_use]
    pub const fn class(self) -> u16 {
        self.0 / 100
    }

    /// The number modulo 100 (the Number field of ERROR-CODE).
    #[must_use]
    pub const fn number(self) -> u16 {
        self.0 % 100
    }
}

harness_core::open_enum! {
    /// A password algorithm (RFC 8489 §18.5).
    pub struct PasswordAlgorithm(u16) hex 4;
    /// RFC 8489 §18.5.1.1.
    MD5 = 0x0001 => "MD5",
    /// RFC 8489 §18.5.1.2.
    SHA256 = 0x0002 => "SHA-256",
}

/// The message class (RFC 8489 §5): the two C bits of the message type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Class {
    /// 0b00.
    Request,
    /// 0b01.
    Indication,
    /// 0b10.
    Success,
    /// 0b11.
    Error,
}

impl Class {
    /// The two class bits, C1C0.
    #[must_use]
    pub const fn bits(self) -> u16 {
        match self {
            Self::Request => 0b00,
            Self::Indication => 0b01,
            Self::Success => 0b10,
            Self::Error => 0b11,
        }
    }

    /// The class of two bits (only the low two bits are used).
    #[must_use]
    pub const fn from_bits(bits: u16) -> Self {
        match bits & 0b11 {
            0b00 => Self::Request,
            0b01 => Self::Indication,
            0b10 => Self::Success,
            _ => Self::Error,
        }
    }

    /// Lower-case name: `request`, `indication`, `success response`, `error response`.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Request => "request",
            Self::Indication => "indication",
            Self::Success => "success response",
            Self::Error => "error response",
        }
    }

    /// Success or error response.
    #[must_use]
    pub const fn is_response(self) -> bool {
        matches!(self, Self::Success | Self::Error)
    }
}

impl fmt::Display for Class {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Composes the 14-bit message type from a class and a 12-bit method (RFC 8489 §5, Figure 3).
/// Method bits above the twelfth are dropped.
#[must_use]
pub const fn compose_type(class: Class, method: Method) -> u16 {
    let m = method.0 & 0x0FFF;
    let c = class.bits();
    ((m & 0x0F80) << 2) | ((m & 0x0070) << 1) | (m & 0x000F) | ((c & 0b10) << 7) | ((c & 0b01) << 4)
}

/// Splits a message type into class and method (the two top bits are ignored).
#[must_use]
pub const fn split_type(message_type: u16) -> (Class, Method) {
    let t = message_type & 0x3FFF;
    let method = ((t & 0x3E00) >> 2) | ((t & 0x00E0) >> 1) | (t & 0x000F);
    let class = ((t & 0x0100) >> 7) | ((t & 0x0010) >> 4);
    (Class::from_bits(class), Method(method))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_type_composes_as_figure_3() {
        assert_eq!(compose_type(Class::Request, Method::BINDING), 0x0001);
        assert_eq!(compose_type(Class::Success, Method::BINDING), 0x0101);
        assert_eq!(compose_type(Class::Error, Method::BINDING), 0x0111);
        assert_eq!(compose_type(Class::Indication, Method::SEND), 0x0016);
        assert_eq!(compose_type(Class::Indication, Method::DATA), 0x0017);
        for t in 0..0x4000u16 {
            let (c, m) = split_type(t);
            assert_eq!(compose_type(c, m), t);
        }
    }

    #[test]
    fn unknown_values_round_trip_and_print_in_hex() {
        let t = AttrType(0xC0DE);
        assert_eq!(t.to_string(), "0xc0de");
        assert_eq!(format!("{t:?}"), "AttrType(0xc0de)");
        assert_eq!(u16::from(t), 0xC0DE);
        assert_eq!(AttrType::FINGERPRINT.to_string(), "FINGERPRINT");
        assert!(!AttrType::FINGERPRINT.is_comprehension_required());
        assert!(AttrType(0x4000).is_comprehension_required());
        assert_eq!(
            AttrType::XOR_MAPPED_ADDRESS.field_name(),
            "xor_mapped_address"
        );
        assert_eq!(Method(0x0ABC).to_string(), "0xabc");
        assert_eq!(ErrorCode(420).class(), 4);
        assert_eq!(ErrorCode(420).number(), 20);
    }
}
