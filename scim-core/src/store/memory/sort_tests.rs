//! The sorted walk of an index gives the same pages as `Sort::comparator` over every
//! resource (RFC 7644 §3.4.2.3), whatever the population and its history.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use proptest::prelude::*;
use serde_json::{Value, json};

use super::*;
use crate::filter::AttrPath;
use crate::filter::{Sort, SortOrder};
use crate::schema::registry::SchemaRegistry;

/// Polls an `InMemoryStore` future once: they never wait.
fn now<F: Future>(future: F) -> F::Output {
    match pin!(future).poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("InMemoryStore futures never wait"),
    }
}

/// Values chosen to collide under case folding (`ß`/`SS`, `ς`/`Σ`, `É`/`é`), plus
/// the blank string, `null` and a missing attribute.
fn value() -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        1 => Just(None),
        1 => Just(Some(Value::Null)),
        1 => Just(Some(json!(""))),
        8 => proptest::sample::select(vec![
            "a", "A", "b", "B", "ab", "aB", "Straße", "STRASSE", "strasse", "ς", "Σ",
            "σ", "É", "é", "e", "z", "Z", "~", "ÿ", "İ", "i",
        ])
        .prop_flat_map(|base| (Just(base), 0u8..3))
        .prop_map(|(base, n)| Some(json!(format!("{base}{n}")))),
    ]
}

#[derive(Debug, Clone)]
enum Step {
    Create(Option<Value>, Option<Value>),
    Replace(usize, Option<Value>, Option<Value>),
    Delete(usize),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        6 => (value(), value()).prop_map(|(u, e)| Step::Create(u, e)),
        2 => (any::<usize>(), value(), value()).prop_map(|(i, u, e)| Step::Replace(i, u, e)),
        1 => any::<usize>().prop_map(Step::Delete),
    ]
}

fn user(user_name: Option<Value>, external_id: Option<Value>) -> Resource {
    let mut doc = serde_json::Map::new();
    if let Some(u) = user_name {
        doc.insert("userName".into(), u);
    }
    if let Some(e) = external_id {
        doc.insert("externalId".into(), e);
    }
    Resource::new_unchecked("User", doc)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn index_pages_equal_comparator_pages(
        steps in proptest::collection::vec(step(), 0..40),
        by in proptest::sample::select(vec!["userName", "externalId", "USERNAME"]),
        descending in any::<bool>(),
        start_index in 1usize..45,
        count in proptest::option::of(0usize..12),
        odd in any::<bool>(),
    ) {
        let registry = SchemaRegistry::with_builtins();
        let users = registry.resource_type("User").unwrap();
        let store = InMemoryStore::new();
        let ctx = RequestContext::new("t");
        let mut ids: Vec<String> = Vec::new();
        for step in steps {
            match step {
                // Duplicates of the unique `userName` are refused: that is fine here.
                Step::Create(u, e) => {
                    if let Ok(r) = now(store.create(&ctx, users, user(u, e))) {
                        ids.push(r.id().unwrap().to_owned());
                    }
                }
                Step::Replace(i, u, e) if !ids.is_empty() => {
                    let id = &ids[i % ids.len()];
                    let _ = now(store.replace(&ctx, users, id, user(u, e), None));
                }
                Step::Delete(i) if !ids.is_empty() => {
                    let id = ids.remove(i % ids.len());
                    now(store.delete(&ctx, users, &id, None)).unwrap();
                }
                _ => {}
            }
        }
        if odd {
            // A number where a string belongs: the index must step aside.
            let r = now(store.create(&ctx, users, user(None, Some(json!(7))))).unwrap();
            ids.push(r.id().unwrap().to_owned());
        }
        let sort = Sort {
            by: by.parse::<AttrPath>().unwrap(),
            order: if descending { SortOrder::Descending } else { SortOrder::Ascending },
        };
        let mut all = now(store.query(&ctx, users, &Query::default())).unwrap().resources;
        all.sort_by(sort.comparator(users));
        let want: Vec<_> = all
            .iter()
            .skip(start_index - 1)
            .take(count.unwrap_or(usize::MAX))
            .map(|r| r.id().unwrap().to_owned())
            .collect();
        let q = Query { sort: Some(sort), start_index, count, ..Query::default() };
        let page = now(store.query(&ctx, users, &q)).unwrap();
        let got: Vec<_> = page.resources.iter().map(|r| r.id().unwrap().to_owned()).collect();
        prop_assert_eq!(page.total_results, all.len());
        prop_assert_eq!(got, want);
    }
}

