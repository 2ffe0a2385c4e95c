//! Password hashing benchmarks (feature `argon2`); figures in BENCHMARKS.md ("Passwords").
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs,
    reason = "benchmark code"
)]

use std::hint::black_box;

use argon2::PasswordHasher as _;
use criterion::{Criterion, criterion_group, criterion_main};
use scim_core::PasswordHasher;
use scim_core::password::Argon2Hasher;

fn passwords(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let hasher = Argon2Hasher::new();
    let stored = runtime.block_on(hasher.hash("t1meMa$heen")).unwrap();
    let mut group = c.benchmark_group("password");
    group.sample_size(20);
    // What the engine awaits per password: argon2id with OWASP's parameters, run on the
    // hasher's own thread.
    group.bench_function("hash_owasp", |b| {
        b.iter(|| {
            runtime
                .block_on(hasher.hash(black_box("t1meMa$heen")))
                .unwrap()
        });
    });
    group.bench_function("verify_owasp", |b| {
        b.iter(|| {
            runtime
                .block_on(hasher.verify(black_box("t1meMa$heen"), &stored))
                .unwrap()
        });
    });
    // The same hash on the calling thread: the difference is the hop to the hashing
    // thread and back.
    let argon2 = argon2::Argon2::default();
    group.bench_function("hash_owasp_inline", |b| {
        b.iter(|| {
            argon2
                .hash_password(black_box(b"t1meMa$heen"))
                .unwrap()
                .to_string()
        });
    });
    group.finish();
}

criterion_group!(benches, passwords);
criterion_main!(benches);
