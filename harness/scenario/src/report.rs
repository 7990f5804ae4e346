//! Per-scenario reports (Markdown with a Mermaid ladder, JSON, pcapng) and run-level summary
//! and JUnit XML. Everything printed is virtual time and seeded data, so reports of two runs
//! with the same seed are byte-identical.

use core::fmt::Write as _;
use std::path::Path;

use harness_report::model::{Case, Report, Status, Suite};

use crate::run::ScenarioResult;

/// The report file stem of a result: the scenario name, plus the implementations when they
/// are not both the reference.
#[must_use]
pub fn stem(r: &ScenarioResult) -> String {
    if r.implementations == ["reference", "reference"] {
        r.name.clone()
    } else {
        format!(
            "{}@{}+{}",
            r.name, r.implementations[0], r.implementations[1]
        )
    }
}

/// JSON report.
#[must_use]
pub fn json(r: &ScenarioResult) -> String {
    let mut s = serde_json::to_string_pretty(r).unwrap_or_default();
    s.push('\n');
    s
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|")
}

/// Markdown report.
#[must_use]
pub fn markdown(r: &ScenarioResult) -> String {
    let mut m = String::new();
    let verdict = if r.skipped.is_some() {
        "SKIPPED"
    } else if r.passed {
        "PASS"
    } else {
        "FAIL"
    };
    let _ = writeln!(m, "# Scenario `{}`: {verdict}\n", r.name);
    if !r.description.is_empty() {
        let _ = writeln!(m, "{}\n", r.description);
    }
    let _ = writeln!(m, "## Summary\n");
    let _ = writeln!(m, "| | |\n|---|---|");
    let _ = writeln!(m, "| seed | {} |", r.seed);
    let _ = writeln!(
        m,
        "| implementations | {} ↔ {} |",
        r.implementations[0], r.implementations[1]
    );
    let _ = writeln!(m, "| outcome | {} |", r.outcome);
    let _ = writeln!(
        m,
        "| time to connect | {} |",
        r.time_to_connect.as_deref().unwrap_or("-")
    );
    let _ = writeln!(m, "| run ended at | {} |", r.ended_at);
    if let Some(s) = &r.skipped {
        let _ = writeln!(m, "| skipped | {} |", cell(s));
    }
    if !r.masked.is_empty() {
        let _ = writeln!(m, "| masked fields | {} |", cell(&r.masked.join(", ")));
    }
    let _ = writeln!(
        m,
        "\n## Expectations\n\n| expectation | result | observed |\n|---|---|---|"
    );
    for e in &r.expectations {
        let _ = writeln!(
            m,
            "| {} | {} | {} |",
            cell(&e.expectation),
            if e.passed { "pass" } else { "**FAIL**" },
            cell(&e.observed)
        );
    }
    let _ = writeln!(
        m,
        "\n## Candidates\n\n| peer | type | address | priority | related | first hop |\n|---|---|---|---|---|---|"
    );
    for p in &r.peers {
        for c in &p.candidates {
            let _ = writeln!(
                m,
                "| {} | {} | {} | {} | {} | {:?} |",
                p.name,
                c.kind.name(),
                c.addr,
                c.priority,
                c.related.map_or("-".into(), |a| a.to_string()),
                c.first_hop
            );
        }
    }
    let _ = writeln!(
        m,
        "\n## Selected pair\n\n| peer | role | local | remote | oracle's best feasible pair |\n|---|---|---|---|---|"
    );
    for p in &r.peers {
        let (l, rm) = p
            .selected
            .as_ref()
            .map_or(("-".to_owned(), "-".to_owned()), |(l, r)| {
                (l.to_string(), r.to_string())
            });
        let best = p.oracle.best.as_ref().map_or("none".to_owned(), |b| {
            format!("{} -> {} ({})", b.local, b.remote, b.reason)
        });
        let _ = writeln!(
            m,
            "| {} | {} | {l} | {rm} | {} |",
            p.name,
            if p.controlling {
                "controlling"
            } else {
                "controlled"
            },
            cell(&best)
        );
    }
    let _ = writeln!(m, "\n## Violations\n");
    if r.violations.is_empty() {
        let _ = writeln!(m, "None.");
    } else {
        let _ = writeln!(
            m,
            "| peer | rule | level | RFC | count | first | where | message |\n|---|---|---|---|---|---|---|---|"
        );
        for (p, t) in &r.violations {
            let _ = writeln!(
                m,
                "| {p} | `{}` | {} | RFC {} §{} | {} | {} | {} | {} |",
                t.rule,
                t.level,
                t.rfc,
                t.section,
                t.count,
                crate::wire::fmt_ms(t.first),
                cell(&t.subject),
                cell(&t.message)
            );
        }
    }
    let _ = writeln!(m, "\n## Timeline\n\n| time | peer | event |\n|---|---|---|");
    for (t, p, e) in r.timeline.iter().take(200) {
        let _ = writeln!(m, "| {t} | {p} | {} |", cell(e));
    }
    if r.timeline.len() > 200 {
        let _ = writeln!(m, "| ... | | {} more |", r.timeline.len() - 200);
    }
    let _ = writeln!(m, "\n## Checks\n");
    m.push_str(&ladder(r));
    m
}

