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
