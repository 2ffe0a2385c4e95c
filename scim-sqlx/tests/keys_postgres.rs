//! The key-storage contract on PostgreSQL, every case in a schema of its own.
#![cfg(feature = "postgres")]

mod support;

scim_store_contract::key_storage_contract_tests!(support::postgres_keys_or_skip());
