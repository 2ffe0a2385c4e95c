//! A host that persists only some attributes narrows the built-in schemas
//! (`SchemaRegistry::narrow`): `/Schemas` and `/ResourceTypes` advertise exactly those,
//! and a write (POST, PUT, PATCH, Bulk) setting another is `400 invalidValue` naming it,
//! or, with `ValidationOptions::ignore_unsupported_attributes`, dropped.

use serde_json::{Value, json};

use super::{ENTERPRISE, PATCH_OP, USER, create_user, id, patch_op, user};
use crate::client::{Client, Exchange};
use crate::harness::{Harness, fixture_server_for};
use scim_core::{SchemaRegistry, ServerConfig};

/// What the host stores of a User (the `own_tables` example's columns).
const KEPT: &[&str] = &[
    "userName",
    "name.givenName",
    "name.familyName",
    "emails.value",
    "emails.type",
    "emails.primary",
    "active",
    "externalId",
];

/// The three servers: the default (refuses), strict (refuses) and one with
/// `ignore_unsupported_attributes` on (drops), each with whether it drops.
fn modes<H: Harness>() -> [(Client<H>, bool); 3] {
    let server = |config: ServerConfig| {
        Client::<H>::new(H::mount(fixture_server_for::<H>(|builder| {
            let mut registry = SchemaRegistry::with_builtins();
            registry.narrow("User", KEPT).expect("narrow User");
            builder.registry(registry).config(config)
        })))
    };
    let dropping = ServerConfig::default().ignore_unsupported_attributes(true);
    [
        (server(ServerConfig::default()), false),
        (server(ServerConfig::strict()), false),
        (server(dropping), true),
    ]
}

/// Asserts a refused write names `attribute`, or a dropping server's success.
#[track_caller]
fn refused_or_dropped(exchange: Exchange, drops: bool, ok: u16, attribute: &str) -> Value {
    if drops {
        return exchange.expect_status(ok).json();
    }
    let exchange = exchange.expect_error(400, Some("invalidValue"));
    assert!(
        exchange.detail().contains(attribute),
        "the detail names {attribute}: {}",
        exchange.detail()
    );
    Value::Null
}

