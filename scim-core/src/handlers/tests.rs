use http::request::Parts;
use serde_json::json;

use super::Context;
use crate::config::ServerConfig;
use crate::filter::Projection;
use crate::resource::Resource;
use crate::schema::attribute::{Attribute, AttributeType};
use crate::schema::definition::{ResourceType, Schema};
use crate::schema::registry::SchemaRegistry;
use crate::store::{InMemoryStore, RequestContext, ResourceStore};

/// What a handler [`Context`] borrows, for tests that render without a request.
pub(super) struct Fixture {
    pub(super) config: ServerConfig,
    pub(super) registry: SchemaRegistry,
    store: InMemoryStore,
    pub(super) parts: Parts,
}

impl Fixture {
    pub(super) fn new(registry: SchemaRegistry) -> Self {
        Self {
            config: ServerConfig::default(),
            registry,
            store: InMemoryStore::new(),
            parts: http::Request::new(()).into_parts().0,
        }
    }

    /// A context for tenant `acme` at `https://example.com/scim/v2/acme`.
    pub(super) fn context(&self) -> Context<'_> {
        Context {
            config: &self.config,
            registry: &self.registry,
            store: &self.store,
            me: None,
            password_hasher: None,
            parts: &self.parts,
            base: "https://example.com/scim/v2/acme".to_owned(),
            store_ctx: RequestContext::new("acme"),
            bulk_max_operations: 1000,
            writer: crate::engine::Inner::next_id(),
        }
    }
}

#[test]
fn only_ref_sub_attributes_get_a_url() {
    // A Device whose `owner` is a reference to a User but has no `$ref`: nothing is added;
    // its `assignee` gets a `$ref` to a User, as its `$ref` says, whatever another
    // reference sub-attribute before it names.
    let mut registry = SchemaRegistry::with_builtins();
    let reference =
        |name: &str, to: &str| Attribute::new(name, AttributeType::Reference).reference_types([to]);
    let schema = Schema::new("urn:example:Device", "Device")
        .attribute(Attribute::complex(
            "owner",
            vec![
                Attribute::new("value", AttributeType::String),
                reference("link", "User"),
            ],
        ))
        .attribute(Attribute::complex(
            "assignee",
            vec![
                Attribute::new("value", AttributeType::String),
                reference("team", "Group"),
                reference("$ref", "User"),
            ],
        ));
    let schema = registry.add_schema(schema).unwrap();
    let devices = registry
        .add_resource_type(ResourceType::new("Device", "/Devices", schema))
        .unwrap();
    let fixture = Fixture::new(registry);
    let device = Resource::from_value_unchecked(
        "Device",
        json!({"id": "d1", "owner": {"value": "u1"}, "assignee": {"value": "u2"}}),
    )
    .unwrap();
    let rendered = fixture
        .context()
        .render(&devices, device, &Projection::default());
    assert_eq!(rendered["owner"], json!({"value": "u1"}), "{rendered}");
    assert_eq!(
        rendered["assignee"],
        json!({"value": "u2", "$ref": "https://example.com/scim/v2/acme/Users/u2"}),
        "{rendered}"
    );
    assert_eq!(
        rendered["meta"]["location"],
        "https://example.com/scim/v2/acme/Devices/d1"
    );
}

/// A store that records the hint `retrieve` gets, over an in-memory store.
struct HintSpy {
    inner: InMemoryStore,
    hints: std::sync::Mutex<Vec<Vec<String>>>,
}

