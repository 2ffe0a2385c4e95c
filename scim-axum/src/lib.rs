#![doc = include_str!("../README.md")]

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, OriginalUri, Request};
use axum::response::Response;
use axum::routing::any;

pub use scim_core::{ClientAddr, InMemoryStore, MountPrefix, Principal, ScimServer};

/// A [`ScimServer`] ready to be mounted in axum: convert it into a [`Router<S>`] with
/// [`Router::from`] (or call [`router`]).
///
/// ```
/// use axum::Router;
/// use scim_axum::{InMemoryStore, Scim, ScimServer};
/// use tower::ServiceExt;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let server = ScimServer::builder().store(InMemoryStore::new()).build()?;
/// let app: Router = Router::new().nest("/scim/v2", Scim::new(server).into());
/// let request = axum::extract::Request::get("/scim/v2/acme/Schemas").body(axum::body::Body::empty())?;
/// assert_eq!(app.oneshot(request).await?.status(), 401); // SCIM answers, without credentials
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
    /// assert_eq!(scim.handle(request).await.status(), 401);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn handle(&self, request: Request) -> Response {
        let (mut parts, body) = request.into_parts();
        let prefix = mount_prefix(&parts);
        parts.extensions.insert(MountPrefix(prefix));
        if parts.extensions.get::<ClientAddr>().is_none()
            && let Some(ConnectInfo(peer)) = parts.extensions.get::<ConnectInfo<SocketAddr>>()
        {
            let client = ClientAddr(peer.ip());
            parts.extensions.insert(client);
        }
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
    /// use axum::extract::State;
    /// use tower::ServiceExt;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let server = ScimServer::builder().store(InMemoryStore::new()).build()?;
    /// #[derive(Clone)]
    /// struct AppState { name: &'static str }
    /// let app: axum::Router = axum::Router::new()
    ///     .route("/", axum::routing::get(|State(s): State<AppState>| async move { s.name }))
    ///     .nest("/scim/v2", Scim::new(server).into_router())
    ///     .with_state(AppState { name: "my app" });
    /// let get = |uri: &str| axum::extract::Request::get(uri).body(axum::body::Body::empty());
    /// assert_eq!(app.clone().oneshot(get("/")?).await?.status(), 200);
    /// assert_eq!(app.oneshot(get("/scim/v2/acme/Users")?).await?.status(), 401);
    /// # Ok(())
    /// # }
    /// ```
    pub fn into_router<S>(self) -> Router<S>
    where
        S: Clone + Send + Sync + 'static,
    {
        let handler = move |request: Request| {
            let scim = self.clone();
            async move { scim.handle(request).await }
        };
        // `/` answers the mount point itself (the engine replies 404 there); `/{*path}`
        // answers everything below it, including stray trailing slashes (Entra ID).
        Router::new()
            .route("/", any(handler.clone()))
            .route("/{*path}", any(handler))
    }
}

/// `Scim` as a tower service: `Router::nest_service("/scim/v2", scim)`, or wrapped in
/// tower layers. It is always ready and never fails (every error is a SCIM response).
///
/// ```
/// use scim_axum::{InMemoryStore, Scim, ScimServer};
/// use tower::ServiceExt;
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let scim = Scim::new(ScimServer::builder().store(InMemoryStore::new()).build()?);
/// let app: axum::Router = axum::Router::new().nest_service("/scim/v2", scim);
/// let request = axum::extract::Request::get("/scim/v2/acme/Users").body(axum::body::Body::empty())?;
/// let response = app.oneshot(request).await?;
/// assert_eq!(response.status(), 401);
/// # Ok(())
/// # }
/// ```
impl tower_service::Service<Request> for Scim {
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let scim = self.clone();
        Box::pin(async move { Ok(scim.handle(request).await) })
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
}
