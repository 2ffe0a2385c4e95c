//! The server value and its builder: the one entry point, [`ScimServer::handle`].

use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use http::{Request, Response};

use crate::auth::{ApiKeyStore, Authenticator, Principal};
use crate::config::{ServerConfig, TenantEndpoints};
use crate::rate_limit::{RateLimiter, TenantRateLimiter};
use crate::schema::registry::SchemaRegistry;
use crate::store::ResourceStore;

/// The URL path prefix at which a host app mounts the engine, e.g. `/scim/v2`. Adapters
/// put it in the request extensions so that the engine can build absolute `Location` and
/// `meta.location` URLs when no base URL is configured.
///
/// ```
/// use scim_core::MountPrefix;
/// let mut request = http::Request::new(bytes::Bytes::new());
/// request.extensions_mut().insert(MountPrefix("/scim/v2".into()));
/// assert_eq!(request.extensions().get::<MountPrefix>().unwrap().0, "/scim/v2");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MountPrefix(pub String);

/// Which resource `/Me` stands for: the host app maps an authenticated principal to the
/// resource type (e.g. `User`) and id of its own resource (RFC 7644 §3.11). Without one,
/// `/Me` answers `501 Not Implemented`.
///
/// A closure `Fn(Principal) -> impl Future<Output = Option<(String, String)>>` is a resolver.
///
/// ```
/// use scim_core::{MeResolver, Principal};
/// let me = |p: Principal| async move { Some(("User".to_owned(), p.label)) };
/// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
/// let target = rt.block_on(me.resolve(&Principal::new("acme", ["SCIM2"]).with_label("42")));
/// assert_eq!(target, Some(("User".to_owned(), "42".to_owned())));
/// ```
#[async_trait]
pub trait MeResolver: Send + Sync + 'static {
    /// The resource type name and id of `principal`'s own resource, if it has one.
    async fn resolve(&self, principal: &Principal) -> Option<(String, String)>;
}

#[async_trait]
impl<F, Fut> MeResolver for F
where
    F: Fn(Principal) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Option<(String, String)>> + Send + 'static,
{
    async fn resolve(&self, principal: &Principal) -> Option<(String, String)> {
        self(principal.clone()).await
    }
}

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
}

pub(crate) struct Inner {
    pub(crate) registry: SchemaRegistry,
    pub(crate) store: Arc<dyn ResourceStore>,
    pub(crate) authenticator: Arc<dyn Authenticator>,
    pub(crate) api_keys: Option<ApiKeyStore>,
    pub(crate) rate_limiter: Arc<dyn RateLimiter>,
    pub(crate) me: Option<Arc<dyn MeResolver>>,
    pub(crate) config: ServerConfig,
}

