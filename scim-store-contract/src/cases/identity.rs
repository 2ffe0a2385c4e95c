//! Identity, time and versions: what `create` assigns, what `replace` (with the stored
//! `writeOnly` values it omits), `patch` and `delete` keep, and the expected version
//! (`If-Match`) they honour.

use super::*;

/// `create` assigns `id` and `meta` (the client's are ignored): `meta.created` and
/// `meta.lastModified` are the same RFC 3339 instant, `meta.version` is new; a client's
/// `User.groups` is not stored (it is derived from membership); `get` returns what
/// `create` returned.
pub async fn create_assigns_identity(store: Store, t: Tenants, _caps: Capabilities) {
    let mut body = user("alice");
    for (name, value) in [
        ("id", json!("bulkId:qwerty")),
        (
            "meta",
            json!({"resourceType": "Nonsense", "version": "W/\"99\"",
                   "created": "1999-01-01T00:00:00Z"}),
        ),
        ("groups", json!([{"value": "some-group"}])),
    ] {
        body.attributes_mut().insert(name.into(), value);
    }
    let created = store.create(&t.a(), users(), body).await.unwrap();
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
    assert_ne!(meta["version"], "W/\"99\"", "the store's own version");
    assert_eq!(meta["created"], meta["lastModified"], "not modified yet");
    let created_at = meta["created"].as_str().unwrap_or_default();
    assert!(
        time::OffsetDateTime::parse(created_at, &time::format_description::well_known::Rfc3339)
            .is_ok_and(|at| at.year() > 2000),
        "meta.created is the RFC 3339 time of creation: {created_at}"
    );
    assert!(
        values_of(&created, "groups").is_empty(),
        "User.groups is derived, not stored: {:?}",
        created.get("groups")
    );
    assert_eq!(created.get("userName"), Some(&json!("alice")));
    assert_eq!(store.get(&t.a(), users(), id).await.unwrap(), created);
    let other = store.create(&t.a(), users(), user("bob")).await.unwrap();
    assert_ne!(other.id(), created.id(), "ids are unique");
}

/// Unknown ids are `NotFound` for `get`, `replace`, `patch` and `delete`; ids are
/// case-sensitive.
pub async fn unknown_ids_are_not_found(store: Store, t: Tenants, caps: Capabilities) {
    let id = create_user(&store, &t, "alice").await;
    let missing = "no-such-id";
    assert!(matches!(
        store.get(&t.a(), users(), missing).await,
        Err(StoreError::NotFound { .. })
    ));
    let upper = id.to_uppercase();
    if upper != id {
        assert!(matches!(
            store.get(&t.a(), users(), &upper).await,
            Err(StoreError::NotFound { .. })
        ));
    }
    let replaced = store
        .replace(&t.a(), users(), missing, user("x"), None)
        .await;
    assert!(matches!(replaced, Err(StoreError::NotFound { .. })));
    let p = patch(
        users(),
        json!([{"op": "replace", "path": scratch(caps), "value": "x"}]),
    );
    assert!(matches!(
        store.patch(&t.a(), users(), missing, &p, None).await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        store.delete(&t.a(), users(), missing, None).await,
        Err(StoreError::NotFound { .. })
    ));
    // A User id is not a Group.
    assert!(matches!(
        store.get(&t.a(), groups(), &id).await,
        Err(StoreError::NotFound { .. })
    ));
}

/// `replace` replaces wholesale and keeps `id` and `meta.created`; `patch` changes only
/// what it names; `delete` removes.
pub async fn replace_patch_and_delete(store: Store, t: Tenants, caps: Capabilities) {
    let mut body = user("alice");
    set_scratch(&mut body, caps, "Engineer");
    let created = store.create(&t.a(), users(), body).await.unwrap();
    let id = created.id().unwrap();
    let replaced = store
        .replace(&t.a(), users(), id, user("alice2"), None)
        .await
        .unwrap();
    assert_eq!(replaced.id(), Some(id));
    assert_eq!(replaced.get("userName"), Some(&json!("alice2")));
    assert_eq!(
        get_scratch(&replaced, caps),
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
        json!([{"op": "add", "path": scratch(caps), "value": "Boss"}]),
    );
    let patched = store.patch(&t.a(), users(), id, &p, None).await.unwrap();
    assert_eq!(get_scratch(&patched, caps), Some(&json!("Boss")));
    assert_eq!(patched.get("displayName"), replaced.get("displayName"));
    assert_eq!(store.get(&t.a(), users(), id).await.unwrap(), patched);
    store.delete(&t.a(), users(), id, None).await.unwrap();
    assert!(matches!(
        store.get(&t.a(), users(), id).await,
        Err(StoreError::NotFound { .. })
    ));
    assert_eq!(
        store
            .query(&t.a(), users(), &Query::default())
            .await
            .unwrap()
            .total_results,
        0
    );
}

