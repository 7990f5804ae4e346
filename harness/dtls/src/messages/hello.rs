//! ClientHello (RFC 6347 §4.2.1, RFC 9147 §5.3), ServerHello and HelloRetryRequest
//! (RFC 5246 §7.4.1.3, RFC 8446 §4.1.3/§4.1.4, RFC 9147 §5.4), HelloVerifyRequest
//! (RFC 6347 §4.2.1).

use crate::codes::{ExtensionType, HandshakeType, ProtocolVersion};
use crate::error::DecodeError;
use crate::messages::extensions::{
    ExtensionBody, Extensions, KeyShareEntry, U16List, key_share_entries, parse_body,
};
use crate::reader::Reader;

/// The ServerHello.random of a HelloRetryRequest: SHA-256("HelloRetryRequest"), RFC 8446 §4.1.3.
pub const HELLO_RETRY_REQUEST_RANDOM: [u8; 32] = [
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
];

fn read_extensions<'a>(r: &mut Reader<'a>) -> Result<Option<Extensions<'a>>, DecodeError> {
    if r.is_empty() {
        return Ok(None);
    }
    let raw = r.vec16().ok_or(DecodeError::Truncated("extensions"))?;
    let offset = r.offset().saturating_sub(raw.len());
    if !r.is_empty() {
        return Err(DecodeError::TrailingData("extensions"));
    }
    let ext = Extensions { offset, raw };
    ext.validate()?;
    Ok(Some(ext))
}

/// A ClientHello body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientHello<'a> {
    /// `client_version` / `legacy_version`.
    pub client_version: ProtocolVersion,
    /// 32 random bytes.
    pub random: &'a [u8; 32],
    /// `session_id` / `legacy_session_id` (the wire allows up to 255 bytes; the rules judge).
    pub session_id: &'a [u8],
    /// `cookie` / `legacy_cookie`.
    pub cookie: &'a [u8],
    /// `cipher_suites`, raw (the rules judge its length).
    pub cipher_suites: &'a [u8],
    /// `compression_methods`.
    pub compression_methods: &'a [u8],
    /// The extensions block, when present.
    pub extensions: Option<Extensions<'a>>,
}

impl<'a> ClientHello<'a> {
    /// Parses a ClientHello body.
    ///
    /// # Errors
    /// A [`DecodeError`] naming the field that does not frame.
    pub fn parse(body: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(body);
        let client_version = ProtocolVersion(
            r.u16()
                .ok_or(DecodeError::Truncated("client_hello.client_version"))?,
        );
        let random = r
            .array::<32>()
            .ok_or(DecodeError::Truncated("client_hello.random"))?;
        let session_id = r
            .vec8()
            .ok_or(DecodeError::Truncated("client_hello.session_id"))?;
        let cookie = r
            .vec8()
            .ok_or(DecodeError::Truncated("client_hello.cookie"))?;
        let cipher_suites = r
            .vec16()
            .ok_or(DecodeError::Truncated("client_hello.cipher_suites"))?;
        let compression_methods = r
            .vec8()
            .ok_or(DecodeError::Truncated("client_hello.compression_methods"))?;
        let extensions = read_extensions(&mut r)?;
        Ok(Self {
            client_version,
            random,
            session_id,
            cookie,
            cipher_suites,
            compression_methods,
            extensions,
        })
    }

    /// Cipher suites as values (an odd trailing byte is ignored here and flagged by the rules).
    pub fn cipher_suite_values(&self) -> impl Iterator<Item = u16> + 'a {
        U16List(
            self.cipher_suites
                .get(..self.cipher_suites.len() & !1)
                .unwrap_or_default(),
        )
        .iter()
    }

    /// The interpreted body of the first extension of type `typ`.
    #[must_use]
    pub fn extension(&self, typ: ExtensionType) -> Option<Result<ExtensionBody<'a>, DecodeError>> {
        let ext = self.extensions?.get(typ)?;
        Some(parse_body(&ext, HandshakeType::CLIENT_HELLO, false))
    }

    /// Versions offered in supported_versions, if the extension is there and parses.
    #[must_use]
    pub fn offered_versions(&self) -> Option<U16List<'a>> {
        match self.extension(ExtensionType::SUPPORTED_VERSIONS)? {
            Ok(ExtensionBody::SupportedVersionsOffered(list)) => Some(list),
            _ => None,
        }
    }

    /// True when supported_versions offers DTLS 1.3.
    #[must_use]
    pub fn offers_dtls13(&self) -> bool {
        self.offered_versions()
            .is_some_and(|l| l.iter().any(|v| v == ProtocolVersion::DTLS_1_3.0))
    }

    /// True when DTLS 1.3 is the only non-GREASE version offered.
    #[must_use]
    pub fn dtls13_only(&self) -> bool {
        self.offered_versions().is_some_and(|l| {
            let mut real = l
                .iter()
                .map(ProtocolVersion)
                .filter(|v| !v.is_grease())
                .peekable();
            real.peek().is_some() && real.all(|v| v == ProtocolVersion::DTLS_1_3)
        })
    }

    /// Key share entries offered, if any.
    #[must_use]
    pub fn key_shares(&self) -> Vec<KeyShareEntry<'a>> {
        match self.extension(ExtensionType::KEY_SHARE) {
            Some(Ok(ExtensionBody::KeyShareClient(raw))) => {
                key_share_entries(raw).filter_map(Result::ok).collect()
            }
            _ => Vec::new(),
        }
    }
}

