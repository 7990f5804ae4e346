//! Coverage cases: for every rule, an input that triggers it and a relevant one that passes.
//!
//! Each case edits a valid WebRTC offer ([`BASE_OFFER`]) and, for exchange rules, its answer
//! ([`BASE_ANSWER`]). An edit whose text is not found makes the case fail on purpose, so a
//! typo shows up in the coverage table as a broken case instead of passing silently.

use harness_core::rules::{CaseResult, Expect, Rule};

use super::*;

macro_rules! fp {
    () => {
        "A1:B2:C3:D4:E5:F6:07:18:29:3A:4B:5C:6D:7E:8F:90:A1:B2:C3:D4:E5:F6:07:18:29:3A:4B:5C:6D:7E:8F:90"
    };
}

macro_rules! transport {
    ($ufrag:literal, $pwd:literal, $setup:literal) => {
        concat!(
            "a=ice-ufrag:",
            $ufrag,
            "\r\n",
            "a=ice-pwd:",
            $pwd,
            "\r\n",
            "a=fingerprint:sha-256 ",
            fp!(),
            "\r\n",
            "a=setup:",
            $setup,
            "\r\n",
        )
    };
}

/// A WebRTC offer (audio, simulcast video, data channel) that breaks no rule.
pub const BASE_OFFER: &str = concat!(
    "v=0\r\n",
    "o=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n",
    "s=-\r\n",
    "t=0 0\r\n",
    "a=group:BUNDLE 0 1 2\r\n",
    "a=extmap-allow-mixed\r\n",
    "a=msid-semantic: WMS stream\r\n",
    "a=ice-options:trickle\r\n",
    "m=audio 9 UDP/TLS/RTP/SAVPF 111 0\r\n",
    "c=IN IP4 0.0.0.0\r\n",
    "a=rtcp:9 IN IP4 0.0.0.0\r\n",
    "a=candidate:842163049 1 udp 1677729535 203.0.113.7 55235 typ srflx raddr 10.0.0.2 rport 55235 generation 0 network-cost 999\r\n",
    "a=candidate:1 1 udp 2122260223 10.0.0.2 55235 typ host generation 0 network-id 1\r\n",
    "a=candidate:2 1 tcp 1518280447 10.0.0.2 9 typ host tcptype active\r\n",
    transport!("EsAw", "bP+XJMM09aR8AiX1jdukzR6Y", "actpass"),
    "a=mid:0\r\n",
    "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n",
    "a=sendrecv\r\n",
    "a=msid:stream track-a\r\n",
    "a=rtcp-mux\r\n",
    "a=rtpmap:111 opus/48000/2\r\n",
    "a=rtcp-fb:111 transport-cc\r\n",
    "a=fmtp:111 minptime=10;useinbandfec=1\r\n",
    "a=rtpmap:0 PCMU/8000\r\n",
    "a=ssrc:1001 cname:abc\r\n",
    "a=ssrc:1002 cname:abc\r\n",
    "a=ssrc-group:FID 1001 1002\r\n",
    "m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\n",
    "c=IN IP4 0.0.0.0\r\n",
    transport!("EsAw", "bP+XJMM09aR8AiX1jdukzR6Y", "actpass"),
    "a=mid:1\r\n",
    "a=extmap:2 urn:ietf:params:rtp-hdrext:toffset\r\n",
    "a=extmap:16 urn:example:two-byte-extension\r\n",
    "a=sendonly\r\n",
    "a=msid:stream track-v\r\n",
    "a=rtcp-mux\r\n",
    "a=rtcp-rsize\r\n",
    "a=rtpmap:96 VP8/90000\r\n",
    "a=rtcp-fb:96 nack pli\r\n",
    "a=rtpmap:97 rtx/90000\r\n",
    "a=fmtp:97 apt=96\r\n",
    "a=rid:hi send\r\n",
    "a=rid:lo send\r\n",
    "a=simulcast:send hi;lo\r\n",
    "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n",
    "c=IN IP4 0.0.0.0\r\n",
    transport!("EsAw", "bP+XJMM09aR8AiX1jdukzR6Y", "actpass"),
    "a=mid:2\r\n",
    "a=sctp-port:5000\r\n",
    "a=max-message-size:262144\r\n",
);

