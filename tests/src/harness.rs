//! The [`Harness`] trait and its three implementations: the engine called directly, the
//! engine mounted in axum through `scim-axum`, and in actix-web through `scim-actix`.
//!
//! Every harness mounts SCIM at [`MOUNT`] inside a small host app with routes of its own
//! ([`HOST_ROUTES`], beside and around the mount point), a not-found answer of its own,
//! and its own middleware: a request carrying the [`HOST_PRINCIPAL_HEADER`] gets a
//! [`Principal`] in its extensions, as a host app's session middleware would do, and one
//! carrying the [`CLIENT_ADDR_HEADER`] a [`ClientAddr`], as a host app behind a proxy
//! would do; the adapter must pass both through to the engine.

use std::future::Future;
use std::sync::Arc;

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::Full;
use scim_core::{
    ApiKeyStore, ClientAddr, InMemoryStore, MountPrefix, Principal, ResourceStore, ScimServer,
    ScimServerBuilder, ServerConfig, TenantRateLimiter,
};

/// Where every harness mounts SCIM; tenant base URLs are `/scim/v2/{tenant}`.
pub const MOUNT: &str = "/scim/v2";

/// The bearer token of tenant `acme` (scope `SCIM2`).
pub const ACME_TOKEN: &str = "acme-secret";
/// The bearer token of tenant `globex` (scope `SCIM2`).
pub const GLOBEX_TOKEN: &str = "globex-secret";
/// A token of tenant `acme` without the `SCIM2` scope.
pub const ACME_READ_ONLY_TOKEN: &str = "acme-read-only";
/// The request header from which each harness's host middleware makes a [`Principal`]:
/// `tenant:SCOPE[,SCOPE…]`.
pub const HOST_PRINCIPAL_HEADER: &str = "x-test-principal";
/// The request header from which each harness's host middleware makes a [`ClientAddr`]
/// (an IP address), as a host app behind a proxy reads `X-Forwarded-For`.
pub const CLIENT_ADDR_HEADER: &str = "x-test-client-addr";

/// The host app's own `GET` routes in every harness, with the body each answers. They sit
/// around the mount point on purpose: above it (`/scim`), beside it with the same leading
/// characters (`/scim/v2-legacy`), and elsewhere (`/`, `/health`).
pub const HOST_ROUTES: &[(&str, &str)] = &[
    ("/", "host app"),
    ("/health", "host app: healthy"),
    ("/scim", "host app: SCIM lives at /scim/v2"),
    ("/scim/v2-legacy", "host app: the old API"),
];
/// The body of the host app's own `404`, for paths neither it nor SCIM serves.
pub const HOST_NOT_FOUND: &str = "host app: not found";

/// One way of reaching the engine over HTTP.
///
/// ```
/// use scim_conformance::{Engine, Harness, fixture_server};
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let harness = Engine::mount(fixture_server());
/// let request = http::Request::get("/scim/v2/acme/Users").body(bytes::Bytes::new()).unwrap();
/// assert_eq!(harness.send(request).await.status(), 401);
/// # }
/// ```
pub trait Harness: Sized + 'static {
    /// Mounts `server` at [`MOUNT`] in this harness's host app.
    fn mount(server: ScimServer) -> Self;

    /// Sends one request (with the full path, `/scim/v2/acme/Users`) and returns the
    /// response with its whole body.
    fn send(&self, request: Request<Bytes>) -> impl Future<Output = Response<Bytes>>;

    /// The store a case's fixture server uses: `None` (the default) for a fresh
    /// [`InMemoryStore`]; a harness over another store (a SQL database) returns a
    /// fresh, empty one.
    fn fixture_store() -> Option<Arc<dyn ResourceStore>> {
        None
    }
}

/// The server every case starts from: the in-memory store, the built-in schemas, and the
/// keys [`ACME_TOKEN`], [`GLOBEX_TOKEN`] and [`ACME_READ_ONLY_TOKEN`].
///
/// ```
/// let server = scim_conformance::fixture_server();
/// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
/// let keys = server.api_keys().expect("the built-in key store");
/// assert_eq!(rt.block_on(keys.list("acme")).unwrap().len(), 2);
/// ```
pub fn fixture_server() -> ScimServer {
    fixture_server_with(|builder| builder)
}

