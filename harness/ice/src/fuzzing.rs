//! Fuzzing bodies.
