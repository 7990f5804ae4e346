//! `webrtc-harness`: see `webrtc-harness --help` and README.md.

fn main() {
    std::process::exit(webrtc_harness::main_with_args(std::env::args_os()));
}
