//! The key-storage contract on SQLite, every case on a fresh database file.
#![cfg(feature = "sqlite")]

mod support;

scim_store_contract::key_storage_contract_tests!(support::sqlite_keys());
