//! Filters on list requests (RFC 7644 §3.4.2.2), as clients send them.

use serde_json::json;

use super::{ENTERPRISE, USER, create_user, filter, user};
use crate::client::Client;
use crate::harness::Harness;

async fn fixture<H: Harness>() -> Client<H> {
    let acme = Client::<H>::fixture();
    for (name, given, email_type, external) in [
        ("bjensen", "Barbara", "work", "e-1"),
        ("jsmith", "John", "home", "e-2"),
        ("jdoe", "Jane", "work", "e-3"),
    ] {
        let mut body = user(name);
        body["name"]["givenName"] = json!(given);
        body["emails"] = json!([{"value": format!("{name}@example.com"), "type": email_type}]);
        body["externalId"] = json!(external);
        acme.post("/Users", body).await.expect_status(201);
    }
    acme
}

async fn user_names<H: Harness>(client: &Client<H>, expression: &str) -> Vec<String> {
    let mut names: Vec<String> = client
        .get(&format!("/Users{}", filter(expression)))
        .await
        .expect_status(200)
        .resources()
        .iter()
        .map(|r| r["userName"].as_str().unwrap_or_default().to_owned())
        .collect();
    names.sort();
    names
}

/// `userName eq` is case-insensitive (`caseExact: false`) and echoes the stored case (Okta).
pub async fn user_name_eq_ignores_case<H: Harness>() {
    let acme = fixture::<H>().await;
    assert_eq!(
        user_names(&acme, "userName eq \"BJENSEN\"").await,
        ["bjensen"]
    );
}

/// `sw`, `co`, `ew` and `pr` operators.
pub async fn string_operators<H: Harness>() {
    let acme = fixture::<H>().await;
    assert_eq!(
        user_names(&acme, "userName sw \"j\"").await,
        ["jdoe", "jsmith"]
    );
    assert_eq!(user_names(&acme, "userName co \"smi\"").await, ["jsmith"]);
    assert_eq!(user_names(&acme, "userName ew \"doe\"").await, ["jdoe"]);
    assert_eq!(user_names(&acme, "externalId pr").await.len(), 3);
}

/// `and`, `or`, `not` and grouping.
pub async fn logical_operators<H: Harness>() {
    let acme = fixture::<H>().await;
    assert_eq!(
        user_names(&acme, "userName sw \"j\" and name.givenName eq \"Jane\"").await,
        ["jdoe"]
    );
    assert_eq!(
        user_names(&acme, "userName eq \"bjensen\" or userName eq \"jdoe\"").await,
        ["bjensen", "jdoe"]
    );
    assert_eq!(
        user_names(&acme, "not (userName sw \"j\")").await,
        ["bjensen"]
    );
}

/// A value filter on a multi-valued attribute: `emails[type eq "work"]`.
pub async fn value_path<H: Harness>() {
    let acme = fixture::<H>().await;
    assert_eq!(
        user_names(
            &acme,
            "emails[type eq \"work\" and value co \"@example.com\"]"
        )
        .await,
        ["bjensen", "jdoe"]
    );
    assert_eq!(
        user_names(&acme, "emails.value eq \"jsmith@example.com\"").await,
        ["jsmith"]
    );
}

/// `externalId eq` (Entra ID's matching attribute).
pub async fn external_id_eq<H: Harness>() {
    let acme = fixture::<H>().await;
    assert_eq!(user_names(&acme, "externalId eq \"e-2\"").await, ["jsmith"]);
}

/// `meta.lastModified gt` with a date before every user matches all of them.
pub async fn date_comparison<H: Harness>() {
    let acme = fixture::<H>().await;
    assert_eq!(
        user_names(&acme, "meta.lastModified gt \"2000-01-01T00:00:00Z\"")
            .await
            .len(),
        3
    );
    assert!(
        user_names(&acme, "meta.lastModified lt \"2000-01-01T00:00:00Z\"")
            .await
            .is_empty()
    );
}

/// A URN-qualified extension attribute in a filter.
pub async fn extension_attribute<H: Harness>() {
    let acme = Client::<H>::fixture();
    let mut body = user("employee");
    body["schemas"] = json!([USER, ENTERPRISE]);
    body[ENTERPRISE] = json!({"employeeNumber": "701984"});
    acme.post("/Users", body).await.expect_status(201);
    create_user(&acme, "contractor").await;
    assert_eq!(
        user_names(&acme, &format!("{ENTERPRISE}:employeeNumber eq \"701984\"")).await,
        ["employee"]
    );
}

/// A filter that does not parse is `400 invalidFilter`.
pub async fn invalid_filter<H: Harness>() {
    let acme = Client::<H>::fixture();
    for expression in [
        "userName eq",
        "userName zz \"x\"",
        "(userName eq \"x\"",
        "userName eq \"x\" and",
    ] {
        acme.get(&format!("/Users{}", filter(expression)))
            .await
            .expect_error(400, Some("invalidFilter"));
    }
}

/// `%20`-encoded and `+`-encoded filters mean the same (Entra sends `+`); parameter
/// names are case-insensitive (RFC 7644 §3.4.2), a trailing `&` is harmless, and the
/// matches carry absolute locations.
pub async fn encodings<H: Harness>() {
    let acme = fixture::<H>().await;
    for query in [
        "filter=userName+eq+%22jdoe%22",
        "filter=userName%20eq%20%22JDOE%22&",
        "FILTER=userName%20eq%20%22jdoe%22&startIndex=1&count=100",
    ] {
        let exchange = acme
            .get(&format!("/Users?{query}"))
            .await
            .expect_status(200);
        assert_eq!(exchange.total(), 1, "{query}");
        let resources = exchange.resources();
        assert_eq!(resources[0]["userName"], "jdoe", "{query}");
        let location = resources[0]["meta"]["location"]
            .as_str()
            .unwrap_or_default();
        assert!(
            location.starts_with(&format!("http://localhost{}/Users/", acme.base())),
            "{location}"
        );
    }
}

/// A stray slash before the query, `/Users/?filter=…` (Entra ID), is the collection.
pub async fn trailing_slash<H: Harness>() {
    let acme = fixture::<H>().await;
    let exchange = acme
        .get("/Users/?filter=userName+eq+%22jdoe%22")
        .await
        .expect_status(200);
    assert_eq!(exchange.total(), 1);
}
