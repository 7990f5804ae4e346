//! Attributes (`a=`), and typed access to the WebRTC ones.
//!
//! [`Attribute`] splits an `a=` line into name and value without allocating;
//! [`Attribute::typed`] reads the value by the attribute's grammar into a [`Typed`]. Lists
//! (ice-options, group tags, ssrc-group ssrcs) are returned as the text they are, with
//! iterators over their items, so typed access never allocates either.

use crate::candidate::Candidate;
use crate::fields::{FieldError, Fields, digits_u64, is_digits, token};
use crate::view::Line;

/// One `a=` line, split into name and value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Attribute<'a> {
    /// The line it came from.
    pub line: Line<'a>,
    /// The name (before the first `:`), or empty when the line is not UTF-8.
    pub name: &'a str,
    /// The value after the first `:`; `None` for a flag attribute.
    pub value: Option<&'a str>,
}

impl<'a> Attribute<'a> {
    pub(crate) fn from_line(line: Line<'a>) -> Self {
        let (name, value) = match line.value_str() {
            Some(text) => match text.split_once(':') {
                Some((n, v)) => (n, Some(v)),
                None => (text, None),
            },
            None => ("", None),
        };
        Self { line, name, value }
    }

    /// Offset of the value's first byte in the input (the name's when there is no value).
    #[must_use]
    pub fn value_offset(&self) -> usize {
        let base = self.line.value_offset();
        if self.value.is_some() {
            base.saturating_add(self.name.len()).saturating_add(1)
        } else {
            base
        }
    }

    /// Reads the value by the attribute's grammar.
    ///
    /// # Errors
    /// A [`FieldError`] when a known attribute does not follow its grammar. Unknown
    /// attributes are [`Typed::Other`].
    pub fn typed(&self) -> Result<Typed<'a>, FieldError> {
        Typed::parse(self.name, self.value)
    }
}

/// `a=setup` roles (RFC 4145 §4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Setup {
    /// Will open the connection.
    Active,
    /// Will accept the connection.
    Passive,
    /// Either (offers only).
    Actpass,
    /// Does not want a connection now.
    Holdconn,
}

impl Setup {
    /// Reads a role.
    #[must_use]
    pub fn from_name(s: &str) -> Option<Self> {
        Some(match s {
            "active" => Self::Active,
            "passive" => Self::Passive,
            "actpass" => Self::Actpass,
            "holdconn" => Self::Holdconn,
            _ => return None,
        })
    }

    /// The role's name.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Passive => "passive",
            Self::Actpass => "actpass",
            Self::Holdconn => "holdconn",
        }
    }
}

/// Media direction attributes (RFC 8866 §6.7).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// `sendrecv`.
    SendRecv,
    /// `sendonly`.
    SendOnly,
    /// `recvonly`.
    RecvOnly,
    /// `inactive`.
    Inactive,
}

impl Direction {
    /// Reads a direction attribute name.
    #[must_use]
    pub fn from_name(s: &str) -> Option<Self> {
        Some(match s {
            "sendrecv" => Self::SendRecv,
            "sendonly" => Self::SendOnly,
            "recvonly" => Self::RecvOnly,
            "inactive" => Self::Inactive,
            _ => return None,
        })
    }

    /// The attribute name.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::SendRecv => "sendrecv",
            Self::SendOnly => "sendonly",
            Self::RecvOnly => "recvonly",
            Self::Inactive => "inactive",
        }
    }

    /// The direction an answer may take in reply (RFC 3264 §6.1).
    #[must_use]
    pub const fn answer_allows(self, answer: Self) -> bool {
        match self {
            Self::SendRecv => true,
            Self::SendOnly => matches!(answer, Self::RecvOnly | Self::Inactive),
            Self::RecvOnly => matches!(answer, Self::SendOnly | Self::Inactive),
            Self::Inactive => matches!(answer, Self::Inactive),
        }
    }
}

/// A space-separated list kept as text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Words<'a>(pub &'a str);

