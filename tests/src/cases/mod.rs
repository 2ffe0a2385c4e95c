//! The cases, by topic. Each is `pub async fn name<H: Harness>()`, run once per harness
//! by [`conformance_tests!`](crate::conformance_tests); add a new case to that macro's list.

pub mod auth;
pub mod bulk;
pub mod discovery;
pub mod entra;
pub mod errors;
pub mod filters;
pub mod groups;
pub mod leniency;
pub mod limits;
pub mod narrowed;
pub mod okta;
pub mod passwords;
pub mod patch;
pub mod rate_limit;
pub mod tenancy;
pub mod users;

use serde_json::{Value, json};

use crate::client::Client;
use crate::harness::Harness;

/// The core User schema URN.
pub(crate) const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
/// The core Group schema URN.
pub(crate) const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
/// The enterprise User extension URN.
pub(crate) const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
/// The PatchOp message URN.
pub(crate) const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/// A minimal user body.
pub(crate) fn user(user_name: &str) -> Value {
    json!({
        "schemas": [USER],
        "userName": user_name,
        "name": {"givenName": "Barbara", "familyName": "Jensen"},
        "emails": [{"value": format!("{user_name}@example.com"), "type": "work", "primary": true}],
        "active": true
    })
}

/// Creates a user and returns the created resource.
pub(crate) async fn create_user<H: Harness>(client: &Client<H>, user_name: &str) -> Value {
    client
        .post("/Users", user(user_name))
        .await
        .expect_status(201)
        .json()
}

/// Creates a group with members (user ids) and returns the created resource.
pub(crate) async fn create_group<H: Harness>(
    client: &Client<H>,
    name: &str,
    members: &[&str],
) -> Value {
    let members: Vec<Value> = members.iter().map(|id| json!({"value": id})).collect();
    client
        .post(
            "/Groups",
            json!({"schemas": [GROUP], "displayName": name, "members": members}),
        )
        .await
        .expect_status(201)
        .json()
}

/// A PatchOp body.
pub(crate) fn patch_op(operations: Value) -> Value {
    json!({"schemas": [PATCH_OP], "Operations": operations})
}

/// The `id` of a resource.
#[track_caller]
pub(crate) fn id(resource: &Value) -> String {
    resource["id"]
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| unreachable_id(resource))
}

#[track_caller]
fn unreachable_id(resource: &Value) -> String {
    panic!("resource without an id: {resource}")
}

/// The member ids of a group, sorted.
pub(crate) fn member_ids(group: &Value) -> Vec<String> {
    let mut ids: Vec<String> = group["members"]
        .as_array()
        .map(|members| {
            members
                .iter()
                .filter_map(|m| m["value"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    ids.sort();
    ids
}

/// Percent-encodes a query parameter value (form encoding: spaces as `+`, as Entra sends).
pub(crate) fn form(value: &str) -> String {
    let mut out = String::new();
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(byte))
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// `?filter=…` with the filter form-encoded.
pub(crate) fn filter(expression: &str) -> String {
    format!("?filter={}", form(expression))
}
