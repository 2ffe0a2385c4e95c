//! Mount the [`scim_core`] SCIM 2.0 engine in an [axum](https://docs.rs/axum) application.
//!
//! [`router`] turns a [`ScimServer`] into an axum [`Router<S>`] for any host state `S`;
//! nest it where the SCIM base URL should be, conventionally `/scim/v2`, so that each
//! tenant's base URL is `/scim/v2/{tenant_id}`:
//!
//! ```
//! use axum::{Router, routing::get};
//! use scim_axum::{InMemoryStore, ScimServer};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let scim = ScimServer::builder().store(InMemoryStore::new()).build()?;
//! let app: Router = Router::new()
//!     .route("/", get(|| async { "my app" }))
//!     .nest("/scim/v2", scim_axum::router(scim));
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! # drop(listener); let _ = app; return Ok(());
//! axum::serve(listener, app).await?;
//! # Ok(())
//! # }
//! ```
//!
//! The adapter only converts: it collects the body (up to the engine's payload limit),
//! hands an [`http::Request<Bytes>`](http::Request) whose path is relative to the mount
//! point to [`ScimServer::handle`], and returns the engine's response as it is. Every
//! request extension passes through, so a [`Principal`] inserted by the host's own
//! authentication middleware reaches the engine, which then skips the `Authorization`
//! header. The adapter adds a [`MountPrefix`] extension (the part of the path before the
//! tenant) so the engine can build absolute `Location` URLs.
//!
//! The same names exist in `scim-actix`: switching frameworks changes `use` lines.

use axum::Router;
use axum::body::Body;
use axum::extract::{OriginalUri, Request};
use axum::response::Response;
use axum::routing::any;
use bytes::{Bytes, BytesMut};
use http_body_util::BodyExt;

pub use scim_core::{InMemoryStore, MountPrefix, Principal, ScimServer};

/// A [`ScimServer`] ready to be mounted in axum: convert it into a [`Router<S>`] with
/// [`Router::from`] (or call [`router`]).
///
/// ```
/// use axum::Router;
/// use scim_axum::{InMemoryStore, Scim, ScimServer};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let server = ScimServer::builder().store(InMemoryStore::new()).build()?;
/// let app: Router = Router::new().nest("/scim/v2", Scim::new(server).into());
/// # let _ = app; Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Scim {
    server: ScimServer,
}

impl Scim {
    /// Wraps `server`.
    ///
    /// ```
    /// # use scim_axum::{InMemoryStore, Scim, ScimServer};
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
    /// # use scim_axum::{InMemoryStore, Scim, ScimServer};
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

    /// Converts one axum request to the engine's types, lets the engine answer, and
    /// converts the answer back.
    ///
    /// ```
    /// # use scim_axum::{InMemoryStore, Scim, ScimServer};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let scim = Scim::new(ScimServer::builder().store(InMemoryStore::new()).build()?);
    /// let request = axum::extract::Request::builder()
    ///     .uri("/acme/Users")
    ///     .body(axum::body::Body::empty())?;
    /// // No credentials: the engine answers 401 with a SCIM error body.
    /// assert_eq!(scim.call(request).await.status(), 401);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn call(&self, request: Request) -> Response {
        let (mut parts, body) = request.into_parts();
        let prefix = mount_prefix(&parts);
        parts.extensions.insert(MountPrefix(prefix));
        let body = collect(body, body_limit(&self.server)).await;
        let response = self
            .server
            .handle(http::Request::from_parts(parts, body))
            .await;
        response.map(Body::from)
    }

    /// An axum router answering every method and path below where it is nested.
    ///
    /// ```
    /// # use scim_axum::{InMemoryStore, Scim, ScimServer};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let server = ScimServer::builder().store(InMemoryStore::new()).build()?;
    /// #[derive(Clone)]
    /// struct AppState;
    /// let app = axum::Router::new()
    ///     .nest("/scim/v2", Scim::new(server).into_router())
    ///     .with_state(AppState);
    /// # let _: axum::Router = app; Ok(())
    /// # }
    /// ```
    pub fn into_router<S>(self) -> Router<S>
    where
        S: Clone + Send + Sync + 'static,
    {
        let handler = move |request: Request| {
            let scim = self.clone();
            async move { scim.call(request).await }
        };
        // `/` answers the mount point itself (the engine replies 404 there); `/{*path}`
        // answers everything below it, including stray trailing slashes (Entra ID).
        Router::new()
            .route("/", any(handler.clone()))
            .route("/{*path}", any(handler))
    }
}

