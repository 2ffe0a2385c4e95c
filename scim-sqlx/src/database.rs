//! [`Database`]: the connections of a host app's own tables, set up as the SQL store
//! sets up its own, for a store that maps SCIM onto those tables.

use sqlx::{Any, AnyPool, Transaction};

use crate::filter::Dialect;
use crate::store::ConnectError;

/// Pools on PostgreSQL or SQLite, chosen by the URL, with the settings a
/// [`ResourceStore`](scim_core::ResourceStore) on them needs and no tables of this
/// crate: on SQLite WAL (readers never wait for the writer), a busy timeout, foreign
/// keys on and writes through one connection of their own, so that "database is locked"
/// never reaches a client; on PostgreSQL one pool, in the schema given to
/// [`SqlStoreBuilder::schema`](crate::SqlStoreBuilder::schema) if any.
///
/// Bind a translated filter's parameters with [`crate::filter::bind`].
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use scim_sqlx::Database;
/// let db = Database::connect("sqlite::memory:").await.unwrap();
/// sqlx::query("CREATE TABLE users (id TEXT PRIMARY KEY)").execute(db.write()).await.unwrap();
/// let mut tx = db.begin().await.unwrap();
/// sqlx::query("INSERT INTO users (id) VALUES ($1)").bind("u1").execute(&mut *tx).await.unwrap();
/// tx.commit().await.unwrap();
/// let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(db.read()).await.unwrap();
/// assert_eq!(n, 1);
/// # });
/// ```
#[derive(Debug, Clone)]
pub struct Database {
    pub(crate) read: AnyPool,
    pub(crate) write: AnyPool,
    pub(crate) dialect: Dialect,
}

impl Database {
    /// Connects to `url` (`sqlite://PATH`, `sqlite::memory:`, `postgres://…`) with the
    /// default settings; [`SqlStore::builder`](crate::SqlStore::builder)`(url)` and
    /// [`connect_database`](crate::SqlStoreBuilder::connect_database) for others.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let db = scim_sqlx::Database::connect("sqlite::memory:").await.unwrap();
    /// assert_eq!(db.dialect(), scim_sqlx::filter::Dialect::Sqlite);
    /// # });
    /// ```
    pub async fn connect(url: &str) -> Result<Self, ConnectError> {
        crate::SqlStore::builder(url).connect_database().await
    }

    /// The pool for reads (on PostgreSQL, for writes too).
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let db = scim_sqlx::Database::connect("sqlite::memory:").await.unwrap();
    /// let one: i64 = sqlx::query_scalar("SELECT 1").fetch_one(db.read()).await.unwrap();
    /// assert_eq!(one, 1);
    /// # });
    /// ```
    pub fn read(&self) -> &AnyPool {
        &self.read
    }

    /// The pool for writes: on SQLite its single writer connection.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let db = scim_sqlx::Database::connect("sqlite::memory:").await.unwrap();
    /// sqlx::query("CREATE TABLE t (x TEXT)").execute(db.write()).await.unwrap();
    /// # });
    /// ```
    pub fn write(&self) -> &AnyPool {
        &self.write
    }

    /// The backend's dialect, for [`crate::filter::translate`] and for the SQL that
    /// differs.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let db = scim_sqlx::Database::connect("sqlite::memory:").await.unwrap();
    /// assert_eq!(db.dialect().placeholder(2), "?2");
    /// # });
    /// ```
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Starts a write transaction. On SQLite it takes the write lock first
    /// (`BEGIN IMMEDIATE`), so a read-then-write transaction never fails upgrading its
    /// lock; on PostgreSQL lock the rows you read before writing them with
    /// [`Database::for_update`].
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let db = scim_sqlx::Database::connect("sqlite::memory:").await.unwrap();
    /// db.begin().await.unwrap().commit().await.unwrap();
    /// # });
    /// ```
    pub async fn begin(&self) -> Result<Transaction<'static, Any>, sqlx::Error> {
        match self.dialect {
            Dialect::Sqlite => self.write.begin_with("BEGIN IMMEDIATE").await,
            Dialect::Postgres => self.write.begin().await,
        }
    }

    /// What to append to a `SELECT` of rows a transaction is about to change, so that a
    /// concurrent writer waits instead of overwriting them: ` FOR UPDATE` on
    /// PostgreSQL, nothing on SQLite (whose write transaction already excludes others).
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let db = scim_sqlx::Database::connect("sqlite::memory:").await.unwrap();
    /// assert_eq!(db.for_update(), "");
    /// # });
    /// ```
    pub fn for_update(&self) -> &'static str {
        match self.dialect {
            Dialect::Sqlite => "",
            Dialect::Postgres => " FOR UPDATE",
        }
    }
}
