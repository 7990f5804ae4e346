//! Coverage cases: for every rule, one input that triggers it and one that passes it.
//! Inputs are built with [`crate::build`] from the structures of the RFCs.

use harness_core::rules::{CaseResult, Expect, Finding};

use crate::build::{
    ClientHelloSpec, ExtensionSpec, ServerHelloSpec, handshake_fragment, handshake_message,
    plaintext_record, push_vec8, push_vec24, unified_record,
};
use crate::codes::{ContentType, ExtensionType, HandshakeType};
use crate::datagram::dissect;
use crate::observer::Observer;
use crate::record::RecordContext;
use crate::rules::check_datagram;

const V12: u16 = 0xfefd;
const V10: u16 = 0xfeff;

fn judge_bytes(datagram: &[u8], cid_len: Option<usize>) -> Vec<Finding> {
    check_datagram(&dissect(datagram, RecordContext { cid_len }), true)
}

/// One epoch-0 handshake record holding `messages` (already with DTLS headers).
fn hs_record(version: u16, seq: u64, messages: &[Vec<u8>]) -> Vec<u8> {
    plaintext_record(ContentType::HANDSHAKE, version, 0, seq, &messages.concat())
}

fn ch(spec: &ClientHelloSpec) -> Vec<u8> {
    hs_record(
        V10,
        0,
        &[handshake_message(
            HandshakeType::CLIENT_HELLO,
            0,
            &spec.encode(),
        )],
    )
}

fn sh(spec: &ServerHelloSpec, record_version: u16) -> Vec<u8> {
    hs_record(
        record_version,
        0,
        &[handshake_message(
            HandshakeType::SERVER_HELLO,
            0,
            &spec.encode(),
        )],
    )
}

fn flow(datagrams: &[(usize, Vec<u8>)], fingerprints: &[String]) -> Vec<Finding> {
    let mut obs = Observer::default();
    for fp in fingerprints {
        obs.expect_fingerprint(fp.clone());
    }
    for (side, d) in datagrams {
        obs.datagram(*side, None, d);
    }
    obs.findings
}

fn record(ct: ContentType, epoch: u16, seq: u64, body: &[u8]) -> Vec<u8> {
    plaintext_record(ct, V12, epoch, seq, body)
}

struct Cases(Vec<CaseResult>);

