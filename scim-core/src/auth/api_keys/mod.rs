//! The built-in API-key store: random keys with a recognisable prefix, kept only as
//! SHA-256 hashes, in a storage of the host's choice ([`MemoryKeyStorage`], a SQL table
//! from `scim-sqlx`, or its own [`ApiKeyStorage`]).

use std::sync::{Arc, Mutex};

use time::OffsetDateTime;

use super::{Authenticator, Principal};
use crate::error::ScimError;
use crate::hash_map::HashMap;
use crate::tenant::{TenantIdError, validate_tenant_id};

mod memory;
mod secret;
mod storage;

pub use memory::MemoryKeyStorage;
pub use secret::{API_KEY_PREFIX, hash_secret};
pub use storage::{ApiKeyStorage, StoredApiKey};

/// The longest label, in characters.
pub const MAX_LABEL_CHARS: usize = 100;
/// The most scopes one key holds.
pub const MAX_SCOPES: usize = 16;
/// The longest scope name, in bytes.
const MAX_SCOPE_LEN: usize = 64;
/// How often a key's last use is written to storage, at most: once a minute per key
/// keeps a busy tenant from turning every request into a storage write.
const RECORD_USE_EVERY_SECONDS: i64 = 60;
/// The most keys whose last recorded use is remembered; past it the memory starts over
/// (costing one extra write per key).
const RECORDED_USES_CAP: usize = 10_000;

/// Why the key store could not do something.
///
/// ```
/// use scim_core::auth::ApiKeyError;
/// assert!(ApiKeyError::Random("no entropy".into()).to_string().contains("random"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ApiKeyError {
    /// The operating system's random number generator failed.
    #[error("the random number generator failed: {0}")]
    Random(String),
    /// The secret given to [`ApiKeyStore::insert`] is empty.
    #[error("an API key secret must not be empty")]
    EmptySecret,
    /// The tenant is not a tenant id ([`crate::tenant::validate_tenant_id`]).
    #[error("invalid tenant: {0}")]
    InvalidTenant(TenantIdError),
    /// The label is empty (for a created key), too long or holds control characters.
    #[error("invalid label: {0}")]
    InvalidLabel(String),
    /// No scope, too many, or a scope that is not 1 to 64 ASCII letters, digits, `:`,
    /// `.`, `_` or `-`.
    #[error("invalid scope: {0}")]
    InvalidScope(String),
    /// The storage failed; the message is safe to log (it never holds a secret).
    #[error("the API key storage failed: {0}")]
    Storage(String),
}

/// What the store knows about a key, without its secret.
///
/// ```
/// use scim_core::ApiKeyStore;
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let store = ApiKeyStore::new();
/// let key = store.create("acme", ["SCIM2"], "Okta").await?;
/// let info = &store.list("acme").await?[0];
/// assert_eq!((info.id.as_str(), info.label.as_str()), (key.info.id.as_str(), "Okta"));
/// assert!(info.last_used_at.is_none());
/// # Ok::<(), scim_core::auth::ApiKeyError>(()) }).unwrap();
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiKeyInfo {
    /// A public identifier, for revoking.
    pub id: String,
    /// The tenant the key acts for.
    pub tenant: String,
    /// Its scopes.
    pub scopes: Vec<String>,
    /// A human label (e.g. "Okta production").
    pub label: String,
    /// The first characters of the secret (`scim_AbCd`), to tell keys apart; empty for
    /// keys added with [`ApiKeyStore::insert`].
    pub hint: String,
    /// When the key was created.
    pub created_at: OffsetDateTime,
    /// When the key last authenticated a request (recorded at most once a minute).
    pub last_used_at: Option<OffsetDateTime>,
}

impl ApiKeyInfo {
    /// A key's record, never used yet: for [`ApiKeyStorage`] implementations reading
    /// their rows back.
    ///
    /// ```
    /// use scim_core::auth::ApiKeyInfo;
    /// let info = ApiKeyInfo::new("k1", "acme", ["SCIM2"], "Okta", "scim_AbCd", time::OffsetDateTime::UNIX_EPOCH);
    /// assert_eq!((info.scopes.len(), info.last_used_at), (1, None));
    /// ```
    pub fn new<I, S>(
        id: impl Into<String>,
        tenant: impl Into<String>,
        scopes: I,
        label: impl Into<String>,
        hint: impl Into<String>,
        created_at: OffsetDateTime,
    ) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self {
            id: id.into(),
            tenant: tenant.into(),
            scopes: scopes.into_iter().map(Into::into).collect(),
            label: label.into(),
            hint: hint.into(),
            created_at,
            last_used_at: None,
        }
    }
}

