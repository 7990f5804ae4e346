//! A TCP connection model, one stack per host: enough for TURN over TCP and ICE-TCP.
//!
//! Handshake (SYN, SYN-ACK, ACK, including simultaneous open), an ordered byte stream with
//! retransmission (fixed RTO, doubled on each retry, go-back-one), out-of-order buffering,
//! orderly close (FIN) and reset (RST). Sequence and acknowledgement numbers are real, so
//! captures follow as TCP streams. Not modelled: congestion and flow control (the window is
//! fixed), TIME-WAIT, urgent data, options other than MSS on SYN.

use core::time::Duration;
use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;

use harness_core::endpoint::{TcpEvent, Transport, TransportContext};
use harness_core::rng::SeededRng;
use harness_core::time::Instant;

use crate::packet::{DEFAULT_TTL, L4, Packet, TcpFlags, TcpHeader};

const WINDOW: u16 = 65_535;
const INITIAL_RTO: Duration = Duration::from_secs(1);
const DATA_RTO: Duration = Duration::from_millis(200);
const SYN_RETRIES: u32 = 3;
const DATA_RETRIES: u32 = 8;

/// What the stack asks the network to do.
#[derive(Debug)]
pub(crate) enum TcpAction {
    /// Send this segment (the network assigns its trace id).
    Send(Packet),
    /// Tell endpoint `endpoint` about a connection.
    Event {
        endpoint: usize,
        context: TransportContext,
        event: TcpEvent,
    },
    /// Deliver in-order stream bytes to endpoint `endpoint`.
    Data {
        endpoint: usize,
        context: TransportContext,
        bytes: Vec<u8>,
    },
    /// Call [`TcpStack::on_timer`] for this connection at `at`.
    Timer { key: ConnKey, at: Instant },
}

/// (local, remote).
pub(crate) type ConnKey = (SocketAddr, SocketAddr);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    SynSent,
    SynReceived,
    Established,
}

#[derive(Debug)]
struct Segment {
    seq: u32,
    flags: TcpFlags,
    data: Vec<u8>,
}

impl Segment {
    fn seq_len(&self) -> u32 {
        let syn_fin = u32::from(self.flags.contains(TcpFlags::SYN))
            + u32::from(self.flags.contains(TcpFlags::FIN));
        u32::try_from(self.data.len())
            .unwrap_or(u32::MAX)
            .wrapping_add(syn_fin)
    }
}

#[derive(Debug)]
struct Conn {
    endpoint: usize,
    active: bool,
    state: State,
    iss: u32,
    snd_una: u32,
    snd_nxt: u32,
    rcv_nxt: u32,
    unacked: VecDeque<Segment>,
    out_of_order: BTreeMap<u32, (Vec<u8>, bool)>,
    pending: Vec<u8>,
    close_pending: bool,
    rto: Duration,
    retries: u32,
    timer: Option<Instant>,
    fin_sent: bool,
    fin_received: bool,
}

fn before(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) < 0
}

/// The TCP connections of one host.
#[derive(Debug)]
pub(crate) struct TcpStack {
    conns: BTreeMap<ConnKey, Conn>,
    rng: SeededRng,
}

fn context(key: ConnKey) -> TransportContext {
    TransportContext {
        local: key.0,
        remote: key.1,
        transport: Transport::Tcp,
    }
}

fn segment(key: ConnKey, seq: u32, ack: u32, flags: TcpFlags, data: Vec<u8>) -> Packet {
    Packet {
        id: 0,
        src: key.0,
        dst: key.1,
        ttl: DEFAULT_TTL,
        l4: L4::Tcp(TcpHeader {
            seq,
            ack,
            flags,
            window: WINDOW,
        }),
        payload: data,
    }
}

impl TcpStack {
    pub(crate) fn new(rng: SeededRng) -> Self {
        Self {
            conns: BTreeMap::new(),
            rng,
        }
    }

    fn new_conn(&mut self, endpoint: usize, active: bool, state: State) -> Conn {
        let iss = u32::try_from(self.rng.below(1 << 32)).unwrap_or(0);
        Conn {
            endpoint,
            active,
            state,
            iss,
            snd_una: iss,
            snd_nxt: iss.wrapping_add(1),
            rcv_nxt: 0,
            unacked: VecDeque::new(),
            out_of_order: BTreeMap::new(),
            pending: Vec::new(),
            close_pending: false,
            rto: INITIAL_RTO,
            retries: 0,
            timer: None,
            fin_sent: false,
            fin_received: false,
        }
    }