#[test]
fn the_index_answers_user_name_sorts_without_a_scan() {
    let registry = SchemaRegistry::with_builtins();
    let users = registry.resource_type("User").unwrap();
    let store = InMemoryStore::new();
    let ctx = RequestContext::new("t");
    for name in ["b", "A", "c"] {
        now(store.create(&ctx, users, user(Some(json!(name)), None))).unwrap();
    }
    let tenant = store.tenant(&ctx).unwrap().unwrap();
    let tenant = tenant.read().unwrap();
    let td = tenant.types.get("User").unwrap();
    let index = td.indexes.find(&AttrPath::new("userName"), users).unwrap();
    let (valued, walk) = index.sorted(false).unwrap();
    let names: Vec<_> = walk
        .map(|id| td.records[id].resource.attributes()["userName"].clone())
        .collect();
    assert_eq!(
        (valued, names),
        (3, vec![json!("A"), json!("b"), json!("c")])
    );
    let external = td
        .indexes
        .find(&AttrPath::new("externalId"), users)
        .unwrap();
    assert_eq!(external.sorted(true).unwrap().0, 0, "no externalId stored");
}

/// A number where a string belongs (`externalId: 7`) sorts as the comparator sorts it,
/// by JSON type (numbers before strings), not by its text as the index keys it: the
/// index steps aside while one is stored, and takes over again once it is gone.
#[test]
fn a_number_where_text_belongs_sorts_by_type() {
    let registry = SchemaRegistry::with_builtins();
    let users = registry.resource_type("User").unwrap();
    let store = InMemoryStore::new();
    let ctx = RequestContext::new("t");
    let mut number = None;
    for (i, external_id) in [
        Some(json!("b")),
        None,
        Some(json!(7)),
        Some(json!("a")),
        None,
        // Before `7` as text, after it by type: numbers sort before strings.
        Some(json!("10")),
    ]
    .into_iter()
    .enumerate()
    {
        let is_number = external_id.as_ref().is_some_and(Value::is_number);
        let r = now(store.create(&ctx, users, user(Some(json!(format!("u{i}"))), external_id)))
            .unwrap();
        if is_number {
            number = r.id().map(str::to_owned);
        }
    }
    let pages = |store: &InMemoryStore| {
        [SortOrder::Ascending, SortOrder::Descending].map(|order| {
            let sort = Sort {
                by: AttrPath::new("externalId"),
                order,
            };
            let mut all = now(store.query(&ctx, users, &Query::default()))
                .unwrap()
                .resources;
            all.sort_by(sort.comparator(users));
            let want: Vec<_> = all.iter().map(|r| r.id().unwrap().to_owned()).collect();
            // A page (not the whole list): the index answers pages.
            let q = Query {
                sort: Some(sort),
                count: Some(10),
                ..Query::default()
            };
            let got: Vec<_> = now(store.query(&ctx, users, &q))
                .unwrap()
                .resources
                .iter()
                .map(|r| r.id().unwrap().to_owned())
                .collect();
            (got, want)
        })
    };
    let index_answers = |store: &InMemoryStore| {
        let tenant = store.tenant(&ctx).unwrap().unwrap();
        let tenant = tenant.read().unwrap();
        let td = tenant.types.get("User").unwrap();
        let index = td
            .indexes
            .find(&AttrPath::new("externalId"), users)
            .unwrap();
        index.sorted(false).is_some()
    };
    for (got, want) in pages(&store) {
        assert_eq!(got, want);
    }
    assert!(!index_answers(&store), "the index steps aside");
    now(store.delete(&ctx, users, number.as_deref().unwrap(), None)).unwrap();
    for (got, want) in pages(&store) {
        assert_eq!(got, want);
    }
    assert!(index_answers(&store), "the index answers again");
}
