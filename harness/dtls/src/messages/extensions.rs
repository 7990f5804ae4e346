//! Hello extensions (RFC 5246 §7.4.1.4, RFC 8446 §4.2) and the bodies the harness reads.

use crate::codes::{ExtensionType, HandshakeType, NamedGroup, ProtocolVersion, SrtpProfile};
use crate::error::DecodeError;
use crate::reader::Reader;

/// A list of `uint16` values on the wire (even length checked when parsed).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct U16List<'a>(pub &'a [u8]);

impl<'a> U16List<'a> {
    /// Parses a list whose byte length must be even.
    ///
    /// # Errors
    /// [`DecodeError::BadLength`] for an odd length.
    pub fn new(bytes: &'a [u8], what: &'static str) -> Result<Self, DecodeError> {
        if bytes.len().is_multiple_of(2) {
            Ok(Self(bytes))
        } else {
            Err(DecodeError::BadLength(what))
        }
    }

    /// The values.
    pub fn iter(self) -> impl Iterator<Item = u16> + 'a {
        self.0.chunks_exact(2).map(|c| {
            u16::from_be_bytes([
                c.first().copied().unwrap_or(0),
                c.get(1).copied().unwrap_or(0),
            ])
        })
    }

    /// Number of values.
    #[must_use]
    pub const fn len(&self) -> usize {
        self.0.len() / 2
    }

    /// True when empty.
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// One extension as on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Extension<'a> {
    /// Offset of the extension inside the message body.
    pub offset: usize,
    /// Type.
    pub typ: ExtensionType,
    /// `extension_data`.
    pub data: &'a [u8],
}

/// The extensions block of a hello message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Extensions<'a> {
    /// Offset of the first extension inside the message body.
    pub offset: usize,
    /// The raw block (without its two-byte length).
    pub raw: &'a [u8],
}

impl<'a> Extensions<'a> {
    /// Every extension, in order; a truncated tail yields one error and stops.
    pub fn iter(&self) -> impl Iterator<Item = Result<Extension<'a>, DecodeError>> + 'a {
        let mut r = Reader::new(self.raw);
        let base = self.offset;
        let mut done = false;
        core::iter::from_fn(move || {
            if done || r.is_empty() {
                return None;
            }
            let at = base.saturating_add(r.offset());
            let item = (|| {
                let typ = ExtensionType(r.u16().ok_or(DecodeError::Truncated("extension.type"))?);
                let data = r.vec16().ok_or(DecodeError::Truncated("extension.data"))?;
                Ok(Extension {
                    offset: at,
                    typ,
                    data,
                })
            })();
            done = item.is_err();
            Some(item)
        })
    }

    /// Checks the block frames exactly.
    ///
    /// # Errors
    /// The first framing error.
    pub fn validate(&self) -> Result<(), DecodeError> {
        self.iter().try_for_each(|e| e.map(|_| ()))
    }

    /// The first extension of type `typ`.
    #[must_use]
    pub fn get(&self, typ: ExtensionType) -> Option<Extension<'a>> {
        self.iter().filter_map(Result::ok).find(|e| e.typ == typ)
    }

    /// Number of extensions that frame.
    #[must_use]
    pub fn count(&self) -> usize {
        self.iter().filter_map(Result::ok).count()
    }
}

/// One key share entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyShareEntry<'a> {
    /// Group.
    pub group: NamedGroup,
    /// `key_exchange`.
    pub key_exchange: &'a [u8],
}

/// Iterates the entries of a `client_shares` list.
pub fn key_share_entries<'a>(
    raw: &'a [u8],
) -> impl Iterator<Item = Result<KeyShareEntry<'a>, DecodeError>> + 'a {
    let mut r = Reader::new(raw);
    let mut done = false;
    core::iter::from_fn(move || {
        if done || r.is_empty() {
            return None;
        }
        let item = (|| {
            let group = NamedGroup(r.u16().ok_or(DecodeError::Truncated("key_share.group"))?);
            let key_exchange = r
                .vec16()
                .ok_or(DecodeError::Truncated("key_share.key_exchange"))?;
            Ok(KeyShareEntry {
                group,
                key_exchange,
            })
        })();
        done = item.is_err();
        Some(item)
    })
}

