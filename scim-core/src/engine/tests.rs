//! Engine tests that need the crate's privacy or a request no HTTP client can send: the
//! rate limiter on a manual clock, request bodies that count how often they are polled,
//! and the wire-format snapshots. Everything a client can observe over HTTP is in the
//! conformance suite (`tests/src/cases`), which runs against the engine and through
//! each adapter.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::Full;
use serde_json::{Value, json};

use crate::rate_limit::ManualClock;
use crate::{
    ApiKeyStore, ClientAddr, InMemoryStore, ScimServer, ServerConfig, TenantRateLimiter,
    rate_limit::NoRateLimit,
};

const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
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
    // The in-memory storage never waits: one poll finishes the call, in or out of a
    // runtime.
    let mut context = std::task::Context::from_waker(std::task::Waker::noop());
    let std::task::Poll::Ready(key) =
        std::pin::pin!(keys.create("acme", ["SCIM2"], "test")).poll(&mut context)
    else {
        panic!("the in-memory key storage waited");
    };
    (keys, key.unwrap().secret)
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
        .config(config.base_url(BASE));
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
        let response = self.server.handle(request.map(Full::new)).await;
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
}

fn assert_error(r: &Reply, status: u16, scim_type: Option<&str>) {
    assert_eq!(r.status.as_u16(), status, "{}", r.body);
    assert_eq!(r.body["schemas"][0], crate::error::ERROR_SCHEMA);
    assert_eq!(r.body["status"], status.to_string());
    if let Some(t) = scim_type {
        assert_eq!(r.body["scimType"], t, "{}", r.body);
    }
}

// ---- rate limiting, on a manual clock ----

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
async fn a_one_operation_bulk_costs_one_request_even_as_the_last_of_the_budget() {
    let (h, _clock) = limited(3);
    for _ in 0..2 {
        assert_eq!(h.get("/acme/Users").await.status, StatusCode::OK);
    }
    let bulk = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
        "Operations": [{"method": "POST", "path": "/Users", "bulkId": "u",
                        "data": {"schemas": [USER], "userName": "last-token"}}]
    });
    let r = h.send(Method::POST, "/acme/Bulk", Some(bulk)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["Operations"][0]["status"], "201");
    assert_eq!(r.header("ratelimit-remaining"), Some("0"));
    assert_error(&h.get("/acme/Users").await, 429, None);
}

fn guarded(per_minute: u32, per_client: u32, total: u32) -> Harness {
    let limiter = TenantRateLimiter::with_clock(per_minute, Arc::new(ManualClock::new()))
        .with_failed_auth_limits(per_client, total);
    harness_with(ServerConfig::default(), |b| b.rate_limiter(limiter))
}

fn from(ip: [u8; 4], path: &str, token: &str) -> Request<Bytes> {
    let mut request = Request::get(path)
        .header("authorization", format!("Bearer {token}"))
        .body(Bytes::new())
        .unwrap();
    request
        .extensions_mut()
        .insert(ClientAddr(std::net::IpAddr::from(ip)));
    request
}

#[tokio::test]
async fn a_flood_of_bad_keys_leaves_the_real_keys_budget_untouched() {
    let h = guarded(5, 3, 1000);
    for _ in 0..50 {
        let r = h.raw(from([203, 0, 113, 1], "/acme/Users", "guess")).await;
        assert!(matches!(r.status.as_u16(), 401 | 429));
    }
    let r = h.raw(from([203, 0, 113, 1], "/acme/Users", "guess")).await;
    assert_error(&r, 429, None);
    let r = h.raw(from([198, 51, 100, 2], "/acme/Users", &h.key)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("ratelimit-remaining"), Some("4"));
}

