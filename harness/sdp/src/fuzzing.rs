//! Bodies of the fuzz targets (`fuzz/fuzz_targets/sdp_*.rs` are one-line shims), built by
//! ordinary `cargo test` too. Each asserts an invariant; a failed assertion is a bug.

use crate::attr::{Direction, Setup};
use crate::candidate::Candidate;
use crate::model::{
    AttributeLine, CandidateRepr, MediaDescription, SessionDescription, TransportParams,
};
use crate::view::Sdp;

/// `sdp_parse`: parsing never panics, the emitted bytes equal the input, the validator, the
/// inspector and the owned model never panic, and the model re-emits what it read.
pub fn fuzz_parse(data: &[u8]) {
    let Ok(sdp) = Sdp::parse(data) else {
        let _ = crate::validate(data);
        return;
    };
    assert_eq!(sdp.emit(), data, "emit must reproduce the input");
    let _ = crate::rules::check(&sdp);
    let _ = crate::inspect::fields(&sdp);
    for m in sdp.media() {
        for a in m.attributes() {
            let _ = a.typed();
        }
    }
    if let Ok(model) = SessionDescription::from_view(&sdp) {
        let text = model.to_string();
        let again = Sdp::parse_str(&text).map(|s| SessionDescription::from_view(&s));
        if let Ok(Ok(again)) = again {
            assert_eq!(again.to_string(), text, "model text must be stable");
        }
    }
}

/// `sdp_candidate`: candidate parsing never panics, and what it reads is written back and
/// read again to the same fields.
pub fn fuzz_candidate(data: &[u8]) {
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    let Ok(c) = Candidate::parse(text) else {
        return;
    };
    let _ = (
        c.address_kind(),
        c.tcp_type(),
        c.generation(),
        c.network_cost(),
    );
    // Written with its prefix, as in an SDP, so that a foundation that itself starts with
    // `candidate:` survives the prefix stripping of the re-read.
    let written = format!("candidate:{c}");
    let again = Candidate::parse(&written);
    assert_eq!(again, Ok(c), "candidate must survive a write and a re-read");
}

/// A cursor over fuzz bytes that yields defaults when they run out.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((b, rest)) => {
                self.0 = rest;
                *b
            }
            None => 0,
        }
    }

    fn pick<T: Copy>(&mut self, items: &[T], default: T) -> T {
        let n = items.len().max(1);
        items
            .get(usize::from(self.byte()).checked_rem(n).unwrap_or(0))
            .copied()
            .unwrap_or(default)
    }
}

const SETUPS: [Setup; 4] = [
    Setup::Actpass,
    Setup::Active,
    Setup::Passive,
    Setup::Holdconn,
];
const DIRECTIONS: [Direction; 4] = [
    Direction::SendRecv,
    Direction::SendOnly,
    Direction::RecvOnly,
    Direction::Inactive,
];

fn transport(b: &mut Bytes<'_>, setup: Setup) -> TransportParams {
    let port = u16::from_be_bytes([b.byte(), b.byte()]);
    TransportParams {
        ufrag: b.pick(&["abcd", "a", "ufrag+/", "x_y"], "abcd").into(),
        pwd: "0123456789abcdefghijkl".into(),
        fingerprint: ("sha-256".into(), ["0F"; 32].join(":")),
        setup,
        candidates: vec![CandidateRepr::host(
            "1",
            u32::from(b.byte() % 3),
            core::net::IpAddr::from([10, 0, 0, b.byte()]),
            port,
            u32::from(b.byte()).saturating_mul(16_777_216),
        )],
        end_of_candidates: b.byte().is_multiple_of(2),
    }
}

fn description(b: &mut Bytes<'_>, offer: bool) -> SessionDescription {
    let sections = usize::from(b.byte() % 4);
    let mut sd = SessionDescription::new(u64::from(b.byte()), 1);
    for i in 0..sections {
        let mid = i.to_string();
        let setup = if offer && !b.byte().is_multiple_of(4) {
            Setup::Actpass
        } else {
            b.pick(&SETUPS, Setup::Active)
        };
        let t = transport(b, setup);
        let mut m = match b.byte() % 3 {
            0 => MediaDescription::data_channel(&mid, 5000, 262_144),
            1 => MediaDescription::rtp(
                "audio",
                &mid,
                &[(111, "opus/48000/2"), (0, "PCMU/8000")],
                b.pick(&DIRECTIONS, Direction::SendRecv),
            ),
            _ => MediaDescription::rtp(
                "video",
                &mid,
                &[(96, "VP8/90000")],
                b.pick(&DIRECTIONS, Direction::SendRecv),
            ),
        };
        if b.byte().is_multiple_of(5) {
            m.port = 0;
        }
        if b.byte().is_multiple_of(7) {
            m.attributes.push(AttributeLine::flag("ice-lite"));
        }
        sd.media.push(m.with_transport(&t));
    }
    if b.byte().is_multiple_of(2) {
        sd = sd.bundled();
    }
    sd
}

/// `sdp_offer_answer`: builds an offer and an answer from the bytes (and, after a 0xFF
/// separator, also judges the raw halves); the exchange check never panics, and built
/// descriptions survive a parse and a rebuild unchanged.
pub fn fuzz_offer_answer(data: &[u8]) {
    let mut b = Bytes(data);
    let offer = description(&mut b, true).to_string();
    let answer = if b.byte() % 2 == 0 {
        match Sdp::parse_str(&offer) {
            Ok(view) => {
                let setup = b.pick(&SETUPS, Setup::Active);
                let t = transport(&mut b, setup);
                SessionDescription::answer_to(&view, 7, &t).to_string()
            }
            Err(_) => String::new(),
        }
    } else {
        description(&mut b, false).to_string()
    };
    for text in [&offer, &answer] {
        if let Ok(view) = Sdp::parse_str(text)
            && let Ok(model) = SessionDescription::from_view(&view)
        {
            assert_eq!(
                &model.to_string(),
                text,
                "a built SDP must rebuild identically"
            );
        }
    }
    let _ = crate::check_offer_answer(&offer, &answer);
    if let Some(split) = data.iter().position(|&x| x == 0xFF) {
        let (o, a) = data.split_at(split);
        let _ = crate::check_offer_answer_bytes(o, a.get(1..).unwrap_or_default());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fuzz_bodies_accept_edge_inputs() {
        for input in [
            &b""[..],
            b"v=0",
            b"v=0\r\nm=audio 9 RTP/AVP 0\r\na=rtpmap:0\r\n",
            b"\xEF\xBB\xBFv=0\n\n\xff",
            crate::rules::cases::BASE_OFFER.as_bytes(),
        ] {
            fuzz_parse(input);
            fuzz_candidate(input);
            fuzz_offer_answer(input);
        }
        fuzz_candidate(b"1 1 udp 1 1.2.3.4 9 typ srflx rport 9 raddr 0.0.0.0 x y");
        fuzz_offer_answer(&[3, 1, 0, 2, 0xFF, b'v', b'=', b'0']);
    }
}
