//! The example SCIM server (`cargo run --release --bin scim-server`), as a library so
//! that its wiring is tested: command line, server, router and the configuration text it
//! prints at start.

mod options;

use std::fmt::Write as _;
use std::time::Instant;

use axum::Router;
use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::response::Response;
use scim_core::{ApiKeyError, InMemoryStore, ScimServer};

pub use options::{ApiKeyArg, Options, ParseError, USAGE};

/// Where the example server mounts SCIM: tenant base URLs are `{MOUNT}/{tenant}`.
pub const MOUNT: &str = "/scim/v2";

/// The tenant created when no `--api-key` is given.
pub const DEMO_TENANT: &str = "demo";

/// A tenant the server was started for, and how its clients authenticate.
///
/// ```
/// use scim_examples::{Credential, Options, build};
/// let (_, credentials) = build(&Options::parse(["--api-key", "acme:secret"])?)?;
/// assert_eq!(credentials[0].tenant, "acme");
/// assert_eq!(credentials[0].generated_secret, None); // it was given on the command line
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Credential {
    /// The tenant id (the path segment after `/scim/v2`).
    pub tenant: String,
    /// The key's scopes.
    pub scopes: Vec<String>,
    /// The secret, when the server generated it (it is printed once); `None` when it
    /// came from the command line.
    pub generated_secret: Option<String>,
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credential")
            .field("tenant", &self.tenant)
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}

/// Why the server could not be built.
#[derive(Debug)]
#[non_exhaustive]
pub enum BuildError {
    /// A key could not be added or generated.
    ApiKey(ApiKeyError),
    /// The engine refused its configuration.
    Server(scim_core::BuildError),
}

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::ApiKey(e) => write!(f, "API key: {e}"),
            Self::Server(e) => write!(f, "server: {e}"),
        }
    }
}

impl std::error::Error for BuildError {}

/// Builds the engine for `options`: the in-memory store, the rate limit, the keys (or a
/// demo tenant with a fresh key).
///
/// ```
/// use scim_examples::{DEMO_TENANT, Options, build};
/// let (server, credentials) = build(&Options::default())?;
/// assert_eq!(credentials[0].tenant, DEMO_TENANT);
/// assert!(credentials[0].generated_secret.as_deref().is_some_and(|s| s.starts_with("scim_")));
/// assert_eq!(server.api_keys().map(|k| k.list(DEMO_TENANT).len()), Some(1));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn build(options: &Options) -> Result<(ScimServer, Vec<Credential>), BuildError> {
    let mut builder = ScimServer::builder()
        .store(InMemoryStore::new())
        .rate_limit_per_minute(options.rate_limit_per_minute);
    if let Some(base_url) = &options.base_url {
        builder = builder.base_url(base_url);
    }
    let server = builder.build().map_err(BuildError::Server)?;
    let Some(keys) = server.api_keys() else {
        return Ok((server, Vec::new()));
    };
    let mut credentials = Vec::new();
    for key in &options.api_keys {
        keys.insert(key.tenant.as_str(), &key.secret, key.scopes.iter().cloned())
            .map_err(BuildError::ApiKey)?;
        credentials.push(Credential {
            tenant: key.tenant.clone(),
            scopes: key.scopes.clone(),
            generated_secret: None,
        });
    }
    if credentials.is_empty() {
        let key = keys
            .create(
                DEMO_TENANT,
                [scim_core::SCIM2_SCOPE],
                "scim-server demo key",
            )
            .map_err(BuildError::ApiKey)?;
        credentials.push(Credential {
            tenant: DEMO_TENANT.to_owned(),
            scopes: key.info.scopes,
            generated_secret: Some(key.secret),
        });
    }
    Ok((server, credentials))
}

/// The whole application: SCIM nested at [`MOUNT`], a plain `/` page, and a debug log
/// line per request.
///
/// ```
/// use scim_examples::{Options, app, build};
/// use tower::ServiceExt;
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let (server, _) = build(&Options::parse(["--api-key", "acme:secret"])?)?;
/// let request = axum::extract::Request::get("/scim/v2/acme/Users")
///     .header("authorization", "Bearer secret")
///     .body(axum::body::Body::empty())?;
/// assert_eq!(app(server).oneshot(request).await?.status(), 200);
/// # Ok(())
/// # }
/// ```
pub fn app(server: ScimServer) -> Router {
    Router::new()
        .route(
            "/",
            axum::routing::get(|| async {
                "scim-server: SCIM 2.0 endpoints are under /scim/v2/{tenant}\n"
            }),
        )
        .nest(MOUNT, scim_axum::router(server))
        .layer(middleware::from_fn(log_request))
}

