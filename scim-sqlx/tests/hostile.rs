//! Filters built to break SQL: a thousand `or`s, deep nesting, 8 KiB values, LIKE
//! wildcards, backslashes, quotes and NUL. Each is answered exactly as the in-memory
//! store answers it, or refused with `400 invalidFilter`; never a 500, never a
//! database error text. Ids holding NUL (in a URL, in a PATCH path's filter, or as member
//! values handed to a store directly) are answered as the in-memory store answers them.
#![cfg(all(feature = "sqlite", feature = "postgres"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "a test: a broken expectation is a failure"
)]

mod support;

use std::sync::Arc;

use bytes::Bytes;
use scim_conformance::{ACME_TOKEN, Engine, Harness, fixture_server_with};
use scim_core::filter::{AttrPath, CompValue, CompareOp};
use scim_core::patch::PatchOptions;
use scim_core::{
    Filter, InMemoryStore, PatchRequest, Query, RequestContext, Resource, ResourceStore,
    SchemaRegistry, StoreError,
};
use serde_json::{Value, json};

const NASTY: &[&str] = &[
    "100%",
    "a_b",
    "a\\b",
    "\\",
    "%",
    "_",
    "o'k",
    "q\"t",
    "\u{0}",
    "a\u{0}b",
    "'; DROP TABLE scim_resources; --",
    "\\%",
    "%_%",
    "ÄRNE",
    "ärne",
];

fn users() -> Vec<Value> {
    let mut out: Vec<Value> = NASTY
        .iter()
        .filter(|s| !s.contains('\u{0}'))
        .enumerate()
        .map(|(i, s)| json!({"userName": format!("u{i}-{s}"), "title": s, "externalId": format!("x{i}")}))
        .collect();
    out.push(json!({"userName": "long", "title": "y".repeat(8 * 1024), "externalId": "long"}));
    out
}

async fn stores() -> Vec<(&'static str, Arc<dyn ResourceStore>)> {
    let mut stores: Vec<(&'static str, Arc<dyn ResourceStore>)> = vec![
        ("memory", Arc::new(InMemoryStore::new())),
        ("sqlite", Arc::new(support::sqlite().await)),
    ];
    if let Some(pg) = support::postgres().await {
        stores.push(("postgres", Arc::new(pg)));
    }
    let registry = SchemaRegistry::with_builtins();
    let rt = registry.resource_type("User").unwrap();
    let ctx = RequestContext::new("acme");
    for (_, store) in &stores {
        for user in users() {
            store
                .create(
                    &ctx,
                    rt,
                    Resource::from_value_unchecked("User", user).unwrap(),
                )
                .await
                .unwrap();
        }
    }
    stores
}

fn compare(path: &str, op: CompareOp, value: &str) -> Filter {
    Filter::Compare {
        path: AttrPath::new(path),
        op,
        value: CompValue::String(value.to_owned()),
    }
}

fn hostile_filters() -> Vec<(String, Filter)> {
    let mut filters = Vec::new();
    for value in NASTY {
        for op in [
            CompareOp::Eq,
            CompareOp::Ne,
            CompareOp::Co,
            CompareOp::Sw,
            CompareOp::Ew,
            CompareOp::Gt,
            CompareOp::Le,
        ] {
            for path in ["title", "userName"] {
                filters.push((
                    format!("{path} {} {value:?}", op.as_str()),
                    compare(path, op, value),
                ));
            }
        }
    }
    let long = "y".repeat(8 * 1024);
    filters.push((
        "title eq 8 KiB".into(),
        compare("title", CompareOp::Eq, &long),
    ));
    filters.push((
        "title co 8 KiB".into(),
        compare("title", CompareOp::Co, &long),
    ));
    filters.push((
        "userName sw 8 KiB".into(),
        compare("userName", CompareOp::Sw, &long),
    ));
    let ors = (0..1000)
        .map(|i| compare("externalId", CompareOp::Eq, &format!("x{i}")))
        .collect();
    filters.push(("1 000 ors".into(), Filter::Or(ors)));
    let ands = (0..1000)
        .map(|i| Filter::Not(Box::new(compare("title", CompareOp::Eq, &format!("t{i}")))))
        .collect();
    filters.push(("1 000 and-nots".into(), Filter::And(ands)));
    let mut deep = compare("title", CompareOp::Co, "%");
    for i in 0..200 {
        deep = if i % 2 == 0 {
            Filter::Not(Box::new(deep))
        } else {
            Filter::Or(vec![deep, compare("userName", CompareOp::Eq, "nobody")])
        };
    }
    filters.push(("200 levels".into(), deep));
    filters
}

