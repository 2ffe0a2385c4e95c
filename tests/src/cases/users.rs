//! The User endpoint: create, read, replace, delete, list, search, projection, ETags
//! (RFC 7644 §3.3–3.6, §3.9, §3.14).

use http::Method;
use serde_json::json;

use super::{ENTERPRISE, USER, create_user, id, user};
use crate::client::Client;
use crate::harness::Harness;

/// `POST /Users` answers `201` with the resource, its `id`, `meta`, a `Location` equal to
/// `meta.location` (absolute, under the mount prefix) and an `ETag` equal to `meta.version`.
pub async fn create<H: Harness>() {
    let acme = Client::<H>::fixture();
    let exchange = acme
        .post("/Users", user("bjensen"))
        .await
        .expect_status(201);
    exchange.expect_scim_content_type();
    let body = exchange.json();
    let id = id(&body);
    assert_eq!(body["userName"], "bjensen");
    assert_eq!(body["name"]["familyName"], "Jensen");
    assert_eq!(body["meta"]["resourceType"], "User");
    assert!(
        body["meta"]["created"].is_string() && body["meta"]["lastModified"].is_string(),
        "{body}"
    );
    let location = format!("http://localhost/scim/v2/acme/Users/{id}");
    assert_eq!(body["meta"]["location"], location.as_str(), "{body}");
    assert_eq!(exchange.header("location"), Some(location.as_str()));
    if let Some(etag) = exchange.header("etag") {
        assert_eq!(body["meta"]["version"], etag, "{body}");
    }
}

/// A create with `Content-Type: application/json` is accepted too (Okta).
pub async fn create_with_plain_json<H: Harness>() {
    let acme = Client::<H>::fixture();
    acme.request(Method::POST, "/Users")
        .body(user("plain").to_string(), "application/json")
        .send()
        .await
        .expect_status(201);
}

/// `password` is accepted on create but never returned (`returned: never`).
pub async fn password_is_never_returned<H: Harness>() {
    let acme = Client::<H>::fixture();
    let mut body = user("secretive");
    body["password"] = json!("t1meMa$heen");
    let created = acme.post("/Users", body).await.expect_status(201).json();
    assert!(created.get("password").is_none(), "{created}");
    let fetched = acme
        .get(&format!("/Users/{}", id(&created)))
        .await
        .expect_status(200)
        .json();
    assert!(fetched.get("password").is_none(), "{fetched}");
}

/// A user without `userName` is `400 invalidValue`.
pub async fn create_without_user_name<H: Harness>() {
    let acme = Client::<H>::fixture();
    acme.post(
        "/Users",
        json!({"schemas": [USER], "displayName": "Nobody"}),
    )
    .await
    .expect_error(400, Some("invalidValue"));
}

/// `userName` is unique per tenant, case-insensitively: `409 uniqueness`.
pub async fn create_duplicate_user_name<H: Harness>() {
    let acme = Client::<H>::fixture();
    create_user(&acme, "bjensen").await;
    acme.post("/Users", user("BJensen"))
        .await
        .expect_error(409, Some("uniqueness"));
}

/// A body that is not JSON is `400 invalidSyntax`.
pub async fn create_with_invalid_json<H: Harness>() {
    let acme = Client::<H>::fixture();
    acme.request(Method::POST, "/Users")
        .body("{\"userName\": ", "application/scim+json")
        .send()
        .await
        .expect_error(400, Some("invalidSyntax"));
}

/// A client-supplied `id` is ignored: the store assigns its own (RFC 7643 §3.1).
pub async fn create_ignores_client_id<H: Harness>() {
    let acme = Client::<H>::fixture();
    let mut body = user("ignored-id");
    body["id"] = json!("chosen-by-client");
    let created = acme.post("/Users", body).await.expect_status(201).json();
    assert_ne!(created["id"], "chosen-by-client");
}

/// The enterprise extension round-trips under its URN.
pub async fn create_with_enterprise_extension<H: Harness>() {
    let acme = Client::<H>::fixture();
    let mut body = user("employee");
    body["schemas"] = json!([USER, ENTERPRISE]);
    body[ENTERPRISE] = json!({"employeeNumber": "701984", "department": "Tour Operations"});
    let created = acme.post("/Users", body).await.expect_status(201).json();
    assert_eq!(created[ENTERPRISE]["employeeNumber"], "701984", "{created}");
    let fetched = acme
        .get(&format!("/Users/{}", id(&created)))
        .await
        .expect_status(200)
        .json();
    assert_eq!(
        fetched[ENTERPRISE]["department"], "Tour Operations",
        "{fetched}"
    );
}

