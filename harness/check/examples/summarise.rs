//! Prints the check summary of each capture given on the command line.
fn main() {
    for path in std::env::args().skip(1) {
        match harness_check::check_capture(
            std::path::Path::new(&path),
            &harness_check::CheckOptions::default(),
        ) {
            Ok(outcome) => println!("== {path}\n{}", outcome.summary),
            Err(e) => println!("== {path}\nerror: {e}"),
        }
    }
}
