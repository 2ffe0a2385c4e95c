//! What every [`ApiKeyStorage`] must do (the storage behind
//! [`scim_core::ApiKeyStore`]), as cases a storage author runs with
//! [`key_storage_contract_tests!`](crate::key_storage_contract_tests).
//!
//! Each case takes a storage and the [`Tenants`] it may use; key ids and hashes are
//! derived from those tenants, so cases share one database, run in parallel and run
//! again on the next test run.
#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "a test suite: a broken expectation is a failed test"
)]

use std::sync::Arc;

use scim_core::auth::{ApiKeyInfo, ApiKeyStorage, StoredApiKey, hash_secret};
use time::{Duration, OffsetDateTime};

use crate::Tenants;

/// The storage every key case runs against.
///
/// ```
/// let storage: scim_store_contract::KeyStorage =
///     std::sync::Arc::new(scim_core::auth::MemoryKeyStorage::new());
/// # drop(storage);
/// ```
pub type KeyStorage = Arc<dyn ApiKeyStorage>;

/// Every key case, in the order
/// [`key_storage_contract_tests!`](crate::key_storage_contract_tests) runs them.
///
/// ```
/// assert!(scim_store_contract::KEY_CASES.contains(&"revoke_stays_in_its_tenant"));
/// ```
pub const KEY_CASES: &[&str] = crate::key_storage_contract_tests!(@names);

/// Generates one `#[test]` per key-storage case. `$factory` is an expression of a
/// future that gives a storage ([`KeyStorage`]), awaited once per case on the case's
/// own runtime.
///
/// ```
/// // tests/key_storage.rs of a storage crate
/// scim_store_contract::key_storage_contract_tests!(async {
///     std::sync::Arc::new(scim_core::auth::MemoryKeyStorage::new()) as scim_store_contract::KeyStorage
/// });
/// # fn main() {}
/// ```
#[macro_export]
macro_rules! key_storage_contract_tests {
    (@names) => {
        $crate::key_storage_contract_tests!(@list names [])
    };
    ($factory:expr) => {
        $crate::key_storage_contract_tests!(@list tests [$factory]);
    };
    (@list $mode:ident [$($factory:tt)*]) => {
        $crate::key_storage_contract_tests! {@$mode [$($factory)*]
            put_then_find,
            put_of_a_known_hash_keeps_one_key,
            concurrent_puts_of_one_hash_keep_one_key,
            list_is_per_tenant_oldest_first,
            revoke_stays_in_its_tenant,
            record_use_shows_in_list_and_find,
            tenants_are_sorted_and_distinct,
        }
    };
    (@tests [$factory:expr] $($case:ident),* $(,)?) => {
        $(
            #[test]
            fn $case() {
                $crate::run(async {
                    let storage: $crate::KeyStorage = $factory.await;
                    $crate::key_storage::$case(storage, $crate::Tenants::unique()).await;
                });
            }
        )*
    };
    (@names [] $($case:ident),* $(,)?) => {
        &[$(stringify!($case)),*]
    };
}

/// A fixed instant with a nanosecond part, so a storage that rounds is caught.
fn at(seconds: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_767_225_600).unwrap()
        + Duration::seconds(seconds)
        + Duration::nanoseconds(123_456_789)
}

/// A key of `tenant` named `name` (its id and secret derive from both), created at
/// [`at`]`(seconds)`.
fn key(tenant: &str, name: &str, seconds: i64) -> StoredApiKey {
    let info = ApiKeyInfo::new(
        format!("{tenant}-{name}"),
        tenant,
        ["SCIM2"],
        format!("label {name}"),
        format!("scim_{name}"),
        at(seconds),
    );
    StoredApiKey::new(secret_hash(tenant, name), info)
}

fn secret_hash(tenant: &str, name: &str) -> [u8; 32] {
    hash_secret(&format!("secret of {tenant}/{name}"))
}

fn ids(keys: &[ApiKeyInfo]) -> Vec<&str> {
    keys.iter().map(|k| k.id.as_str()).collect()
}

/// `put` returns the key as given; `find` by its hash gives it back field for field
/// (times to the nanosecond); an unknown hash is `None`.
pub async fn put_then_find(storage: KeyStorage, t: Tenants) {
    let tenant = t.a().tenant;
    let mut given = key(&tenant, "k1", 0);
    given.info.scopes = vec!["SCIM2".into(), "read".into()];
    let stored = storage.put(given.clone()).await.unwrap();
    assert_eq!(stored, given.info);
    let found = storage.find(&given.hash).await.unwrap();
    assert_eq!(found.as_ref(), Some(&given.info));
    assert_eq!(found.unwrap().last_used_at, None);
    let unknown = storage.find(&secret_hash(&tenant, "never")).await.unwrap();
    assert_eq!(unknown, None);
}

/// A second `put` of the same hash keeps one key: its id, label, hint and creation
/// time stay, its tenant and scopes become the new ones.
pub async fn put_of_a_known_hash_keeps_one_key(storage: KeyStorage, t: Tenants) {
    let (a, b) = (t.a().tenant, t.b().tenant);
    let first = key(&a, "k1", 0);
    storage.put(first.clone()).await.unwrap();
    let mut again = key(&a, "k2", 60);
    again.hash = first.hash;
    again.info.tenant = b.clone();
    again.info.scopes = vec!["SCIM2".into(), "admin".into()];
    let stored = storage.put(again).await.unwrap();
    let mut expected = first.info.clone();
    expected.tenant = b.clone();
    expected.scopes = vec!["SCIM2".into(), "admin".into()];
    assert_eq!(stored, expected);
    assert_eq!(
        storage.find(&first.hash).await.unwrap(),
        Some(expected.clone())
    );
    assert!(storage.list(&a).await.unwrap().is_empty());
    assert_eq!(storage.list(&b).await.unwrap(), [expected]);
}

