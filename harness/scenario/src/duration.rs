//! Durations written as text in scenario files: `250ms`, `5s`, `2m`, `1.5s`.

use core::fmt;
use core::time::Duration;

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A duration in a scenario file: a number followed by `ms`, `s` or `m` (`250ms`, `1.5s`, `2m`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Dur(pub Duration);

impl Dur {
    /// From milliseconds.
    #[must_use]
    pub const fn ms(ms: u64) -> Self {
        Self(Duration::from_millis(ms))
    }

    /// From seconds.
    #[must_use]
    pub const fn secs(s: u64) -> Self {
        Self(Duration::from_secs(s))
    }

    /// Parses `250ms`, `5s`, `1.5s`, `2m`, `0`.
    ///
    /// # Errors
    /// A message saying what is wrong.
    pub fn parse(text: &str) -> Result<Self, String> {
        let t = text.trim();
        if t == "0" {
            return Ok(Self(Duration::ZERO));
        }
        let (num, unit_ms) = if let Some(n) = t.strip_suffix("ms") {
            (n, 1.0)
        } else if let Some(n) = t.strip_suffix('s') {
            (n, 1000.0)
        } else if let Some(n) = t.strip_suffix('m') {
            (n, 60_000.0)
        } else {
            return Err(format!(
                "`{t}` has no unit; write e.g. `250ms`, `5s` or `2m`"
            ));
        };
        let value: f64 = num
            .trim()
            .parse()
            .map_err(|_| format!("`{t}` is not a number followed by ms, s or m"))?;
        if !value.is_finite() || !(0.0..=86_400_000.0).contains(&value) {
            return Err(format!("`{t}` is out of range (0 to 24 h)"));
        }
        let nanos = (value * unit_ms * 1_000_000.0).round();
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "checked above to lie in 0 ..= 24 h"
        )]
        Ok(Self(Duration::from_nanos(nanos as u64)))
    }
}

impl fmt::Display for Dur {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.0.as_millis();
        if ms.is_multiple_of(1000) && ms > 0 {
            write!(f, "{}s", ms / 1000)
        } else {
            write!(f, "{ms}ms")
        }
    }
}

impl Serialize for Dur {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Dur {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Dur;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a duration such as `250ms`, `5s` or `2m`")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Dur, E> {
                Dur::parse(v).map_err(E::custom)
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Dur, E> {
                if v == 0 {
                    Ok(Dur(Duration::ZERO))
                } else {
                    Err(E::custom(format!(
                        "`{v}` has no unit; write e.g. `{v}ms` or `{v}s`"
                    )))
                }
            }
        }
        d.deserialize_any(V)
    }
}

impl JsonSchema for Dur {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Duration".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^[0-9]+(\\.[0-9]+)?(ms|s|m)$",
            "description": "A duration: a number followed by ms, s or m (250ms, 1.5s, 2m)."
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units_and_fractions() {
        assert_eq!(Dur::parse("250ms"), Ok(Dur::ms(250)));
        assert_eq!(Dur::parse("1.5s"), Ok(Dur::ms(1500)));
        assert_eq!(Dur::parse("2m"), Ok(Dur::secs(120)));
        assert_eq!(Dur::parse("0"), Ok(Dur::ms(0)));
    }

    #[test]
    fn rejects_missing_unit_and_garbage() {
        assert!(Dur::parse("5").unwrap_err().contains("no unit"));
        assert!(Dur::parse("fives").is_err());
        assert!(Dur::parse("-1s").is_err());
    }

    #[test]
    fn displays_whole_seconds_compactly() {
        assert_eq!(Dur::secs(5).to_string(), "5s");
        assert_eq!(Dur::ms(1500).to_string(), "1500ms");
    }
}
