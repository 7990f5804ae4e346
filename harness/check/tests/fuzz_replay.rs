//! Replays the pcap_ingest fuzz seeds and any crash inputs found since, plus hand-made hostile
//! captures: none may panic.

use std::path::Path;

use harness_check::fuzzing::fuzz_pcap_ingest;

fn replay_dir(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut n = 0;
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_file() {
            fuzz_pcap_ingest(&std::fs::read(&path).unwrap());
            n += 1;
        }
    }
    n
}

#[test]
fn seeds_and_regressions_of_pcap_ingest_replay_without_panicking() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    assert!(replay_dir(&fuzz.join("seeds/pcap_ingest")) >= 3);
    replay_dir(&fuzz.join("regressions/pcap_ingest"));
}

fn pcap_header(linktype: u32) -> Vec<u8> {
    let mut h = vec![0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    h.extend_from_slice(&65535u32.to_le_bytes());
    h.extend_from_slice(&linktype.to_le_bytes());
    h
}

fn record(data: &[u8]) -> Vec<u8> {
    let mut r = vec![0u8; 8];
    r.extend_from_slice(&(data.len() as u32).to_le_bytes());
    r.extend_from_slice(&(data.len() as u32).to_le_bytes());
    r.extend_from_slice(data);
    r
}

#[test]
fn every_prefix_and_every_byte_flip_of_a_real_capture_is_survived() {
    let file =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../vectors/captures/zeek/webrtc-stun.pcap");
    let bytes = std::fs::read(file).unwrap();
    for end in (0..bytes.len()).step_by(7) {
        fuzz_pcap_ingest(&bytes[..end]);
    }
    for at in (0..bytes.len()).step_by(3) {
        let mut copy = bytes.clone();
        copy[at] ^= 0xff;
        fuzz_pcap_ingest(&copy);
    }
}

#[test]
fn hostile_ip_and_tcp_headers_are_survived() {
    let mut file = pcap_header(101);
    // IPv4 claiming a 60-byte header in 20 bytes; IPv6 with a loop of extension headers; TCP
    // with a data offset of 60 in a 20-byte segment; a fragment at the highest offset.
    file.extend(record(&[
        0x4f, 0, 0, 20, 0, 0, 0, 0, 64, 17, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
    ]));
    let mut v6 = vec![0x60, 0, 0, 0, 0, 64, 0, 64];
    v6.extend_from_slice(&[0; 32]);
    for _ in 0..8 {
        v6.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 0]);
    }
    file.extend(record(&v6));
    let mut tcp = vec![
        0x45, 0, 0, 40, 0, 0, 0, 0, 64, 6, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
    ];
    tcp.extend_from_slice(&[
        0, 1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0xf0, 0x18, 0, 0, 0, 0, 0, 0,
    ]);
    file.extend(record(&tcp));
    let frag = [
        0x45, 0, 0, 28, 0, 1, 0x1f, 0xff, 64, 17, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 0, 0, 0, 0, 0, 0,
        0, 0,
    ];
    file.extend(record(&frag));
    fuzz_pcap_ingest(&file);
}
