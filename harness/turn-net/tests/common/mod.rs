//! Helpers for the interop tests: coturn binaries, processes stopped by PID, timeouts.
#![allow(dead_code, unreachable_pub, reason = "each test file uses a subset")]

use std::net::{SocketAddr, UdpSocket};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

/// Marker reason used on every test that needs coturn.
pub const NEEDS_COTURN: &str = "needs coturn";

/// Runs a coturn client tool under `timeout`, returning its output.
pub async fn run_tool(secs: u32, tool: &str, args: &[String]) -> Output {
    let mut cmd = tokio::process::Command::new("timeout");
    cmd.arg(secs.to_string()).arg(tool).args(args);
    cmd.stdin(Stdio::null());
    cmd.kill_on_drop(true);
    cmd.output().await.expect("run timeout(1)")
}

/// Text of both streams.
pub fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A free UDP port on `ip` (best effort: bound then released).
pub fn free_port(ip: &str) -> u16 {
    let s = UdpSocket::bind(format!("{ip}:0")).expect("bind");
    let p = s.local_addr().expect("addr").port();
    drop(s);
    p
}

/// A coturn `turnserver` child, killed by PID on drop.
pub struct Turnserver {
    pub child: Child,
    pub addr: SocketAddr,
    pub log: std::path::PathBuf,
}

impl Drop for Turnserver {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        for _ in 0..30 {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts coturn on 127.0.0.1 with alice:secret@example.org, loopback peers allowed, and
/// waits until its UDP port answers.
pub fn start_turnserver(extra: &[&str]) -> Turnserver {
    let port = free_port("127.0.0.1");
    let min = 20000 + (port % 20000);
    let dir = std::env::temp_dir().join(format!("coturn-{}-{port}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let log = dir.join("turnserver.log");
    let logf = std::fs::File::create(&log).expect("log file");
    let child = Command::new("turnserver")
        .args([
            "-n",
            "--listening-ip=127.0.0.1",
            "--relay-ip=127.0.0.1",
            &format!("--listening-port={port}"),
            "--lt-cred-mech",
            "--user=alice:secret",
            "--realm=example.org",
            "--no-tls",
            "--no-dtls",
            "--no-cli",
            "--allow-loopback-peers",
            "--fingerprint",
            &format!("--min-port={min}"),
            &format!("--max-port={}", min + 200),
            "--log-file=stdout",
            "--simple-log",
            "-v",
            &format!("--pidfile={}", dir.join("pid").display()),
        ])
        .args(extra)
        .stdout(Stdio::from(logf.try_clone().expect("clone")))
        .stderr(Stdio::from(logf))
        .spawn()
        .expect("start turnserver");
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().expect("addr");
    let server = Turnserver { child, addr, log };
    // Ready when a Binding request is answered.
    let probe = UdpSocket::bind("127.0.0.1:0").expect("probe");
    probe
        .set_read_timeout(Some(Duration::from_millis(100)))
        .expect("timeout");
    let mut req = vec![0, 1, 0, 0, 0x21, 0x12, 0xa4, 0x42];
    req.extend_from_slice(&[9; 12]);
    for _ in 0..50 {
        let _ = probe.send_to(&req, addr);
        let mut buf = [0u8; 512];
        if probe.recv_from(&mut buf).is_ok() {
            return server;
        }
    }
    panic!(
        "turnserver did not come up: {}",
        std::fs::read_to_string(&server.log).unwrap_or_default()
    );
}
