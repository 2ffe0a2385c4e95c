//! One file per operation; this module holds what they share: the request context,
//! resource rendering (`meta.location`, `meta.resourceType`, `$ref`), projection and
//! response building.

mod bulk;
mod create;
mod delete;
mod discovery;
mod limits;
mod list;
mod me;
mod member_rows;
mod password;
mod patch;
mod read;
mod refs;
mod replace;
mod stored_body;

use bytes::Bytes;
use http::header::{ETAG, IF_MATCH, LOCATION};
use http::request::Parts;
use http::{HeaderValue, Response, StatusCode};
use serde_json::{Map, Value};

use crate::auth::MeResolver;
use crate::config::ServerConfig;
use crate::error::ScimError;
use crate::filter::{AttrPath, Projection};
use crate::password::PasswordHasher;
use crate::resource::Resource;
use crate::routing::Endpoint;
use crate::schema::attribute::{Attribute, AttributeType};
use crate::schema::definition::ResourceType;
use crate::schema::registry::SchemaRegistry;
use crate::store::{RequestContext, ResourceStore};
use crate::wire::etag;
use crate::wire::query::{self, ListParams};
use refs::RefPrefixes;

/// URN of the list response message (RFC 7644 §3.4.2).
pub(crate) const LIST_RESPONSE_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";

/// What every handler gets: the server's settings, schemas, store and `/Me` resolver,
/// the request head, the tenant's base URL and the store context (tenant and principal).
/// The engine makes one per admitted request; handlers see nothing of authentication or
/// rate limiting.
pub(crate) struct Context<'a> {
    pub(crate) config: &'a ServerConfig,
    pub(crate) registry: &'a SchemaRegistry,
    pub(crate) store: &'a dyn ResourceStore,
    pub(crate) me: Option<&'a dyn MeResolver>,
    /// Hashes the passwords of requests; `None`: passwords are not accepted.
    pub(crate) password_hasher: Option<&'a dyn PasswordHasher>,
    pub(crate) parts: &'a Parts,
    /// `{scheme}://{host}{prefix}/{tenant}`, no trailing slash.
    pub(crate) base: String,
    pub(crate) store_ctx: RequestContext,
    /// This tenant's `bulk.maxOperations`: the configured figure, or its per-minute rate
    /// limit when that is lower.
    pub(crate) bulk_max_operations: usize,
    /// The serving [`Inner::id`](crate::engine::Inner::id).
    pub(crate) writer: u64,
}

/// A request body as the engine read it: its bytes, and the JSON value it parsed them
/// into (with the strict checks) when there were any.
#[derive(Debug, Default)]
pub(crate) struct RequestBody {
    bytes: Bytes,
    json: Option<Value>,
}

impl RequestBody {
    pub(crate) fn new(bytes: Bytes, json: Option<Value>) -> Self {
        Self { bytes, json }
    }

    /// A body as the engine makes it of `bytes`.
    #[cfg(test)]
    pub(crate) fn of(bytes: Vec<u8>) -> Self {
        let json = crate::wire::strict_json::parse_strict(&bytes).ok();
        Self::new(Bytes::from(bytes), json)
    }

    /// The body's size in bytes.
    pub(crate) fn len(&self) -> usize {
        self.bytes.len()
    }

    /// The JSON value; `400 invalidSyntax` for an empty body.
    pub(crate) fn into_json(self) -> Result<Value, ScimError> {
        match self.json {
            Some(value) => Ok(value),
            None => parse_json(&self.bytes),
        }
    }

    /// The resource the body holds, as [`Resource::parse`] reads it from bytes.
    pub(crate) fn into_resource(
        self,
        rt: &ResourceType,
        options: &crate::schema::ValidationOptions,
    ) -> Result<Resource, ScimError> {
        Resource::check_size(self.len(), options)?;
        // The engine's strict parser makes each map at its exact size; parsed here from
        // bytes, it is `serde_json`'s, which grows its maps.
        let parsed_strictly = self.json.is_some();
        let json = self.into_json()?;
        let members = json.as_object().map(Map::len);
        let mut resource = Resource::parse_value(json, rt, options)?;
        // Canonicalizing only removes members from the top level or respells them into a
        // map of the input's size: the same count means the same exact size.
        if parsed_strictly && members == Some(resource.attributes().len()) {
            resource.mark_exact_size();
        }
        Ok(resource)
    }
}

