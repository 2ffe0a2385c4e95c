//! [`SqlKeyStorage`]: API keys in the `scim_api_keys` table, beside the resources.

use async_trait::async_trait;
use scim_core::auth::{ApiKeyError, ApiKeyInfo, ApiKeyStorage, StoredApiKey};
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

use crate::SqlStore;
use crate::search::format_instant;

/// The columns every read returns, in [`info`]'s order.
const COLUMNS: &str = "id, tenant, scopes, label, hint, created_at, last_used_at";

/// An [`ApiKeyStorage`] on the database of a [`SqlStore`]: keys survive restarts and are
/// shared by every process on the database (a key revoked by one is refused by all at
/// once). Only the SHA-256 hash of a secret is stored, under a unique index; a tenant's
/// keys are found through an index on the tenant.
///
/// Made by [`SqlStore::key_storage`] from the store's pool; the table comes with the
/// store's migrations.
///
/// ```
/// use scim_core::{ApiKeyStore, Authenticator};
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let store = scim_sqlx::SqlStore::connect("sqlite::memory:").await.unwrap();
/// let keys = ApiKeyStore::with_storage(store.key_storage());
/// let key = keys.create("acme", ["SCIM2"], "Okta").await.unwrap();
/// let principal = keys.authenticate(&key.secret).await.unwrap().unwrap();
/// assert_eq!(principal.tenant, "acme");
///
/// // Only the hash is in the table.
/// let secrets: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM scim_api_keys WHERE hint = $1 OR label = $1")
///     .bind(key.secret.as_str()).fetch_one(store.pool()).await.unwrap();
/// assert_eq!(secrets, 0);
///
/// // The engine authenticates with it.
/// let server = scim_core::ScimServer::builder().store(store).api_keys(keys).build().unwrap();
/// # drop(server);
/// # });
/// ```
#[derive(Debug, Clone)]
pub struct SqlKeyStorage {
    pool: AnyPool,
    writer: AnyPool,
}

impl SqlStore {
    /// The API-key storage on this store's database and pools.
    ///
    /// ```
    /// use scim_core::auth::ApiKeyStorage;
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let store = scim_sqlx::SqlStore::connect("sqlite::memory:").await.unwrap();
    /// assert!(store.key_storage().tenants().await.unwrap().is_empty());
    /// # });
    /// ```
    pub fn key_storage(&self) -> SqlKeyStorage {
        SqlKeyStorage::new(self)
    }
}

impl SqlKeyStorage {
    /// The API-key storage on `store`'s database and pools (as [`SqlStore::key_storage`]).
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let store = scim_sqlx::SqlStore::connect("sqlite::memory:").await.unwrap();
    /// let keys = scim_core::ApiKeyStore::with_storage(scim_sqlx::SqlKeyStorage::new(&store));
    /// keys.insert("acme", "s3cret", ["SCIM2"]).await.unwrap();
    /// assert_eq!(keys.tenants().await.unwrap(), ["acme"]);
    /// # });
    /// ```
    pub fn new(store: &SqlStore) -> Self {
        Self {
            pool: store.pool().clone(),
            writer: store.write_pool().clone(),
        }
    }
}

/// A database failure as a key-storage error: the message names the operation and the
/// database's reason, never a secret (only hashes reach the database).
fn storage(what: &str) -> impl FnOnce(sqlx::Error) -> ApiKeyError + '_ {
    move |e| ApiKeyError::Storage(format!("{what}: {e}"))
}

fn instant(at: OffsetDateTime) -> Result<String, ApiKeyError> {
    format_instant(at.to_offset(UtcOffset::UTC))
        .ok_or_else(|| ApiKeyError::Storage("a time outside years 0000-9999".to_owned()))
}

fn parse_instant(text: &str) -> Result<OffsetDateTime, ApiKeyError> {
    OffsetDateTime::parse(text, &Rfc3339)
        .map_err(|e| ApiKeyError::Storage(format!("a stored time {text:?} is unreadable: {e}")))
}