impl<'a> Words<'a> {
    /// The items.
    pub fn iter(&self) -> impl Iterator<Item = &'a str> + 'a {
        self.0.split(' ').filter(|w| !w.is_empty())
    }

    /// True when `w` is among the items.
    #[must_use]
    pub fn contains(&self, w: &str) -> bool {
        self.iter().any(|x| x == w)
    }
}

/// A WebRTC attribute read by its grammar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Typed<'a> {
    /// `ice-ufrag` (RFC 8839 §5.4).
    IceUfrag(&'a str),
    /// `ice-pwd` (RFC 8839 §5.4).
    IcePwd(&'a str),
    /// `ice-options` (RFC 8839 §5.6): `trickle`, `ice2`, `renomination`, ...
    IceOptions(Words<'a>),
    /// `ice-lite` (RFC 8839 §5.3).
    IceLite,
    /// `fingerprint` (RFC 8122 §5).
    Fingerprint {
        /// Hash function name (`sha-256`).
        hash: &'a str,
        /// Colon-separated upper-case hex bytes.
        value: &'a str,
    },
    /// `setup` (RFC 4145 §4).
    Setup(Setup),
    /// `mid` (RFC 9143 / RFC 5888).
    Mid(&'a str),
    /// `group` (RFC 5888; `BUNDLE` from RFC 9143).
    Group {
        /// Semantics (`BUNDLE`, `LS`, `FID`).
        semantics: &'a str,
        /// Identification tags.
        tags: Words<'a>,
    },
    /// `bundle-only` (RFC 9143 §6).
    BundleOnly,
    /// `rtcp` (RFC 3605).
    Rtcp {
        /// Port.
        port: u16,
        /// `IN IP4 addr`, when given.
        address: Option<&'a str>,
    },
    /// `rtcp-mux` (RFC 5761 §5.1.1).
    RtcpMux,
    /// `rtcp-mux-only` (RFC 8858 §3).
    RtcpMuxOnly,
    /// `rtcp-rsize` (RFC 5506).
    RtcpRsize,
    /// `rtpmap` (RFC 8866 §6.6).
    Rtpmap {
        /// Payload type.
        payload_type: u8,
        /// Encoding name.
        encoding: &'a str,
        /// Clock rate.
        clock_rate: u32,
        /// Encoding parameters (channels), when given.
        params: Option<&'a str>,
    },
    /// `fmtp` (RFC 8866 §6.15).
    Fmtp {
        /// Format (payload type, as written).
        format: &'a str,
        /// Parameters.
        params: &'a str,
    },
    /// `rtcp-fb` (RFC 4585 §4.2).
    RtcpFb {
        /// Payload type or `*`.
        format: &'a str,
        /// Feedback type (`nack`, `ccm`, `transport-cc`, ...).
        kind: &'a str,
        /// Parameter (`pli`, `fir`), when given.
        param: Option<&'a str>,
    },
    /// `extmap` (RFC 8285 §5).
    Extmap {
        /// Identifier (1–14 one-byte, 1–255 two-byte).
        id: u16,
        /// Direction, when given.
        direction: Option<Direction>,
        /// Extension URI.
        uri: &'a str,
        /// Extension attributes, when given.
        attributes: Option<&'a str>,
    },
    /// `extmap-allow-mixed` (RFC 8285 §6).
    ExtmapAllowMixed,
    /// `ssrc` (RFC 5576 §4.1).
    Ssrc {
        /// SSRC.
        ssrc: u32,
        /// Source attribute name (`cname`, `msid`).
        attribute: &'a str,
        /// Source attribute value.
        value: Option<&'a str>,
    },
    /// `ssrc-group` (RFC 5576 §4.2).
    SsrcGroup {
        /// Semantics (`FID`, `SIM`, `FEC-FR`).
        semantics: &'a str,
        /// The SSRCs, as text.
        ssrcs: Words<'a>,
    },
    /// `msid` (RFC 8830 §2).
    Msid {
        /// Stream id.
        stream: &'a str,
        /// Track id (appdata), when given.
        track: Option<&'a str>,
    },
    /// `msid-semantic` (pre-RFC 8830 WebRTC usage).
    MsidSemantic(&'a str),
    /// `rid` (RFC 8851 §4).
    Rid {
        /// Identifier.
        id: &'a str,
        /// `send` or `recv`.
        direction: &'a str,
        /// Restrictions, when given.
        params: Option<&'a str>,
    },
    /// `simulcast` (RFC 8853 §5.1).
    Simulcast(&'a str),
    /// `sctp-port` (RFC 8841 §5).
    SctpPort(u16),
    /// `max-message-size` (RFC 8841 §6).
    MaxMessageSize(u64),
    /// A media direction (RFC 8866 §6.7).
    Direction(Direction),
    /// `end-of-candidates` (RFC 8840).
    EndOfCandidates,
    /// `remote-candidates` (RFC 8839 §5.2).
    RemoteCandidates(Words<'a>),
    /// `candidate` (RFC 8839 §5.1).
    Candidate(Candidate<'a>),
    /// Anything else (RFC 8866 §5.13: ignored when not understood).
    Other {
        /// Name.
        name: &'a str,
        /// Value.
        value: Option<&'a str>,
    },
}

fn need<'a>(value: Option<&'a str>, what: &'static str) -> Result<&'a str, FieldError> {
    match value {
        None => Err(FieldError::Missing(what)),
        Some("") => Err(FieldError::Empty(what)),
        Some(v) => Ok(v),
    }
}

fn flag<'a>(value: Option<&'a str>, t: Typed<'a>) -> Result<Typed<'a>, FieldError> {
    match value {
        None => Ok(t),
        Some(_) => Err(FieldError::Trailing("flag attribute")),
    }
}

impl<'a> Typed<'a> {
    /// Reads attribute `name` with `value`.
    ///
    /// # Errors
    /// A [`FieldError`] when a known attribute does not follow its grammar.
    pub fn parse(name: &'a str, value: Option<&'a str>) -> Result<Self, FieldError> {
        Ok(match name {
            "ice-ufrag" => Self::IceUfrag(need(value, "ice-ufrag")?),
            "ice-pwd" => Self::IcePwd(need(value, "ice-pwd")?),
            "ice-options" => Self::IceOptions(Words(need(value, "ice-option-tag")?)),
            "ice-lite" => flag(value, Self::IceLite)?,
            "fingerprint" => {
                let (hash, fp) = need(value, "hash-func")?
                    .split_once(' ')
                    .ok_or(FieldError::Missing("fingerprint"))?;
                Self::Fingerprint { hash, value: fp }
            }
            "setup" => Self::Setup(
                Setup::from_name(need(value, "role")?).ok_or(FieldError::BadValue("role"))?,
            ),
            "mid" => Self::Mid(need(value, "identification-tag")?),
            "group" => {
                let v = need(value, "semantics")?;
                let (semantics, tags) = v.split_once(' ').unwrap_or((v, ""));
                Self::Group {
                    semantics,
                    tags: Words(tags),
                }
            }
            "bundle-only" => flag(value, Self::BundleOnly)?,
            "rtcp" => {
                let v = need(value, "port")?;
                let (port, address) = match v.split_once(' ') {
                    Some((p, a)) => (p, Some(a)),
                    None => (v, None),
                };
                Self::Rtcp {
                    port: digits_u64(port)
                        .and_then(|p| u16::try_from(p).ok())
                        .ok_or(FieldError::BadNumber("port"))?,
                    address,
                }
            }
            "rtcp-mux" => flag(value, Self::RtcpMux)?,
            "rtcp-mux-only" => flag(value, Self::RtcpMuxOnly)?,
            "rtcp-rsize" => flag(value, Self::RtcpRsize)?,
            "rtpmap" => {
                let v = need(value, "payload type")?;
                let (pt, rest) = v
                    .split_once(' ')
                    .ok_or(FieldError::Missing("encoding name"))?;
                let mut parts = rest.splitn(3, '/');
                let encoding = parts.next().unwrap_or("");
                if encoding.is_empty() {
                    return Err(FieldError::Empty("encoding name"));
                }
                let clock = parts.next().ok_or(FieldError::Missing("clock rate"))?;
                Self::Rtpmap {
                    payload_type: digits_u64(pt)
                        .and_then(|p| u8::try_from(p).ok())
                        .ok_or(FieldError::BadNumber("payload type"))?,
                    encoding,
                    clock_rate: digits_u64(clock)
                        .and_then(|c| u32::try_from(c).ok())
                        .ok_or(FieldError::BadNumber("clock rate"))?,
                    params: parts.next(),
                }
            }
            "fmtp" => {
                let v = need(value, "format")?;
                let (format, params) =
                    v.split_once(' ').ok_or(FieldError::Missing("parameters"))?;
                Self::Fmtp { format, params }
            }
            "rtcp-fb" => {
                let v = need(value, "format")?;
                let mut it = Fields::new(v);
                let format = token(&mut it, "format")?;
                let kind = token(&mut it, "feedback type")?;
                let param = v
                    .get(format.len().saturating_add(kind.len()).saturating_add(2)..)
                    .filter(|p| !p.is_empty());
                Self::RtcpFb {
                    format,
                    kind,
                    param,
                }
            }
            "extmap" => {
                let v = need(value, "id")?;
                let mut it = Fields::new(v);
                let id_dir = token(&mut it, "id")?;
                let uri = token(&mut it, "uri")?;
                let attributes = v
                    .get(id_dir.len().saturating_add(uri.len()).saturating_add(2)..)
                    .filter(|p| !p.is_empty());
                let (id, direction) = match id_dir.split_once('/') {
                    Some((id, d)) => (
                        id,
                        Some(Direction::from_name(d).ok_or(FieldError::BadValue("direction"))?),
                    ),
                    None => (id_dir, None),
                };
                Self::Extmap {
                    id: digits_u64(id)
                        .and_then(|i| u16::try_from(i).ok())
                        .ok_or(FieldError::BadNumber("id"))?,
                    direction,
                    uri,
                    attributes,
                }
            }
            "extmap-allow-mixed" => flag(value, Self::ExtmapAllowMixed)?,
            "ssrc" => {
                let v = need(value, "ssrc-id")?;
                let (ssrc, rest) = v.split_once(' ').ok_or(FieldError::Missing("attribute"))?;
                let (attribute, val) = match rest.split_once(':') {
                    Some((a, b)) => (a, Some(b)),
                    None => (rest, None),
                };
                Self::Ssrc {
                    ssrc: digits_u64(ssrc)
                        .and_then(|s| u32::try_from(s).ok())
                        .ok_or(FieldError::BadNumber("ssrc-id"))?,
                    attribute,
                    value: val,
                }
            }
            "ssrc-group" => {
                let v = need(value, "semantics")?;
                let (semantics, ssrcs) = v.split_once(' ').unwrap_or((v, ""));
                if !Words(ssrcs)
                    .iter()
                    .all(|s| digits_u64(s).is_some_and(|n| u32::try_from(n).is_ok()))
                {
                    return Err(FieldError::BadNumber("ssrc-id"));
                }
                Self::SsrcGroup {
                    semantics,
                    ssrcs: Words(ssrcs),
                }
            }
            "msid" => {
                let v = need(value, "msid-id")?;
                match v.split_once(' ') {
                    Some((s, t)) => Self::Msid {
                        stream: s,
                        track: Some(t),
                    },
                    None => Self::Msid {
                        stream: v,
                        track: None,
                    },
                }
            }
            "msid-semantic" => Self::MsidSemantic(need(value, "msid-semantic")?),
            "rid" => {
                let v = need(value, "rid-id")?;
                let mut it = Fields::new(v);
                let id = token(&mut it, "rid-id")?;
                let direction = token(&mut it, "rid-dir")?;
                let params = it.next();
                Self::Rid {
                    id,
                    direction,
                    params,
                }
            }
            "simulcast" => Self::Simulcast(need(value, "sc-value")?),
            "sctp-port" => Self::SctpPort(
                digits_u64(need(value, "port")?)
                    .and_then(|p| u16::try_from(p).ok())
                    .ok_or(FieldError::BadNumber("port"))?,
            ),
            "max-message-size" => Self::MaxMessageSize(
                digits_u64(need(value, "size")?).ok_or(FieldError::BadNumber("size"))?,
            ),
            "sendrecv" | "sendonly" | "recvonly" | "inactive" => flag(
                value,
                Self::Direction(Direction::from_name(name).unwrap_or(Direction::SendRecv)),
            )?,
            "end-of-candidates" => flag(value, Self::EndOfCandidates)?,
            "remote-candidates" => Self::RemoteCandidates(Words(need(value, "remote-candidate")?)),
            "candidate" => Self::Candidate(Candidate::parse(need(value, "foundation")?)?),
            _ => Self::Other { name, value },
        })
    }
}

/// True for RFC 8839 `ice-char` (ALPHA / DIGIT / "+" / "/").
#[must_use]
pub const fn is_ice_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'+' || b == b'/'
}

/// True when every byte of `s` is an `ice-char` and its length is within `min..=max`.
#[must_use]
pub fn is_ice_string(s: &str, min: usize, max: usize) -> bool {
    (min..=max).contains(&s.len()) && s.bytes().all(is_ice_char)
}

/// True when `s` is an RFC 8122 §5 fingerprint: 2UHEX *(":" 2UHEX).
#[must_use]
pub fn is_fingerprint_value(s: &str) -> bool {
    !s.is_empty()
        && s.split(':').all(|pair| {
            pair.len() == 2
                && pair
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b))
        })
}

/// Number of bytes in a fingerprint value (pairs of hex digits).
#[must_use]
pub fn fingerprint_len(s: &str) -> usize {
    s.split(':').count()
}

/// Digest length in bytes of the RFC 8122 / IANA "Hash Function Textual Names".
#[must_use]
pub fn hash_len(name: &str) -> Option<usize> {
    const TABLE: [(&str, usize); 7] = [
        ("md2", 16),
        ("md5", 16),
        ("sha-1", 20),
        ("sha-224", 28),
        ("sha-256", 32),
        ("sha-384", 48),
        ("sha-512", 64),
    ];
    TABLE
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, len)| *len)
}

/// True when `s` is a valid payload type (0–127, digits only).
#[must_use]
pub fn is_payload_type(s: &str) -> bool {
    is_digits(s) && digits_u64(s).is_some_and(|n| n <= 127)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_webrtc_attributes() {
        assert_eq!(
            Typed::parse("setup", Some("actpass")),
            Ok(Typed::Setup(Setup::Actpass))
        );
        assert_eq!(
            Typed::parse("rtpmap", Some("111 opus/48000/2")),
            Ok(Typed::Rtpmap {
                payload_type: 111,
                encoding: "opus",
                clock_rate: 48000,
                params: Some("2")
            })
        );
        assert!(matches!(
            Typed::parse("extmap", Some("3/sendonly urn:x attr")),
            Ok(Typed::Extmap {
                id: 3,
                direction: Some(Direction::SendOnly),
                uri: "urn:x",
                attributes: Some("attr")
            })
        ));
        assert!(matches!(
            Typed::parse("group", Some("BUNDLE 0 1")),
            Ok(Typed::Group { semantics: "BUNDLE", tags }) if tags.contains("1")
        ));
        assert_eq!(
            Typed::parse("rtcp-mux", Some("x")),
            Err(FieldError::Trailing("flag attribute"))
        );
        assert_eq!(
            Typed::parse("sctp-port", Some("5000")),
            Ok(Typed::SctpPort(5000))
        );
        assert!(Typed::parse("ssrc-group", Some("FID 1 x")).is_err());
    }

    #[test]
    fn fingerprint_syntax_is_upper_case_hex_pairs() {
        assert!(is_fingerprint_value("AB:01:FF"));
        assert!(!is_fingerprint_value("ab:01"));
        assert!(!is_fingerprint_value("AB:1"));
        assert_eq!(hash_len("SHA-256"), Some(32));
    }
}
