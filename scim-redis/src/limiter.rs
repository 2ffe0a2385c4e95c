//! [`RedisRateLimiter`] and its builder.

use std::sync::OnceLock;
use std::time::Duration;

use async_trait::async_trait;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{RedisError, Script};
use scim_core::rate_limit::{
    DEFAULT_FAILED_AUTH_PER_CLIENT, DEFAULT_FAILED_AUTH_TOTAL, DEFAULT_PER_MINUTE,
    RateLimitDecision, RateLimitKey,
};
use scim_core::{RateLimiter, TenantRateLimiter};

use crate::bucket::{self, SCRIPT};
use crate::failure::{FailurePolicy, Health};

/// The key prefix when none is set.
pub const DEFAULT_PREFIX: &str = "scim:rl:";

/// How long a check waits for Redis when no timeout is set.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_millis(100);

/// How long, after a failure, checks skip Redis before one tries it again, when not set.
pub const DEFAULT_PROBE_INTERVAL: Duration = Duration::from_secs(1);

/// A [`RateLimiter`] whose token buckets live in Redis, so that every instance of a
/// service counts against the same budget: the semantics of
/// [`TenantRateLimiter`] (a bucket per tenant refilled continuously at its budget per
/// minute and holding one minute's budget, per-tenant overrides, failed authentications
/// counted per client address and in all), decided by one Lua script in one round trip.
///
/// - **Atomic**: the script reads, refills, takes and writes the bucket alone on the
///   server; concurrent checks from any number of instances never admit more than the
///   bucket holds.
/// - **One clock**: the script reads the time from Redis (`TIME`), so instances whose
///   clocks disagree still agree on the budget.
/// - **Keys expire on their own**: each bucket's key lives until the bucket would be full
///   again (a full bucket and no bucket are the same), plus a second.
/// - **Bounded wait**: a check waits at most the [timeout](RedisRateLimiterBuilder::timeout)
///   for Redis; then the [`FailurePolicy`] decides, and for a
///   [probe interval](RedisRateLimiterBuilder::probe_interval) later checks go straight
///   to the policy while one probes Redis. A warning is logged at most every 10 seconds
///   while Redis is away, and a line when it is back.
///
/// Budgets are configured per instance, as with [`TenantRateLimiter`]: give every
/// instance the same ones (a bucket is refilled at the budget of the instance asking).
/// The connection is made on first use and remade by the `redis` crate's
/// [`ConnectionManager`] after a failure; it needs a tokio runtime.
///
/// ```
/// use scim_core::ScimServer;
/// use scim_redis::{FailurePolicy, RedisRateLimiter};
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let limiter = RedisRateLimiter::builder("redis://127.0.0.1:6379")?
///     .per_minute(200)
///     .tenant_limit("acme", 1500)
///     .failure_policy(FailurePolicy::Local)
///     .build();
/// let server = ScimServer::builder()
///     .store(scim_core::InMemoryStore::new())
///     .rate_limiter(limiter)
///     .build()?;
/// assert_eq!(server.tenant_rate_limit("acme"), Some(1500));
/// # Ok(()) }
/// ```
pub struct RedisRateLimiter {
    client: redis::Client,
    config: ConnectionManagerConfig,
    /// Made by the first check (inside the runtime, whose tasks reconnect it).
    connection: OnceLock<ConnectionManager>,
    script: Script,
    prefix: String,
    timeout: Duration,
    policy: FailurePolicy,
    health: Health,
    failed_auth_per_client: u32,
    failed_auth_total: u32,
    /// The budgets (the source of [`Self::limit_for`]) and the fallback of
    /// [`FailurePolicy::Local`].
    local: TenantRateLimiter,
}

impl std::fmt::Debug for RedisRateLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisRateLimiter")
            .field("prefix", &self.prefix)
            .field("timeout", &self.timeout)
            .field("policy", &self.policy)
            .field("local", &self.local)
            .finish_non_exhaustive()
    }
}