#[async_trait::async_trait]
impl ResourceStore for HintSpy {
    async fn create(
        &self,
        ctx: &RequestContext,
        rt: &ResourceType,
        resource: Resource,
    ) -> Result<Resource, crate::store::StoreError> {
        self.inner.create(ctx, rt, resource).await
    }
    async fn get(
        &self,
        ctx: &RequestContext,
        rt: &ResourceType,
        id: &str,
    ) -> Result<Resource, crate::store::StoreError> {
        self.inner.get(ctx, rt, id).await
    }
    async fn retrieve(
        &self,
        ctx: &RequestContext,
        rt: &ResourceType,
        id: &str,
        excluded: &[crate::filter::AttrPath],
    ) -> Result<crate::store::Retrieved, crate::store::StoreError> {
        let names = excluded.iter().map(ToString::to_string).collect();
        self.hints.lock().unwrap().push(names);
        self.inner.retrieve(ctx, rt, id, excluded).await
    }
    async fn replace(
        &self,
        ctx: &RequestContext,
        rt: &ResourceType,
        id: &str,
        resource: Resource,
        version: Option<&str>,
    ) -> Result<Resource, crate::store::StoreError> {
        self.inner.replace(ctx, rt, id, resource, version).await
    }
    async fn patch(
        &self,
        ctx: &RequestContext,
        rt: &ResourceType,
        id: &str,
        patch: &crate::patch::PatchRequest,
        version: Option<&str>,
    ) -> Result<Resource, crate::store::StoreError> {
        self.inner.patch(ctx, rt, id, patch, version).await
    }
    async fn delete(
        &self,
        ctx: &RequestContext,
        rt: &ResourceType,
        id: &str,
        version: Option<&str>,
    ) -> Result<(), crate::store::StoreError> {
        self.inner.delete(ctx, rt, id, version).await
    }
    async fn query(
        &self,
        ctx: &RequestContext,
        rt: &ResourceType,
        query: &crate::store::Query,
    ) -> Result<crate::store::QueryResult, crate::store::StoreError> {
        self.inner.query(ctx, rt, query).await
    }
}

#[test]
fn a_get_tells_the_store_which_member_lists_it_will_not_send() {
    // Entra ID reads groups with `excludedAttributes=members`: the store is told, so a
    // group of 100 000 is not loaded to be thrown away.
    let registry = SchemaRegistry::with_builtins();
    let groups = registry.resource_type("Group").unwrap().clone();
    let spy = HintSpy {
        inner: InMemoryStore::new(),
        hints: std::sync::Mutex::new(Vec::new()),
    };
    let ctx = RequestContext::new("acme");
    let group = Resource::from_value_unchecked("Group", json!({"displayName": "G"})).unwrap();
    let created = tokio_free(spy.create(&ctx, &groups, group)).unwrap();
    let id = created.id().unwrap().to_owned();
    let fixture = Fixture::new(registry);
    for (query, hint) in [
        ("excludedAttributes=members", vec!["members"]),
        ("attributes=displayName", vec!["members"]),
        ("attributes=members&excludedAttributes=members", vec![]),
        ("excludedAttributes=members.display", vec![]),
        ("", vec![]),
    ] {
        let parts = http::Request::get(format!("/acme/Groups/{id}?{query}"))
            .body(())
            .unwrap()
            .into_parts()
            .0;
        let mut context = fixture.context();
        context.parts = &parts;
        context.store = &spy;
        let response = tokio_free(super::read::read(&context, &groups, &id)).unwrap();
        assert_eq!(response.status(), http::StatusCode::OK);
        let last = spy.hints.lock().unwrap().pop().unwrap();
        assert_eq!(last, hint, "{query}");
    }
}

/// Polls a future that never waits (the in-memory store's) to its end.
fn tokio_free<F: std::future::Future>(future: F) -> F::Output {
    let mut context = std::task::Context::from_waker(std::task::Waker::noop());
    match std::pin::pin!(future).poll(&mut context) {
        std::task::Poll::Ready(out) => out,
        std::task::Poll::Pending => panic!("the in-memory store waited"),
    }
}

