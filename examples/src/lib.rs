//! The example SCIM server (`cargo run --release --bin scim-server`), as a library so
//! that its wiring is tested: command line, server, router, the configuration text it
//! prints at start, and the HTTP server loop with its timeouts, connection cap and
//! shutdown deadline ([`serve`]).

mod admin;
mod connection;
mod database;
mod exchange;
mod options;
pub mod redis;
mod serve;

// The workspace README's examples (axum, actix-web, a store of your own, a custom
// resource type) compile and run as this crate's doctests.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

use std::fmt::Write as _;
use std::time::Instant;

use axum::Router;
use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::response::Response;
use scim_core::password::Argon2Hasher;
use scim_core::{ScimServer, ServerConfig, auth::ApiKeyError};
use tower::Layer as _;

pub use admin::{AdminPages, AdminPassword, generate_admin_password};
pub use database::{Backend, DEFAULT_DATABASE, Database, OpenError, open};
pub use options::{ApiKeyArg, Options, ParseError, USAGE};
pub use serve::{AppService, ConnectionLimits, serve};

/// Where the example server mounts SCIM: tenant base URLs are `{MOUNT}/{tenant}`.
pub const MOUNT: &str = "/scim/v2";

/// The tenant created when no `--api-key` is given.
pub const DEMO_TENANT: &str = "demo";

/// The label of the demo tenant's key: at each start without `--api-key`, the key with
/// this label is revoked and a new one created.
///
/// ```
/// use scim_examples::{DEMO_KEY_LABEL, DEMO_TENANT, Options, build};
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let (server, _) = build(&Options::default()).await?;
/// let keys = server.api_keys().ok_or("the built-in key store")?.list(DEMO_TENANT).await?;
/// assert_eq!(keys[0].label, DEMO_KEY_LABEL);
/// # Ok(())
/// # }
/// ```
pub const DEMO_KEY_LABEL: &str = "scim-server demo key";

/// A tenant the server was started for, and how its clients authenticate.
///
/// ```
/// use scim_examples::{Credential, Options, build};
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let (_, credentials) = build(&Options::parse(["--api-key", "acme:secret"])?).await?;
/// assert_eq!(credentials[0].tenant, "acme");
/// assert_eq!(credentials[0].generated_secret, None); // it was given on the command line
/// # Ok(())
/// # }
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
    /// The `--redis` URL was refused.
    Redis(String),
}

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::ApiKey(e) => write!(f, "API key: {e}"),
            Self::Server(e) => write!(f, "server: {e}"),
            Self::Redis(e) => write!(f, "--redis: {e}"),
        }
    }
}

impl std::error::Error for BuildError {}

/// [`build_on`] in process memory, whatever `options.database` says (tests and
/// examples; the binary opens `--database` with [`open`] and calls [`build_on`]).
///
/// ```
/// use scim_examples::{DEMO_TENANT, Options, build};
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let (server, credentials) = build(&Options::default()).await?;
/// assert_eq!(credentials[0].tenant, DEMO_TENANT);
/// assert!(credentials[0].generated_secret.as_deref().is_some_and(|s| s.starts_with("scim_")));
/// let keys = server.api_keys().ok_or("the built-in key store")?;
/// assert_eq!(keys.list(DEMO_TENANT).await?.len(), 1);
/// # Ok(())
/// # }
/// ```
pub async fn build(options: &Options) -> Result<(ScimServer, Vec<Credential>), BuildError> {
    build_on(options, Backend::memory()).await
}

/// Builds the engine for `options` on `backend`: the rate limit, the base URL
/// ([`Options::base_url`]: URLs in responses never come from the request's `Host`),
/// passwords hashed with argon2id, lenient or strict (`--strict`), the keys of
/// `--api-key` (put again at each start: the same secret stays one key), or, without
/// any, a demo tenant with a fresh key that replaces the previous start's.
///
/// ```
/// use scim_examples::{Backend, Options, build_on};
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let options = Options::parse(["--api-key", "acme:secret"])?;
/// let (server, _) = build_on(&options, Backend::memory()).await?;
/// assert_eq!(server.api_keys().unwrap().tenants().await?, ["acme"]);
/// # Ok(())
/// # }
/// ```
pub async fn build_on(
    options: &Options,
    backend: Backend,
) -> Result<(ScimServer, Vec<Credential>), BuildError> {
    let config = if options.strict {
        ServerConfig::strict()
    } else {
        ServerConfig::default()
    };
    let server = redis::rate_limiter(ScimServer::builder(), options)?
        .store_arc(backend.store)
        .api_keys(backend.keys)
        // Okta (with password sync) sends passwords: store them hashed.
        .password_hasher(Argon2Hasher::new())
        .config(config.base_url(options.base_url()))
        .build()
        .map_err(BuildError::Server)?;
    let Some(keys) = server.api_keys() else {
        return Ok((server, Vec::new()));
    };
    let mut credentials = Vec::new();
    for key in &options.api_keys {
        keys.insert(key.tenant.as_str(), &key.secret, key.scopes.iter().cloned())
            .await
            .map_err(BuildError::ApiKey)?;
        credentials.push(Credential {
            tenant: key.tenant.clone(),
            scopes: key.scopes.clone(),
            generated_secret: None,
        });
    }
    if credentials.is_empty() {
        // One demo key at a time: the one printed by the previous start goes.
        for old in keys.list(DEMO_TENANT).await.map_err(BuildError::ApiKey)? {
            if old.label == DEMO_KEY_LABEL {
                keys.revoke(DEMO_TENANT, &old.id)
                    .await
                    .map_err(BuildError::ApiKey)?;
            }
        }
        let key = keys
            .create(DEMO_TENANT, [scim_core::auth::SCIM2_SCOPE], DEMO_KEY_LABEL)
            .await
            .map_err(BuildError::ApiKey)?;
        credentials.push(Credential {
            tenant: DEMO_TENANT.to_owned(),
            scopes: key.info.scopes,
            generated_secret: Some(key.secret),
        });
    }
    Ok((server, credentials))
}

