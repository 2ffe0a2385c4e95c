//! InMemoryStore at scale: 100 000 users and a group of 100 000 members.
//!
//! `cargo bench -p scim-core --bench store -- --warm-up-time 1 --measurement-time 3`
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs,
    reason = "a benchmark: setup failures should stop it loudly"
)]

use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use scim_core::{
    Filter, InMemoryStore, PatchRequest, Query, RequestContext, Resource, ResourceStore,
    ResourceType, SchemaRegistry,
    filter::{AttrPath, CompValue, CompareOp, Sort, SortOrder},
    patch::PatchOptions,
};
use serde_json::json;

/// Runs an in-memory store call: its futures are ready at the first poll (no lock is
/// awaited), so no runtime is needed and none is measured.
fn now<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("InMemoryStore futures never wait"),
    }
}

fn ctx() -> RequestContext {
    RequestContext::new("bench")
}

const TITLES: [&str; 3] = ["Engineer", "Manager", "Designer"];

fn user(i: usize) -> Resource {
    Resource::from_value_unchecked(
        "User",
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": format!("user{i:06}@example.com"),
            "externalId": format!("ext-{i:06}"),
            "displayName": format!("User Number {i}"),
            "name": {"givenName": "User", "familyName": format!("Number{i}")},
            "title": TITLES[i % 3],
            "active": true,
            "emails": [{"value": format!("user{i:06}@example.com"), "type": "work", "primary": true}],
        }),
    )
    .unwrap()
}

/// A store with `n` users; returns it and their ids.
fn store_with_users(users: &ResourceType, n: usize) -> (InMemoryStore, Vec<String>) {
    let store = InMemoryStore::new();
    let ids = (0..n)
        .map(|i| {
            let created = now(store.create(&ctx(), users, user(i))).unwrap();
            created.id().unwrap().to_owned()
        })
        .collect();
    (store, ids)
}

fn eq(path: &str, value: &str) -> Filter {
    Filter::Compare {
        path: path.parse().unwrap(),
        op: CompareOp::Eq,
        value: CompValue::String(value.to_owned()),
    }
}

fn filtered(filter: Filter) -> Query {
    let mut q = Query::default();
    q.filter = Some(filter);
    q
}

/// Resident set size from /proc/self/statm (Linux), in bytes.
fn rss_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

/// Memory: RSS before and after 100 000 users join a group, in a store of its own (so
/// that the other benches' users belong to no group), added by PATCH a thousand at a
/// time so that no request's body is large enough to stay in the process's heap.
fn membership_memory(users: &ResourceType, groups: &ResourceType) {
    let (store, ids) = store_with_users(users, 100_000);
    let group = Resource::from_value_unchecked("Group", json!({"displayName": "Everyone"}));
    let group = now(store.create(&ctx(), groups, group.unwrap())).unwrap();
    let group_id = group.id().unwrap().to_owned();
    let excluded = [AttrPath::new("members")];
    let before = rss_bytes();
    for chunk in ids.chunks(1_000) {
        let members: Vec<_> = chunk.iter().map(|id| json!({"value": id})).collect();
        let patch = json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "add", "path": "members", "value": members}]
        });
        let patch = PatchRequest::parse_value(patch, groups, &PatchOptions::default()).unwrap();
        now(store.patch_excluding(&ctx(), groups, &group_id, &patch, None, &excluded)).unwrap();
    }
    report_memory(before, "membership", "members");
}

/// Prints the RSS growth since `before` per one of 100 000 `what`s.
fn report_memory(before: Option<u64>, each: &str, what: &str) {
    if let (Some(before), Some(after)) = (before, rss_bytes()) {
        eprintln!(
            "memory: {:.0} bytes per {each} (RSS {} -> {} MiB for 100 000 {what})",
            (after.saturating_sub(before)) as f64 / 100_000.0,
            before >> 20,
            after >> 20
        );
    }
}

