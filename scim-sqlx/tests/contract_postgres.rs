//! The store contract on PostgreSQL, every case, each in a schema of its own.
#![cfg(feature = "postgres")]

mod support;

scim_store_contract::store_contract_tests!(support::postgres_or_skip());
