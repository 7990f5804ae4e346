//! The scenario file format. Every struct denies unknown fields, so a misspelt key is an error
//! with its line and column rather than a silently ignored setting. `scenarios/schema.json`
//! is generated from these types ([`json_schema`]) for editor completion.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::duration::Dur;

/// One scenario file.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Unique name (used for report file names and `--filter`).
    pub name: String,
    /// What the scenario shows.
    #[serde(default)]
    pub description: String,
    /// The run seed; `--seed` overrides it.
    pub seed: u64,
    /// Virtual time after which undecided expectations fail.
    pub time_limit: Dur,
    /// Tags for `--filter` (`tag:relay`).
    #[serde(default)]
    pub tags: Vec<String>,
    /// The network.
    pub topology: Topology,
    /// Link impairments: a default and per-link overrides.
    #[serde(default)]
    pub links: Links,
    /// Scheduled network events (partition, heal, reconfigure a link).
    #[serde(default)]
    pub events: Vec<NetEvent>,
    /// The two peers.
    pub peers: Vec<Peer>,
    /// The signaling channel between the peers.
    #[serde(default)]
    pub signaling: Signaling,
    /// Actions at given times.
    #[serde(default)]
    pub actions: Vec<Action>,
    /// What must happen.
    pub expect: Expect,
    /// Run the scenario again with each peer's implementation swapped in turn (the `--compare`
    /// matrix); `false` keeps it to the implementations named.
    #[serde(default = "yes")]
    pub compare: bool,
}

const fn yes() -> bool {
    true
}

/// The network: segments, hosts, NATs, routers, servers.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Topology {
    /// Name of the core segment (every address on-link).
    #[serde(default = "internet")]
    pub internet: String,
    /// LAN segments.
    #[serde(default)]
    pub lans: Vec<Lan>,
    /// Hosts.
    #[serde(default)]
    pub hosts: Vec<Host>,
    /// NATs (routers that translate).
    #[serde(default)]
    pub nats: Vec<Nat>,
    /// Plain routers.
    #[serde(default)]
    pub routers: Vec<Router>,
    /// STUN and TURN servers; each gets a host of its own on `segment`.
    #[serde(default)]
    pub servers: Vec<Server>,
}

fn internet() -> String {
    "internet".to_owned()
}

/// A LAN segment.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Lan {
    /// Segment name.
    pub name: String,
    /// Prefixes (`192.168.1.0/24`, `fd00:1::/64`).
    pub prefixes: Vec<String>,
}

/// An interface of a host.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Interface {
    /// The segment it attaches to.
    pub segment: String,
    /// Its addresses.
    pub addresses: Vec<String>,
}

/// A host.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Host {
    /// Node name.
    pub name: String,
    /// Interfaces.
    pub interfaces: Vec<Interface>,
    /// A host firewall.
    #[serde(default)]
    pub firewall: Option<FirewallSpec>,
}

/// One side of a router or NAT.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RouterPort {
    /// The segment.
    pub segment: String,
    /// The router's address there.
    pub address: String,
}

/// RFC 4787 dependence of mapping or filtering.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, JsonSchema, PartialEq, Eq, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Dependence {
    /// Endpoint-independent.
    #[default]
    EndpointIndependent,
    /// Address-dependent.
    AddressDependent,
    /// Address-and-port-dependent.
    AddressAndPortDependent,
}

/// Port assignment.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, JsonSchema, PartialEq, Eq, Default)]
#[serde(rename_all = "kebab-case")]
pub enum PortAssignment {
    /// Keep the internal port when free.
    #[default]
    Preserve,
    /// Next free port.
    Sequential,
    /// Random free port.
    Random,
}

/// Address pooling.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, JsonSchema, PartialEq, Eq, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Pooling {
    /// Same external address for every mapping of one internal address.
    #[default]
    Paired,
    /// Any external address.
    Arbitrary,
}

