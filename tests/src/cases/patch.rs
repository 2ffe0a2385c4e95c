//! PATCH on users (RFC 7644 §3.5.2), in the shapes clients send.

use serde_json::{Value, json};

use super::{ENTERPRISE, USER, create_user, id, patch_op, user};
use crate::client::Client;
use crate::harness::Harness;

async fn patched<H: Harness>(client: &Client<H>, user_id: &str, operations: Value) -> Value {
    client
        .patch(&format!("/Users/{user_id}"), patch_op(operations))
        .await
        .expect_status(200)
        .json()
}

/// `replace` with a path sets one attribute and answers the resource.
pub async fn replace_path<H: Harness>() {
    let acme = Client::<H>::fixture();
    let user_id = id(&create_user(&acme, "bjensen").await);
    let body = patched(
        &acme,
        &user_id,
        json!([{"op": "replace", "path": "displayName", "value": "Babs"}]),
    )
    .await;
    assert_eq!(body["displayName"], "Babs");
    let fetched = acme
        .get(&format!("/Users/{user_id}"))
        .await
        .expect_status(200)
        .json();
    assert_eq!(fetched["displayName"], "Babs");
}

/// `add` of a sub-attribute and of a new multi-valued element.
pub async fn add<H: Harness>() {
    let acme = Client::<H>::fixture();
    let user_id = id(&create_user(&acme, "bjensen").await);
    let body = patched(
        &acme,
        &user_id,
        json!([
            {"op": "add", "path": "name.middleName", "value": "Jane"},
            {"op": "add", "path": "phoneNumbers", "value": [{"value": "555-0100", "type": "work"}]}
        ]),
    )
    .await;
    assert_eq!(body["name"]["middleName"], "Jane");
    assert_eq!(body["name"]["familyName"], "Jensen");
    assert_eq!(body["phoneNumbers"][0]["value"], "555-0100", "{body}");
}

/// `remove` with a path clears the attribute; with a value filter, only matching elements.
pub async fn remove<H: Harness>() {
    let acme = Client::<H>::fixture();
    let mut start = user("bjensen");
    start["emails"] = json!([
        {"value": "work@example.com", "type": "work"},
        {"value": "home@example.com", "type": "home"}
    ]);
    start["displayName"] = json!("Babs");
    let user_id = id(&acme.post("/Users", start).await.expect_status(201).json());
    let body = patched(
        &acme,
        &user_id,
        json!([
            {"op": "remove", "path": "displayName"},
            {"op": "remove", "path": "emails[type eq \"home\"]"}
        ]),
    )
    .await;
    assert!(body.get("displayName").is_none(), "{body}");
    assert_eq!(body["emails"].as_array().map(Vec::len), Some(1), "{body}");
    assert_eq!(body["emails"][0]["type"], "work");
}

/// A path-less `replace` with an object value sets each key (Okta deactivation).
pub async fn replace_without_path<H: Harness>() {
    let acme = Client::<H>::fixture();
    let user_id = id(&create_user(&acme, "bjensen").await);
    let body = patched(
        &acme,
        &user_id,
        json!([{"op": "replace", "value": {"active": false, "displayName": "B"}}]),
    )
    .await;
    assert_eq!(body["active"], false);
    assert_eq!(body["displayName"], "B");
}

/// Capitalised op names and string booleans (Entra ID without `aadOptscim062020`).
pub async fn capitalised_ops_and_string_booleans<H: Harness>() {
    let acme = Client::<H>::fixture();
    let user_id = id(&create_user(&acme, "bjensen").await);
    let body = patched(
        &acme,
        &user_id,
        json!([{"op": "Replace", "path": "active", "value": "False"}]),
    )
    .await;
    assert_eq!(body["active"], false);
}

/// An `add` through a value filter that matches nothing creates the element (Entra ID).
pub async fn value_path_add_creates_element<H: Harness>() {
    let acme = Client::<H>::fixture();
    let created = acme
        .post("/Users", json!({"schemas": [USER], "userName": "noemail"}))
        .await
        .expect_status(201)
        .json();
    let body = patched(
        &acme,
        &id(&created),
        json!([{"op": "Add", "path": "emails[type eq \"work\"].value", "value": "new@example.com"}]),
    )
    .await;
    assert_eq!(body["emails"][0]["value"], "new@example.com", "{body}");
    assert_eq!(body["emails"][0]["type"], "work", "{body}");
}

/// A `replace` through a value filter changes the matching element only.
pub async fn value_path_replace<H: Harness>() {
    let acme = Client::<H>::fixture();
    let user_id = id(&create_user(&acme, "bjensen").await);
    let body = patched(
        &acme,
        &user_id,
        json!([{"op": "replace", "path": "emails[type eq \"work\"].value", "value": "changed@example.com"}]),
    )
    .await;
    assert_eq!(body["emails"][0]["value"], "changed@example.com", "{body}");
}

/// Extension attributes by URN-qualified path, including the manager set as a bare id
/// string (Entra ID).
pub async fn extension_paths<H: Harness>() {
    let acme = Client::<H>::fixture();
    let boss = id(&create_user(&acme, "boss").await);
    let user_id = id(&create_user(&acme, "report").await);
    let body = patched(
        &acme,
        &user_id,
        json!([
            {"op": "Add", "path": format!("{ENTERPRISE}:employeeNumber"), "value": "42"},
            {"op": "Add", "path": format!("{ENTERPRISE}:manager"), "value": boss}
        ]),
    )
    .await;
    assert_eq!(body[ENTERPRISE]["employeeNumber"], "42", "{body}");
    assert_eq!(
        body[ENTERPRISE]["manager"]["value"],
        boss.as_str(),
        "{body}"
    );
    assert!(
        body["schemas"]
            .as_array()
            .is_some_and(|s| s.iter().any(|u| u == ENTERPRISE)),
        "{body}"
    );
}