/// [`fixture_server`] with more settings, e.g. a low rate limit.
///
/// ```
/// use scim_core::TenantRateLimiter;
/// let server = scim_conformance::fixture_server_with(|b| b.rate_limiter(TenantRateLimiter::new(3)));
/// assert_eq!(server.tenant_rate_limit("acme"), Some(3));
/// assert_eq!(scim_conformance::fixture_server().tenant_rate_limit("acme"), Some(100_000));
/// ```
pub fn fixture_server_with(
    configure: impl FnOnce(ScimServerBuilder) -> ScimServerBuilder,
) -> ScimServer {
    fixture_server_on(None, configure)
}

/// [`fixture_server_with`] on the harness's [`Harness::fixture_store`].
///
/// ```
/// use scim_conformance::{Engine, fixture_server_for};
/// let server = fixture_server_for::<Engine>(|b| b);
/// assert!(server.api_keys().is_some());
/// ```
pub fn fixture_server_for<H: Harness>(
    configure: impl FnOnce(ScimServerBuilder) -> ScimServerBuilder,
) -> ScimServer {
    fixture_server_on(H::fixture_store(), configure)
}

fn fixture_server_on(
    store: Option<Arc<dyn ResourceStore>>,
    configure: impl FnOnce(ScimServerBuilder) -> ScimServerBuilder,
) -> ScimServer {
    let keys = ApiKeyStore::new();
    for (tenant, secret, scope) in [
        ("acme", ACME_TOKEN, "SCIM2"),
        ("globex", GLOBEX_TOKEN, "SCIM2"),
        ("acme", ACME_READ_ONLY_TOKEN, "read"),
    ] {
        ready(keys.insert(tenant, secret, [scope])).expect("fixture key");
    }
    let builder = ScimServer::builder()
        .store(store.unwrap_or_else(|| Arc::new(InMemoryStore::new())))
        .api_keys(keys)
        // High enough that no flow but the rate-limit cases meets it; a case may set a
        // limiter of its own with `.rate_limiter(…)`, which replaces this one.
        .rate_limiter(TenantRateLimiter::new(100_000));
    configure(builder).build().expect("fixture server")
}

/// [`fixture_server`] with every leniency off ([`ServerConfig::strict`]): what a case
/// asserts of the RFC to the letter.
///
/// ```
/// let server = scim_conformance::strict_fixture_server();
/// assert!(!server.config().validation.coerce_boolean_strings);
/// ```
pub fn strict_fixture_server() -> ScimServer {
    fixture_server_with(|builder| builder.config(ServerConfig::strict()))
}

/// The principal the host middleware makes from [`HOST_PRINCIPAL_HEADER`].
fn host_principal(value: Option<&[u8]>) -> Option<Principal> {
    let text = std::str::from_utf8(value?).ok()?;
    let (tenant, scopes) = text.split_once(':')?;
    Some(Principal::new(tenant, scopes.split(',')).with_label("host session"))
}

/// The client address the host middleware makes from [`CLIENT_ADDR_HEADER`].
fn client_addr(value: Option<&[u8]>) -> Option<ClientAddr> {
    let text = std::str::from_utf8(value?).ok()?;
    text.trim().parse().ok().map(ClientAddr)
}

/// What the host middleware of every harness adds to a request's extensions, read from
/// the request's headers by name.
fn host_extensions<'a>(
    header: impl Fn(&str) -> Option<&'a [u8]>,
) -> (Option<Principal>, Option<ClientAddr>) {
    (
        host_principal(header(HOST_PRINCIPAL_HEADER)),
        client_addr(header(CLIENT_ADDR_HEADER)),
    )
}

