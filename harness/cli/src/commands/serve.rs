//! `serve turn`, `serve stun` and `nat-discovery`: the reference servers and the RFC 5780
//! client on real sockets (the only commands that open sockets).

use harness_report::input_error::InputError;
use harness_report::render::Format;
use harness_turn_net::{
    NatDiscoveryOptions, ServeStunOptions, ServeTurnOptions, nat_discovery, serve_stun, serve_turn,
};
use serde_json::json;

use crate::args::{NatDiscoveryArgs, ServeCommand, ServeStunArgs, ServeTurnArgs};

fn runtime() -> Result<tokio::runtime::Runtime, InputError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| InputError::new("runtime", format!("cannot start the I/O runtime: {e}")))
}

fn turn_options(a: &ServeTurnArgs) -> Result<ServeTurnOptions, InputError> {
    let users = a
        .users
        .iter()
        .map(|u| {
            u.split_once(':')
                .map(|(n, p)| (n.to_string(), p.to_string()))
                .ok_or_else(|| InputError::new("--user", format!("`{u}` is not NAME:PASSWORD")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let cidrs = |flag: &'static str, list: &[String]| {
        list.iter()
            .map(|c| {
                c.parse()
                    .map_err(|e| InputError::new(flag, format!("`{c}`: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()
    };
    let mut o = ServeTurnOptions::new(a.listen, users, &a.realm);
    o.allow_loopback_peers = a.allow_loopback_peers;
    o.allow_peers = cidrs("--allow-peer", &a.allow_peers)?;
    o.deny_peers = cidrs("--deny-peer", &a.deny_peers)?;
    o.alternate = a.alternate;
    o.seed = a.seed;
    o.verbose = a.verbose;
    Ok(o)
}

/// Runs `serve turn|stun` until interrupted.
///
/// # Errors
/// Bad flags, or sockets that cannot be bound.
pub(super) fn serve(cmd: &ServeCommand) -> Result<i32, InputError> {
    let rt = runtime()?;
    let result = match cmd {
        ServeCommand::Turn(a) => {
            let opts = turn_options(a)?;
            rt.block_on(serve_turn(opts))
                .map_err(|e| InputError::new(a.listen.to_string(), e.to_string()))
        }
        ServeCommand::Stun(ServeStunArgs { listen, alternate }) => rt
            .block_on(serve_stun(ServeStunOptions {
                listen: *listen,
                alternate: *alternate,
            }))
            .map_err(|e| InputError::new(listen.to_string(), e.to_string())),
    };
    result.map(|()| 0)
}

/// Runs `nat-discovery`.
///
/// # Errors
/// Sockets that cannot be bound.
pub(super) fn nat(a: &NatDiscoveryArgs) -> Result<i32, InputError> {
    let rt = runtime()?;
    let mut opts = NatDiscoveryOptions::new(a.server);
    opts.local_ip = a.local_ip;
    opts.seed = a.seed;
    let report = rt
        .block_on(nat_discovery(&opts))
        .map_err(|e| InputError::new(a.server.to_string(), e.to_string()))?;
    let text = |v: Option<String>| v.map_or(serde_json::Value::Null, serde_json::Value::String);
    match a.format {
        Format::Json => {
            let v = json!({
                "schema_version": harness_report::model::SCHEMA_VERSION,
                "server": a.server.to_string(),
                "local": text(report.local.map(|x| x.to_string())),
                "mapped": text(report.mapped.map(|x| x.to_string())),
                "other": text(report.other.map(|x| x.to_string())),
                "nat": report.nat,
                "mapping": text(report.mapping.map(|b| b.to_string())),
                "filtering": text(report.filtering.map(|b| b.to_string())),
            });
            println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        }
        _ => print!("{report}"),
    }
    Ok(0)
}
