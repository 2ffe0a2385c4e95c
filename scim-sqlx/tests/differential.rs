//! Differential property test: random resources (multi-valued complex attributes,
//! extensions, dateTimes with offsets, mixed case, Unicode, `%` `_` `\` in values),
//! random filters and sorts give the same resources in the same order from SQLite,
//! PostgreSQL and scim-core's in-memory store (whose evaluator is the reference).
//!
//! `PROPTEST_CASES` sets the number of resource sets (default 150); each is queried
//! with 24 filters, so the default runs 3 600 filters per backend.
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

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use scim_core::filter::{AttrPath, Sort, SortOrder};
use scim_core::schema::{Attribute, AttributeType, Schema};
use scim_core::{
    Filter, InMemoryStore, Query, RequestContext, Resource, ResourceStore, ResourceType,
    SchemaRegistry, StoreError,
};
use serde_json::{Map, Value, json};

const WIDGET: &str = "urn:test:schemas:Widget";
const EXTRA: &str = "urn:test:schemas:extension:Extra:2.0:Widget";
const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

fn registry() -> SchemaRegistry {
    let mut registry = SchemaRegistry::with_builtins();
    let s = |name: &str| Attribute::new(name, AttributeType::String);
    let widget = Schema::new(WIDGET, "Widget")
        .attribute(s("name"))
        .attribute(s("code").case_exact(true))
        .attribute(Attribute::new("size", AttributeType::Integer))
        .attribute(Attribute::new("weight", AttributeType::Decimal))
        .attribute(Attribute::new("active", AttributeType::Boolean))
        .attribute(Attribute::new("when", AttributeType::DateTime))
        .attribute(s("tags").multi_valued(true))
        .attribute(
            Attribute::complex(
                "parts",
                vec![
                    s("value"),
                    s("type"),
                    Attribute::new("count", AttributeType::Integer),
                    Attribute::new("at", AttributeType::DateTime),
                    Attribute::new("primary", AttributeType::Boolean),
                ],
            )
            .multi_valued(true),
        )
        .attribute(Attribute::complex(
            "info",
            vec![s("label"), Attribute::new("level", AttributeType::Integer)],
        ));
    let extra = Schema::new(EXTRA, "Extra")
        .attribute(s("note"))
        .attribute(Attribute::new("rank", AttributeType::Integer));
    let widget = registry.add_schema(widget).unwrap();
    registry.add_schema(extra).unwrap();
    registry
        .add_resource_type(ResourceType::new("Widget", "/Widgets", widget))
        .unwrap();
    registry.add_extension("Widget", EXTRA, false).unwrap();
    registry
}

const TEXTS: &[&str] = &[
    "", "a", "A", "ab", "AB", "b", "abc", "a%", "%", "_", "a_c", "abc_", "x\\y", "\\", "o'k",
    "q\"t", "ß", "ss", "SS", "Straße", "STRASSE", "Ärne", "ärne", "é", "É", "z", "Zeta", "ΟΔΥΣ",
    "οδυς", "日本", "50% off", "a b",
];
const DATES: &[&str] = &[
    "2011-05-13T04:42:34Z",
    "2011-05-13T06:42:34+02:00",
    "2011-05-13T04:42:34.5Z",
    "2011-05-13T04:42:35Z",
    "2020-02-29T12:00:00-05:00",
    "1999-12-31T23:59:59.999999Z",
    "2011-05-13T00:00:00+23:59",
];
const INTS: &[i64] = &[-5, 0, 1, 2, 10, 100];
const DECIMALS: &[f64] = &[-1.5, 0.0, 0.5, 1.0, 2.25, 10.0];

fn text() -> impl Strategy<Value = String> {
    prop::sample::select(TEXTS).prop_map(str::to_owned)
}

fn date() -> impl Strategy<Value = String> {
    prop::sample::select(DATES).prop_map(str::to_owned)
}

fn int() -> impl Strategy<Value = Value> {
    prop::sample::select(INTS).prop_map(Value::from)
}

fn decimal() -> impl Strategy<Value = Value> {
    prop::sample::select(DECIMALS).prop_map(|f| json!(f))
}

/// `Some(value)` half the time.
fn maybe<S: Strategy<Value = Value>>(s: S) -> impl Strategy<Value = Option<Value>> {
    prop::option::of(s)
}

fn part() -> impl Strategy<Value = Value> {
    (
        maybe(text().prop_map(Value::from)),
        maybe(prop::sample::select(&["work", "Work", "home", "other"][..]).prop_map(Value::from)),
        maybe(int()),
        maybe(date().prop_map(Value::from)),
        maybe(any::<bool>().prop_map(Value::from)),
    )
        .prop_map(|(value, kind, count, at, primary)| {
            object(&[
                ("value", value),
                ("type", kind),
                ("count", count),
                ("at", at),
                ("primary", primary),
            ])
        })
}