/// Hairpinning.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, JsonSchema, PartialEq, Eq, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Hairpin {
    /// Hairpinning on, source translated to the external mapping.
    #[default]
    On,
    /// Hairpinning on, source left as the internal address.
    OnUntranslated,
    /// No hairpinning.
    Off,
}

/// Mapping refresh direction.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, JsonSchema, PartialEq, Eq, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Refresh {
    /// Outbound packets refresh.
    #[default]
    Outbound,
    /// Packets both ways refresh.
    Bidirectional,
}

/// A NAT: every netsim option.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Nat {
    /// Node name.
    pub name: String,
    /// Inside interfaces.
    pub inside: Vec<RouterPort>,
    /// The outside interface.
    pub outside: RouterPort,
    /// Mapping behaviour (RFC 4787 §4.1).
    #[serde(default)]
    pub mapping: Dependence,
    /// Filtering behaviour (RFC 4787 §5).
    #[serde(default)]
    pub filtering: Dependence,
    /// Port assignment (RFC 4787 §4.2.1).
    #[serde(default)]
    pub port_assignment: PortAssignment,
    /// Keep port parity.
    #[serde(default)]
    pub port_parity: bool,
    /// External port range, inclusive.
    #[serde(default)]
    pub port_range: Option<(u16, u16)>,
    /// Address pooling.
    #[serde(default)]
    pub pooling: Pooling,
    /// Hairpinning.
    #[serde(default)]
    pub hairpinning: Hairpin,
    /// Refresh direction.
    #[serde(default)]
    pub refresh: Refresh,
    /// UDP mapping timeout.
    #[serde(default)]
    pub udp_timeout: Option<Dur>,
    /// TCP established timeout.
    #[serde(default)]
    pub tcp_established_timeout: Option<Dur>,
    /// TCP transitory timeout.
    #[serde(default)]
    pub tcp_transitory_timeout: Option<Dur>,
    /// Filter unsolicited inbound IPv6.
    #[serde(default)]
    pub ipv6_stateful_filtering: bool,
    /// Static 1:1 mappings.
    #[serde(default)]
    pub static_mappings: Vec<StaticMapping>,
    /// A firewall on the NAT.
    #[serde(default)]
    pub firewall: Option<FirewallSpec>,
}

/// A 1:1 static NAT mapping.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct StaticMapping {
    /// Inside address.
    pub inside: String,
    /// Outside address.
    pub outside: String,
}

/// A plain router.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Router {
    /// Node name.
    pub name: String,
    /// Inside interfaces.
    pub inside: Vec<RouterPort>,
    /// The outside interface.
    pub outside: RouterPort,
    /// A firewall.
    #[serde(default)]
    pub firewall: Option<FirewallSpec>,
    /// Extra routes.
    #[serde(default)]
    pub routes: Vec<RouteSpec>,
}

/// A static route.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RouteSpec {
    /// Destination prefix.
    pub prefix: String,
    /// Next hop.
    pub via: String,
}

/// Firewall presets.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum FirewallPreset {
    /// All UDP dropped, TCP allowed.
    UdpBlocked,
    /// Only TCP to port 443 allowed out.
    Tcp443Only,
    /// Everything out, only replies in.
    OutboundOnly,
    /// Nothing passes.
    BlockAll,
}

/// A firewall action.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum FwAction {
    /// Let it through.
    Allow,
    /// Drop silently.
    Deny,
    /// Drop and reset TCP.
    Reject,
}

/// Direction through a firewall.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum FwDirection {
    /// From the protected side out.
    Outbound,
    /// From outside in.
    Inbound,
}

/// Transport protocol.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, JsonSchema, PartialEq, Eq, Hash, Default)]
#[serde(rename_all = "kebab-case")]
pub enum TransportName {
    /// UDP.
    #[default]
    Udp,
    /// TCP.
    Tcp,
}

