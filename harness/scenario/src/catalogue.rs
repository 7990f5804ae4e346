//! Running many scenarios: filter, shard, parallel jobs, the `--compare` matrix, and the
//! command that reproduces a failure.

use std::sync::Mutex;

use crate::load::Loaded;
use crate::run::{Injected, ScenarioResult, run_scenario};
use crate::schema::{Implementation, Scenario};

/// Options of a catalogue run.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Overrides every scenario's seed.
    pub seed: Option<u64>,
    /// Substring of the name, or `tag:NAME`.
    pub filter: Option<String>,
    /// Shard `(k, n)`, 1-based: scenarios whose index modulo `n` is `k - 1`.
    pub shard: Option<(usize, usize)>,
    /// Worker threads (at least 1).
    pub jobs: usize,
    /// Also run each scenario with each implementation on each side.
    pub compare: bool,
}

/// Parses `K/N` for `--shard`.
///
/// # Errors
/// A message when it is not `K/N` with `1 <= K <= N`.
pub fn parse_shard(s: &str) -> Result<(usize, usize), String> {
    let (k, n) = s
        .split_once('/')
        .ok_or("write the shard as K/N, e.g. 1/4")?;
    let k: usize = k.trim().parse().map_err(|_| "K is not a number")?;
    let n: usize = n.trim().parse().map_err(|_| "N is not a number")?;
    if k == 0 || k > n {
        return Err(format!("shard {k}/{n}: K must be between 1 and N"));
    }
    Ok((k, n))
}

fn selected(s: &Scenario, filter: Option<&str>) -> bool {
    match filter {
        None => true,
        Some(f) => match f.strip_prefix("tag:") {
            Some(tag) => s.tags.iter().any(|t| t == tag),
            None => s.name.contains(f),
        },
    }
}

/// The runs a catalogue makes: `(scenario, implementations)`.
#[must_use]
pub fn plan<'a>(
    loaded: &'a [Loaded],
    opts: &Options,
    inj: &Injected,
) -> Vec<(&'a Scenario, [Implementation; 2])> {
    let mut runs = Vec::new();
    let picked: Vec<&Scenario> = loaded
        .iter()
        .map(|l| &l.scenario)
        .filter(|s| selected(s, opts.filter.as_deref()))
        .enumerate()
        .filter(|(i, _)| opts.shard.is_none_or(|(k, n)| i % n == k - 1))
        .map(|(_, s)| s)
        .collect();
    for s in picked {
        let own = [
            s.peers
                .first()
                .map_or(Implementation::Reference, |p| p.implementation),
            s.peers
                .get(1)
                .map_or(Implementation::Reference, |p| p.implementation),
        ];
        runs.push((s, own));
        if opts.compare && s.compare {
            for imp in [Implementation::Reference, Implementation::WebrtcRs] {
                if !inj.has(imp) {
                    continue;
                }
                for side in 0..2 {
                    let mut v = own;
                    if let Some(x) = v.get_mut(side) {
                        *x = imp;
                    }
                    if !runs
                        .iter()
                        .any(|(r, i): &(&Scenario, [Implementation; 2])| {
                            r.name == s.name && *i == v
                        })
                    {
                        runs.push((s, v));
                    }
                }
            }
        }
    }
    runs
}

