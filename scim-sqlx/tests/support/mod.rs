//! Stores for the integration tests: SQLite in a fresh temporary file, PostgreSQL in a
//! fresh schema dropped when the store is.
#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test support, used by some test binaries only"
)]

use std::sync::Arc;

use async_trait::async_trait;
use scim_core::auth::{ApiKeyError, ApiKeyInfo, ApiKeyStorage, StoredApiKey};
use scim_core::filter::AttrPath;
use scim_core::store::Retrieved;
use scim_core::{
    PatchRequest, Query, QueryResult, RequestContext, Resource, ResourceStore, ResourceType,
    StoreError,
};
use scim_sqlx::{SqlKeyStorage, SqlStore};

/// A SQLite store in a new file under the temporary directory, removed with the store.
pub async fn sqlite() -> TestStore {
    sqlite_with(|builder| builder).await
}

/// [`sqlite`] with settings of its own.
pub async fn sqlite_with(
    settings: impl FnOnce(scim_sqlx::SqlStoreBuilder) -> scim_sqlx::SqlStoreBuilder,
) -> TestStore {
    let path = std::env::temp_dir().join(format!("scim-sqlx-test-{}.db", uuid::Uuid::new_v4()));
    let store = settings(SqlStore::builder(format!("sqlite://{}", path.display())))
        .connect()
        .await
        .expect("SQLite store");
    TestStore {
        store,
        cleanup: Cleanup::File(path),
    }
}

/// `SCIM_TEST_POSTGRES_URL`, or the project's default.
pub fn postgres_url() -> String {
    std::env::var("SCIM_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// A PostgreSQL store in a schema of its own, dropped with the store. `None` (after a
/// loud message) when PostgreSQL is unreachable on a developer machine; a panic when
/// `CI` is set.
pub async fn postgres() -> Option<TestStore> {
    postgres_with(|builder| builder).await
}

/// [`postgres`] with settings of its own.
pub async fn postgres_with(
    settings: impl FnOnce(scim_sqlx::SqlStoreBuilder) -> scim_sqlx::SqlStoreBuilder,
) -> Option<TestStore> {
    let url = postgres_url();
    let schema = format!("scim_test_{}", uuid::Uuid::new_v4().simple());
    match settings(SqlStore::builder(&url).schema(&schema).max_connections(8))
        .connect()
        .await
    {
        Ok(store) => Some(TestStore {
            store,
            cleanup: Cleanup::Schema { url, schema },
        }),
        Err(e) if std::env::var_os("CI").is_some() => {
            panic!("PostgreSQL at {url} is unreachable in CI: {e}")
        }
        Err(e) => {
            eprintln!(
                "SKIPPED: PostgreSQL at {url} is unreachable ({e}); start it or set \
                 SCIM_TEST_POSTGRES_URL to run the PostgreSQL tests"
            );
            None
        }
    }
}

/// [`postgres`] as the store contract's factory wants it.
pub async fn postgres_dyn() -> Option<Arc<dyn ResourceStore>> {
    postgres()
        .await
        .map(|s| Arc::new(s) as Arc<dyn ResourceStore>)
}

/// [`postgres`] for a factory that must return a store: without PostgreSQL (and
/// outside CI, where [`postgres`] panics) the case runs on the in-memory store, after
/// [`postgres`] said loudly that the PostgreSQL run was skipped.
pub async fn postgres_or_skip() -> Arc<dyn ResourceStore> {
    match postgres_dyn().await {
        Some(store) => store,
        None => Arc::new(scim_core::InMemoryStore::new()),
    }
}

/// [`sqlite`] as the store contract's factory wants it.
pub async fn sqlite_dyn() -> Arc<dyn ResourceStore> {
    Arc::new(sqlite().await)
}

/// A store whose database file or schema goes when it does.
pub struct TestStore {
    pub store: SqlStore,
    cleanup: Cleanup,
}

enum Cleanup {
    File(std::path::PathBuf),
    Schema { url: String, schema: String },
}

impl Drop for TestStore {
    fn drop(&mut self) {
        let pool = self.store.pool().clone();
        let writer = self.store.write_pool().clone();
        let cleanup =
            std::mem::replace(&mut self.cleanup, Cleanup::File(std::path::PathBuf::new()));
        // Drop runs inside the test's runtime: do the async cleanup on a thread.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async move {
                pool.close().await;
                writer.close().await;
                match cleanup {
                    Cleanup::File(path) => {
                        for suffix in ["", "-wal", "-shm"] {
                            let mut p = path.clone().into_os_string();
                            p.push(suffix);
                            let _ = std::fs::remove_file(p);
                        }
                    }
                    Cleanup::Schema { url, schema } => {
                        sqlx::any::install_default_drivers();
                        if let Ok(conn) = sqlx::AnyPool::connect(&url).await {
                            let _ =
                                sqlx::query(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"))
                                    .execute(&conn)
                                    .await;
                            conn.close().await;
                        }
                    }
                }
            });
        })
        .join();
    }
}

