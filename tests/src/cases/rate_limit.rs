//! Per-tenant rate limiting: `429` with `Retry-After`, after authentication.

use http::Method;

use crate::client::Client;
use crate::harness::{GLOBEX_TOKEN, Harness, fixture_server_with};

fn limited<H: Harness>(per_minute: u32) -> Client<H> {
    Client::new(H::mount(fixture_server_with(|b| {
        b.rate_limit_per_minute(per_minute)
    })))
}

/// Past the budget a tenant gets `429` with `Retry-After` (RFC 6585 §4); Okta honours it.
pub async fn over_budget<H: Harness>() {
    let acme = limited::<H>(3);
    for _ in 0..3 {
        acme.get("/Users").await.expect_status(200);
    }
    let exchange = acme.get("/Users").await.expect_error(429, None);
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
    globex.get("/Users").await.expect_status(200);
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