async fn log_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    tracing::debug!(%method, %path, status = response.status().as_u16(), elapsed_us = started.elapsed().as_micros() as u64, "request");
    response
}

/// The "SCIM2 configuration" text printed at start: per tenant, the base URL to give the
/// identity provider, each endpoint's URL, and how to authenticate.
///
/// ```
/// use scim_examples::{Options, build, configuration};
/// let (server, credentials) = build(&Options::parse(["--api-key", "acme:secret"])?)?;
/// let text = configuration(&server, "http://127.0.0.1:8080/scim/v2", &credentials);
/// assert!(text.contains("http://127.0.0.1:8080/scim/v2/acme/Users"));
/// assert!(!text.contains("secret\n")); // a given secret is never echoed
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn configuration(server: &ScimServer, base_url: &str, credentials: &[Credential]) -> String {
    let mut out = String::new();
    for credential in credentials {
        let page = server.endpoints(base_url, &credential.tenant);
        let _ = writeln!(out, "SCIM2 configuration of tenant {:?}", credential.tenant);
        let _ = writeln!(
            out,
            "  Base URL (give it to Okta / Entra ID)  {}",
            page.base_url
        );
        for (_, url) in &page.resource_types {
            let endpoint = url.rsplit('/').next().unwrap_or_default();
            let _ = writeln!(out, "  {endpoint:<38} {url}");
        }
        for (name, url) in [
            ("ServiceProviderConfig", &page.service_provider_config),
            ("Schemas", &page.schemas),
            ("ResourceTypes", &page.resource_types_endpoint),
            ("Bulk", &page.bulk),
            ("Search (POST)", &page.search),
            ("Me", &page.me),
        ] {
            let _ = writeln!(out, "  {name:<38} {url}");
        }
        let secret = match &credential.generated_secret {
            Some(secret) => {
                let _ = writeln!(out, "  API key (shown once)                   {secret}");
                secret.as_str()
            }
            None => "<the secret given with --api-key>",
        };
        let _ = writeln!(
            out,
            "  Scopes                                 {}",
            credential.scopes.join(",")
        );
        let _ = writeln!(
            out,
            "  Use it as a bearer token:  curl -H 'Authorization: Bearer {secret}' {}/Users\n",
            page.base_url
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use tower::ServiceExt;

    use super::*;

    async fn status(app: Router, uri: &str, token: &str) -> u16 {
        let request = Request::get(uri)
            .header("authorization", format!("Bearer {token}"))
            .body(axum::body::Body::empty())
            .unwrap();
        app.oneshot(request).await.unwrap().status().as_u16()
    }

    #[tokio::test]
    async fn given_keys_open_their_tenant_only() {
        let options =
            Options::parse(["--api-key", "acme:secret", "--api-key", "globex:other"]).unwrap();
        let (server, _) = build(&options).unwrap();
        let app = app(server);
        assert_eq!(
            status(app.clone(), "/scim/v2/acme/Users", "secret").await,
            200
        );
        assert_eq!(
            status(app.clone(), "/scim/v2/globex/Users", "other").await,
            200
        );
        assert_eq!(
            status(app.clone(), "/scim/v2/globex/Users", "secret").await,
            403
        );
        assert_eq!(status(app, "/scim/v2/acme/Users", "wrong").await, 401);
    }

    #[tokio::test]
    async fn the_demo_key_works() {
        let (server, credentials) = build(&Options::default()).unwrap();
        let secret = credentials[0].generated_secret.clone().unwrap();
        let uri = format!("/scim/v2/{DEMO_TENANT}/Users");
        assert_eq!(status(app(server), &uri, &secret).await, 200);
    }

    #[tokio::test]
    async fn a_scope_list_without_scim2_is_forbidden() {
        let (server, _) =
            build(&Options::parse(["--api-key", "acme:secret:read"]).unwrap()).unwrap();
        assert_eq!(
            status(app(server), "/scim/v2/acme/Users", "secret").await,
            403
        );
    }

    #[test]
    fn the_configuration_lists_every_endpoint() {
        let (server, credentials) = build(&Options::default()).unwrap();
        let text = configuration(&server, "http://h/scim/v2", &credentials);
        for endpoint in [
            "Users",
            "Groups",
            "ServiceProviderConfig",
            "Schemas",
            "ResourceTypes",
            "Bulk",
            ".search",
            "Me",
        ] {
            assert!(
                text.contains(&format!("http://h/scim/v2/demo/{endpoint}")),
                "{endpoint}: {text}"
            );
        }
        assert!(text.contains(credentials[0].generated_secret.as_deref().unwrap()));
    }
}
