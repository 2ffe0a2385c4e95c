//! A small SCIM client over a [`Harness`]: requests with the tenant's path and token
//! filled in, and responses with assertions that print the exchange when they fail.

use std::rc::Rc;

use bytes::Bytes;
use http::{HeaderMap, Method, Request};
use serde_json::Value;

use crate::harness::{ACME_TOKEN, Harness, MOUNT};

/// The content type SCIM clients send and expect.
pub const SCIM_JSON: &str = "application/scim+json";

/// A SCIM client of one tenant, over a shared harness.
///
/// ```
/// use scim_conformance::{Client, Engine};
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let acme = Client::<Engine>::fixture();
/// acme.get("/ServiceProviderConfig").await.expect_status(200);
/// # }
/// ```
#[derive(Debug)]
pub struct Client<H> {
    harness: Rc<H>,
    tenant: String,
    token: Option<String>,
}

impl<H: Harness> Client<H> {
    /// Tenant `acme` with [`ACME_TOKEN`], on a harness over [`crate::fixture_server`].
    pub fn fixture() -> Self {
        Self::new(H::mount(crate::fixture_server_for::<H>(|b| b)))
    }

    /// Tenant `acme` with [`ACME_TOKEN`], on a harness over
    /// [`crate::strict_fixture_server`] (every leniency off).
    pub fn strict_fixture() -> Self {
        Self::new(H::mount(crate::strict_fixture_server()))
    }

    /// Tenant `acme` with [`ACME_TOKEN`], on `harness`.
    pub fn new(harness: H) -> Self {
        Self {
            harness: Rc::new(harness),
            tenant: "acme".to_owned(),
            token: Some(ACME_TOKEN.to_owned()),
        }
    }

    /// Another client on the same harness (same server), for `tenant` with `token`.
    pub fn as_tenant(&self, tenant: &str, token: Option<&str>) -> Self {
        Self {
            harness: Rc::clone(&self.harness),
            tenant: tenant.to_owned(),
            token: token.map(str::to_owned),
        }
    }

    /// The tenant's base path: `/scim/v2/{tenant}`.
    pub fn base(&self) -> String {
        format!("{MOUNT}/{}", self.tenant)
    }

    /// A request to `path` below the tenant's base path (`/Users?filter=…`).
    pub fn request(&self, method: Method, path: &str) -> Call<'_, H> {
        Call {
            client: self,
            method,
            uri: format!("{}{path}", self.base()),
            headers: vec![
                ("host".to_owned(), "localhost".to_owned()),
                ("accept".to_owned(), SCIM_JSON.to_owned()),
            ],
            token: self.token.clone(),
            body: Bytes::new(),
        }
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> Exchange {
        self.request(Method::GET, path).send().await
    }

    /// `POST path` with a JSON body.
    pub async fn post(&self, path: &str, body: Value) -> Exchange {
        self.request(Method::POST, path).json(&body).send().await
    }

    /// `PUT path` with a JSON body.
    pub async fn put(&self, path: &str, body: Value) -> Exchange {
        self.request(Method::PUT, path).json(&body).send().await
    }

    /// `PATCH path` with a JSON body.
    pub async fn patch(&self, path: &str, body: Value) -> Exchange {
        self.request(Method::PATCH, path).json(&body).send().await
    }

    /// `DELETE path`.
    pub async fn delete(&self, path: &str) -> Exchange {
        self.request(Method::DELETE, path).send().await
    }
}

/// A request being built; [`Call::send`] sends it.
#[derive(Debug)]
pub struct Call<'a, H> {
    client: &'a Client<H>,
    method: Method,
    uri: String,
    headers: Vec<(String, String)>,
    token: Option<String>,
    body: Bytes,
}

