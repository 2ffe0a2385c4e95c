//! The SQL stores at 10 000 and 1 000 000 users, with a group of a tenth of them:
//! indexed lookups, a scanning value-path filter, deep offset and cursor pages, a
//! create, and a PATCH that adds one member.
//!
//! ```text
//! cargo bench -p scim-sqlx --all-features --bench store
//! SCIM_BENCH_SIZES=10000 cargo bench -p scim-sqlx --all-features --bench store -- sqlite
//! ```
//!
//! Data is bulk-loaded with SQL (`generate_series` / a recursive CTE) the first time and
//! kept (PostgreSQL schema `scim_bench_<n>`, SQLite file `target/scim-bench-<n>.db`), so
//! reruns start at once. The plans of the indexed queries are printed at setup.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a benchmark: setup failures abort it"
)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

mod support;

use criterion::{Criterion, criterion_group, criterion_main};
use scim_core::filter::{AttrPath, Sort, SortOrder};
use scim_core::patch::PatchOptions;
use scim_core::store::encode_cursor;
use scim_core::{
    PatchRequest, Query, RequestContext, Resource, ResourceStore, ResourceType, SchemaRegistry,
};
use scim_sqlx::SqlStore;
use scim_sqlx::filter::Dialect;
use serde_json::json;
use sqlx::Row;

const TENANT: &str = "bench";
const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
const AT: &str = "2026-01-01T00:00:00.000000000Z";

fn sizes() -> Vec<usize> {
    std::env::var("SCIM_BENCH_SIZES")
        .unwrap_or_else(|_| "10000,1000000".to_owned())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect()
}

/// Users `u1`..`u<n>` (`userName` `user<i>`, `externalId` `ext<i>`, a work email at
/// example.com for even `i`, corp.test for odd), and group `g-big` with the first tenth.
async fn load(store: &SqlStore, n: usize) {
    let pool = store.write_pool();
    let have: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM scim_resources WHERE tenant = $1")
        .bind(TENANT)
        .fetch_one(pool)
        .await
        .unwrap();
    if have as usize > n {
        return;
    }
    for table in ["scim_resources", "scim_unique", "scim_members"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE tenant = $1"))
            .bind(TENANT)
            .execute(pool)
            .await
            .unwrap();
    }
    let users = match store.dialect() {
        Dialect::Postgres => format!(
            "INSERT INTO scim_resources (tenant, resource_type, id, kind, version, created, \
             last_modified, user_name, external_id, display, doc, search) \
             SELECT '{TENANT}', 'User', 'u' || i, 'User', 1, '{AT}', '{AT}', 'user' || i, 'ext' || i, 'user' || i, \
             jsonb_build_object('schemas', jsonb_build_array('{USER}'), 'userName', 'user' || i, 'externalId', 'ext' || i, \
               'emails', jsonb_build_array(jsonb_build_object('value', 'user' || i || CASE WHEN i % 2 = 0 THEN '@example.com' ELSE '@corp.test' END, 'type', 'work'))), \
             jsonb_build_object('userName', jsonb_build_array('user' || i), \
               'emails', jsonb_build_array(jsonb_build_object('value', jsonb_build_array('user' || i || CASE WHEN i % 2 = 0 THEN '@example.com' ELSE '@corp.test' END), 'type', jsonb_build_array('work')))) \
             FROM generate_series(CAST($1 AS BIGINT), CAST($2 AS BIGINT)) AS i"
        ),
        Dialect::Sqlite => format!(
            "WITH RECURSIVE s(i) AS (SELECT $1 UNION ALL SELECT i + 1 FROM s WHERE i < $2) \
             INSERT INTO scim_resources (tenant, resource_type, id, kind, version, created, \
             last_modified, user_name, external_id, display, doc, search) \
             SELECT '{TENANT}', 'User', 'u' || i, 'User', 1, '{AT}', '{AT}', 'user' || i, 'ext' || i, 'user' || i, \
             json_object('schemas', json_array('{USER}'), 'userName', 'user' || i, 'externalId', 'ext' || i, \
               'emails', json_array(json_object('value', 'user' || i || CASE WHEN i % 2 = 0 THEN '@example.com' ELSE '@corp.test' END, 'type', 'work'))), \
             json_object('userName', json_array('user' || i), \
               'emails', json_array(json_object('value', json_array('user' || i || CASE WHEN i % 2 = 0 THEN '@example.com' ELSE '@corp.test' END), 'type', json_array('work')))) \
             FROM s"
        ),
        _ => unreachable!(),
    };
    let unique = match store.dialect() {
        Dialect::Postgres => {
            "INSERT INTO scim_unique (tenant, resource_type, attribute, value, id) \
             SELECT $3, 'User', 'userName', 'user' || i, 'u' || i FROM generate_series(CAST($1 AS BIGINT), CAST($2 AS BIGINT)) AS i"
        }
        _ => {
            "WITH RECURSIVE s(i) AS (SELECT $1 UNION ALL SELECT i + 1 FROM s WHERE i < $2) \
             INSERT INTO scim_unique (tenant, resource_type, attribute, value, id) \
             SELECT $3, 'User', 'userName', 'user' || i, 'u' || i FROM s"
        }
    };
    let members = match store.dialect() {
        Dialect::Postgres => {
            "INSERT INTO scim_members (tenant, group_id, member_id, member_type) \
             SELECT $3, 'g-big', 'u' || i, 'User' FROM generate_series(CAST($1 AS BIGINT), CAST($2 AS BIGINT)) AS i"
        }
        _ => {
            "WITH RECURSIVE s(i) AS (SELECT $1 UNION ALL SELECT i + 1 FROM s WHERE i < $2) \
             INSERT INTO scim_members (tenant, group_id, member_id, member_type) \
             SELECT $3, 'g-big', 'u' || i, 'User' FROM s"
        }
    };
    let started = std::time::Instant::now();
    let chunk = 100_000;
    for first in (1..=n).step_by(chunk) {
        let last = (first + chunk - 1).min(n);
        for sql in [users.as_str(), unique] {
            sqlx::query(sql)
                .bind(first as i64)
                .bind(last as i64)
                .bind(TENANT)
                .execute(pool)
                .await
                .unwrap();
        }
        eprintln!("loaded users {first}..={last} in {:?}", started.elapsed());
    }
    let group_doc = json!({"schemas": [GROUP], "displayName": "Big"}).to_string();
    let group_search = json!({"displayName": ["big"]}).to_string();
    let cast = if store.dialect() == Dialect::Postgres {
        "::jsonb"
    } else {
        ""
    };
    sqlx::query(&format!(
        "INSERT INTO scim_resources (tenant, resource_type, id, kind, version, created, last_modified, \
         display_name, display, doc, search) VALUES ($1, 'Group', 'g-big', 'Group', 1, $2, $2, 'big', 'Big', $3{cast}, $4{cast})"
    ))
    .bind(TENANT)
    .bind(AT)
    .bind(group_doc)
    .bind(group_search)
    .execute(pool)
    .await
    .unwrap();
    sqlx::query("INSERT INTO scim_unique (tenant, resource_type, attribute, value, id) VALUES ($1, 'Group', 'displayName', 'big', 'g-big')")
        .bind(TENANT)
        .execute(pool)
        .await
        .unwrap();
    sqlx::query(members)
        .bind(1i64)
        .bind((n / 10) as i64)
        .bind(TENANT)
        .execute(pool)
        .await
        .unwrap();
    // What autovacuum does to a table of this size in production: statistics, and the
    // visibility map that lets COUNT(*) and the offset walk read the index only.
    let analyze = match store.dialect() {
        Dialect::Postgres => "VACUUM ANALYZE",
        _ => "ANALYZE",
    };
    sqlx::query(analyze).execute(pool).await.unwrap();
    eprintln!(
        "loaded {n} users and a group of {} in {:?}",
        n / 10,
        started.elapsed()
    );
}

