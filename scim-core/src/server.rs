//! The server value and its builder: the one entry point, [`ScimServer::handle`].

use std::sync::Arc;

use bytes::Bytes;
use http::{Request, Response};

use crate::auth::{ApiKeyStore, Authenticator, MeResolver};
use crate::config::{ServerConfig, TenantEndpoints};
use crate::engine::Inner;
use crate::password::PasswordHasher;
use crate::rate_limit::{RateLimiter, TenantRateLimiter};
use crate::schema::registry::SchemaRegistry;
use crate::store::ResourceStore;

/// Why a server could not be built.
///
/// ```
/// use scim_core::{BuildError, ScimServer};
/// assert!(matches!(ScimServer::builder().build(), Err(BuildError::MissingStore)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// No [`ResourceStore`] was given.
    #[error("a ScimServer needs a resource store: call .store(…)")]
    MissingStore,
    /// The base URL is not an absolute `http`/`https` URL.
    #[error("base URL {0:?} must be an absolute http or https URL")]
    InvalidBaseUrl(String),
    /// A configuration value is out of range.
    #[error("invalid configuration: {0}")]
    InvalidConfig(String),
    /// Two settings contradict each other (e.g. a custom authenticator and the built-in
    /// key store): the builder refuses rather than silently ignoring one.
    #[error("contradictory settings: {0}")]
    Conflict(&'static str),
}