fn object(members: &[(&str, Option<Value>)]) -> Value {
    let mut out = Map::new();
    for (k, v) in members {
        if let Some(v) = v {
            out.insert((*k).to_owned(), v.clone());
        }
    }
    Value::Object(out)
}

fn widget() -> impl Strategy<Value = Value> {
    (
        (
            maybe(text().prop_map(Value::from)),
            maybe(text().prop_map(Value::from)),
            maybe(int()),
            maybe(decimal()),
            maybe(any::<bool>().prop_map(Value::from)),
            maybe(date().prop_map(Value::from)),
        ),
        (
            maybe(prop::collection::vec(text(), 0..3).prop_map(Value::from)),
            maybe(prop::collection::vec(part(), 0..3).prop_map(Value::from)),
            maybe(
                (maybe(text().prop_map(Value::from)), maybe(int()))
                    .prop_map(|(l, v)| object(&[("label", l), ("level", v)])),
            ),
            maybe(
                (maybe(text().prop_map(Value::from)), maybe(int()))
                    .prop_map(|(n, r)| object(&[("note", n), ("rank", r)])),
            ),
        ),
    )
        .prop_map(
            |((name, code, size, weight, active, when), (tags, parts, info, extra))| {
                let mut w = object(&[
                    ("name", name),
                    ("code", code),
                    ("size", size),
                    ("weight", weight),
                    ("active", active),
                    ("when", when),
                    ("tags", tags),
                    ("parts", parts),
                    ("info", info),
                    (EXTRA, extra),
                ]);
                let schemas = if w.get(EXTRA).is_some() {
                    json!([WIDGET, EXTRA])
                } else {
                    json!([WIDGET])
                };
                w.as_object_mut().unwrap().insert("schemas".into(), schemas);
                w
            },
        )
}

fn email() -> impl Strategy<Value = Value> {
    (
        text().prop_map(|t| format!("{t}@Example.com")),
        prop::sample::select(&["work", "home", "WORK"][..]),
        any::<bool>(),
    )
        .prop_map(
            |(value, kind, primary)| json!({"value": value, "type": kind, "primary": primary}),
        )
}

fn user() -> impl Strategy<Value = Value> {
    (
        text().prop_filter("userName is required", |t| !t.is_empty()),
        maybe(text().prop_map(Value::from)),
        maybe(text().prop_map(Value::from)),
        prop::collection::vec(email(), 0..3),
        maybe(text().prop_map(Value::from)),
        maybe(any::<bool>().prop_map(Value::from)),
        maybe(text().prop_map(Value::from)),
    )
        .prop_map(
            |(user_name, display, title, emails, given, active, number)| {
                let mut u = object(&[
                    ("userName", Some(Value::from(user_name))),
                    ("displayName", display),
                    ("title", title),
                    ("emails", (!emails.is_empty()).then(|| Value::from(emails))),
                    ("name", given.map(|g| json!({"givenName": g}))),
                    ("active", active),
                    (ENTERPRISE, number.map(|n| json!({"employeeNumber": n}))),
                ]);
                u.as_object_mut().unwrap().insert(
                    "schemas".into(),
                    json!(["urn:ietf:params:scim:schemas:core:2.0:User"]),
                );
                u
            },
        )
}

const WIDGET_PATHS: &[&str] = &[
    "name",
    "NAME",
    "code",
    "size",
    "weight",
    "active",
    "when",
    "tags",
    "parts",
    "parts.value",
    "parts.type",
    "parts.count",
    "parts.at",
    "parts.primary",
    "info",
    "info.label",
    "info.level",
    "urn:test:schemas:extension:Extra:2.0:Widget:note",
    "urn:test:schemas:extension:Extra:2.0:Widget:rank",
    "externalId",
    "nope",
    "parts.nope",
];
const WIDGET_ELEMENTS: &[(&str, &[&str])] = &[
    (
        "parts",
        &["value", "type", "count", "at", "primary", "nope"],
    ),
    ("info", &["label", "level"]),
];
const USER_PATHS: &[&str] = &[
    "userName",
    "displayName",
    "title",
    "emails",
    "emails.value",
    "emails.type",
    "emails.primary",
    "name.givenName",
    "active",
    "externalId",
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber",
    "groups",
];
const USER_ELEMENTS: &[(&str, &[&str])] = &[
    ("emails", &["value", "type", "primary"]),
    ("name", &["givenName"]),
];

