//! The owned model: build offers and answers, emit them with CRLF.
//!
//! The view ([`crate::Sdp`]) is for reading what came off the wire; this model is for
//! writing. Scenarios build their offers and answers with it:
//!
//! ```
//! use harness_sdp::model::{CandidateRepr, MediaDescription, SessionDescription, TransportParams};
//! use harness_sdp::Setup;
//!
//! let transport = TransportParams {
//!     ufrag: "uFrg".into(),
//!     pwd: "a-22-character-password".replace('-', "x"),
//!     fingerprint: ("sha-256".into(), ["AB"; 32].join(":")),
//!     setup: Setup::Actpass,
//!     candidates: vec![CandidateRepr::host("1", 1, "192.0.2.1".parse().unwrap(), 5000, 2130706431)],
//!     end_of_candidates: true,
//! };
//! let offer = SessionDescription::new(1, 1)
//!     .with_media(MediaDescription::data_channel("0", 5000, 262_144).with_transport(&transport))
//!     .bundled();
//! let text = offer.to_string();
//! assert!(text.contains("a=group:BUNDLE 0\r\n"));
//! assert!(harness_sdp::validate(text.as_bytes()).is_empty());
//! ```
//!
//! [`SessionDescription::from_view`] turns a parsed SDP into this model; it keeps the lines
//! the model knows (`v o s c b t a m`) and drops `i u e p r z k`, so use the view when every
//! byte matters.

use core::fmt;
use core::net::IpAddr;

use crate::attr::{Direction, Setup};
use crate::fields::FieldError;
use crate::view::Sdp;

/// One `a=` line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttributeLine {
    /// Name.
    pub name: String,
    /// Value; `None` for a flag.
    pub value: Option<String>,
}

impl AttributeLine {
    /// `a=name:value`.
    #[must_use]
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            value: Some(value.into()),
        }
    }

    /// `a=name`.
    #[must_use]
    pub fn flag(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            value: None,
        }
    }
}

impl fmt::Display for AttributeLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.value {
            Some(v) => write!(f, "a={}:{v}\r\n", self.name),
            None => write!(f, "a={}\r\n", self.name),
        }
    }
}

/// An ICE candidate to write (RFC 8839 §5.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CandidateRepr {
    /// Foundation.
    pub foundation: String,
    /// Component id.
    pub component: u32,
    /// Transport (`udp`, `tcp`).
    pub transport: String,
    /// Priority.
    pub priority: u32,
    /// Address (an IP literal or an mDNS name).
    pub address: String,
    /// Port.
    pub port: u16,
    /// Type (`host`, `srflx`, `prflx`, `relay`).
    pub kind: String,
    /// Related address and port, for non-host candidates.
    pub related: Option<(String, u16)>,
    /// Extensions, in order (`("tcptype", "active")`, `("generation", "0")`).
    pub extensions: Vec<(String, String)>,
}

impl CandidateRepr {
    /// A UDP host candidate.
    #[must_use]
    pub fn host(foundation: &str, component: u32, ip: IpAddr, port: u16, priority: u32) -> Self {
        Self {
            foundation: foundation.into(),
            component,
            transport: "udp".into(),
            priority,
            address: ip.to_string(),
            port,
            kind: "host".into(),
            related: None,
            extensions: Vec::new(),
        }
    }

    /// A UDP candidate of `kind` with its related address.
    #[must_use]
    pub fn related(
        foundation: &str,
        component: u32,
        kind: &str,
        addr: (IpAddr, u16),
        related: (IpAddr, u16),
        priority: u32,
    ) -> Self {
        Self {
            foundation: foundation.into(),
            component,
            transport: "udp".into(),
            priority,
            address: addr.0.to_string(),
            port: addr.1,
            kind: kind.into(),
            related: Some((related.0.to_string(), related.1)),
            extensions: Vec::new(),
        }
    }

    /// The same candidate with one more extension.
    #[must_use]
    pub fn with_extension(mut self, name: &str, value: &str) -> Self {
        self.extensions.push((name.into(), value.into()));
        self
    }
}