/// A SCIM 2.0 service provider: routing, authentication, rate limiting and every
/// endpoint of RFC 7644, over `http` types. Cheap to clone (an `Arc` inside).
///
/// ```
/// use bytes::Bytes;
/// use http_body_util::Full;
/// use scim_core::{ApiKeyStore, InMemoryStore, ScimServer, ServerConfig};
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let keys = ApiKeyStore::new();
/// let key = keys.create("acme", ["SCIM2"], "Okta").await?;
/// let server = ScimServer::builder()
///     .store(InMemoryStore::new())
///     .api_keys(keys)
///     .config(ServerConfig::default().base_url("https://app.example.com/scim/v2"))
///     .build()?;
///
/// let request = http::Request::post("/acme/Users")
///     .header("authorization", format!("Bearer {}", key.secret))
///     .header("content-type", "application/scim+json")
///     .body(Full::new(Bytes::from(r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bjensen"}"#)))?;
/// let response = server.handle(request).await;
/// assert_eq!(response.status(), 201);
/// assert!(response.headers()["location"].to_str()?.starts_with("https://app.example.com/scim/v2/acme/Users/"));
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct ScimServer {
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for ScimServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScimServer")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

impl ScimServer {
    /// A builder; only the store is required.
    ///
    /// ```
    /// # use scim_core::{InMemoryStore, ScimServer};
    /// let server = ScimServer::builder().store(InMemoryStore::new()).build().unwrap();
    /// assert!(server.api_keys().is_some());
    /// ```
    pub fn builder() -> ScimServerBuilder {
        ScimServerBuilder::default()
    }

    /// Handles one request whose path is relative to the mount point
    /// (`/{tenant}/Users/42?x=y`). Never panics; every failure is a SCIM error response.
    ///
    /// The body is any [`http_body::Body`] (hyper's `Incoming`, axum's `Body`, or
    /// `http_body_util::Full<Bytes>` for one already in memory). It is read only once the
    /// request is authenticated and within its tenant's rate limit, and never past the
    /// endpoint's limit (`413`, refused from `Content-Length` before any byte is read when
    /// the client declares one).
    ///
    /// ```
    /// use bytes::Bytes;
    /// use http_body_util::Full;
    /// use scim_core::{InMemoryStore, ScimServer};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let server = ScimServer::builder().store(InMemoryStore::new()).build().unwrap();
    /// server.api_keys().unwrap().insert("acme", "secret", ["SCIM2"]).await.unwrap();
    /// let request = http::Request::get("/acme/Users?filter=userName+eq+%22nobody%22")
    ///     .header("authorization", "Bearer secret")
    ///     .body(Full::new(Bytes::new()))
    ///     .unwrap();
    /// let response = server.handle(request).await;
    /// assert_eq!(response.status(), 200);
    /// assert_eq!(response.headers()["content-type"], "application/scim+json; charset=utf-8");
    ///
    /// // No credentials: 401, and the 1 GB the client announces is never read.
    /// let unauthenticated = http::Request::post("/acme/Users")
    ///     .header("content-length", "1000000000")
    ///     .body(Full::new(Bytes::new()))
    ///     .unwrap();
    /// assert_eq!(server.handle(unauthenticated).await.status(), 401);
    /// # }
    /// ```
    pub async fn handle<B>(&self, request: Request<B>) -> Response<Bytes>
    where
        B: http_body::Body,
        B::Error: std::fmt::Display,
    {
        crate::engine::handle(&self.inner, None, request).await
    }

    /// Handles a request whose path still begins with `prefix`, where the host app
    /// mounts the API (`/scim/v2` for `/scim/v2/acme/Users`): for a router that hands
    /// the request over as it came, without rewriting its URI. The prefix is also what
    /// `Location` and `meta.location` URLs are built with when no
    /// [`base_url`](crate::ServerConfig::base_url) is configured; a
    /// [`MountPrefix`](crate::MountPrefix) extension is not read. A path that does not
    /// begin with `prefix` (ending at a segment boundary) is answered `404`; a trailing
    /// slash of `prefix` is ignored, and a `prefix` that is not a plain absolute path
    /// (`/…` without `?`, `#` or spaces) is taken as the root. Otherwise the same as
    /// [`handle`](Self::handle).
    ///
    /// ```
    /// use bytes::Bytes;
    /// use http_body_util::Full;
    /// use scim_core::{InMemoryStore, ScimServer};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let server = ScimServer::builder().store(InMemoryStore::new()).build().unwrap();
    /// server.api_keys().unwrap().insert("acme", "secret", ["SCIM2"]).await.unwrap();
    /// let post = |path: &str| {
    ///     http::Request::post(path)
    ///         .header("authorization", "Bearer secret")
    ///         .header("host", "app.example.com")
    ///         .header("content-type", "application/scim+json")
    ///         .body(Full::new(Bytes::from_static(
    ///             br#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bjensen"}"#,
    ///         )))
    ///         .unwrap()
    /// };
    /// let response = server.handle_at("/scim/v2", post("/scim/v2/acme/Users")).await;
    /// assert_eq!(response.status(), 201);
    /// let location = response.headers()["location"].to_str().unwrap();
    /// assert!(location.starts_with("http://app.example.com/scim/v2/acme/Users/"));
    ///
    /// // Not below the prefix: no SCIM endpoint there.
    /// let elsewhere = server.handle_at("/scim/v2", post("/api/acme/Users")).await;
    /// assert_eq!(elsewhere.status(), 404);
    /// # }
    /// ```
    pub async fn handle_at<B>(&self, prefix: &str, request: Request<B>) -> Response<Bytes>
    where
        B: http_body::Body,
        B::Error: std::fmt::Display,
    {
        crate::engine::handle(&self.inner, Some(prefix), request).await
    }

    /// The configuration.
    ///
    /// ```
    /// # use scim_core::{InMemoryStore, ScimServer};
    /// let server = ScimServer::builder().store(InMemoryStore::new()).build().unwrap();
    /// assert_eq!(server.config().max_results, 1000);
    /// ```
    pub fn config(&self) -> &ServerConfig {
        &self.inner.config
    }

    /// The `/ServiceProviderConfig` resource (RFC 7643 §5) the server answers, without
    /// `meta`: the configuration's limits and switches, and `changePassword.supported`
    /// when a [`PasswordHasher`] is configured.
    ///
    /// ```
    /// # use scim_core::{InMemoryStore, ScimServer, ServerConfig};
    /// let server = ScimServer::builder().store(InMemoryStore::new())
    ///     .config(ServerConfig::default().max_results(200)).build().unwrap();
    /// let spc = server.service_provider_config();
    /// assert_eq!(spc["filter"]["maxResults"], 200);
    /// assert_eq!(spc["changePassword"]["supported"], false); // no password hasher
    /// ```
    pub fn service_provider_config(&self) -> serde_json::Value {
        self.inner.service_provider_config()
    }

    /// The schema registry.
    ///
    /// ```
    /// # use scim_core::{InMemoryStore, ScimServer};
    /// let server = ScimServer::builder().store(InMemoryStore::new()).build().unwrap();
    /// assert!(server.registry().resource_type("User").is_some());
    /// ```
    pub fn registry(&self) -> &SchemaRegistry {
        &self.inner.registry
    }

    /// The built-in API-key store, when the server authenticates with it (the default
    /// when no other [`Authenticator`] is given).
    ///
    /// ```
    /// # use scim_core::{InMemoryStore, ScimServer};
    /// let server = ScimServer::builder().store(InMemoryStore::new()).build().unwrap();
    /// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    /// let key = rt.block_on(server.api_keys().unwrap().create("acme", ["SCIM2"], "Okta")).unwrap();
    /// assert!(key.secret.starts_with("scim_"));
    /// ```
    pub fn api_keys(&self) -> Option<&ApiKeyStore> {
        self.inner.api_keys.as_ref()
    }

    /// `tenant`'s rate-limit budget in requests per minute, as the limiter reports it
    /// (for a configuration page); `None` when the limiter does not say.
    ///
    /// ```
    /// # use scim_core::{InMemoryStore, ScimServer, TenantRateLimiter};
    /// let server = ScimServer::builder().store(InMemoryStore::new())
    ///     .rate_limiter(TenantRateLimiter::new(200).with_tenant_limit("acme", 1500))
    ///     .build().unwrap();
    /// assert_eq!(server.tenant_rate_limit("acme"), Some(1500));
    /// assert_eq!(server.tenant_rate_limit("globex"), Some(200));
    /// ```
    pub fn tenant_rate_limit(&self, tenant: &str) -> Option<u32> {
        self.inner.rate_limiter.tenant_limit(tenant)
    }

    /// The URLs of `tenant`'s endpoints under `base_url` (the URL up to the tenant
    /// segment), for the host app's read-only "SCIM2 configuration" page.
    ///
    /// ```
    /// # use scim_core::{InMemoryStore, ScimServer};
    /// let server = ScimServer::builder().store(InMemoryStore::new()).build().unwrap();
    /// let page = server.endpoints("https://app.example.com/scim/v2/", "acme");
    /// assert_eq!(page.bulk, "https://app.example.com/scim/v2/acme/Bulk");
    /// ```
    pub fn endpoints(&self, base_url: &str, tenant: &str) -> TenantEndpoints {
        TenantEndpoints::new(
            base_url,
            tenant,
            self.inner
                .registry
                .resource_types()
                .map(|rt| (rt.name.as_str(), rt.endpoint.as_str())),
        )
    }
}

/// Builds a [`ScimServer`].
///
/// ```
/// use scim_core::{InMemoryStore, ScimServer, ServerConfig, SchemaRegistry};
/// let server = ScimServer::builder()
///     .registry(SchemaRegistry::with_builtins())
///     .store(InMemoryStore::new())
///     .config(ServerConfig::default().max_results(200))
///     .rate_limit_per_minute(1500)
///     .build()
///     .unwrap();
/// assert_eq!(server.config().max_results, 200);
/// ```
#[derive(Default)]
pub struct ScimServerBuilder {
    registry: Option<SchemaRegistry>,
    store: Option<Arc<dyn ResourceStore>>,
    authenticator: Option<Arc<dyn Authenticator>>,
    api_keys: Option<ApiKeyStore>,
    rate_limiter: Option<Arc<dyn RateLimiter>>,
    rate_limit_per_minute: Option<u32>,
    me: Option<Arc<dyn MeResolver>>,
    password_hasher: Option<Arc<dyn PasswordHasher>>,
    config: Option<ServerConfig>,
}

impl std::fmt::Debug for ScimServerBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScimServerBuilder").finish_non_exhaustive()
    }
}

