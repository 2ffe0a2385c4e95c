//! What criterion does not print: the latency distribution of one check (p50, p99,
//! p99.9) for the in-process and the Redis limiter, and the checks per second one Redis
//! sustains for the limiter alone, with 16 tasks checking at once on one instance (one
//! multiplexed connection), on one hot tenant and spread over 1000 tenants.
//!
//! `cargo bench -p scim-redis --bench percentiles`
//! (Redis at `SCIM_TEST_REDIS_URL`, default `redis://127.0.0.1:6379`.)
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "a benchmark: a failed setup ends the run"
)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use scim_core::rate_limit::RateLimitKey;
use scim_core::{RateLimiter, TenantRateLimiter};
use scim_redis::RedisRateLimiter;

const SAMPLES: usize = 20_000;
const TASKS: usize = 16;
const RUN: Duration = Duration::from_secs(5);

fn redis_url() -> String {
    std::env::var("SCIM_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

async fn latencies(name: &str, limiter: &dyn RateLimiter) {
    let key = RateLimitKey::Tenant("acme".into());
    for _ in 0..1000 {
        limiter.check(&key, 1).await; // warm-up
    }
    let mut samples = Vec::with_capacity(SAMPLES);
    for _ in 0..SAMPLES {
        let started = Instant::now();
        std::hint::black_box(limiter.check(&key, 1).await);
        samples.push(started.elapsed());
    }
    samples.sort_unstable();
    let at = |q: f64| micros(samples[((SAMPLES as f64 * q) as usize).min(SAMPLES - 1)]);
    let mean = micros(samples.iter().sum::<Duration>()) / SAMPLES as f64;
    println!(
        "latency {name:<11} mean {mean:>8.2} µs  p50 {:>8.2} µs  p99 {:>8.2} µs  p99.9 {:>8.2} µs  ({SAMPLES} sequential checks)",
        at(0.50),
        at(0.99),
        at(0.999),
    );
}

async fn throughput(limiter: Arc<RedisRateLimiter>, tenants: usize) {
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for task in 0..TASKS {
        let (limiter, stop, done) = (limiter.clone(), stop.clone(), done.clone());
        tasks.push(tokio::spawn(async move {
            let mut i = task;
            while !stop.load(Ordering::Relaxed) {
                let key = RateLimitKey::Tenant(format!("t{}", i % tenants));
                std::hint::black_box(limiter.check(&key, 1).await);
                done.fetch_add(1, Ordering::Relaxed);
                i += TASKS;
            }
        }));
    }
    let started = Instant::now();
    tokio::time::sleep(RUN).await;
    stop.store(true, Ordering::Relaxed);
    for task in tasks {
        task.await.unwrap();
    }
    let rate = done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64();
    println!("throughput {TASKS} tasks, {tenants:>4} tenant(s): {rate:>9.0} checks/s");
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs this once without it,
    // where a short smoke run is enough.
    if !std::env::args().any(|a| a == "--bench") {
        println!("percentiles: run with `cargo bench` for figures");
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let budget = u32::MAX;
        let redis = RedisRateLimiter::builder(&redis_url())
            .unwrap()
            .prefix(format!("scim-redis-bench:{}:", std::process::id()))
            .per_minute(budget)
            .timeout(Duration::from_secs(1))
            .build();
        redis
            .ping()
            .await
            .unwrap_or_else(|err| panic!("no Redis at {}: {err}", redis_url()));
        latencies("in-process", &TenantRateLimiter::new(budget)).await;
        latencies("redis", &redis).await;
        let redis = Arc::new(redis);
        throughput(redis.clone(), 1).await;
        throughput(redis, 1000).await;
    });
}