/// A Mermaid sequence diagram of the Binding traffic each peer sent (first 60 messages); an
/// arrow ending in `x` was never received.
#[must_use]
pub fn ladder(r: &ScenarioResult) -> String {
    let names: Vec<&str> = r.peers.iter().map(|p| p.name.as_str()).collect();
    let mut m = String::from("```mermaid\nsequenceDiagram\n");
    for n in &names {
        let _ = writeln!(m, "    participant {n}");
    }
    let sent: Vec<_> = r.checks.iter().filter(|(_, c)| c.sent).collect();
    for (i, c) in sent.iter().take(60) {
        let from = names.get(*i).copied().unwrap_or("?");
        let to = names.get(1 - i).copied().unwrap_or("?");
        let delivered = r
            .checks
            .iter()
            .any(|(j, d)| j != i && !d.sent && d.txid == c.txid && d.class == c.class);
        let arrow = if delivered { "->>" } else { "-x" };
        let what = match c.class {
            "request" if c.use_candidate => "Binding request USE-CANDIDATE",
            "request" => "Binding request",
            "success" => "Binding success",
            "error" => "Binding error",
            _ => "Binding",
        };
        let relay = if c.relayed { " via TURN" } else { "" };
        let _ = writeln!(
            m,
            "    {from}{arrow}{to}: {} {what} {} → {}{relay}",
            crate::wire::fmt_ms(c.at),
            c.local,
            c.remote
        );
    }
    if sent.len() > 60 {
        let _ = writeln!(
            m,
            "    Note over {}: {} more messages",
            names.first().copied().unwrap_or("?"),
            sent.len() - 60
        );
    }
    m.push_str("```\n");
    m
}

/// Writes the three per-scenario files.
///
/// # Errors
/// I/O errors.
pub fn write(dir: &Path, r: &ScenarioResult) -> std::io::Result<()> {
    let stem = stem(r);
    std::fs::write(dir.join(format!("{stem}.md")), markdown(r))?;
    std::fs::write(dir.join(format!("{stem}.json")), json(r))?;
    if !r.pcapng.is_empty() {
        std::fs::write(dir.join(format!("{stem}.pcapng")), &r.pcapng)?;
    }
    Ok(())
}

/// The run as a harness-report [`Report`] (for JUnit XML).
#[must_use]
pub fn run_report(results: &[ScenarioResult]) -> Report {
    let mut report = Report::new("run scenarios");
    let mut suite = Suite::new("scenarios");
    for r in results {
        let status = if r.skipped.is_some() {
            Status::Skipped
        } else if r.passed {
            Status::Pass
        } else {
            Status::Fail
        };
        let mut c = Case::new(stem(r), status);
        if let Some(s) = &r.skipped {
            c = c.with_message(s.clone());
        } else if !r.passed {
            let failed: Vec<String> = r
                .expectations
                .iter()
                .filter(|e| !e.passed)
                .map(|e| format!("{}: {}", e.expectation, e.observed))
                .collect();
            c = c.with_message(if failed.is_empty() {
                r.outcome.clone()
            } else {
                failed.join("; ")
            });
        }
        c.detail("seed", r.seed);
        c.detail("outcome", &r.outcome);
        suite.cases.push(c);
    }
    report.suites.push(suite);
    report
}

/// One summary row: name, implementations, verdict, outcome, selected pair (first peer),
/// time to connect, checks, violations.
#[must_use]
pub fn summary_row(r: &ScenarioResult) -> [String; 8] {
    let verdict = if r.skipped.is_some() {
        "skip"
    } else if r.passed {
        "pass"
    } else {
        "FAIL"
    };
    let pair = r
        .peers
        .first()
        .and_then(|p| p.selected.as_ref())
        .map_or("-".to_owned(), |(l, rm)| {
            format!("{}→{}", l.kind.name(), rm.kind.name())
        });
    let checks: usize = r.peers.iter().map(|p| p.checks_sent).sum();
    [
        r.name.clone(),
        format!("{}↔{}", r.implementations[0], r.implementations[1]),
        verdict.to_owned(),
        r.outcome.clone(),
        pair,
        r.time_to_connect.clone().unwrap_or_else(|| "-".into()),
        checks.to_string(),
        r.violations.len().to_string(),
    ]
}

/// The summary table in Markdown.
#[must_use]
pub fn summary_markdown(results: &[ScenarioResult]) -> String {
    let mut m = String::from(
        "# Scenario run\n\n| scenario | implementations | result | outcome | selected (first peer) | time to connect | checks | findings |\n|---|---|---|---|---|---|---|---|\n",
    );
    for r in results {
        let row = summary_row(r);
        let _ = writeln!(m, "| {} |", row.join(" | "));
    }
    let passed = results
        .iter()
        .filter(|r| r.passed && r.skipped.is_none())
        .count();
    let failed = results.iter().filter(|r| !r.passed).count();
    let skipped = results.iter().filter(|r| r.skipped.is_some()).count();
    let _ = writeln!(m, "\n{passed} passed, {failed} failed, {skipped} skipped");
    m
}

/// The summary table as fixed-width text for a terminal.
#[must_use]
pub fn summary_text(results: &[ScenarioResult]) -> String {
    let rows: Vec<[String; 8]> = results.iter().map(summary_row).collect();
    let head = [
        "scenario",
        "implementations",
        "result",
        "outcome",
        "selected",
        "connect",
        "checks",
        "findings",
    ]
    .map(str::to_owned);
    let mut widths = [0usize; 8];
    for r in rows.iter().chain(std::iter::once(&head)) {
        for (w, c) in widths.iter_mut().zip(r.iter()) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    for r in std::iter::once(&head).chain(rows.iter()) {
        for (w, c) in widths.iter().zip(r.iter()) {
            let pad = w.saturating_sub(c.chars().count());
            out.push_str(c);
            out.push_str(&" ".repeat(pad + 2));
        }
        out.truncate(out.trim_end().len());
        out.push('\n');
    }
    out
}
