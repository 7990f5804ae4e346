//! The DTLS inspector: records and handshake messages as a field tree, findings from the
//! rules, and the certificate fingerprint verdict when the session description is given.

use std::borrow::Cow;

use harness_core::inspect::{Confidence, Field, FieldValue, InspectContext, Inspection, Inspector};

use crate::codes::{HandshakeType, NamedGroup, ProtocolVersion, SrtpProfile};
use crate::datagram::{Content, FragmentView, RecordView, dissect};
use crate::messages::extensions::{ExtensionBody, Extensions, key_share_entries, parse_body};
use crate::messages::{ClientHello, HandshakeBody, ServerHello};
use crate::observer::Observer;
use crate::record::{Record, RecordContext, records};
use crate::rules::check_datagram;

/// The DTLS inspector.
#[derive(Clone, Copy, Debug, Default)]
pub struct DtlsInspector;

static INSPECTOR: DtlsInspector = DtlsInspector;

/// The inspector `webrtc-harness inspect` uses for DTLS datagrams.
#[must_use]
pub fn inspector() -> &'static dyn Inspector {
    &INSPECTOR
}

fn hex(v: u64) -> FieldValue {
    FieldValue::Hex(v)
}

fn named(name: &'static str, text: impl Into<Cow<'static, str>>) -> Field {
    Field::text(name, text)
}

fn version_field(name: &'static str, v: ProtocolVersion) -> Field {
    Field::new(name, hex(u64::from(v.0))).with_children(vec![named("name", v.to_string())])
}

impl Inspector for DtlsInspector {
    fn protocol(&self) -> &'static str {
        "dtls"
    }

    fn detect(&self, input: &[u8]) -> Confidence {
        let Some(&first) = input.first() else {
            return Confidence::No;
        };
        if !(20..=63).contains(&first) {
            return Confidence::No;
        }
        let mut framed = 0usize;
        let mut dtls_version = false;
        for r in records(input, RecordContext::default()) {
            match r {
                Ok(Record::Plaintext(p)) => {
                    dtls_version |= p.content_type.is_known()
                        && matches!(p.version.0, 0xfeff | 0xfefd | 0xfefc);
                    framed = framed.saturating_add(1);
                }
                Ok(Record::Unified(_)) => framed = framed.saturating_add(1),
                Err(_) => return Confidence::Maybe,
            }
        }
        if dtls_version {
            Confidence::Certain
        } else if framed > 0 {
            Confidence::Maybe
        } else {
            Confidence::No
        }
    }

    fn inspect(&self, input: &[u8], context: &InspectContext) -> Inspection {
        let mut out = Inspection::new("dtls");
        let diss = dissect(input, RecordContext::default());
        out.parsed = diss.parsed_cleanly() && !diss.records.is_empty();
        out.error = diss.error.map(|e| e.to_string()).or_else(|| {
            (!diss.parsed_cleanly()).then(|| "a plaintext structure does not parse".to_string())
        });
        out.fields = diss
            .records
            .iter()
            .enumerate()
            .map(|(i, r)| record_field(i, r))
            .collect();
        if let Some(e) = diss.error {
            out.fields.push(
                named("error", e.to_string())
                    .at(e.offset(), input.len().saturating_sub(e.offset())),
            );
        }
        // Findings on the datagram, whole messages included, then the exchange rules
        // (fingerprint against the session description).
        out.findings = check_datagram(&diss, true);
        let mut obs = Observer::default();
        for sdp in [&context.offer, &context.answer].into_iter().flatten() {
            for line in sdp.lines() {
                if let Some(v) = line.trim().strip_prefix("a=fingerprint:") {
                    obs.expect_fingerprint(v.trim().to_string());
                }
            }
        }
        obs.datagram(0, None, input);
        let verdict = obs.fingerprint_verdict();
        out.findings.extend(
            obs.findings
                .into_iter()
                .filter(|f| f.rule.scope != harness_core::rules::Scope::Message),
        );
        out.verdicts.push(("fingerprint", Cow::Borrowed(verdict)));
        out
    }
}