/// A comparison value of any type, biased to the pools the resources draw from.
fn comp_value() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => text().prop_map(|t| Value::from(t).to_string()),
        3 => date().prop_map(|d| Value::from(d).to_string()),
        1 => prop::sample::select(&["\"2011\"", "\"2011-05-13\"", "\"10\"", "\"True\""][..]).prop_map(str::to_owned),
        2 => int().prop_map(|v| v.to_string()),
        1 => decimal().prop_map(|v| v.to_string()),
        1 => any::<bool>().prop_map(|b| b.to_string()),
        1 => Just("null".to_owned()),
    ]
}

fn op() -> impl Strategy<Value = &'static str> {
    prop::sample::select(&["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"][..])
}

fn leaf(paths: &'static [&'static str]) -> impl Strategy<Value = String> + Clone {
    let path = prop::sample::select(paths);
    prop_oneof![
        4 => (path.clone(), op(), comp_value()).prop_map(|(p, o, v)| format!("{p} {o} {v}")),
        1 => path.prop_map(|p| format!("{p} pr")),
    ]
}

fn filter(
    paths: &'static [&'static str],
    elements: &'static [(&'static str, &'static [&'static str])],
) -> impl Strategy<Value = String> {
    let value_path = prop::sample::select(elements).prop_flat_map(|(attr, subs)| {
        let inner = leaf(subs);
        (
            inner.clone(),
            prop::option::of((prop::sample::select(&["and", "or"][..]), inner)),
        )
            .prop_map(move |(a, rest)| match rest {
                Some((j, b)) => format!("{attr}[{a} {j} {b}]"),
                None => format!("{attr}[{a}]"),
            })
    });
    let base = prop_oneof![3 => leaf(paths), 1 => value_path];
    base.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            (
                inner.clone(),
                prop::sample::select(&["and", "or"][..]),
                inner.clone()
            )
                .prop_map(|(a, j, b)| format!("{a} {j} {b}")),
            inner.clone().prop_map(|f| format!("not ({f})")),
            inner.prop_map(|f| format!("({f})")),
        ]
    })
}

#[derive(Debug, Clone)]
struct Case {
    resource_type: &'static str,
    resources: Vec<Value>,
    filters: Vec<String>,
    sorts: Vec<Option<(String, bool)>>,
    page: (usize, usize),
}

fn case() -> impl Strategy<Value = Case> {
    let widgets = (
        prop::collection::vec(widget(), 1..9),
        prop::collection::vec(filter(WIDGET_PATHS, WIDGET_ELEMENTS), 24),
        prop::collection::vec(
            prop::option::of((
                prop::sample::select(WIDGET_PATHS).prop_map(str::to_owned),
                any::<bool>(),
            )),
            24,
        ),
        (1usize..6, 0usize..4),
    )
        .prop_map(|(resources, filters, sorts, page)| Case {
            resource_type: "Widget",
            resources,
            filters,
            sorts,
            page,
        });
    let users = (
        prop::collection::vec(user(), 1..9),
        prop::collection::vec(filter(USER_PATHS, USER_ELEMENTS), 24),
        prop::collection::vec(
            prop::option::of((
                prop::sample::select(USER_PATHS).prop_map(str::to_owned),
                any::<bool>(),
            )),
            24,
        ),
        (1usize..6, 0usize..4),
    )
        .prop_map(|(resources, filters, sorts, page)| Case {
            resource_type: "User",
            resources,
            filters,
            sorts,
            page,
        });
    prop_oneof![widgets, users]
}

/// The external ids of results, which every store shares (ids differ per store).
fn tags(resources: &[Resource]) -> Vec<String> {
    resources
        .iter()
        .map(|r| {
            r.get("externalId")
                .and_then(Value::as_str)
                .unwrap_or("?")
                .to_owned()
        })
        .collect()
}

