//! Limits and switches of the engine; the same values feed `/ServiceProviderConfig`.

use serde_json::{Value, json};

use crate::filter::FilterOptions;
use crate::patch::PatchOptions;
use crate::schema::validate::ValidationOptions;

/// URN of the service provider configuration schema (RFC 7643 §5).
pub const SERVICE_PROVIDER_CONFIG_SCHEMA: &str =
    "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";

/// What a successful PATCH answers (RFC 7644 §3.5.2: either is allowed).
///
/// ```
/// use scim_core::config::PatchResponse;
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
    /// Whether RFC 9865 cursor paging (`cursor`, `nextCursor`) is offered: the store
    /// must support [`Query::cursor`](crate::Query::cursor), as the in-memory store and
    /// scim-sqlx's stores do. Off, a `cursor` parameter is ignored and lists page by
    /// `startIndex` only.
    pub cursor_paging: bool,
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
    /// How tolerant resource parsing and validation are (each leniency a switch).
    pub validation: ValidationOptions,
    /// Filter leniencies and limits (length, depth, clauses).
    pub filter: FilterOptions,
    /// PATCH dialect leniencies and the operation limit.
    pub patch: PatchOptions,
    /// The most elements one multi-valued attribute of a resource may hold, other than a
    /// Group's `members` (more: `400 invalidValue`). Bounds what filters, PATCH and
    /// projection walk per resource.
    pub max_multi_valued: usize,
    /// The longest string value a resource may hold, in bytes (longer: `400 invalidValue`).
    pub max_string_bytes: usize,
    /// The most names `attributes` or `excludedAttributes` may list (more: `400 tooMany`).
    pub max_attribute_names: usize,
    /// The most work one PATCH may cause: its operations times the elements of the
    /// largest multi-valued attribute of the resource it targets (more: `400 tooMany`).
    /// A PATCH that only adds or removes group members costs one per member changed and
    /// is not counted here.
    pub max_patch_work: usize,
    /// How many requests of one tenant are served at once; the others wait for their turn
    /// without holding a thread, so that one tenant cannot occupy every worker of the
    /// runtime. Keep it below the number of worker threads. The default, 1, costs a
    /// tenant nothing at the default rate limit (a request takes milliseconds, the budget
    /// allows a few a second); raise it for tenants with large budgets on a store that
    /// waits on I/O. `0`: no limit.
    pub tenant_concurrency: usize,
    /// The most resources (of all types) one tenant may store; a create past it is
    /// `403` (RFC 7644 §3.3). `None` (the default): no quota.
    pub max_resources_per_tenant: Option<u64>,
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
            cursor_paging: true,
            patch_response: PatchResponse::Body,
            base_url: None,
            trust_forwarded_headers: false,
            documentation_uri: None,
            validation: ValidationOptions::default(),
            filter: FilterOptions::default(),
            patch: PatchOptions::default(),
            max_multi_valued: 1000,
            max_string_bytes: 64 * 1024,
            max_attribute_names: 200,
            max_patch_work: 100_000,
            tenant_concurrency: 1,
            max_resources_per_tenant: None,
        }
    }
}

impl ServerConfig {
    /// Sets [`max_body_bytes`](Self::max_body_bytes): `413` beyond.
    ///
    /// ```
    /// # use scim_core::{ServerConfig, config::PatchResponse, schema::ValidationOptions};
    /// assert_eq!(ServerConfig::default().max_body_bytes(2048).max_body_bytes, 2048);
    /// ```
    #[must_use]
    pub fn max_body_bytes(mut self, max_body_bytes: usize) -> Self {
        self.max_body_bytes = max_body_bytes;
        self
    }

    /// Sets [`cursor_paging`](Self::cursor_paging) (RFC 9865).
    ///
    /// ```
    /// # use scim_core::{InMemoryStore, ScimServer, ServerConfig};
    /// let server = ScimServer::builder().store(InMemoryStore::new())
    ///     .config(ServerConfig::default().cursor_paging(false)).build().unwrap();
    /// assert_eq!(server.service_provider_config()["pagination"]["cursor"], false);
    /// ```
    #[must_use]
    pub fn cursor_paging(mut self, on: bool) -> Self {
        self.cursor_paging = on;
        self
    }

    /// Sets [`max_results`](Self::max_results): the cap on `count`.
    ///
    /// ```
    /// # use scim_core::{ServerConfig, config::PatchResponse, schema::ValidationOptions};
    /// assert_eq!(ServerConfig::default().max_results(10).max_results, 10);
    /// ```
    #[must_use]
    pub fn max_results(mut self, max_results: usize) -> Self {
        self.max_results = max_results;
        self
    }

