//! Group membership: members checked and completed, `User.groups` derived, deletes
//! cleaned up (RFC 7643 §4.1.2, §4.2).

use super::*;

/// Members are checked and completed (`type`, `display`), a member listed twice is a
/// member once; `User.groups` is derived; membership filters work in both directions.
pub async fn membership_and_user_groups(store: Store, t: Tenants, caps: Capabilities) {
    let alice = create_user(&store, &t, "alice").await;
    let bob = create_user(&store, &t, "bob").await;
    let twice = store
        .create(&t.a(), groups(), group("Twice", &[&alice, &alice]))
        .await
        .unwrap();
    assert_eq!(
        twice.get("members").and_then(Value::as_array).map(Vec::len),
        Some(1),
        "{:?}",
        twice.get("members")
    );
    store
        .delete(&t.a(), groups(), twice.id().unwrap(), None)
        .await
        .unwrap();
    let admins = store
        .create(&t.a(), groups(), group("Admins", &[&alice, &bob]))
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
    if caps.nested_groups {
        let all = store
            .create(&t.a(), groups(), group("All", &[&admins_id, &alice]))
            .await
            .unwrap();
        let nested = all.get("members").unwrap().as_array().unwrap();
        assert!(
            nested
                .iter()
                .any(|m| m["value"] == admins_id.as_str() && m["type"] == "Group")
        );
    } else {
        println!("store contract: membership_and_user_groups adapted: no nested groups");
        let refused = store
            .create(&t.a(), groups(), group("All", &[&admins_id, &alice]))
            .await;
        assert!(
            matches!(refused, Err(StoreError::Invalid(_))),
            "a store without nested groups refuses a group as member: {refused:?}"
        );
        store
            .create(&t.a(), groups(), group("All", &[&alice]))
            .await
            .unwrap();
    }
    let alice_now = store.get(&t.a(), users(), &alice).await.unwrap();
    let groups_of_alice = alice_now.get("groups").unwrap().as_array().unwrap();
    assert_eq!(groups_of_alice.len(), 2);
    for g in groups_of_alice {
        assert_eq!(g["type"], "direct");
        assert!(g["display"] == "Admins" || g["display"] == "All", "{g}");
    }
    let member_of_alice = store
        .query(
            &t.a(),
            groups(),
            &query(Some(&format!("members[value eq \"{alice}\"]"))),
        )
        .await
        .unwrap();
    assert_eq!(member_of_alice.total_results, 2);
    let in_admins = store
        .query(
            &t.a(),
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
    let carol = create_user(&store, &t, "carol").await;
    let add = patch(
        groups(),
        json!([{"op": "Add", "path": "members", "value": [{"$ref": null, "value": carol}]}]),
    );
    let g = store
        .patch(&t.a(), groups(), &admins_id, &add, None)
        .await
        .unwrap();
    assert_eq!(values_of(&g, "members").len(), 3);
    let remove = patch(
        groups(),
        json!([{"op": "remove", "path": format!("members[value eq \"{bob}\"]")}]),
    );
    let g = store
        .patch(&t.a(), groups(), &admins_id, &remove, None)
        .await
        .unwrap();
    assert_eq!(
        values_of(&g, "members"),
        BTreeSet::from([alice.clone(), carol.clone()])
    );
    assert!(values_of(&store.get(&t.a(), users(), &bob).await.unwrap(), "groups").is_empty());
    let push = patch(
        groups(),
        json!([{"op": "replace", "path": "members", "value": [{"value": bob}]}]),
    );
    let g = store
        .patch(&t.a(), groups(), &admins_id, &push, None)
        .await
        .unwrap();
    assert_eq!(values_of(&g, "members"), BTreeSet::from([bob.clone()]));
    let carol_now = store.get(&t.a(), users(), &carol).await.unwrap();
    assert!(values_of(&carol_now, "groups").is_empty());
    // `excludedAttributes=members` (Entra's group lookup) still finds the group.
    let mut q = query(Some("displayName eq \"admins\""));
    q.excluded_attributes = vec![AttrPath::new("members")];
    let found = store.query(&t.a(), groups(), &q).await.unwrap();
    assert_eq!(ids(&found.resources), [admins_id]);
}

/// A PATCH that renames a group keeps its members; a `remove` whose member filter is not
/// by `value` removes the members it matches.
pub async fn group_patch_keeps_members(store: Store, t: Tenants, _caps: Capabilities) {
    let alice = create_user(&store, &t, "alice").await;
    let g = store
        .create(&t.a(), groups(), group("G", &[&alice]))
        .await
        .unwrap();
    let g = g.id().unwrap().to_owned();
    let rename = patch(
        groups(),
        json!([{"op": "replace", "path": "displayName", "value": "H"}]),
    );
    let renamed = store
        .patch(&t.a(), groups(), &g, &rename, None)
        .await
        .unwrap();
    assert_eq!(renamed.get("displayName"), Some(&json!("H")));
    assert_eq!(
        values_of(&renamed, "members"),
        BTreeSet::from([alice.clone()])
    );
    assert_eq!(
        values_of(&store.get(&t.a(), users(), &alice).await.unwrap(), "groups"),
        BTreeSet::from([g.clone()])
    );
    let remove = patch(
        groups(),
        json!([{"op": "remove", "path": "members[type eq \"User\"]"}]),
    );
    let emptied = store
        .patch(&t.a(), groups(), &g, &remove, None)
        .await
        .unwrap();
    assert!(values_of(&emptied, "members").is_empty(), "{emptied:?}");
    assert!(values_of(&store.get(&t.a(), users(), &alice).await.unwrap(), "groups").is_empty());
}

/// Deleting a User removes it from every group; deleting a Group removes it from its
/// members' `groups` (and from groups that contain it).
pub async fn deletes_clean_up_membership(store: Store, t: Tenants, caps: Capabilities) {
    let alice = create_user(&store, &t, "alice").await;
    let bob = create_user(&store, &t, "bob").await;
    let g1 = store
        .create(&t.a(), groups(), group("G1", &[&alice, &bob]))
        .await
        .unwrap();
    let g1 = g1.id().unwrap().to_owned();
    // Without nested groups, G2 holds alice and bob instead of alice and G1.
    let second: &str = if caps.nested_groups { &g1 } else { &bob };
    let g2 = store
        .create(&t.a(), groups(), group("G2", &[&alice, second]))
        .await
        .unwrap();
    let g2 = g2.id().unwrap().to_owned();
    store.delete(&t.a(), users(), &alice, None).await.unwrap();
    assert_eq!(
        values_of(&store.get(&t.a(), groups(), &g1).await.unwrap(), "members"),
        BTreeSet::from([bob.clone()])
    );
    assert_eq!(
        values_of(&store.get(&t.a(), groups(), &g2).await.unwrap(), "members"),
        BTreeSet::from([second.to_owned()])
    );
    store.delete(&t.a(), groups(), &g1, None).await.unwrap();
    if caps.nested_groups {
        assert!(values_of(&store.get(&t.a(), users(), &bob).await.unwrap(), "groups").is_empty());
        assert!(values_of(&store.get(&t.a(), groups(), &g2).await.unwrap(), "members").is_empty());
    } else {
        store.delete(&t.a(), groups(), &g2, None).await.unwrap();
        assert!(values_of(&store.get(&t.a(), users(), &bob).await.unwrap(), "groups").is_empty());
    }
    let by_member = store
        .query(
            &t.a(),
            groups(),
            &query(Some(&format!("members.value eq \"{bob}\""))),
        )
        .await
        .unwrap();
    assert_eq!(by_member.total_results, 0);
}

/// A member that is not a User or Group of the tenant is `Invalid`, and the write
/// does not happen.
pub async fn unknown_members_are_invalid(store: Store, t: Tenants, _caps: Capabilities) {
    let alice = create_user(&store, &t, "alice").await;
    let created = store
        .create(&t.a(), groups(), group("G", &[&alice, "no-such-user"]))
        .await;
    // The detail names the member, so that a client can tell which one.
    assert!(
        matches!(&created, Err(StoreError::Invalid(detail)) if detail.contains("no-such-user")),
        "{created:?}"
    );
    assert_eq!(
        store
            .query(&t.a(), groups(), &Query::default())
            .await
            .unwrap()
            .total_results,
        0
    );
    let g = store
        .create(&t.a(), groups(), group("G", &[&alice]))
        .await
        .unwrap();
    let stranger = store.create(&t.b(), users(), user("zed")).await.unwrap();
    // Another tenant's user is no member of this one, on create as on PATCH.
    let created = store
        .create(&t.a(), groups(), group("H", &[stranger.id().unwrap()]))
        .await;
    assert!(
        matches!(created, Err(StoreError::Invalid(_))),
        "another tenant's user on create: {created:?}"
    );
    let add = patch(
        groups(),
        json!([{"op": "add", "path": "members", "value": [{"value": stranger.id().unwrap()}]}]),
    );
    let result = store
        .patch(&t.a(), groups(), g.id().unwrap(), &add, None)
        .await;
    assert!(
        matches!(result, Err(StoreError::Invalid(_))),
        "another tenant's user: {result:?}"
    );
    assert_eq!(
        store.get(&t.a(), groups(), g.id().unwrap()).await.unwrap(),
        g
    );
}

/// A PATCH that changes only `members` honours the expected version like any write
/// (a stale one changes nothing: not the group, not the member), advances the group's
/// version, and advances the version of each member whose `groups` it changed.
pub async fn member_patches_check_versions(store: Store, t: Tenants, _caps: Capabilities) {
    let alice = create_user(&store, &t, "alice").await;
    let bob = create_user(&store, &t, "bob").await;
    let g = store
        .create(&t.a(), groups(), group("G", &[&alice]))
        .await
        .unwrap();
    let g_id = g.id().unwrap().to_owned();
    let v1 = g.version().unwrap().to_owned();
    let version_of = |id: String| {
        let store = store.clone();
        let tenant = t.a();
        async move {
            store
                .get(&tenant, users(), &id)
                .await
                .unwrap()
                .version()
                .map(str::to_owned)
        }
    };
    let bob_before = version_of(bob.clone()).await;
    let alice_before = version_of(alice.clone()).await;
    let add_bob = patch(
        groups(),
        json!([{"op": "add", "path": "members", "value": [{"value": bob}]}]),
    );
    let stale = store
        .patch(
            &t.a(),
            groups(),
            &g_id,
            &add_bob,
            Some("W/\"no-such-version\""),
        )
        .await;
    assert!(
        matches!(&stale, Err(StoreError::PreconditionFailed { current }) if *current == v1),
        "a stale version names the current one: {stale:?}"
    );
    assert_eq!(store.get(&t.a(), groups(), &g_id).await.unwrap(), g);
    assert_eq!(version_of(bob.clone()).await, bob_before);
    assert!(values_of(&store.get(&t.a(), users(), &bob).await.unwrap(), "groups").is_empty());

    let added = store
        .patch(&t.a(), groups(), &g_id, &add_bob, Some(&v1))
        .await
        .unwrap();
    assert_eq!(
        values_of(&added, "members"),
        BTreeSet::from([alice.clone(), bob.clone()])
    );
    let v2 = added.version().unwrap().to_owned();
    assert_ne!(v2, v1, "the group's version advances");
    assert_eq!(
        store.get(&t.a(), groups(), &g_id).await.unwrap().version(),
        Some(v2.as_str()),
        "the response shows the version stored"
    );
    let bob_added = version_of(bob.clone()).await;
    assert_ne!(bob_added, bob_before, "bob's groups changed");
    assert_eq!(
        version_of(alice.clone()).await,
        alice_before,
        "alice's did not"
    );

    let remove_bob = patch(
        groups(),
        json!([{"op": "remove", "path": format!("members[value eq \"{bob}\"]")}]),
    );
    let removed = store
        .patch(&t.a(), groups(), &g_id, &remove_bob, Some(&v2))
        .await
        .unwrap();
    assert_ne!(removed.version(), Some(v2.as_str()));
    assert_eq!(
        values_of(&removed, "members"),
        BTreeSet::from([alice.clone()])
    );
    assert_ne!(
        version_of(bob.clone()).await,
        bob_added,
        "bob's groups changed"
    );
    assert_eq!(version_of(alice).await, alice_before);
}

/// `retrieve` gives what `get` gives: a group's members, as rows or in the document, in
/// the same order with the same `type` and `display`, and a User's `groups`. Told that
/// `members` will not be read, a store may leave them out; whatever it returns of the
/// rest is still the group.
pub async fn retrieve_agrees_with_get(store: Store, t: Tenants, _caps: Capabilities) {
    let alice = create_user(&store, &t, "alice").await;
    let bob = create_user(&store, &t, "bob").await;
    let g = store
        .create(&t.a(), groups(), group("G", &[&bob, &alice]))
        .await
        .unwrap();
    let g_id = g.id().unwrap().to_owned();
    let got = store.get(&t.a(), groups(), &g_id).await.unwrap();
    let retrieved = store.retrieve(&t.a(), groups(), &g_id, &[]).await.unwrap();
    assert_eq!(retrieved.id(), Some(g_id.as_str()));
    assert_eq!(retrieved.version().as_deref(), got.version());
    // The text, not only the value: members keep their order, and come before `meta`.
    let text = |r: &Resource| serde_json::to_string(r.attributes()).unwrap();
    assert_eq!(text(&retrieved.into_resource()), text(&got));

    let bare = store
        .retrieve(&t.a(), groups(), &g_id, &[AttrPath::new("members")])
        .await
        .unwrap()
        .into_resource();
    let mut without_members = got.attributes().clone();
    without_members.shift_remove("members");
    let mut bare_attributes = bare.attributes().clone();
    bare_attributes.shift_remove("members");
    assert_eq!(bare_attributes, without_members);

    let user = store
        .retrieve(&t.a(), users(), &alice, &[])
        .await
        .unwrap()
        .into_resource();
    assert_eq!(
        text(&user),
        text(&store.get(&t.a(), users(), &alice).await.unwrap())
    );
    assert_eq!(values_of(&user, "groups"), BTreeSet::from([g_id.clone()]));

    let missing = store.retrieve(&t.a(), groups(), "no-such-id", &[]).await;
    assert!(
        matches!(missing, Err(StoreError::NotFound { .. })),
        "{missing:?}"
    );
    let elsewhere = store.retrieve(&t.b(), groups(), &g_id, &[]).await;
    assert!(
        matches!(elsewhere, Err(StoreError::NotFound { .. })),
        "another tenant's group: {elsewhere:?}"
    );
}

/// `create_retrieved` stores what `create` stores and hands it back as `get` then gives
/// it (text for text, with its `id` and version): a User, and a Group with its members.
pub async fn create_retrieved_agrees_with_get(store: Store, t: Tenants, _caps: Capabilities) {
    let alice = create_user(&store, &t, "alice").await;
    let text = |r: &Resource| serde_json::to_string(r.attributes()).unwrap();
    for (rt, resource) in [(users(), user("bob")), (groups(), group("G", &[&alice]))] {
        let created = store.create_retrieved(&t.a(), rt, resource).await.unwrap();
        let id = created.id().unwrap().to_owned();
        let got = store.get(&t.a(), rt, &id).await.unwrap();
        assert_eq!(created.version().as_deref(), got.version());
        assert_eq!(text(&created.into_resource()), text(&got));
    }
    let group = store
        .query(&t.a(), groups(), &Query::default())
        .await
        .unwrap();
    assert_eq!(
        values_of(&group.resources[0], "members"),
        BTreeSet::from([alice])
    );
}

/// `patch_retrieved` applies what `patch_excluding` applies and hands the result back
/// as `get` then gives it (text for text, with its version); told to leave out a Group's
/// members, it leaves them out as `retrieve` does.
pub async fn patch_retrieved_agrees_with_get(store: Store, t: Tenants, _caps: Capabilities) {
    let alice = create_user(&store, &t, "alice").await;
    let bob = create_user(&store, &t, "bob").await;
    let g = store
        .create(&t.a(), groups(), group("G", &[&alice]))
        .await
        .unwrap();
    let g_id = g.id().unwrap().to_owned();
    let text = |r: &Resource| serde_json::to_string(r.attributes()).unwrap();
    let add_bob = patch(
        groups(),
        json!([{"op": "add", "path": "members", "value": [{"value": bob}]}]),
    );
    let patched = store
        .patch_retrieved(&t.a(), groups(), &g_id, &add_bob, None, &[])
        .await
        .unwrap();
    let got = store.get(&t.a(), groups(), &g_id).await.unwrap();
    assert_eq!(patched.version().as_deref(), got.version());
    assert_eq!(text(&patched.into_resource()), text(&got));

    let rename = patch(
        groups(),
        json!([{"op": "replace", "path": "displayName", "value": "H"}]),
    );
    let bare = store
        .patch_retrieved(
            &t.a(),
            groups(),
            &g_id,
            &rename,
            None,
            &[AttrPath::new("members")],
        )
        .await
        .unwrap()
        .into_resource();
    let mut got = store.get(&t.a(), groups(), &g_id).await.unwrap();
    assert_eq!(
        values_of(&got, "members"),
        BTreeSet::from([alice, bob.clone()])
    );
    got.attributes_mut().shift_remove("members");
    let mut bare_attributes = bare.attributes().clone();
    bare_attributes.shift_remove("members");
    assert_eq!(bare_attributes, *got.attributes());

    let title = patch(
        users(),
        json!([{"op": "add", "path": "name.givenName", "value": "Robert"}]),
    );
    let user = store
        .patch_retrieved(&t.a(), users(), &bob, &title, None, &[])
        .await
        .unwrap()
        .into_resource();
    assert_eq!(
        text(&user),
        text(&store.get(&t.a(), users(), &bob).await.unwrap())
    );
}

/// `query_retrieved` lists what `query` lists: the same page and total, each
/// resource put back together as `query` gives it (text for text: members in order,
/// before `meta`), with the same `id` and version; the exclusion hints of the query leave
/// out a Group's members in both; another tenant's resources are not listed.
pub async fn query_retrieved_agrees_with_query(store: Store, t: Tenants, _caps: Capabilities) {
    let alice = create_user(&store, &t, "alice").await;
    let bob = create_user(&store, &t, "bob").await;
    create_user(&store, &t, "carol").await;
    store
        .create(&t.a(), groups(), group("G", &[&bob, &alice]))
        .await
        .unwrap();
    store
        .create(&t.a(), groups(), group("H", &[&alice]))
        .await
        .unwrap();
    let text = |r: &Resource| serde_json::to_string(r.attributes()).unwrap();
    let mut second_page = Query::default();
    second_page.start_index = 2;
    second_page.count = Some(1);
    let mut filtered = Query::default();
    filtered.filter = Some(r#"userName eq "alice""#.parse().unwrap());
    let mut bare = Query::default();
    bare.excluded_attributes = vec![AttrPath::new("members")];
    for (rt, query) in [
        (users(), Query::default()),
        (groups(), Query::default()),
        (users(), second_page),
        (users(), filtered),
        (groups(), bare),
    ] {
        let whole = store.query(&t.a(), rt, &query).await.unwrap();
        let retrieved = store.query_retrieved(&t.a(), rt, &query).await.unwrap();
        assert_eq!(retrieved.total_results, whole.total_results, "{query:?}");
        assert_eq!(retrieved.next_cursor, whole.next_cursor, "{query:?}");
        assert_eq!(
            retrieved.resources.len(),
            whole.resources.len(),
            "{query:?}"
        );
        assert!(
            !whole.resources.is_empty(),
            "the case lists something: {query:?}"
        );
        for (r, w) in retrieved.resources.into_iter().zip(&whole.resources) {
            assert_eq!(r.id(), w.id());
            assert_eq!(r.version().as_deref(), w.version());
            assert_eq!(text(&r.into_resource()), text(w), "{query:?}");
        }
    }
    let elsewhere = store
        .query_retrieved(&t.b(), users(), &Query::default())
        .await
        .unwrap();
    assert_eq!(
        elsewhere.total_results, 0,
        "another tenant's users are not listed"
    );
}

/// A member's `display` follows the member (RFC 7643 §4.2: "a human-readable name", which
/// a store takes from the member's `displayName` or its `userName`): renaming a User, by
/// PUT or PATCH, shows in the groups that list it, through `get` and `retrieve` alike;
/// renaming a Group shows in its members' `groups`.
pub async fn member_display_follows_the_member(store: Store, t: Tenants, _caps: Capabilities) {
    let alice = create_user(&store, &t, "alice").await;
    let g = store
        .create(&t.a(), groups(), group("Before", &[&alice]))
        .await
        .unwrap();
    let g_id = g.id().unwrap().to_owned();
    let display = |resource: &Resource, attribute: &str| {
        resource
            .get(attribute)
            .and_then(|list| list[0]["display"].as_str())
            .unwrap_or_default()
            .to_owned()
    };
    let shown = display(&g, "members");
    assert!(["alice", "alice D"].contains(&shown.as_str()), "{shown}");

    let renamed = Resource::from_value_unchecked(
        "User",
        json!({"schemas": [scim_core::schema::USER_SCHEMA], "userName": "alice2", "displayName": "Alice Smith"}),
    )
    .unwrap();
    store
        .replace(&t.a(), users(), &alice, renamed, None)
        .await
        .unwrap();
    let got = store.get(&t.a(), groups(), &g_id).await.unwrap();
    let shown = display(&got, "members");
    assert!(
        ["alice2", "Alice Smith"].contains(&shown.as_str()),
        "{shown}"
    );

    let rename = json!([
        {"op": "replace", "path": "userName", "value": "alice3"},
        {"op": "replace", "path": "displayName", "value": "A. Smith"},
    ]);
    store
        .patch(&t.a(), users(), &alice, &patch(users(), rename), None)
        .await
        .unwrap();
    let retrieved = store
        .retrieve(&t.a(), groups(), &g_id, &[])
        .await
        .unwrap()
        .into_resource();
    let shown = display(&retrieved, "members");
    assert!(["alice3", "A. Smith"].contains(&shown.as_str()), "{shown}");

    let rename = json!([{"op": "replace", "path": "displayName", "value": "After"}]);
    store
        .patch(&t.a(), groups(), &g_id, &patch(groups(), rename), None)
        .await
        .unwrap();
    let user = store.get(&t.a(), users(), &alice).await.unwrap();
    assert_eq!(display(&user, "groups"), "After");
}
