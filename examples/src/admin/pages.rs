//! The pages: askama templates under `examples/templates/admin/`, and the values they
//! show, all taken from the running server (endpoints, rate limit, resource types, keys).

use askama::Template;
use scim_core::ScimServer;
use scim_core::auth::{ApiKeyInfo, SCIM2_SCOPE};

/// What every page shows around its content.
#[derive(Debug, Clone, Default)]
pub(crate) struct Layout {
    pub(crate) title: String,
    pub(crate) csrf: String,
    pub(crate) signed_in: bool,
    /// The tenant whose settings the page shows (adds the tab bar).
    pub(crate) tenant: Option<String>,
    /// The current tab: `scim` or `keys`.
    pub(crate) tab: &'static str,
    pub(crate) notice: Option<Notice>,
}

/// A success or error message at the top of the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Notice {
    pub(crate) ok: bool,
    pub(crate) text: String,
}

impl Notice {
    pub(crate) fn error(text: impl Into<String>) -> Option<Self> {
        Some(Self {
            ok: false,
            text: text.into(),
        })
    }
}

#[derive(Template)]
#[template(path = "admin/login.html")]
pub(crate) struct LoginPage {
    pub(crate) layout: Layout,
}

#[derive(Template)]
#[template(path = "admin/tenants.html")]
pub(crate) struct TenantsPage {
    pub(crate) layout: Layout,
    pub(crate) tenants: Vec<String>,
    /// The id typed in the "open a tenant" form (kept after an error).
    pub(crate) value: String,
}

/// One line of "Detailed URLs".
#[derive(Debug, Clone)]
pub(crate) struct DetailedUrl {
    pub(crate) name: String,
    pub(crate) path: String,
    pub(crate) purpose: String,
    pub(crate) url: String,
}

/// One line of "Supported Resources".
#[derive(Debug, Clone)]
pub(crate) struct Resource {
    pub(crate) name: String,
    pub(crate) endpoint: String,
    pub(crate) description: String,
}

#[derive(Template)]
#[template(path = "admin/scim.html")]
pub(crate) struct ScimPage {
    pub(crate) layout: Layout,
    pub(crate) tenant: String,
    pub(crate) base_url: String,
    pub(crate) detailed: Vec<DetailedUrl>,
    pub(crate) rate_limit: Option<u32>,
    pub(crate) scope: &'static str,
    pub(crate) resources: Vec<Resource>,
}

impl ScimPage {
    /// The page of `tenant`, from the server's configuration: URLs from
    /// [`ScimServer::endpoints`], the figure from [`ScimServer::tenant_rate_limit`], the
    /// resources from the registry.
    pub(crate) fn new(layout: Layout, server: &ScimServer, base_url: &str, tenant: &str) -> Self {
        let endpoints = server.endpoints(base_url, tenant);
        let mut detailed = vec![
            detailed(
                "Service Provider Config",
                &endpoints.service_provider_config,
                &endpoints.base_url,
                "The server's capabilities: filtering, sorting, PATCH, bulk, ETags and authentication schemes.",
            ),
            detailed(
                "Schemas",
                &endpoints.schemas,
                &endpoints.base_url,
                "The attribute definitions of every resource and extension the server supports.",
            ),
            detailed(
                "Resource Types",
                &endpoints.resource_types_endpoint,
                &endpoints.base_url,
                "The resource types (Users, Groups, …) with their endpoints and schemas.",
            ),
        ];
        let mut resources = Vec::new();
        for rt in server.registry().resource_types() {
            let url = endpoints
                .resource_types
                .iter()
                .find(|(name, _)| *name == rt.name)
                .map_or_else(
                    || format!("{}{}", endpoints.base_url, rt.endpoint),
                    |(_, url)| url.clone(),
                );
            let purpose = match rt.name.as_str() {
                "User" => "Create, read, update and deactivate the users provisioned from the identity provider.".to_owned(),
                "Group" => "Create, rename and delete groups and manage their members.".to_owned(),
                other => format!("Manage the {other} resources of this tenant."),
            };
            let name = match rt.endpoint.trim_start_matches('/') {
                "" => rt.name.clone(),
                endpoint => endpoint.to_owned(),
            };
            detailed.push(detailed_url(name, &url, &endpoints.base_url, purpose));
            resources.push(Resource {
                name: rt.name.clone(),
                endpoint: rt.endpoint.clone(),
                description: rt.description.clone(),
            });
        }
        Self {
            layout,
            tenant: tenant.to_owned(),
            base_url: endpoints.base_url.clone(),
            detailed,
            rate_limit: server.tenant_rate_limit(tenant),
            scope: SCIM2_SCOPE,
            resources,
        }
    }
}

