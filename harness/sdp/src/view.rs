//! The zero-copy view: an SDP as lines, each a byte span into the input.
//!
//! [`Sdp::parse`] walks the input once and keeps, for every line, where its content starts and
//! ends and how it was terminated. It allocates two vectors (the lines and the index of the
//! `m=` lines) whatever the input holds; every accessor borrows from the input. Nothing is
//! judged here: a line that is not `<type>=<value>`, a bare LF, a lone CR or a stray NUL are
//! all represented as they are, and [`crate::rules`] reports on them.
//!
//! # Fuzzing
//!
//! [`Sdp::parse`] never panics and [`Sdp::emit`] reproduces the input byte for byte for every
//! input that parsed; `fuzz/fuzz_targets/sdp_parse.rs` checks both.

use core::fmt;

use crate::attr::Attribute;
use crate::fields::{Connection, FieldError, MediaLine, Origin, Timing};

/// UTF-8 byte order mark.
pub(crate) const BOM: &[u8] = b"\xEF\xBB\xBF";

/// How a line ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LineEnding {
    /// `CRLF`, as RFC 8866 §5 requires.
    CrLf,
    /// A bare `LF` (tolerated; reported as a violation).
    Lf,
    /// The input ended without a terminator.
    None,
}

impl LineEnding {
    /// The terminator's bytes.
    #[must_use]
    pub const fn bytes(self) -> &'static [u8] {
        match self {
            Self::CrLf => b"\r\n",
            Self::Lf => b"\n",
            Self::None => b"",
        }
    }
}

/// One line: a span of content and its terminator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LineSpan {
    /// Offset of the first content byte.
    pub start: usize,
    /// Offset one past the last content byte (the terminator is not included).
    pub end: usize,
    /// How the line ended.
    pub ending: LineEnding,
}

impl LineSpan {
    /// Number of content bytes.
    #[must_use]
    pub const fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }

    /// True when the line has no content.
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.end <= self.start
    }
}

/// Why an input is not an SDP at all. Everything else parses and is judged by the rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ParseError {
    /// No bytes, or only blank lines.
    Empty,
    /// The first non-blank line does not start with `v=`.
    NotSdp(&'static str),
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("empty input"),
            Self::NotSdp(why) => write!(f, "not an SDP: {why}"),
        }
    }
}

impl std::error::Error for ParseError {}

/// A parsed SDP: the input and its lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sdp<'a> {
    input: &'a [u8],
    bom: bool,
    lines: Vec<LineSpan>,
    media: Vec<usize>,
}

/// A borrowed line with its number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Line<'a> {
    /// Index in [`Sdp::lines`] (0-based).
    pub index: usize,
    /// Where it is.
    pub span: LineSpan,
    /// The content bytes (no terminator).
    pub bytes: &'a [u8],
}

impl<'a> Line<'a> {
    /// 1-based line number, as editors count.
    #[must_use]
    pub fn number(&self) -> u32 {
        u32::try_from(self.index)
            .unwrap_or(u32::MAX)
            .saturating_add(1)
    }

    /// The type letter when the line has the form `<letter>=...`.
    #[must_use]
    pub fn kind(&self) -> Option<u8> {
        match self.bytes {
            [k, b'=', ..] if k.is_ascii_alphabetic() => Some(*k),
            _ => None,
        }
    }