/// Runs the plan on `opts.jobs` threads; results come back in plan order. `progress` is
/// called after each run with (done, total, name).
pub fn run_all(
    loaded: &[Loaded],
    opts: &Options,
    inj: &Injected,
    progress: &(dyn Fn(usize, usize, &str) + Sync),
) -> Vec<ScenarioResult> {
    let runs = plan(loaded, opts, inj);
    let total = runs.len();
    let results: Mutex<Vec<Option<ScenarioResult>>> = Mutex::new(vec![None; total]);
    let next = Mutex::new(0usize);
    let done = Mutex::new(0usize);
    let jobs = opts.jobs.max(1).min(total.max(1));
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|| {
                loop {
                    let i = {
                        let Ok(mut n) = next.lock() else { return };
                        let i = *n;
                        *n += 1;
                        i
                    };
                    let Some((s, imps)) = runs.get(i) else { return };
                    let seed = opts.seed.unwrap_or(s.seed);
                    let r = run_scenario(s, seed, *imps, inj);
                    let name = r.name.clone();
                    if let Ok(mut v) = results.lock()
                        && let Some(slot) = v.get_mut(i)
                    {
                        *slot = Some(r);
                    }
                    let d = {
                        let Ok(mut d) = done.lock() else { return };
                        *d += 1;
                        *d
                    };
                    progress(d, total, &name);
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .flatten()
        .collect()
}

/// The command that reproduces one result.
#[must_use]
pub fn reproduce_command(r: &ScenarioResult, path: &str) -> String {
    let compare = if r.implementations == ["reference", "reference"] {
        ""
    } else {
        " --compare"
    };
    format!(
        "cargo run --release -p webrtc-harness -- run {path} --seed {} --filter {}{compare}",
        r.seed, r.name
    )
}

/// Field-by-field differences between runs of one scenario with different implementations.
#[must_use]
pub fn compare(results: &[ScenarioResult]) -> String {
    use core::fmt::Write as _;
    let mut out = String::new();
    let mut names: Vec<&str> = results.iter().map(|r| r.name.as_str()).collect();
    names.dedup();
    for name in names {
        let group: Vec<&ScenarioResult> = results
            .iter()
            .filter(|r| r.name == name && r.skipped.is_none())
            .collect();
        let Some(base) = group.first() else { continue };
        for other in group.iter().skip(1) {
            let mut diffs = Vec::new();
            if base.outcome != other.outcome {
                diffs.push(format!("outcome: {} vs {}", base.outcome, other.outcome));
            }
            if base.time_to_connect != other.time_to_connect {
                diffs.push(format!(
                    "time to connect: {} vs {}",
                    base.time_to_connect.as_deref().unwrap_or("-"),
                    other.time_to_connect.as_deref().unwrap_or("-")
                ));
            }
            for (a, b) in base.peers.iter().zip(&other.peers) {
                let kinds = |p: &crate::run::PeerResult| {
                    p.candidates
                        .iter()
                        .map(|c| c.kind.name())
                        .collect::<Vec<_>>()
                        .join(",")
                };
                if kinds(a) != kinds(b) {
                    diffs.push(format!(
                        "{} candidates: {} vs {}",
                        a.name,
                        kinds(a),
                        kinds(b)
                    ));
                }
                let sel = |p: &crate::run::PeerResult| {
                    p.selected.as_ref().map_or("-".to_owned(), |(l, r)| {
                        format!("{}→{}", l.kind.name(), r.kind.name())
                    })
                };
                if sel(a) != sel(b) {
                    diffs.push(format!("{} selected: {} vs {}", a.name, sel(a), sel(b)));
                }
                if a.checks_sent != b.checks_sent {
                    diffs.push(format!(
                        "{} checks: {} vs {}",
                        a.name, a.checks_sent, b.checks_sent
                    ));
                }
            }
            let rules = |r: &ScenarioResult| {
                r.violations
                    .iter()
                    .map(|(_, t)| t.rule)
                    .collect::<std::collections::BTreeSet<_>>()
            };
            if rules(base) != rules(other) {
                diffs.push(format!(
                    "violations: {:?} vs {:?}",
                    rules(base),
                    rules(other)
                ));
            }
            let _ = writeln!(
                out,
                "{name}: {}+{} vs {}+{}: {}",
                base.implementations[0],
                base.implementations[1],
                other.implementations[0],
                other.implementations[1],
                if diffs.is_empty() {
                    "no differences".to_owned()
                } else {
                    diffs.join("; ")
                }
            );
        }
    }
    out
}
