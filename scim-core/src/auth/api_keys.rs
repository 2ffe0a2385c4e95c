//! The built-in API-key store: random keys with a recognisable prefix, kept only as
//! SHA-256 hashes and compared in constant time.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, RwLock};

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use time::OffsetDateTime;

use super::{Authenticator, Principal};
use crate::error::ScimError;

/// The prefix of every generated key, so that secret scanners and people recognise one.
pub const API_KEY_PREFIX: &str = "scim_";

/// Random characters after the prefix: 40 base62 characters carry about 238 bits.
const SECRET_CHARS: usize = 40;
const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Why the key store could not do something.
///
/// ```
/// use scim_core::ApiKeyError;
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
}

/// What the store knows about a key, without its secret.
///
/// ```
/// use scim_core::ApiKeyStore;
/// let store = ApiKeyStore::new();
/// let key = store.create("acme", ["SCIM2"], "Okta").unwrap();
/// let info = &store.list("acme")[0];
/// assert_eq!((info.id.as_str(), info.label.as_str()), (key.info.id.as_str(), "Okta"));
/// assert!(info.last_used_at.is_none());
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
    /// When the key last authenticated a request.
    pub last_used_at: Option<OffsetDateTime>,
}

/// A freshly created key: the secret is shown this once and never stored.
///
/// ```
/// use scim_core::{ApiKeyStore, API_KEY_PREFIX};
/// let key = ApiKeyStore::new().create("acme", ["SCIM2"], "Entra").unwrap();
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

#[derive(Debug)]
struct KeyRecord {
    hash: [u8; 32],
    id: String,
    tenant: String,
    scopes: Vec<String>,
    label: String,
    hint: String,
    created_at: OffsetDateTime,
    /// Unix seconds of the last use; `i64::MIN` for never.
    last_used: AtomicI64,
}

impl KeyRecord {
    fn info(&self) -> ApiKeyInfo {
        let last = self.last_used.load(Ordering::Relaxed);
        ApiKeyInfo {
            id: self.id.clone(),
            tenant: self.tenant.clone(),
            scopes: self.scopes.clone(),
            label: self.label.clone(),
            hint: self.hint.clone(),
            created_at: self.created_at,
            last_used_at: (last != i64::MIN)
                .then(|| OffsetDateTime::from_unix_timestamp(last).ok())
                .flatten(),
        }
    }
}

#[derive(Debug, Default)]
struct Keys {
    /// By the first 8 bytes of the hash: a lookup that reveals nothing useful about the
    /// secret; the full hash is then compared in constant time.
    by_hash_prefix: HashMap<[u8; 8], Vec<Arc<KeyRecord>>>,
    by_id: HashMap<String, Arc<KeyRecord>>,
}

/// The built-in API-key store, an [`Authenticator`]. Cheap to clone (the clones share the
/// keys), so a host app keeps one to manage keys while the server authenticates with it.
///
/// ```
/// use scim_core::{ApiKeyStore, Authenticator};
/// let store = ApiKeyStore::new();
/// let key = store.create("acme", ["SCIM2"], "Okta").unwrap();
/// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
/// let principal = rt.block_on(store.authenticate(&key.secret)).unwrap().unwrap();
/// assert_eq!(principal.tenant, "acme");
/// assert!(store.revoke(&key.info.id));
/// assert!(rt.block_on(store.authenticate(&key.secret)).unwrap().is_none());
/// ```
#[derive(Debug, Clone, Default)]
pub struct ApiKeyStore {
    keys: Arc<RwLock<Keys>>,
}

