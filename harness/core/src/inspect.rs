//! Protocol-neutral inspection: a field tree, and the trait every protocol's inspector
//! implements so that `webrtc-harness inspect` can detect and describe any input.

use core::fmt;
use std::borrow::Cow;

use crate::credentials::Credential;
use crate::rules::{ByteRange, Finding};

/// A value in the field tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldValue {
    /// A node that only groups children.
    None,
    /// An unsigned integer (printed in decimal).
    Uint(u64),
    /// An unsigned integer that reads better in hex (types, cookies, CRCs).
    Hex(u64),
    /// True or false.
    Bool(bool),
    /// Text.
    Text(Cow<'static, str>),
    /// Raw bytes (printed in hex).
    Bytes(Vec<u8>),
}

impl fmt::Display for FieldValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::None => Ok(()),
            Self::Uint(v) => write!(f, "{v}"),
            Self::Hex(v) => write!(f, "0x{v:04x}"),
            Self::Bool(v) => write!(f, "{v}"),
            Self::Text(t) => f.write_str(t),
            Self::Bytes(b) => {
                for byte in b {
                    write!(f, "{byte:02x}")?;
                }
                Ok(())
            }
        }
    }
}

/// One node of the field tree (Wireshark's packet details pane, in data).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    /// Short name, lower case with underscores (`message_type`, `xor_mapped_address`).
    pub name: Cow<'static, str>,
    /// The value.
    pub value: FieldValue,
    /// Where it is in the input, when known.
    pub span: Option<ByteRange>,
    /// Nested fields.
    pub children: Vec<Self>,
}

impl Field {
    /// A leaf.
    #[must_use]
    pub fn new(name: impl Into<Cow<'static, str>>, value: FieldValue) -> Self {
        Self {
            name: name.into(),
            value,
            span: None,
            children: Vec::new(),
        }
    }

    /// A grouping node.
    #[must_use]
    pub fn group(name: impl Into<Cow<'static, str>>, children: Vec<Self>) -> Self {
        Self {
            name: name.into(),
            value: FieldValue::None,
            span: None,
            children,
        }
    }

    /// A text leaf.
    #[must_use]
    pub fn text(name: impl Into<Cow<'static, str>>, text: impl Into<Cow<'static, str>>) -> Self {
        Self::new(name, FieldValue::Text(text.into()))
    }

    /// An unsigned leaf.
    #[must_use]
    pub fn uint(name: impl Into<Cow<'static, str>>, v: u64) -> Self {
        Self::new(name, FieldValue::Uint(v))
    }

    /// The same field with its byte span.
    #[must_use]
    pub fn at(mut self, offset: usize, len: usize) -> Self {
        self.span = Some(ByteRange { offset, len });
        self
    }

    /// The same field with children.
    #[must_use]
    pub fn with_children(mut self, children: Vec<Self>) -> Self {
        self.children = children;
        self
    }
}

/// Context an inspector may use: credentials for integrity checks, the SDP of the session.
#[derive(Clone, Debug, Default)]
pub struct InspectContext {
    /// Credentials to try for MESSAGE-INTEGRITY / MESSAGE-INTEGRITY-SHA256.
    pub credentials: Vec<Credential>,
    /// The offer of the session, when given (`--offer`).
    pub offer: Option<String>,
    /// The answer of the session, when given (`--answer`).
    pub answer: Option<String>,
}

/// What an inspector found in one input.
#[derive(Clone, Debug)]
pub struct Inspection {
    /// The protocol that claimed the input (`stun`, `sdp`, `dtls`, `unknown`).
    pub protocol: &'static str,
    /// Whether the input parsed (possibly with violations).
    pub parsed: bool,
    /// Why it did not parse, when it did not.
    pub error: Option<String>,
    /// The fields it carries.
    pub fields: Vec<Field>,
    /// Every rule violation found.
    pub findings: Vec<Finding>,
    /// Named verdicts of checks that are not rules, for vector manifests to assert on:
    /// `("integrity", "ok")`, `("fingerprint", "fail")`, `("integrity", "absent")`.
    pub verdicts: Vec<(&'static str, Cow<'static, str>)>,
}

impl Inspection {
    /// An inspection of `protocol` with nothing in it yet.
    #[must_use]
    pub fn new(protocol: &'static str) -> Self {
        Self {
            protocol,
            parsed: false,
            error: None,
            fields: Vec::new(),
            findings: Vec::new(),
            verdicts: Vec::new(),
        }
    }

    /// The verdict named `name`, if any.
    #[must_use]
    pub fn verdict(&self, name: &str) -> Option<&str> {
        self.verdicts
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_ref())
    }
}

/// How sure an inspector is that an input is its protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Confidence {
    /// Not this protocol.
    No,
    /// Could be (a first byte in range, a plausible header).
    Maybe,
    /// Certainly (a magic cookie, a `v=0` line).
    Certain,
}

/// A protocol inspector. Implementations never panic on any input.
pub trait Inspector: Sync {
    /// Protocol name, lower case.
    fn protocol(&self) -> &'static str;
    /// How likely `input` is this protocol.
    fn detect(&self, input: &[u8]) -> Confidence;
    /// Parses `input`, describes it, and judges it against the protocol's rules.
    fn inspect(&self, input: &[u8], context: &InspectContext) -> Inspection;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_values_print_as_their_kind() {
        assert_eq!(FieldValue::Hex(0x2112a442).to_string(), "0x2112a442");
        assert_eq!(FieldValue::Hex(1).to_string(), "0x0001");
        assert_eq!(FieldValue::Bytes(vec![0xde, 0xad]).to_string(), "dead");
        let f = Field::uint("length", 8).at(2, 2);
        assert_eq!(f.span, Some(ByteRange { offset: 2, len: 2 }));
    }
}