/// One firewall rule; unset fields match anything.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FwRule {
    /// What to do.
    pub action: FwAction,
    /// Direction.
    #[serde(default)]
    pub direction: Option<FwDirection>,
    /// Transport.
    #[serde(default)]
    pub transport: Option<TransportName>,
    /// Source prefix.
    #[serde(default)]
    pub src: Option<String>,
    /// Destination prefix.
    #[serde(default)]
    pub dst: Option<String>,
    /// Destination ports, inclusive.
    #[serde(default)]
    pub dst_ports: Option<(u16, u16)>,
}

/// A firewall: a preset, or ordered rules and a default.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FirewallSpec {
    /// A preset; `rules` are appended after it.
    #[serde(default)]
    pub preset: Option<FirewallPreset>,
    /// Rules, first match wins.
    #[serde(default)]
    pub rules: Vec<FwRule>,
    /// Default action when no rule matches (allow unless a preset says otherwise).
    #[serde(default)]
    pub default: Option<FwAction>,
}

/// Server kind.
#[derive(
    Clone, Copy, Debug, Serialize, Deserialize, JsonSchema, PartialEq, Eq, PartialOrd, Ord,
)]
#[serde(rename_all = "kebab-case")]
pub enum ServerKind {
    /// STUN Binding only.
    Stun,
    /// TURN (answers Binding too).
    Turn,
}

/// A TURN user.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TurnUser {
    /// Username.
    pub username: String,
    /// Password.
    pub password: String,
}

/// A STUN or TURN server on its own host.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Server {
    /// Name (also the host's node name).
    pub name: String,
    /// STUN or TURN.
    pub kind: ServerKind,
    /// The segment the server's host sits on.
    #[serde(default = "internet")]
    pub segment: String,
    /// Its address.
    pub address: String,
    /// Listening port.
    #[serde(default = "stun_port")]
    pub port: u16,
    /// TURN realm.
    #[serde(default = "realm")]
    pub realm: String,
    /// TURN users (a default user `user`/`pass` when empty).
    #[serde(default)]
    pub users: Vec<TurnUser>,
    /// TURN permission lifetime (RFC 8656 §9: 300 s).
    #[serde(default)]
    pub permission_lifetime: Option<Dur>,
    /// TURN default allocation lifetime.
    #[serde(default)]
    pub allocation_lifetime: Option<Dur>,
}

const fn stun_port() -> u16 {
    3478
}

fn realm() -> String {
    "example.org".to_owned()
}

/// Link impairments.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LinkSpec {
    /// One-way delay.
    #[serde(default)]
    pub delay: Option<Dur>,
    /// Jitter bound.
    #[serde(default)]
    pub jitter: Option<Dur>,
    /// Loss probability (0..1).
    #[serde(default)]
    pub loss: Option<f64>,
    /// Duplication probability.
    #[serde(default)]
    pub duplicate: Option<f64>,
    /// Reordering probability.
    #[serde(default)]
    pub reorder: Option<f64>,
    /// MTU in bytes.
    #[serde(default)]
    pub mtu: Option<usize>,
}

/// A per-link override.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LinkOverride {
    /// The node.
    pub node: String,
    /// The segment.
    pub segment: String,
    /// One-way delay.
    #[serde(default)]
    pub delay: Option<Dur>,
    /// Jitter bound.
    #[serde(default)]
    pub jitter: Option<Dur>,
    /// Loss probability (0..1).
    #[serde(default)]
    pub loss: Option<f64>,
    /// Duplication probability.
    #[serde(default)]
    pub duplicate: Option<f64>,
    /// Reordering probability.
    #[serde(default)]
    pub reorder: Option<f64>,
    /// MTU in bytes.
    #[serde(default)]
    pub mtu: Option<usize>,
}