/// Settings of a [`RedisRateLimiter`]; made by [`RedisRateLimiter::builder`].
///
/// ```
/// use std::time::Duration;
/// use scim_redis::{FailurePolicy, RedisRateLimiter};
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let limiter = RedisRateLimiter::builder("redis://127.0.0.1:6379")?
///     .prefix("myapp:rl:")
///     .timeout(Duration::from_millis(50))
///     .failure_policy(FailurePolicy::FailClosed)
///     .build(); // nothing is sent to Redis until the first check
/// assert_eq!(limiter.prefix(), "myapp:rl:");
/// # Ok(()) }
/// ```
#[derive(Debug)]
#[must_use]
pub struct RedisRateLimiterBuilder {
    client: redis::Client,
    per_minute: u32,
    overrides: Vec<(String, u32)>,
    failed_auth_per_client: u32,
    failed_auth_total: u32,
    prefix: String,
    timeout: Duration,
    probe_interval: Duration,
    policy: FailurePolicy,
}

impl RedisRateLimiter {
    /// Settings for a limiter on the Redis at `url` (`redis://[:password@]host[:port][/db]`),
    /// with the defaults: [`DEFAULT_PER_MINUTE`] per tenant, the default failed-authentication
    /// budgets, [`DEFAULT_PREFIX`], [`DEFAULT_TIMEOUT`], [`FailurePolicy::Local`].
    ///
    /// ```
    /// use scim_redis::RedisRateLimiter;
    /// assert!(RedisRateLimiter::builder("redis://127.0.0.1:6379").is_ok());
    /// assert!(RedisRateLimiter::builder("not a url").is_err());
    /// ```
    pub fn builder(url: &str) -> Result<RedisRateLimiterBuilder, RedisError> {
        Ok(RedisRateLimiterBuilder::new(redis::Client::open(url)?))
    }

    /// `tenant`'s budget per minute.
    ///
    /// ```
    /// # use scim_redis::RedisRateLimiter;
    /// let limiter = RedisRateLimiter::builder("redis://127.0.0.1")?
    ///     .tenant_limit("acme", 1500)
    ///     .build();
    /// assert_eq!(limiter.limit_for("acme"), 1500);
    /// assert_eq!(limiter.limit_for("globex"), 200);
    /// # Ok::<(), redis::RedisError>(())
    /// ```
    pub fn limit_for(&self, tenant: &str) -> u32 {
        self.local.limit_for(tenant)
    }

    /// Changes `tenant`'s budget at run time (on this instance: change it on every one).
    ///
    /// ```
    /// # use scim_redis::RedisRateLimiter;
    /// let limiter = RedisRateLimiter::builder("redis://127.0.0.1")?.build();
    /// limiter.set_tenant_limit("acme", 1500);
    /// assert_eq!(limiter.limit_for("acme"), 1500);
    /// # Ok::<(), redis::RedisError>(())
    /// ```
    pub fn set_tenant_limit(&self, tenant: impl Into<String>, per_minute: u32) {
        self.local.set_tenant_limit(tenant, per_minute);
    }

    /// The prefix of every key this limiter writes.
    ///
    /// ```
    /// # use scim_redis::RedisRateLimiter;
    /// let limiter = RedisRateLimiter::builder("redis://127.0.0.1")?.build();
    /// assert_eq!(limiter.prefix(), scim_redis::DEFAULT_PREFIX);
    /// # Ok::<(), redis::RedisError>(())
    /// ```
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// Asks Redis for `PONG` within the timeout: for a start-up check or a readiness
    /// probe. A failure here changes nothing; checks go on by the policy.
    ///
    /// ```no_run
    /// # use scim_redis::RedisRateLimiter;
    /// # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let limiter = RedisRateLimiter::builder("redis://127.0.0.1:6379")?.build();
    /// limiter.ping().await?;
    /// # Ok(()) }
    /// ```
    pub async fn ping(&self) -> Result<(), RedisError> {
        let mut connection = self.connection()?;
        let command = redis::cmd("PING");
        let ping = command.query_async::<String>(&mut connection);
        match tokio::time::timeout(self.timeout, ping).await {
            Ok(answer) => answer.map(drop),
            Err(_) => Err(timed_out(self.timeout)),
        }
    }

    /// The connection manager, made on first use: it starts a task on the current tokio
    /// runtime, so it cannot be made by [`RedisRateLimiterBuilder::build`], which may run
    /// outside one. No connection is opened here; the first command opens it.
    fn connection(&self) -> Result<ConnectionManager, RedisError> {
        if let Some(connection) = self.connection.get() {
            return Ok(connection.clone());
        }
        let made =
            ConnectionManager::new_lazy_with_config(self.client.clone(), self.config.clone())?;
        // Two first checks at once may both make one: the first stored is kept by both.
        Ok(self.connection.get_or_init(|| made).clone())
    }

