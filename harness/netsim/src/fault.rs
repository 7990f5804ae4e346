//! Time-scheduled faults: partition (both ways or one way), hold and release, heal, and
//! changing a link's impairments mid-run.

use crate::link::LinkConfig;

/// Which direction(s) of a link a fault applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LinkDirection {
    /// Both.
    Both,
    /// From the node onto the segment (what the node sends).
    Egress,
    /// From the segment to the node (what the node receives).
    Ingress,
}

impl LinkDirection {
    pub(crate) const fn egress(self) -> bool {
        matches!(self, Self::Both | Self::Egress)
    }
    pub(crate) const fn ingress(self) -> bool {
        matches!(self, Self::Both | Self::Ingress)
    }
}

/// What a fault does to the link between `node` and `segment`.
#[derive(Clone, Debug, PartialEq)]
pub enum FaultAction {
    /// Drop everything.
    Partition,
    /// Keep packets back (in order) until released or healed.
    Hold,
    /// Let held packets go (they arrive at the release time) and stop holding.
    Release,
    /// End partitions and holds (releasing held packets).
    Heal,
    /// Replace the link's impairments.
    Configure(LinkConfig),
}

/// A fault on the link between a node and a segment, scheduled with
/// [`crate::NetworkBuilder::fault`] or [`crate::Network::schedule`].
#[derive(Clone, Debug, PartialEq)]
pub struct Fault {
    /// Node name.
    pub node: String,
    /// Segment name.
    pub segment: String,
    /// Direction(s).
    pub direction: LinkDirection,
    /// What happens.
    pub action: FaultAction,
}

impl Fault {
    fn new(node: &str, segment: &str, direction: LinkDirection, action: FaultAction) -> Self {
        Self {
            node: node.to_owned(),
            segment: segment.to_owned(),
            direction,
            action,
        }
    }

    /// Cut the link both ways.
    #[must_use]
    pub fn partition(node: &str, segment: &str) -> Self {
        Self::new(node, segment, LinkDirection::Both, FaultAction::Partition)
    }

    /// Cut one direction of the link.
    #[must_use]
    pub fn partition_oneway(node: &str, segment: &str, direction: LinkDirection) -> Self {
        Self::new(node, segment, direction, FaultAction::Partition)
    }

    /// Hold packets on the link (both ways).
    #[must_use]
    pub fn hold(node: &str, segment: &str) -> Self {
        Self::new(node, segment, LinkDirection::Both, FaultAction::Hold)
    }

    /// Release held packets (both ways).
    #[must_use]
    pub fn release(node: &str, segment: &str) -> Self {
        Self::new(node, segment, LinkDirection::Both, FaultAction::Release)
    }

    /// Heal the link (both ways).
    #[must_use]
    pub fn heal(node: &str, segment: &str) -> Self {
        Self::new(node, segment, LinkDirection::Both, FaultAction::Heal)
    }

    /// Change the link's impairments (both ways).
    #[must_use]
    pub fn configure(node: &str, segment: &str, config: LinkConfig) -> Self {
        Self::new(
            node,
            segment,
            LinkDirection::Both,
            FaultAction::Configure(config),
        )
    }
}
