//! The rule catalogue: complete coverage, valid bases, and the offer/answer API.

use harness_sdp::rules::cases::{BASE_ANSWER, BASE_OFFER};
use harness_sdp::{catalogue, check_offer_answer, validate};

#[test]
fn every_rule_is_triggered_and_passed() {
    let cat = catalogue();
    let (table, unknown) = cat.coverage();
    assert!(unknown.is_empty(), "cases for unknown rules: {unknown:?}");
    let incomplete: Vec<String> = table
        .iter()
        .filter(|r| !r.complete())
        .map(|r| {
            format!(
                "{}: triggered_by={:?} passed_by={:?} broken={:?}",
                r.rule.id, r.triggered_by, r.passed_by, r.broken
            )
        })
        .collect();
    assert!(
        incomplete.is_empty(),
        "incomplete rules:\n{}",
        incomplete.join("\n")
    );
}

#[test]
fn catalogue_has_at_least_sixty_rules_with_unique_ids_and_sections() {
    let cat = catalogue();
    assert!(cat.rules.len() >= 60, "{} rules", cat.rules.len());
    for (i, r) in cat.rules.iter().enumerate() {
        assert!(r.id.starts_with("sdp."), "{}", r.id);
        assert!(!r.section.is_empty());
        assert!(
            cat.rules.iter().skip(i + 1).all(|o| o.id != r.id),
            "duplicate {}",
            r.id
        );
    }
}

#[test]
fn base_offer_and_answer_break_no_rule() {
    assert_eq!(validate(BASE_OFFER.as_bytes()), vec![]);
    assert_eq!(validate(BASE_ANSWER.as_bytes()), vec![]);
    assert_eq!(check_offer_answer(BASE_OFFER, BASE_ANSWER), vec![]);
}

#[test]
fn exchange_findings_say_which_document() {
    let answer = BASE_ANSWER.replace("a=setup:active", "a=setup:actpass");
    let offer = BASE_OFFER.replace("t=0 0\r\n", "t=0 0\r\nk=clear:x\r\n");
    let findings = check_offer_answer(&offer, &answer);
    let setup = findings
        .iter()
        .find(|f| f.rule.id == "sdp.oa.setup-answer")
        .expect("setup finding");
    assert_eq!(setup.location.subject.as_deref(), Some("answer"));
    assert!(setup.location.line.is_some());
    let key = findings
        .iter()
        .find(|f| f.rule.id == "sdp.key.obsolete")
        .expect("k= finding");
    assert_eq!(key.location.subject.as_deref(), Some("offer"));
    assert_eq!(key.location.line, Some(5));
}

#[test]
fn built_offers_and_their_answers_pass_every_rule() {
    use harness_sdp::Setup;
    use harness_sdp::model::{SessionDescription, TransportParams, example_offer};

    let offer = example_offer(12);
    assert_eq!(validate(offer.as_bytes()), vec![]);
    let view = harness_sdp::Sdp::parse_str(&offer).unwrap();
    let transport = TransportParams {
        ufrag: "Ansr".into(),
        pwd: "answerpasswordanswer1234".into(),
        fingerprint: ("sha-256".into(), ["0F"; 32].join(":")),
        setup: Setup::Active,
        candidates: Vec::new(),
        end_of_candidates: true,
    };
    let answer = SessionDescription::answer_to(&view, 99, &transport).to_string();
    assert_eq!(check_offer_answer(&offer, &answer), vec![]);
    // The same answer with the offer's role echoed back breaks RFC 4145 §4.1.
    let bad = answer.replace("a=setup:active", "a=setup:actpass");
    let ids: Vec<_> = check_offer_answer(&offer, &bad)
        .iter()
        .map(|f| f.rule.id)
        .collect();
    assert!(ids.contains(&"sdp.oa.setup-answer"), "{ids:?}");
}

#[test]
fn inspector_judges_an_answer_against_the_offer_in_its_context() {
    use harness_core::inspect::InspectContext;

    let ctx = InspectContext {
        offer: Some(BASE_OFFER.to_string()),
        ..InspectContext::default()
    };
    let answer = BASE_ANSWER.replace("a=mid:0", "a=mid:zero");
    let r = harness_sdp::inspector().inspect(answer.as_bytes(), &ctx);
    assert!(r.parsed);
    assert!(
        r.findings
            .iter()
            .any(|f| f.rule.id == "sdp.oa.mid" && f.location.subject.as_deref() == Some("answer"))
    );
}