/// `GET /Users/{id}` answers the resource; an unknown id is `404` with a detail.
pub async fn get_by_id<H: Harness>() {
    let acme = Client::<H>::fixture();
    let created = create_user(&acme, "bjensen").await;
    let exchange = acme
        .get(&format!("/Users/{}", id(&created)))
        .await
        .expect_status(200);
    exchange.expect_scim_content_type();
    let body = exchange.json();
    assert_eq!(body["userName"], "bjensen");
    assert_eq!(body["id"], created["id"]);
    acme.get("/Users/does-not-exist")
        .await
        .expect_error(404, None);
}

/// `attributes=userName` returns `userName` and the always-returned `id` and `schemas`,
/// nothing else of default visibility (RFC 7644 §3.9).
pub async fn get_with_attributes<H: Harness>() {
    let acme = Client::<H>::fixture();
    let created = create_user(&acme, "projected").await;
    let body = acme
        .get(&format!("/Users/{}?attributes=userName", id(&created)))
        .await
        .expect_status(200)
        .json();
    assert_eq!(body["userName"], "projected");
    assert!(
        body["id"].is_string() && body["schemas"].is_array(),
        "{body}"
    );
    assert!(
        body.get("name").is_none() && body.get("emails").is_none(),
        "{body}"
    );
}

/// `excludedAttributes=emails,name` drops those and keeps the rest.
pub async fn get_with_excluded_attributes<H: Harness>() {
    let acme = Client::<H>::fixture();
    let created = create_user(&acme, "excluded").await;
    let body = acme
        .get(&format!(
            "/Users/{}?excludedAttributes=emails,name",
            id(&created)
        ))
        .await
        .expect_status(200)
        .json();
    assert_eq!(body["userName"], "excluded");
    assert!(
        body.get("name").is_none() && body.get("emails").is_none(),
        "{body}"
    );
    assert_eq!(body["active"], true, "{body}");
}

/// `PUT` replaces the resource: changed values are stored, omitted ones are cleared,
/// `id` and `meta.created` are kept.
pub async fn replace<H: Harness>() {
    let acme = Client::<H>::fixture();
    let created = create_user(&acme, "bjensen").await;
    let path = format!("/Users/{}", id(&created));
    let replaced = acme
        .put(&path, json!({"schemas": [USER], "userName": "bjensen", "displayName": "Babs", "active": false}))
        .await
        .expect_status(200)
        .json();
    assert_eq!(replaced["id"], created["id"]);
    assert_eq!(replaced["displayName"], "Babs");
    assert_eq!(replaced["active"], false);
    assert!(replaced.get("emails").is_none(), "{replaced}");
    assert_eq!(replaced["meta"]["created"], created["meta"]["created"]);
    let fetched = acme.get(&path).await.expect_status(200).json();
    assert_eq!(fetched["displayName"], "Babs");
}

/// `PUT` of an unknown id is `404`.
pub async fn replace_unknown<H: Harness>() {
    let acme = Client::<H>::fixture();
    acme.put("/Users/does-not-exist", user("ghost"))
        .await
        .expect_error(404, None);
}

/// `PUT` to a `userName` another user holds is `409 uniqueness`.
pub async fn replace_to_taken_user_name<H: Harness>() {
    let acme = Client::<H>::fixture();
    create_user(&acme, "first").await;
    let second = create_user(&acme, "second").await;
    acme.put(&format!("/Users/{}", id(&second)), user("FIRST"))
        .await
        .expect_error(409, Some("uniqueness"));
}

/// `DELETE` answers `204` with no body; the user is gone afterwards.
pub async fn delete<H: Harness>() {
    let acme = Client::<H>::fixture();
    let created = create_user(&acme, "bjensen").await;
    let path = format!("/Users/{}", id(&created));
    let exchange = acme.delete(&path).await.expect_status(204);
    assert!(exchange.body.is_empty());
    acme.get(&path).await.expect_error(404, None);
    acme.delete(&path).await.expect_error(404, None);
}

/// `GET /Users` is a ListResponse with integer `totalResults`, `startIndex`, `itemsPerPage`.
pub async fn list<H: Harness>() {
    let acme = Client::<H>::fixture();
    for name in ["a", "b", "c"] {
        create_user(&acme, name).await;
    }
    let exchange = acme.get("/Users").await.expect_status(200);
    let body = exchange.json();
    assert_eq!(exchange.total(), 3);
    assert_eq!(exchange.resources().len(), 3);
    assert_eq!(body["startIndex"], 1, "{body}");
    assert_eq!(body["itemsPerPage"], 3, "{body}");
}

