//! The STUN cross-check over every bundled STUN vector, and on inputs whose divergence is known.

use std::path::Path;

use harness_core::credentials::Credential;
use harness_core::divergence::{DivergenceClass, Verdict};
use harness_core::inspect::InspectContext;
use harness_stun::{AttrType, Class, MessageBuilder, Method, TransactionId};
use harness_xcheck::stun::cross_check_stun;

fn vector_files() -> Vec<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../vectors/stun");
    let mut out = Vec::new();
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d)
            .expect("vectors/stun is readable")
            .flatten()
        {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if !p
                .extension()
                .is_some_and(|e| e == "yaml" || e == "hex" || e == "md")
            {
                out.push(p);
            }
        }
    }
    out
}

#[test]
fn no_vector_makes_either_side_panic() {
    let files = vector_files();
    assert!(files.len() > 20, "{} files", files.len());
    for f in files {
        let bytes = std::fs::read(&f).expect("readable");
        let c = cross_check_stun(&f.display().to_string(), &bytes, &InspectContext::default());
        assert!(
            !c.panicked(),
            "{}: {:?} / {:?}",
            f.display(),
            c.reference,
            c.other
        );
    }
}

#[test]
fn rfc5769_request_integrity_agrees_with_the_right_password_and_not_with_a_wrong_one() {
    let bytes = include_bytes!("../../../vectors/stun/rfc/rfc5769_2.1_sample_request.bin");
    let ctx = InspectContext {
        credentials: vec![Credential::short_term(
            "evtj:h6vY",
            "VOkJxbRl1RmTxUk/WvJxBt",
        )],
        ..InspectContext::default()
    };
    let c = cross_check_stun("2.1", bytes, &ctx);
    assert_eq!(c.reference, Verdict::Accepted);
    assert_eq!(c.other, Verdict::Accepted);
    assert!(
        c.divergences
            .iter()
            .all(|d| !d.field.starts_with("message_integrity") && d.field != "fingerprint"),
        "{:?}",
        c.divergences
    );
    // The only divergence is the space padding RFC 8489 §14 forbids and rtc-stun accepts.
    assert!(
        c.divergences
            .iter()
            .any(|d| d.class == DivergenceClass::ReferenceFlagsOtherAccepts
                && d.rule == Some("stun.attr.padding-zero"))
    );
}

#[test]
fn a_comprehension_optional_type_in_the_0x8000_range_is_read_differently() {
    // rtc-stun reads attribute type 0x8020 (the pre-RFC 5389 XOR-MAPPED-ADDRESS) as 0x0020.
    let bytes = MessageBuilder::new(Class::Success, Method::BINDING, TransactionId([3; 12]))
        .raw(
            AttrType::from(0x8020),
            &[0, 1, 0x11, 0x22, 0xe1, 0x12, 0xa6, 0x43],
        )
        .build()
        .expect("builds");
    let c = cross_check_stun("0x8020", &bytes, &InspectContext::default());
    let type_divergence = c
        .divergences
        .iter()
        .find(|d| d.field == "attributes[0].type")
        .unwrap_or_else(|| panic!("no type divergence: {:?}", c.divergences));
    assert_eq!(type_divergence.class, DivergenceClass::ContentDiffers);
    assert_eq!(type_divergence.reference, "0x8020");
}

#[test]
fn a_truncated_header_is_rejected_by_both_without_divergence() {
    let c = cross_check_stun("short", &[0, 1, 0, 0], &InspectContext::default());
    assert!(matches!(c.reference, Verdict::Rejected(_)));
    assert!(matches!(c.other, Verdict::Rejected(_)));
    assert!(c.divergences.is_empty());
}
