//! Typed fields of the fixed lines: `o=`, `c=`, `t=`, `m=` (RFC 8866 §5.2, §5.7, §5.9, §5.14).
//!
//! Each parser takes the value bytes of one line, borrows from them, and returns a
//! [`FieldError`] naming the sub-field that is wrong. Sub-fields are separated by exactly one
//! space (RFC 8866 §5); two spaces in a row give an empty sub-field, which is an error here.

use core::fmt;

/// Why a line's value does not have its grammar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FieldError {
    /// The value is not UTF-8.
    NotUtf8,
    /// A required sub-field is missing.
    Missing(&'static str),
    /// A sub-field is empty (two spaces in a row, or a leading or trailing space).
    Empty(&'static str),
    /// A sub-field that must be a number is not one (or is out of range).
    BadNumber(&'static str),
    /// A sub-field has a value outside its grammar.
    BadValue(&'static str),
    /// More sub-fields than the grammar allows.
    Trailing(&'static str),
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotUtf8 => f.write_str("value is not UTF-8"),
            Self::Missing(w) => write!(f, "missing {w}"),
            Self::Empty(w) => write!(f, "empty {w} (extra space)"),
            Self::BadNumber(w) => write!(f, "{w} is not a valid number"),
            Self::BadValue(w) => write!(f, "{w} has an invalid value"),
            Self::Trailing(w) => write!(f, "unexpected text after {w}"),
        }
    }
}

impl std::error::Error for FieldError {}

pub(crate) fn utf8(value: &[u8]) -> Result<&str, FieldError> {
    core::str::from_utf8(value).map_err(|_| FieldError::NotUtf8)
}

/// Sub-fields separated by single spaces: `split(' ')` with a byte loop (faster on short
/// tokens) and access to the unread remainder.
#[derive(Clone, Debug)]
pub struct Fields<'a> {
    rest: Option<&'a str>,
}

impl<'a> Fields<'a> {
    /// Splits `text`.
    #[must_use]
    pub const fn new(text: &'a str) -> Self {
        Self { rest: Some(text) }
    }

    /// What has not been read yet (empty when everything has).
    #[must_use]
    pub fn remainder(&self) -> &'a str {
        self.rest.unwrap_or("")
    }
}

impl<'a> Iterator for Fields<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let s = self.rest?;
        match s.bytes().position(|b| b == b' ') {
            Some(i) => {
                self.rest = s.get(i.saturating_add(1)..);
                s.get(..i)
            }
            None => {
                self.rest = None;
                Some(s)
            }
        }
    }
}

/// Takes the next single-space-separated token, named `what`.
pub(crate) fn token<'a>(it: &mut Fields<'a>, what: &'static str) -> Result<&'a str, FieldError> {
    match it.next() {
        None => Err(FieldError::Missing(what)),
        Some("") => Err(FieldError::Empty(what)),
        Some(t) => Ok(t),
    }
}

/// True when `s` is one or more ASCII digits.
#[must_use]
pub fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// RFC 8866 §9 `token-char`.
#[must_use]
pub const fn is_token_char(b: u8) -> bool {
    matches!(b, b'!' | b'#'..=b'\'' | b'*' | b'+' | b'-' | b'.' | b'0'..=b'9' | b'A'..=b'Z' | b'^'..=b'~')
}

/// True when `s` is a non-empty RFC 8866 `token`.
#[must_use]
pub fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(is_token_char)
}

/// `o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Origin<'a> {
    /// User name (`-` when none).
    pub username: &'a str,
    /// Session id, as written.
    pub session_id: &'a str,
    /// Session version, as written.
    pub session_version: &'a str,
    /// Network type (`IN`).
    pub nettype: &'a str,
    /// Address type (`IP4`, `IP6`).
    pub addrtype: &'a str,
    /// Address or host name.
    pub address: &'a str,
}