    /// The bucket of `key` decided in Redis, or why Redis did not answer.
    async fn decide_in_redis(
        &self,
        key: &str,
        capacity: u32,
        cost: u32,
    ) -> Result<RateLimitDecision, RedisError> {
        let mut connection = self.connection()?;
        let mut invocation = self.script.prepare_invoke();
        invocation.key(key).arg(capacity).arg(cost);
        // EVALSHA, and EVAL once when the server does not have the script (a restart).
        let call = invocation.invoke_async::<(u8, String)>(&mut connection);
        let (allowed, tokens) = match tokio::time::timeout(self.timeout, call).await {
            Ok(answer) => answer?,
            Err(_) => return Err(timed_out(self.timeout)),
        };
        let tokens: f64 = tokens.parse().map_err(|_| {
            RedisError::from((
                redis::ErrorKind::Parse,
                "the rate-limit script answered a non-number",
                tokens,
            ))
        })?;
        Ok(bucket::decision(capacity, cost, allowed == 1, tokens))
    }

    async fn by_policy(&self, key: &RateLimitKey, capacity: u32, cost: u32) -> RateLimitDecision {
        match self.policy {
            FailurePolicy::FailOpen => RateLimitDecision::unlimited(),
            FailurePolicy::FailClosed => RateLimitDecision::refuse(u64::from(capacity), 60, 1),
            FailurePolicy::Local => self.local.check(key, cost).await,
        }
    }
}

fn timed_out(after: Duration) -> RedisError {
    RedisError::from((
        redis::ErrorKind::Io,
        "no answer from Redis in time",
        format!("{after:?}"),
    ))
}

#[async_trait]
impl RateLimiter for RedisRateLimiter {
    async fn check(&self, key: &RateLimitKey, cost: u32) -> RateLimitDecision {
        let capacity = match key {
            RateLimitKey::Tenant(tenant) => self.limit_for(tenant),
            RateLimitKey::FailedAuth(_) => self.failed_auth_per_client,
            RateLimitKey::FailedAuthAll => self.failed_auth_total,
            // A kind of key newer than this crate: decided on this instance.
            _ => return self.local.check(key, cost).await,
        };
        let Some(redis_key) = bucket::redis_key(&self.prefix, key) else {
            return self.local.check(key, cost).await;
        };
        if !self.health.should_try() {
            return self.by_policy(key, capacity, cost).await;
        }
        match self.decide_in_redis(&redis_key, capacity, cost).await {
            Ok(decision) => {
                self.health.succeeded();
                decision
            }
            Err(err) => {
                self.health.failed(&err, self.policy);
                self.by_policy(key, capacity, cost).await
            }
        }
    }

    fn tenant_limit(&self, tenant: &str) -> Option<u32> {
        Some(self.limit_for(tenant))
    }
}

impl RedisRateLimiterBuilder {
    fn new(client: redis::Client) -> Self {
        Self {
            client,
            per_minute: DEFAULT_PER_MINUTE,
            overrides: Vec::new(),
            failed_auth_per_client: DEFAULT_FAILED_AUTH_PER_CLIENT,
            failed_auth_total: DEFAULT_FAILED_AUTH_TOTAL,
            prefix: DEFAULT_PREFIX.to_owned(),
            timeout: DEFAULT_TIMEOUT,
            probe_interval: DEFAULT_PROBE_INTERVAL,
            policy: FailurePolicy::default(),
        }
    }

    /// Requests per tenant and minute [default: 200]; a tenant may burst up to it at once.
    ///
    /// ```
    /// # use scim_redis::RedisRateLimiter;
    /// let limiter = RedisRateLimiter::builder("redis://127.0.0.1")?.per_minute(60).build();
    /// assert_eq!(limiter.limit_for("acme"), 60);
    /// # Ok::<(), redis::RedisError>(())
    /// ```
    pub fn per_minute(mut self, per_minute: u32) -> Self {
        self.per_minute = per_minute;
        self
    }

