//! `/ServiceProviderConfig`, `/ResourceTypes`, `/Schemas` (RFC 7644 §4, RFC 7643 §5–7).

use serde_json::{Value, json};

use super::{ENTERPRISE, GROUP, USER};
use crate::client::Client;
use crate::harness::{Harness, fixture_server_for};

const SPC: &str = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";

/// The ServiceProviderConfig advertises what the engine does: PATCH, filter with
/// `maxResults`, bulk limits, ETag, sort, and a bearer authentication scheme.
pub async fn service_provider_config<H: Harness>() {
    let acme = Client::<H>::fixture();
    let exchange = acme.get("/ServiceProviderConfig").await.expect_status(200);
    exchange.expect_scim_content_type();
    let body = exchange.json();
    assert!(
        body["schemas"]
            .as_array()
            .is_some_and(|s| s.iter().any(|u| u == SPC)),
        "{body}"
    );
    assert_eq!(body["patch"]["supported"], true, "{body}");
    assert_eq!(body["filter"]["supported"], true, "{body}");
    assert!(
        body["filter"]["maxResults"].as_u64().is_some_and(|n| n > 0),
        "{body}"
    );
    assert_eq!(body["bulk"]["supported"], true, "{body}");
    assert!(body["bulk"]["maxOperations"].as_u64().is_some(), "{body}");
    assert!(body["bulk"]["maxPayloadSize"].as_u64().is_some(), "{body}");
    assert!(body["etag"]["supported"].is_boolean(), "{body}");
    assert!(body["sort"]["supported"].is_boolean(), "{body}");
    assert!(body["changePassword"]["supported"].is_boolean(), "{body}");
    let schemes = body["authenticationSchemes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    // RFC 7643 §5 names the bearer token scheme `oauthbearertoken`; it is the one scheme.
    assert_eq!(
        schemes.first().map(|s| &s["type"]),
        Some(&json!("oauthbearertoken")),
        "{body}"
    );
}

/// The ServiceProviderConfig reports the server's own limits, and its `meta.location` is
/// absolute, under the mount point.
pub async fn reflects_configuration<H: Harness>() {
    let server = fixture_server_for::<H>(|b| {
        b.config(
            scim_core::ServerConfig::default()
                .max_results(250)
                .bulk_max_operations(50),
        )
    });
    let acme = Client::new(H::mount(server));
    let body = acme
        .get("/ServiceProviderConfig")
        .await
        .expect_status(200)
        .json();
    assert_eq!(body["filter"]["maxResults"], 250, "{body}");
    assert_eq!(body["bulk"]["maxOperations"], 50, "{body}");
    assert_eq!(body["etag"]["supported"], true, "{body}");
    assert_eq!(
        body["meta"]["location"],
        format!("http://localhost{}/ServiceProviderConfig", acme.base()),
        "{body}"
    );
}

/// `/ResourceTypes` lists User (with the optional enterprise extension) and Group, and
/// nothing else.
pub async fn resource_types<H: Harness>() {
    let acme = Client::<H>::fixture();
    let exchange = acme.get("/ResourceTypes").await.expect_status(200);
    assert_eq!(exchange.total(), 2);
    let types = exchange.resources();
    let user = types
        .iter()
        .find(|t| t["name"] == "User")
        .cloned()
        .unwrap_or(Value::Null);
    let group = types
        .iter()
        .find(|t| t["name"] == "Group")
        .cloned()
        .unwrap_or(Value::Null);
    assert_eq!(user["endpoint"], "/Users", "{user}");
    assert_eq!(user["schema"], USER, "{user}");
    assert!(
        user["schemaExtensions"].as_array().is_some_and(|e| e
            .iter()
            .any(|x| x["schema"] == ENTERPRISE && x["required"] == false)),
        "{user}"
    );
    assert_eq!(group["endpoint"], "/Groups", "{group}");
    assert_eq!(group["schema"], GROUP, "{group}");
}

/// `/ResourceTypes/User` answers one resource type; an unknown name is `404`.
pub async fn resource_type_by_name<H: Harness>() {
    let acme = Client::<H>::fixture();
    let user = acme
        .get("/ResourceTypes/User")
        .await
        .expect_status(200)
        .json();
    assert_eq!(user["name"], "User");
    assert_eq!(user["endpoint"], "/Users");
    assert_eq!(user["schema"], USER, "{user}");
    assert_eq!(user["schemaExtensions"][0]["schema"], ENTERPRISE, "{user}");
    assert_eq!(user["schemaExtensions"][0]["required"], false, "{user}");
    acme.get("/ResourceTypes/Printer")
        .await
        .expect_error(404, None);
}

/// `/Schemas` lists the User, Group and EnterpriseUser schemas, and nothing else, each
/// with its attributes and an absolute `meta.location`.
pub async fn schemas<H: Harness>() {
    let acme = Client::<H>::fixture();
    let exchange = acme.get("/Schemas").await.expect_status(200);
    assert_eq!(exchange.total(), 3);
    let schemas = exchange.resources();
    for urn in [USER, GROUP, ENTERPRISE] {
        let schema = schemas.iter().find(|s| s["id"] == urn);
        assert!(
            schema.is_some_and(|s| s["attributes"].as_array().is_some_and(|a| !a.is_empty())),
            "{urn}"
        );
        let location = format!("http://localhost{}/Schemas/{urn}", acme.base());
        assert!(
            schema.is_some_and(|s| s["meta"]["location"] == location.as_str()),
            "{urn}: {schema:?}"
        );
    }
}

/// `/Schemas/{urn}` answers one schema whose `userName` is required, unique and not
/// case-exact; an unknown URN is `404`.
pub async fn schema_by_urn<H: Harness>() {
    let acme = Client::<H>::fixture();
    let schema = acme
        .get(&format!("/Schemas/{USER}"))
        .await
        .expect_status(200)
        .json();
    assert_eq!(schema["id"], USER);
    assert_eq!(schema["name"], "User", "{schema}");
    let location = format!("http://localhost{}/Schemas/{USER}", acme.base());
    assert_eq!(schema["meta"]["location"], location.as_str(), "{schema}");
    let user_name = schema["attributes"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["name"] == "userName"))
        .cloned()
        .unwrap_or(Value::Null);
    assert_eq!(user_name["required"], true, "{user_name}");
    assert_eq!(user_name["uniqueness"], "server", "{user_name}");
    assert_eq!(user_name["caseExact"], false, "{user_name}");
    acme.get("/Schemas/urn:example:nothing")
        .await
        .expect_error(404, None);
}