fn external_ids(resources: &[Resource]) -> Vec<String> {
    let mut ids: Vec<String> = resources
        .iter()
        .map(|r| {
            r.get("externalId")
                .and_then(Value::as_str)
                .unwrap()
                .to_owned()
        })
        .collect();
    ids.sort();
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_filters_answer_as_the_evaluator_does() {
    let stores = stores().await;
    let registry = SchemaRegistry::with_builtins();
    let rt = registry.resource_type("User").unwrap();
    let ctx = RequestContext::new("acme");
    for (label, filter) in hostile_filters() {
        let mut query = Query::default();
        query.filter = Some(filter);
        let expected = stores[0].1.query(&ctx, rt, &query).await.unwrap();
        for (name, store) in &stores[1..] {
            match store.query(&ctx, rt, &query).await {
                Ok(got) => {
                    assert_eq!(got.total_results, expected.total_results, "{name}: {label}");
                    assert_eq!(
                        external_ids(&got.resources),
                        external_ids(&expected.resources),
                        "{name}: {label}"
                    );
                }
                Err(e) => {
                    let e: scim_core::ScimError = e.into();
                    assert_eq!(
                        (e.status().as_u16(), e.scim_type()),
                        (400, Some(scim_core::error::ScimType::InvalidFilter)),
                        "{name}: {label}: {e:?}"
                    );
                }
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_requests_through_the_engine_never_fail_with_500() {
    let (_, sqlite) = stores().await.swap_remove(1);
    let harness = Engine::mount(fixture_server_with(move |b| b.store(sqlite)));
    let ors = (0..500)
        .map(|i| format!("title eq \"{i}\""))
        .collect::<Vec<_>>()
        .join(" or ");
    let deep = format!("{}title pr{}", "(".repeat(60), ")".repeat(60));
    let long = format!("title co \"{}\"", "%".repeat(9000));
    let filters = [
        ors.as_str(),
        deep.as_str(),
        long.as_str(),
        "title co \"\\u0000\"",
        "title eq \"'; DROP TABLE scim_resources; --\"",
        "title sw \"\\\\\"",
        "title co \"%_\"",
    ];
    for filter in filters {
        let query: String = form_urlencoded(filter);
        let request = http::Request::get(format!("/scim/v2/acme/Users?filter={query}"))
            .header("authorization", format!("Bearer {ACME_TOKEN}"))
            .body(Bytes::new())
            .unwrap();
        let response = harness.send(request).await;
        let status = response.status().as_u16();
        let body = String::from_utf8_lossy(response.body()).into_owned();
        assert!(
            status == 200 || (status == 400 && body.contains("invalidFilter")),
            "{filter:.80}: {status} {body}"
        );
        assert!(!body.to_lowercase().contains("sql"), "{filter:.80}: {body}");
    }
}

/// Percent-encodes a query value.
fn form_urlencoded(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Ids holding NUL, which PostgreSQL text cannot: in a URL (`%00`) and in a PATCH path's
/// filter (`\u0000`, which the filter parser decodes). Every store answers as the
/// in-memory one does (`404` for the resource, the member unknown or absent), never `500`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ids_holding_nul_are_unknown_on_every_store() {
    const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
    // Per store: each request's status and `scimType`.
    type Answer = (u16, Option<String>);
    let mut answers: Vec<(&str, Vec<Answer>)> = Vec::new();
    for (name, store) in stores().await {
        let harness = Engine::mount(fixture_server_with(move |b| b.store(store)));
        let send = |method: &str, uri: &str, body: Option<Value>| {
            http::Request::builder()
                .method(method)
                .uri(format!("/scim/v2/acme{uri}"))
                .header("authorization", format!("Bearer {ACME_TOKEN}"))
                .header("content-type", "application/scim+json")
                .body(Bytes::from(body.map(|b| b.to_string()).unwrap_or_default()))
                .unwrap()
        };
        let group =
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "g"});
        let created = harness.send(send("POST", "/Groups", Some(group))).await;
        assert_eq!(created.status(), 201, "{name}");
        let group: Value = serde_json::from_slice(created.body()).unwrap();
        let group = format!("/Groups/{}", group["id"].as_str().unwrap());
        let user =
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "nul"});
        let title = json!({"schemas": [PATCH_OP], "Operations": [{"op": "replace", "path": "title", "value": "t"}]});
        let remove = json!({"schemas": [PATCH_OP],
            "Operations": [{"op": "remove", "path": "members[value eq \"a\\u0000b\"]"}]});
        let rename = json!({"schemas": [PATCH_OP],
            "Operations": [{"op": "replace", "path": "members[value eq \"a\\u0000b\"].display", "value": "x"}]});
        // With another change in the same PATCH, the members take the path that rewrites
        // the group's document too.
        let remove_and_rename = json!({"schemas": [PATCH_OP], "Operations": [
            {"op": "remove", "path": "members[value eq \"a\\u0000b\"]"},
            {"op": "replace", "path": "displayName", "value": "renamed"}]});
        let cases = [
            ("GET", "/Users/a%00b".to_owned(), None),
            ("DELETE", "/Users/a%00b".to_owned(), None),
            ("PUT", "/Users/a%00b".to_owned(), Some(user)),
            ("PATCH", "/Users/%00".to_owned(), Some(title)),
            ("PATCH", group.clone(), Some(remove)),
            ("PATCH", group.clone(), Some(rename)),
            ("PATCH", group, Some(remove_and_rename)),
        ];
        let mut statuses = Vec::new();
        for (method, uri, body) in cases {
            let response = harness.send(send(method, &uri, body)).await;
            let status = response.status().as_u16();
            let error: Value = serde_json::from_slice(response.body()).unwrap_or_default();
            assert_ne!(status, 500, "{name} {method} {uri}: {error}");
            statuses.push((status, error["scimType"].as_str().map(str::to_owned)));
        }
        answers.push((name, statuses));
    }
    let (_, memory) = &answers[0];
    assert_eq!(
        memory.iter().map(|(status, _)| *status).collect::<Vec<_>>(),
        [404, 404, 404, 404, 200, 400, 200]
    );
    for (name, statuses) in &answers {
        assert_eq!(statuses, memory, "{name} answers as the in-memory store");
    }
}

/// Member ids holding NUL handed to a store directly, as a host app can (a request body
/// cannot carry NUL): beside a real member, in a create and in a PATCH add. Every store
/// finds them unknown, as the in-memory store does, and leaves the group as it was.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn member_ids_holding_nul_are_unknown_members_on_every_store() {
    let registry = SchemaRegistry::with_builtins();
    let (users, groups) = (
        registry.resource_type("User").unwrap(),
        registry.resource_type("Group").unwrap(),
    );
    let ctx = RequestContext::new("acme");
    for (name, store) in stores().await {
        let page = store.query(&ctx, users, &Query::default()).await.unwrap();
        let real = page.resources[0].id().unwrap().to_owned();
        let members = json!([{"value": real}, {"value": "a\u{0}b"}]);
        let group = json!({"displayName": "nul", "members": members});
        let created = store
            .create(
                &ctx,
                groups,
                Resource::from_value_unchecked("Group", group).unwrap(),
            )
            .await;
        assert!(
            matches!(&created, Err(StoreError::Invalid(detail)) if detail.contains("a\\0b")),
            "{name}: {created:?}"
        );
        let empty = json!({"displayName": "empty"});
        let empty = store
            .create(
                &ctx,
                groups,
                Resource::from_value_unchecked("Group", empty).unwrap(),
            )
            .await
            .unwrap();
        let id = empty.id().unwrap();
        let add = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "add", "path": "members", "value": members}]});
        let add = PatchRequest::parse_value(add, groups, &PatchOptions::default()).unwrap();
        let patched = store.patch(&ctx, groups, id, &add, None).await;
        assert!(
            matches!(&patched, Err(StoreError::Invalid(detail)) if detail.contains("a\\0b")),
            "{name}: {patched:?}"
        );
        let after = store.get(&ctx, groups, id).await.unwrap();
        assert!(after.get("members").is_none(), "{name}: {after:?}");
    }
}
