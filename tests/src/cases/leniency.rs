//! One case per leniency switch of `ValidationOptions`, `FilterOptions` and
//! `PatchOptions` (the README's leniency table): the shape a real client sends, accepted
//! by the default server, and what `ServerConfig::strict()` answers instead.

use serde_json::{Value, json};

use super::{
    ENTERPRISE, GROUP, USER, create_group, create_user, filter, id, member_ids, patch_op, user,
};
use crate::client::{Client, Exchange};
use crate::harness::Harness;

/// The default (lenient) server and a strict one, each with whether it is strict.
fn modes<H: Harness>() -> [(Client<H>, bool); 2] {
    [
        (Client::<H>::fixture(), false),
        (Client::<H>::strict_fixture(), true),
    ]
}

/// The default (lenient) server and a strict one, each with a user `bjensen`.
async fn servers<H: Harness>() -> [(Client<H>, String); 2] {
    let lenient = Client::<H>::fixture();
    let strict = Client::<H>::strict_fixture();
    let lenient_id = id(&create_user(&lenient, "bjensen").await);
    let strict_id = id(&create_user(&strict, "bjensen").await);
    [(lenient, lenient_id), (strict, strict_id)]
}

/// `POST /Users` with `body` on both servers: the lenient answer, and the strict one.
async fn create_both<H: Harness>(body: Value) -> (Exchange, Exchange) {
    let lenient = Client::<H>::fixture().post("/Users", body.clone()).await;
    let strict = Client::<H>::strict_fixture().post("/Users", body).await;
    (lenient, strict)
}

/// `GET /Users?filter=…` on both servers (each with `bjensen`, externalId `jyoung`).
async fn filter_both<H: Harness>(expression: &str) -> (Exchange, Exchange) {
    let [(lenient, lenient_id), (strict, strict_id)] = servers::<H>().await;
    for (client, user_id) in [(&lenient, &lenient_id), (&strict, &strict_id)] {
        client
            .patch(
                &format!("/Users/{user_id}"),
                patch_op(json!([{"op": "add", "path": "externalId", "value": "jyoung"}])),
            )
            .await
            .expect_status(200);
    }
    let query = format!("/Users{}", filter(expression));
    (lenient.get(&query).await, strict.get(&query).await)
}

/// A PATCH of `bjensen` on both servers.
async fn patch_both<H: Harness>(message: Value) -> (Exchange, Exchange) {
    let [(lenient, lenient_id), (strict, strict_id)] = servers::<H>().await;
    (
        lenient
            .patch(&format!("/Users/{lenient_id}"), message.clone())
            .await,
        strict.patch(&format!("/Users/{strict_id}"), message).await,
    )
}

// ---- ValidationOptions ----

