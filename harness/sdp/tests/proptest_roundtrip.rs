//! Property tests: the fuzz round-trip invariants over generated inputs.

use harness_sdp::Sdp;
use harness_sdp::candidate::Candidate;
use harness_sdp::model::{AttributeLine, CandidateRepr, MediaDescription, SessionDescription};
use proptest::prelude::*;

fn ending() -> impl Strategy<Value = &'static str> {
    prop_oneof![Just("\r\n"), Just("\n"), Just("\r"), Just("")]
}

fn line() -> impl Strategy<Value = String> {
    let typed = ("[a-z]", "[ -~]{0,40}").prop_map(|(k, v)| format!("{k}={v}"));
    let any = "[\\PC]{0,20}";
    prop_oneof![4 => typed, 1 => any.prop_map(String::from)]
}

fn token() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9+/]{1,12}"
}

fn attribute() -> impl Strategy<Value = AttributeLine> {
    prop_oneof![
        ("[a-z][a-z-]{0,10}", "[!-~]{1,12}( [!-~]{1,8}){0,2}")
            .prop_map(|(n, v)| AttributeLine::new(n, v)),
        "[a-z][a-z-]{0,10}".prop_map(AttributeLine::flag),
    ]
}

fn media() -> impl Strategy<Value = MediaDescription> {
    (
        prop_oneof![Just("audio"), Just("video"), Just("application")],
        any::<u16>(),
        prop_oneof![
            Just("UDP/TLS/RTP/SAVPF"),
            Just("UDP/DTLS/SCTP"),
            Just("RTP/AVP")
        ],
        prop::collection::vec("[0-9]{1,3}", 1..5),
        prop::collection::vec(attribute(), 0..8),
        prop::option::of(Just("IN IP4 0.0.0.0".to_string())),
    )
        .prop_map(|(m, port, proto, formats, attributes, connection)| {
            let fmts: Vec<&str> = formats.iter().map(String::as_str).collect();
            let mut d = MediaDescription::new(m, port, proto, &fmts);
            d.attributes = attributes;
            d.connection = connection;
            d
        })
}

fn session() -> impl Strategy<Value = SessionDescription> {
    (
        any::<u64>(),
        any::<u64>(),
        "[!-~]{1,16}",
        prop::collection::vec(attribute(), 0..5),
        prop::collection::vec(media(), 0..4),
    )
        .prop_map(|(id, version, name, attributes, media)| {
            let mut s = SessionDescription::new(id, version);
            s.session_name = name;
            s.attributes = attributes;
            s.media = media;
            s
        })
}

fn candidate() -> impl Strategy<Value = CandidateRepr> {
    (
        token(),
        1u32..=256,
        prop_oneof![Just("udp"), Just("tcp"), Just("UDP")],
        1u32..=0x7fff_ffff,
        prop_oneof![
            any::<[u8; 4]>().prop_map(|a| core::net::IpAddr::from(a).to_string()),
            any::<[u16; 8]>().prop_map(|a| core::net::IpAddr::from(a).to_string()),
            "[a-f0-9]{8}-[a-f0-9]{4}\\.local",
        ],
        any::<u16>(),
        prop_oneof![Just("host"), Just("srflx"), Just("relay"), Just("prflx")],
        prop::option::of(("[0-9.]{7,15}", any::<u16>())),
        prop::collection::vec(("[a-z-]{1,10}", "[!-~]{1,6}"), 0..4),
    )
        .prop_map(
            |(f, component, t, priority, address, port, kind, related, ext)| CandidateRepr {
                foundation: f,
                component,
                transport: t.into(),
                priority,
                address,
                port,
                kind: kind.into(),
                related,
                extensions: ext
                    .into_iter()
                    .filter(|(n, _)| n != "raddr" && n != "rport")
                    .collect(),
            },
        )
}

proptest! {
    #[test]
    fn any_lines_parse_and_emit_byte_for_byte(
        lines in prop::collection::vec((line(), ending()), 0..30),
        bom in any::<bool>(),
    ) {
        let mut text = if bom { "\u{feff}".to_string() } else { String::new() };
        text.push_str("v=0\r\n");
        for (l, e) in &lines {
            text.push_str(l);
            text.push_str(e);
        }
        let sdp = Sdp::parse_str(&text).unwrap();
        prop_assert_eq!(sdp.emit(), text.as_bytes());
        let _ = harness_sdp::validate(text.as_bytes());
    }

    #[test]
    fn built_descriptions_survive_emit_parse_and_rebuild(s in session()) {
        let text = s.to_string();
        let view = Sdp::parse_str(&text).unwrap();
        prop_assert_eq!(view.emit(), text.as_bytes());
        let back = SessionDescription::from_view(&view).unwrap();
        prop_assert_eq!(back, s);
    }

    #[test]
    fn written_candidates_read_back_field_by_field(c in candidate()) {
        let text = format!("candidate:{c}");
        let read = Candidate::parse(&text).unwrap();
        prop_assert_eq!(read.foundation, c.foundation.as_str());
        prop_assert_eq!(read.component, c.component);
        prop_assert_eq!(read.transport, c.transport.as_str());
        prop_assert_eq!(read.priority, u64::from(c.priority));
        prop_assert_eq!(read.address, c.address.as_str());
        prop_assert_eq!(read.port, c.port);
        prop_assert_eq!(read.kind, c.kind.as_str());
        prop_assert_eq!(read.related_address, c.related.as_ref().map(|r| r.0.as_str()));
        prop_assert_eq!(read.related_port, c.related.as_ref().map(|r| r.1));
        let pairs: Vec<(&str, &str)> = read.extension_pairs().collect();
        let want: Vec<(&str, &str)> = c.extensions.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        prop_assert_eq!(pairs, want);
    }
}
