//! Rate limiting: the [`RateLimiter`] trait and the in-process per-tenant limiter.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex, RwLock};
#[cfg(test)]
use std::time::Duration;
use std::time::Instant;

use async_trait::async_trait;

/// What a request is counted against.
///
/// ```
/// use scim_core::RateLimitKey;
/// let k = RateLimitKey::Tenant("acme".into());
/// assert_ne!(k, RateLimitKey::Unauthenticated("acme".into()));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RateLimitKey {
    /// An authenticated request of this tenant.
    Tenant(String),
    /// A request that failed authentication, by the tenant segment of its path: counted
    /// apart so that bad keys never spend the tenant's budget.
    Unauthenticated(String),
}

/// A limiter's answer for one request.
///
/// ```
/// use scim_core::RateLimitDecision;
/// let d = RateLimitDecision::unlimited();
/// assert!(d.allowed);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateLimitDecision {
    /// Whether the request may proceed.
    pub allowed: bool,
    /// The budget per window (`RateLimit-Limit`).
    pub limit: u64,
    /// Requests left now (`RateLimit-Remaining`).
    pub remaining: u64,
    /// Seconds until the budget is full again (`RateLimit-Reset`).
    pub reset_secs: u64,
    /// Seconds until the next request would be allowed (`Retry-After`), when refused.
    pub retry_after_secs: u64,
}

impl RateLimitDecision {
    /// An allowed request: `remaining` of `limit` left, full again in `reset_secs`.
    ///
    /// ```
    /// # use scim_core::RateLimitDecision;
    /// let d = RateLimitDecision::allow(200, 199, 1);
    /// assert!(d.allowed && d.remaining == 199);
    /// ```
    pub const fn allow(limit: u64, remaining: u64, reset_secs: u64) -> Self {
        Self {
            allowed: true,
            limit,
            remaining,
            reset_secs,
            retry_after_secs: 0,
        }
    }

    /// A refused request: retry in `retry_after_secs`, full again in `reset_secs`.
    ///
    /// ```
    /// # use scim_core::RateLimitDecision;
    /// let d = RateLimitDecision::refuse(200, 60, 1);
    /// assert!(!d.allowed && d.remaining == 0 && d.retry_after_secs == 1);
    /// ```
    pub const fn refuse(limit: u64, reset_secs: u64, retry_after_secs: u64) -> Self {
        Self {
            allowed: false,
            limit,
            remaining: 0,
            reset_secs,
            retry_after_secs,
        }
    }

    /// An always-allowed decision that sends no rate-limit headers (`limit` 0).
    ///
    /// ```
    /// # use scim_core::RateLimitDecision;
    /// assert_eq!(RateLimitDecision::unlimited().limit, 0);
    /// ```
    pub const fn unlimited() -> Self {
        Self {
            allowed: true,
            limit: 0,
            remaining: 0,
            reset_secs: 0,
            retry_after_secs: 0,
        }
    }
}

/// Decides whether a request may proceed. Must answer at once (never wait), and must not
/// let one key's traffic delay another's.
#[async_trait]
pub trait RateLimiter: Send + Sync + 'static {
    /// Counts one request against `key`.
    async fn check(&self, key: &RateLimitKey) -> RateLimitDecision;
}

/// A limiter that allows everything (for tests, benchmarks, or a host app that limits
/// upstream).
///
/// ```
/// # use scim_core::{NoRateLimit, RateLimiter, RateLimitKey};
/// # tokio_test_block(async {
/// let d = NoRateLimit.check(&RateLimitKey::Tenant("t".into())).await;
/// assert!(d.allowed);
/// # });
/// # fn tokio_test_block(f: impl std::future::Future<Output = ()>) {
/// #     tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
/// # }
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct NoRateLimit;

#[async_trait]
impl RateLimiter for NoRateLimit {
    async fn check(&self, _key: &RateLimitKey) -> RateLimitDecision {
        RateLimitDecision::unlimited()
    }
}

/// The built-in limiter's default budget: requests per tenant and minute.
pub const DEFAULT_PER_MINUTE: u32 = 200;

/// Buckets per shard above which idle (full) buckets are evicted.
const SHARD_SOFT_CAPACITY: usize = 1024;
/// Buckets per shard for unauthenticated keys above which they share one overflow bucket.
const SHARD_HARD_CAPACITY: usize = 4096;
const SHARDS: usize = 16;