impl ScimServerBuilder {
    /// The schemas and resource types (default: User with EnterpriseUser, and Group).
    ///
    /// ```
    /// # use scim_core::{InMemoryStore, ScimServer, SchemaRegistry};
    /// let server = ScimServer::builder().registry(SchemaRegistry::with_builtins())
    ///     .store(InMemoryStore::new()).build().unwrap();
    /// assert!(server.registry().resource_type("Group").is_some());
    /// ```
    #[must_use]
    pub fn registry(mut self, registry: SchemaRegistry) -> Self {
        self.registry = Some(registry);
        self
    }

    /// The resource store (required).
    ///
    /// ```
    /// # use scim_core::{BuildError, InMemoryStore, ScimServer};
    /// assert!(matches!(ScimServer::builder().build(), Err(BuildError::MissingStore)));
    /// let server = ScimServer::builder().store(InMemoryStore::new()).build().unwrap();
    /// assert!(server.registry().resource_type("User").is_some());
    /// ```
    #[must_use]
    pub fn store(self, store: impl ResourceStore) -> Self {
        self.store_arc(Arc::new(store))
    }

    /// The resource store, shared with the host app.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use bytes::Bytes;
    /// # use http_body_util::Full;
    /// # use scim_core::{InMemoryStore, Principal, RequestContext, Resource, ResourceStore, ScimServer};
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let store: Arc<dyn ResourceStore> = Arc::new(InMemoryStore::new());
    /// let server = ScimServer::builder().store_arc(store.clone()).build().unwrap();
    ///
    /// // The host app writes to the store itself; the server serves what it wrote.
    /// let users = server.registry().resource_type("User").unwrap();
    /// let user = Resource::from_value_unchecked("User", serde_json::json!({"userName": "bjensen"})).unwrap();
    /// let created = store.create(&RequestContext::new("acme"), users, user).await.unwrap();
    /// let mut request = http::Request::get(format!("/acme/Users/{}", created.id().unwrap()))
    ///     .body(Full::new(Bytes::new()))
    ///     .unwrap();
    /// request.extensions_mut().insert(Principal::new("acme", ["SCIM2"]));
    /// assert_eq!(server.handle(request).await.status(), 200);
    /// # });
    /// ```
    #[must_use]
    pub fn store_arc(mut self, store: Arc<dyn ResourceStore>) -> Self {
        self.store = Some(store);
        self
    }