    /// The value after `<type>=` (empty when the line has no `=` in second place).
    #[must_use]
    pub fn value(&self) -> &'a [u8] {
        match self.kind() {
            Some(_) => self.bytes.get(2..).unwrap_or_default(),
            None => &[],
        }
    }

    /// The value as text, when it is UTF-8.
    #[must_use]
    pub fn value_str(&self) -> Option<&'a str> {
        core::str::from_utf8(self.value()).ok()
    }

    /// Offset of the value's first byte in the input.
    #[must_use]
    pub fn value_offset(&self) -> usize {
        if self.kind().is_some() {
            self.span.start.saturating_add(2)
        } else {
            self.span.start
        }
    }

    /// True for an empty or all-whitespace line.
    #[must_use]
    pub fn is_blank(&self) -> bool {
        self.bytes.iter().all(u8::is_ascii_whitespace)
    }

    /// This line as an attribute when it is `a=<name>` or `a=<name>:<value>`. Compares bytes
    /// before decoding anything, so scanning a section for one name stays cheap.
    #[must_use]
    pub fn attribute_named(&self, name: &str) -> Option<Attribute<'a>> {
        let rest = self
            .bytes
            .strip_prefix(b"a=")?
            .strip_prefix(name.as_bytes())?;
        matches!(rest.first(), None | Some(b':')).then(|| Attribute::from_line(*self))
    }

    /// This line as an attribute when it is an `a=` line.
    #[must_use]
    pub fn attribute(&self) -> Option<Attribute<'a>> {
        (self.kind() == Some(b'a')).then(|| Attribute::from_line(*self))
    }
}

/// Splits `input` into line spans and returns how many start with `m=`. Never fails; the
/// spans and their terminators cover every byte after `skip`. Line ends are found with
/// `memchr` (SIMD where the CPU has it).
fn split_lines(input: &[u8], skip: usize, lines: &mut Vec<LineSpan>) -> usize {
    let rest = input.get(skip..).unwrap_or_default();
    let mut start = skip;
    let mut media = 0usize;
    let mut push = |start: usize, end: usize, ending: LineEnding| {
        if input.get(start..start.saturating_add(2)) == Some(b"m=") {
            media = media.saturating_add(1);
        }
        lines.push(LineSpan { start, end, ending });
    };
    for i in memchr::memchr_iter(b'\n', rest) {
        let lf = skip.saturating_add(i);
        if lf > start && input.get(lf.wrapping_sub(1)) == Some(&b'\r') {
            push(start, lf.saturating_sub(1), LineEnding::CrLf);
        } else {
            push(start, lf, LineEnding::Lf);
        }
        start = lf.saturating_add(1);
    }
    if start < input.len() {
        push(start, input.len(), LineEnding::None);
    }
    media
}

impl<'a> Sdp<'a> {
    /// Parses `input`. Fails only when the input is empty or does not start (after an
    /// optional byte order mark and blank lines) with `v=`; every other defect is kept for the
    /// rules to judge.
    ///
    /// # Errors
    /// [`ParseError`] as above.
    pub fn parse(input: &'a [u8]) -> Result<Self, ParseError> {
        let bom = input.starts_with(BOM);
        let skip = if bom { BOM.len() } else { 0 };
        // A first pass counts lines so that one allocation holds them all.
        let count = memchr::memchr_iter(b'\n', input).count().saturating_add(1);
        let mut lines = Vec::with_capacity(count);
        let media_count = split_lines(input, skip, &mut lines);
        let mut sdp = Self {
            input,
            bom,
            lines,
            media: Vec::new(),
        };
        let first = sdp.lines().find(|l| !l.is_blank());
        match first {
            None => return Err(ParseError::Empty),
            Some(l) if l.kind() != Some(b'v') => {
                return Err(ParseError::NotSdp(
                    "the first non-blank line does not start with \"v=\"",
                ));
            }
            Some(_) => {}
        }
        let mut media = Vec::with_capacity(media_count);
        media.extend(sdp.lines.iter().enumerate().filter_map(|(i, span)| {
            (input.get(span.start..span.start.saturating_add(2)) == Some(b"m=")).then_some(i)
        }));
        sdp.media = media;
        Ok(sdp)
    }

    /// Parses text.
    ///
    /// # Errors
    /// As [`Sdp::parse`].
    pub fn parse_str(input: &'a str) -> Result<Self, ParseError> {
        Self::parse(input.as_bytes())
    }

