//! Rules on ClientHello and ServerHello bodies.

use std::collections::HashSet;

use harness_core::rules::{Finding, Location};

use super::{
    CLIENT_HELLO_CIPHER_SUITES, CLIENT_HELLO_NULL_COMPRESSION, CLIENT_HELLO_VERSION,
    DTLS10_COOKIE_LENGTH, DTLS13_CLIENT_HELLO_COMPRESSION, DTLS13_CLIENT_HELLO_LEGACY_COOKIE,
    DTLS13_CLIENT_HELLO_LEGACY_VERSION, DTLS13_SERVER_HELLO_COMPRESSION,
    DTLS13_SERVER_HELLO_LEGACY_VERSION, DTLS13_SUPPORTED_VERSIONS_VALUES, EXTENSIONS_NO_DUPLICATES,
    EXTENSIONS_PRE_SHARED_KEY_LAST, EXTENSIONS_PSK_MODES, HANDSHAKE_FIRST_MESSAGE_SEQ,
    HELLO_SESSION_ID_LENGTH, KEY_SHARE_ECDHE_LENGTH, KEY_SHARE_GROUP_OFFERED,
    KEY_SHARE_UNIQUE_GROUPS, USE_SRTP_PROFILES, USE_SRTP_SERVER_SINGLE_PROFILE,
};
use crate::codes::{ExtensionType, NamedGroup, ProtocolVersion};
use crate::messages::extensions::{ExtensionBody, Extensions};
use crate::messages::{ClientHello, ServerHello};

/// Where a field of the body is: `base` is the body's offset in the datagram.
fn at(base: usize, offset: usize, len: usize) -> Location {
    Location::bytes(base.saturating_add(offset), len)
}

fn duplicates(exts: Option<Extensions<'_>>, base: usize, out: &mut Vec<Finding>) {
    let Some(exts) = exts else { return };
    let mut seen = HashSet::new();
    for e in exts.iter().filter_map(Result::ok) {
        if !seen.insert(e.typ) {
            out.push(Finding::new(
                &EXTENSIONS_NO_DUPLICATES,
                at(base, e.offset, e.data.len().saturating_add(4)),
                format!("extension {} appears more than once", e.typ),
            ));
        }
    }
}

/// Judges a ClientHello whose body starts at `base` in the datagram.
pub(super) fn check_client_hello(
    ch: &ClientHello<'_>,
    message_seq: u16,
    base: usize,
    out: &mut Vec<Finding>,
) {
    let whole = Location::bytes(base, 0);
    let version = ch.client_version;
    if !matches!(
        version,
        ProtocolVersion::DTLS_1_2 | ProtocolVersion::DTLS_1_0
    ) {
        out.push(Finding::new(
            &CLIENT_HELLO_VERSION,
            at(base, 0, 2),
            format!("client_version {version} (0x{:04x})", version.0),
        ));
    }
    let offers13 = ch.offers_dtls13();
    if offers13 && version != ProtocolVersion::DTLS_1_2 {
        out.push(Finding::new(
            &DTLS13_CLIENT_HELLO_LEGACY_VERSION,
            at(base, 0, 2),
            format!("legacy_version 0x{:04x} with DTLS 1.3 offered", version.0),
        ));
    }
    if ch.session_id.len() > 32 {
        out.push(Finding::new(
            &HELLO_SESSION_ID_LENGTH,
            at(base, 34, 1),
            format!("session_id of {} bytes", ch.session_id.len()),
        ));
    }
    if version == ProtocolVersion::DTLS_1_0 && ch.cookie.len() > 32 {
        out.push(Finding::new(
            &DTLS10_COOKIE_LENGTH,
            whole.clone(),
            format!("DTLS 1.0 cookie of {} bytes", ch.cookie.len()),
        ));
    }
    if ch.dtls13_only() && !ch.cookie.is_empty() {
        out.push(Finding::new(
            &DTLS13_CLIENT_HELLO_LEGACY_COOKIE,
            whole.clone(),
            format!("legacy_cookie of {} bytes", ch.cookie.len()),
        ));
    }
    if ch.cipher_suites.is_empty() || !ch.cipher_suites.len().is_multiple_of(2) {
        out.push(Finding::new(
            &CLIENT_HELLO_CIPHER_SUITES,
            whole.clone(),
            format!("cipher_suites of {} bytes", ch.cipher_suites.len()),
        ));
    }
    if !ch.compression_methods.contains(&0) {
        out.push(Finding::new(
            &CLIENT_HELLO_NULL_COMPRESSION,
            whole.clone(),
            "compression_methods lacks null",
        ));
    }
    if offers13 && ch.compression_methods != [0] {
        out.push(Finding::new(
            &DTLS13_CLIENT_HELLO_COMPRESSION,
            whole.clone(),
            format!("legacy_compression_methods {:?}", ch.compression_methods),
        ));
    }
    let has_cookie_ext = ch
        .extensions
        .is_some_and(|e| e.get(ExtensionType::COOKIE).is_some());
    if !offers13 && ch.cookie.is_empty() && !has_cookie_ext && message_seq != 0 {
        out.push(Finding::new(
            &HANDSHAKE_FIRST_MESSAGE_SEQ,
            whole.clone(),
            format!("initial ClientHello with message_seq {message_seq}"),
        ));
    }
    duplicates(ch.extensions, base, out);
    if let Some(exts) = ch.extensions {
        let list: Vec<_> = exts.iter().filter_map(Result::ok).collect();
        let psk = list
            .iter()
            .position(|e| e.typ == ExtensionType::PRE_SHARED_KEY);
        if let Some(i) = psk {
            if i.saturating_add(1) != list.len() {
                out.push(Finding::new(
                    &EXTENSIONS_PRE_SHARED_KEY_LAST,
                    whole.clone(),
                    "pre_shared_key is not the last extension",
                ));
            }
            if !list
                .iter()
                .any(|e| e.typ == ExtensionType::PSK_KEY_EXCHANGE_MODES)
            {
                out.push(Finding::new(
                    &EXTENSIONS_PSK_MODES,
                    whole.clone(),
                    "pre_shared_key without psk_key_exchange_modes",
                ));
            }
        }
    }
    if let Some(list) = ch.offered_versions() {
        for v in list.iter().map(ProtocolVersion) {
            if !v.is_dtls() && !v.is_grease() {
                out.push(Finding::new(
                    &DTLS13_SUPPORTED_VERSIONS_VALUES,
                    whole.clone(),
                    format!("supported_versions offers {v} (0x{:04x})", v.0),
                ));
            }
        }
    }
    check_key_shares(ch, &whole, out);
    if let Some(Ok(ExtensionBody::UseSrtp { profiles, .. })) = ch.extension(ExtensionType::USE_SRTP)
        && profiles.is_empty()
    {
        out.push(Finding::new(
            &USE_SRTP_PROFILES,
            whole,
            "use_srtp offers no protection profile",
        ));
    }
}

