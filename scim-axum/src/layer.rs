//! The API in front of a whole app: a tower layer that serves the requests below its
//! prefix and passes the others on, before the app's router looks at them.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::extract::Request;
use axum::response::Response;
use futures_util::future::Either;

use crate::Scim;

/// A [`tower_layer::Layer`] that puts the SCIM API in front of a service (the host
/// app's whole router): made by [`Scim::layer_at`], it gives a [`WithScim`].
///
/// ```
/// # use scim_axum::{InMemoryStore, Scim, ScimServer};
/// use tower_layer::Layer;
/// # let server = ScimServer::builder().store(InMemoryStore::new()).build().unwrap();
/// let app = Scim::new(server).layer_at("/scim/v2").layer(axum::Router::<()>::new());
/// # let _ = app;
/// ```
#[derive(Debug, Clone)]
pub struct ScimLayer {
    scim: Scim,
}

impl ScimLayer {
    pub(crate) fn new(scim: Scim) -> Self {
        Self { scim }
    }
}

impl<S> tower_layer::Layer<S> for ScimLayer {
    type Service = WithScim<S>;

    fn layer(&self, inner: S) -> WithScim<S> {
        WithScim {
            scim: self.scim.clone(),
            inner,
        }
    }
}

/// A service (the host app's router) with the SCIM API in front of it: a request at the
/// layer's prefix or below it goes to the engine, as it came; any other to the service.
/// See [`Scim::layer_at`].
///
/// ```
/// # use scim_axum::{InMemoryStore, Scim, ScimServer, WithScim};
/// use tower::ServiceExt;
/// use tower_layer::Layer;
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let server = ScimServer::builder().store(InMemoryStore::new()).build()?;
/// let router = axum::Router::new().route("/", axum::routing::get(|| async { "my app" }));
/// let app: WithScim<axum::Router> = Scim::new(server).layer_at("/scim/v2").layer(router);
/// let get = |uri: &str| axum::extract::Request::get(uri).body(axum::body::Body::empty());
/// assert_eq!(app.clone().oneshot(get("/")?).await?.status(), 200);
/// assert_eq!(app.clone().oneshot(get("/scim/v2/acme/Users")?).await?.status(), 401);
/// assert_eq!(app.oneshot(get("/scim/v2x")?).await?.status(), 404); // the router's
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct WithScim<S> {
    scim: Scim,
    inner: S,
}

/// The engine's answer, boxed (the engine's future is large and not nameable).
type ScimFuture = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

impl<S> tower_service::Service<Request> for WithScim<S>
where
    S: tower_service::Service<Request, Response = Response, Error = Infallible>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Either<ScimFuture, S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        if serves(self.scim.mount(), request.uri().path()) {
            let scim = self.scim.clone();
            Either::Left(Box::pin(async move { Ok(scim.handle(request).await) }))
        } else {
            Either::Right(self.inner.call(request))
        }
    }
}

/// Whether `path` is `prefix` or below it (`/scim/v2`, `/scim/v2/…`; not `/scim/v2x`).
fn serves(prefix: &str, path: &str) -> bool {
    path.strip_prefix(prefix)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

#[cfg(test)]
mod tests {
    use super::serves;

    #[test]
    fn the_prefix_and_what_is_below_it_are_served() {
        for path in [
            "/scim/v2",
            "/scim/v2/",
            "/scim/v2/acme/Users",
            "/scim/v2//x",
        ] {
            assert!(serves("/scim/v2", path), "{path}");
        }
        for path in [
            "/",
            "/scim",
            "/scim/v2x",
            "/scim/v2x/acme",
            "/admin/scim/v2",
            "",
        ] {
            assert!(!serves("/scim/v2", path), "{path}");
        }
        // At the root, everything.
        assert!(serves("", "/anything"));
    }
}