impl LinkOverride {
    /// The impairments, each unset field taken from `default`.
    #[must_use]
    pub fn over(&self, default: &LinkSpec) -> LinkSpec {
        LinkSpec {
            delay: self.delay.or(default.delay),
            jitter: self.jitter.or(default.jitter),
            loss: self.loss.or(default.loss),
            duplicate: self.duplicate.or(default.duplicate),
            reorder: self.reorder.or(default.reorder),
            mtu: self.mtu.or(default.mtu),
        }
    }
}

/// Links.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Links {
    /// Applied to every link of every peer host.
    #[serde(default)]
    pub default: LinkSpec,
    /// Overrides for given links.
    #[serde(default)]
    pub overrides: Vec<LinkOverride>,
}

/// Which way a scheduled link event applies.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, JsonSchema, PartialEq, Eq, Default)]
#[serde(rename_all = "kebab-case")]
pub enum EventDirection {
    /// Both ways.
    #[default]
    Both,
    /// Packets leaving the node.
    Egress,
    /// Packets arriving at the node.
    Ingress,
}

/// What a scheduled network event does.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum NetEventKind {
    /// Drop everything on the link.
    Partition,
    /// Undo a partition.
    Heal,
    /// Set new impairments (`link`).
    Configure,
}

/// A scheduled network event.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NetEvent {
    /// When.
    pub at: Dur,
    /// What.
    pub kind: NetEventKind,
    /// The node of the link.
    pub node: String,
    /// The segment of the link.
    pub segment: String,
    /// Direction.
    #[serde(default)]
    pub direction: EventDirection,
    /// New impairments for `configure`.
    #[serde(default)]
    pub link: Option<LinkSpec>,
}

/// A peer's implementation.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, JsonSchema, PartialEq, Eq, Hash)]
#[serde(rename_all = "kebab-case")]
pub enum Implementation {
    /// The harness's own agent.
    Reference,
    /// The webrtc crate's ICE agent (rtc-ice 0.21.1), injected by the caller.
    WebrtcRs,
}

impl Implementation {
    /// The name used in files and reports.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Reference => "reference",
            Self::WebrtcRs => "webrtc-rs",
        }
    }
}

/// ICE role at the start.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum IceRole {
    /// Controlling.
    Controlling,
    /// Controlled.
    Controlled,
}

/// Candidate gathering policy.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, JsonSchema, PartialEq, Eq, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Gathering {
    /// Host, server-reflexive and relayed candidates.
    #[default]
    All,
    /// Relayed candidates only.
    Relay,
}

/// Nomination mode.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, JsonSchema, PartialEq, Eq, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Nomination {
    /// Regular nomination (RFC 8445 §8.1.1).
    #[default]
    Regular,
    /// Every check carries USE-CANDIDATE (RFC 5245 aggressive nomination).
    Aggressive,
}

/// An ICE server a peer uses.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct IceServer {
    /// The server's name in `topology.servers`.
    pub server: String,
    /// Transport to a TURN server.
    #[serde(default)]
    pub transport: TransportName,
    /// TURN username (the server's first user when unset).
    #[serde(default)]
    pub username: Option<String>,
    /// TURN password.
    #[serde(default)]
    pub password: Option<String>,
}

/// A peer.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Peer {
    /// Peer name.
    pub name: String,
    /// The host it runs on.
    pub node: String,
    /// Implementation.
    #[serde(default = "reference")]
    pub implementation: Implementation,
    /// ICE role at the start; the first peer (the offerer) is controlling by default.
    #[serde(default)]
    pub role: Option<IceRole>,
    /// ICE servers.
    #[serde(default)]
    pub ice_servers: Vec<IceServer>,
    /// Gathering policy.
    #[serde(default)]
    pub gathering: Gathering,
    /// Trickle candidates.
    #[serde(default)]
    pub trickle: bool,
    /// ICE-lite.
    #[serde(default)]
    pub lite: bool,
    /// Nomination mode.
    #[serde(default)]
    pub nomination: Nomination,
    /// Pacing of checks (Ta).
    #[serde(default)]
    pub ta: Option<Dur>,
    /// Consent freshness (RFC 7675) on the selected pair.
    #[serde(default = "yes")]
    pub consent: bool,
}

