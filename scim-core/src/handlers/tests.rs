use http::request::Parts;
use serde_json::json;

use super::Context;
use crate::config::ServerConfig;
use crate::filter::Projection;
use crate::resource::Resource;
use crate::schema::attribute::{Attribute, AttributeType};
use crate::schema::definition::{ResourceType, Schema};
use crate::schema::registry::SchemaRegistry;
use crate::store::{InMemoryStore, RequestContext};

/// What a handler [`Context`] borrows, for tests that render without a request.
pub(super) struct Fixture {
    config: ServerConfig,
    pub(super) registry: SchemaRegistry,
    store: InMemoryStore,
    parts: Parts,
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
