//! Engine-level tests: every endpoint, status code and header, through `handle`.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Method, Request, StatusCode};
use serde_json::{Value, json};

use crate::rate_limit::ManualClock;
use crate::{
    ApiKeyStore, InMemoryStore, MountPrefix, NoRateLimit, Principal, ScimServer, ServerConfig,
    TenantRateLimiter,
};

const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
const BASE: &str = "https://app.example.com/scim/v2";

struct Harness {
    server: ScimServer,
    key: String,
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Value,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

fn keys() -> (ApiKeyStore, String) {
    let keys = ApiKeyStore::new();
    let key = keys.create("acme", ["SCIM2"], "test").unwrap().secret;
    (keys, key)
}

fn harness() -> Harness {
    harness_with(ServerConfig::default(), |b| b)
}

fn harness_with(
    config: ServerConfig,
    f: impl FnOnce(crate::ScimServerBuilder) -> crate::ScimServerBuilder,
) -> Harness {
    let (keys, key) = keys();
    let builder = ScimServer::builder()
        .store(InMemoryStore::new())
        .api_keys(keys)
        .rate_limiter(NoRateLimit)
        .config(config)
        .base_url(BASE);
    Harness {
        server: f(builder).build().unwrap(),
        key,
    }
}

impl Harness {
    async fn send(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header("authorization", format!("Bearer {}", self.key));
        if body.is_some() {
            request = request.header("content-type", "application/scim+json");
        }
        let body = body.map_or_else(Bytes::new, |b| Bytes::from(b.to_string()));
        self.raw(request.body(body).unwrap()).await
    }

    async fn raw(&self, request: Request<Bytes>) -> Reply {
        let response = self.server.handle(request).await;
        let (parts, body) = response.into_parts();
        assert_eq!(
            parts.headers["content-type"], "application/scim+json; charset=utf-8",
            "every response is application/scim+json"
        );
        let body = if body.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&body).expect("every body is JSON")
        };
        Reply {
            status: parts.status,
            headers: parts.headers,
            body,
        }
    }

    async fn get(&self, path: &str) -> Reply {
        self.send(Method::GET, path, None).await
    }

    async fn post(&self, path: &str, body: Value) -> Reply {
        self.send(Method::POST, path, Some(body)).await
    }

    async fn create_user(&self, user_name: &str) -> Value {
        let r = self
            .post(
                "/acme/Users",
                json!({"schemas": [USER], "userName": user_name}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        r.body
    }
}

fn assert_error(r: &Reply, status: u16, scim_type: Option<&str>) {
    assert_eq!(r.status.as_u16(), status, "{}", r.body);
    assert_eq!(r.body["schemas"][0], crate::ERROR_SCHEMA);
    assert_eq!(r.body["status"], status.to_string());
    if let Some(t) = scim_type {
        assert_eq!(r.body["scimType"], t, "{}", r.body);
    }
}

// ---- discovery ----

#[tokio::test]
async fn service_provider_config_reflects_the_configuration() {
    let h = harness_with(
        ServerConfig::default()
            .max_results(250)
            .bulk_max_operations(50),
        |b| b,
    );
    let r = h.get("/acme/ServiceProviderConfig").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["filter"]["maxResults"], 250);
    assert_eq!(r.body["bulk"]["maxOperations"], 50);
    assert_eq!(r.body["patch"]["supported"], true);
    assert_eq!(r.body["etag"]["supported"], true);
    assert_eq!(
        r.body["authenticationSchemes"][0]["type"],
        "oauthbearertoken"
    );
    assert_eq!(
        r.body["meta"]["location"],
        format!("{BASE}/acme/ServiceProviderConfig")
    );
}

