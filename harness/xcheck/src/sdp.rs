//! SDP: harness-sdp against rtc-sdp 0.21.1 (`SessionDescription::unmarshal`), and ICE
//! candidates against rtc-ice 0.21.1 (`candidate::unmarshal_candidate`).
//!
//! Compared, when both sides accept: the origin, session name, session connection, first
//! timing, every session and media attribute (name and value, in order), each `m=` line
//! (media, port, port count, proto, formats), and every candidate's fields. Verdicts:
//!
//! * the reference flags MUST-level rules in an input rtc-sdp accepts:
//!   `reference-flags-other-accepts`, one divergence per rule;
//! * rtc-sdp (or rtc-ice) rejects what the reference accepts without a MUST violation:
//!   `other-rejects-reference-accepts`;
//! * the reference does not parse an input rtc-sdp accepts: `reference-rejects-other-accepts`;
//! * both accept but read different values: `content-differs`.

use std::io::Cursor;

use harness_core::divergence::{CrossCheck, Divergence, DivergenceClass, Verdict};
use harness_core::rules::Severity;
use harness_sdp::{Candidate, Sdp, Typed};

use crate::guarded;

/// The other implementation's name.
pub const OTHER: &str = "rtc-sdp 0.21.1 / rtc-ice 0.21.1";

/// What one side read, flattened to comparable strings.
#[derive(Debug, Default)]
struct Reading {
    /// `(field, value)` in a fixed order.
    fields: Vec<(String, String)>,
}

impl Reading {
    fn put(&mut self, field: impl Into<String>, value: impl Into<String>) {
        self.fields.push((field.into(), value.into()));
    }
}

fn attr_value(v: Option<&str>) -> String {
    v.map_or_else(|| "<flag>".to_string(), str::to_string)
}

fn reference_reading(sdp: &Sdp<'_>) -> Reading {
    let mut r = Reading::default();
    if let Some(Ok(o)) = sdp.origin() {
        r.put("origin.username", o.username);
        r.put("origin.session_id", o.session_id);
        r.put("origin.session_version", o.session_version);
        r.put("origin.nettype", o.nettype);
        r.put("origin.addrtype", o.addrtype);
        r.put("origin.address", o.address);
    }
    if let Some(s) = sdp.session_name() {
        r.put("session_name", String::from_utf8_lossy(s));
    }
    if let Some(Ok(c)) = sdp.connection() {
        r.put("connection.address", c.host());
    }
    if let Some(Ok(t)) = sdp.timing() {
        r.put("timing", format!("{} {}", t.start, t.stop));
    }
    let session: Vec<_> = sdp.attributes().collect();
    r.put("attributes.len", session.len().to_string());
    for (i, a) in session.iter().enumerate() {
        r.put(
            format!("attributes[{i}]"),
            format!("{}={}", a.name, attr_value(a.value)),
        );
    }
    r.put("media.len", sdp.media_count().to_string());
    for m in sdp.media() {
        let p = format!("media[{}]", m.index);
        if let Some(Ok(ml)) = m.media_line() {
            r.put(format!("{p}.media"), ml.media);
            r.put(
                format!("{p}.port"),
                ml.port
                    .map_or_else(|| ml.port_text.to_string(), |v| v.to_string()),
            );
            r.put(format!("{p}.port_count"), format!("{:?}", ml.port_count));
            r.put(format!("{p}.protos"), ml.proto);
            r.put(format!("{p}.formats"), ml.formats);
        }
        let attrs: Vec<_> = m.attributes().collect();
        r.put(format!("{p}.attributes.len"), attrs.len().to_string());
        for (i, a) in attrs.iter().enumerate() {
            r.put(
                format!("{p}.attributes[{i}]"),
                format!("{}={}", a.name, attr_value(a.value)),
            );
        }
    }
    r
}

