//! Authentication: bearer keys, scopes, and a principal handed over by the host app's own
//! middleware through the request extensions.

use http::Method;

use crate::client::Client;
use crate::harness::{ACME_READ_ONLY_TOKEN, HOST_PRINCIPAL_HEADER, Harness};

/// No `Authorization` header is `401` with `WWW-Authenticate: Bearer` (RFC 6750 §3).
pub async fn missing_token<H: Harness>() {
    let acme = Client::<H>::fixture();
    let exchange = acme
        .request(Method::GET, "/Users")
        .no_token()
        .send()
        .await
        .expect_error(401, None);
    let challenge = exchange.header("www-authenticate").unwrap_or_default();
    assert!(
        challenge.to_ascii_lowercase().starts_with("bearer"),
        "{challenge:?}"
    );
}

/// An unknown key is `401`, on every endpoint.
pub async fn wrong_token<H: Harness>() {
    let acme = Client::<H>::fixture();
    for path in ["/Users", "/Groups", "/ServiceProviderConfig", "/Users/x"] {
        acme.request(Method::GET, path)
            .token("not-a-key")
            .send()
            .await
            .expect_error(401, None);
    }
}

/// A key without the `SCIM2` scope is `403`.
pub async fn token_without_scope<H: Harness>() {
    let acme = Client::<H>::fixture();
    acme.request(Method::GET, "/Users")
        .token(ACME_READ_ONLY_TOKEN)
        .send()
        .await
        .expect_error(403, None);
}

/// Another scheme than Bearer is `401`; the scheme name is case-insensitive (RFC 7235 §2.1).
pub async fn authorization_scheme<H: Harness>() {
    let acme = Client::<H>::fixture();
    acme.request(Method::GET, "/Users")
        .no_token()
        .header("authorization", "Basic YWNtZTpzZWNyZXQ=")
        .send()
        .await
        .expect_error(401, None);
    acme.request(Method::GET, "/Users")
        .no_token()
        .header(
            "authorization",
            &format!("bearer {}", crate::harness::ACME_TOKEN),
        )
        .send()
        .await
        .expect_status(200);
}

/// A principal set by the host's middleware authenticates without any header: the
/// adapter passed the request extensions through.
pub async fn host_principal<H: Harness>() {
    let acme = Client::<H>::fixture();
    acme.request(Method::GET, "/Users")
        .no_token()
        .header(HOST_PRINCIPAL_HEADER, "acme:SCIM2")
        .send()
        .await
        .expect_status(200);
}

/// A host principal still needs the tenant of the URL and the `SCIM2` scope.
pub async fn host_principal_is_checked<H: Harness>() {
    let acme = Client::<H>::fixture();
    acme.request(Method::GET, "/Users")
        .no_token()
        .header(HOST_PRINCIPAL_HEADER, "globex:SCIM2")
        .send()
        .await
        .expect_error(403, None);
    acme.request(Method::GET, "/Users")
        .no_token()
        .header(HOST_PRINCIPAL_HEADER, "acme:read")
        .send()
        .await
        .expect_error(403, None);
}

/// The host app's own routes keep working beside the mounted engine.
pub async fn host_routes_are_untouched<H: Harness>() {
    let acme = Client::<H>::fixture();
    let exchange = acme
        .request(Method::GET, "/")
        .uri("/")
        .no_token()
        .send()
        .await
        .expect_status(200);
    assert_eq!(&exchange.body[..], b"host app");
}
