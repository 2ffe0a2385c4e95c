//! The cases: each takes a fresh store and the tenants it may use, and panics when the
//! store breaks the contract. They are grouped by topic in the modules below and all
//! re-exported here, so that `cases::create_assigns_identity` is the path of every case.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "a test suite: a broken expectation is a failed test"
)]

use std::collections::BTreeSet;
use std::sync::{Arc, OnceLock};

use scim_core::{
    Filter, PatchRequest, Query, Resource, ResourceStore, ResourceType, SchemaRegistry, StoreError,
    filter::{AttrPath, Sort, SortOrder},
    patch::PatchOptions,
    schema::{Attribute, AttributeType, Schema, Uniqueness},
};
use serde_json::{Value, json};

use crate::{Capabilities, Store, Tenants};

mod concurrency;
mod identity;
mod membership;
mod queries;
mod tenancy;
mod uniqueness;

pub use concurrency::*;
pub use identity::*;
pub use membership::*;
pub use queries::*;
pub use tenancy::*;
pub use uniqueness::*;

fn registry() -> &'static SchemaRegistry {
    static REGISTRY: OnceLock<SchemaRegistry> = OnceLock::new();
    REGISTRY.get_or_init(SchemaRegistry::with_builtins)
}

fn users() -> &'static ResourceType {
    registry().resource_type("User").unwrap()
}

fn groups() -> &'static ResourceType {
    registry().resource_type("Group").unwrap()
}

fn user(user_name: &str) -> Resource {
    Resource::from_value_unchecked(
        "User",
        json!({"schemas": [scim_core::schema::USER_SCHEMA], "userName": user_name, "displayName": format!("{user_name} D")}),
    )
    .unwrap()
}

fn group(display_name: &str, members: &[&str]) -> Resource {
    let members: Vec<Value> = members.iter().map(|id| json!({"value": id})).collect();
    Resource::from_value_unchecked(
        "Group",
        json!({"schemas": [scim_core::schema::GROUP_SCHEMA], "displayName": display_name, "members": members}),
    )
    .unwrap()
}

fn patch(rt: &ResourceType, operations: Value) -> PatchRequest {
    let message = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": operations});
    PatchRequest::parse_value(message, rt, &PatchOptions::default()).unwrap()
}

/// The free-text attribute the cases write and read: `title`, or `name.givenName` for a
/// store without [`Capabilities::arbitrary_attributes`].
fn scratch(caps: Capabilities) -> &'static str {
    if caps.arbitrary_attributes {
        "title"
    } else {
        "name.givenName"
    }
}

/// Sets the [`scratch`] attribute of a resource.
fn set_scratch(resource: &mut Resource, caps: Capabilities, value: &str) {
    let attributes = resource.attributes_mut();
    if caps.arbitrary_attributes {
        attributes.insert("title".into(), json!(value));
    } else {
        let name = attributes.entry("name").or_insert_with(|| json!({}));
        name["givenName"] = json!(value);
    }
}

/// The [`scratch`] attribute of a resource.
fn get_scratch(resource: &Resource, caps: Capabilities) -> Option<&Value> {
    if caps.arbitrary_attributes {
        resource.get("title")
    } else {
        resource.get("name")?.get("givenName")
    }
}

fn filter(text: &str) -> Filter {
    text.parse().unwrap()
}

fn query(filter_text: Option<&str>) -> Query {
    let mut q = Query::default();
    q.filter = filter_text.map(filter);
    q
}

async fn create_user(store: &Store, t: &Tenants, user_name: &str) -> String {
    let created = store
        .create(&t.a(), users(), user(user_name))
        .await
        .unwrap();
    created.id().unwrap().to_owned()
}

fn values_of(resource: &Resource, attribute: &str) -> BTreeSet<String> {
    resource
        .get(attribute)
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .map(|m| m["value"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn ids(resources: &[Resource]) -> Vec<String> {
    resources
        .iter()
        .map(|r| r.id().unwrap().to_owned())
        .collect()
}