fn bench_store(c: &mut Criterion) {
    let registry = SchemaRegistry::with_builtins();
    let users = registry.resource_type("User").unwrap();
    let groups = registry.resource_type("Group").unwrap();

    // Memory: RSS before and after inserting 100 000 users (an estimate: a counting
    // allocator would need `unsafe`, which the workspace forbids).
    let before = rss_bytes();
    let (big, ids) = store_with_users(users, 100_000);
    report_memory(before, "stored user", "users");
    membership_memory(users, groups);
    let (small, _) = store_with_users(users, 1_000);

    c.bench_function("get by id (100k users)", |b| {
        let id = &ids[54_321];
        b.iter(|| now(big.get(&ctx(), users, black_box(id))).unwrap());
    });

    let mut by_name = c.benchmark_group("userName eq");
    for (n, store) in [(1_000usize, &small), (100_000, &big)] {
        let q = filtered(eq("userName", "USER000777@example.com"));
        by_name.bench_with_input(BenchmarkId::from_parameter(n), &q, |b, q| {
            b.iter(|| {
                let page = now(store.query(&ctx(), users, black_box(q))).unwrap();
                assert_eq!(page.total_results, 1);
            });
        });
    }
    by_name.finish();

    c.bench_function("externalId eq (100k users)", |b| {
        let q = filtered(eq("externalId", "ext-099999"));
        b.iter(|| {
            assert_eq!(
                now(big.query(&ctx(), users, black_box(&q)))
                    .unwrap()
                    .total_results,
                1
            )
        });
    });

    c.bench_function(
        "full scan: title eq \"Manager\" and displayName co \"77\" (100k users, page of 100)",
        |b| {
            let filter = Filter::And(vec![
                eq("title", "Manager"),
                Filter::Compare {
                    path: AttrPath::new("displayName"),
                    op: CompareOp::Co,
                    value: CompValue::String("77".into()),
                },
            ]);
            let mut q = filtered(filter);
            q.count = Some(100);
            b.iter(|| black_box(now(big.query(&ctx(), users, black_box(&q))).unwrap()));
        },
    );

    c.bench_function(
        "unfiltered page of 100 at startIndex 50001 (100k users)",
        |b| {
            let mut q = Query::default();
            q.start_index = 50_001;
            q.count = Some(100);
            b.iter(|| {
                let page = now(big.query(&ctx(), users, black_box(&q))).unwrap();
                assert_eq!((page.total_results, page.resources.len()), (100_000, 100));
            });
        },
    );

    c.bench_function("page of 100 sorted by userName (100k users)", |b| {
        let mut q = Query::default();
        q.sort = Some(Sort {
            by: AttrPath::new("userName"),
            order: SortOrder::Descending,
        });
        q.start_index = 201;
        q.count = Some(100);
        b.iter(|| black_box(now(big.query(&ctx(), users, black_box(&q))).unwrap()));
    });

    // A group of 100 000 members, and one more user to add and remove.
    let members: Vec<_> = ids.iter().map(|id| json!({"value": id})).collect();
    let group = Resource::from_value_unchecked(
        "Group",
        json!({"displayName": "Everyone", "members": members}),
    )
    .unwrap();
    let group = now(big.create(&ctx(), groups, group)).unwrap();
    let group_id = group.id().unwrap().to_owned();
    drop(group);
    let extra = now(big.create(&ctx(), users, user(100_000))).unwrap();
    let extra = extra.id().unwrap().to_owned();
    let message = |op: &str| {
        let m = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": op, "path": "members", "value": [{"value": extra}]}]});
        PatchRequest::parse_value(m, groups, &PatchOptions::default()).unwrap()
    };
    let (add, remove) = (message("add"), message("remove"));
    let excluded = [AttrPath::new("members")];
    c.bench_function(
        "member add + remove, patch_excluding(members) (group of 100k members)",
        |b| {
            b.iter(|| {
                now(big.patch_excluding(
                    &ctx(),
                    groups,
                    &group_id,
                    black_box(&add),
                    None,
                    &excluded,
                ))
                .unwrap();
                now(big.patch_excluding(
                    &ctx(),
                    groups,
                    &group_id,
                    black_box(&remove),
                    None,
                    &excluded,
                ))
                .unwrap();
            });
        },
    );
    let mut whole = c.benchmark_group("whole group");
    whole.sample_size(10);
    whole.bench_function(
        "member add + remove, patch returning the group (group of 100k members)",
        |b| {
            b.iter(|| {
                now(big.patch(&ctx(), groups, &group_id, black_box(&add), None)).unwrap();
                now(big.patch(&ctx(), groups, &group_id, black_box(&remove), None)).unwrap();
            });
        },
    );
    whole.bench_function("get group of 100k members", |b| {
        b.iter(|| now(big.get(&ctx(), groups, black_box(&group_id))).unwrap());
    });
    whole.bench_function("retrieve group of 100k members (rows)", |b| {
        b.iter(|| {
            let retrieved = now(big.retrieve(&ctx(), groups, black_box(&group_id), &[])).unwrap();
            assert_eq!(retrieved.members().len(), 100_000);
        });
    });
    whole.finish();

    c.bench_function(
        "displayName eq, excludedAttributes=members (group of 100k members)",
        |b| {
            let mut q = filtered(eq("displayName", "everyone"));
            q.excluded_attributes = vec![AttrPath::new("members")];
            b.iter(|| {
                assert_eq!(
                    now(big.query(&ctx(), groups, black_box(&q)))
                        .unwrap()
                        .total_results,
                    1
                )
            });
        },
    );
}

criterion_group!(benches, bench_store);
criterion_main!(benches);
