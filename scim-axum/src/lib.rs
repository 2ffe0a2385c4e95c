#![doc = include_str!("../README.md")]

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, OriginalUri, Request};
use axum::response::Response;
use axum::routing::any;

pub use scim_core::{ClientAddr, InMemoryStore, MountPrefix, Principal, ScimServer};

pub use self::layer::{ScimLayer, WithScim};

mod layer;

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
    /// Where [`Scim::router_at`] routes put the API: the prefix every path they hand
    /// over begins with; empty otherwise.
    mount: Arc<str>,
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
        Self {
            server,
            mount: Arc::from(""),
        }
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
        // The path, as the router calling this sees it, begins with `mount` (empty but
        // for the routes of `router_at`). When routers above took a prefix off
        // (nesting), the request is served with the path it arrived with, from axum's
        // `OriginalUri` (a few reference counts to copy), under the whole prefix, sliced
        // from that path: no string is made.
        let mount: &str = &self.mount;
        let (mut parts, body) = request.into_parts();
        add_client_addr(&mut parts);
        let original = parts
            .extensions
            .get::<OriginalUri>()
            .map(|OriginalUri(original)| original.clone());
        let response = match original {
            Some(original) => {
                let above = mount_prefix_len(original.path(), parts.uri.path());
                parts.uri = original.clone();
                let prefix = original.path().get(..above + mount.len()).unwrap_or(mount);
                let request = http::Request::from_parts(parts, body);
                self.server.handle_at(prefix, request).await
            }
            // Not called by an axum router: a `MountPrefix` the caller set still counts.
            None if mount.is_empty() => {
                let request = http::Request::from_parts(parts, body);
                self.server.handle(request).await
            }
            None => {
                let request = http::Request::from_parts(parts, body);
                self.server.handle_at(mount, request).await
            }
        };
        response.map(Body::from)
    }

    /// Routes answering every method at `prefix` and below it, to merge into the host
    /// app's router ([`Router::merge`]): cheaper than nesting. A router nested with
    /// [`Router::nest`] gets each request with a rewritten URI and routes it a second
    /// time; these routes hand the engine the request as it came, and the engine serves
    /// the path below `prefix` (`Location` URLs included). [`layer_at`](Self::layer_at)
    /// costs less still: the router does not route SCIM requests at all.
    ///
    /// The routes may also be merged into a router that is itself nested: URLs then
    /// carry the whole prefix (`/api/scim/v2/...` for these routes at `/scim/v2` in a
    /// router nested at `/api`).
    ///
    /// # Panics
    ///
    /// When `prefix` does not begin with `/`, or its routes overlap routes already in
    /// the router it is merged into, as [`Router::route`] does.
    ///
    /// ```
    /// # use scim_axum::{InMemoryStore, Scim, ScimServer};
    /// use tower::ServiceExt;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let server = ScimServer::builder().store(InMemoryStore::new()).build()?;
    /// let app: axum::Router = axum::Router::new()
    ///     .route("/", axum::routing::get(|| async { "my app" }))
    ///     .merge(Scim::new(server).router_at("/scim/v2"));
    /// let get = |uri: &str| axum::extract::Request::get(uri).body(axum::body::Body::empty());
    /// assert_eq!(app.clone().oneshot(get("/")?).await?.status(), 200);
    /// // SCIM answers below the prefix (here 401: no credentials), and the mount point
    /// // itself is no endpoint.
    /// assert_eq!(app.clone().oneshot(get("/scim/v2/acme/Users")?).await?.status(), 401);
    /// assert_eq!(app.oneshot(get("/scim/v2")?).await?.status(), 404);
    /// # Ok(())
    /// # }
    /// ```
    pub fn router_at<S>(self, prefix: &str) -> Router<S>
    where
        S: Clone + Send + Sync + 'static,
    {
        let service = self.at(prefix);
        let prefix = service.mount();
        let router =
            Router::new().route_service(&format!("{prefix}/{{*scim_path}}"), service.clone());
        if prefix.is_empty() {
            // At the root, `/` is the mount point.
            return router.route_service("/", service);
        }
        // The mount point with and without its slash (`/{*scim_path}` needs a segment):
        // the engine answers 404 there, as a SCIM error.
        router
            .route_service(prefix, service.clone())
            .route_service(&format!("{prefix}/"), service)
    }

    /// A tower layer that puts the API at `prefix` in front of the service it wraps,
    /// usually the host app's whole router: the cheapest way to mount it. A request at
    /// `prefix` or below goes to the engine as it came, before the router matches a
    /// route, extracts path parameters or runs its middleware; any other request goes to
    /// the router. The router's own layers (`Router::layer`) therefore do not see SCIM
    /// requests; layers around the [`WithScim`] do.
    ///
    /// Serve the result as a service, as axum's `ServiceExt::into_make_service` does for
    /// any service. The wrapped service's readiness (`poll_ready`) holds up SCIM requests
    /// too (a `Router` is always ready). At the prefix `/`, every request is SCIM's and
    /// the wrapped service gets none.
    ///
    /// # Panics
    ///
    /// When `prefix` does not begin with `/`, as [`router_at`](Self::router_at).
    ///
    /// ```
    /// # use scim_axum::{InMemoryStore, Scim, ScimServer};
    /// use tower::ServiceExt;
    /// use tower_layer::Layer;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let server = ScimServer::builder().store(InMemoryStore::new()).build()?;
    /// let router = axum::Router::new().route("/", axum::routing::get(|| async { "my app" }));
    /// let app = Scim::new(server).layer_at("/scim/v2").layer(router);
    /// let get = |uri: &str| axum::extract::Request::get(uri).body(axum::body::Body::empty());
    /// assert_eq!(app.clone().oneshot(get("/")?).await?.status(), 200);
    /// assert_eq!(app.clone().oneshot(get("/scim/v2/acme/Users")?).await?.status(), 401);
    /// assert_eq!(app.clone().oneshot(get("/scim/v2")?).await?.status(), 404);
    /// // Served as any tower service: `axum::serve(listener, make_service)`.
    /// let make_service = axum::ServiceExt::<axum::extract::Request>::into_make_service(app);
    /// # let _ = make_service;
    /// # Ok(())
    /// # }
    /// ```
    pub fn layer_at(self, prefix: &str) -> ScimLayer {
        ScimLayer::new(self.at(prefix))
    }

    /// This API mounted at `prefix` (without a trailing `/`).
    fn at(self, prefix: &str) -> Self {
        assert!(
            prefix.starts_with('/'),
            "the SCIM mount prefix must begin with `/`: {prefix:?}"
        );
        Self {
            mount: Arc::from(prefix.trim_end_matches('/')),
            ..self
        }
    }

    /// Where [`router_at`](Self::router_at) or [`layer_at`](Self::layer_at) mounted the
    /// API; empty for a router that is nested.
    fn mount(&self) -> &str {
        &self.mount
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

/// The peer axum saw (`ConnectInfo`) as the engine's [`ClientAddr`], unless the host app
/// set one (e.g. from a proxy's forwarded header).
fn add_client_addr(parts: &mut http::request::Parts) {
    if parts.extensions.get::<ClientAddr>().is_none()
        && let Some(ConnectInfo(peer)) = parts.extensions.get::<ConnectInfo<SocketAddr>>()
    {
        let client = ClientAddr(peer.ip());
        parts.extensions.insert(client);
    }
}

/// The length of the path before the one a nested router sees: that of `/scim/v2` for
/// `/scim/v2/acme/Users` (`outer`) nested as `/acme/Users` (`inner`); `0` when nothing
/// was taken off.
fn mount_prefix_len(outer: &str, inner: &str) -> usize {
    match outer.strip_suffix(inner) {
        Some(prefix) => prefix.len(),
        // axum hands a nested router `/` for the bare mount point, which `outer` does not end with.
        None => outer.trim_end_matches('/').len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mount_prefix_is_the_outer_path_minus_the_inner_one() {
        let prefix = |outer: &'static str, inner| &outer[..mount_prefix_len(outer, inner)];
        assert_eq!(prefix("/scim/v2/acme/Users", "/acme/Users"), "/scim/v2");
        assert_eq!(prefix("/scim/v2", "/"), "/scim/v2");
        assert_eq!(prefix("/scim/v2/", "/"), "/scim/v2");
        assert_eq!(prefix("/acme/Users", "/acme/Users"), "");
    }

    /// A created user's `Location` through `app`, with the key `secret` of tenant `acme`.
    async fn location<A>(app: A, path: &str) -> String
    where
        A: tower::Service<Request, Response = Response, Error = Infallible>,
    {
        use tower::ServiceExt;
        let request = http::Request::post(path)
            .header("authorization", "Bearer secret")
            .header("host", "app.example.com")
            .header("content-type", "application/scim+json")
            .body(Body::from(
                r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bjensen"}"#,
            ))
            .unwrap();
        let response = app.oneshot(request).await.unwrap();
        assert_eq!(response.status(), 201);
        response.headers()["location"].to_str().unwrap().to_owned()
    }

    async fn scim() -> Scim {
        let server = ScimServer::builder()
            .store(InMemoryStore::new())
            .build()
            .unwrap();
        server
            .api_keys()
            .unwrap()
            .insert("acme", "secret", ["SCIM2"])
            .await
            .unwrap();
        Scim::new(server)
    }

    #[tokio::test]
    async fn urls_carry_the_whole_prefix_however_the_api_is_mounted() {
        let base = "http://app.example.com/api/scim/v2/acme/Users/";
        let merged_in_nested = Router::new().nest(
            "/api",
            Router::new().merge(scim().await.router_at("/scim/v2")),
        );
        let nested_twice = Router::new().nest(
            "/api",
            Router::new().nest("/scim/v2", scim().await.into_router()),
        );
        let merged = Router::new().merge(scim().await.router_at("/api/scim/v2"));
        // In front of a router that is nested as a service: the layer sees the path
        // without `/api`, the URLs still carry it (axum's `OriginalUri`).
        let layered_in_nested = Router::new().nest_service(
            "/api",
            tower_layer::Layer::layer(&scim().await.layer_at("/scim/v2"), Router::new()),
        );
        for app in [merged_in_nested, nested_twice, merged, layered_in_nested] {
            let location = location(app, "/api/scim/v2/acme/Users").await;
            assert!(location.starts_with(base), "{location}");
        }
        // In front of the whole app.
        let layered =
            tower_layer::Layer::layer(&scim().await.layer_at("/api/scim/v2"), Router::new());
        let location = location(layered, "/api/scim/v2/acme/Users").await;
        assert!(location.starts_with(base), "{location}");
    }
}
