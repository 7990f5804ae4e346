//! STUN: the reference codec against rtc-stun 0.21.1 (and str0m's `is` 0.12 parser as a
//! second anchor), same inputs, same run.
//!
//! Before the timed groups, the bench prints allocations per operation for each
//! implementation, counted with a counting global allocator.

#![allow(
    missing_docs,
    reason = "criterion_group! and criterion_main! generate undocumented items"
)]

use std::alloc::System;
use std::hint::black_box;
use std::net::SocketAddr;

use criterion::{Criterion, criterion_group, criterion_main};
use harness_core::credentials::PasswordPrep;
use harness_stun::integrity::{self, Check};
use harness_stun::{Attribute, Class, Key, Message, MessageBuilder, Method, TransactionId};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// RFC 5769 §2.1 sample request.
const REQUEST: &[u8] = include_bytes!("../../../vectors/stun/rfc/rfc5769_2.1_sample_request.bin");
const PASSWORD: &str = "VOkJxbRl1RmTxUk/WvJxBt";

fn allocs_per_op(mut f: impl FnMut()) -> f64 {
    const N: usize = 1000;
    f();
    let region = Region::new(GLOBAL);
    for _ in 0..N {
        f();
    }
    region.change().allocations as f64 / N as f64
}

fn reference_walk(b: &[u8]) -> usize {
    let msg = Message::new_checked(b).expect("vector parses");
    msg.attributes()
        .filter_map(Result::ok)
        .map(|a| a.value.len())
        .sum()
}

fn reference_verify(b: &[u8], key: &Key) -> bool {
    let msg = Message::new_checked(b).expect("vector parses");
    // One walk: FINGERPRINT and MESSAGE-INTEGRITY located and checked together.
    let v = integrity::verify(&msg, key);
    v.fingerprint == Check::Ok && v.message_integrity == Check::Ok
}

fn rtc_walk(m: &mut stun::message::Message, b: &[u8]) -> usize {
    m.unmarshal_binary(b).expect("vector parses");
    m.attributes.0.iter().map(|a| a.value.len()).sum()
}

fn rtc_verify(
    m: &mut stun::message::Message,
    b: &[u8],
    crypto: &dyn stun::crypto::RTCCrypto,
) -> bool {
    m.unmarshal_binary(b).expect("vector parses");
    stun::fingerprint::FINGERPRINT.check(m).is_ok()
        && stun::integrity::MessageIntegrity::check(m, PASSWORD.as_bytes(), crypto).is_ok()
}

fn str0m_walk(b: &[u8]) -> bool {
    is::stun::StunMessage::parse(b).is_ok()
}

fn str0m_verify(b: &[u8]) -> bool {
    use hmac::Mac as _;
    let msg = is::stun::StunMessage::parse(b).expect("vector parses");
    msg.verify(PASSWORD.as_bytes(), |key, parts| {
        let mut mac = hmac::Hmac::<sha1::Sha1>::new_from_slice(key).expect("any key length");
        for p in parts {
            mac.update(p);
        }
        mac.finalize().into_bytes().into()
    })
}

fn reference_encode(key: &Key) -> Vec<u8> {
    let addr: SocketAddr = "192.0.2.1:32853".parse().expect("literal");
    MessageBuilder::new(Class::Success, Method::BINDING, TransactionId([7; 12]))
        .attr(Attribute::XorMappedAddress(addr))
        .message_integrity(key)
        .fingerprint()
        .build()
        .expect("builds")
}

fn rtc_encode(crypto: &dyn stun::crypto::RTCCrypto) -> Vec<u8> {
    use stun::message::{BINDING_SUCCESS, Message as M, Setter, TransactionId as T};
    let mut m = M::new();
    let setters: Vec<Box<dyn Setter + '_>> = vec![
        Box::new(BINDING_SUCCESS),
        Box::new(T([7; 12])),
        Box::new(stun::xoraddr::XorMappedAddress {
            ip: "192.0.2.1".parse().expect("literal"),
            port: 32853,
        }),
        Box::new(
            stun::integrity::MessageIntegrity::new_short_term_integrity_with_provider(
                PASSWORD.to_string(),
                crypto,
            ),
        ),
        Box::new(stun::fingerprint::FINGERPRINT),
    ];
    m.build(&setters).expect("builds");
    m.raw
}