    /// `Output::Tcp(Connect)`.
    pub(crate) fn connect(
        &mut self,
        now: Instant,
        endpoint: usize,
        ctx: TransportContext,
        out: &mut Vec<TcpAction>,
    ) {
        let key = (ctx.local, ctx.remote);
        if self.conns.contains_key(&key) {
            out.push(TcpAction::Event {
                endpoint,
                context: ctx,
                event: TcpEvent::ConnectFailed,
            });
            return;
        }
        let mut c = self.new_conn(endpoint, true, State::SynSent);
        c.unacked.push_back(Segment {
            seq: c.iss,
            flags: TcpFlags::SYN,
            data: Vec::new(),
        });
        out.push(TcpAction::Send(segment(
            key,
            c.iss,
            0,
            TcpFlags::SYN,
            Vec::new(),
        )));
        arm(&mut c, key, now, out);
        self.conns.insert(key, c);
    }

    /// Stream bytes from an endpoint (`Output::Transmit` with TCP). Returns false when there
    /// is no such connection.
    pub(crate) fn send(
        &mut self,
        now: Instant,
        key: ConnKey,
        data: &[u8],
        out: &mut Vec<TcpAction>,
    ) -> bool {
        let Some(c) = self.conns.get_mut(&key) else {
            return false;
        };
        if c.fin_sent || c.close_pending {
            return false;
        }
        if c.state == State::Established {
            push_data(c, key, now, data, out);
        } else {
            c.pending.extend_from_slice(data);
        }
        true
    }

    /// `Output::Tcp(Close)`.
    pub(crate) fn close(&mut self, now: Instant, key: ConnKey, out: &mut Vec<TcpAction>) {
        let Some(c) = self.conns.get_mut(&key) else {
            return;
        };
        if c.state == State::Established {
            send_fin(c, key, now, out);
            self.reap(key);
        } else {
            c.close_pending = true;
        }
    }

    /// `Output::Tcp(Abort)`.
    pub(crate) fn abort(&mut self, key: ConnKey, out: &mut Vec<TcpAction>) {
        if let Some(c) = self.conns.remove(&key) {
            out.push(TcpAction::Send(segment(
                key,
                c.snd_nxt,
                c.rcv_nxt,
                TcpFlags::RST.with(TcpFlags::ACK),
                Vec::new(),
            )));
        }
    }

    fn reap(&mut self, key: ConnKey) {
        if self
            .conns
            .get(&key)
            .is_some_and(|c| c.fin_sent && c.fin_received && c.unacked.is_empty())
        {
            self.conns.remove(&key);
        }
    }

    /// A retransmission timer fired.
    pub(crate) fn on_timer(&mut self, now: Instant, key: ConnKey, out: &mut Vec<TcpAction>) {
        let Some(c) = self.conns.get_mut(&key) else {
            return;
        };
        if c.timer != Some(now) {
            return;
        }
        c.timer = None;
        let Some(first) = c.unacked.front() else {
            return;
        };
        let limit = if c.state == State::Established {
            DATA_RETRIES
        } else {
            SYN_RETRIES
        };
        if c.retries >= limit {
            let event = if c.state == State::SynSent {
                TcpEvent::ConnectFailed
            } else {
                TcpEvent::Reset
            };
            let notify = c.state != State::SynReceived || c.active;
            let endpoint = c.endpoint;
            self.conns.remove(&key);
            if notify {
                out.push(TcpAction::Event {
                    endpoint,
                    context: context(key),
                    event,
                });
            }
            return;
        }
        let ack = if first.flags.contains(TcpFlags::SYN) && c.state == State::SynSent {
            0
        } else {
            c.rcv_nxt
        };
        out.push(TcpAction::Send(segment(
            key,
            first.seq,
            ack,
            first.flags,
            first.data.clone(),
        )));
        c.retries += 1;
        c.rto = c.rto.saturating_mul(2);
        arm(c, key, now, out);
    }

