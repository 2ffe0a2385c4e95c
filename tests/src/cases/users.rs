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
    let etag = exchange.header("etag").unwrap_or_default();
    assert!(etag.starts_with("W/\""), "a weak ETag: {etag:?}");
    assert_eq!(body["meta"]["version"], etag, "{body}");
}

/// A create with `Content-Type: application/json` is accepted too (Okta), with or
/// without a charset, and so is a body without any content type.
pub async fn create_with_plain_json<H: Harness>() {
    let acme = Client::<H>::fixture();
    for (n, content_type) in [
        "application/json",
        "application/scim+json; charset=utf-8",
        "application/json;charset=UTF-8",
    ]
    .into_iter()
    .enumerate()
    {
        acme.request(Method::POST, "/Users")
            .body(user(&format!("plain{n}")).to_string(), content_type)
            .send()
            .await
            .expect_status(201);
    }
    acme.request(Method::POST, "/Users")
        .untyped_body(user("untyped").to_string())
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

    // The single-valued `manager` reference gets its `$ref`, as members do.
    let boss = create_user(&acme, "boss").await;
    let mut body = user("report");
    body["schemas"] = json!([USER, ENTERPRISE]);
    body[ENTERPRISE] = json!({"manager": {"value": id(&boss)}});
    let report = acme.post("/Users", body).await.expect_status(201).json();
    let reference = report[ENTERPRISE]["manager"]["$ref"]
        .as_str()
        .unwrap_or_default();
    assert!(
        reference.starts_with("http")
            && reference.ends_with(&format!("{}/Users/{}", acme.base(), id(&boss))),
        "{report}"
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
    // RFC 7644 §3.14: the version travels in the ETag header too.
    assert_eq!(
        exchange.header("etag"),
        body["meta"]["version"].as_str(),
        "{body}"
    );
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

/// `DELETE` with a stale `If-Match` is `412` and deletes nothing; with the current ETag
/// it answers `204` (RFC 7644 §3.14).
pub async fn delete_if_match<H: Harness>() {
    let acme = Client::<H>::fixture();
    let created = create_user(&acme, "bjensen").await;
    let path = format!("/Users/{}", id(&created));
    let version = created["meta"]["version"].as_str().unwrap_or_default();
    acme.request(Method::DELETE, &path)
        .header("if-match", "W/\"stale\"")
        .send()
        .await
        .expect_error(412, None);
    acme.get(&path).await.expect_status(200);
    acme.request(Method::DELETE, &path)
        .header("if-match", version)
        .send()
        .await
        .expect_status(204);
    acme.get(&path).await.expect_error(404, None);
}

/// `Location` and `meta.location` come from the `Host` header (with its port) and the
/// mount point; a forwarded host the server was not configured to trust is ignored.
pub async fn location_from_host<H: Harness>() {
    let acme = Client::<H>::fixture();
    let exchange = acme
        .request(Method::POST, "/Users")
        .json(&user("hosted"))
        .header("host", "localhost:8080")
        .header("x-forwarded-host", "evil.example")
        .send()
        .await
        .expect_status(201);
    let location = format!(
        "http://localhost:8080{}/Users/{}",
        acme.base(),
        id(&exchange.json())
    );
    assert_eq!(exchange.header("location"), Some(location.as_str()));
    assert_eq!(exchange.json()["meta"]["location"], location.as_str());
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

/// `startIndex` (1-based) and `count` page through a stable order, `itemsPerPage` is the
/// size of the page, and a page past the end is empty (RFC 7644 §3.4.2.4).
pub async fn list_pages<H: Harness>() {
    let acme = Client::<H>::fixture();
    for n in 0..5 {
        create_user(&acme, &format!("user{n}")).await;
    }
    let mut seen = Vec::new();
    for (start, size) in [(1, 2), (3, 2), (5, 1)] {
        let exchange = acme
            .get(&format!("/Users?startIndex={start}&count=2"))
            .await
            .expect_status(200);
        let body = exchange.json();
        assert_eq!(exchange.total(), 5);
        assert_eq!(body["startIndex"], start, "{body}");
        assert_eq!(body["itemsPerPage"], size, "{body}");
        for resource in exchange.resources() {
            seen.push(resource["userName"].as_str().unwrap_or_default().to_owned());
        }
    }
    seen.sort();
    assert_eq!(seen, ["user0", "user1", "user2", "user3", "user4"]);
    let past = acme.get("/Users?startIndex=50").await.expect_status(200);
    assert_eq!(past.total(), 5);
    past.expect_resources_present();
    assert!(past.resources().is_empty());
    assert_eq!(past.json()["itemsPerPage"], 0);
}

/// RFC 9865 cursor paging: `cursor=` starts a walk, each page names the next in
/// `nextCursor` (and has no `startIndex`), the last names none; a sorted walk keeps its
/// order; `/ServiceProviderConfig` says so; a cursor of another query, or of nobody, is
/// `400 invalidCursor`, and `startIndex` with `cursor` is `400 invalidValue`.
pub async fn list_by_cursor<H: Harness>() {
    let acme = Client::<H>::fixture();
    for name in ["delta", "alpha", "echo", "charlie", "bravo"] {
        create_user(&acme, name).await;
    }
    let spc = acme
        .get("/ServiceProviderConfig")
        .await
        .expect_status(200)
        .json();
    assert_eq!(spc["pagination"]["cursor"], true, "{spc}");
    let mut seen = Vec::new();
    let mut next = Some(String::new());
    let mut pages = 0;
    while let Some(cursor) = next {
        let exchange = acme
            .get(&format!("/Users?sortBy=userName&count=2&cursor={cursor}"))
            .await
            .expect_status(200);
        let body = exchange.json();
        assert_eq!(exchange.total(), 5);
        assert!(body.get("startIndex").is_none(), "{body}");
        for resource in exchange.resources() {
            seen.push(resource["userName"].as_str().unwrap_or_default().to_owned());
        }
        next = body["nextCursor"].as_str().map(str::to_owned);
        pages += 1;
        assert!(pages <= 3, "{body}");
    }
    assert_eq!(seen, ["alpha", "bravo", "charlie", "delta", "echo"]);
    let first = acme
        .get("/Users?count=2&cursor=")
        .await
        .expect_status(200)
        .json();
    let cursor = first["nextCursor"].as_str().unwrap_or_default().to_owned();
    for path in [
        format!("/Users?count=2&filter=userName%20pr&cursor={cursor}"),
        "/Users?count=2&cursor=00zz".to_owned(),
    ] {
        let body = acme.get(&path).await.expect_status(400).json();
        assert_eq!(body["scimType"], "invalidCursor", "{path}: {body}");
    }
    let body = acme
        .get("/Users?startIndex=2&cursor=")
        .await
        .expect_status(400)
        .json();
    assert_eq!(body["scimType"], "invalidValue", "{body}");
}

/// `count=0` answers only the total.
pub async fn list_count_zero<H: Harness>() {
    let acme = Client::<H>::fixture();
    create_user(&acme, "one").await;
    let exchange = acme.get("/Users?count=0").await.expect_status(200);
    assert_eq!(exchange.total(), 1);
    exchange.expect_resources_present();
    assert!(exchange.resources().is_empty());
}

/// `sortBy=userName&sortOrder=descending` sorts (RFC 7644 §3.4.2.3).
pub async fn list_sorted<H: Harness>() {
    let acme = Client::<H>::fixture();
    for name in ["bravo", "alpha", "charlie"] {
        create_user(&acme, name).await;
    }
    let names = |uri: String| {
        let acme = &acme;
        async move {
            acme.get(&uri)
                .await
                .expect_status(200)
                .resources()
                .iter()
                .map(|r| r["userName"].as_str().unwrap_or_default().to_owned())
                .collect::<Vec<_>>()
        }
    };
    let sorted = names("/Users?sortBy=userName&sortOrder=descending".to_owned()).await;
    assert_eq!(sorted, ["charlie", "bravo", "alpha"]);
    // `ascending`, named or not, in any case.
    for order in ["", "&sortOrder=ascending", "&sortOrder=Ascending"] {
        let sorted = names(format!("/Users?sortBy=userName{order}")).await;
        assert_eq!(sorted, ["alpha", "bravo", "charlie"], "{order}");
    }
    // Sorted and projected: the order holds, and each entry keeps its `id`.
    let projected = acme
        .get("/Users?sortBy=userName&sortOrder=descending&attributes=userName")
        .await
        .expect_status(200)
        .resources();
    let names: Vec<&str> = projected
        .iter()
        .filter_map(|r| r["userName"].as_str())
        .collect();
    assert_eq!(names, ["charlie", "bravo", "alpha"]);
    assert!(
        projected
            .iter()
            .all(|r| r["id"].is_string() && r.get("name").is_none()),
        "{projected:?}"
    );
    acme.get("/Users?sortBy=userName&sortOrder=sideways")
        .await
        .expect_error(400, Some("invalidValue"));
}

/// `POST /Users/.search` takes the query, paging and projection in a SearchRequest body
/// (RFC 7644 §3.4.3); a body that is not a SearchRequest object is `400 invalidSyntax`.
pub async fn search_post<H: Harness>() {
    let acme = Client::<H>::fixture();
    create_user(&acme, "findme").await;
    create_user(&acme, "findme-too").await;
    create_user(&acme, "other").await;
    let page = acme
        .post(
            "/Users/.search",
            json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
                "filter": "userName sw \"findme\"",
                "startIndex": 2,
                "count": 1
            }),
        )
        .await
        .expect_status(200);
    let body = page.json();
    assert_eq!(page.total(), 2);
    assert_eq!(
        (&body["startIndex"], &body["itemsPerPage"]),
        (&json!(2), &json!(1))
    );
    acme.post("/Users/.search", json!([1]))
        .await
        .expect_error(400, Some("invalidSyntax"));
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

/// `POST /.search` at the root searches every resource type, pages across them, and
/// matches each with its own schema (RFC 7644 §3.4.3).
pub async fn search_root<H: Harness>() {
    let acme = Client::<H>::fixture();
    create_user(&acme, "rooted").await;
    create_user(&acme, "grounded").await;
    super::create_group(&acme, "Admins", &[]).await;
    let types = |exchange: &crate::client::Exchange| -> Vec<String> {
        exchange
            .resources()
            .iter()
            .map(|r| {
                r["meta"]["resourceType"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect()
    };
    let all = acme
        .post("/.search", json!({"count": 10}))
        .await
        .expect_status(200);
    assert_eq!(all.total(), 3);
    assert_eq!(types(&all), ["User", "User", "Group"]);
    let page = acme
        .post("/.search", json!({"startIndex": 2, "count": 2}))
        .await
        .expect_status(200);
    assert_eq!(types(&page), ["User", "Group"]);
    for (expression, kind) in [
        ("userName eq \"rooted\"", "User"),
        ("displayName eq \"Admins\"", "Group"),
    ] {
        let exchange = acme
            .post(
                "/.search",
                json!({
                    "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
                    "filter": expression
                }),
            )
            .await
            .expect_status(200);
        assert_eq!(exchange.total(), 1, "{expression}");
        assert_eq!(types(&exchange), [kind]);
    }
}

/// A `PUT` with a stale `If-Match` is `412`; the current ETag succeeds and answers a new
/// one, after which the old one is stale; without `If-Match`, `PUT` just replaces
/// (RFC 7644 §3.14).
pub async fn if_match<H: Harness>() {
    let acme = Client::<H>::fixture();
    let created = acme
        .post("/Users", user("versioned"))
        .await
        .expect_status(201);
    let etag = created.header("etag").expect("an ETag").to_owned();
    let path = format!("/Users/{}", id(&created.json()));
    let put = |if_match: Option<&str>, name: &str| {
        let call = acme.request(Method::PUT, &path).json(&user(name));
        match if_match {
            Some(tag) => call.header("if-match", tag),
            None => call,
        }
    };
    put(Some("W/\"stale\""), "x")
        .send()
        .await
        .expect_error(412, None);
    let replaced = put(Some(&etag), "renamed").send().await.expect_status(200);
    let new_etag = replaced.header("etag").unwrap_or_default().to_owned();
    assert_ne!(new_etag, etag);
    assert_eq!(replaced.json()["meta"]["version"], new_etag.as_str());
    assert_eq!(replaced.json()["userName"], "renamed");
    put(Some(&etag), "y").send().await.expect_error(412, None);
    put(None, "z").send().await.expect_status(200);
}

/// `GET` with `If-None-Match` matching the current ETag (itself, `*`, or its opaque part,
/// compared weakly) is `304 Not Modified` with the ETag and no body; another ETag is
/// `200` (RFC 9110 §13.1.2).
pub async fn if_none_match<H: Harness>() {
    let acme = Client::<H>::fixture();
    let created = acme.post("/Users", user("cached")).await.expect_status(201);
    let etag = created.header("etag").expect("an ETag").to_owned();
    let path = format!("/Users/{}", id(&created.json()));
    for condition in [etag.as_str(), "*", etag.trim_start_matches("W/")] {
        let exchange = acme
            .request(Method::GET, &path)
            .header("if-none-match", condition)
            .send()
            .await
            .expect_status(304);
        assert_eq!(exchange.header("etag"), Some(etag.as_str()), "{condition}");
        assert!(exchange.body.is_empty(), "{condition}");
        exchange.expect_scim_content_type();
    }
    acme.request(Method::GET, &path)
        .header("if-none-match", "W/\"other\"")
        .send()
        .await
        .expect_status(200);
}

/// `attributes` and `excludedAttributes` name attributes (RFC 7644 §3.9): a value filter
/// there is `400 invalidValue` naming the parameter (not `invalidPath`, which is PATCH's),
/// on a read, a list and a `.search`, lenient or strict.
pub async fn attributes_with_a_filter<H: Harness>() {
    for acme in [Client::<H>::fixture(), Client::<H>::strict_fixture()] {
        let user_id = id(&create_user(&acme, "bjensen").await);
        let filtered = super::form(r#"emails[type eq "work"]"#);
        for (parameter, path) in [
            (
                "attributes",
                format!("/Users/{user_id}?attributes={filtered}"),
            ),
            (
                "excludedAttributes",
                format!("/Users?excludedAttributes=userName,{filtered}"),
            ),
        ] {
            let exchange = acme
                .get(&path)
                .await
                .expect_error(400, Some("invalidValue"));
            let detail = exchange.detail();
            assert!(detail.starts_with(&format!("{parameter}: ")), "{detail}");
        }
        acme.post(
            "/Users/.search",
            json!({"attributes": [r#"emails[type eq "work"].value"#]}),
        )
        .await
        .expect_error(400, Some("invalidValue"));
    }
}
