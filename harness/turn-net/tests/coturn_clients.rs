//! coturn's own clients against our servers (`serve turn`, `serve stun`).

mod common;

use common::{run_tool, text};
use harness_turn_net::{ServeTurnOptions, start_turn};

fn turn_options() -> ServeTurnOptions {
    let mut o = ServeTurnOptions::new(
        "127.0.0.1:0".parse().expect("addr"),
        vec![("alice".into(), "secret".into())],
        "example.org",
    );
    o.allow_loopback_peers = true;
    o
}

async fn uclient(extra: &[&str]) {
    let running = start_turn(&turn_options()).await.expect("start");
    let port = running.sockets[0].addr.port();
    let mut args: Vec<String> = extra.iter().map(|s| (*s).to_owned()).collect();
    args.extend(
        [
            "-u",
            "alice",
            "-w",
            "secret",
            "-y",
            "-n",
            "10",
            "-p",
            &port.to_string(),
            "127.0.0.1",
        ]
        .map(str::to_owned),
    );
    let out = run_tool(60, "turnutils_uclient", &args).await;
    running.stop().await.expect("stop");
    let t = text(&out);
    assert!(out.status.success(), "uclient failed: {t}");
    assert!(t.contains("Total lost packets 0 (0.000000%)"), "{t}");
    assert!(t.contains("tot_recv_msgs=40"), "{t}");
}

#[tokio::test]
#[ignore = "needs coturn: run with --include-ignored (the README test command does)"]
async fn coturn_uclient_relays_through_serve_turn_over_udp_without_loss() {
    uclient(&[]).await;
}

#[tokio::test]
#[ignore = "needs coturn: run with --include-ignored (the README test command does)"]
async fn coturn_uclient_relays_through_serve_turn_over_tcp_without_loss() {
    uclient(&["-t"]).await;
}

#[tokio::test]
#[ignore = "needs coturn: run with --include-ignored (the README test command does)"]
async fn coturn_uclient_is_refused_loopback_peers_by_default() {
    let mut o = turn_options();
    o.allow_loopback_peers = false;
    let running = start_turn(&o).await.expect("start");
    let port = running.sockets[0].addr.port();
    let args: Vec<String> = [
        "-u",
        "alice",
        "-w",
        "secret",
        "-y",
        "-n",
        "2",
        "-p",
        &port.to_string(),
        "127.0.0.1",
    ]
    .map(str::to_owned)
    .to_vec();
    let out = run_tool(20, "turnutils_uclient", &args).await;
    running.stop().await.expect("stop");
    let t = text(&out);
    assert!(t.contains("403"), "expected 403 Forbidden: {t}");
}

#[tokio::test]
#[ignore = "needs coturn: run with --include-ignored (the README test command does)"]
async fn coturn_stunclient_gets_its_reflexive_address_from_serve_turn() {
    let running = start_turn(&turn_options()).await.expect("start");
    let port = running.sockets[0].addr.port();
    let args = vec!["-p".to_owned(), port.to_string(), "127.0.0.1".to_owned()];
    let out = run_tool(20, "turnutils_stunclient", &args).await;
    running.stop().await.expect("stop");
    let t = text(&out);
    assert!(t.contains("UDP reflexive addr: 127.0.0.1:"), "{t}");
}