fn print_allocations(key: &Key, crypto: &dyn stun::crypto::RTCCrypto) {
    let mut m = stun::message::Message::new();
    let mut m2 = stun::message::Message::new();
    println!(
        "allocations per operation (RFC 5769 §2.1 request, {} bytes):",
        REQUEST.len()
    );
    println!(
        "  decode+walk    reference {:5.1}",
        allocs_per_op(|| {
            black_box(reference_walk(REQUEST));
        })
    );
    println!(
        "  decode+walk    rtc-stun  {:5.1}",
        allocs_per_op(|| {
            black_box(rtc_walk(&mut m, REQUEST));
        })
    );
    println!(
        "  decode+walk    str0m     {:5.1}",
        allocs_per_op(|| {
            black_box(str0m_walk(REQUEST));
        })
    );
    println!(
        "  decode+FP+MI   reference {:5.1}",
        allocs_per_op(|| {
            black_box(reference_verify(REQUEST, key));
        })
    );
    println!(
        "  decode+FP+MI   rtc-stun  {:5.1}",
        allocs_per_op(|| {
            black_box(rtc_verify(&mut m2, REQUEST, crypto));
        })
    );
    println!(
        "  decode+MI      str0m     {:5.1}",
        allocs_per_op(|| {
            black_box(str0m_verify(REQUEST));
        })
    );
    println!(
        "  encode         reference {:5.1}",
        allocs_per_op(|| {
            black_box(reference_encode(key));
        })
    );
    println!(
        "  encode         rtc-stun  {:5.1}",
        allocs_per_op(|| {
            black_box(rtc_encode(crypto));
        })
    );
}

fn bench(c: &mut Criterion) {
    let key = Key::short_term(PASSWORD, PasswordPrep::SaslPrep).expect("password prepares");
    let provider = stun::crypto::default_provider().expect("ring provider");
    let crypto = provider.crypto();
    assert!(reference_verify(REQUEST, &key));
    let mut check = stun::message::Message::new();
    assert!(rtc_verify(&mut check, REQUEST, crypto));
    assert!(str0m_verify(REQUEST));
    assert_eq!(reference_encode(&key).len(), rtc_encode(crypto).len());
    print_allocations(&key, crypto);

    let mut g = c.benchmark_group("stun_decode_walk");
    g.bench_function("reference", |b| {
        b.iter(|| reference_walk(black_box(REQUEST)))
    });
    let mut m = stun::message::Message::new();
    g.bench_function("rtc-stun", |b| {
        b.iter(|| rtc_walk(&mut m, black_box(REQUEST)))
    });
    g.bench_function("str0m", |b| b.iter(|| str0m_walk(black_box(REQUEST))));
    g.finish();

    let mut g = c.benchmark_group("stun_decode_fingerprint_integrity");
    g.bench_function("reference", |b| {
        b.iter(|| reference_verify(black_box(REQUEST), &key))
    });
    let mut m = stun::message::Message::new();
    g.bench_function("rtc-stun", |b| {
        b.iter(|| rtc_verify(&mut m, black_box(REQUEST), crypto))
    });
    g.bench_function("str0m (MI only)", |b| {
        b.iter(|| str0m_verify(black_box(REQUEST)))
    });
    g.finish();

    let mut g = c.benchmark_group("stun_encode_binding_success");
    g.bench_function("reference", |b| {
        b.iter(|| reference_encode(black_box(&key)))
    });
    g.bench_function("rtc-stun", |b| b.iter(|| rtc_encode(crypto)));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