fn other_reading(sd: &sdp::SessionDescription) -> Reading {
    let mut r = Reading::default();
    let o = &sd.origin;
    r.put("origin.username", o.username.clone());
    r.put("origin.session_id", o.session_id.to_string());
    r.put("origin.session_version", o.session_version.to_string());
    r.put("origin.nettype", o.network_type.clone());
    r.put("origin.addrtype", o.address_type.clone());
    r.put("origin.address", o.unicast_address.clone());
    r.put("session_name", sd.session_name.clone());
    if let Some(c) = &sd.connection_information {
        r.put(
            "connection.address",
            c.address
                .as_ref()
                .map(|a| a.address.clone())
                .unwrap_or_default(),
        );
    }
    if let Some(t) = sd.time_descriptions.first() {
        r.put(
            "timing",
            format!("{} {}", t.timing.start_time, t.timing.stop_time),
        );
    }
    r.put("attributes.len", sd.attributes.len().to_string());
    for (i, a) in sd.attributes.iter().enumerate() {
        r.put(
            format!("attributes[{i}]"),
            format!("{}={}", a.key, attr_value(a.value.as_deref())),
        );
    }
    r.put("media.len", sd.media_descriptions.len().to_string());
    for (idx, m) in sd.media_descriptions.iter().enumerate() {
        let p = format!("media[{idx}]");
        r.put(format!("{p}.media"), m.media_name.media.clone());
        r.put(format!("{p}.port"), m.media_name.port.value.to_string());
        r.put(
            format!("{p}.port_count"),
            format!(
                "{:?}",
                m.media_name.port.range.and_then(|v| u32::try_from(v).ok())
            ),
        );
        r.put(format!("{p}.protos"), m.media_name.protos.join("/"));
        r.put(format!("{p}.formats"), m.media_name.formats.join(" "));
        r.put(
            format!("{p}.attributes.len"),
            m.attributes.len().to_string(),
        );
        for (i, a) in m.attributes.iter().enumerate() {
            r.put(
                format!("{p}.attributes[{i}]"),
                format!("{}={}", a.key, attr_value(a.value.as_deref())),
            );
        }
    }
    r
}

/// Candidate fields as rtc-ice reads them.
fn other_candidate(value: &str) -> Result<Vec<(&'static str, String)>, String> {
    let c = ice::candidate::unmarshal_candidate(value).map_err(|e| e.to_string())?;
    let (raddr, rport) = c
        .related_address()
        .map(|r| (r.address, r.port.to_string()))
        .unwrap_or_default();
    let network = c.network_type().to_string();
    Ok(vec![
        ("foundation", c.foundation()),
        ("component", c.component().to_string()),
        ("transport", network.get(..3).unwrap_or("").to_string()),
        ("priority", c.priority().to_string()),
        ("address", c.address().to_string()),
        ("port", c.port().to_string()),
        ("type", c.candidate_type().to_string()),
        ("raddr", raddr),
        ("rport", rport),
        ("tcptype", c.tcp_type().to_string()),
    ])
}

fn reference_candidate(c: &Candidate<'_>) -> Vec<(&'static str, String)> {
    vec![
        ("foundation", c.foundation.to_string()),
        ("component", c.component.to_string()),
        ("transport", c.transport.to_ascii_lowercase()),
        ("priority", c.priority.to_string()),
        ("address", c.address.to_string()),
        ("port", c.port.to_string()),
        ("type", c.kind.to_string()),
        ("raddr", c.related_address.unwrap_or("").to_string()),
        (
            "rport",
            c.related_port.map(|p| p.to_string()).unwrap_or_default(),
        ),
        ("tcptype", c.tcp_type().unwrap_or("unspecified").to_string()),
    ]
}

fn divergence(
    class: DivergenceClass,
    field: String,
    reference: String,
    other: String,
) -> Divergence {
    Divergence {
        class,
        field,
        reference,
        other,
        rule: None,
    }
}