/// A freshly created key: the secret is shown this once and never stored.
///
/// ```
/// use scim_core::{ApiKeyStore, auth::API_KEY_PREFIX};
/// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
/// let key = rt.block_on(ApiKeyStore::new().create("acme", ["SCIM2"], "Entra")).unwrap();
/// assert!(key.secret.starts_with(API_KEY_PREFIX));
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub struct NewApiKey {
    /// The secret to hand to the identity provider (`Authorization: Bearer <secret>`).
    pub secret: String,
    /// The stored record.
    pub info: ApiKeyInfo,
}

impl std::fmt::Debug for NewApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Keep the secret out of logs and panics.
        f.debug_struct("NewApiKey")
            .field("secret", &"<redacted>")
            .field("info", &self.info)
            .finish()
    }
}

/// The built-in API-key store, an [`Authenticator`]: creates, lists and revokes keys of
/// a tenant over an [`ApiKeyStorage`]. Cheap to clone (the clones share the storage), so
/// a host app keeps one to manage keys (its admin pages) while the server authenticates
/// with it.
///
/// A created or inserted key authenticates at once; a revoked one is refused at once
/// (every authentication asks the storage, so this holds across processes sharing a
/// database).
///
/// ```
/// use scim_core::{ApiKeyStore, Authenticator};
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let store = ApiKeyStore::new();
/// let key = store.create("acme", ["SCIM2"], "Okta").await?;
/// let principal = store.authenticate(&key.secret).await.unwrap().unwrap();
/// assert_eq!(principal.tenant, "acme");
/// assert!(store.revoke("acme", &key.info.id).await?);
/// assert!(store.authenticate(&key.secret).await.unwrap().is_none());
/// # Ok::<(), scim_core::auth::ApiKeyError>(()) }).unwrap();
/// ```
#[derive(Debug, Clone)]
pub struct ApiKeyStore {
    storage: Arc<dyn ApiKeyStorage>,
    /// Unix seconds of the last use written to storage, by key id.
    recorded_uses: Arc<Mutex<HashMap<String, i64>>>,
}

impl Default for ApiKeyStore {
    fn default() -> Self {
        Self::new()
    }
}

impl ApiKeyStore {
    /// A store over a fresh [`MemoryKeyStorage`].
    ///
    /// ```
    /// # use scim_core::ApiKeyStore;
    /// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    /// assert!(rt.block_on(ApiKeyStore::new().list("acme")).unwrap().is_empty());
    /// ```
    pub fn new() -> Self {
        Self::with_storage(MemoryKeyStorage::new())
    }

    /// A store over `storage` (e.g. `scim_sqlx`'s table, so keys survive restarts).
    ///
    /// ```
    /// use scim_core::ApiKeyStore;
    /// use scim_core::auth::MemoryKeyStorage;
    /// let storage = MemoryKeyStorage::new();
    /// let (a, b) = (ApiKeyStore::with_storage(storage.clone()), ApiKeyStore::with_storage(storage));
    /// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    /// rt.block_on(a.insert("acme", "s3cret", ["SCIM2"])).unwrap();
    /// assert_eq!(rt.block_on(b.list("acme")).unwrap().len(), 1);
    /// ```
    pub fn with_storage(storage: impl ApiKeyStorage) -> Self {
        Self {
            storage: Arc::new(storage),
            recorded_uses: Arc::default(),
        }
    }

    /// The storage the keys live in.
    ///
    /// ```
    /// # use scim_core::ApiKeyStore;
    /// assert!(format!("{:?}", ApiKeyStore::new().storage()).contains("MemoryKeyStorage"));
    /// ```
    pub fn storage(&self) -> &dyn ApiKeyStorage {
        self.storage.as_ref()
    }

