//! The Redis limiter against a real Redis: bursts and refill, overrides, many concurrent
//! callers, key expiry, failed authentications, and figures equal to the in-process
//! limiter's.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "a test: a broken expectation is a failure"
)]

mod support;

use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use redis::AsyncCommands;
use scim_core::rate_limit::RateLimitKey;
use scim_core::{RateLimiter, TenantRateLimiter};
use scim_redis::RedisRateLimiter;

fn tenant(t: &str) -> RateLimitKey {
    RateLimitKey::Tenant(t.into())
}

fn client(ip: &str) -> RateLimitKey {
    RateLimitKey::FailedAuth(ip.parse::<IpAddr>().unwrap())
}

#[tokio::test]
async fn a_burst_spends_the_budget_and_tokens_come_back_with_time() {
    // 60 per minute: one token a second.
    let limiter = support::builder("refill").await.per_minute(60).build();
    for i in 0..60 {
        let d = limiter.check(&tenant("acme"), 1).await;
        assert!(d.allowed, "request {i}");
        assert_eq!((d.limit, d.remaining), (60, 59 - i));
    }
    let refused = limiter.check(&tenant("acme"), 1).await;
    assert!(!refused.allowed);
    assert_eq!(refused.retry_after_secs, 1);
    assert_eq!(refused.reset_secs, 60);
    // 1.3 s later, one token (and not two) is back.
    tokio::time::sleep(Duration::from_millis(1300)).await;
    assert!(limiter.check(&tenant("acme"), 1).await.allowed);
    assert!(!limiter.check(&tenant("acme"), 1).await.allowed);
    // Another tenant is untouched.
    assert_eq!(limiter.check(&tenant("other"), 1).await.remaining, 59);
}

#[tokio::test]
async fn a_cost_takes_that_many_tokens_or_none_and_zero_only_looks() {
    let limiter = support::builder("cost").await.per_minute(10).build();
    assert_eq!(limiter.check(&tenant("acme"), 4).await.remaining, 6);
    let refused = limiter.check(&tenant("acme"), 7).await;
    assert!(!refused.allowed);
    assert_eq!(refused.remaining, 6, "a refused cost takes nothing");
    let peek = limiter.check(&tenant("acme"), 0).await;
    assert!(peek.allowed);
    assert_eq!(peek.remaining, 6, "a cost of 0 only looks");
}

#[tokio::test]
async fn tenant_overrides_set_their_own_budgets() {
    let limiter = support::builder("overrides")
        .await
        .per_minute(3)
        .tenant_limit("big", 10)
        .build();
    for _ in 0..10 {
        assert!(limiter.check(&tenant("big"), 1).await.allowed);
    }
    assert!(!limiter.check(&tenant("big"), 1).await.allowed);
    for _ in 0..3 {
        assert!(limiter.check(&tenant("small"), 1).await.allowed);
    }
    assert!(!limiter.check(&tenant("small"), 1).await.allowed);
    // Raised at run time: the same bucket, refilled up to the new budget over time;
    // the figures report the new limit at once.
    limiter.set_tenant_limit("fresh", 7);
    let d = limiter.check(&tenant("fresh"), 1).await;
    assert_eq!((d.limit, d.remaining), (7, 6));
    assert_eq!(limiter.tenant_limit("small"), Some(3));
}

#[tokio::test]
async fn concurrent_callers_on_several_instances_never_exceed_the_budget() {
    const BUDGET: u32 = 50;
    let prefix = support::fresh_prefix("concurrent");
    // Three "instances" sharing the prefix, as three servers would.
    let mut instances = Vec::new();
    for _ in 0..3 {
        let limiter = support::builder("unused")
            .await
            .prefix(prefix.clone())
            .per_minute(BUDGET)
            .build();
        instances.push(Arc::new(limiter));
    }
    let started = Instant::now();
    let mut tasks = Vec::new();
    for i in 0..50 {
        let limiter = Arc::clone(&instances[i % 3]);
        tasks.push(tokio::spawn(async move {
            let mut allowed = 0u32;
            for _ in 0..4 {
                if limiter.check(&tenant("acme"), 1).await.allowed {
                    allowed += 1;
                }
            }
            allowed
        }));
    }
    let mut allowed = 0;
    for task in tasks {
        allowed += task.await.unwrap();
    }
    // 200 attempts for 50 tokens; tokens refilled while the test ran may be spent too.
    let refilled = (started.elapsed().as_secs_f64() * f64::from(BUDGET) / 60.0).floor() as u32;
    assert!(
        (BUDGET..=BUDGET + refilled).contains(&allowed),
        "{allowed} admitted for a budget of {BUDGET} (+{refilled} refilled)"
    );
}