    /// Authenticates bearer tokens with `authenticator` instead of the built-in key store.
    ///
    /// ```
    /// # use scim_core::{InMemoryStore, Principal, ScimError, ScimServer};
    /// let server = ScimServer::builder()
    ///     .store(InMemoryStore::new())
    ///     .authenticator(|token: String| async move {
    ///         Ok::<_, ScimError>((token == "s3cret").then(|| Principal::new("acme", ["SCIM2"])))
    ///     })
    ///     .build()
    ///     .unwrap();
    /// assert!(server.api_keys().is_none());
    /// ```
    #[must_use]
    pub fn authenticator(self, authenticator: impl Authenticator) -> Self {
        self.authenticator_arc(Arc::new(authenticator))
    }

    /// Like [`authenticator`](Self::authenticator), with a shared authenticator.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use bytes::Bytes;
    /// # use http_body_util::Full;
    /// # use scim_core::{ApiKeyStore, Authenticator, InMemoryStore, ScimServer};
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// // A key store the host app also uses elsewhere, shared as an authenticator.
    /// let keys = ApiKeyStore::new();
    /// keys.insert("acme", "s3cret", ["SCIM2"]).await.unwrap();
    /// let auth: Arc<dyn Authenticator> = Arc::new(keys);
    /// let server = ScimServer::builder().store(InMemoryStore::new()).authenticator_arc(auth).build().unwrap();
    /// assert!(server.api_keys().is_none(), "the built-in key store is not used");
    /// let get = |token: &str| http::Request::get("/acme/Users")
    ///     .header("authorization", format!("Bearer {token}"))
    ///     .body(Full::new(Bytes::new()))
    ///     .unwrap();
    /// assert_eq!(server.handle(get("s3cret")).await.status(), 200);
    /// assert_eq!(server.handle(get("other")).await.status(), 401);
    /// # });
    /// ```
    #[must_use]
    pub fn authenticator_arc(mut self, authenticator: Arc<dyn Authenticator>) -> Self {
        self.authenticator = Some(authenticator);
        self
    }

    /// Authenticates with this built-in key store (the default is an empty one). Keep a
    /// clone to create and revoke keys.
    ///
    /// ```
    /// # use scim_core::{ApiKeyStore, InMemoryStore, ScimServer};
    /// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    /// let keys = ApiKeyStore::new();
    /// rt.block_on(keys.insert("acme", "secret", ["SCIM2"])).unwrap();
    /// let server = ScimServer::builder().store(InMemoryStore::new()).api_keys(keys.clone()).build().unwrap();
    /// assert_eq!(rt.block_on(server.api_keys().unwrap().list("acme")).unwrap().len(), 1);
    ///
    /// // A key store and a custom authenticator contradict each other.
    /// let both = ScimServer::builder().store(InMemoryStore::new()).api_keys(keys)
    ///     .authenticator(|_: String| async { Ok(None) }).build();
    /// assert!(matches!(both, Err(scim_core::BuildError::Conflict(_))));
    /// ```
    #[must_use]
    pub fn api_keys(mut self, api_keys: ApiKeyStore) -> Self {
        self.api_keys = Some(api_keys);
        self
    }