/// Inserts what [`host_extensions`] found.
fn insert_host_extensions(
    extensions: &mut http::Extensions,
    (principal, client): (Option<Principal>, Option<ClientAddr>),
) {
    if let Some(principal) = principal {
        extensions.insert(principal);
    }
    if let Some(client) = client {
        extensions.insert(client);
    }
}

/// The engine itself: the harness strips [`MOUNT`] and adds the [`MountPrefix`] as an
/// adapter would.
///
/// ```
/// use scim_conformance::{Engine, HOST_ROUTES, Harness, fixture_server};
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let harness = Engine::mount(fixture_server());
/// let get = |uri: &str| http::Request::get(uri).body(bytes::Bytes::new()).unwrap();
/// assert_eq!(harness.send(get("/scim/v2/acme/Users")).await.status(), 401);
/// assert_eq!(harness.send(get(HOST_ROUTES[0].0)).await.status(), 200);
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Engine {
    server: ScimServer,
}

impl Harness for Engine {
    fn mount(server: ScimServer) -> Self {
        Self { server }
    }

    async fn send(&self, mut request: Request<Bytes>) -> Response<Bytes> {
        let path = request.uri().path();
        if let Some((_, body)) = HOST_ROUTES.iter().find(|(route, _)| *route == path) {
            return host_answer(http::StatusCode::OK, body);
        }
        // The mount point matches whole segments only: `/scim/v2-legacy` is not below it.
        let target = request
            .uri()
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_owned();
        let inner = match target.strip_prefix(MOUNT) {
            Some(inner) if inner.is_empty() || inner.starts_with(['/', '?']) => inner,
            _ => return host_answer(http::StatusCode::NOT_FOUND, HOST_NOT_FOUND),
        };
        let inner = if inner.is_empty() || inner.starts_with('?') {
            format!("/{inner}")
        } else {
            inner.to_owned()
        };
        let Ok(uri) = inner.parse() else {
            return host_answer(http::StatusCode::NOT_FOUND, HOST_NOT_FOUND);
        };
        *request.uri_mut() = uri;
        request
            .extensions_mut()
            .insert(MountPrefix(MOUNT.to_owned()));
        let found = host_extensions(|name| request.headers().get(name).map(|v| v.as_bytes()));
        insert_host_extensions(request.extensions_mut(), found);
        self.server.handle(request.map(Full::new)).await
    }
}

/// An answer of the host app itself.
fn host_answer(status: http::StatusCode, body: &'static str) -> Response<Bytes> {
    let mut response = Response::new(Bytes::from_static(body.as_bytes()));
    *response.status_mut() = status;
    response
}

/// The engine nested at [`MOUNT`] in an axum app through `scim_axum::router`, sent to with
/// `tower::ServiceExt::oneshot`.
///
/// ```
/// use scim_conformance::{Axum, HOST_ROUTES, Harness, fixture_server};
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let harness = Axum::mount(fixture_server());
/// let get = |uri: &str| http::Request::get(uri).body(bytes::Bytes::new()).unwrap();
/// assert_eq!(harness.send(get("/scim/v2/acme/Users")).await.status(), 401);
/// assert_eq!(harness.send(get(HOST_ROUTES[0].0)).await.status(), 200);
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Axum {
    app: axum::Router,
}

/// The axum host app's state, which its own routes read: the adapter's router must
/// nest into a `Router<HostState>`.
#[derive(Clone)]
struct HostState {
    routes: &'static [(&'static str, &'static str)],
}

async fn axum_host_middleware(
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let found = host_extensions(|name| request.headers().get(name).map(|v| v.as_bytes()));
    insert_host_extensions(request.extensions_mut(), found);
    next.run(request).await
}

async fn axum_host_route(
    axum::extract::State(state): axum::extract::State<HostState>,
    uri: http::Uri,
) -> &'static str {
    state
        .routes
        .iter()
        .find(|(route, _)| *route == uri.path())
        .map_or("", |(_, body)| body)
}

