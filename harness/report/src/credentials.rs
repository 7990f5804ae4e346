//! `--credentials FILE`: a YAML list of credentials to try for integrity checks.
//!
//! ```yaml
//! - username: "evtj:h6vY"
//!   password: "VOkJxbRl1RmTxUk/WvJxBt"
//! - username: alice
//!   realm: example.org
//!   password: secret
//!   prep: opaque          # sasl (default) | opaque | none
//! ```

use std::path::Path;

use harness_core::credentials::{Credential, PasswordPrep};
use serde::{Deserialize, Serialize};

use crate::input_error::InputError;

/// One entry of a credentials file (also used inside vector manifests).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CredentialEntry {
    /// USERNAME.
    pub username: String,
    /// REALM, for long-term credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub realm: Option<String>,
    /// The password, before preparation.
    pub password: String,
    /// `sasl` (default), `opaque` or `none`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prep: Option<String>,
}

impl CredentialEntry {
    /// Converts to the codec's form; `default_prep` applies when the entry names none.
    ///
    /// # Errors
    /// An unknown `prep` spelling.
    pub fn to_credential(&self, default_prep: PasswordPrep) -> Result<Credential, String> {
        let prep = match &self.prep {
            Some(p) => p.parse()?,
            None => default_prep,
        };
        Ok(Credential {
            username: self.username.clone(),
            realm: self.realm.clone(),
            password: self.password.clone(),
            prep,
        })
    }
}

/// Reads a credentials file.
///
/// # Errors
/// One [`InputError`] naming the file, line and field.
pub fn load(path: &Path, default_prep: PasswordPrep) -> Result<Vec<Credential>, InputError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| InputError::new(path, format!("cannot read credentials: {e}")))?;
    let entries: Vec<CredentialEntry> =
        serde_yaml::from_str(&text).map_err(|e| InputError::from_yaml(path, &e))?;
    entries
        .iter()
        .enumerate()
        .map(|(i, e)| {
            e.to_credential(default_prep)
                .map_err(|m| InputError::new(path, m).with_field(format!("[{i}].prep")))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_convert_with_default_and_explicit_prep() {
        let entries: Vec<CredentialEntry> = serde_yaml::from_str(
            "- {username: a, password: p}\n- {username: b, realm: r, password: q, prep: opaque}\n",
        )
        .unwrap();
        let a = entries[0].to_credential(PasswordPrep::None).unwrap();
        assert_eq!(a.prep, PasswordPrep::None);
        assert!(a.realm.is_none());
        let b = entries[1].to_credential(PasswordPrep::None).unwrap();
        assert_eq!(b.prep, PasswordPrep::OpaqueString);
        assert_eq!(b.realm.as_deref(), Some("r"));
    }

    #[test]
    fn bad_prep_is_reported_with_its_index() {
        let dir = std::env::temp_dir().join(format!("wh-cred-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("c.yaml");
        std::fs::write(&p, "- {username: a, password: p, prep: md5}\n").unwrap();
        let e = load(&p, PasswordPrep::SaslPrep).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("[0].prep"));
        assert!(e.message.contains("md5"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