#[tokio::test]
async fn guesses_over_many_tenant_segments_share_one_client_budget() {
    let h = guarded(200, 5, 1000);
    let mut checked = 0;
    for i in 0..200 {
        let r = h
            .raw(from([203, 0, 113, 1], &format!("/t{i}/Users"), "guess"))
            .await;
        match r.status.as_u16() {
            401 => checked += 1,
            429 => assert!(r.header("retry-after").is_some()),
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(
        checked, 5,
        "only the client's budget of guesses is looked at"
    );
    // Past its budget the client is refused before its key is looked at, so that even a
    // right guess tells it nothing.
    let r = h.raw(from([203, 0, 113, 1], "/acme/Users", &h.key)).await;
    assert_error(&r, 429, None);
}

#[tokio::test]
async fn failed_authentications_have_a_server_wide_ceiling() {
    let h = guarded(200, 1000, 10);
    let statuses: Vec<u16> = futures_statuses(&h, 30).await;
    assert_eq!(statuses.iter().filter(|s| **s == 401).count(), 10);
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 20);
    // A valid key is never refused by the ceiling: it only counts failures.
    assert_eq!(h.get("/acme/Users").await.status, StatusCode::OK);
}

/// `n` requests with bad keys, each from its own client address.
async fn futures_statuses(h: &Harness, n: u8) -> Vec<u16> {
    let mut statuses = Vec::new();
    for i in 0..n {
        let r = h.raw(from([192, 0, 2, i], "/acme/Users", "guess")).await;
        statuses.push(r.status.as_u16());
    }
    statuses
}

// ---- the body is read only for admitted requests, and never past its limit ----

/// A request body that counts the frames the engine pulls from it.
struct CountingBody {
    polls: Arc<std::sync::atomic::AtomicUsize>,
    chunks: usize,
}

impl http_body::Body for CountingBody {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        self.polls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        if self.chunks == 0 {
            return std::task::Poll::Ready(None);
        }
        self.chunks -= 1;
        std::task::Poll::Ready(Some(Ok(http_body::Frame::data(Bytes::from(vec![
            b' ';
            64 * 1024
        ])))))
    }
}

async fn polls_of(
    server: &ScimServer,
    token: &str,
    chunks: usize,
    length: Option<u64>,
) -> (u16, usize) {
    let polls = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut request = Request::post("/acme/Users")
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/scim+json");
    if let Some(length) = length {
        request = request.header("content-length", length);
    }
    let body = CountingBody {
        polls: polls.clone(),
        chunks,
    };
    let response = server.handle(request.body(body).unwrap()).await;
    (
        response.status().as_u16(),
        polls.load(std::sync::atomic::Ordering::SeqCst),
    )
}

#[tokio::test]
async fn no_body_byte_is_read_before_authentication_and_admission() {
    let (h, _) = limited(1);
    // Unauthenticated: 401, body untouched.
    assert_eq!(polls_of(&h.server, "guess", 4, None).await, (401, 0));
    // Admitted: the body is read (and is not JSON).
    let (status, polls) = polls_of(&h.server, &h.key, 1, None).await;
    assert_eq!(status, 400);
    assert!(polls > 0);
    // Over the tenant's budget: 429, body untouched.
    assert_eq!(polls_of(&h.server, &h.key, 4, None).await, (429, 0));
}

#[tokio::test]
async fn an_oversized_content_length_is_refused_unread() {
    let h = harness_with(ServerConfig::default().max_body_bytes(1000), |b| b);
    assert_eq!(
        polls_of(&h.server, &h.key, 4, Some(1_000_000_000)).await,
        (413, 0)
    );
}

#[tokio::test]
async fn an_undeclared_body_exactly_at_the_limit_is_read_whole() {
    let h = harness_with(ServerConfig::default().max_body_bytes(64 * 1024), |b| b);
    // One 64 KiB chunk of spaces: within the limit, so read and parsed (not JSON: 400).
    assert_eq!(polls_of(&h.server, &h.key, 1, None).await.0, 400);
}

