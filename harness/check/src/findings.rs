//! Findings of a check: every one counted per rule, the first [`Findings::max_stored`] kept.

use std::collections::BTreeMap;

use harness_core::rules::{Finding, Rule};

/// Count and first frame of one rule's findings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RuleCount {
    /// The rule.
    pub rule: &'static Rule,
    /// Findings of it.
    pub count: u64,
    /// Frame of the first one, when it had a frame.
    pub first_frame: Option<u64>,
}

/// Findings, counted exactly and stored up to a bound.
#[derive(Clone, Debug)]
pub struct Findings {
    /// Stored findings with the flow they belong to (0: the capture as a whole).
    pub stored: Vec<(usize, Finding)>,
    /// Per rule id, in id order.
    pub counts: BTreeMap<&'static str, RuleCount>,
    /// Most findings stored (counts stay exact beyond it).
    pub max_stored: usize,
    /// Findings counted but not stored.
    pub dropped: u64,
}

impl Findings {
    /// An empty set storing at most `max_stored`.
    #[must_use]
    pub fn new(max_stored: usize) -> Self {
        Self {
            stored: Vec::new(),
            counts: BTreeMap::new(),
            max_stored,
            dropped: 0,
        }
    }

    /// Adds one finding of flow `flow`.
    pub fn push(&mut self, flow: usize, finding: Finding) {
        let frame = finding.location.frame;
        let entry = self.counts.entry(finding.rule.id).or_insert(RuleCount {
            rule: finding.rule,
            count: 0,
            first_frame: frame,
        });
        entry.count = entry.count.saturating_add(1);
        if entry.first_frame.is_none() {
            entry.first_frame = frame;
        }
        if self.stored.len() < self.max_stored {
            self.stored.push((flow, finding));
        } else {
            self.dropped = self.dropped.saturating_add(1);
        }
    }

    /// Adds findings made inside `frame` of flow `flow`, naming the flow.
    pub fn extend_in(
        &mut self,
        flow: usize,
        frame: u64,
        findings: impl IntoIterator<Item = Finding>,
    ) {
        for mut f in findings {
            if f.location.frame.is_none() {
                f.location.frame = Some(frame);
            }
            if f.location.subject.is_none() {
                f.location.subject = Some(format!("flow {flow}"));
            }
            self.push(flow, f);
        }
    }

    /// True when a finding of `rule_id` was made.
    #[must_use]
    pub fn has(&self, rule_id: &str) -> bool {
        self.counts.contains_key(rule_id)
    }
}
