//! Every ICE rule is both triggered and passed by its coverage cases.

#[test]
fn every_rule_is_covered_both_ways() {
    let cat = harness_ice::catalogue();
    assert!(cat.rules.len() >= 40, "only {} rules", cat.rules.len());
    let (table, unknown) = cat.coverage();
    assert!(unknown.is_empty(), "cases for unknown rules: {unknown:?}");
    let incomplete: Vec<String> = table
        .iter()
        .filter(|r| !r.complete())
        .map(|r| {
            format!(
                "{} (triggered {:?}, passed {:?}, broken {:?})",
                r.rule.id, r.triggered_by, r.passed_by, r.broken
            )
        })
        .collect();
    assert!(incomplete.is_empty(), "{}", incomplete.join("\n"));
}

#[test]
fn rule_ids_are_unique_and_cite_sections() {
    let cat = harness_ice::catalogue();
    let mut ids: Vec<&str> = cat.rules.iter().map(|r| r.id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), cat.rules.len());
    assert!(
        cat.rules
            .iter()
            .all(|r| r.id.starts_with("ice.") && !r.section.is_empty())
    );
}