#[tokio::test]
async fn an_undeclared_body_stops_being_read_past_the_limit() {
    let h = harness_with(ServerConfig::default().max_body_bytes(100 * 1024), |b| b);
    // 64 KiB chunks: the second one crosses the limit; the rest is never pulled.
    assert_eq!(polls_of(&h.server, &h.key, 1000, None).await, (413, 2));
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

// ---- what a host app reads of the server ----

#[tokio::test]
async fn the_host_reads_the_service_provider_config_the_endpoint_serves() {
    let h = harness();
    let mut served = h.get("/acme/ServiceProviderConfig").await.body;
    let meta = served
        .as_object_mut()
        .and_then(|o| o.remove("meta"))
        .expect("the endpoint's document has meta");
    assert_eq!(meta["resourceType"], "ServiceProviderConfig");
    let read = h.server.service_provider_config();
    assert_eq!(read, served, "the same document, without meta");
    assert_eq!(read["patch"]["supported"], true);
    assert_eq!(read["changePassword"]["supported"], false);
}

#[tokio::test]
async fn a_host_principal_is_served_only_in_its_own_tenant_and_with_the_scim2_scope() {
    let h = harness();
    let as_host = |path: &str, tenant: &str, scopes: &[&str]| {
        let mut request = Request::get(path).body(Bytes::new()).unwrap();
        request
            .extensions_mut()
            .insert(crate::Principal::new(tenant, scopes.iter().copied()));
        request
    };
    // No bearer token: the host app authenticated the caller itself.
    let users = "/acme/Users";
    let ok = h.raw(as_host(users, "acme", &["SCIM2"])).await;
    assert_eq!(ok.status, StatusCode::OK);
    assert_error(
        &h.raw(as_host(users, "globex", &["SCIM2"])).await,
        403,
        None,
    );
    assert_error(&h.raw(as_host(users, "acme", &["read"])).await, 403, None);
    // Refused by the engine itself, not only by a store that checks the principal:
    // this endpoint never reaches the store, and a host's own store may not check.
    let spc = "/acme/ServiceProviderConfig";
    assert_error(&h.raw(as_host(spc, "globex", &["SCIM2"])).await, 403, None);
}

/// A limiter that admits everything and reports a budget of zero.
struct ZeroBudget;

#[async_trait::async_trait]
impl crate::RateLimiter for ZeroBudget {
    async fn check(
        &self,
        _: &crate::rate_limit::RateLimitKey,
        _: u32,
    ) -> crate::rate_limit::RateLimitDecision {
        crate::rate_limit::RateLimitDecision::unlimited()
    }

    fn tenant_limit(&self, _: &str) -> Option<u32> {
        Some(0)
    }
}

#[tokio::test]
async fn a_zero_budget_from_the_limiter_leaves_bulk_at_its_configured_size() {
    let h = harness_with(ServerConfig::default().bulk_max_operations(7), |b| {
        b.rate_limiter(ZeroBudget)
    });
    let spc = h.get("/acme/ServiceProviderConfig").await.body;
    assert_eq!(
        spc["bulk"]["maxOperations"], 7,
        "not 0: no Bulk could be sent"
    );
}

#[tokio::test]
async fn a_body_exactly_at_the_limit_is_read_and_one_byte_more_is_refused_unread() {
    async fn post(h: &Harness, body: &str) -> Reply {
        let request = Request::post("/acme/Users")
            .header("authorization", format!("Bearer {}", h.key))
            .header("content-type", "application/scim+json")
            .header("content-length", body.len().to_string())
            .body(Bytes::from(body.to_owned()))
            .unwrap();
        h.raw(request).await
    }
    let body = json!({"schemas": [USER], "userName": "at-the-limit"}).to_string();
    let at = harness_with(ServerConfig::default().max_body_bytes(body.len()), |b| b);
    assert_eq!(post(&at, &body).await.status, StatusCode::CREATED);
    let under = harness_with(
        ServerConfig::default().max_body_bytes(body.len() - 1),
        |b| b,
    );
    let r = post(&under, &body).await;
    assert_error(&r, 413, None);
    assert!(
        r.body["detail"]
            .as_str()
            .is_some_and(|d| d.contains(&format!("{} bytes or more", body.len()))),
        "{}",
        r.body
    );
}

/// A store whose backend is down: every call fails.
struct DownStore;

fn down() -> crate::store::StoreError {
    crate::store::StoreError::Backend("connection refused".into())
}

#[async_trait::async_trait]
impl crate::ResourceStore for DownStore {
    async fn create(
        &self,
        _: &crate::RequestContext,
        _: &crate::ResourceType,
        _: crate::Resource,
    ) -> Result<crate::Resource, crate::store::StoreError> {
        Err(down())
    }
    async fn get(
        &self,
        _: &crate::RequestContext,
        _: &crate::ResourceType,
        _: &str,
    ) -> Result<crate::Resource, crate::store::StoreError> {
        Err(down())
    }
    async fn replace(
        &self,
        _: &crate::RequestContext,
        _: &crate::ResourceType,
        _: &str,
        _: crate::Resource,
        _: Option<&str>,
    ) -> Result<crate::Resource, crate::store::StoreError> {
        Err(down())
    }
    async fn patch(
        &self,
        _: &crate::RequestContext,
        _: &crate::ResourceType,
        _: &str,
        _: &crate::patch::PatchRequest,
        _: Option<&str>,
    ) -> Result<crate::Resource, crate::store::StoreError> {
        Err(down())
    }
    async fn delete(
        &self,
        _: &crate::RequestContext,
        _: &crate::ResourceType,
        _: &str,
        _: Option<&str>,
    ) -> Result<(), crate::store::StoreError> {
        Err(down())
    }
    async fn query(
        &self,
        _: &crate::RequestContext,
        _: &crate::ResourceType,
        _: &crate::store::Query,
    ) -> Result<crate::store::QueryResult, crate::store::StoreError> {
        Err(down())
    }
}

/// What a `tracing` subscriber writes, kept for a test to read.
#[derive(Clone, Default)]
struct Captured(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn take(&self) -> String {
        String::from_utf8(std::mem::take(&mut *self.0.lock().unwrap())).unwrap()
    }
}

#[tokio::test]
async fn at_info_a_failed_request_is_logged_with_its_tenant_and_endpoint_and_a_good_one_is_not() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let h = harness();
    assert_eq!(h.get("/acme/Users").await.status, 200);
    assert_eq!(captured.take(), "", "a good request logs nothing at info");

    let h = harness_with(ServerConfig::default(), |b| b.store(DownStore));
    let reply = h.get("/acme/Users/2819c223").await;
    assert_error(&reply, 500, None);
    let text = captured.take();
    let failed = text
        .lines()
        .find(|line| line.contains("SCIM request failed"))
        .unwrap_or_else(|| panic!("no failure logged:\n{text}"));
    for field in [
        "WARN",
        "method=GET",
        "tenant=\"acme\"",
        "endpoint=\"get\"",
        "status=500",
    ] {
        assert!(failed.contains(field), "{field} missing from {failed}");
    }
    assert!(
        !text.contains("2819c223"),
        "the path (the id, a filter) is not logged:\n{text}"
    );
    assert!(text.contains("resource store backend failed"), "{text}");
}

