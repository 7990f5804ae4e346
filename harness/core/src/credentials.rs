//! Credentials, as the CLI takes them and as codecs use them.
//!
//! STUN has short-term credentials (RFC 8489 §9.1: the key is the password, prepared) and
//! long-term credentials (§9.2: the key is a hash of `username:realm:password`). How the
//! password is prepared depends on the generation of the spec a peer follows: RFC 5389 and the
//! RFC 5769 vectors use SASLprep (RFC 4013); RFC 8489 uses the OpaqueString profile (RFC 8265).
//! The harness lets each vector and each CLI call say which.

use core::fmt;
use core::str::FromStr;

/// How a password is prepared before it is keyed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum PasswordPrep {
    /// SASLprep, RFC 4013 (what RFC 5389 and the RFC 5769 vectors use).
    #[default]
    SaslPrep,
    /// The OpaqueString profile of PRECIS, RFC 8265 §4.2 (what RFC 8489 §9.2.2 requires).
    OpaqueString,
    /// The bytes as given.
    None,
}

impl PasswordPrep {
    /// The CLI spelling.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::SaslPrep => "sasl",
            Self::OpaqueString => "opaque",
            Self::None => "none",
        }
    }
}

impl fmt::Display for PasswordPrep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for PasswordPrep {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "sasl" | "saslprep" => Ok(Self::SaslPrep),
            "opaque" | "opaquestring" => Ok(Self::OpaqueString),
            "none" => Ok(Self::None),
            other => Err(format!(
                "unknown password preparation `{other}` (expected sasl, opaque or none)"
            )),
        }
    }
}

/// One set of credentials. Without a realm they are short-term; with one, long-term.
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct Credential {
    /// USERNAME as sent (already in its final form; usernames are not prepared by the harness).
    pub username: String,
    /// REALM for long-term credentials.
    pub realm: Option<String>,
    /// The password before preparation.
    pub password: String,
    /// How to prepare the password.
    pub prep: PasswordPrep,
}

impl Credential {
    /// Short-term credentials (ICE connectivity checks).
    #[must_use]
    pub fn short_term(username: impl Into<String>, password: impl Into<String>) -> Self {
        Self {
            username: username.into(),
            realm: None,
            password: password.into(),
            prep: PasswordPrep::SaslPrep,
        }
    }

    /// Long-term credentials (TURN).
    #[must_use]
    pub fn long_term(
        username: impl Into<String>,
        realm: impl Into<String>,
        password: impl Into<String>,
    ) -> Self {
        Self {
            username: username.into(),
            realm: Some(realm.into()),
            password: password.into(),
            prep: PasswordPrep::SaslPrep,
        }
    }

    /// The same credentials with another preparation.
    #[must_use]
    pub fn with_prep(mut self, prep: PasswordPrep) -> Self {
        self.prep = prep;
        self
    }
}

impl fmt::Debug for Credential {
    /// The password is never printed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credential")
            .field("username", &self.username)
            .field("realm", &self.realm)
            .field("password", &"<redacted>")
            .field("prep", &self.prep)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_prep_parses_cli_spellings() {
        assert_eq!("sasl".parse::<PasswordPrep>(), Ok(PasswordPrep::SaslPrep));
        assert_eq!(
            "opaque".parse::<PasswordPrep>(),
            Ok(PasswordPrep::OpaqueString)
        );
        assert!("md5".parse::<PasswordPrep>().unwrap_err().contains("md5"));
    }

    #[test]
    fn debug_hides_the_password() {
        let c = Credential::long_term("u", "r", "secret");
        assert!(!format!("{c:?}").contains("secret"));
    }
}
