//! Parse + validate + project/render of the RFC 7643 §8.2 "full user".
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "benchmark setup")]
#![allow(missing_docs, reason = "criterion_main generates an undocumented main")]

use criterion::{Criterion, black_box, criterion_group, criterion_main};
use scim_core::{Projection, Resource, SchemaRegistry, ValidationOptions};

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

criterion_group!(benches, full_user);
criterion_main!(benches);
