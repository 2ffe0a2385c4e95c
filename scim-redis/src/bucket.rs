//! The token bucket kept in Redis: the Lua script that decides, the key layout, and the
//! figures computed from the script's answer exactly as the in-process limiter computes
//! them.

use scim_core::rate_limit::{RateLimitDecision, RateLimitKey};

/// The script: refill, take, store, expire, all in one atomic step on the server.
pub(crate) const SCRIPT: &str = include_str!("bucket.lua");

/// The Redis key of `key`'s bucket under `prefix`, or `None` for a kind of key this crate
/// does not know (a newer `scim_core`), which the caller decides locally.
///
/// Tenants, client addresses and the global failed-authentication bucket live under
/// distinct tags, so no tenant id can name another kind's bucket.
pub(crate) fn redis_key(prefix: &str, key: &RateLimitKey) -> Option<String> {
    Some(match key {
        RateLimitKey::Tenant(tenant) => format!("{prefix}tenant:{tenant}"),
        RateLimitKey::FailedAuth(ip) => format!("{prefix}auth:{ip}"),
        RateLimitKey::FailedAuthAll => format!("{prefix}auth-all"),
        _ => return None,
    })
}

/// The decision for a bucket of `capacity` per minute that was asked for `cost` and
/// answered `allowed` with `tokens` left: the same figures as
/// [`TenantRateLimiter`](scim_core::TenantRateLimiter) gives for the same bucket.
pub(crate) fn decision(capacity: u32, cost: u32, allowed: bool, tokens: f64) -> RateLimitDecision {
    let capacity = f64::from(capacity);
    let per_second = capacity / 60.0;
    let seconds = |tokens: f64| {
        if per_second > 0.0 {
            // Rounded up: a client that waits this long is served.
            (tokens.max(0.0) / per_second).ceil() as u64
        } else {
            60
        }
    };
    let reset = seconds(capacity - tokens);
    if allowed {
        RateLimitDecision::allow(capacity as u64, tokens.floor().max(0.0) as u64, reset)
    } else {
        let retry = seconds(f64::from(cost.max(1)) - tokens).max(1);
        let mut refused = RateLimitDecision::refuse(capacity as u64, reset, retry);
        // A refused cost takes nothing: what is left is still there for smaller ones.
        refused.remaining = tokens.floor().max(0.0) as u64;
        refused
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_tagged_by_kind() {
        let tenant = RateLimitKey::Tenant("acme".into());
        assert_eq!(redis_key("p:", &tenant).as_deref(), Some("p:tenant:acme"));
        let v4 = RateLimitKey::FailedAuth("192.0.2.7".parse().unwrap());
        assert_eq!(redis_key("p:", &v4).as_deref(), Some("p:auth:192.0.2.7"));
        let all = RateLimitKey::FailedAuthAll;
        assert_eq!(redis_key("p:", &all).as_deref(), Some("p:auth-all"));
    }

    #[test]
    fn ipv6_addresses_are_written_canonically() {
        let a = RateLimitKey::FailedAuth("2001:DB8:0::1".parse().unwrap());
        assert_eq!(redis_key("", &a).as_deref(), Some("auth:2001:db8::1"));
    }

    #[test]
    fn figures_follow_the_tokens_left() {
        // 60 per minute = one token a second.
        let d = decision(60, 1, true, 59.0);
        assert_eq!(
            (d.allowed, d.limit, d.remaining, d.reset_secs),
            (true, 60, 59, 1)
        );
        let d = decision(60, 1, false, 0.25);
        assert_eq!((d.allowed, d.remaining, d.retry_after_secs), (false, 0, 1));
        assert_eq!(d.reset_secs, 60);
        let d = decision(60, 7, false, 5.5);
        assert_eq!((d.remaining, d.retry_after_secs), (5, 2));
        let d = decision(0, 1, false, 0.0);
        assert_eq!((d.limit, d.retry_after_secs, d.reset_secs), (0, 60, 60));
    }
}
