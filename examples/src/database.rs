//! Where the example server keeps its data: `--database memory`, `sqlite://PATH` or
//! `postgres://USER@HOST:PORT/DB`, opened with [`open`].

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use scim_core::{ApiKeyStore, InMemoryStore, ResourceStore};
use scim_sqlx::SqlStore;
use sqlx::Connection as _;

/// The `--database` default: a SQLite file in the working directory, so the server
/// keeps its data across restarts.
///
/// ```
/// use scim_examples::{DEFAULT_DATABASE, Options};
/// assert_eq!(Options::default().database.to_string(), DEFAULT_DATABASE);
/// ```
pub const DEFAULT_DATABASE: &str = "sqlite://scim-server.db";

/// How long [`open`] waits for a database that does not answer.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A `--database` value.
///
/// ```
/// use scim_examples::Database;
/// assert_eq!("memory".parse::<Database>()?, Database::Memory);
/// let pg: Database = "postgres://scim:hunter2@db:5432/scim".parse()?;
/// assert_eq!(pg.to_string(), "postgres://scim:***@db:5432/scim"); // never the password
/// assert!("mysql://db/scim".parse::<Database>().is_err());
/// # Ok::<(), scim_examples::ParseError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub enum Database {
    /// Process memory: everything is lost when the server stops.
    Memory,
    /// A SQLite URL (`sqlite://PATH`; the file is created if missing).
    Sqlite(String),
    /// A PostgreSQL URL (`postgres://USER[:PASSWORD]@HOST[:PORT]/DB`); a `schema=NAME`
    /// query parameter puts the tables in that schema.
    Postgres(String),
}

impl Default for Database {
    fn default() -> Self {
        Self::Sqlite(DEFAULT_DATABASE.to_owned())
    }
}

impl std::str::FromStr for Database {
    type Err = crate::ParseError;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        if value == "memory" {
            Ok(Self::Memory)
        } else if let Some(path) = value.strip_prefix("sqlite:") {
            if path.trim_start_matches('/').is_empty() {
                return Err(invalid(value, "the SQLite URL names no file"));
            }
            Ok(Self::Sqlite(value.to_owned()))
        } else if value.starts_with("postgres://") || value.starts_with("postgresql://") {
            Ok(Self::Postgres(value.to_owned()))
        } else {
            Err(invalid(
                value,
                "expected memory, sqlite://PATH or postgres://USER@HOST:PORT/DB",
            ))
        }
    }
}

fn invalid(value: &str, why: &str) -> crate::ParseError {
    crate::ParseError::Invalid(format!("--database {:?}: {why}", redact(value)))
}

impl fmt::Display for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Memory => f.write_str("memory"),
            Self::Sqlite(url) | Self::Postgres(url) => f.write_str(&redact(url)),
        }
    }
}

impl fmt::Debug for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Database({self})")
    }
}

/// `url` with the password of its user info, if any, replaced by `***`.
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((user_info, host)) => match user_info.split_once(':') {
            Some((user, _password)) => format!("{scheme}://{user}:***@{host}{tail}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

/// Splits the example's own `schema=NAME` query parameter off a PostgreSQL URL.
fn split_schema(url: &str) -> (String, Option<String>) {
    let Some((base, query)) = url.split_once('?') else {
        return (url.to_owned(), None);
    };
    let mut schema = None;
    let rest: Vec<&str> = query
        .split('&')
        .filter(|pair| match pair.strip_prefix("schema=") {
            Some(name) => {
                schema = Some(name.to_owned());
                false
            }
            None => !pair.is_empty(),
        })
        .collect();
    if rest.is_empty() {
        (base.to_owned(), schema)
    } else {
        (format!("{base}?{}", rest.join("&")), schema)
    }
}

/// An opened database: the resource store and the API keys, both in the database (or
/// both in memory).
///
/// ```
/// use scim_examples::{Database, open};
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let backend = open(&Database::Sqlite("sqlite::memory:".into())).await.unwrap();
/// backend.keys.insert("acme", "secret", ["SCIM2"]).await.unwrap();
/// assert!(format!("{:?}", backend.keys).contains("SqlKeyStorage"));
/// # });
/// ```
#[derive(Clone)]
pub struct Backend {
    /// Users, groups and every other resource.
    pub store: Arc<dyn ResourceStore>,
    /// The API keys.
    pub keys: ApiKeyStore,
}

impl fmt::Debug for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Backend")
            .field("keys", &self.keys)
            .finish_non_exhaustive()
    }
}