/// `ignore_unknown_schemas`: Entra ID creates groups with its own
/// `…/ADSCIM/2.0/Group` URN in `schemas`; strict: `400 invalidSyntax`.
pub async fn ignore_unknown_schemas<H: Harness>() {
    let body = json!({
        "schemas": [GROUP, "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],
        "displayName": "Ops",
    });
    let lenient = Client::<H>::fixture().post("/Groups", body.clone()).await;
    assert_eq!(lenient.expect_status(201).json()["schemas"], json!([GROUP]));
    let strict = Client::<H>::strict_fixture().post("/Groups", body).await;
    strict.expect_error(400, Some("invalidSyntax"));
}

/// `ignore_unknown_attributes`: Entra ID's `PUT`s carry attributes the schema lacks;
/// strict: `400 invalidSyntax`.
pub async fn ignore_unknown_attributes<H: Harness>() {
    let mut body = user("bjensen");
    body["shoeSize"] = json!(44);
    let [(lenient, lenient_id), (strict, strict_id)] = servers::<H>().await;
    let replaced = lenient
        .put(&format!("/Users/{lenient_id}"), body.clone())
        .await
        .expect_status(200)
        .json();
    assert!(replaced.get("shoeSize").is_none(), "{replaced}");
    strict
        .put(&format!("/Users/{strict_id}"), body)
        .await
        .expect_error(400, Some("invalidSyntax"));
}

/// `coerce_boolean_strings`: Entra ID sends `"active": "False"`; strict:
/// `400 invalidValue`.
pub async fn coerce_boolean_strings<H: Harness>() {
    let mut body = user("bjensen");
    body["active"] = json!("False");
    let (lenient, strict) = create_both::<H>(body).await;
    assert_eq!(lenient.expect_status(201).json()["active"], false);
    strict.expect_error(400, Some("invalidValue"));
}

/// `canonical_values_advisory`: an email `type` outside `work`/`home`/`other` (RFC 7643
/// §7 lets canonical values be advice); strict: `400 invalidValue`.
pub async fn canonical_values_advisory<H: Harness>() {
    let mut body = user("bjensen");
    body["emails"] = json!([{"value": "b@example.com", "type": "pager"}]);
    let (lenient, strict) = create_both::<H>(body).await;
    assert_eq!(
        lenient.expect_status(201).json()["emails"][0]["type"],
        "pager"
    );
    strict.expect_error(400, Some("invalidValue"));
}

/// `accept_single_value_as_array`: one email object where a list belongs; strict:
/// `400 invalidValue`.
pub async fn accept_single_value_as_array<H: Harness>() {
    let mut body = user("bjensen");
    body["emails"] = json!({"value": "b@example.com", "type": "work"});
    let (lenient, strict) = create_both::<H>(body).await;
    let created = lenient.expect_status(201).json();
    assert_eq!(created["emails"][0]["value"], "b@example.com", "{created}");
    strict.expect_error(400, Some("invalidValue"));
}

/// `wrap_bare_value`: Entra ID sets the enterprise `manager` to a bare id; strict:
/// `400 invalidValue`.
pub async fn wrap_bare_value<H: Harness>() {
    let mut body = user("bjensen");
    body["schemas"] = json!([USER, ENTERPRISE]);
    body[ENTERPRISE] = json!({"manager": "26118915-6090-4610-87e4-49d8ca9f808d"});
    let (lenient, strict) = create_both::<H>(body).await;
    let created = lenient.expect_status(201).json();
    assert_eq!(
        created[ENTERPRISE]["manager"]["value"], "26118915-6090-4610-87e4-49d8ca9f808d",
        "{created}"
    );
    strict.expect_error(400, Some("invalidValue"));
}

/// `add_missing_extension_schemas`: an extension object whose URN `schemas` does not
/// list (RFC 7643 §3 wants it listed); strict: `400 invalidValue`.
pub async fn add_missing_extension_schemas<H: Harness>() {
    let mut body = user("bjensen");
    body[ENTERPRISE] = json!({"employeeNumber": "701984"});
    let (lenient, strict) = create_both::<H>(body).await;
    let created = lenient.expect_status(201).json();
    assert_eq!(created["schemas"], json!([USER, ENTERPRISE]), "{created}");
    strict.expect_error(400, Some("invalidValue"));
}

// ---- FilterOptions ----

/// `bare_word_values`: Microsoft's samples filter `externalId eq jyoung`, unquoted;
/// strict: `400 invalidFilter`.
pub async fn bare_word_values<H: Harness>() {
    let (lenient, strict) = filter_both::<H>("externalId eq jyoung").await;
    assert_eq!(lenient.expect_status(200).total(), 1);
    strict.expect_error(400, Some("invalidFilter"));
}

/// `value_path_comparison`: Entra ID matches on `emails[type eq "work"].value eq "…"`,
/// outside the RFC grammar; strict: `400 invalidFilter`.
pub async fn value_path_comparison<H: Harness>() {
    let expression = r#"emails[type eq "work"].value eq "bjensen@example.com""#;
    let (lenient, strict) = filter_both::<H>(expression).await;
    assert_eq!(lenient.expect_status(200).total(), 1);
    strict.expect_error(400, Some("invalidFilter"));
}

/// `case_insensitive_literals`: `active eq True`; strict: `400 invalidFilter`.
pub async fn case_insensitive_literals<H: Harness>() {
    let (lenient, strict) = filter_both::<H>("active eq True").await;
    assert_eq!(lenient.expect_status(200).total(), 1);
    strict.expect_error(400, Some("invalidFilter"));
}

/// `unknown_attributes_match_nothing`: a filter on an attribute the schema lacks (an
/// identity provider's unmapped custom attribute) finds nothing; strict:
/// `400 invalidFilter`.
pub async fn unknown_attributes_match_nothing<H: Harness>() {
    let (lenient, strict) = filter_both::<H>(r#"costCenter eq "4130""#).await;
    assert_eq!(lenient.expect_status(200).total(), 0);
    strict.expect_error(400, Some("invalidFilter"));
}

// ---- PatchOptions ----

/// `case_insensitive_op`: Entra ID sends `"op": "Replace"`; strict: `400 invalidSyntax`.
pub async fn case_insensitive_op<H: Harness>() {
    let (lenient, strict) = patch_both::<H>(patch_op(json!([
        {"op": "Replace", "path": "displayName", "value": "Babs"}
    ])))
    .await;
    assert_eq!(lenient.expect_status(200).json()["displayName"], "Babs");
    strict.expect_error(400, Some("invalidSyntax"));
}

/// `path_less_dotted_keys`: Entra ID (`aadOptscim062020`) sends a path-less value with
/// `name.givenName` keys; strict: `400 invalidPath`.
pub async fn path_less_dotted_keys<H: Harness>() {
    let (lenient, strict) = patch_both::<H>(patch_op(json!([
        {"op": "replace", "value": {"name.givenName": "Babs"}}
    ])))
    .await;
    assert_eq!(
        lenient.expect_status(200).json()["name"]["givenName"],
        "Babs"
    );
    strict.expect_error(400, Some("invalidPath"));
}

/// `remove_by_value_list`: Entra ID removes a member with `remove members` and a value
/// list; strict reads it as RFC 7644 §3.5.2.2 does (no filter: every member goes).
pub async fn remove_by_value_list<H: Harness>() {
    for (client, strict) in modes::<H>() {
        let one = id(&create_user(&client, "one").await);
        let two = id(&create_user(&client, "two").await);
        let group = create_group(&client, "Ops", &[&one, &two]).await;
        let patched = client
            .patch(
                &format!("/Groups/{}", id(&group)),
                patch_op(json!([{"op": "remove", "path": "members",
                                 "value": [{"$ref": null, "value": one}]}])),
            )
            .await
            .expect_status(200)
            .json();
        let expected: Vec<String> = if strict { Vec::new() } else { vec![two] };
        assert_eq!(member_ids(&patched), expected, "{patched}");
    }
}

/// `create_on_unmatched_filter`: Entra ID adds `emails[type eq "home"].value` to a user
/// without a home email and expects it created; strict: `400 noTarget`.
pub async fn create_on_unmatched_filter<H: Harness>() {
    let (lenient, strict) = patch_both::<H>(patch_op(json!([
        {"op": "add", "path": "emails[type eq \"home\"].value", "value": "home@example.com"}
    ])))
    .await;
    let body = lenient.expect_status(200).json();
    let emails = body["emails"].as_array().cloned().unwrap_or_default();
    assert!(
        emails
            .iter()
            .any(|e| e["type"] == "home" && e["value"] == "home@example.com"),
        "{body}"
    );
    strict.expect_error(400, Some("noTarget"));
}

/// `singular_value_filter`: Entra ID removes the manager with `manager[value eq "…"]`,
/// a filter on a singular attribute; strict: `400 invalidPath`.
pub async fn singular_value_filter<H: Harness>() {
    let manager = "26118915-6090-4610-87e4-49d8ca9f808d";
    for (client, strict) in modes::<H>() {
        let mut body = user("bjensen");
        body["schemas"] = json!([USER, ENTERPRISE]);
        body[ENTERPRISE] = json!({"manager": {"value": manager}});
        let user_id = id(&client.post("/Users", body).await.expect_status(201).json());
        let exchange = client
            .patch(
                &format!("/Users/{user_id}"),
                patch_op(json!([{"op": "remove",
                    "path": format!("{ENTERPRISE}:manager[value eq \"{manager}\"]")}])),
            )
            .await;
        if strict {
            exchange.expect_error(400, Some("invalidPath"));
        } else {
            let patched = exchange.expect_status(200).json();
            assert!(patched.get(ENTERPRISE).is_none(), "{patched}");
        }
    }
}

/// `allow_empty_operations`: Microsoft's validator sends an empty `Operations` list;
/// strict: `400 invalidValue`.
pub async fn allow_empty_operations<H: Harness>() {
    let (lenient, strict) = patch_both::<H>(patch_op(json!([]))).await;
    assert_eq!(lenient.expect_status(200).json()["userName"], "bjensen");
    strict.expect_error(400, Some("invalidValue"));
}

/// `ignore_read_only_echo`: Okta and Entra ID echo read-only values (`meta`, `groups`)
/// in a path-less replace; strict: `400 mutability`.
pub async fn ignore_read_only_echo<H: Harness>() {
    let (lenient, strict) = patch_both::<H>(patch_op(json!([
        {"op": "replace", "value": {"active": false, "groups": [{"value": "not-a-group"}]}}
    ])))
    .await;
    assert_eq!(lenient.expect_status(200).json()["active"], false);
    strict.expect_error(400, Some("mutability"));
}

/// `allow_missing_schema`: a PATCH or a Bulk request without `schemas`; strict: `400
/// invalidSyntax` (and nothing done).
pub async fn allow_missing_schema<H: Harness>() {
    let (lenient, strict) = patch_both::<H>(json!({"Operations": [
        {"op": "replace", "path": "displayName", "value": "Babs"}
    ]}))
    .await;
    assert_eq!(lenient.expect_status(200).json()["displayName"], "Babs");
    strict.expect_error(400, Some("invalidSyntax"));
    // The same for a Bulk request: the endpoint says what the message is.
    for (client, strict) in modes::<H>() {
        for (name, schemas) in [
            ("bulk-no-schemas", None),
            ("bulk-empty-schemas", Some(json!([]))),
        ] {
            let mut body = json!({"Operations": [
                {"method": "POST", "path": "/Users", "bulkId": "u",
                 "data": {"schemas": [USER], "userName": name}}
            ]});
            if let Some(schemas) = schemas {
                body["schemas"] = schemas;
            }
            let exchange = client.post("/Bulk", body).await;
            if strict {
                exchange.expect_error(400, Some("invalidSyntax"));
            } else {
                exchange.expect_status(200);
            }
            let found = client
                .get(&format!(
                    "/Users{}",
                    filter(&format!(r#"userName eq "{name}""#))
                ))
                .await
                .expect_status(200)
                .total();
            assert_eq!(found, u64::from(!strict), "{name}, strict: {strict}");
        }
    }
}

/// `remove_missing_is_noop`: Okta and Entra ID retry member removals, so removing a
/// member that is not there succeeds; strict: `400 noTarget`.
pub async fn remove_missing_is_noop<H: Harness>() {
    for (client, strict) in modes::<H>() {
        let group = create_group(&client, "Ops", &[]).await;
        let exchange = client
            .patch(
                &format!("/Groups/{}", id(&group)),
                patch_op(json!([{"op": "remove", "path": "members[value eq \"absent\"]"}])),
            )
            .await;
        if strict {
            exchange.expect_error(400, Some("noTarget"));
        } else {
            exchange.expect_status(200);
        }
    }
}
