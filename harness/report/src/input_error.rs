//! Errors in files and flags that users give the harness.
//!
//! Every such error names the file, the line and column when known, the field, what was wrong,
//! and a hint. Nothing is lost: the original message of the underlying parser is kept.

use core::fmt;
use std::path::{Path, PathBuf};

/// A problem with something the user gave us. Boxed, so `Result<_, InputError>` stays one
/// pointer wide; its parts are reached through `Deref` ([`InputErrorDetail`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError(Box<InputErrorDetail>);

/// The parts of an [`InputError`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputErrorDetail {
    /// The file (or `-` for standard input, or the flag name).
    pub file: PathBuf,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub column: Option<usize>,
    /// The field path (`vectors[3].expect.outcome`), when known.
    pub field: Option<String>,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub hint: Option<String>,
}

impl InputError {
    /// An error about a whole file.
    #[must_use]
    pub fn new(file: impl AsRef<Path>, message: impl Into<String>) -> Self {
        Self(Box::new(InputErrorDetail {
            file: file.as_ref().to_path_buf(),
            line: None,
            column: None,
            field: None,
            message: message.into(),
            hint: None,
        }))
    }

    /// The same error with a hint.
    #[must_use]
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// The same error about a field.
    #[must_use]
    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// Wraps a YAML error, keeping its position and the field path serde reports.
    #[must_use]
    pub fn from_yaml(file: impl AsRef<Path>, err: &serde_yaml::Error) -> Self {
        let mut e = Self::new(file, String::new());
        if let Some(loc) = err.location() {
            e.line = Some(loc.line());
            e.column = Some(loc.column());
        }
        let text = err.to_string();
        // serde_yaml prints "path.to.field: message at line L column C"; split the path off.
        let text = text.split(" at line ").next().unwrap_or(&text).to_string();
        match text.split_once(": ") {
            Some((path, rest)) if !path.contains(' ') => {
                e.field = Some(path.to_string());
                e.message = rest.to_string();
            }
            _ => e.message = text,
        }
        if e.message.contains("unknown field") {
            e.hint = Some("check the spelling; docs/ARCHITECTURE.md lists every field".to_string());
        }
        e
    }
}

impl core::ops::Deref for InputError {
    type Target = InputErrorDetail;
    fn deref(&self) -> &InputErrorDetail {
        &self.0
    }
}

impl core::ops::DerefMut for InputError {
    fn deref_mut(&mut self) -> &mut InputErrorDetail {
        &mut self.0
    }
}

impl fmt::Display for InputError {
    /// `vectors/stun/manifest.yaml:12:5: vectors[3].expect: unknown field `outcom` (hint: ...)`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
            if let Some(c) = self.column {
                write!(f, ":{c}")?;
            }
        }
        f.write_str(": ")?;
        if let Some(field) = &self.field {
            write!(f, "{field}: ")?;
        }
        f.write_str(&self.message)?;
        if let Some(h) = &self.hint {
            write!(f, " (hint: {h})")?;
        }
        Ok(())
    }
}

impl std::error::Error for InputError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code, reason = "only deserialised to provoke errors")]
    struct Doc {
        items: Vec<Item>,
    }
    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code, reason = "only deserialised to provoke errors")]
    struct Item {
        name: String,
    }

    #[test]
    fn yaml_errors_name_line_column_and_field() {
        let err = serde_yaml::from_str::<Doc>("items:\n  - name: a\n  - nmae: b\n").unwrap_err();
        let e = InputError::from_yaml("x.yaml", &err);
        assert_eq!(e.line, Some(3));
        assert_eq!(e.field.as_deref(), Some("items[1]"));
        assert!(e.message.contains("unknown field `nmae`"), "{}", e.message);
        assert!(e.to_string().starts_with("x.yaml:3:"), "{e}");
        assert!(e.hint.is_some());
    }
}