const fn reference() -> Implementation {
    Implementation::Reference
}

/// The signaling channel.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Signaling {
    /// One-way delay of every message.
    #[serde(default = "signaling_delay")]
    pub delay: Dur,
    /// Jitter bound (messages stay in order).
    #[serde(default)]
    pub jitter: Dur,
}

impl Default for Signaling {
    fn default() -> Self {
        Self {
            delay: signaling_delay(),
            jitter: Dur::default(),
        }
    }
}

const fn signaling_delay() -> Dur {
    Dur::ms(50)
}

/// What an action does.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum ActionKind {
    /// ICE restart by this peer (new credentials, new offer).
    IceRestart,
    /// The peer's host loses the link to `segment` (interface removed).
    InterfaceRemoved,
    /// The peer's host regains the link to `segment` and the peer restarts ICE.
    InterfaceAdded,
    /// The peer stops answering and sending (the remote must detect consent loss).
    Close,
}

/// An action at a given time.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Action {
    /// When.
    pub at: Dur,
    /// Which peer.
    pub peer: String,
    /// What.
    #[serde(rename = "do")]
    pub kind: ActionKind,
    /// The segment for interface actions.
    #[serde(default)]
    pub segment: Option<String>,
}

/// The expected outcome.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// ICE connects (and DTLS completes where it runs).
    Connected,
    /// ICE fails.
    Failed,
}

/// Candidate type.
#[derive(
    Clone, Copy, Debug, Serialize, Deserialize, JsonSchema, PartialEq, Eq, Hash, PartialOrd, Ord,
)]
#[serde(rename_all = "kebab-case")]
pub enum CandidateType {
    /// Host.
    Host,
    /// Server reflexive.
    Srflx,
    /// Peer reflexive.
    Prflx,
    /// Relayed.
    Relay,
}

impl CandidateType {
    /// The SDP name.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Host => "host",
            Self::Srflx => "srflx",
            Self::Prflx => "prflx",
            Self::Relay => "relay",
        }
    }
}

/// The selected pair one peer must end on.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PairExpect {
    /// Local candidate type.
    #[serde(default)]
    pub local: Option<CandidateType>,
    /// Remote candidate type.
    #[serde(default)]
    pub remote: Option<CandidateType>,
    /// Transport between the peer and its first hop (`tcp` for TURN over TCP).
    #[serde(default)]
    pub transport: Option<TransportName>,
}

/// Expectations; every one set must hold.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// Connected or failed.
    pub outcome: Outcome,
    /// Decided within this time.
    pub within: Dur,
    /// Selected pair per peer name.
    #[serde(default)]
    pub selected: BTreeMap<String, PairExpect>,
    /// Upper bound on connectivity checks sent by both peers together.
    #[serde(default)]
    pub max_checks: Option<u32>,
    /// Upper bound on the time to connect.
    #[serde(default)]
    pub max_time_to_connect: Option<Dur>,
    /// No MUST/MUST NOT violations on the wire.
    #[serde(default = "yes")]
    pub no_must_violations: bool,
    /// Rule ids that must be reported (they then do not count as violations).
    #[serde(default)]
    pub rules: Vec<String>,
    /// A peer must detect consent loss within this time of the scenario start.
    #[serde(default)]
    pub consent_lost_within: Option<Dur>,
    /// The connection must be up again (after a restart or heal) by this time.
    #[serde(default)]
    pub reconnected_by: Option<Dur>,
}

/// The JSON Schema of [`Scenario`], pretty-printed with a trailing newline.
#[must_use]
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(Scenario);
    let mut s = serde_json::to_string_pretty(&schema).unwrap_or_default();
    s.push('\n');
    s
}
