//! Impaired links: delay, bounded jitter, loss, duplication, reordering, MTU, rate and queue
//! limits, and the state that time-scheduled faults (partition, hold) act on.
//!
//! A link is one direction of an attachment between a node's interface and a segment. Each
//! direction has its own random stream, derived from the run seed and a stable label
//! (`link/<node>/<segment>/up` for node → segment, `.../down` for segment → node).

use core::time::Duration;

use harness_core::rng::SeededRng;
use harness_core::time::Instant;

use crate::packet::Packet;
use crate::trace::DropReason;

/// How a link loses packets.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub enum Loss {
    /// Never.
    #[default]
    None,
    /// Each packet independently with this probability.
    Bernoulli(f64),
    /// The two-state Gilbert-Elliott model: a good and a bad state, each with its own loss
    /// probability, and per-packet transition probabilities between them.
    GilbertElliott {
        /// Probability of moving from good to bad before a packet.
        good_to_bad: f64,
        /// Probability of moving from bad to good before a packet.
        bad_to_good: f64,
        /// Loss probability in the good state.
        loss_good: f64,
        /// Loss probability in the bad state.
        loss_bad: f64,
    },
}

impl Loss {
    /// The long-run loss rate the model converges to.
    #[must_use]
    pub fn mean_rate(&self) -> f64 {
        match *self {
            Self::None => 0.0,
            Self::Bernoulli(p) => p,
            Self::GilbertElliott {
                good_to_bad,
                bad_to_good,
                loss_good,
                loss_bad,
            } => {
                let total = good_to_bad + bad_to_good;
                if total <= 0.0 {
                    return loss_good;
                }
                let p_bad = good_to_bad / total;
                p_bad * loss_bad + (1.0 - p_bad) * loss_good
            }
        }
    }
}

/// A serialisation rate with a bounded queue in front of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    /// Bits per second.
    pub bits_per_second: u64,
    /// Bytes the queue holds before tail-dropping.
    pub queue_bytes: usize,
}

/// The impairments of one link direction. Build with the chainable setters:
///
/// ```
/// use core::time::Duration;
/// use harness_netsim::{LinkConfig, Loss};
/// let wan = LinkConfig::new()
///     .delay(Duration::from_millis(40))
///     .jitter(Duration::from_millis(5))
///     .loss(Loss::Bernoulli(0.01));
/// assert_eq!(wan.delay, Duration::from_millis(40));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LinkConfig {
    /// Fixed one-way delay.
    pub delay: Duration,
    /// Each packet's delay varies uniformly in `delay ± jitter` (never below zero). Packets
    /// stay in order unless `reorder` picks them.
    pub jitter: Duration,
    /// Loss model.
    pub loss: Loss,
    /// Probability that a packet is delivered twice.
    pub duplicate: f64,
    /// Probability that a packet is held back by `reorder_gap` and overtaken by later ones.
    pub reorder: f64,
    /// Extra delay of a reordered packet.
    pub reorder_gap: Duration,
    /// Largest IP packet carried; bigger ones are dropped (no fragmentation).
    pub mtu: Option<usize>,
    /// Optional serialisation rate and queue limit.
    pub rate: Option<RateLimit>,
}

impl Default for LinkConfig {
    fn default() -> Self {
        Self::new()
    }
}

impl LinkConfig {
    /// A perfect link: no delay, no loss, no MTU limit.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            delay: Duration::ZERO,
            jitter: Duration::ZERO,
            loss: Loss::None,
            duplicate: 0.0,
            reorder: 0.0,
            reorder_gap: Duration::from_millis(10),
            mtu: None,
            rate: None,
        }
    }

    /// Sets the one-way delay.
    #[must_use]
    pub const fn delay(mut self, d: Duration) -> Self {
        self.delay = d;
        self
    }
    /// Sets the jitter bound.
    #[must_use]
    pub const fn jitter(mut self, d: Duration) -> Self {
        self.jitter = d;
        self
    }
    /// Sets the loss model.
    #[must_use]
    pub const fn loss(mut self, loss: Loss) -> Self {
        self.loss = loss;
        self
    }
    /// Sets the duplication probability.
    #[must_use]
    pub const fn duplicate(mut self, p: f64) -> Self {
        self.duplicate = p;
        self
    }
    /// Sets the reordering probability and the extra delay of reordered packets.
    #[must_use]
    pub const fn reorder(mut self, p: f64, gap: Duration) -> Self {
        self.reorder = p;
        self.reorder_gap = gap;
        self
    }
    /// Sets the MTU.
    #[must_use]
    pub const fn mtu(mut self, bytes: usize) -> Self {
        self.mtu = Some(bytes);
        self
    }
    /// Sets a rate limit with a queue of `queue_bytes`.
    #[must_use]
    pub const fn rate(mut self, bits_per_second: u64, queue_bytes: usize) -> Self {
        self.rate = Some(RateLimit {
            bits_per_second,
            queue_bytes,
        });
        self
    }

    /// Whether the link does nothing to packets (the fast path).
    #[must_use]
    pub fn is_perfect(&self) -> bool {
        *self == Self::new()
    }
}

