//! Authentication: bearer keys, scopes, and a principal handed over by the host app's own
//! middleware through the request extensions.

use http::Method;
use scim_core::{InMemoryStore, Principal, ScimServer};

use serde_json::json;

use super::{PATCH_OP, USER, create_user, id};
use crate::client::Client;
use crate::harness::{
    ACME_READ_ONLY_TOKEN, ACME_TOKEN, HOST_NOT_FOUND, HOST_PRINCIPAL_HEADER, HOST_ROUTES, Harness,
    fixture_server_for,
};

/// No `Authorization` header is `401` with `WWW-Authenticate: Bearer` (RFC 6750 §3).
pub async fn missing_token<H: Harness>() {
    let acme = Client::<H>::fixture();
    let exchange = acme
        .request(Method::GET, "/Users")
        .no_token()
        .send()
        .await
        .expect_error(401, None);
    assert_eq!(exchange.header("www-authenticate"), Some("Bearer"));
}

/// An unknown key is `401` with the bearer challenge, on every endpoint.
pub async fn wrong_token<H: Harness>() {
    let acme = Client::<H>::fixture();
    for path in ["/Users", "/Groups", "/ServiceProviderConfig", "/Users/x"] {
        let exchange = acme
            .request(Method::GET, path)
            .token("not-a-key")
            .send()
            .await
            .expect_error(401, None);
        assert_eq!(
            exchange.header("www-authenticate"),
            Some("Bearer"),
            "{path}"
        );
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

/// Another scheme than Bearer, or a Bearer without a token, is `401` with the challenge
/// `WWW-Authenticate: Bearer`; the scheme name is case-insensitive (RFC 7235 §2.1).
pub async fn authorization_scheme<H: Harness>() {
    let acme = Client::<H>::fixture();
    for value in [
        "Basic YWNtZTpzZWNyZXQ=",
        "Bearer ",
        "Bearer",
        "Token acme-secret",
    ] {
        let exchange = acme
            .request(Method::GET, "/Users")
            .no_token()
            .header("authorization", value)
            .send()
            .await
            .expect_error(401, None);
        assert_eq!(
            exchange.header("www-authenticate"),
            Some("Bearer"),
            "{value:?}"
        );
    }
    acme.request(Method::GET, "/Users")
        .no_token()
        .header("authorization", &format!("bearer {ACME_TOKEN}"))
        .send()
        .await
        .expect_status(200);
}

/// A principal set by the host's middleware authenticates without any header: the
/// adapter passed the request extensions through. Scopes compare case-insensitively.
pub async fn host_principal<H: Harness>() {
    let acme = Client::<H>::fixture();
    for principal in ["acme:SCIM2", "acme:read,scim2"] {
        acme.request(Method::GET, "/Users")
            .no_token()
            .header(HOST_PRINCIPAL_HEADER, principal)
            .send()
            .await
            .expect_status(200);
    }
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

/// The host app's own routes keep working beside the mounted engine, also those above
/// the mount point and beside it with the same leading characters; a path nobody serves
/// gets the host app's own `404`, not a SCIM error; the host's middleware still runs.
pub async fn host_routes_are_untouched<H: Harness>() {
    let acme = Client::<H>::fixture();
    for (route, body) in HOST_ROUTES {
        let exchange = acme
            .request(Method::GET, route)
            .uri(route)
            .no_token()
            .send()
            .await
            .expect_status(200);
        assert_eq!(&exchange.body[..], body.as_bytes(), "{route}");
    }
    for path in [
        "/nowhere",
        "/scim/v3/acme/Users",
        "/scim/v2-legacy/acme/Users",
    ] {
        let exchange = acme
            .request(Method::GET, path)
            .uri(path)
            .send()
            .await
            .expect_status(404);
        assert_eq!(&exchange.body[..], HOST_NOT_FOUND.as_bytes(), "{path}");
    }
}

/// A custom authenticator (here a closure) replaces the key store: its tokens work, and
/// anything it does not recognise is `401`.
pub async fn custom_authenticator<H: Harness>() {
    let server = ScimServer::builder()
        .store(InMemoryStore::new())
        .authenticator(|token: String| async move {
            Ok((token == "let-me-in").then(|| Principal::new("acme", ["SCIM2"])))
        })
        .build()
        .expect("a server with a custom authenticator");
    assert!(server.api_keys().is_none());
    let acme = Client::new(H::mount(server)).as_tenant("acme", Some("let-me-in"));
    acme.get("/Users").await.expect_status(200);
    acme.request(Method::GET, "/Users")
        .token(ACME_TOKEN)
        .send()
        .await
        .expect_error(401, None);
}

/// `/Me` is the authenticated principal's own resource, as the host app's resolver says
/// (RFC 7644 §3.11); here the resolver reads the user id from the key's label.
pub async fn me<H: Harness>() {
    let server = fixture_server_for::<H>(|b| {
        b.me_resolver(|p: Principal| async move { Some(("User".to_owned(), p.label)) })
    });
    let keys = server.api_keys().cloned().expect("the fixture's key store");
    let acme = Client::new(H::mount(server));
    let user_id = id(&create_user(&acme, "me").await);
    let own_key = keys
        .create("acme", ["SCIM2"], &user_id)
        .await
        .expect("a key labelled with the user id")
        .secret;
    let me = acme.as_tenant("acme", Some(&own_key));
    let body = me.get("/Me").await.expect_status(200).json();
    assert_eq!(body["userName"], "me", "{body}");
    assert_eq!(body["id"], user_id.as_str(), "{body}");
    // A principal whose label names no resource has no /Me.
    acme.get("/Me").await.expect_error(404, None);

    // PUT, PATCH and DELETE act on the principal's own resource.
    let replaced = me
        .put(
            "/Me",
            json!({"schemas": [USER], "userName": "me", "title": "Self"}),
        )
        .await
        .expect_status(200)
        .json();
    assert_eq!(replaced["title"], "Self", "{replaced}");
    let patched = me
        .patch(
            "/Me",
            json!({"schemas": [PATCH_OP], "Operations": [{"op": "replace", "path": "title", "value": "Patched"}]}),
        )
        .await
        .expect_status(200)
        .json();
    assert_eq!(patched["title"], "Patched", "{patched}");
    me.delete("/Me").await.expect_status(204);
    acme.get(&format!("/Users/{user_id}"))
        .await
        .expect_error(404, None);
}