/// `replace` keeps the stored `writeOnly` values the replacement omits (a `PUT` without
/// `password` keeps the password: RFC 7644 §3.5.1), and replaces those it carries;
/// `patch` may remove them.
pub async fn replace_keeps_write_only_values(store: Store, t: Tenants, caps: Capabilities) {
    // What the engine hands a store is a hash, never the clear text.
    const FIRST: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$Zmlyc3Q";
    const SECOND: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$c2Vjb25k";
    let mut body = user("alice");
    body.attributes_mut()
        .insert("password".into(), json!(FIRST));
    let created = store.create(&t.a(), users(), body).await.unwrap();
    let id = created.id().unwrap();
    let stored = |r: &Resource| r.get("password").cloned();
    assert_eq!(stored(&created), Some(json!(FIRST)), "create stores it");

    let mut without = user("alice");
    set_scratch(&mut without, caps, "Engineer");
    let replaced = store
        .replace(&t.a(), users(), id, without, None)
        .await
        .unwrap();
    assert_eq!(get_scratch(&replaced, caps), Some(&json!("Engineer")));
    assert_eq!(
        stored(&replaced),
        Some(json!(FIRST)),
        "a PUT without it keeps it"
    );
    let fetched = store.get(&t.a(), users(), id).await.unwrap();
    assert_eq!(stored(&fetched), Some(json!(FIRST)));

    let mut with = user("alice");
    with.attributes_mut()
        .insert("password".into(), json!(SECOND));
    let replaced = store
        .replace(&t.a(), users(), id, with, None)
        .await
        .unwrap();
    assert_eq!(
        stored(&replaced),
        Some(json!(SECOND)),
        "a PUT with one replaces it"
    );

    let p = patch(users(), json!([{"op": "remove", "path": "password"}]));
    let patched = store.patch(&t.a(), users(), id, &p, None).await.unwrap();
    assert_eq!(stored(&patched), None, "a PATCH removes it");
}

