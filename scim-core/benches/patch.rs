//! PATCH benchmarks: a typical Entra ID user update, and membership changes on a group
//! of 100 000 members (whole-document application and the member delta a store applies).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs,
    reason = "benchmarks fail loudly on broken fixtures"
)]

use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use scim_core::{
    InMemoryStore, PatchRequest, RequestContext, Resource, ResourceStore, SchemaRegistry,
    filter::AttrPath, patch::PatchOptions,
};
use serde_json::{Value, json};

/// Runs an in-memory store call: its futures are ready at the first poll.
fn now<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(output) => output,
        Poll::Pending => unreachable!("InMemoryStore futures never wait"),
    }
}

const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

fn entra_update() -> Vec<u8> {
    serde_json::to_vec(&json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [
            {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "barbara@example.com"},
            {"op": "Replace", "path": "name.familyName", "value": "Jensen-Smith"},
            {"op": "Replace", "path": "userName", "value": "barbara@example.com"},
            {"op": "Replace", "path": "active", "value": "False"},
            {"op": "Replace", "path": format!("{ENTERPRISE}:employeeNumber"), "value": "701984"}
        ]
    }))
    .unwrap()
}

fn user() -> Resource {
    Resource::from_value_unchecked(
        "User",
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
            "id": "2819c223-7f76-453a-919d-413861904646",
            "userName": "bjensen@example.com",
            "name": {"familyName": "Jensen", "givenName": "Barbara", "formatted": "Ms. Barbara J Jensen"},
            "displayName": "Babs Jensen",
            "active": true,
            "emails": [
                {"value": "bjensen@example.com", "type": "work", "primary": true},
                {"value": "babs@jensen.org", "type": "home"}
            ],
            ENTERPRISE: {"employeeNumber": "1", "department": "Tour Operations"}
        }),
    )
    .unwrap()
}

fn group(members: usize) -> Resource {
    let members: Vec<Value> = (0..members)
        .map(|i| json!({"value": format!("user-{i:06}"), "type": "User", "display": format!("User {i}")}))
        .collect();
    Resource::from_value_unchecked(
        "Group",
        json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "id": "g", "displayName": "All", "members": members}),
    )
    .unwrap()
}

fn benches(c: &mut Criterion) {
    let registry = SchemaRegistry::with_builtins();
    let users = registry.resource_type("User").unwrap();
    let groups = registry.resource_type("Group").unwrap();
    let options = PatchOptions::default();

    let body = entra_update();
    c.bench_function("patch/entra_user_update_parse", |b| {
        b.iter(|| PatchRequest::parse(black_box(&body), users, &options).unwrap())
    });
    let patch = PatchRequest::parse(&body, users, &options).unwrap();
    c.bench_function("patch/entra_user_update_parse_apply", |b| {
        b.iter_batched(
            user,
            |mut r| {
                PatchRequest::parse(black_box(&body), users, &options)
                    .unwrap()
                    .apply(&mut r, users)
                    .unwrap();
                r
            },
            BatchSize::SmallInput,
        )
    });
    c.bench_function("patch/entra_user_update_apply", |b| {
        b.iter_batched(
            user,
            |mut r| {
                patch.apply(&mut r, users).unwrap();
                r
            },
            BatchSize::SmallInput,
        )
    });

    let add_one = br#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":"new-user"}]}]}"#;
    let remove_one = br#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"members[value eq \"user-050000\"]"}]}"#;
    c.bench_function("patch/group_member_delta_parse_add_one", |b| {
        b.iter(|| {
            PatchRequest::parse(black_box(add_one), groups, &options)
                .unwrap()
                .member_delta(groups)
                .unwrap()
        })
    });
    c.bench_function("patch/group_member_delta_parse_remove_one", |b| {
        b.iter(|| {
            PatchRequest::parse(black_box(remove_one), groups, &options)
                .unwrap()
                .member_delta(groups)
                .unwrap()
        })
    });
    let thousand: Vec<Value> = (0..1000)
        .map(|i| json!({"value": format!("new-{i}")}))
        .collect();
    let add_thousand = serde_json::to_vec(
        &json!({"Operations": [{"op": "add", "path": "members", "value": thousand}]}),
    )
    .unwrap();
    c.bench_function("patch/group_member_delta_parse_add_1000", |b| {
        b.iter(|| {
            PatchRequest::parse(black_box(&add_thousand), groups, &options)
                .unwrap()
                .member_delta(groups)
                .unwrap()
        })
    });

    // Whole-document application, what a load-and-save store pays, for contrast.
    let mut slow = c.benchmark_group("patch/whole_document_100k_members");
    slow.sample_size(10);
    let big = group(100_000);
    let add = PatchRequest::parse(add_one, groups, &options).unwrap();
    slow.bench_function("add_one", |b| {
        b.iter_batched(
            || big.clone(),
            |mut g| {
                add.apply(&mut g, groups).unwrap();
                g
            },
            BatchSize::LargeInput,
        )
    });
    slow.finish();
}