    /// Gives `tenant` its own budget per minute.
    ///
    /// ```
    /// # use scim_redis::RedisRateLimiter;
    /// let limiter = RedisRateLimiter::builder("redis://127.0.0.1")?.tenant_limit("acme", 5).build();
    /// assert_eq!(limiter.limit_for("acme"), 5);
    /// # Ok::<(), redis::RedisError>(())
    /// ```
    pub fn tenant_limit(mut self, tenant: impl Into<String>, per_minute: u32) -> Self {
        self.overrides.push((tenant.into(), per_minute));
        self
    }

    /// Failed authentications per minute: per client address, and from all clients
    /// together [defaults: 30 and 600].
    ///
    /// ```
    /// # use scim_redis::RedisRateLimiter;
    /// let builder = RedisRateLimiter::builder("redis://127.0.0.1")?.failed_auth_limits(5, 100);
    /// # Ok::<(), redis::RedisError>(())
    /// ```
    pub fn failed_auth_limits(mut self, per_client: u32, total: u32) -> Self {
        self.failed_auth_per_client = per_client;
        self.failed_auth_total = total;
        self
    }

    /// The prefix of every key [default: `scim:rl:`]: one per deployment sharing a Redis.
    ///
    /// ```
    /// # use scim_redis::RedisRateLimiter;
    /// let limiter = RedisRateLimiter::builder("redis://127.0.0.1")?.prefix("staging:rl:").build();
    /// assert_eq!(limiter.prefix(), "staging:rl:");
    /// # Ok::<(), redis::RedisError>(())
    /// ```
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// The longest a check waits for Redis (connecting included) before the policy
    /// decides [default: 100 ms].
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use scim_redis::RedisRateLimiter;
    /// let builder = RedisRateLimiter::builder("redis://127.0.0.1")?.timeout(Duration::from_millis(50));
    /// # Ok::<(), redis::RedisError>(())
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// After a failure, how long checks go straight to the policy before one tries Redis
    /// again [default: 1 s]: a dead Redis costs one timeout per interval, not one per
    /// request.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use scim_redis::RedisRateLimiter;
    /// let builder = RedisRateLimiter::builder("redis://127.0.0.1")?.probe_interval(Duration::from_millis(250));
    /// # Ok::<(), redis::RedisError>(())
    /// ```
    pub fn probe_interval(mut self, interval: Duration) -> Self {
        self.probe_interval = interval;
        self
    }

    /// What checks answer while Redis is away [default: [`FailurePolicy::Local`]].
    ///
    /// ```
    /// # use scim_redis::{FailurePolicy, RedisRateLimiter};
    /// let builder = RedisRateLimiter::builder("redis://127.0.0.1")?.failure_policy(FailurePolicy::FailOpen);
    /// # Ok::<(), redis::RedisError>(())
    /// ```
    pub fn failure_policy(mut self, policy: FailurePolicy) -> Self {
        self.policy = policy;
        self
    }

    /// The limiter. Nothing is sent to Redis yet, and no tokio runtime is needed here:
    /// the connection is made by the first check (use [`RedisRateLimiter::ping`] to
    /// verify it at start-up).
    ///
    /// ```
    /// # use scim_redis::RedisRateLimiter;
    /// // No Redis listens there: building works all the same.
    /// let limiter = RedisRateLimiter::builder("redis://127.0.0.1:1")?.build();
    /// # Ok::<(), redis::RedisError>(())
    /// ```
    pub fn build(self) -> RedisRateLimiter {
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(self.timeout))
            .set_response_timeout(Some(self.timeout))
            // The manager reconnects in the background after a broken connection; a
            // few quick attempts, then the next probe starts another round.
            .set_number_of_retries(2)
            .set_min_delay(Duration::from_millis(10))
            .set_max_delay(self.probe_interval.max(Duration::from_millis(10)));
        let local = TenantRateLimiter::new(self.per_minute)
            .with_failed_auth_limits(self.failed_auth_per_client, self.failed_auth_total);
        for (tenant, per_minute) in self.overrides {
            local.set_tenant_limit(tenant, per_minute);
        }
        RedisRateLimiter {
            client: self.client,
            config,
            connection: OnceLock::new(),
            script: Script::new(SCRIPT),
            prefix: self.prefix,
            timeout: self.timeout,
            policy: self.policy,
            health: Health::new(self.probe_interval),
            failed_auth_per_client: self.failed_auth_per_client,
            failed_auth_total: self.failed_auth_total,
            local,
        }
    }
}
