//! Bodies of the fuzz targets `stun_parse` and `stun_integrity` (the files in `fuzz/` are thin
//! shims). They are ordinary functions so that `cargo test` builds and runs them on the seeds
//! and on every committed crash input (`fuzz/regressions/`).
//!
//! A panic here is a bug: either a panic inside the codec or a broken invariant, asserted below.

use harness_core::inspect::InspectContext;

use crate::attr::Attribute;
use crate::builder::MessageBuilder;
use crate::enums::AttrType;
use crate::integrity::{
    Check, check_fingerprint, check_integrity, check_message_integrity,
    check_message_integrity_sha256,
};
use crate::keys::Key;
use crate::message::Message;
use crate::repr::MessageRepr;
use crate::rules::{ValidationContext, validate};

/// `stun_parse`: view, walk, decode every attribute, validate and inspect; a well-formed message
/// must go through [`MessageRepr`] and come back byte for byte.
pub fn fuzz_parse(data: &[u8]) {
    let _ = crate::inspector().detect(data);
    let _ = crate::inspector().inspect(data, &InspectContext::default());
    let Ok(msg) = Message::new_checked(data) else {
        return;
    };
    let txid = msg.transaction_id();
    for attr in msg.attributes().flatten() {
        if let Ok(typed) = Attribute::decode(&attr, txid) {
            let _ = crate::describe(&typed);
        }
    }
    let _ = check_fingerprint(&msg);
    let _ = validate(&msg, &ValidationContext::default());
    if msg.is_well_formed() {
        let repr = MessageRepr::parse(&msg);
        assert!(repr.is_ok(), "well-formed message refused: {repr:?}");
        if let Ok(repr) = repr {
            let emitted = repr.to_bytes();
            assert_eq!(emitted.as_deref().ok(), Some(data), "re-emit differs");
            if let Ok(again) = Message::new_checked(data).map(|m| MessageRepr::parse(&m)) {
                assert_eq!(again.ok(), Some(repr), "repr changed on a second parse");
            }
        }
    }
}

/// Splits fuzz input into a key (length in the first byte) and a message.
fn split_key(data: &[u8]) -> (&[u8], &[u8]) {
    let Some((&n, rest)) = data.split_first() else {
        return (&[], &[]);
    };
    rest.split_at_checked(usize::from(n)).unwrap_or((rest, &[]))
}

/// `stun_integrity`: the first byte is a key length, then the key, then a message. Verifying
/// never panics; re-signing the message (its integrity attributes removed) with the key then
/// verifies.
pub fn fuzz_integrity(data: &[u8]) {
    let (key_bytes, message) = split_key(data);
    let key = Key::from_bytes(key_bytes);
    let Ok(msg) = Message::new_checked(message) else {
        return;
    };
    let _ = check_integrity(&msg, &key);
    let _ = check_message_integrity(&msg, &key);
    let _ = check_message_integrity_sha256(&msg, &key);
    let _ = check_fingerprint(&msg);
    let _ = validate(
        &msg,
        &ValidationContext::with_keys(core::slice::from_ref(&key)),
    );

    let Ok(mut repr) = MessageRepr::parse(&msg) else {
        return;
    };
    repr.attributes.retain(|a| {
        !matches!(
            a.ty,
            AttrType::MESSAGE_INTEGRITY
                | AttrType::MESSAGE_INTEGRITY_SHA256
                | AttrType::FINGERPRINT
        )
    });
    let Ok(signed) = MessageBuilder::from_repr(&repr)
        .message_integrity(&key)
        .message_integrity_sha256(&key)
        .fingerprint()
        .build()
    else {
        return;
    };
    let signed_msg = Message::new_checked(&signed);
    assert!(signed_msg.is_ok(), "signed message has no header");
    if let Ok(m) = signed_msg {
        assert_eq!(
            check_message_integrity(&m, &key),
            Check::Ok,
            "MESSAGE-INTEGRITY"
        );
        assert_eq!(
            check_message_integrity_sha256(&m, &key),
            Check::Ok,
            "MESSAGE-INTEGRITY-SHA256"
        );
        assert_eq!(check_fingerprint(&m), Check::Ok, "FINGERPRINT");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_vectors::*;

    #[test]
    fn parse_body_accepts_the_rfc_vectors_and_garbage() {
        for v in [
            RFC5769_REQUEST,
            RFC5769_LONG_TERM,
            RFC8489_B1_PUBLISHED,
            &[0u8; 3][..],
            &[0xff; 64],
        ] {
            fuzz_parse(v);
        }
    }

    #[test]
    fn integrity_body_signs_and_verifies() {
        let mut input = vec![22u8];
        input.extend_from_slice(RFC5769_PASSWORD.as_bytes());
        input.extend_from_slice(RFC5769_REQUEST);
        fuzz_integrity(&input);
        fuzz_integrity(&[200, 1, 2]);
        fuzz_integrity(&[]);
    }
}