impl Backend {
    /// Everything in process memory.
    ///
    /// ```
    /// let backend = scim_examples::Backend::memory();
    /// assert!(format!("{:?}", backend.keys).contains("MemoryKeyStorage"));
    /// ```
    pub fn memory() -> Self {
        Self {
            store: Arc::new(InMemoryStore::new()),
            keys: ApiKeyStore::new(),
        }
    }

    /// Resources and keys in the store's database.
    fn sql(store: SqlStore) -> Self {
        Self {
            keys: ApiKeyStore::with_storage(store.key_storage()),
            store: Arc::new(store),
        }
    }
}

/// Why [`open`] failed: one line, safe to print (no password).
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let db: scim_examples::Database = "sqlite:///no/such/directory/scim.db".parse().unwrap();
/// let err = scim_examples::open(&db).await.unwrap_err();
/// assert!(err.to_string().starts_with("cannot open sqlite:///no/such/directory/scim.db: "));
/// # });
/// ```
#[derive(Debug)]
pub struct OpenError {
    database: Database,
    reason: String,
}

impl fmt::Display for OpenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot open {}: {}", self.database, self.reason)
    }
}

impl std::error::Error for OpenError {}

/// Opens `database`, creating a SQLite file that does not exist and applying the
/// migrations of `scim-sqlx` (idempotent; safe when several servers start at once).
/// A database that does not answer within 10 seconds is an error.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let backend = scim_examples::open(&scim_examples::Database::Memory).await.unwrap();
/// # drop(backend);
/// # });
/// ```
pub async fn open(database: &Database) -> Result<Backend, OpenError> {
    let fail = |reason: String| OpenError {
        database: database.clone(),
        reason: one_line(&reason),
    };
    let builder = match database {
        Database::Memory => return Ok(Backend::memory()),
        Database::Sqlite(url) => SqlStore::builder(url),
        Database::Postgres(url) => {
            let (url, schema) = split_schema(url);
            probe(&url).await.map_err(fail)?;
            let builder = SqlStore::builder(url);
            match schema {
                Some(schema) => builder.schema(schema),
                None => builder,
            }
        }
    };
    match tokio::time::timeout(CONNECT_TIMEOUT, builder.connect()).await {
        Ok(Ok(store)) => Ok(Backend::sql(store)),
        Ok(Err(e)) => Err(fail(e.to_string())),
        Err(_) => Err(fail(format!(
            "no answer within {}s",
            CONNECT_TIMEOUT.as_secs()
        ))),
    }
}

/// One connection to `url`, closed at once: the pool retries a refused connection until
/// its timeout and then reports only that it timed out, where the operator needs the
/// cause ("connection refused", "password authentication failed").
async fn probe(url: &str) -> Result<(), String> {
    sqlx::any::install_default_drivers();
    match tokio::time::timeout(CONNECT_TIMEOUT, sqlx::AnyConnection::connect(url)).await {
        Ok(Ok(connection)) => {
            let _ = connection.close().await;
            Ok(())
        }
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err(format!("no answer within {}s", CONNECT_TIMEOUT.as_secs())),
    }
}