impl<H: Harness> Call<'_, H> {
    /// Sets a header (replacing a default one of the same name).
    #[must_use]
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Sends `Authorization: Bearer {token}` instead of the client's token.
    #[must_use]
    pub fn token(mut self, token: &str) -> Self {
        self.token = Some(token.to_owned());
        self
    }

    /// Sends no `Authorization` header.
    #[must_use]
    pub fn no_token(mut self) -> Self {
        self.token = None;
        self
    }

    /// Uses `uri` as the whole request target (e.g. another tenant's path).
    #[must_use]
    pub fn uri(mut self, uri: &str) -> Self {
        uri.clone_into(&mut self.uri);
        self
    }

    /// A JSON body with `Content-Type: application/scim+json`.
    #[must_use]
    pub fn json(self, body: &Value) -> Self {
        self.body(Bytes::from(body.to_string()), SCIM_JSON)
    }

    /// A raw body with a content type.
    #[must_use]
    pub fn body(mut self, body: impl Into<Bytes>, content_type: &str) -> Self {
        self.body = body.into();
        self.header("content-type", content_type)
    }

    /// A raw body without a `Content-Type` header.
    #[must_use]
    pub fn untyped_body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = body.into();
        self.headers
            .retain(|(name, _)| !name.eq_ignore_ascii_case("content-type"));
        self
    }

    /// Sends the request through the harness.
    pub async fn send(self) -> Exchange {
        let mut builder = Request::builder()
            .method(self.method.clone())
            .uri(&self.uri);
        for (name, value) in &self.headers {
            builder = builder.header(name, value);
        }
        if let Some(token) = &self.token {
            builder = builder.header("authorization", format!("Bearer {token}"));
        }
        let request = builder.body(self.body).expect("valid request");
        let response = self.client.harness.send(request).await;
        let (parts, body) = response.into_parts();
        Exchange {
            request: format!("{} {}", self.method, self.uri),
            status: parts.status.as_u16(),
            headers: parts.headers,
            body,
        }
    }
}

/// A response, with the request line kept for failure messages.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// `METHOD uri` of the request.
    pub request: String,
    /// The status code.
    pub status: u16,
    /// The response headers.
    pub headers: HeaderMap,
    /// The response body.
    pub body: Bytes,
}
impl Exchange {
    /// Panics with the whole exchange unless the status is `status`.
    #[track_caller]
    pub fn expect_status(self, status: u16) -> Self {
        if self.status != status {
            panic!(
                "{}: expected {status}, got {}\n{}",
                self.request,
                self.status,
                String::from_utf8_lossy(&self.body)
            );
        }
        self
    }

    /// The body as JSON (panics if it is not JSON).
    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "{}: body is not JSON ({e}): {:?}",
                self.request,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    /// A header's value as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts a SCIM error response (RFC 7644 §3.12): the status, the `Error` schema,
    /// `status` as a string, a `detail`, the SCIM media type, and `scimType` when given.
    #[track_caller]
    pub fn expect_error(self, status: u16, scim_type: Option<&str>) -> Self {
        let exchange = self.expect_status(status);
        let body = exchange.json();
        let context = format!("{}: {body}", exchange.request);
        assert_eq!(
            body["schemas"],
            serde_json::json!(["urn:ietf:params:scim:api:messages:2.0:Error"]),
            "{context}"
        );
        assert_eq!(
            body["status"],
            Value::String(status.to_string()),
            "{context}"
        );
        assert!(
            body["detail"].as_str().is_some_and(|d| !d.is_empty()),
            "{context}: no detail"
        );
        if let Some(scim_type) = scim_type {
            assert_eq!(body["scimType"], scim_type, "{context}");
        }
        exchange.expect_scim_content_type();
        exchange
    }

    /// The `detail` of an error body (empty when there is none).
    #[track_caller]
    pub fn detail(&self) -> String {
        self.json()["detail"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Asserts `Content-Type: application/scim+json; charset=utf-8`, exactly as the engine
    /// sends it (through every adapter).
    #[track_caller]
    pub fn expect_scim_content_type(&self) {
        let content_type = self.header("content-type").unwrap_or_default();
        assert!(
            content_type == format!("{SCIM_JSON}; charset=utf-8"),
            "{}: content type {content_type:?}",
            self.request
        );
    }

    /// The `Resources` of a ListResponse (empty when absent).
    #[track_caller]
    pub fn resources(&self) -> Vec<Value> {
        let body = self.json();
        assert_eq!(
            body["schemas"],
            serde_json::json!(["urn:ietf:params:scim:api:messages:2.0:ListResponse"]),
            "{}: {body}",
            self.request
        );
        body["Resources"].as_array().cloned().unwrap_or_default()
    }

    /// Asserts that a ListResponse carries `Resources`, as an empty array when the page
    /// is empty (Entra ID's connection test reads it).
    #[track_caller]
    pub fn expect_resources_present(&self) {
        let body = self.json();
        assert!(body["Resources"].is_array(), "{}: {body}", self.request);
    }

    /// `totalResults` of a ListResponse, which must be a JSON integer.
    #[track_caller]
    pub fn total(&self) -> u64 {
        let body = self.json();
        body["totalResults"]
            .as_u64()
            .unwrap_or_else(|| panic!("{}: totalResults is not an integer: {body}", self.request))
    }
}
