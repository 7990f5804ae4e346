//! RFC 7983 §7 (as updated by RFC 9443 §3) demultiplexing of WebRTC datagrams.
#![forbid(unsafe_code)]