impl Cases {
    fn pair(
        &mut self,
        rule: &'static str,
        trig: (&'static str, Vec<Finding>),
        pass: (&'static str, Vec<Finding>),
    ) {
        self.0
            .push(CaseResult::judge(rule, trig.0, Expect::Triggers, &trig.1));
        self.0
            .push(CaseResult::judge(rule, pass.0, Expect::Passes, &pass.1));
    }
}

fn with_ext_list(mut spec: ClientHelloSpec, exts: Vec<ExtensionSpec>) -> ClientHelloSpec {
    spec.extensions.get_or_insert_with(Vec::new).extend(exts);
    spec
}

fn certificate(der: &[u8]) -> Vec<u8> {
    let mut entry = Vec::new();
    push_vec24(&mut entry, der);
    let mut body = Vec::new();
    push_vec24(&mut body, &entry);
    body
}

/// Runs every coverage case.
#[must_use]
pub fn cases() -> Vec<CaseResult> {
    let mut c = Cases(Vec::new());
    let ch12 = ClientHelloSpec::dtls12();
    let ch13 = ClientHelloSpec::dtls13();
    let good12 = ch(&ch12);
    let good13 = ch(&ch13);
    record_cases(&mut c, &good12);
    handshake_cases(&mut c, &ch12, &good12);
    client_hello_cases(&mut c, &ch12, &ch13, &good12, &good13);
    server_cases(&mut c, &ch12);
    alert_cases(&mut c);

    let der = b"leaf certificate DER";
    let cert = hs_record(
        V12,
        1,
        &[handshake_message(
            HandshakeType::CERTIFICATE,
            1,
            &certificate(der),
        )],
    );
    let other =
        crate::fingerprint::fingerprint(b"another", crate::fingerprint::FingerprintHash::Sha256);
    let same = crate::fingerprint::fingerprint(der, crate::fingerprint::FingerprintHash::Sha384);
    c.pair(
        "dtls.certificate.fingerprint",
        (
            "certificate-not-in-sdp",
            flow(&[(1, cert.clone())], &[other]),
        ),
        ("certificate-matches-sha384", flow(&[(1, cert)], &[same])),
    );
    c.0
}

fn record_cases(c: &mut Cases, good12: &[u8]) {
    let judge = |d: &[u8]| judge_bytes(d, None);
    let mut tls_version = good12.to_vec();
    if let Some(v) = tls_version.get_mut(1..3) {
        v.copy_from_slice(&[3, 3]);
    }
    c.pair(
        "dtls.record.version",
        ("record-version-tls12", judge(&tls_version)),
        ("record-version-dtls10", judge(good12)),
    );

    let sh13 = ServerHelloSpec::dtls13();
    c.pair(
        "dtls13.record.legacy_version",
        ("dtls13-server-hello-in-feff-record", judge(&sh(&sh13, V10))),
        ("dtls13-server-hello-in-fefd-record", judge(&sh(&sh13, V12))),
    );
    let big = vec![0u8; (1 << 14) + 1];
    c.pair(
        "dtls.record.plaintext_length",
        (
            "plaintext-2^14+1",
            judge(&record(ContentType::HANDSHAKE, 0, 0, &big)),
        ),
        ("plaintext-client-hello", judge(good12)),
    );
    c.pair(
        "dtls.record.ciphertext_length",
        (
            "ciphertext-2^14+2049",
            judge(&record(
                ContentType::APPLICATION_DATA,
                1,
                0,
                &vec![0; (1 << 14) + 2049],
            )),
        ),
        (
            "ciphertext-2^14+2048",
            judge(&record(
                ContentType::APPLICATION_DATA,
                1,
                0,
                &vec![0; (1 << 14) + 2048],
            )),
        ),
    );
    c.pair(
        "dtls13.record.ciphertext_length",
        (
            "unified-2^14+257",
            judge(&unified_record(1, None, 0, &vec![0; (1 << 14) + 257])),
        ),
        ("unified-32", judge(&unified_record(1, None, 0, &[0; 32]))),
    );
    c.pair(
        "dtls.record.content_type",
        (
            "content-type-27",
            judge(&record(ContentType(27), 0, 0, &[0])),
        ),
        ("content-type-handshake", judge(good12)),
    );
    c.pair(
        "dtls13.record.min_ciphertext",
        (
            "unified-8-bytes",
            judge(&unified_record(2, None, 0, &[0; 8])),
        ),
        (
            "unified-16-bytes",
            judge(&unified_record(2, None, 0, &[0; 16])),
        ),
    );
    c.pair(
        "dtls.record.application_data_epoch0",
        (
            "application-data-epoch-0",
            judge(&record(ContentType::APPLICATION_DATA, 0, 0, &[1; 20])),
        ),
        (
            "application-data-epoch-1",
            judge(&record(ContentType::APPLICATION_DATA, 1, 0, &[1; 20])),
        ),
    );
    let two_cids = [
        unified_record(3, Some(&[1, 2]), 0, &[0; 20]),
        unified_record(3, Some(&[9, 9]), 1, &[0; 20]),
    ]
    .concat();
    let same_cids = [
        unified_record(3, Some(&[1, 2]), 0, &[0; 20]),
        unified_record(3, Some(&[1, 2]), 1, &[0; 20]),
    ]
    .concat();
    c.pair(
        "dtls13.record.single_association",
        ("two-connection-ids", judge_bytes(&two_cids, Some(2))),
        ("one-connection-id", judge_bytes(&same_cids, Some(2))),
    );
    let ccs = record(ContentType::CHANGE_CIPHER_SPEC, 0, 4, &[1]);
    c.pair(
        "dtls.record.sequence_unique",
        (
            "same-epoch-and-sequence",
            judge(&[ccs.clone(), ccs.clone()].concat()),
        ),
        (
            "distinct-sequence",
            judge(
                &[
                    ccs.clone(),
                    record(ContentType::CHANGE_CIPHER_SPEC, 0, 5, &[1]),
                ]
                .concat(),
            ),
        ),
    );
    c.pair(
        "dtls.ccs.value",
        (
            "ccs-value-2",
            judge(&record(ContentType::CHANGE_CIPHER_SPEC, 0, 0, &[2])),
        ),
        ("ccs-value-1", judge(&ccs)),
    );
    let rn = |e: u64, s: u64| [e.to_be_bytes(), s.to_be_bytes()].concat();
    let ack = |list: &[Vec<u8>]| {
        let body = list.concat();
        let mut out = u16::try_from(body.len())
            .unwrap_or(0)
            .to_be_bytes()
            .to_vec();
        out.extend_from_slice(&body);
        record(ContentType::ACK, 0, 0, &out)
    };
    c.pair(
        "dtls13.ack.format",
        (
            "ack-3-byte-list",
            judge(&record(ContentType::ACK, 0, 0, &[0, 3, 1, 2, 3])),
        ),
        ("ack-one-record-number", judge(&ack(&[rn(2, 0)]))),
    );
    c.pair(
        "dtls13.ack.order",
        ("ack-decreasing", judge(&ack(&[rn(2, 5), rn(2, 1)]))),
        (
            "ack-increasing",
            judge(&ack(&[rn(0, 1), rn(2, 0), rn(2, 1)])),
        ),
    );
}

fn handshake_cases(c: &mut Cases, ch12: &ClientHelloSpec, good12: &[u8]) {
    let judge = |d: &[u8]| judge_bytes(d, None);
    let body = ch12.encode();
    let t = HandshakeType::CLIENT_HELLO;
    // A fragment header claiming bytes 100..140 of a 120-byte message.
    let mut beyond = handshake_fragment(HandshakeType::CERTIFICATE, 1, &[7; 140], 100, 40);
    if let Some(len) = beyond.get_mut(1..4) {
        len.copy_from_slice(&[0, 0, 120]);
    }
    c.pair(
        "dtls.handshake.fragment_bounds",
        (
            "fragment-past-message-end",
            judge(&hs_record(V12, 0, &[beyond])),
        ),
        ("whole-message", judge(good12)),
    );
    let part1 = handshake_fragment(t, 0, &body, 0, 50);
    let mut part2 = handshake_fragment(t, 0, &body, 50, body.len());
    if let Some(len) = part2.get_mut(1..4) {
        len.copy_from_slice(&[0, 0xff, 0xff]);
    }
    let part2_ok = handshake_fragment(t, 0, &body, 50, body.len());
    c.pair(
        "dtls.handshake.length_consistent",
        (
            "fragments-disagree-on-length",
            flow(
                &[
                    (0, hs_record(V10, 0, core::slice::from_ref(&part1))),
                    (0, hs_record(V10, 1, &[part2])),
                ],
                &[],
            ),
        ),
        (
            "fragments-agree",
            flow(
                &[
                    (0, hs_record(V10, 0, core::slice::from_ref(&part1))),
                    (0, hs_record(V10, 1, core::slice::from_ref(&part2_ok))),
                ],
                &[],
            ),
        ),
    );
    let mut changed = ch12.clone();
    changed.random = [0x99; 32];
    let retrans = hs_record(V10, 1, &[handshake_message(t, 0, &changed.encode())]);
    c.pair(
        "dtls.handshake.retransmission_identical",
        (
            "retransmission-changes-random",
            flow(&[(0, good12.to_vec()), (0, retrans)], &[]),
        ),
        (
            "retransmission-identical",
            flow(&[(0, good12.to_vec()), (0, good12.to_vec())], &[]),
        ),
    );
    let overlap = handshake_fragment(t, 0, &body, 40, body.len());
    c.pair(
        "dtls.handshake.no_overlap",
        (
            "overlapping-fragments",
            judge(&hs_record(V10, 0, &[part1.clone(), overlap])),
        ),
        (
            "adjacent-fragments",
            judge(&hs_record(V10, 0, &[part1, part2_ok])),
        ),
    );
    let empty = handshake_fragment(t, 0, &body, 10, 0);
    c.pair(
        "dtls.handshake.empty_fragment",
        ("zero-length-fragment", judge(&hs_record(V10, 0, &[empty]))),
        ("non-empty-fragment", judge(good12)),
    );
    c.pair(
        "dtls.handshake.first_message_seq",
        (
            "cookieless-client-hello-seq-1",
            judge(&hs_record(V10, 0, &[handshake_message(t, 1, &body)])),
        ),
        ("cookieless-client-hello-seq-0", judge(good12)),
    );
    let shd = |seq| handshake_message(HandshakeType::SERVER_HELLO_DONE, seq, &[]);
    let skx = |seq| handshake_message(HandshakeType::SERVER_KEY_EXCHANGE, seq, &[3, 0, 0x1d, 1, 9]);
    c.pair(
        "dtls.handshake.message_seq_increment",
        (
            "message-seq-skips",
            judge(&hs_record(V12, 1, &[skx(1), shd(3)])),
        ),
        (
            "message-seq-consecutive",
            judge(&hs_record(V12, 1, &[skx(1), shd(2)])),
        ),
    );
}

fn client_hello_cases(
    c: &mut Cases,
    ch12: &ClientHelloSpec,
    ch13: &ClientHelloSpec,
    good12: &[u8],
    good13: &[u8],
) {
    let judge = |d: &[u8]| judge_bytes(d, None);
    let variant = |f: &dyn Fn(&mut ClientHelloSpec), base: &ClientHelloSpec| {
        let mut s = base.clone();
        f(&mut s);
        judge(&ch(&s))
    };
    c.pair(
        "dtls.client_hello.version",
        (
            "client-version-tls12",
            variant(&|s| s.version = 0x0303, ch12),
        ),
        ("client-version-dtls12", judge(good12)),
    );
    c.pair(
        "dtls13.client_hello.legacy_version",
        (
            "dtls13-legacy-version-feff",
            variant(&|s| s.version = V10, ch13),
        ),
        ("dtls13-legacy-version-fefd", judge(good13)),
    );
    c.pair(
        "dtls.hello.session_id_length",
        (
            "session-id-33",
            variant(&|s| s.session_id = vec![1; 33], ch12),
        ),
        (
            "session-id-32",
            variant(&|s| s.session_id = vec![1; 32], ch12),
        ),
    );
    c.pair(
        "dtls.cookie.dtls10_length",
        (
            "dtls10-cookie-33",
            variant(
                &|s| {
                    s.version = V10;
                    s.cookie = vec![5; 33];
                },
                ch12,
            ),
        ),
        (
            "dtls10-cookie-32",
            variant(
                &|s| {
                    s.version = V10;
                    s.cookie = vec![5; 32];
                },
                ch12,
            ),
        ),
    );
    c.pair(
        "dtls13.client_hello.legacy_cookie",
        (
            "dtls13-only-with-cookie",
            variant(&|s| s.cookie = vec![5; 16], ch13),
        ),
        ("dtls13-only-empty-cookie", judge(good13)),
    );
    c.pair(
        "dtls.client_hello.cipher_suites",
        (
            "cipher-suites-odd-length",
            variant(&|s| s.cipher_suites = vec![0xc0, 0x2b, 0xc0], ch12),
        ),
        ("cipher-suites-three", judge(good12)),
    );
    c.pair(
        "dtls.client_hello.null_compression",
        (
            "compression-without-null",
            variant(&|s| s.compression_methods = vec![1], ch12),
        ),
        ("compression-null", judge(good12)),
    );
    c.pair(
        "dtls13.client_hello.compression",
        (
            "dtls13-two-compression-methods",
            variant(&|s| s.compression_methods = vec![0, 1], ch13),
        ),
        ("dtls13-null-compression-only", judge(good13)),
    );
    let dup = with_ext_list(
        ch12.clone(),
        vec![ExtensionSpec::empty(ExtensionType::EXTENDED_MASTER_SECRET)],
    );
    c.pair(
        "dtls.extensions.no_duplicates",
        ("extended-master-secret-twice", judge(&ch(&dup))),
        ("extensions-distinct", judge(good12)),
    );
    let modes = ExtensionSpec::vec8(ExtensionType::PSK_KEY_EXCHANGE_MODES, &[1]);
    let psk = ExtensionSpec::pre_shared_key_offered(b"ticket", &[0xb; 32]);
    c.pair(
        "dtls.extensions.pre_shared_key_last",
        (
            "psk-before-modes",
            judge(&ch(&with_ext_list(
                ch13.clone(),
                vec![psk.clone(), modes.clone()],
            ))),
        ),
        (
            "psk-last",
            judge(&ch(&with_ext_list(
                ch13.clone(),
                vec![modes.clone(), psk.clone()],
            ))),
        ),
    );
    c.pair(
        "dtls.extensions.psk_modes_with_psk",
        (
            "psk-without-modes",
            judge(&ch(&with_ext_list(ch13.clone(), vec![psk.clone()]))),
        ),
        (
            "psk-with-modes",
            judge(&ch(&with_ext_list(ch13.clone(), vec![modes, psk]))),
        ),
    );
    c.pair(
        "dtls13.supported_versions.dtls_values",
        (
            "supported-versions-tls13",
            judge(&ch(&ch13.clone().with_extension(
                ExtensionSpec::supported_versions_offered(&[0x0304, 0xfefc]),
            ))),
        ),
        (
            "supported-versions-grease-dtls13-dtls12",
            judge(&ch(&ch13.clone().with_extension(
                ExtensionSpec::supported_versions_offered(&[0x7a7a, 0xfefc, 0xfefd]),
            ))),
        ),
    );
    let mlkem =
        ExtensionSpec::key_share_client(&[(0x11ec, vec![0x5a; 1216]), (0x001d, vec![0x42; 32])]);
    c.pair(
        "dtls.key_share.group_in_supported_groups",
        (
            "x25519mlkem768-share-not-in-groups",
            judge(&ch(&ch13.clone().with_extension(mlkem.clone()))),
        ),
        (
            "x25519mlkem768-share-in-groups",
            judge(&ch(&ch13.clone().with_extension(mlkem).with_extension(
                ExtensionSpec::supported_groups(&[0x11ec, 0x001d]),
            ))),
        ),
    );
    c.pair(
        "dtls.key_share.unique_groups",
        (
            "two-x25519-shares",
            judge(&ch(&ch13.clone().with_extension(
                ExtensionSpec::key_share_client(&[(0x001d, vec![1; 32]), (0x001d, vec![2; 32])]),
            ))),
        ),
        ("one-x25519-share", judge(good13)),
    );
    c.pair(
        "dtls.key_share.ecdhe_length",
        (
            "x25519-share-31-bytes",
            judge(&ch(&ch13.clone().with_extension(
                ExtensionSpec::key_share_client(&[(0x001d, vec![1; 31])]),
            ))),
        ),
        ("x25519-share-32-bytes", judge(good13)),
    );
    c.pair(
        "dtls.use_srtp.profiles",
        (
            "use-srtp-no-profiles",
            judge(&ch(&ch12
                .clone()
                .with_extension(ExtensionSpec::use_srtp(&[], &[1, 2])))),
        ),
        (
            "use-srtp-profiles-with-mki",
            judge(&ch(&ch12
                .clone()
                .with_extension(ExtensionSpec::use_srtp(&[1, 2], &[1, 2])))),
        ),
    );
}

fn server_cases(c: &mut Cases, ch12: &ClientHelloSpec) {
    let judge = |d: &[u8]| judge_bytes(d, None);
    let sh12 = ServerHelloSpec::dtls12();
    let mut two = sh12.clone();
    if let Some(list) = &mut two.extensions {
        list.retain(|e| e.typ != ExtensionType::USE_SRTP);
        list.push(ExtensionSpec::use_srtp(&[7, 1], &[]));
    }
    c.pair(
        "dtls.use_srtp.server_single_profile",
        ("server-use-srtp-two-profiles", judge(&sh(&two, V12))),
        ("server-use-srtp-one-profile", judge(&sh(&sh12, V12))),
    );
    let mut unoffered = sh12.clone();
    if let Some(list) = &mut unoffered.extensions {
        list.retain(|e| e.typ != ExtensionType::USE_SRTP);
        list.push(ExtensionSpec::use_srtp(&[2], &[]));
    }
    let hello = ch(ch12);
    c.pair(
        "dtls.use_srtp.server_profile_offered",
        (
            "server-selects-unoffered-profile",
            flow(&[(0, hello.clone()), (1, sh(&unoffered, V12))], &[]),
        ),
        (
            "server-selects-offered-profile",
            flow(&[(0, hello.clone()), (1, sh(&sh12, V12))], &[]),
        ),
    );
    let mut scsv = ch12
        .clone()
        .without_extension(ExtensionType::RENEGOTIATION_INFO);
    scsv.cipher_suites.extend_from_slice(&[0x00, 0xff]);
    c.0.push(CaseResult::judge(
        "dtls.server_hello.extension_offered",
        "renegotiation-info-answering-the-scsv",
        Expect::Passes,
        &flow(&[(0, ch(&scsv)), (1, sh(&sh12, V12))], &[]),
    ));
    let no_ems = ch(&ch12
        .clone()
        .without_extension(ExtensionType::EXTENDED_MASTER_SECRET));
    c.pair(
        "dtls.server_hello.extension_offered",
        (
            "server-hello-ems-not-offered",
            flow(&[(0, no_ems), (1, sh(&sh12, V12))], &[]),
        ),
        (
            "server-hello-extensions-offered",
            flow(&[(0, hello), (1, sh(&sh12, V12))], &[]),
        ),
    );
    let sh13 = ServerHelloSpec::dtls13();
    let mut bad_version = sh13.clone();
    bad_version.version = 0x0303;
    c.pair(
        "dtls13.server_hello.legacy_version",
        ("dtls13-server-hello-0303", judge(&sh(&bad_version, V12))),
        ("dtls13-server-hello-fefd", judge(&sh(&sh13, V12))),
    );
    let mut compressed = sh13.clone();
    compressed.compression_method = 1;
    c.pair(
        "dtls13.server_hello.compression",
        (
            "dtls13-server-hello-compression-1",
            judge(&sh(&compressed, V12)),
        ),
        ("dtls13-server-hello-compression-0", judge(&sh(&sh13, V12))),
    );
    let hvr = |version: u16| {
        let mut body = version.to_be_bytes().to_vec();
        push_vec8(&mut body, &[0xc0; 20]);
        hs_record(
            V10,
            0,
            &[handshake_message(
                HandshakeType::HELLO_VERIFY_REQUEST,
                0,
                &body,
            )],
        )
    };
    c.pair(
        "dtls.hello_verify_request.version",
        ("hello-verify-request-fefd", judge(&hvr(V12))),
        ("hello-verify-request-feff", judge(&hvr(V10))),
    );
    let shd = |body: &[u8]| {
        hs_record(
            V12,
            3,
            &[handshake_message(HandshakeType::SERVER_HELLO_DONE, 3, body)],
        )
    };
    c.pair(
        "dtls.server_hello_done.empty",
        ("server-hello-done-1-byte", judge(&shd(&[0]))),
        ("server-hello-done-empty", judge(&shd(&[]))),
    );
}

fn alert_cases(c: &mut Cases) {
    let judge = |d: &[u8]| judge_bytes(d, None);
    let alert = |body: &[u8]| record(ContentType::ALERT, 0, 9, body);
    c.pair(
        "dtls.alert.level",
        ("alert-level-3", judge(&alert(&[3, 40]))),
        ("alert-level-fatal", judge(&alert(&[2, 40]))),
    );
    c.pair(
        "dtls.alert.description",
        ("alert-description-200", judge(&alert(&[2, 200]))),
        ("alert-handshake-failure", judge(&alert(&[2, 40]))),
    );
    c.pair(
        "dtls.alert.always_fatal",
        ("handshake-failure-as-warning", judge(&alert(&[1, 40]))),
        ("close-notify-as-warning", judge(&alert(&[1, 0]))),
    );
    c.pair(
        "dtls.alert.one_per_record",
        ("two-alerts-coalesced", judge(&alert(&[1, 0, 1, 0]))),
        ("one-alert", judge(&alert(&[1, 0]))),
    );
}
