//! [`SqlStore`]: a [`ResourceStore`] on PostgreSQL or SQLite.

mod busy;
mod cursor;
mod map;
mod members;
mod query;
mod read;
mod write;

use std::time::Duration;

use async_trait::async_trait;
use scim_core::filter::AttrPath;
use scim_core::store::{Retrieved, UnknownMembers, excludes_whole};
use scim_core::{
    PatchRequest, Query, QueryResult, RequestContext, Resource, ResourceStore, ResourceType,
    ScimError, StoreError,
};
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor};

use crate::Database;
use crate::filter::Dialect;

/// Why [`SqlStore::connect`] failed.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let err = scim_sqlx::SqlStore::connect("mysql://nowhere").await.unwrap_err();
/// assert!(matches!(err, scim_sqlx::ConnectError::UnsupportedUrl(_)));
/// # });
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConnectError {
    /// The URL names no backend this build supports (`sqlite:` needs the `sqlite`
    /// feature, `postgres:` the `postgres` feature).
    #[error("unsupported database URL {0:?}: expected sqlite:… or postgres://…")]
    UnsupportedUrl(String),
    /// A setting is invalid (e.g. a schema name that is not a plain identifier).
    #[error("invalid setting: {0}")]
    InvalidSetting(String),
    /// The database could not be reached or refused the connection.
    #[error("cannot connect: {0}")]
    Connect(#[source] sqlx::Error),
    /// The migrations failed.
    #[error("migrations failed: {0}")]
    Migrate(#[source] sqlx::migrate::MigrateError),
}

/// The switches of a [`SqlStore`].
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub(crate) unique_group_display_name: bool,
    pub(crate) unknown_members: UnknownMembers,
}

/// Builds a [`SqlStore`]: pool size, switches, and (PostgreSQL) the schema.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let store = scim_sqlx::SqlStore::builder("sqlite::memory:")
///     .unique_group_display_name(false)
///     .connect()
///     .await
///     .unwrap();
/// # drop(store);
/// # });
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct SqlStoreBuilder {
    url: String,
    max_connections: u32,
    schema: Option<String>,
    settings: Settings,
}

impl SqlStoreBuilder {
    /// The most connections the pool opens (default 10). On SQLite, writes go through
    /// one connection of their own whatever this says: SQLite has one writer.
    ///
    /// ```
    /// let b = scim_sqlx::SqlStore::builder("sqlite::memory:").max_connections(4);
    /// # drop(b);
    /// ```
    pub fn max_connections(mut self, max: u32) -> Self {
        self.max_connections = max.max(1);
        self
    }

    /// PostgreSQL only: the schema holding the tables (created if missing, set as
    /// each connection's `search_path`). A plain identifier: letters, digits, `_`.
    ///
    /// ```
    /// let b = scim_sqlx::SqlStore::builder("postgres://localhost/app").schema("scim");
    /// # drop(b);
    /// ```
    pub fn schema(mut self, schema: impl Into<String>) -> Self {
        self.schema = Some(schema.into());
        self
    }

    /// Whether a Group's `displayName` must be unique in its tenant (default `true`,
    /// compared case-insensitively): Entra ID matches groups by `displayName`.
    ///
    /// ```
    /// let b = scim_sqlx::SqlStore::builder("sqlite::memory:").unique_group_display_name(false);
    /// # drop(b);
    /// ```
    pub fn unique_group_display_name(mut self, unique: bool) -> Self {
        self.settings.unique_group_display_name = unique;
        self
    }

    /// What to do with group members that name no User or Group of the tenant
    /// (default: reject the write).
    ///
    /// ```
    /// let b = scim_sqlx::SqlStore::builder("sqlite::memory:").unknown_members(scim_core::store::UnknownMembers::Ignore);
    /// # drop(b);
    /// ```
    pub fn unknown_members(mut self, policy: UnknownMembers) -> Self {
        self.settings.unknown_members = policy;
        self
    }

    /// Connects, applies the migrations and returns the store.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let store = scim_sqlx::SqlStore::builder("sqlite::memory:").connect().await.unwrap();
    /// # drop(store);
    /// # });
    /// ```
    pub async fn connect(self) -> Result<SqlStore, ConnectError> {
        let settings = self.settings.clone();
        let database = self.connect_database().await?;
        let store = SqlStore {
            pool: database.read,
            writer: database.write,
            dialect: database.dialect,
            settings,
        };
        store.migrate().await?;
        Ok(store)
    }

    /// Connects with these settings but creates none of the store's tables: the
    /// [`Database`] of a host app that maps SCIM onto tables of its own.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let db = scim_sqlx::SqlStore::builder("sqlite::memory:").max_connections(2)
    ///     .connect_database().await.unwrap();
    /// assert_eq!(db.for_update(), "");
    /// # });
    /// ```
    pub async fn connect_database(self) -> Result<Database, ConnectError> {
        install_default_drivers();
        let dialect = if self.url.starts_with("sqlite:") {
            Dialect::Sqlite
        } else if self.url.starts_with("postgres://") || self.url.starts_with("postgresql://") {
            Dialect::Postgres
        } else {
            return Err(ConnectError::UnsupportedUrl(self.url));
        };
        let (read, write) = match dialect {
            Dialect::Sqlite => self.connect_sqlite().await?,
            Dialect::Postgres => {
                let pool = self.connect_postgres().await?;
                (pool.clone(), pool)
            }
        };
        Ok(Database {
            read,
            write,
            dialect,
        })
    }

    /// SQLite: WAL (readers never wait for the writer), a busy timeout (a writer of
    /// another process is waited for, not reported), and writes on a pool of one
    /// connection that starts each transaction with `BEGIN IMMEDIATE`, so two writers
    /// never deadlock upgrading a read lock and "database is locked" never surfaces.
    async fn connect_sqlite(&self) -> Result<(AnyPool, AnyPool), ConnectError> {
        let memory = self.url.contains(":memory:") || self.url.contains("mode=memory");
        let url = if memory || self.url.contains("mode=") {
            self.url.clone()
        } else {
            let sep = if self.url.contains('?') { '&' } else { '?' };
            format!("{}{sep}mode=rwc", self.url)
        };
        let options = || {
            AnyPoolOptions::new().after_connect(|conn, _| {
                Box::pin(async move {
                    conn.execute(
                        "PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON; \
                         PRAGMA synchronous = NORMAL;",
                    )
                    .await?;
                    Ok(())
                })
            })
        };
        if memory {
            // Each connection to `:memory:` is a database of its own: one connection.
            let pool = options()
                .max_connections(1)
                .connect(&url)
                .await
                .map_err(ConnectError::Connect)?;
            return Ok((pool.clone(), pool));
        }
        // Instances opening a new file together may each find it locked by another's
        // switch to WAL; each step retries until the file is settled.
        let writer = busy::retry_while_busy(|| options().max_connections(1).connect(&url))
            .await
            .map_err(ConnectError::Connect)?;
        busy::retry_while_busy(|| writer.execute("PRAGMA journal_mode = WAL"))
            .await
            .map_err(ConnectError::Connect)?;
        let pool = busy::retry_while_busy(|| {
            options()
                .max_connections(self.max_connections)
                .connect(&url)
        })
        .await
        .map_err(ConnectError::Connect)?;
        Ok((pool, writer))
    }

    async fn connect_postgres(&self) -> Result<AnyPool, ConnectError> {
        let schema = match &self.schema {
            Some(schema)
                if !schema.is_empty()
                    && schema
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_')
                    && !schema.starts_with(|c: char| c.is_ascii_digit()) =>
            {
                Some(schema.clone())
            }
            Some(schema) => {
                return Err(ConnectError::InvalidSetting(format!(
                    "schema {schema:?} is not a plain identifier"
                )));
            }
            None => None,
        };
        if let Some(schema) = &schema {
            // Created once, before the pool's connections set it as their path.
            let pool = AnyPoolOptions::new()
                .max_connections(1)
                .connect(&self.url)
                .await
                .map_err(ConnectError::Connect)?;
            let created = pool
                .execute(format!("CREATE SCHEMA IF NOT EXISTS \"{schema}\"").as_str())
                .await;
            // Two processes creating it at once: one wins, the other sees it exist.
            if let Err(e) = created {
                let exists = pool
                    .execute(format!("SET search_path TO \"{schema}\"").as_str())
                    .await;
                if exists.is_err() {
                    return Err(ConnectError::Connect(e));
                }
            }
            pool.close().await;
        }
        AnyPoolOptions::new()
            .max_connections(self.max_connections)
            .after_connect(move |conn, _| {
                let schema = schema.clone();
                Box::pin(async move {
                    if let Some(schema) = schema {
                        conn.execute(format!("SET search_path TO \"{schema}\"").as_str())
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect(&self.url)
            .await
            .map_err(ConnectError::Connect)
    }
}

/// A [`ResourceStore`] on PostgreSQL (feature `postgres`) or SQLite (feature
/// `sqlite`, the default) for every resource type of the registry, built-in or custom.
///
/// - Resources are JSON documents (`jsonb` on PostgreSQL) beside indexed columns:
///   folded `userName` and `displayName`, `externalId`, `meta.lastModified`; a
///   search projection answers filters on any other attribute, translated to one
///   `WHERE` by [`crate::filter`].
/// - Uniqueness (`userName`, a Group's `displayName`, `uniqueness: server`
///   attributes) is a primary key: racing writers on many processes get one success
///   and [`StoreError::Conflict`] for the rest. `If-Match` is compare-and-set.
/// - Group membership is a table indexed both ways: adding one member to a group of
///   100 000 inserts one row and never rewrites the group.
/// - Ids are random UUIDs; `meta.version` is `W/"n"`, advanced on every write and on
///   membership changes of a User's `groups`.
///
/// ```
/// use scim_core::{Query, RequestContext, Resource, ResourceStore, SchemaRegistry};
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let store = scim_sqlx::SqlStore::connect("sqlite::memory:").await.unwrap();
/// let registry = SchemaRegistry::with_builtins();
/// let users = registry.resource_type("User").unwrap();
/// let ctx = RequestContext::new("acme");
/// let bjensen = Resource::from_value_unchecked("User", serde_json::json!({"userName": "bjensen"})).unwrap();
/// store.create(&ctx, users, bjensen).await.unwrap();
/// let mut query = Query::default();
/// query.filter = Some(r#"userName eq "BJENSEN""#.parse().unwrap());
/// assert_eq!(store.query(&ctx, users, &query).await.unwrap().total_results, 1);
/// # });
/// ```
#[derive(Debug, Clone)]
pub struct SqlStore {
    /// Reads (and, on PostgreSQL, writes).
    pool: AnyPool,
    /// Writes: on SQLite a pool of one connection, on PostgreSQL `pool` again.
    writer: AnyPool,
    dialect: Dialect,
    settings: Settings,
}

static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");
static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

impl SqlStore {
    /// Connects to `url` (`sqlite://PATH`, `sqlite::memory:`, `postgres://…`) with the
    /// default settings and applies the migrations.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let store = scim_sqlx::SqlStore::connect("sqlite::memory:").await.unwrap();
    /// # drop(store);
    /// # });
    /// ```
    pub async fn connect(url: &str) -> Result<Self, ConnectError> {
        Self::builder(url).connect().await
    }

    /// A builder for other settings.
    ///
    /// ```
    /// let builder = scim_sqlx::SqlStore::builder("sqlite://scim.db").max_connections(4);
    /// # drop(builder);
    /// ```
    pub fn builder(url: impl Into<String>) -> SqlStoreBuilder {
        SqlStoreBuilder {
            url: url.into(),
            max_connections: 10,
            schema: None,
            settings: Settings {
                unique_group_display_name: true,
                unknown_members: UnknownMembers::Reject,
            },
        }
    }

    /// The pool, for a host app's own queries next to the store's (on SQLite, write
    /// through [`SqlStore::write_pool`]).
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let store = scim_sqlx::SqlStore::connect("sqlite::memory:").await.unwrap();
    /// let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM scim_resources")
    ///     .fetch_one(store.pool()).await.unwrap();
    /// assert_eq!(n, 0);
    /// # });
    /// ```
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// The pool writes go through: on SQLite the single writer connection.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let store = scim_sqlx::SqlStore::connect("sqlite::memory:").await.unwrap();
    /// # let _ = store.write_pool();
    /// # });
    /// ```
    pub fn write_pool(&self) -> &AnyPool {
        &self.writer
    }

    /// The backend's dialect.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let store = scim_sqlx::SqlStore::connect("sqlite::memory:").await.unwrap();
    /// assert_eq!(store.dialect(), scim_sqlx::filter::Dialect::Sqlite);
    /// # });
    /// ```
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Applies the migrations. PostgreSQL serialises concurrent starts with an
    /// advisory lock; on SQLite a start that loses the race retries and finds the
    /// migrations applied (every statement is `IF NOT EXISTS`). A busy SQLite file is
    /// waited for longer than other failures are retried.
    async fn migrate(&self) -> Result<(), ConnectError> {
        let migrator = match self.dialect {
            Dialect::Postgres => &POSTGRES_MIGRATIONS,
            Dialect::Sqlite => &SQLITE_MIGRATIONS,
        };
        let mut attempt = 0;
        loop {
            match migrator.run(&self.writer).await {
                Ok(()) => return Ok(()),
                Err(e) if attempt < 5 || (migration_busy(&e) && attempt < 40) => {
                    tracing::debug!(error = %e, "migration attempt failed; retrying");
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(50 * attempt.min(5))).await;
                }
                Err(e) => return Err(ConnectError::Migrate(e)),
            }
        }
    }

    /// Starts a write transaction (`BEGIN IMMEDIATE` on SQLite: take the write lock
    /// first, so the transaction never fails upgrading a read lock).
    async fn begin(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, StoreError> {
        let tx = match self.dialect {
            Dialect::Sqlite => self.writer.begin_with("BEGIN IMMEDIATE").await,
            Dialect::Postgres => self.writer.begin().await,
        };
        tx.map_err(backend)
    }
}

/// Whether a migration failed only because another instance held the SQLite file.
fn migration_busy(e: &sqlx::migrate::MigrateError) -> bool {
    use sqlx::migrate::MigrateError;
    match e {
        MigrateError::Execute(e) | MigrateError::ExecuteMigration(e, _) => busy::is_busy(e),
        _ => false,
    }
}

/// Runs a write again when PostgreSQL aborted it to break a deadlock (`40P01`) or a
/// serialization failure (`40001`): two membership changes that touch the same users
/// in different orders. The write was rolled back, so running it again is safe.
async fn retry<T, F, Fut>(mut write: F) -> Result<T, StoreError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, StoreError>>,
{
    let mut attempt = 0;
    loop {
        match write().await {
            Err(StoreError::Backend(e)) if attempt < 3 && retryable(&*e) => {
                attempt += 1;
                tracing::debug!(error = %e, attempt, "write aborted by the database; retrying");
            }
            other => return other,
        }
    }
}

fn retryable(e: &(dyn std::error::Error + 'static)) -> bool {
    e.downcast_ref::<sqlx::Error>()
        .and_then(sqlx::Error::as_database_error)
        .and_then(|d| d.code())
        .is_some_and(|code| code == "40P01" || code == "40001")
}

/// A database failure as a store error; its text goes to the log, never to a client.
pub(crate) fn backend(e: sqlx::Error) -> StoreError {
    StoreError::Backend(Box::new(e))
}

/// Defence in depth: the engine checks that the principal belongs to the tenant; the
/// store refuses to act if it somehow does not.
fn check_principal(ctx: &RequestContext) -> Result<(), StoreError> {
    match &ctx.principal {
        Some(p) if p.tenant != ctx.tenant => Err(StoreError::Rejected(ScimError::forbidden(
            "the principal does not belong to this tenant",
        ))),
        _ => Ok(()),
    }
}

/// Whether `id` can name a stored row at all: text in PostgreSQL cannot hold NUL (and no
/// store writes one into an id), so an id holding NUL names nothing. It is answered so
/// without being sent: PostgreSQL refuses such a string as malformed, which would
/// surface as a store failure (`500`) instead of `404`.
pub(crate) fn storable_id(id: &str) -> bool {
    !id.contains('\0')
}

/// `NotFound` for an id that no row can hold ([`storable_id`]).
fn check_id(id: &str) -> Result<(), StoreError> {
    if storable_id(id) {
        Ok(())
    } else {
        Err(StoreError::NotFound { id: id.to_owned() })
    }
}

#[async_trait]
impl ResourceStore for SqlStore {
    async fn create(
        &self,
        ctx: &RequestContext,
        resource_type: &ResourceType,
        resource: Resource,
    ) -> Result<Resource, StoreError> {
        check_principal(ctx)?;
        retry(|| self.create_resource(&ctx.tenant, resource_type, resource.clone())).await
    }

    async fn get(
        &self,
        ctx: &RequestContext,
        resource_type: &ResourceType,
        id: &str,
    ) -> Result<Resource, StoreError> {
        check_principal(ctx)?;
        check_id(id)?;
        let mut conn = self.pool.acquire().await.map_err(backend)?;
        self.load(&mut conn, &ctx.tenant, resource_type, id, true)
            .await
    }

    async fn retrieve(
        &self,
        ctx: &RequestContext,
        resource_type: &ResourceType,
        id: &str,
        excluded_attributes: &[AttrPath],
    ) -> Result<Retrieved, StoreError> {
        check_principal(ctx)?;
        check_id(id)?;
        let derived = !excludes_derived(resource_type, excluded_attributes);
        let mut conn = self.pool.acquire().await.map_err(backend)?;
        self.retrieve_resource(&mut conn, &ctx.tenant, resource_type, id, derived)
            .await
    }

    async fn replace(
        &self,
        ctx: &RequestContext,
        resource_type: &ResourceType,
        id: &str,
        resource: Resource,
        expected_version: Option<&str>,
    ) -> Result<Resource, StoreError> {
        check_principal(ctx)?;
        check_id(id)?;
        retry(|| {
            self.replace_resource(
                &ctx.tenant,
                resource_type,
                id,
                resource.clone(),
                expected_version,
            )
        })
        .await
    }

    async fn patch(
        &self,
        ctx: &RequestContext,
        resource_type: &ResourceType,
        id: &str,
        patch: &PatchRequest,
        expected_version: Option<&str>,
    ) -> Result<Resource, StoreError> {
        self.patch_excluding(ctx, resource_type, id, patch, expected_version, &[])
            .await
    }

    async fn patch_excluding(
        &self,
        ctx: &RequestContext,
        resource_type: &ResourceType,
        id: &str,
        patch: &PatchRequest,
        expected_version: Option<&str>,
        excluded_attributes: &[AttrPath],
    ) -> Result<Resource, StoreError> {
        check_principal(ctx)?;
        check_id(id)?;
        let derived = !excludes_derived(resource_type, excluded_attributes);
        retry(|| {
            self.patch_resource(
                &ctx.tenant,
                resource_type,
                id,
                patch,
                expected_version,
                derived,
            )
        })
        .await
    }

    async fn delete(
        &self,
        ctx: &RequestContext,
        resource_type: &ResourceType,
        id: &str,
        expected_version: Option<&str>,
    ) -> Result<(), StoreError> {
        check_principal(ctx)?;
        check_id(id)?;
        retry(|| self.delete_resource(&ctx.tenant, resource_type, id, expected_version)).await
    }

    async fn query(
        &self,
        ctx: &RequestContext,
        resource_type: &ResourceType,
        query: &Query,
    ) -> Result<QueryResult, StoreError> {
        check_principal(ctx)?;
        self.run_query(&ctx.tenant, resource_type, query).await
    }
}

/// Whether `excluded` names the derived attribute (`members` or `groups`), so the
/// store need not load it.
fn excludes_derived(rt: &ResourceType, excluded: &[AttrPath]) -> bool {
    read::Kind::of(rt)
        .derived_attribute()
        .is_some_and(|name| excludes_whole(excluded, rt, name))
}
