//! Per-tenant rate limiting: `429` with `Retry-After`, after authentication.

use http::Method;
use scim_core::TenantRateLimiter;

use crate::client::Client;
use crate::harness::{ACME_TOKEN, CLIENT_ADDR_HEADER, GLOBEX_TOKEN, Harness, fixture_server_for};

fn limited<H: Harness>(per_minute: u32) -> Client<H> {
    Client::new(H::mount(fixture_server_for::<H>(|b| {
        b.rate_limiter(TenantRateLimiter::new(per_minute))
    })))
}

/// Past the budget a tenant gets `429` with `Retry-After` (RFC 6585 §4); Okta honours it.
/// Every answer carries the `RateLimit-*` figures (draft-ietf-httpapi-ratelimit-headers).
pub async fn over_budget<H: Harness>() {
    let acme = limited::<H>(3);
    for remaining in ["2", "1", "0"] {
        let exchange = acme.get("/Users").await.expect_status(200);
        assert_eq!(exchange.header("ratelimit-limit"), Some("3"));
        assert_eq!(exchange.header("ratelimit-remaining"), Some(remaining));
        assert!(exchange.header("ratelimit-reset").is_some());
    }
    let exchange = acme.get("/Users").await.expect_error(429, None);
    assert_eq!(exchange.header("ratelimit-remaining"), Some("0"));
    let retry_after: u64 = exchange
        .header("retry-after")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    assert!((1..=60).contains(&retry_after), "Retry-After {retry_after}");
}

/// One tenant's budget does not spend another's.
pub async fn budgets_are_per_tenant<H: Harness>() {
    let acme = limited::<H>(2);
    let globex = acme.as_tenant("globex", Some(GLOBEX_TOKEN));
    for _ in 0..2 {
        acme.get("/Users").await.expect_status(200);
    }
    acme.get("/Users").await.expect_error(429, None);
    let exchange = globex.get("/Users").await.expect_status(200);
    assert_eq!(exchange.header("ratelimit-remaining"), Some("1"));
}

/// Requests with a bad key never spend the tenant's budget: they are refused (`401`,
/// or `429` once their own bucket is empty) and the tenant's key still gets its full budget.
pub async fn bad_keys_do_not_spend_the_budget<H: Harness>() {
    let acme = limited::<H>(2);
    for _ in 0..5 {
        let exchange = acme
            .request(Method::GET, "/Users")
            .token("wrong")
            .send()
            .await;
        assert!(
            matches!(exchange.status, 401 | 429),
            "{}: {}",
            exchange.request,
            exchange.status
        );
    }
    for _ in 0..2 {
        acme.get("/Users").await.expect_status(200);
    }
}

/// Failed authentications are counted per client address, which the host app sets
/// (here from a header, as behind a proxy): a client past its budget of failures gets
/// `429` even with a valid key, another client still gets its `401`, and the tenant's
/// own budget is untouched.
pub async fn failed_auth_is_limited_per_client<H: Harness>() {
    let acme = Client::new(H::mount(fixture_server_for::<H>(|b| {
        b.rate_limiter(TenantRateLimiter::new(100).with_failed_auth_limits(2, 1000))
    })));
    let from = |ip: &str, token: &str| {
        acme.request(Method::GET, "/Users")
            .token(token)
            .header(CLIENT_ADDR_HEADER, ip)
            .send()
    };
    for _ in 0..2 {
        from("203.0.113.1", "guess").await.expect_error(401, None);
    }
    from("203.0.113.1", "guess").await.expect_error(429, None);
    from("203.0.113.1", ACME_TOKEN)
        .await
        .expect_error(429, None);
    from("198.51.100.2", "guess").await.expect_error(401, None);
    let exchange = from("192.0.2.3", ACME_TOKEN).await.expect_status(200);
    assert_eq!(exchange.header("ratelimit-remaining"), Some("99"));
}
