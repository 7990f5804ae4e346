//! The signaling channel between the two peers: SDP offers and answers, trickled candidates
//! and end-of-candidates, each delivered after the scenario's delay and jitter, in order.

use core::time::Duration;

use harness_core::rng::SeededRng;
use harness_core::time::Instant;
use serde::Serialize;

/// What one signaling message carries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Body {
    /// An SDP offer.
    Offer(String),
    /// An SDP answer.
    Answer(String),
    /// A trickled candidate (`candidate:...`, RFC 8838 §4).
    Candidate(String),
    /// No more candidates.
    EndOfCandidates,
}

impl Body {
    /// A short label for timelines.
    #[must_use]
    pub fn label(&self) -> String {
        match self {
            Self::Offer(_) => "offer".to_owned(),
            Self::Answer(_) => "answer".to_owned(),
            Self::Candidate(c) => format!(
                "trickle {}",
                c.split(' ').skip(4).take(4).collect::<Vec<_>>().join(" ")
            ),
            Self::EndOfCandidates => "end-of-candidates".to_owned(),
        }
    }
}

/// One message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Message {
    /// When it was sent.
    #[serde(serialize_with = "crate::wire::ser_instant")]
    pub sent: Instant,
    /// When it is delivered.
    #[serde(serialize_with = "crate::wire::ser_instant")]
    pub deliver: Instant,
    /// Sender index (0 offerer, 1 answerer).
    pub from: usize,
    /// The payload.
    pub body: Body,
}

/// The channel.
#[derive(Debug)]
pub struct Bus {
    delay: Duration,
    jitter: Duration,
    rng: SeededRng,
    queue: Vec<Message>,
    last: [Instant; 2],
    /// Every message, in sending order.
    pub log: Vec<Message>,
}

impl Bus {
    /// A channel with a one-way `delay` and `jitter`.
    #[must_use]
    pub fn new(delay: Duration, jitter: Duration, rng: SeededRng) -> Self {
        Self {
            delay,
            jitter,
            rng,
            queue: Vec::new(),
            last: [Instant::ZERO; 2],
            log: Vec::new(),
        }
    }

    /// Sends `body` from peer `from` at `now`.
    pub fn post(&mut self, now: Instant, from: usize, body: Body) {
        let jitter_ns = u64::try_from(self.jitter.as_nanos()).unwrap_or(0);
        let extra = if jitter_ns == 0 {
            0
        } else {
            self.rng.below(jitter_ns)
        };
        let to = 1 - from.min(1);
        let deliver = (now + self.delay + Duration::from_nanos(extra))
            .max(self.last.get(to).copied().unwrap_or_default());
        if let Some(l) = self.last.get_mut(to) {
            *l = deliver;
        }
        let m = Message {
            sent: now,
            deliver,
            from,
            body,
        };
        self.log.push(m.clone());
        self.queue.push(m);
    }

    /// Messages for peer `to` due at `now`, in order.
    pub fn take_due(&mut self, to: usize, now: Instant) -> Vec<Message> {
        let mut due = Vec::new();
        self.queue.retain(|m| {
            if m.from != to && m.deliver <= now {
                due.push(m.clone());
                false
            } else {
                true
            }
        });
        due
    }

    /// When the next message for `to` is due.
    #[must_use]
    pub fn next_for(&self, to: usize) -> Option<Instant> {
        self.queue
            .iter()
            .filter(|m| m.from != to)
            .map(|m| m.deliver)
            .min()
    }
}
