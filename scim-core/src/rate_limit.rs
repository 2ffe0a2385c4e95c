//! Rate limiting: the [`RateLimiter`] trait and the in-process per-tenant limiter.

use std::hash::{Hash, Hasher};
use std::net::IpAddr;
use std::sync::{Arc, Mutex, RwLock};
#[cfg(test)]
use std::time::Duration;
use std::time::Instant;

use async_trait::async_trait;

use crate::hash_map::HashMap;

/// What a request is counted against.
///
/// Failed authentications are never counted by tenant: the tenant segment is chosen by
/// the caller, who could multiply it at will. They are counted by client address (which
/// the caller cannot multiply as cheaply) and all together.
///
/// ```
/// use scim_core::rate_limit::RateLimitKey;
/// let k = RateLimitKey::Tenant("acme".into());
/// assert_ne!(k, RateLimitKey::FailedAuthAll);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RateLimitKey {
    /// An authenticated request of this tenant.
    Tenant(String),
    /// A failed authentication from this client address (the [`ClientAddr`](crate::ClientAddr)
    /// an adapter or the host app put in the request), IPv6 addresses cut to their /64:
    /// build it with [`RateLimitKey::failed_auth`].
    FailedAuth(IpAddr),
    /// Every failed authentication, from any client: the server-wide ceiling.
    FailedAuthAll,
}

impl RateLimitKey {
    /// The key of a failed authentication from `ip`, counted per network a client
    /// controls: an IPv6 client by its /64 (one host commonly holds a whole /64, and
    /// could otherwise take a fresh address per guess), an IPv4-mapped IPv6 address as
    /// the IPv4 address it is, an IPv4 client by its address.
    ///
    /// ```
    /// use std::net::IpAddr;
    /// use scim_core::rate_limit::RateLimitKey;
    /// let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
    /// let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
    /// let other: IpAddr = "2001:db8:1:3::1".parse().unwrap();
    /// assert_eq!(RateLimitKey::failed_auth(a), RateLimitKey::failed_auth(b));
    /// assert_ne!(RateLimitKey::failed_auth(a), RateLimitKey::failed_auth(other));
    /// ```
    pub fn failed_auth(ip: IpAddr) -> Self {
        let ip = match ip {
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => IpAddr::V4(v4),
                None => IpAddr::V6(std::net::Ipv6Addr::from(
                    u128::from(v6) & !u128::from(u64::MAX),
                )),
            },
            v4 @ IpAddr::V4(_) => v4,
        };
        Self::FailedAuth(ip)
    }
}

/// A limiter's answer for one request.
///
/// ```
/// use scim_core::rate_limit::RateLimitDecision;
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
    /// # use scim_core::rate_limit::RateLimitDecision;
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
    /// # use scim_core::rate_limit::RateLimitDecision;
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
    /// # use scim_core::rate_limit::RateLimitDecision;
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
    /// Counts `cost` requests against `key` and says whether they may proceed. A Bulk
    /// request costs one per operation; a cost of `0` only reports the state of `key`'s
    /// budget (`allowed` when one more request would be).
    async fn check(&self, key: &RateLimitKey, cost: u32) -> RateLimitDecision;

    /// `tenant`'s budget in requests per minute, for display (a configuration page);
    /// `None` when the limiter cannot tell or does not limit.
    fn tenant_limit(&self, _tenant: &str) -> Option<u32> {
        None
    }
}

/// A limiter that allows everything (for tests, benchmarks, or a host app that limits
/// upstream).
///
/// ```
/// # use scim_core::{RateLimiter, rate_limit::{NoRateLimit, RateLimitKey}};
/// # tokio_test_block(async {
/// let d = NoRateLimit.check(&RateLimitKey::Tenant("t".into()), 1).await;
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
    async fn check(&self, _key: &RateLimitKey, _cost: u32) -> RateLimitDecision {
        RateLimitDecision::unlimited()
    }
}

/// The built-in limiter's default budget: requests per tenant and minute.
pub const DEFAULT_PER_MINUTE: u32 = 200;

/// The built-in limiter's default budget of failed authentications per client address
/// and minute. Past it, the client's requests are refused before their key is looked at.
pub const DEFAULT_FAILED_AUTH_PER_CLIENT: u32 = 30;

