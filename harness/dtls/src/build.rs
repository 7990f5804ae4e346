//! Emitters for the structures the parsers read: hello messages, handshake fragments,
//! records. Coverage cases, the vector generator and the benchmarks build their inputs here.
//!
//! These take owned specifications and write wire bytes exactly as given, including values
//! the rules flag, so that broken messages can be built on purpose.

use crate::codes::{ContentType, ExtensionType, HandshakeType, ProtocolVersion};

/// Appends `v` as a `uint24`, saturating at 2^24-1.
fn push_u24(out: &mut Vec<u8>, v: usize) {
    let v = u32::try_from(v).unwrap_or(u32::MAX).min(0x00ff_ffff);
    out.extend_from_slice(v.to_be_bytes().get(1..).unwrap_or_default());
}

/// Appends a vector with a one-byte length (truncating the length to 255).
pub fn push_vec8(out: &mut Vec<u8>, body: &[u8]) {
    out.push(u8::try_from(body.len()).unwrap_or(u8::MAX));
    out.extend_from_slice(body);
}

/// Appends a vector with a two-byte length (truncating the length to 65535).
pub fn push_vec16(out: &mut Vec<u8>, body: &[u8]) {
    out.extend_from_slice(&u16::try_from(body.len()).unwrap_or(u16::MAX).to_be_bytes());
    out.extend_from_slice(body);
}

/// Appends a vector with a three-byte length.
pub fn push_vec24(out: &mut Vec<u8>, body: &[u8]) {
    push_u24(out, body.len());
    out.extend_from_slice(body);
}

/// `uint16` values as bytes.
#[must_use]
pub fn u16s(values: &[u16]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_be_bytes()).collect()
}

/// An extension: type and `extension_data`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExtensionSpec {
    /// Type.
    pub typ: ExtensionType,
    /// Data.
    pub data: Vec<u8>,
}

impl ExtensionSpec {
    /// supported_versions as a client offers it.
    #[must_use]
    pub fn supported_versions_offered(versions: &[u16]) -> Self {
        let mut data = Vec::new();
        push_vec8(&mut data, &u16s(versions));
        Self {
            typ: ExtensionType::SUPPORTED_VERSIONS,
            data,
        }
    }

    /// supported_versions as a server selects it.
    #[must_use]
    pub fn supported_version_selected(version: u16) -> Self {
        Self {
            typ: ExtensionType::SUPPORTED_VERSIONS,
            data: version.to_be_bytes().to_vec(),
        }
    }

    /// supported_groups.
    #[must_use]
    pub fn supported_groups(groups: &[u16]) -> Self {
        let mut data = Vec::new();
        push_vec16(&mut data, &u16s(groups));
        Self {
            typ: ExtensionType::SUPPORTED_GROUPS,
            data,
        }
    }

    /// signature_algorithms.
    #[must_use]
    pub fn signature_algorithms(algs: &[u16]) -> Self {
        let mut data = Vec::new();
        push_vec16(&mut data, &u16s(algs));
        Self {
            typ: ExtensionType::SIGNATURE_ALGORITHMS,
            data,
        }
    }

    /// key_share as a client sends it: `(group, key_exchange)` entries.
    #[must_use]
    pub fn key_share_client(shares: &[(u16, Vec<u8>)]) -> Self {
        let mut list = Vec::new();
        for (group, key) in shares {
            list.extend_from_slice(&group.to_be_bytes());
            push_vec16(&mut list, key);
        }
        let mut data = Vec::new();
        push_vec16(&mut data, &list);
        Self {
            typ: ExtensionType::KEY_SHARE,
            data,
        }
    }

    /// key_share as a server sends it in a ServerHello.
    #[must_use]
    pub fn key_share_server(group: u16, key: &[u8]) -> Self {
        let mut data = group.to_be_bytes().to_vec();
        push_vec16(&mut data, key);
        Self {
            typ: ExtensionType::KEY_SHARE,
            data,
        }
    }

    /// use_srtp with profiles and MKI.
    #[must_use]
    pub fn use_srtp(profiles: &[u16], mki: &[u8]) -> Self {
        let mut data = Vec::new();
        push_vec16(&mut data, &u16s(profiles));
        push_vec8(&mut data, mki);
        Self {
            typ: ExtensionType::USE_SRTP,
            data,
        }
    }

    /// An extension whose data is a vector with a one-byte length (ec_point_formats,
    /// renegotiation_info, psk_key_exchange_modes, connection_id).
    #[must_use]
    pub fn vec8(typ: ExtensionType, body: &[u8]) -> Self {
        let mut data = Vec::new();
        push_vec8(&mut data, body);
        Self { typ, data }
    }

