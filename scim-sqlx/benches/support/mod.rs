//! What the benches share: the databases they keep their data in between runs.

use scim_sqlx::SqlStore;

/// The bench database `name` on `dialect`: PostgreSQL schema `scim_bench_<name>` of
/// `SCIM_TEST_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432/test`), or
/// SQLite file `target/scim-bench-<name>.db`.
pub(crate) async fn connect(dialect: &str, name: &str) -> SqlStore {
    match dialect {
        "postgres" => {
            let url = std::env::var("SCIM_TEST_POSTGRES_URL")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
            SqlStore::builder(url)
                .schema(format!("scim_bench_{name}"))
                .connect()
                .await
                .expect("PostgreSQL for the benchmark")
        }
        _ => {
            let dir = std::env::var("CARGO_TARGET_DIR")
                .unwrap_or_else(|_| format!("{}/../target", env!("CARGO_MANIFEST_DIR")));
            SqlStore::connect(&format!("sqlite://{dir}/scim-bench-{name}.db"))
                .await
                .expect("SQLite for the benchmark")
        }
    }
}

/// The runtime the benches drive the stores on: two workers, as the machine has cores.
pub(crate) fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime")
}
