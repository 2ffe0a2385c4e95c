use serde_json::{Value, json};

use super::planner;
use super::*;
use crate::filter::{AttrPath, CompValue, CompareOp, Filter, PatchPath};
use crate::patch::{PatchOpKind, PatchOperation};
use crate::schema::attribute::{Attribute, AttributeType, Uniqueness};
use crate::schema::definition::Schema;
use crate::schema::registry::SchemaRegistry;
use crate::store::{Sort, SortOrder};

fn registry() -> SchemaRegistry {
    SchemaRegistry::with_builtins()
}

fn ctx() -> RequestContext {
    RequestContext::new("acme")
}

fn res(kind: &str, v: Value) -> Resource {
    Resource::from_value(kind, v).unwrap()
}

fn eq(path: &str, value: &str) -> Filter {
    Filter::Compare {
        path: path.parse().unwrap(),
        op: CompareOp::Eq,
        value: CompValue::String(value.into()),
    }
}

fn cmp(path: &str, op: CompareOp, value: &str) -> Filter {
    Filter::Compare {
        path: path.parse().unwrap(),
        op,
        value: CompValue::String(value.into()),
    }
}

fn query(filter: Option<Filter>) -> Query {
    Query {
        filter,
        ..Query::default()
    }
}

fn path(p: &str) -> PatchPath {
    p.parse().unwrap()
}

fn op(kind: PatchOpKind, p: Option<&str>, value: Option<Value>) -> PatchOperation {
    PatchOperation {
        op: kind,
        path: p.map(path),
        value,
    }
}

fn patch(operations: Vec<PatchOperation>) -> PatchRequest {
    PatchRequest::new(operations)
}

