//! Loading scenario files: YAML syntax and shape through serde (unknown fields denied), then
//! cross-references (nodes, segments, servers, peers). Each bad file gives exactly one
//! [`InputError`] naming the file, line, column and field, with a hint.

use std::collections::BTreeSet;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use harness_report::input_error::InputError;

use crate::schema::{ActionKind, Scenario, ServerKind, TransportName};

/// A scenario read from a file.
#[derive(Clone, Debug)]
pub struct Loaded {
    /// Where it came from.
    pub path: PathBuf,
    /// The scenario.
    pub scenario: Scenario,
}

/// Parses and checks one scenario given as text.
///
/// # Errors
/// The first problem, located.
pub fn parse(path: &Path, text: &str) -> Result<Scenario, InputError> {
    let scenario: Scenario = serde_yaml::from_str(text).map_err(|e| {
        let mut err = InputError::from_yaml(path, &e);
        if err.message.contains("unknown field") {
            err.hint = Some(
                "check the spelling; scenarios/README.md and scenarios/schema.json list every field"
                    .to_owned(),
            );
        } else if err.message.contains("unknown variant") {
            err.hint = Some("use one of the values listed after `expected`".to_owned());
        } else if err.message.contains("missing field") {
            err.hint = Some("add the field; scenarios/README.md shows an example".to_owned());
        } else if err.hint.is_none() {
            err.hint = Some("see scenarios/README.md for the format".to_owned());
        }
        err
    })?;
    check(path, text, &scenario)?;
    Ok(scenario)
}

/// Reads and checks one scenario file.
///
/// # Errors
/// Unreadable file or the first problem in it.
pub fn load_file(path: &Path) -> Result<Loaded, InputError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| InputError::new(path, format!("cannot read scenario: {e}")))?;
    Ok(Loaded {
        path: path.to_path_buf(),
        scenario: parse(path, &text)?,
    })
}

/// The scenario files under `paths` (directories searched one level deep for `*.yaml` and
/// `*.yml`; files taken as they are), sorted by path.
///
/// # Errors
/// A path that does not exist.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<PathBuf>, InputError> {
    let mut out = BTreeSet::new();
    for p in paths {
        if p.is_dir() {
            let entries = std::fs::read_dir(p)
                .map_err(|e| InputError::new(p, format!("cannot list directory: {e}")))?;
            for entry in entries.flatten() {
                let f = entry.path();
                if f.extension().is_some_and(|x| x == "yaml" || x == "yml") {
                    out.insert(f);
                }
            }
        } else if p.is_file() {
            out.insert(p.clone());
        } else {
            return Err(InputError::new(p, "no such file or directory")
                .with_hint("give a scenario file or a directory of them"));
        }
    }
    Ok(out.into_iter().collect())
}

/// Loads every scenario under `paths`; returns the scenarios, or every file's error.
///
/// # Errors
/// One [`InputError`] per bad file (or for a missing path).
pub fn load_all(paths: &[PathBuf]) -> Result<Vec<Loaded>, Vec<InputError>> {
    let files = discover(paths).map_err(|e| vec![e])?;
    let mut ok = Vec::new();
    let mut bad = Vec::new();
    let mut names = BTreeSet::new();
    for f in files {
        match load_file(&f) {
            Ok(l) => {
                if names.insert(l.scenario.name.clone()) {
                    ok.push(l);
                } else {
                    bad.push(
                        InputError::new(
                            &f,
                            format!("scenario name `{}` is used twice", l.scenario.name),
                        )
                        .with_field("name")
                        .with_hint("names must be unique: they name the report files"),
                    );
                }
            }
            Err(e) => bad.push(e),
        }
    }
    if bad.is_empty() { Ok(ok) } else { Err(bad) }
}

/// Where `key: value` first appears in `text` (1-based line and column of the value).
fn locate(text: &str, key: &str, value: &str) -> Option<(usize, usize)> {
    for (i, line) in text.lines().enumerate() {
        let Some(k) = line.find(&format!("{key}:")) else {
            continue;
        };
        let rest = line.get(k + key.len() + 1..)?;
        if let Some(v) = rest.find(value) {
            let between = rest.get(..v)?;
            if between
                .trim_matches(|c: char| c == ' ' || c == '"' || c == '\'')
                .is_empty()
            {
                return Some((i + 1, k + key.len() + 2 + v));
            }
        }
    }
    None
}

