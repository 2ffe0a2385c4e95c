//! Filter parsing and evaluation benchmarks; figures in BENCHMARKS.md ("Filters").
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs,
    reason = "benchmark code"
)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use scim_core::{Filter, Resource, SchemaRegistry};
use serde_json::json;

/// The RFC 7644 §3.4.2.2 examples, client shapes, URN-qualified paths, value paths
/// and a 50-clause `or` chain; one filter per line (shared with `benches/compare`).
const CORPUS: &str = include_str!("corpus.txt");

fn parse(c: &mut Criterion) {
    let corpus: Vec<&str> = CORPUS.lines().filter(|l| !l.is_empty()).collect();
    let mut group = c.benchmark_group("filter_parse");
    group.throughput(Throughput::Elements(corpus.len() as u64));
    group.bench_function("corpus", |b| {
        b.iter(|| {
            for f in &corpus {
                black_box(black_box(f).parse::<Filter>().unwrap());
            }
        });
    });
    group.finish();
    c.bench_function("filter_parse/userName_eq", |b| {
        b.iter(|| {
            black_box(
                black_box(r#"userName eq "bjensen""#)
                    .parse::<Filter>()
                    .unwrap(),
            )
        });
    });
}

fn users(n: usize) -> Vec<Resource> {
    (0..n)
        .map(|i| {
            let domain = if i % 2 == 0 { "example.com" } else { "example.org" };
            Resource::from_value_unchecked(
                "User",
                json!({
                    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                    "id": format!("{i:08x}-0000-4000-8000-000000000000"),
                    "userName": format!("user{i}"),
                    "active": i % 3 != 0,
                    "name": {"familyName": format!("Family{}", i % 1000), "givenName": "Given"},
                    "emails": [
                        {"value": format!("user{i}@{domain}"), "type": "work", "primary": true},
                        {"value": format!("user{i}@home.example"), "type": "home"}
                    ],
                    "meta": {
                        "resourceType": "User",
                        "created": "2020-01-01T00:00:00Z",
                        "lastModified": format!("2021-{:02}-{:02}T12:00:00.5+02:00", 1 + i % 12, 1 + i % 28),
                    }
                }),
            )
            .unwrap()
        })
        .collect()
}

fn evaluate(c: &mut Criterion) {
    let registry = SchemaRegistry::with_builtins();
    let rt = registry.resource_type("User").unwrap();
    let population = users(100_000);
    let mut group = c.benchmark_group("filter_evaluate_100k_users");
    group.throughput(Throughput::Elements(population.len() as u64));
    group.sample_size(10);
    for (name, filter, expected) in [
        (
            "userName_eq_case_insensitive",
            r#"userName eq "USER99999""#,
            1,
        ),
        (
            "emails_value_path",
            r#"emails[type eq "work" and value ew "@EXAMPLE.org"]"#,
            50_000,
        ),
        (
            "lastModified_gt_and_active",
            r#"meta.lastModified gt "2021-06-15T00:00:00Z" and active eq true"#,
            0,
        ),
    ] {
        let f: Filter = filter.parse().unwrap();
        let hits = population.iter().filter(|u| f.matches(u, rt)).count();
        if expected > 0 {
            assert_eq!(hits, expected, "{filter}");
        }
        group.bench_function(name, |b| {
            b.iter(|| population.iter().filter(|u| f.matches(u, rt)).count());
        });
    }
    group.finish();
}

criterion_group!(benches, parse, evaluate);
criterion_main!(benches);
