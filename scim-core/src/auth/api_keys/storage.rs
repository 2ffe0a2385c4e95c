//! Where keys live: the [`ApiKeyStorage`] trait, which a database implements.

use time::OffsetDateTime;

use super::{ApiKeyError, ApiKeyInfo};

/// A key as storage keeps it: the SHA-256 hash of its secret and what is known about it.
///
/// ```
/// use scim_core::auth::{ApiKeyInfo, StoredApiKey, hash_secret};
/// let info = ApiKeyInfo::new("k1", "acme", ["SCIM2"], "Okta", "scim_AbCd", time::OffsetDateTime::UNIX_EPOCH);
/// let key = StoredApiKey::new(hash_secret("scim_AbCd…"), info);
/// assert_eq!(key.info.tenant, "acme");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StoredApiKey {
    /// The SHA-256 hash of the secret ([`super::hash_secret`]); the secret itself is
    /// never stored.
    pub hash: [u8; 32],
    /// The key's id, tenant, scopes, label, hint and times.
    pub info: ApiKeyInfo,
}

impl StoredApiKey {
    /// A key with this hash and info.
    ///
    /// ```
    /// # use scim_core::auth::{ApiKeyInfo, StoredApiKey};
    /// let info = ApiKeyInfo::new("k1", "acme", ["SCIM2"], "", "", time::OffsetDateTime::UNIX_EPOCH);
    /// assert_eq!(StoredApiKey::new([0; 32], info).hash, [0; 32]);
    /// ```
    pub fn new(hash: [u8; 32], info: ApiKeyInfo) -> Self {
        Self { hash, info }
    }
}

/// Storage of API keys behind an [`super::ApiKeyStore`]: [`super::MemoryKeyStorage`] in
/// this crate, a SQL table in `scim-sqlx`, or the host app's own. Only hashes are given
/// to it; validation, secret generation and the throttling of
/// [`ApiKeyStorage::record_use`] happen in [`super::ApiKeyStore`].
///
/// Errors are [`ApiKeyError::Storage`], with a message safe to log.
///
/// ```
/// use scim_core::auth::{ApiKeyStorage, MemoryKeyStorage, StoredApiKey, ApiKeyInfo, hash_secret};
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let storage = MemoryKeyStorage::new();
/// let info = ApiKeyInfo::new("k1", "acme", ["SCIM2"], "Okta", "", time::OffsetDateTime::now_utc());
/// storage.put(StoredApiKey::new(hash_secret("s3cret"), info)).await?;
/// assert_eq!(storage.find(&hash_secret("s3cret")).await?.map(|k| k.id), Some("k1".into()));
/// assert_eq!(storage.tenants().await?, ["acme"]);
/// # Ok::<(), scim_core::auth::ApiKeyError>(()) }).unwrap();
/// ```
#[async_trait::async_trait]
pub trait ApiKeyStorage: Send + Sync + std::fmt::Debug + 'static {
    /// Stores `key`. When a key with the same hash exists, updates its tenant and scopes
    /// (its id, label, hint and creation time stay) and returns what is stored, so a key
    /// configured at every start is never duplicated.
    async fn put(&self, key: StoredApiKey) -> Result<ApiKeyInfo, ApiKeyError>;

    /// The key whose secret has this SHA-256 hash, if any.
    async fn find(&self, hash: &[u8; 32]) -> Result<Option<ApiKeyInfo>, ApiKeyError>;

    /// The keys of `tenant`, oldest first (by creation time, then id).
    async fn list(&self, tenant: &str) -> Result<Vec<ApiKeyInfo>, ApiKeyError>;

    /// Deletes key `id` of `tenant`; `false` when `tenant` has no such key (a key of
    /// another tenant is left alone).
    async fn revoke(&self, tenant: &str, id: &str) -> Result<bool, ApiKeyError>;

    /// Records that key `id` authenticated a request at `at`.
    async fn record_use(&self, id: &str, at: OffsetDateTime) -> Result<(), ApiKeyError>;

    /// The tenants with at least one key, sorted.
    async fn tenants(&self) -> Result<Vec<String>, ApiKeyError>;
}