impl<'a> Origin<'a> {
    /// Parses the value of an `o=` line.
    ///
    /// # Errors
    /// A [`FieldError`] naming the broken sub-field.
    pub fn parse(value: &'a [u8]) -> Result<Self, FieldError> {
        let mut it = Fields::new(utf8(value)?);
        let o = Self {
            username: token(&mut it, "username")?,
            session_id: token(&mut it, "sess-id")?,
            session_version: token(&mut it, "sess-version")?,
            nettype: token(&mut it, "nettype")?,
            addrtype: token(&mut it, "addrtype")?,
            address: token(&mut it, "unicast-address")?,
        };
        if it.next().is_some() {
            return Err(FieldError::Trailing("unicast-address"));
        }
        Ok(o)
    }

    /// The session id as a number, when it is all digits and fits in 64 bits.
    #[must_use]
    pub fn session_id_number(&self) -> Option<u64> {
        digits_u64(self.session_id)
    }

    /// The session version as a number, when it is all digits and fits in 64 bits.
    #[must_use]
    pub fn session_version_number(&self) -> Option<u64> {
        digits_u64(self.session_version)
    }
}

/// Parses a decimal number made of digits only (no sign, no spaces), `None` on overflow.
#[must_use]
pub fn digits_u64(s: &str) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    let mut n: u64 = 0;
    for b in s.bytes() {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        n = n.checked_mul(10)?.checked_add(u64::from(d))?;
    }
    Some(n)
}

/// `c=<nettype> <addrtype> <connection-address>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Connection<'a> {
    /// Network type (`IN`).
    pub nettype: &'a str,
    /// Address type (`IP4`, `IP6`).
    pub addrtype: &'a str,
    /// The address, with any `/ttl/count` suffix.
    pub address: &'a str,
}

impl<'a> Connection<'a> {
    /// Parses the value of a `c=` line.
    ///
    /// # Errors
    /// A [`FieldError`] naming the broken sub-field.
    pub fn parse(value: &'a [u8]) -> Result<Self, FieldError> {
        let mut it = Fields::new(utf8(value)?);
        let c = Self {
            nettype: token(&mut it, "nettype")?,
            addrtype: token(&mut it, "addrtype")?,
            address: token(&mut it, "connection-address")?,
        };
        if it.next().is_some() {
            return Err(FieldError::Trailing("connection-address"));
        }
        Ok(c)
    }

    /// The address without a `/ttl` or `/count` suffix.
    #[must_use]
    pub fn host(&self) -> &'a str {
        self.address.split('/').next().unwrap_or(self.address)
    }
}

/// `t=<start-time> <stop-time>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timing {
    /// Start, NTP seconds (0 for unbounded).
    pub start: u64,
    /// Stop, NTP seconds (0 for unbounded).
    pub stop: u64,
}

impl Timing {
    /// Parses the value of a `t=` line.
    ///
    /// # Errors
    /// A [`FieldError`] naming the broken sub-field.
    pub fn parse(value: &[u8]) -> Result<Self, FieldError> {
        let mut it = Fields::new(utf8(value)?);
        let start = token(&mut it, "start-time")?;
        let stop = token(&mut it, "stop-time")?;
        if it.next().is_some() {
            return Err(FieldError::Trailing("stop-time"));
        }
        Ok(Self {
            start: digits_u64(start).ok_or(FieldError::BadNumber("start-time"))?,
            stop: digits_u64(stop).ok_or(FieldError::BadNumber("stop-time"))?,
        })
    }
}

/// `m=<media> <port>[/<number of ports>] <proto> <fmt> ...`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MediaLine<'a> {
    /// Media type (`audio`, `video`, `application`, ...).
    pub media: &'a str,
    /// The port as written (digits, possibly followed by `/count`).
    pub port_text: &'a str,
    /// The port, when it is a number up to 65535.
    pub port: Option<u16>,
    /// The number of ports after `/`, when given.
    pub port_count: Option<u32>,
    /// Transport protocol (`UDP/TLS/RTP/SAVPF`, `UDP/DTLS/SCTP`).
    pub proto: &'a str,
    /// The formats, space-separated, as written.
    pub formats: &'a str,
}

