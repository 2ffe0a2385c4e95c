//! Members-only PATCHes on the SQL stores (PostgreSQL writes them as one statement per
//! 250 members): member order across statements, a group that is its own member, and a
//! rejected add that leaves every member as it was.
#![cfg(all(feature = "sqlite", feature = "postgres"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "a test: a broken expectation is a failure"
)]

mod support;

use scim_core::{RequestContext, Resource, ResourceStore, StoreError};
use scim_store_contract::fixtures::{group, groups, patch, user, users, values_of};
use serde_json::{Value, json};

fn member_list(group: &Resource) -> Vec<String> {
    group
        .get("members")
        .and_then(Value::as_array)
        .map(|members| {
            members
                .iter()
                .map(|m| m["value"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn add(ids: &[&str]) -> scim_core::PatchRequest {
    let values: Vec<Value> = ids.iter().map(|id| json!({"value": id})).collect();
    patch(
        groups(),
        json!([{"op": "add", "path": "members", "value": values}]),
    )
}

fn remove(id: &str) -> scim_core::PatchRequest {
    patch(
        groups(),
        json!([{"op": "remove", "path": format!("members[value eq \"{id}\"]")}]),
    )
}

async fn members_only_patches(name: &str, store: &dyn ResourceStore) {
    let ctx = RequestContext::new("acme");
    let mut ids = Vec::new();
    for i in 0..300 {
        let created = store
            .create(&ctx, users(), user(&format!("u{i:03}")))
            .await
            .unwrap();
        ids.push(created.id().unwrap().to_owned());
    }
    let g = store.create(&ctx, groups(), group("G", &[])).await.unwrap();
    let g = g.id().unwrap().to_owned();

    // 300 members in the client's order (not creation order): two statements on
    // PostgreSQL, and the order survives both.
    let wanted: Vec<&str> = ids.iter().rev().map(String::as_str).collect();
    let added = store
        .patch(&ctx, groups(), &g, &add(&wanted), None)
        .await
        .unwrap();
    assert_eq!(member_list(&added), wanted, "{name}: the order given");
    assert_eq!(
        member_list(&store.get(&ctx, groups(), &g).await.unwrap()),
        wanted,
        "{name}: the order stored"
    );

    // The group as its own member: its version advances once, and the ETag the
    // response gives is the one stored (a client's next If-Match must succeed).
    for change in [add(&[g.as_str()]), remove(&g)] {
        let before = store.get(&ctx, groups(), &g).await.unwrap();
        let changed = store
            .patch(&ctx, groups(), &g, &change, before.version())
            .await
            .unwrap();
        let stored = store.get(&ctx, groups(), &g).await.unwrap();
        assert_eq!(
            changed.version(),
            stored.version(),
            "{name}: the ETag given"
        );
        assert_ne!(changed.version(), before.version(), "{name}");
    }
    let push = patch(
        groups(),
        json!([{"op": "replace", "path": "members", "value": [{"value": g}, {"value": ids[0]}]}]),
    );
    let pushed = store.patch(&ctx, groups(), &g, &push, None).await.unwrap();
    // A member already present keeps its place; the group joins after it.
    assert_eq!(member_list(&pushed), [ids[0].clone(), g.clone()], "{name}");
    assert_eq!(
        pushed.version(),
        store.get(&ctx, groups(), &g).await.unwrap().version(),
        "{name}: the ETag after a full replace"
    );

    // A rejected add (one unknown id) changes no member: not the one it named first.
    let carol = store.create(&ctx, users(), user("carol")).await.unwrap();
    let carol_id = carol.id().unwrap();
    let refused = store
        .patch(&ctx, groups(), &g, &add(&[carol_id, "no-such-user"]), None)
        .await;
    assert!(
        matches!(&refused, Err(StoreError::Invalid(detail)) if detail.contains("no-such-user")),
        "{name}: {refused:?}"
    );
    let carol_now = store.get(&ctx, users(), carol_id).await.unwrap();
    assert_eq!(carol_now.version(), carol.version(), "{name}");
    assert!(values_of(&carol_now, "groups").is_empty(), "{name}");
}

#[test]
fn members_only_patches_keep_order_versions_and_atomicity() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        members_only_patches("sqlite", &support::sqlite().await).await;
        if let Some(pg) = support::postgres().await {
            members_only_patches("postgres", &pg).await;
        }
    });
}
