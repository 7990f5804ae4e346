//! Arbitrary packets, TCP commands, time steps and faults through a NAT + firewall topology:
//! no panic, and the same input gives the same trace and capture twice. The body is
//! `harness_netsim::fuzzing::fuzz_network`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness_netsim::fuzzing::fuzz_network(data));
