//! Hardening: strict JSON, integrity of `schemas` and conditions, `Cache-Control`, and
//! the limits that bound what one request can cost.

use http::Method;
use scim_core::{ServerConfig, TenantRateLimiter};
use serde_json::{Value, json};

use super::{USER, create_user, id, patch_op};
use crate::client::Client;
use crate::harness::{ACME_TOKEN, GLOBEX_TOKEN, Harness, fixture_server_for};

/// A JSON object naming the same member twice is `400 invalidSyntax`, not last-wins.
pub async fn duplicate_member_names<H: Harness>() {
    let acme = Client::<H>::fixture();
    let body = format!(r#"{{"schemas":["{USER}"],"userName":"first","userName":"second"}}"#);
    acme.request(Method::POST, "/Users")
        .body(body, "application/scim+json")
        .send()
        .await
        .expect_error(400, Some("invalidSyntax"));
    let nested = format!(
        r#"{{"schemas":["{USER}"],"userName":"n","name":{{"givenName":"a","givenName":"b"}}}}"#
    );
    acme.request(Method::POST, "/Users")
        .body(nested, "application/scim+json")
        .send()
        .await
        .expect_error(400, Some("invalidSyntax"));
    assert_eq!(acme.get("/Users").await.expect_status(200).total(), 0);
}

/// A `\u0000` inside a JSON string is `400 invalidValue`.
pub async fn nul_in_strings<H: Harness>() {
    let acme = Client::<H>::fixture();
    let body = format!(r#"{{"schemas":["{USER}"],"userName":"nul\u0000byte"}}"#);
    acme.request(Method::POST, "/Users")
        .body(body, "application/scim+json")
        .send()
        .await
        .expect_error(400, Some("invalidValue"));
    assert_eq!(acme.get("/Users").await.expect_status(200).total(), 0);
}

/// A PATCH cannot make `schemas` disagree with the resource type: `400` for a `schemas`
/// path; in a path-less value `schemas` is an echo (Entra ID sends it) and changes nothing.
pub async fn patch_schemas_stay_consistent<H: Harness>() {
    let acme = Client::<H>::fixture();
    let user = id(&create_user(&acme, "schemas").await);
    for value in [
        json!(["x"]),
        json!([]),
        json!([USER, "urn:example:unknown"]),
    ] {
        acme.patch(
            &format!("/Users/{user}"),
            patch_op(json!([{"op": "replace", "path": "schemas", "value": value}])),
        )
        .await
        .expect_error(400, None);
        acme.patch(
            &format!("/Users/{user}"),
            patch_op(json!([{"op": "replace", "value": {"schemas": value}}])),
        )
        .await
        .expect_status(200);
    }
    let stored = acme.get(&format!("/Users/{user}")).await.expect_status(200);
    assert_eq!(stored.json()["schemas"], json!([USER]));
}

/// An `If-Match` without any entity tag (`,,,,`) is `400`, not "no condition".
pub async fn if_match_without_tags<H: Harness>() {
    let acme = Client::<H>::fixture();
    let user = id(&create_user(&acme, "conditional").await);
    acme.request(Method::DELETE, &format!("/Users/{user}"))
        .header("if-match", ",,,,")
        .send()
        .await
        .expect_error(400, None);
    acme.get(&format!("/Users/{user}")).await.expect_status(200);
}

/// Two `Authorization` headers are refused (`401`), even when the first is valid.
pub async fn several_authorization_headers<H: Harness>() {
    let acme = Client::<H>::fixture();
    acme.request(Method::GET, "/Users")
        .header("authorization", &format!("Bearer {ACME_TOKEN}"))
        .send()
        .await
        .expect_error(401, None);
}

/// Responses that can carry personal data are never stored by caches.
pub async fn responses_are_not_cached<H: Harness>() {
    let acme = Client::<H>::fixture();
    let created = acme
        .post("/Users", super::user("cached"))
        .await
        .expect_status(201);
    assert_eq!(created.header("cache-control"), Some("no-store"));
    let user = id(&created.json());
    for path in [format!("/Users/{user}"), "/Users".to_owned()] {
        let exchange = acme.get(&path).await.expect_status(200);
        assert_eq!(exchange.header("cache-control"), Some("no-store"), "{path}");
    }
    let error = acme.get("/Users/nope").await.expect_error(404, None);
    assert_eq!(error.header("cache-control"), Some("no-store"));
}

fn limited<H: Harness>(config: ServerConfig) -> Client<H> {
    Client::new(H::mount(fixture_server_for::<H>(|b| b.config(config))))
}

fn emails(n: usize) -> Value {
    (0..n)
        .map(|i| json!({"value": format!("u{i}@example.com"), "type": "work"}))
        .collect()
}

/// A multi-valued attribute is bounded by `max_multi_valued` on create, replace and
/// PATCH (`400 invalidValue`), a Group's members excepted.
pub async fn multi_valued_elements<H: Harness>() {
    let acme = limited::<H>(ServerConfig::default().max_multi_valued(3));
    let mut body = super::user("many");
    body["emails"] = emails(4);
    acme.post("/Users", body.clone())
        .await
        .expect_error(400, Some("invalidValue"));
    body["emails"] = emails(3);
    let user = id(&acme
        .post("/Users", body.clone())
        .await
        .expect_status(201)
        .json());
    acme.put(&format!("/Users/{user}"), {
        let mut b = body.clone();
        b["emails"] = emails(4);
        b
    })
    .await
    .expect_error(400, Some("invalidValue"));
    // One more by PATCH would pass any single value's check: the result is checked.
    acme.patch(
        &format!("/Users/{user}"),
        patch_op(json!([{"op": "add", "path": "emails", "value": [{"value": "x@example.com"}]}])),
    )
    .await
    .expect_error(400, Some("invalidValue"));
    let stored = acme
        .get(&format!("/Users/{user}"))
        .await
        .expect_status(200)
        .json();
    assert_eq!(stored["emails"].as_array().map(Vec::len), Some(3));
    // Members are not counted.
    let mut members = Vec::new();
    for i in 0..5 {
        members.push(id(&create_user(&acme, &format!("m{i}")).await));
    }
    let members: Vec<&str> = members.iter().map(String::as_str).collect();
    super::create_group(&acme, "big", &members).await;
}

/// A string value is bounded by `max_string_bytes` (`400 invalidValue`), in a body and
/// in a PATCH value.
pub async fn string_length<H: Harness>() {
    let acme = limited::<H>(ServerConfig::default().max_string_bytes(100));
    let mut body = super::user("long");
    body["title"] = json!("t".repeat(101));
    acme.post("/Users", body.clone())
        .await
        .expect_error(400, Some("invalidValue"));
    body["title"] = json!("t".repeat(100));
    let user = id(&acme.post("/Users", body).await.expect_status(201).json());
    acme.patch(
        &format!("/Users/{user}"),
        patch_op(json!([{"op": "replace", "path": "title", "value": "t".repeat(101)}])),
    )
    .await
    .expect_error(400, Some("invalidValue"));
}

/// `attributes` and `excludedAttributes` list at most `max_attribute_names` names
/// (`400 tooMany`), in a query and in a `.search` body.
pub async fn attribute_names<H: Harness>() {
    let acme = limited::<H>(ServerConfig::default().max_attribute_names(2));
    acme.get("/Users?attributes=userName,title")
        .await
        .expect_status(200);
    for query in [
        "?attributes=userName,title,emails",
        "?excludedAttributes=userName,title,emails",
    ] {
        acme.get(&format!("/Users{query}"))
            .await
            .expect_error(400, Some("tooMany"));
    }
    let user = id(&create_user(&acme, "projected").await);
    acme.get(&format!("/Users/{user}?attributes=a,b,c"))
        .await
        .expect_error(400, Some("tooMany"));
    acme.post(
        "/Users/.search",
        json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
               "attributes": ["userName", "title", "emails"]}),
    )
    .await
    .expect_error(400, Some("tooMany"));
}