    /// Generates a new key for `tenant` with `scopes` and a human `label` (e.g. "Okta
    /// production"), from the operating system's CSPRNG. The returned secret is the only
    /// copy: the storage keeps its SHA-256 hash.
    ///
    /// Refused: a tenant that is not a tenant id, an empty label or one over
    /// [`MAX_LABEL_CHARS`] characters or with control characters, no scope, more than
    /// [`MAX_SCOPES`], or a scope outside `[A-Za-z0-9:._-]{1,64}`.
    ///
    /// ```
    /// # use scim_core::{ApiKeyStore, auth::ApiKeyError};
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let store = ApiKeyStore::new();
    /// let a = store.create("acme", ["SCIM2"], "a").await?;
    /// let b = store.create("acme", ["SCIM2"], "b").await?;
    /// assert_ne!(a.secret, b.secret);
    /// assert_eq!(a.secret.len(), 45);
    /// assert!(matches!(store.create("acme", ["SCIM2"], "").await, Err(ApiKeyError::InvalidLabel(_))));
    /// assert!(matches!(store.create("a/b", ["SCIM2"], "x").await, Err(ApiKeyError::InvalidTenant(_))));
    /// # Ok::<(), ApiKeyError>(()) }).unwrap();
    /// ```
    pub async fn create<I, S>(
        &self,
        tenant: impl Into<String>,
        scopes: I,
        label: impl Into<String>,
    ) -> Result<NewApiKey, ApiKeyError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let label = label.into();
        if label.trim().is_empty() {
            return Err(ApiKeyError::InvalidLabel("a key needs a label".into()));
        }
        let secret = secret::generate_secret()?;
        let hint = secret::hint(&secret);
        let info = self
            .add(&secret, tenant.into(), collect(scopes), label, hint)
            .await?;
        Ok(NewApiKey { secret, info })
    }

    /// Adds a key whose secret is already known (configuration, a test, the example
    /// server's `--api-key acme:secret`). Idempotent: inserting the same secret again
    /// keeps one key (with the tenant and scopes of the last call).
    ///
    /// ```
    /// # use scim_core::ApiKeyStore;
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let store = ApiKeyStore::new();
    /// let first = store.insert("acme", "secret", ["SCIM2"]).await?;
    /// let again = store.insert("acme", "secret", ["SCIM2", "read"]).await?;
    /// assert_eq!((first.id, again.scopes.len()), (again.id.clone(), 2));
    /// assert_eq!(store.list("acme").await?.len(), 1);
    /// assert!(store.insert("acme", "", ["SCIM2"]).await.is_err());
    /// # Ok::<(), scim_core::auth::ApiKeyError>(()) }).unwrap();
    /// ```
    pub async fn insert<I, S>(
        &self,
        tenant: impl Into<String>,
        secret: &str,
        scopes: I,
    ) -> Result<ApiKeyInfo, ApiKeyError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        if secret.is_empty() {
            return Err(ApiKeyError::EmptySecret);
        }
        self.add(
            secret,
            tenant.into(),
            collect(scopes),
            String::new(),
            String::new(),
        )
        .await
    }

    async fn add(
        &self,
        secret: &str,
        tenant: String,
        scopes: Vec<String>,
        label: String,
        hint: String,
    ) -> Result<ApiKeyInfo, ApiKeyError> {
        validate_tenant_id(&tenant).map_err(ApiKeyError::InvalidTenant)?;
        validate_label(&label)?;
        validate_scopes(&scopes)?;
        let info = ApiKeyInfo::new(
            secret::generate_id()?,
            tenant,
            scopes,
            label,
            hint,
            OffsetDateTime::now_utc(),
        );
        let hash = hash_secret(secret);
        self.storage.put(StoredApiKey::new(hash, info)).await
    }

    /// The keys of `tenant`, oldest first, without their secrets.
    ///
    /// ```
    /// # use scim_core::ApiKeyStore;
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let store = ApiKeyStore::new();
    /// store.create("acme", ["SCIM2"], "Okta").await?;
    /// assert!(store.list("globex").await?.is_empty());
    /// # Ok::<(), scim_core::auth::ApiKeyError>(()) }).unwrap();
    /// ```
    pub async fn list(&self, tenant: &str) -> Result<Vec<ApiKeyInfo>, ApiKeyError> {
        self.storage.list(tenant).await
    }

    /// Revokes key `id` of `tenant`; `false` if the tenant had none (already revoked, or
    /// a key of another tenant, which stays).
    ///
    /// ```
    /// # use scim_core::ApiKeyStore;
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let store = ApiKeyStore::new();
    /// let key = store.create("acme", ["SCIM2"], "Okta").await?;
    /// assert!(!store.revoke("globex", &key.info.id).await?);
    /// assert!(store.revoke("acme", &key.info.id).await?);
    /// assert!(!store.revoke("acme", &key.info.id).await?);
    /// # Ok::<(), scim_core::auth::ApiKeyError>(()) }).unwrap();
    /// ```
    pub async fn revoke(&self, tenant: &str, id: &str) -> Result<bool, ApiKeyError> {
        let revoked = self.storage.revoke(tenant, id).await?;
        if revoked {
            self.uses().remove(id);
        }
        Ok(revoked)
    }

    /// The tenants that have at least one key, sorted.
    ///
    /// ```
    /// # use scim_core::ApiKeyStore;
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let store = ApiKeyStore::new();
    /// store.insert("globex", "g", ["SCIM2"]).await?;
    /// store.insert("acme", "a", ["SCIM2"]).await?;
    /// assert_eq!(store.tenants().await?, ["acme", "globex"]);
    /// # Ok::<(), scim_core::auth::ApiKeyError>(()) }).unwrap();
    /// ```
    pub async fn tenants(&self) -> Result<Vec<String>, ApiKeyError> {
        self.storage.tenants().await
    }

    fn uses(&self) -> std::sync::MutexGuard<'_, HashMap<String, i64>> {
        self.recorded_uses.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether the use of key `id` at `now` (Unix seconds) is to be written to storage,
    /// remembering it if so.
    fn due_for_recording(&self, id: &str, now: i64) -> bool {
        let mut uses = self.uses();
        if uses
            .get(id)
            .is_some_and(|&last| now - last < RECORD_USE_EVERY_SECONDS)
        {
            return false;
        }
        if uses.len() >= RECORDED_USES_CAP {
            uses.clear();
        }
        uses.insert(id.to_owned(), now);
        true
    }

    /// The principal of `secret`, recording the use; `None` for an unknown secret.
    async fn lookup(&self, secret: &str) -> Result<Option<Principal>, ApiKeyError> {
        let Some(info) = self.storage.find(&hash_secret(secret)).await? else {
            return Ok(None);
        };
        let now = OffsetDateTime::now_utc();
        if self.due_for_recording(&info.id, now.unix_timestamp()) {
            self.storage.record_use(&info.id, now).await?;
        }
        let label = if info.label.is_empty() {
            // Made on every request with such a key: joined, not formatted.
            let mut label = info.id;
            label.insert_str(0, "key ");
            label
        } else {
            info.label
        };
        Ok(Some(
            Principal::new(info.tenant, info.scopes).with_label(label),
        ))
    }
}