    /// An extension with empty data (extended_master_secret, session_ticket request).
    #[must_use]
    pub const fn empty(typ: ExtensionType) -> Self {
        Self {
            typ,
            data: Vec::new(),
        }
    }

    /// pre_shared_key as a client offers it: one identity and one binder.
    #[must_use]
    pub fn pre_shared_key_offered(identity: &[u8], binder: &[u8]) -> Self {
        let mut ids = Vec::new();
        push_vec16(&mut ids, identity);
        ids.extend_from_slice(&0u32.to_be_bytes());
        let mut binders = Vec::new();
        push_vec8(&mut binders, binder);
        let mut data = Vec::new();
        push_vec16(&mut data, &ids);
        push_vec16(&mut data, &binders);
        Self {
            typ: ExtensionType::PRE_SHARED_KEY,
            data,
        }
    }
}

fn push_extensions(out: &mut Vec<u8>, extensions: Option<&[ExtensionSpec]>) {
    let Some(exts) = extensions else {
        return;
    };
    let mut block = Vec::new();
    for e in exts {
        block.extend_from_slice(&e.typ.0.to_be_bytes());
        push_vec16(&mut block, &e.data);
    }
    push_vec16(out, &block);
}

/// A ClientHello body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientHelloSpec {
    /// client_version.
    pub version: u16,
    /// random.
    pub random: [u8; 32],
    /// session_id.
    pub session_id: Vec<u8>,
    /// cookie.
    pub cookie: Vec<u8>,
    /// cipher_suites, raw bytes (so odd lengths can be built).
    pub cipher_suites: Vec<u8>,
    /// compression_methods.
    pub compression_methods: Vec<u8>,
    /// Extensions; `None` omits the block.
    pub extensions: Option<Vec<ExtensionSpec>>,
}

impl ClientHelloSpec {
    /// A plain DTLS 1.2 WebRTC-style ClientHello: ECDHE-ECDSA suites, use_srtp,
    /// extended_master_secret, renegotiation_info, supported_groups, ec_point_formats,
    /// signature_algorithms.
    #[must_use]
    pub fn dtls12() -> Self {
        Self {
            version: ProtocolVersion::DTLS_1_2.0,
            random: [0x11; 32],
            session_id: Vec::new(),
            cookie: Vec::new(),
            cipher_suites: u16s(&[0xc02b, 0xc02f, 0xc00a]),
            compression_methods: vec![0],
            extensions: Some(vec![
                ExtensionSpec::empty(ExtensionType::EXTENDED_MASTER_SECRET),
                ExtensionSpec::vec8(ExtensionType::RENEGOTIATION_INFO, &[]),
                ExtensionSpec::supported_groups(&[0x001d, 0x0017]),
                ExtensionSpec::vec8(ExtensionType::EC_POINT_FORMATS, &[0]),
                ExtensionSpec::use_srtp(&[0x0007, 0x0001], &[]),
                ExtensionSpec::signature_algorithms(&[0x0403, 0x0804]),
            ]),
        }
    }

    /// A DTLS 1.3-only ClientHello offering x25519.
    #[must_use]
    pub fn dtls13() -> Self {
        Self {
            version: ProtocolVersion::DTLS_1_2.0,
            random: [0x13; 32],
            session_id: Vec::new(),
            cookie: Vec::new(),
            cipher_suites: u16s(&[0x1301, 0x1302, 0x1303]),
            compression_methods: vec![0],
            extensions: Some(vec![
                ExtensionSpec::supported_versions_offered(&[0xfefc]),
                ExtensionSpec::supported_groups(&[0x001d, 0x0017]),
                ExtensionSpec::key_share_client(&[(0x001d, vec![0x42; 32])]),
                ExtensionSpec::signature_algorithms(&[0x0403, 0x0804]),
                ExtensionSpec::use_srtp(&[0x0007, 0x0001], &[]),
            ]),
        }
    }

    /// The body bytes.
    #[must_use]
    pub fn encode(&self) -> Vec<u8> {
        let mut out = self.version.to_be_bytes().to_vec();
        out.extend_from_slice(&self.random);
        push_vec8(&mut out, &self.session_id);
        push_vec8(&mut out, &self.cookie);
        push_vec16(&mut out, &self.cipher_suites);
        push_vec8(&mut out, &self.compression_methods);
        push_extensions(&mut out, self.extensions.as_deref());
        out
    }