#[tokio::test]
async fn buckets_expire_once_they_would_be_full_again() {
    let prefix = support::fresh_prefix("expiry");
    let limiter = support::builder("expiry")
        .await
        .prefix(prefix.clone())
        .per_minute(60)
        .build();
    let mut redis = support::inspect().await;
    let key = format!("{prefix}tenant:acme");
    // Looking at a full bucket writes nothing.
    assert!(limiter.check(&tenant("acme"), 0).await.allowed);
    assert!(!redis.exists::<_, bool>(&key).await.unwrap());
    // One token spent: full again in one second; the key lives that long plus a second.
    assert!(limiter.check(&tenant("acme"), 1).await.allowed);
    let ttl: i64 = redis.pttl(&key).await.unwrap();
    assert!(ttl > 0 && ttl <= 2000, "PTTL {ttl}");
    tokio::time::sleep(Duration::from_millis(2200)).await;
    assert!(!redis.exists::<_, bool>(&key).await.unwrap(), "expired");
    assert_eq!(limiter.check(&tenant("acme"), 1).await.remaining, 59);
    // A drained bucket lives for the minute it takes to refill, plus a second.
    limiter.check(&tenant("acme"), 59).await;
    let ttl: i64 = redis.pttl(&key).await.unwrap();
    assert!(ttl > 59_000 && ttl <= 61_000, "PTTL {ttl}");
}

#[tokio::test]
async fn failed_authentications_are_limited_per_client_and_in_all() {
    let prefix = support::fresh_prefix("auth");
    let limiter = support::builder("auth")
        .await
        .prefix(prefix.clone())
        .per_minute(100)
        .failed_auth_limits(2, 3)
        .build();
    let a = client("192.0.2.1");
    assert!(limiter.check(&a, 1).await.allowed);
    assert!(limiter.check(&a, 1).await.allowed);
    let refused = limiter.check(&a, 1).await;
    assert!(!refused.allowed);
    assert_eq!(refused.limit, 2);
    assert!(limiter.check(&client("2001:db8::1"), 1).await.allowed);
    for _ in 0..3 {
        assert!(limiter.check(&RateLimitKey::FailedAuthAll, 1).await.allowed);
    }
    assert!(!limiter.check(&RateLimitKey::FailedAuthAll, 1).await.allowed);
    // Tenants are not charged for it.
    assert_eq!(limiter.check(&tenant("acme"), 1).await.remaining, 99);
    let mut redis = support::inspect().await;
    for key in [
        "auth:192.0.2.1",
        "auth:2001:db8::1",
        "auth-all",
        "tenant:acme",
    ] {
        let ttl: i64 = redis.pttl(format!("{prefix}{key}")).await.unwrap();
        assert!(ttl > 0, "{key}: PTTL {ttl}");
    }
}

#[tokio::test]
async fn figures_match_the_in_process_limiter_for_the_same_sequence() {
    // 60 per minute: seconds and tokens are the same figures, far from any rounding
    // edge for a sequence that takes well under a second.
    let redis = support::builder("figures")
        .await
        .per_minute(60)
        .tenant_limit("big", 120)
        .failed_auth_limits(3, 5)
        .build();
    let local = TenantRateLimiter::new(60)
        .with_tenant_limit("big", 120)
        .with_failed_auth_limits(3, 5);
    let mut sequence = vec![
        (tenant("acme"), 0),
        (tenant("acme"), 5),
        (tenant("big"), 100),
    ];
    sequence.extend((0..60).map(|_| (tenant("acme"), 1)));
    sequence.extend([
        (tenant("acme"), 0),
        (tenant("big"), 30),
        (tenant("big"), 20),
        (tenant("big"), 0),
    ]);
    sequence.extend((0..4).map(|_| (client("192.0.2.9"), 1)));
    sequence.extend((0..6).map(|_| (RateLimitKey::FailedAuthAll, 1)));
    for (i, (key, cost)) in sequence.iter().enumerate() {
        let expected = local.check(key, *cost).await;
        let got = redis.check(key, *cost).await;
        assert_eq!(got, expected, "step {i}: {key:?} cost {cost}");
    }
}

#[tokio::test]
async fn a_flushed_script_cache_is_refilled_transparently() {
    let limiter = support::builder("flush").await.per_minute(5).build();
    assert_eq!(limiter.check(&tenant("acme"), 1).await.remaining, 4);
    // What a Redis restart or failover does to the script cache (the keys survive here).
    let mut redis = support::inspect().await;
    redis::cmd("SCRIPT")
        .arg("FLUSH")
        .query_async::<()>(&mut redis)
        .await
        .unwrap();
    assert_eq!(limiter.check(&tenant("acme"), 1).await.remaining, 3);
}

#[tokio::test]
async fn ping_answers() {
    let limiter: RedisRateLimiter = support::builder("ping").await.build();
    limiter.ping().await.unwrap();
}
