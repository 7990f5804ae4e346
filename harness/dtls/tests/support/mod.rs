//! Test support shared by the integration tests.
pub(crate) mod capture;
