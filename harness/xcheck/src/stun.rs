//! STUN: the reference codec against rtc-stun 0.21.1.
//!
//! Compared, field by field: message type (class and method), transaction id, the attribute
//! list (type, declared length, value bytes, in order), FINGERPRINT and MESSAGE-INTEGRITY
//! results. Integrity is compared twice when credentials are given: with each side deriving its
//! own key (as a user of that library would; rtc-stun applies no password preparation), and with
//! the reference's key bytes handed to rtc-stun (isolating the MAC computation itself).
//!
//! Masked: MESSAGE-INTEGRITY-SHA256, PASSWORD-ALGORITHM and USERHASH, which rtc-stun does not
//! implement; they are listed in [`CrossCheck::masked`] rather than reported as divergences.

use harness_core::credentials::Credential;
use harness_core::divergence::{CrossCheck, Divergence, DivergenceClass, Verdict};
use harness_core::inspect::{InspectContext, Inspection};
use harness_core::rules::Severity;
use harness_stun::integrity::{self, Check};
use harness_stun::{AttrType, Key, Message, PasswordAlgorithm};

use crate::guarded;

/// Name of the other implementation in reports.
pub const OTHER: &str = "rtc-stun 0.21.1";

/// What rtc-stun read.
struct OtherView {
    message_type: u16,
    transaction_id: [u8; 12],
    attributes: Vec<(u16, u16, Vec<u8>)>,
    fingerprint: &'static str,
    /// Per credential: (own key derivation, reference key bytes).
    integrity: Vec<(&'static str, &'static str)>,
}

/// What the reference read.
struct ReferenceView {
    message_type: u16,
    transaction_id: [u8; 12],
    attributes: Vec<(u16, u16, Vec<u8>)>,
    fingerprint: &'static str,
    integrity: Vec<&'static str>,
    keys: Vec<Option<Vec<u8>>>,
    inspection: Inspection,
}

fn reference_key(c: &Credential) -> Option<Vec<u8>> {
    match &c.realm {
        None => harness_stun::prepare(&c.password, c.prep)
            .ok()
            .map(|p| p.as_bytes().to_vec()),
        Some(realm) => harness_stun::long_term_key_bytes(
            &c.username,
            realm,
            &c.password,
            c.prep,
            PasswordAlgorithm::MD5,
        )
        .ok(),
    }
}

fn reference(bytes: &[u8], ctx: &InspectContext) -> Result<ReferenceView, String> {
    let inspection = harness_stun::inspector().inspect(bytes, ctx);
    let msg = Message::new_checked(bytes).map_err(|e| e.to_string())?;
    let attributes = msg
        .attributes()
        .filter_map(Result::ok)
        .map(|a| (a.ty.get(), a.declared_len, a.value.to_vec()))
        .collect();
    let mut integrity_results = Vec::new();
    let mut keys = Vec::new();
    for c in &ctx.credentials {
        let key_bytes = reference_key(c);
        let check = match &key_bytes {
            Some(k) => integrity::check_message_integrity(&msg, &Key::from_bytes(k)),
            None => Check::Malformed,
        };
        integrity_results.push(check.name());
        keys.push(key_bytes);
    }
    Ok(ReferenceView {
        message_type: msg.raw_type() & 0x3fff,
        transaction_id: msg.transaction_id().0,
        attributes,
        fingerprint: integrity::check_fingerprint(&msg).name(),
        integrity: integrity_results,
        keys,
        inspection,
    })
}

fn other(
    bytes: &[u8],
    ctx: &InspectContext,
    reference_keys: &[Option<Vec<u8>>],
) -> Result<OtherView, String> {
    let provider = stun::crypto::default_provider().map_err(|e| e.to_string())?;
    let crypto = provider.crypto();
    let mut m = stun::message::Message::new();
    m.unmarshal_binary(bytes).map_err(|e| e.to_string())?;
    let fingerprint = if m.contains(stun::attributes::ATTR_FINGERPRINT) {
        match stun::fingerprint::FINGERPRINT.check(&m) {
            Ok(()) => "ok",
            Err(_) => "fail",
        }
    } else {
        "absent"
    };
    let mut integrity_results = Vec::new();
    for (c, ref_key) in ctx.credentials.iter().zip(reference_keys) {
        let has_mi = m.contains(stun::attributes::ATTR_MESSAGE_INTEGRITY);
        let verdict = |m: &mut stun::message::Message, key: &[u8]| -> &'static str {
            if !has_mi {
                return "absent";
            }
            match stun::integrity::MessageIntegrity::check(m, key, crypto) {
                Ok(()) => "ok",
                Err(_) => "fail",
            }
        };
        let own_key = match &c.realm {
            None => Some(c.password.as_bytes().to_vec()),
            Some(realm) => stun::integrity::MessageIntegrity::long_term_integrity_key(
                c.username.clone(),
                realm.clone(),
                c.password.clone(),
                crypto,
            )
            .ok(),
        };
        let own = own_key.map_or("malformed", |k| verdict(&mut m, &k));
        let shared = ref_key
            .as_deref()
            .map_or("malformed", |k| verdict(&mut m, k));
        integrity_results.push((own, shared));
    }
    Ok(OtherView {
        message_type: m.typ.value(),
        transaction_id: m.transaction_id.0,
        attributes: m
            .attributes
            .0
            .iter()
            .map(|a| (a.typ.0, a.length, a.value.clone()))
            .collect(),
        fingerprint,
        integrity: integrity_results,
    })
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn differs(out: &mut Vec<Divergence>, field: impl Into<String>, reference: String, other: String) {
    if reference != other {
        out.push(Divergence {
            class: DivergenceClass::ContentDiffers,
            field: field.into(),
            reference,
            other,
            rule: None,
        });
    }
}