/// `/Schemas` lists only the kept attributes (no EnterpriseUser), and the User resource
/// type no longer offers the extension.
pub async fn schemas_advertise_the_narrowed_type<H: Harness>() {
    let [(acme, _), ..] = modes::<H>();
    let schemas = acme.get("/Schemas").await.expect_status(200).resources();
    let ids: Vec<&str> = schemas.iter().filter_map(|s| s["id"].as_str()).collect();
    assert!(!ids.contains(&ENTERPRISE), "{ids:?}");
    let user_schema = acme
        .get(&format!("/Schemas/{USER}"))
        .await
        .expect_status(200)
        .json();
    let names: Vec<&str> = user_schema["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["name"].as_str())
        .collect();
    assert_eq!(names, ["userName", "name", "active", "emails"]);
    let name = &user_schema["attributes"][1]["subAttributes"];
    assert_eq!(name.as_array().unwrap().len(), 2, "{name}");
    let resource_type = acme
        .get("/ResourceTypes/User")
        .await
        .expect_status(200)
        .json();
    assert!(
        resource_type["schemaExtensions"]
            .as_array()
            .is_none_or(Vec::is_empty),
        "{resource_type}"
    );
}

/// `POST` with `title`, `name.formatted` or an enterprise attribute: refused by
/// default and in strict mode, dropped with the switch on.
pub async fn post_refuses_undeclared_attributes<H: Harness>() {
    for (index, (acme, drops)) in modes::<H>().into_iter().enumerate() {
        for (n, (key, value, named)) in [
            ("title", json!("Boss"), "title"),
            (
                "name",
                json!({"givenName": "B", "formatted": "B J"}),
                "name.formatted",
            ),
            (ENTERPRISE, json!({"department": "Ops"}), ENTERPRISE),
        ]
        .into_iter()
        .enumerate()
        {
            let mut body = user(&format!("u{n}"));
            body[key] = value;
            let created = refused_or_dropped(acme.post("/Users", body).await, drops, 201, named);
            if drops {
                assert!(created.get("title").is_none(), "{created}");
                assert!(created.get(ENTERPRISE).is_none(), "{created}");
                assert!(created["name"].get("formatted").is_none(), "{created}");
            }
        }
        // An attribute no schema defines is still the other leniency's business.
        let mut body = user("shoes");
        body["shoeSize"] = json!(44);
        let answer = acme.post("/Users", body).await;
        let strict = index == 1;
        assert_eq!(answer.status, if strict { 400 } else { 201 });
    }
}

/// `PUT` with an undeclared attribute: refused (the stored user unchanged) or dropped.
pub async fn put_refuses_undeclared_attributes<H: Harness>() {
    for (acme, drops) in modes::<H>() {
        let user_id = id(&create_user(&acme, "bjensen").await);
        let mut body = user("bjensen");
        body["title"] = json!("Boss");
        body["active"] = json!(false);
        let path = format!("/Users/{user_id}");
        let replaced = refused_or_dropped(acme.put(&path, body).await, drops, 200, "title");
        let stored = acme.get(&path).await.expect_status(200).json();
        assert!(stored.get("title").is_none(), "{stored}");
        assert_eq!(stored["active"], json!(!drops), "{stored} {replaced}");
    }
}

/// `PATCH` by path, by value filter, path-less and into a left-out extension: each
/// refused naming the attribute, or ignored with the switch on.
pub async fn patch_refuses_undeclared_attributes<H: Harness>() {
    for (acme, drops) in modes::<H>() {
        let user_id = id(&create_user(&acme, "bjensen").await);
        let path = format!("/Users/{user_id}");
        for (operation, named) in [
            (
                json!({"op": "replace", "path": "title", "value": "Boss"}),
                "title",
            ),
            (
                json!({"op": "add", "path": "name.formatted", "value": "B J"}),
                "name.formatted",
            ),
            (
                json!({"op": "replace", "path": "emails[type eq \"work\"].display", "value": "W"}),
                "display",
            ),
            (
                json!({"op": "replace", "value": {"title": "Boss"}}),
                "title",
            ),
            (
                json!({"op": "add", "path": format!("{ENTERPRISE}:department"), "value": "Ops"}),
                "department",
            ),
            (
                json!({"op": "add", "path": "phoneNumbers", "value": [{"value": "555"}]}),
                "phoneNumbers",
            ),
        ] {
            let patched = refused_or_dropped(
                acme.patch(&path, patch_op(json!([operation]))).await,
                drops,
                200,
                named,
            );
            let stored = acme.get(&path).await.expect_status(200).json();
            for absent in ["title", "phoneNumbers", ENTERPRISE] {
                assert!(stored.get(absent).is_none(), "{stored} {patched}");
            }
            assert!(stored["name"].get("formatted").is_none(), "{stored}");
        }
        // A declared attribute still patches.
        acme.patch(
            &path,
            json!({"schemas": [PATCH_OP], "Operations": [{"op": "replace", "path": "active", "value": false}]}),
        )
        .await
        .expect_status(200);
    }
}

/// A Bulk POST with an undeclared attribute fails that operation only.
pub async fn bulk_refuses_undeclared_attributes<H: Harness>() {
    for (acme, drops) in modes::<H>() {
        let mut titled = user("titled");
        titled["title"] = json!("Boss");
        let body = acme
            .post(
                "/Bulk",
                json!({
                    "schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
                    "Operations": [
                        {"method": "POST", "path": "/Users", "bulkId": "a", "data": titled},
                        {"method": "POST", "path": "/Users", "bulkId": "b", "data": user("plain")}
                    ]
                }),
            )
            .await
            .expect_status(200)
            .json();
        let statuses: Vec<&str> = body["Operations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["status"].as_str().unwrap_or_default())
            .collect();
        let first = if drops { "201" } else { "400" };
        assert_eq!(statuses, [first, "201"], "{body}");
        if !drops {
            let detail = body["Operations"][0]["response"]["detail"].to_string();
            assert!(detail.contains("title"), "{body}");
        }
    }
}
