//! Drives any sans-IO [`Endpoint`] over real tokio sockets.
//!
//! One task per socket reads datagrams (or TCP stream bytes) into a channel; the driver loop
//! feeds them to the endpoint with `now` taken from a monotonic clock mapped onto virtual time
//! ([`Instant::from_std`]), drains the outputs, and sleeps until the endpoint's deadline.

use std::collections::HashMap;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use harness_core::endpoint::{
    Endpoint, Input, Output, Socket, TcpCommand, TcpEvent, Transport, TransportContext,
};
use harness_core::time::Instant;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::OwnedWriteHalf;
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

/// A socket bound before the endpoint starts (so that port 0 resolves first).
#[derive(Debug)]
pub enum Prebound {
    /// A UDP socket.
    Udp(UdpSocket),
    /// A TCP listener.
    Tcp(TcpListener),
}

impl Prebound {
    /// The bound address and transport.
    ///
    /// # Errors
    /// When the OS cannot say.
    pub fn socket(&self) -> io::Result<Socket> {
        Ok(match self {
            Self::Udp(s) => Socket {
                addr: s.local_addr()?,
                transport: Transport::Udp,
            },
            Self::Tcp(l) => Socket {
                addr: l.local_addr()?,
                transport: Transport::Tcp,
            },
        })
    }
}

enum Net {
    Datagram(TransportContext, Vec<u8>),
    Tcp(TransportContext, TcpEvent, Option<OwnedWriteHalf>),
}

/// The real-time base of a run.
#[derive(Clone, Copy, Debug)]
pub struct Clock(tokio::time::Instant);

impl Clock {
    /// Starts the clock.
    #[must_use]
    pub fn start() -> Self {
        Self(tokio::time::Instant::now())
    }
    /// Virtual now.
    #[must_use]
    pub fn now(&self) -> Instant {
        Instant::from_std(self.0.into_std(), tokio::time::Instant::now().into_std())
    }
    /// The real instant of a virtual one.
    #[must_use]
    pub fn real(&self, t: Instant) -> tokio::time::Instant {
        tokio::time::Instant::from_std(t.to_std(self.0.into_std()))
    }
}

struct Sockets {
    udp: HashMap<SocketAddr, (Arc<UdpSocket>, JoinHandle<()>)>,
    listeners: HashMap<SocketAddr, JoinHandle<()>>,
    streams: HashMap<TransportContext, OwnedWriteHalf>,
    tx: mpsc::Sender<Net>,
}

fn spawn_udp(sock: Arc<UdpSocket>, tx: mpsc::Sender<Net>) -> io::Result<JoinHandle<()>> {
    let local = sock.local_addr()?;
    Ok(tokio::spawn(async move {
        let mut buf = vec![0u8; 65_536];
        loop {
            match sock.recv_from(&mut buf).await {
                Ok((n, remote)) => {
                    let ctx = TransportContext {
                        local,
                        remote,
                        transport: Transport::Udp,
                    };
                    let data = buf.get(..n).unwrap_or_default().to_vec();
                    if tx.send(Net::Datagram(ctx, data)).await.is_err() {
                        return;
                    }
                }
                Err(_) => tokio::task::yield_now().await,
            }
        }
    }))
}

fn spawn_reader(ctx: TransportContext, stream: TcpStream, tx: mpsc::Sender<Net>, event: TcpEvent) {
    let (mut read, write) = stream.into_split();
    tokio::spawn(async move {
        if tx.send(Net::Tcp(ctx, event, Some(write))).await.is_err() {
            return;
        }
        let mut buf = vec![0u8; 65_536];
        loop {
            match read.read(&mut buf).await {
                Ok(0) => {
                    let _ = tx.send(Net::Tcp(ctx, TcpEvent::Closed, None)).await;
                    return;
                }
                Ok(n) => {
                    let data = buf.get(..n).unwrap_or_default().to_vec();
                    if tx.send(Net::Datagram(ctx, data)).await.is_err() {
                        return;
                    }
                }
                Err(_) => {
                    let _ = tx.send(Net::Tcp(ctx, TcpEvent::Reset, None)).await;
                    return;
                }
            }
        }
    });
}

fn spawn_listener(l: TcpListener, tx: mpsc::Sender<Net>) -> io::Result<JoinHandle<()>> {
    let local = l.local_addr()?;
    Ok(tokio::spawn(async move {
        loop {
            if let Ok((stream, remote)) = l.accept().await {
                let _ = stream.set_nodelay(true);
                let ctx = TransportContext {
                    local,
                    remote,
                    transport: Transport::Tcp,
                };
                spawn_reader(ctx, stream, tx.clone(), TcpEvent::Accepted);
            }
        }
    }))
}

impl Sockets {
    fn add(&mut self, p: Prebound) -> io::Result<()> {
        match p {
            Prebound::Udp(s) => {
                let addr = s.local_addr()?;
                let s = Arc::new(s);
                let h = spawn_udp(Arc::clone(&s), self.tx.clone())?;
                self.udp.insert(addr, (s, h));
            }
            Prebound::Tcp(l) => {
                let addr = l.local_addr()?;
                let h = spawn_listener(l, self.tx.clone())?;
                self.listeners.insert(addr, h);
            }
        }
        Ok(())
    }