/// The time source of the limiter, so that tests can advance time without sleeping.
pub(crate) trait Clock: Send + Sync + 'static {
    fn now(&self) -> Instant;
}

#[derive(Debug)]
struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }
}

/// A clock that moves only when told to.
#[cfg(test)]
#[derive(Debug)]
pub(crate) struct ManualClock {
    start: Instant,
    offset: Mutex<Duration>,
}

#[cfg(test)]
impl ManualClock {
    pub(crate) fn new() -> Self {
        Self {
            start: Instant::now(),
            offset: Mutex::new(Duration::ZERO),
        }
    }

    pub(crate) fn advance(&self, by: Duration) {
        *self.offset.lock().unwrap() += by;
    }
}

#[cfg(test)]
impl Clock for ManualClock {
    fn now(&self) -> Instant {
        self.start + *self.offset.lock().unwrap()
    }
}

#[derive(Debug)]
struct Shard {
    buckets: HashMap<RateLimitKey, Bucket>,
    /// The size at which idle buckets are next swept out; moving it forward after each
    /// sweep keeps the cost of sweeping amortised to a few steps per new bucket.
    sweep_at: usize,
}

impl Default for Shard {
    fn default() -> Self {
        Self {
            buckets: HashMap::new(),
            sweep_at: SHARD_SOFT_CAPACITY,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

impl Bucket {
    /// The bucket refilled up to `now` at `capacity` tokens per minute.
    fn refilled(self, now: Instant, capacity: f64) -> Self {
        let elapsed = now.saturating_duration_since(self.updated).as_secs_f64();
        Self {
            tokens: (self.tokens + elapsed * capacity / 60.0).min(capacity),
            updated: now,
        }
    }
}

/// The built-in in-process limiter: a token bucket per tenant, refilled continuously at
/// the tenant's budget per minute and holding at most one minute's budget, so a tenant
/// may burst up to its whole budget at once. Requests that failed authentication are
/// counted in buckets of their own and never spend a tenant's budget.
///
/// Buckets live in independently locked shards, the locks are held for a few
/// arithmetic operations and never across an `.await`, and a refused request is answered
/// at once: one tenant's burst never delays another. Idle buckets (full again) are
/// evicted, so memory stays bounded with many tenants.
///
/// ```
/// use scim_core::{RateLimitKey, RateLimiter, TenantRateLimiter};
/// // 200 per minute for everyone, 1500 for acme.
/// let limiter = TenantRateLimiter::new(200).with_tenant_limit("acme", 1500);
/// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
/// let d = rt.block_on(limiter.check(&RateLimitKey::Tenant("acme".into())));
/// assert!(d.allowed);
/// assert_eq!((d.limit, d.remaining), (1500, 1499));
/// ```
pub struct TenantRateLimiter {
    default_per_minute: u32,
    unauthenticated_per_minute: u32,
    overrides: RwLock<HashMap<String, u32>>,
    shards: Vec<Mutex<Shard>>,
    overflow: Mutex<Option<Bucket>>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for TenantRateLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TenantRateLimiter")
            .field("default_per_minute", &self.default_per_minute)
            .field(
                "unauthenticated_per_minute",
                &self.unauthenticated_per_minute,
            )
            .finish_non_exhaustive()
    }
}

impl Default for TenantRateLimiter {
    fn default() -> Self {
        Self::new(DEFAULT_PER_MINUTE)
    }
}

impl TenantRateLimiter {
    /// A limiter allowing `per_minute` requests per tenant and minute (and as many
    /// failed-authentication requests per tenant path segment).
    ///
    /// ```
    /// # use scim_core::TenantRateLimiter;
    /// assert_eq!(TenantRateLimiter::new(200).limit_for("acme"), 200);
    /// ```
    pub fn new(per_minute: u32) -> Self {
        Self::with_clock(per_minute, Arc::new(SystemClock))
    }

    pub(crate) fn with_clock(per_minute: u32, clock: Arc<dyn Clock>) -> Self {
        Self {
            default_per_minute: per_minute,
            unauthenticated_per_minute: per_minute,
            overrides: RwLock::new(HashMap::new()),
            shards: (0..SHARDS).map(|_| Mutex::new(Shard::default())).collect(),
            overflow: Mutex::new(None),
            clock,
        }
    }

    /// Gives `tenant` its own budget per minute.
    ///
    /// ```
    /// # use scim_core::TenantRateLimiter;
    /// let limiter = TenantRateLimiter::new(200).with_tenant_limit("acme", 1500);
    /// assert_eq!(limiter.limit_for("acme"), 1500);
    /// assert_eq!(limiter.limit_for("globex"), 200);
    /// ```
    #[must_use]
    pub fn with_tenant_limit(self, tenant: impl Into<String>, per_minute: u32) -> Self {
        self.set_tenant_limit(tenant, per_minute);
        self
    }

    /// Changes `tenant`'s budget at run time (e.g. when its plan changes).
    ///
    /// ```
    /// # use scim_core::TenantRateLimiter;
    /// let limiter = TenantRateLimiter::new(200);
    /// limiter.set_tenant_limit("acme", 1500);
    /// assert_eq!(limiter.limit_for("acme"), 1500);
    /// ```
    pub fn set_tenant_limit(&self, tenant: impl Into<String>, per_minute: u32) {
        self.overrides
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(tenant.into(), per_minute);
    }

    /// The budget per minute for requests that failed authentication, per tenant path
    /// segment (default: the default tenant budget).
    ///
    /// ```
    /// # use scim_core::TenantRateLimiter;
    /// let limiter = TenantRateLimiter::new(200).with_unauthenticated_limit(20);
    /// # let _ = limiter;
    /// ```
    #[must_use]
    pub fn with_unauthenticated_limit(mut self, per_minute: u32) -> Self {
        self.unauthenticated_per_minute = per_minute;
        self
    }

    /// `tenant`'s budget per minute.
    ///
    /// ```
    /// # use scim_core::TenantRateLimiter;
    /// assert_eq!(TenantRateLimiter::default().limit_for("acme"), 200);
    /// ```
    pub fn limit_for(&self, tenant: &str) -> u32 {
        self.overrides
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(tenant)
            .copied()
            .unwrap_or(self.default_per_minute)
    }

    fn shard(&self, key: &RateLimitKey) -> Option<&Mutex<Shard>> {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        key.hash(&mut hasher);
        let index = usize::try_from(hasher.finish() % SHARDS as u64).unwrap_or(0);
        self.shards.get(index)
    }

    /// Takes one token from `bucket`, already refilled to now.
    fn take(bucket: &mut Bucket, capacity: f64) -> RateLimitDecision {
        let per_second = capacity / 60.0;
        let allowed = bucket.tokens >= 1.0;
        if allowed {
            bucket.tokens -= 1.0;
        }
        let seconds = |tokens: f64| {
            if per_second > 0.0 {
                // Rounded up: a client that waits this long is served.
                (tokens.max(0.0) / per_second).ceil() as u64
            } else {
                60
            }
        };
        RateLimitDecision {
            allowed,
            limit: capacity as u64,
            remaining: bucket.tokens.floor().max(0.0) as u64,
            reset_secs: seconds(capacity - bucket.tokens),
            retry_after_secs: if allowed {
                0
            } else {
                seconds(1.0 - bucket.tokens).max(1)
            },
        }
    }

    fn decide(&self, key: &RateLimitKey) -> RateLimitDecision {
        let capacity = f64::from(match key {
            RateLimitKey::Tenant(t) => self.limit_for(t),
            RateLimitKey::Unauthenticated(_) => self.unauthenticated_per_minute,
        });
        let now = self.clock.now();
        let fresh = Bucket {
            tokens: capacity,
            updated: now,
        };
        let Some(shard) = self.shard(key) else {
            return RateLimitDecision::unlimited();
        };
        let mut shard = shard.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(bucket) = shard.buckets.get_mut(key) {
            *bucket = bucket.refilled(now, capacity);
            return Self::take(bucket, capacity);
        }
        if shard.buckets.len() >= shard.sweep_at {
            // A full bucket is indistinguishable from a new one: forget it. (Buckets of
            // tenants with a larger budget are judged by this one's: at worst they are
            // forgotten when nearly full, which only makes the limiter more lenient.)
            shard
                .buckets
                .retain(|_, b| b.refilled(now, capacity).tokens < capacity);
            shard.sweep_at =
                (shard.buckets.len() + SHARD_SOFT_CAPACITY / 4).max(SHARD_SOFT_CAPACITY);
        }
        if shard.buckets.len() >= SHARD_HARD_CAPACITY
            && matches!(key, RateLimitKey::Unauthenticated(_))
        {
            // A flood of made-up tenant segments shares one bucket instead of growing memory.
            drop(shard);
            let mut overflow = self.overflow.lock().unwrap_or_else(|p| p.into_inner());
            let bucket = overflow.get_or_insert(fresh);
            *bucket = bucket.refilled(now, capacity);
            return Self::take(bucket, capacity);
        }
        let bucket = shard.buckets.entry(key.clone()).or_insert(fresh);
        Self::take(bucket, capacity)
    }

    #[cfg(test)]
    fn bucket_count(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.lock().unwrap().buckets.len())
            .sum()
    }
}

#[async_trait]
impl RateLimiter for TenantRateLimiter {
    async fn check(&self, key: &RateLimitKey) -> RateLimitDecision {
        self.decide(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(per_minute: u32) -> (TenantRateLimiter, Arc<ManualClock>) {
        let clock = Arc::new(ManualClock::new());
        (
            TenantRateLimiter::with_clock(per_minute, clock.clone()),
            clock,
        )
    }

    fn tenant(t: &str) -> RateLimitKey {
        RateLimitKey::Tenant(t.into())
    }

    #[test]
    fn a_burst_up_to_the_budget_is_allowed_then_refused() {
        let (l, _) = limiter(200);
        for i in 0..200 {
            let d = l.decide(&tenant("acme"));
            assert!(d.allowed, "request {i}");
            assert_eq!(d.remaining, 199 - i);
        }
        let d = l.decide(&tenant("acme"));
        assert!(!d.allowed);
        assert_eq!(d.remaining, 0);
        // 200 per minute: one token every 0.3 s, rounded up to 1 s.
        assert_eq!(d.retry_after_secs, 1);
        assert_eq!(d.reset_secs, 60);
    }

    #[test]
    fn tokens_come_back_with_time() {
        let (l, clock) = limiter(60);
        for _ in 0..60 {
            assert!(l.decide(&tenant("acme")).allowed);
        }
        let d = l.decide(&tenant("acme"));
        assert!(!d.allowed);
        assert_eq!(d.retry_after_secs, 1);
        clock.advance(Duration::from_secs(1));
        assert!(l.decide(&tenant("acme")).allowed);
        assert!(!l.decide(&tenant("acme")).allowed);
        clock.advance(Duration::from_secs(600));
        assert_eq!(l.decide(&tenant("acme")).remaining, 59);
    }

    #[test]
    fn one_tenants_burst_leaves_another_served() {
        let (l, _) = limiter(10);
        for _ in 0..50 {
            l.decide(&tenant("noisy"));
        }
        assert!(!l.decide(&tenant("noisy")).allowed);
        assert_eq!(l.decide(&tenant("quiet")).remaining, 9);
    }

    #[test]
    fn unauthenticated_requests_have_their_own_bucket() {
        let (l, _) = limiter(10);
        for _ in 0..50 {
            l.decide(&RateLimitKey::Unauthenticated("acme".into()));
        }
        assert!(
            !l.decide(&RateLimitKey::Unauthenticated("acme".into()))
                .allowed
        );
        assert_eq!(l.decide(&tenant("acme")).remaining, 9);
    }

    #[test]
    fn a_tenant_override_raises_the_budget() {
        let (l, _) = limiter(200);
        l.set_tenant_limit("acme", 1500);
        for _ in 0..1500 {
            assert!(l.decide(&tenant("acme")).allowed);
        }
        assert!(!l.decide(&tenant("acme")).allowed);
        assert_eq!(l.decide(&tenant("other")).limit, 200);
    }

    #[test]
    fn memory_stays_bounded_with_many_tenants() {
        let (l, clock) = limiter(100);
        for i in 0..100_000 {
            l.decide(&tenant(&format!("t{i}")));
            if i % 1000 == 0 {
                clock.advance(Duration::from_secs(2));
            }
        }
        assert!(
            l.bucket_count() <= SHARDS * SHARD_SOFT_CAPACITY + SHARDS,
            "{}",
            l.bucket_count()
        );
        // Unauthenticated floods without pause are capped too.
        let (l, _) = limiter(100);
        for i in 0..100_000 {
            l.decide(&RateLimitKey::Unauthenticated(format!("t{i}")));
        }
        assert!(l.bucket_count() <= SHARDS * SHARD_HARD_CAPACITY);
    }
}
