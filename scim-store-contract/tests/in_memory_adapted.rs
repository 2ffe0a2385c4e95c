//! The store contract against [`scim_core::InMemoryStore`] declared without
//! `arbitrary_attributes` and `write_only_values`: the adapted cases (free text in
//! `name.givenName`) must hold too, and the skipped ones are printed.

scim_store_contract::store_contract_tests!(
    async { std::sync::Arc::new(scim_core::InMemoryStore::new()) as scim_store_contract::Store },
    scim_store_contract::Capabilities::all()
        .arbitrary_attributes(false)
        .write_only_values(false)
);
