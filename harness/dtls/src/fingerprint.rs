//! Certificate fingerprints as SDP carries them (RFC 8122 §5): the hash of the DER
//! certificate, upper-case hex bytes separated by colons, after the hash name.
//!
//! ```
//! use harness_dtls::fingerprint::{FingerprintHash, fingerprint, matches_sdp_fingerprint};
//! let der = b"not really a certificate";
//! let line = fingerprint(der, FingerprintHash::Sha256);
//! assert!(line.starts_with("sha-256 "));
//! assert_eq!(matches_sdp_fingerprint(der, &line), Ok(true));
//! ```

use core::fmt;
use core::fmt::Write as _;

use sha2::{Digest, Sha256, Sha384, Sha512};

/// A hash function of `a=fingerprint` this crate computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FingerprintHash {
    /// sha-256.
    Sha256,
    /// sha-384.
    Sha384,
    /// sha-512.
    Sha512,
}

impl FingerprintHash {
    /// The SDP name (`sha-256`).
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Sha256 => "sha-256",
            Self::Sha384 => "sha-384",
            Self::Sha512 => "sha-512",
        }
    }

    /// Looks a hash up by its SDP name, ignoring case.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        [Self::Sha256, Self::Sha384, Self::Sha512]
            .into_iter()
            .find(|h| h.name().eq_ignore_ascii_case(name))
    }

    /// The digest of `der`.
    #[must_use]
    pub fn digest(self, der: &[u8]) -> Vec<u8> {
        match self {
            Self::Sha256 => Sha256::digest(der).to_vec(),
            Self::Sha384 => Sha384::digest(der).to_vec(),
            Self::Sha512 => Sha512::digest(der).to_vec(),
        }
    }
}

/// Why an SDP fingerprint value could not be compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FingerprintError {
    /// No space between hash name and value.
    Malformed,
    /// A hash this crate does not compute (sha-1, md5, ...).
    UnsupportedHash,
    /// The value is not colon-separated hex bytes.
    BadHex,
}

impl fmt::Display for FingerprintError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Malformed => "fingerprint is not `hash-func SP value`",
            Self::UnsupportedHash => "unsupported fingerprint hash function",
            Self::BadHex => "fingerprint value is not colon-separated hex bytes",
        })
    }
}

impl std::error::Error for FingerprintError {}

/// `sha-256 AB:CD:...` for the DER certificate `der`.
#[must_use]
pub fn fingerprint(der: &[u8], hash: FingerprintHash) -> String {
    let digest = hash.digest(der);
    let mut out = String::with_capacity(digest.len().saturating_mul(3).saturating_add(8));
    out.push_str(hash.name());
    out.push(' ');
    for (i, b) in digest.iter().enumerate() {
        if i > 0 {
            out.push(':');
        }
        let _ = write!(out, "{b:02X}");
    }
    out
}

/// Compares `der` with an SDP fingerprint value (`sha-256 AB:CD:...`; an `a=fingerprint:`
/// or `fingerprint:` prefix is accepted). Hex digits compare without regard to case.
///
/// # Errors
/// [`FingerprintError`] when the value cannot be read or names a hash not computed here.
pub fn matches_sdp_fingerprint(der: &[u8], sdp_value: &str) -> Result<bool, FingerprintError> {
    let value = sdp_value.trim();
    let value = value.strip_prefix("a=").unwrap_or(value);
    let value = value.strip_prefix("fingerprint:").unwrap_or(value);
    let (name, hex) = value
        .trim()
        .split_once(' ')
        .ok_or(FingerprintError::Malformed)?;
    let hash = FingerprintHash::from_name(name).ok_or(FingerprintError::UnsupportedHash)?;
    let mut expected = Vec::new();
    for pair in hex.trim().split(':') {
        if pair.len() != 2 {
            return Err(FingerprintError::BadHex);
        }
        expected.push(u8::from_str_radix(pair, 16).map_err(|_| FingerprintError::BadHex)?);
    }
    Ok(hash.digest(der) == expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_sdp_and_compares_ignoring_case() {
        // SHA-256("abc") from FIPS 180-2.
        let fp = fingerprint(b"abc", FingerprintHash::Sha256);
        assert!(fp.starts_with("sha-256 BA:78:16:BF:8F:01:CF:EA"));
        assert_eq!(fp.len(), "sha-256 ".len() + 32 * 3 - 1);
        assert_eq!(
            matches_sdp_fingerprint(b"abc", &format!("a=fingerprint:{}", fp.to_lowercase())),
            Ok(true)
        );
        assert_eq!(matches_sdp_fingerprint(b"abd", &fp), Ok(false));
        assert_eq!(
            matches_sdp_fingerprint(b"abc", "sha-1 AA:BB"),
            Err(FingerprintError::UnsupportedHash)
        );
        assert_eq!(
            matches_sdp_fingerprint(b"abc", "sha-256 AAB"),
            Err(FingerprintError::BadHex)
        );
        assert!(fingerprint(b"", FingerprintHash::Sha512).starts_with("sha-512 CF:83:E1:35"));
        assert_eq!(
            fingerprint(b"", FingerprintHash::Sha384).len(),
            "sha-384 ".len() + 48 * 3 - 1
        );
    }
}
