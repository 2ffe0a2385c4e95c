//! Law: a prepared filter answers exactly as the reference tree-walking evaluator, over generated filters
//! (every operator, every attribute type, value paths, unknown paths) and generated
//! resources (case variants, non-ASCII folds, wrong JSON types, non-canonical keys).

use proptest::prelude::*;
use serde_json::{Map, Value, json};

use crate::filter::evaluate::reference;
use crate::filter::{AttrPath, CompValue, CompareOp, Filter};
use crate::schema::attribute::{Attribute, AttributeType};
use crate::schema::definition::Schema;
use crate::{Resource, SchemaRegistry};

const EXT: &str = "urn:acme:scim:schemas:1.0:Ext";
const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

fn registry() -> SchemaRegistry {
    let mut registry = SchemaRegistry::with_builtins();
    registry
        .add_schema(
            Schema::new(EXT, "Acme")
                .attribute(Attribute::new("level", AttributeType::Integer))
                .attribute(Attribute::new("score", AttributeType::Decimal))
                .attribute(Attribute::new("hired", AttributeType::DateTime))
                .attribute(Attribute::new("badge", AttributeType::Binary).case_exact(true))
                .attribute(Attribute::new("code", AttributeType::String).case_exact(true))
                .attribute(Attribute::new("tags", AttributeType::String).multi_valued(true))
                .attribute(Attribute::complex(
                    "badgeSet",
                    vec![Attribute::new("labels", AttributeType::String).multi_valued(true)],
                )),
        )
        .unwrap();
    registry.add_extension("User", EXT, false).unwrap();
    registry
}

const PATHS: &[&str] = &[
    "userName",
    "USERNAME",
    "title",
    "displayName",
    "active",
    "emails",
    "emails.value",
    "emails.type",
    "emails.primary",
    "name",
    "name.givenName",
    "meta.lastModified",
    "id",
    "externalId",
    "groups.display",
    "x509Certificates.value",
    "nickName2",
    "urn:ietf:params:scim:schemas:core:2.0:User:title",
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber",
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
    "urn:acme:scim:schemas:1.0:Ext:level",
    "urn:acme:scim:schemas:1.0:Ext:score",
    "urn:acme:scim:schemas:1.0:Ext:hired",
    "urn:acme:scim:schemas:1.0:Ext:badge",
    "urn:acme:scim:schemas:1.0:Ext:code",
    "urn:acme:scim:schemas:1.0:Ext:tags",
    "urn:acme:scim:schemas:1.0:Ext:nope",
];

/// Paths inside `emails[...]`: sub-attributes, an unknown one, and forms that do not
/// resolve in an element.
const ELEMENT_PATHS: &[&str] = &[
    "value",
    "TYPE",
    "primary",
    "display",
    "bogus",
    "emails.value",
];

/// Few enough that generated values and filter values often meet: case variants,
/// folds that change length (`ß`/`SS`), final sigma, the Kelvin sign, instants.
const TEXTS: &[&str] = &[
    "",
    "a",
    "A",
    "ab",
    "AB",
    "aB",
    "b",
    "ß",
    "SS",
    "ss",
    "Σ",
    "ς",
    "σ",
    "é",
    "É",
    "\u{212A}",
    "k",
    "42",
    "4",
    "true",
    "False",
    "2011-05-13T04:42:34Z",
    "2011-05-13T06:42:34+02:00",
];

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::sample::select(TEXTS).prop_map(str::to_owned),
        1 => (proptest::sample::select(TEXTS), proptest::sample::select(TEXTS)).prop_map(|(a, b)| format!("{a}{b}")),
    ]
}

fn comp_value() -> impl Strategy<Value = CompValue> {
    prop_oneof![
        6 => text().prop_map(CompValue::String),
        2 => Just(CompValue::Null),
        1 => any::<bool>().prop_map(CompValue::Bool),
        2 => (-3i64..50).prop_map(|n| CompValue::Number(n.into())),
        1 => Just(CompValue::Number(serde_json::Number::from_f64(4.5).unwrap())),
    ]
}

fn op() -> impl Strategy<Value = CompareOp> {
    proptest::sample::select(vec![
        CompareOp::Eq,
        CompareOp::Ne,
        CompareOp::Co,
        CompareOp::Sw,
        CompareOp::Ew,
        CompareOp::Gt,
        CompareOp::Lt,
        CompareOp::Ge,
        CompareOp::Le,
    ])
}