impl From<ScimServer> for Scim {
    fn from(server: ScimServer) -> Self {
        Self::new(server)
    }
}

impl<S> From<Scim> for Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    fn from(scim: Scim) -> Self {
        scim.into_router()
    }
}

/// The router of [`Scim::into_router`], for a [`ScimServer`]: nest it at `/scim/v2`.
///
/// ```
/// use scim_axum::{InMemoryStore, ScimServer};
/// use tower::ServiceExt;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let server = ScimServer::builder().store(InMemoryStore::new()).build()?;
/// let app: axum::Router = axum::Router::new().nest("/scim/v2", scim_axum::router(server));
/// let request = axum::extract::Request::get("/scim/v2/acme/ServiceProviderConfig")
///     .body(axum::body::Body::empty())?;
/// let response = app.oneshot(request).await?;
/// assert_eq!(response.status(), 401); // no `Authorization` header, no host principal
/// # Ok(())
/// # }
/// ```
pub fn router<S>(server: ScimServer) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    Scim::new(server).into_router()
}

/// The path before the one the nested router sees: `/scim/v2` for `/scim/v2/acme/Users`.
fn mount_prefix(parts: &http::request::Parts) -> String {
    let inner = parts.uri.path();
    let Some(OriginalUri(original)) = parts.extensions.get::<OriginalUri>() else {
        return String::new();
    };
    let outer = original.path();
    match outer.strip_suffix(inner) {
        Some(prefix) => prefix.to_owned(),
        // axum hands a nested router `/` for the bare mount point, which `outer` does not end with.
        None => outer.trim_end_matches('/').to_owned(),
    }
}

/// The most body bytes worth reading: one past the engine's largest limit is enough for
/// it to answer `413`.
fn body_limit(server: &ScimServer) -> usize {
    let config = server.config();
    config.max_body_bytes.max(config.bulk_max_payload_bytes)
}

/// Collects the body, stopping once it exceeds `limit` bytes: the engine then sees an
/// oversized body and answers `413` with a SCIM error, and a huge upload is never buffered.
async fn collect(mut body: Body, limit: usize) -> Bytes {
    let mut buffer = BytesMut::new();
    while let Some(frame) = body.frame().await {
        // A body that breaks off mid-way is treated as ended; the engine rejects the
        // truncated JSON with `400 invalidSyntax`.
        let Ok(frame) = frame else { break };
        if let Ok(data) = frame.into_data() {
            buffer.extend_from_slice(&data);
            if buffer.len() > limit {
                break;
            }
        }
    }
    buffer.freeze()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(outer: &str, inner: &str) -> http::request::Parts {
        let (mut parts, ()) = http::Request::builder()
            .uri(inner)
            .body(())
            .unwrap()
            .into_parts();
        parts.extensions.insert(OriginalUri(outer.parse().unwrap()));
        parts
    }

    #[test]
    fn mount_prefix_is_the_outer_path_minus_the_inner_one() {
        assert_eq!(
            mount_prefix(&parts("/scim/v2/acme/Users", "/acme/Users")),
            "/scim/v2"
        );
        assert_eq!(mount_prefix(&parts("/scim/v2", "/")), "/scim/v2");
        assert_eq!(mount_prefix(&parts("/scim/v2/", "/")), "/scim/v2");
        assert_eq!(mount_prefix(&parts("/acme/Users", "/acme/Users")), "");
    }

    #[test]
    fn mount_prefix_without_nesting_is_empty() {
        let (parts, ()) = http::Request::builder()
            .uri("/acme/Users")
            .body(())
            .unwrap()
            .into_parts();
        assert_eq!(mount_prefix(&parts), "");
    }

    #[tokio::test]
    async fn collect_stops_past_the_limit() {
        let body = Body::from(vec![b'x'; 10_000]);
        let bytes = collect(body, 10).await;
        assert!(bytes.len() > 10 && bytes.len() <= 10_000);
        assert_eq!(collect(Body::from("abc"), 10).await, "abc");
    }
}
