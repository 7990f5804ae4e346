//! Link layers: from a frame to the IP packet it carries.

/// LINKTYPE_NULL: BSD loopback, 4-byte address family in host byte order.
pub const LINKTYPE_NULL: i32 = 0;
/// LINKTYPE_ETHERNET.
pub const LINKTYPE_ETHERNET: i32 = 1;
/// DLT_RAW as some systems number it.
pub const LINKTYPE_RAW_ALT12: i32 = 12;
/// DLT_RAW as other systems number it.
pub const LINKTYPE_RAW_ALT14: i32 = 14;
/// LINKTYPE_RAW: the frame is an IPv4 or IPv6 packet.
pub const LINKTYPE_RAW: i32 = 101;
/// LINKTYPE_LOOP: OpenBSD loopback, 4-byte address family in network byte order.
pub const LINKTYPE_LOOP: i32 = 108;
/// LINKTYPE_LINUX_SLL: Linux cooked capture v1.
pub const LINKTYPE_LINUX_SLL: i32 = 113;
/// LINKTYPE_IPV4.
pub const LINKTYPE_IPV4: i32 = 228;
/// LINKTYPE_IPV6.
pub const LINKTYPE_IPV6: i32 = 229;
/// LINKTYPE_LINUX_SLL2: Linux cooked capture v2.
pub const LINKTYPE_LINUX_SLL2: i32 = 276;

const ETHERTYPE_IPV4: u16 = 0x0800;
const ETHERTYPE_IPV6: u16 = 0x86dd;
const ETHERTYPE_VLAN: u16 = 0x8100;
const ETHERTYPE_QINQ: u16 = 0x88a8;
const ETHERTYPE_QINQ_OLD: u16 = 0x9100;
/// Most VLAN tags followed before giving up.
const MAX_VLAN_TAGS: usize = 4;

/// What a frame carries, after the link layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Network<'a> {
    /// An IPv4 packet.
    Ipv4(&'a [u8]),
    /// An IPv6 packet.
    Ipv6(&'a [u8]),
    /// Something else (ARP, LLDP ...): the ethertype or family.
    Other(u32),
    /// A link type this reader does not decode.
    UnsupportedLink(i32),
    /// Too short for its link header.
    Truncated,
}

fn be16(data: &[u8], at: usize) -> Option<u16> {
    let bytes = data.get(at..at.checked_add(2)?)?;
    Some(u16::from_be_bytes([*bytes.first()?, *bytes.get(1)?]))
}

fn by_ethertype(ethertype: u16, payload: &[u8]) -> Network<'_> {
    match ethertype {
        ETHERTYPE_IPV4 => Network::Ipv4(payload),
        ETHERTYPE_IPV6 => Network::Ipv6(payload),
        other => Network::Other(u32::from(other)),
    }
}

fn by_version(payload: &[u8]) -> Network<'_> {
    match payload.first().map(|b| b >> 4) {
        Some(4) => Network::Ipv4(payload),
        Some(6) => Network::Ipv6(payload),
        Some(v) => Network::Other(u32::from(v)),
        None => Network::Truncated,
    }
}

fn ethernet(data: &[u8]) -> Network<'_> {
    let Some(mut ethertype) = be16(data, 12) else {
        return Network::Truncated;
    };
    let mut at = 14usize;
    let mut tags = 0usize;
    while matches!(
        ethertype,
        ETHERTYPE_VLAN | ETHERTYPE_QINQ | ETHERTYPE_QINQ_OLD
    ) {
        tags = tags.saturating_add(1);
        if tags > MAX_VLAN_TAGS {
            return Network::Other(u32::from(ethertype));
        }
        // Tag control information (2 bytes), then the next ethertype.
        let Some(next) = be16(data, at.saturating_add(2)) else {
            return Network::Truncated;
        };
        ethertype = next;
        at = at.saturating_add(4);
    }
    match data.get(at..) {
        Some(payload) => by_ethertype(ethertype, payload),
        None => Network::Truncated,
    }
}