/// The answer to [`BASE_OFFER`] that breaks no rule.
pub const BASE_ANSWER: &str = concat!(
    "v=0\r\n",
    "o=- 1234567890 1 IN IP4 127.0.0.1\r\n",
    "s=-\r\n",
    "t=0 0\r\n",
    "a=group:BUNDLE 0 1 2\r\n",
    "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n",
    "c=IN IP4 0.0.0.0\r\n",
    transport!("Ansr", "answerpasswordanswer1234", "active"),
    "a=mid:0\r\n",
    "a=sendrecv\r\n",
    "a=rtcp-mux\r\n",
    "a=rtpmap:111 opus/48000/2\r\n",
    "m=video 9 UDP/TLS/RTP/SAVPF 96\r\n",
    "c=IN IP4 0.0.0.0\r\n",
    transport!("Ansr", "answerpasswordanswer1234", "active"),
    "a=mid:1\r\n",
    "a=recvonly\r\n",
    "a=rtcp-mux\r\n",
    "a=rtpmap:96 VP8/90000\r\n",
    "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n",
    "c=IN IP4 0.0.0.0\r\n",
    transport!("Ansr", "answerpasswordanswer1234", "active"),
    "a=mid:2\r\n",
    "a=sctp-port:5000\r\n",
    "a=max-message-size:262144\r\n",
);

/// One text replacement: the first occurrence, or every one.
#[derive(Clone, Copy)]
struct Edit(&'static [u8], &'static [u8], bool);

const fn one(from: &'static str, to: &'static str) -> Edit {
    Edit(from.as_bytes(), to.as_bytes(), false)
}

const fn all(from: &'static str, to: &'static str) -> Edit {
    Edit(from.as_bytes(), to.as_bytes(), true)
}

