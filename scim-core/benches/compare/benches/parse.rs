//! The same filter corpus through scim-core and other Rust SCIM filter parsers.
#![allow(missing_docs, reason = "benchmark")]

use std::hint::black_box;
use std::str::FromStr;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const CORPUS: &str = include_str!("../../corpus.txt");

type Parser = (&'static str, fn(&str) -> bool);

const PARSERS: [Parser; 4] = [
    ("scim-core", |s| s.parse::<scim_core::Filter>().is_ok()),
    ("scim-filter 0.2.3", |s| {
        matches!(scim_filter::parser::filter(s), Ok(("", _)))
    }),
    ("scim_proto 1.10.4", |s| {
        scim_proto::filter::ScimFilter::from_str(s).is_ok()
    }),
    ("scim_v2 1.0.0", |s| scim_v2::filter::Filter::from_str(s).is_ok()),
];

fn compare(c: &mut Criterion) {
    let corpus: Vec<&str> = CORPUS.lines().filter(|l| !l.is_empty()).collect();
    for (name, parse) in PARSERS {
        let rejected: Vec<_> = corpus.iter().filter(|f| !parse(f)).collect();
        eprintln!("{name}: accepts {}/{}; rejects {rejected:?}", corpus.len() - rejected.len(), corpus.len());
    }
    // The subset every parser accepts, so each does the same work.
    let common: Vec<&str> = corpus
        .iter()
        .copied()
        .filter(|f| PARSERS.iter().all(|(_, parse)| parse(f)))
        .collect();
    eprintln!("common subset: {} filters", common.len());
    for (label, set) in [("full_corpus", &corpus), ("common_subset", &common)] {
        let mut group = c.benchmark_group(format!("compare_{label}"));
        group.throughput(Throughput::Elements(set.len() as u64));
        for (name, parse) in PARSERS {
            group.bench_function(name, |b| {
                b.iter(|| {
                    for f in set.iter() {
                        black_box(parse(black_box(f)));
                    }
                });
            });
        }
        group.finish();
    }
    let mut group = c.benchmark_group("compare_userName_eq");
    for (name, parse) in PARSERS {
        group.bench_function(name, |b| b.iter(|| black_box(parse(black_box(r#"userName eq "bjensen""#)))));
    }
    group.finish();
}

criterion_group!(benches, compare);
criterion_main!(benches);