/// The built-in limiter's default budget of failed authentications per minute from all
/// clients together.
pub const DEFAULT_FAILED_AUTH_TOTAL: u32 = 600;

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
            buckets: HashMap::default(),
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
/// use scim_core::{RateLimiter, TenantRateLimiter, rate_limit::RateLimitKey};
/// // 200 per minute for everyone, 1500 for acme.
/// let limiter = TenantRateLimiter::new(200).with_tenant_limit("acme", 1500);
/// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
/// let d = rt.block_on(limiter.check(&RateLimitKey::Tenant("acme".into()), 1));
/// assert!(d.allowed);
/// assert_eq!((d.limit, d.remaining), (1500, 1499));
/// ```
pub struct TenantRateLimiter {
    default_per_minute: u32,
    failed_auth_per_client: u32,
    failed_auth_total: u32,
    overrides: RwLock<HashMap<String, u32>>,
    shards: Vec<Mutex<Shard>>,
    overflow: Mutex<Option<Bucket>>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for TenantRateLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TenantRateLimiter")
            .field("default_per_minute", &self.default_per_minute)
            .field("failed_auth_per_client", &self.failed_auth_per_client)
            .field("failed_auth_total", &self.failed_auth_total)
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
            failed_auth_per_client: DEFAULT_FAILED_AUTH_PER_CLIENT,
            failed_auth_total: DEFAULT_FAILED_AUTH_TOTAL,
            overrides: RwLock::new(HashMap::default()),
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

    /// The budgets per minute for failed authentications: per client address, and in
    /// all (defaults [`DEFAULT_FAILED_AUTH_PER_CLIENT`] and [`DEFAULT_FAILED_AUTH_TOTAL`]).
    ///
    /// ```
    /// # use std::net::{IpAddr, Ipv4Addr};
    /// # use scim_core::{RateLimiter, TenantRateLimiter, rate_limit::RateLimitKey};
    /// let limiter = TenantRateLimiter::new(200).with_failed_auth_limits(2, 1000);
    /// let client = RateLimitKey::FailedAuth(IpAddr::V4(Ipv4Addr::LOCALHOST));
    /// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    /// assert!(rt.block_on(limiter.check(&client, 1)).allowed);
    /// assert!(rt.block_on(limiter.check(&client, 1)).allowed);
    /// assert!(!rt.block_on(limiter.check(&client, 1)).allowed);
    /// ```
    #[must_use]
    pub fn with_failed_auth_limits(mut self, per_client: u32, total: u32) -> Self {
        self.failed_auth_per_client = per_client;
        self.failed_auth_total = total;
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

    // The shard decides which lock a key contends on and which shard's bounds it counts
    // against; every bound holds per shard, so a constant shard (a mutant of this
    // function) only makes the limiter sweep and overflow sooner, never lets memory grow
    // or a budget exceed its limit. The tests of the bounds fill one shard SHARDS times
    // over under that mutant and time out rather than fail (`scripts/mutants.sh`).
    fn shard_index(key: &RateLimitKey) -> usize {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        key.hash(&mut hasher);
        usize::try_from(hasher.finish() % SHARDS as u64).unwrap_or(0)
    }

    fn shard(&self, key: &RateLimitKey) -> Option<&Mutex<Shard>> {
        self.shards.get(Self::shard_index(key))
    }

    /// Takes `cost` tokens from `bucket`, already refilled to now, if it holds them all
    /// (a cost of 0 takes nothing and tells whether one more token is there).
    fn take(bucket: &mut Bucket, capacity: f64, cost: u32) -> RateLimitDecision {
        let per_second = capacity / 60.0;
        let cost = f64::from(cost);
        let allowed = bucket.tokens >= cost.max(1.0);
        if allowed {
            bucket.tokens -= cost;
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
                seconds(cost.max(1.0) - bucket.tokens).max(1)
            },
        }
    }