#[tokio::test]
async fn schemas_and_resource_types_come_from_the_registry() {
    let h = harness();
    let r = h.get("/acme/Schemas").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["totalResults"], 3);
    let ids: Vec<&str> = r.body["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&USER) && ids.contains(&GROUP));

    let r = h.get(&format!("/acme/Schemas/{USER}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["name"], "User");
    assert!(
        r.body["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["name"] == "userName")
    );
    assert_eq!(
        r.body["meta"]["location"],
        format!("{BASE}/acme/Schemas/{USER}")
    );
    assert_error(&h.get("/acme/Schemas/urn:nope").await, 404, None);

    let r = h.get("/acme/ResourceTypes").await;
    assert_eq!(r.body["totalResults"], 2);
    let r = h.get("/acme/ResourceTypes/User").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["endpoint"], "/Users");
    assert_eq!(r.body["schema"], USER);
    assert_eq!(r.body["schemaExtensions"][0]["required"], false);
    assert_error(&h.get("/acme/ResourceTypes/Device").await, 404, None);
}

// ---- create / read ----

#[tokio::test]
async fn create_answers_201_with_location_etag_and_the_full_resource() {
    let h = harness();
    let r = h
        .post(
            "/acme/Users",
            json!({"schemas": [USER], "userName": "bjensen", "password": "t1meMa$heen",
                   "name": {"givenName": "Barbara"}, "active": "True"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let id = r.body["id"].as_str().unwrap();
    let location = format!("{BASE}/acme/Users/{id}");
    assert_eq!(r.header("location"), Some(location.as_str()));
    assert_eq!(r.body["meta"]["location"], location);
    assert_eq!(r.body["meta"]["resourceType"], "User");
    assert_eq!(r.body["userName"], "bjensen");
    assert_eq!(r.body["active"], true);
    assert_eq!(r.body["name"]["givenName"], "Barbara");
    assert!(
        r.body.get("password").is_none(),
        "passwords are never returned"
    );
    let etag = r.header("etag").unwrap();
    assert!(etag.starts_with("W/\""));
    assert_eq!(r.body["meta"]["version"], etag);

    let dup = h
        .post(
            "/acme/Users",
            json!({"schemas": [USER], "userName": "BJENSEN"}),
        )
        .await;
    assert_error(&dup, 409, Some("uniqueness"));
}

#[tokio::test]
async fn content_types_json_and_scim_json_are_accepted() {
    let h = harness();
    for (i, ct) in [
        Some("application/json"),
        Some("application/scim+json; charset=utf-8"),
        Some("application/json;charset=UTF-8"),
        None,
    ]
    .into_iter()
    .enumerate()
    {
        let mut b =
            Request::post("/acme/Users").header("authorization", format!("Bearer {}", h.key));
        if let Some(ct) = ct {
            b = b.header("content-type", ct);
        }
        let body = json!({"schemas": [USER], "userName": format!("u{i}")}).to_string();
        let r = h.raw(b.body(Bytes::from(body)).unwrap()).await;
        assert_eq!(r.status, StatusCode::CREATED, "{ct:?}: {}", r.body);
    }
    let r = h
        .raw(
            Request::post("/acme/Users")
                .header("authorization", format!("Bearer {}", h.key))
                .header("content-type", "text/plain")
                .body(Bytes::from(
                    r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"x"}"#,
                ))
                .unwrap(),
        )
        .await;
    assert_error(&r, 415, None);
}

#[tokio::test]
async fn malformed_json_is_invalid_syntax_and_a_large_body_is_413() {
    let h = harness_with(ServerConfig::default().max_body_bytes(200), |b| b);
    let r = h
        .raw(
            Request::post("/acme/Users")
                .header("authorization", format!("Bearer {}", h.key))
                .body(Bytes::from("{\"userName\": "))
                .unwrap(),
        )
        .await;
    assert_error(&r, 400, Some("invalidSyntax"));
    let big = json!({"schemas": [USER], "userName": "x".repeat(300)});
    assert_error(&h.post("/acme/Users", big).await, 413, None);
}

#[tokio::test]
async fn read_sends_the_etag_and_honours_if_none_match() {
    let h = harness();
    let user = h.create_user("bjensen").await;
    let id = user["id"].as_str().unwrap();
    let r = h.get(&format!("/acme/Users/{id}")).await;
    assert_eq!(r.status, StatusCode::OK);
    let etag = r.header("etag").unwrap().to_owned();
    assert_eq!(r.body["meta"]["version"], etag.as_str());

    for condition in [etag.as_str(), "*", etag.trim_start_matches("W/")] {
        let req = Request::get(format!("/acme/Users/{id}"))
            .header("authorization", format!("Bearer {}", h.key))
            .header("if-none-match", condition)
            .body(Bytes::new())
            .unwrap();
        let r = h.raw(req).await;
        assert_eq!(r.status, StatusCode::NOT_MODIFIED, "{condition}");
        assert_eq!(r.header("etag"), Some(etag.as_str()));
        assert_eq!(r.body, Value::Null);
    }
    let req = Request::get(format!("/acme/Users/{id}"))
        .header("authorization", format!("Bearer {}", h.key))
        .header("if-none-match", "W/\"other\"")
        .body(Bytes::new())
        .unwrap();
    assert_eq!(h.raw(req).await.status, StatusCode::OK);
    assert_error(&h.get("/acme/Users/nope").await, 404, None);
}

#[tokio::test]
async fn read_projects_attributes() {
    let h = harness();
    let user = h
        .post(
            "/acme/Users",
            json!({"schemas": [USER], "userName": "bjensen", "displayName": "Babs", "name": {"givenName": "B"}}),
        )
        .await
        .body;
    let id = user["id"].as_str().unwrap();
    let r = h
        .get(&format!("/acme/Users/{id}?attributes=displayName"))
        .await;
    assert_eq!(r.body["displayName"], "Babs");
    assert_eq!(r.body["id"], id);
    assert!(r.body.get("userName").is_none() || r.body["userName"] == "bjensen");
    assert!(r.body.get("name").is_none());
    let r = h
        .get(&format!("/acme/Users/{id}?excludedAttributes=name"))
        .await;
    assert!(r.body.get("name").is_none());
    assert_eq!(r.body["displayName"], "Babs");
}

// ---- list ----

async fn seeded(n: usize) -> Harness {
    let h = harness();
    for i in 0..n {
        h.create_user(&format!("user{i:02}")).await;
    }
    h
}

#[tokio::test]
async fn a_filter_that_matches_nothing_is_200_with_an_empty_list() {
    let h = seeded(1).await;
    // Entra ID's connection test, form-encoded, with a trailing slash.
    let r = h
        .get("/acme/Users/?filter=userName+eq+%22a6bd5f2e-4f9a-4c1e-9bb8-0f6f0a3d2c11%22")
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.body,
        json!({"schemas": [crate::handlers::LIST_RESPONSE_SCHEMA], "totalResults": 0,
               "itemsPerPage": 0, "startIndex": 1, "Resources": []})
    );
}

#[tokio::test]
async fn filters_as_clients_send_them() {
    let h = seeded(3).await;
    for query in [
        "filter=userName+eq+%22USER01%22",
        "filter=userName%20eq%20%22user01%22&",
        "FILTER=userName eq \"user01\"&startIndex=1&count=100",
    ] {
        let r = h
            .get(&format!(
                "/acme/Users?{}",
                query.replace(' ', "%20").replace('"', "%22")
            ))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{query}: {}", r.body);
        assert_eq!(r.body["totalResults"], 1, "{query}");
        assert_eq!(r.body["Resources"][0]["userName"], "user01");
        assert!(
            r.body["Resources"][0]["meta"]["location"]
                .as_str()
                .unwrap()
                .starts_with(BASE)
        );
    }
    assert_error(
        &h.get("/acme/Users?filter=userName+eq").await,
        400,
        Some("invalidFilter"),
    );
}

#[tokio::test]
async fn paging_is_one_based_exact_and_capped() {
    let h = harness_with(ServerConfig::default().max_results(4), |b| b);
    for i in 0..7 {
        h.create_user(&format!("user{i:02}")).await;
    }
    let page = |q: &'static str| {
        let h = &h;
        async move { h.get(&format!("/acme/Users?{q}")).await.body }
    };
    let b = page("startIndex=1&count=3").await;
    assert_eq!(
        (
            b["totalResults"].as_u64(),
            b["itemsPerPage"].as_u64(),
            b["startIndex"].as_u64()
        ),
        (Some(7), Some(3), Some(1))
    );
    let b = page("startIndex=6&count=3").await;
    assert_eq!(
        (b["itemsPerPage"].as_u64(), b["startIndex"].as_u64()),
        (Some(2), Some(6))
    );
    // count above maxResults is capped; startIndex below 1 is 1.
    let b = page("startIndex=0&count=1000").await;
    assert_eq!(
        (b["itemsPerPage"].as_u64(), b["startIndex"].as_u64()),
        (Some(4), Some(1))
    );
    // count=0: only the total.
    let b = page("count=0").await;
    assert_eq!(b["totalResults"], 7);
    assert_eq!(b["Resources"], json!([]));
    // Past the end: an empty page.
    let b = page("startIndex=50").await;
    assert_eq!(
        (b["totalResults"].as_u64(), b["itemsPerPage"].as_u64()),
        (Some(7), Some(0))
    );
    assert_eq!(b["Resources"], json!([]));
    // Stable order across pages.
    let mut seen = Vec::new();
    for start in [1, 4, 7] {
        let b = h
            .get(&format!("/acme/Users?startIndex={start}&count=3"))
            .await
            .body;
        for r in b["Resources"].as_array().unwrap() {
            seen.push(r["id"].as_str().unwrap().to_owned());
        }
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!((seen.len(), unique.len()), (7, 7));
    assert_error(
        &h.get("/acme/Users?count=lots").await,
        400,
        Some("invalidValue"),
    );
}

#[tokio::test]
async fn sorting_and_projection_in_lists() {
    let h = seeded(3).await;
    let b = h
        .get("/acme/Users?sortBy=userName&sortOrder=descending&attributes=userName")
        .await
        .body;
    let names: Vec<&str> = b["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["userName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["user02", "user01", "user00"]);
    assert!(b["Resources"][0].get("meta").is_some() || b["Resources"][0].get("id").is_some());
    assert_error(
        &h.get("/acme/Users?sortBy=userName&sortOrder=sideways")
            .await,
        400,
        Some("invalidValue"),
    );
}

#[tokio::test]
async fn search_with_post() {
    let h = seeded(3).await;
    let r = h
        .post(
            "/acme/Users/.search",
            json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
                   "filter": "userName sw \"user0\"", "startIndex": 2, "count": 1,
                   "attributes": ["userName"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["totalResults"], 3);
    assert_eq!(r.body["itemsPerPage"], 1);
    assert_eq!(r.body["startIndex"], 2);
    assert_error(
        &h.post("/acme/Users/.search", json!([1])).await,
        400,
        Some("invalidSyntax"),
    );
}

#[tokio::test]
async fn root_search_spans_resource_types() {
    let h = seeded(2).await;
    h.post(
        "/acme/Groups",
        json!({"schemas": [GROUP], "displayName": "Admins"}),
    )
    .await;
    let r = h.post("/acme/.search", json!({"count": 10})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["totalResults"], 3);
    let types: Vec<&str> = r.body["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["meta"]["resourceType"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["User", "User", "Group"]);
    let r = h
        .post("/acme/.search", json!({"startIndex": 2, "count": 2}))
        .await;
    let types: Vec<&str> = r.body["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["meta"]["resourceType"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["User", "Group"]);
    let r = h
        .post(
            "/acme/.search",
            json!({"filter": "displayName eq \"Admins\""}),
        )
        .await;
    assert_eq!(r.body["totalResults"], 1);
}

// ---- replace / delete ----

#[tokio::test]
async fn replace_honours_if_match() {
    let h = harness();
    let user = h.create_user("bjensen").await;
    let id = user["id"].as_str().unwrap();
    let version = user["meta"]["version"].as_str().unwrap();
    let put = |if_match: &str, name: &str| {
        Request::put(format!("/acme/Users/{id}"))
            .header("authorization", format!("Bearer {}", h.key))
            .header("if-match", if_match)
            .body(Bytes::from(
                json!({"schemas": [USER], "userName": name, "groups": []}).to_string(),
            ))
            .unwrap()
    };
    assert_error(&h.raw(put("W/\"stale\"", "x")).await, 412, None);
    let r = h.raw(put(version, "barbara")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["userName"], "barbara");
    assert_ne!(r.header("etag"), Some(version));
    assert_eq!(r.body["meta"]["version"], r.header("etag").unwrap());
    // The old version no longer matches.
    assert_error(&h.raw(put(version, "y")).await, 412, None);
    // Without If-Match, PUT just replaces.
    let r = h
        .send(
            Method::PUT,
            &format!("/acme/Users/{id}"),
            Some(json!({"schemas": [USER], "userName": "z"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_error(
        &h.send(
            Method::PUT,
            "/acme/Users/nope",
            Some(json!({"schemas": [USER], "userName": "z"})),
        )
        .await,
        404,
        None,
    );
}

#[tokio::test]
async fn delete_answers_204_and_honours_if_match() {
    let h = harness();
    let user = h.create_user("bjensen").await;
    let id = user["id"].as_str().unwrap();
    let del = |if_match: &str| {
        Request::delete(format!("/acme/Users/{id}"))
            .header("authorization", format!("Bearer {}", h.key))
            .header("if-match", if_match)
            .body(Bytes::new())
            .unwrap()
    };
    assert_error(&h.raw(del("W/\"nope\"")).await, 412, None);
    let r = h.raw(del(user["meta"]["version"].as_str().unwrap())).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(r.body, Value::Null);
    assert_error(&h.get(&format!("/acme/Users/{id}")).await, 404, None);
    assert_error(
        &h.send(Method::DELETE, &format!("/acme/Users/{id}"), None)
            .await,
        404,
        None,
    );
}

// ---- references ----

#[tokio::test]
async fn member_and_group_refs_are_absolute() {
    let h = harness();
    let user = h.create_user("bjensen").await;
    let uid = user["id"].as_str().unwrap();
    let group = h
        .post(
            "/acme/Groups",
            json!({"schemas": [GROUP], "displayName": "Admins", "members": [{"value": uid}]}),
        )
        .await;
    assert_eq!(group.status, StatusCode::CREATED, "{}", group.body);
    let gid = group.body["id"].as_str().unwrap();
    assert_eq!(
        group.body["members"][0]["$ref"],
        format!("{BASE}/acme/Users/{uid}")
    );
    let user = h.get(&format!("/acme/Users/{uid}")).await.body;
    assert_eq!(user["groups"][0]["value"], gid);
    assert_eq!(
        user["groups"][0]["$ref"],
        format!("{BASE}/acme/Groups/{gid}")
    );
}

#[tokio::test]
async fn locations_from_host_and_mount_prefix() {
    let (keys, key) = keys();
    let server = ScimServer::builder()
        .store(InMemoryStore::new())
        .api_keys(keys)
        .rate_limiter(NoRateLimit)
        .build()
        .unwrap();
    let h = Harness { server, key };
    let mut request = Request::post("/acme/Users")
        .header("authorization", format!("Bearer {}", h.key))
        .header("host", "localhost:8080")
        .header("x-forwarded-host", "evil.example")
        .body(Bytes::from(
            r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"b"}"#,
        ))
        .unwrap();
    request
        .extensions_mut()
        .insert(MountPrefix("/scim/v2".into()));
    let r = h.raw(request).await;
    let id = r.body["id"].as_str().unwrap();
    assert_eq!(
        r.header("location").unwrap(),
        format!("http://localhost:8080/scim/v2/acme/Users/{id}")
    );
}

// ---- Bulk ----

#[tokio::test]
async fn bulk_resolves_bulk_ids_in_values_and_paths_in_dependency_order() {
    let h = harness();
    let r = h
        .post(
            "/acme/Bulk",
            json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
                   "Operations": [
                {"method": "POST", "path": "/Groups", "bulkId": "g",
                 "data": {"schemas": [GROUP], "displayName": "Tour Guides", "members": [{"type": "User", "value": "bulkId:u"}]}},
                {"method": "POST", "path": "/Users", "bulkId": "u", "data": {"schemas": [USER], "userName": "alice"}},
                {"method": "PUT", "path": "/Users/bulkId:u", "data": {"schemas": [USER], "userName": "alice2"}},
                {"method": "DELETE", "path": "/Users/missing"}
            ]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        r.body["schemas"][0],
        "urn:ietf:params:scim:api:messages:2.0:BulkResponse"
    );
    let ops = r.body["Operations"].as_array().unwrap();
    assert_eq!(ops.len(), 4);
    // The user is created first because the group refers to it.
    assert_eq!(
        (ops[0]["bulkId"].as_str(), ops[0]["status"].as_str()),
        (Some("u"), Some("201"))
    );
    assert_eq!(
        (ops[1]["bulkId"].as_str(), ops[1]["status"].as_str()),
        (Some("g"), Some("201"))
    );
    assert_eq!(ops[2]["status"], "200");
    assert_eq!(ops[3]["status"], "404");
    assert_eq!(ops[3]["response"]["status"], "404");
    let uid = ops[0]["location"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap();
    assert!(ops[0]["version"].as_str().unwrap().starts_with("W/"));
    let group = h
        .get(
            ops[1]["location"]
                .as_str()
                .unwrap()
                .trim_start_matches(BASE),
        )
        .await
        .body;
    assert_eq!(group["members"][0]["value"], uid);
    let user = h.get(&format!("/acme/Users/{uid}")).await.body;
    assert_eq!(user["userName"], "alice2");
}

#[tokio::test]
async fn bulk_detects_circular_references() {
    let h = harness();
    let r = h
        .post(
            "/acme/Bulk",
            json!({"Operations": [
                {"method": "POST", "path": "/Groups", "bulkId": "a",
                 "data": {"schemas": [GROUP], "displayName": "A", "members": [{"type": "Group", "value": "bulkId:b"}]}},
                {"method": "POST", "path": "/Groups", "bulkId": "b",
                 "data": {"schemas": [GROUP], "displayName": "B", "members": [{"type": "Group", "value": "bulkId:a"}]}},
                {"method": "POST", "path": "/Users", "bulkId": "c", "data": {"schemas": [USER], "userName": "c"}}
            ]}),
        )
        .await;
    let ops = r.body["Operations"].as_array().unwrap();
    assert_eq!(ops[0]["bulkId"], "c");
    assert_eq!(ops[0]["status"], "201");
    assert_eq!(ops[1]["status"], "409");
    assert_eq!(ops[2]["status"], "409");
}

#[tokio::test]
async fn bulk_fail_on_errors_stops_processing() {
    let h = harness();
    let r = h
        .post(
            "/acme/Bulk",
            json!({"failOnErrors": 1, "Operations": [
                {"method": "POST", "path": "/Users", "bulkId": "1", "data": {"schemas": [USER], "userName": "dup"}},
                {"method": "POST", "path": "/Users", "bulkId": "2", "data": {"schemas": [USER], "userName": "dup"}},
                {"method": "POST", "path": "/Users", "bulkId": "3", "data": {"schemas": [USER], "userName": "other"}}
            ]}),
        )
        .await;
    let ops = r.body["Operations"].as_array().unwrap();
    assert_eq!(ops.len(), 2);
    assert_eq!(ops[1]["status"], "409");
    assert_eq!(ops[1]["response"]["scimType"], "uniqueness");
    assert_eq!(
        h.get("/acme/Users?filter=userName+eq+%22other%22")
            .await
            .body["totalResults"],
        0
    );
}

#[tokio::test]
async fn bulk_limits_are_413() {
    let h = harness_with(
        ServerConfig::default()
            .bulk_max_operations(2)
            .bulk_max_payload_bytes(400),
        |b| b,
    );
    let op = json!({"method": "DELETE", "path": "/Users/x"});
    let r = h
        .post("/acme/Bulk", json!({"Operations": [op, op, op]}))
        .await;
    assert_error(&r, 413, None);
    let big = json!({"Operations": [{"method": "POST", "path": "/Users", "bulkId": "a", "data": {"schemas": [USER], "userName": "x".repeat(500)}}]});
    assert_error(&h.post("/acme/Bulk", big).await, 413, None);
    let r = h.post("/acme/Bulk", json!({"Operations": [{"method": "POST", "path": "/Users", "data": {"schemas": [USER], "userName": "a"}}]})).await;
    assert_eq!(
        r.body["Operations"][0]["status"], "400",
        "a POST without bulkId"
    );
}

// ---- /Me ----

#[tokio::test]
async fn me_is_501_without_a_resolver() {
    let h = harness();
    assert_error(&h.get("/acme/Me").await, 501, None);
}

#[tokio::test]
async fn me_resolves_to_the_principals_resource() {
    let store = InMemoryStore::new();
    let server = ScimServer::builder()
        .store(store)
        .rate_limiter(NoRateLimit)
        .base_url(BASE)
        .me_resolver(|p: Principal| async move { Some(("User".to_owned(), p.label)) })
        .build()
        .unwrap();
    let req = |method: Method, path: &str, principal: Principal, body: &str| {
        let mut r = Request::builder()
            .method(method)
            .uri(path)
            .body(Bytes::from(body.to_owned()))
            .unwrap();
        r.extensions_mut().insert(principal);
        r
    };
    let admin = Principal::new("acme", ["SCIM2"]);
    let created = server
        .handle(req(
            Method::POST,
            "/acme/Users",
            admin,
            r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"me"}"#,
        ))
        .await;
    let created: Value = serde_json::from_slice(created.body()).unwrap();
    let me = Principal::new("acme", ["SCIM2"]).with_label(created["id"].as_str().unwrap());
    let r = server.handle(req(Method::GET, "/acme/Me", me, "")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = serde_json::from_slice(r.body()).unwrap();
    assert_eq!(body["userName"], "me");
}

// ---- routing ----

#[tokio::test]
async fn unknown_paths_are_404_and_wrong_methods_405_with_allow() {
    let h = harness();
    assert_error(&h.get("/acme/Devices").await, 404, None);
    assert_error(&h.get("/acme/Users/1/2").await, 404, None);
    let r = h.send(Method::DELETE, "/acme/Users", None).await;
    assert_error(&r, 405, None);
    assert_eq!(r.header("allow"), Some("GET, POST"));
    let r = h.get("/acme/Bulk").await;
    assert_eq!(r.header("allow"), Some("POST"));
    assert_error(&h.get("/").await, 404, None);
}

// ---- authentication ----

#[tokio::test]
async fn authentication_rules() {
    let h = harness();
    let send = |auth: Option<&str>| {
        let mut b = Request::get("/acme/Users");
        if let Some(a) = auth {
            b = b.header("authorization", a);
        }
        h.raw(b.body(Bytes::new()).unwrap())
    };
    for bad in [
        None,
        Some("Bearer nope"),
        Some("Basic YWxhZGRpbjpvcGVuc2VzYW1l"),
        Some("Bearer "),
        Some("Bearer"),
    ] {
        let r = send(bad).await;
        assert_error(&r, 401, None);
        assert_eq!(r.header("www-authenticate"), Some("Bearer"), "{bad:?}");
    }
    let good = format!("Bearer {}", h.key);
    assert_eq!(send(Some(&good)).await.status, StatusCode::OK);
    let lower = format!("bearer {}", h.key);
    assert_eq!(send(Some(&lower)).await.status, StatusCode::OK);

    // A key of another tenant, and a key without the SCIM2 scope: 403.
    let keys = h.server.api_keys().unwrap();
    let other = keys.create("globex", ["SCIM2"], "other").unwrap().secret;
    assert_error(&send(Some(&format!("Bearer {other}"))).await, 403, None);
    let readonly = keys.create("acme", ["read"], "no scope").unwrap().secret;
    assert_error(&send(Some(&format!("Bearer {readonly}"))).await, 403, None);
}

#[tokio::test]
async fn a_principal_from_the_host_app_replaces_the_header() {
    let h = harness();
    let req = |p: Principal| {
        let mut r = Request::get("/acme/Users").body(Bytes::new()).unwrap();
        r.extensions_mut().insert(p);
        r
    };
    assert_eq!(
        h.raw(req(Principal::new("acme", ["scim2"]))).await.status,
        StatusCode::OK
    );
    assert_error(
        &h.raw(req(Principal::new("globex", ["SCIM2"]))).await,
        403,
        None,
    );
    assert_error(
        &h.raw(req(Principal::new("acme", ["other"]))).await,
        403,
        None,
    );
}

#[tokio::test]
async fn a_custom_authenticator_closure() {
    let server = ScimServer::builder()
        .store(InMemoryStore::new())
        .authenticator(|token: String| async move {
            Ok((token == "let-me-in").then(|| Principal::new("acme", ["SCIM2"])))
        })
        .build()
        .unwrap();
    assert!(server.api_keys().is_none());
    let r = server
        .handle(
            Request::get("/acme/Users")
                .header("authorization", "Bearer let-me-in")
                .body(Bytes::new())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
}

// ---- rate limiting ----

fn limited(per_minute: u32) -> (Harness, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new());
    let limiter = TenantRateLimiter::with_clock(per_minute, clock.clone());
    let h = harness_with(ServerConfig::default(), |b| b.rate_limiter(limiter));
    (h, clock)
}

#[tokio::test]
async fn over_the_limit_is_429_with_retry_after_and_headers_on_every_response() {
    let (h, clock) = limited(3);
    for remaining in [2, 1, 0] {
        let r = h.get("/acme/Users").await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.header("ratelimit-limit"), Some("3"));
        assert_eq!(
            r.header("ratelimit-remaining"),
            Some(remaining.to_string().as_str())
        );
        assert!(r.header("ratelimit-reset").is_some());
    }
    let r = h.get("/acme/Users").await;
    assert_error(&r, 429, None);
    assert_eq!(r.header("retry-after"), Some("20"));
    assert_eq!(r.header("ratelimit-remaining"), Some("0"));
    clock.advance(Duration::from_secs(20));
    assert_eq!(h.get("/acme/Users").await.status, StatusCode::OK);
}

#[tokio::test]
async fn one_tenants_429_leaves_another_tenant_served() {
    let (h, _) = limited(2);
    let globex = h
        .server
        .api_keys()
        .unwrap()
        .create("globex", ["SCIM2"], "g")
        .unwrap()
        .secret;
    for _ in 0..5 {
        h.get("/acme/Users").await;
    }
    assert_eq!(
        h.get("/acme/Users").await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    let r = h
        .raw(
            Request::get("/globex/Users")
                .header("authorization", format!("Bearer {globex}"))
                .body(Bytes::new())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("ratelimit-remaining"), Some("1"));
}

#[tokio::test]
async fn a_flood_of_bad_keys_leaves_the_real_keys_budget_untouched() {
    let (h, _) = limited(5);
    for _ in 0..50 {
        let r = h
            .raw(
                Request::get("/acme/Users")
                    .header("authorization", "Bearer guess")
                    .body(Bytes::new())
                    .unwrap(),
            )
            .await;
        assert!(matches!(r.status.as_u16(), 401 | 429));
    }
    let r = h
        .raw(
            Request::get("/acme/Users")
                .header("authorization", "Bearer guess")
                .body(Bytes::new())
                .unwrap(),
        )
        .await;
    assert_error(&r, 429, None);
    let r = h.get("/acme/Users").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("ratelimit-remaining"), Some("4"));
}

// ---- PATCH ----

const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

#[tokio::test]
async fn patch_answers_200_with_the_projected_resource_and_honours_if_match() {
    let h = harness();
    let user = h.create_user("bjensen").await;
    let id = user["id"].as_str().unwrap();
    let version = user["meta"]["version"].as_str().unwrap();
    // Entra ID: capitalised op, boolean as a string.
    let body = json!({"schemas": [PATCH_OP], "Operations": [{"op": "Replace", "path": "active", "value": "False"}]});
    let req = |if_match: &str, query: &str| {
        Request::patch(format!("/acme/Users/{id}{query}"))
            .header("authorization", format!("Bearer {}", h.key))
            .header("if-match", if_match)
            .body(Bytes::from(body.to_string()))
            .unwrap()
    };
    assert_error(&h.raw(req("W/\"old\"", "")).await, 412, None);
    let r = h.raw(req(version, "?attributes=active")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["active"], false);
    assert!(r.body.get("userName").is_none() || r.body["userName"] == "bjensen");
    assert_eq!(r.body["meta"]["version"], r.header("etag").unwrap());
    assert_ne!(r.header("etag"), Some(version));
    let r = h
        .send(Method::PATCH, "/acme/Users/nope", Some(body.clone()))
        .await;
    assert_error(&r, 404, None);
    let bad = json!({"schemas": [PATCH_OP], "Operations": [{"op": "jump", "path": "active"}]});
    let r = h
        .send(Method::PATCH, &format!("/acme/Users/{id}"), Some(bad))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn patch_adding_a_group_member_and_204_by_configuration() {
    let h = harness_with(
        ServerConfig::default().patch_response(crate::PatchResponse::NoContent),
        |b| b,
    );
    let user = h.create_user("bjensen").await;
    let uid = user["id"].as_str().unwrap();
    let group = h
        .post(
            "/acme/Groups",
            json!({"schemas": [GROUP], "displayName": "Admins"}),
        )
        .await
        .body;
    let gid = group["id"].as_str().unwrap();
    let r = h
        .send(
            Method::PATCH,
            &format!("/acme/Groups/{gid}"),
            Some(json!({"schemas": [PATCH_OP], "Operations": [
                {"op": "Add", "path": "members", "value": [{"$ref": null, "value": uid}]}]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert!(r.header("etag").unwrap().starts_with("W/"));
    let group = h.get(&format!("/acme/Groups/{gid}")).await.body;
    assert_eq!(group["members"][0]["value"], uid);
    assert_eq!(
        group["members"][0]["$ref"],
        format!("{BASE}/acme/Users/{uid}")
    );
}

#[tokio::test]
async fn patch_cannot_change_a_password_without_change_password() {
    let h = harness();
    let user = h.create_user("bjensen").await;
    let id = user["id"].as_str().unwrap();
    let r = h
        .send(
            Method::PATCH,
            &format!("/acme/Users/{id}"),
            Some(json!({"schemas": [PATCH_OP], "Operations": [{"op": "replace", "path": "password", "value": "x"}]})),
        )
        .await;
    assert_error(&r, 400, Some("mutability"));
}

#[tokio::test]
async fn bulk_patch_with_a_bulk_id_path() {
    let h = harness();
    let r = h
        .post(
            "/acme/Bulk",
            json!({"Operations": [
                {"method": "POST", "path": "/Users", "bulkId": "u", "data": {"schemas": [USER], "userName": "u"}},
                {"method": "POST", "path": "/Groups", "bulkId": "g", "data": {"schemas": [GROUP], "displayName": "G"}},
                {"method": "PATCH", "path": "/Groups/bulkId:g", "data": {"schemas": [PATCH_OP],
                    "Operations": [{"op": "add", "path": "members", "value": [{"value": "bulkId:u"}]}]}}
            ]}),
        )
        .await;
    let ops = r.body["Operations"].as_array().unwrap();
    assert_eq!(ops[2]["status"], "200", "{}", r.body);
    let group = h
        .get(
            ops[1]["location"]
                .as_str()
                .unwrap()
                .trim_start_matches(BASE),
        )
        .await
        .body;
    let uid = ops[0]["location"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap();
    assert_eq!(group["members"][0]["value"], uid);
}

/// Replaces the values a store makes up (id, timestamps) so that a snapshot pins the
/// wire format and nothing else.
fn normalize(mut v: Value) -> Value {
    if let Some(resources) = v.get_mut("Resources").and_then(Value::as_array_mut) {
        for r in resources {
            let id = r["id"].as_str().unwrap_or_default().to_owned();
            r["id"] = json!("<id>");
            r["meta"]["created"] = json!("<created>");
            r["meta"]["lastModified"] = json!("<lastModified>");
            let location = r["meta"]["location"]
                .as_str()
                .unwrap_or_default()
                .replace(&id, "<id>");
            r["meta"]["location"] = json!(location);
        }
    }
    v
}

#[tokio::test]
async fn list_response_wire_format_is_pinned() {
    let h = harness();
    let created = h
        .send(
            Method::POST,
            "/acme/Users",
            Some(
                json!({"schemas": [USER], "userName": "bjensen", "externalId": "bj",
                "name": {"givenName": "Barbara", "familyName": "Jensen"}, "active": true,
                "emails": [{"value": "bjensen@example.com", "type": "work", "primary": true}]}),
            ),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    let page = h
        .send(
            Method::GET,
            "/acme/Users?filter=userName+eq+%22BJENSEN%22&count=10",
            None,
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    insta::assert_json_snapshot!("list_response", normalize(page.body));
    let empty = h
        .send(
            Method::GET,
            "/acme/Users?filter=userName+eq+%22nobody%22",
            None,
        )
        .await;
    insta::assert_json_snapshot!("list_response_empty", empty.body);
}

#[tokio::test]
async fn error_body_wire_format_is_pinned() {
    let h = harness();
    let missing = h
        .send(Method::GET, "/acme/Users/does-not-exist", None)
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    insta::assert_json_snapshot!("error_not_found", missing.body);
    let bad_filter = h
        .send(Method::GET, "/acme/Users?filter=userName+eq", None)
        .await;
    assert_eq!(bad_filter.status, StatusCode::BAD_REQUEST);
    insta::assert_json_snapshot!("error_invalid_filter", bad_filter.body);
}
