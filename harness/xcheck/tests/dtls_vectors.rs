//! The DTLS cross-check over every DTLS vector: no panic on either side, and the divergences
//! found, printed for the report.

use std::path::{Path, PathBuf};

use harness_xcheck::dtls::cross_check_dtls;

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|x| x == "bin") {
            out.push(p);
        }
    }
}

#[test]
fn no_panic_over_the_dtls_vectors_and_divergences_are_reported() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut list = Vec::new();
    files(&root.join("vectors/dtls"), &mut list);
    files(&root.join("../shared/vectors/dtls/records"), &mut list);
    files(&root.join("../shared/vectors/malformed/dtls"), &mut list);
    list.sort();
    assert!(list.len() >= 140, "{} vectors", list.len());
    let mut diverging = 0;
    for path in &list {
        let bytes = std::fs::read(path).unwrap();
        let name = path
            .strip_prefix(&root)
            .unwrap_or(path)
            .display()
            .to_string();
        let c = cross_check_dtls(&name, &bytes);
        assert!(!c.panicked(), "{name}: {c:#?}");
        if !c.divergences.is_empty() {
            diverging += 1;
            println!("{name}: reference {}, other {}", c.reference, c.other);
            for d in &c.divergences {
                println!("  {} {}: {} | {}", d.class, d.field, d.reference, d.other);
            }
        }
    }
    println!("{} vectors, {diverging} with divergences", list.len());
}
