//! The store contract: what every [`ResourceStore`] must do, as async functions over
//! any store, so that one suite checks the in-memory store, a host app's store and a
//! SQL store alike.
//!
//! Each case takes a fresh, empty store (as `Arc<dyn ResourceStore>`: the concurrency
//! cases share it between tasks) and panics when the store breaks the contract.
//! [`store_contract_tests!`](crate::store_contract_tests) turns every case into a
//! `#[test]` for a store factory:
//!
//! ```ignore
//! scim_conformance::store_contract_tests!(std::sync::Arc::new(scim_core::InMemoryStore::new()));
//! ```
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "a test suite: a broken expectation is a failed test"
)]

use std::collections::BTreeSet;
use std::future::Future;
use std::sync::{Arc, OnceLock};

use scim_core::{
    AttrPath, Filter, PatchOptions, PatchRequest, Query, RequestContext, Resource, ResourceStore,
    ResourceType, SchemaRegistry, Sort, SortOrder, StoreError,
};
use serde_json::{Value, json};

/// The store every case runs against.
pub type Store = Arc<dyn ResourceStore>;

fn registry() -> &'static SchemaRegistry {
    static REGISTRY: OnceLock<SchemaRegistry> = OnceLock::new();
    REGISTRY.get_or_init(SchemaRegistry::with_builtins)
}

fn users() -> &'static ResourceType {
    registry().resource_type("User").unwrap()
}

fn groups() -> &'static ResourceType {
    registry().resource_type("Group").unwrap()
}

fn ctx() -> RequestContext {
    RequestContext::new("tenant-a")
}

fn user(user_name: &str) -> Resource {
    Resource::from_value(
        "User",
        json!({"schemas": [scim_core::USER_SCHEMA], "userName": user_name, "displayName": format!("{user_name} D")}),
    )
    .unwrap()
}

fn group(display_name: &str, members: &[&str]) -> Resource {
    let members: Vec<Value> = members.iter().map(|id| json!({"value": id})).collect();
    Resource::from_value(
        "Group",
        json!({"schemas": [scim_core::GROUP_SCHEMA], "displayName": display_name, "members": members}),
    )
    .unwrap()
}

fn patch(rt: &ResourceType, operations: Value) -> PatchRequest {
    let message = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": operations});
    PatchRequest::from_value(message, rt, &PatchOptions::default()).unwrap()
}

fn filter(text: &str) -> Filter {
    text.parse().unwrap()
}

fn query(filter_text: Option<&str>) -> Query {
    let mut q = Query::default();
    q.filter = filter_text.map(filter);
    q
}

async fn create_user(store: &Store, user_name: &str) -> String {
    let created = store
        .create(&ctx(), users(), user(user_name))
        .await
        .unwrap();
    created.id().unwrap().to_owned()
}