    /// Sets [`default_count`](Self::default_count): the page size without `count`.
    ///
    /// ```
    /// # use scim_core::{ServerConfig, config::PatchResponse, schema::ValidationOptions};
    /// assert_eq!(ServerConfig::default().default_count(50).default_count, 50);
    /// ```
    #[must_use]
    pub fn default_count(mut self, default_count: usize) -> Self {
        self.default_count = default_count;
        self
    }

    /// Sets [`bulk_max_operations`](Self::bulk_max_operations): `bulk.maxOperations`.
    ///
    /// ```
    /// # use scim_core::{ServerConfig, config::PatchResponse, schema::ValidationOptions};
    /// assert_eq!(ServerConfig::default().bulk_max_operations(10).bulk_max_operations, 10);
    /// ```
    #[must_use]
    pub fn bulk_max_operations(mut self, bulk_max_operations: usize) -> Self {
        self.bulk_max_operations = bulk_max_operations;
        self
    }

    /// Sets [`bulk_max_payload_bytes`](Self::bulk_max_payload_bytes): `bulk.maxPayloadSize`.
    ///
    /// ```
    /// # use scim_core::{ServerConfig, config::PatchResponse, schema::ValidationOptions};
    /// assert_eq!(ServerConfig::default().bulk_max_payload_bytes(4096).bulk_max_payload_bytes, 4096);
    /// ```
    #[must_use]
    pub fn bulk_max_payload_bytes(mut self, bulk_max_payload_bytes: usize) -> Self {
        self.bulk_max_payload_bytes = bulk_max_payload_bytes;
        self
    }

    /// Sets [`etag`](Self::etag): ETags and conditional requests.
    ///
    /// ```
    /// # use scim_core::{ServerConfig, config::PatchResponse, schema::ValidationOptions};
    /// assert_eq!(ServerConfig::default().etag(false).etag, false);
    /// ```
    #[must_use]
    pub fn etag(mut self, etag: bool) -> Self {
        self.etag = etag;
        self
    }

    /// Sets [`sort`](Self::sort): `sortBy`/`sortOrder`.
    ///
    /// ```
    /// # use scim_core::{ServerConfig, config::PatchResponse, schema::ValidationOptions};
    /// assert_eq!(ServerConfig::default().sort(false).sort, false);
    /// ```
    #[must_use]
    pub fn sort(mut self, sort: bool) -> Self {
        self.sort = sort;
        self
    }

    /// Sets [`patch_response`](Self::patch_response): what a PATCH answers.
    ///
    /// ```
    /// # use scim_core::{ServerConfig, config::PatchResponse, schema::ValidationOptions};
    /// assert_eq!(ServerConfig::default().patch_response(PatchResponse::NoContent).patch_response, PatchResponse::NoContent);
    /// ```
    #[must_use]
    pub fn patch_response(mut self, patch_response: PatchResponse) -> Self {
        self.patch_response = patch_response;
        self
    }

    /// Sets [`trust_forwarded_headers`](Self::trust_forwarded_headers): `X-Forwarded-Proto`/`-Host` are believed.
    ///
    /// ```
    /// # use scim_core::{ServerConfig, config::PatchResponse, schema::ValidationOptions};
    /// assert_eq!(ServerConfig::default().trust_forwarded_headers(true).trust_forwarded_headers, true);
    /// ```
    #[must_use]
    pub fn trust_forwarded_headers(mut self, trust_forwarded_headers: bool) -> Self {
        self.trust_forwarded_headers = trust_forwarded_headers;
        self
    }

    /// Sets [`validation`](Self::validation): parsing and validation leniencies.
    ///
    /// ```
    /// # use scim_core::{ServerConfig, config::PatchResponse, schema::ValidationOptions};
    /// assert_eq!(ServerConfig::default().validation(ValidationOptions::strict()).validation, ValidationOptions::strict());
    /// ```
    #[must_use]
    pub fn validation(mut self, validation: ValidationOptions) -> Self {
        self.validation = validation;
        self
    }

    /// Sets [`filter`](Self::filter): filter leniencies and limits.
    ///
    /// ```
    /// # use scim_core::{ServerConfig, filter::FilterOptions};
    /// assert_eq!(ServerConfig::default().filter(FilterOptions::strict()).filter, FilterOptions::strict());
    /// ```
    #[must_use]
    pub fn filter(mut self, filter: FilterOptions) -> Self {
        self.filter = filter;
        self
    }

