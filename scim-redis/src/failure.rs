//! What the limiter does when Redis does not answer in time: the host's
//! [`FailurePolicy`], and the health state that keeps a dead Redis from costing every
//! request a timeout and the log a line per request.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// How often, at most, the limiter logs that Redis is unavailable.
pub(crate) const WARNING_INTERVAL: Duration = Duration::from_secs(10);

/// What a check answers while Redis is unreachable, slow (past the
/// [timeout](crate::RedisRateLimiterBuilder::timeout)) or failing.
///
/// The default is [`Local`](Self::Local): each instance falls back to its own in-process
/// [`TenantRateLimiter`](scim_core::TenantRateLimiter) with the same budgets. Requests
/// stay limited (at worst N instances let a tenant through at N times its budget, as
/// they would without Redis), failed authentications stay limited per client (brute
/// force keeps its brake), and an outage of Redis, a cache, never becomes an outage of
/// the SCIM API. [`FailOpen`](Self::FailOpen) drops both brakes;
/// [`FailClosed`](Self::FailClosed) turns every Redis outage into a full SCIM outage.
///
/// ```
/// use scim_redis::FailurePolicy;
/// assert_eq!(FailurePolicy::default(), FailurePolicy::Local);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum FailurePolicy {
    /// Allow every request, with no rate-limit headers: availability first, no limit at
    /// all (tenants and failed authentications) until Redis is back.
    FailOpen,
    /// Refuse every request with `429` and `Retry-After: 1`: no request goes unlimited,
    /// at the price of the whole API while Redis is away.
    FailClosed,
    /// Decide with an in-process token bucket per instance, with the same budgets.
    #[default]
    Local,
}

/// Whether Redis is believed up, when to try it again, and when the last warning was.
#[derive(Debug)]
pub(crate) struct Health {
    /// The fast path: `false` while Redis answers, read without a lock.
    down: AtomicBool,
    state: Mutex<State>,
    probe_interval: Duration,
}

#[derive(Debug, Default)]
struct State {
    /// When Redis stopped answering.
    down_since: Option<Instant>,
    /// When one request may try Redis again.
    next_probe: Option<Instant>,
    last_warning: Option<Instant>,
    /// Failures (and requests decided by the policy) since the last warning.
    unlogged: u64,
}

impl Health {
    pub(crate) fn new(probe_interval: Duration) -> Self {
        Self {
            down: AtomicBool::new(false),
            state: Mutex::new(State::default()),
            probe_interval,
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether this request should ask Redis: always while it is up; while it is down,
    /// one request per probe interval (the others go to the policy at once).
    pub(crate) fn should_try(&self) -> bool {
        if !self.down.load(Ordering::Acquire) {
            return true;
        }
        let now = Instant::now();
        let mut state = self.state();
        match state.next_probe {
            Some(at) if now < at => {
                state.unlogged += 1;
                false
            }
            _ => {
                state.next_probe = Some(now + self.probe_interval);
                true
            }
        }
    }

    /// Redis answered: if it had been down, say that it is back.
    pub(crate) fn succeeded(&self) {
        if !self.down.load(Ordering::Acquire) {
            return;
        }
        let mut state = self.state();
        if self.down.swap(false, Ordering::AcqRel) {
            let outage = state.down_since.map(|since| since.elapsed());
            tracing::info!(
                outage = ?outage,
                decided_by_policy = state.unlogged,
                "Redis rate limiter: Redis answers again; budgets are shared again"
            );
            *state = State::default();
        }
    }

    /// Redis did not answer (`why`): mark it down and warn, at most once per
    /// [`WARNING_INTERVAL`].
    pub(crate) fn failed(&self, why: &dyn std::fmt::Display, policy: FailurePolicy) {
        let now = Instant::now();
        let mut state = self.state();
        self.down.store(true, Ordering::Release);
        state.down_since.get_or_insert(now);
        state.next_probe = Some(now + self.probe_interval);
        state.unlogged += 1;
        let due = state
            .last_warning
            .is_none_or(|last| now.duration_since(last) >= WARNING_INTERVAL);
        if due {
            tracing::warn!(
                error = %why,
                policy = ?policy,
                decided_by_policy = state.unlogged,
                "Redis rate limiter: Redis unavailable; deciding by the failure policy \
                 until it answers again"
            );
            state.last_warning = Some(now);
            state.unlogged = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn while_down_one_request_per_interval_probes() {
        let health = Health::new(Duration::from_secs(3600));
        assert!(health.should_try());
        health.failed(&"refused", FailurePolicy::Local);
        assert!(!health.should_try(), "within the probe interval");
        assert!(!health.should_try());
        health.succeeded();
        assert!(health.should_try(), "back up: every request tries");
    }

    #[test]
    fn a_zero_interval_probes_every_time() {
        let health = Health::new(Duration::ZERO);
        health.failed(&"refused", FailurePolicy::Local);
        assert!(health.should_try());
        assert!(health.should_try());
    }

    #[test]
    fn warnings_are_rate_limited() {
        let health = Health::new(Duration::ZERO);
        health.failed(&"one", FailurePolicy::FailOpen);
        let first = health.state().last_warning;
        health.failed(&"two", FailurePolicy::FailOpen);
        health.failed(&"three", FailurePolicy::FailOpen);
        let state = health.state();
        assert_eq!(
            state.last_warning, first,
            "no second warning within the interval"
        );
        assert_eq!(state.unlogged, 2);
    }
}