/// The whole application: SCIM at [`MOUNT`], a plain `/` page, and a debug log
/// line per request (the SCIM engine's own for SCIM requests).
///
/// ```
/// use scim_examples::{Options, app, build};
/// use tower::ServiceExt;
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let (server, _) = build(&Options::parse(["--api-key", "acme:secret"])?).await?;
/// let request = axum::extract::Request::get("/scim/v2/acme/Users")
///     .header("authorization", "Bearer secret")
///     .body(axum::body::Body::empty())?;
/// assert_eq!(app(server).oneshot(request).await?.status(), 200);
/// # Ok(())
/// # }
/// ```
pub fn app(server: ScimServer) -> App {
    app_with_admin(server, None)
}

/// [`app`] with the tenant admin pages at `/admin/` ([`AdminPages`]).
///
/// ```
/// use scim_examples::{AdminPages, Options, app_with_admin, build};
/// use tower::ServiceExt;
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let (server, _) = build(&Options::default()).await?;
/// let admin = AdminPages::new(server.clone(), "pw", "http://h/scim/v2");
/// let request = axum::extract::Request::get("/admin/").body(axum::body::Body::empty())?;
/// let response = app_with_admin(server, Some(admin)).oneshot(request).await?;
/// assert_eq!(response.status(), 200); // the sign-in page
/// # Ok(())
/// # }
/// ```
pub fn app_with_admin(server: ScimServer, admin: Option<AdminPages>) -> App {
    let admin = admin.map_or_else(Router::new, |admin| admin.router());
    let router = admin
        .route(
            "/",
            axum::routing::get(|| async {
                "scim-server: SCIM 2.0 endpoints are under /scim/v2/{tenant}; admin pages at /admin/\n"
            }),
        )
        .layer(middleware::from_fn(log_request));
    // In front of the router: a SCIM request is not routed by axum at all. The engine
    // logs each SCIM request itself, in its `scim_request` span.
    scim_axum::Scim::new(server).layer_at(MOUNT).layer(router)
}

/// The example's application: its router, with the SCIM API at [`MOUNT`] in front.
///
/// ```
/// use scim_examples::{App, Options, app, build};
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let (server, _) = build(&Options::default()).await?;
/// let app: App = app(server);
/// // Served by `scim_examples::serve`, or as any tower service:
/// let _make = axum::ServiceExt::<axum::extract::Request>::into_make_service(app);
/// # Ok(())
/// # }
/// ```
pub type App = scim_axum::WithScim<Router>;

async fn log_request(request: Request, next: Next) -> Response {
    if !tracing::enabled!(tracing::Level::DEBUG) {
        return next.run(request).await;
    }
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
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let (server, credentials) = build(&Options::parse(["--api-key", "acme:secret"])?).await?;
/// let text = configuration(&server, "http://127.0.0.1:8080/scim/v2", &credentials);
/// assert!(text.contains("http://127.0.0.1:8080/scim/v2/acme/Users"));
/// assert!(!text.contains("secret\n")); // a given secret is never echoed
/// # Ok(())
/// # }
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

    async fn status(app: App, uri: &str, token: &str) -> u16 {
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
        let (server, _) = build(&options).await.unwrap();
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
            401
        );
        assert_eq!(status(app, "/scim/v2/acme/Users", "wrong").await, 401);
    }

    #[tokio::test]
    async fn the_demo_key_works() {
        let (server, credentials) = build(&Options::default()).await.unwrap();
        let secret = credentials[0].generated_secret.clone().unwrap();
        let uri = format!("/scim/v2/{DEMO_TENANT}/Users");
        assert_eq!(status(app(server), &uri, &secret).await, 200);
    }

    #[tokio::test]
    async fn a_scope_list_without_scim2_is_forbidden() {
        let (server, _) = build(&Options::parse(["--api-key", "acme:secret:read"]).unwrap())
            .await
            .unwrap();
        assert_eq!(
            status(app(server), "/scim/v2/acme/Users", "secret").await,
            403
        );
    }

    #[tokio::test]
    async fn passwords_are_supported_and_strict_turns_every_leniency_off() {
        let (lenient, _) = build(&Options::default()).await.unwrap();
        assert_eq!(
            lenient.service_provider_config()["changePassword"]["supported"],
            true
        );
        assert_eq!(
            lenient.config().validation,
            ServerConfig::default().validation
        );
        let (strict, _) = build(&Options::parse(["--strict"]).unwrap()).await.unwrap();
        let config = strict.config();
        let expected = ServerConfig::strict();
        assert_eq!(
            (&config.validation, &config.filter, &config.patch),
            (&expected.validation, &expected.filter, &expected.patch)
        );
    }

    #[tokio::test]
    async fn the_configuration_lists_every_endpoint() {
        let (server, credentials) = build(&Options::default()).await.unwrap();
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