    /// The spec with one extension replaced (by type) or appended.
    #[must_use]
    pub fn with_extension(mut self, ext: ExtensionSpec) -> Self {
        let list = self.extensions.get_or_insert_with(Vec::new);
        if let Some(slot) = list.iter_mut().find(|e| e.typ == ext.typ) {
            *slot = ext;
        } else {
            list.push(ext);
        }
        self
    }

    /// The spec without extensions of type `typ`.
    #[must_use]
    pub fn without_extension(mut self, typ: ExtensionType) -> Self {
        if let Some(list) = &mut self.extensions {
            list.retain(|e| e.typ != typ);
        }
        self
    }
}

/// A ServerHello (or HelloRetryRequest) body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerHelloSpec {
    /// server_version.
    pub version: u16,
    /// random.
    pub random: [u8; 32],
    /// session_id.
    pub session_id: Vec<u8>,
    /// cipher_suite.
    pub cipher_suite: u16,
    /// compression_method.
    pub compression_method: u8,
    /// Extensions; `None` omits the block.
    pub extensions: Option<Vec<ExtensionSpec>>,
}

impl ServerHelloSpec {
    /// A DTLS 1.2 ServerHello answering [`ClientHelloSpec::dtls12`].
    #[must_use]
    pub fn dtls12() -> Self {
        Self {
            version: ProtocolVersion::DTLS_1_2.0,
            random: [0x22; 32],
            session_id: Vec::new(),
            cipher_suite: 0xc02b,
            compression_method: 0,
            extensions: Some(vec![
                ExtensionSpec::empty(ExtensionType::EXTENDED_MASTER_SECRET),
                ExtensionSpec::vec8(ExtensionType::RENEGOTIATION_INFO, &[]),
                ExtensionSpec::use_srtp(&[0x0007], &[]),
            ]),
        }
    }

    /// A DTLS 1.3 ServerHello answering [`ClientHelloSpec::dtls13`].
    #[must_use]
    pub fn dtls13() -> Self {
        Self {
            version: ProtocolVersion::DTLS_1_2.0,
            random: [0x23; 32],
            session_id: Vec::new(),
            cipher_suite: 0x1301,
            compression_method: 0,
            extensions: Some(vec![
                ExtensionSpec::supported_version_selected(0xfefc),
                ExtensionSpec::key_share_server(0x001d, &[0x24; 32]),
            ]),
        }
    }

    /// The body bytes.
    #[must_use]
    pub fn encode(&self) -> Vec<u8> {
        let mut out = self.version.to_be_bytes().to_vec();
        out.extend_from_slice(&self.random);
        push_vec8(&mut out, &self.session_id);
        out.extend_from_slice(&self.cipher_suite.to_be_bytes());
        out.push(self.compression_method);
        push_extensions(&mut out, self.extensions.as_deref());
        out
    }
}

/// A handshake fragment: header plus `body[offset..offset+len]` of a message `body`.
/// Out-of-range requests are clamped to the body.
#[must_use]
pub fn handshake_fragment(
    msg_type: HandshakeType,
    message_seq: u16,
    body: &[u8],
    offset: usize,
    len: usize,
) -> Vec<u8> {
    let start = offset.min(body.len());
    let end = start.saturating_add(len).min(body.len());
    let part = body.get(start..end).unwrap_or_default();
    let mut out = vec![msg_type.0];
    push_u24(&mut out, body.len());
    out.extend_from_slice(&message_seq.to_be_bytes());
    push_u24(&mut out, start);
    push_u24(&mut out, part.len());
    out.extend_from_slice(part);
    out
}

/// An unfragmented handshake message with its DTLS header.
#[must_use]
pub fn handshake_message(msg_type: HandshakeType, message_seq: u16, body: &[u8]) -> Vec<u8> {
    handshake_fragment(msg_type, message_seq, body, 0, body.len())
}

/// A record with the DTLSPlaintext header.
#[must_use]
pub fn plaintext_record(
    content_type: ContentType,
    version: u16,
    epoch: u16,
    sequence_number: u64,
    fragment: &[u8],
) -> Vec<u8> {
    let mut out = vec![content_type.0];
    out.extend_from_slice(&version.to_be_bytes());
    out.extend_from_slice(&epoch.to_be_bytes());
    out.extend_from_slice(sequence_number.to_be_bytes().get(2..).unwrap_or_default());
    push_vec16(&mut out, fragment);
    out
}

