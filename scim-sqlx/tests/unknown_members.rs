//! `UnknownMembers::Ignore`: a member id that names no User or Group of the tenant is
//! dropped and the rest of the write happens, on create, on a PATCH that adds members
//! (PostgreSQL's one-statement add included) and on a full replacement. An id holding
//! NUL, which no PostgreSQL row can hold, is one of them, never sent to the database.
#![cfg(all(feature = "sqlite", feature = "postgres"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test: a broken expectation is a failure"
)]

mod support;

use std::collections::BTreeSet;

use scim_core::store::UnknownMembers;
use scim_core::{RequestContext, ResourceStore};
use scim_store_contract::fixtures::{group, groups, patch, user, users, values_of};
use serde_json::json;

async fn unknown_members_are_dropped(name: &str, store: &dyn ResourceStore) {
    let ctx = RequestContext::new("acme");
    let other = RequestContext::new("globex");
    let id = |r: scim_core::Resource| r.id().unwrap().to_owned();
    let alice = id(store.create(&ctx, users(), user("alice")).await.unwrap());
    let bob = id(store.create(&ctx, users(), user("bob")).await.unwrap());
    let stranger = id(store.create(&other, users(), user("zed")).await.unwrap());
    let g = store
        .create(
            &ctx,
            groups(),
            group("G", &[&alice, "no-such-user", "a\u{0}b"]),
        )
        .await
        .unwrap();
    assert_eq!(
        values_of(&g, "members"),
        BTreeSet::from([alice.clone()]),
        "{name}: create"
    );
    let g = id(g);
    let add = patch(
        groups(),
        json!([{"op": "add", "path": "members", "value": [
            {"value": "no-such-user"}, {"value": bob}, {"value": "a\u{0}b"}, {"value": stranger}
        ]}]),
    );
    let added = store.patch(&ctx, groups(), &g, &add, None).await.unwrap();
    assert_eq!(
        values_of(&added, "members"),
        BTreeSet::from([alice.clone(), bob.clone()]),
        "{name}: add"
    );
    let bob_now = store.get(&ctx, users(), &bob).await.unwrap();
    assert_eq!(
        values_of(&bob_now, "groups"),
        BTreeSet::from([g.clone()]),
        "{name}"
    );
    let stranger_now = store.get(&other, users(), &stranger).await.unwrap();
    assert!(
        values_of(&stranger_now, "groups").is_empty(),
        "{name}: another tenant's user joins nothing"
    );
    let replace = patch(
        groups(),
        json!([{"op": "replace", "path": "members", "value": [
            {"value": bob}, {"value": "no-such-user"}, {"value": "a\u{0}b"}
        ]}]),
    );
    let replaced = store
        .patch(&ctx, groups(), &g, &replace, None)
        .await
        .unwrap();
    assert_eq!(
        values_of(&replaced, "members"),
        BTreeSet::from([bob]),
        "{name}: replace"
    );
}

#[test]
fn unknown_members_are_dropped_when_so_configured() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let ignore = |b: scim_sqlx::SqlStoreBuilder| b.unknown_members(UnknownMembers::Ignore);
        let sqlite = support::sqlite_with(ignore).await;
        unknown_members_are_dropped("sqlite", &sqlite).await;
        if let Some(pg) = support::postgres_with(ignore).await {
            unknown_members_are_dropped("postgres", &pg).await;
        }
    });
}
