//! The key-storage contract, run against [`scim_core::auth::MemoryKeyStorage`]: one
//! storage for every case, as a database would be shared.

use std::sync::{Arc, OnceLock};

use scim_core::auth::MemoryKeyStorage;

fn shared() -> scim_store_contract::KeyStorage {
    static STORAGE: OnceLock<MemoryKeyStorage> = OnceLock::new();
    Arc::new(STORAGE.get_or_init(MemoryKeyStorage::new).clone())
}

scim_store_contract::key_storage_contract_tests!(async { shared() });
