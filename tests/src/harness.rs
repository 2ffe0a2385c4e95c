//! The [`Harness`] trait and its three implementations: the engine called directly, the
//! engine mounted in axum through `scim-axum`, and in actix-web through `scim-actix`.
//!
//! Every harness mounts SCIM at [`MOUNT`] inside a small host app that has its own `/`
//! route and its own authentication middleware: a request carrying the
//! [`HOST_PRINCIPAL_HEADER`] gets a [`Principal`] in its extensions, as a host app's
//! session middleware would do, and the adapter must pass it through to the engine.

use std::future::Future;

use bytes::Bytes;
use http::{Request, Response};
use scim_core::{
    ApiKeyStore, InMemoryStore, MountPrefix, Principal, ScimServer, ScimServerBuilder,
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
}

/// The server every case starts from: the in-memory store, the built-in schemas, and the
/// keys [`ACME_TOKEN`], [`GLOBEX_TOKEN`] and [`ACME_READ_ONLY_TOKEN`].
///
/// ```
/// let server = scim_conformance::fixture_server();
/// assert_eq!(server.api_keys().map(|keys| keys.list("acme").len()), Some(2));
/// ```
pub fn fixture_server() -> ScimServer {
    fixture_server_with(|builder| builder)
}

/// [`fixture_server`] with more settings, e.g. a low rate limit.
///
/// ```
/// let server = scim_conformance::fixture_server_with(|b| b.rate_limit_per_minute(3));
/// assert!(server.api_keys().is_some());
/// ```
pub fn fixture_server_with(
    configure: impl FnOnce(ScimServerBuilder) -> ScimServerBuilder,
) -> ScimServer {
    let keys = ApiKeyStore::new();
    for (tenant, secret, scope) in [
        ("acme", ACME_TOKEN, "SCIM2"),
        ("globex", GLOBEX_TOKEN, "SCIM2"),
        ("acme", ACME_READ_ONLY_TOKEN, "read"),
    ] {
        keys.insert(tenant, secret, [scope]).expect("fixture key");
    }
    let builder = ScimServer::builder()
        .store(InMemoryStore::new())
        .api_keys(keys)
        // High enough that no flow but the rate-limit cases meets it.
        .rate_limit_per_minute(100_000);
    configure(builder).build().expect("fixture server")
}

/// The principal the host middleware makes from [`HOST_PRINCIPAL_HEADER`].
fn host_principal(value: Option<&[u8]>) -> Option<Principal> {
    let text = std::str::from_utf8(value?).ok()?;
    let (tenant, scopes) = text.split_once(':')?;
    Some(Principal::new(tenant, scopes.split(',')).with_label("host session"))
}

/// The engine itself: the harness strips [`MOUNT`] and adds the [`MountPrefix`] as an
/// adapter would.
///
/// ```
/// use scim_conformance::{Engine, Harness, fixture_server};
/// let _harness = Engine::mount(fixture_server());
/// ```
#[derive(Clone)]
pub struct Engine {
    server: ScimServer,
}

impl Harness for Engine {
    fn mount(server: ScimServer) -> Self {
        Self { server }
    }

    async fn send(&self, mut request: Request<Bytes>) -> Response<Bytes> {
        let target = request
            .uri()
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_owned();
        if target == "/" {
            return host_home();
        }
        let Some(inner) = target.strip_prefix(MOUNT) else {
            return host_not_found();
        };
        let inner = if inner.is_empty() || inner.starts_with('?') {
            format!("/{inner}")
        } else {
            inner.to_owned()
        };
        let Ok(uri) = inner.parse() else {
            return host_not_found();
        };
        *request.uri_mut() = uri;
        request
            .extensions_mut()
            .insert(MountPrefix(MOUNT.to_owned()));
        let principal = host_principal(
            request
                .headers()
                .get(HOST_PRINCIPAL_HEADER)
                .map(|v| v.as_bytes()),
        );
        if let Some(principal) = principal {
            request.extensions_mut().insert(principal);
        }
        self.server.handle(request).await
    }
}

/// The host app's own `/` route, as the other harnesses' host apps have.
fn host_home() -> Response<Bytes> {
    Response::new(Bytes::from_static(b"host app"))
}

fn host_not_found() -> Response<Bytes> {
    let mut response = Response::new(Bytes::from_static(b"host app: not found"));
    *response.status_mut() = http::StatusCode::NOT_FOUND;
    response
}

/// The engine nested at [`MOUNT`] in an axum app through `scim_axum::router`, sent to with
/// `tower::ServiceExt::oneshot`.
///
/// ```
/// use scim_conformance::{Axum, Harness, fixture_server};
/// let _harness = Axum::mount(fixture_server());
/// ```
#[derive(Clone)]
pub struct Axum {
    app: axum::Router,
}

#[derive(Clone)]
struct HostState {
    name: &'static str,
}

async fn axum_host_auth(
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let principal = host_principal(
        request
            .headers()
            .get(HOST_PRINCIPAL_HEADER)
            .map(|v| v.as_bytes()),
    );
    if let Some(principal) = principal {
        request.extensions_mut().insert(principal);
    }
    next.run(request).await
}

impl Harness for Axum {
    fn mount(server: ScimServer) -> Self {
        let app = axum::Router::new()
            .route(
                "/",
                axum::routing::get(
                    |axum::extract::State(state): axum::extract::State<HostState>| async move {
                        state.name
                    },
                ),
            )
            .nest(MOUNT, scim_axum::router(server))
            .layer(axum::middleware::from_fn(axum_host_auth))
            .with_state(HostState { name: "host app" });
        Self { app }
    }
    async fn send(&self, request: Request<Bytes>) -> Response<Bytes> {
        use http_body_util::BodyExt;
        use tower::ServiceExt;
        let response = self
            .app
            .clone()
            .oneshot(request.map(axum::body::Body::from))
            .await
            .expect("infallible");
        let (parts, body) = response.into_parts();
        let bytes = body.collect().await.expect("in-memory body").to_bytes();
        Response::from_parts(parts, bytes)
    }
}

/// The engine registered in a `/scim/v2` scope of an actix-web app through
/// `scim_actix::Scim`, sent to with `actix_web::test::call_service` (run the cases with
/// `#[actix_web::test]`).
///
/// ```
/// use scim_conformance::{Actix, Harness, fixture_server};
/// let _harness = Actix::mount(fixture_server());
/// ```
#[derive(Clone)]
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
        let app = test::init_service(
            App::new()
                .wrap_fn(|request, service| {
                    let principal = host_principal(
                        request
                            .headers()
                            .get(HOST_PRINCIPAL_HEADER)
                            .map(|v| v.as_bytes()),
                    );
                    if let Some(principal) = principal {
                        request.extensions_mut().insert(principal);
                    }
                    service.call(request)
                })
                .route(
                    "/",
                    web::get().to(|| async { HttpResponse::Ok().body("host app") }),
                )
                .service(web::scope(MOUNT).service(scim_actix::Scim::new(self.server.clone()))),
        )
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
