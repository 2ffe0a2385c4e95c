//! Queries: exact totals, stable pages, sorting, and filters that select exactly what the
//! engine's own evaluator selects (RFC 7644 §3.4.2).

use super::*;

async fn seed_users(store: &Store, t: &Tenants, caps: Capabilities, n: usize) -> Vec<Resource> {
    let mut created = Vec::with_capacity(n);
    for i in 0..n {
        let mut u = json!({"schemas": [scim_core::schema::USER_SCHEMA],
            "userName": format!("{}user{:02}", ["a", "B", "c"][i % 3], (i * 7) % n),
            "externalId": format!("ext-{}", i % 4),
            "active": i % 2 == 0,
            "name": {"familyName": format!("Family{}", i % 5)}});
        if i % 5 != 0 {
            let title = json!(format!("Title {}", i % 6));
            if caps.arbitrary_attributes {
                u["title"] = title;
            } else {
                u["name"]["givenName"] = title;
            }
        }
        if i % 4 == 0 {
            u["emails"] = json!([{"value": format!("u{i}@example.com"), "type": if i % 8 == 0 { "work" } else { "home" }}]);
        }
        let r = Resource::from_value_unchecked("User", u).unwrap();
        created.push(store.create(&t.a(), users(), r).await.unwrap());
    }
    created
}

/// Pages by `startIndex`/`count` cover every resource once, in a stable order, each
/// with the exact total; `count: 0` returns only the total.
pub async fn paging_is_exact_and_stable(store: Store, t: Tenants, caps: Capabilities) {
    let all = seed_users(&store, &t, caps, 23).await;
    let everything = store
        .query(&t.a(), users(), &Query::default())
        .await
        .unwrap();
    assert_eq!(everything.total_results, 23);
    let mut seen = Vec::new();
    for start in (1..=23).step_by(5) {
        let mut q = Query::default();
        q.start_index = start;
        q.count = Some(5);
        let page = store.query(&t.a(), users(), &q).await.unwrap();
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
    let totals = store.query(&t.a(), users(), &q).await.unwrap();
    assert_eq!((totals.total_results, totals.resources.len()), (23, 0));
    q.count = None;
    q.start_index = 24;
    let beyond = store.query(&t.a(), users(), &q).await.unwrap();
    assert_eq!((beyond.total_results, beyond.resources.len()), (23, 0));
}

/// `sortBy`/`sortOrder` order the results, ties by ascending `id`, across pages; `id`
/// and `meta.created` sort too.
pub async fn sort_orders_results(store: Store, t: Tenants, caps: Capabilities) {
    seed_users(&store, &t, caps, 20).await;
    for by in [
        "userName",
        scratch(caps),
        "name.familyName",
        "id",
        "meta.created",
    ] {
        for order in [SortOrder::Ascending, SortOrder::Descending] {
            let sort = Sort {
                by: by.parse::<AttrPath>().unwrap(),
                order,
            };
            let mut q = Query::default();
            q.sort = Some(sort.clone());
            let full = store.query(&t.a(), users(), &q).await.unwrap();
            assert_eq!(full.total_results, 20);
            for pair in full.resources.windows(2) {
                let ordering = sort
                    .compare(&pair[0], &pair[1], users())
                    .then_with(|| pair[0].id().cmp(&pair[1].id()));
                assert!(
                    ordering.is_lt(),
                    "{by} {order:?}: {:?} ({:?}) before {:?} ({:?})",
                    pair[0].get(by),
                    pair[0].id(),
                    pair[1].get(by),
                    pair[1].id()
                );
            }
            q.start_index = 4;
            q.count = Some(7);
            let page = store.query(&t.a(), users(), &q).await.unwrap();
            assert_eq!(
                ids(&page.resources),
                ids(&full.resources[3..10]),
                "{by} {order:?}: pages agree"
            );
        }
    }
}

/// A query returns exactly the resources the filter matches, as evaluated on each
/// resource by `Filter::matches`, whether or not the store uses an index, also on `id`
/// (case-exact) and `meta`, which a store may keep outside the document.
pub async fn filter_results_equal_evaluation(store: Store, t: Tenants, caps: Capabilities) {
    let all = seed_users(&store, &t, caps, 32).await;
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
        "meta.resourceType eq \"user\"".to_owned(),
        "meta.lastModified pr".to_owned(),
        "meta.created gt \"2000-01-01T00:00:00Z\"".to_owned(),
        "meta.created lt \"2000-01-01T00:00:00Z\"".to_owned(),
        format!("id eq \"{}\"", some_id.to_uppercase()),
        format!("id sw \"{}\"", some_id.get(..3).unwrap_or_default()),
        format!("not (id eq \"{some_id}\")"),
        "userName eq \"cuser02\" or id pr".to_owned(),
    ];
    for text in filters {
        let text = text.replace("title", scratch(caps));
        let f = filter(&text);
        let got = store
            .query(&t.a(), users(), &query(Some(&text)))
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
