//! Offer/answer rules (RFC 3264 §6, RFC 8829 §5.3): an answer judged against its offer.

use std::collections::HashSet;

use harness_core::rules::{Finding, Location};

use super::*;
use crate::attr::{Attribute, Direction, Setup, Typed};
use crate::fields::digits_u64;
use crate::view::{Media, Sdp};

fn first_direction<'a>(mut attrs: impl Iterator<Item = Attribute<'a>>) -> Option<Direction> {
    attrs.find_map(|a| Direction::from_name(a.name).filter(|_| a.value.is_none()))
}

/// The section's direction, else the session's, else sendrecv (RFC 3264 §6.1).
fn direction(m: &Media<'_, '_>, session: Option<Direction>) -> Direction {
    first_direction(m.attributes())
        .or(session)
        .unwrap_or(Direction::SendRecv)
}

fn bundle_tags<'a>(sdp: &Sdp<'a>) -> HashSet<&'a str> {
    sdp.attributes()
        .filter_map(|a| match a.typed() {
            Ok(Typed::Group {
                semantics: "BUNDLE",
                tags,
            }) => Some(tags.iter().collect::<Vec<_>>()),
            _ => None,
        })
        .flatten()
        .collect()
}

fn in_answer(line: &Line<'_>) -> Location {
    at(line).about("answer")
}

fn check_sections(offer: &Sdp<'_>, answer: &Sdp<'_>, out: &mut Vec<Finding>) {
    // Session-level fallbacks, looked up once.
    let (offer_dir, answer_dir) = (
        first_direction(offer.attributes()),
        first_direction(answer.attributes()),
    );
    let (offer_setup, answer_setup) = (offer.attribute("setup"), answer.attribute("setup"));
    for (o, a) in offer.media().zip(answer.media()) {
        let (Some(Ok(oml)), Some(Ok(aml)), Some(aline)) =
            (o.media_line(), a.media_line(), a.m_line())
        else {
            continue;
        };
        let loc = in_answer(&aline);
        if oml.media != aml.media {
            out.push(Finding::new(
                &OA_MEDIA_TYPE,
                loc.clone(),
                format!(
                    "section {}: offer has {}, answer has {}",
                    a.index, oml.media, aml.media
                ),
            ));
        }
        if oml.proto != aml.proto {
            out.push(Finding::new(
                &OA_PROTO,
                loc.clone(),
                format!(
                    "section {}: offer has {}, answer has {}",
                    a.index, oml.proto, aml.proto
                ),
            ));
        }
        if oml.port == Some(0) && aml.port != Some(0) {
            out.push(Finding::new(
                &OA_REJECTED,
                loc.clone(),
                format!("section {} was offered with port 0 but accepted", a.index),
            ));
        }
        if aml.port == Some(0) {
            continue;
        }
        if let Some(omid) = o.mid()
            && a.mid() != Some(omid)
        {
            out.push(Finding::new(
                &OA_MID,
                loc.clone(),
                format!(
                    "section {}: offer mid {omid:?}, answer mid {:?}",
                    a.index,
                    a.mid()
                ),
            ));
        }
        if aml.is_rtp() && oml.is_rtp() {
            let offered: HashSet<&str> = oml.format_list().collect();
            if !aml.format_list().any(|f| offered.contains(f)) {
                out.push(Finding::new(
                    &OA_CODECS,
                    loc.clone(),
                    format!(
                        "section {}: none of {:?} was offered ({:?})",
                        a.index, aml.formats, oml.formats
                    ),
                ));
            }
            let mapped: HashSet<&str> = a
                .attributes()
                .filter(|x| x.name == "rtpmap")
                .filter_map(|x| x.value.and_then(|v| v.split(' ').next()))
                .collect();
            for f in aml.format_list() {
                let dynamic = digits_u64(f).is_some_and(|pt| (96..=127).contains(&pt));
                if dynamic && !mapped.contains(f) {
                    out.push(Finding::new(
                        &OA_ANSWER_RTPMAP,
                        loc.clone(),
                        format!(
                            "section {}: dynamic payload type {f} has no rtpmap",
                            a.index
                        ),
                    ));
                }
            }
            let (od, ad) = (direction(&o, offer_dir), direction(&a, answer_dir));
            if !od.answer_allows(ad) {
                out.push(Finding::new(
                    &OA_DIRECTION,
                    loc.clone(),
                    format!(
                        "section {}: offer {}, answer {}",
                        a.index,
                        od.name(),
                        ad.name()
                    ),
                ));
            }
            let offer_mux = o.has("rtcp-mux");
            let answer_mux = a.has("rtcp-mux");
            if answer_mux && !offer_mux {
                out.push(Finding::new(
                    &OA_RTCP_MUX,
                    loc.clone(),
                    format!(
                        "section {}: rtcp-mux in the answer but not in the offer",
                        a.index
                    ),
                ));
            }
            if o.has("rtcp-mux-only") && !answer_mux {
                out.push(Finding::new(
                    &OA_RTCP_MUX,
                    loc.clone(),
                    format!(
                        "section {}: the offer demands rtcp-mux-only, the answer has no rtcp-mux",
                        a.index
                    ),
                ));
            }
        }
        check_setup(setup_of(&o, offer_setup), setup_of(&a, answer_setup), out);
    }
}