fn leaf(paths: &'static [&'static str]) -> impl Strategy<Value = Filter> {
    let path = proptest::sample::select(paths).prop_map(|p| p.parse::<AttrPath>().unwrap());
    prop_oneof![
        4 => (path.clone(), op(), comp_value()).prop_map(|(path, op, value)| Filter::Compare { path, op, value }),
        1 => path.prop_map(Filter::Present),
    ]
}

fn logic(leaf: BoxedStrategy<Filter>) -> impl Strategy<Value = Filter> {
    leaf.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 2..4).prop_map(Filter::And),
            proptest::collection::vec(inner.clone(), 2..4).prop_map(Filter::Or),
            inner.prop_map(|f| Filter::Not(Box::new(f))),
        ]
    })
}

fn filter() -> impl Strategy<Value = Filter> {
    let value_path = (
        proptest::sample::select(vec![
            "emails",
            "name",
            "title",
            "emails.value",
            "groups",
            "nickName2",
        ]),
        logic(leaf(ELEMENT_PATHS).boxed()),
    )
        .prop_map(|(p, f)| Filter::ValuePath {
            path: p.parse().unwrap(),
            filter: Box::new(f),
        });
    logic(prop_oneof![4 => leaf(PATHS), 1 => value_path].boxed())
}

/// A JSON value for an attribute: mostly strings, sometimes the wrong type.
fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        6 => text().prop_map(Value::String),
        2 => Just(json!("")),
        1 => any::<bool>().prop_map(Value::Bool),
        1 => (-3i64..50).prop_map(|n| json!(n)),
        1 => Just(json!(4.5)),
        1 => Just(Value::Null),
    ]
}

fn email() -> impl Strategy<Value = Value> {
    (
        proptest::option::of(scalar()),
        proptest::option::of(scalar()),
        proptest::option::of(any::<bool>()),
    )
        .prop_map(|(value, kind, primary)| {
            let mut o = Map::new();
            if let Some(v) = value {
                o.insert("value".into(), v);
            }
            if let Some(t) = kind {
                // A non-canonical key: found case-insensitively (RFC 7643 §2.1).
                o.insert("Type".into(), t);
            }
            if let Some(p) = primary {
                o.insert("primary".into(), json!(p));
            }
            Value::Object(o)
        })
}

fn resource() -> impl Strategy<Value = Resource> {
    let fields = (
        proptest::option::of(scalar()),
        proptest::option::of(scalar()),
        proptest::option::of(scalar()),
        proptest::option::of(prop_oneof![any::<bool>().prop_map(Value::Bool), scalar()]),
        proptest::option::of(prop_oneof![
            4 => proptest::collection::vec(email(), 0..3).prop_map(Value::Array),
            1 => email(),
        ]),
        proptest::option::of(scalar()),
        proptest::option::of(scalar()),
    );
    let ext = (
        proptest::option::of(prop_oneof![(-3i64..50).prop_map(|n| json!(n)), scalar()]),
        proptest::option::of(scalar()),
        proptest::option::of(scalar()),
        proptest::option::of(proptest::collection::vec(scalar(), 0..3).prop_map(Value::Array)),
        proptest::option::of(scalar()),
    );
    (fields, ext, any::<bool>()).prop_map(
        |(
            (user_name, title, display, active, emails, given, modified),
            (level, hired, code, tags, employee),
            upper,
        )| {
            let mut doc = Map::new();
            let put = |doc: &mut Map<String, Value>, k: &str, v: Option<Value>| {
                if let Some(v) = v {
                    doc.insert(k.to_owned(), v);
                }
            };
            put(&mut doc, "id", Some(json!("2819c223")));
            put(
                &mut doc,
                if upper { "USERNAME" } else { "userName" },
                user_name,
            );
            put(&mut doc, "title", title);
            put(&mut doc, "displayName", display);
            put(&mut doc, "active", active);
            put(&mut doc, "emails", emails);
            put(&mut doc, "name", given.map(|g| json!({"givenName": g})));
            put(
                &mut doc,
                "meta",
                modified.map(|m| json!({"lastModified": m})),
            );
            let mut ext = Map::new();
            put(&mut ext, "level", level.clone());
            put(&mut ext, "score", level);
            put(&mut ext, "hired", hired);
            put(&mut ext, "code", code.clone());
            put(&mut ext, "badge", code);
            put(&mut ext, "tags", tags);
            if !ext.is_empty() {
                doc.insert(EXT.to_owned(), Value::Object(ext));
            }
            put(
                &mut doc,
                ENTERPRISE,
                employee.map(|e| json!({"employeeNumber": e, "manager": {"value": "m1"}})),
            );
            Resource::new_unchecked("User", doc)
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1500))]
    #[test]
    fn prepared_comparisons_answer_as_matches(filter in leaf(PATHS), resources in proptest::collection::vec(resource(), 1..6)) {
        let registry = registry();
        let users = registry.resource_type("User").unwrap();
        let prepared = filter.prepare(users);
        for resource in &resources {
            prop_assert_eq!(
                prepared.matches(resource),
                reference::matches(&filter, resource, users),
                "{} on {:?}", filter, resource.attributes()
            );
        }
    }


    #[test]
    fn prepared_filters_answer_as_matches(filter in filter(), resources in proptest::collection::vec(resource(), 1..6)) {
        let registry = registry();
        let users = registry.resource_type("User").unwrap();
        let prepared = filter.prepare(users);
        for resource in &resources {
            prop_assert_eq!(
                prepared.matches(resource),
                reference::matches(&filter, resource, users),
                "{} on {:?}", filter, resource.attributes()
            );
        }
    }
}

