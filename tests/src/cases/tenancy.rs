//! Every tenant is a wall: no request reads or writes another tenant's data.

use super::{create_user, filter, id, user};
use crate::client::Client;
use crate::harness::{ACME_TOKEN, GLOBEX_TOKEN, Harness};

/// A user of `acme` is invisible to `globex`: by id, in a list and through a filter.
pub async fn resources_are_invisible_across_tenants<H: Harness>() {
    let acme = Client::<H>::fixture();
    let globex = acme.as_tenant("globex", Some(GLOBEX_TOKEN));
    let user_id = id(&create_user(&acme, "bjensen").await);
    globex
        .get(&format!("/Users/{user_id}"))
        .await
        .expect_error(404, None);
    assert_eq!(globex.get("/Users").await.expect_status(200).total(), 0);
    assert_eq!(
        globex
            .get(&format!("/Users{}", filter("userName eq \"bjensen\"")))
            .await
            .expect_status(200)
            .total(),
        0
    );
    globex
        .delete(&format!("/Users/{user_id}"))
        .await
        .expect_error(404, None);
    acme.get(&format!("/Users/{user_id}"))
        .await
        .expect_status(200);
}

/// The same `userName` may exist in two tenants.
pub async fn uniqueness_is_per_tenant<H: Harness>() {
    let acme = Client::<H>::fixture();
    let globex = acme.as_tenant("globex", Some(GLOBEX_TOKEN));
    create_user(&acme, "bjensen").await;
    create_user(&globex, "bjensen").await;
}

/// A key of `acme` on `globex`'s URL is answered exactly like an unknown key (`401`,
/// same body and headers): the answer must never confirm that a key is valid somewhere.
pub async fn key_of_another_tenant<H: Harness>() {
    let acme = Client::<H>::fixture();
    let intruder = acme.as_tenant("globex", Some(ACME_TOKEN));
    let stranger = acme.as_tenant("globex", Some("scim_not-a-key-of-anybody"));
    let misplaced = intruder.get("/Users").await.expect_error(401, None);
    let unknown = stranger.get("/Users").await.expect_error(401, None);
    assert_eq!(misplaced.json(), unknown.json());
    assert_eq!(
        misplaced.headers.get("www-authenticate"),
        unknown.headers.get("www-authenticate")
    );
    intruder
        .post("/Users", user("mallory"))
        .await
        .expect_error(401, None);
    let globex = acme.as_tenant("globex", Some(GLOBEX_TOKEN));
    assert_eq!(globex.get("/Users").await.expect_status(200).total(), 0);
}

/// A group of `acme` cannot take a member from `globex`.
pub async fn members_stay_in_their_tenant<H: Harness>() {
    let acme = Client::<H>::fixture();
    let globex = acme.as_tenant("globex", Some(GLOBEX_TOKEN));
    let outsider = id(&create_user(&globex, "outsider").await);
    let exchange = acme
        .post(
            "/Groups",
            serde_json::json!({
                "schemas": [super::GROUP],
                "displayName": "Team",
                "members": [{"value": outsider}]
            }),
        )
        .await;
    if exchange.status == 201 {
        // A store may drop unknown members instead of rejecting them; either way the
        // outsider must not become a member.
        let group = acme
            .get(&format!("/Groups/{}", id(&exchange.json())))
            .await
            .expect_status(200)
            .json();
        assert!(super::member_ids(&group).is_empty(), "{group}");
    } else {
        exchange.expect_error(400, None);
    }
}

/// A segment that is not a tenant id (too long, a character outside the syntax) is `404`
/// before authentication: with a valid key, with a wrong one and with none, so no
/// per-tenant state exists for it and the answer says nothing about keys.
pub async fn a_segment_that_is_no_tenant_id_is_not_found<H: Harness>() {
    let acme = Client::<H>::fixture();
    let long = "a".repeat(65);
    for tenant in [long.as_str(), "a%20b", "-acme", "ac%2Fme", "%C3%A4"] {
        for token in [Some(ACME_TOKEN), Some("wrong"), None] {
            acme.as_tenant(tenant, token)
                .get("/Users")
                .await
                .expect_error(404, None);
        }
    }
    // The longest id is still one.
    let longest = "a".repeat(64);
    acme.as_tenant(&longest, Some(ACME_TOKEN))
        .get("/Users")
        .await
        .expect_error(401, None);
}
