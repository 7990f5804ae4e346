//! `serve stun` with two loopback addresses, probed by our `nat-discovery` and by coturn's
//! `turnutils_natdiscovery` / `turnutils_stunclient`.

mod common;

use common::{run_tool, text};
use harness_turn_net::{
    Behaviour, NatDiscoveryOptions, ServeStunOptions, nat_discovery, start_stun,
};

fn two_address_options() -> ServeStunOptions {
    ServeStunOptions {
        listen: "127.0.0.1:0".parse().expect("addr"),
        alternate: Some("127.0.0.2:0".parse().expect("addr")),
    }
}

#[tokio::test]
async fn nat_discovery_against_two_address_loopback_server_reports_endpoint_independent() {
    let running = start_stun(&two_address_options()).await.expect("start");
    let server = running.sockets[0].addr;
    let mut opts = NatDiscoveryOptions::new(server);
    opts.seed = Some(1);
    let report = nat_discovery(&opts).await.expect("discovery");
    running.stop().await.expect("stop");
    assert_eq!(report.error, None, "{report}");
    assert_eq!(report.nat, Some(false), "{report}");
    assert_eq!(
        report.mapping,
        Some(Behaviour::EndpointIndependent),
        "{report}"
    );
    assert_eq!(
        report.filtering,
        Some(Behaviour::EndpointIndependent),
        "{report}"
    );
    assert_eq!(report.hairpinning, Some(true), "{report}");
    assert!(
        report
            .other
            .is_some_and(|o| o.ip().to_string() == "127.0.0.2")
    );
}

#[tokio::test]
async fn single_address_server_makes_discovery_stop_without_other_address() {
    let running = start_stun(&ServeStunOptions {
        listen: "127.0.0.1:0".parse().expect("addr"),
        alternate: None,
    })
    .await
    .expect("start");
    let report = nat_discovery(&NatDiscoveryOptions::new(running.sockets[0].addr))
        .await
        .expect("discovery");
    running.stop().await.expect("stop");
    assert_eq!(report.nat, Some(false));
    assert!(
        report.filtering.is_some() || report.error.is_some(),
        "{report}"
    );
}

#[tokio::test]
#[ignore = "needs coturn: run with --include-ignored (the README test command does)"]
async fn coturn_natdiscovery_classifies_serve_stun_as_endpoint_independent() {
    let running = start_stun(&two_address_options()).await.expect("start");
    let server = running.sockets[0].addr;
    let args: Vec<String> = ["-m", "-f", "-p", &server.port().to_string(), "127.0.0.1"]
        .map(str::to_owned)
        .to_vec();
    let out = run_tool(60, "turnutils_natdiscovery", &args).await;
    running.stop().await.expect("stop");
    let t = text(&out);
    assert!(out.status.success(), "{t}");
    assert!(
        t.contains("NAT with Endpoint Independent Mapping") || t.contains("No NAT"),
        "{t}"
    );
    assert!(t.contains("Endpoint Independent Filtering"), "{t}");
}

#[tokio::test]
#[ignore = "needs coturn: run with --include-ignored (the README test command does)"]
async fn coturn_stunclient_sees_other_address_and_change_request_answers() {
    let running = start_stun(&two_address_options()).await.expect("start");
    let server = running.sockets[0].addr;
    let args: Vec<String> = ["-p", &server.port().to_string(), "127.0.0.1"]
        .map(str::to_owned)
        .to_vec();
    let out = run_tool(20, "turnutils_stunclient", &args).await;
    running.stop().await.expect("stop");
    let t = text(&out);
    assert!(t.contains("UDP reflexive addr: 127.0.0.1:"), "{t}");
    assert!(t.contains("127.0.0.2"), "OTHER-ADDRESS not reported: {t}");
}
