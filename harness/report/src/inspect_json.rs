//! The JSON shape of `inspect --format json`:
//! `{"schema_version", "protocol", "parsed", "error", "fields", "violations": [{"rule", "level", "rfc", "section", "location", "message"}], "verdicts"}`.

use harness_core::inspect::{Field, FieldValue, Inspection};
use serde_json::{Map, Value, json};

use crate::model::SCHEMA_VERSION;

fn field_value(v: &FieldValue) -> Value {
    match v {
        FieldValue::None => Value::Null,
        FieldValue::Uint(n) => json!(n),
        FieldValue::Bool(b) => json!(b),
        other => json!(other.to_string()),
    }
}

/// One field as JSON: `{"name", "value", "offset", "length", "children"}` (absent parts left out).
#[must_use]
pub fn field(f: &Field) -> Value {
    let mut m = Map::new();
    m.insert("name".into(), json!(f.name));
    if f.value != FieldValue::None {
        m.insert("value".into(), field_value(&f.value));
    }
    if let Some(span) = f.span {
        m.insert("offset".into(), json!(span.offset));
        m.insert("length".into(), json!(span.len));
    }
    if !f.children.is_empty() {
        m.insert(
            "children".into(),
            Value::Array(f.children.iter().map(field).collect()),
        );
    }
    Value::Object(m)
}

/// The whole inspection as JSON.
#[must_use]
pub fn inspection(i: &Inspection) -> Value {
    let violations: Vec<Value> = i
        .findings
        .iter()
        .map(|f| {
            json!({
                "rule": f.rule.id,
                "level": f.rule.level.keyword(),
                "rfc": f.rule.rfc,
                "section": f.rule.section,
                "location": f.location.to_string(),
                "message": f.message,
            })
        })
        .collect();
    let verdicts: Map<String, Value> = i
        .verdicts
        .iter()
        .map(|(k, v)| ((*k).to_string(), json!(v)))
        .collect();
    json!({
        "schema_version": SCHEMA_VERSION,
        "protocol": i.protocol,
        "parsed": i.parsed,
        "error": i.error,
        "fields": i.fields.iter().map(field).collect::<Vec<_>>(),
        "violations": violations,
        "verdicts": verdicts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape_has_the_documented_keys() {
        let mut i = Inspection::new("stun");
        i.parsed = true;
        i.fields.push(Field::uint("length", 8).at(2, 2));
        let v = inspection(&i);
        for key in [
            "schema_version",
            "protocol",
            "parsed",
            "error",
            "fields",
            "violations",
        ] {
            assert!(v.get(key).is_some(), "{key}");
        }
        assert_eq!(v["fields"][0]["offset"], 2);
        assert_eq!(v["fields"][0]["value"], 8);
    }
}
