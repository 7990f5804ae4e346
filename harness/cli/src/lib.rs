//! The `webrtc-harness` command-line tool, as a library so tests can drive it in process.
//!
//! Conventions shared by every command ([`args::Conventions`]):
//! `--format text|json|markdown|junit`, `--fail-on must|should|never`, credentials as
//! `--username/--realm/--password` or `--credentials FILE`, `--password-prep sasl|opaque|none`,
//! SDP context as `--offer FILE --answer FILE`, `--baseline FILE`, `--write-baseline FILE`,
//! `--output FILE`. Exit codes are those of [`harness_report::policy`].
#![forbid(unsafe_code)]

pub mod args;
pub mod commands;
pub mod registry;

use std::ffi::OsString;

use clap::Parser as _;
use harness_report::policy::{EXIT_INPUT, EXIT_INTERNAL};

/// Parses `args` (program name first), runs the command and returns the exit code. Panics in
/// the harness are caught and turned into exit code 3 with a message.
pub fn main_with_args<I, T>(args: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match args::Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_INPUT } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    match std::panic::catch_unwind(|| commands::run(cli)) {
        Ok(Ok(code)) => code,
        Ok(Err(e)) => {
            eprintln!("error: {e}");
            EXIT_INPUT
        }
        Err(_) => {
            eprintln!(
                "error: internal error (a panic, reported above); please report it with the input that caused it"
            );
            EXIT_INTERNAL
        }
    }
}
