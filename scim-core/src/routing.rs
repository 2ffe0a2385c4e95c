//! From method and path to an [`Endpoint`]: a pure function, table-tested.

use std::borrow::Cow;
use std::sync::Arc;

use http::Method;

use crate::error::ScimError;
use crate::schema::definition::ResourceType;
use crate::schema::registry::SchemaRegistry;

/// What a request asks for, once its method and path are understood. Names and ids
/// borrow from the path, unless they held an escape.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Endpoint<'a> {
    /// `GET /ServiceProviderConfig`
    ServiceProviderConfig,
    /// `GET /Schemas`
    Schemas,
    /// `GET /Schemas/{urn}`
    Schema(Cow<'a, str>),
    /// `GET /ResourceTypes`
    ResourceTypes,
    /// `GET /ResourceTypes/{name}`
    ResourceType(Cow<'a, str>),
    /// `GET /{type}`
    List(Arc<ResourceType>),
    /// `POST /{type}/.search`
    Search(Arc<ResourceType>),
    /// `POST /{type}`
    Create(Arc<ResourceType>),
    /// `GET /{type}/{id}`
    Get(Arc<ResourceType>, Cow<'a, str>),
    /// `PUT /{type}/{id}`
    Replace(Arc<ResourceType>, Cow<'a, str>),
    /// `PATCH /{type}/{id}`
    Patch(Arc<ResourceType>, Cow<'a, str>),
    /// `DELETE /{type}/{id}`
    Delete(Arc<ResourceType>, Cow<'a, str>),
    /// `POST /.search` across every resource type.
    RootSearch,
    /// `POST /Bulk`
    Bulk,
    /// `/Me` with any of its methods (RFC 7644 §3.11).
    Me(Method),
}

impl Endpoint<'_> {
    /// A short name for logs and spans.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Self::ServiceProviderConfig => "ServiceProviderConfig",
            Self::Schemas | Self::Schema(_) => "Schemas",
            Self::ResourceTypes | Self::ResourceType(_) => "ResourceTypes",
            Self::List(_) => "list",
            Self::Search(_) => "search",
            Self::Create(_) => "create",
            Self::Get(..) => "get",
            Self::Replace(..) => "replace",
            Self::Patch(..) => "patch",
            Self::Delete(..) => "delete",
            Self::RootSearch => "root-search",
            Self::Bulk => "Bulk",
            Self::Me(_) => "Me",
        }
    }
}

/// The tenant segment of a mount-relative path (`/{tenant}/…`), decoded; `None` when
/// the path has none.
pub(crate) fn tenant_of(path: &str) -> Option<String> {
    let first = path.strip_prefix('/')?.split('/').next()?;
    // Only ids of the tenant syntax (length first, before decoding): nothing else
    // becomes a rate-limit key or a log field.
    if first.len() > 3 * crate::tenant::MAX_TENANT_ID_LEN {
        return None;
    }
    percent_decode(first)
        .filter(|tenant| crate::tenant::is_valid_tenant_id(tenant))
        .map(Cow::into_owned)
}

/// The most segments a SCIM path has: the tenant, the resource type, the id, and no
/// more (`/{tenant}/Users/{id}`).
const MAX_SEGMENTS: usize = 4;

/// Routes a mount-relative path (without the query string). A trailing slash is
/// tolerated (Entra ID sends `/Users/?filter=…`); fixed endpoint names and resource
/// type endpoints match case-insensitively.
pub(crate) fn route<'a>(
    registry: &SchemaRegistry,
    method: &Method,
    path: &'a str,
) -> Result<Endpoint<'a>, ScimError> {
    let not_found = || ScimError::not_found(format!("no SCIM endpoint at {path}"));
    let rest = path.strip_prefix('/').ok_or_else(not_found)?;
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    // The tenant and at most three more segments (`/Users/{id}`, `/Users/.search`):
    // kept on the stack, decoded only where they hold an escape.
    let mut decoded: [Cow<'a, str>; MAX_SEGMENTS] = Default::default();
    let mut count = 0;
    for raw in rest.split('/') {
        let slot = decoded.get_mut(count).ok_or_else(not_found)?;
        if raw.is_empty() {
            return Err(not_found());
        }
        *slot = percent_decode(raw).ok_or_else(not_found)?;
        count += 1;
    }
    let segments = decoded.get(..count).ok_or_else(not_found)?;
    let (tenant, segments) = segments.split_first().ok_or_else(not_found)?;
    if !crate::tenant::is_valid_tenant_id(tenant) {
        return Err(ScimError::not_found(
            "no SCIM endpoint here: the tenant segment is not a tenant id",
        ));
    }
    let is = |s: &Cow<'a, str>, name: &str| s.eq_ignore_ascii_case(name);
    let allow = |allowed: &'static str, endpoint: Endpoint<'a>| {
        if allowed.split(", ").any(|m| m == method.as_str()) {
            Ok(endpoint)
        } else {
            Err(ScimError::method_not_allowed(allowed))
        }
    };
    const GET: &str = "GET";
    const POST: &str = "POST";
    // A borrowed segment is copied as a reference; only one that held an escape is a
    // new string.
    match segments {
        [s] if is(s, "ServiceProviderConfig") => allow(GET, Endpoint::ServiceProviderConfig),
        [s] if is(s, "Schemas") => allow(GET, Endpoint::Schemas),
        [s, urn] if is(s, "Schemas") => allow(GET, Endpoint::Schema(urn.clone())),
        [s] if is(s, "ResourceTypes") => allow(GET, Endpoint::ResourceTypes),
        [s, name] if is(s, "ResourceTypes") => allow(GET, Endpoint::ResourceType(name.clone())),
        [s] if is(s, ".search") => allow(POST, Endpoint::RootSearch),
        [s] if is(s, "Bulk") => allow(POST, Endpoint::Bulk),
        [s] if is(s, "Me") => allow(
            "GET, POST, PUT, PATCH, DELETE",
            Endpoint::Me(method.clone()),
        ),
        [name, tail @ ..] => {
            let rt = registry
                .resource_type_at(name)
                .ok_or_else(not_found)?
                .clone();
            match tail {
                [] => match *method {
                    Method::GET => Ok(Endpoint::List(rt)),
                    Method::POST => Ok(Endpoint::Create(rt)),
                    _ => Err(ScimError::method_not_allowed("GET, POST")),
                },
                [s] if is(s, ".search") => allow(POST, Endpoint::Search(rt)),
                [id] => match *method {
                    Method::GET => Ok(Endpoint::Get(rt, id.clone())),
                    Method::PUT => Ok(Endpoint::Replace(rt, id.clone())),
                    Method::PATCH => Ok(Endpoint::Patch(rt, id.clone())),
                    Method::DELETE => Ok(Endpoint::Delete(rt, id.clone())),
                    _ => Err(ScimError::method_not_allowed("GET, PUT, PATCH, DELETE")),
                },
                _ => Err(not_found()),
            }
        }
        [] => Err(not_found()),
    }
}

/// Decodes `%XX` escapes of a path segment (`+` stays a plus sign in paths); `None`
/// for a malformed escape or bytes that are not UTF-8.
pub(crate) fn percent_decode(segment: &str) -> Option<Cow<'_, str>> {
    if !segment.contains('%') {
        return Some(Cow::Borrowed(segment));
    }
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = segment.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8(out).ok().map(Cow::Owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn routed(method: Method, path: &str) -> Result<(String, String), (u16, Option<String>)> {
        let registry = SchemaRegistry::with_builtins();
        match route(&registry, &method, path) {
            Ok(endpoint) => {
                let detail = match &endpoint {
                    Endpoint::Schema(s) | Endpoint::ResourceType(s) => format!(" {s}"),
                    Endpoint::List(rt) | Endpoint::Create(rt) | Endpoint::Search(rt) => {
                        format!(" {}", rt.name)
                    }
                    Endpoint::Get(rt, id)
                    | Endpoint::Replace(rt, id)
                    | Endpoint::Patch(rt, id)
                    | Endpoint::Delete(rt, id) => format!(" {} {id}", rt.name),
                    Endpoint::Me(m) => format!(" {m}"),
                    _ => String::new(),
                };
                // The engine takes the tenant from the path: see that it is the one routed.
                let tenant = tenant_of(path).unwrap_or_default();
                Ok((tenant, format!("{}{detail}", endpoint.name())))
            }
            Err(e) => {
                let allow = e
                    .to_response()
                    .headers()
                    .get("allow")
                    .map(|v| v.to_str().unwrap().to_owned());
                Err((e.status().as_u16(), allow))
            }
        }
    }

    #[test]
    fn routes_every_endpoint() {
        let ok = |t: &str, e: &str| Ok((t.to_owned(), e.to_owned()));
        let cases = [
            (
                Method::GET,
                "/acme/ServiceProviderConfig",
                ok("acme", "ServiceProviderConfig"),
            ),
            (
                Method::GET,
                "/acme/serviceproviderconfig/",
                ok("acme", "ServiceProviderConfig"),
            ),
            (Method::GET, "/acme/Schemas", ok("acme", "Schemas")),
            (
                Method::GET,
                "/acme/Schemas/urn:ietf:params:scim:schemas:core:2.0:User",
                ok("acme", "Schemas urn:ietf:params:scim:schemas:core:2.0:User"),
            ),
            (
                Method::GET,
                "/acme/ResourceTypes",
                ok("acme", "ResourceTypes"),
            ),
            (
                Method::GET,
                "/acme/ResourceTypes/User",
                ok("acme", "ResourceTypes User"),
            ),
            (Method::GET, "/acme/Users", ok("acme", "list User")),
            (Method::GET, "/acme/Users/", ok("acme", "list User")),
            (Method::GET, "/acme/users", ok("acme", "list User")),
            (Method::POST, "/acme/Users", ok("acme", "create User")),
            (
                Method::POST,
                "/acme/Groups/.search",
                ok("acme", "search Group"),
            ),
            (Method::GET, "/acme/Users/42", ok("acme", "get User 42")),
            (Method::GET, "/acme/Users/42/", ok("acme", "get User 42")),
            (Method::PUT, "/acme/Users/42", ok("acme", "replace User 42")),
            (Method::PATCH, "/acme/Groups/7", ok("acme", "patch Group 7")),
            (
                Method::DELETE,
                "/acme/Groups/7",
                ok("acme", "delete Group 7"),
            ),
            (Method::GET, "/acme/Users/a%20b", ok("acme", "get User a b")),
            (Method::GET, "/ac%2Fme/Users", Err((404, None))),
            (Method::GET, "/%61cme/Users", ok("acme", "list User")),
            (Method::POST, "/acme/.search", ok("acme", "root-search")),
            (Method::POST, "/acme/Bulk", ok("acme", "Bulk")),
            (Method::GET, "/acme/Me", ok("acme", "Me GET")),
            (Method::PATCH, "/acme/Me", ok("acme", "Me PATCH")),
            (Method::GET, "/", Err((404, None))),
            (Method::GET, "", Err((404, None))),
            (Method::GET, "/acme", Err((404, None))),
            (Method::GET, "/acme/", Err((404, None))),
            (Method::GET, "/acme/Devices", Err((404, None))),
            (Method::GET, "/acme/Users/42/extra", Err((404, None))),
            (Method::GET, "/acme/Users/42/extra/more", Err((404, None))),
            (Method::DELETE, "/acme/Users/42/a/b/c/d/e", Err((404, None))),
            (Method::GET, "/acme/Users/42/%zz/x", Err((404, None))),
            (Method::GET, "/acme//Users", Err((404, None))),
            (Method::GET, "/acme/Users/%zz", Err((404, None))),
            (Method::GET, "/acme/Users/%ff", Err((404, None))),
            (Method::GET, "/acme/Schemas/a/b", Err((404, None))),
            (
                Method::DELETE,
                "/acme/Users",
                Err((405, Some("GET, POST".into()))),
            ),
            (
                Method::POST,
                "/acme/Users/42",
                Err((405, Some("GET, PUT, PATCH, DELETE".into()))),
            ),
            (
                Method::GET,
                "/acme/Users/.search",
                Err((405, Some("POST".into()))),
            ),
            (
                Method::GET,
                "/acme/.search",
                Err((405, Some("POST".into()))),
            ),
            (Method::GET, "/acme/Bulk", Err((405, Some("POST".into())))),
            (
                Method::POST,
                "/acme/ServiceProviderConfig",
                Err((405, Some("GET".into()))),
            ),
            (
                Method::DELETE,
                "/acme/Schemas/x",
                Err((405, Some("GET".into()))),
            ),
            (
                Method::HEAD,
                "/acme/Me",
                Err((405, Some("GET, POST, PUT, PATCH, DELETE".into()))),
            ),
        ];
        for (method, path, expected) in cases {
            assert_eq!(routed(method.clone(), path), expected, "{method} {path}");
        }
    }

    #[test]
    fn a_host_apps_resource_type_is_routed_by_its_endpoint() {
        let mut registry = SchemaRegistry::with_builtins();
        let schema = registry
            .add_schema(crate::schema::Schema::new("urn:example:Device", "Device"))
            .unwrap();
        registry
            .add_resource_type(ResourceType::new("Device", "/Devices", schema))
            .unwrap();
        let r = route(&registry, &Method::GET, "/t/devices/9").unwrap();
        assert!(matches!(r, Endpoint::Get(rt, id) if rt.name == "Device" && id == "9"));
    }

    #[test]
    fn the_tenant_is_the_first_segment() {
        assert_eq!(tenant_of("/acme/Users").as_deref(), Some("acme"));
        assert_eq!(tenant_of("/acme").as_deref(), Some("acme"));
        assert_eq!(tenant_of("/a%20b/Users"), None);
        assert_eq!(tenant_of("/%61cme/Users").as_deref(), Some("acme"));
        assert_eq!(tenant_of(&format!("/{}/Users", "a".repeat(65))), None);
        assert_eq!(tenant_of("/"), None);
        assert_eq!(tenant_of("//Users"), None);
        assert_eq!(tenant_of("acme"), None);
    }

    #[test]
    fn a_tenant_id_of_the_longest_length_is_recognized_even_fully_percent_encoded() {
        let longest = "a".repeat(crate::tenant::MAX_TENANT_ID_LEN);
        let encoded = "%61".repeat(crate::tenant::MAX_TENANT_ID_LEN);
        assert_eq!(tenant_of(&format!("/{encoded}/Users")), Some(longest));
        assert_eq!(tenant_of(&format!("/{encoded}%61/Users")), None);
    }

    proptest::proptest! {
        #[test]
        fn routing_never_panics(method in "[A-Z]{1,7}", path in "\\PC{0,60}") {
            if let Ok(m) = Method::from_bytes(method.as_bytes()) {
                let _ = route(&SchemaRegistry::with_builtins(), &m, &path);
            }
            let _ = percent_decode(&path);
        }
    }
}