fn collect<I, S>(scopes: I) -> Vec<String>
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    scopes.into_iter().map(Into::into).collect()
}

fn validate_label(label: &str) -> Result<(), ApiKeyError> {
    if label.chars().count() > MAX_LABEL_CHARS {
        return Err(ApiKeyError::InvalidLabel(format!(
            "a label has at most {MAX_LABEL_CHARS} characters"
        )));
    }
    if label.chars().any(char::is_control) {
        return Err(ApiKeyError::InvalidLabel(
            "a label holds no control characters".into(),
        ));
    }
    Ok(())
}

fn validate_scopes(scopes: &[String]) -> Result<(), ApiKeyError> {
    if scopes.is_empty() {
        return Err(ApiKeyError::InvalidScope("a key needs a scope".into()));
    }
    if scopes.len() > MAX_SCOPES {
        return Err(ApiKeyError::InvalidScope(format!(
            "a key has at most {MAX_SCOPES} scopes"
        )));
    }
    let valid = |s: &String| {
        (1..=MAX_SCOPE_LEN).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b':' | b'.' | b'_' | b'-'))
    };
    match scopes.iter().find(|s| !valid(s)) {
        Some(bad) => Err(ApiKeyError::InvalidScope(format!(
            "{:?} is not a scope (1 to {MAX_SCOPE_LEN} ASCII letters, digits, ':', '.', '_' or '-')",
            bad.chars().take(MAX_SCOPE_LEN).collect::<String>()
        ))),
        None => Ok(()),
    }
}

#[async_trait::async_trait]
impl Authenticator for ApiKeyStore {
    async fn authenticate(&self, token: &str) -> Result<Option<Principal>, ScimError> {
        self.lookup(token).await.map_err(|e| {
            tracing::error!(error = %e, "API key lookup failed");
            ScimError::new(
                http::StatusCode::SERVICE_UNAVAILABLE,
                None,
                "the API key storage is unavailable",
            )
        })
    }
}

#[cfg(test)]
mod tests;
