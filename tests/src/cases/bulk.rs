//! `/Bulk` (RFC 7644 §3.7).

use serde_json::json;

use super::{GROUP, USER, member_ids};
use crate::client::Client;
use crate::harness::{Harness, fixture_server_with};

const BULK_REQUEST: &str = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
const BULK_RESPONSE: &str = "urn:ietf:params:scim:api:messages:2.0:BulkResponse";

/// Bulk creates a user and a group that references it by `bulkId`, and answers each
/// operation's status and location.
pub async fn create_with_bulk_id<H: Harness>() {
    let acme = Client::<H>::fixture();
    let body = acme
        .post(
            "/Bulk",
            json!({
                "schemas": [BULK_REQUEST],
                "Operations": [
                    {"method": "POST", "path": "/Users", "bulkId": "u1",
                     "data": {"schemas": [USER], "userName": "bulky"}},
                    {"method": "POST", "path": "/Groups", "bulkId": "g1",
                     "data": {"schemas": [GROUP], "displayName": "Bulkers",
                              "members": [{"value": "bulkId:u1"}]}}
                ]
            }),
        )
        .await
        .expect_status(200)
        .json();
    assert_eq!(body["schemas"], json!([BULK_RESPONSE]), "{body}");
    let operations = body["Operations"].as_array().cloned().unwrap_or_default();
    assert_eq!(operations.len(), 2, "{body}");
    assert!(operations.iter().all(|op| op["status"] == "201"), "{body}");
    let group_location = operations[1]["location"].as_str().unwrap_or_default();
    let group_id = group_location.rsplit('/').next().unwrap_or_default();
    let group = acme
        .get(&format!("/Groups/{group_id}"))
        .await
        .expect_status(200)
        .json();
    let user_id = operations[0]["location"]
        .as_str()
        .unwrap_or_default()
        .rsplit('/')
        .next()
        .unwrap_or_default();
    assert_eq!(member_ids(&group), [user_id]);
}

/// A failing operation reports its error in the response; `failOnErrors` stops there.
pub async fn fail_on_errors<H: Harness>() {
    let acme = Client::<H>::fixture();
    let body = acme
        .post(
            "/Bulk",
            json!({
                "schemas": [BULK_REQUEST],
                "failOnErrors": 1,
                "Operations": [
                    {"method": "DELETE", "path": "/Users/does-not-exist"},
                    {"method": "POST", "path": "/Users", "bulkId": "u1",
                     "data": {"schemas": [USER], "userName": "never"}}
                ]
            }),
        )
        .await
        .expect_status(200)
        .json();
    let operations = body["Operations"].as_array().cloned().unwrap_or_default();
    assert_eq!(operations.len(), 1, "{body}");
    assert_eq!(operations[0]["status"], "404", "{body}");
    assert_eq!(acme.get("/Users").await.expect_status(200).total(), 0);
}

/// More operations than `maxOperations` is `413` (RFC 7644 §3.7.4).
pub async fn too_many_operations<H: Harness>() {
    let server = fixture_server_with(|b| {
        let mut config = scim_core::ServerConfig::default();
        config.bulk_max_operations = 2;
        b.config(config)
    });
    let acme = Client::new(H::mount(server));
    let operations: Vec<_> = (0..3)
        .map(|n| {
            json!({"method": "POST", "path": "/Users", "bulkId": format!("u{n}"),
                        "data": {"schemas": [USER], "userName": format!("u{n}")}})
        })
        .collect();
    acme.post(
        "/Bulk",
        json!({"schemas": [BULK_REQUEST], "Operations": operations}),
    )
    .await
    .expect_error(413, None);
}
