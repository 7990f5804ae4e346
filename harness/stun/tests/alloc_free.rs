//! Decoding a message, walking its attributes, decoding them typed and checking FINGERPRINT,
//! MESSAGE-INTEGRITY and MESSAGE-INTEGRITY-SHA256 allocates nothing once the [`Key`] exists.
//!
//! The counting allocator is global, so this test runs without the libtest harness
//! (`harness = false` in Cargo.toml): no other thread allocates while it counts.

use std::alloc::System;

use harness_core::credentials::PasswordPrep;
use harness_stun::integrity::{
    Check, check_fingerprint, check_message_integrity, check_message_integrity_sha256, verify,
};
use harness_stun::{Attribute, Key, Message, PasswordAlgorithm};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const REQUEST: &[u8] = include_bytes!("../../../vectors/stun/rfc/rfc5769_2.1_sample_request.bin");
const B1: &[u8] = include_bytes!(
    "../../../vectors/stun/rfc/rfc8489_B.1_errata6268_request_userhash_mi_sha256.bin"
);

fn decode_walk_verify(bytes: &[u8], key: &Key) -> (usize, Check, Check, Check) {
    let msg = Message::new_checked(bytes).unwrap();
    let txid = msg.transaction_id();
    let mut decoded = 0;
    for attr in msg.attributes() {
        let attr = attr.unwrap();
        if Attribute::decode(&attr, txid).is_ok() {
            decoded += 1;
        }
    }
    let all = verify(&msg, key);
    assert_eq!(all.fingerprint, check_fingerprint(&msg));
    (
        decoded,
        all.fingerprint,
        check_message_integrity(&msg, key),
        check_message_integrity_sha256(&msg, key),
    )
}

fn main() {
    decode_walk_and_verify_allocate_nothing();
    println!("decode_walk_and_verify_allocate_nothing ... ok");
}

fn decode_walk_and_verify_allocate_nothing() {
    let short_term = Key::short_term("VOkJxbRl1RmTxUk/WvJxBt", PasswordPrep::SaslPrep).unwrap();
    let long_term = Key::long_term(
        "\u{30DE}\u{30C8}\u{30EA}\u{30C3}\u{30AF}\u{30B9}",
        "example.org",
        "TheMatrIX",
        PasswordPrep::OpaqueString,
        PasswordAlgorithm::SHA256,
    )
    .unwrap();

    let region = Region::new(GLOBAL);
    let mut results = [(0, Check::Absent, Check::Absent, Check::Absent); 2];
    for _ in 0..100 {
        results[0] = decode_walk_verify(REQUEST, &short_term);
        results[1] = decode_walk_verify(B1, &long_term);
    }
    let stats = region.change();

    assert_eq!(results[0], (6, Check::Ok, Check::Ok, Check::Absent));
    assert_eq!(results[1], (5, Check::Absent, Check::Absent, Check::Ok));
    assert_eq!(stats.allocations, 0, "{stats:?}");
    assert_eq!(stats.reallocations, 0, "{stats:?}");
}