    fn decide(&self, key: &RateLimitKey, cost: u32) -> RateLimitDecision {
        let capacity = f64::from(match key {
            RateLimitKey::Tenant(t) => self.limit_for(t),
            RateLimitKey::FailedAuth(_) => self.failed_auth_per_client,
            RateLimitKey::FailedAuthAll => self.failed_auth_total,
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
            return Self::take(bucket, capacity, cost);
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
        if shard.buckets.len() >= SHARD_HARD_CAPACITY && matches!(key, RateLimitKey::FailedAuth(_))
        {
            // A flood from many addresses shares one bucket instead of growing memory.
            drop(shard);
            let mut overflow = self.overflow.lock().unwrap_or_else(|p| p.into_inner());
            let bucket = overflow.get_or_insert(fresh);
            *bucket = bucket.refilled(now, capacity);
            return Self::take(bucket, capacity, cost);
        }
        if cost == 0 {
            // Only the state is asked for (the engine asks it for every request's client
            // before its key is looked at): a key without a bucket has a full one, and
            // making it one would only grow the map.
            let mut fresh = fresh;
            return Self::take(&mut fresh, capacity, 0);
        }
        let bucket = shard.buckets.entry(key.clone()).or_insert(fresh);
        Self::take(bucket, capacity, cost)
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
    async fn check(&self, key: &RateLimitKey, cost: u32) -> RateLimitDecision {
        self.decide(key, cost)
    }

    fn tenant_limit(&self, tenant: &str) -> Option<u32> {
        Some(self.limit_for(tenant))
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

    fn client(i: u32) -> RateLimitKey {
        RateLimitKey::FailedAuth(IpAddr::from(i.to_be_bytes()))
    }

    impl TenantRateLimiter {
        fn decide1(&self, key: &RateLimitKey) -> RateLimitDecision {
            self.decide(key, 1)
        }
    }

    #[test]
    fn asking_for_the_state_of_a_key_makes_no_bucket() {
        let (l, _) = limiter(200);
        for i in 0..100u8 {
            let d = l.decide(&RateLimitKey::failed_auth([10, 0, 0, i].into()), 0);
            assert!(d.allowed);
            assert_eq!(d.remaining, u64::from(DEFAULT_FAILED_AUTH_PER_CLIENT));
        }
        assert_eq!(l.bucket_count(), 0);
        // A failure makes one, and the state then reports it.
        let client = RateLimitKey::failed_auth([10, 0, 0, 1].into());
        assert!(l.decide(&client, 1).allowed);
        assert_eq!(l.bucket_count(), 1);
        let d = l.decide(&client, 0);
        assert_eq!(d.remaining, u64::from(DEFAULT_FAILED_AUTH_PER_CLIENT) - 1);
    }

    #[test]
    fn a_burst_up_to_the_budget_is_allowed_then_refused() {
        let (l, _) = limiter(200);
        for i in 0..200 {
            let d = l.decide1(&tenant("acme"));
            assert!(d.allowed, "request {i}");
            assert_eq!(d.remaining, 199 - i);
        }
        let d = l.decide1(&tenant("acme"));
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
            assert!(l.decide1(&tenant("acme")).allowed);
        }
        let d = l.decide1(&tenant("acme"));
        assert!(!d.allowed);
        assert_eq!(d.retry_after_secs, 1);
        clock.advance(Duration::from_secs(1));
        assert!(l.decide1(&tenant("acme")).allowed);
        assert!(!l.decide1(&tenant("acme")).allowed);
        clock.advance(Duration::from_secs(600));
        assert_eq!(l.decide1(&tenant("acme")).remaining, 59);
    }

    #[test]
    fn one_tenants_burst_leaves_another_served() {
        let (l, _) = limiter(10);
        for _ in 0..50 {
            l.decide1(&tenant("noisy"));
        }
        assert!(!l.decide1(&tenant("noisy")).allowed);
        assert_eq!(l.decide1(&tenant("quiet")).remaining, 9);
    }

    #[test]
    fn failed_authentications_have_their_own_buckets() {
        let (l, _) = limiter(10);
        let l = l.with_failed_auth_limits(5, 100);
        for _ in 0..50 {
            l.decide1(&client(1));
        }
        assert!(!l.decide1(&client(1)).allowed);
        assert!(l.decide1(&client(2)).allowed);
        assert_eq!(l.decide1(&tenant("acme")).remaining, 9);
    }

    #[test]
    fn a_cost_takes_that_many_tokens_or_none() {
        let (l, _) = limiter(10);
        assert_eq!(l.decide(&tenant("acme"), 4).remaining, 6);
        let refused = l.decide(&tenant("acme"), 7);
        assert!(!refused.allowed);
        assert_eq!(refused.remaining, 6, "a refused cost takes nothing");
        let peek = l.decide(&tenant("acme"), 0);
        assert!(peek.allowed);
        assert_eq!(peek.remaining, 6, "a cost of 0 only looks");
    }

    #[test]
    fn a_tenant_override_raises_the_budget() {
        let (l, _) = limiter(200);
        l.set_tenant_limit("acme", 1500);
        for _ in 0..1500 {
            assert!(l.decide1(&tenant("acme")).allowed);
        }
        assert!(!l.decide1(&tenant("acme")).allowed);
        assert_eq!(l.decide1(&tenant("other")).limit, 200);
    }

    #[test]
    fn failed_authentications_are_counted_per_network_a_client_controls() {
        let key = |ip: &str| RateLimitKey::failed_auth(ip.parse().unwrap());
        // An IPv6 client by its /64: the key is the network address itself.
        assert_eq!(
            key("2001:db8:1:2:aaaa:bbbb:cccc:dddd"),
            RateLimitKey::FailedAuth("2001:db8:1:2::".parse().unwrap())
        );
        // An IPv4 client by its address, also when it comes IPv4-mapped.
        assert_eq!(
            key("::ffff:192.0.2.7"),
            RateLimitKey::FailedAuth("192.0.2.7".parse().unwrap())
        );
        assert_eq!(
            key("192.0.2.7"),
            RateLimitKey::FailedAuth("192.0.2.7".parse().unwrap())
        );
    }

    #[test]
    fn tenants_are_spread_over_independently_locked_shards() {
        // One tenant's burst holds one shard's lock for a few operations; the others
        // go on in theirs.
        let (l, _) = limiter(100);
        for i in 0..1000 {
            l.decide1(&tenant(&format!("t{i}")));
        }
        let used = l
            .shards
            .iter()
            .filter(|s| !s.lock().unwrap().buckets.is_empty())
            .count();
        assert_eq!(used, SHARDS);
    }

    #[test]
    fn a_limiter_that_does_not_limit_shows_no_budget() {
        assert_eq!(NoRateLimit.tenant_limit("acme"), None);
    }

    #[test]
    fn debug_output_shows_the_budgets() {
        let l = TenantRateLimiter::new(150).with_failed_auth_limits(7, 70);
        let text = format!("{l:?}");
        for part in [
            "default_per_minute: 150",
            "failed_auth_per_client: 7",
            "failed_auth_total: 70",
        ] {
            assert!(text.contains(part), "{text}");
        }
    }

    #[test]
    fn a_tenant_with_no_budget_is_told_to_retry_in_a_minute() {
        let (l, _) = limiter(200);
        l.set_tenant_limit("suspended", 0);
        let d = l.decide1(&tenant("suspended"));
        assert!(!d.allowed);
        assert_eq!((d.limit, d.retry_after_secs, d.reset_secs), (0, 60, 60));
    }

    #[test]
    fn a_small_shard_is_never_scanned() {
        // Sweeping starts at the soft capacity: below it a new key costs one insert, even
        // when every bucket in the shard is full again and could go.
        let (l, clock) = limiter(100);
        let keys: Vec<RateLimitKey> = (0..)
            .map(|i| tenant(&format!("t{i}")))
            .filter(|key| TenantRateLimiter::shard_index(key) == 0)
            .take(11)
            .collect();
        for key in &keys[..10] {
            l.decide1(key);
        }
        clock.advance(Duration::from_secs(60));
        l.decide1(&keys[10]);
        assert_eq!(l.shards[0].lock().unwrap().buckets.len(), 11);
    }

    #[test]
    fn reset_tells_when_the_budget_is_full_again() {
        // 60 a minute: one token a second.
        let (l, clock) = limiter(60);
        for _ in 0..10 {
            l.decide1(&tenant("acme"));
        }
        let d = l.decide(&tenant("acme"), 0);
        assert_eq!((d.remaining, d.reset_secs), (50, 10));
        clock.advance(Duration::from_millis(4_500));
        // 54.5 tokens: 5.5 s to go, rounded up so that a client waiting that long is full.
        let d = l.decide(&tenant("acme"), 0);
        assert_eq!((d.remaining, d.reset_secs), (54, 6));
        clock.advance(Duration::from_secs(6));
        assert_eq!(l.decide(&tenant("acme"), 0).reset_secs, 0);
    }

    #[test]
    fn retry_after_counts_the_part_of_a_token_already_back() {
        // 6 a minute: a token every 10 s.
        let (l, clock) = limiter(6);
        for _ in 0..6 {
            assert!(l.decide1(&tenant("acme")).allowed);
        }
        clock.advance(Duration::from_secs(5));
        // Half a token is back: the next one is 5 s away, the whole budget 55 s.
        let d = l.decide1(&tenant("acme"));
        assert!(!d.allowed);
        assert_eq!((d.retry_after_secs, d.reset_secs), (5, 55));
        // A Bulk of 3 needs 2.5 more tokens: 25 s.
        let d = l.decide(&tenant("acme"), 3);
        assert!(!d.allowed);
        assert_eq!(d.retry_after_secs, 25);
        clock.advance(Duration::from_secs(5));
        assert!(
            l.decide1(&tenant("acme")).allowed,
            "served after Retry-After"
        );
    }

    #[test]
    fn builder_budgets_apply_to_their_keys() {
        let l = TenantRateLimiter::new(200)
            .with_tenant_limit("acme", 3)
            .with_failed_auth_limits(2, 4);
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let count_allowed = |key: RateLimitKey| {
            (0..10)
                .filter(|_| rt.block_on(l.check(&key, 1)).allowed)
                .count()
        };
        assert_eq!(count_allowed(tenant("acme")), 3);
        assert_eq!(count_allowed(tenant("globex")), 10);
        assert_eq!(count_allowed(client(1)), 2);
        assert_eq!(count_allowed(RateLimitKey::FailedAuthAll), 4);
        assert_eq!(l.tenant_limit("acme"), Some(3));
        assert_eq!(l.tenant_limit("globex"), Some(200));
    }

    #[test]
    fn a_bucket_still_refilling_is_never_forgotten() {
        // No time passes: every bucket is short of a token, so none may be swept (a
        // forgotten bucket would hand its tenant a fresh budget).
        let (l, _) = limiter(100);
        let tenants = SHARDS * SHARD_SOFT_CAPACITY * 2;
        for i in 0..tenants {
            l.decide1(&tenant(&format!("t{i}")));
        }
        assert_eq!(l.bucket_count(), tenants);
        assert_eq!(l.decide(&tenant("t0"), 0).remaining, 99);
    }

    #[test]
    fn full_buckets_are_swept_when_new_ones_come() {
        let (l, clock) = limiter(100);
        let tenants = SHARDS * SHARD_SOFT_CAPACITY * 2;
        for i in 0..tenants {
            l.decide1(&tenant(&format!("old{i}")));
        }
        // A minute later every bucket is full again, i.e. like a new one.
        clock.advance(Duration::from_secs(60));
        for i in 0..tenants {
            l.decide1(&tenant(&format!("new{i}")));
        }
        let count = l.bucket_count();
        assert!(
            count < tenants + SHARDS * SHARD_SOFT_CAPACITY,
            "old buckets kept: {count}"
        );
        assert!(count >= tenants, "new buckets swept: {count}");
    }

    #[test]
    fn sweeping_is_amortised_over_new_buckets() {
        // A sweep that finds every bucket busy keeps them all, and the next one waits for
        // a quarter of the soft capacity of new buckets: a flood of new keys never turns
        // sweeping into a scan per request.
        let (l, _) = limiter(100);
        let keys: Vec<RateLimitKey> = (0..)
            .map(|i| tenant(&format!("t{i}")))
            .filter(|key| TenantRateLimiter::shard_index(key) == 0)
            .take(SHARD_SOFT_CAPACITY + 1)
            .collect();
        for key in &keys {
            l.decide1(key);
        }
        let shard = l.shards[0].lock().unwrap();
        assert_eq!(shard.buckets.len(), SHARD_SOFT_CAPACITY + 1);
        assert_eq!(
            shard.sweep_at,
            SHARD_SOFT_CAPACITY + SHARD_SOFT_CAPACITY / 4
        );
    }

    #[test]
    fn a_flood_of_addresses_shares_one_bucket_past_the_bound() {
        let (l, _) = limiter(100);
        let l = l.with_failed_auth_limits(5, 1_000_000);
        let addresses = SHARDS * SHARD_HARD_CAPACITY * 2;
        let allowed = (0..addresses)
            .filter(|i| l.decide1(&client(u32::try_from(*i).unwrap())).allowed)
            .count();
        assert!(l.bucket_count() <= SHARDS * SHARD_HARD_CAPACITY);
        // Each address within the bound had its own 5; those past it shared 5.
        assert!(
            allowed <= SHARDS * SHARD_HARD_CAPACITY + 5,
            "{allowed} of {addresses} allowed"
        );
        // Tenants are never put in the shared bucket: each keeps its own budget.
        assert_eq!(l.decide1(&tenant("acme")).remaining, 99);
        assert_eq!(l.decide1(&tenant("globex")).remaining, 99);
    }

    #[test]
    fn memory_stays_bounded_with_many_tenants() {
        let (l, clock) = limiter(100);
        for i in 0..100_000 {
            l.decide1(&tenant(&format!("t{i}")));
            if i % 1000 == 0 {
                clock.advance(Duration::from_secs(2));
            }
        }
        assert!(
            l.bucket_count() <= SHARDS * SHARD_SOFT_CAPACITY + SHARDS,
            "{}",
            l.bucket_count()
        );
        // Failed authentications from many addresses without pause are capped too.
        let (l, _) = limiter(100);
        for i in 0..100_000 {
            l.decide1(&client(i));
        }
        assert!(l.bucket_count() <= SHARDS * SHARD_HARD_CAPACITY);
    }
}