    /// A segment arrived for `key` = (its destination, its source). `listener` is the
    /// endpoint listening on the destination, if any. Returns false when the segment belongs
    /// to no connection and was answered with a RST (or ignored).
    pub(crate) fn on_segment(
        &mut self,
        now: Instant,
        p: &Packet,
        listener: Option<usize>,
        out: &mut Vec<TcpAction>,
    ) -> bool {
        let L4::Tcp(h) = p.l4 else {
            return false;
        };
        let key = (p.dst, p.src);
        let data_len = u32::try_from(p.payload.len()).unwrap_or(u32::MAX);
        let Some(c) = self.conns.get_mut(&key) else {
            if h.flags.contains(TcpFlags::RST) {
                return false;
            }
            if h.flags.contains(TcpFlags::SYN)
                && !h.flags.contains(TcpFlags::ACK)
                && let Some(endpoint) = listener
            {
                let mut c = self.new_conn(endpoint, false, State::SynReceived);
                c.rcv_nxt = h.seq.wrapping_add(1);
                let flags = TcpFlags::SYN.with(TcpFlags::ACK);
                c.unacked.push_back(Segment {
                    seq: c.iss,
                    flags,
                    data: Vec::new(),
                });
                out.push(TcpAction::Send(segment(
                    key,
                    c.iss,
                    c.rcv_nxt,
                    flags,
                    Vec::new(),
                )));
                arm(&mut c, key, now, out);
                self.conns.insert(key, c);
                return true;
            }
            // RFC 793: a segment for no connection is answered with a reset.
            let (seq, ack, flags) = if h.flags.contains(TcpFlags::ACK) {
                (h.ack, 0, TcpFlags::RST)
            } else {
                let syn = u32::from(h.flags.contains(TcpFlags::SYN));
                let fin = u32::from(h.flags.contains(TcpFlags::FIN));
                (
                    0,
                    h.seq.wrapping_add(data_len).wrapping_add(syn + fin),
                    TcpFlags::RST.with(TcpFlags::ACK),
                )
            };
            out.push(TcpAction::Send(segment(key, seq, ack, flags, Vec::new())));
            return false;
        };
        if h.flags.contains(TcpFlags::RST) {
            let event = match c.state {
                State::SynSent => Some(TcpEvent::ConnectFailed),
                State::SynReceived if !c.active => None,
                _ => Some(TcpEvent::Reset),
            };
            let endpoint = c.endpoint;
            self.conns.remove(&key);
            if let Some(event) = event {
                out.push(TcpAction::Event {
                    endpoint,
                    context: context(key),
                    event,
                });
            }
            return true;
        }
        let syn = h.flags.contains(TcpFlags::SYN);
        let ack_flag = h.flags.contains(TcpFlags::ACK);
        match c.state {
            State::SynSent => {
                if syn && ack_flag && h.ack == c.iss.wrapping_add(1) {
                    c.rcv_nxt = h.seq.wrapping_add(1);
                    establish(c, key, now, TcpEvent::Connected, out);
                    out.push(ack_now(c, key));
                    flush_pending(c, key, now, out);
                } else if syn && !ack_flag {
                    // Simultaneous open (RFC 793 §3.4, used by ICE-TCP S-O candidates).
                    c.rcv_nxt = h.seq.wrapping_add(1);
                    c.state = State::SynReceived;
                    let flags = TcpFlags::SYN.with(TcpFlags::ACK);
                    if let Some(s) = c.unacked.front_mut() {
                        s.flags = flags;
                    }
                    out.push(TcpAction::Send(segment(
                        key,
                        c.iss,
                        c.rcv_nxt,
                        flags,
                        Vec::new(),
                    )));
                }
                return true;
            }
            State::SynReceived => {
                if ack_flag && h.ack == c.iss.wrapping_add(1) {
                    let event = if c.active {
                        TcpEvent::Connected
                    } else {
                        TcpEvent::Accepted
                    };
                    establish(c, key, now, event, out);
                    if syn {
                        out.push(ack_now(c, key));
                    }
                    flush_pending(c, key, now, out);
                    if syn {
                        return true;
                    }
                } else {
                    return true;
                }
            }
            State::Established => {
                if syn {
                    // A retransmitted SYN-ACK: our ACK was lost; acknowledge again.
                    out.push(ack_now(c, key));
                    return true;
                }
            }
        }
        if ack_flag && before(c.snd_una, h.ack) && !before(c.snd_nxt, h.ack) {
            c.snd_una = h.ack;
            while c
                .unacked
                .front()
                .is_some_and(|s| !before(h.ack, s.seq.wrapping_add(s.seq_len())))
            {
                c.unacked.pop_front();
            }
            c.retries = 0;
            c.rto = DATA_RTO;
            c.timer = None;
            if !c.unacked.is_empty() {
                arm(c, key, now, out);
            }
        }
        let fin = h.flags.contains(TcpFlags::FIN);
        if data_len > 0 || fin {
            receive(c, key, h.seq, &p.payload, fin, out);
        }
        self.reap(key);
        true
    }
}

fn arm(c: &mut Conn, key: ConnKey, now: Instant, out: &mut Vec<TcpAction>) {
    let at = now + c.rto;
    c.timer = Some(at);
    out.push(TcpAction::Timer { key, at });
}

fn establish(c: &mut Conn, key: ConnKey, now: Instant, event: TcpEvent, out: &mut Vec<TcpAction>) {
    c.state = State::Established;
    c.unacked.clear();
    c.snd_una = c.snd_nxt;
    c.retries = 0;
    c.rto = DATA_RTO;
    c.timer = None;
    let _ = now;
    out.push(TcpAction::Event {
        endpoint: c.endpoint,
        context: context(key),
        event,
    });
}

