#![doc = include_str!("../README.md")]

pub mod filter;
mod keys;
mod search;
mod store;

pub use keys::SqlKeyStorage;
pub use store::{ConnectError, SqlStore, SqlStoreBuilder};
