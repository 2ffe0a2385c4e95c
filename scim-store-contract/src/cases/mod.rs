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
    Query, Resource, ResourceStore, ResourceType, SchemaRegistry, StoreError,
    filter::{AttrPath, Sort, SortOrder},
    schema::{Attribute, AttributeType, Schema, Uniqueness},
};
use serde_json::{Value, json};

use crate::fixtures::{
    create_user, filter, group, groups, ids, patch, query, user, users, values_of,
};
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