impl fmt::Display for CandidateRepr {
    /// The value after `a=candidate:`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {} {} {} {} typ {}",
            self.foundation,
            self.component,
            self.transport,
            self.priority,
            self.address,
            self.port,
            self.kind
        )?;
        if let Some((a, p)) = &self.related {
            write!(f, " raddr {a} rport {p}")?;
        }
        for (n, v) in &self.extensions {
            write!(f, " {n} {v}")?;
        }
        Ok(())
    }
}

/// The transport attributes of one side: ICE credentials, DTLS fingerprint and role,
/// candidates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransportParams {
    /// `a=ice-ufrag`.
    pub ufrag: String,
    /// `a=ice-pwd`.
    pub pwd: String,
    /// `a=fingerprint` hash name and value.
    pub fingerprint: (String, String),
    /// `a=setup`.
    pub setup: Setup,
    /// `a=candidate` lines.
    pub candidates: Vec<CandidateRepr>,
    /// Whether to close the list with `a=end-of-candidates`.
    pub end_of_candidates: bool,
}

/// One media section.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MediaDescription {
    /// Media type.
    pub media: String,
    /// Port (0 rejects the section; 9 is the WebRTC placeholder).
    pub port: u16,
    /// Protocol.
    pub proto: String,
    /// Formats.
    pub formats: Vec<String>,
    /// `c=` value, if any.
    pub connection: Option<String>,
    /// `b=` values.
    pub bandwidth: Vec<String>,
    /// Attributes in order.
    pub attributes: Vec<AttributeLine>,
}

impl MediaDescription {
    /// An empty section.
    #[must_use]
    pub fn new(media: &str, port: u16, proto: &str, formats: &[&str]) -> Self {
        Self {
            media: media.into(),
            port,
            proto: proto.into(),
            formats: formats.iter().map(|f| (*f).to_string()).collect(),
            connection: Some("IN IP4 0.0.0.0".into()),
            bandwidth: Vec::new(),
            attributes: Vec::new(),
        }
    }

    /// A WebRTC data channel section (RFC 8841): `m=application 9 UDP/DTLS/SCTP
    /// webrtc-datachannel` with `mid`, `sctp-port` and `max-message-size`.
    #[must_use]
    pub fn data_channel(mid: &str, sctp_port: u16, max_message_size: u64) -> Self {
        Self::new("application", 9, "UDP/DTLS/SCTP", &["webrtc-datachannel"])
            .with_attribute(AttributeLine::new("mid", mid))
            .with_attribute(AttributeLine::new("sctp-port", sctp_port.to_string()))
            .with_attribute(AttributeLine::new(
                "max-message-size",
                max_message_size.to_string(),
            ))
    }

    /// An RTP section with one codec per `(payload type, encoding/clock[/channels])`,
    /// `rtcp-mux` and a direction.
    #[must_use]
    pub fn rtp(media: &str, mid: &str, codecs: &[(u8, &str)], direction: Direction) -> Self {
        let formats: Vec<String> = codecs.iter().map(|(pt, _)| pt.to_string()).collect();
        let mut m = Self {
            media: media.into(),
            port: 9,
            proto: "UDP/TLS/RTP/SAVPF".into(),
            formats,
            connection: Some("IN IP4 0.0.0.0".into()),
            bandwidth: Vec::new(),
            attributes: Vec::new(),
        };
        m.attributes.push(AttributeLine::new("mid", mid));
        m.attributes.push(AttributeLine::flag(direction.name()));
        m.attributes.push(AttributeLine::flag("rtcp-mux"));
        for (pt, enc) in codecs {
            m.attributes
                .push(AttributeLine::new("rtpmap", format!("{pt} {enc}")));
        }
        m
    }

    /// The same section with one more attribute.
    #[must_use]
    pub fn with_attribute(mut self, attribute: AttributeLine) -> Self {
        self.attributes.push(attribute);
        self
    }