    /// Sets [`patch`](Self::patch): PATCH leniencies and limits.
    ///
    /// ```
    /// # use scim_core::{ServerConfig, patch::PatchOptions};
    /// assert_eq!(ServerConfig::default().patch(PatchOptions::strict()).patch, PatchOptions::strict());
    /// ```
    #[must_use]
    pub fn patch(mut self, patch: PatchOptions) -> Self {
        self.patch = patch;
        self
    }

    /// Sets [`max_multi_valued`](Self::max_multi_valued).
    ///
    /// ```
    /// # use scim_core::ServerConfig;
    /// assert_eq!(ServerConfig::default().max_multi_valued(50).max_multi_valued, 50);
    /// ```
    #[must_use]
    pub fn max_multi_valued(mut self, elements: usize) -> Self {
        self.max_multi_valued = elements;
        self
    }

    /// Sets [`max_string_bytes`](Self::max_string_bytes).
    ///
    /// ```
    /// # use scim_core::ServerConfig;
    /// assert_eq!(ServerConfig::default().max_string_bytes(4096).max_string_bytes, 4096);
    /// ```
    #[must_use]
    pub fn max_string_bytes(mut self, bytes: usize) -> Self {
        self.max_string_bytes = bytes;
        self
    }

    /// Sets [`max_attribute_names`](Self::max_attribute_names).
    ///
    /// ```
    /// # use scim_core::ServerConfig;
    /// assert_eq!(ServerConfig::default().max_attribute_names(20).max_attribute_names, 20);
    /// ```
    #[must_use]
    pub fn max_attribute_names(mut self, names: usize) -> Self {
        self.max_attribute_names = names;
        self
    }

    /// Sets [`max_patch_work`](Self::max_patch_work).
    ///
    /// ```
    /// # use scim_core::ServerConfig;
    /// assert_eq!(ServerConfig::default().max_patch_work(10_000).max_patch_work, 10_000);
    /// ```
    #[must_use]
    pub fn max_patch_work(mut self, work: usize) -> Self {
        self.max_patch_work = work;
        self
    }

    /// Sets [`tenant_concurrency`](Self::tenant_concurrency).
    ///
    /// ```
    /// # use scim_core::ServerConfig;
    /// assert_eq!(ServerConfig::default().tenant_concurrency(4).tenant_concurrency, 4);
    /// ```
    #[must_use]
    pub fn tenant_concurrency(mut self, requests: usize) -> Self {
        self.tenant_concurrency = requests;
        self
    }

    /// Sets [`max_resources_per_tenant`](Self::max_resources_per_tenant).
    ///
    /// ```
    /// # use scim_core::ServerConfig;
    /// let config = ServerConfig::default().max_resources_per_tenant(10_000);
    /// assert_eq!(config.max_resources_per_tenant, Some(10_000));
    /// ```
    #[must_use]
    pub fn max_resources_per_tenant(mut self, resources: u64) -> Self {
        self.max_resources_per_tenant = Some(resources);
        self
    }

    /// The default limits with every leniency off (validation, filters, PATCH): the
    /// RFCs to the letter, for operators who want clients held to them. Each leniency is
    /// a named switch in [`ValidationOptions`], [`FilterOptions`] and [`PatchOptions`].
    ///
    /// ```
    /// # use scim_core::{ServerConfig, filter::FilterOptions, schema::ValidationOptions};
    /// let strict = ServerConfig::strict();
    /// assert_eq!(strict.validation, ValidationOptions::strict());
    /// assert_eq!(strict.filter, FilterOptions::strict());
    /// assert_eq!(strict.max_body_bytes, ServerConfig::default().max_body_bytes);
    /// ```
    pub fn strict() -> Self {
        Self {
            validation: ValidationOptions::strict(),
            filter: FilterOptions::strict(),
            patch: PatchOptions::strict(),
            ..Self::default()
        }
    }

    /// Sets [`ValidationOptions::ignore_unsupported_attributes`] for resource bodies and
    /// PATCH values alike (`validation` and `patch.values`): drop, instead of refusing,
    /// writes to attributes a narrowed schema leaves out.
    ///
    /// ```
    /// # use scim_core::ServerConfig;
    /// let c = ServerConfig::default().ignore_unsupported_attributes(true);
    /// assert!(c.validation.ignore_unsupported_attributes && c.patch.values.ignore_unsupported_attributes);
    /// ```
    #[must_use]
    pub fn ignore_unsupported_attributes(mut self, on: bool) -> Self {
        self.validation.ignore_unsupported_attributes = on;
        self.patch.values.ignore_unsupported_attributes = on;
        self
    }