fn compare(r: &ReferenceView, o: &OtherView, out: &mut Vec<Divergence>) {
    differs(
        out,
        "message_type",
        format!("0x{:04x}", r.message_type),
        format!("0x{:04x}", o.message_type),
    );
    differs(
        out,
        "transaction_id",
        hex(&r.transaction_id),
        hex(&o.transaction_id),
    );
    differs(
        out,
        "attributes.count",
        r.attributes.len().to_string(),
        o.attributes.len().to_string(),
    );
    for (i, (ra, oa)) in r.attributes.iter().zip(&o.attributes).enumerate() {
        differs(
            out,
            format!("attributes[{i}].type"),
            format!("0x{:04x}", ra.0),
            format!("0x{:04x}", oa.0),
        );
        differs(
            out,
            format!("attributes[{i}].length"),
            ra.1.to_string(),
            oa.1.to_string(),
        );
        if ra.2 != oa.2 {
            differs(
                out,
                format!("attributes[{i}].value"),
                hex(&ra.2),
                hex(&oa.2),
            );
        }
    }
    differs(
        out,
        "fingerprint",
        r.fingerprint.to_string(),
        o.fingerprint.to_string(),
    );
    for (i, (rv, (own, shared))) in r.integrity.iter().zip(&o.integrity).enumerate() {
        differs(
            out,
            format!("message_integrity[credential {i}]"),
            (*rv).to_string(),
            (*own).to_string(),
        );
        differs(
            out,
            format!("message_integrity[credential {i}, reference key]"),
            (*rv).to_string(),
            (*shared).to_string(),
        );
    }
}

/// Cross-checks one STUN message.
#[must_use]
pub fn cross_check_stun(subject: &str, bytes: &[u8], ctx: &InspectContext) -> CrossCheck {
    let (ref_verdict, ref_view) = guarded(|| reference(bytes, ctx));
    let keys: Vec<Option<Vec<u8>>> = ref_view
        .as_ref()
        .map(|r| r.keys.clone())
        .unwrap_or_default();
    let keys = if keys.len() == ctx.credentials.len() {
        keys
    } else {
        ctx.credentials.iter().map(reference_key).collect()
    };
    let (other_verdict, other_view) = guarded(|| other(bytes, ctx, &keys));
    let mut divergences = Vec::new();
    let mut masked = Vec::new();
    if let Some(r) = &ref_view {
        for ty in [
            AttrType::MESSAGE_INTEGRITY_SHA256,
            AttrType::PASSWORD_ALGORITHM,
            AttrType::USERHASH,
        ] {
            if r.attributes.iter().any(|a| a.0 == ty.get()) {
                masked.push(format!("{}: not implemented by {OTHER}", ty.field_name()));
            }
        }
    }
    match (&ref_view, &other_view) {
        (Some(r), Some(o)) => {
            let must: Vec<&'static str> = r
                .inspection
                .findings
                .iter()
                .filter(|f| f.rule.level.severity() == Severity::Must)
                .map(|f| f.rule.id)
                .collect();
            let mut seen = Vec::new();
            for id in must {
                if !seen.contains(&id) {
                    seen.push(id);
                    divergences.push(Divergence {
                        class: DivergenceClass::ReferenceFlagsOtherAccepts,
                        field: "message".into(),
                        reference: "MUST violation".into(),
                        other: "accepted".into(),
                        rule: Some(id),
                    });
                }
            }
            compare(r, o, &mut divergences);
        }
        (Some(r), None) if !matches!(other_verdict, Verdict::Panicked(_)) => {
            let must = r
                .inspection
                .findings
                .iter()
                .find(|f| f.rule.level.severity() == Severity::Must);
            if must.is_none() {
                divergences.push(Divergence {
                    class: DivergenceClass::OtherRejectsReferenceAccepts,
                    field: "message".into(),
                    reference: "accepted without MUST violations".into(),
                    other: other_verdict.to_string(),
                    rule: None,
                });
            }
        }
        (None, Some(_)) if !matches!(ref_verdict, Verdict::Panicked(_)) => {
            divergences.push(Divergence {
                class: DivergenceClass::ReferenceRejectsOtherAccepts,
                field: "message".into(),
                reference: ref_verdict.to_string(),
                other: "accepted".into(),
                rule: None,
            });
        }
        _ => {}
    }
    CrossCheck {
        subject: subject.to_string(),
        protocol: "stun",
        other_name: OTHER,
        reference: ref_verdict,
        other: other_verdict,
        divergences,
        masked,
    }
}