/// A PATCH's operations times the elements of the largest multi-valued attribute of its
/// target is bounded by `max_patch_work` (`400 tooMany`), and nothing is applied.
pub async fn patch_work<H: Harness>() {
    let acme = limited::<H>(ServerConfig::default().max_patch_work(12));
    let mut body = super::user("worked");
    body["emails"] = emails(4);
    let user = id(&acme.post("/Users", body).await.expect_status(201).json());
    let ops = |n: usize| {
        let ops: Vec<Value> = (0..n)
            .map(|i| json!({"op": "replace", "path": "emails[type eq \"work\"].display", "value": format!("d{i}")}))
            .collect();
        patch_op(Value::Array(ops))
    };
    acme.patch(&format!("/Users/{user}"), ops(4))
        .await
        .expect_error(400, Some("tooMany"));
    let stored = acme
        .get(&format!("/Users/{user}"))
        .await
        .expect_status(200)
        .json();
    assert!(stored["emails"][0].get("display").is_none());
    acme.patch(&format!("/Users/{user}"), ops(3))
        .await
        .expect_status(200);
}

/// A Bulk request counts one request per operation against the rate limit; one larger
/// than the budget left is refused whole (`429`), nothing done.
pub async fn bulk_counts_each_operation<H: Harness>() {
    let acme = Client::<H>::new(H::mount(fixture_server_for::<H>(|b| {
        b.rate_limiter(TenantRateLimiter::new(5))
    })));
    let bulk = |names: &[&str]| {
        let operations: Vec<Value> = names
            .iter()
            .map(|n| json!({"method": "POST", "path": "/Users", "bulkId": n, "data": super::user(n)}))
            .collect();
        json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], "Operations": operations})
    };
    let exchange = acme
        .post("/Bulk", bulk(&["a", "b", "c"]))
        .await
        .expect_status(200);
    assert_eq!(exchange.header("ratelimit-remaining"), Some("2"));
    let exchange = acme
        .post("/Bulk", bulk(&["d", "e", "f"]))
        .await
        .expect_error(429, None);
    assert!(exchange.header("retry-after").is_some());
    let exchange = acme.get("/Users").await.expect_status(200);
    assert_eq!(exchange.total(), 3);
}