    /// The input as given.
    #[must_use]
    pub const fn input(&self) -> &'a [u8] {
        self.input
    }

    /// True when the input starts with a UTF-8 byte order mark.
    #[must_use]
    pub const fn has_bom(&self) -> bool {
        self.bom
    }

    /// Number of lines.
    #[must_use]
    pub fn line_count(&self) -> usize {
        self.lines.len()
    }

    /// The raw line spans.
    #[must_use]
    pub fn spans(&self) -> &[LineSpan] {
        &self.lines
    }

    /// Line `index` (0-based).
    #[must_use]
    pub fn line(&self, index: usize) -> Option<Line<'a>> {
        let span = *self.lines.get(index)?;
        let bytes = self.input.get(span.start..span.end)?;
        Some(Line { index, span, bytes })
    }

    /// Every line, in order.
    pub fn lines(&self) -> impl Iterator<Item = Line<'a>> + '_ {
        (0..self.lines.len()).filter_map(|i| self.line(i))
    }

    /// Re-emits the input from the lines: byte-identical to what was parsed.
    #[must_use]
    pub fn emit(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.input.len());
        self.emit_into(&mut out);
        out
    }

    /// Appends the re-emitted input to `out`.
    pub fn emit_into(&self, out: &mut Vec<u8>) {
        if self.bom {
            out.extend_from_slice(BOM);
        }
        for line in self.lines() {
            out.extend_from_slice(line.bytes);
            out.extend_from_slice(line.span.ending.bytes());
        }
    }

    /// The lines of the session-level section (before the first `m=`).
    pub fn session_lines(&self) -> impl Iterator<Item = Line<'a>> + '_ {
        let end = self.media.first().copied().unwrap_or(self.lines.len());
        (0..end).filter_map(|i| self.line(i))
    }

    /// The first session-level line of type `kind`.
    #[must_use]
    pub fn session_line(&self, kind: u8) -> Option<Line<'a>> {
        self.session_lines().find(|l| l.kind() == Some(kind))
    }

    /// The origin (`o=`), parsed.
    #[must_use]
    pub fn origin(&self) -> Option<Result<Origin<'a>, FieldError>> {
        self.session_line(b'o').map(|l| Origin::parse(l.value()))
    }

    /// The session name (`s=`) as bytes.
    #[must_use]
    pub fn session_name(&self) -> Option<&'a [u8]> {
        self.session_line(b's').map(|l| l.value())
    }

    /// The session-level connection (`c=`), parsed.
    #[must_use]
    pub fn connection(&self) -> Option<Result<Connection<'a>, FieldError>> {
        self.session_line(b'c')
            .map(|l| Connection::parse(l.value()))
    }

    /// The first timing (`t=`), parsed.
    #[must_use]
    pub fn timing(&self) -> Option<Result<Timing, FieldError>> {
        self.session_line(b't').map(|l| Timing::parse(l.value()))
    }

    /// Session-level attributes.
    pub fn attributes(&self) -> impl Iterator<Item = Attribute<'a>> + '_ {
        self.session_lines().filter_map(|l| l.attribute())
    }

    /// The first session-level attribute named `name`.
    #[must_use]
    pub fn attribute(&self, name: &str) -> Option<Attribute<'a>> {
        self.session_lines().find_map(|l| l.attribute_named(name))
    }

    /// Number of media sections.
    #[must_use]
    pub fn media_count(&self) -> usize {
        self.media.len()
    }

    /// Media section `index` (0-based).
    #[must_use]
    pub fn media_section(&self, index: usize) -> Option<Media<'a, '_>> {
        let first = *self.media.get(index)?;
        let end = self
            .media
            .get(index.saturating_add(1))
            .copied()
            .unwrap_or(self.lines.len());
        Some(Media {
            sdp: self,
            index,
            first,
            end,
        })
    }

    /// Every media section, in order.
    pub fn media(&self) -> impl Iterator<Item = Media<'a, '_>> + '_ {
        (0..self.media.len()).filter_map(|i| self.media_section(i))
    }
}

/// One media section: its `m=` line and the lines up to the next.
#[derive(Clone, Copy, Debug)]
pub struct Media<'a, 's> {
    sdp: &'s Sdp<'a>,
    /// 0-based index of the section.
    pub index: usize,
    first: usize,
    end: usize,
}