/// Serves a routed request.
pub(crate) async fn dispatch(
    ctx: &Context<'_>,
    endpoint: Endpoint<'_>,
    body: RequestBody,
) -> Result<Response<Bytes>, ScimError> {
    match endpoint {
        Endpoint::ServiceProviderConfig => Ok(discovery::service_provider_config(ctx)),
        Endpoint::Schemas => discovery::schemas(ctx),
        Endpoint::Schema(urn) => discovery::schema(ctx, &urn),
        Endpoint::ResourceTypes => discovery::resource_types(ctx),
        Endpoint::ResourceType(name) => discovery::resource_type(ctx, &name),
        Endpoint::List(rt) => list::list(ctx, &rt, &ctx.query_params()?).await,
        Endpoint::Search(rt) => list::search(ctx, &rt, body).await,
        Endpoint::RootSearch => list::root_search(ctx, body).await,
        Endpoint::Create(rt) => create::create(ctx, &rt, body).await,
        Endpoint::Get(rt, id) => read::read(ctx, &rt, &id).await,
        Endpoint::Replace(rt, id) => replace::replace(ctx, &rt, &id, body).await,
        Endpoint::Patch(rt, id) => patch::patch(ctx, &rt, &id, body).await,
        Endpoint::Delete(rt, id) => delete::delete(ctx, &rt, &id).await,
        // Boxed: their futures are the largest (Bulk's is several times any other), and
        // every request's future would otherwise be as large and be moved as such.
        Endpoint::Bulk => Box::pin(bulk::bulk(ctx, body)).await,
        Endpoint::Me(method) => Box::pin(me::me(ctx, &method, body)).await,
    }
}