/// What a case judges.
#[derive(Clone, Copy)]
enum Input {
    /// The base offer, edited, on its own.
    Offer(&'static [Edit]),
    /// The base exchange, offer and answer edited.
    Exchange(&'static [Edit], &'static [Edit]),
}

struct Case {
    rule: &'static Rule,
    name: &'static str,
    expect: Expect,
    input: Input,
}

const T: Expect = Expect::Triggers;
const P: Expect = Expect::Passes;
const NONE: &[Edit] = &[];

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Applies `edits` to `base`; `None` when an edit's text is missing.
fn apply(base: &str, edits: &[Edit]) -> Option<Vec<u8>> {
    let mut text = base.as_bytes().to_vec();
    for Edit(from, to, every) in edits {
        let mut start = 0usize;
        let mut hits = 0usize;
        while let Some(pos) = text.get(start..).and_then(|t| find(t, from)) {
            let at = start.saturating_add(pos);
            text.splice(at..at.saturating_add(from.len()), to.iter().copied());
            hits = hits.saturating_add(1);
            start = at.saturating_add(to.len());
            if !every {
                break;
            }
        }
        if hits == 0 {
            return None;
        }
    }
    Some(text)
}

fn run(case: &Case) -> CaseResult {
    let findings = match case.input {
        Input::Offer(edits) => apply(BASE_OFFER, edits).map(|t| validate(&t)),
        Input::Exchange(o, a) => match (apply(BASE_OFFER, o), apply(BASE_ANSWER, a)) {
            (Some(o), Some(a)) => Some(check_offer_answer_bytes(&o, &a)),
            _ => None,
        },
    };
    match findings {
        Some(f) => CaseResult::judge(case.rule.id, case.name, case.expect, &f),
        // A missing edit target: report the opposite of what the case expects.
        None => CaseResult {
            rule: case.rule.id,
            case: format!("{} (edit target missing)", case.name).into(),
            expect: case.expect,
            triggered: case.expect == Expect::Passes,
        },
    }
}

macro_rules! cases {
    ($( $rule:ident $expect:ident $name:literal => $input:expr; )+) => {
        &[ $( Case { rule: &$rule, name: $name, expect: $expect, input: $input }, )+ ]
    };
}

const BASE: Input = Input::Offer(NONE);
const PAIR: Input = Input::Exchange(NONE, NONE);

static CASES: &[Case] = cases! {
    SYNTAX_CRLF T "lf-only" => Input::Offer(&[all("\r\n", "\n")]);
    SYNTAX_CRLF P "crlf" => BASE;
    SYNTAX_LINE_FORM T "stray-text-line" => Input::Offer(&[one("s=-\r\n", "s=-\r\nnot a line\r\n")]);
    SYNTAX_LINE_FORM P "all-lines-typed" => BASE;
    SYNTAX_START T "byte-order-mark" => Input::Offer(&[one("v=0", "\u{feff}v=0")]);
    SYNTAX_START T "leading-blank-line" => Input::Offer(&[one("v=0\r\n", "\r\nv=0\r\n")]);
    SYNTAX_START P "starts-with-v" => BASE;
    SYNTAX_UNKNOWN_TYPE T "type-y" => Input::Offer(&[one("s=-\r\n", "s=-\r\ny=unknown\r\n")]);
    SYNTAX_UNKNOWN_TYPE P "type-i" => Input::Offer(&[one("s=-\r\n", "s=-\r\ni=info\r\n")]);
    SYNTAX_TEXT_OCTETS T "nul-in-name" => Input::Offer(&[one("s=-", "s=a\0b")]);
    SYNTAX_TEXT_OCTETS P "plain-name" => BASE;
    SYNTAX_UTF8 T "latin1-name" => Input::Offer(&[Edit(b"s=-", b"s=caf\xe9", false)]);
    SYNTAX_UTF8 P "utf8-name" => Input::Offer(&[one("s=-", "s=caf\u{e9}")]);
    SYNTAX_SEPARATOR T "trailing-space-on-c" => Input::Offer(&[one("c=IN IP4 0.0.0.0\r\na=rtcp", "c=IN IP4 0.0.0.0 \r\na=rtcp")]);
    SYNTAX_SEPARATOR T "double-space-in-t" => Input::Offer(&[one("t=0 0", "t=0  0")]);
    SYNTAX_SEPARATOR P "single-spaces" => BASE;
    ORDER_SESSION T "t-before-s" => Input::Offer(&[one("s=-\r\nt=0 0\r\n", "t=0 0\r\ns=-\r\n")]);
    ORDER_SESSION P "standard-order" => BASE;
    ORDER_MEDIA T "b-after-a" => Input::Offer(&[one("a=mid:2\r\n", "a=mid:2\r\nb=AS:30\r\n")]);
    ORDER_MEDIA P "b-after-c" => Input::Offer(&[one("webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\n", "webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\nb=AS:30\r\n")]);
    VERSION_ZERO T "v1" => Input::Offer(&[one("v=0", "v=1")]);
    VERSION_ZERO P "v0" => BASE;
    ORIGIN_PRESENT T "no-origin" => Input::Offer(&[one("o=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n", "")]);
    ORIGIN_PRESENT P "origin" => BASE;
    ORIGIN_SYNTAX T "five-fields" => Input::Offer(&[one("IN IP4 127.0.0.1\r\ns=", "IN IP4\r\ns=")]);
    ORIGIN_SYNTAX P "six-fields" => BASE;
    ORIGIN_NUMERIC T "letters-in-sess-id" => Input::Offer(&[one("o=- 4611731400430051336", "o=- abc")]);
    ORIGIN_NUMERIC P "digits" => BASE;
    ORIGIN_SESS_ID_RANGE T "sess-id-2^63-1" => Input::Offer(&[one("4611731400430051336", "9223372036854775807")]);
    ORIGIN_SESS_ID_RANGE P "sess-id-below-2^62" => BASE;
    SESSION_NAME_ONE T "two-s-lines" => Input::Offer(&[one("s=-\r\n", "s=-\r\ns=again\r\n")]);
    SESSION_NAME_ONE T "no-s-line" => Input::Offer(&[one("s=-\r\n", "")]);
    SESSION_NAME_ONE P "one-s-line" => BASE;
    SESSION_NAME_NONEMPTY T "empty-s" => Input::Offer(&[one("s=-", "s=")]);
    SESSION_NAME_NONEMPTY P "dash-s" => BASE;
    TIMING_PRESENT T "no-t" => Input::Offer(&[one("t=0 0\r\n", "")]);
    TIMING_PRESENT P "t" => BASE;
    TIMING_SYNTAX T "t-letters" => Input::Offer(&[one("t=0 0", "t=0 x")]);
    TIMING_SYNTAX P "t-zero" => BASE;
    KEY_OBSOLETE T "k-line" => Input::Offer(&[one("t=0 0\r\n", "t=0 0\r\nk=clear:secret\r\n")]);
    KEY_OBSOLETE P "no-k" => BASE;
    LINE_REPEATED T "two-i-lines" => Input::Offer(&[one("s=-\r\n", "s=-\r\ni=a\r\ni=b\r\n")]);
    LINE_REPEATED P "one-i-line" => Input::Offer(&[one("s=-\r\n", "s=-\r\ni=a\r\n")]);
    CONNECTION_SYNTAX T "c-without-address" => Input::Offer(&[one("c=IN IP4 0.0.0.0", "c=IN IP4")]);
    CONNECTION_SYNTAX P "c-complete" => BASE;
    ADDRESS_TYPE T "ip4-literal-as-ip6" => Input::Offer(&[one("c=IN IP4 0.0.0.0", "c=IN IP6 0.0.0.0")]);
    ADDRESS_TYPE P "ip6-literal-as-ip6" => Input::Offer(&[one("c=IN IP4 0.0.0.0", "c=IN IP6 ::")]);
    CONNECTION_REQUIRED T "no-c-anywhere" => Input::Offer(&[all("c=IN IP4 0.0.0.0\r\n", "")]);
    CONNECTION_REQUIRED P "c-per-section" => BASE;
    MEDIA_SYNTAX T "m-without-fmt" => Input::Offer(&[one("UDP/DTLS/SCTP webrtc-datachannel", "UDP/DTLS/SCTP")]);
    MEDIA_SYNTAX P "m-complete" => BASE;
    MEDIA_PORT T "port-70000" => Input::Offer(&[one("m=audio 9 ", "m=audio 70000 ")]);
    MEDIA_PORT P "port-9" => BASE;
    MEDIA_PROTO T "unregistered-proto" => Input::Offer(&[one("m=application 9 UDP/DTLS/SCTP", "m=application 9 UDP/FOO/SCTP")]);
    MEDIA_PROTO P "registered-protos" => BASE;
    ATTRIBUTE_NAME T "parenthesis-in-name" => Input::Offer(&[one("a=rtcp-rsize", "a=rtcp(rsize)")]);
    ATTRIBUTE_NAME P "token-names" => BASE;
    RTPMAP_SYNTAX T "no-clock-rate" => Input::Offer(&[one("a=rtpmap:0 PCMU/8000", "a=rtpmap:0 PCMU")]);
    RTPMAP_SYNTAX P "full-rtpmap" => BASE;
    RTPMAP_FORMAT T "rtpmap-for-unlisted-pt" => Input::Offer(&[one("a=rtpmap:0 PCMU/8000", "a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000")]);
    RTPMAP_FORMAT P "rtpmaps-for-listed-pts" => BASE;
    RTPMAP_DYNAMIC T "dynamic-pt-unmapped" => Input::Offer(&[one("a=rtpmap:97 rtx/90000\r\n", "")]);
    RTPMAP_DYNAMIC P "dynamic-pts-mapped" => BASE;
    RTP_PAYLOAD_TYPE T "format-200" => Input::Offer(&[one("SAVPF 96 97", "SAVPF 96 97 200")]);
    RTP_PAYLOAD_TYPE P "formats-0-127" => BASE;
    FMTP_FORMAT T "fmtp-for-unlisted-pt" => Input::Offer(&[one("a=fmtp:97 apt=96", "a=fmtp:98 apt=96")]);
    FMTP_FORMAT P "fmtp-for-listed-pt" => BASE;
    DIRECTION_SINGLE T "sendonly-and-inactive" => Input::Offer(&[one("a=sendonly", "a=sendonly\r\na=inactive")]);
    DIRECTION_SINGLE P "one-direction" => BASE;
    JSEP_PROTO T "legacy-rtp-savpf" => Input::Offer(&[one("m=audio 9 UDP/TLS/RTP/SAVPF", "m=audio 9 RTP/SAVPF")]);
    JSEP_PROTO P "jsep-protos" => BASE;
    JSEP_MID T "section-without-mid" => Input::Offer(&[one("a=mid:2\r\n", "")]);
    JSEP_MID P "mids" => BASE;
    JSEP_RTCP_MUX T "video-without-rtcp-mux" => Input::Offer(&[one("a=rtcp-mux\r\na=rtcp-rsize", "a=rtcp-rsize")]);
    JSEP_RTCP_MUX P "rtcp-mux" => BASE;
    JSEP_FINGERPRINT T "no-fingerprint" => Input::Offer(&[all(concat!("a=fingerprint:sha-256 ", fp!(), "\r\n"), "")]);
    JSEP_FINGERPRINT P "fingerprints" => BASE;
    JSEP_SETUP T "no-setup" => Input::Offer(&[all("a=setup:actpass\r\n", "")]);
    JSEP_SETUP P "setup" => BASE;
    JSEP_BUNDLE_ONLY_PORT T "bundle-only-port-9" => Input::Offer(&[one("a=mid:2\r\n", "a=mid:2\r\na=bundle-only\r\n")]);
    JSEP_BUNDLE_ONLY_PORT P "bundle-only-port-0" => Input::Offer(&[one("m=application 9", "m=application 0"), one("a=mid:2\r\n", "a=mid:2\r\na=bundle-only\r\n")]);
    JSEP_C_LINE T "i-between-m-and-c" => Input::Offer(&[one("webrtc-datachannel\r\nc=", "webrtc-datachannel\r\ni=data\r\nc=")]);
    JSEP_C_LINE P "c-after-m" => BASE;
    ICE_UFRAG T "underscore-in-ufrag" => Input::Offer(&[one("a=ice-ufrag:EsAw", "a=ice-ufrag:E_w")]);
    ICE_UFRAG P "ufrag" => BASE;
    ICE_PWD T "short-pwd" => Input::Offer(&[one("a=ice-pwd:bP+XJMM09aR8AiX1jdukzR6Y", "a=ice-pwd:short")]);
    ICE_PWD P "pwd" => BASE;
    ICE_CREDENTIALS T "no-pwd" => Input::Offer(&[all("a=ice-pwd:bP+XJMM09aR8AiX1jdukzR6Y\r\n", "")]);
    ICE_CREDENTIALS P "credentials" => BASE;
    ICE_UFRAG_PWD_CONSISTENT T "same-ufrag-other-pwd" => Input::Offer(&[one("a=ice-pwd:bP+XJMM09aR8AiX1jdukzR6Y", "a=ice-pwd:ZZZZZZZZZZZZZZZZZZZZZZZZ")]);
    ICE_UFRAG_PWD_CONSISTENT P "same-ufrag-same-pwd" => BASE;
    ICE_OPTIONS T "underscore-in-option" => Input::Offer(&[one("a=ice-options:trickle", "a=ice-options:trick_le")]);
    ICE_OPTIONS P "trickle" => BASE;
    ICE_LITE_LEVEL T "ice-lite-in-media" => Input::Offer(&[one("a=mid:2\r\n", "a=mid:2\r\na=ice-lite\r\n")]);
    ICE_LITE_LEVEL P "ice-lite-in-session" => Input::Offer(&[one("a=ice-options:trickle\r\n", "a=ice-lite\r\na=ice-options:trickle\r\n")]);
    ICE_CANDIDATE_LEVEL T "candidate-in-session" => Input::Offer(&[one("a=ice-options:trickle\r\n", "a=ice-options:trickle\r\na=candidate:1 1 udp 2122260223 10.0.0.2 55235 typ host\r\n")]);
    ICE_CANDIDATE_LEVEL P "candidates-in-media" => BASE;
    ICE_CANDIDATE_SYNTAX T "no-typ" => Input::Offer(&[one("typ host generation 0 network-id 1", "host generation 0 network-id 1")]);
    ICE_CANDIDATE_SYNTAX P "candidates" => BASE;
    ICE_FOUNDATION T "underscore-foundation" => Input::Offer(&[one("a=candidate:1 1 udp", "a=candidate:f_1 1 udp")]);
    ICE_FOUNDATION P "foundations" => BASE;
    ICE_COMPONENT T "component-0" => Input::Offer(&[one("a=candidate:1 1 udp", "a=candidate:1 0 udp")]);
    ICE_COMPONENT P "component-1" => BASE;
    ICE_PRIORITY T "priority-2^32-1" => Input::Offer(&[one("a=candidate:1 1 udp 2122260223", "a=candidate:1 1 udp 4294967295")]);
    ICE_PRIORITY P "priorities" => BASE;
    ICE_RELATED T "srflx-without-raddr" => Input::Offer(&[one("typ srflx raddr 10.0.0.2 rport 55235", "typ srflx")]);
    ICE_RELATED T "host-with-raddr" => Input::Offer(&[one("typ host generation 0 network-id 1", "typ host raddr 0.0.0.0 rport 9")]);
    ICE_RELATED P "related-addresses" => BASE;
    ICE_FQDN T "fqdn-candidate" => Input::Offer(&[one("udp 2122260223 10.0.0.2", "udp 2122260223 host.example.com")]);
    ICE_FQDN P "mdns-candidate" => Input::Offer(&[one("udp 2122260223 10.0.0.2", "udp 2122260223 4e4d9f30-8c1b-4a3a-9c7b-7b3c1d1e2f3a.local")]);
    ICE_CANDIDATE_TYPE T "unknown-type" => Input::Offer(&[one("typ host tcptype active", "typ weird tcptype active")]);
    ICE_CANDIDATE_TYPE P "known-types" => BASE;
    ICE_TCPTYPE T "tcp-without-tcptype" => Input::Offer(&[one(" tcptype active", "")]);
    ICE_TCPTYPE P "tcp-active" => BASE;
    ICE_REMOTE_CANDIDATES T "remote-candidate-without-port" => Input::Offer(&[one("a=mid:0\r\n", "a=mid:0\r\na=remote-candidates:1 10.0.0.2\r\n")]);
    ICE_REMOTE_CANDIDATES P "remote-candidate-triple" => Input::Offer(&[one("a=mid:0\r\n", "a=mid:0\r\na=remote-candidates:1 10.0.0.2 5000\r\n")]);
    FINGERPRINT_SYNTAX T "lower-case-hex" => Input::Offer(&[one("a=fingerprint:sha-256 A1:B2", "a=fingerprint:sha-256 a1:b2")]);
    FINGERPRINT_SYNTAX P "upper-case-hex" => BASE;
    FINGERPRINT_HASH T "sha-1-with-32-bytes" => Input::Offer(&[one("a=fingerprint:sha-256", "a=fingerprint:sha-1")]);
    FINGERPRINT_HASH T "unknown-hash" => Input::Offer(&[one("a=fingerprint:sha-256", "a=fingerprint:blake3")]);
    FINGERPRINT_HASH P "sha-256-32-bytes" => BASE;
    FINGERPRINT_WEAK T "md5" => Input::Offer(&[one(concat!("a=fingerprint:sha-256 ", fp!()), "a=fingerprint:md5 A1:B2:C3:D4:E5:F6:07:18:29:3A:4B:5C:6D:7E:8F:90")]);
    FINGERPRINT_WEAK P "sha-256" => BASE;
    SETUP_VALUE T "setup-both" => Input::Offer(&[one("a=setup:actpass", "a=setup:both")]);
    SETUP_VALUE P "setup-actpass" => BASE;
    MID_UNIQUE T "mid-1-twice" => Input::Offer(&[one("a=mid:2", "a=mid:1")]);
    MID_UNIQUE P "distinct-mids" => BASE;
    BUNDLE_MID_EXISTS T "bundle-names-3" => Input::Offer(&[one("a=group:BUNDLE 0 1 2", "a=group:BUNDLE 0 1 2 3")]);
    BUNDLE_MID_EXISTS P "bundle-names-existing" => BASE;
    BUNDLE_ONLY_GROUPED T "bundle-only-outside-group" => Input::Offer(&[one("a=group:BUNDLE 0 1 2", "a=group:BUNDLE 0 1"), one("m=application 9", "m=application 0"), one("a=mid:2\r\n", "a=mid:2\r\na=bundle-only\r\n")]);
    BUNDLE_ONLY_GROUPED P "bundle-only-in-group" => Input::Offer(&[one("m=application 9", "m=application 0"), one("a=mid:2\r\n", "a=mid:2\r\na=bundle-only\r\n")]);
    RTCP_FB_FORMAT T "rtcp-fb-for-unlisted-pt" => Input::Offer(&[one("a=rtcp-fb:96 nack pli", "a=rtcp-fb:98 nack pli")]);
    RTCP_FB_FORMAT P "rtcp-fb-wildcard" => Input::Offer(&[one("a=rtcp-fb:96 nack pli", "a=rtcp-fb:* nack pli")]);
    EXTMAP_ID T "extmap-15" => Input::Offer(&[one("a=extmap:2 ", "a=extmap:15 ")]);
    EXTMAP_ID T "extmap-16-without-mixed" => Input::Offer(&[one("a=extmap-allow-mixed\r\n", "")]);
    EXTMAP_ID P "extmap-16-with-mixed" => BASE;
    EXTMAP_UNIQUE T "extmap-16-twice" => Input::Offer(&[one("a=extmap:2 urn:ietf", "a=extmap:16 urn:ietf")]);
    EXTMAP_UNIQUE P "distinct-ids" => BASE;
    SSRC_SYNTAX T "ssrc-letters" => Input::Offer(&[one("a=ssrc:1002 cname:abc", "a=ssrc:x1002 cname:abc")]);
    SSRC_SYNTAX P "ssrcs" => BASE;
    SSRC_GROUP_DEFINED T "group-names-undeclared-ssrc" => Input::Offer(&[one("a=ssrc-group:FID 1001 1002", "a=ssrc-group:FID 1001 1003")]);
    SSRC_GROUP_DEFINED P "group-of-declared-ssrcs" => BASE;
    RTCP_MUX_ONLY T "mux-only-without-mux" => Input::Offer(&[one("a=rtcp-mux\r\na=rtpmap:111", "a=rtcp-mux-only\r\na=rtpmap:111")]);
    RTCP_MUX_ONLY P "mux-only-with-mux" => Input::Offer(&[one("a=rtcp-mux\r\na=rtpmap:111", "a=rtcp-mux\r\na=rtcp-mux-only\r\na=rtpmap:111")]);
    MSID_SYNTAX T "quote-in-msid" => Input::Offer(&[one("a=msid:stream track-a", "a=msid:str\"eam track-a")]);
    MSID_SYNTAX P "msids" => BASE;
    RID_SYNTAX T "rid-direction-both" => Input::Offer(&[one("a=rid:lo send", "a=rid:lo both")]);
    RID_SYNTAX P "rids" => BASE;
    SIMULCAST_RID T "simulcast-names-undeclared-rid" => Input::Offer(&[one("a=simulcast:send hi;lo", "a=simulcast:send hi;lo;mid")]);
    SIMULCAST_RID P "simulcast-of-declared-rids" => BASE;
    SCTP_PORT_PRESENT T "no-sctp-port" => Input::Offer(&[one("a=sctp-port:5000\r\n", "")]);
    SCTP_PORT_PRESENT P "sctp-port" => BASE;
    SCTP_PORT_SYNTAX T "sctp-port-500000" => Input::Offer(&[one("a=sctp-port:5000", "a=sctp-port:500000")]);
    SCTP_PORT_SYNTAX P "sctp-port-5000" => BASE;
    SCTP_MAX_MESSAGE_SIZE T "max-message-size-word" => Input::Offer(&[one("a=max-message-size:262144", "a=max-message-size:big")]);
    SCTP_MAX_MESSAGE_SIZE P "max-message-size-digits" => BASE;
    SCTP_FORMAT T "sctp-fmt-5000" => Input::Offer(&[one("UDP/DTLS/SCTP webrtc-datachannel", "UDP/DTLS/SCTP 5000")]);
    SCTP_FORMAT P "webrtc-datachannel" => BASE;
    OA_MLINE_COUNT T "answer-with-extra-section" => Input::Exchange(NONE, &[one("a=max-message-size:262144\r\n", "a=max-message-size:262144\r\nm=audio 0 UDP/TLS/RTP/SAVPF 0\r\nc=IN IP4 0.0.0.0\r\n")]);
    OA_MLINE_COUNT P "same-count" => PAIR;
    OA_MEDIA_TYPE T "audio-answered-as-video" => Input::Exchange(NONE, &[one("m=audio 9", "m=video 9")]);
    OA_MEDIA_TYPE P "same-types" => PAIR;
    OA_PROTO T "proto-changed" => Input::Exchange(NONE, &[one("m=audio 9 UDP/TLS/RTP/SAVPF", "m=audio 9 TCP/DTLS/RTP/SAVPF")]);
    OA_PROTO P "same-protos" => PAIR;
    OA_REJECTED T "port-0-accepted" => Input::Exchange(&[one("m=audio 9", "m=audio 0")], NONE);
    OA_REJECTED P "port-0-rejected" => Input::Exchange(&[one("m=audio 9", "m=audio 0")], &[one("m=audio 9", "m=audio 0")]);
    OA_MID T "mid-changed" => Input::Exchange(NONE, &[one("a=mid:0", "a=mid:x")]);
    OA_MID P "same-mids" => PAIR;
    OA_CODECS T "unoffered-codec" => Input::Exchange(NONE, &[one("SAVPF 111\r\n", "SAVPF 8\r\n")]);
    OA_CODECS P "offered-codecs" => PAIR;
    OA_ANSWER_RTPMAP T "answer-without-rtpmap" => Input::Exchange(NONE, &[one("a=rtpmap:111 opus/48000/2\r\n", "")]);
    OA_ANSWER_RTPMAP P "answer-rtpmaps" => PAIR;
    OA_DIRECTION T "sendonly-answered-sendonly" => Input::Exchange(NONE, &[one("a=recvonly", "a=sendonly")]);
    OA_DIRECTION P "sendonly-answered-recvonly" => PAIR;
    OA_SETUP_OFFER T "offer-setup-active" => Input::Exchange(&[all("a=setup:actpass", "a=setup:active")], &[all("a=setup:active", "a=setup:passive")]);
    OA_SETUP_OFFER P "offer-setup-actpass" => PAIR;
    OA_SETUP_ANSWER T "answer-setup-actpass" => Input::Exchange(NONE, &[one("a=setup:active", "a=setup:actpass")]);
    OA_SETUP_ANSWER P "answer-setup-active" => PAIR;
    OA_BUNDLE_SUBSET T "answer-bundles-unbundled-mid" => Input::Exchange(&[one("a=group:BUNDLE 0 1 2", "a=group:BUNDLE 0 1")], NONE);
    OA_BUNDLE_SUBSET P "same-bundle" => PAIR;
    OA_RTCP_MUX T "answer-mux-without-offer" => Input::Exchange(&[one("a=rtcp-mux\r\n", "")], NONE);
    OA_RTCP_MUX T "mux-only-answered-without-mux" => Input::Exchange(&[one("a=rtcp-mux\r\na=rtpmap:111", "a=rtcp-mux\r\na=rtcp-mux-only\r\na=rtpmap:111")], &[one("a=rtcp-mux\r\n", "")]);
    OA_RTCP_MUX P "mux-both" => PAIR;
    OA_ICE_LITE T "both-lite" => Input::Exchange(&[one("a=ice-options:trickle", "a=ice-lite\r\na=ice-options:trickle")], &[one("t=0 0\r\n", "t=0 0\r\na=ice-lite\r\n")]);
    OA_ICE_LITE P "answer-lite-only" => Input::Exchange(NONE, &[one("t=0 0\r\n", "t=0 0\r\na=ice-lite\r\n")]);
};

/// Runs every coverage case.
#[must_use]
pub fn cases() -> Vec<CaseResult> {
    CASES.iter().map(run).collect()
}
