//! Cross-checks: the same bytes through the reference codecs and through the webrtc crate's
//! sans-IO `rtc-*` 0.21.1 crates, divergences reported field by field
//! ([`harness_core::divergence`]).
//!
//! This is the only crate of the workspace that depends on the webrtc crate, so wire and
//! protocol code (and the fuzz targets) build without it.
//!
//! Every entry point catches panics on both sides: a panic is reported as
//! [`harness_core::divergence::Verdict::Panicked`], never propagated.

pub mod dtls;
pub mod dtls_endpoint;
pub mod ice;
pub mod sdp;
mod seeded;
pub mod stun;

use std::panic::{AssertUnwindSafe, catch_unwind};

use harness_core::divergence::Verdict;

/// Runs `f`, turning a panic into [`Verdict::Panicked`] with its message.
pub fn guarded<T>(f: impl FnOnce() -> Result<T, String>) -> (Verdict, Option<T>) {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(v)) => (Verdict::Accepted, Some(v)),
        Ok(Err(e)) => (Verdict::Rejected(e), None),
        Err(payload) => {
            let msg = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "panic with a non-string payload".to_string());
            (Verdict::Panicked(msg), None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guarded_turns_panics_into_verdicts() {
        let (v, out) = guarded::<()>(|| panic!("boom"));
        assert_eq!(v, Verdict::Panicked("boom".into()));
        assert!(out.is_none());
        let (v, out) = guarded(|| Ok(3));
        assert!(v.accepted());
        assert_eq!(out, Some(3));
        let (v, _) = guarded::<()>(|| Err("short".into()));
        assert_eq!(v, Verdict::Rejected("short".into()));
    }
}
