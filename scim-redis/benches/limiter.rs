//! The time one check takes: the in-process `TenantRateLimiter` against the
//! `RedisRateLimiter` (one round trip to the Redis at `SCIM_TEST_REDIS_URL`, default
//! `redis://127.0.0.1:6379`). The difference is the latency Redis adds to each request.
//!
//! `cargo bench -p scim-redis --bench limiter`
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "a benchmark: a failed setup ends the run"
)]

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use scim_core::rate_limit::RateLimitKey;
use scim_core::{RateLimiter, TenantRateLimiter};
use scim_redis::RedisRateLimiter;

fn redis_url() -> String {
    std::env::var("SCIM_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

fn check(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    // A budget no run exhausts: every check is the common case, an allowed request.
    let budget = u32::MAX;
    let key = RateLimitKey::Tenant("acme".into());
    let local = TenantRateLimiter::new(budget);
    let redis = RedisRateLimiter::builder(&redis_url())
        .unwrap()
        .prefix(format!("scim-redis-bench:{}:", std::process::id()))
        .per_minute(budget)
        .timeout(Duration::from_secs(1))
        .build();
    runtime
        .block_on(redis.ping())
        .unwrap_or_else(|err| panic!("no Redis at {}: {err}", redis_url()));

    let mut group = c.benchmark_group("check");
    group.bench_function("in_process", |b| {
        b.to_async(&runtime).iter(|| local.check(&key, 1));
    });
    group.bench_function("redis", |b| {
        b.to_async(&runtime).iter(|| redis.check(&key, 1));
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(5));
    targets = check
}
criterion_main!(benches);