/// A Bulk cannot carry more operations than the tenant may send in a minute: the
/// ServiceProviderConfig advertises the lower figure and a larger Bulk is `413` (split
/// it), not a `429` that no wait could ever lift.
pub async fn bulk_max_operations_follows_the_rate_limit<H: Harness>() {
    let acme = Client::<H>::new(H::mount(fixture_server_for::<H>(|b| {
        b.rate_limiter(TenantRateLimiter::new(5))
    })));
    let spc = acme
        .get("/ServiceProviderConfig")
        .await
        .expect_status(200)
        .json();
    assert_eq!(spc["bulk"]["maxOperations"], 5);
    let operations: Vec<Value> = (0..6)
        .map(|i| {
            let name = format!("bulk{i}");
            json!({"method": "POST", "path": "/Users", "bulkId": name, "data": super::user(&name)})
        })
        .collect();
    let exchange = acme
        .post(
            "/Bulk",
            json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], "Operations": operations}),
        )
        .await
        .expect_error(413, None);
    let detail = exchange.json()["detail"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(detail.contains("maxOperations is 5"), "{detail}");
    assert!(
        detail.contains("the tenant's rate limit per minute"),
        "the detail says why the figure is lower than configured: {detail}"
    );
    assert_eq!(acme.get("/Users").await.expect_status(200).total(), 0);
}

/// With `max_resources_per_tenant`, a create past the quota is `403`; other tenants
/// keep theirs, and a delete makes room again.
pub async fn resource_quota<H: Harness>() {
    let acme = limited::<H>(ServerConfig::default().max_resources_per_tenant(2));
    let first = id(&create_user(&acme, "one").await);
    super::create_group(&acme, "two", &[]).await;
    acme.post("/Users", super::user("three"))
        .await
        .expect_error(403, None);
    let globex = acme.as_tenant("globex", Some(GLOBEX_TOKEN));
    create_user(&globex, "one").await;
    acme.delete(&format!("/Users/{first}"))
        .await
        .expect_status(204);
    create_user(&acme, "three").await;
}