fn query(filter: Option<&str>, sort: Option<&str>, start: usize, count: usize) -> Query {
    let mut q = Query::default();
    q.filter = filter.map(|f| f.parse().unwrap());
    q.sort = sort.map(|s| Sort {
        by: AttrPath::new(s),
        order: SortOrder::Ascending,
    });
    q.start_index = start;
    q.count = Some(count);
    q
}

/// The cursor of the page that starts after row `offset` in `userName` order.
async fn cursor_at(
    store: &SqlStore,
    users: &ResourceType,
    sorted: &Query,
    offset: usize,
) -> String {
    if offset == 0 {
        return String::new();
    }
    let row = sqlx::query(
        "SELECT user_name, id FROM scim_resources WHERE tenant = $1 AND resource_type = 'User' \
         ORDER BY user_name, id LIMIT 1 OFFSET $2",
    )
    .bind(TENANT)
    .bind((offset - 1) as i64)
    .fetch_one(store.pool())
    .await
    .unwrap();
    let key: String = row.try_get(0).unwrap();
    let id: String = row.try_get(1).unwrap();
    encode_cursor(users, sorted, &json!({"k": key, "i": id}))
}

fn bench(c: &mut Criterion) {
    let runtime = support::runtime();
    let registry = SchemaRegistry::with_builtins();
    let users = registry.resource_type("User").unwrap();
    let groups = registry.resource_type("Group").unwrap();
    let ctx = RequestContext::new(TENANT);
    for n in sizes() {
        for dialect in ["postgres", "sqlite"] {
            let store = runtime.block_on(async {
                let store = support::connect(dialect, &n.to_string()).await;
                load(&store, n).await;
                store
            });
            let middle = n / 2;
            let lookups = [
                (
                    "user_name_eq",
                    query(Some(&format!("userName eq \"USER{middle}\"")), None, 1, 100),
                ),
                (
                    "external_id_eq",
                    query(
                        Some(&format!("externalId eq \"ext{middle}\"")),
                        None,
                        1,
                        100,
                    ),
                ),
                (
                    "emails_value_path",
                    query(
                        Some(r#"emails[type eq "work" and value co "@example"]"#),
                        None,
                        1,
                        100,
                    ),
                ),
                (
                    "page_sorted_offset",
                    query(None, Some("userName"), middle + 1, 100),
                ),
            ];
            let sorted = query(None, Some("userName"), 1, 100);
            let last_page = (n / 100).min(10_000);
            let cursors = runtime.block_on(async {
                [
                    (
                        "cursor_page_1".to_owned(),
                        cursor_at(&store, users, &sorted, 0).await,
                    ),
                    (
                        format!("cursor_page_{last_page}"),
                        cursor_at(&store, users, &sorted, (last_page - 1) * 100).await,
                    ),
                ]
            });
            for (name, q) in lookups.iter().take(3) {
                let plan = runtime.block_on(store.explain(&ctx, users, q)).unwrap();
                println!("PLAN {dialect} {n} {name}:\n  {}", plan.join("\n  "));
            }
            let mut cursor_query = sorted.clone();
            cursor_query.cursor = Some(cursors[1].1.clone());
            let plan = runtime
                .block_on(store.explain(&ctx, users, &cursor_query))
                .unwrap();
            println!(
                "PLAN {dialect} {n} {}:\n  {}",
                cursors[1].0,
                plan.join("\n  ")
            );

            let mut group = c.benchmark_group(format!("{dialect}/{n}"));
            group
                .sample_size(20)
                .measurement_time(Duration::from_secs(4))
                .warm_up_time(Duration::from_secs(1));
            group.bench_function("get_by_id", |b| {
                let id = format!("u{middle}");
                b.iter(|| runtime.block_on(store.get(&ctx, users, &id)).unwrap());
            });
            for (name, q) in &lookups {
                if *name == "emails_value_path" {
                    continue;
                }
                group.bench_function(*name, |b| {
                    b.iter(|| runtime.block_on(store.query(&ctx, users, q)).unwrap());
                });
            }
            for (name, cursor) in &cursors {
                let mut q = sorted.clone();
                q.cursor = Some(cursor.clone());
                group.bench_function(name.as_str(), |b| {
                    b.iter(|| {
                        let page = runtime.block_on(store.query(&ctx, users, &q)).unwrap();
                        assert_eq!(page.resources.len(), 100);
                    });
                });
            }
            let created = AtomicUsize::new(0);
            group.bench_function("create", |b| {
                b.iter(|| {
                    let i = created.fetch_add(1, Ordering::Relaxed);
                    let user = Resource::from_value_unchecked(
                        "User",
                        json!({"schemas": [USER], "userName": format!("new-{n}-{}-{i}", std::process::id()),
                               "emails": [{"value": "new@example.com", "type": "work"}]}),
                    )
                    .unwrap();
                    runtime.block_on(store.create(&ctx, users, user)).unwrap()
                });
            });
            let next_member = AtomicUsize::new(n / 10 + 1);
            let excluded = [AttrPath::new("members")];
            group.bench_function("patch_add_member", |b| {
                b.iter(|| {
                    // Users past the group's tenth, each added once (then re-added).
                    let k = next_member.fetch_add(1, Ordering::Relaxed);
                    let k = n / 10 + 1 + (k - n / 10 - 1) % (n - n / 10);
                    let body = format!(r#"{{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{{"op":"add","path":"members","value":[{{"value":"u{k}"}}]}}]}}"#);
                    let patch = PatchRequest::parse(body.as_bytes(), groups, &PatchOptions::default()).unwrap();
                    runtime
                        .block_on(store.patch_excluding(&ctx, groups, "g-big", &patch, None, &excluded))
                        .unwrap()
                });
            });
            group.finish();
            // The group of a tenth of the users, whole: as `get` builds it (a JSON object
            // per member) and as `retrieve` reads it for a response (rows).
            let mut whole = c.benchmark_group(format!("{dialect}/{n}/group"));
            whole
                .sample_size(10)
                .measurement_time(Duration::from_secs(10))
                .warm_up_time(Duration::from_secs(1));
            whole.bench_function("get_group", |b| {
                b.iter(|| runtime.block_on(store.get(&ctx, groups, "g-big")).unwrap());
            });
            whole.bench_function("retrieve_group_rows", |b| {
                b.iter(|| {
                    let group = runtime
                        .block_on(store.retrieve(&ctx, groups, "g-big", &[]))
                        .unwrap();
                    assert!(group.members().len() >= n / 10);
                });
            });
            whole.finish();
            // The scanning filter, on its own settings: one run reads every row.
            let mut scan = c.benchmark_group(format!("{dialect}/{n}/scan"));
            scan.sample_size(10)
                .measurement_time(Duration::from_secs(10))
                .warm_up_time(Duration::from_secs(1));
            scan.bench_function("emails_value_path", |b| {
                b.iter(|| {
                    runtime
                        .block_on(store.query(&ctx, users, &lookups[2].1))
                        .unwrap()
                });
            });
            scan.finish();
        }
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