impl Context<'_> {
    pub(crate) fn store(&self) -> &dyn ResourceStore {
        self.store
    }

    /// The list and projection parameters of the query string.
    pub(crate) fn query_params(&self) -> Result<ListParams, ScimError> {
        query::parse_query(self.parts.uri.query().unwrap_or_default())
    }

    /// The projection the query string asks for.
    pub(crate) fn projection(&self) -> Result<Projection, ScimError> {
        projection(self.config, &self.query_params()?)
    }

    /// The absolute URL of a resource.
    pub(crate) fn location(&self, rt: &ResourceType, id: &str) -> String {
        // Joined by hand: `format!` costs several times as much on every response.
        let mut url = String::with_capacity(self.base.len() + rt.endpoint.len() + 1 + id.len());
        url.push_str(&self.base);
        url.push_str(&rt.endpoint);
        url.push('/');
        url.push_str(id);
        url
    }

    /// The resource as the client sees it: `meta.location`, `meta.resourceType` and every
    /// `$ref` rendered, then projected.
    pub(crate) fn render(
        &self,
        rt: &ResourceType,
        mut resource: Resource,
        projection: &Projection,
    ) -> Value {
        self.decorate(rt, &mut resource);
        projection.apply_owned(resource, rt)
    }

    /// Sets `meta.location`, `meta.resourceType` and the `$ref` of references to other
    /// resources (group members, `User.groups`, the enterprise `manager`).
    pub(crate) fn decorate(&self, rt: &ResourceType, resource: &mut Resource) {
        let location = resource.id().map(|id| self.location(rt, id));
        let attributes = resource.attributes_mut();
        let meta = attributes
            .entry("meta")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(meta) = meta {
            meta.insert("resourceType".into(), Value::String(rt.name.clone()));
            if let Some(location) = location {
                meta.insert("location".into(), Value::String(location));
            }
        }
        // Only the few attributes with a `$ref` are looked up in the document.
        for (attribute, reference) in rt.schema.attributes.iter().filter_map(with_ref) {
            if let Some(value) = crate::json_map::get_mut(attributes, &attribute.name) {
                self.render_refs(attribute, reference, value);
            }
        }
        for extension in &rt.extensions {
            let mut referring = extension
                .schema
                .attributes
                .iter()
                .filter_map(with_ref)
                .peekable();
            if referring.peek().is_none() {
                continue;
            }
            if let Some(Value::Object(object)) =
                crate::json_map::get_mut(attributes, &extension.schema.id)
            {
                for (attribute, reference) in referring {
                    if let Some(value) = crate::json_map::get_mut(object, &attribute.name) {
                        self.render_refs(attribute, reference, value);
                    }
                }
            }
        }
    }

    /// Sets the `$ref` of each element of `value` (an `attribute` whose sub-attribute
    /// `reference` is its `$ref`).
    fn render_refs(&self, attribute: &Attribute, reference: &Attribute, value: &mut Value) {
        let mut prefixes = RefPrefixes::new(self.registry, &self.base, attribute, reference);
        let mut set = |element: &mut Value| {
            let Value::Object(element) = element else {
                return;
            };
            let Some(id) = element.get("value").and_then(Value::as_str) else {
                return;
            };
            let kind = element.get("type").and_then(Value::as_str);
            let Some(prefix) = prefixes.prefix(kind) else {
                return;
            };
            let prefix = &prefix.url;
            let mut url = String::with_capacity(prefix.len() + id.len());
            url.push_str(prefix);
            url.push_str(id);
            element.insert("$ref".to_owned(), Value::String(url));
        };
        match value {
            Value::Array(elements) => elements.iter_mut().for_each(&mut set),
            element @ Value::Object(_) => set(element),
            _ => {}
        }
    }

    /// A resource response: the rendered body with its `ETag` and, when asked,
    /// `Location`.
    pub(crate) fn resource_response(
        &self,
        status: StatusCode,
        rt: &ResourceType,
        resource: Resource,
        projection: &Projection,
        with_location: bool,
    ) -> Response<Bytes> {
        let etag = self.etag_header(&resource);
        let location = with_location
            .then(|| self.location_header(rt, resource.id()))
            .flatten();
        let mut response = json_response(status, &self.render(rt, resource, projection));
        let headers = response.headers_mut();
        if let Some(etag) = etag {
            headers.insert(ETAG, etag);
        }
        if let Some(location) = location {
            headers.insert(LOCATION, location);
        }
        response
    }

    /// The `ETag` header of a resource (its `meta.version`), when ETags are on.
    pub(crate) fn etag_header(&self, resource: &Resource) -> Option<HeaderValue> {
        self.etag_of(resource.version())
    }

    /// The `ETag` header of a resource whose `meta.version` is `version`, when ETags
    /// are on.
    pub(crate) fn etag_of(&self, version: Option<&str>) -> Option<HeaderValue> {
        version
            .filter(|_| self.config.etag)
            .and_then(etag::header_value)
    }

    /// The `Location` header of the resource `id` of type `rt`.
    pub(crate) fn location_header(
        &self,
        rt: &ResourceType,
        id: Option<&str>,
    ) -> Option<HeaderValue> {
        id.map(|id| self.location(rt, id))
            .and_then(crate::wire::header_value)
    }

    /// The `If-Match` condition of the request, when ETags are on.
    pub(crate) fn if_match(&self) -> Result<Option<etag::Condition>, ScimError> {
        if !self.config.etag {
            return Ok(None);
        }
        etag::condition(&self.parts.headers, &IF_MATCH)
    }

    /// Checks an `If-Match` condition against the current resource (`412` on mismatch)
    /// and returns the version the store must still find when it writes, so that a
    /// concurrent change in between is caught too.
    pub(crate) async fn expected_version(
        &self,
        rt: &ResourceType,
        id: &str,
        condition: Option<&etag::Condition>,
    ) -> Result<Option<String>, ScimError> {
        let Some(condition) = condition else {
            return Ok(None);
        };
        let current = self.store().get(&self.store_ctx, rt, id).await?;
        check_if_match(condition, &current)
    }
}

