//! The STUN rules: a catalogue of requirements (see [`RULES`]) and a validator that judges a
//! [`Message`] against them, apart from parsing.
//!
//! ```
//! use harness_stun::{Message, rules::{validate, ValidationContext}};
//! let bytes = [0u8, 1, 0, 0, 0x21, 0x12, 0xa4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
//! let msg = Message::new_checked(&bytes).unwrap();
//! assert!(validate(&msg, &ValidationContext::default()).is_empty());
//! ```

mod cases;
mod catalogue;
mod checks;

use harness_core::credentials::Credential;
use harness_core::rules::{Catalogue, Finding};

pub use catalogue::*;

use crate::enums::{AttrType, PasswordAlgorithm};
use crate::keys::Key;
use crate::message::{Generation, Message};

/// What the validator may know beyond the message.
#[derive(Clone, Debug, Default)]
pub struct ValidationContext<'c> {
    /// Keys to check MESSAGE-INTEGRITY / MESSAGE-INTEGRITY-SHA256 with; the integrity rules
    /// only run when there is at least one. A match with any key passes.
    pub keys: &'c [Key],
    /// Length of the datagram the message came in, when the bytes viewed are not the whole
    /// datagram (`None`: the viewed bytes are the datagram).
    pub datagram_len: Option<usize>,
}

impl<'c> ValidationContext<'c> {
    /// A context with keys.
    #[must_use]
    pub fn with_keys(keys: &'c [Key]) -> Self {
        Self {
            keys,
            datagram_len: None,
        }
    }
}

/// Derives the keys to try for `msg` from `credentials`: short-term keys from the password;
/// long-term keys with the algorithm the message's PASSWORD-ALGORITHM names (MD5 without one).
/// Credentials whose preparation fails are skipped.
#[must_use]
pub fn keys_for(msg: &Message<'_>, credentials: &[Credential]) -> Vec<Key> {
    let algorithm = msg
        .find(AttrType::PASSWORD_ALGORITHM)
        .and_then(|a| {
            let b = a.value;
            Some(PasswordAlgorithm(u16::from_be_bytes([
                *b.first()?,
                *b.get(1)?,
            ])))
        })
        .unwrap_or(PasswordAlgorithm::MD5);
    credentials
        .iter()
        .filter_map(|c| Key::from_credential(c, algorithm).ok())
        .collect()
}

/// Judges `msg`; returns every finding, in message order.
#[must_use]
pub fn validate(msg: &Message<'_>, ctx: &ValidationContext<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    validate_into(msg, ctx, &mut out);
    out
}

/// Judges `msg`, trying each of `credentials` for the integrity rules (see [`keys_for`]).
#[must_use]
pub fn validate_with_credentials(msg: &Message<'_>, credentials: &[Credential]) -> Vec<Finding> {
    let keys = keys_for(msg, credentials);
    validate(msg, &ValidationContext::with_keys(&keys))
}

/// Judges `msg`, appending findings to `out`.
pub fn validate_into(msg: &Message<'_>, ctx: &ValidationContext<'_>, out: &mut Vec<Finding>) {
    checks::header(msg, ctx, out);
    let attrs = checks::attribute_framing(msg, out);
    if msg.generation() == Generation::Classic {
        // RFC 3489 messages: framing only; their attribute set and semantics differ.
        return;
    }
    checks::class_and_method(msg, out);
    checks::attribute_values(msg, &attrs, out);
    checks::ordering(&attrs, out);
    checks::presence(msg, &attrs, out);
    checks::integrity(msg, ctx, out);
}

/// The STUN catalogue: the rules and their coverage cases.
#[must_use]
pub fn catalogue() -> Catalogue {
    Catalogue {
        protocol: "stun",
        rules: RULES,
        cases: cases::run,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_is_triggered_and_passed_by_a_case() {
        let (table, unknown) = catalogue().coverage();
        assert!(unknown.is_empty(), "cases name unknown rules: {unknown:?}");
        let incomplete: Vec<String> = table
            .iter()
            .filter(|r| !r.complete())
            .map(|r| {
                format!(
                    "{} triggered_by={:?} passed_by={:?} broken={:?}",
                    r.rule.id, r.triggered_by, r.passed_by, r.broken
                )
            })
            .collect();
        assert!(incomplete.is_empty(), "{}", incomplete.join("\n"));
    }

    #[test]
    fn catalogue_has_at_least_forty_rules_with_unique_ids() {
        assert!(RULES.len() >= 40, "{}", RULES.len());
        let mut ids: Vec<_> = RULES.iter().map(|r| r.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), RULES.len());
        assert!(RULES.iter().all(|r| r.id.starts_with("stun.")));
    }
}