struct Stores {
    memory: Arc<dyn ResourceStore>,
    sql: Vec<(&'static str, Arc<dyn ResourceStore>)>,
}

async fn check(
    stores: &Stores,
    registry: &SchemaRegistry,
    case: &Case,
    n: usize,
) -> Result<(), TestCaseError> {
    let rt = registry.resource_type(case.resource_type).unwrap();
    let ctx = RequestContext::new(format!("tenant-{n}"));
    let mut created = 0;
    for (i, doc) in case.resources.iter().enumerate() {
        let mut doc = doc.clone();
        doc.as_object_mut()
            .unwrap()
            .insert("externalId".into(), json!(format!("r{i}")));
        let resource = Resource::from_value_unchecked(case.resource_type, doc).unwrap();
        let expected = stores.memory.create(&ctx, rt, resource.clone()).await;
        for (name, store) in &stores.sql {
            let got = store.create(&ctx, rt, resource.clone()).await;
            match (&expected, &got) {
                (Ok(_), Ok(_))
                | (Err(StoreError::Conflict { .. }), Err(StoreError::Conflict { .. })) => {}
                _ => prop_assert!(
                    false,
                    "{name}: create {i} gave {got:?}, in-memory {expected:?}"
                ),
            }
        }
        created += usize::from(expected.is_ok());
    }
    for (i, text) in case.filters.iter().enumerate() {
        let filter: Filter = text.parse().unwrap();
        let mut query = Query::default();
        query.filter = Some(filter);
        query.sort = case.sorts[i].as_ref().map(|(by, desc)| Sort {
            by: by.parse::<AttrPath>().unwrap(),
            order: if *desc {
                SortOrder::Descending
            } else {
                SortOrder::Ascending
            },
        });
        let expected = stores.memory.query(&ctx, rt, &query).await.unwrap();
        let mut expected_set = tags(&expected.resources);
        expected_set.sort();
        for (name, store) in &stores.sql {
            let got = store.query(&ctx, rt, &query).await;
            let got = match got {
                Ok(got) => got,
                Err(e) => {
                    return Err(TestCaseError::fail(format!(
                        "{name}: {text:?} failed: {e:?}"
                    )));
                }
            };
            prop_assert_eq!(
                got.total_results,
                expected.total_results,
                "{}: total of {:?} sort {:?}",
                name,
                text,
                query.sort
            );
            let mut got_set = tags(&got.resources);
            got_set.sort();
            prop_assert_eq!(&got_set, &expected_set, "{}: {:?}", name, text);
            // The order: the evaluator's on the store's own resources (ties by the
            // store's ids), or creation order without a sort.
            match &query.sort {
                Some(sort) => {
                    let mut sorted = got.resources.clone();
                    sorted.sort_by(sort.comparator(rt));
                    prop_assert_eq!(
                        tags(&got.resources),
                        tags(&sorted),
                        "{}: order of {:?} by {:?}",
                        name,
                        text,
                        sort
                    );
                }
                None => prop_assert_eq!(
                    tags(&got.resources),
                    tags(&expected.resources),
                    "{}: order of {:?}",
                    name,
                    text
                ),
            }
            // A page is the slice of the whole list, and cursors walk it all.
            let (start, count) = case.page;
            let mut paged = query.clone();
            paged.start_index = start;
            paged.count = Some(count);
            let page = store.query(&ctx, rt, &paged).await.unwrap();
            let slice: Vec<String> = tags(&got.resources)
                .into_iter()
                .skip(start - 1)
                .take(count)
                .collect();
            prop_assert_eq!(tags(&page.resources), slice, "{}: page of {:?}", name, text);
            if count > 0 {
                let mut walked = Vec::new();
                let mut cursor = Some(String::new());
                let mut pages = 0;
                while let Some(c) = cursor {
                    let mut q = query.clone();
                    q.count = Some(count);
                    q.cursor = Some(c);
                    let page = store.query(&ctx, rt, &q).await.unwrap();
                    walked.extend(tags(&page.resources));
                    cursor = page.next_cursor;
                    pages += 1;
                    prop_assert!(pages <= 20, "{}: cursor loop", name);
                }
                prop_assert_eq!(
                    walked,
                    tags(&got.resources),
                    "{}: cursor walk of {:?}",
                    name,
                    text
                );
            }
        }
    }
    let _ = created;
    Ok(())
}

#[test]
fn sql_stores_agree_with_the_evaluator() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let registry = registry();
    let (sqlite, postgres) =
        runtime.block_on(async { (support::sqlite().await, support::postgres().await) });
    let mut sql: Vec<(&'static str, Arc<dyn ResourceStore>)> = vec![("sqlite", Arc::new(sqlite))];
    if let Some(pg) = postgres {
        sql.push(("postgres", Arc::new(pg)));
    }
    let stores = Stores {
        memory: Arc::new(InMemoryStore::new()),
        sql,
    };
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(150);
    let mut runner = TestRunner::new_with_rng(
        Config {
            cases,
            failure_persistence: None,
            ..Config::default()
        },
        proptest::test_runner::TestRng::deterministic_rng(
            proptest::test_runner::RngAlgorithm::ChaCha,
        ),
    );
    let n = std::sync::atomic::AtomicUsize::new(0);
    let result = runner.run(&case(), |case| {
        let n = n.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        runtime.block_on(check(&stores, &registry, &case, n))
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}