fn compare_candidates(sdp: &Sdp<'_>, out: &mut Vec<Divergence>) {
    for m in sdp.media() {
        for (j, a) in m.attributes().filter(|a| a.name == "candidate").enumerate() {
            let field = format!("media[{}].candidate[{j}]", m.index);
            let value = a.value.unwrap_or("");
            let mine = match a.typed() {
                Ok(Typed::Candidate(c)) => Ok(reference_candidate(&c)),
                Ok(_) => Err("not a candidate".to_string()),
                Err(e) => Err(e.to_string()),
            };
            let (verdict, theirs) = guarded(|| other_candidate(value));
            let theirs = match (verdict, theirs) {
                (Verdict::Accepted, Some(t)) => Ok(t),
                (Verdict::Panicked(p), _) => {
                    out.push(divergence(
                        DivergenceClass::OtherRejectsReferenceAccepts,
                        field.clone(),
                        "accepted".into(),
                        format!("PANICKED: {p}"),
                    ));
                    continue;
                }
                (v, _) => Err(v.to_string()),
            };
            match (mine, theirs) {
                (Ok(mine), Ok(theirs)) => {
                    for ((name, r), (_, o)) in mine.iter().zip(theirs.iter()) {
                        if r != o {
                            out.push(divergence(
                                DivergenceClass::ContentDiffers,
                                format!("{field}.{name}"),
                                r.clone(),
                                o.clone(),
                            ));
                        }
                    }
                }
                (Ok(_), Err(e)) => out.push(divergence(
                    DivergenceClass::OtherRejectsReferenceAccepts,
                    field,
                    "accepted".into(),
                    e,
                )),
                (Err(e), Ok(_)) => out.push(divergence(
                    DivergenceClass::ReferenceRejectsOtherAccepts,
                    field,
                    format!("rejected: {e}"),
                    "accepted".into(),
                )),
                (Err(_), Err(_)) => {}
            }
        }
    }
}

