//! Errors of the protocol itself: unknown endpoints, methods, media, sizes (RFC 7644 §3.12).

use http::Method;
use serde_json::json;

use super::{create_user, id, user};
use crate::client::Client;
use crate::harness::{Harness, MOUNT, fixture_server_for};

/// An unknown endpoint under a tenant is a SCIM `404`.
pub async fn unknown_endpoint<H: Harness>() {
    let acme = Client::<H>::fixture();
    acme.get("/Printers").await.expect_error(404, None);
    acme.get("/Users/1/extra").await.expect_error(404, None);
}

/// The mount point itself, with no tenant, is a SCIM `404`. (Not `/scim/v2/`: axum does
/// not route an empty tail into a nested router, so the host app answers that one.)
pub async fn no_tenant<H: Harness>() {
    let acme = Client::<H>::fixture();
    acme.request(Method::GET, "/")
        .uri(MOUNT)
        .send()
        .await
        .expect_error(404, None);
}

/// A method an endpoint does not support is `405` with `Allow` listing the methods it
/// does support (RFC 9110 §15.5.6).
pub async fn method_not_allowed<H: Harness>() {
    let acme = Client::<H>::fixture();
    let exchange = acme
        .request(Method::DELETE, "/Users")
        .send()
        .await
        .expect_error(405, None);
    assert_eq!(exchange.header("allow"), Some("GET, POST"));
    let exchange = acme.get("/Bulk").await.expect_error(405, None);
    assert_eq!(exchange.header("allow"), Some("POST"));
    acme.request(Method::PUT, "/ServiceProviderConfig")
        .json(&json!({}))
        .send()
        .await
        .expect_error(405, None);
}

/// A body over the configured limit is `413` (RFC 9110 §15.5.14), not read whole.
pub async fn body_too_large<H: Harness>() {
    let server = fixture_server_for::<H>(|b| {
        let mut config = scim_core::ServerConfig::default();
        config.max_body_bytes = 1024;
        config.bulk_max_payload_bytes = 1024;
        b.config(config)
    });
    let acme = Client::new(H::mount(server));
    let mut body = user("big");
    body["displayName"] = json!("x".repeat(4096));
    acme.post("/Users", body).await.expect_error(413, None);
}

/// A body in another media type than JSON is `415` (RFC 9110 §15.5.16), before it is
/// parsed.
pub async fn unsupported_media_type<H: Harness>() {
    let acme = Client::<H>::fixture();
    acme.request(Method::POST, "/Users")
        .body(user("typed").to_string(), "text/plain")
        .send()
        .await
        .expect_error(415, None);
    assert_eq!(acme.get("/Users").await.expect_status(200).total(), 0);
}

/// A JSON body that is not an object is `400 invalidSyntax`.
pub async fn body_not_an_object<H: Harness>() {
    let acme = Client::<H>::fixture();
    acme.post("/Users", json!(["not", "an", "object"]))
        .await
        .expect_error(400, Some("invalidSyntax"));
}

/// A value of the wrong type is `400 invalidValue`.
pub async fn wrong_value_type<H: Harness>() {
    let acme = Client::<H>::fixture();
    let mut body = user("typed");
    body["active"] = json!("maybe");
    acme.post("/Users", body)
        .await
        .expect_error(400, Some("invalidValue"));
}

/// `count` above `maxResults` is clipped, not an error (RFC 7644 §3.4.2.4).
pub async fn count_above_max_results<H: Harness>() {
    let server =
        fixture_server_for::<H>(|b| b.config(scim_core::ServerConfig::default().max_results(2)));
    let acme = Client::new(H::mount(server));
    for name in ["a", "b", "c"] {
        create_user(&acme, name).await;
    }
    let exchange = acme.get("/Users?count=100").await.expect_status(200);
    assert_eq!(exchange.total(), 3);
    assert_eq!(exchange.resources().len(), 2);
    assert_eq!(exchange.json()["itemsPerPage"], 2);
    let exchange = acme
        .get("/Users?startIndex=0&count=1000")
        .await
        .expect_status(200);
    let body = exchange.json();
    assert_eq!(
        (&body["itemsPerPage"], &body["startIndex"]),
        (&json!(2), &json!(1)),
        "{body}"
    );
}

/// A bad `startIndex` or `count` is tolerated as RFC 7644 §3.4.2.4 says: values below 1
/// are read as 1 (startIndex) and 0 (count). A value that is no integer at all is
/// `400 invalidValue`.
pub async fn paging_values_out_of_range<H: Harness>() {
    let acme = Client::<H>::fixture();
    create_user(&acme, "a").await;
    let exchange = acme
        .get("/Users?startIndex=0&count=-5")
        .await
        .expect_status(200);
    assert_eq!(exchange.json()["startIndex"], 1);
    assert!(exchange.resources().is_empty());
    for query in ["count=lots", "startIndex=first"] {
        acme.get(&format!("/Users?{query}"))
            .await
            .expect_error(400, Some("invalidValue"));
    }
}

/// `/Me` without a resolver configured is `501` (RFC 7644 §3.11).
pub async fn me_not_configured<H: Harness>() {
    let acme = Client::<H>::fixture();
    acme.get("/Me").await.expect_error(501, None);
}

/// Every error has the SCIM media type and schema, also for a request with a body the
/// engine did not read (the id is unknown).
pub async fn errors_are_scim<H: Harness>() {
    let acme = Client::<H>::fixture();
    let created = create_user(&acme, "real").await;
    acme.delete(&format!("/Users/{}", id(&created)))
        .await
        .expect_status(204);
    acme.put(&format!("/Users/{}", id(&created)), user("real"))
        .await
        .expect_error(404, None);
}
