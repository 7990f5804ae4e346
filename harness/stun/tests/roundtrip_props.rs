//! Property tests (fixed seed): representation -> emit -> view -> representation is the
//! identity; view, validator and inspector never panic on arbitrary bytes; typed attributes
//! survive encode -> decode. Failures are persisted beside this file
//! (`roundtrip_props.proptest-regressions`, committed) and replayed first on every run.

use std::net::SocketAddr;

use harness_stun::{
    AttrRepr, AttrType, Attribute, Class, Message, MessageRepr, Method, TransactionId, padded_len,
};
use proptest::prelude::*;
use proptest::test_runner::{FileFailurePersistence, RngSeed};

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 512,
        rng_seed: RngSeed::Fixed(0x5354_554E),
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions",
        ))),
        ..ProptestConfig::default()
    }
}

fn class() -> impl Strategy<Value = Class> {
    (0u16..4).prop_map(Class::from_bits)
}

fn attr() -> impl Strategy<Value = AttrRepr> {
    (
        any::<u16>(),
        prop::collection::vec(any::<u8>(), 0..48),
        any::<[u8; 3]>(),
    )
        .prop_map(|(ty, value, mut padding)| {
            // Only the padding bytes the value calls for are on the wire.
            let pad = padded_len(value.len()) - value.len();
            for b in padding.iter_mut().skip(pad) {
                *b = 0;
            }
            AttrRepr {
                ty: AttrType(ty),
                value,
                padding,
            }
        })
}

fn repr() -> impl Strategy<Value = MessageRepr> {
    (
        class(),
        0u16..0x1000,
        prop_oneof![Just(harness_stun::MAGIC_COOKIE), any::<u32>()],
        any::<[u8; 12]>(),
        prop::collection::vec(attr(), 0..8),
    )
        .prop_map(|(class, method, cookie, txid, attributes)| MessageRepr {
            class,
            method: Method(method),
            cookie,
            transaction_id: TransactionId(txid),
            attributes,
        })
}

fn socket_addr() -> impl Strategy<Value = SocketAddr> {
    prop_oneof![
        (any::<[u8; 4]>(), any::<u16>()).prop_map(|(ip, port)| SocketAddr::from((ip, port))),
        (any::<[u8; 16]>(), any::<u16>()).prop_map(|(ip, port)| SocketAddr::from((ip, port))),
    ]
}

/// Bytes that start like a STUN message, so the walk gets exercised, then anything.
fn stunish_bytes() -> impl Strategy<Value = Vec<u8>> {
    (
        any::<u16>(),
        any::<u16>(),
        prop::collection::vec(any::<u8>(), 0..200),
    )
        .prop_map(|(ty, len, rest)| {
            let mut b = Vec::with_capacity(rest.len() + 8);
            b.extend_from_slice(&(ty & 0x3fff).to_be_bytes());
            b.extend_from_slice(&(len % 256).to_be_bytes());
            b.extend_from_slice(&harness_stun::MAGIC_COOKIE.to_be_bytes());
            b.extend_from_slice(&rest);
            b
        })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn repr_emit_view_repr_is_the_identity(r in repr()) {
        let bytes = r.to_bytes().unwrap();
        prop_assert_eq!(bytes.len(), r.buffer_len());
        let msg = Message::new_checked(&bytes).unwrap();
        prop_assert!(msg.is_well_formed() || r.cookie != harness_stun::MAGIC_COOKIE);
        let back = MessageRepr::parse(&msg).unwrap();
        prop_assert_eq!(back, r);
    }

    #[test]
    fn view_validate_and_inspect_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        harness_stun::fuzzing::fuzz_parse(&bytes);
    }

    #[test]
    fn view_validate_and_inspect_never_panic_on_stun_like_input(bytes in stunish_bytes()) {
        harness_stun::fuzzing::fuzz_parse(&bytes);
        harness_stun::fuzzing::fuzz_integrity(&bytes);
    }

    #[test]
    fn xor_addresses_survive_encode_decode(addr in socket_addr(), txid in any::<[u8; 12]>()) {
        let txid = TransactionId(txid);
        for a in [
            Attribute::XorMappedAddress(addr),
            Attribute::XorPeerAddress(addr),
            Attribute::XorRelayedAddress(addr),
            Attribute::MappedAddress(addr),
        ] {
            let repr = AttrRepr::typed(&a, txid);
            prop_assert_eq!(repr.decode(txid), Ok(a));
        }
    }
}