/// What a link does with one packet.
#[derive(Debug)]
pub(crate) enum LinkVerdict {
    /// Dropped for this reason.
    Drop(DropReason),
    /// Arrives at `at`; a duplicate (if any) arrives at `duplicate`.
    Deliver {
        at: Instant,
        duplicate: Option<Instant>,
    },
    /// Held by a `hold` fault; released later.
    Held,
}

/// One direction of a link, with its random stream and fault state.
#[derive(Debug)]
pub(crate) struct LinkState {
    pub(crate) config: LinkConfig,
    perfect: bool,
    rng: SeededRng,
    bad_state: bool,
    last_arrival: Instant,
    busy_until: Instant,
    pub(crate) partitioned: bool,
    pub(crate) held: bool,
}

impl LinkState {
    pub(crate) fn new(config: LinkConfig, rng: SeededRng) -> Self {
        Self {
            perfect: config.is_perfect(),
            config,
            rng,
            bad_state: false,
            last_arrival: Instant::ZERO,
            busy_until: Instant::ZERO,
            partitioned: false,
            held: false,
        }
    }

    pub(crate) fn reconfigure(&mut self, config: LinkConfig) {
        self.perfect = config.is_perfect();
        self.config = config;
    }

    /// Decides the fate of a packet entering the link at `now`.
    pub(crate) fn offer(&mut self, now: Instant, packet: &Packet) -> LinkVerdict {
        if self.partitioned {
            return LinkVerdict::Drop(DropReason::Partition);
        }
        if self.held {
            return LinkVerdict::Held;
        }
        if self.perfect {
            return LinkVerdict::Deliver {
                at: now,
                duplicate: None,
            };
        }
        let c = self.config;
        let size = packet.wire_len();
        if c.mtu.is_some_and(|mtu| size > mtu) {
            return LinkVerdict::Drop(DropReason::Mtu);
        }
        if self.lost() {
            return LinkVerdict::Drop(DropReason::Loss);
        }
        let mut departure = now;
        if let Some(rate) = c.rate {
            let bps = rate.bits_per_second.max(1);
            let start = self.busy_until.max(now);
            let backlog_ns = (start - now).as_nanos();
            let backlog_bytes = backlog_ns.saturating_mul(u128::from(bps)) / 8_000_000_000;
            if backlog_bytes.saturating_add(size as u128) > rate.queue_bytes as u128 {
                return LinkVerdict::Drop(DropReason::QueueFull);
            }
            let tx_ns = (size as u128).saturating_mul(8_000_000_000) / u128::from(bps);
            departure = start + Duration::from_nanos(u64::try_from(tx_ns).unwrap_or(u64::MAX));
            self.busy_until = departure;
        }
        let mut at = departure + c.delay;
        if !c.jitter.is_zero() {
            let span = u64::try_from(c.jitter.as_nanos()).unwrap_or(u64::MAX / 4);
            let offset = self.rng.below(span.saturating_mul(2).saturating_add(1));
            let shifted = at.as_nanos().saturating_add(offset).saturating_sub(span);
            at = Instant::from_nanos(shifted).max(departure);
        }
        if c.reorder > 0.0 && self.rng.chance(c.reorder) {
            at += c.reorder_gap;
        } else {
            at = at.max(self.last_arrival);
            self.last_arrival = at;
        }
        let duplicate = (c.duplicate > 0.0 && self.rng.chance(c.duplicate)).then_some(at);
        LinkVerdict::Deliver { at, duplicate }
    }

    fn lost(&mut self) -> bool {
        match self.config.loss {
            Loss::None => false,
            Loss::Bernoulli(p) => self.rng.chance(p),
            Loss::GilbertElliott {
                good_to_bad,
                bad_to_good,
                loss_good,
                loss_bad,
            } => {
                let flip = if self.bad_state {
                    bad_to_good
                } else {
                    good_to_bad
                };
                if self.rng.chance(flip) {
                    self.bad_state = !self.bad_state;
                }
                self.rng
                    .chance(if self.bad_state { loss_bad } else { loss_good })
            }
        }
    }
}
