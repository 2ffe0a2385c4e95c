//! The failure policies against a Redis this test starts, stops and restarts itself: a
//! check never waits on a dead Redis past the timeout, each policy answers as documented
//! while Redis is away, and the shared budget applies again once it is back, after a
//! start with Redis down as after an outage.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "a test: a broken expectation is a failure"
)]

mod support;

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use redis::AsyncCommands;
use scim_core::RateLimiter;
use scim_core::rate_limit::RateLimitKey;
use scim_redis::{FailurePolicy, RedisRateLimiter};

/// A `redis-server` of this test's own, on `port`, keeping nothing on disk.
struct OwnRedis {
    child: Child,
}

impl OwnRedis {
    fn start(port: u16) -> Self {
        let program =
            std::env::var("SCIM_TEST_REDIS_SERVER").unwrap_or_else(|_| "redis-server".into());
        let child = Command::new(&program)
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|err| {
                panic!("cannot start {program} ({err}); install redis-server or set SCIM_TEST_REDIS_SERVER")
            });
        Self { child }
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        self.stop();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn wait_until_up(url: &str) {
    let client = redis::Client::open(url).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Ok(mut c) = client.get_multiplexed_async_connection().await
            && redis::cmd("PING")
                .query_async::<String>(&mut c)
                .await
                .is_ok()
        {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "own redis-server did not come up"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn acme() -> RateLimitKey {
    RateLimitKey::Tenant("acme".into())
}

/// Checks until the limiter decides in Redis again: its key appears there.
async fn wait_for_recovery(limiter: &RedisRateLimiter, url: &str) {
    let key = format!("{}tenant:acme", limiter.prefix());
    let client = redis::Client::open(url).unwrap();
    let mut inspect = client.get_multiplexed_async_connection().await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        limiter.check(&acme(), 1).await;
        if inspect.exists::<_, bool>(&key).await.unwrap() {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{:?}: still not deciding in Redis",
            limiter
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn limiter(url: &str, policy: FailurePolicy) -> RedisRateLimiter {
    RedisRateLimiter::builder(url)
        .unwrap()
        .prefix(support::fresh_prefix("failure"))
        .per_minute(5)
        .timeout(Duration::from_millis(100))
        .probe_interval(Duration::from_millis(100))
        .failure_policy(policy)
        .build()
}

/// What each policy answers while Redis is away, for a `tenant` not seen before (a
/// fresh local bucket for `Local`).
async fn assert_policy_answers(limiter: &RedisRateLimiter, policy: FailurePolicy, tenant: &str) {
    for _ in 0..3 {
        let started = Instant::now();
        let d = limiter.check(&RateLimitKey::Tenant(tenant.into()), 1).await;
        // Not a speed assertion: a dead Redis must not hold a request for long (the
        // connection manager's own retries would take seconds).
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{policy:?} stalled"
        );
        match policy {
            FailurePolicy::FailOpen => assert!(d.allowed && d.limit == 0, "{d:?}"),
            FailurePolicy::FailClosed => {
                assert!(
                    !d.allowed && d.retry_after_secs == 1 && d.limit == 5,
                    "{d:?}"
                )
            }
            _ => assert!(d.allowed && d.limit == 5, "{d:?}"),
        }
    }
}

#[tokio::test]
async fn each_policy_decides_while_redis_is_away_and_redis_decides_again_when_back() {
    let port = free_port();
    let url = format!("redis://127.0.0.1:{port}");
    let policies = [
        FailurePolicy::FailOpen,
        FailurePolicy::FailClosed,
        FailurePolicy::Local,
    ];
    let limiters: Vec<_> = policies.iter().map(|p| limiter(&url, *p)).collect();

    // Started while Redis is down: the policy answers, and the ping says why.
    for (limiter, policy) in limiters.iter().zip(policies) {
        assert!(limiter.ping().await.is_err());
        assert_policy_answers(limiter, policy, "down-at-start").await;
    }

    // Redis comes up: every limiter connects and shares the budget there.
    let mut redis = OwnRedis::start(port);
    wait_until_up(&url).await;
    for limiter in &limiters {
        wait_for_recovery(limiter, &url).await;
        // The bucket in Redis counted the request that showed recovery: five more are
        // refused (a fresh local bucket would take them), four are left.
        let d = limiter.check(&acme(), 5).await;
        assert!(!d.allowed && d.remaining == 4, "{d:?}");
    }

    // Redis dies: each policy decides.
    redis.stop();
    for (limiter, policy) in limiters.iter().zip(policies) {
        assert_policy_answers(limiter, policy, "down-later").await;
    }

    // Redis is back on the same port (empty: nothing was kept): shared budgets again.
    let _redis = OwnRedis::start(port);
    wait_until_up(&url).await;
    for limiter in &limiters {
        wait_for_recovery(limiter, &url).await;
        limiter.ping().await.unwrap();
    }
}

/// Collects what a `tracing` subscriber writes.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn a_dead_redis_is_one_warning_not_one_per_request() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    // Nothing listens there; every check probes Redis (no probe interval).
    let url = format!("redis://127.0.0.1:{}", free_port());
    let limiter = RedisRateLimiter::builder(&url)
        .unwrap()
        .timeout(Duration::from_millis(100))
        .probe_interval(Duration::ZERO)
        .build();
    for _ in 0..20 {
        assert!(limiter.check(&acme(), 1).await.allowed);
    }
    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert_eq!(
        text.matches("Redis unavailable").count(),
        1,
        "one warning for 20 failed checks:\n{text}"
    );
    assert!(text.contains("WARN"), "{text}");
}