    /// Sets [`base_url`](Self::base_url).
    ///
    /// ```
    /// # use scim_core::ServerConfig;
    /// let c = ServerConfig::default().base_url("https://app.example.com/scim/v2");
    /// assert_eq!(c.base_url.as_deref(), Some("https://app.example.com/scim/v2"));
    /// ```
    #[must_use]
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = Some(base_url.into());
        self
    }

    /// Sets [`documentation_uri`](Self::documentation_uri).
    ///
    /// ```
    /// # use scim_core::ServerConfig;
    /// let c = ServerConfig::default().documentation_uri("https://docs.example.com/scim");
    /// assert_eq!(c.documentation_uri.as_deref(), Some("https://docs.example.com/scim"));
    /// ```
    #[must_use]
    pub fn documentation_uri(mut self, uri: impl Into<String>) -> Self {
        self.documentation_uri = Some(uri.into());
        self
    }

    /// The `/ServiceProviderConfig` resource of
    /// [RFC 7643 §5](https://www.rfc-editor.org/rfc/rfc7643#section-5), from these
    /// settings and whether passwords can be changed (a
    /// [`PasswordHasher`](crate::PasswordHasher) is configured); the engine adds `meta`.
    /// A host app reads it with [`ScimServer::service_provider_config`](crate::ScimServer::service_provider_config).
    pub(crate) fn service_provider_config(&self, change_password: bool) -> Value {
        let mut spc = json!({
            "schemas": [SERVICE_PROVIDER_CONFIG_SCHEMA],
        });
        if let (Some(uri), Some(map)) = (&self.documentation_uri, spc.as_object_mut()) {
            map.insert("documentationUri".into(), Value::String(uri.clone()));
        }
        if let Some(map) = spc.as_object_mut() {
            let rest = json!({
                "patch": {"supported": true},
                "bulk": {
                    "supported": true,
                    "maxOperations": self.bulk_max_operations,
                    "maxPayloadSize": self.bulk_max_payload_bytes,
                },
                "filter": {"supported": true, "maxResults": self.max_results},
                "changePassword": {"supported": change_password},
                "sort": {"supported": self.sort},
                // RFC 9865 §4.
                "pagination": {
                    "cursor": self.cursor_paging,
                    "index": true,
                    "defaultPaginationMethod": "index",
                    "defaultPageSize": self.default_count,
                    "maxPageSize": self.max_results,
                },
                "etag": {"supported": self.etag},
                "authenticationSchemes": [{
                    "type": "oauthbearertoken",
                    "name": "OAuth Bearer Token",
                    "description": "Authentication with a bearer token (an API key of the tenant) in the Authorization header.",
                    "specUri": "https://www.rfc-editor.org/info/rfc6750",
                    "primary": true,
                }],
            });
            if let Value::Object(rest) = rest {
                map.extend(rest);
            }
        }
        spc
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_provider_config_snapshot() {
        insta::assert_json_snapshot!(ServerConfig::default().service_provider_config(false));
    }

    #[test]
    fn service_provider_config_follows_the_settings() {
        let spc = ServerConfig::default()
            .max_results(50)
            .bulk_max_operations(7)
            .bulk_max_payload_bytes(4096)
            .etag(false)
            .sort(false)
            .service_provider_config(true);
        assert_eq!(spc["filter"]["maxResults"], 50);
        assert_eq!(spc["bulk"]["maxOperations"], 7);
        assert_eq!(spc["bulk"]["maxPayloadSize"], 4096);
        assert_eq!(spc["etag"]["supported"], false);
        assert_eq!(spc["sort"]["supported"], false);
        assert_eq!(spc["changePassword"]["supported"], true);
        assert!(spc.get("documentationUri").is_none());
    }

    #[test]
    fn tenant_endpoints() {
        let e = TenantEndpoints::new(
            "https://app.example.com/scim/v2/",
            "acme",
            [("User", "/Users"), ("Group", "/Groups")].into_iter(),
        );
        assert_eq!(e.base_url, "https://app.example.com/scim/v2/acme");
        assert_eq!(
            e.service_provider_config,
            "https://app.example.com/scim/v2/acme/ServiceProviderConfig"
        );
        assert_eq!(e.schemas, "https://app.example.com/scim/v2/acme/Schemas");
        assert_eq!(
            e.resource_types_endpoint,
            "https://app.example.com/scim/v2/acme/ResourceTypes"
        );
        assert_eq!(
            e.resource_types,
            [
                (
                    "User".to_owned(),
                    "https://app.example.com/scim/v2/acme/Users".to_owned()
                ),
                (
                    "Group".to_owned(),
                    "https://app.example.com/scim/v2/acme/Groups".to_owned()
                ),
            ]
        );
        assert_eq!(e.me, "https://app.example.com/scim/v2/acme/Me");
    }
}
