//! A small pcap / pcapng reader for tests: UDP datagrams with their frame numbers and
//! 5-tuples. Link types: Ethernet (with 802.1Q tags), Linux cooked (SLL, SLL2), raw IP,
//! BSD loopback. IPv4 fragments other than the first are skipped; IPv6 extension headers
//! are walked. This is the seed a capture crate can grow from.
#![allow(
    dead_code,
    reason = "each test binary uses a different part of the helper"
)]
#![allow(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    reason = "test support over trusted local files; slices are bounds-checked with get()"
)]

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::Path;

use pcap_parser::pcapng::Block;
use pcap_parser::{LegacyPcapSlice, PcapBlockOwned, PcapNGSlice};

/// One UDP datagram of a capture.
#[derive(Clone, Debug)]
pub(crate) struct UdpDatagram {
    /// 1-based frame number, as Wireshark counts.
    pub(crate) frame: u64,
    /// Source.
    pub(crate) src: SocketAddr,
    /// Destination.
    pub(crate) dst: SocketAddr,
    /// UDP payload.
    pub(crate) payload: Vec<u8>,
}

/// Every UDP datagram of the capture at `path`.
pub(crate) fn udp_datagrams(path: &Path) -> Result<Vec<UdpDatagram>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let frames = frames(&bytes)?;
    Ok(frames
        .into_iter()
        .enumerate()
        .filter_map(|(i, (linktype, data))| {
            let frame = u64::try_from(i).ok()? + 1;
            let (src, dst, payload) = udp_of(linktype, &data)?;
            Some(UdpDatagram {
                frame,
                src,
                dst,
                payload: payload.to_vec(),
            })
        })
        .collect())
}

/// Every packet record as `(linktype, data)`, in file order.
pub(crate) fn frames(bytes: &[u8]) -> Result<Vec<(i32, Vec<u8>)>, String> {
    let mut out = Vec::new();
    if let Ok(slice) = LegacyPcapSlice::from_slice(bytes) {
        let linktype = slice.header.network.0;
        for block in slice {
            if let PcapBlockOwned::Legacy(b) = block.map_err(|e| format!("pcap: {e:?}"))? {
                out.push((linktype, b.data.to_vec()));
            }
        }
        return Ok(out);
    }
    let slice = PcapNGSlice::from_slice(bytes).map_err(|e| format!("not pcap/pcapng: {e:?}"))?;
    let mut linktypes = Vec::new();
    for block in slice {
        match block.map_err(|e| format!("pcapng: {e:?}"))? {
            PcapBlockOwned::NG(Block::SectionHeader(_)) => linktypes.clear(),
            PcapBlockOwned::NG(Block::InterfaceDescription(idb)) => linktypes.push(idb.linktype.0),
            PcapBlockOwned::NG(Block::EnhancedPacket(epb)) => {
                let lt = linktypes
                    .get(usize::try_from(epb.if_id).unwrap_or(usize::MAX))
                    .copied()
                    .unwrap_or(1);
                let len = usize::try_from(epb.caplen).unwrap_or(0).min(epb.data.len());
                out.push((lt, epb.data[..len].to_vec()));
            }
            PcapBlockOwned::NG(Block::SimplePacket(spb)) => {
                out.push((linktypes.first().copied().unwrap_or(1), spb.data.to_vec()));
            }
            _ => {}
        }
    }
    Ok(out)
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*b.get(at)?, *b.get(at + 1)?]))
}

/// The network-layer packet of a link-layer frame: `(ethertype, packet)`.
fn network_of(linktype: i32, data: &[u8]) -> Option<(u16, &[u8])> {
    match linktype {
        // Ethernet, with any number of VLAN tags.
        1 => {
            let mut at = 12;
            let mut ethertype = be16(data, at)?;
            while ethertype == 0x8100 || ethertype == 0x88a8 {
                at += 4;
                ethertype = be16(data, at)?;
            }
            Some((ethertype, data.get(at + 2..)?))
        }
        // Linux cooked capture v1 (protocol at 14) and v2 (protocol at 0).
        113 => Some((be16(data, 14)?, data.get(16..)?)),
        276 => Some((be16(data, 0)?, data.get(20..)?)),
        // Raw IP.
        101 | 12 | 14 => match data.first()? >> 4 {
            4 => Some((0x0800, data)),
            6 => Some((0x86dd, data)),
            _ => None,
        },
        228 => Some((0x0800, data)),
        229 => Some((0x86dd, data)),
        // BSD loopback: 4-byte address family in host order.
        0 | 108 => {
            let family = u32::from_le_bytes(data.get(..4)?.try_into().ok()?);
            let family = if family > 0xffff {
                family.swap_bytes()
            } else {
                family
            };
            let ethertype = if family == 2 { 0x0800 } else { 0x86dd };
            Some((ethertype, data.get(4..)?))
        }
        _ => None,
    }
}