/// The issue's targets: one PATCH adding (or removing) one member, and one adding 1 000
/// members, on a group of 100 000 members held by the `InMemoryStore`, parse included,
/// with the group not sent back (Entra's 204, or `excludedAttributes=members`).
fn store_benches(c: &mut Criterion) {
    let registry = SchemaRegistry::with_builtins();
    let users = registry.resource_type("User").unwrap();
    let groups = registry.resource_type("Group").unwrap();
    let options = PatchOptions::default();
    let ctx = RequestContext::new("bench");
    let store = InMemoryStore::new();
    let ids: Vec<String> = (0..101_000)
        .map(|i| {
            let u =
                Resource::from_value_unchecked("User", json!({"userName": format!("user{i:06}")}))
                    .unwrap();
            now(store.create(&ctx, users, u))
                .unwrap()
                .id()
                .unwrap()
                .to_owned()
        })
        .collect();
    let (members, extra) = ids.split_at(100_000);
    let members: Vec<Value> = members.iter().map(|id| json!({"value": id})).collect();
    let group = Resource::from_value_unchecked(
        "Group",
        json!({"displayName": "Everyone", "members": members}),
    )
    .unwrap();
    let gid = now(store.create(&ctx, groups, group))
        .unwrap()
        .id()
        .unwrap()
        .to_owned();
    let excluded = [AttrPath::new("members")];
    let body = |ops: Value| {
        serde_json::to_vec(&json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops}))
        .unwrap()
    };
    let run = |bytes: &[u8]| {
        let patch = PatchRequest::parse(bytes, groups, &options).unwrap();
        now(store.patch_excluding(&ctx, groups, &gid, &patch, None, &excluded)).unwrap();
    };

    let one = &extra[0];
    let add_one = body(json!([{"op": "add", "path": "members", "value": [{"value": one}]}]));
    let remove_one =
        body(json!([{"op": "remove", "path": format!("members[value eq \"{one}\"]")}]));
    let mut g = c.benchmark_group("patch/store_group_100k_members");
    g.bench_function("add_one_member", |b| {
        b.iter_custom(|iters| {
            let mut timed = Duration::ZERO;
            for _ in 0..iters {
                let start = Instant::now();
                run(black_box(&add_one));
                timed += start.elapsed();
                run(&remove_one);
            }
            timed
        })
    });
    g.bench_function("remove_one_member_by_filter", |b| {
        b.iter_custom(|iters| {
            let mut timed = Duration::ZERO;
            for _ in 0..iters {
                run(&add_one);
                let start = Instant::now();
                run(black_box(&remove_one));
                timed += start.elapsed();
            }
            timed
        })
    });
    let thousand: Vec<Value> = extra.iter().map(|id| json!({"value": id})).collect();
    let add_thousand = body(json!([{"op": "add", "path": "members", "value": thousand}]));
    let remove_thousand = body(json!([{"op": "Remove", "path": "members", "value": thousand}]));
    g.sample_size(20);
    g.bench_function("add_1000_members", |b| {
        b.iter_custom(|iters| {
            let mut timed = Duration::ZERO;
            for _ in 0..iters {
                let start = Instant::now();
                run(black_box(&add_thousand));
                timed += start.elapsed();
                run(&remove_thousand);
            }
            timed
        })
    });
    g.finish();
}

criterion_group!(patch_benches, benches, store_benches);
criterion_main!(patch_benches);