/// The axum host app, with the SCIM API added to its router by `mount_scim`.
fn axum_host_app(
    mount_scim: impl FnOnce(axum::Router<HostState>) -> axum::Router<HostState>,
) -> axum::Router {
    let mut app = axum::Router::new();
    for (route, _) in HOST_ROUTES {
        app = app.route(route, axum::routing::get(axum_host_route));
    }
    mount_scim(app)
        .fallback(|| async { (http::StatusCode::NOT_FOUND, HOST_NOT_FOUND) })
        .layer(axum::middleware::from_fn(axum_host_middleware))
        .with_state(HostState {
            routes: HOST_ROUTES,
        })
}

/// Sends `request` to an axum app (a router, or a service around one) and collects the
/// response's body.
async fn axum_send<A>(app: &A, request: Request<Bytes>) -> Response<Bytes>
where
    A: tower::Service<
            axum::extract::Request,
            Response = axum::response::Response,
            Error = std::convert::Infallible,
        > + Clone,
{
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let response = app
        .clone()
        .oneshot(request.map(axum::body::Body::from))
        .await
        .expect("infallible");
    let (parts, body) = response.into_parts();
    let bytes = body.collect().await.expect("in-memory body").to_bytes();
    Response::from_parts(parts, bytes)
}

impl Harness for Axum {
    fn mount(server: ScimServer) -> Self {
        let app = axum_host_app(|app| app.nest(MOUNT, scim_axum::router(server)));
        Self { app }
    }
    async fn send(&self, request: Request<Bytes>) -> Response<Bytes> {
        axum_send(&self.app, request).await
    }
}

/// The engine merged into an axum app at [`MOUNT`] through `scim_axum::Scim::router_at`
/// (routes that hand it each request with its path unchanged), sent to with
/// `tower::ServiceExt::oneshot`.
///
/// ```
/// use scim_conformance::{AxumAt, HOST_ROUTES, Harness, fixture_server};
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let harness = AxumAt::mount(fixture_server());
/// let get = |uri: &str| http::Request::get(uri).body(bytes::Bytes::new()).unwrap();
/// assert_eq!(harness.send(get("/scim/v2/acme/Users")).await.status(), 401);
/// assert_eq!(harness.send(get(HOST_ROUTES[0].0)).await.status(), 200);
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct AxumAt {
    app: axum::Router,
}

impl Harness for AxumAt {
    fn mount(server: ScimServer) -> Self {
        let scim = scim_axum::Scim::new(server);
        let app = axum_host_app(|app| app.merge(scim.router_at(MOUNT)));
        Self { app }
    }
    async fn send(&self, request: Request<Bytes>) -> Response<Bytes> {
        axum_send(&self.app, request).await
    }
}

/// The engine in front of a whole axum app at [`MOUNT`] through
/// `scim_axum::Scim::layer_at`: SCIM requests reach it before the app's router does;
/// the host middleware (principals, client addresses) wraps both.
///
/// ```
/// use scim_conformance::{AxumLayer, HOST_ROUTES, Harness, fixture_server};
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let harness = AxumLayer::mount(fixture_server());
/// let get = |uri: &str| http::Request::get(uri).body(bytes::Bytes::new()).unwrap();
/// assert_eq!(harness.send(get("/scim/v2/acme/Users")).await.status(), 401);
/// assert_eq!(harness.send(get(HOST_ROUTES[0].0)).await.status(), 200);
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct AxumLayer {
    app: axum::middleware::FromFn<
        AxumHostMiddleware,
        (),
        scim_axum::WithScim<axum::Router>,
        (axum::extract::Request,),
    >,
}

/// The host middleware's type, as [`AxumLayer`] names it.
type AxumHostMiddleware = fn(
    axum::extract::Request,
    axum::middleware::Next,
) -> std::pin::Pin<
    Box<dyn std::future::Future<Output = axum::response::Response> + Send>,
>;