    /// The same section carrying `transport`'s ICE and DTLS attributes and candidates.
    #[must_use]
    pub fn with_transport(mut self, transport: &TransportParams) -> Self {
        self.attributes
            .push(AttributeLine::new("ice-ufrag", transport.ufrag.clone()));
        self.attributes
            .push(AttributeLine::new("ice-pwd", transport.pwd.clone()));
        self.attributes.push(AttributeLine::new(
            "fingerprint",
            format!("{} {}", transport.fingerprint.0, transport.fingerprint.1),
        ));
        self.attributes
            .push(AttributeLine::new("setup", transport.setup.name()));
        for c in &transport.candidates {
            self.attributes
                .push(AttributeLine::new("candidate", c.to_string()));
        }
        if transport.end_of_candidates {
            self.attributes
                .push(AttributeLine::flag("end-of-candidates"));
        }
        self
    }

    /// The `a=mid` value.
    #[must_use]
    pub fn mid(&self) -> Option<&str> {
        self.attributes
            .iter()
            .find(|a| a.name == "mid")
            .and_then(|a| a.value.as_deref())
    }
}

impl fmt::Display for MediaDescription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "m={} {} {}", self.media, self.port, self.proto)?;
        for fmt_ in &self.formats {
            write!(f, " {fmt_}")?;
        }
        f.write_str("\r\n")?;
        if let Some(c) = &self.connection {
            write!(f, "c={c}\r\n")?;
        }
        for b in &self.bandwidth {
            write!(f, "b={b}\r\n")?;
        }
        for a in &self.attributes {
            write!(f, "{a}")?;
        }
        Ok(())
    }
}

/// A session description to write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionDescription {
    /// `o=` user name.
    pub username: String,
    /// `o=` session id.
    pub session_id: u64,
    /// `o=` session version.
    pub session_version: u64,
    /// `o=` `<nettype> <addrtype> <address>`.
    pub origin_address: String,
    /// `s=`.
    pub session_name: String,
    /// Session-level `c=`.
    pub connection: Option<String>,
    /// Session-level `b=`.
    pub bandwidth: Vec<String>,
    /// `t=` start and stop.
    pub timing: (u64, u64),
    /// Session-level attributes.
    pub attributes: Vec<AttributeLine>,
    /// Media sections.
    pub media: Vec<MediaDescription>,
}

impl SessionDescription {
    /// A session with no media: `v=0`, `o=- id version IN IP4 127.0.0.1`, `s=-`, `t=0 0`.
    #[must_use]
    pub fn new(session_id: u64, session_version: u64) -> Self {
        Self {
            username: "-".into(),
            session_id,
            session_version,
            origin_address: "IN IP4 127.0.0.1".into(),
            session_name: "-".into(),
            connection: None,
            bandwidth: Vec::new(),
            timing: (0, 0),
            attributes: Vec::new(),
            media: Vec::new(),
        }
    }

    /// The same session with one more media section.
    #[must_use]
    pub fn with_media(mut self, media: MediaDescription) -> Self {
        self.media.push(media);
        self
    }

    /// The same session with one more session-level attribute.
    #[must_use]
    pub fn with_attribute(mut self, attribute: AttributeLine) -> Self {
        self.attributes.push(attribute);
        self
    }

    /// The same session with `a=group:BUNDLE` over every non-rejected section's mid, placed
    /// first among the session attributes.
    #[must_use]
    pub fn bundled(mut self) -> Self {
        let mids: Vec<&str> = self
            .media
            .iter()
            .filter(|m| m.port != 0)
            .filter_map(MediaDescription::mid)
            .collect();
        let value = if mids.is_empty() {
            "BUNDLE".to_string()
        } else {
            format!("BUNDLE {}", mids.join(" "))
        };
        self.attributes
            .insert(0, AttributeLine::new("group", value));
        self
    }

