//! The conformance suite: one set of cases run against the engine and each adapter.

pub mod store_contract;
