//! Uniqueness per tenant, enforced by the store on every write (RFC 7643 §2.1
//! `uniqueness: server`).

use super::*;

/// `userName` is unique per tenant, case-insensitively, on create, replace and patch; the
/// conflict names the attribute and the value.
pub async fn user_name_is_unique(store: Store, t: Tenants, _caps: Capabilities) {
    let alice = create_user(&store, &t, "alice").await;
    let bob = create_user(&store, &t, "bob").await;
    for taken in ["alice", "ALICE", "Alice"] {
        match store.create(&t.a(), users(), user(taken)).await {
            Err(StoreError::Conflict { attribute, value }) => {
                assert_eq!(attribute, "userName");
                assert!(value.eq_ignore_ascii_case("alice"), "{value:?}");
            }
            other => panic!("creating {taken:?} must conflict, got {other:?}"),
        }
    }
    let renamed = store
        .replace(&t.a(), users(), &bob, user("aLiCe"), None)
        .await;
    assert!(
        matches!(renamed, Err(StoreError::Conflict { .. })),
        "{renamed:?}"
    );
    let p = patch(
        users(),
        json!([{"op": "replace", "path": "userName", "value": "ALICE"}]),
    );
    let renamed = store.patch(&t.a(), users(), &bob, &p, None).await;
    assert!(
        matches!(renamed, Err(StoreError::Conflict { .. })),
        "{renamed:?}"
    );
    // Re-casing one's own name is no conflict, and a deleted name is free again.
    store
        .replace(&t.a(), users(), &alice, user("ALICE"), None)
        .await
        .unwrap();
    store.delete(&t.a(), users(), &alice, None).await.unwrap();
    store.create(&t.a(), users(), user("alice")).await.unwrap();
}

/// A Group's `displayName` is unique per tenant (Entra ID requires it).
pub async fn group_display_name_is_unique(store: Store, t: Tenants, _caps: Capabilities) {
    store
        .create(&t.a(), groups(), group("Admins", &[]))
        .await
        .unwrap();
    let dup = store.create(&t.a(), groups(), group("admins", &[])).await;
    assert!(
        matches!(dup, Err(StoreError::Conflict { attribute, .. }) if attribute == "displayName")
    );
    let other = store
        .create(&t.a(), groups(), group("Users", &[]))
        .await
        .unwrap();
    let p = patch(
        groups(),
        json!([{"op": "replace", "path": "displayName", "value": "ADMINS"}]),
    );
    let renamed = store
        .patch(&t.a(), groups(), other.id().unwrap(), &p, None)
        .await;
    assert!(
        matches!(renamed, Err(StoreError::Conflict { .. })),
        "{renamed:?}"
    );
}

/// A resource type of the host app's own, with a `uniqueness: server` attribute in its
/// core schema (case-exact) and one in an extension.
fn devices() -> &'static ResourceType {
    static DEVICES: OnceLock<ResourceType> = OnceLock::new();
    DEVICES.get_or_init(|| {
        let mut registry = SchemaRegistry::empty();
        let device = registry
            .add_schema(
                Schema::new("urn:example:scim:Device", "Device").attribute(
                    Attribute::new("serial", AttributeType::String)
                        .case_exact(true)
                        .uniqueness(Uniqueness::Server),
                ),
            )
            .unwrap();
        let asset = registry
            .add_schema(Schema::new("urn:example:scim:Asset", "Asset").attribute(
                Attribute::new("tag", AttributeType::Integer).uniqueness(Uniqueness::Server),
            ))
            .unwrap();
        ResourceType::new("Device", "/Devices", device).extension(asset, false)
    })
}

/// Every attribute whose schema says `uniqueness: server` is unique per tenant, also in
/// an extension and in a resource type of the host app's own; a `caseExact` one compares
/// case-sensitively.
pub async fn server_unique_attributes_are_enforced(store: Store, t: Tenants, _caps: Capabilities) {
    let device = |serial: &str, tag: i64| {
        Resource::from_value_unchecked(
            "Device",
            json!({"schemas": ["urn:example:scim:Device", "urn:example:scim:Asset"],
                   "serial": serial, "urn:example:scim:Asset": {"tag": tag}}),
        )
        .unwrap()
    };
    store
        .create(&t.a(), devices(), device("A1", 1))
        .await
        .unwrap();
    store
        .create(&t.a(), devices(), device("a1", 2))
        .await
        .expect("case-exact serials A1 and a1 differ");
    let dup = store.create(&t.a(), devices(), device("A1", 3)).await;
    assert!(
        matches!(&dup, Err(StoreError::Conflict { attribute, .. }) if attribute.ends_with("serial")),
        "{dup:?}"
    );
    let dup = store.create(&t.a(), devices(), device("B2", 1)).await;
    assert!(
        matches!(&dup, Err(StoreError::Conflict { attribute, .. }) if attribute.ends_with("tag")),
        "{dup:?}"
    );
    store
        .create(&t.b(), devices(), device("A1", 1))
        .await
        .expect("another tenant may use the same values");
}