/// Racing `put`s of one hash (several processes starting with the same configured
/// key) store one key, and every racer is told its id.
pub async fn concurrent_puts_of_one_hash_keep_one_key(storage: KeyStorage, t: Tenants) {
    let a = t.a().tenant;
    let racers: Vec<_> = (0..8)
        .map(|n| {
            let (storage, mut racer) = (Arc::clone(&storage), key(&a, &format!("k{n}"), n));
            racer.hash = secret_hash(&a, "shared");
            tokio::spawn(async move { storage.put(racer).await.unwrap().id })
        })
        .collect();
    let mut winners = Vec::new();
    for racer in racers {
        winners.push(racer.await.unwrap());
    }
    let listed = storage.list(&a).await.unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert!(winners.iter().all(|id| *id == listed[0].id), "{winners:?}");
}

/// `list` gives the tenant's keys only, by creation time then id, whatever the order
/// they were stored in.
pub async fn list_is_per_tenant_oldest_first(storage: KeyStorage, t: Tenants) {
    let (a, b) = (t.a().tenant, t.b().tenant);
    for (name, seconds) in [("k3", 120), ("k1", 0), ("k2b", 60), ("k2a", 60)] {
        storage.put(key(&a, name, seconds)).await.unwrap();
    }
    storage.put(key(&b, "other", 30)).await.unwrap();
    let listed = storage.list(&a).await.unwrap();
    let expected: Vec<String> = ["k1", "k2a", "k2b", "k3"]
        .iter()
        .map(|name| format!("{a}-{name}"))
        .collect();
    assert_eq!(ids(&listed), expected);
    assert_eq!(listed[3], key(&a, "k3", 120).info);
    assert_eq!(
        ids(&storage.list(&b).await.unwrap()),
        [format!("{b}-other")]
    );
    assert!(storage.list(&t.c().tenant).await.unwrap().is_empty());
}

/// `revoke` deletes a key of its tenant only, answers whether it did, and the key is
/// no longer found.
pub async fn revoke_stays_in_its_tenant(storage: KeyStorage, t: Tenants) {
    let (a, b) = (t.a().tenant, t.b().tenant);
    let mine = key(&a, "k1", 0);
    let kept = key(&a, "k2", 1);
    storage.put(mine.clone()).await.unwrap();
    storage.put(kept.clone()).await.unwrap();
    let id = mine.info.id.as_str();
    assert!(
        !storage.revoke(&b, id).await.unwrap(),
        "another tenant's key"
    );
    assert!(storage.find(&mine.hash).await.unwrap().is_some());
    assert!(storage.revoke(&a, id).await.unwrap());
    assert_eq!(storage.find(&mine.hash).await.unwrap(), None);
    assert_eq!(
        ids(&storage.list(&a).await.unwrap()),
        [kept.info.id.as_str()]
    );
    assert!(!storage.revoke(&a, id).await.unwrap(), "revoked twice");
    assert!(!storage.revoke(&a, &format!("{a}-never")).await.unwrap());
    assert!(storage.find(&kept.hash).await.unwrap().is_some());
}

/// `record_use` sets the key's last use, seen by `list` and `find` to the nanosecond;
/// a later use replaces it; an unknown id is no error.
pub async fn record_use_shows_in_list_and_find(storage: KeyStorage, t: Tenants) {
    let a = t.a().tenant;
    let used = key(&a, "k1", 0);
    let idle = key(&a, "k2", 1);
    storage.put(used.clone()).await.unwrap();
    storage.put(idle.clone()).await.unwrap();
    storage.record_use(&used.info.id, at(3600)).await.unwrap();
    storage.record_use(&used.info.id, at(7200)).await.unwrap();
    let listed = storage.list(&a).await.unwrap();
    assert_eq!(listed[0].last_used_at, Some(at(7200)));
    assert_eq!(listed[1].last_used_at, None);
    let found = storage.find(&used.hash).await.unwrap().unwrap();
    assert_eq!(found.last_used_at, Some(at(7200)));
    assert_eq!(found.created_at, at(0));
    storage
        .record_use(&format!("{a}-never"), at(1))
        .await
        .unwrap();
}

/// `tenants` lists each tenant with a key once, sorted, and forgets a tenant whose last
/// key is revoked. (Other cases' tenants may be there too: only order and ours are
/// checked.)
pub async fn tenants_are_sorted_and_distinct(storage: KeyStorage, t: Tenants) {
    let (a, b) = (t.a().tenant, t.b().tenant);
    storage.put(key(&b, "k1", 0)).await.unwrap();
    storage.put(key(&b, "k2", 1)).await.unwrap();
    storage.put(key(&a, "k1", 2)).await.unwrap();
    let tenants = storage.tenants().await.unwrap();
    assert!(
        tenants.windows(2).all(|w| w[0] < w[1]),
        "not sorted and distinct: {tenants:?}"
    );
    let ours: Vec<&String> = tenants
        .iter()
        .filter(|x| x.starts_with(&a[..a.len() - 1]))
        .collect();
    assert_eq!(ours, [&a, &b]);
    assert!(storage.revoke(&a, &format!("{a}-k1")).await.unwrap());
    let tenants = storage.tenants().await.unwrap();
    assert!(!tenants.contains(&a) && tenants.contains(&b), "{tenants:?}");
    assert!(!tenants.contains(&t.c().tenant));
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_case_is_listed() {
        let defined: Vec<&str> = include_str!("key_storage.rs")
            .lines()
            .filter_map(|line| line.strip_prefix("pub async fn "))
            .filter_map(|rest| rest.split('(').next())
            .collect();
        assert_eq!(super::KEY_CASES, defined.as_slice());
    }
}
