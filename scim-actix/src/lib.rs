#![doc = include_str!("../README.md")]

use std::pin::Pin;
use std::task::{Context, Poll};

#[cfg(doc)]
use actix_web::Scope;
use actix_web::dev::{AppService, HttpServiceFactory};
use actix_web::web::{self, ServiceConfig};
use actix_web::{HttpMessage, HttpRequest, HttpResponse};
use bytes::Bytes;
use futures_core::Stream;
use http_body::Frame;

pub use scim_core::{ClientAddr, InMemoryStore, MountPrefix, Principal, ScimServer};

/// The name of the path segment that captures everything below the mount point.
const TAIL: &str = "scim_path";

/// A [`ScimServer`] ready to be mounted in actix-web: register it with
/// [`Scope::service`] (it answers every method and every path below the scope).
///
/// ```
/// use actix_web::{App, test, web};
/// use scim_actix::{InMemoryStore, Scim, ScimServer};
///
/// # #[actix_web::main]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let server = ScimServer::builder().store(InMemoryStore::new()).build()?;
/// let app = test::init_service(
///     App::new().service(web::scope("/scim/v2").service(Scim::new(server))),
/// )
/// .await;
/// let request = test::TestRequest::get().uri("/scim/v2/acme/Users").to_request();
/// let response = test::call_service(&app, request).await;
/// assert_eq!(response.status(), 401); // no `Authorization` header, no host principal
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Scim {
    server: ScimServer,
}

impl Scim {
    /// Wraps `server`.
    ///
    /// ```
    /// # use scim_actix::{InMemoryStore, Scim, ScimServer};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let scim = Scim::new(ScimServer::builder().store(InMemoryStore::new()).build()?);
    /// assert!(scim.server().api_keys().is_some()); // the built-in key store
    /// # Ok(())
    /// # }
    /// ```
    pub fn new(server: ScimServer) -> Self {
        Self { server }
    }

    /// The wrapped engine, e.g. to reach its key store or its endpoint list.
    ///
    /// ```
    /// # use scim_actix::{InMemoryStore, Scim, ScimServer};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let scim = Scim::new(ScimServer::builder().store(InMemoryStore::new()).build()?);
    /// let endpoints = scim.server().endpoints("https://app.example.com/scim/v2", "acme");
    /// assert_eq!(endpoints.base_url, "https://app.example.com/scim/v2/acme");
    /// # Ok(())
    /// # }
    /// ```
    pub fn server(&self) -> &ScimServer {
        &self.server
    }

    /// Converts one actix request to the engine's types, lets the engine answer, and
    /// converts the answer back. The request must have been routed through [`Scim`]'s
    /// resource (it reads the path below the mount point from the match).
    ///
    /// ```
    /// use actix_web::{App, HttpRequest, test, web};
    /// use scim_actix::{InMemoryStore, Scim, ScimServer};
    ///
    /// # #[actix_web::main]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let scim = Scim::new(ScimServer::builder().store(InMemoryStore::new()).build()?);
    /// // A hand-written route that logs before handing the request over.
    /// let route = web::route().to(move |request: HttpRequest, body: web::Payload| {
    ///     let scim = scim.clone();
    ///     async move { scim.call(request, body).await }
    /// });
    /// let app = test::init_service(
    ///     App::new().service(web::scope("/scim/v2").route("/{scim_path:.*}", route)),
    /// )
    /// .await;
    /// let request = test::TestRequest::get().uri("/scim/v2/acme/Users").to_request();
    /// assert_eq!(test::call_service(&app, request).await.status(), 401);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn call(&self, request: HttpRequest, body: web::Payload) -> HttpResponse {
        let (prefix, path) = split_path(&request);
        let mut builder = http::Request::builder().method(request.method().as_str());
        let query = request.query_string();
        let target = if query.is_empty() {
            path.to_owned()
        } else {
            format!("{path}?{query}")
        };
        builder = builder.uri(target);
        for (name, value) in request.headers() {
            builder = builder.header(name.as_str(), value.as_bytes());
        }
        builder = builder.extension(MountPrefix(prefix.to_owned()));
        if let Some(principal) = request.extensions().get::<Principal>() {
            builder = builder.extension(principal.clone());
        }
        let client = request.extensions().get::<ClientAddr>().copied();
        if let Some(client) = client.or_else(|| request.peer_addr().map(|a| ClientAddr(a.ip()))) {
            builder = builder.extension(client);
        }
        let response = match builder.body(PayloadBody(body)) {
            Ok(converted) => self.server.handle(converted).await,
            // Only a method or path that `http` 1 rejects gets here; the engine answers
            // the empty target with its own `404`, so the error body stays the engine's.
            Err(_) => self.server.handle(unroutable(prefix)).await,
        };
        respond(response)
    }
}

impl From<ScimServer> for Scim {
    fn from(server: ScimServer) -> Self {
        Self::new(server)
    }
}

impl HttpServiceFactory for Scim {
    fn register(self, config: &mut AppService) {
        let route = web::route().to(move |request: HttpRequest, body: web::Payload| {
            let scim = self.clone();
            async move { scim.call(request, body).await }
        });
        // "" answers the scope itself; the tail answers everything below it, including
        // stray trailing slashes (Entra ID).
        web::resource(["", "/{scim_path:.*}"])
            .route(route)
            .register(config);
    }
}