impl<'a> Media<'a, '_> {
    /// The `m=` line.
    #[must_use]
    pub fn m_line(&self) -> Option<Line<'a>> {
        self.sdp.line(self.first)
    }

    /// The `m=` line, parsed.
    #[must_use]
    pub fn media_line(&self) -> Option<Result<MediaLine<'a>, FieldError>> {
        self.m_line().map(|l| MediaLine::parse(l.value()))
    }

    /// Every line of the section, the `m=` line first.
    pub fn lines(&self) -> impl Iterator<Item = Line<'a>> + '_ {
        (self.first..self.end).filter_map(|i| self.sdp.line(i))
    }

    /// The first line of type `kind` in the section.
    #[must_use]
    pub fn line_of(&self, kind: u8) -> Option<Line<'a>> {
        self.lines().skip(1).find(|l| l.kind() == Some(kind))
    }

    /// The section's connection (`c=`), parsed.
    #[must_use]
    pub fn connection(&self) -> Option<Result<Connection<'a>, FieldError>> {
        self.line_of(b'c').map(|l| Connection::parse(l.value()))
    }

    /// The section's attributes.
    pub fn attributes(&self) -> impl Iterator<Item = Attribute<'a>> + '_ {
        self.lines().filter_map(|l| l.attribute())
    }

    /// The first attribute named `name`.
    #[must_use]
    pub fn attribute(&self, name: &str) -> Option<Attribute<'a>> {
        self.lines().skip(1).find_map(|l| l.attribute_named(name))
    }

    /// The value of the first attribute named `name` (`Some("")` for a flag).
    #[must_use]
    pub fn attribute_value(&self, name: &str) -> Option<&'a str> {
        self.attribute(name).map(|a| a.value.unwrap_or(""))
    }

    /// True when an attribute named `name` is present.
    #[must_use]
    pub fn has(&self, name: &str) -> bool {
        self.attribute(name).is_some()
    }

    /// The `a=mid` value.
    #[must_use]
    pub fn mid(&self) -> Option<&'a str> {
        self.attribute("mid").and_then(|a| a.value)
    }

    /// The value of `name` here, or at session level when absent here.
    #[must_use]
    pub fn attribute_or_session(&self, name: &str) -> Option<Attribute<'a>> {
        self.attribute(name).or_else(|| self.sdp.attribute(name))
    }

    /// The `m=` line's port is zero (a rejected or disabled section).
    #[must_use]
    pub fn is_rejected(&self) -> bool {
        matches!(self.media_line(), Some(Ok(m)) if m.port == Some(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emit_reproduces_crlf_lf_and_unterminated_input() {
        for input in [
            &b"v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"[..],
            b"v=0\no=x\n\nm=audio 9 RTP/AVP 0\na=x",
            b"\xEF\xBB\xBFv=0\r\r\n\n\r\n",
            b"\n\nv=0\r",
        ] {
            let sdp = Sdp::parse(input).unwrap();
            assert_eq!(sdp.emit(), input);
        }
    }

    #[test]
    fn lines_keep_spans_numbers_and_endings() {
        let sdp = Sdp::parse(b"v=0\r\ns=x\nm=audio 9 RTP/AVP 0\r\na=mid:0").unwrap();
        let l: Vec<_> = sdp.lines().collect();
        assert_eq!(l.len(), 4);
        assert_eq!(l[1].span.start, 5);
        assert_eq!(l[1].span.ending, LineEnding::Lf);
        assert_eq!(l[3].number(), 4);
        assert_eq!(l[3].span.ending, LineEnding::None);
        assert_eq!(sdp.media_count(), 1);
        assert_eq!(sdp.media_section(0).unwrap().mid(), Some("0"));
    }

    #[test]
    fn rejects_empty_and_non_sdp_input() {
        assert_eq!(Sdp::parse(b""), Err(ParseError::Empty));
        assert_eq!(Sdp::parse(b"\r\n \n"), Err(ParseError::Empty));
        assert!(matches!(
            Sdp::parse(b"; comment\nv=0\n"),
            Err(ParseError::NotSdp(_))
        ));
    }

    #[test]
    fn a_lone_cr_stays_inside_the_line() {
        let sdp = Sdp::parse(b"v=0\rs=x\n").unwrap();
        assert_eq!(sdp.line_count(), 1);
        assert_eq!(sdp.line(0).unwrap().bytes, b"v=0\rs=x");
    }
}
