//! ChannelData parsing, re-encoding and stream framing (body in `harness_turn::fuzzing`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    harness_turn::fuzzing::fuzz_channeldata(data);
});
