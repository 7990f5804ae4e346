//! Keys for MESSAGE-INTEGRITY and MESSAGE-INTEGRITY-SHA256: password preparation, short-term
//! and long-term key derivation (RFC 8489 §9.1.1, §9.2.2, §18.5.1), USERHASH (§14.4), and the
//! [`Key`] type that caches the keyed HMAC states.

use core::fmt;
use std::borrow::Cow;

use harness_core::credentials::{Credential, PasswordPrep};
use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use md5::Md5;
use precis_profiles::OpaqueString;
use precis_profiles::precis_core::profile::PrecisFastInvocation;
use sha1::Sha1;
use sha2::{Digest, Sha256};

use crate::enums::PasswordAlgorithm;

/// A string could not be prepared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PrepError {
    /// SASLprep (RFC 4013) refused the string (prohibited or unassigned code points, bidi).
    SaslPrep,
    /// The OpaqueString profile (RFC 8265 §4.2) refused the string.
    OpaqueString,
    /// PASSWORD-ALGORITHM names an algorithm without a key derivation here.
    UnsupportedAlgorithm(PasswordAlgorithm),
}

impl fmt::Display for PrepError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::SaslPrep => f.write_str("SASLprep (RFC 4013) rejected the string"),
            Self::OpaqueString => f.write_str("OpaqueString (RFC 8265) rejected the string"),
            Self::UnsupportedAlgorithm(a) => write!(f, "no key derivation for {a}"),
        }
    }
}

impl std::error::Error for PrepError {}

/// Prepares `s` as `prep` says: SASLprep, OpaqueString (enforcement), or unchanged.
///
/// # Errors
/// The profile refuses the string.
pub fn prepare(s: &str, prep: PasswordPrep) -> Result<Cow<'_, str>, PrepError> {
    match prep {
        PasswordPrep::SaslPrep => stringprep::saslprep(s).map_err(|_| PrepError::SaslPrep),
        PasswordPrep::OpaqueString => OpaqueString::enforce(s).map_err(|_| PrepError::OpaqueString),
        PasswordPrep::None => Ok(Cow::Borrowed(s)),
    }
}

/// The realm as it enters the key: OpaqueString under RFC 8489, unchanged otherwise (RFC 5389
/// §15.4 keys on the realm as sent).
fn prepare_realm(realm: &str, prep: PasswordPrep) -> Result<Cow<'_, str>, PrepError> {
    match prep {
        PasswordPrep::OpaqueString => prepare(realm, prep),
        PasswordPrep::SaslPrep | PasswordPrep::None => Ok(Cow::Borrowed(realm)),
    }
}

/// The long-term key bytes (RFC 8489 §9.2.2 and §18.5.1): the hash named by `algorithm` of
/// `username ":" realm ":" password`, realm and password prepared as `prep` says.
///
/// # Errors
/// Preparation fails or the algorithm is unknown.
pub fn long_term_key_bytes(
    username: &str,
    realm: &str,
    password: &str,
    prep: PasswordPrep,
    algorithm: PasswordAlgorithm,
) -> Result<Vec<u8>, PrepError> {
    let realm = prepare_realm(realm, prep)?;
    let password = prepare(password, prep)?;
    let parts: [&[u8]; 5] = [
        username.as_bytes(),
        b":",
        realm.as_bytes(),
        b":",
        password.as_bytes(),
    ];
    match algorithm {
        PasswordAlgorithm::MD5 => {
            let mut h = Md5::new();
            for p in parts {
                h.update(p);
            }
            Ok(h.finalize().to_vec())
        }
        PasswordAlgorithm::SHA256 => {
            let mut h = Sha256::new();
            for p in parts {
                h.update(p);
            }
            Ok(h.finalize().to_vec())
        }
        other => Err(PrepError::UnsupportedAlgorithm(other)),
    }
}

/// USERHASH (RFC 8489 §14.4): SHA-256(OpaqueString(username) ":" OpaqueString(realm)); with
/// another `prep`, username and realm go in as given.
///
/// # Errors
/// OpaqueString refuses the username or the realm.
pub fn userhash(username: &str, realm: &str, prep: PasswordPrep) -> Result<[u8; 32], PrepError> {
    let (u, r) = match prep {
        PasswordPrep::OpaqueString => (prepare(username, prep)?, prepare(realm, prep)?),
        PasswordPrep::SaslPrep | PasswordPrep::None => {
            (Cow::Borrowed(username), Cow::Borrowed(realm))
        }
    };
    let mut h = Sha256::new();
    h.update(u.as_bytes());
    h.update(b":");
    h.update(r.as_bytes());
    Ok(h.finalize().into())
}

/// A MESSAGE-INTEGRITY key with its HMAC-SHA1 and HMAC-SHA256 states keyed once (the inner and
/// outer pads precomputed); each verification clones a state, so it allocates nothing.
#[derive(Clone)]
pub struct Key {
    sha1: Hmac<Sha1>,
    sha256: Hmac<Sha256>,
}

impl fmt::Debug for Key {
    /// The key is never printed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Key(<redacted>)")
    }
}

