//! The Group endpoint and membership (RFC 7643 §4.2, RFC 7644 §3.5.2).

use serde_json::{Value, json};

use super::{GROUP, create_group, create_user, id, member_ids, patch_op};
use crate::client::Client;
use crate::harness::Harness;

async fn group_after<H: Harness>(client: &Client<H>, group_id: &str, operations: Value) -> Value {
    let exchange = client
        .patch(&format!("/Groups/{group_id}"), patch_op(operations))
        .await;
    // 200 with the group or 204 are both allowed (RFC 7644 §3.5.2).
    assert!(
        matches!(exchange.status, 200 | 204),
        "{}: {}",
        exchange.request,
        exchange.status
    );
    client
        .get(&format!("/Groups/{group_id}"))
        .await
        .expect_status(200)
        .json()
}

/// `attributes` wins over `excludedAttributes` (RFC 7644 §3.9: the latter applies only
/// without the former): naming `members` or `groups` in both still returns them, on a
/// GET and in a PATCH's response, and the store loads them for it.
pub async fn attributes_win_over_excluded_attributes<H: Harness>() {
    let acme = Client::<H>::fixture();
    let a = id(&create_user(&acme, "a").await);
    let b = id(&create_user(&acme, "b").await);
    let group_id = id(&create_group(&acme, "Both", &[&a]).await);
    let both = "attributes=members&excludedAttributes=members";
    let fetched = acme
        .get(&format!("/Groups/{group_id}?{both}"))
        .await
        .expect_status(200)
        .json();
    assert_eq!(member_ids(&fetched), std::slice::from_ref(&a), "{fetched}");
    let patched = acme
        .patch(
            &format!("/Groups/{group_id}?{both}"),
            patch_op(json!([{"op": "add", "path": "members", "value": [{"value": b}]}])),
        )
        .await
        .expect_status(200)
        .json();
    let mut expected = vec![a.clone(), b];
    expected.sort();
    assert_eq!(member_ids(&patched), expected, "{patched}");
    let user = acme
        .get(&format!(
            "/Users/{a}?attributes=groups&excludedAttributes=groups"
        ))
        .await
        .expect_status(200)
        .json();
    assert_eq!(user["groups"][0]["value"], group_id.as_str(), "{user}");
}

/// A group is created with members and read back with them.
pub async fn create_with_members<H: Harness>() {
    let acme = Client::<H>::fixture();
    let a = id(&create_user(&acme, "a").await);
    let b = id(&create_user(&acme, "b").await);
    let group = create_group(&acme, "Engineering", &[&a, &b]).await;
    assert_eq!(group["meta"]["resourceType"], "Group");
    let fetched = acme
        .get(&format!("/Groups/{}", id(&group)))
        .await
        .expect_status(200)
        .json();
    let mut expected = vec![a, b];
    expected.sort();
    assert_eq!(member_ids(&fetched), expected);
}

/// `displayName` is unique per tenant: `409 uniqueness`.
pub async fn duplicate_display_name<H: Harness>() {
    let acme = Client::<H>::fixture();
    create_group(&acme, "Engineering", &[]).await;
    acme.post(
        "/Groups",
        json!({"schemas": [GROUP], "displayName": "Engineering"}),
    )
    .await
    .expect_error(409, Some("uniqueness"));
}

/// `User.groups` is derived from membership and read-only (RFC 7643 §4.1.2).
pub async fn user_groups_follow_membership<H: Harness>() {
    let acme = Client::<H>::fixture();
    let user_id = id(&create_user(&acme, "member").await);
    let group_id = id(&create_group(&acme, "Sales", &[&user_id]).await);
    let user = acme
        .get(&format!("/Users/{user_id}"))
        .await
        .expect_status(200)
        .json();
    assert_eq!(user["groups"][0]["value"], group_id.as_str(), "{user}");
    acme.delete(&format!("/Groups/{group_id}"))
        .await
        .expect_status(204);
    let user = acme
        .get(&format!("/Users/{user_id}"))
        .await
        .expect_status(200)
        .json();
    assert!(
        user["groups"].as_array().is_none_or(Vec::is_empty),
        "{user}"
    );
}

/// Deleting a user removes it from its groups.
pub async fn deleted_user_leaves_groups<H: Harness>() {
    let acme = Client::<H>::fixture();
    let keep = id(&create_user(&acme, "keep").await);
    let gone = id(&create_user(&acme, "gone").await);
    let group_id = id(&create_group(&acme, "Team", &[&keep, &gone]).await);
    acme.delete(&format!("/Users/{gone}"))
        .await
        .expect_status(204);
    let group = acme
        .get(&format!("/Groups/{group_id}"))
        .await
        .expect_status(200)
        .json();
    assert_eq!(member_ids(&group), [keep]);
}

