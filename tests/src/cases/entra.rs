//! Microsoft Entra ID's provisioning flow, as full HTTP exchanges in the shapes it sends
//! (see docs/clients.md): connection test, create, match, update, deactivate, group push,
//! member add and remove, delete.

use serde_json::{Value, json};

use super::{ENTERPRISE, GROUP, USER, form, id, member_ids, patch_op};
use crate::client::Client;
use crate::harness::Harness;

const ADSCIM_GROUP: &str =
    "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group";

fn entra_user(user_name: &str, external_id: &str) -> Value {
    json!({
        "schemas": [USER, ENTERPRISE],
        "externalId": external_id,
        "userName": user_name,
        "active": true,
        "displayName": "Barbara Jensen",
        "emails": [{"primary": true, "type": "work", "value": user_name}],
        "meta": {"resourceType": "User"},
        "name": {"formatted": "Barbara Jensen", "familyName": "Jensen", "givenName": "Barbara"},
        "roles": [],
        ENTERPRISE: {"employeeNumber": "701984", "department": "Sales"}
    })
}

/// The connection test: a filter on a random userName answers `200` with an empty list.
pub async fn connection_test<H: Harness>() {
    let acme = Client::<H>::fixture();
    let exchange = acme
        .get("/Users?filter=userName+eq+%2234d5e7a1-46e4-4a3b-8f2d-3b0c1a2b9e77%22")
        .await
        .expect_status(200);
    assert_eq!(exchange.total(), 0);
    assert!(exchange.resources().is_empty());
    let body = exchange.json();
    assert_eq!(
        (&body["startIndex"], &body["itemsPerPage"]),
        (&json!(1), &json!(0))
    );
    exchange.expect_scim_content_type();
}

/// Create with both URNs, a read-only `meta`, `roles: []`, then match by `externalId` and
/// by `userName`.
pub async fn create_and_match<H: Harness>() {
    let acme = Client::<H>::fixture();
    let created = acme
        .post("/Users", entra_user("bjensen@contoso.com", "bjensen"))
        .await
        .expect_status(201)
        .json();
    assert_eq!(created[ENTERPRISE]["employeeNumber"], "701984", "{created}");
    for query in [
        format!("/Users?filter={}", form("externalId eq \"bjensen\"")),
        format!(
            "/Users?filter={}",
            form("userName eq \"bjensen@contoso.com\"")
        ),
    ] {
        let found = acme.get(&query).await.expect_status(200);
        assert_eq!(found.total(), 1, "{query}");
        assert_eq!(found.resources()[0]["id"], created["id"]);
    }
}

/// Attribute names in other casing and `"True"` as a boolean are accepted on create.
pub async fn create_with_odd_casing<H: Harness>() {
    let acme = Client::<H>::fixture();
    let created = acme
        .post(
            "/Users",
            json!({"schemas": [USER], "UserName": "odd@contoso.com", "Active": "True", "DisplayName": "Odd"}),
        )
        .await
        .expect_status(201)
        .json();
    assert_eq!(created["userName"], "odd@contoso.com", "{created}");
    assert_eq!(created["active"], true, "{created}");
    assert_eq!(created["displayName"], "Odd", "{created}");
}

/// An update PATCH with capitalised ops, several operations and string booleans.
pub async fn update<H: Harness>() {
    let acme = Client::<H>::fixture();
    let user_id = id(&acme
        .post("/Users", entra_user("bjensen@contoso.com", "bjensen"))
        .await
        .expect_status(201)
        .json());
    let exchange = acme
        .patch(
            &format!("/Users/{user_id}"),
            patch_op(json!([
                {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "babs@contoso.com"},
                {"op": "Replace", "path": "name.familyName", "value": "Jensen-Smith"},
                {"op": "Replace", "path": "userName", "value": "babs@contoso.com"},
                {"op": "Add", "path": format!("{ENTERPRISE}:employeeNumber"), "value": "800000"},
                {"op": "Add", "path": "addresses[type eq \"work\"].formatted", "value": "1 Main St"}
            ])),
        )
        .await;
    assert!(matches!(exchange.status, 200 | 204), "{}", exchange.status);
    let user = acme
        .get(&format!("/Users/{user_id}"))
        .await
        .expect_status(200)
        .json();
    assert_eq!(user["userName"], "babs@contoso.com", "{user}");
    assert_eq!(user["emails"][0]["value"], "babs@contoso.com", "{user}");
    assert_eq!(user["name"]["familyName"], "Jensen-Smith", "{user}");
    assert_eq!(user[ENTERPRISE]["employeeNumber"], "800000", "{user}");
    assert_eq!(user["addresses"][0]["formatted"], "1 Main St", "{user}");
}