fn detailed(name: &str, url: &str, base: &str, purpose: &str) -> DetailedUrl {
    detailed_url(name.to_owned(), url, base, purpose.to_owned())
}

fn detailed_url(name: String, url: &str, base: &str, purpose: String) -> DetailedUrl {
    DetailedUrl {
        name,
        path: url.strip_prefix(base).unwrap_or(url).to_owned(),
        purpose,
        url: url.to_owned(),
    }
}

/// A scope the "create" form offers.
#[derive(Debug, Clone)]
pub(crate) struct ScopeChoice {
    pub(crate) name: &'static str,
    pub(crate) description: &'static str,
    pub(crate) checked: bool,
}

/// The scopes this server knows: the form offers these and refuses any other.
pub(crate) const KNOWN_SCOPES: [(&str, &str); 1] = [(
    SCIM2_SCOPE,
    "provisioning through the SCIM 2.0 API (Okta, Entra ID)",
)];

/// A key as the lists show it: never the secret.
#[derive(Debug, Clone)]
pub(crate) struct KeyRow {
    pub(crate) id: String,
    pub(crate) label: String,
    pub(crate) scopes: String,
    pub(crate) hint: String,
    pub(crate) created: String,
    pub(crate) last_used: String,
}

impl From<&ApiKeyInfo> for KeyRow {
    fn from(info: &ApiKeyInfo) -> Self {
        Self {
            id: info.id.clone(),
            label: if info.label.is_empty() {
                "(no label: given at start)".to_owned()
            } else {
                info.label.clone()
            },
            scopes: info.scopes.join(", "),
            hint: if info.hint.is_empty() {
                "—".to_owned()
            } else {
                format!("{}…", info.hint)
            },
            created: date(info.created_at),
            last_used: info.last_used_at.map_or_else(|| "never".to_owned(), date),
        }
    }
}

fn date(at: time::OffsetDateTime) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    at.to_offset(time::UtcOffset::UTC)
        .format(&format)
        .unwrap_or_else(|_| at.unix_timestamp().to_string())
}

#[derive(Template)]
#[template(path = "admin/api_keys.html")]
pub(crate) struct KeysPage {
    pub(crate) layout: Layout,
    pub(crate) tenant: String,
    pub(crate) keys: Vec<KeyRow>,
    /// A new key's secret, shown once.
    pub(crate) secret: Option<String>,
    /// The label typed (kept after an error).
    pub(crate) label: String,
    pub(crate) scopes: Vec<ScopeChoice>,
    pub(crate) max_label: usize,
}

impl KeysPage {
    /// The form's scope boxes: `chosen` checked (SCIM2 alone on a fresh form).
    pub(crate) fn choices(chosen: Option<&[String]>) -> Vec<ScopeChoice> {
        KNOWN_SCOPES
            .iter()
            .map(|(name, description)| ScopeChoice {
                name,
                description,
                checked: chosen.map_or(*name == SCIM2_SCOPE, |c| c.iter().any(|s| s == name)),
            })
            .collect()
    }
}

#[derive(Template)]
#[template(path = "admin/revoke.html")]
pub(crate) struct RevokePage {
    pub(crate) layout: Layout,
    pub(crate) tenant: String,
    pub(crate) key: KeyRow,
}

#[derive(Template)]
#[template(path = "admin/message.html")]
pub(crate) struct MessagePage {
    pub(crate) layout: Layout,
    pub(crate) heading: String,
    pub(crate) text: String,
    pub(crate) link_href: String,
    pub(crate) link_text: String,
}