    async fn bind(&mut self, s: Socket) -> bool {
        let exists = match s.transport {
            Transport::Udp => self.udp.contains_key(&s.addr),
            Transport::Tcp => self.listeners.contains_key(&s.addr),
        };
        if exists {
            return true;
        }
        let r = match s.transport {
            Transport::Udp => UdpSocket::bind(s.addr).await.map(Prebound::Udp),
            Transport::Tcp => TcpListener::bind(s.addr).await.map(Prebound::Tcp),
        };
        match r.and_then(|p| self.add(p)) {
            Ok(()) => true,
            Err(e) => {
                eprintln!("cannot bind {} {}: {e}", s.transport, s.addr);
                false
            }
        }
    }

    fn unbind(&mut self, s: Socket) {
        match s.transport {
            Transport::Udp => {
                if let Some((_, h)) = self.udp.remove(&s.addr) {
                    h.abort();
                }
            }
            Transport::Tcp => {
                if let Some(h) = self.listeners.remove(&s.addr) {
                    h.abort();
                }
            }
        }
    }

    async fn send(&mut self, ctx: TransportContext, payload: &[u8]) {
        match ctx.transport {
            Transport::Udp => {
                if let Some((s, _)) = self.udp.get(&ctx.local) {
                    let _ = s.send_to(payload, ctx.remote).await;
                }
            }
            Transport::Tcp => {
                let failed = match self.streams.get_mut(&ctx) {
                    Some(w) => w.write_all(payload).await.is_err(),
                    None => false,
                };
                if failed {
                    self.streams.remove(&ctx);
                }
            }
        }
    }

    fn tcp(&mut self, cmd: TcpCommand) {
        match cmd {
            TcpCommand::Connect(ctx) => {
                let tx = self.tx.clone();
                tokio::spawn(async move {
                    let socket = match ctx.remote {
                        SocketAddr::V4(_) => tokio::net::TcpSocket::new_v4(),
                        SocketAddr::V6(_) => tokio::net::TcpSocket::new_v6(),
                    };
                    let r = match socket {
                        Ok(s) => {
                            if ctx.local.port() != 0 {
                                let _ = s.bind(ctx.local);
                            }
                            s.connect(ctx.remote).await
                        }
                        Err(e) => Err(e),
                    };
                    match r {
                        Ok(stream) => {
                            let _ = stream.set_nodelay(true);
                            spawn_reader(ctx, stream, tx, TcpEvent::Connected);
                        }
                        Err(_) => {
                            let _ = tx.send(Net::Tcp(ctx, TcpEvent::ConnectFailed, None)).await;
                        }
                    }
                });
            }
            TcpCommand::Close(ctx) | TcpCommand::Abort(ctx) => {
                self.streams.remove(&ctx);
            }
            _ => {}
        }
    }
}

/// Runs `ep` on `prebound` sockets (plus any it binds) until `stop` fires, handing every
/// event to `on_event`. When a socket the endpoint asks for cannot be bound (a port in use by
/// another process), `on_bind_failed` tells the endpoint.
///
/// # Errors
/// When a prebound socket cannot be registered.
pub async fn run<E: Endpoint>(
    mut ep: E,
    prebound: Vec<Prebound>,
    mut stop: oneshot::Receiver<()>,
    mut on_bind_failed: impl FnMut(&mut E, Socket),
    mut on_event: impl FnMut(Instant, E::Event),
) -> io::Result<E> {
    let clock = Clock::start();
    let (tx, mut rx) = mpsc::channel::<Net>(4096);
    let mut socks = Sockets {
        udp: HashMap::new(),
        listeners: HashMap::new(),
        streams: HashMap::new(),
        tx,
    };
    for p in prebound {
        socks.add(p)?;
    }
    let mut deadline: Option<Instant> = None;
    let mut first = true;
    loop {
        if !first {
            let sleep_until = deadline.map(|d| clock.real(d));
            let input = tokio::select! {
                _ = &mut stop => break,
                m = rx.recv() => match m {
                    Some(m) => Some(m),
                    None => break,
                },
                () = async {
                    match sleep_until {
                        Some(t) => tokio::time::sleep_until(t).await,
                        None => std::future::pending::<()>().await,
                    }
                } => None,
            };
            let now = clock.now();
            match input {
                Some(Net::Datagram(context, payload)) => ep.handle_input(Input::Datagram {
                    now,
                    context,
                    payload: &payload,
                }),
                Some(Net::Tcp(context, event, write)) => {
                    if let Some(w) = write {
                        socks.streams.insert(context, w);
                    } else {
                        socks.streams.remove(&context);
                    }
                    ep.handle_input(Input::Tcp {
                        now,
                        context,
                        event,
                    });
                }
                None => ep.handle_input(Input::Timeout { now }),
            }
        }
        first = false;
        deadline = None;
        for _ in 0..100_000 {
            match ep.poll_output() {
                Output::Transmit(t) => socks.send(t.context, &t.payload).await,
                Output::Event(e) => on_event(clock.now(), e),
                Output::Bind(s) => {
                    if !socks.bind(s).await {
                        on_bind_failed(&mut ep, s);
                    }
                }
                Output::Unbind(s) => socks.unbind(s),
                Output::Tcp(c) => socks.tcp(c),
                Output::Timeout(t) => {
                    deadline = Some(t);
                    break;
                }
                _ => break,
            }
        }
    }
    for (_, (_, h)) in socks.udp.drain() {
        h.abort();
    }
    for (_, h) in socks.listeners.drain() {
        h.abort();
    }
    Ok(ep)
}