fn check_key_shares(ch: &ClientHello<'_>, whole: &Location, out: &mut Vec<Finding>) {
    let shares = ch.key_shares();
    if shares.is_empty() {
        return;
    }
    let groups: Vec<u16> = match ch.extension(ExtensionType::SUPPORTED_GROUPS) {
        Some(Ok(ExtensionBody::SupportedGroups(l))) => l.iter().collect(),
        _ => Vec::new(),
    };
    let mut seen = HashSet::new();
    for share in &shares {
        let g = share.group;
        if !groups.contains(&g.0) && !ProtocolVersion(g.0).is_grease() {
            out.push(Finding::new(
                &KEY_SHARE_GROUP_OFFERED,
                whole.clone(),
                format!("key share for {g} not in supported_groups"),
            ));
        }
        if !seen.insert(g) {
            out.push(Finding::new(
                &KEY_SHARE_UNIQUE_GROUPS,
                whole.clone(),
                format!("two key shares for {g}"),
            ));
        }
        if let Some(n) = NamedGroup::ecdhe_share_len(g)
            && share.key_exchange.len() != n
        {
            out.push(Finding::new(
                &KEY_SHARE_ECDHE_LENGTH,
                whole.clone(),
                format!(
                    "{g} key share of {} bytes, {n} expected",
                    share.key_exchange.len()
                ),
            ));
        }
    }
}

/// Judges a ServerHello (or HelloRetryRequest) whose body starts at `base`.
pub(super) fn check_server_hello(sh: &ServerHello<'_>, base: usize, out: &mut Vec<Finding>) {
    let whole = Location::bytes(base, 0);
    if sh.session_id.len() > 32 {
        out.push(Finding::new(
            &HELLO_SESSION_ID_LENGTH,
            at(base, 34, 1),
            format!("session_id of {} bytes", sh.session_id.len()),
        ));
    }
    duplicates(sh.extensions, base, out);
    if sh.selects_dtls13() || sh.is_hello_retry_request() {
        if sh.server_version != ProtocolVersion::DTLS_1_2 {
            out.push(Finding::new(
                &DTLS13_SERVER_HELLO_LEGACY_VERSION,
                at(base, 0, 2),
                format!("legacy_version 0x{:04x}", sh.server_version.0),
            ));
        }
        if sh.compression_method != 0 {
            out.push(Finding::new(
                &DTLS13_SERVER_HELLO_COMPRESSION,
                whole.clone(),
                format!("legacy_compression_method {}", sh.compression_method),
            ));
        }
    }
    if let Some(Ok(ExtensionBody::UseSrtp { profiles, .. })) = sh.extension(ExtensionType::USE_SRTP)
        && profiles.len() != 1
    {
        out.push(Finding::new(
            &USE_SRTP_SERVER_SINGLE_PROFILE,
            whole,
            format!("server use_srtp with {} profiles", profiles.len()),
        ));
    }
}