/// PATCH `add` to `members` adds; `remove` with a value filter removes (RFC shapes).
pub async fn patch_members<H: Harness>() {
    let acme = Client::<H>::fixture();
    let a = id(&create_user(&acme, "a").await);
    let b = id(&create_user(&acme, "b").await);
    let group_id = id(&create_group(&acme, "Team", &[&a]).await);
    let group = group_after(
        &acme,
        &group_id,
        json!([{"op": "add", "path": "members", "value": [{"value": b}]}]),
    )
    .await;
    assert_eq!(member_ids(&group).len(), 2);
    let group = group_after(
        &acme,
        &group_id,
        json!([{"op": "remove", "path": format!("members[value eq \"{a}\"]")}]),
    )
    .await;
    assert_eq!(member_ids(&group), [b]);
}

/// `replace` of `members` sets the whole list; `[]` empties the group (Okta).
pub async fn replace_members<H: Harness>() {
    let acme = Client::<H>::fixture();
    let a = id(&create_user(&acme, "a").await);
    let b = id(&create_user(&acme, "b").await);
    let group_id = id(&create_group(&acme, "Team", &[&a]).await);
    let group = group_after(
        &acme,
        &group_id,
        json!([{"op": "replace", "path": "members", "value": [{"value": b}]}]),
    )
    .await;
    assert_eq!(member_ids(&group), [b]);
    let group = group_after(
        &acme,
        &group_id,
        json!([{"op": "replace", "path": "members", "value": []}]),
    )
    .await;
    assert!(member_ids(&group).is_empty(), "{group}");
}

/// `excludedAttributes=members` leaves members out of a list (Entra ID).
pub async fn list_without_members<H: Harness>() {
    let acme = Client::<H>::fixture();
    let a = id(&create_user(&acme, "a").await);
    create_group(&acme, "Team", &[&a]).await;
    let groups = acme
        .get("/Groups?excludedAttributes=members&filter=displayName+eq+%22Team%22")
        .await
        .expect_status(200)
        .resources();
    assert_eq!(groups.len(), 1);
    assert!(groups[0].get("members").is_none(), "{}", groups[0]);
    assert_eq!(groups[0]["displayName"], "Team");
}

/// `PUT` replaces a group's name and members.
pub async fn replace_group<H: Harness>() {
    let acme = Client::<H>::fixture();
    let a = id(&create_user(&acme, "a").await);
    let group_id = id(&create_group(&acme, "Old", &[]).await);
    let group = acme
        .put(
            &format!("/Groups/{group_id}"),
            json!({"schemas": [GROUP], "displayName": "New", "members": [{"value": a}]}),
        )
        .await
        .expect_status(200)
        .json();
    assert_eq!(group["displayName"], "New");
    assert_eq!(member_ids(&group), [a]);
}

/// A member's `$ref` and a user's `groups[].$ref` are absolute URLs under the mount
/// point (RFC 7643 §4.2, §4.1.2).
pub async fn references_are_absolute<H: Harness>() {
    let acme = Client::<H>::fixture();
    let user_id = id(&create_user(&acme, "bjensen").await);
    let group = create_group(&acme, "Admins", &[&user_id]).await;
    let group_id = id(&group);
    let base = format!("http://localhost{}", acme.base());
    assert_eq!(
        group["members"][0]["$ref"],
        format!("{base}/Users/{user_id}"),
        "{group}"
    );
    let user = acme
        .get(&format!("/Users/{user_id}"))
        .await
        .expect_status(200)
        .json();
    assert_eq!(user["groups"][0]["value"], group_id.as_str(), "{user}");
    assert_eq!(
        user["groups"][0]["$ref"],
        format!("{base}/Groups/{group_id}"),
        "{user}"
    );
}

/// `DELETE /Groups/{id}` answers `204`; the group is gone.
pub async fn delete_group<H: Harness>() {
    let acme = Client::<H>::fixture();
    let group_id = id(&create_group(&acme, "Doomed", &[]).await);
    acme.delete(&format!("/Groups/{group_id}"))
        .await
        .expect_status(204);
    acme.get(&format!("/Groups/{group_id}"))
        .await
        .expect_error(404, None);
}