fn flush_pending(c: &mut Conn, key: ConnKey, now: Instant, out: &mut Vec<TcpAction>) {
    if !c.pending.is_empty() {
        let data = core::mem::take(&mut c.pending);
        push_data(c, key, now, &data, out);
    }
    if c.close_pending {
        c.close_pending = false;
        send_fin(c, key, now, out);
    }
}

fn mss(key: ConnKey) -> usize {
    if key.0.is_ipv4() { 1460 } else { 1440 }
}

fn push_data(c: &mut Conn, key: ConnKey, now: Instant, data: &[u8], out: &mut Vec<TcpAction>) {
    let idle = c.unacked.is_empty();
    for chunk in data.chunks(mss(key)) {
        let flags = TcpFlags::PSH.with(TcpFlags::ACK);
        out.push(TcpAction::Send(segment(
            key,
            c.snd_nxt,
            c.rcv_nxt,
            flags,
            chunk.to_vec(),
        )));
        c.unacked.push_back(Segment {
            seq: c.snd_nxt,
            flags,
            data: chunk.to_vec(),
        });
        c.snd_nxt = c
            .snd_nxt
            .wrapping_add(u32::try_from(chunk.len()).unwrap_or(u32::MAX));
    }
    if idle && !c.unacked.is_empty() {
        arm(c, key, now, out);
    }
}

fn send_fin(c: &mut Conn, key: ConnKey, now: Instant, out: &mut Vec<TcpAction>) {
    if c.fin_sent {
        return;
    }
    let idle = c.unacked.is_empty();
    let flags = TcpFlags::FIN.with(TcpFlags::ACK);
    out.push(TcpAction::Send(segment(
        key,
        c.snd_nxt,
        c.rcv_nxt,
        flags,
        Vec::new(),
    )));
    c.unacked.push_back(Segment {
        seq: c.snd_nxt,
        flags,
        data: Vec::new(),
    });
    c.snd_nxt = c.snd_nxt.wrapping_add(1);
    c.fin_sent = true;
    if idle {
        arm(c, key, now, out);
    }
}

fn receive(
    c: &mut Conn,
    key: ConnKey,
    seq: u32,
    payload: &[u8],
    fin: bool,
    out: &mut Vec<TcpAction>,
) {
    if c.fin_received {
        out.push(ack_now(c, key));
        return;
    }
    let len = u32::try_from(payload.len()).unwrap_or(u32::MAX);
    if before(c.rcv_nxt, seq) {
        c.out_of_order.entry(seq).or_insert((payload.to_vec(), fin));
        out.push(ack_now(c, key));
        return;
    }
    // Skip bytes already received.
    let skip = usize::try_from(c.rcv_nxt.wrapping_sub(seq)).unwrap_or(usize::MAX);
    let fresh = payload.get(skip..).unwrap_or(&[]);
    let mut fin_now = fin && !before(seq.wrapping_add(len), c.rcv_nxt);
    if !fresh.is_empty() {
        deliver(c, key, fresh.to_vec(), out);
    }
    while !fin_now {
        let Some((&next, _)) = c.out_of_order.first_key_value() else {
            break;
        };
        if before(c.rcv_nxt, next) {
            break;
        }
        let Some((_, (bytes, seg_fin))) = c.out_of_order.pop_first() else {
            break;
        };
        let skip = usize::try_from(c.rcv_nxt.wrapping_sub(next)).unwrap_or(usize::MAX);
        if let Some(rest) = bytes.get(skip..).filter(|r| !r.is_empty()) {
            deliver(c, key, rest.to_vec(), out);
        }
        fin_now = seg_fin;
    }
    if fin_now {
        c.rcv_nxt = c.rcv_nxt.wrapping_add(1);
        c.fin_received = true;
        c.out_of_order.clear();
        out.push(TcpAction::Event {
            endpoint: c.endpoint,
            context: context(key),
            event: TcpEvent::Closed,
        });
    }
    out.push(ack_now(c, key));
}

fn deliver(c: &mut Conn, key: ConnKey, bytes: Vec<u8>, out: &mut Vec<TcpAction>) {
    c.rcv_nxt = c
        .rcv_nxt
        .wrapping_add(u32::try_from(bytes.len()).unwrap_or(u32::MAX));
    out.push(TcpAction::Data {
        endpoint: c.endpoint,
        context: context(key),
        bytes,
    });
}

fn ack_now(c: &Conn, key: ConnKey) -> TcpAction {
    TcpAction::Send(segment(
        key,
        c.snd_nxt,
        c.rcv_nxt,
        TcpFlags::ACK,
        Vec::new(),
    ))
}