impl std::ops::Deref for TestStore {
    type Target = SqlStore;
    fn deref(&self) -> &SqlStore {
        &self.store
    }
}

#[async_trait]
impl ResourceStore for TestStore {
    async fn create(
        &self,
        ctx: &RequestContext,
        rt: &ResourceType,
        r: Resource,
    ) -> Result<Resource, StoreError> {
        self.store.create(ctx, rt, r).await
    }
    async fn get(
        &self,
        ctx: &RequestContext,
        rt: &ResourceType,
        id: &str,
    ) -> Result<Resource, StoreError> {
        self.store.get(ctx, rt, id).await
    }
    // Every method is forwarded, the defaulted ones too: a wrapper that left one out
    // would test the trait's default instead of the store.
    async fn retrieve(
        &self,
        ctx: &RequestContext,
        rt: &ResourceType,
        id: &str,
        x: &[AttrPath],
    ) -> Result<Retrieved, StoreError> {
        self.store.retrieve(ctx, rt, id, x).await
    }
    async fn replace(
        &self,
        ctx: &RequestContext,
        rt: &ResourceType,
        id: &str,
        r: Resource,
        v: Option<&str>,
    ) -> Result<Resource, StoreError> {
        self.store.replace(ctx, rt, id, r, v).await
    }
    async fn patch(
        &self,
        ctx: &RequestContext,
        rt: &ResourceType,
        id: &str,
        p: &PatchRequest,
        v: Option<&str>,
    ) -> Result<Resource, StoreError> {
        self.store.patch(ctx, rt, id, p, v).await
    }
    async fn patch_excluding(
        &self,
        ctx: &RequestContext,
        rt: &ResourceType,
        id: &str,
        p: &PatchRequest,
        v: Option<&str>,
        x: &[AttrPath],
    ) -> Result<Resource, StoreError> {
        self.store.patch_excluding(ctx, rt, id, p, v, x).await
    }
    async fn delete(
        &self,
        ctx: &RequestContext,
        rt: &ResourceType,
        id: &str,
        v: Option<&str>,
    ) -> Result<(), StoreError> {
        self.store.delete(ctx, rt, id, v).await
    }
    async fn query(
        &self,
        ctx: &RequestContext,
        rt: &ResourceType,
        q: &Query,
    ) -> Result<QueryResult, StoreError> {
        self.store.query(ctx, rt, q).await
    }
}

/// The key storage of a [`TestStore`], which it keeps (and so its database) alive.
#[derive(Debug)]
pub struct TestKeyStorage {
    keys: SqlKeyStorage,
    _store: Arc<TestStore>,
}

impl std::fmt::Debug for TestStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.store.fmt(f)
    }
}

impl TestKeyStorage {
    pub fn new(store: TestStore) -> Self {
        Self {
            keys: store.key_storage(),
            _store: Arc::new(store),
        }
    }
}

/// The key-storage contract's factory on SQLite: a fresh file per case.
pub async fn sqlite_keys() -> Arc<dyn ApiKeyStorage> {
    Arc::new(TestKeyStorage::new(sqlite().await))
}

/// The key-storage contract's factory on PostgreSQL: a fresh schema per case (the
/// in-memory storage, after a loud message, when PostgreSQL is unreachable outside CI).
pub async fn postgres_keys_or_skip() -> Arc<dyn ApiKeyStorage> {
    match postgres().await {
        Some(store) => Arc::new(TestKeyStorage::new(store)),
        None => Arc::new(scim_core::auth::MemoryKeyStorage::new()),
    }
}

#[async_trait]
impl ApiKeyStorage for TestKeyStorage {
    async fn put(&self, key: StoredApiKey) -> Result<ApiKeyInfo, ApiKeyError> {
        self.keys.put(key).await
    }
    async fn find(&self, hash: &[u8; 32]) -> Result<Option<ApiKeyInfo>, ApiKeyError> {
        self.keys.find(hash).await
    }
    async fn list(&self, tenant: &str) -> Result<Vec<ApiKeyInfo>, ApiKeyError> {
        self.keys.list(tenant).await
    }
    async fn revoke(&self, tenant: &str, id: &str) -> Result<bool, ApiKeyError> {
        self.keys.revoke(tenant, id).await
    }
    async fn record_use(&self, id: &str, at: time::OffsetDateTime) -> Result<(), ApiKeyError> {
        self.keys.record_use(id, at).await
    }
    async fn tenants(&self) -> Result<Vec<String>, ApiKeyError> {
        self.keys.tenants().await
    }
}