fn record_field(index: usize, rv: &RecordView<'_>) -> Field {
    let r = &rv.record;
    let mut children = Vec::new();
    match r {
        Record::Plaintext(p) => {
            children.push(named("content_type", p.content_type.to_string()).at(p.offset, 1));
            children.push(version_field("version", p.version).at(p.offset.saturating_add(1), 2));
            children
                .push(Field::uint("epoch", u64::from(p.epoch)).at(p.offset.saturating_add(3), 2));
            children.push(
                Field::uint("sequence_number", p.sequence_number).at(p.offset.saturating_add(5), 6),
            );
            if let Some(cid) = p.connection_id {
                children.push(Field::new("connection_id", FieldValue::Bytes(cid.to_vec())));
            }
            children.push(Field::uint("length", u64::from(p.length)));
        }
        Record::Unified(u) => {
            children
                .push(Field::new("unified_header", hex(u64::from(u.first_byte))).at(u.offset, 1));
            children.push(Field::new("c", FieldValue::Bool(u.connection_id.is_some())));
            children.push(Field::new("s", FieldValue::Bool(u.sequence_is_16_bit)));
            children.push(Field::new("l", FieldValue::Bool(u.length.is_some())));
            children.push(Field::uint("epoch_bits", u64::from(u.epoch_bits)));
            if let Some(cid) = u.connection_id {
                children.push(Field::new("connection_id", FieldValue::Bytes(cid.to_vec())));
            }
            children.push(Field::uint(
                "sequence_number_encrypted",
                u64::from(u.sequence_number),
            ));
            if let Some(l) = u.length {
                children.push(Field::uint("length", u64::from(l)));
            }
        }
    }
    match &rv.content {
        Content::Handshake(list, err) => {
            for f in list {
                children.push(fragment_field(rv, f));
            }
            if let Some(e) = err {
                children.push(named("handshake_error", e.to_string()));
            }
        }
        Content::Alert(Ok(a)) => children.push(Field::group(
            "alert",
            vec![
                named("level", a.level.to_string()),
                named("description", a.description.to_string()),
            ],
        )),
        Content::Alert(Err(e)) => children.push(named("alert_error", e.to_string())),
        Content::ChangeCipherSpec(b) => children.push(Field::new(
            "change_cipher_spec",
            FieldValue::Bytes(b.to_vec()),
        )),
        Content::Ack(Ok(list)) => children.push(Field::group(
            "ack",
            list.iter()
                .map(|n| {
                    named(
                        "record_number",
                        format!("epoch {} seq {}", n.epoch, n.sequence_number),
                    )
                })
                .collect(),
        )),
        Content::Ack(Err(e)) => children.push(named("ack_error", e.to_string())),
        Content::Protected => {
            children.push(Field::uint("protected_bytes", r.payload().len() as u64))
        }
        Content::Other => children.push(Field::uint("payload_bytes", r.payload().len() as u64)),
    }
    Field::group(format!("record[{index}]"), children).at(r.offset(), r.wire_len())
}

fn fragment_field(rv: &RecordView<'_>, f: &FragmentView<'_>) -> Field {
    let fr = &f.fragment;
    let start = crate::rules::check::body_offset(rv, fr.offset).saturating_sub(12);
    let mut children = vec![
        named("msg_type", fr.msg_type.to_string()),
        Field::uint("length", u64::from(fr.length)),
        Field::uint("message_seq", u64::from(fr.message_seq)),
        Field::uint("fragment_offset", u64::from(fr.fragment_offset)),
        Field::uint("fragment_length", u64::from(fr.fragment_length)),
    ];
    match &f.body {
        Some(Ok(body)) => children.extend(body_fields(body)),
        Some(Err(e)) => children.push(named("body_error", e.to_string())),
        None => children.push(named("body", "fragment (reassembly needed)")),
    }
    Field::group("handshake", children).at(start, fr.body.len().saturating_add(12))
}

fn body_fields(body: &HandshakeBody<'_>) -> Vec<Field> {
    match body {
        HandshakeBody::ClientHello(ch) => client_hello_fields(ch),
        HandshakeBody::ServerHello(sh) => server_hello_fields(sh),
        HandshakeBody::HelloVerifyRequest(h) => vec![
            version_field("server_version", h.server_version),
            Field::new("cookie", FieldValue::Bytes(h.cookie.to_vec())),
        ],
        HandshakeBody::Certificate(c) => {
            let mut v: Vec<Field> = c
                .certificates()
                .flatten()
                .map(|der| Field::uint("certificate_bytes", der.len() as u64))
                .collect();
            if let Some(leaf) = c.leaf() {
                v.push(named(
                    "leaf_fingerprint",
                    crate::fingerprint::fingerprint(
                        leaf,
                        crate::fingerprint::FingerprintHash::Sha256,
                    ),
                ));
            }
            v
        }
        HandshakeBody::ServerKeyExchange(s) => {
            let mut v = Vec::new();
            if let Some(g) = s.group {
                v.push(named("named_group", g.to_string()));
            }
            if let Some(p) = s.public {
                v.push(Field::uint("public_bytes", p.len() as u64));
            }
            v
        }
        HandshakeBody::CertificateRequest(c) => vec![
            Field::new(
                "certificate_types",
                FieldValue::Bytes(c.certificate_types.to_vec()),
            ),
            Field::uint(
                "signature_algorithms",
                c.signature_algorithms.map_or(0, |l| l.len() as u64),
            ),
        ],
        HandshakeBody::ServerHelloDone(b)
        | HandshakeBody::ClientKeyExchange(b)
        | HandshakeBody::Other(_, b) => {
            vec![Field::uint("body_bytes", b.len() as u64)]
        }
    }
}

