//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use harness_core::credentials::{Credential, PasswordPrep};
use harness_report::input_error::InputError;
use harness_report::policy::{Baseline, FailOn};
use harness_report::render::Format;

/// Conformance and fuzzing harness for STUN, TURN, SDP, ICE and DTLS.
///
/// Exit codes: 0 as expected; 1 failures or findings at or above --fail-on; 2 bad input
/// (file, line and field named); 3 internal error or a panic.
#[derive(Debug, Parser)]
#[command(name = "webrtc-harness", version, about, long_about)]
pub struct Cli {
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Every command.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the bundled defaults: vectors, rule coverage and cross-checks; write reports/.
    Run(RunArgs),
    /// Detect the protocol of one message and print its fields and rule violations.
    Inspect(InspectArgs),
    /// Run vector manifests (vectors/**/manifest.yaml) and compare every outcome.
    Vectors(VectorsArgs),
    /// List the rule catalogue; with --coverage, prove each rule triggers and passes.
    Rules(RulesArgs),
    /// Cross-check files through the reference and the webrtc crate (rtc-* 0.21.1).
    Xcheck(XcheckArgs),
    /// Judge real captures (pcap/pcapng) from any stack against every rule.
    Check(CheckArgs),
    /// Run a reference server on real sockets until interrupted.
    #[command(subcommand)]
    Serve(ServeCommand),
    /// Classify the NAT between here and an RFC 5780 STUN server (mapping, filtering).
    NatDiscovery(NatDiscoveryArgs),
}

/// `check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Capture files (pcap or pcapng).
    #[arg(required = true)]
    pub captures: Vec<PathBuf>,
    /// Shared flags.
    #[command(flatten)]
    pub conventions: Conventions,
}

/// `serve turn` and `serve stun`.
#[derive(Debug, Subcommand)]
pub enum ServeCommand {
    /// The reference TURN server (RFC 8656) on UDP and TCP.
    Turn(ServeTurnArgs),
    /// The reference STUN Binding server; with --alternate, RFC 5780 behaviour discovery.
    Stun(ServeStunArgs),
}

/// `serve turn`.
#[derive(Debug, Args)]
pub struct ServeTurnArgs {
    /// Address to listen on (UDP and TCP); port 0 picks one and prints it.
    #[arg(long)]
    pub listen: std::net::SocketAddr,
    /// NAME:PASSWORD of a user (repeatable).
    #[arg(long = "user", required = true, value_name = "NAME:PASSWORD")]
    pub users: Vec<String>,
    /// The realm of the long-term credentials.
    #[arg(long, default_value = "example.org")]
    pub realm: String,
    /// Allow relaying to loopback peers (refused with 403 by default).
    #[arg(long)]
    pub allow_loopback_peers: bool,
    /// Allow relaying to this range even if the default policy refuses it (repeatable).
    #[arg(long = "allow-peer", value_name = "CIDR")]
    pub allow_peers: Vec<String>,
    /// Refuse relaying to this range (repeatable).
    #[arg(long = "deny-peer", value_name = "CIDR")]
    pub deny_peers: Vec<String>,
    /// Redirect Allocate requests to this server with 300 (Try Alternate).
    #[arg(long)]
    pub alternate: Option<std::net::SocketAddr>,
    /// Seed of the server's randomness (relay ports, nonces); drawn and printed when absent.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Print allocation events on standard error.
    #[arg(long, short)]
    pub verbose: bool,
}

/// `serve stun`.
#[derive(Debug, Args)]
pub struct ServeStunArgs {
    /// Primary address; port 0 picks one and prints it.
    #[arg(long)]
    pub listen: std::net::SocketAddr,
    /// Second address for RFC 5780 (OTHER-ADDRESS, CHANGE-REQUEST).
    #[arg(long)]
    pub alternate: Option<std::net::SocketAddr>,
}

/// `nat-discovery`.
#[derive(Debug, Args)]
pub struct NatDiscoveryArgs {
    /// The server's primary address (HOST:PORT, an IP literal).
    #[arg(long)]
    pub server: std::net::SocketAddr,
    /// Local IP to bind (default: the one the OS routes towards the server).
    #[arg(long)]
    pub local_ip: Option<std::net::IpAddr>,
    /// Output format: text or json.
    #[arg(long, default_value = "text")]
    pub format: Format,
    /// Seed for transaction ids.
    #[arg(long)]
    pub seed: Option<u64>,
}

