//! The store contract on SQLite, every case, each on a fresh database file.
#![cfg(feature = "sqlite")]

mod support;

scim_store_contract::store_contract_tests!(support::sqlite_dyn());