impl Harness for AxumLayer {
    fn mount(server: ScimServer) -> Self {
        use tower::Layer as _;
        let router = axum_host_app(|app| app);
        let app = scim_axum::Scim::new(server).layer_at(MOUNT).layer(router);
        let middleware: AxumHostMiddleware =
            |request, next| Box::pin(axum_host_middleware(request, next));
        let app = axum::middleware::from_fn(middleware).layer(app);
        Self { app }
    }
    async fn send(&self, request: Request<Bytes>) -> Response<Bytes> {
        axum_send(&self.app, request).await
    }
}

/// The engine registered in a `/scim/v2` scope of an actix-web app through
/// `scim_actix::Scim`, sent to with `actix_web::test::call_service` (run the cases with
/// `#[actix_web::test]`).
///
/// ```
/// use scim_conformance::{Actix, HOST_ROUTES, Harness, fixture_server};
/// # #[actix_web::main]
/// # async fn main() {
/// let harness = Actix::mount(fixture_server());
/// let get = |uri: &str| http::Request::get(uri).body(bytes::Bytes::new()).unwrap();
/// assert_eq!(harness.send(get("/scim/v2/acme/Users")).await.status(), 401);
/// assert_eq!(harness.send(get(HOST_ROUTES[0].0)).await.status(), 200);
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Actix {
    server: ScimServer,
}

impl Harness for Actix {
    fn mount(server: ScimServer) -> Self {
        Self { server }
    }
    async fn send(&self, request: Request<Bytes>) -> Response<Bytes> {
        use actix_web::dev::Service as _;
        use actix_web::{App, HttpMessage as _, HttpResponse, test, web};

        // The app is built per request; the state that matters (store, keys, rate
        // limiter) lives in the cloned `ScimServer`.
        let mut app = App::new().wrap_fn(|request, service| {
            let (principal, client) =
                host_extensions(|name| request.headers().get(name).map(|v| v.as_bytes()));
            // actix-web keeps its own extensions type (http 0.2): insert one by one.
            if let Some(principal) = principal {
                request.extensions_mut().insert(principal);
            }
            if let Some(client) = client {
                request.extensions_mut().insert(client);
            }
            service.call(request)
        });
        // The scope first, the host routes after it: registration order must not matter.
        app = app.service(web::scope(MOUNT).service(scim_actix::Scim::new(self.server.clone())));
        for (route, body) in HOST_ROUTES {
            app = app.route(
                route,
                web::get().to(move || async move { HttpResponse::Ok().body(*body) }),
            );
        }
        let app = test::init_service(app.default_service(web::to(|| async {
            HttpResponse::NotFound().body(HOST_NOT_FOUND)
        })))
        .await;

        let (parts, body) = request.into_parts();
        let method = actix_web::http::Method::from_bytes(parts.method.as_str().as_bytes())
            .expect("valid method");
        let mut test_request = test::TestRequest::default()
            .method(method)
            .uri(&parts.uri.to_string());
        for (name, value) in &parts.headers {
            test_request = test_request.append_header((name.as_str(), value.as_bytes()));
        }
        let response = test::call_service(&app, test_request.set_payload(body).to_request()).await;

        let mut converted = Response::builder().status(response.status().as_u16());
        for (name, value) in response.headers() {
            converted = converted.header(name.as_str(), value.as_bytes());
        }
        let body = test::read_body(response).await;
        converted.body(body).expect("valid response")
    }
}

/// The output of a future that never waits, such as a call on [`ApiKeyStore::new`]'s
/// in-memory storage, outside or inside a runtime; panics if it would wait.
fn ready<F: Future>(future: F) -> F::Output {
    let mut context = std::task::Context::from_waker(std::task::Waker::noop());
    match std::pin::pin!(future).poll(&mut context) {
        std::task::Poll::Ready(output) => output,
        std::task::Poll::Pending => panic!("an in-memory key store operation waited"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_principal_reads_tenant_and_scopes() {
        let p = host_principal(Some(b"acme:SCIM2,read")).unwrap();
        assert_eq!(p.tenant, "acme");
        assert_eq!(p.scopes, ["SCIM2", "read"]);
        assert!(host_principal(Some(b"acme")).is_none());
        assert!(host_principal(None).is_none());
    }
}
