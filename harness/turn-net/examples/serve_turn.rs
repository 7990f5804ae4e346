//! Runs `serve turn` on 127.0.0.1 with an ephemeral port (manual testing).
#[tokio::main]
async fn main() -> std::io::Result<()> {
    let mut o = harness_turn_net::ServeTurnOptions::new(
        "127.0.0.1:0".parse().map_err(std::io::Error::other)?,
        vec![("alice".into(), "secret".into())],
        "example.org",
    );
    o.allow_loopback_peers = true;
    o.verbose = std::env::args().any(|a| a == "-v");
    harness_turn_net::serve_turn(o).await
}