/// The interpreted body of an extension, where the harness reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExtensionBody<'a> {
    /// supported_versions in a ClientHello: the versions offered.
    SupportedVersionsOffered(U16List<'a>),
    /// supported_versions in a ServerHello or HelloRetryRequest: the version selected.
    SupportedVersionSelected(ProtocolVersion),
    /// key_share in a ClientHello: the raw `client_shares` (see [`key_share_entries`]).
    KeyShareClient(&'a [u8]),
    /// key_share in a ServerHello.
    KeyShareServer(KeyShareEntry<'a>),
    /// key_share in a HelloRetryRequest: the group selected.
    KeyShareRetry(NamedGroup),
    /// supported_groups.
    SupportedGroups(U16List<'a>),
    /// signature_algorithms or signature_algorithms_cert.
    SignatureAlgorithms(U16List<'a>),
    /// use_srtp (RFC 5764 §4.1.1).
    UseSrtp {
        /// Protection profiles.
        profiles: U16List<'a>,
        /// srtp_mki.
        mki: &'a [u8],
    },
    /// extended_master_secret (empty).
    ExtendedMasterSecret,
    /// renegotiation_info: `renegotiated_connection`.
    RenegotiationInfo(&'a [u8]),
    /// ec_point_formats.
    EcPointFormats(&'a [u8]),
    /// connection_id (RFC 9146 §3): the cid.
    ConnectionId(&'a [u8]),
    /// session_ticket: the ticket (empty to ask for one).
    SessionTicket(&'a [u8]),
    /// psk_key_exchange_modes.
    PskKeyExchangeModes(&'a [u8]),
    /// pre_shared_key in a ClientHello: raw identities and binders.
    PreSharedKeyOffered {
        /// `identities` (without length).
        identities: &'a [u8],
        /// `binders` (without length).
        binders: &'a [u8],
    },
    /// pre_shared_key in a ServerHello: the selected identity.
    PreSharedKeySelected(u16),
    /// cookie (RFC 8446 §4.2.2).
    Cookie(&'a [u8]),
    /// Anything else, uninterpreted.
    Other(&'a [u8]),
}

/// Interprets the body of `ext` as it appears in a message of type `in_message`;
/// `retry` is true for a HelloRetryRequest.
///
/// # Errors
/// A [`DecodeError`] naming the field that does not frame.
pub fn parse_body<'a>(
    ext: &Extension<'a>,
    in_message: HandshakeType,
    retry: bool,
) -> Result<ExtensionBody<'a>, DecodeError> {
    let client = in_message == HandshakeType::CLIENT_HELLO;
    let mut r = Reader::new(ext.data);
    let body = match ext.typ {
        ExtensionType::SUPPORTED_VERSIONS if client => {
            let list = r
                .vec8()
                .ok_or(DecodeError::Truncated("supported_versions"))?;
            ExtensionBody::SupportedVersionsOffered(U16List::new(list, "supported_versions")?)
        }
        ExtensionType::SUPPORTED_VERSIONS => {
            ExtensionBody::SupportedVersionSelected(ProtocolVersion(
                r.u16()
                    .ok_or(DecodeError::Truncated("supported_versions"))?,
            ))
        }
        ExtensionType::KEY_SHARE if client => {
            let shares = r.vec16().ok_or(DecodeError::Truncated("key_share"))?;
            for e in key_share_entries(shares) {
                e?;
            }
            ExtensionBody::KeyShareClient(shares)
        }
        ExtensionType::KEY_SHARE if retry => ExtensionBody::KeyShareRetry(NamedGroup(
            r.u16()
                .ok_or(DecodeError::Truncated("key_share.selected_group"))?,
        )),
        ExtensionType::KEY_SHARE => {
            let group = NamedGroup(r.u16().ok_or(DecodeError::Truncated("key_share.group"))?);
            let key_exchange = r
                .vec16()
                .ok_or(DecodeError::Truncated("key_share.key_exchange"))?;
            ExtensionBody::KeyShareServer(KeyShareEntry {
                group,
                key_exchange,
            })
        }
        ExtensionType::SUPPORTED_GROUPS => {
            let list = r
                .vec16()
                .ok_or(DecodeError::Truncated("supported_groups"))?;
            ExtensionBody::SupportedGroups(U16List::new(list, "supported_groups")?)
        }
        ExtensionType::SIGNATURE_ALGORITHMS | ExtensionType::SIGNATURE_ALGORITHMS_CERT => {
            let list = r
                .vec16()
                .ok_or(DecodeError::Truncated("signature_algorithms"))?;
            ExtensionBody::SignatureAlgorithms(U16List::new(list, "signature_algorithms")?)
        }
        ExtensionType::USE_SRTP => {
            let list = r
                .vec16()
                .ok_or(DecodeError::Truncated("use_srtp.profiles"))?;
            let profiles = U16List::new(list, "use_srtp.profiles")?;
            let mki = r
                .vec8()
                .ok_or(DecodeError::Truncated("use_srtp.srtp_mki"))?;
            ExtensionBody::UseSrtp { profiles, mki }
        }
        ExtensionType::EXTENDED_MASTER_SECRET => ExtensionBody::ExtendedMasterSecret,
        ExtensionType::RENEGOTIATION_INFO => ExtensionBody::RenegotiationInfo(
            r.vec8()
                .ok_or(DecodeError::Truncated("renegotiation_info"))?,
        ),
        ExtensionType::EC_POINT_FORMATS => ExtensionBody::EcPointFormats(
            r.vec8().ok_or(DecodeError::Truncated("ec_point_formats"))?,
        ),
        ExtensionType::CONNECTION_ID => {
            ExtensionBody::ConnectionId(r.vec8().ok_or(DecodeError::Truncated("connection_id"))?)
        }
        ExtensionType::SESSION_TICKET => ExtensionBody::SessionTicket(r.rest()),
        ExtensionType::PSK_KEY_EXCHANGE_MODES => ExtensionBody::PskKeyExchangeModes(
            r.vec8()
                .ok_or(DecodeError::Truncated("psk_key_exchange_modes"))?,
        ),
        ExtensionType::PRE_SHARED_KEY if client => {
            let identities = r
                .vec16()
                .ok_or(DecodeError::Truncated("pre_shared_key.identities"))?;
            let binders = r
                .vec16()
                .ok_or(DecodeError::Truncated("pre_shared_key.binders"))?;
            ExtensionBody::PreSharedKeyOffered {
                identities,
                binders,
            }
        }
        ExtensionType::PRE_SHARED_KEY => ExtensionBody::PreSharedKeySelected(
            r.u16()
                .ok_or(DecodeError::Truncated("pre_shared_key.selected_identity"))?,
        ),
        ExtensionType::COOKIE => {
            ExtensionBody::Cookie(r.vec16().ok_or(DecodeError::Truncated("cookie"))?)
        }
        _ => ExtensionBody::Other(r.rest()),
    };
    if !r.is_empty() {
        return Err(DecodeError::TrailingData("extension body"));
    }
    Ok(body)
}

/// SRTP profiles of a use_srtp body, typed.
pub fn srtp_profiles<'a>(profiles: &U16List<'a>) -> impl Iterator<Item = SrtpProfile> + 'a {
    profiles.iter().map(SrtpProfile)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_use_srtp_with_an_mki() {
        let ext = Extension {
            offset: 0,
            typ: ExtensionType::USE_SRTP,
            data: &[0, 4, 0, 1, 0, 7, 2, 0xab, 0xcd],
        };
        let body = parse_body(&ext, HandshakeType::CLIENT_HELLO, false).unwrap();
        let ExtensionBody::UseSrtp { profiles, mki } = body else {
            panic!("use_srtp expected")
        };
        assert_eq!(
            srtp_profiles(&profiles).collect::<Vec<_>>(),
            vec![
                SrtpProfile::AES128_CM_HMAC_SHA1_80,
                SrtpProfile::AEAD_AES_128_GCM
            ]
        );
        assert_eq!(mki, &[0xab, 0xcd]);
    }

    #[test]
    fn rejects_an_odd_profile_list_and_trailing_bytes() {
        let odd = Extension {
            offset: 0,
            typ: ExtensionType::USE_SRTP,
            data: &[0, 3, 0, 1, 0, 0],
        };
        assert_eq!(
            parse_body(&odd, HandshakeType::CLIENT_HELLO, false),
            Err(DecodeError::BadLength("use_srtp.profiles"))
        );
        let trailing = Extension {
            offset: 0,
            typ: ExtensionType::EXTENDED_MASTER_SECRET,
            data: &[0],
        };
        assert_eq!(
            parse_body(&trailing, HandshakeType::CLIENT_HELLO, false),
            Err(DecodeError::TrailingData("extension body"))
        );
    }
}