/// Cross-checks one SDP: harness-sdp and rtc-sdp on the description, rtc-ice on its
/// candidates. Never panics; a panic on either side is reported as
/// [`Verdict::Panicked`].
#[must_use]
pub fn cross_check_sdp(subject: &str, text: &[u8]) -> CrossCheck {
    let (reference, mine) = guarded(|| {
        let sdp = Sdp::parse(text).map_err(|e| e.to_string())?;
        let findings = harness_sdp::check(&sdp);
        let mut rules: Vec<&'static str> = findings
            .iter()
            .filter(|f| f.rule.level.severity() == Severity::Must)
            .map(|f| f.rule.id)
            .collect();
        rules.sort_unstable();
        rules.dedup();
        let mut cands = Vec::new();
        compare_candidates(&sdp, &mut cands);
        Ok((reference_reading(&sdp), rules, cands))
    });
    let (other, theirs) = guarded(|| {
        sdp::SessionDescription::unmarshal(&mut Cursor::new(text))
            .map(|sd| other_reading(&sd))
            .map_err(|e| e.to_string())
    });
    let mut divergences = Vec::new();
    match (&mine, &theirs) {
        (Some((r, must_rules, cands)), Some(o)) => {
            for rule in must_rules {
                divergences.push(Divergence {
                    class: DivergenceClass::ReferenceFlagsOtherAccepts,
                    field: "message".into(),
                    reference: format!("violates {rule}"),
                    other: "accepted".into(),
                    rule: Some(rule),
                });
            }
            let n = r.fields.len().max(o.fields.len());
            for i in 0..n {
                let mf = r.fields.get(i);
                let of = o.fields.get(i);
                match (mf, of) {
                    (Some((f, a)), Some((g, b))) if f == g && a == b => {}
                    (Some((f, a)), Some((g, b))) if f == g => divergences.push(divergence(
                        DivergenceClass::ContentDiffers,
                        f.clone(),
                        a.clone(),
                        b.clone(),
                    )),
                    (Some((f, a)), Some((g, b))) => {
                        divergences.push(divergence(
                            DivergenceClass::ContentDiffers,
                            format!("{f} / {g}"),
                            a.clone(),
                            b.clone(),
                        ));
                        // Field lists are out of step (different attribute counts): stop here.
                        break;
                    }
                    (Some((f, a)), None) => divergences.push(divergence(
                        DivergenceClass::ContentDiffers,
                        f.clone(),
                        a.clone(),
                        "<absent>".into(),
                    )),
                    (None, Some((g, b))) => divergences.push(divergence(
                        DivergenceClass::ContentDiffers,
                        g.clone(),
                        "<absent>".into(),
                        b.clone(),
                    )),
                    (None, None) => {}
                }
            }
            divergences.extend(cands.iter().cloned());
        }
        (Some((_, must_rules, cands)), None) => {
            if must_rules.is_empty() && !other.to_string().starts_with("PANICKED") {
                divergences.push(divergence(
                    DivergenceClass::OtherRejectsReferenceAccepts,
                    "message".into(),
                    "accepted".into(),
                    other.to_string(),
                ));
            }
            divergences.extend(cands.iter().cloned());
        }
        (None, Some(_)) => divergences.push(divergence(
            DivergenceClass::ReferenceRejectsOtherAccepts,
            "message".into(),
            reference.to_string(),
            "accepted".into(),
        )),
        (None, None) => {}
    }
    CrossCheck {
        subject: subject.to_string(),
        protocol: "sdp",
        other_name: OTHER,
        reference,
        other,
        divergences,
        masked: vec![
            "rtc-ice candidate network type is compared by transport only (udp4/udp6 -> udp)"
                .into(),
            "rtc-sdp connection TTL and range are not compared".into(),
        ],
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn vector_files() -> Vec<std::path::PathBuf> {
        fn walk(d: &Path, out: &mut Vec<std::path::PathBuf>) {
            let Ok(rd) = std::fs::read_dir(d) else { return };
            let mut v: Vec<_> = rd.filter_map(Result::ok).map(|e| e.path()).collect();
            v.sort();
            for p in v {
                if p.is_dir() {
                    walk(&p, out);
                } else if p.extension().is_some_and(|e| e == "sdp") {
                    out.push(p);
                }
            }
        }
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut out = Vec::new();
        walk(&root.join("vectors/sdp"), &mut out);
        // The manifest's `shared:` entries, when ../shared is there.
        walk(&root.join("../shared/vectors/sdp/local-peers"), &mut out);
        let janus = root.join("../shared/vectors/malformed/sdp/janus");
        if let Ok(rd) = std::fs::read_dir(janus) {
            out.extend(rd.filter_map(Result::ok).map(|e| e.path()));
        }
        out
    }

    #[test]
    fn cross_check_over_sdp_vectors_never_panics() {
        let files = vector_files();
        assert!(files.len() >= 90, "{} files", files.len());
        let mut by_class = std::collections::BTreeMap::<&str, usize>::new();
        let mut examples = std::collections::BTreeMap::<String, String>::new();
        let mut by_kind = std::collections::BTreeMap::<String, usize>::new();
        for f in &files {
            let bytes = std::fs::read(f).unwrap();
            let c = cross_check_sdp(&f.display().to_string(), &bytes);
            let both = match (c.reference.accepted(), c.other.accepted()) {
                (true, true) => "(both accept)",
                (false, false) => "(both reject)",
                (true, false) => "(only reference accepts)",
                (false, true) => "(only other accepts)",
            };
            *by_class.entry(both).or_default() += 1;
            if both == "(only reference accepts)" {
                println!("  rtc-sdp rejects {}: {}", f.display(), c.other);
            }
            assert!(
                !matches!(c.reference, Verdict::Panicked(_)),
                "{}: {:?}",
                f.display(),
                c.reference
            );
            for d in &c.divergences {
                *by_class.entry(d.class.name()).or_default() += 1;
                *by_kind
                    .entry(format!(
                        "{} {}",
                        d.class.name(),
                        d.rule
                            .unwrap_or_else(|| d.field.rsplit(['.', ']']).next().unwrap_or(""))
                    ))
                    .or_default() += 1;
                let what = d
                    .rule
                    .unwrap_or_else(|| d.field.rsplit(['.', ']']).next().unwrap_or(""));
                let key = format!("{} {what}", d.class.name());
                examples.entry(key).or_insert_with(|| {
                    let name = f
                        .file_name()
                        .map(|n| n.to_string_lossy().to_string())
                        .unwrap_or_default();
                    format!(
                        "{name}: {} reference={:?} other={:?}",
                        d.field, d.reference, d.other
                    )
                });
            }
        }
        println!("sdp cross-check over {} files: {by_class:?}", files.len());
        for (k, v) in &examples {
            println!("  {k} ({}): {v}", by_kind.get(k).copied().unwrap_or(0));
        }
    }

    #[test]
    fn a_clean_offer_agrees_field_by_field() {
        let c = cross_check_sdp("base", harness_sdp::rules::cases::BASE_OFFER.as_bytes());
        assert!(c.reference.accepted() && c.other.accepted());
        assert_eq!(c.divergences, vec![]);
    }

    #[test]
    fn a_missing_v_line_is_rejected_by_both() {
        let c = cross_check_sdp("no-v", b"o=- 1 1 IN IP4 0.0.0.0\r\n");
        assert!(!c.reference.accepted());
        assert!(!c.other.accepted());
        assert!(c.divergences.is_empty());
    }
}