struct Checker<'a> {
    path: &'a Path,
    text: &'a str,
}

impl Checker<'_> {
    fn err(
        &self,
        field: String,
        key: &str,
        value: &str,
        message: String,
        hint: &str,
    ) -> InputError {
        let mut e = InputError::new(self.path, message)
            .with_field(field)
            .with_hint(hint);
        if let Some((l, c)) = locate(self.text, key, value) {
            e.line = Some(l);
            e.column = Some(c);
        }
        e
    }
}

fn check_ip(c: &Checker<'_>, field: String, key: &str, v: &str) -> Result<(), InputError> {
    v.parse::<IpAddr>().map(|_| ()).map_err(|_| {
        c.err(
            field,
            key,
            v,
            format!("`{v}` is not an IP address"),
            "write an IPv4 or IPv6 address without a port",
        )
    })
}

fn check_prefix(c: &Checker<'_>, field: String, v: &str) -> Result<(), InputError> {
    v.parse::<harness_netsim::Prefix>()
        .map(|_| ())
        .map_err(|_| {
            c.err(
                field,
                "prefixes",
                v,
                format!("`{v}` is not a prefix"),
                "write address/length, e.g. 192.168.1.0/24 or fd00::/64",
            )
        })
}

#[allow(
    clippy::too_many_lines,
    reason = "one flat list of cross-reference checks reads best in order"
)]
fn check(path: &Path, text: &str, s: &Scenario) -> Result<(), InputError> {
    let c = Checker { path, text };
    let t = &s.topology;
    if s.time_limit.0.is_zero() {
        return Err(c.err(
            "time_limit".into(),
            "time_limit",
            "0",
            "the time limit must be above zero".into(),
            "e.g. `time_limit: 30s`",
        ));
    }
    let mut segments: BTreeSet<&str> = BTreeSet::new();
    segments.insert(&t.internet);
    for (i, lan) in t.lans.iter().enumerate() {
        segments.insert(&lan.name);
        for (j, p) in lan.prefixes.iter().enumerate() {
            check_prefix(&c, format!("topology.lans[{i}].prefixes[{j}]"), p)?;
        }
    }
    let seg = |field: String, v: &str| -> Result<(), InputError> {
        if segments.contains(v) {
            Ok(())
        } else {
            Err(c.err(
                field,
                "segment",
                v,
                format!("unknown segment `{v}`"),
                "declare it under topology.lans, or use the internet segment's name",
            ))
        }
    };
    let mut hosts: BTreeSet<&str> = BTreeSet::new();
    let mut nodes: BTreeSet<&str> = BTreeSet::new();
    for (i, h) in t.hosts.iter().enumerate() {
        hosts.insert(&h.name);
        nodes.insert(&h.name);
        for (j, iface) in h.interfaces.iter().enumerate() {
            seg(
                format!("topology.hosts[{i}].interfaces[{j}].segment"),
                &iface.segment,
            )?;
            for (k, a) in iface.addresses.iter().enumerate() {
                check_ip(
                    &c,
                    format!("topology.hosts[{i}].interfaces[{j}].addresses[{k}]"),
                    "addresses",
                    a,
                )?;
            }
        }
    }
    for (i, n) in t.nats.iter().enumerate() {
        nodes.insert(&n.name);
        for (j, p) in n.inside.iter().enumerate() {
            seg(
                format!("topology.nats[{i}].inside[{j}].segment"),
                &p.segment,
            )?;
            check_ip(
                &c,
                format!("topology.nats[{i}].inside[{j}].address"),
                "address",
                &p.address,
            )?;
        }
        seg(
            format!("topology.nats[{i}].outside.segment"),
            &n.outside.segment,
        )?;
        check_ip(
            &c,
            format!("topology.nats[{i}].outside.address"),
            "address",
            &n.outside.address,
        )?;
    }
    for (i, r) in t.routers.iter().enumerate() {
        nodes.insert(&r.name);
        for (j, p) in r.inside.iter().enumerate() {
            seg(
                format!("topology.routers[{i}].inside[{j}].segment"),
                &p.segment,
            )?;
        }
        seg(
            format!("topology.routers[{i}].outside.segment"),
            &r.outside.segment,
        )?;
    }
    let mut servers = BTreeSet::new();
    for (i, sv) in t.servers.iter().enumerate() {
        seg(format!("topology.servers[{i}].segment"), &sv.segment)?;
        check_ip(
            &c,
            format!("topology.servers[{i}].address"),
            "address",
            &sv.address,
        )?;
        servers.insert((sv.name.as_str(), sv.kind));
        nodes.insert(&sv.name);
    }
    for (i, o) in s.links.overrides.iter().enumerate() {
        if !nodes.contains(o.node.as_str()) {
            return Err(c.err(
                format!("links.overrides[{i}].node"),
                "node",
                &o.node,
                format!("unknown node `{}`", o.node),
                "name a host, NAT, router or server from topology",
            ));
        }
        seg(format!("links.overrides[{i}].segment"), &o.segment)?;
    }
    for (i, e) in s.events.iter().enumerate() {
        if !nodes.contains(e.node.as_str()) {
            return Err(c.err(
                format!("events[{i}].node"),
                "node",
                &e.node,
                format!("unknown node `{}`", e.node),
                "name a host, NAT, router or server from topology",
            ));
        }
        seg(format!("events[{i}].segment"), &e.segment)?;
    }
    if s.peers.len() != 2 {
        return Err(c.err(
            "peers".into(),
            "peers",
            "",
            format!("a scenario has exactly two peers, found {}", s.peers.len()),
            "list the offerer first, then the answerer",
        ));
    }
    let mut peer_names = BTreeSet::new();
    for (i, p) in s.peers.iter().enumerate() {
        if !peer_names.insert(p.name.as_str()) {
            return Err(c.err(
                format!("peers[{i}].name"),
                "name",
                &p.name,
                format!("peer name `{}` is used twice", p.name),
                "give each peer its own name",
            ));
        }
        if !hosts.contains(p.node.as_str()) {
            return Err(c.err(
                format!("peers[{i}].node"),
                "node",
                &p.node,
                format!("unknown host `{}`", p.node),
                "a peer runs on a host declared under topology.hosts",
            ));
        }
        for (j, is) in p.ice_servers.iter().enumerate() {
            let kind = servers
                .iter()
                .find(|(n, _)| *n == is.server)
                .map(|(_, k)| *k);
            match kind {
                None => {
                    return Err(c.err(
                        format!("peers[{i}].ice_servers[{j}].server"),
                        "server",
                        &is.server,
                        format!("unknown server `{}`", is.server),
                        "declare it under topology.servers",
                    ));
                }
                Some(ServerKind::Stun) if is.transport == TransportName::Tcp => {
                    return Err(c.err(
                        format!("peers[{i}].ice_servers[{j}].transport"),
                        "transport",
                        "tcp",
                        "STUN servers are reached over UDP here".into(),
                        "use a TURN server for `transport: tcp`",
                    ));
                }
                Some(_) => {}
            }
        }
    }
    for name in s.expect.selected.keys() {
        if !peer_names.contains(name.as_str()) {
            return Err(c.err(
                format!("expect.selected.{name}"),
                name,
                "",
                format!("unknown peer `{name}`"),
                "key `expect.selected` by peer name",
            ));
        }
    }
    for (i, a) in s.actions.iter().enumerate() {
        if !peer_names.contains(a.peer.as_str()) {
            return Err(c.err(
                format!("actions[{i}].peer"),
                "peer",
                &a.peer,
                format!("unknown peer `{}`", a.peer),
                "name one of the two peers",
            ));
        }
        if matches!(
            a.kind,
            ActionKind::InterfaceAdded | ActionKind::InterfaceRemoved
        ) {
            match &a.segment {
                None => {
                    return Err(c.err(
                        format!("actions[{i}].segment"),
                        "do",
                        "interface",
                        "interface actions need `segment`".into(),
                        "name the segment the interface attaches to",
                    ));
                }
                Some(sg) => seg(format!("actions[{i}].segment"), sg)?,
            }
        }
    }
    if s.expect.within > s.time_limit {
        return Err(c.err(
            "expect.within".into(),
            "within",
            &s.expect.within.to_string(),
            format!(
                "`within` ({}) is beyond the time limit ({})",
                s.expect.within, s.time_limit
            ),
            "raise time_limit or shorten within",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locate_finds_value_after_key() {
        let t = "a: 1\npeers:\n  - node: bob\n";
        assert_eq!(locate(t, "node", "bob"), Some((3, 11)));
        assert_eq!(locate(t, "node", "alice"), None);
    }
}
