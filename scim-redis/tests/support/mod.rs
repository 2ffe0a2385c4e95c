//! Shared by the integration tests: the Redis they run against, and a fresh key prefix
//! per test so that runs in parallel (and again) never share a bucket.

#![allow(dead_code, unreachable_pub, reason = "each test binary uses a part")]

use redis::aio::MultiplexedConnection;

/// `SCIM_TEST_REDIS_URL`, or the local Redis CI and the project's machines run.
pub fn redis_url() -> String {
    std::env::var("SCIM_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

/// A prefix no other test (or run) uses.
pub fn fresh_prefix(test: &str) -> String {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).unwrap();
    format!("scim-redis-test:{test}:{:016x}:", u64::from_le_bytes(bytes))
}

/// A plain connection to the test Redis, for looking at keys. Panics (the test fails)
/// when Redis is unreachable: these tests never skip.
pub async fn inspect() -> MultiplexedConnection {
    let url = redis_url();
    let client = redis::Client::open(url.as_str()).unwrap();
    match client.get_multiplexed_async_connection().await {
        Ok(connection) => connection,
        Err(err) => panic!(
            "no Redis at {url} ({err}); start one or set SCIM_TEST_REDIS_URL \
             (these tests fail rather than skip)"
        ),
    }
}

/// A limiter builder on the test Redis under a fresh prefix, after checking that Redis
/// answers (else the test fails).
pub async fn builder(test: &str) -> scim_redis::RedisRateLimiterBuilder {
    inspect().await;
    scim_redis::RedisRateLimiter::builder(&redis_url())
        .unwrap()
        .prefix(fresh_prefix(test))
        // Generous: a loaded CI machine must not push these tests onto the policy.
        .timeout(std::time::Duration::from_secs(2))
        .failure_policy(scim_redis::FailurePolicy::FailClosed)
}