    /// Replaces the built-in per-tenant limiter.
    ///
    /// ```
    /// # use scim_core::{InMemoryStore, ScimServer, TenantRateLimiter, rate_limit::NoRateLimit};
    /// let limiter = TenantRateLimiter::new(200).with_tenant_limit("acme", 1500);
    /// let server = ScimServer::builder().store(InMemoryStore::new()).rate_limiter(limiter).build().unwrap();
    /// assert_eq!(server.tenant_rate_limit("acme"), Some(1500));
    /// assert_eq!(server.tenant_rate_limit("globex"), Some(200));
    ///
    /// // No limit at all (e.g. the host app limits upstream).
    /// let server = ScimServer::builder().store(InMemoryStore::new()).rate_limiter(NoRateLimit).build().unwrap();
    /// assert_eq!(server.tenant_rate_limit("acme"), None);
    /// ```
    #[must_use]
    pub fn rate_limiter(mut self, rate_limiter: impl RateLimiter) -> Self {
        self.rate_limiter = Some(Arc::new(rate_limiter));
        self
    }

    /// The built-in limiter's budget per tenant and minute (default 200).
    ///
    /// ```
    /// # use scim_core::{InMemoryStore, ScimServer};
    /// let server = ScimServer::builder().store(InMemoryStore::new()).rate_limit_per_minute(1500).build().unwrap();
    /// assert_eq!(server.tenant_rate_limit("acme"), Some(1500));
    ///
    /// // With a limiter of your own, set the budget on it instead.
    /// let both = ScimServer::builder().store(InMemoryStore::new())
    ///     .rate_limiter(scim_core::rate_limit::NoRateLimit).rate_limit_per_minute(10).build();
    /// assert!(matches!(both, Err(scim_core::BuildError::Conflict(_))));
    /// ```
    #[must_use]
    pub fn rate_limit_per_minute(mut self, per_minute: u32) -> Self {
        self.rate_limit_per_minute = Some(per_minute);
        self
    }

    /// Accepts passwords: each one a request carries (create, replace, every shape of
    /// PATCH, Bulk) is hashed by `hasher` before the store sees it, and
    /// `/ServiceProviderConfig` answers `changePassword.supported: true`. Without a
    /// hasher no password is stored (see the [`password`](crate::password) module).
    ///
    /// ```
    /// # use scim_core::{InMemoryStore, ScimServer, password::PasswordError};
    /// let server = ScimServer::builder()
    ///     .store(InMemoryStore::new())
    ///     // With the `argon2` feature: `.password_hasher(scim_core::password::Argon2Hasher::new())`.
    ///     .password_hasher(|password: String| async move {
    ///         Ok::<_, PasswordError>(format!("not-a-real-hash:{}", password.len()))
    ///     })
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(server.service_provider_config()["changePassword"]["supported"], true);
    /// ```
    #[must_use]
    pub fn password_hasher(self, hasher: impl PasswordHasher) -> Self {
        self.password_hasher_arc(Arc::new(hasher))
    }

    /// Like [`password_hasher`](Self::password_hasher), with a hasher shared with the host
    /// app (which verifies passwords with it at login).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use scim_core::{InMemoryStore, PasswordHasher, ScimServer, password::PasswordError};
    /// let hasher: Arc<dyn PasswordHasher> =
    ///     Arc::new(|p: String| async move { Ok::<_, PasswordError>(format!("h:{}", p.len())) });
    /// let server = ScimServer::builder()
    ///     .store(InMemoryStore::new())
    ///     .password_hasher_arc(Arc::clone(&hasher))
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(server.service_provider_config()["changePassword"]["supported"], true);
    /// assert_eq!(Arc::strong_count(&hasher), 2, "the server holds the host's hasher");
    /// ```
    #[must_use]
    pub fn password_hasher_arc(mut self, hasher: Arc<dyn PasswordHasher>) -> Self {
        self.password_hasher = Some(hasher);
        self
    }

