//! The store contract, run against [`scim_core::InMemoryStore`].

scim_store_contract::store_contract_tests!(async {
    std::sync::Arc::new(scim_core::InMemoryStore::new()) as scim_store_contract::Store
});
