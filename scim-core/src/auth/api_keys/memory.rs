//! [`MemoryKeyStorage`]: keys in process memory, for tests, demos and single-process apps
//! that configure their keys at start.

use std::collections::BTreeSet;
use std::sync::{Arc, RwLock};

use time::OffsetDateTime;

use super::{ApiKeyError, ApiKeyInfo, ApiKeyStorage, StoredApiKey};
use crate::hash_map::HashMap;

#[derive(Debug, Default)]
struct Keys {
    /// By the SHA-256 hash of the secret. Looking a hash up reveals nothing useful: an
    /// attacker who learns how many leading bytes of a hash matched still has to find a
    /// 238-bit secret with that hash.
    by_hash: HashMap<[u8; 32], ApiKeyInfo>,
    /// Hash by key id.
    by_id: HashMap<String, [u8; 32]>,
}

/// Keys in process memory; lost when the process ends. Cheap to clone (clones share the
/// keys). The default storage of [`super::ApiKeyStore::new`].
///
/// ```
/// use scim_core::ApiKeyStore;
/// use scim_core::auth::MemoryKeyStorage;
/// let keys = ApiKeyStore::with_storage(MemoryKeyStorage::new());
/// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
/// assert!(rt.block_on(keys.list("acme")).unwrap().is_empty());
/// ```
#[derive(Debug, Clone, Default)]
pub struct MemoryKeyStorage {
    keys: Arc<RwLock<Keys>>,
}

impl MemoryKeyStorage {
    /// An empty storage.
    ///
    /// ```
    /// # use scim_core::auth::MemoryKeyStorage;
    /// let storage = MemoryKeyStorage::new();
    /// assert!(format!("{storage:?}").contains("MemoryKeyStorage"));
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Keys> {
        self.keys.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Keys> {
        self.keys.write().unwrap_or_else(|p| p.into_inner())
    }
}

#[async_trait::async_trait]
impl ApiKeyStorage for MemoryKeyStorage {
    async fn put(&self, key: StoredApiKey) -> Result<ApiKeyInfo, ApiKeyError> {
        let mut keys = self.write();
        if let Some(existing) = keys.by_hash.get_mut(&key.hash) {
            existing.tenant = key.info.tenant;
            existing.scopes = key.info.scopes;
            return Ok(existing.clone());
        }
        keys.by_id.insert(key.info.id.clone(), key.hash);
        keys.by_hash.insert(key.hash, key.info.clone());
        Ok(key.info)
    }

    async fn find(&self, hash: &[u8; 32]) -> Result<Option<ApiKeyInfo>, ApiKeyError> {
        Ok(self.read().by_hash.get(hash).cloned())
    }

    async fn list(&self, tenant: &str) -> Result<Vec<ApiKeyInfo>, ApiKeyError> {
        let mut out: Vec<ApiKeyInfo> = self
            .read()
            .by_hash
            .values()
            .filter(|info| info.tenant == tenant)
            .cloned()
            .collect();
        out.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
        Ok(out)
    }

    async fn revoke(&self, tenant: &str, id: &str) -> Result<bool, ApiKeyError> {
        let mut keys = self.write();
        let Some(hash) = keys.by_id.get(id).copied() else {
            return Ok(false);
        };
        if keys
            .by_hash
            .get(&hash)
            .is_none_or(|info| info.tenant != tenant)
        {
            return Ok(false);
        }
        keys.by_id.remove(id);
        keys.by_hash.remove(&hash);
        Ok(true)
    }

    async fn record_use(&self, id: &str, at: OffsetDateTime) -> Result<(), ApiKeyError> {
        let mut keys = self.write();
        if let Some(hash) = keys.by_id.get(id).copied()
            && let Some(info) = keys.by_hash.get_mut(&hash)
        {
            info.last_used_at = Some(at);
        }
        Ok(())
    }

    async fn tenants(&self) -> Result<Vec<String>, ApiKeyError> {
        let tenants: BTreeSet<String> = self
            .read()
            .by_hash
            .values()
            .map(|info| info.tenant.clone())
            .collect();
        Ok(tenants.into_iter().collect())
    }
}
