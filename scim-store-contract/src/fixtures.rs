//! The fixtures the cases are built from, public so that a store's own tests speak the
//! same language: the built-in resource types, minimal resources, PATCH and query
//! builders, and readers of ids and member values.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test fixtures: a bad fixture is a failed test"
)]

use std::collections::BTreeSet;
use std::sync::OnceLock;

use scim_core::patch::PatchOptions;
use scim_core::{Filter, PatchRequest, Query, Resource, ResourceType, SchemaRegistry};
use serde_json::{Value, json};

use crate::{Store, Tenants};

/// The registry of the built-in resource types (User with the enterprise extension,
/// Group), built once.
///
/// ```
/// assert!(scim_store_contract::fixtures::registry().resource_type("Group").is_some());
/// ```
pub fn registry() -> &'static SchemaRegistry {
    static REGISTRY: OnceLock<SchemaRegistry> = OnceLock::new();
    REGISTRY.get_or_init(SchemaRegistry::with_builtins)
}

/// The built-in User resource type.
///
/// ```
/// assert_eq!(scim_store_contract::fixtures::users().name, "User");
/// ```
pub fn users() -> &'static ResourceType {
    registry().resource_type("User").unwrap()
}

/// The built-in Group resource type.
///
/// ```
/// assert_eq!(scim_store_contract::fixtures::groups().name, "Group");
/// ```
pub fn groups() -> &'static ResourceType {
    registry().resource_type("Group").unwrap()
}

/// A new User with `userName` and a `displayName` derived from it.
///
/// ```
/// let ann = scim_store_contract::fixtures::user("ann");
/// assert_eq!(ann.get("userName").unwrap(), "ann");
/// ```
pub fn user(user_name: &str) -> Resource {
    Resource::from_value_unchecked(
        "User",
        json!({"schemas": [scim_core::schema::USER_SCHEMA], "userName": user_name, "displayName": format!("{user_name} D")}),
    )
    .unwrap()
}

/// A new Group with `displayName` and members of the given ids.
///
/// ```
/// let team = scim_store_contract::fixtures::group("team", &["u1", "u2"]);
/// assert_eq!(scim_store_contract::fixtures::values_of(&team, "members").len(), 2);
/// ```
pub fn group(display_name: &str, members: &[&str]) -> Resource {
    let members: Vec<Value> = members.iter().map(|id| json!({"value": id})).collect();
    Resource::from_value_unchecked(
        "Group",
        json!({"schemas": [scim_core::schema::GROUP_SCHEMA], "displayName": display_name, "members": members}),
    )
    .unwrap()
}

/// A PATCH of `rt` with these `Operations`, parsed with the default options.
///
/// ```
/// use scim_store_contract::fixtures::{patch, users};
/// let p = patch(users(), serde_json::json!([{"op": "replace", "path": "active", "value": false}]));
/// # drop(p);
/// ```
pub fn patch(rt: &ResourceType, operations: Value) -> PatchRequest {
    let message = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": operations});
    PatchRequest::parse_value(message, rt, &PatchOptions::default()).unwrap()
}

/// A parsed filter.
///
/// ```
/// let f = scim_store_contract::fixtures::filter(r#"userName eq "ann""#);
/// # drop(f);
/// ```
pub fn filter(text: &str) -> Filter {
    text.parse().unwrap()
}

/// A query with an optional filter, the first page, no sort.
///
/// ```
/// let q = scim_store_contract::fixtures::query(Some("active eq true"));
/// assert!(q.filter.is_some() && q.sort.is_none());
/// ```
pub fn query(filter_text: Option<&str>) -> Query {
    let mut q = Query::default();
    q.filter = filter_text.map(filter);
    q
}

/// Creates [`user`]`(user_name)` in tenant [`Tenants::a`] and returns its id.
///
/// ```
/// # scim_store_contract::run(async {
/// use scim_store_contract::{Store, Tenants, fixtures::create_user};
/// let store: Store = std::sync::Arc::new(scim_core::InMemoryStore::new());
/// let id = create_user(&store, &Tenants::unique(), "ann").await;
/// assert!(!id.is_empty());
/// # });
/// ```
pub async fn create_user(store: &Store, t: &Tenants, user_name: &str) -> String {
    let created = store
        .create(&t.a(), users(), user(user_name))
        .await
        .unwrap();
    created.id().unwrap().to_owned()
}

/// The `value`s of a multi-valued attribute (`members`, `groups`, `emails`).
///
/// # Panics
///
/// When an element has no string `value`: a store must not return one.
///
/// ```
/// use scim_store_contract::fixtures::{group, values_of};
/// assert!(values_of(&group("g", &["a"]), "members").contains("a"));
/// ```
pub fn values_of(resource: &Resource, attribute: &str) -> BTreeSet<String> {
    resource
        .get(attribute)
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .map(|m| {
                    let value = m.get("value").and_then(Value::as_str);
                    value.expect("every element has a string value").to_owned()
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The ids of resources, in order.
///
/// # Panics
///
/// When a resource has no `id`: a store must not return one.
///
/// ```
/// use scim_store_contract::fixtures::{ids, user};
/// let mut ann = user("ann");
/// ann.attributes_mut().insert("id".into(), "1".into());
/// assert_eq!(ids(&[ann]), ["1"]);
/// ```
pub fn ids(resources: &[Resource]) -> Vec<String> {
    resources
        .iter()
        .map(|r| r.id().expect("a stored resource has an id").to_owned())
        .collect()
}
