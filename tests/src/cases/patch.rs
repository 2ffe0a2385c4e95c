//! PATCH on users (RFC 7644 §3.5.2), in the shapes clients send.

use http::Method;
use scim_core::config::PatchResponse;
use serde_json::{Value, json};

use super::{ENTERPRISE, USER, create_user, id, patch_op, user};
use crate::client::Client;
use crate::harness::{Harness, fixture_server_for};

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
    let detail = exchange.detail();
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

/// `schemas` changes only within the resource type: `add` or `replace` may list the core
/// schema and the type's extensions (as a list or one URN); removing it, dropping the core
/// schema or naming another schema is `400 invalidValue` saying which.
pub async fn schemas_stay_within_the_resource_type<H: Harness>() {
    let acme = Client::<H>::fixture();
    let user_id = id(&create_user(&acme, "bjensen").await);
    let body = patched(
        &acme,
        &user_id,
        json!([{"op": "replace", "path": "schemas", "value": [USER, ENTERPRISE]}]),
    )
    .await;
    assert_eq!(body["schemas"], json!([USER, ENTERPRISE]), "{body}");
    for value in [json!([ENTERPRISE]), json!(ENTERPRISE)] {
        let body = patched(
            &acme,
            &user_id,
            json!([{"op": "add", "path": "schemas", "value": value}]),
        )
        .await;
        assert!(
            body["schemas"]
                .as_array()
                .is_some_and(|s| s.contains(&json!(ENTERPRISE)) && s.contains(&json!(USER))),
            "{body}"
        );
    }
    for (operation, why) in [
        (
            json!({"op": "remove", "path": "schemas"}),
            "cannot be removed",
        ),
        (
            json!({"op": "replace", "path": "schemas", "value": [ENTERPRISE]}),
            "must stay",
        ),
        (
            json!({"op": "add", "path": "schemas", "value": ["urn:example:unknown"]}),
            "is not a schema of User",
        ),
        (
            json!({"op": "add", "path": "schemas", "value": 7}),
            "expected a URI string",
        ),
    ] {
        let exchange = acme
            .patch(&format!("/Users/{user_id}"), patch_op(json!([operation])))
            .await
            .expect_error(400, Some("invalidValue"));
        let detail = exchange.detail();
        assert!(detail.contains(why), "{operation}: {detail}");
    }
    // `schemas` has no sub-attributes to filter on or select: strict mode refuses such a
    // path (leniently, an unknown sub-attribute is ignored, as for any attribute).
    let strict = Client::<H>::strict_fixture();
    let strict_id = id(&create_user(&strict, "bjensen").await);
    for path in [r#"schemas[value eq "x"]"#, "schemas.value"] {
        strict
            .patch(
                &format!("/Users/{strict_id}"),
                patch_op(json!([{"op": "add", "path": path, "value": [ENTERPRISE]}])),
            )
            .await
            .expect_error(400, None);
    }
}

/// `remove` of a required attribute (`userName`, a Group's `displayName`) is
/// `400 mutability` (RFC 7644 §3.5.2.2), lenient or strict, and changes nothing.
pub async fn remove_required_is_mutability<H: Harness>() {
    for acme in [Client::<H>::fixture(), Client::<H>::strict_fixture()] {
        let user_id = id(&create_user(&acme, "bjensen").await);
        for path in ["userName", format!("{USER}:userName").as_str()] {
            acme.patch(
                &format!("/Users/{user_id}"),
                patch_op(json!([{"op": "remove", "path": path}])),
            )
            .await
            .expect_error(400, Some("mutability"));
        }
        let group = acme
            .post(
                "/Groups",
                json!({"schemas": [super::GROUP], "displayName": "Ops"}),
            )
            .await
            .expect_status(201)
            .json();
        acme.patch(
            &format!("/Groups/{}", id(&group)),
            patch_op(json!([{"op": "remove", "path": "displayName"}])),
        )
        .await
        .expect_error(400, Some("mutability"));
        let fetched = acme
            .get(&format!("/Users/{user_id}"))
            .await
            .expect_status(200)
            .json();
        assert_eq!(fetched["userName"], "bjensen");
    }
}