/// `text` on one line, with any password of a URL in it hidden.
fn one_line(text: &str) -> String {
    text.split_whitespace()
        .map(|word| {
            if word.contains("://") {
                redact(word)
            } else {
                word.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_sorted_by_scheme() {
        assert_eq!(
            "sqlite://scim.db".parse::<Database>(),
            Ok(Database::Sqlite("sqlite://scim.db".into()))
        );
        assert_eq!(
            "postgresql://u@h/db".parse::<Database>(),
            Ok(Database::Postgres("postgresql://u@h/db".into()))
        );
        for bad in ["", "sqlite://", "sqlite:", "http://x", "memory:", "scim.db"] {
            let err = bad.parse::<Database>().unwrap_err().to_string();
            assert!(err.starts_with("--database"), "{bad}: {err}");
        }
        assert_eq!(Database::default().to_string(), DEFAULT_DATABASE);
    }

    #[test]
    fn passwords_never_show() {
        let db: Database = "postgres://u:pw@h:5432/db?sslmode=disable".parse().unwrap();
        assert_eq!(db.to_string(), "postgres://u:***@h:5432/db?sslmode=disable");
        assert!(!format!("{db:?}").contains("pw"));
        let err = "postgresx://u:pw@h".parse::<Database>().unwrap_err();
        assert!(!err.to_string().contains("pw"), "{err}");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(
            one_line("refused\nby postgres://u:pw@h/db"),
            "refused by postgres://u:***@h/db"
        );
    }

    #[test]
    fn the_schema_parameter_is_the_examples_own() {
        assert_eq!(
            split_schema("postgres://h/db?schema=s1"),
            ("postgres://h/db".to_owned(), Some("s1".to_owned()))
        );
        assert_eq!(
            split_schema("postgres://h/db?sslmode=disable&schema=s1"),
            (
                "postgres://h/db?sslmode=disable".to_owned(),
                Some("s1".to_owned())
            )
        );
        assert_eq!(
            split_schema("postgres://h/db"),
            ("postgres://h/db".into(), None)
        );
    }

    #[tokio::test]
    async fn a_sqlite_file_is_created_and_reopened() {
        let (db, dir) = temp_sqlite("created");
        let path = dir.join("scim.db");
        drop(open(&db).await.unwrap());
        assert!(path.exists());
        drop(open(&db).await.unwrap());
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// A SQLite URL in a fresh directory, and the directory.
    fn temp_sqlite(name: &str) -> (Database, std::path::PathBuf) {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let dir = std::env::temp_dir().join(format!(
            "scim-example-{name}-{}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}", dir.join("scim.db").display());
        (Database::Sqlite(url), dir)
    }

    #[tokio::test]
    async fn each_start_without_keys_replaces_the_demo_key() {
        use scim_core::Authenticator;
        let (db, dir) = temp_sqlite("demo");
        let options = crate::Options::default();
        let (first, credentials) = crate::build_on(&options, open(&db).await.unwrap())
            .await
            .unwrap();
        let old_secret = credentials[0].generated_secret.clone().unwrap();
        drop(first);
        let (second, credentials) = crate::build_on(&options, open(&db).await.unwrap())
            .await
            .unwrap();
        let new_secret = credentials[0].generated_secret.clone().unwrap();
        let keys = second.api_keys().unwrap();
        assert_eq!(keys.list(crate::DEMO_TENANT).await.unwrap().len(), 1);
        assert!(keys.authenticate(&old_secret).await.unwrap().is_none());
        assert!(keys.authenticate(&new_secret).await.unwrap().is_some());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test]
    async fn given_keys_are_put_again_at_each_start_and_stay_one() {
        use scim_core::Authenticator;
        let (db, dir) = temp_sqlite("given");
        let options = crate::Options::parse(["--api-key", "acme:secret"]).unwrap();
        for _ in 0..3 {
            drop(
                crate::build_on(&options, open(&db).await.unwrap())
                    .await
                    .unwrap(),
            );
        }
        // Scopes follow the command line of the latest start.
        let options = crate::Options::parse(["--api-key", "acme:secret:SCIM2,read"]).unwrap();
        let (server, _) = crate::build_on(&options, open(&db).await.unwrap())
            .await
            .unwrap();
        let keys = server.api_keys().unwrap();
        let listed = keys.list("acme").await.unwrap();
        assert_eq!(listed.len(), 1, "{listed:?}");
        assert_eq!(listed[0].scopes, ["SCIM2", "read"]);
        assert!(keys.list(crate::DEMO_TENANT).await.unwrap().is_empty());
        let principal = keys.authenticate("secret").await.unwrap().unwrap();
        assert_eq!(principal.tenant, "acme");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test]
    async fn an_unreachable_postgres_is_a_one_line_error() {
        // Port 1 on loopback: nothing listens there.
        let db: Database = "postgres://u:pw@127.0.0.1:1/db".parse().unwrap();
        let err = open(&db).await.unwrap_err().to_string();
        assert!(
            err.starts_with("cannot open postgres://u:***@127.0.0.1:1/db: "),
            "{err}"
        );
        assert!(!err.contains('\n') && !err.contains("pw"), "{err}");
    }
}
