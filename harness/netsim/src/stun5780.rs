//! RFC 5780 (placeholder)