    /// Builds the owned model from a parsed SDP (see the module docs for what is kept).
    ///
    /// # Errors
    /// A [`FieldError`] when `o=`, `t=` or an `m=` line does not follow its grammar.
    pub fn from_view(sdp: &Sdp<'_>) -> Result<Self, FieldError> {
        let origin = sdp.origin().ok_or(FieldError::Missing("o= line"))??;
        let timing = sdp.timing().ok_or(FieldError::Missing("t= line"))??;
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        let mut out = Self {
            username: origin.username.into(),
            session_id: origin
                .session_id_number()
                .ok_or(FieldError::BadNumber("sess-id"))?,
            session_version: origin
                .session_version_number()
                .ok_or(FieldError::BadNumber("sess-version"))?,
            origin_address: format!("{} {} {}", origin.nettype, origin.addrtype, origin.address),
            session_name: sdp.session_name().map(text).unwrap_or_default(),
            connection: sdp.session_line(b'c').map(|l| text(l.value())),
            bandwidth: sdp
                .session_lines()
                .filter(|l| l.kind() == Some(b'b'))
                .map(|l| text(l.value()))
                .collect(),
            timing: (timing.start, timing.stop),
            attributes: sdp
                .attributes()
                .map(|a| AttributeLine {
                    name: a.name.into(),
                    value: a.value.map(Into::into),
                })
                .collect(),
            media: Vec::new(),
        };
        for m in sdp.media() {
            let ml = m.media_line().ok_or(FieldError::Missing("m= line"))??;
            out.media.push(MediaDescription {
                media: ml.media.into(),
                port: ml.port.ok_or(FieldError::BadNumber("port"))?,
                proto: ml.proto.into(),
                formats: ml.format_list().map(Into::into).collect(),
                connection: m.line_of(b'c').map(|l| text(l.value())),
                bandwidth: m
                    .lines()
                    .filter(|l| l.kind() == Some(b'b'))
                    .map(|l| text(l.value()))
                    .collect(),
                attributes: m
                    .attributes()
                    .map(|a| AttributeLine {
                        name: a.name.into(),
                        value: a.value.map(Into::into),
                    })
                    .collect(),
            });
        }
        Ok(out)
    }

    /// An answer to `offer` (RFC 3264 §6, RFC 8829 §5.3.1): one section per offered
    /// section, in order, same media and proto; data channels and RTP sections whose first
    /// format has an `rtpmap` are accepted with `transport`, anything else is rejected with
    /// port 0. Mids are copied; a BUNDLE group is added when the offer had one.
    #[must_use]
    pub fn answer_to(offer: &Sdp<'_>, session_id: u64, transport: &TransportParams) -> Self {
        let mut answer = Self::new(session_id, 1);
        for m in offer.media() {
            let Some(Ok(ml)) = m.media_line() else {
                answer.media.push(MediaDescription::new(
                    "application",
                    0,
                    "UDP/DTLS/SCTP",
                    &["0"],
                ));
                continue;
            };
            let mid = m.mid();
            let mut section = if ml.port == Some(0) {
                MediaDescription::new(
                    ml.media,
                    0,
                    ml.proto,
                    &[ml.format_list().next().unwrap_or("0")],
                )
            } else if ml.is_sctp() {
                let port = m
                    .attribute_value("sctp-port")
                    .and_then(crate::fields::digits_u64)
                    .and_then(|p| u16::try_from(p).ok())
                    .unwrap_or(5000);
                let mut s = MediaDescription::new(ml.media, 9, ml.proto, &[ml.formats]);
                s.attributes
                    .push(AttributeLine::new("sctp-port", port.to_string()));
                s.attributes
                    .push(AttributeLine::new("max-message-size", "262144"));
                s.with_transport(transport)
            } else {
                let first = ml.format_list().next().unwrap_or("0");
                let rtpmap = m.attributes().find(|a| {
                    a.name == "rtpmap" && a.value.and_then(|v| v.split(' ').next()) == Some(first)
                });
                match rtpmap.and_then(|a| a.value) {
                    Some(v) if ml.is_rtp() => {
                        let offered = m
                            .attributes()
                            .find_map(|a| {
                                a.typed().ok().and_then(|t| match t {
                                    crate::attr::Typed::Direction(d) => Some(d),
                                    _ => None,
                                })
                            })
                            .unwrap_or(Direction::SendRecv);
                        let dir = match offered {
                            Direction::SendOnly => Direction::RecvOnly,
                            Direction::RecvOnly => Direction::SendOnly,
                            d => d,
                        };
                        let mut s = MediaDescription::new(ml.media, 9, ml.proto, &[first]);
                        s.attributes.push(AttributeLine::flag(dir.name()));
                        s.attributes.push(AttributeLine::flag("rtcp-mux"));
                        s.attributes.push(AttributeLine::new("rtpmap", v));
                        s.with_transport(transport)
                    }
                    _ => MediaDescription::new(ml.media, 0, ml.proto, &[first]),
                }
            };
            if let Some(mid) = mid {
                section.attributes.insert(0, AttributeLine::new("mid", mid));
            }
            answer.media.push(section);
        }
        let offered_bundle = offer
            .attributes()
            .any(|a| a.name == "group" && a.value.is_some_and(|v| v.starts_with("BUNDLE")));
        if offered_bundle {
            answer.bundled()
        } else {
            answer
        }
    }
}