/// `startIndex` and `count` page through a stable order (RFC 7644 §3.4.2.4).
pub async fn list_pages<H: Harness>() {
    let acme = Client::<H>::fixture();
    for n in 0..5 {
        create_user(&acme, &format!("user{n}")).await;
    }
    let mut seen = Vec::new();
    for start in [1, 3, 5] {
        let exchange = acme
            .get(&format!("/Users?startIndex={start}&count=2"))
            .await
            .expect_status(200);
        let body = exchange.json();
        assert_eq!(exchange.total(), 5);
        assert_eq!(body["startIndex"], start, "{body}");
        for resource in exchange.resources() {
            seen.push(resource["userName"].as_str().unwrap_or_default().to_owned());
        }
    }
    seen.sort();
    assert_eq!(seen, ["user0", "user1", "user2", "user3", "user4"]);
}

/// `count=0` answers only the total.
pub async fn list_count_zero<H: Harness>() {
    let acme = Client::<H>::fixture();
    create_user(&acme, "one").await;
    let exchange = acme.get("/Users?count=0").await.expect_status(200);
    assert_eq!(exchange.total(), 1);
    assert!(exchange.resources().is_empty());
}

/// `sortBy=userName&sortOrder=descending` sorts (RFC 7644 §3.4.2.3).
pub async fn list_sorted<H: Harness>() {
    let acme = Client::<H>::fixture();
    for name in ["bravo", "alpha", "charlie"] {
        create_user(&acme, name).await;
    }
    let names: Vec<String> = acme
        .get("/Users?sortBy=userName&sortOrder=descending")
        .await
        .expect_status(200)
        .resources()
        .iter()
        .map(|r| r["userName"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(names, ["charlie", "bravo", "alpha"]);
}

/// `POST /Users/.search` takes the query in a SearchRequest body (RFC 7644 §3.4.3).
pub async fn search_post<H: Harness>() {
    let acme = Client::<H>::fixture();
    create_user(&acme, "findme").await;
    create_user(&acme, "other").await;
    let exchange = acme
        .post(
            "/Users/.search",
            json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
                "filter": "userName eq \"findme\"",
                "attributes": ["userName"],
                "startIndex": 1,
                "count": 10
            }),
        )
        .await
        .expect_status(200);
    assert_eq!(exchange.total(), 1);
    let resources = exchange.resources();
    assert_eq!(resources[0]["userName"], "findme");
    assert!(resources[0].get("emails").is_none(), "{}", resources[0]);
}

/// `POST /.search` at the root searches every resource type.
pub async fn search_root<H: Harness>() {
    let acme = Client::<H>::fixture();
    create_user(&acme, "rooted").await;
    let exchange = acme
        .post(
            "/.search",
            json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
                "filter": "userName eq \"rooted\""
            }),
        )
        .await
        .expect_status(200);
    assert_eq!(exchange.total(), 1);
}

/// A `PUT` with a stale `If-Match` is `412`; the current ETag succeeds (RFC 7644 §3.14).
pub async fn if_match<H: Harness>() {
    let acme = Client::<H>::fixture();
    let created = acme
        .post("/Users", user("versioned"))
        .await
        .expect_status(201);
    let Some(etag) = created.header("etag").map(str::to_owned) else {
        return; // ETags switched off: nothing to check
    };
    let path = format!("/Users/{}", id(&created.json()));
    let body = user("versioned");
    acme.request(Method::PUT, &path)
        .json(&body)
        .header("if-match", "W/\"stale\"")
        .send()
        .await
        .expect_error(412, None);
    acme.request(Method::PUT, &path)
        .json(&body)
        .header("if-match", &etag)
        .send()
        .await
        .expect_status(200);
}

/// `GET` with `If-None-Match` equal to the current ETag is `304 Not Modified`.
pub async fn if_none_match<H: Harness>() {
    let acme = Client::<H>::fixture();
    let created = acme.post("/Users", user("cached")).await.expect_status(201);
    let Some(etag) = created.header("etag").map(str::to_owned) else {
        return;
    };
    let path = format!("/Users/{}", id(&created.json()));
    acme.request(Method::GET, &path)
        .header("if-none-match", &etag)
        .send()
        .await
        .expect_status(304);
}
