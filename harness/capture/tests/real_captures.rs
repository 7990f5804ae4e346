//! The reader on real captures from ../shared/vectors (nDPI, Zeek, str0m, local peers).

use std::path::{Path, PathBuf};

use harness_capture::{Capture, CaptureErrorKind, Framing, Limits, Transport};

fn shared() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/vectors");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: ../shared/vectors is absent");
        None
    }
}

fn captures(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.join("captures"), root.join("dtls")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path
                .extension()
                .is_some_and(|e| e == "pcap" || e == "pcapng")
            {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn every_shared_capture_reads_to_the_end_and_yields_payloads() {
    let Some(root) = shared() else { return };
    let files = captures(&root);
    assert!(files.len() >= 15, "found only {files:?}");
    for file in files {
        let bytes = std::fs::read(&file).unwrap();
        let mut capture = Capture::new(bytes.as_slice(), Limits::default()).unwrap();
        let mut payloads = 0u64;
        let stats = capture
            .for_each_packet(|_| payloads += 1)
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        assert!(stats.frames > 0, "{}", file.display());
        assert!(payloads > 0, "{}: no payloads", file.display());
    }
}

#[test]
fn linux_cooked_capture_yields_udp_payloads() {
    let Some(root) = shared() else { return };
    let bytes =
        std::fs::read(root.join("captures/ndpi/rtcp_multiple_pkts_in_the_same_datagram.pcap"))
            .unwrap();
    let mut capture = Capture::new(bytes.as_slice(), Limits::default()).unwrap();
    let mut udp = 0;
    capture
        .for_each_packet(|p| {
            if p.transport == Transport::Udp {
                udp += 1;
            }
        })
        .unwrap();
    assert_eq!(udp, 5);
}

#[test]
fn stun_over_tcp_with_several_messages_per_segment_is_framed() {
    let Some(root) = shared() else { return };
    let bytes =
        std::fs::read(root.join("captures/ndpi/stun_tcp_multiple_msgs_same_pkt.pcap")).unwrap();
    let mut capture = Capture::new(bytes.as_slice(), Limits::default()).unwrap();
    let mut framed = Vec::new();
    capture
        .for_each_packet(|p| {
            if p.transport == Transport::Tcp {
                framed.push((p.frame, p.framing, p.payload.first().copied()));
            }
        })
        .unwrap();
    // tshark counts six Allocate requests in four segments.
    assert_eq!(framed.len(), 6, "{framed:?}");
    assert!(
        framed
            .iter()
            .all(|(_, f, b)| *f != Framing::Datagram && *b == Some(0))
    );
}

#[test]
fn a_truncated_capture_names_the_frame_and_keeps_what_came_before() {
    let Some(root) = shared() else { return };
    let bytes = std::fs::read(root.join("captures/ndpi/stun.pcap")).unwrap();
    let mut full = Vec::new();
    Capture::new(bytes.as_slice(), Limits::default())
        .unwrap()
        .for_each_packet(|p| full.push(p.frame))
        .unwrap();
    let cut = &bytes[..bytes.len() / 2];
    let mut capture = Capture::new(cut, Limits::default()).unwrap();
    let mut partial = Vec::new();
    let err = capture
        .for_each_packet(|p| partial.push(p.frame))
        .unwrap_err();
    assert_eq!(err.kind, CaptureErrorKind::Truncated);
    let failed = err.frame.unwrap();
    assert_eq!(capture.stats().frames + 1, failed);
    assert!(err.to_string().starts_with(&format!("frame {failed} ")));
    let expected: Vec<u64> = full.iter().copied().filter(|f| *f < failed).collect();
    assert_eq!(partial, expected);
}