fn client_hello_fields(ch: &ClientHello<'_>) -> Vec<Field> {
    vec![
        version_field("client_version", ch.client_version),
        Field::new("random", FieldValue::Bytes(ch.random.to_vec())),
        Field::new("session_id", FieldValue::Bytes(ch.session_id.to_vec())),
        Field::new("cookie", FieldValue::Bytes(ch.cookie.to_vec())),
        Field::group(
            "cipher_suites",
            ch.cipher_suite_values()
                .map(|v| Field::new("suite", hex(u64::from(v))))
                .collect(),
        ),
        Field::new(
            "compression_methods",
            FieldValue::Bytes(ch.compression_methods.to_vec()),
        ),
        extensions_field(ch.extensions, HandshakeType::CLIENT_HELLO, false),
    ]
}

fn server_hello_fields(sh: &ServerHello<'_>) -> Vec<Field> {
    vec![
        version_field("server_version", sh.server_version),
        Field::new(
            "hello_retry_request",
            FieldValue::Bool(sh.is_hello_retry_request()),
        ),
        version_field("selected_version", sh.selected_version()),
        Field::new("random", FieldValue::Bytes(sh.random.to_vec())),
        Field::new("session_id", FieldValue::Bytes(sh.session_id.to_vec())),
        Field::new("cipher_suite", hex(u64::from(sh.cipher_suite))),
        Field::uint("compression_method", u64::from(sh.compression_method)),
        extensions_field(
            sh.extensions,
            HandshakeType::SERVER_HELLO,
            sh.is_hello_retry_request(),
        ),
    ]
}

fn extensions_field(exts: Option<Extensions<'_>>, in_message: HandshakeType, retry: bool) -> Field {
    let Some(exts) = exts else {
        return Field::group("extensions", Vec::new());
    };
    let list = exts
        .iter()
        .map(|e| match e {
            Ok(e) => {
                let mut f = Field::new(
                    match e.typ.name() {
                        Some(n) => Cow::Borrowed(n),
                        None => Cow::Owned(format!("extension_0x{:04x}", e.typ.0)),
                    },
                    FieldValue::Uint(e.data.len() as u64),
                );
                f.children = match parse_body(&e, in_message, retry) {
                    Ok(b) => extension_detail(&b),
                    Err(err) => vec![named("error", err.to_string())],
                };
                f
            }
            Err(err) => named("error", err.to_string()),
        })
        .collect();
    Field::group("extensions", list)
}

fn extension_detail(body: &ExtensionBody<'_>) -> Vec<Field> {
    match body {
        ExtensionBody::SupportedVersionsOffered(l) => l
            .iter()
            .map(|v| version_field("version", ProtocolVersion(v)))
            .collect(),
        ExtensionBody::SupportedVersionSelected(v) => vec![version_field("selected", *v)],
        ExtensionBody::KeyShareClient(raw) => key_share_entries(raw)
            .filter_map(Result::ok)
            .map(|e| {
                named(
                    "key_share",
                    format!("{} ({} bytes)", e.group, e.key_exchange.len()),
                )
            })
            .collect(),
        ExtensionBody::KeyShareServer(e) => {
            vec![named(
                "key_share",
                format!("{} ({} bytes)", e.group, e.key_exchange.len()),
            )]
        }
        ExtensionBody::KeyShareRetry(g) => vec![named("selected_group", g.to_string())],
        ExtensionBody::SupportedGroups(l) => l
            .iter()
            .map(|g| named("group", NamedGroup(g).to_string()))
            .collect(),
        ExtensionBody::SignatureAlgorithms(l) => l
            .iter()
            .map(|a| Field::new("scheme", hex(u64::from(a))))
            .collect(),
        ExtensionBody::UseSrtp { profiles, mki } => {
            let mut v: Vec<Field> = profiles
                .iter()
                .map(|p| named("profile", SrtpProfile(p).to_string()))
                .collect();
            v.push(Field::new("srtp_mki", FieldValue::Bytes(mki.to_vec())));
            v
        }
        ExtensionBody::ConnectionId(c) => vec![Field::new("cid", FieldValue::Bytes(c.to_vec()))],
        ExtensionBody::Cookie(c) => vec![Field::uint("cookie_bytes", c.len() as u64)],
        ExtensionBody::PreSharedKeySelected(i) => {
            vec![Field::uint("selected_identity", u64::from(*i))]
        }
        ExtensionBody::PskKeyExchangeModes(m)
        | ExtensionBody::EcPointFormats(m)
        | ExtensionBody::RenegotiationInfo(m) => {
            vec![Field::new("value", FieldValue::Bytes(m.to_vec()))]
        }
        _ => Vec::new(),
    }
}