/// A failed PATCH changes nothing, also when its failure comes after a member change
/// (a rename onto a taken `displayName`) or from an unknown member.
pub async fn failed_patch_changes_nothing(store: Store, t: Tenants, caps: Capabilities) {
    let created = store.create(&t.a(), users(), user("alice")).await.unwrap();
    let id = created.id().unwrap();
    // The first operation applies; the second removes the required userName.
    let p = patch(
        users(),
        json!([{"op": "replace", "path": scratch(caps), "value": "x"},
               {"op": "remove", "path": "userName"}]),
    );
    let result = store.patch(&t.a(), users(), id, &p, None).await;
    assert!(
        result.is_err(),
        "removing a missing email has no target: {result:?}"
    );
    assert_eq!(store.get(&t.a(), users(), id).await.unwrap(), created);

    let (bob, carol) = (
        create_user(&store, &t, "bob").await,
        create_user(&store, &t, "carol").await,
    );
    store
        .create(&t.a(), groups(), group("Taken", &[]))
        .await
        .unwrap();
    let team = store
        .create(&t.a(), groups(), group("Team", &[&bob]))
        .await
        .unwrap();
    let team_id = team.id().unwrap();
    for operations in [
        json!([{"op": "add", "path": "members", "value": [{"value": carol}]},
               {"op": "replace", "path": "displayName", "value": "taken"}]),
        json!([{"op": "add", "path": "members", "value": [{"value": carol}]},
               {"op": "add", "path": "members", "value": [{"value": "no-such-user"}]}]),
        json!([{"op": "remove", "path": format!("members[value eq \"{bob}\"]")},
               {"op": "replace", "path": "displayName", "value": "TAKEN"}]),
    ] {
        let result = store
            .patch(
                &t.a(),
                groups(),
                team_id,
                &patch(groups(), operations.clone()),
                None,
            )
            .await;
        // A taken name is a conflict (409), an unknown member invalid (400).
        let expected_conflict = operations.to_string().to_lowercase().contains("taken");
        assert!(
            match &result {
                Err(StoreError::Conflict { .. }) => expected_conflict,
                Err(StoreError::Invalid(_)) => !expected_conflict,
                _ => false,
            },
            "{operations}: {result:?}"
        );
        assert_eq!(
            store.get(&t.a(), groups(), team_id).await.unwrap(),
            team,
            "{operations} changed the group"
        );
    }
    // A rename together with a member change takes effect whole, and the old name no
    // longer finds the group.
    let renamed = store
        .patch(
            &t.a(),
            groups(),
            team_id,
            &patch(
                groups(),
                json!([{"op": "replace", "path": "members", "value": [{"value": carol}]},
                       {"op": "replace", "path": "displayName", "value": "Team 2"}]),
            ),
            None,
        )
        .await
        .unwrap();
    assert_eq!(renamed.get("displayName"), Some(&json!("Team 2")));
    assert_eq!(
        values_of(&renamed, "members"),
        BTreeSet::from([carol.clone()])
    );
    let by_old_name = store
        .query(&t.a(), groups(), &query(Some(r#"displayName eq "team""#)))
        .await
        .unwrap();
    assert_eq!(
        by_old_name.total_results, 0,
        "the old name still finds the group"
    );
    let by_new_name = store
        .query(&t.a(), groups(), &query(Some(r#"displayName eq "TEAM 2""#)))
        .await
        .unwrap();
    assert_eq!(ids(&by_new_name.resources), [team_id.to_owned()]);
}

/// `replace`, `patch` and `delete` honour the expected version (`*` matches any), and a
/// mismatch names the current version; every write changes it.
pub async fn versions_are_checked(store: Store, t: Tenants, caps: Capabilities) {
    let created = store.create(&t.a(), users(), user("alice")).await.unwrap();
    let id = created.id().unwrap();
    let v1 = created.version().unwrap().to_owned();
    let v2 = store
        .replace(&t.a(), users(), id, user("alice"), Some(&v1))
        .await
        .unwrap();
    let v2 = v2.version().unwrap().to_owned();
    assert_ne!(v1, v2);
    let stale = store
        .replace(&t.a(), users(), id, user("alice"), Some(&v1))
        .await;
    assert!(
        matches!(&stale, Err(StoreError::PreconditionFailed { current }) if *current == v2),
        "{stale:?}"
    );
    let p = patch(
        users(),
        json!([{"op": "replace", "path": scratch(caps), "value": "x"}]),
    );
    let stale = store.patch(&t.a(), users(), id, &p, Some(&v1)).await;
    assert!(
        matches!(stale, Err(StoreError::PreconditionFailed { .. })),
        "{stale:?}"
    );
    let v3 = store
        .patch(&t.a(), users(), id, &p, Some(&v2))
        .await
        .unwrap();
    let v3 = v3.version().unwrap().to_owned();
    assert_ne!(v3, v2);
    let stale = store.delete(&t.a(), users(), id, Some(&v2)).await;
    assert!(
        matches!(stale, Err(StoreError::PreconditionFailed { .. })),
        "{stale:?}"
    );
    assert_eq!(
        store.get(&t.a(), users(), id).await.unwrap().version(),
        Some(v3.as_str())
    );
    let v4 = store
        .replace(&t.a(), users(), id, user("alice"), Some("*"))
        .await
        .unwrap();
    let v5 = store
        .patch(&t.a(), users(), id, &p, Some("*"))
        .await
        .unwrap();
    assert_ne!(v4.version(), Some(v3.as_str()));
    assert_ne!(v5.version(), v4.version());
    let v5 = v5.version().unwrap().to_owned();
    store.delete(&t.a(), users(), id, Some(&v5)).await.unwrap();
    let again = create_user(&store, &t, "alice").await;
    store
        .delete(&t.a(), users(), &again, Some("*"))
        .await
        .unwrap();
}