/// A body the engine parsed is known to be at its exact size, so the store keeps its map
/// rather than copy it, while nothing leaves its top level: validation that drops `id`,
/// a password dropped, a removed `null` or any change forgets it.
#[test]
fn a_parsed_body_is_known_to_be_at_its_exact_size_until_a_member_goes() {
    use super::RequestBody;
    use crate::schema::ValidationOptions;
    let registry = SchemaRegistry::with_builtins();
    let users = registry.resource_type("User").unwrap();
    let opts = ValidationOptions::default();
    let parse = |body: serde_json::Value| {
        RequestBody::of(body.to_string().into_bytes())
            .into_resource(users, &opts)
            .unwrap()
    };
    let schemas = json!(["urn:ietf:params:scim:schemas:core:2.0:User"]);

    let mut plain = parse(json!({"schemas": schemas, "userName": "bjensen", "active": true}));
    assert!(plain.is_exact_size());
    plain.validate_for_create(users, &opts).unwrap();
    assert!(plain.is_exact_size(), "validation removed nothing");
    plain.attributes_mut();
    assert!(!plain.is_exact_size(), "a change forgets it");

    let mut with_id = parse(json!({"schemas": schemas, "id": "x", "userName": "bjensen"}));
    assert!(with_id.is_exact_size());
    with_id.validate_for_create(users, &opts).unwrap();
    assert!(!with_id.is_exact_size(), "`id` went");

    let with_null = parse(json!({"schemas": schemas, "userName": "bjensen", "title": null}));
    assert!(!with_null.is_exact_size(), "the null went");

    // Read by `serde_json` (no strict parse): its maps grow as they fill.
    let lenient = RequestBody::new(
        bytes::Bytes::from(json!({"schemas": schemas, "userName": "b"}).to_string()),
        None,
    )
    .into_resource(users, &opts)
    .unwrap();
    assert!(!lenient.is_exact_size());
}

/// Hashing a password replaces it in place: the body stays known to be at its exact
/// size, so the store still keeps its map. Without a hasher, a dropped password thins it.
#[test]
fn hashing_a_password_keeps_a_parsed_body_at_its_exact_size() {
    use super::RequestBody;
    use crate::password::{PasswordError, PasswordHasher};
    let registry = SchemaRegistry::with_builtins();
    let users = registry.resource_type("User").unwrap();
    let body = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": "bjensen",
        "password": "t1meMachine"
    });
    let parse = || {
        RequestBody::of(body.to_string().into_bytes())
            .into_resource(users, &Default::default())
            .unwrap()
    };
    let fixture = Fixture::new(registry.clone());
    let hasher = |password: String| async move {
        Ok::<_, PasswordError>(format!("hashed:{}", password.len()))
    };
    let hasher: &dyn PasswordHasher = &hasher;
    let mut context = fixture.context();
    context.password_hasher = Some(hasher);
    let mut hashed = parse();
    tokio_free(super::password::protect_resource(
        &context,
        users,
        &mut hashed,
    ))
    .unwrap();
    assert_eq!(hashed.get("password"), Some(&json!("hashed:11")));
    assert!(hashed.is_exact_size());

    let mut dropped = parse();
    tokio_free(super::password::protect_resource(
        &fixture.context(),
        users,
        &mut dropped,
    ))
    .unwrap();
    assert_eq!(dropped.get("password"), None);
    assert!(!dropped.is_exact_size());
}

/// The derived lists a projection leaves out are named `members` first, then `groups`,
/// each for the first attribute of that name, whatever order the schema lists them in.
#[test]
fn unread_derived_lists_follow_a_fixed_order() {
    use std::sync::Arc;
    let list = |name: &str| {
        Attribute::complex(name, vec![Attribute::new("value", AttributeType::String)])
            .multi_valued(true)
    };
    let schema = Schema::new("urn:example:Team", "Team")
        .attribute(list("groups"))
        .attribute(list("Members"))
        .attribute(Attribute::new("displayName", AttributeType::String));
    let teams = ResourceType::new("Team", "/Teams", Arc::new(schema));
    let unread = |attributes: Option<&str>, excluded: Option<&str>| {
        let projection = Projection::parse(attributes, excluded).unwrap();
        super::unread_derived(&teams, &projection)
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
    };
    assert_eq!(unread(Some("displayName"), None), ["members", "groups"]);
    assert_eq!(unread(None, Some("groups")), ["groups"]);
    assert!(unread(None, None).is_empty());
}