fn member_ids(group: &Resource) -> Vec<String> {
    group
        .get("members")
        .and_then(Value::as_array)
        .map(|m| {
            m.iter()
                .map(|m| m["value"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn group_ids(user: &Resource) -> Vec<String> {
    user.get("groups")
        .and_then(Value::as_array)
        .map(|m| {
            m.iter()
                .map(|m| m["value"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

async fn add_user(store: &InMemoryStore, name: &str) -> Resource {
    let users = registry();
    let users = users.resource_type("User").unwrap();
    store
        .create(
            &ctx(),
            users,
            res(
                "User",
                json!({"userName": name, "displayName": format!("{name} display")}),
            ),
        )
        .await
        .unwrap()
}

#[tokio::test]
async fn create_assigns_id_and_meta_and_drops_client_identity() {
    let r = registry();
    let users = r.resource_type("User").unwrap();
    let store = InMemoryStore::new();
    let input = json!({"schemas": [crate::USER_SCHEMA], "id": "bulkId:x", "userName": "alice",
        "meta": {"resourceType": "Nonsense", "version": "W/\"99\""}, "groups": []});
    let created = store
        .create(&ctx(), users, res("User", input))
        .await
        .unwrap();
    let id = created.id().unwrap();
    assert!(uuid::Uuid::parse_str(id).is_ok(), "{id} is a uuid");
    assert_eq!(created.version(), Some("W/\"1\""));
    let meta = created.get("meta").unwrap();
    assert_eq!(meta["resourceType"], "User");
    assert_eq!(meta["created"], meta["lastModified"]);
    assert!(time::OffsetDateTime::parse(meta["created"].as_str().unwrap(), &Rfc3339).is_ok());
    assert!(
        created.get("groups").is_none(),
        "read-only groups are derived, not stored"
    );
    let keys: Vec<&String> = created.attributes().keys().collect();
    assert_eq!(keys, ["schemas", "id", "userName", "meta"]);
    assert_eq!(store.get(&ctx(), users, id).await.unwrap(), created);
}

#[tokio::test]
async fn user_name_is_unique_case_insensitively_on_every_write() {
    let r = registry();
    let users = r.resource_type("User").unwrap();
    let store = InMemoryStore::new();
    let alice = add_user(&store, "alice").await;
    let bob = add_user(&store, "bob").await;
    let dup = store
        .create(&ctx(), users, res("User", json!({"userName": "ALICE"})))
        .await;
    match dup {
        Err(StoreError::Conflict { attribute, value }) => {
            assert_eq!((attribute.as_str(), value.as_str()), ("userName", "ALICE"));
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    let rename = store
        .replace(
            &ctx(),
            users,
            bob.id().unwrap(),
            res("User", json!({"userName": "Alice"})),
            None,
        )
        .await;
    assert!(matches!(rename, Err(StoreError::Conflict { .. })));
    let rename = store
        .patch(
            &ctx(),
            users,
            bob.id().unwrap(),
            &patch(vec![op(
                PatchOpKind::Replace,
                Some("userName"),
                Some(json!("aLiCe")),
            )]),
            None,
        )
        .await;
    assert!(matches!(rename, Err(StoreError::Conflict { .. })));
    // Changing one's own case is no conflict, and frees the old key.
    let id = alice.id().unwrap();
    store
        .replace(
            &ctx(),
            users,
            id,
            res("User", json!({"userName": "Alice"})),
            None,
        )
        .await
        .unwrap();
    store.delete(&ctx(), users, id, None).await.unwrap();
    store
        .create(&ctx(), users, res("User", json!({"userName": "alice"})))
        .await
        .unwrap();
}

#[tokio::test]
async fn any_server_unique_attribute_is_enforced_including_extensions() {
    let mut r = SchemaRegistry::empty();
    let device = r
        .add_schema(
            Schema::new("urn:example:Device", "Device").attribute(
                Attribute::new("serial", AttributeType::String)
                    .case_exact(true)
                    .uniqueness(Uniqueness::Server),
            ),
        )
        .unwrap();
    let ext = r
        .add_schema(Schema::new("urn:example:Asset", "Asset").attribute(
            Attribute::new("tag", AttributeType::Integer).uniqueness(Uniqueness::Server),
        ))
        .unwrap();
    let rt = ResourceType::new("Device", "/Devices", device).extension(ext, false);
    let store = InMemoryStore::new();
    let mk = |serial: &str, tag: i64| {
        res(
            "Device",
            json!({"serial": serial, "urn:example:Asset": {"tag": tag}}),
        )
    };
    store.create(&ctx(), &rt, mk("A1", 1)).await.unwrap();
    store
        .create(&ctx(), &rt, mk("a1", 2))
        .await
        .expect("caseExact serials differ");
    let err = store.create(&ctx(), &rt, mk("B", 1)).await.unwrap_err();
    assert!(
        matches!(&err, StoreError::Conflict { attribute, .. } if attribute == "urn:example:Asset:tag"),
        "{err:?}"
    );
}

#[tokio::test]
async fn group_display_name_uniqueness_is_switchable() {
    let r = registry();
    let groups = r.resource_type("Group").unwrap();
    let unique = InMemoryStore::new();
    unique
        .create(
            &ctx(),
            groups,
            res("Group", json!({"displayName": "Admins"})),
        )
        .await
        .unwrap();
    let err = unique
        .create(
            &ctx(),
            groups,
            res("Group", json!({"displayName": "admins"})),
        )
        .await;
    assert!(
        matches!(err, Err(StoreError::Conflict { attribute, .. }) if attribute == "displayName")
    );
    let lax = InMemoryStore::builder()
        .unique_group_display_name(false)
        .build();
    lax.create(
        &ctx(),
        groups,
        res("Group", json!({"displayName": "Admins"})),
    )
    .await
    .unwrap();
    lax.create(
        &ctx(),
        groups,
        res("Group", json!({"displayName": "Admins"})),
    )
    .await
    .unwrap();
    let found = lax
        .query(&ctx(), groups, &query(Some(eq("displayName", "ADMINS"))))
        .await
        .unwrap();
    assert_eq!(
        found.total_results, 2,
        "the non-unique index still answers eq"
    );
}

#[tokio::test]
async fn versions_are_checked_and_advance_on_every_write() {
    let r = registry();
    let users = r.resource_type("User").unwrap();
    let store = InMemoryStore::new();
    let alice = add_user(&store, "alice").await;
    let id = alice.id().unwrap();
    let body = || res("User", json!({"userName": "alice", "title": "x"}));
    let stale = store
        .replace(&ctx(), users, id, body(), Some("W/\"7\""))
        .await;
    assert!(
        matches!(stale, Err(StoreError::PreconditionFailed { current }) if current == "W/\"1\"")
    );
    let v2 = store
        .replace(&ctx(), users, id, body(), Some("W/\"1\""))
        .await
        .unwrap();
    assert_eq!(v2.version(), Some("W/\"2\""));
    assert_eq!(
        v2.get("meta").unwrap()["created"],
        alice.get("meta").unwrap()["created"]
    );
    let v3 = store
        .replace(&ctx(), users, id, body(), Some("\"2\""))
        .await
        .unwrap();
    assert_eq!(
        v3.version(),
        Some("W/\"3\""),
        "the strong form of the same tag matches"
    );
    let v4 = store
        .patch(
            &ctx(),
            users,
            id,
            &patch(vec![op(PatchOpKind::Remove, Some("title"), None)]),
            Some("*"),
        )
        .await
        .unwrap();
    assert_eq!(v4.version(), Some("W/\"4\""));
    assert!(v4.get("title").is_none());
    let err = store.delete(&ctx(), users, id, Some("W/\"3\"")).await;
    assert!(matches!(err, Err(StoreError::PreconditionFailed { .. })));
    store
        .delete(&ctx(), users, id, Some("W/\"4\""))
        .await
        .unwrap();
    assert!(matches!(
        store.get(&ctx(), users, id).await,
        Err(StoreError::NotFound { .. })
    ));
}

#[tokio::test]
async fn planner_answers_indexed_eq_from_the_index() {
    let r = registry();
    let users = r.resource_type("User").unwrap();
    let store = InMemoryStore::new();
    for i in 0..20 {
        let u = res(
            "User",
            json!({"userName": format!("user{i}"), "externalId": format!("ext{}", i % 5)}),
        );
        store.create(&ctx(), users, u).await.unwrap();
    }
    let tenant = store.tenant(&ctx()).unwrap().unwrap();
    let tenant = tenant.read().unwrap();
    let td = tenant.types.get("User").unwrap();
    let plan_of = |f: &Filter| {
        let p = planner::plan(f, users, td, &tenant);
        (p.candidates.map(|c| c.len()), p.residual.len())
    };
    // userName is case-insensitive: candidates from the index, re-checked.
    assert_eq!(plan_of(&eq("USERNAME", "USER3")), (Some(1), 1));
    // externalId is case-exact: the index answer is exact.
    assert_eq!(plan_of(&eq("externalId", "ext1")), (Some(4), 0));
    assert_eq!(plan_of(&eq("externalId", "EXT1")), (Some(0), 0));
    let id = td.order.values().next().unwrap().to_string();
    assert_eq!(plan_of(&eq("id", &id)), (Some(1), 0));
    // AND picks the narrowest indexed clause and keeps the others.
    let and = Filter::And(vec![
        cmp("title", CompareOp::Co, "x"),
        eq("externalId", "ext1"),
        eq("userName", "user1"),
    ]);
    assert_eq!(plan_of(&and), (Some(1), 3));
    let and = Filter::And(vec![
        cmp("title", CompareOp::Co, "x"),
        eq("externalId", "ext2"),
    ]);
    assert_eq!(plan_of(&and), (Some(4), 1));
    // OR of indexed clauses is a union; OR with a non-indexed clause scans.
    assert_eq!(
        plan_of(&Filter::Or(vec![
            eq("userName", "user1"),
            eq("externalId", "ext2")
        ])),
        (Some(5), 1)
    );
    assert_eq!(
        plan_of(&Filter::Or(vec![
            eq("userName", "user1"),
            cmp("title", CompareOp::Sw, "a")
        ])),
        (None, 1)
    );
    assert_eq!(plan_of(&cmp("userName", CompareOp::Sw, "user")), (None, 1));
    assert_eq!(
        plan_of(&Filter::Not(Box::new(eq("userName", "user1")))),
        (None, 1)
    );
}

fn dataset() -> Vec<Value> {
    (0..40)
        .map(|i| {
            let mut u = json!({"userName": format!("{}user{i:02}", if i % 3 == 0 { "A" } else { "b" }),
                "externalId": format!("e{}", i % 4), "active": i % 2 == 0});
            if i % 5 != 0 {
                u["title"] = json!(format!("title {}", i % 7));
            }
            if i % 6 == 0 {
                u["emails"] = json!([{"value": format!("u{i}@example.com"), "type": "work"}]);
            }
            u
        })
        .collect()
}

#[tokio::test]
async fn query_results_equal_evaluating_the_filter_on_every_resource() {
    let r = registry();
    let users = r.resource_type("User").unwrap();
    let store = InMemoryStore::new();
    let mut all = Vec::new();
    for u in dataset() {
        all.push(store.create(&ctx(), users, res("User", u)).await.unwrap());
    }
    let some_id = all[7].id().unwrap().to_owned();
    let filters = vec![
        eq("userName", "AUSER03"),
        eq("userName", "buser04"),
        eq("userName", "nobody"),
        eq("externalId", "e1"),
        eq("id", &some_id),
        eq("id", &some_id.to_uppercase()),
        // `id` and `meta` are kept outside the stored document: a scan must see them.
        cmp("id", CompareOp::Sw, &some_id[..3]),
        Filter::Not(Box::new(eq("id", &some_id))),
        Filter::Present("meta.lastModified".parse().unwrap()),
        cmp("meta.resourceType", CompareOp::Eq, "user"),
        Filter::Or(vec![
            eq("userName", "buser05"),
            Filter::Present(AttrPath::new("id")),
        ]),
        cmp("userName", CompareOp::Sw, "a"),
        cmp("title", CompareOp::Co, "3"),
        Filter::Present(AttrPath::new("title")),
        Filter::And(vec![
            eq("externalId", "e2"),
            Filter::Present(AttrPath::new("title")),
        ]),
        Filter::And(vec![eq("userName", "buser05"), eq("externalId", "e0")]),
        Filter::Or(vec![eq("userName", "buser05"), eq("externalId", "e0")]),
        Filter::Or(vec![
            eq("userName", "buser05"),
            cmp("title", CompareOp::Ew, "6"),
        ]),
        Filter::Not(Box::new(eq("externalId", "e3"))),
        Filter::Compare {
            path: AttrPath::new("active"),
            op: CompareOp::Eq,
            value: CompValue::Bool(true),
        },
        Filter::ValuePath {
            path: AttrPath::new("emails"),
            filter: Box::new(eq("type", "work")),
        },
    ];
    for filter in filters {
        let got = store
            .query(&ctx(), users, &query(Some(filter.clone())))
            .await
            .unwrap();
        let want: Vec<&Resource> = all.iter().filter(|r| filter.matches(r, users)).collect();
        assert_eq!(got.total_results, want.len(), "{filter:?}");
        let got_ids: Vec<_> = got.resources.iter().map(|r| r.id()).collect();
        let want_ids: Vec<_> = want.iter().map(|r| r.id()).collect();
        assert_eq!(
            got_ids, want_ids,
            "{filter:?}: same resources, in creation order"
        );
    }
}

#[tokio::test]
async fn paging_is_stable_with_an_exact_total() {
    let r = registry();
    let users = r.resource_type("User").unwrap();
    let store = InMemoryStore::new();
    for u in dataset() {
        store.create(&ctx(), users, res("User", u)).await.unwrap();
    }
    let everything = store.query(&ctx(), users, &Query::default()).await.unwrap();
    assert_eq!(
        (everything.total_results, everything.resources.len()),
        (40, 40)
    );
    let mut paged = Vec::new();
    for start in (1..=40).step_by(7) {
        let q = Query {
            start_index: start,
            count: Some(7),
            ..Query::default()
        };
        let page = store.query(&ctx(), users, &q).await.unwrap();
        assert_eq!(page.total_results, 40);
        paged.extend(page.resources);
    }
    assert_eq!(paged, everything.resources);
    let totals_only = Query {
        count: Some(0),
        ..Query::default()
    };
    let page = store.query(&ctx(), users, &totals_only).await.unwrap();
    assert_eq!((page.total_results, page.resources.len()), (40, 0));
    let beyond = Query {
        start_index: 41,
        ..Query::default()
    };
    assert!(
        store
            .query(&ctx(), users, &beyond)
            .await
            .unwrap()
            .resources
            .is_empty()
    );
    let cursor = Query {
        cursor: Some(String::new()),
        ..Query::default()
    };
    assert!(store.query(&ctx(), users, &cursor).await.is_err());
}

#[tokio::test]
async fn sorted_pages_follow_sort_then_id() {
    let r = registry();
    let users = r.resource_type("User").unwrap();
    let store = InMemoryStore::new();
    for u in dataset() {
        store.create(&ctx(), users, res("User", u)).await.unwrap();
    }
    for (by, order) in [
        ("title", SortOrder::Ascending),
        ("title", SortOrder::Descending),
        ("id", SortOrder::Descending),
        ("meta.created", SortOrder::Ascending),
    ] {
        let sort = Sort {
            by: by.parse().unwrap(),
            order,
        };
        let full = store
            .query(
                &ctx(),
                users,
                &Query {
                    sort: Some(sort.clone()),
                    ..Query::default()
                },
            )
            .await
            .unwrap();
        for pair in full.resources.windows(2) {
            let ord = sort.compare(&pair[0], &pair[1], users);
            assert!(
                ord.then_with(|| pair[0].id().cmp(&pair[1].id())).is_lt(),
                "{order:?}"
            );
        }
        let q = Query {
            sort: Some(sort),
            start_index: 6,
            count: Some(10),
            ..Query::default()
        };
        let page = store.query(&ctx(), users, &q).await.unwrap();
        assert_eq!(
            page.resources,
            full.resources[5..15],
            "a partial sort gives the same page"
        );
    }
}

#[tokio::test]
async fn membership_fills_members_and_derives_user_groups() {
    let r = registry();
    let (users, groups) = (
        r.resource_type("User").unwrap(),
        r.resource_type("Group").unwrap(),
    );
    let store = InMemoryStore::new();
    let alice = add_user(&store, "alice").await;
    let bob = add_user(&store, "bob").await;
    let (a, b) = (alice.id().unwrap(), bob.id().unwrap());
    let admins = store
        .create(&ctx(), groups, res("Group", json!({"displayName": "Admins",
            "members": [{"value": a}, {"value": b, "display": "Bobby", "$ref": null}, {"value": a}]})))
        .await
        .unwrap();
    assert_eq!(
        admins.get("members").unwrap(),
        &json!([
            {"value": a, "display": "alice display", "type": "User"},
            {"value": b, "display": "Bobby", "type": "User"},
        ])
    );
    let g = admins.id().unwrap();
    let nested = store
        .create(
            &ctx(),
            groups,
            res(
                "Group",
                json!({"displayName": "All", "members": [{"value": g}, {"value": a}]}),
            ),
        )
        .await
        .unwrap();
    assert_eq!(nested.get("members").unwrap()[0]["type"], "Group");
    let alice_now = store.get(&ctx(), users, a).await.unwrap();
    assert_eq!(
        alice_now.get("groups").unwrap(),
        &json!([
            {"value": g, "display": "Admins", "type": "direct"},
            {"value": nested.id().unwrap(), "display": "All", "type": "direct"},
        ])
    );
    assert_eq!(
        alice_now.version(),
        Some("W/\"3\""),
        "joining a group changes the user"
    );
    // Filters over membership use the index in both directions.
    let of_alice = store
        .query(&ctx(), groups, &query(Some(eq("members.value", a))))
        .await
        .unwrap();
    assert_eq!(of_alice.total_results, 2);
    let vp = Filter::ValuePath {
        path: AttrPath::new("members"),
        filter: Box::new(eq("value", b)),
    };
    assert_eq!(
        store
            .query(&ctx(), groups, &query(Some(vp)))
            .await
            .unwrap()
            .total_results,
        1
    );
    let in_admins = store
        .query(&ctx(), users, &query(Some(eq("groups.value", g))))
        .await
        .unwrap();
    assert_eq!(in_admins.total_results, 2);
    // Deleting a user removes it from every group; deleting a group from its members' groups.
    store.delete(&ctx(), users, a, None).await.unwrap();
    let admins = store.get(&ctx(), groups, g).await.unwrap();
    assert_eq!(member_ids(&admins), [b]);
    assert_eq!(
        member_ids(
            &store
                .get(&ctx(), groups, nested.id().unwrap())
                .await
                .unwrap()
        ),
        [g]
    );
    store.delete(&ctx(), groups, g, None).await.unwrap();
    assert!(group_ids(&store.get(&ctx(), users, b).await.unwrap()).is_empty());
    assert!(
        store
            .get(&ctx(), groups, nested.id().unwrap())
            .await
            .unwrap()
            .get("members")
            .is_none()
    );
}

#[tokio::test]
async fn unknown_members_are_rejected_or_ignored() {
    let r = registry();
    let groups = r.resource_type("Group").unwrap();
    let strict = InMemoryStore::new();
    let body = || {
        res(
            "Group",
            json!({"displayName": "G", "members": [{"value": "nope"}]}),
        )
    };
    let err = strict.create(&ctx(), groups, body()).await.unwrap_err();
    assert!(
        matches!(&err, StoreError::Invalid(d) if d.contains("\"nope\"")),
        "{err:?}"
    );
    let lax = InMemoryStore::builder()
        .unknown_members(UnknownMembers::Ignore)
        .build();
    assert!(
        lax.create(&ctx(), groups, body())
            .await
            .unwrap()
            .get("members")
            .is_none()
    );
    // A user of another tenant is unknown here.
    let other = RequestContext::new("other");
    let users = r.resource_type("User").unwrap();
    let stranger = strict
        .create(&other, users, res("User", json!({"userName": "x"})))
        .await
        .unwrap();
    let g = res(
        "Group",
        json!({"displayName": "G", "members": [{"value": stranger.id().unwrap()}]}),
    );
    assert!(matches!(
        strict.create(&ctx(), groups, g).await,
        Err(StoreError::Invalid(_))
    ));
}

#[tokio::test]
async fn member_patches_apply_deltas_atomically() {
    let r = registry();
    let groups = r.resource_type("Group").unwrap();
    let store = InMemoryStore::new();
    let ids: Vec<String> = {
        let mut ids = Vec::new();
        for name in ["a", "b", "c"] {
            ids.push(add_user(&store, name).await.id().unwrap().to_owned());
        }
        ids
    };
    store
        .create(
            &ctx(),
            groups,
            res("Group", json!({"displayName": "Taken"})),
        )
        .await
        .unwrap();
    let g = store
        .create(&ctx(), groups, res("Group", json!({"displayName": "G"})))
        .await
        .unwrap();
    let g = g.id().unwrap();
    let add = |id: &str| {
        op(
            PatchOpKind::Add,
            Some("members"),
            Some(json!([{"value": id}])),
        )
    };
    let out = store
        .patch(
            &ctx(),
            groups,
            g,
            &patch(vec![add(&ids[0]), add(&ids[1])]),
            None,
        )
        .await
        .unwrap();
    assert_eq!(member_ids(&out), [ids[0].clone(), ids[1].clone()]);
    assert_eq!(out.version(), Some("W/\"2\""));
    let remove = op(
        PatchOpKind::Remove,
        Some(&format!("members[value eq \"{}\"]", ids[0])),
        None,
    );
    let out = store
        .patch(&ctx(), groups, g, &patch(vec![remove, add(&ids[2])]), None)
        .await
        .unwrap();
    assert_eq!(member_ids(&out), [ids[1].clone(), ids[2].clone()]);
    // A rename onto a taken name fails, and the member change with it.
    let rename = op(
        PatchOpKind::Replace,
        Some("displayName"),
        Some(json!("taken")),
    );
    let err = store
        .patch(&ctx(), groups, g, &patch(vec![add(&ids[0]), rename]), None)
        .await;
    assert!(matches!(err, Err(StoreError::Conflict { .. })));
    // An unknown member fails the whole PATCH too.
    let err = store
        .patch(
            &ctx(),
            groups,
            g,
            &patch(vec![add(&ids[0]), add("ghost")]),
            None,
        )
        .await;
    assert!(matches!(err, Err(StoreError::Invalid(_))));
    let now = store.get(&ctx(), groups, g).await.unwrap();
    assert_eq!(member_ids(&now), [ids[1].clone(), ids[2].clone()]);
    assert_eq!(now.version(), Some("W/\"3\""));
    // Okta's full push, and a rename with it.
    let push = op(
        PatchOpKind::Replace,
        Some("members"),
        Some(json!([{"value": ids[2]}, {"value": ids[0]}])),
    );
    let rename = op(PatchOpKind::Replace, Some("displayName"), Some(json!("G2")));
    let out = store
        .patch(&ctx(), groups, g, &patch(vec![push, rename]), None)
        .await
        .unwrap();
    assert_eq!(
        member_ids(&out),
        [ids[2].clone(), ids[0].clone()],
        "a kept member keeps its place"
    );
    assert_eq!(out.get("displayName").unwrap(), "G2");
    assert_eq!(
        store
            .query(&ctx(), groups, &query(Some(eq("displayName", "g"))))
            .await
            .unwrap()
            .total_results,
        0
    );
}

#[tokio::test]
async fn a_rename_keeps_the_members() {
    let r = registry();
    let groups = r.resource_type("Group").unwrap();
    let store = InMemoryStore::new();
    let a = add_user(&store, "a").await;
    let a = a.id().unwrap();
    let g = store
        .create(
            &ctx(),
            groups,
            res(
                "Group",
                json!({"displayName": "G", "members": [{"value": a}]}),
            ),
        )
        .await
        .unwrap();
    let rename = patch(vec![op(
        PatchOpKind::Replace,
        Some("displayName"),
        Some(json!("H")),
    )]);
    assert!(rename.operations.iter().all(|o| o.path.is_some()));
    let out = store
        .patch(&ctx(), groups, g.id().unwrap(), &rename, None)
        .await
        .unwrap();
    assert_eq!(
        (out.get("displayName").unwrap(), member_ids(&out)),
        (&json!("H"), vec![a.to_owned()])
    );
    // A member filter beyond `value eq` goes through the whole-document path.
    let replace = patch(vec![op(
        PatchOpKind::Remove,
        Some("members[type eq \"User\"]"),
        None,
    )]);
    assert!(replace.member_delta(groups).is_none());
    let out = store
        .patch(&ctx(), groups, g.id().unwrap(), &replace, None)
        .await
        .unwrap();
    assert!(out.get("members").is_none());
}

#[tokio::test]
async fn excluded_members_are_not_materialized() {
    let r = registry();
    let groups = r.resource_type("Group").unwrap();
    let store = InMemoryStore::new();
    let a = add_user(&store, "a").await;
    store
        .create(
            &ctx(),
            groups,
            res(
                "Group",
                json!({"displayName": "G", "members": [{"value": a.id().unwrap()}]}),
            ),
        )
        .await
        .unwrap();
    let q = Query {
        filter: Some(eq("displayName", "G")),
        excluded_attributes: vec![AttrPath::new("members")],
        ..Query::default()
    };
    let page = store.query(&ctx(), groups, &q).await.unwrap();
    assert_eq!(page.total_results, 1);
    assert!(page.resources[0].get("members").is_none());
    let q = Query {
        attributes: vec![AttrPath::new("displayName")],
        ..Query::default()
    };
    assert!(
        store.query(&ctx(), groups, &q).await.unwrap().resources[0]
            .get("members")
            .is_none()
    );
    let q = Query {
        attributes: vec![AttrPath::new("members").with_sub_attribute("value")],
        ..Query::default()
    };
    assert!(
        store.query(&ctx(), groups, &q).await.unwrap().resources[0]
            .get("members")
            .is_some()
    );
}

#[tokio::test]
async fn tenants_are_walls() {
    let r = registry();
    let users = r.resource_type("User").unwrap();
    let store = InMemoryStore::new();
    let (acme, globex) = (RequestContext::new("acme"), RequestContext::new("globex"));
    let a = store
        .create(&acme, users, res("User", json!({"userName": "same"})))
        .await
        .unwrap();
    let g = store
        .create(&globex, users, res("User", json!({"userName": "same"})))
        .await
        .unwrap();
    assert_ne!(a.id(), g.id());
    let id = a.id().unwrap();
    assert!(matches!(
        store.get(&globex, users, id).await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(store.delete(&globex, users, id, None).await.is_err());
    assert_eq!(
        store
            .query(&globex, users, &query(Some(eq("id", id))))
            .await
            .unwrap()
            .total_results,
        0
    );
    assert_eq!(
        store
            .query(&RequestContext::new("nobody"), users, &Query::default())
            .await
            .unwrap()
            .total_results,
        0
    );
    let spoofed =
        RequestContext::new("acme").with_principal(crate::Principal::new("globex", ["SCIM2"]));
    assert!(matches!(
        store.get(&spoofed, users, id).await,
        Err(StoreError::Rejected(_))
    ));
}

#[tokio::test]
async fn patch_excluding_members_does_not_return_them() {
    let r = registry();
    let groups = r.resource_type("Group").unwrap();
    let store = InMemoryStore::new();
    let a = add_user(&store, "a").await;
    let a = a.id().unwrap();
    let g = store
        .create(&ctx(), groups, res("Group", json!({"displayName": "G"})))
        .await
        .unwrap();
    let g = g.id().unwrap();
    let add = patch(vec![op(
        PatchOpKind::Add,
        Some("members"),
        Some(json!([{"value": a}])),
    )]);
    let excluded = [AttrPath::new("members")];
    let out = store
        .patch_excluding(&ctx(), groups, g, &add, None, &excluded)
        .await
        .unwrap();
    assert!(out.get("members").is_none());
    assert_eq!(out.version(), Some("W/\"2\""));
    assert_eq!(
        member_ids(&store.get(&ctx(), groups, g).await.unwrap()),
        [a.to_owned()]
    );
}