/// Flags every command understands.
#[derive(Debug, Clone, Args)]
pub struct Conventions {
    /// Output format: text, json, markdown or junit.
    #[arg(long, global = true, default_value = "text")]
    pub format: Format,
    /// Which findings make the exit code non-zero: must, should or never.
    #[arg(long, global = true, default_value = "must")]
    pub fail_on: FailOn,
    /// USERNAME for integrity checks.
    #[arg(long, global = true)]
    pub username: Option<String>,
    /// REALM (makes the credentials long-term).
    #[arg(long, global = true)]
    pub realm: Option<String>,
    /// Password for integrity checks.
    #[arg(long, global = true)]
    pub password: Option<String>,
    /// YAML list of {username, realm, password, prep} to try.
    #[arg(long, global = true, value_name = "FILE")]
    pub credentials: Option<PathBuf>,
    /// Password preparation: sasl (RFC 4013, RFC 5389), opaque (RFC 8265, RFC 8489) or none.
    #[arg(long, global = true, default_value = "sasl")]
    pub password_prep: PasswordPrep,
    /// The session's SDP offer.
    #[arg(long, global = true, value_name = "FILE")]
    pub offer: Option<PathBuf>,
    /// The session's SDP answer.
    #[arg(long, global = true, value_name = "FILE")]
    pub answer: Option<PathBuf>,
    /// Accept the findings listed in this file (YAML: accepted: [{rule, case, location}]).
    #[arg(long, global = true, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Write every finding of this run to FILE as a baseline.
    #[arg(long, global = true, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', global = true, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

impl Conventions {
    /// Every credential given by flags and files.
    ///
    /// # Errors
    /// An unreadable or malformed credentials file, or `--username` without `--password`.
    pub fn credentials(&self) -> Result<Vec<Credential>, InputError> {
        let mut out = Vec::new();
        match (&self.username, &self.password) {
            (Some(u), Some(p)) => out.push(Credential {
                username: u.clone(),
                realm: self.realm.clone(),
                password: p.clone(),
                prep: self.password_prep,
            }),
            (None, Some(p)) => out.push(Credential {
                username: String::new(),
                realm: self.realm.clone(),
                password: p.clone(),
                prep: self.password_prep,
            }),
            (Some(_), None) => {
                return Err(InputError::new("--username", "a username needs --password")
                    .with_hint("or use --credentials FILE"));
            }
            (None, None) => {}
        }
        if let Some(path) = &self.credentials {
            out.extend(harness_report::credentials::load(path, self.password_prep)?);
        }
        Ok(out)
    }

    /// The baseline, if one was given.
    ///
    /// # Errors
    /// An unreadable or malformed baseline.
    pub fn baseline(&self) -> Result<Option<Baseline>, InputError> {
        self.baseline.as_deref().map(Baseline::load).transpose()
    }
}

/// `run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenario files or directories (default: the bundled scenarios/).
    #[arg(default_value = "scenarios")]
    pub paths: Vec<PathBuf>,
    /// Where to write reports.
    #[arg(long, visible_alias = "report-dir", default_value = "reports")]
    pub out_dir: PathBuf,
    /// Overrides every scenario's seed.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Only scenarios whose name contains this (or `tag:NAME`).
    #[arg(long)]
    pub filter: Option<String>,
    /// Run shard K of N (`1/4`).
    #[arg(long)]
    pub shard: Option<String>,
    /// Scenarios run in parallel.
    #[arg(long, default_value_t = 2)]
    pub jobs: usize,
    /// Run each scenario with each implementation on each side and report the differences.
    #[arg(long)]
    pub compare: bool,
    /// Run the good scenario files even when others do not load.
    #[arg(long)]
    pub keep_going: bool,
    /// Vector directory.
    #[arg(long, default_value = "vectors")]
    pub vectors: PathBuf,
    /// Shared flags.
    #[command(flatten)]
    pub conventions: Conventions,
}

/// `inspect`.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The message: a file, or `-` for standard input. Leave out with --offer/--answer to
    /// check an offer/answer pair.
    pub file: Option<PathBuf>,
    /// The input is hex text (`#` comments and whitespace ignored).
    #[arg(long)]
    pub hex: bool,
    /// Force a protocol instead of detecting it.
    #[arg(long)]
    pub protocol: Option<String>,
    /// Shared flags.
    #[command(flatten)]
    pub conventions: Conventions,
}

/// `vectors`.
#[derive(Debug, Args)]
pub struct VectorsArgs {
    /// Directories (searched recursively for manifest.yaml) or manifest files.
    #[arg(default_value = "vectors")]
    pub paths: Vec<PathBuf>,
    /// Shared flags.
    #[command(flatten)]
    pub conventions: Conventions,
}

/// `rules`.
#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Run every rule's coverage cases and show which trigger and which pass it.
    #[arg(long)]
    pub coverage: bool,
    /// Only this protocol.
    #[arg(long)]
    pub protocol: Option<String>,
    /// Shared flags.
    #[command(flatten)]
    pub conventions: Conventions,
}

/// `xcheck`.
#[derive(Debug, Args)]
pub struct XcheckArgs {
    /// Files or directories (recursively): binary, `.hex`, or text (SDP). No manifest needed.
    #[arg(default_value = "vectors")]
    pub paths: Vec<PathBuf>,
    /// Shared flags.
    #[command(flatten)]
    pub conventions: Conventions,
}