fn sha256(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

fn hash_prefix(hash: &[u8; 32]) -> [u8; 8] {
    let mut prefix = [0u8; 8];
    prefix.copy_from_slice(hash.get(..8).unwrap_or(&[0; 8]));
    prefix
}

/// `n` random base62 characters, by rejection sampling so every character is equally likely.
fn random_base62(n: usize) -> Result<String, ApiKeyError> {
    let mut out = String::with_capacity(n);
    let mut buf = [0u8; 64];
    while out.len() < n {
        getrandom::fill(&mut buf).map_err(|e| ApiKeyError::Random(e.to_string()))?;
        for b in buf {
            // 248 = 4 * 62: bytes at or above it would bias the low characters.
            if b < 248
                && out.len() < n
                && let Some(&c) = BASE62.get(usize::from(b % 62))
            {
                out.push(char::from(c));
            }
        }
    }
    Ok(out)
}

impl ApiKeyStore {
    /// An empty store.
    ///
    /// ```
    /// # use scim_core::ApiKeyStore;
    /// assert!(ApiKeyStore::new().list("acme").is_empty());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Generates a new key for `tenant` from the operating system's CSPRNG. The returned
    /// secret is the only copy: the store keeps its SHA-256 hash.
    ///
    /// ```
    /// # use scim_core::ApiKeyStore;
    /// let store = ApiKeyStore::new();
    /// let a = store.create("acme", ["SCIM2"], "a").unwrap();
    /// let b = store.create("acme", ["SCIM2"], "b").unwrap();
    /// assert_ne!(a.secret, b.secret);
    /// assert_eq!(a.secret.len(), 45);
    /// ```
    pub fn create<I, S>(
        &self,
        tenant: impl Into<String>,
        scopes: I,
        label: impl Into<String>,
    ) -> Result<NewApiKey, ApiKeyError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let secret = format!("{API_KEY_PREFIX}{}", random_base62(SECRET_CHARS)?);
        let hint = secret
            .get(..API_KEY_PREFIX.len() + 4)
            .unwrap_or_default()
            .to_owned();
        let info = self.add(
            &secret,
            tenant.into(),
            scopes.into_iter().map(Into::into).collect(),
            label.into(),
            hint,
        )?;
        Ok(NewApiKey { secret, info })
    }

    /// Adds a key whose secret is already known (configuration, a test, the example
    /// server's `--api-key acme:secret`).
    ///
    /// ```
    /// # use scim_core::ApiKeyStore;
    /// let store = ApiKeyStore::new();
    /// store.insert("acme", "secret", ["SCIM2"]).unwrap();
    /// assert_eq!(store.list("acme").len(), 1);
    /// assert!(store.insert("acme", "", ["SCIM2"]).is_err());
    /// ```
    pub fn insert<I, S>(
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
            scopes.into_iter().map(Into::into).collect(),
            String::new(),
            String::new(),
        )
    }

    fn add(
        &self,
        secret: &str,
        tenant: String,
        scopes: Vec<String>,
        label: String,
        hint: String,
    ) -> Result<ApiKeyInfo, ApiKeyError> {
        let hash = sha256(secret);
        let record = Arc::new(KeyRecord {
            hash,
            id: random_base62(16)?,
            tenant,
            scopes,
            label,
            hint,
            created_at: OffsetDateTime::now_utc(),
            last_used: AtomicI64::new(i64::MIN),
        });
        let info = record.info();
        let mut keys = self.keys.write().unwrap_or_else(|p| p.into_inner());
        keys.by_id.insert(record.id.clone(), record.clone());
        keys.by_hash_prefix
            .entry(hash_prefix(&hash))
            .or_default()
            .push(record);
        Ok(info)
    }

    /// The keys of `tenant`, oldest first, without their secrets.
    ///
    /// ```
    /// # use scim_core::ApiKeyStore;
    /// let store = ApiKeyStore::new();
    /// store.create("acme", ["SCIM2"], "Okta").unwrap();
    /// assert!(store.list("globex").is_empty());
    /// ```
    pub fn list(&self, tenant: &str) -> Vec<ApiKeyInfo> {
        let keys = self.keys.read().unwrap_or_else(|p| p.into_inner());
        let mut out: Vec<ApiKeyInfo> = keys
            .by_id
            .values()
            .filter(|r| r.tenant == tenant)
            .map(|r| r.info())
            .collect();
        out.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
        out
    }

    /// Revokes a key by its id; `false` if there was none.
    ///
    /// ```
    /// # use scim_core::ApiKeyStore;
    /// let store = ApiKeyStore::new();
    /// let key = store.create("acme", ["SCIM2"], "Okta").unwrap();
    /// assert!(store.revoke(&key.info.id));
    /// assert!(!store.revoke(&key.info.id));
    /// ```
    pub fn revoke(&self, id: &str) -> bool {
        let mut keys = self.keys.write().unwrap_or_else(|p| p.into_inner());
        let Some(record) = keys.by_id.remove(id) else {
            return false;
        };
        let prefix = hash_prefix(&record.hash);
        if let Some(bucket) = keys.by_hash_prefix.get_mut(&prefix) {
            bucket.retain(|r| r.id != record.id);
            if bucket.is_empty() {
                keys.by_hash_prefix.remove(&prefix);
            }
        }
        true
    }

    /// The principal of `secret`, recording the use; `None` for an unknown secret.
    fn lookup(&self, secret: &str) -> Option<Principal> {
        let hash = sha256(secret);
        let keys = self.keys.read().unwrap_or_else(|p| p.into_inner());
        let record = keys
            .by_hash_prefix
            .get(&hash_prefix(&hash))?
            .iter()
            .find(|r| bool::from(r.hash.ct_eq(&hash)))?;
        record.last_used.store(
            OffsetDateTime::now_utc().unix_timestamp(),
            Ordering::Relaxed,
        );
        let label = if record.label.is_empty() {
            format!("key {}", record.id)
        } else {
            record.label.clone()
        };
        Some(Principal::new(record.tenant.clone(), record.scopes.clone()).with_label(label))
    }
}

#[async_trait::async_trait]
impl Authenticator for ApiKeyStore {
    async fn authenticate(&self, token: &str) -> Result<Option<Principal>, ScimError> {
        Ok(self.lookup(token))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_key_has_the_prefix_and_only_base62_characters() {
        let key = ApiKeyStore::new().create("t", ["SCIM2"], "l").unwrap();
        let rest = key.secret.strip_prefix(API_KEY_PREFIX).unwrap();
        assert_eq!(rest.len(), SECRET_CHARS);
        assert!(rest.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_eq!(key.info.hint, key.secret[..9]);
    }

    #[test]
    fn the_store_keeps_no_secret() {
        let store = ApiKeyStore::new();
        let key = store.create("t", ["SCIM2"], "l").unwrap();
        let dump = format!("{store:?} {key:?}");
        assert!(!dump.contains(&key.secret));
    }

    #[test]
    fn lookup_finds_only_the_exact_secret_and_records_use() {
        let store = ApiKeyStore::new();
        store.insert("acme", "secret", ["SCIM2"]).unwrap();
        assert!(store.lookup("secreT").is_none());
        assert!(store.lookup("secret ").is_none());
        assert!(store.list("acme")[0].last_used_at.is_none());
        let p = store.lookup("secret").unwrap();
        assert_eq!(p.tenant, "acme");
        assert!(p.has_scope("SCIM2"));
        assert!(store.list("acme")[0].last_used_at.is_some());
    }

    #[test]
    fn revoking_one_key_keeps_the_others() {
        let store = ApiKeyStore::new();
        let a = store.create("acme", ["SCIM2"], "a").unwrap();
        let b = store.create("acme", ["SCIM2"], "b").unwrap();
        assert!(store.revoke(&a.info.id));
        assert!(store.lookup(&a.secret).is_none());
        assert!(store.lookup(&b.secret).is_some());
        assert_eq!(store.list("acme").len(), 1);
    }
}
