//! TURN allocations over time: permissions and channels installed by successful
//! CreatePermission and ChannelBind transactions, and the rules that need them.

use harness_capture::hash::FastMap;
use std::net::{IpAddr, SocketAddr};

use harness_capture::Transport;
use harness_core::rules::{Finding, Location};

use crate::rules::{
    CHANNEL_LIFETIME_NS, PERMISSION_LIFETIME_NS, TURN_CHANNEL_BOUND, TURN_SEND_PERMISSION,
    TURN_SERVER_USES_CHANNEL,
};

/// One allocation: the client 5-tuple with what it installed.
#[derive(Clone, Debug)]
pub struct Allocation {
    /// UDP or TCP between client and server.
    pub transport: Transport,
    /// The client's address.
    pub client: SocketAddr,
    /// The server's address.
    pub server: SocketAddr,
    /// Frame of the first TURN message seen for it.
    pub first_frame: u64,
    /// The Allocate success was seen, so the capture holds the allocation's whole life:
    /// only then are permission and channel rules judged.
    pub observed_from_start: bool,
    /// XOR-RELAYED-ADDRESS of the Allocate success.
    pub relayed: Option<SocketAddr>,
    /// Permissions: peer IP and when installed or last refreshed (capture ns).
    pub permissions: FastMap<IpAddr, u64>,
    /// Channels: number to peer and when bound or last refreshed.
    pub channels: FastMap<u16, (SocketAddr, u64)>,
    /// ChannelBind requests sent and not yet answered with success.
    pub pending_channels: FastMap<u16, SocketAddr>,
    /// Successful Refresh transactions.
    pub refreshes: u64,
    /// Deleted by a Refresh with LIFETIME 0.
    pub deleted: bool,
    /// Send indications sent.
    pub sends: u64,
    /// Data indications received.
    pub data_indications: u64,
    /// ChannelData messages in either direction.
    pub channel_data: u64,
    /// Distinct permissions ever installed.
    pub permissions_installed: u64,
    /// Distinct channels ever bound.
    pub channels_bound: u64,
}

/// Every allocation of the capture.
#[derive(Debug, Default)]
pub struct TurnState {
    index: FastMap<(Transport, SocketAddr, SocketAddr), usize>,
    /// In order of first appearance.
    pub list: Vec<Allocation>,
}

/// Most allocations followed.
const MAX_ALLOCATIONS: usize = 4096;
/// Most permissions or channels remembered per allocation.
const MAX_PER_ALLOCATION: usize = 4096;

impl TurnState {
    /// The allocation of `client -> server`, created when `create`.
    pub fn allocation(
        &mut self,
        transport: Transport,
        client: SocketAddr,
        server: SocketAddr,
        frame: u64,
        create: bool,
    ) -> Option<&mut Allocation> {
        let key = (transport, client, server);
        if let Some(&i) = self.index.get(&key) {
            return self.list.get_mut(i);
        }
        if !create || self.list.len() >= MAX_ALLOCATIONS {
            return None;
        }
        self.index.insert(key, self.list.len());
        self.list.push(Allocation {
            transport,
            client,
            server,
            first_frame: frame,
            observed_from_start: false,
            relayed: None,
            permissions: FastMap::default(),
            channels: FastMap::default(),
            pending_channels: FastMap::default(),
            refreshes: 0,
            deleted: false,
            sends: 0,
            data_indications: 0,
            channel_data: 0,
            permissions_installed: 0,
            channels_bound: 0,
        });
        self.list.last_mut()
    }
}

impl Allocation {
    /// A successful Allocate: the capture now holds the allocation from its start.
    pub fn allocated(&mut self, relayed: Option<SocketAddr>) {
        self.observed_from_start = true;
        self.deleted = false;
        self.relayed = relayed;
        self.permissions.clear();
        self.channels.clear();
        self.pending_channels.clear();
    }

    /// Installs or refreshes a permission for `peer` at `now`.
    pub fn permit(&mut self, peer: IpAddr, now: u64) {
        let room =
            self.permissions.len() < MAX_PER_ALLOCATION || self.permissions.contains_key(&peer);
        if room && self.permissions.insert(peer, now).is_none() {
            self.permissions_installed = self.permissions_installed.saturating_add(1);
        }
    }

    /// Binds (or refreshes) `number` to `peer` at `now`; installs the peer's permission too.
    pub fn bind(&mut self, number: u16, peer: SocketAddr, now: u64) {
        self.pending_channels.remove(&number);
        let room = self.channels.len() < MAX_PER_ALLOCATION || self.channels.contains_key(&number);
        if room && self.channels.insert(number, (peer, now)).is_none() {
            self.channels_bound = self.channels_bound.saturating_add(1);
        }
        self.permit(peer.ip(), now);
    }

    fn has_permission(&self, peer: IpAddr, now: u64) -> bool {
        self.permissions
            .get(&peer)
            .is_some_and(|&t| now.saturating_sub(t) <= PERMISSION_LIFETIME_NS)
    }

    fn channel(&self, number: u16, now: u64) -> Option<SocketAddr> {
        self.channels
            .get(&number)
            .filter(|(_, t)| now.saturating_sub(*t) <= CHANNEL_LIFETIME_NS)
            .map(|(peer, _)| *peer)
    }

    /// A Send indication from the client to `peer`.
    pub fn send_indication(
        &mut self,
        peer: Option<SocketAddr>,
        now: u64,
        frame: u64,
    ) -> Option<Finding> {
        self.sends = self.sends.saturating_add(1);
        let peer = peer?;
        if !self.observed_from_start || self.deleted || self.has_permission(peer.ip(), now) {
            return None;
        }
        Some(Finding::new(
            &TURN_SEND_PERMISSION,
            Location::frame(frame),
            format!(
                "Send indication to {peer} without a permission for {}",
                peer.ip()
            ),
        ))
    }

    /// A Data indication from the server carrying data from `peer`.
    pub fn data_indication(
        &mut self,
        peer: Option<SocketAddr>,
        has_icmp: bool,
        now: u64,
        frame: u64,
    ) -> Option<Finding> {
        self.data_indications = self.data_indications.saturating_add(1);
        let peer = peer?;
        if has_icmp {
            return None;
        }
        let bound = self
            .channels
            .iter()
            .find(|(_, (p, t))| *p == peer && now.saturating_sub(*t) <= CHANNEL_LIFETIME_NS)
            .map(|(n, _)| *n)?;
        Some(Finding::new(
            &TURN_SERVER_USES_CHANNEL,
            Location::frame(frame),
            format!("Data indication from {peer}, which is bound to channel 0x{bound:04x}"),
        ))
    }

    /// A ChannelData message from the client on `number`.
    pub fn client_channel_data(&mut self, number: u16, now: u64, frame: u64) -> Option<Finding> {
        self.channel_data = self.channel_data.saturating_add(1);
        if !self.observed_from_start || self.deleted || self.channel(number, now).is_some() {
            return None;
        }
        let why = if self.pending_channels.contains_key(&number) {
            "before its ChannelBind succeeded"
        } else {
            "which no successful ChannelBind bound"
        };
        Some(Finding::new(
            &TURN_CHANNEL_BOUND,
            Location::frame(frame),
            format!("ChannelData on channel 0x{number:04x} {why}"),
        ))
    }
}
