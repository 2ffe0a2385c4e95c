//! API-key lookup (`ApiKeyStore::authenticate`) over `SqlKeyStorage` with 10 000 keys,
//! on PostgreSQL and SQLite: a known key (its last use already recorded, so the figure
//! is the lookup: SHA-256 of the token, one indexed `SELECT` by hash) and an unknown one.
//!
//! ```text
//! cargo bench -p scim-sqlx --all-features --bench keys
//! ```
//!
//! The keys are bulk-inserted the first time and kept (PostgreSQL schema
//! `scim_bench_keys`, SQLite file `target/scim-bench-keys.db`).
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark: setup failures abort it"
)]

mod support;

use criterion::{Criterion, criterion_group, criterion_main};
use scim_core::auth::hash_secret;
use scim_core::{ApiKeyStore, Authenticator};
use scim_sqlx::SqlStore;

const KEYS: usize = 10_000;
/// Rows per INSERT when loading.
const BATCH: usize = 500;
const AT: &str = "2026-01-01T00:00:00.000000000Z";

fn secret(i: usize) -> String {
    format!("scim_bench_key_secret_{i:05}")
}

/// [`KEYS`] keys over 100 tenants, unless they are there already.
async fn load(store: &SqlStore) {
    let pool = store.write_pool();
    let have: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM scim_api_keys")
        .fetch_one(pool)
        .await
        .unwrap();
    if have as usize == KEYS {
        return;
    }
    sqlx::query("DELETE FROM scim_api_keys")
        .execute(pool)
        .await
        .unwrap();
    for start in (0..KEYS).step_by(BATCH) {
        let rows: Vec<String> = (0..BATCH)
            .map(|n| {
                let p = n * 3;
                format!(
                    "(${}, ${}, ${}, '[\"SCIM2\"]', 'bench', '', '{AT}')",
                    p + 1,
                    p + 2,
                    p + 3
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO scim_api_keys (id, tenant, hash, scopes, label, hint, created_at) \
             VALUES {}",
            rows.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for i in start..start + BATCH {
            query = query
                .bind(format!("key{i:05}"))
                .bind(format!("tenant{:03}", i % 100))
                .bind(hash_secret(&secret(i)).to_vec());
        }
        query.execute(pool).await.unwrap();
    }
}

fn bench(c: &mut Criterion) {
    let runtime = support::runtime();
    for dialect in ["postgres", "sqlite"] {
        let keys = runtime.block_on(async {
            let store = support::connect(dialect, "keys").await;
            load(&store).await;
            ApiKeyStore::with_storage(store.key_storage())
        });
        let known = secret(KEYS / 2);
        // The first use is written to storage; the measured ones are lookups only.
        let principal = runtime.block_on(keys.authenticate(&known)).unwrap();
        assert_eq!(principal.map(|p| p.tenant), Some("tenant000".to_owned()));
        let mut group = c.benchmark_group(format!("keys/{dialect}/{KEYS}"));
        group.bench_function("authenticate_known", |b| {
            b.iter(|| {
                runtime
                    .block_on(keys.authenticate(&known))
                    .unwrap()
                    .unwrap()
            });
        });
        group.bench_function("authenticate_unknown", |b| {
            b.iter(|| {
                let found = runtime
                    .block_on(keys.authenticate("scim_not_a_key"))
                    .unwrap();
                assert!(found.is_none());
            });
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