/// A DTLS 1.3 record with a full unified header (16-bit sequence number, length present).
#[must_use]
pub fn unified_record(epoch_bits: u8, cid: Option<&[u8]>, seq: u16, encrypted: &[u8]) -> Vec<u8> {
    let mut first = 0x20 | 0x08 | 0x04 | (epoch_bits & 0x03);
    if cid.is_some() {
        first |= 0x10;
    }
    let mut out = vec![first];
    if let Some(c) = cid {
        out.extend_from_slice(c);
    }
    out.extend_from_slice(&seq.to_be_bytes());
    push_vec16(&mut out, encrypted);
    out
}

/// Splits a handshake message into records of at most `max_datagram` bytes each, one record
/// (and one fragment) per datagram, DTLSPlaintext epoch 0, record sequence numbers from
/// `first_record_seq` (RFC 9147 §5.5: contiguous, non-overlapping ranges).
#[must_use]
pub fn fragment_into_datagrams(
    msg_type: HandshakeType,
    message_seq: u16,
    body: &[u8],
    record_version: u16,
    first_record_seq: u64,
    max_datagram: usize,
) -> Vec<Vec<u8>> {
    let room = max_datagram.saturating_sub(13 + 12).max(1);
    let mut out = Vec::new();
    let mut offset = 0usize;
    let mut seq = first_record_seq;
    loop {
        let len = room.min(body.len().saturating_sub(offset));
        let frag = handshake_fragment(msg_type, message_seq, body, offset, len);
        out.push(plaintext_record(
            ContentType::HANDSHAKE,
            record_version,
            0,
            seq,
            &frag,
        ));
        offset = offset.saturating_add(len);
        seq = seq.saturating_add(1);
        if offset >= body.len() {
            return out;
        }
    }
}

/// Bytes drawn from the seeded stream `label` of run seed 4.
fn seeded_bytes(label: &str, n: usize) -> Vec<u8> {
    let mut rng = harness_core::rng::RunSeed(4).stream(label);
    (0..n)
        .map(|_| u8::try_from(rng.below(256)).unwrap_or(0))
        .collect()
}

/// A DTLS 1.3 ClientHello shaped like a browser's with a post-quantum key share: DTLS 1.3
/// and 1.2 offered, X25519MLKEM768 (a 1216-byte share: 1184-byte ML-KEM-768 encapsulation
/// key then 32-byte X25519 key) and x25519 shares, use_srtp. Key shares and random are
/// seeded bytes of the right sizes, not real keys.
#[must_use]
pub fn dtls13_post_quantum_client_hello() -> ClientHelloSpec {
    let mut random = [0u8; 32];
    random.copy_from_slice(&seeded_bytes("dtls13-pq/random", 32));
    ClientHelloSpec {
        version: ProtocolVersion::DTLS_1_2.0,
        random,
        session_id: Vec::new(),
        cookie: Vec::new(),
        cipher_suites: u16s(&[
            0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xcca9, 0xcca8, 0xc009, 0xc013, 0xc00a, 0xc014,
        ]),
        compression_methods: vec![0],
        extensions: Some(vec![
            ExtensionSpec::supported_versions_offered(&[0xfefc, 0xfefd]),
            ExtensionSpec::supported_groups(&[0x11ec, 0x001d, 0x0017, 0x0018]),
            ExtensionSpec::key_share_client(&[
                (0x11ec, seeded_bytes("dtls13-pq/x25519mlkem768", 1216)),
                (0x001d, seeded_bytes("dtls13-pq/x25519", 32)),
            ]),
            ExtensionSpec::signature_algorithms(&[0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501]),
            ExtensionSpec::use_srtp(&[0x0007, 0x0008, 0x0001], &[]),
            ExtensionSpec::empty(ExtensionType::EXTENDED_MASTER_SECRET),
            ExtensionSpec::vec8(ExtensionType::RENEGOTIATION_INFO, &[]),
            ExtensionSpec::vec8(ExtensionType::EC_POINT_FORMATS, &[0]),
        ]),
    }
}

/// The generated vector: [`dtls13_post_quantum_client_hello`] as message_seq 0, split for a
/// 1200-byte MTU into two datagrams of one record and one fragment each.
#[must_use]
pub fn dtls13_post_quantum_client_hello_flight() -> Vec<Vec<u8>> {
    let body = dtls13_post_quantum_client_hello().encode();
    fragment_into_datagrams(
        HandshakeType::CLIENT_HELLO,
        0,
        &body,
        ProtocolVersion::DTLS_1_2.0,
        0,
        1200,
    )
}
