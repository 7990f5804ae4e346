//! Bodies of the scenario fuzz targets, built by ordinary `cargo test` too.

use std::path::Path;

/// The loader on arbitrary bytes: never panics; every error names the file, and an error
/// with a line has a column; a scenario that loads serialises and loads again to the same
/// value.
///
/// # Panics
/// When one of those invariants breaks (that is the point of a fuzz body).
pub fn fuzz_load(data: &[u8]) {
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    match crate::load::parse(Path::new("fuzz.yaml"), text) {
        Ok(s) => {
            let again = serde_yaml::to_string(&s).unwrap_or_default();
            if let Ok(t) = crate::load::parse(Path::new("fuzz.yaml"), &again) {
                assert_eq!(t, s, "a loaded scenario must round-trip through YAML");
            }
        }
        Err(e) => {
            assert_eq!(e.file, Path::new("fuzz.yaml"));
            assert!(e.line.is_none() || e.column.is_some(), "{e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fuzz_body_accepts_the_catalogue_and_garbage() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
        for f in crate::load::discover(&[dir]).unwrap_or_default() {
            fuzz_load(&std::fs::read(f).unwrap_or_default());
        }
        fuzz_load(b"name: [\n");
        fuzz_load(b"\xff\xfe");
        fuzz_load(b"peers: 3\n");
    }
}
