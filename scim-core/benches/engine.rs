//! The engine in-process, through `ScimServer::handle`, over an `InMemoryStore` holding
//! 100 000 users: authentication (SHA-256 of the key), routing, parsing, the store,
//! projection and rendering are all measured.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs,
    reason = "benchmark code"
)]

use std::sync::atomic::{AtomicUsize, Ordering};

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use http::Method;
use scim_core::{RequestContext, Resource, ResourceStore, SchemaRegistry};
use serde_json::json;

#[path = "support/engine_fixture.rs"]
mod engine_fixture;

use engine_fixture::{create_body, fixture, member_patch_body};

const USERS: usize = 100_000;

fn engine(c: &mut Criterion) {
    let f = fixture(USERS);
    let mut group = c.benchmark_group("engine");
    group.throughput(Throughput::Elements(1));

    let next = AtomicUsize::new(0);
    // Each request is built in the setup, outside the timing, as a web framework would
    // hand it to the engine: what is timed is `ScimServer::handle` and the response's drop.
    group.bench_function("get_by_id", |b| {
        b.iter_batched(
            || {
                let i = next.fetch_add(7919, Ordering::Relaxed) % USERS;
                f.request(Method::GET, &format!("/acme/Users/{}", f.user_ids[i]), None)
            },
            |request| assert_eq!(f.serve(request), 200),
            BatchSize::SmallInput,
        );
    });

    group.bench_function("filter_user_name_eq", |b| {
        b.iter_batched(
            || {
                let i = next.fetch_add(7919, Ordering::Relaxed) % USERS;
                let uri = format!("/acme/Users?filter=userName+eq+%22USER{i:06}%40example.com%22");
                f.request(Method::GET, &uri, None)
            },
            |request| assert_eq!(f.serve(request), 200),
            BatchSize::SmallInput,
        );
    });

    group.bench_function("page_of_100", |b| {
        b.iter_batched(
            || {
                let start = next.fetch_add(100, Ordering::Relaxed) % (USERS - 100) + 1;
                let uri = format!("/acme/Users?startIndex={start}&count=100");
                f.request(Method::GET, &uri, None)
            },
            |request| assert_eq!(f.serve(request), 200),
            BatchSize::SmallInput,
        );
    });

    // The same page straight from the store, to tell the store's share from the engine's.
    let users = SchemaRegistry::with_builtins()
        .resource_type("User")
        .unwrap()
        .clone();
    let ctx = RequestContext::new("acme");
    group.bench_function("page_of_100_store_only", |b| {
        b.iter(|| {
            let start = next.fetch_add(100, Ordering::Relaxed) % (USERS - 100) + 1;
            let mut query = scim_core::Query::default();
            query.start_index = start;
            query.count = Some(100);
            let page = f
                .runtime
                .block_on(f.store.query(&ctx, &users, &query))
                .unwrap();
            assert_eq!(page.resources.len(), 100);
        });
    });

    let created = AtomicUsize::new(0);
    group.bench_function("create", |b| {
        b.iter_batched(
            || {
                let n = created.fetch_add(1, Ordering::Relaxed);
                f.request(Method::POST, "/acme/Users", Some(create_body(n)))
            },
            |request| assert_eq!(f.serve(request), 201),
            BatchSize::SmallInput,
        );
    });

    let member = AtomicUsize::new(0);
    let uri = format!("/acme/Groups/{}?excludedAttributes=members", f.group_id);
    group.bench_function("patch_add_group_member", |b| {
        b.iter_batched(
            || {
                let i = member.fetch_add(1, Ordering::Relaxed) % USERS;
                let body = member_patch_body("Add", &f.user_ids[i]);
                f.request(Method::PATCH, &uri, Some(body))
            },
            |request| assert_eq!(f.serve(request), 200),
            BatchSize::SmallInput,
        );
    });
    group.finish();

    // A second group holding every user, for whole-group reads.
    let groups = SchemaRegistry::with_builtins()
        .resource_type("Group")
        .unwrap()
        .clone();
    let members: Vec<_> = f.user_ids.iter().map(|id| json!({"value": id})).collect();
    let everyone = Resource::from_value_unchecked(
        "Group",
        json!({"displayName": "all users", "members": members}),
    )
    .unwrap();
    let everyone = f
        .runtime
        .block_on(f.store.create(&ctx, &groups, everyone))
        .unwrap();
    let uri = format!("/acme/Groups/{}", everyone.id().unwrap());
    drop(everyone);
    let mut whole = c.benchmark_group("engine whole group");
    whole.sample_size(10);
    whole.bench_function("get_group_of_100k_members", |b| {
        b.iter(|| assert_eq!(f.send(Method::GET, &uri, None), 200));
    });
    whole.finish();
}

criterion_group!(benches, engine);
criterion_main!(benches);