impl Key {
    /// A key of the given bytes.
    #[must_use]
    pub fn from_bytes(key: &[u8]) -> Self {
        // HMAC takes keys of any length: `new_from_slice` cannot fail for it.
        let sha1 = <Hmac<Sha1> as KeyInit>::new_from_slice(key)
            .unwrap_or_else(|_| <Hmac<Sha1> as KeyInit>::new(&Default::default()));
        let sha256 = <Hmac<Sha256> as KeyInit>::new_from_slice(key)
            .unwrap_or_else(|_| <Hmac<Sha256> as KeyInit>::new(&Default::default()));
        Self { sha1, sha256 }
    }

    /// Short-term key (RFC 8489 §9.1.1): the prepared password.
    ///
    /// # Errors
    /// Preparation fails.
    pub fn short_term(password: &str, prep: PasswordPrep) -> Result<Self, PrepError> {
        Ok(Self::from_bytes(prepare(password, prep)?.as_bytes()))
    }

    /// Long-term key (RFC 8489 §9.2.2, §18.5.1).
    ///
    /// # Errors
    /// Preparation fails or the algorithm is unknown.
    pub fn long_term(
        username: &str,
        realm: &str,
        password: &str,
        prep: PasswordPrep,
        algorithm: PasswordAlgorithm,
    ) -> Result<Self, PrepError> {
        Ok(Self::from_bytes(&long_term_key_bytes(
            username, realm, password, prep, algorithm,
        )?))
    }

    /// The key of a credential: short-term without a realm, long-term (with `algorithm`) with one.
    ///
    /// # Errors
    /// Preparation fails or the algorithm is unknown.
    pub fn from_credential(
        credential: &Credential,
        algorithm: PasswordAlgorithm,
    ) -> Result<Self, PrepError> {
        match &credential.realm {
            None => Self::short_term(&credential.password, credential.prep),
            Some(realm) => Self::long_term(
                &credential.username,
                realm,
                &credential.password,
                credential.prep,
                algorithm,
            ),
        }
    }

    /// A fresh HMAC-SHA1 state (a clone of the keyed one).
    #[must_use]
    pub fn hmac_sha1(&self) -> Hmac<Sha1> {
        self.sha1.clone()
    }

    /// A fresh HMAC-SHA256 state (a clone of the keyed one).
    #[must_use]
    pub fn hmac_sha256(&self) -> Hmac<Sha256> {
        self.sha256.clone()
    }
}

/// Feeds `mac` the message bytes `[0, end)` with the length field replaced by `length`.
pub(crate) fn feed_adjusted<M: Mac>(mac: &mut M, message: &[u8], end: usize, length: u16) {
    mac.update(message.get(..2).unwrap_or(&[]));
    mac.update(&length.to_be_bytes());
    mac.update(message.get(4..end).unwrap_or(&[]));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    #[test]
    fn rfc5769_long_term_key_uses_saslprep() {
        let username = "\u{30DE}\u{30C8}\u{30EA}\u{30C3}\u{30AF}\u{30B9}";
        let password = "The\u{00AD}M\u{00AA}tr\u{2168}";
        assert_eq!(
            prepare(password, PasswordPrep::SaslPrep).unwrap(),
            "TheMatrIX"
        );
        let k = long_term_key_bytes(
            username,
            "example.org",
            password,
            PasswordPrep::SaslPrep,
            PasswordAlgorithm::MD5,
        )
        .unwrap();
        assert_eq!(hex(&k), "e8ca7ad59d5eb0518e312911d2dab2a9");
    }

    #[test]
    fn rfc8489_example_key_is_the_md5_of_user_realm_pass() {
        let k = long_term_key_bytes(
            "user",
            "realm",
            "pass",
            PasswordPrep::OpaqueString,
            PasswordAlgorithm::MD5,
        )
        .unwrap();
        assert_eq!(hex(&k), "8493fbc53ba582fb4c044c456bdc40eb");
    }

    #[test]
    fn opaque_string_refuses_the_rfc8489_b1_password_that_saslprep_maps() {
        // RFC 8489 B.1 says OpaqueString turns this password into "TheMatrIX"; it does not:
        // U+00AD is disallowed by the PRECIS FreeformClass. SASLprep maps it away (RFC 4013).
        let p = "The\u{00AD}M\u{00AA}tr\u{2168}";
        assert_eq!(
            prepare(p, PasswordPrep::OpaqueString),
            Err(PrepError::OpaqueString)
        );
        assert_eq!(
            prepare(p, PasswordPrep::SaslPrep).as_deref(),
            Ok("TheMatrIX")
        );
        assert_eq!(prepare(p, PasswordPrep::None).as_deref(), Ok(p));
    }

    #[test]
    fn unknown_password_algorithm_is_an_error() {
        assert_eq!(
            Key::long_term("u", "r", "p", PasswordPrep::None, PasswordAlgorithm(9)).unwrap_err(),
            PrepError::UnsupportedAlgorithm(PasswordAlgorithm(9))
        );
    }

    #[test]
    fn userhash_of_rfc8489_b1() {
        let h = userhash(
            "\u{30DE}\u{30C8}\u{30EA}\u{30C3}\u{30AF}\u{30B9}",
            "example.org",
            PasswordPrep::OpaqueString,
        )
        .unwrap();
        assert_eq!(
            hex(&h),
            "4a3cf38fef6992bda952c6780417da0f24819415569e60b205c46e41407f1704"
        );
    }
}