/// Registers [`Scim`] in a [`ServiceConfig`], for [`Scope::configure`] or
/// [`App::configure`](actix_web::App::configure).
///
/// ```
/// use actix_web::{App, test, web};
/// use scim_actix::{InMemoryStore, ScimServer};
///
/// # #[actix_web::main]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let server = ScimServer::builder().store(InMemoryStore::new()).build()?;
/// let app = test::init_service(
///     App::new().service(web::scope("/scim/v2").configure(scim_actix::configure(server))),
/// )
/// .await;
/// let request = test::TestRequest::get().uri("/scim/v2/acme/Schemas").to_request();
/// assert_eq!(test::call_service(&app, request).await.status(), 401);
/// # Ok(())
/// # }
/// ```
pub fn configure(server: ScimServer) -> impl FnOnce(&mut ServiceConfig) {
    move |config| {
        config.service(Scim::new(server));
    }
}

/// Splits the raw request path into the mount prefix and the path below it.
///
/// actix matches on a re-quoted copy of the path, while the engine must see the raw
/// one; `/` is never decoded by actix, so the prefix has as many segments in both.
fn split_path(request: &HttpRequest) -> (&str, &str) {
    let raw = request.path();
    let matched = request.match_info().as_str();
    let tail_len = request
        .match_info()
        .get(TAIL)
        .map_or(0, |tail| tail.len() + 1);
    let matched_prefix = matched
        .get(..matched.len().saturating_sub(tail_len))
        .unwrap_or_default();
    let segments = matched_prefix.trim_end_matches('/').matches('/').count();
    match raw.match_indices('/').nth(segments) {
        Some((start, _)) => raw.split_at(start),
        None => (raw.trim_end_matches('/'), "/"),
    }
}

/// An empty-path request that the engine answers with its own `404`.
fn unroutable(prefix: &str) -> http::Request<http_body_util::Empty<Bytes>> {
    let mut request = http::Request::new(http_body_util::Empty::new());
    request
        .extensions_mut()
        .insert(MountPrefix(prefix.to_owned()));
    request
}

/// actix-web's payload stream as an [`http_body::Body`], which the engine reads itself
/// once the request is admitted.
struct PayloadBody(web::Payload);

impl http_body::Body for PayloadBody {
    type Data = Bytes;
    type Error = actix_web::error::PayloadError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        Pin::new(&mut self.0)
            .poll_next(cx)
            .map(|chunk| chunk.map(|chunk| chunk.map(Frame::data)))
    }
}

/// Converts the engine's response to actix's `http` 0.2 types by status code, header
/// names and bytes.
fn respond(response: http::Response<Bytes>) -> HttpResponse {
    let (parts, body) = response.into_parts();
    let status = actix_web::http::StatusCode::from_u16(parts.status.as_u16())
        .unwrap_or(actix_web::http::StatusCode::INTERNAL_SERVER_ERROR);
    let mut builder = HttpResponse::build(status);
    for (name, value) in &parts.headers {
        builder.append_header((name.as_str(), value.as_bytes()));
    }
    builder.body(body)
}

#[cfg(test)]
mod tests {
    use actix_web::App;
    use actix_web::test as actix_test;

    use super::*;

    async fn split(scope: &str, uri: &str) -> (String, String) {
        let route = web::route().to(|request: HttpRequest| async move {
            let (prefix, path) = split_path(&request);
            HttpResponse::Ok().body(format!("{prefix} {path}"))
        });
        let app = actix_test::init_service(App::new().service(
            web::scope(scope).service(web::resource(["", "/{scim_path:.*}"]).route(route)),
        ))
        .await;
        let response =
            actix_test::call_service(&app, actix_test::TestRequest::get().uri(uri).to_request())
                .await;
        assert!(response.status().is_success(), "{uri} not routed");
        let body = actix_test::read_body(response).await;
        let text = String::from_utf8(body.to_vec()).unwrap();
        let (prefix, path) = text.split_once(' ').unwrap();
        (prefix.to_owned(), path.to_owned())
    }

    #[actix_web::test]
    async fn split_path_keeps_the_raw_path_below_the_scope() {
        assert_eq!(
            split("/scim/v2", "/scim/v2/acme/Users").await,
            ("/scim/v2".into(), "/acme/Users".into())
        );
        assert_eq!(
            split("/scim/v2", "/scim/v2/acme/Users/").await,
            ("/scim/v2".into(), "/acme/Users/".into())
        );
        assert_eq!(
            split("/scim/v2", "/scim/v2/acme/Users/a%20b%2Fc").await,
            ("/scim/v2".into(), "/acme/Users/a%20b%2Fc".into())
        );
        assert_eq!(
            split("/scim/v2", "/scim/v2").await,
            ("/scim/v2".into(), "/".into())
        );
        assert_eq!(
            split("/t/{org}/scim", "/t/x%20y/scim/acme/Groups").await,
            ("/t/x%20y/scim".into(), "/acme/Groups".into())
        );
    }

    #[test]
    fn respond_keeps_status_headers_and_body() {
        let response = http::Response::builder()
            .status(201)
            .header("Location", "http://h/scim/v2/acme/Users/1")
            .header("ETag", "W/\"1\"")
            .body(Bytes::from_static(b"{}"))
            .unwrap();
        let converted = respond(response);
        assert_eq!(converted.status().as_u16(), 201);
        assert_eq!(converted.headers().get("etag").unwrap(), "W/\"1\"");
        assert_eq!(
            converted.headers().get("location").unwrap(),
            "http://h/scim/v2/acme/Users/1"
        );
    }
}
