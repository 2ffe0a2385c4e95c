//! Migrations are idempotent and safe when several instances start at once.
#![cfg(all(feature = "sqlite", feature = "postgres"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test"
)]

mod support;

use scim_sqlx::SqlStore;

/// The migration files of each backend (`migrations/{postgres,sqlite}/`).
const SQLITE_MIGRATIONS: i64 = 3;
const POSTGRES_MIGRATIONS: i64 = 2;

/// Counts the migrations recorded as applied.
async fn applied(store: &SqlStore) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success")
        .fetch_one(store.pool())
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_instances_starting_together_all_connect() {
    let path = std::env::temp_dir().join(format!("scim-sqlx-migrate-{}.db", uuid::Uuid::new_v4()));
    let url = format!("sqlite://{}", path.display());
    let starts: Vec<_> = (0..6)
        .map(|_| {
            let url = url.clone();
            tokio::spawn(async move { SqlStore::connect(&url).await })
        })
        .collect();
    for start in starts {
        let store = start.await.unwrap().expect("every instance starts");
        assert_eq!(applied(&store).await, SQLITE_MIGRATIONS);
    }
    // And again, on a database already migrated.
    let again = SqlStore::connect(&url).await.unwrap();
    assert_eq!(applied(&again).await, SQLITE_MIGRATIONS);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

/// Switching a file to WAL needs an exclusive lock that SQLite does not wait for: an
/// instance starting while another process writes to the file must wait, not fail
/// with "database is locked" (what six instances starting together sometimes met).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_start_waits_while_another_process_writes_the_file() {
    use sqlx::Connection;
    let path = std::env::temp_dir().join(format!("scim-sqlx-busy-{}.db", uuid::Uuid::new_v4()));
    let url = format!("sqlite://{}?mode=rwc", path.display());
    // Another process's writer: a file in rollback-journal mode, a write transaction open.
    let mut writer = sqlx::SqliteConnection::connect(&url).await.unwrap();
    sqlx::query("CREATE TABLE other (x INTEGER)")
        .execute(&mut writer)
        .await
        .unwrap();
    let mut write = writer.begin_with("BEGIN IMMEDIATE").await.unwrap();
    sqlx::query("INSERT INTO other VALUES (1)")
        .execute(&mut *write)
        .await
        .unwrap();
    let start = tokio::spawn({
        let url = url.clone();
        async move { SqlStore::connect(&url).await }
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(!start.is_finished(), "the start waits for the writer");
    write.commit().await.unwrap();
    let store = start
        .await
        .unwrap()
        .expect("the start completes once the writer is done");
    assert_eq!(applied(&store).await, SQLITE_MIGRATIONS);
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(mode, "wal");
    drop(writer);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_instances_starting_together_all_connect() {
    // Reachable? (Panics in CI when not; says so and returns on a laptop.)
    if support::postgres().await.is_none() {
        return;
    }
    // Six instances create one new schema and migrate it at once.
    let schema = format!("scim_test_{}", uuid::Uuid::new_v4().simple());
    let starts: Vec<_> = (0..6)
        .map(|_| {
            let (url, schema) = (support::postgres_url(), schema.clone());
            tokio::spawn(async move {
                SqlStore::builder(url)
                    .schema(schema)
                    .max_connections(2)
                    .connect()
                    .await
            })
        })
        .collect();
    let mut stores = Vec::new();
    for start in starts {
        let store = start.await.unwrap().expect("every instance starts");
        assert_eq!(applied(&store).await, POSTGRES_MIGRATIONS);
        stores.push(store);
    }
    for store in stores {
        store.pool().close().await;
    }
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&support::postgres_url())
        .await
        .unwrap();
    sqlx::query(&format!("DROP SCHEMA \"{schema}\" CASCADE"))
        .execute(&pool)
        .await
        .unwrap();
}