/// A row of [`COLUMNS`] as the key's info.
fn info(row: &AnyRow) -> Result<ApiKeyInfo, ApiKeyError> {
    let text = |n: usize| {
        row.try_get::<String, _>(n)
            .map_err(storage("reading a key"))
    };
    let id = text(0)?;
    let scopes: Vec<String> = serde_json::from_str(&text(2)?)
        .map_err(|e| ApiKeyError::Storage(format!("the scopes of key {id} are unreadable: {e}")))?;
    let created_at = parse_instant(&text(5)?)?;
    let last_used_at: Option<String> = row.try_get(6).map_err(storage("reading a key"))?;
    let mut info = ApiKeyInfo::new(id, text(1)?, scopes, text(3)?, text(4)?, created_at);
    info.last_used_at = last_used_at.as_deref().map(parse_instant).transpose()?;
    Ok(info)
}

#[async_trait]
impl ApiKeyStorage for SqlKeyStorage {
    async fn put(&self, key: StoredApiKey) -> Result<ApiKeyInfo, ApiKeyError> {
        let scopes = serde_json::to_string(&key.info.scopes)
            .map_err(|e| ApiKeyError::Storage(format!("encoding scopes: {e}")))?;
        // One statement: a racing insert of the same hash updates instead of failing,
        // and the row returned is the stored one (the first insert's id, label, hint and
        // creation time).
        let row = sqlx::query(&format!(
            "INSERT INTO scim_api_keys (id, tenant, hash, scopes, label, hint, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (hash) DO UPDATE SET tenant = excluded.tenant, scopes = excluded.scopes \
             RETURNING {COLUMNS}"
        ))
        .bind(key.info.id.as_str())
        .bind(key.info.tenant.as_str())
        .bind(&key.hash[..])
        .bind(scopes)
        .bind(key.info.label.as_str())
        .bind(key.info.hint.as_str())
        .bind(instant(key.info.created_at)?)
        .fetch_one(&self.writer)
        .await
        .map_err(storage("storing a key"))?;
        info(&row)
    }

    async fn find(&self, hash: &[u8; 32]) -> Result<Option<ApiKeyInfo>, ApiKeyError> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM scim_api_keys WHERE hash = $1"
        ))
        .bind(&hash[..])
        .fetch_optional(&self.pool)
        .await
        .map_err(storage("looking a key up"))?;
        row.as_ref().map(info).transpose()
    }

    async fn list(&self, tenant: &str) -> Result<Vec<ApiKeyInfo>, ApiKeyError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM scim_api_keys WHERE tenant = $1 ORDER BY created_at, id"
        ))
        .bind(tenant)
        .fetch_all(&self.pool)
        .await
        .map_err(storage("listing keys"))?;
        rows.iter().map(info).collect()
    }

    async fn revoke(&self, tenant: &str, id: &str) -> Result<bool, ApiKeyError> {
        let done = sqlx::query("DELETE FROM scim_api_keys WHERE tenant = $1 AND id = $2")
            .bind(tenant)
            .bind(id)
            .execute(&self.writer)
            .await
            .map_err(storage("revoking a key"))?;
        Ok(done.rows_affected() > 0)
    }

    async fn record_use(&self, id: &str, at: OffsetDateTime) -> Result<(), ApiKeyError> {
        sqlx::query("UPDATE scim_api_keys SET last_used_at = $1 WHERE id = $2")
            .bind(instant(at)?)
            .bind(id)
            .execute(&self.writer)
            .await
            .map_err(storage("recording a key's use"))?;
        Ok(())
    }

    async fn tenants(&self) -> Result<Vec<String>, ApiKeyError> {
        sqlx::query_scalar("SELECT DISTINCT tenant FROM scim_api_keys ORDER BY tenant")
            .fetch_all(&self.pool)
            .await
            .map_err(storage("listing tenants"))
    }
}