/// `attribute` with its `$ref` sub-attribute, when it has one.
pub(super) fn with_ref(attribute: &Attribute) -> Option<(&Attribute, &Attribute)> {
    attribute
        .sub_attributes
        .iter()
        .find(|s| s.name == "$ref" && s.kind == AttributeType::Reference)
        .map(|reference| (attribute, reference))
}

/// The lists a store derives (`members`, `groups`) that the response will not carry,
/// for the store to skip loading: those the projection leaves out, by
/// `excludedAttributes` or by an `attributes` that does not name them. (Not simply the
/// `excludedAttributes`: with `attributes` given, they do not apply.)
pub(crate) fn unread_derived(rt: &ResourceType, projection: &Projection) -> Vec<AttrPath> {
    const DERIVED: [&str; 2] = ["members", "groups"];
    // The first attribute of each name, found in one walk over the core schema's
    // attributes rather than a search for each; listed in the order of `DERIVED`.
    let mut found: [Option<&crate::schema::Attribute>; 2] = [None, None];
    for attribute in &rt.schema.attributes {
        for (slot, name) in found.iter_mut().zip(DERIVED) {
            if slot.is_none() && attribute.name.eq_ignore_ascii_case(name) {
                *slot = Some(attribute);
            }
        }
    }
    DERIVED
        .into_iter()
        .zip(found)
        .filter(|(_, attribute)| {
            attribute.is_some_and(|attribute| projection.kept(attribute, None, rt).is_none())
        })
        .map(|(name, _)| AttrPath::new(name))
        .collect()
}

/// [`Context::expected_version`] for a resource already fetched.
pub(crate) fn check_if_match(
    condition: &etag::Condition,
    current: &Resource,
) -> Result<Option<String>, ScimError> {
    let version = current.version().unwrap_or_default();
    if condition.matches(version) {
        Ok(current.version().map(str::to_owned))
    } else {
        Err(ScimError::precondition_failed(format!(
            "If-Match does not match; the resource's current version is {version}"
        )))
    }
}

/// The projection of list parameters.
pub(crate) fn projection(
    config: &ServerConfig,
    params: &ListParams,
) -> Result<Projection, ScimError> {
    limits::check_attribute_names(config, "attributes", params.attributes.len())?;
    limits::check_attribute_names(
        config,
        "excludedAttributes",
        params.excluded_attributes.len(),
    )?;
    let join = |names: &[String]| (!names.is_empty()).then(|| names.join(","));
    let attributes = join(&params.attributes);
    let excluded = join(&params.excluded_attributes);
    Projection::parse(attributes.as_deref(), excluded.as_deref())
}

/// A JSON response with the SCIM content type.
pub(crate) fn json_response(status: StatusCode, body: &Value) -> Response<Bytes> {
    // A typical resource fits: no regrowing on the way. Serializing a `Value` cannot fail.
    let mut bytes = Vec::with_capacity(1024);
    if serde_json::to_writer(&mut bytes, body).is_err() {
        bytes.clear();
    }
    let mut response = Response::new(Bytes::from(bytes));
    *response.status_mut() = status;
    response
}

/// An empty response (`204`, `304`).
pub(crate) fn empty_response(status: StatusCode) -> Response<Bytes> {
    let mut response = Response::new(Bytes::new());
    *response.status_mut() = status;
    response
}

/// Parses a JSON request body: `400 invalidSyntax` when it is not JSON.
pub(crate) fn parse_json(body: &[u8]) -> Result<Value, ScimError> {
    serde_json::from_slice(body)
        .map_err(|e| ScimError::invalid_syntax(format!("the body is not valid JSON: {e}")))
}

#[cfg(test)]
mod tests;