// ---- a path that still begins with the mount prefix (`ScimServer::handle_at`) ----

#[tokio::test]
async fn a_request_below_its_mount_prefix_is_served_and_answered_with_urls_under_it() {
    let (keys, key) = keys();
    let server = ScimServer::builder()
        .store(InMemoryStore::new())
        .api_keys(keys)
        .rate_limiter(NoRateLimit)
        .build()
        .unwrap();
    let request = |method: Method, path: &str, body: &str| {
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header("authorization", format!("Bearer {key}"))
            .header("host", "app.example.com")
            .header("content-type", "application/scim+json")
            .body(Full::new(Bytes::from(body.to_owned())))
            .unwrap();
        // Read by `handle` only: `handle_at` is told its prefix.
        request
            .extensions_mut()
            .insert(crate::MountPrefix("/ignored".into()));
        request
    };
    let user = json!({"schemas": [USER], "userName": "bjensen"}).to_string();
    for prefix in ["/scim/v2", "/scim/v2/"] {
        let created = server
            .handle_at(prefix, request(Method::POST, "/scim/v2/acme/Users", &user))
            .await;
        assert_eq!(created.status(), 201);
        let location = created.headers()["location"].to_str().unwrap().to_owned();
        let id = location
            .strip_prefix("http://app.example.com/scim/v2/acme/Users/")
            .unwrap_or_else(|| panic!("{location}"));
        let path = format!("/scim/v2/acme/Users/{id}");
        let read = server
            .handle_at(prefix, request(Method::GET, &path, ""))
            .await;
        assert_eq!(read.status(), 200);
        let body: Value = serde_json::from_slice(read.body()).unwrap();
        assert_eq!(body["meta"]["location"], location.as_str());
        let deleted = server
            .handle_at(prefix, request(Method::DELETE, &path, ""))
            .await;
        assert_eq!(deleted.status(), 204);
    }
    // The prefix must end at a segment boundary, and the mount point itself is no
    // endpoint; neither is a path that is not below it, even one that would be an
    // endpoint were it not mounted.
    for path in [
        "/scim/v2",
        "/scim/v2/",
        "/scim/v2x/acme/Users",
        "/acme/Users",
        "/",
    ] {
        let response = server
            .handle_at("/scim/v2", request(Method::GET, path, ""))
            .await;
        assert_eq!(response.status(), 404, "{path}");
        let body: Value = serde_json::from_slice(response.body()).unwrap();
        assert_eq!(body["schemas"][0], crate::error::ERROR_SCHEMA, "{path}");
    }
}