impl<'a> MediaLine<'a> {
    /// Parses the value of an `m=` line. A port that is not a number is kept as text
    /// (`port` is `None`) for the rules to report.
    ///
    /// # Errors
    /// A [`FieldError`] naming the missing or empty sub-field.
    pub fn parse(value: &'a [u8]) -> Result<Self, FieldError> {
        let text = utf8(value)?;
        let mut it = Fields::new(text);
        let media = token(&mut it, "media")?;
        let port_text = token(&mut it, "port")?;
        let proto = token(&mut it, "proto")?;
        // Everything after the proto, as written.
        let consumed = media
            .len()
            .saturating_add(port_text.len())
            .saturating_add(proto.len())
            .saturating_add(3);
        let formats = text.get(consumed..).unwrap_or("");
        if formats.is_empty() {
            return Err(FieldError::Missing("fmt"));
        }
        let (port_part, count_part) = match port_text.split_once('/') {
            Some((p, c)) => (p, Some(c)),
            None => (port_text, None),
        };
        let port = digits_u64(port_part).and_then(|p| u16::try_from(p).ok());
        let port_count = count_part
            .and_then(digits_u64)
            .and_then(|c| u32::try_from(c).ok());
        Ok(Self {
            media,
            port_text,
            port,
            port_count,
            proto,
            formats,
        })
    }

    /// The formats, one by one.
    pub fn format_list(&self) -> impl Iterator<Item = &'a str> + 'a {
        self.formats.split(' ')
    }

    /// True when `fmt` is among the formats.
    #[must_use]
    pub fn has_format(&self, fmt: &str) -> bool {
        self.format_list().any(|f| f == fmt)
    }

    /// True for an RTP profile (`RTP/AVP`, `UDP/TLS/RTP/SAVPF`, ...).
    #[must_use]
    pub fn is_rtp(&self) -> bool {
        self.proto.split('/').any(|p| p == "RTP")
    }

    /// True for SCTP over DTLS (`UDP/DTLS/SCTP`, `TCP/DTLS/SCTP`, legacy `DTLS/SCTP`).
    #[must_use]
    pub fn is_sctp(&self) -> bool {
        self.proto.ends_with("SCTP")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_reads_six_fields_and_rejects_more() {
        let o = Origin::parse(b"- 4611731400430051336 2 IN IP4 127.0.0.1").unwrap();
        assert_eq!(o.session_id_number(), Some(4_611_731_400_430_051_336));
        assert_eq!(o.address, "127.0.0.1");
        assert_eq!(
            Origin::parse(b"- 1 2 IN IP4 127.0.0.1 x"),
            Err(FieldError::Trailing("unicast-address"))
        );
        assert_eq!(
            Origin::parse(b"-  1 2 IN IP4 a"),
            Err(FieldError::Empty("sess-id"))
        );
    }

    #[test]
    fn media_line_keeps_formats_and_port_count() {
        let m = MediaLine::parse(b"video 9/2 UDP/TLS/RTP/SAVPF 96 97 98").unwrap();
        assert_eq!(m.port, Some(9));
        assert_eq!(m.port_count, Some(2));
        assert_eq!(m.format_list().collect::<Vec<_>>(), ["96", "97", "98"]);
        assert!(m.is_rtp());
        let bad = MediaLine::parse(b"audio 70000 RTP/AVP 0").unwrap();
        assert_eq!(bad.port, None);
        assert_eq!(
            MediaLine::parse(b"audio 9 RTP/AVP"),
            Err(FieldError::Missing("fmt"))
        );
    }

    #[test]
    fn timing_needs_two_numbers() {
        assert_eq!(Timing::parse(b"0 0"), Ok(Timing { start: 0, stop: 0 }));
        assert!(Timing::parse(b"0").is_err());
        assert!(Timing::parse(b"0 x").is_err());
    }
}