impl fmt::Display for SessionDescription {
    /// The SDP text, CRLF line endings.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "v=0\r\no={} {} {} {}\r\ns={}\r\n",
            self.username,
            self.session_id,
            self.session_version,
            self.origin_address,
            self.session_name
        )?;
        if let Some(c) = &self.connection {
            write!(f, "c={c}\r\n")?;
        }
        for b in &self.bandwidth {
            write!(f, "b={b}\r\n")?;
        }
        write!(f, "t={} {}\r\n", self.timing.0, self.timing.1)?;
        for a in &self.attributes {
            write!(f, "{a}")?;
        }
        for m in &self.media {
            write!(f, "{m}")?;
        }
        Ok(())
    }
}

/// A WebRTC offer (audio, video, data channel; BUNDLE) whose audio section carries
/// `candidates` candidates (host, srflx and TCP in turn): the generated input of the
/// benchmarks and allocation tests.
#[must_use]
pub fn example_offer(candidates: usize) -> String {
    let mut list = Vec::with_capacity(candidates);
    for i in 0..candidates {
        let n = u8::try_from(i % 250).unwrap_or(0);
        let port = 50_000u16.saturating_add(u16::try_from(i).unwrap_or(0));
        let ip = IpAddr::from([192, 0, 2, n]);
        let c = match i % 3 {
            0 => CandidateRepr::host(&i.to_string(), 1, ip, port, 2_122_260_223),
            1 => CandidateRepr::related(
                &i.to_string(),
                1,
                "srflx",
                (IpAddr::from([203, 0, 113, n]), port),
                (ip, port),
                1_686_052_607,
            ),
            _ => {
                let mut c = CandidateRepr::host(&i.to_string(), 1, ip, 9, 1_518_280_447);
                c.transport = "tcp".into();
                c.with_extension("tcptype", "active")
            }
        };
        list.push(
            c.with_extension("generation", "0")
                .with_extension("network-id", "1"),
        );
    }
    let mut transport = TransportParams {
        ufrag: "EsAw".into(),
        pwd: "bP+XJMM09aR8AiX1jdukzR6Y".into(),
        fingerprint: ("sha-256".into(), ["A1"; 32].join(":")),
        setup: Setup::Actpass,
        candidates: list,
        end_of_candidates: true,
    };
    let audio = MediaDescription::rtp(
        "audio",
        "0",
        &[(111, "opus/48000/2"), (0, "PCMU/8000")],
        Direction::SendRecv,
    )
    .with_transport(&transport);
    transport.candidates.clear();
    let video = MediaDescription::rtp(
        "video",
        "1",
        &[(96, "VP8/90000"), (97, "rtx/90000")],
        Direction::SendRecv,
    )
    .with_attribute(AttributeLine::new("fmtp", "97 apt=96"))
    .with_transport(&transport);
    let data = MediaDescription::data_channel("2", 5000, 262_144).with_transport(&transport);
    SessionDescription::new(4_611_731_400_430_051_336, 2)
        .with_media(audio)
        .with_media(video)
        .with_media(data)
        .with_attribute(AttributeLine::new("ice-options", "trickle"))
        .bundled()
        .to_string()
}
