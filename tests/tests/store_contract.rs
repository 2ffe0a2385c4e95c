//! The store contract, run against [`scim_core::InMemoryStore`].

use std::sync::Arc;

scim_conformance::store_contract_tests!(Arc::new(scim_core::InMemoryStore::new()));
