//! Concurrent writers: uniqueness, membership and versions hold when requests race.

use super::*;

/// 50 concurrent creates of one `userName` (in varying case): exactly one succeeds,
/// the others conflict.
pub async fn concurrent_creates_of_one_user_name(store: Store, t: Tenants, _caps: Capabilities) {
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..50 {
        let store = Arc::clone(&store);
        let ctx = t.a();
        let name = if i % 2 == 0 { "racer" } else { "RACER" };
        tasks.spawn(async move { store.create(&ctx, users(), user(name)).await });
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
        .query(&t.a(), users(), &query(Some("userName eq \"racer\"")))
        .await
        .unwrap();
    assert_eq!(found.total_results, 1);
}

/// 20 concurrent PATCHes, each adding a different member to one group, leave all 20.
pub async fn concurrent_member_adds(store: Store, t: Tenants, _caps: Capabilities) {
    let mut members = Vec::new();
    for i in 0..20 {
        members.push(create_user(&store, &t, &format!("member{i}")).await);
    }
    let g = store
        .create(&t.a(), groups(), group("Crowd", &[]))
        .await
        .unwrap();
    let g = g.id().unwrap().to_owned();
    let mut tasks = tokio::task::JoinSet::new();
    for member in &members {
        let (store, g) = (Arc::clone(&store), g.clone());
        let ctx = t.a();
        let add = patch(
            groups(),
            json!([{"op": "add", "path": "members", "value": [{"value": member}]}]),
        );
        tasks.spawn(async move {
            store
                .patch(&ctx, groups(), &g, &add, None)
                .await
                .map(|_| ())
        });
    }
    while let Some(result) = tasks.join_next().await {
        result.unwrap().unwrap();
    }
    let crowd = store.get(&t.a(), groups(), &g).await.unwrap();
    assert_eq!(
        values_of(&crowd, "members"),
        members.into_iter().collect::<BTreeSet<_>>()
    );
}

/// Two replaces with the same expected version: one succeeds, one fails the precondition.
pub async fn concurrent_replaces_with_one_version(store: Store, t: Tenants, caps: Capabilities) {
    for round in 0..10 {
        let created = store
            .create(&t.a(), users(), user(&format!("twin{round}")))
            .await
            .unwrap();
        let id = created.id().unwrap().to_owned();
        let version = created.version().unwrap().to_owned();
        let mut tasks = tokio::task::JoinSet::new();
        for title in ["left", "right"] {
            let (store, id, version) = (Arc::clone(&store), id.clone(), version.clone());
            let ctx = t.a();
            let mut body = user(&format!("twin{round}"));
            set_scratch(&mut body, caps, title);
            tasks.spawn(async move {
                store
                    .replace(&ctx, users(), &id, body, Some(&version))
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
