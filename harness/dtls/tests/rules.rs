//! The catalogue: enough rules, each with an RFC section, each proven by both kinds of case.

use harness_dtls::catalogue;

#[test]
fn every_rule_is_triggered_and_passed_by_its_cases() {
    let cat = catalogue();
    let (table, unknown) = cat.coverage();
    assert!(
        unknown.is_empty(),
        "cases naming unknown rules: {unknown:?}"
    );
    let incomplete: Vec<_> = table
        .iter()
        .filter(|row| !row.complete())
        .map(|row| (row.rule.id, &row.triggered_by, &row.passed_by, &row.broken))
        .collect();
    assert!(
        incomplete.is_empty(),
        "incomplete coverage: {incomplete:#?}"
    );
}

#[test]
fn the_catalogue_has_at_least_thirty_rules_with_unique_ids_and_rfc_sections() {
    let cat = catalogue();
    assert!(cat.rules.len() >= 30, "only {} rules", cat.rules.len());
    let mut ids: Vec<_> = cat.rules.iter().map(|r| r.id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), cat.rules.len(), "duplicate rule ids");
    for r in cat.rules {
        assert!(
            [5246, 5764, 6347, 8122, 8446, 9147].contains(&r.rfc),
            "{} cites RFC {}",
            r.id,
            r.rfc
        );
        assert!(!r.section.is_empty());
        assert!(r.id.starts_with("dtls"));
    }
}
