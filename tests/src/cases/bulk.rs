//! `/Bulk` (RFC 7644 §3.7).

use serde_json::{Value, json};

use super::{GROUP, PATCH_OP, USER, member_ids};
use crate::client::Client;
use crate::harness::{Harness, fixture_server_for};

const BULK_REQUEST: &str = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
const BULK_RESPONSE: &str = "urn:ietf:params:scim:api:messages:2.0:BulkResponse";

/// Bulk creates a user and a group that references it by `bulkId`, and answers each
/// operation's status and location.
pub async fn create_with_bulk_id<H: Harness>() {
    let acme = Client::<H>::fixture();
    let (body, operations) = bulk(
        &acme,
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
    .await;
    assert_eq!(body["schemas"], json!([BULK_RESPONSE]), "{body}");
    assert_eq!(
        outcomes(&operations),
        [("u1", "201"), ("g1", "201")],
        "{body}"
    );
    assert_eq!(
        member_ids(&group_at(&acme, &operations[1]).await),
        [location_id(&operations[0])]
    );
}

/// The id at the end of an operation's `location`.
fn location_id(operation: &Value) -> String {
    operation["location"]
        .as_str()
        .and_then(|l| l.rsplit('/').next())
        .unwrap_or_default()
        .to_owned()
}

/// Sends a BulkRequest and answers the `200` BulkResponse and its operation results.
async fn bulk<H: Harness>(client: &Client<H>, request: Value) -> (Value, Vec<Value>) {
    let body = client
        .post("/Bulk", request)
        .await
        .expect_status(200)
        .json();
    let operations = body["Operations"].as_array().cloned().unwrap_or_default();
    (body, operations)
}

/// The group an operation result's `location` names.
async fn group_at<H: Harness>(client: &Client<H>, operation: &Value) -> Value {
    client
        .get(&format!("/Groups/{}", location_id(operation)))
        .await
        .expect_status(200)
        .json()
}

/// Each result's `bulkId` and `status` (`-` where absent), in the response's order.
fn outcomes(operations: &[Value]) -> Vec<(&str, &str)> {
    operations
        .iter()
        .map(|op| {
            (
                op["bulkId"].as_str().unwrap_or("-"),
                op["status"].as_str().unwrap_or("-"),
            )
        })
        .collect()
}

/// Operations run in the order their `bulkId` references need, whatever their order in
/// the request: a group naming `bulkId:u` as a member waits for the user, and a `PUT` to
/// `/Users/bulkId:u` finds it; each result carries its `bulkId`, `status`, `location`
/// and `version`, and a failed one its error `response` (RFC 7644 §3.7.2, §3.7.3).
pub async fn dependency_order<H: Harness>() {
    let acme = Client::<H>::fixture();
    let (body, operations) = bulk(
        &acme,
        json!({"schemas": [BULK_REQUEST], "Operations": [
            {"method": "POST", "path": "/Groups", "bulkId": "g",
             "data": {"schemas": [GROUP], "displayName": "Tour Guides",
                      "members": [{"type": "User", "value": "bulkId:u"}]}},
            {"method": "POST", "path": "/Users", "bulkId": "u",
             "data": {"schemas": [USER], "userName": "alice"}},
            {"method": "PUT", "path": "/Users/bulkId:u",
             "data": {"schemas": [USER], "userName": "alice2"}},
            {"method": "DELETE", "path": "/Users/missing"}
        ]}),
    )
    .await;
    let summary = outcomes(&operations);
    assert_eq!(
        summary,
        [("u", "201"), ("g", "201"), ("-", "200"), ("-", "404")],
        "{body}"
    );
    assert_eq!(operations[3]["response"]["status"], "404", "{body}");
    assert!(
        operations[0]["version"]
            .as_str()
            .is_some_and(|v| v.starts_with("W/")),
        "{body}"
    );
    let user_id = location_id(&operations[0]);
    let group = group_at(&acme, &operations[1]).await;
    assert_eq!(member_ids(&group), std::slice::from_ref(&user_id));
    let user = acme
        .get(&format!("/Users/{user_id}"))
        .await
        .expect_status(200)
        .json();
    assert_eq!(user["userName"], "alice2");
}

/// Operations whose `bulkId` references form a cycle fail with `409`; the others run
/// (RFC 7644 §3.7.1).
pub async fn circular_references<H: Harness>() {
    let acme = Client::<H>::fixture();
    let (body, operations) = bulk(
        &acme,
        json!({"schemas": [BULK_REQUEST], "Operations": [
            {"method": "POST", "path": "/Groups", "bulkId": "a",
             "data": {"schemas": [GROUP], "displayName": "A",
                      "members": [{"type": "Group", "value": "bulkId:b"}]}},
            {"method": "POST", "path": "/Groups", "bulkId": "b",
             "data": {"schemas": [GROUP], "displayName": "B",
                      "members": [{"type": "Group", "value": "bulkId:a"}]}},
            {"method": "POST", "path": "/Users", "bulkId": "c",
             "data": {"schemas": [USER], "userName": "c"}}
        ]}),
    )
    .await;
    let statuses = outcomes(&operations);
    assert_eq!(statuses[0], ("c", "201"), "{body}");
    assert_eq!(operations.len(), 3, "{body}");
    for operation in &operations[1..] {
        let detail = operation["response"]["detail"].as_str().unwrap_or_default();
        assert!(detail.contains("circular"), "the error says why: {body}");
    }
    assert_eq!(
        statuses
            .iter()
            .filter(|(_, status)| *status == "409")
            .count(),
        2,
        "{body}"
    );
    assert_eq!(acme.get("/Groups").await.expect_status(200).total(), 0);
}

/// A `PATCH` whose path is `/Groups/bulkId:g` and whose value names `bulkId:u` runs once
/// both exist.
pub async fn patch_with_bulk_id<H: Harness>() {
    let acme = Client::<H>::fixture();
    let (body, operations) = bulk(
        &acme,
        json!({"schemas": [BULK_REQUEST], "Operations": [
            {"method": "POST", "path": "/Users", "bulkId": "u",
             "data": {"schemas": [USER], "userName": "u"}},
            {"method": "POST", "path": "/Groups", "bulkId": "g",
             "data": {"schemas": [GROUP], "displayName": "G"}},
            {"method": "PATCH", "path": "/Groups/bulkId:g", "data": {"schemas": [PATCH_OP],
                "Operations": [{"op": "add", "path": "members", "value": [{"value": "bulkId:u"}]}]}}
        ]}),
    )
    .await;
    assert_eq!(operations[2]["status"], "200", "{body}");
    let group = group_at(&acme, &operations[1]).await;
    assert_eq!(member_ids(&group), [location_id(&operations[0])]);
}

/// A `POST` without a `bulkId` fails on its own with `400` (RFC 7644 §3.7.2: "REQUIRED
/// when method is POST").
pub async fn post_needs_bulk_id<H: Harness>() {
    let acme = Client::<H>::fixture();
    let (body, operations) = bulk(
        &acme,
        json!({"schemas": [BULK_REQUEST], "Operations": [
            {"method": "POST", "path": "/Users", "data": {"schemas": [USER], "userName": "a"}}
        ]}),
    )
    .await;
    assert_eq!(outcomes(&operations), [("-", "400")], "{body}");
    assert_eq!(acme.get("/Users").await.expect_status(200).total(), 0);
}

/// A failing operation reports its error in the response; `failOnErrors` stops there.
pub async fn fail_on_errors<H: Harness>() {
    let acme = Client::<H>::fixture();
    let (body, operations) = bulk(
        &acme,
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
    .await;
    assert_eq!(operations.len(), 1, "{body}");
    assert_eq!(operations[0]["status"], "404", "{body}");
    assert_eq!(acme.get("/Users").await.expect_status(200).total(), 0);

    // A uniqueness failure is reported with its scimType, and stops the rest as well.
    let (body, operations) = bulk(
        &acme,
        json!({
            "schemas": [BULK_REQUEST],
            "failOnErrors": 1,
            "Operations": [
                {"method": "POST", "path": "/Users", "bulkId": "1",
                 "data": {"schemas": [USER], "userName": "dup"}},
                {"method": "POST", "path": "/Users", "bulkId": "2",
                 "data": {"schemas": [USER], "userName": "dup"}},
                {"method": "POST", "path": "/Users", "bulkId": "3",
                 "data": {"schemas": [USER], "userName": "other"}}
            ]
        }),
    )
    .await;
    assert_eq!(operations.len(), 2, "{body}");
    assert_eq!(operations[1]["status"], "409", "{body}");
    assert_eq!(
        operations[1]["response"]["scimType"], "uniqueness",
        "{body}"
    );
    assert_eq!(acme.get("/Users").await.expect_status(200).total(), 1);
}

/// More operations than `maxOperations` is `413` (RFC 7644 §3.7.4); exactly as many run.
pub async fn too_many_operations<H: Harness>() {
    let server = fixture_server_for::<H>(|b| {
        let mut config = scim_core::ServerConfig::default();
        config.bulk_max_operations = 2;
        b.config(config)
    });
    let acme = Client::new(H::mount(server));
    let operations = |n: usize| -> Vec<Value> {
        (0..n)
            .map(|n| {
                json!({"method": "POST", "path": "/Users", "bulkId": format!("u{n}"),
                        "data": {"schemas": [USER], "userName": format!("u{n}")}})
            })
            .collect()
    };
    let exchange = acme
        .post(
            "/Bulk",
            json!({"schemas": [BULK_REQUEST], "Operations": operations(3)}),
        )
        .await
        .expect_error(413, None);
    let detail = exchange.detail();
    assert!(detail.contains("maxOperations is 2"), "{detail}");
    assert!(
        !detail.contains("rate limit"),
        "the configured figure needs no excuse: {detail}"
    );
    let (body, results) = bulk(
        &acme,
        json!({"schemas": [BULK_REQUEST], "Operations": operations(2)}),
    )
    .await;
    assert_eq!(outcomes(&results), [("u0", "201"), ("u1", "201")], "{body}");
}

/// An operation's `version` is its `If-Match` (RFC 7644 §3.7): a stale one is `412` and
/// changes nothing, the current one applies.
pub async fn versions_are_checked<H: Harness>() {
    let acme = Client::<H>::fixture();
    let created = acme
        .post(
            "/Users",
            json!({"schemas": [USER], "userName": "versioned"}),
        )
        .await
        .expect_status(201)
        .json();
    let id = created["id"].as_str().unwrap_or_default().to_owned();
    let current = created["meta"]["version"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let replace = |version: &str, name: &str| {
        json!({"method": "PUT", "path": format!("/Users/{id}"), "version": version,
               "data": {"schemas": [USER], "userName": name}})
    };
    let (body, results) = bulk(
        &acme,
        json!({"schemas": [BULK_REQUEST], "Operations": [
            replace("W/\"stale\"", "never"),
            {"method": "DELETE", "path": format!("/Users/{id}"), "version": "W/\"stale\""},
        ]}),
    )
    .await;
    assert_eq!(outcomes(&results), [("-", "412"), ("-", "412")], "{body}");
    let user = acme
        .get(&format!("/Users/{id}"))
        .await
        .expect_status(200)
        .json();
    assert_eq!(user["userName"], "versioned");
    let (body, results) = bulk(
        &acme,
        json!({"schemas": [BULK_REQUEST], "Operations": [replace(&current, "renamed")]}),
    )
    .await;
    assert_eq!(outcomes(&results), [("-", "200")], "{body}");
}

/// A `POST` to one resource's path (`/Users/{id}`) is `400` naming what a POST's path
/// must be.
pub async fn post_to_a_resource_path<H: Harness>() {
    let acme = Client::<H>::fixture();
    let (body, results) = bulk(
        &acme,
        json!({"schemas": [BULK_REQUEST], "Operations": [
            {"method": "POST", "path": "/Users/123", "bulkId": "u",
             "data": {"schemas": [USER], "userName": "u"}}
        ]}),
    )
    .await;
    assert_eq!(outcomes(&results), [("u", "400")], "{body}");
    let detail = results[0]["response"]["detail"]
        .as_str()
        .unwrap_or_default();
    assert!(detail.contains("resource type endpoint"), "{body}");
}

/// A Bulk request whose `schemas` names another message is `400 invalidSyntax` in either
/// mode, and runs none of its operations.
pub async fn schemas_of_another_message<H: Harness>() {
    for acme in [Client::<H>::fixture(), Client::<H>::strict_fixture()] {
        for schemas in [
            json!(["urn:ietf:params:scim:api:messages:2.0:PatchOp"]),
            json!(["urn:example:not-a-message"]),
        ] {
            acme.post(
                "/Bulk",
                json!({"schemas": schemas, "Operations": [
                    {"method": "POST", "path": "/Users", "bulkId": "u",
                     "data": {"schemas": [USER], "userName": "never-created"}}
                ]}),
            )
            .await
            .expect_error(400, Some("invalidSyntax"));
        }
        let found = acme
            .get(&format!(
                "/Users{}",
                super::filter(r#"userName eq "never-created""#)
            ))
            .await
            .expect_status(200);
        assert_eq!(found.total(), 0);
    }
}

/// A Bulk request over `maxPayloadSize` is `413` (RFC 7644 §3.7.4), however few its
/// operations.
pub async fn payload_too_large<H: Harness>() {
    let server = fixture_server_for::<H>(|b| {
        b.config(scim_core::ServerConfig::default().bulk_max_payload_bytes(400))
    });
    let acme = Client::new(H::mount(server));
    acme.post(
        "/Bulk",
        json!({"schemas": [BULK_REQUEST], "Operations": [
            {"method": "POST", "path": "/Users", "bulkId": "a",
             "data": {"schemas": [USER], "userName": "x".repeat(500)}}
        ]}),
    )
    .await
    .expect_error(413, None);
    assert_eq!(acme.get("/Users").await.expect_status(200).total(), 0);
}
