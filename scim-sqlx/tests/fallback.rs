//! Queries the database cannot answer exactly (a membership `display`, a `sw` on a
//! dateTime) take the store's fallback: the rows the superset filter selects are read
//! in batches and checked in Rust. Over more rows than one batch holds, the pages,
//! totals, sorts, cursors and derived attributes must be what the in-memory store (the
//! reference evaluator) answers.
#![cfg(all(feature = "sqlite", feature = "postgres"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "a test: a broken expectation is a failure"
)]

mod support;

use std::sync::Arc;

use scim_core::filter::{AttrPath, Sort, SortOrder};
use scim_core::{InMemoryStore, Query, RequestContext, Resource, ResourceStore, ResourceType};
use scim_store_contract::fixtures::{group, groups, user, users};
use serde_json::{Value, json};

const USERS: usize = 1_100;

/// What a page shows of a resource, independent of the ids each store assigns: its
/// name and the names of its groups or the number of its members.
fn shown(resource: &Resource, names: &std::collections::HashMap<String, String>) -> Value {
    let name = resource
        .get("userName")
        .or_else(|| resource.get("displayName"))
        .cloned();
    let groups = resource.get("groups").map(|groups| {
        let mut names: Vec<&str> = groups
            .as_array()
            .unwrap()
            .iter()
            .map(|g| names[g["value"].as_str().unwrap()].as_str())
            .collect();
        names.sort_unstable();
        names
    });
    let members = resource.get("members").map(|m| m.as_array().unwrap().len());
    json!({"name": name, "groups": groups, "members": members})
}

struct Loaded {
    name: &'static str,
    store: Arc<dyn ResourceStore>,
    /// Group id → displayName.
    group_names: std::collections::HashMap<String, String>,
}

async fn load(name: &'static str, store: Arc<dyn ResourceStore>) -> Loaded {
    let (users, groups) = (users(), groups());
    let ctx = RequestContext::new("acme");
    let mut ids = Vec::with_capacity(USERS);
    for i in 1..=USERS {
        ids.push(
            store
                .create(&ctx, users, user(&format!("user{i:04}")))
                .await
                .unwrap()
                .id()
                .unwrap()
                .to_owned(),
        );
    }
    let mut group_names = std::collections::HashMap::new();
    // Big holds the first 700 users, Small users 650 to 720, Empty nobody.
    for (display, range) in [("Big", 0..700), ("Small", 649..720), ("Empty", 0..0)] {
        let members: Vec<&str> = ids[range].iter().map(String::as_str).collect();
        let created = store
            .create(&ctx, groups, group(display, &members))
            .await
            .unwrap();
        group_names.insert(created.id().unwrap().to_owned(), display.to_owned());
    }
    Loaded {
        name,
        store,
        group_names,
    }
}

fn query(filter: &str, sort: Option<(&str, SortOrder)>, start: usize, count: usize) -> Query {
    let mut query = Query::default();
    query.filter = Some(filter.parse().unwrap());
    query.sort = sort.map(|(by, order)| Sort {
        by: AttrPath::new(by),
        order,
    });
    query.start_index = start;
    query.count = Some(count);
    query
}

/// Every page of a cursor walk, as shown.
async fn walk(loaded: &Loaded, rt: &ResourceType, mut query: Query) -> Vec<Value> {
    let ctx = RequestContext::new("acme");
    query.cursor = Some(String::new());
    let mut seen = Vec::new();
    loop {
        let page = loaded.store.query(&ctx, rt, &query).await.unwrap();
        seen.extend(page.resources.iter().map(|r| shown(r, &loaded.group_names)));
        match page.next_cursor {
            Some(next) => query.cursor = Some(next),
            None => return seen,
        }
    }
}

#[test]
fn the_fallback_pages_sorts_and_counts_as_the_evaluator_does() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let mut stores = vec![
            load("memory", Arc::new(InMemoryStore::new())).await,
            load("sqlite", Arc::new(support::sqlite().await)).await,
        ];
        if let Some(pg) = support::postgres().await {
            stores.push(load("postgres", Arc::new(pg)).await);
        }
        let (users, groups) = (users(), groups());
        let ctx = RequestContext::new("acme");
        let mut without_groups = query(r#"meta.created sw "20""#, None, 480, 40);
        without_groups.excluded_attributes = vec![AttrPath::new("groups")];
        let mut without_members = query(
            r#"meta.created sw "20""#,
            Some(("displayName", SortOrder::Ascending)),
            1,
            10,
        );
        without_members.excluded_attributes = vec![AttrPath::new("members")];
        let cases: Vec<(&str, &ResourceType, Query)> = vec![
            // The filter reads `groups`: checked with them, across two batches.
            (
                "groups.display, a page past the first batch",
                users,
                query(r#"groups.display eq "Big""#, None, 601, 50),
            ),
            (
                "groups.display, sorted, the last page",
                users,
                query(
                    r#"groups.display eq "big""#,
                    Some(("userName", SortOrder::Descending)),
                    695,
                    10,
                ),
            ),
            // More matches than a batch: the sorted matches are cut back as they come.
            (
                "groups.display, sorted, the first page",
                users,
                query(
                    r#"groups.display eq "Big""#,
                    Some(("userName", SortOrder::Descending)),
                    1,
                    10,
                ),
            ),
            (
                "groups.display, sorted by displayName, a page",
                users,
                query(
                    r#"groups.display eq "Big""#,
                    Some(("displayName", SortOrder::Ascending)),
                    5,
                    10,
                ),
            ),
            (
                "groups.display or, sorted, a middle page",
                users,
                query(
                    r#"groups.display eq "Small" or userName eq "user1100""#,
                    Some(("userName", SortOrder::Ascending)),
                    20,
                    30,
                ),
            ),
            // The filter does not read `groups`: they are added to the page only.
            (
                "meta.created sw, across the batch boundary, with groups",
                users,
                query(r#"meta.created sw "20""#, None, 480, 40),
            ),
            ("meta.created sw, excluding groups", users, without_groups),
            (
                "meta.created sw, sorted, with members",
                groups,
                query(
                    r#"meta.created sw "20""#,
                    Some(("displayName", SortOrder::Descending)),
                    1,
                    10,
                ),
            ),
            (
                "meta.created sw, excluding members",
                groups,
                without_members,
            ),
            (
                "a page past the end",
                users,
                query(r#"groups.display eq "Big""#, None, 5_000, 10),
            ),
        ];
        for (what, rt, q) in &cases {
            let mut answers = Vec::new();
            for loaded in &stores {
                let result = loaded.store.query(&ctx, rt, q).await.unwrap();
                let page: Vec<Value> = result
                    .resources
                    .iter()
                    .map(|r| shown(r, &loaded.group_names))
                    .collect();
                answers.push((loaded.name, result.total_results, page));
            }
            let (_, total, page) = &answers[0];
            assert!(*total > 0, "{what}: the reference matches something");
            for (name, other_total, other_page) in &answers[1..] {
                assert_eq!(other_total, total, "{what}: totalResults on {name}");
                assert_eq!(other_page, page, "{what}: the page on {name}");
            }
        }
        // A cursor walk over the fallback, 300 at a time: every match once, in order.
        let walk_query = query(
            r#"groups.display eq "Big" or groups.display eq "Small""#,
            None,
            1,
            300,
        );
        let reference = walk(&stores[0], users, walk_query.clone()).await;
        assert_eq!(reference.len(), 720);
        for loaded in &stores[1..] {
            assert_eq!(
                walk(loaded, users, walk_query.clone()).await,
                reference,
                "cursor walk on {}",
                loaded.name
            );
        }
    });
}
