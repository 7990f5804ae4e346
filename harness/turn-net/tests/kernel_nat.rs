//! Our `nat-discovery` against coturn's `turnutils_natdiscovery` through a real kernel NAT:
//! three network namespaces (client, router, server) joined by veth pairs, iptables
//! MASQUERADE on the router (endpoint-independent mapping), then MASQUERADE --random-fully
//! (address-and-port-dependent mapping), a two-address coturn in the server namespace. Both
//! clients must classify the NAT the same way. Needs root, iproute2, iptables and coturn.

mod common;

use std::fs::File;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use harness_turn_net::{Behaviour, NatDiscoveryOptions, nat_discovery};

fn sh(args: &[&str]) -> bool {
    Command::new(args[0])
        .args(&args[1..])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

struct Lab {
    names: [String; 3],
    coturn: Option<Child>,
    net: u8,
}

impl Lab {
    fn client(&self) -> &str {
        &self.names[0]
    }
    fn server_ip(&self, host: u8) -> String {
        format!("10.{}.2.{host}", self.net)
    }

    fn build(random_fully: bool) -> Option<Self> {
        let pid = std::process::id();
        let net = u8::try_from(100 + pid % 50).unwrap_or(120);
        let names = [
            format!("whc{pid}"),
            format!("whr{pid}"),
            format!("whs{pid}"),
        ];
        let lab = Self {
            names,
            coturn: None,
            net,
        };
        let [c, r, s] = [&lab.names[0], &lab.names[1], &lab.names[2]];
        let (lan, wan) = (format!("10.{net}.1"), format!("10.{net}.2"));
        let steps: Vec<Vec<String>> = vec![
            vec!["ip", "netns", "add", c],
            vec!["ip", "netns", "add", r],
            vec!["ip", "netns", "add", s],
            vec![
                "ip", "-n", c, "link", "add", "c0", "type", "veth", "peer", "name", "r0", "netns",
                r,
            ],
            vec![
                "ip", "-n", r, "link", "add", "r1", "type", "veth", "peer", "name", "s0", "netns",
                s,
            ],
            vec![
                "ip",
                "-n",
                c,
                "addr",
                "add",
                &format!("{lan}.2/24"),
                "dev",
                "c0",
            ],
            vec![
                "ip",
                "-n",
                r,
                "addr",
                "add",
                &format!("{lan}.1/24"),
                "dev",
                "r0",
            ],
            vec![
                "ip",
                "-n",
                r,
                "addr",
                "add",
                &format!("{wan}.1/24"),
                "dev",
                "r1",
            ],
            vec![
                "ip",
                "-n",
                s,
                "addr",
                "add",
                &format!("{wan}.2/24"),
                "dev",
                "s0",
            ],
            vec![
                "ip",
                "-n",
                s,
                "addr",
                "add",
                &format!("{wan}.3/24"),
                "dev",
                "s0",
            ],
            vec!["ip", "-n", c, "link", "set", "c0", "up"],
            vec!["ip", "-n", c, "link", "set", "lo", "up"],
            vec!["ip", "-n", r, "link", "set", "r0", "up"],
            vec!["ip", "-n", r, "link", "set", "r1", "up"],
            vec!["ip", "-n", s, "link", "set", "s0", "up"],
            vec!["ip", "-n", s, "link", "set", "lo", "up"],
            vec![
                "ip",
                "-n",
                c,
                "route",
                "add",
                "default",
                "via",
                &format!("{lan}.1"),
            ],
            vec![
                "ip",
                "netns",
                "exec",
                r,
                "sysctl",
                "-q",
                "-w",
                "net.ipv4.ip_forward=1",
            ],
        ]
        .into_iter()
        .map(|v| v.into_iter().map(str::to_owned).collect())
        .collect();
        for step in &steps {
            let args: Vec<&str> = step.iter().map(String::as_str).collect();
            if !sh(&args) {
                eprintln!("lab setup failed at {args:?}");
                return Some(lab);
            }
        }
        let mut nat = vec![
            "ip",
            "netns",
            "exec",
            r,
            "iptables",
            "-t",
            "nat",
            "-A",
            "POSTROUTING",
            "-o",
            "r1",
            "-j",
            "MASQUERADE",
        ];
        if random_fully {
            nat.push("--random-fully");
        }
        assert!(sh(&nat), "iptables MASQUERADE failed");
        Some(lab)
    }

    fn start_coturn(&mut self) {
        let s = self.names[2].clone();
        let log = std::env::temp_dir().join(format!("{s}.log"));
        let f = File::create(&log).expect("log");
        let child = Command::new("ip")
            .args(["netns", "exec", &s, "turnserver", "-n"])
            .arg(format!("--listening-ip={}", self.server_ip(2)))
            .arg(format!("--listening-ip={}", self.server_ip(3)))
            .args([
                "--listening-port=3478",
                "--no-tls",
                "--no-dtls",
                "--no-cli",
                "--log-file=stdout",
                "--simple-log",
            ])
            .stdout(Stdio::from(f.try_clone().expect("clone")))
            .stderr(Stdio::from(f))
            .spawn()
            .expect("turnserver");
        self.coturn = Some(child);
        std::thread::sleep(Duration::from_millis(800));
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        if let Some(mut c) = self.coturn.take() {
            let _ = Command::new("kill")
                .arg("-TERM")
                .arg(c.id().to_string())
                .status();
            std::thread::sleep(Duration::from_millis(300));
            let _ = c.kill();
            let _ = c.wait();
        }
        for n in &self.names {
            let _ = sh(&["ip", "netns", "del", n]);
        }
    }
}

fn coturn_classification(lab: &Lab) -> ((Option<Behaviour>, Option<Behaviour>), String) {
    let out = Command::new("ip")
        .args([
            "netns",
            "exec",
            lab.client(),
            "timeout",
            "60",
            "turnutils_natdiscovery",
            "-m",
            "-f",
        ])
        .arg(lab.server_ip(2))
        .output()
        .expect("natdiscovery");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let pick = |what: &str| {
        let line = text
            .lines()
            .find(|l| l.contains(what) && (l.contains("Independent") || l.contains("Dependent")))?;
        if line.contains("Address and Port Dependent") {
            Some(Behaviour::AddressAndPortDependent)
        } else if line.contains("Address Dependent") {
            Some(Behaviour::AddressDependent)
        } else if line.contains("Endpoint Independent") || line.contains("No NAT") {
            Some(Behaviour::EndpointIndependent)
        } else {
            None
        }
    };
    ((pick("Mapping"), pick("Filtering")), text.clone())
}

fn ours(lab: &Lab) -> (Option<Behaviour>, Option<Behaviour>) {
    let ns = format!("/var/run/netns/{}", lab.client());
    let server = format!("{}:3478", lab.server_ip(2)).parse().expect("addr");
    std::thread::spawn(move || {
        let f = File::open(&ns).expect("netns file");
        nix::sched::setns(f, nix::sched::CloneFlags::CLONE_NEWNET).expect("setns");
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let mut opts = NatDiscoveryOptions::new(server);
        opts.seed = Some(5);
        let r = rt.block_on(nat_discovery(&opts)).expect("discovery");
        (r.mapping, r.filtering)
    })
    .join()
    .expect("discovery thread")
}

fn compare(random_fully: bool, mapping: Behaviour) {
    let Some(mut lab) = Lab::build(random_fully) else {
        return;
    };
    lab.start_coturn();
    let (theirs, text) = coturn_classification(&lab);
    let mine = ours(&lab);
    assert_eq!(mine.0, Some(mapping), "ours: {mine:?}, coturn: {theirs:?}");
    assert_eq!(
        mine, theirs,
        "ours vs coturn's turnutils_natdiscovery: {text}"
    );
}

#[test]
#[ignore = "needs coturn: run with --include-ignored (the README test command does); also needs root for network namespaces"]
fn nat_discovery_agrees_with_coturn_through_kernel_nats() {
    compare(false, Behaviour::EndpointIndependent);
    compare(true, Behaviour::AddressAndPortDependent);
}