/// A path-less replace whose keys are dotted and URN-qualified (Entra ID with
/// `aadOptscim062020`).
pub async fn dotted_keys_without_path<H: Harness>() {
    let acme = Client::<H>::fixture();
    let user_id = id(&create_user(&acme, "bjensen").await);
    let body = patched(
        &acme,
        &user_id,
        json!([{"op": "replace", "value": {
            "displayName": "Babs",
            "name.givenName": "Barb",
            format!("{ENTERPRISE}:employeeNumber"): "7"
        }}]),
    )
    .await;
    assert_eq!(body["displayName"], "Babs");
    assert_eq!(body["name"]["givenName"], "Barb");
    assert_eq!(body[ENTERPRISE]["employeeNumber"], "7", "{body}");
}

/// Operations apply all or nothing: one bad operation leaves the resource unchanged.
pub async fn atomic<H: Harness>() {
    let acme = Client::<H>::fixture();
    let user_id = id(&create_user(&acme, "bjensen").await);
    acme.patch(
        &format!("/Users/{user_id}"),
        patch_op(json!([
            {"op": "replace", "path": "displayName", "value": "Changed"},
            {"op": "replace", "path": "active", "value": "not a boolean"}
        ])),
    )
    .await
    .expect_error(400, None);
    let fetched = acme
        .get(&format!("/Users/{user_id}"))
        .await
        .expect_status(200)
        .json();
    assert!(fetched.get("displayName").is_none(), "{fetched}");
}

/// An unknown `op` is `400 invalidSyntax`; a path that does not parse is `400 invalidPath`.
pub async fn invalid_operations<H: Harness>() {
    let acme = Client::<H>::fixture();
    let path = format!("/Users/{}", id(&create_user(&acme, "bjensen").await));
    acme.patch(
        &path,
        patch_op(json!([{"op": "merge", "path": "displayName", "value": "x"}])),
    )
    .await
    .expect_error(400, None);
    acme.patch(
        &path,
        patch_op(json!([{"op": "replace", "path": "emails[type eq", "value": "x"}])),
    )
    .await
    .expect_error(400, Some("invalidPath"));
}

/// Changing a read-only attribute is `400 mutability`.
pub async fn read_only_attribute<H: Harness>() {
    let acme = Client::<H>::fixture();
    let path = format!("/Users/{}", id(&create_user(&acme, "bjensen").await));
    acme.patch(
        &path,
        patch_op(json!([{"op": "replace", "path": "id", "value": "other"}])),
    )
    .await
    .expect_error(400, Some("mutability"));
}

/// A PATCH of an unknown id is `404`.
pub async fn unknown_resource<H: Harness>() {
    let acme = Client::<H>::fixture();
    acme.patch(
        "/Users/does-not-exist",
        patch_op(json!([{"op": "replace", "path": "active", "value": false}])),
    )
    .await
    .expect_error(404, None);
}

/// Adding a member that is no User or Group of the tenant is `400 invalidValue`, the
/// detail names the id, and the group keeps its members (RFC 7644 §3.5.2 atomicity).
pub async fn unknown_member<H: Harness>() {
    let acme = Client::<H>::fixture();
    let member = id(&create_user(&acme, "bjensen").await);
    let group = id(&super::create_group(&acme, "Tour Guides", &[&member]).await);
    let exchange = acme
        .patch(
            &format!("/Groups/{group}"),
            patch_op(json!([
                {"op": "add", "path": "members", "value": [{"value": "no-such-user"}]},
                {"op": "replace", "path": "displayName", "value": "Renamed"}
            ])),
        )
        .await
        .expect_error(400, Some("invalidValue"));
    let detail = exchange.json()["detail"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(detail.contains("no-such-user"), "{detail}");
    let fetched = acme
        .get(&format!("/Groups/{group}"))
        .await
        .expect_status(200)
        .json();
    assert_eq!(fetched["displayName"], "Tour Guides");
    assert_eq!(super::member_ids(&fetched), [member]);
}

/// More operations than the server allows (1 000 by default) is `400 tooMany`.
pub async fn too_many_operations<H: Harness>() {
    let acme = Client::<H>::fixture();
    let path = format!("/Users/{}", id(&create_user(&acme, "bjensen").await));
    let operations: Vec<Value> = (0..1001)
        .map(|i| json!({"op": "replace", "path": "displayName", "value": format!("n{i}")}))
        .collect();
    acme.patch(&path, patch_op(Value::Array(operations)))
        .await
        .expect_error(400, Some("tooMany"));
}

/// A bare extension URN as the path sets, merges or removes the whole extension object.
pub async fn whole_extension<H: Harness>() {
    let acme = Client::<H>::fixture();
    let user_id = id(&create_user(&acme, "bjensen").await);
    let body = patched(
        &acme,
        &user_id,
        json!([{"op": "add", "path": ENTERPRISE, "value": {"employeeNumber": "701984", "department": "Tours"}}]),
    )
    .await;
    assert_eq!(body[ENTERPRISE]["employeeNumber"], "701984");
    assert!(
        body["schemas"]
            .as_array()
            .is_some_and(|s| s.contains(&json!(ENTERPRISE))),
        "{body}"
    );
    let body = patched(
        &acme,
        &user_id,
        json!([{"op": "remove", "path": ENTERPRISE}]),
    )
    .await;
    assert!(body.get(ENTERPRISE).is_none(), "{body}");
    assert_eq!(body["schemas"], json!([USER]));
}
