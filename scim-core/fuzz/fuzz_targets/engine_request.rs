//! Whole requests through `ScimServer::handle`, which also reaches the crate-private
//! wire parsers (query string, `.search` body, `If-Match`, content types, routing,
//! Bulk) without making them public.
//!
//! The input reads like an HTTP request, so that seeds stay legible:
//!
//! ```text
//! PATCH /Users/{user}?attributes=userName
//! Authorization: Bearer fuzz-acme-key
//! If-Match: W/"1"
//! Content-Type: application/scim+json
//!
//! {"Operations":[...]}
//! ```
//!
//! The method is one of a small set (anything else picks one by length); the path is
//! appended to `/acme`; `{user}` and `{group}` in the path and body become the ids of
//! the seeded user and group (the store makes random ids). A header
//! `x-fuzz-config: strict` serves the request with `ServerConfig::strict()`, and
//! `x-fuzz-config: small` with request limits the seeded resources sit at (one element
//! per multi-valued attribute, 64-byte strings, two attribute names, PATCH work 3, three
//! resources per tenant), so that inputs cross them.
//!
//! Each input gets a fresh server (an `InMemoryStore` holding one user in one group,
//! three API keys), so runs are reproducible. Invariants: never a 5xx (but the 501 of
//! an unsupported `/Me`); every response
//! carries `content-type: application/scim+json; charset=utf-8`; 204 and 304 have no
//! body; every other body is JSON, and an error body is a SCIM error whose `status`
//! matches the response's; a 401 carries `WWW-Authenticate`, a 201 a `Location`; every
//! response carries `Cache-Control: no-store`.
#![no_main]

use std::sync::OnceLock;

use bytes::Bytes;
use http::{HeaderName, HeaderValue, Method, Request, StatusCode, header};
use libfuzzer_sys::fuzz_target;
use scim_core::{ApiKeyStore, InMemoryStore, RequestContext, Resource, ResourceStore, SchemaRegistry, ScimServer, ServerConfig, error::{ERROR_SCHEMA, SCIM_CONTENT_TYPE}, rate_limit::NoRateLimit, schema::ValidationOptions};
use serde_json::{Value, json};
use tokio::runtime::Runtime;

const METHODS: [Method; 7] = [
    Method::GET,
    Method::POST,
    Method::PUT,
    Method::PATCH,
    Method::DELETE,
    Method::HEAD,
    Method::OPTIONS,
];

fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a current-thread runtime")
    })
}

fn registry() -> &'static SchemaRegistry {
    static REGISTRY: OnceLock<SchemaRegistry> = OnceLock::new();
    REGISTRY.get_or_init(SchemaRegistry::with_builtins)
}

/// A server with one user (`bjensen`) in one group (`Tour Guides`); the ids.
async fn server(mode: Mode) -> (ScimServer, String, String) {
    let store = InMemoryStore::new();
    let ctx = RequestContext::new("acme");
    let registry = registry();
    let users = registry.resource_type("User").expect("built-in User");
    let groups = registry.resource_type("Group").expect("built-in Group");
    let opts = ValidationOptions::default();
    let user = Resource::parse_value(
        json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
               "userName": "bjensen", "externalId": "701984", "active": true,
               "name": {"givenName": "Barbara", "familyName": "Jensen"},
               "emails": [{"value": "bjensen@example.com", "type": "work", "primary": true}]}),
        users,
        &opts,
    )
    .expect("a valid user");
    let user = store.create(&ctx, users, user).await.expect("seed user");
    let user_id = user.id().unwrap_or_default().to_owned();
    let group = Resource::parse_value(
        json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
               "displayName": "Tour Guides", "members": [{"value": user_id}]}),
        groups,
        &opts,
    )
    .expect("a valid group");
    let group = store.create(&ctx, groups, group).await.expect("seed group");
    let group_id = group.id().unwrap_or_default().to_owned();

    let keys = ApiKeyStore::new();
    keys.insert("acme", "fuzz-acme-key", ["SCIM2"])
        .await
        .expect("key");
    keys.insert("globex", "fuzz-globex-key", ["SCIM2"])
        .await
        .expect("key");
    keys.insert("acme", "fuzz-noscope-key", ["read"])
        .await
        .expect("key");
    let config = match mode {
        Mode::Default => ServerConfig::default(),
        Mode::Strict => ServerConfig::strict(),
        // Limits the seeded resources sit at, so that one more element, byte, name,
        // operation or resource crosses them.
        Mode::Small => ServerConfig::default()
            .max_multi_valued(1)
            .max_string_bytes(64)
            .max_attribute_names(2)
            .max_patch_work(3)
            .tenant_concurrency(1)
            .max_resources_per_tenant(3)
            .bulk_max_operations(3),
    };
    let server = ScimServer::builder()
        .store(store)
        .api_keys(keys)
        .rate_limiter(NoRateLimit)
        .config(config.base_url("https://app.example.com/scim/v2"))
        .build()
        .expect("a valid configuration");
    (server, user_id, group_id)
}

