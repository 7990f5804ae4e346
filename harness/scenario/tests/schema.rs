//! `scenarios/schema.json` is generated from the schema types; this test fails when it is
//! stale (set `UPDATE_SCHEMA=1` to rewrite it), and the loader's errors name the file, line,
//! column and field with a hint.
use std::path::{Path, PathBuf};

use harness_scenario::{load, schema};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn committed_json_schema_is_up_to_date() {
    let path = root().join("scenarios/schema.json");
    let fresh = schema::json_schema();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &fresh).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "scenarios/schema.json is stale: run UPDATE_SCHEMA=1 cargo test -p harness-scenario --test schema"
    );
}

const GOOD: &str = "name: x\nseed: 1\ntime_limit: 5s\ntopology:\n  hosts:\n    - name: a\n      interfaces: [{segment: internet, addresses: [198.51.100.1]}]\n    - name: b\n      interfaces: [{segment: internet, addresses: [198.51.100.2]}]\npeers:\n  - {name: a, node: a}\n  - {name: b, node: b}\nexpect:\n  outcome: connected\n  within: 5s\n";

#[test]
fn minimal_scenario_loads() {
    let s = load::parse(Path::new("x.yaml"), GOOD).unwrap();
    assert_eq!(s.peers.len(), 2);
}

#[test]
fn misspelt_field_names_line_column_field_and_hint() {
    let bad = GOOD.replace("  - {name: b, node: b}", "  - {name: b, nod: b}");
    let e = load::parse(Path::new("bad.yaml"), &bad).unwrap_err();
    assert_eq!(e.line, Some(12), "{e}");
    assert!(e.column.is_some(), "{e}");
    assert!(e.message.contains("unknown field `nod`"), "{e}");
    assert_eq!(e.field.as_deref(), Some("peers[1]"), "{e}");
    assert!(
        e.hint.as_deref().unwrap_or_default().contains("README"),
        "{e}"
    );
    assert!(e.to_string().starts_with("bad.yaml:12:"), "{e}");
}

#[test]
fn unknown_node_reference_is_located() {
    let bad = GOOD.replace("node: b}", "node: c}");
    let e = load::parse(Path::new("bad.yaml"), &bad).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("peers[1].node"), "{e}");
    assert_eq!(e.line, Some(12), "{e}");
    assert!(e.message.contains("unknown host `c`"), "{e}");
}

#[test]
fn duration_without_unit_is_rejected_with_its_position() {
    let bad = GOOD.replace("time_limit: 5s", "time_limit: 5");
    let e = load::parse(Path::new("bad.yaml"), &bad).unwrap_err();
    assert_eq!(e.line, Some(3), "{e}");
    assert!(e.message.contains("no unit"), "{e}");
}

#[test]
fn bad_enum_value_lists_the_choices() {
    let bad = GOOD.replace("outcome: connected", "outcome: conected");
    let e = load::parse(Path::new("bad.yaml"), &bad).unwrap_err();
    assert!(e.message.contains("unknown variant"), "{e}");
    assert!(e.hint.is_some());
}

#[test]
fn every_rule_of_the_oracle_is_covered() {
    let (rows, unknown) = harness_scenario::catalogue().coverage();
    assert!(unknown.is_empty(), "{unknown:?}");
    for r in rows {
        assert!(r.complete(), "{} incomplete: {r:?}", r.rule.id);
    }
}
