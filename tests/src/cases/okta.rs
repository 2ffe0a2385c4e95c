//! Okta's provisioning flow, as full HTTP exchanges in the shapes it sends (see
//! docs/clients.md): existence check, create, import paging, full-PUT update and deactivation,
//! PATCH deactivation, group push with rename, member add/remove/replace, delete.

use serde_json::{Value, json};

use super::{GROUP, USER, form, id, member_ids, patch_op};
use crate::client::Client;
use crate::harness::Harness;

fn okta_user(user_name: &str) -> Value {
    json!({
        "schemas": [USER],
        "userName": user_name,
        "name": {"givenName": "Isaac", "familyName": "Brock"},
        "emails": [{"primary": true, "value": user_name.to_lowercase(), "type": "work"}],
        "displayName": "Isaac Brock",
        "locale": "en-US",
        "externalId": "00ujl29u0le5T6Aj10h7",
        "password": "1mz050nq",
        "active": true,
        "groups": []
    })
}

fn existence_check(user_name: &str) -> String {
    format!(
        "/Users?filter={}&startIndex=1&count=100",
        form(&format!("userName eq \"{user_name}\""))
    )
}

/// The existence check finds nothing, then create answers `201` with a body (no password),
/// then the check finds the user even in other case, echoing the stored case.
pub async fn check_create_and_find<H: Harness>() {
    let acme = Client::<H>::fixture();
    let before = acme
        .get(&existence_check("isaac.brock@example.com"))
        .await
        .expect_status(200);
    assert_eq!(before.total(), 0);
    let body = before.json();
    assert!(
        body["startIndex"].is_u64() && body["itemsPerPage"].is_u64(),
        "{body}"
    );

    let created = acme
        .request(http::Method::POST, "/Users")
        .body(
            okta_user("isaac.brock@example.com").to_string(),
            "application/json",
        )
        .send()
        .await
        .expect_status(201);
    assert!(!created.body.is_empty());
    let created = created.json();
    assert!(created.get("password").is_none(), "{created}");

    let after = acme
        .get(&existence_check("ISAAC.BROCK@EXAMPLE.COM"))
        .await
        .expect_status(200);
    assert_eq!(after.total(), 1);
    assert_eq!(after.resources()[0]["userName"], "isaac.brock@example.com");
}

/// Import pages with `startIndex` and `count=100` until `totalResults`, seeing each user once.
pub async fn import_pages<H: Harness>() {
    let acme = Client::<H>::fixture();
    for n in 0..230 {
        acme.post(
            "/Users",
            json!({"schemas": [USER], "userName": format!("user{n:03}")}),
        )
        .await
        .expect_status(201);
    }
    let mut seen = std::collections::BTreeSet::new();
    let mut start = 1;
    loop {
        let page = acme
            .get(&format!("/Users?startIndex={start}&count=100"))
            .await
            .expect_status(200);
        assert_eq!(page.total(), 230);
        let resources = page.resources();
        if resources.is_empty() {
            break;
        }
        for resource in &resources {
            assert!(seen.insert(id(resource)), "seen twice: {resource}");
        }
        start += resources.len();
    }
    assert_eq!(seen.len(), 230);
}

/// Updates as a full `PUT` after a `GET`, echoing `id`, `meta` and `groups: []`, also
/// for deactivation.
pub async fn full_put_update_and_deactivate<H: Harness>() {
    let acme = Client::<H>::fixture();
    let user_id = id(&acme
        .post("/Users", okta_user("ib@example.com"))
        .await
        .expect_status(201)
        .json());
    let path = format!("/Users/{user_id}");
    let mut current = acme.get(&path).await.expect_status(200).json();
    current["name"]["familyName"] = json!("Brock-Smith");
    current["groups"] = json!([]);
    let updated = acme
        .put(&path, current.clone())
        .await
        .expect_status(200)
        .json();
    assert_eq!(updated["name"]["familyName"], "Brock-Smith");
    current["active"] = json!(false);
    let deactivated = acme.put(&path, current).await.expect_status(200).json();
    assert_eq!(deactivated["active"], false);
    assert_eq!(
        acme.get(&path).await.expect_status(200).json()["active"],
        false
    );
}

/// Newer integrations deactivate with a path-less PATCH `{"active": false}`.
pub async fn patch_deactivate<H: Harness>() {
    let acme = Client::<H>::fixture();
    let user_id = id(&acme
        .post("/Users", okta_user("ib@example.com"))
        .await
        .expect_status(201)
        .json());
    let body = acme
        .patch(
            &format!("/Users/{user_id}"),
            patch_op(json!([{"op": "replace", "value": {"active": false}}])),
        )
        .await
        .expect_status(200)
        .json();
    assert_eq!(body["active"], false);
}

/// Group push: create with `members: []`, rename with a path-less replace echoing `id`,
/// add and remove members, replace them all, empty with `[]`, delete with `204`.
pub async fn group_push<H: Harness>() {
    let acme = Client::<H>::fixture();
    let a = id(&acme
        .post("/Users", okta_user("a@example.com"))
        .await
        .expect_status(201)
        .json());
    let mut b_body = okta_user("b@example.com");
    b_body["externalId"] = json!("00ub");
    let b = id(&acme.post("/Users", b_body).await.expect_status(201).json());

    let group = acme
        .post(
            "/Groups",
            json!({"schemas": [GROUP], "displayName": "Test Group", "members": []}),
        )
        .await
        .expect_status(201)
        .json();
    let group_id = id(&group);
    let path = format!("/Groups/{group_id}");
    let send = |operations: Value| {
        let path = path.clone();
        let acme = &acme;
        async move {
            let exchange = acme.patch(&path, patch_op(operations)).await;
            assert!(
                matches!(exchange.status, 200 | 204),
                "{}: {}",
                exchange.status,
                String::from_utf8_lossy(&exchange.body)
            );
            acme.get(&path).await.expect_status(200).json()
        }
    };

    let renamed =
        send(json!([{"op": "replace", "value": {"id": group_id, "displayName": "Renamed"}}])).await;
    assert_eq!(renamed["displayName"], "Renamed");

    let with_a = send(json!([{"op": "add", "path": "members", "value": [{"value": a, "display": "a@example.com"}]}])).await;
    assert_eq!(member_ids(&with_a), std::slice::from_ref(&a));

    let without_a =
        send(json!([{"op": "remove", "path": format!("members[value eq \"{a}\"]")}])).await;
    assert!(member_ids(&without_a).is_empty(), "{without_a}");

    let both =
        send(json!([{"op": "replace", "path": "members", "value": [{"value": a}, {"value": b}]}]))
            .await;
    let mut expected = vec![a.clone(), b.clone()];
    expected.sort();
    assert_eq!(member_ids(&both), expected);

    let emptied = send(json!([{"op": "replace", "path": "members", "value": []}])).await;
    assert!(member_ids(&emptied).is_empty(), "{emptied}");

    acme.delete(&path).await.expect_status(204);
    acme.get(&path).await.expect_error(404, None);
}

/// A missing id is `404` with a SCIM error and a detail.
pub async fn missing_user<H: Harness>() {
    let acme = Client::<H>::fixture();
    acme.get("/Users/00u-not-there")
        .await
        .expect_error(404, None);
}