fn udp_of(linktype: i32, data: &[u8]) -> Option<(SocketAddr, SocketAddr, &[u8])> {
    let (ethertype, ip) = network_of(linktype, data)?;
    let (src_ip, dst_ip, udp) = match ethertype {
        0x0800 => {
            let ihl = usize::from(ip.first()? & 0x0f) * 4;
            let total = usize::from(be16(ip, 2)?);
            let frag = be16(ip, 6)?;
            if *ip.get(9)? != 17 || frag & 0x1fff != 0 {
                return None;
            }
            let src: [u8; 4] = ip.get(12..16)?.try_into().ok()?;
            let dst: [u8; 4] = ip.get(16..20)?.try_into().ok()?;
            let end = total.min(ip.len());
            (
                IpAddr::V4(Ipv4Addr::from(src)),
                IpAddr::V4(Ipv4Addr::from(dst)),
                ip.get(ihl..end)?,
            )
        }
        0x86dd => {
            let src: [u8; 16] = ip.get(8..24)?.try_into().ok()?;
            let dst: [u8; 16] = ip.get(24..40)?.try_into().ok()?;
            let payload_len = usize::from(be16(ip, 4)?);
            let mut next = *ip.get(6)?;
            let mut at = 40;
            while matches!(next, 0 | 43 | 60) {
                next = *ip.get(at)?;
                at += (usize::from(*ip.get(at + 1)?) + 1) * 8;
            }
            if next != 17 {
                return None;
            }
            let end = (40 + payload_len).min(ip.len());
            (
                IpAddr::V6(Ipv6Addr::from(src)),
                IpAddr::V6(Ipv6Addr::from(dst)),
                ip.get(at..end)?,
            )
        }
        _ => return None,
    };
    let sport = be16(udp, 0)?;
    let dport = be16(udp, 2)?;
    let ulen = usize::from(be16(udp, 4)?);
    let payload = udp.get(8..ulen.max(8).min(udp.len()))?;
    if (sport == GTP_U_PORT || dport == GTP_U_PORT)
        && let Some(inner) = gtp_u_payload(payload)
        && let Some(found) = udp_of(101, inner)
    {
        return Some(found);
    }
    Some((
        SocketAddr::new(src_ip, sport),
        SocketAddr::new(dst_ip, dport),
        payload,
    ))
}

/// GTP-U (3GPP TS 29.281) runs on UDP port 2152 and tunnels user IP packets.
const GTP_U_PORT: u16 = 2152;

/// The tunnelled IP packet of a GTP-U G-PDU: 8-byte header, 4 more when E, S or PN is set,
/// then extension headers (length in 4-byte units) while the next-extension type is not 0.
fn gtp_u_payload(gtp: &[u8]) -> Option<&[u8]> {
    let flags = *gtp.first()?;
    if flags >> 5 != 1 || *gtp.get(1)? != 0xff {
        return None;
    }
    let mut at = 8;
    if flags & 0x07 != 0 {
        let mut next = *gtp.get(11)?;
        at = 12;
        while next != 0 {
            let units = usize::from(*gtp.get(at)?);
            if units == 0 {
                return None;
            }
            at += units * 4;
            next = *gtp.get(at - 1)?;
        }
    }
    gtp.get(at..)
}

/// `../shared/vectors` relative to the workspace, when present.
pub(crate) fn shared_vectors() -> Option<std::path::PathBuf> {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let p = here.join("../../../shared/vectors");
    p.is_dir().then_some(p)
}
