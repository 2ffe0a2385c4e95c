#![doc = include_str!("../README.md")]

mod database;
pub mod filter;
mod keys;
mod search;
mod store;

pub use database::Database;
pub use keys::SqlKeyStorage;
pub use store::{ConnectError, SqlStore, SqlStoreBuilder};