    /// Resolves `/Me` to the principal's own resource (without one, `/Me` is `501`).
    ///
    /// ```
    /// # use bytes::Bytes;
    /// # use http_body_util::Full;
    /// # use scim_core::{InMemoryStore, Principal, ScimServer};
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// // Here the principal's label is the id of its User (a host app would look it up).
    /// let resolver = |p: Principal| async move { Some(("User".to_owned(), p.label)) };
    /// let me = |label: &str| {
    ///     let mut request = http::Request::get("/acme/Me").body(Full::new(Bytes::new())).unwrap();
    ///     request.extensions_mut().insert(Principal::new("acme", ["SCIM2"]).with_label(label));
    ///     request
    /// };
    /// let without = ScimServer::builder().store(InMemoryStore::new()).build().unwrap();
    /// assert_eq!(without.handle(me("42")).await.status(), 501);
    /// let with = ScimServer::builder().store(InMemoryStore::new()).me_resolver(resolver).build().unwrap();
    /// assert_eq!(with.handle(me("42")).await.status(), 404); // no User 42 in this store
    /// # });
    /// ```
    #[must_use]
    pub fn me_resolver(mut self, resolver: impl MeResolver) -> Self {
        self.me = Some(Arc::new(resolver));
        self
    }

    /// Limits and switches.
    ///
    /// ```
    /// # use scim_core::{InMemoryStore, ScimServer, ServerConfig};
    /// let server = ScimServer::builder().store(InMemoryStore::new())
    ///     .config(ServerConfig::default().etag(false)).build().unwrap();
    /// assert!(!server.config().etag);
    /// ```
    #[must_use]
    pub fn config(mut self, config: ServerConfig) -> Self {
        self.config = Some(config);
        self
    }

    /// The server.
    ///
    /// ```
    /// # use scim_core::{InMemoryStore, ScimServer};
    /// let server = ScimServer::builder().store(InMemoryStore::new()).build().unwrap();
    /// // A clone is cheap (an `Arc` inside) and shares everything: keys, store, limiter.
    /// let clone = server.clone();
    /// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    /// rt.block_on(server.api_keys().unwrap().create("acme", ["SCIM2"], "Okta")).unwrap();
    /// assert_eq!(rt.block_on(clone.api_keys().unwrap().list("acme")).unwrap().len(), 1);
    /// ```
    pub fn build(self) -> Result<ScimServer, BuildError> {
        let store = self.store.ok_or(BuildError::MissingStore)?;
        let mut config = self.config.unwrap_or_default();
        if let Some(base) = &mut config.base_url {
            let lower = base.to_ascii_lowercase();
            let rest = lower
                .strip_prefix("https://")
                .or_else(|| lower.strip_prefix("http://"));
            if rest.is_none_or(|r| r.is_empty() || r.starts_with('/')) {
                return Err(BuildError::InvalidBaseUrl(base.clone()));
            }
            while base.ends_with('/') {
                base.pop();
            }
        }
        if config.max_results == 0 || config.bulk_max_operations == 0 {
            return Err(BuildError::InvalidConfig(
                "max_results and bulk_max_operations must be at least 1".into(),
            ));
        }
        let (authenticator, api_keys): (Arc<dyn Authenticator>, Option<ApiKeyStore>) = match (
            self.authenticator,
            self.api_keys,
        ) {
            (Some(_), Some(_)) => {
                return Err(BuildError::Conflict(
                    "both .api_keys(…) and .authenticator(…) were given; keys are checked by one of them",
                ));
            }
            (Some(auth), None) => (auth, None),
            (None, keys) => {
                let keys = keys.unwrap_or_default();
                (Arc::new(keys.clone()), Some(keys))
            }
        };
        let rate_limiter = match (self.rate_limiter, self.rate_limit_per_minute) {
            (Some(_), Some(_)) => {
                return Err(BuildError::Conflict(
                    "both .rate_limiter(…) and .rate_limit_per_minute(…) were given; set the budget on the limiter",
                ));
            }
            (Some(limiter), None) => limiter,
            (None, per_minute) => Arc::new(TenantRateLimiter::new(
                per_minute.unwrap_or(crate::rate_limit::DEFAULT_PER_MINUTE),
            )),
        };
        Ok(ScimServer {
            inner: Arc::new(Inner {
                registry: self.registry.unwrap_or_else(SchemaRegistry::with_builtins),
                store,
                authenticator,
                api_keys,
                rate_limiter,
                me: self.me,
                password_hasher: self.password_hasher,
                config,
                slots: crate::engine::TenantSlots::default(),
                id: Inner::next_id(),
            }),
        })
    }
}
