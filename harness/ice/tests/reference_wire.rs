//! Two reference agents over the direct-delivery wire.

use core::time::Duration;

use harness_core::rng::SeededRng;
use harness_core::time::Instant;
use harness_ice::testkit::{Side, Wire, addr};
use harness_ice::{Agent, AgentConfig, CandidateKind, ConnectionState, Role};

fn agent(role: Role, n: u8, seed: u64) -> Agent {
    Agent::new(
        AgentConfig::new(role, vec![addr(n, 5000)]),
        SeededRng::from_u64(seed),
        Instant::ZERO,
    )
}

fn signal(w: &mut Wire<Agent, Agent>) {
    let now = w.now;
    let (ca, cb) = (
        w.a.local_credentials().clone(),
        w.b.local_credentials().clone(),
    );
    let (la, lb) = (w.a.announced_candidates(), w.b.announced_candidates());
    w.a.set_remote_credentials(now, cb);
    w.b.set_remote_credentials(now, ca);
    for c in lb {
        w.a.add_remote_candidate(now, c);
    }
    for c in la {
        w.b.add_remote_candidate(now, c);
    }
    w.drain(Side::A);
    w.drain(Side::B);
}

#[test]
fn two_full_agents_connect_on_the_host_pair() {
    let mut w = Wire::new(
        agent(Role::Controlling, 1, 1),
        agent(Role::Controlled, 2, 2),
        Duration::from_millis(10),
    );
    signal(&mut w);
    w.run_for(Duration::from_secs(2));
    assert_eq!(w.a.state(), ConnectionState::Completed);
    assert_eq!(w.b.state(), ConnectionState::Completed);
    let sa = w.a.selected_pair().unwrap();
    let sb = w.b.selected_pair().unwrap();
    assert_eq!(sa.kinds(), (CandidateKind::Host, CandidateKind::Host));
    assert_eq!(sa.remote.addr, sb.local.addr);
}