fn values_of(resource: &Resource, attribute: &str) -> BTreeSet<String> {
    resource
        .get(attribute)
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .map(|m| m["value"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn ids(resources: &[Resource]) -> Vec<String> {
    resources
        .iter()
        .map(|r| r.id().unwrap().to_owned())
        .collect()
}

/// Runs a case on a fresh multi-threaded runtime (so that the concurrency cases really
/// run in parallel), for test crates that do not depend on tokio themselves.
pub fn run(case: impl Future<Output = ()>) {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .unwrap()
        .block_on(case);
}

/// `create` assigns `id`, `meta` and a version; `get` returns what `create` returned.
pub async fn create_assigns_identity(store: Store) {
    let mut body = user("alice");
    body.attributes_mut()
        .insert("id".into(), json!("bulkId:qwerty"));
    let created = store.create(&ctx(), users(), body).await.unwrap();
    let id = created.id().expect("an id");
    assert!(
        !id.is_empty() && !id.contains("bulkId"),
        "server-assigned id, got {id}"
    );
    let meta = created.get("meta").expect("meta");
    assert_eq!(meta["resourceType"], "User");
    for field in ["created", "lastModified", "version"] {
        assert!(meta[field].is_string(), "meta.{field} is set");
    }
    assert_eq!(created.get("userName"), Some(&json!("alice")));
    assert_eq!(store.get(&ctx(), users(), id).await.unwrap(), created);
    let other = store.create(&ctx(), users(), user("bob")).await.unwrap();
    assert_ne!(other.id(), created.id(), "ids are unique");
}

/// Unknown ids are `NotFound` for `get`, `replace`, `patch` and `delete`; ids are
/// case-sensitive.
pub async fn unknown_ids_are_not_found(store: Store) {
    let id = create_user(&store, "alice").await;
    let missing = "no-such-id";
    assert!(matches!(
        store.get(&ctx(), users(), missing).await,
        Err(StoreError::NotFound { .. })
    ));
    let upper = id.to_uppercase();
    if upper != id {
        assert!(matches!(
            store.get(&ctx(), users(), &upper).await,
            Err(StoreError::NotFound { .. })
        ));
    }
    let replaced = store
        .replace(&ctx(), users(), missing, user("x"), None)
        .await;
    assert!(matches!(replaced, Err(StoreError::NotFound { .. })));
    let p = patch(
        users(),
        json!([{"op": "replace", "path": "title", "value": "x"}]),
    );
    assert!(matches!(
        store.patch(&ctx(), users(), missing, &p, None).await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        store.delete(&ctx(), users(), missing, None).await,
        Err(StoreError::NotFound { .. })
    ));
    // A User id is not a Group.
    assert!(matches!(
        store.get(&ctx(), groups(), &id).await,
        Err(StoreError::NotFound { .. })
    ));
}

/// `replace` replaces wholesale and keeps `id` and `meta.created`; `patch` changes only
/// what it names; `delete` removes.
pub async fn replace_patch_and_delete(store: Store) {
    let mut body = user("alice");
    body.attributes_mut()
        .insert("title".into(), json!("Engineer"));
    let created = store.create(&ctx(), users(), body).await.unwrap();
    let id = created.id().unwrap();
    let replaced = store
        .replace(&ctx(), users(), id, user("alice2"), None)
        .await
        .unwrap();
    assert_eq!(replaced.id(), Some(id));
    assert_eq!(replaced.get("userName"), Some(&json!("alice2")));
    assert_eq!(
        replaced.get("title"),
        None,
        "replace drops attributes it does not carry"
    );
    assert_eq!(
        replaced.get("meta").unwrap()["created"],
        created.get("meta").unwrap()["created"]
    );
    assert_ne!(replaced.version(), created.version());
    let p = patch(
        users(),
        json!([{"op": "add", "path": "title", "value": "Boss"}]),
    );
    let patched = store.patch(&ctx(), users(), id, &p, None).await.unwrap();
    assert_eq!(patched.get("title"), Some(&json!("Boss")));
    assert_eq!(patched.get("displayName"), replaced.get("displayName"));
    assert_eq!(store.get(&ctx(), users(), id).await.unwrap(), patched);
    store.delete(&ctx(), users(), id, None).await.unwrap();
    assert!(matches!(
        store.get(&ctx(), users(), id).await,
        Err(StoreError::NotFound { .. })
    ));
    assert_eq!(
        store
            .query(&ctx(), users(), &Query::default())
            .await
            .unwrap()
            .total_results,
        0
    );
}

/// A failed PATCH changes nothing.
pub async fn failed_patch_changes_nothing(store: Store) {
    let created = store.create(&ctx(), users(), user("alice")).await.unwrap();
    let id = created.id().unwrap();
    let p = patch(
        users(),
        json!([{"op": "replace", "path": "title", "value": "x"},
               {"op": "remove", "path": "emails[type eq \"work\"]"}]),
    );
    let result = store.patch(&ctx(), users(), id, &p, None).await;
    assert!(
        result.is_err(),
        "removing a missing email has no target: {result:?}"
    );
    assert_eq!(store.get(&ctx(), users(), id).await.unwrap(), created);
}

/// `replace`, `patch` and `delete` honour the expected version; every write changes it.
pub async fn versions_are_checked(store: Store) {
    let created = store.create(&ctx(), users(), user("alice")).await.unwrap();
    let id = created.id().unwrap();
    let v1 = created.version().unwrap().to_owned();
    let v2 = store
        .replace(&ctx(), users(), id, user("alice"), Some(&v1))
        .await
        .unwrap();
    let v2 = v2.version().unwrap().to_owned();
    assert_ne!(v1, v2);
    let stale = store
        .replace(&ctx(), users(), id, user("alice"), Some(&v1))
        .await;
    assert!(
        matches!(stale, Err(StoreError::PreconditionFailed { .. })),
        "{stale:?}"
    );
    let p = patch(
        users(),
        json!([{"op": "replace", "path": "title", "value": "x"}]),
    );
    let stale = store.patch(&ctx(), users(), id, &p, Some(&v1)).await;
    assert!(
        matches!(stale, Err(StoreError::PreconditionFailed { .. })),
        "{stale:?}"
    );
    let v3 = store
        .patch(&ctx(), users(), id, &p, Some(&v2))
        .await
        .unwrap();
    let v3 = v3.version().unwrap().to_owned();
    assert_ne!(v3, v2);
    let stale = store.delete(&ctx(), users(), id, Some(&v2)).await;
    assert!(
        matches!(stale, Err(StoreError::PreconditionFailed { .. })),
        "{stale:?}"
    );
    assert_eq!(
        store.get(&ctx(), users(), id).await.unwrap().version(),
        Some(v3.as_str())
    );
    store.delete(&ctx(), users(), id, Some(&v3)).await.unwrap();
}

/// `userName` is unique per tenant, case-insensitively, on create, replace and patch.
pub async fn user_name_is_unique(store: Store) {
    let alice = create_user(&store, "alice").await;
    let bob = create_user(&store, "bob").await;
    for taken in ["alice", "ALICE", "Alice"] {
        match store.create(&ctx(), users(), user(taken)).await {
            Err(StoreError::Conflict { attribute, .. }) => assert_eq!(attribute, "userName"),
            other => panic!("creating {taken:?} must conflict, got {other:?}"),
        }
    }
    let renamed = store
        .replace(&ctx(), users(), &bob, user("aLiCe"), None)
        .await;
    assert!(
        matches!(renamed, Err(StoreError::Conflict { .. })),
        "{renamed:?}"
    );
    let p = patch(
        users(),
        json!([{"op": "replace", "path": "userName", "value": "ALICE"}]),
    );
    let renamed = store.patch(&ctx(), users(), &bob, &p, None).await;
    assert!(
        matches!(renamed, Err(StoreError::Conflict { .. })),
        "{renamed:?}"
    );
    // Re-casing one's own name is no conflict, and a deleted name is free again.
    store
        .replace(&ctx(), users(), &alice, user("ALICE"), None)
        .await
        .unwrap();
    store.delete(&ctx(), users(), &alice, None).await.unwrap();
    store.create(&ctx(), users(), user("alice")).await.unwrap();
}

/// A Group's `displayName` is unique per tenant (Entra ID requires it).
pub async fn group_display_name_is_unique(store: Store) {
    store
        .create(&ctx(), groups(), group("Admins", &[]))
        .await
        .unwrap();
    let dup = store.create(&ctx(), groups(), group("admins", &[])).await;
    assert!(
        matches!(dup, Err(StoreError::Conflict { attribute, .. }) if attribute == "displayName")
    );
    let other = store
        .create(&ctx(), groups(), group("Users", &[]))
        .await
        .unwrap();
    let p = patch(
        groups(),
        json!([{"op": "replace", "path": "displayName", "value": "ADMINS"}]),
    );
    let renamed = store
        .patch(&ctx(), groups(), other.id().unwrap(), &p, None)
        .await;
    assert!(
        matches!(renamed, Err(StoreError::Conflict { .. })),
        "{renamed:?}"
    );
}

async fn seed_users(store: &Store, n: usize) -> Vec<Resource> {
    let mut created = Vec::with_capacity(n);
    for i in 0..n {
        let mut u = json!({"schemas": [scim_core::USER_SCHEMA],
            "userName": format!("{}user{:02}", ["a", "B", "c"][i % 3], (i * 7) % n),
            "externalId": format!("ext-{}", i % 4),
            "active": i % 2 == 0,
            "name": {"familyName": format!("Family{}", i % 5)}});
        if i % 5 != 0 {
            u["title"] = json!(format!("Title {}", i % 6));
        }
        if i % 4 == 0 {
            u["emails"] = json!([{"value": format!("u{i}@example.com"), "type": if i % 8 == 0 { "work" } else { "home" }}]);
        }
        let r = Resource::from_value("User", u).unwrap();
        created.push(store.create(&ctx(), users(), r).await.unwrap());
    }
    created
}

/// Pages by `startIndex`/`count` cover every resource once, in a stable order, each
/// with the exact total; `count: 0` returns only the total.
pub async fn paging_is_exact_and_stable(store: Store) {
    let all = seed_users(&store, 23).await;
    let everything = store
        .query(&ctx(), users(), &Query::default())
        .await
        .unwrap();
    assert_eq!(everything.total_results, 23);
    let mut seen = Vec::new();
    for start in (1..=23).step_by(5) {
        let mut q = Query::default();
        q.start_index = start;
        q.count = Some(5);
        let page = store.query(&ctx(), users(), &q).await.unwrap();
        assert_eq!(page.total_results, 23);
        assert!(page.resources.len() <= 5);
        seen.extend(ids(&page.resources));
    }
    assert_eq!(
        seen,
        ids(&everything.resources),
        "pages concatenate to the whole list"
    );
    let unique: BTreeSet<_> = seen.iter().collect();
    assert_eq!(unique.len(), all.len());
    let mut q = Query::default();
    q.count = Some(0);
    let totals = store.query(&ctx(), users(), &q).await.unwrap();
    assert_eq!((totals.total_results, totals.resources.len()), (23, 0));
    q.count = None;
    q.start_index = 24;
    let beyond = store.query(&ctx(), users(), &q).await.unwrap();
    assert_eq!((beyond.total_results, beyond.resources.len()), (23, 0));
}

/// `sortBy`/`sortOrder` order the results (ties by id), across pages.
pub async fn sort_orders_results(store: Store) {
    seed_users(&store, 20).await;
    for by in ["userName", "title", "name.familyName"] {
        for order in [SortOrder::Ascending, SortOrder::Descending] {
            let sort = Sort {
                by: by.parse::<AttrPath>().unwrap(),
                order,
            };
            let mut q = Query::default();
            q.sort = Some(sort.clone());
            let full = store.query(&ctx(), users(), &q).await.unwrap();
            assert_eq!(full.total_results, 20);
            for pair in full.resources.windows(2) {
                let ordering = sort.compare(&pair[0], &pair[1], users());
                assert!(
                    ordering.is_le(),
                    "{by} {order:?}: {:?} before {:?}",
                    pair[0].get(by),
                    pair[1].get(by)
                );
            }
            q.start_index = 4;
            q.count = Some(7);
            let page = store.query(&ctx(), users(), &q).await.unwrap();
            assert_eq!(
                ids(&page.resources),
                ids(&full.resources[3..10]),
                "{by} {order:?}: pages agree"
            );
        }
    }
}

/// A query returns exactly the resources the filter matches, as evaluated on each
/// resource by `Filter::matches`, whether or not the store uses an index.
pub async fn filter_results_equal_evaluation(store: Store) {
    let all = seed_users(&store, 32).await;
    let some_id = all[5].id().unwrap().to_owned();
    let filters = [
        "userName eq \"Buser07\"".to_owned(),
        "userName eq \"BUSER07\"".to_owned(),
        "userName eq \"nobody\"".to_owned(),
        format!("id eq \"{some_id}\""),
        "externalId eq \"ext-1\"".to_owned(),
        "externalId eq \"EXT-1\"".to_owned(),
        "userName sw \"a\"".to_owned(),
        "title co \"3\"".to_owned(),
        "title pr".to_owned(),
        "not (title pr)".to_owned(),
        "active eq true".to_owned(),
        "name.familyName eq \"family2\"".to_owned(),
        "emails[type eq \"work\"]".to_owned(),
        "emails.value ew \"@example.com\"".to_owned(),
        "externalId eq \"ext-2\" and title pr".to_owned(),
        "userName eq \"cuser02\" and externalId eq \"ext-0\"".to_owned(),
        "userName eq \"cuser02\" or externalId eq \"ext-3\"".to_owned(),
        "userName eq \"cuser02\" or title ew \"5\"".to_owned(),
        "(externalId eq \"ext-1\" or externalId eq \"ext-2\") and active eq false".to_owned(),
        "userName gt \"B\" and userName le \"c\"".to_owned(),
        "meta.resourceType eq \"User\"".to_owned(),
    ];
    for text in filters {
        let f = filter(&text);
        let got = store
            .query(&ctx(), users(), &query(Some(&text)))
            .await
            .unwrap();
        let want: BTreeSet<String> = all
            .iter()
            .filter(|r| f.matches(r, users()))
            .map(|r| r.id().unwrap().to_owned())
            .collect();
        let got_ids: BTreeSet<String> = ids(&got.resources).into_iter().collect();
        assert_eq!(got.total_results, want.len(), "total of {text}");
        assert_eq!(got_ids, want, "results of {text}");
    }
}

/// Members are checked and completed (`type`, `display`); `User.groups` is derived;
/// membership filters work in both directions.
pub async fn membership_and_user_groups(store: Store) {
    let alice = create_user(&store, "alice").await;
    let bob = create_user(&store, "bob").await;
    let admins = store
        .create(&ctx(), groups(), group("Admins", &[&alice, &bob]))
        .await
        .unwrap();
    let admins_id = admins.id().unwrap().to_owned();
    assert_eq!(
        values_of(&admins, "members"),
        BTreeSet::from([alice.clone(), bob.clone()])
    );
    for member in admins.get("members").unwrap().as_array().unwrap() {
        assert_eq!(member["type"], "User");
        assert!(member["display"].is_string(), "display is filled: {member}");
    }
    let all = store
        .create(&ctx(), groups(), group("All", &[&admins_id, &alice]))
        .await
        .unwrap();
    let nested = all.get("members").unwrap().as_array().unwrap();
    assert!(
        nested
            .iter()
            .any(|m| m["value"] == admins_id.as_str() && m["type"] == "Group")
    );
    let alice_now = store.get(&ctx(), users(), &alice).await.unwrap();
    let groups_of_alice = alice_now.get("groups").unwrap().as_array().unwrap();
    assert_eq!(groups_of_alice.len(), 2);
    for g in groups_of_alice {
        assert_eq!(g["type"], "direct");
        assert!(g["display"] == "Admins" || g["display"] == "All", "{g}");
    }
    let member_of_alice = store
        .query(
            &ctx(),
            groups(),
            &query(Some(&format!("members[value eq \"{alice}\"]"))),
        )
        .await
        .unwrap();
    assert_eq!(member_of_alice.total_results, 2);
    let in_admins = store
        .query(
            &ctx(),
            users(),
            &query(Some(&format!("groups.value eq \"{admins_id}\""))),
        )
        .await
        .unwrap();
    assert_eq!(
        ids(&in_admins.resources)
            .into_iter()
            .collect::<BTreeSet<_>>(),
        BTreeSet::from([alice.clone(), bob.clone()])
    );
    // Entra's add and remove, and Okta's full push.
    let carol = create_user(&store, "carol").await;
    let add = patch(
        groups(),
        json!([{"op": "Add", "path": "members", "value": [{"$ref": null, "value": carol}]}]),
    );
    let g = store
        .patch(&ctx(), groups(), &admins_id, &add, None)
        .await
        .unwrap();
    assert_eq!(values_of(&g, "members").len(), 3);
    let remove = patch(
        groups(),
        json!([{"op": "remove", "path": format!("members[value eq \"{bob}\"]")}]),
    );
    let g = store
        .patch(&ctx(), groups(), &admins_id, &remove, None)
        .await
        .unwrap();
    assert_eq!(
        values_of(&g, "members"),
        BTreeSet::from([alice.clone(), carol.clone()])
    );
    assert!(values_of(&store.get(&ctx(), users(), &bob).await.unwrap(), "groups").is_empty());
    let push = patch(
        groups(),
        json!([{"op": "replace", "path": "members", "value": [{"value": bob}]}]),
    );
    let g = store
        .patch(&ctx(), groups(), &admins_id, &push, None)
        .await
        .unwrap();
    assert_eq!(values_of(&g, "members"), BTreeSet::from([bob.clone()]));
    let carol_now = store.get(&ctx(), users(), &carol).await.unwrap();
    assert!(values_of(&carol_now, "groups").is_empty());
    // `excludedAttributes=members` (Entra's group lookup) still finds the group.
    let mut q = query(Some("displayName eq \"admins\""));
    q.excluded_attributes = vec![AttrPath::new("members")];
    let found = store.query(&ctx(), groups(), &q).await.unwrap();
    assert_eq!(ids(&found.resources), [admins_id]);
}

/// Deleting a User removes it from every group; deleting a Group removes it from its
/// members' `groups` (and from groups that contain it).
pub async fn deletes_clean_up_membership(store: Store) {
    let alice = create_user(&store, "alice").await;
    let bob = create_user(&store, "bob").await;
    let g1 = store
        .create(&ctx(), groups(), group("G1", &[&alice, &bob]))
        .await
        .unwrap();
    let g1 = g1.id().unwrap().to_owned();
    let g2 = store
        .create(&ctx(), groups(), group("G2", &[&alice, &g1]))
        .await
        .unwrap();
    let g2 = g2.id().unwrap().to_owned();
    store.delete(&ctx(), users(), &alice, None).await.unwrap();
    assert_eq!(
        values_of(&store.get(&ctx(), groups(), &g1).await.unwrap(), "members"),
        BTreeSet::from([bob.clone()])
    );
    assert_eq!(
        values_of(&store.get(&ctx(), groups(), &g2).await.unwrap(), "members"),
        BTreeSet::from([g1.clone()])
    );
    store.delete(&ctx(), groups(), &g1, None).await.unwrap();
    assert!(values_of(&store.get(&ctx(), users(), &bob).await.unwrap(), "groups").is_empty());
    assert!(values_of(&store.get(&ctx(), groups(), &g2).await.unwrap(), "members").is_empty());
    let by_member = store
        .query(
            &ctx(),
            groups(),
            &query(Some(&format!("members.value eq \"{bob}\""))),
        )
        .await
        .unwrap();
    assert_eq!(by_member.total_results, 0);
}

/// A member that is not a User or Group of the tenant is `Invalid`, and the write
/// does not happen.
pub async fn unknown_members_are_invalid(store: Store) {
    let alice = create_user(&store, "alice").await;
    let created = store
        .create(&ctx(), groups(), group("G", &[&alice, "no-such-user"]))
        .await;
    assert!(
        matches!(created, Err(StoreError::Invalid(_))),
        "{created:?}"
    );
    assert_eq!(
        store
            .query(&ctx(), groups(), &Query::default())
            .await
            .unwrap()
            .total_results,
        0
    );
    let g = store
        .create(&ctx(), groups(), group("G", &[&alice]))
        .await
        .unwrap();
    let stranger = store
        .create(&RequestContext::new("tenant-b"), users(), user("zed"))
        .await
        .unwrap();
    let add = patch(
        groups(),
        json!([{"op": "add", "path": "members", "value": [{"value": stranger.id().unwrap()}]}]),
    );
    let result = store
        .patch(&ctx(), groups(), g.id().unwrap(), &add, None)
        .await;
    assert!(
        matches!(result, Err(StoreError::Invalid(_))),
        "another tenant's user: {result:?}"
    );
    assert_eq!(
        store.get(&ctx(), groups(), g.id().unwrap()).await.unwrap(),
        g
    );
}

/// Tenants share nothing: the same `userName` in two tenants, ids of one invisible to
/// the other, queries and totals per tenant.
pub async fn tenants_are_isolated(store: Store) {
    let (a, b) = (
        RequestContext::new("tenant-a"),
        RequestContext::new("tenant-b"),
    );
    let in_a = store.create(&a, users(), user("same")).await.unwrap();
    let in_b = store.create(&b, users(), user("same")).await.unwrap();
    let id = in_a.id().unwrap();
    assert!(matches!(
        store.get(&b, users(), id).await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        store.replace(&b, users(), id, user("x"), None).await,
        Err(StoreError::NotFound { .. })
    ));
    let p = patch(
        users(),
        json!([{"op": "replace", "path": "title", "value": "x"}]),
    );
    assert!(matches!(
        store.patch(&b, users(), id, &p, None).await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        store.delete(&b, users(), id, None).await,
        Err(StoreError::NotFound { .. })
    ));
    let by_id = store
        .query(&b, users(), &query(Some(&format!("id eq \"{id}\""))))
        .await
        .unwrap();
    assert_eq!(by_id.total_results, 0);
    let all_b = store.query(&b, users(), &Query::default()).await.unwrap();
    assert_eq!(ids(&all_b.resources), [in_b.id().unwrap()]);
    let fresh = store
        .query(&RequestContext::new("tenant-c"), users(), &Query::default())
        .await
        .unwrap();
    assert_eq!(fresh.total_results, 0);
    assert_eq!(
        store.get(&a, users(), id).await.unwrap(),
        in_a,
        "tenant-b changed nothing"
    );
}

/// 50 concurrent creates of one `userName` (in varying case): exactly one succeeds,
/// the others conflict.
pub async fn concurrent_creates_of_one_user_name(store: Store) {
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..50 {
        let store = Arc::clone(&store);
        let name = if i % 2 == 0 { "racer" } else { "RACER" };
        tasks.spawn(async move { store.create(&ctx(), users(), user(name)).await });
    }
    let (mut created, mut conflicts) = (0, 0);
    while let Some(result) = tasks.join_next().await {
        match result.unwrap() {
            Ok(_) => created += 1,
            Err(StoreError::Conflict { .. }) => conflicts += 1,
            Err(other) => panic!("unexpected error {other:?}"),
        }
    }
    assert_eq!((created, conflicts), (1, 49));
    let found = store
        .query(&ctx(), users(), &query(Some("userName eq \"racer\"")))
        .await
        .unwrap();
    assert_eq!(found.total_results, 1);
}

/// 20 concurrent PATCHes, each adding a different member to one group, leave all 20.
pub async fn concurrent_member_adds(store: Store) {
    let mut members = Vec::new();
    for i in 0..20 {
        members.push(create_user(&store, &format!("member{i}")).await);
    }
    let g = store
        .create(&ctx(), groups(), group("Crowd", &[]))
        .await
        .unwrap();
    let g = g.id().unwrap().to_owned();
    let mut tasks = tokio::task::JoinSet::new();
    for member in &members {
        let (store, g) = (Arc::clone(&store), g.clone());
        let add = patch(
            groups(),
            json!([{"op": "add", "path": "members", "value": [{"value": member}]}]),
        );
        tasks.spawn(async move {
            store
                .patch(&ctx(), groups(), &g, &add, None)
                .await
                .map(|_| ())
        });
    }
    while let Some(result) = tasks.join_next().await {
        result.unwrap().unwrap();
    }
    let crowd = store.get(&ctx(), groups(), &g).await.unwrap();
    assert_eq!(
        values_of(&crowd, "members"),
        members.into_iter().collect::<BTreeSet<_>>()
    );
}

/// Two replaces with the same expected version: one succeeds, one fails the precondition.
pub async fn concurrent_replaces_with_one_version(store: Store) {
    for round in 0..10 {
        let created = store
            .create(&ctx(), users(), user(&format!("twin{round}")))
            .await
            .unwrap();
        let id = created.id().unwrap().to_owned();
        let version = created.version().unwrap().to_owned();
        let mut tasks = tokio::task::JoinSet::new();
        for title in ["left", "right"] {
            let (store, id, version) = (Arc::clone(&store), id.clone(), version.clone());
            let mut body = user(&format!("twin{round}"));
            body.attributes_mut().insert("title".into(), json!(title));
            tasks.spawn(async move {
                store
                    .replace(&ctx(), users(), &id, body, Some(&version))
                    .await
            });
        }
        let (mut ok, mut failed) = (0, 0);
        while let Some(result) = tasks.join_next().await {
            match result.unwrap() {
                Ok(_) => ok += 1,
                Err(StoreError::PreconditionFailed { .. }) => failed += 1,
                Err(other) => panic!("unexpected error {other:?}"),
            }
        }
        assert_eq!((ok, failed), (1, 1), "round {round}");
    }
}

/// Generates one `#[test]` per contract case, each on a fresh store from `$factory`
/// (an expression of type `Arc<dyn ResourceStore>` or `Arc<S>`).
#[macro_export]
macro_rules! store_contract_tests {
    ($factory:expr) => {
        $crate::store_contract_tests!(@cases $factory;
            create_assigns_identity,
            unknown_ids_are_not_found,
            replace_patch_and_delete,
            failed_patch_changes_nothing,
            versions_are_checked,
            user_name_is_unique,
            group_display_name_is_unique,
            paging_is_exact_and_stable,
            sort_orders_results,
            filter_results_equal_evaluation,
            membership_and_user_groups,
            deletes_clean_up_membership,
            unknown_members_are_invalid,
            tenants_are_isolated,
            concurrent_creates_of_one_user_name,
            concurrent_member_adds,
            concurrent_replaces_with_one_version,
        );
    };
    (@cases $factory:expr; $($case:ident),* $(,)?) => {
        $(
            #[test]
            fn $case() {
                let store: $crate::store_contract::Store = $factory;
                $crate::store_contract::run($crate::store_contract::$case(store));
            }
        )*
    };
}
