//! PATCH benchmarks: a typical Entra ID user update, and membership changes on a group
//! of 100 000 members (whole-document application and the member delta a store applies).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs,
    reason = "benchmarks fail loudly on broken fixtures"
)]

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use scim_core::{PatchOptions, PatchRequest, Resource, SchemaRegistry};
use serde_json::{Value, json};
use std::hint::black_box;

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
    Resource::from_value(
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
    Resource::from_value(
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

criterion_group!(patch_benches, benches);
criterion_main!(patch_benches);