/// Soft delete: `active` set to `"False"`; the user is still returned by GET and filter.
pub async fn deactivate<H: Harness>() {
    let acme = Client::<H>::fixture();
    let user_id = id(&acme
        .post("/Users", entra_user("leaver@contoso.com", "leaver"))
        .await
        .expect_status(201)
        .json());
    acme.patch(
        &format!("/Users/{user_id}"),
        patch_op(json!([{"op": "Replace", "path": "active", "value": "False"}])),
    )
    .await;
    let user = acme
        .get(&format!("/Users/{user_id}"))
        .await
        .expect_status(200)
        .json();
    assert_eq!(user["active"], false);
    let found = acme
        .get(&format!(
            "/Users?filter={}",
            form("userName eq \"leaver@contoso.com\"")
        ))
        .await;
    assert_eq!(found.expect_status(200).total(), 1);
}

/// Group push: create with the ADSCIM URN and no members, match by `displayName` without
/// members, add a member with `$ref: null`, remove it with a value list (no filter).
pub async fn group_push<H: Harness>() {
    let acme = Client::<H>::fixture();
    let user_id = id(&acme
        .post("/Users", entra_user("m@contoso.com", "m"))
        .await
        .expect_status(201)
        .json());
    let group = acme
        .post(
            "/Groups",
            json!({"schemas": [GROUP, ADSCIM_GROUP], "externalId": "g-1", "displayName": "Sales", "meta": {"resourceType": "Group"}}),
        )
        .await
        .expect_status(201)
        .json();
    let group_id = id(&group);
    let matched = acme
        .get(&format!(
            "/Groups?excludedAttributes=members&filter={}",
            form("displayName eq \"Sales\"")
        ))
        .await
        .expect_status(200)
        .resources();
    assert_eq!(matched.len(), 1);
    assert!(matched[0].get("members").is_none());

    let add = acme
        .patch(
            &format!("/Groups/{group_id}"),
            patch_op(json!([{"op": "Add", "path": "members", "value": [{"$ref": null, "value": user_id}]}])),
        )
        .await;
    assert!(matches!(add.status, 200 | 204), "{}", add.status);
    let fetched = acme
        .get(&format!("/Groups/{group_id}"))
        .await
        .expect_status(200)
        .json();
    assert_eq!(member_ids(&fetched), std::slice::from_ref(&user_id));

    let remove = acme
        .patch(
            &format!("/Groups/{group_id}"),
            patch_op(json!([{"op": "Remove", "path": "members", "value": [{"$ref": null, "value": user_id}]}])),
        )
        .await;
    assert!(matches!(remove.status, 200 | 204), "{}", remove.status);
    let fetched = acme
        .get(&format!("/Groups/{group_id}"))
        .await
        .expect_status(200)
        .json();
    assert!(member_ids(&fetched).is_empty(), "{fetched}");
}

/// The manager is set as a bare id and removed with `manager[value eq "…"]`... or by
/// path; then the user and the group are hard-deleted with `204`.
pub async fn manager_and_delete<H: Harness>() {
    let acme = Client::<H>::fixture();
    let boss = id(&acme
        .post("/Users", entra_user("boss@contoso.com", "boss"))
        .await
        .expect_status(201)
        .json());
    let user_id = id(&acme
        .post("/Users", entra_user("emp@contoso.com", "emp"))
        .await
        .expect_status(201)
        .json());
    let path = format!("/Users/{user_id}");
    acme.patch(
        &path,
        patch_op(json!([{"op": "Add", "path": format!("{ENTERPRISE}:manager"), "value": boss}])),
    )
    .await;
    let user = acme.get(&path).await.expect_status(200).json();
    assert_eq!(
        user[ENTERPRISE]["manager"]["value"],
        boss.as_str(),
        "{user}"
    );
    acme.patch(
        &path,
        patch_op(json!([{"op": "Remove", "path": format!("{ENTERPRISE}:manager")}])),
    )
    .await;
    let user = acme.get(&path).await.expect_status(200).json();
    assert!(user[ENTERPRISE].get("manager").is_none(), "{user}");
    acme.delete(&path).await.expect_status(204);
    acme.get(&path).await.expect_error(404, None);
}

/// Unknown attributes in a PUT are ignored, not rejected (Entra ID sends some).
pub async fn put_ignores_unknown_attributes<H: Harness>() {
    let acme = Client::<H>::fixture();
    let user_id = id(&acme
        .post("/Users", entra_user("u@contoso.com", "u"))
        .await
        .expect_status(201)
        .json());
    let mut body = entra_user("u@contoso.com", "u");
    body["someUnknownAttribute"] = json!("x");
    acme.put(&format!("/Users/{user_id}"), body)
        .await
        .expect_status(200);
}

/// A duplicate create is `409` with a detail.
pub async fn duplicate_is_conflict<H: Harness>() {
    let acme = Client::<H>::fixture();
    acme.post("/Users", entra_user("dup@contoso.com", "d1"))
        .await
        .expect_status(201);
    acme.post("/Users", entra_user("dup@contoso.com", "d2"))
        .await
        .expect_error(409, Some("uniqueness"));
}