/// A ServerHello or HelloRetryRequest body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServerHello<'a> {
    /// `server_version` / `legacy_version`.
    pub server_version: ProtocolVersion,
    /// 32 random bytes (the HelloRetryRequest constant for an HRR).
    pub random: &'a [u8; 32],
    /// `session_id` / `legacy_session_id_echo`.
    pub session_id: &'a [u8],
    /// The selected cipher suite.
    pub cipher_suite: u16,
    /// `compression_method` / `legacy_compression_method`.
    pub compression_method: u8,
    /// The extensions block, when present.
    pub extensions: Option<Extensions<'a>>,
}

impl<'a> ServerHello<'a> {
    /// Parses a ServerHello body.
    ///
    /// # Errors
    /// A [`DecodeError`] naming the field that does not frame.
    pub fn parse(body: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(body);
        let server_version = ProtocolVersion(
            r.u16()
                .ok_or(DecodeError::Truncated("server_hello.server_version"))?,
        );
        let random = r
            .array::<32>()
            .ok_or(DecodeError::Truncated("server_hello.random"))?;
        let session_id = r
            .vec8()
            .ok_or(DecodeError::Truncated("server_hello.session_id"))?;
        let cipher_suite = r
            .u16()
            .ok_or(DecodeError::Truncated("server_hello.cipher_suite"))?;
        let compression_method = r
            .u8()
            .ok_or(DecodeError::Truncated("server_hello.compression_method"))?;
        let extensions = read_extensions(&mut r)?;
        Ok(Self {
            server_version,
            random,
            session_id,
            cipher_suite,
            compression_method,
            extensions,
        })
    }

    /// True for a HelloRetryRequest (RFC 8446 §4.1.3: the special random).
    #[must_use]
    pub fn is_hello_retry_request(&self) -> bool {
        *self.random == HELLO_RETRY_REQUEST_RANDOM
    }

    /// The interpreted body of the first extension of type `typ`.
    #[must_use]
    pub fn extension(&self, typ: ExtensionType) -> Option<Result<ExtensionBody<'a>, DecodeError>> {
        let ext = self.extensions?.get(typ)?;
        Some(parse_body(
            &ext,
            HandshakeType::SERVER_HELLO,
            self.is_hello_retry_request(),
        ))
    }

    /// The version selected: supported_versions when present, else `server_version`.
    #[must_use]
    pub fn selected_version(&self) -> ProtocolVersion {
        match self.extension(ExtensionType::SUPPORTED_VERSIONS) {
            Some(Ok(ExtensionBody::SupportedVersionSelected(v))) => v,
            _ => self.server_version,
        }
    }

    /// True when the server selects DTLS 1.3.
    #[must_use]
    pub fn selects_dtls13(&self) -> bool {
        self.selected_version() == ProtocolVersion::DTLS_1_3
    }
}

/// A HelloVerifyRequest body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HelloVerifyRequest<'a> {
    /// `server_version`.
    pub server_version: ProtocolVersion,
    /// The cookie.
    pub cookie: &'a [u8],
}

impl<'a> HelloVerifyRequest<'a> {
    /// Parses a HelloVerifyRequest body.
    ///
    /// # Errors
    /// A [`DecodeError`] naming the field that does not frame.
    pub fn parse(body: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(body);
        let server_version = ProtocolVersion(r.u16().ok_or(DecodeError::Truncated(
            "hello_verify_request.server_version",
        ))?);
        let cookie = r
            .vec8()
            .ok_or(DecodeError::Truncated("hello_verify_request.cookie"))?;
        if !r.is_empty() {
            return Err(DecodeError::TrailingData("hello_verify_request"));
        }
        Ok(Self {
            server_version,
            cookie,
        })
    }
}
