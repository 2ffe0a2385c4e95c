//! Tenants are walls: nothing of one tenant is seen, changed or counted from another.

use super::*;

/// Tenants share nothing: the same `userName` in two tenants, ids of one invisible to
/// the other, queries and totals per tenant.
pub async fn tenants_are_isolated(store: Store, t: Tenants, caps: Capabilities) {
    let (a, b) = (t.a(), t.b());
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
        json!([{"op": "replace", "path": scratch(caps), "value": "x"}]),
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
        .query(&t.c(), users(), &Query::default())
        .await
        .unwrap();
    assert_eq!(fresh.total_results, 0);
    assert_eq!(
        store.get(&a, users(), id).await.unwrap(),
        in_a,
        "tenant-b changed nothing"
    );
}