fn setup_of<'a>(m: &Media<'a, '_>, session: Option<Attribute<'a>>) -> Option<(Setup, Line<'a>)> {
    let a = m.attribute("setup").or(session)?;
    match a.typed() {
        Ok(Typed::Setup(s)) => Some((s, a.line)),
        _ => None,
    }
}

fn check_setup(
    offered: Option<(Setup, Line<'_>)>,
    answered: Option<(Setup, Line<'_>)>,
    out: &mut Vec<Finding>,
) {
    if let Some((s, line)) = offered
        && s != Setup::Actpass
    {
        out.push(Finding::new(
            &OA_SETUP_OFFER,
            at(&line).about("offer"),
            format!("the offer's setup is {}", s.name()),
        ));
    }
    let (Some((os, _)), Some((ans, aline))) = (offered, answered) else {
        return;
    };
    let allowed = match os {
        Setup::Actpass => matches!(ans, Setup::Active | Setup::Passive | Setup::Holdconn),
        Setup::Active => matches!(ans, Setup::Passive | Setup::Holdconn),
        Setup::Passive => matches!(ans, Setup::Active | Setup::Holdconn),
        Setup::Holdconn => ans == Setup::Holdconn,
    };
    if !allowed {
        out.push(Finding::new(
            &OA_SETUP_ANSWER,
            in_answer(&aline),
            format!("offer {}, answer {}", os.name(), ans.name()),
        ));
    }
}

/// Judges an answer against its offer: each document on its own (findings whose location
/// names `offer` or `answer`), then the exchange.
#[must_use]
pub fn check_exchange(offer: &Sdp<'_>, answer: &Sdp<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    for (name, doc) in [("offer", offer), ("answer", answer)] {
        out.extend(check(doc).into_iter().map(|mut f| {
            f.location.subject = Some(name.into());
            f
        }));
    }
    if offer.media_count() != answer.media_count() {
        out.push(Finding::new(
            &OA_MLINE_COUNT,
            Location::whole().about("answer"),
            format!(
                "the offer has {} m= lines, the answer {}",
                offer.media_count(),
                answer.media_count()
            ),
        ));
    }
    check_sections(offer, answer, &mut out);
    let offered = bundle_tags(offer);
    for a in answer.attributes().filter(|a| a.name == "group") {
        if let Ok(Typed::Group {
            semantics: "BUNDLE",
            tags,
        }) = a.typed()
        {
            for tag in tags.iter().filter(|t| !offered.contains(t)) {
                out.push(Finding::new(
                    &OA_BUNDLE_SUBSET,
                    in_answer(&a.line),
                    format!("{tag:?} is not in the offer's BUNDLE group"),
                ));
            }
        }
    }
    if let (Some(_), Some(a)) = (offer.attribute("ice-lite"), answer.attribute("ice-lite")) {
        out.push(Finding::new(
            &OA_ICE_LITE,
            in_answer(&a.line),
            "both the offer and the answer are ICE lite",
        ));
    }
    out
}

/// Judges an answer against its offer, both given as text. Findings carry `offer` or
/// `answer` as their location's subject. `webrtc-harness inspect --offer A --answer B` uses
/// this.
#[must_use]
pub fn check_offer_answer(offer: &str, answer: &str) -> Vec<Finding> {
    check_offer_answer_bytes(offer.as_bytes(), answer.as_bytes())
}

/// As [`check_offer_answer`], for bytes.
#[must_use]
pub fn check_offer_answer_bytes(offer: &[u8], answer: &[u8]) -> Vec<Finding> {
    match (Sdp::parse(offer), Sdp::parse(answer)) {
        (Ok(o), Ok(a)) => check_exchange(&o, &a),
        (o, a) => {
            let mut out = Vec::new();
            for (name, r) in [("offer", o), ("answer", a)] {
                if let Err(e) = r {
                    out.push(Finding::new(
                        &SYNTAX_START,
                        Location::line(1).about(name),
                        e.to_string(),
                    ));
                }
            }
            out
        }
    }
}