/// A SCIM 2.0 service provider: routing, authentication, rate limiting and every
/// endpoint of RFC 7644, over `http` types. Cheap to clone (an `Arc` inside).
///
/// ```
/// use bytes::Bytes;
/// use scim_core::{ApiKeyStore, InMemoryStore, ScimServer};
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let keys = ApiKeyStore::new();
/// let key = keys.create("acme", ["SCIM2"], "Okta")?;
/// let server = ScimServer::builder()
///     .store(InMemoryStore::new())
///     .api_keys(keys)
///     .base_url("https://app.example.com/scim/v2")
///     .build()?;
///
/// let request = http::Request::post("/acme/Users")
///     .header("authorization", format!("Bearer {}", key.secret))
///     .header("content-type", "application/scim+json")
///     .body(Bytes::from(r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bjensen"}"#))?;
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
    /// ```
    /// use bytes::Bytes;
    /// use scim_core::{InMemoryStore, ScimServer};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let server = ScimServer::builder().store(InMemoryStore::new()).build().unwrap();
    /// server.api_keys().unwrap().insert("acme", "secret", ["SCIM2"]).unwrap();
    /// let request = http::Request::get("/acme/Users?filter=userName+eq+%22nobody%22")
    ///     .header("authorization", "Bearer secret")
    ///     .body(Bytes::new())
    ///     .unwrap();
    /// let response = server.handle(request).await;
    /// assert_eq!(response.status(), 200);
    /// assert_eq!(response.headers()["content-type"], "application/scim+json; charset=utf-8");
    /// let unauthenticated = server.handle(http::Request::get("/acme/Users").body(Bytes::new()).unwrap()).await;
    /// assert_eq!(unauthenticated.status(), 401);
    /// # }
    /// ```
    pub async fn handle(&self, request: Request<Bytes>) -> Response<Bytes> {
        crate::engine::handle(&self.inner, request).await
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
    /// let key = server.api_keys().unwrap().create("acme", ["SCIM2"], "Okta").unwrap();
    /// assert!(key.secret.starts_with("scim_"));
    /// ```
    pub fn api_keys(&self) -> Option<&ApiKeyStore> {
        self.inner.api_keys.as_ref()
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
    config: Option<ServerConfig>,
    base_url: Option<String>,
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
    /// # use scim_core::{InMemoryStore, ScimServer};
    /// assert!(ScimServer::builder().store(InMemoryStore::new()).build().is_ok());
    /// ```
    #[must_use]
    pub fn store(self, store: impl ResourceStore) -> Self {
        self.store_arc(Arc::new(store))
    }

    /// The resource store, shared with the host app.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use scim_core::{InMemoryStore, ResourceStore, ScimServer};
    /// let store: Arc<dyn ResourceStore> = Arc::new(InMemoryStore::new());
    /// assert!(ScimServer::builder().store_arc(store.clone()).build().is_ok());
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
    /// # use scim_core::{ApiKeyStore, Authenticator, InMemoryStore, ScimServer};
    /// let auth: Arc<dyn Authenticator> = Arc::new(ApiKeyStore::new());
    /// assert!(ScimServer::builder().store(InMemoryStore::new()).authenticator_arc(auth).build().is_ok());
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
    /// let keys = ApiKeyStore::new();
    /// keys.insert("acme", "secret", ["SCIM2"]).unwrap();
    /// let server = ScimServer::builder().store(InMemoryStore::new()).api_keys(keys.clone()).build().unwrap();
    /// assert_eq!(server.api_keys().unwrap().list("acme").len(), 1);
    /// ```
    #[must_use]
    pub fn api_keys(mut self, api_keys: ApiKeyStore) -> Self {
        self.api_keys = Some(api_keys);
        self
    }

    /// Replaces the built-in per-tenant limiter.
    ///
    /// ```
    /// # use scim_core::{InMemoryStore, NoRateLimit, ScimServer, TenantRateLimiter};
    /// let limiter = TenantRateLimiter::new(200).with_tenant_limit("acme", 1500);
    /// assert!(ScimServer::builder().store(InMemoryStore::new()).rate_limiter(limiter).build().is_ok());
    /// assert!(ScimServer::builder().store(InMemoryStore::new()).rate_limiter(NoRateLimit).build().is_ok());
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
    /// assert!(ScimServer::builder().store(InMemoryStore::new()).rate_limit_per_minute(1500).build().is_ok());
    /// ```
    #[must_use]
    pub fn rate_limit_per_minute(mut self, per_minute: u32) -> Self {
        self.rate_limit_per_minute = Some(per_minute);
        self
    }

    /// Resolves `/Me` to the principal's own resource (without one, `/Me` is `501`).
    ///
    /// ```
    /// # use scim_core::{InMemoryStore, Principal, ScimServer};
    /// let server = ScimServer::builder()
    ///     .store(InMemoryStore::new())
    ///     .me_resolver(|p: Principal| async move { Some(("User".to_owned(), p.label)) })
    ///     .build();
    /// assert!(server.is_ok());
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

    /// The absolute base URL up to the tenant segment (`https://app.example.com/scim/v2`);
    /// overrides [`ServerConfig::base_url`].
    ///
    /// ```
    /// # use scim_core::{BuildError, InMemoryStore, ScimServer};
    /// let server = ScimServer::builder().store(InMemoryStore::new())
    ///     .base_url("https://app.example.com/scim/v2/").build().unwrap();
    /// assert_eq!(server.config().base_url.as_deref(), Some("https://app.example.com/scim/v2"));
    /// let err = ScimServer::builder().store(InMemoryStore::new()).base_url("app.example.com").build();
    /// assert!(matches!(err, Err(BuildError::InvalidBaseUrl(_))));
    /// ```
    #[must_use]
    pub fn base_url(mut self, base_url: &str) -> Self {
        self.base_url = Some(base_url.to_owned());
        self
    }

    /// The server.
    ///
    /// ```
    /// # use scim_core::{InMemoryStore, ScimServer};
    /// let server = ScimServer::builder().store(InMemoryStore::new()).build().unwrap();
    /// let _clone = server.clone(); // cheap: an Arc inside
    /// ```
    pub fn build(self) -> Result<ScimServer, BuildError> {
        let store = self.store.ok_or(BuildError::MissingStore)?;
        let mut config = self.config.unwrap_or_default();
        if let Some(base) = self.base_url {
            config.base_url = Some(base);
        }
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
        let (authenticator, api_keys): (Arc<dyn Authenticator>, Option<ApiKeyStore>) =
            match (self.authenticator, self.api_keys) {
                (Some(auth), keys) => (auth, keys),
                (None, keys) => {
                    let keys = keys.unwrap_or_default();
                    (Arc::new(keys.clone()), Some(keys))
                }
            };
        let rate_limiter = self.rate_limiter.unwrap_or_else(|| {
            Arc::new(TenantRateLimiter::new(
                self.rate_limit_per_minute
                    .unwrap_or(crate::rate_limit::DEFAULT_PER_MINUTE),
            ))
        });
        Ok(ScimServer {
            inner: Arc::new(Inner {
                registry: self.registry.unwrap_or_else(SchemaRegistry::with_builtins),
                store,
                authenticator,
                api_keys,
                rate_limiter,
                me: self.me,
                config,
            }),
        })
    }
}
