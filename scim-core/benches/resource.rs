//! Parse + validate + project/render of the RFC 7643 §8.2 "full user".
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "benchmark setup")]
#![allow(missing_docs, reason = "criterion_main generates an undocumented main")]

use criterion::{Criterion, black_box, criterion_group, criterion_main};
use scim_core::{Resource, SchemaRegistry, filter::Projection, schema::ValidationOptions};

const FULL_USER: &str = include_str!("../tests/fixtures/rfc7643_8_2_full_user.json");

fn full_user(c: &mut Criterion) {
    let registry = SchemaRegistry::with_builtins();
    let users = registry.resource_type("User").unwrap();
    let opts = ValidationOptions::default();
    let projection = Projection::default();
    let mut group = c.benchmark_group("full_user");
    group.bench_function("parse", |b| {
        b.iter(|| Resource::parse(black_box(FULL_USER.as_bytes()), users, &opts).unwrap())
    });
    group.bench_function("parse_validate_render", |b| {
        b.iter(|| {
            let mut user = Resource::parse(black_box(FULL_USER.as_bytes()), users, &opts).unwrap();
            user.validate_for_create(users, &opts).unwrap();
            let json = projection.apply(&user, users);
            serde_json::to_vec(&json).unwrap()
        })
    });
    group.finish();
}

/// The engine's one parse of a request body, with the strict checks (duplicate member
/// names, `\u0000`) made as the value is built (`check_strict_json` is that parse, the
/// value dropped), beside `serde_json`'s own parse into a `Value`: what the checks cost.
fn strict_json(c: &mut Criterion) {
    let emails: Vec<serde_json::Value> = (0..1000)
        .map(|i| serde_json::json!({"value": format!("user{i}@example.com"), "type": "work"}))
        .collect();
    let operations: Vec<serde_json::Value> = (0..1000)
        .map(|i| serde_json::json!({"method": "POST", "path": "/Users", "bulkId": format!("b{i}"),
            "data": {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                     "userName": format!("user{i}"), "name": {"givenName": "Barbara", "familyName": "Jensen"},
                     "emails": [{"value": format!("user{i}@example.com"), "type": "work"}]}}))
        .collect();
    let bodies = [
        ("full_user", FULL_USER.as_bytes().to_vec()),
        (
            "user_1000_emails",
            serde_json::to_vec(&serde_json::json!({"userName": "many", "emails": emails})).unwrap(),
        ),
        (
            "bulk_1000_creates",
            serde_json::to_vec(&serde_json::json!({"Operations": operations})).unwrap(),
        ),
    ];
    let mut group = c.benchmark_group("strict_json");
    for (name, body) in &bodies {
        group.bench_function(format!("{name}/check ({} bytes)", body.len()), |b| {
            b.iter(|| scim_core::check_strict_json(black_box(body)).unwrap())
        });
        group.bench_function(format!("{name}/parse_value"), |b| {
            b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(body)).unwrap())
        });
    }
    group.finish();
}

criterion_group!(benches, full_user, strict_json);
criterion_main!(benches);
