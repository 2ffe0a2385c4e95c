use serde_json::{Value, json};

use super::planner;
use super::*;
use crate::filter::{AttrPath, CompValue, CompareOp, Filter, PatchPath};
use crate::patch::{PatchOpKind, PatchOperation};
use crate::schema::registry::SchemaRegistry;

fn registry() -> SchemaRegistry {
    SchemaRegistry::with_builtins()
}

fn ctx() -> RequestContext {
    RequestContext::new("acme")
}

fn res(kind: &str, v: Value) -> Resource {
    Resource::from_value_unchecked(kind, v).unwrap()
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
    PatchRequest::new_unchecked(operations)
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

/// What the store contract leaves open, the in-memory store fixes: ids are UUIDs,
/// versions count writes from `W/"1"`, and the stored document keeps only the client's
/// own attributes, in a fixed order.
#[tokio::test]
async fn ids_are_uuids_and_versions_count_from_one() {
    let r = registry();
    let users = r.resource_type("User").unwrap();
    let store = InMemoryStore::new();
    let input = json!({"schemas": [crate::schema::USER_SCHEMA], "id": "bulkId:x", "userName": "alice",
        "meta": {"resourceType": "Nonsense", "version": "W/\"99\""}, "groups": []});
    let created = store
        .create(&ctx(), users, res("User", input))
        .await
        .unwrap();
    let id = created.id().unwrap();
    assert!(uuid::Uuid::parse_str(id).is_ok(), "{id} is a uuid");
    assert_eq!(created.version(), Some("W/\"1\""));
    let keys: Vec<&String> = created.attributes().keys().collect();
    assert_eq!(keys, ["schemas", "id", "userName", "meta"]);
}

/// `unique_group_display_name(false)` lets two groups share a name (the store then no
/// longer keeps the contract), and the index still answers `displayName eq`.
#[tokio::test]
async fn group_display_name_uniqueness_can_be_switched_off() {
    let r = registry();
    let groups = r.resource_type("Group").unwrap();
    let lax = InMemoryStore::builder()
        .unique_group_display_name(false)
        .build();
    for _ in 0..2 {
        lax.create(
            &ctx(),
            groups,
            res("Group", json!({"displayName": "Admins"})),
        )
        .await
        .unwrap();
    }
    let found = lax
        .query(&ctx(), groups, &query(Some(eq("displayName", "ADMINS"))))
        .await
        .unwrap();
    assert_eq!(
        found.total_results, 2,
        "the non-unique index still answers eq"
    );
}

/// Versions count writes, and an expected version matches by its opaque part, so `"2"`
/// matches `W/"2"` (RFC 7644 §3.14 uses weak ETags with `If-Match`).
#[tokio::test]
async fn versions_count_writes_and_compare_weakly() {
    let r = registry();
    let users = r.resource_type("User").unwrap();
    let store = InMemoryStore::new();
    let alice = add_user(&store, "alice").await;
    let id = alice.id().unwrap();
    let body = || res("User", json!({"userName": "alice", "title": "x"}));
    let v2 = store
        .replace(&ctx(), users, id, body(), Some("W/\"1\""))
        .await
        .unwrap();
    assert_eq!(v2.version(), Some("W/\"2\""));
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

/// Without a sort, results come in creation order, whether the planner answers from an
/// index, a union of indexes, or a scan.
#[tokio::test]
async fn unsorted_results_come_in_creation_order() {
    let r = registry();
    let users = r.resource_type("User").unwrap();
    let store = InMemoryStore::new();
    let mut all = Vec::new();
    for u in dataset() {
        all.push(store.create(&ctx(), users, res("User", u)).await.unwrap());
    }
    let filters = vec![
        eq("externalId", "e1"),
        eq("userName", "AUSER03"),
        Filter::Or(vec![eq("userName", "buser05"), eq("externalId", "e0")]),
        cmp("title", CompareOp::Co, "3"),
        Filter::Not(Box::new(eq("externalId", "e3"))),
    ];
    for filter in filters {
        let got = store
            .query(&ctx(), users, &query(Some(filter.clone())))
            .await
            .unwrap();
        let got_ids: Vec<_> = got.resources.iter().map(|r| r.id()).collect();
        let want_ids: Vec<_> = all
            .iter()
            .filter(|r| filter.matches(r, users))
            .map(|r| r.id())
            .collect();
        assert_eq!(got_ids, want_ids, "{filter:?}");
    }
}

/// RFC 9865: the empty cursor starts a walk; each page names the next; the last names
/// none; every resource comes once, in the order of `startIndex` paging. A cursor of
/// another query, or of nobody, is `400 invalidCursor`.
#[tokio::test]
async fn cursors_walk_the_list_once() {
    let r = registry();
    let users = r.resource_type("User").unwrap();
    let store = InMemoryStore::new();
    for n in 0..20 {
        add_user(&store, &format!("user{n}")).await;
    }
    let everything = store.query(&ctx(), users, &Query::default()).await.unwrap();
    let mut walked = Vec::new();
    let mut cursor = Some(String::new());
    while let Some(c) = cursor {
        let page = Query {
            cursor: Some(c),
            count: Some(7),
            ..Query::default()
        };
        let result = store.query(&ctx(), users, &page).await.unwrap();
        assert_eq!(result.total_results, everything.total_results);
        walked.extend(result.resources);
        cursor = result.next_cursor;
    }
    assert_eq!(walked, everything.resources);
    // `count=0` asks for the total only: no page, so no next one to walk to.
    let total_only = Query {
        cursor: Some(String::new()),
        count: Some(0),
        ..Query::default()
    };
    let result = store.query(&ctx(), users, &total_only).await.unwrap();
    assert_eq!(
        (
            result.resources.len(),
            result.total_results,
            result.next_cursor
        ),
        (0, 20, None)
    );
    let first = Query {
        cursor: Some(String::new()),
        count: Some(7),
        ..Query::default()
    };
    let next = store
        .query(&ctx(), users, &first)
        .await
        .unwrap()
        .next_cursor
        .unwrap();
    for (filter, cursor) in [(Some("userName pr"), next.as_str()), (None, "00zz")] {
        let replay = Query {
            filter: filter.map(|f| f.parse().unwrap()),
            cursor: Some(cursor.to_owned()),
            count: Some(7),
            ..Query::default()
        };
        let err: ScimError = store
            .query(&ctx(), users, &replay)
            .await
            .unwrap_err()
            .into();
        assert_eq!(err.scim_type(), Some(crate::error::ScimType::InvalidCursor));
    }
}

/// Beyond the contract: a member's `display` given by the client is kept, `$ref` is not
/// stored (the engine renders it), members keep their order, and joining a group is a
/// write of the user (its version advances, as its `groups` changed).
#[tokio::test]
async fn member_objects_and_user_versions() {
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
    assert_eq!(group_ids(&store.get(&ctx(), users, b).await.unwrap()), [g]);
}

/// `UnknownMembers::Ignore` drops members that are no User or Group of the tenant
/// instead of refusing the write (the contract's default refuses it).
#[tokio::test]
async fn unknown_members_can_be_ignored() {
    let r = registry();
    let groups = r.resource_type("Group").unwrap();
    let lax = InMemoryStore::builder()
        .unknown_members(UnknownMembers::Ignore)
        .build();
    let body = res(
        "Group",
        json!({"displayName": "G", "members": [{"value": "nope"}]}),
    );
    assert!(
        lax.create(&ctx(), groups, body)
            .await
            .unwrap()
            .get("members")
            .is_none()
    );
}

/// Member changes go to the membership index as deltas: a PATCH is one write (one
/// version) however many operations it has, a failed one is none, and a full push keeps
/// the place of the members it keeps.
#[tokio::test]
async fn member_deltas_are_one_write_and_keep_order() {
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
    assert_eq!(now.version(), Some("W/\"3\""), "a failed PATCH is no write");
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
    assert_eq!(out.version(), Some("W/\"4\""));
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

/// Defence in depth beyond the contract: a context whose principal belongs to another
/// tenant than the one it names is refused, whatever the engine checked before.
#[tokio::test]
async fn a_principal_of_another_tenant_is_refused() {
    let r = registry();
    let users = r.resource_type("User").unwrap();
    let store = InMemoryStore::new();
    let a = add_user(&store, "same").await;
    let spoofed =
        RequestContext::new("acme").with_principal(crate::Principal::new("globex", ["SCIM2"]));
    assert!(matches!(
        store.get(&spoofed, users, a.id().unwrap()).await,
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
    // Only `members` itself spares reading them: excluding a sub-attribute of them, or
    // of anything else, still returns them.
    for excluded in ["members.display", "meta.created"] {
        let excluded = [excluded.parse::<AttrPath>().unwrap()];
        let out = store
            .patch_excluding(&ctx(), groups, g, &add, None, &excluded)
            .await
            .unwrap();
        assert_eq!(member_ids(&out), [a.to_owned()], "{excluded:?}");
    }
}

/// Whatever an index answers, a filtered list is what evaluating the filter over every
/// resource gives: the case rule of `members.value` (caseExact), sub-attribute paths
/// that only look like indexed ones, and unique attributes that no index can hold
/// (multi-valued, complex).
#[tokio::test]
async fn index_answers_agree_with_evaluation() {
    use crate::schema::Uniqueness;
    use crate::schema::attribute::{Attribute, AttributeType};
    use crate::schema::definition::{ResourceType, Schema};

    let mut r = registry();
    let badge = Schema::new("urn:example:Badge", "Badge")
        .attribute(
            Attribute::new("tags", AttributeType::String)
                .multi_valued(true)
                .uniqueness(Uniqueness::Server),
        )
        .attribute(
            Attribute::complex(
                "holder",
                vec![Attribute::new("value", AttributeType::String)],
            )
            .uniqueness(Uniqueness::Server),
        );
    let badge = r.add_schema(badge).unwrap();
    r.add_resource_type(ResourceType::new("Badge", "/Badges", badge))
        .unwrap();
    let (users, groups, badges) = (
        r.resource_type("User").unwrap(),
        r.resource_type("Group").unwrap(),
        r.resource_type("Badge").unwrap(),
    );
    let store = InMemoryStore::new();
    let alice = store
        .create(
            &ctx(),
            users,
            res(
                "User",
                json!({"userName": "alice", "externalId": "e1", "emails": [{"value": "alice@example.com"}]}),
            ),
        )
        .await
        .unwrap();
    let alice = alice.id().unwrap().to_owned();
    store
        .create(
            &ctx(),
            groups,
            res(
                "Group",
                json!({"displayName": "G", "members": [{"value": alice}]}),
            ),
        )
        .await
        .unwrap();
    store
        .create(
            &ctx(),
            badges,
            res(
                "Badge",
                json!({"tags": ["red", "blue"], "holder": {"value": "h1"}}),
            ),
        )
        .await
        .unwrap();
    let upper = alice.to_uppercase();
    let cases: Vec<(&ResourceType, String)> = vec![
        (groups, format!("members.value eq \"{alice}\"")),
        (groups, format!("members.value eq \"{upper}\"")),
        (groups, format!("members[value eq \"{upper}\"]")),
        (groups, format!("members[value.x eq \"{alice}\"]")),
        // Other sub-attributes of members are not ids: no membership lookup for them.
        (groups, "members.display eq \"alice\"".to_owned()),
        (groups, "members.type eq \"User\"".to_owned()),
        (users, format!("groups.value eq \"{upper}\"")),
        (users, "emails.value eq \"alice@example.com\"".to_owned()),
        (users, "emails[value eq \"alice@example.com\"]".to_owned()),
        // An exact index answer for one clause leaves the others to evaluate.
        (
            users,
            "externalId eq \"e1\" and userName eq \"alice\"".to_owned(),
        ),
        (
            users,
            "externalId eq \"e1\" and displayName eq \"nobody\"".to_owned(),
        ),
        (badges, "tags eq \"red\"".to_owned()),
        (badges, "holder eq \"h1\"".to_owned()),
        (badges, "holder.value eq \"h1\"".to_owned()),
    ];
    for (rt, text) in cases {
        let filter: Filter = text.parse().unwrap();
        let everything = store.query(&ctx(), rt, &query(None)).await.unwrap();
        let prepared = filter.prepare(rt);
        let want: Vec<_> = everything
            .resources
            .iter()
            .filter(|r| prepared.matches(r))
            .map(|r| r.id().unwrap().to_owned())
            .collect();
        let got = store.query(&ctx(), rt, &query(Some(filter))).await.unwrap();
        let got: Vec<_> = got
            .resources
            .iter()
            .map(|r| r.id().unwrap().to_owned())
            .collect();
        assert_eq!(got, want, "{text}");
    }
}

/// In a list too, only `excludedAttributes=members` itself spares building members:
/// excluding a sub-attribute of them, or of anything else, still returns them.
#[tokio::test]
async fn list_excluding_a_sub_attribute_still_returns_members() {
    let r = registry();
    let groups = r.resource_type("Group").unwrap();
    let store = InMemoryStore::new();
    let a = add_user(&store, "a").await;
    let a = a.id().unwrap();
    store
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
    for excluded in ["members.display", "meta.created"] {
        let q = Query {
            excluded_attributes: vec![excluded.parse::<AttrPath>().unwrap()],
            ..Query::default()
        };
        let listed = store.query(&ctx(), groups, &q).await.unwrap();
        assert_eq!(
            member_ids(&listed.resources[0]),
            [a.to_owned()],
            "{excluded}"
        );
    }
    let q = Query {
        excluded_attributes: vec![AttrPath::new("members")],
        ..Query::default()
    };
    let listed = store.query(&ctx(), groups, &q).await.unwrap();
    assert!(listed.resources[0].get("members").is_none());
}

/// A PATCH that selects members by something else than `value` (their `display`)
/// goes the general way, with the members loaded, and its change is kept.
#[tokio::test]
async fn a_patch_selecting_members_by_display_is_kept() {
    let r = registry();
    let groups = r.resource_type("Group").unwrap();
    let store = InMemoryStore::new();
    let a = add_user(&store, "a").await;
    let b = add_user(&store, "b").await;
    let (a, b) = (a.id().unwrap(), b.id().unwrap());
    let g = store
        .create(
            &ctx(),
            groups,
            res(
                "Group",
                json!({"displayName": "G", "members": [{"value": a}, {"value": b}]}),
            ),
        )
        .await
        .unwrap();
    let g = g.id().unwrap();
    let remove = patch(vec![op(
        PatchOpKind::Remove,
        Some("members[display eq \"a display\"]"),
        None,
    )]);
    store.patch(&ctx(), groups, g, &remove, None).await.unwrap();
    let stored = store.get(&ctx(), groups, g).await.unwrap();
    assert_eq!(member_ids(&stored), [b.to_owned()]);
}

/// A replace (PUT) is the whole group: without `members`, or with `null`, it has none
/// left. Members that are not a list are refused.
#[tokio::test]
async fn a_group_replaced_without_members_has_none() {
    let r = registry();
    let groups = r.resource_type("Group").unwrap();
    let store = InMemoryStore::new();
    let a = add_user(&store, "a").await;
    let a = a.id().unwrap();
    for body in [
        json!({"displayName": "G"}),
        json!({"displayName": "G", "members": null}),
    ] {
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
        let g = g.id().unwrap();
        let replaced = store
            .replace(&ctx(), groups, g, res("Group", body.clone()), None)
            .await
            .unwrap();
        assert!(replaced.get("members").is_none(), "{body}");
        store.delete(&ctx(), groups, g, None).await.unwrap();
    }
    let refused = store
        .create(
            &ctx(),
            groups,
            res("Group", json!({"displayName": "H", "members": "x"})),
        )
        .await;
    assert!(
        matches!(refused, Err(StoreError::Invalid(_))),
        "{refused:?}"
    );
}

/// Members of both types get their `display` from their own resource: a user's
/// displayName, a nested group's displayName, in whatever order they come.
#[tokio::test]
async fn members_of_both_types_get_their_own_display() {
    let r = registry();
    let groups = r.resource_type("Group").unwrap();
    let store = InMemoryStore::new();
    let a = add_user(&store, "a").await;
    let a = a.id().unwrap();
    let h = store
        .create(&ctx(), groups, res("Group", json!({"displayName": "H"})))
        .await
        .unwrap();
    let h = h.id().unwrap();
    let b = add_user(&store, "b").await;
    let b = b.id().unwrap();
    let g = store
        .create(
            &ctx(),
            groups,
            res(
                "Group",
                json!({"displayName": "G", "members": [{"value": a}, {"value": h}, {"value": b}]}),
            ),
        )
        .await
        .unwrap();
    let displays: Vec<(&str, &str)> = g
        .get("members")
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["type"].as_str().unwrap(),
                m["display"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        displays,
        [("User", "a display"), ("Group", "H"), ("User", "b display")]
    );
}