/// The configuration an input is served with (`x-fuzz-config`).
#[derive(Clone, Copy)]
enum Mode {
    Default,
    Strict,
    Small,
}

struct Input<'a> {
    method: Method,
    path: &'a str,
    headers: Vec<(&'a str, &'a str)>,
    body: &'a [u8],
}

fn split_input(data: &[u8]) -> Option<Input<'_>> {
    // Head and body are split at the first blank line; the head must be UTF-8.
    let (head, body) = match data.windows(2).position(|w| w == b"\n\n") {
        Some(i) => (data.get(..i)?, data.get(i + 2..)?),
        None => (data, &b""[..]),
    };
    let head = std::str::from_utf8(head).ok()?;
    let mut lines = head.split('\n');
    let request_line = lines.next()?;
    let (method, path) = request_line.split_once(' ').unwrap_or((request_line, ""));
    let method = METHODS
        .iter()
        .find(|m| m.as_str() == method)
        .unwrap_or(&METHODS[method.len() % METHODS.len()])
        .clone();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim(), v.trim()))
        .collect();
    Some(Input {
        method,
        path,
        headers,
        body,
    })
}

fuzz_target!(|data: &[u8]| {
    let Some(input) = split_input(data) else {
        return;
    };
    let mode = input
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("x-fuzz-config"))
        .map_or(Mode::Default, |(_, v)| match *v {
            "strict" => Mode::Strict,
            "small" => Mode::Small,
            _ => Mode::Default,
        });
    runtime().block_on(async {
        let (server, user, group) = server(mode).await;
        let ids = |s: &str| s.replace("{user}", &user).replace("{group}", &group);
        let Ok(uri) = http::Uri::try_from(format!("/acme{}", ids(input.path))) else {
            return; // an adapter never hands the engine an invalid URI
        };
        let mut request = Request::builder().method(input.method.clone()).uri(uri);
        for (name, value) in &input.headers {
            if let (Ok(n), Ok(v)) = (HeaderName::try_from(*name), HeaderValue::try_from(*value)) {
                request = request.header(n, v);
            }
        }
        let body = match std::str::from_utf8(input.body) {
            Ok(text) => Bytes::from(ids(text)),
            Err(_) => Bytes::copy_from_slice(input.body),
        };
        let Ok(request) = request.body(body) else {
            return;
        };
        let response = server.handle(request.map(http_body_util::Full::new)).await;
        if trace() {
            eprintln!(
                "{} {}",
                response.status(),
                String::from_utf8_lossy(response.body())
            );
        }
        check(&response);
    });
});

/// `FUZZ_TRACE=1` prints each response (to see what the seeds reach).
fn trace() -> bool {
    static TRACE: OnceLock<bool> = OnceLock::new();
    *TRACE.get_or_init(|| std::env::var_os("FUZZ_TRACE").is_some())
}

fn check(response: &http::Response<Bytes>) {
    let status = response.status();
    let body = response.body();
    assert_eq!(
        response.headers().get(header::CACHE_CONTROL).map(HeaderValue::as_bytes),
        Some(&b"no-store"[..]),
        "{status}: every response is marked no-store"
    );
    // 501 is RFC 7644 §3.11's answer to /Me when the host app resolves no `Me`.
    assert!(
        !status.is_server_error() || status == StatusCode::NOT_IMPLEMENTED,
        "{status}: {}",
        String::from_utf8_lossy(body)
    );
    assert_eq!(
        response
            .headers()
            .get(header::CONTENT_TYPE)
            .map(HeaderValue::as_bytes),
        Some(SCIM_CONTENT_TYPE.as_bytes()),
        "{status} without the SCIM content type"
    );
    if status == StatusCode::NO_CONTENT || status == StatusCode::NOT_MODIFIED {
        assert!(body.is_empty(), "{status} with a body");
        return;
    }
    let json: Value = match serde_json::from_slice(body) {
        Ok(json) => json,
        Err(e) => panic!("{status} with a body that is not JSON ({e}): {body:?}"),
    };
    if status.is_client_error() || status.is_server_error() {
        assert_eq!(json["schemas"][0], ERROR_SCHEMA, "{status}: {json}");
        assert_eq!(json["status"], status.as_str(), "{status}: {json}");
    }
    if status == StatusCode::UNAUTHORIZED {
        assert!(
            response.headers().contains_key(header::WWW_AUTHENTICATE),
            "401 without WWW-Authenticate"
        );
    }
    if status == StatusCode::CREATED {
        assert!(
            response.headers().contains_key(header::LOCATION),
            "201 without Location"
        );
    }
}