#[test]
fn folds_and_types_table() {
    let registry = registry();
    let users = registry.resource_type("User").unwrap();
    let user = Resource::from_value_unchecked(
        "User",
        json!({"userName": "Straße", "title": "ςx", "active": false, "emails": [{"value": "A@B.example", "type": "work"}],
               EXT: {"level": 7, "hired": "2011-05-13T04:42:34Z", "code": "AbC",
                     "badgeSet": {"labels": ["x", "Y"]}}}),
    )
    .unwrap();
    for (text, want) in [
        (r#"userName eq "STRASSE""#, true),
        (r#"userName sw "strass""#, true),
        (r#"userName co "asse""#, true),
        (r#"title sw "Σ""#, true),
        (r#"emails co "@b.EXAMPLE""#, true),
        (r#"emails[type eq "WORK" and value ew ".example"]"#, true),
        (r#"urn:acme:scim:schemas:1.0:Ext:level gt "6""#, true),
        (r#"urn:acme:scim:schemas:1.0:Ext:level lt 7"#, false),
        (
            r#"urn:acme:scim:schemas:1.0:Ext:hired lt "2011-05-13T06:42:35+02:00""#,
            true,
        ),
        // `co`, `sw` and `ew` on a dateTime compare text, even with a whole instant.
        (
            r#"urn:acme:scim:schemas:1.0:Ext:hired co "2011-05-13T04:42:34Z""#,
            true,
        ),
        (r#"urn:acme:scim:schemas:1.0:Ext:hired sw "2011-05""#, true),
        (r#"urn:acme:scim:schemas:1.0:Ext:code eq "abc""#, false),
        (r#"urn:acme:scim:schemas:1.0:Ext:code eq "AbC""#, true),
        (r#"urn:acme:scim:schemas:1.0:Ext:code co "bC""#, true),
        (r#"urn:acme:scim:schemas:1.0:Ext:code co "BC""#, false),
        (r#"urn:acme:scim:schemas:1.0:Ext:code ew "bC""#, true),
        (r#"urn:acme:scim:schemas:1.0:Ext:code sw "ab""#, false),
        // A multi-valued sub-attribute: any of its values.
        (
            r#"urn:acme:scim:schemas:1.0:Ext:badgeSet.labels eq "y""#,
            true,
        ),
        (
            r#"urn:acme:scim:schemas:1.0:Ext:badgeSet.labels eq "z""#,
            false,
        ),
        ("nickName2 pr", false),
        ("not (nickName2 pr)", true),
        // Entra ID writes booleans as strings.
        (r#"active eq "False""#, true),
        (r#"active eq "true""#, false),
        ("title eq null", false),
        ("displayName eq null", true),
        // Inside a value filter, a path names one sub-attribute of the element: a
        // deeper path or a schema-qualified one names nothing there.
        (r#"emails[value.x eq "A@B.example"]"#, false),
        (r#"emails[value eq "A@B.example"]"#, true),
    ] {
        let filter: Filter = text.parse().unwrap();
        assert_eq!(filter.prepare(users).matches(&user), want, "{text}");
        assert_eq!(reference::matches(&filter, &user, users), want, "{text}");
    }
}
