//! Limits and switches of the engine; the same values feed `/ServiceProviderConfig`.

/// What a successful PATCH answers (RFC 7644 §3.5.2: either is allowed).
///
/// ```
/// use scim_core::PatchResponse;
/// assert_eq!(PatchResponse::default(), PatchResponse::Body);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PatchResponse {
    /// `200 OK` with the resource (projected by `attributes`/`excludedAttributes`).
    #[default]
    Body,
    /// `204 No Content` (Entra ID prefers it for groups).
    NoContent,
}

/// The engine's limits and switches.
///
/// ```
/// use scim_core::ServerConfig;
/// let config = ServerConfig::default().max_results(500);
/// assert_eq!(config.max_results, 500);
/// assert_eq!(config.max_body_bytes, 1024 * 1024);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ServerConfig {
    /// Largest accepted request body, in bytes (larger: `413`).
    pub max_body_bytes: usize,
    /// The most resources one list or search response returns (`filter.maxResults`).
    pub max_results: usize,
    /// The page size when a client sends no `count`.
    pub default_count: usize,
    /// The most operations one Bulk request may carry (`bulk.maxOperations`).
    pub bulk_max_operations: usize,
    /// The largest Bulk request body, in bytes (`bulk.maxPayloadSize`).
    pub bulk_max_payload_bytes: usize,
    /// Whether ETags are sent and `If-Match`/`If-None-Match` honoured.
    pub etag: bool,
    /// Whether `sortBy`/`sortOrder` are honoured.
    pub sort: bool,
    /// Whether a password may be changed (`changePassword.supported`).
    pub change_password: bool,
    /// What a successful PATCH answers.
    pub patch_response: PatchResponse,
    /// The absolute base URL the engine is reached at, up to (not including) the tenant
    /// segment, e.g. `https://app.example.com/scim/v2`. Without one, URLs are built from
    /// the request's `Host` and the [`MountPrefix`](crate::MountPrefix).
    pub base_url: Option<String>,
    /// Whether `X-Forwarded-Proto` and `X-Forwarded-Host` are believed (only behind a
    /// proxy that sets them).
    pub trust_forwarded_headers: bool,
    /// A documentation URL for `/ServiceProviderConfig`.
    pub documentation_uri: Option<String>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            max_body_bytes: 1024 * 1024,
            max_results: 1000,
            default_count: 100,
            bulk_max_operations: 1000,
            bulk_max_payload_bytes: 1024 * 1024,
            etag: true,
            sort: true,
            change_password: false,
            patch_response: PatchResponse::Body,
            base_url: None,
            trust_forwarded_headers: false,
            documentation_uri: None,
        }
    }
}

impl ServerConfig {
    /// Sets [`max_results`](Self::max_results).
    ///
    /// ```
    /// # use scim_core::ServerConfig;
    /// assert_eq!(ServerConfig::default().max_results(10).max_results, 10);
    /// ```
    #[must_use]
    pub fn max_results(mut self, max_results: usize) -> Self {
        self.max_results = max_results;
        self
    }
}

/// The URLs a host app shows on its read-only "SCIM2 configuration" page for one tenant:
/// the base URL an identity provider is given, and each endpoint under it.
///
/// ```
/// use scim_core::{ScimServer, InMemoryStore};
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let server = ScimServer::builder().store(InMemoryStore::new()).build()?;
/// let page = server.endpoints("https://app.example.com/scim/v2", "acme");
/// assert_eq!(page.base_url, "https://app.example.com/scim/v2/acme");
/// assert_eq!(page.resource_types[0].1, "https://app.example.com/scim/v2/acme/Users");
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TenantEndpoints {
    /// The tenant's SCIM base URL (`https://<domain>/scim/v2/{tenant}`).
    pub base_url: String,
    /// `/ServiceProviderConfig`.
    pub service_provider_config: String,
    /// `/Schemas`.
    pub schemas: String,
    /// `/ResourceTypes`.
    pub resource_types_endpoint: String,
    /// Each registered resource type's name and endpoint URL (`Users`, `Groups`, …).
    pub resource_types: Vec<(String, String)>,
    /// `/Bulk`.
    pub bulk: String,
    /// `/.search` (root search across resource types).
    pub search: String,
    /// `/Me`.
    pub me: String,
}

impl TenantEndpoints {
    /// The endpoints of `tenant` under `base_url` (the URL up to the tenant segment).
    pub(crate) fn new<'a>(
        base_url: &str,
        tenant: &str,
        resource_types: impl Iterator<Item = (&'a str, &'a str)>,
    ) -> Self {
        let base = format!("{}/{}", base_url.trim_end_matches('/'), tenant);
        Self {
            service_provider_config: format!("{base}/ServiceProviderConfig"),
            schemas: format!("{base}/Schemas"),
            resource_types_endpoint: format!("{base}/ResourceTypes"),
            resource_types: resource_types
                .map(|(name, endpoint)| (name.to_owned(), format!("{base}{endpoint}")))
                .collect(),
            bulk: format!("{base}/Bulk"),
            search: format!("{base}/.search"),
            me: format!("{base}/Me"),
            base_url: base,
        }
    }
}