/// A PATCH whose `schemas` names another message (or anything but the PatchOp URN) is
/// `400 invalidSyntax` in either mode; one without `schemas` is accepted only leniently.
pub async fn schemas_of_another_message<H: Harness>() {
    let operations = json!([{"op": "replace", "path": "displayName", "value": "Babs"}]);
    for (acme, strict) in [
        (Client::<H>::fixture(), false),
        (Client::<H>::strict_fixture(), true),
    ] {
        let path = format!("/Users/{}", id(&create_user(&acme, "bjensen").await));
        for schemas in [
            json!(["urn:ietf:params:scim:api:messages:2.0:BulkRequest"]),
            json!([USER]),
        ] {
            acme.patch(&path, json!({"schemas": schemas, "Operations": operations}))
                .await
                .expect_error(400, Some("invalidSyntax"));
        }
        let missing = acme.patch(&path, json!({"Operations": operations})).await;
        if strict {
            missing.expect_error(400, Some("invalidSyntax"));
        } else {
            assert_eq!(missing.expect_status(200).json()["displayName"], "Babs");
        }
    }
}

/// A PATCH with a stale `If-Match` is `412`; with the current one it answers `200`, the
/// resource projected by `attributes`, and a new ETag equal to `meta.version`
/// (RFC 7644 §3.5.2, §3.14).
pub async fn if_match_and_projection<H: Harness>() {
    let acme = Client::<H>::fixture();
    let created = create_user(&acme, "bjensen").await;
    let user_id = id(&created);
    let version = created["meta"]["version"].as_str().unwrap_or_default();
    let body = patch_op(json!([{"op": "replace", "path": "active", "value": false}]));
    acme.request(Method::PATCH, &format!("/Users/{user_id}"))
        .json(&body)
        .header("if-match", "W/\"old\"")
        .send()
        .await
        .expect_error(412, None);
    let exchange = acme
        .request(
            Method::PATCH,
            &format!("/Users/{user_id}?attributes=active"),
        )
        .json(&body)
        .header("if-match", version)
        .send()
        .await
        .expect_status(200);
    let patched = exchange.json();
    assert_eq!(patched["active"], false, "{patched}");
    assert!(patched.get("emails").is_none(), "{patched}");
    let etag = exchange.header("etag").unwrap_or_default();
    assert_ne!(etag, version);
    assert_eq!(patched["meta"]["version"], etag, "{patched}");
}

/// With `PatchResponse::NoContent`, a successful PATCH answers `204` with the new ETag
/// and no body (RFC 7644 §3.5.2 allows either); the change is made.
pub async fn no_content_by_configuration<H: Harness>() {
    let server = fixture_server_for::<H>(|b| {
        b.config(scim_core::ServerConfig::default().patch_response(PatchResponse::NoContent))
    });
    let acme = Client::new(H::mount(server));
    let user_id = id(&create_user(&acme, "bjensen").await);
    let group_id = id(&super::create_group(&acme, "Admins", &[]).await);
    let exchange = acme
        .patch(
            &format!("/Groups/{group_id}"),
            patch_op(json!([{"op": "Add", "path": "members", "value": [{"$ref": null, "value": user_id}]}])),
        )
        .await
        .expect_status(204);
    assert!(exchange.body.is_empty());
    exchange.expect_scim_content_type();
    assert!(
        exchange.header("etag").is_some_and(|e| e.starts_with("W/")),
        "{:?}",
        exchange.headers
    );
    let group = acme
        .get(&format!("/Groups/{group_id}"))
        .await
        .expect_status(200)
        .json();
    assert_eq!(super::member_ids(&group), std::slice::from_ref(&user_id));
    // A member added with `"$ref": null` reads back with its absolute reference.
    let base = format!("http://localhost{}", acme.base());
    assert_eq!(
        group["members"][0]["$ref"],
        format!("{base}/Users/{user_id}"),
        "{group}"
    );
}