fn loopback_family(family: u32, payload: &[u8]) -> Network<'_> {
    match family {
        2 => Network::Ipv4(payload),
        // AF_INET6 differs per BSD: 24 (NetBSD/OpenBSD), 28 (FreeBSD), 30 (macOS), 10 (Linux).
        10 | 24 | 28 | 30 => Network::Ipv6(payload),
        other => Network::Other(other),
    }
}

/// Strips the link layer of a frame of link type `linktype`.
#[must_use]
pub fn decode(linktype: i32, data: &[u8]) -> Network<'_> {
    match linktype {
        LINKTYPE_ETHERNET => ethernet(data),
        LINKTYPE_RAW | LINKTYPE_RAW_ALT12 | LINKTYPE_RAW_ALT14 | LINKTYPE_IPV4 | LINKTYPE_IPV6 => {
            by_version(data)
        }
        LINKTYPE_NULL | LINKTYPE_LOOP => {
            let (Some(head), Some(payload)) = (data.get(..4), data.get(4..)) else {
                return Network::Truncated;
            };
            let raw = [
                head.first().copied().unwrap_or(0),
                head.get(1).copied().unwrap_or(0),
                head.get(2).copied().unwrap_or(0),
                head.get(3).copied().unwrap_or(0),
            ];
            // The byte order of NULL is the capturing host's: whichever reading is small wins.
            let le = u32::from_le_bytes(raw);
            let be = u32::from_be_bytes(raw);
            let family = if linktype == LINKTYPE_LOOP || be < le {
                be
            } else {
                le
            };
            loopback_family(family, payload)
        }
        LINKTYPE_LINUX_SLL => match (be16(data, 14), data.get(16..)) {
            (Some(protocol), Some(payload)) => by_ethertype(protocol, payload),
            _ => Network::Truncated,
        },
        LINKTYPE_LINUX_SLL2 => match (be16(data, 0), data.get(20..)) {
            (Some(protocol), Some(payload)) => by_ethertype(protocol, payload),
            _ => Network::Truncated,
        },
        other => Network::UnsupportedLink(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ethernet_with_two_vlan_tags_reaches_ipv4() {
        let mut frame = vec![0u8; 12];
        frame.extend_from_slice(&[0x88, 0xa8, 0, 1, 0x81, 0x00, 0, 2, 0x08, 0x00, 0x45]);
        assert_eq!(decode(LINKTYPE_ETHERNET, &frame), Network::Ipv4(&[0x45]));
    }

    #[test]
    fn null_loopback_reads_either_byte_order() {
        assert_eq!(
            decode(LINKTYPE_NULL, &[2, 0, 0, 0, 0x45]),
            Network::Ipv4(&[0x45])
        );
        assert_eq!(
            decode(LINKTYPE_NULL, &[0, 0, 0, 30, 0x60]),
            Network::Ipv6(&[0x60])
        );
        assert_eq!(
            decode(LINKTYPE_LOOP, &[0, 0, 0, 2, 0x45]),
            Network::Ipv4(&[0x45])
        );
    }

    #[test]
    fn cooked_captures_use_their_protocol_field() {
        let mut v1 = vec![0u8; 14];
        v1.extend_from_slice(&[0x86, 0xdd, 0x60]);
        assert_eq!(decode(LINKTYPE_LINUX_SLL, &v1), Network::Ipv6(&[0x60]));
        let mut v2 = vec![0x08, 0x00];
        v2.extend_from_slice(&[0u8; 18]);
        v2.push(0x45);
        assert_eq!(decode(LINKTYPE_LINUX_SLL2, &v2), Network::Ipv4(&[0x45]));
    }

    #[test]
    fn short_frames_are_truncated_not_panics() {
        assert_eq!(decode(LINKTYPE_ETHERNET, &[0; 5]), Network::Truncated);
        assert_eq!(decode(LINKTYPE_LINUX_SLL2, &[0; 5]), Network::Truncated);
        assert_eq!(decode(LINKTYPE_RAW, &[]), Network::Truncated);
        assert_eq!(decode(147, &[1]), Network::UnsupportedLink(147));
    }
}
