//! Arbitrary JSON, including arbitrary values under real attribute names, fed to parsing,
//! validation and projection: never a panic, always a resource or a 4xx SCIM error.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests"
)]

use proptest::prelude::*;
use scim_core::{
    Resource, SchemaRegistry, ScimError, filter::Projection, schema::ValidationOptions,
};
use serde_json::{Map, Value};

/// Attribute names of the built-in schemas, in odd casings, and a few strangers.
const NAMES: &[&str] = &[
    "schemas",
    "id",
    "externalId",
    "meta",
    "created",
    "lastModified",
    "version",
    "location",
    "resourceType",
    "userName",
    "UserName",
    "name",
    "givenName",
    "familyName",
    "displayName",
    "active",
    "Active",
    "password",
    "emails",
    "value",
    "Value",
    "type",
    "primary",
    "display",
    "$ref",
    "addresses",
    "groups",
    "members",
    "x509Certificates",
    "photos",
    "profileUrl",
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber",
    "urn:ietf:params:scim:schemas:core:2.0:User:userName",
    "manager",
    "employeeNumber",
    "unknown",
    "urn:",
    "",
];

const STRINGS: &[&str] = &[
    "urn:ietf:params:scim:schemas:core:2.0:User",
    "urn:ietf:params:scim:schemas:core:2.0:Group",
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
    "urn:scim:schemas:core:2.0",
    "True",
    "false",
    "work",
    "2010-01-23T04:56:22Z",
    "TWFu",
    "",
    "é✓",
];

fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        prop::sample::select(STRINGS).prop_map(Value::from),
        ".{0,8}".prop_map(Value::from),
    ];
    leaf.prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![
                        prop::sample::select(NAMES).prop_map(str::to_owned),
                        ".{0,6}"
                    ],
                    inner
                ),
                0..8
            )
            .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn client_error(e: &ScimError) -> bool {
    e.status().is_client_error()
}

fn exercise(body: &[u8]) {
    let registry = SchemaRegistry::with_builtins();
    for rt in registry.resource_types() {
        for opts in [ValidationOptions::default(), ValidationOptions::strict()] {
            let parsed = match Resource::parse(body, rt, &opts) {
                Ok(r) => r,
                Err(e) => {
                    assert!(client_error(&e), "{e}");
                    continue;
                }
            };
            let _ = Projection::default().apply(&parsed, rt);
            let _ = Projection::parse(Some("name.givenName,emails.value,members"), Some("meta"))
                .unwrap()
                .apply(&parsed, rt);
            let mut created = parsed.clone();
            if let Err(e) = created.validate_for_create(rt, &opts) {
                assert!(client_error(&e), "{e}");
            }
            let mut replaced = parsed.clone();
            if let Err(e) = replaced.validate_for_replace(&created, rt, &opts) {
                assert!(client_error(&e), "{e}");
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_json_gives_a_resource_or_a_4xx(value in json()) {
        exercise(&serde_json::to_vec(&value).unwrap());
    }

    #[test]
    fn arbitrary_objects_under_a_valid_core(extra in prop::collection::vec((prop::sample::select(NAMES), json()), 0..6)) {
        let mut object = Map::new();
        object.insert("schemas".into(), serde_json::json!(["urn:ietf:params:scim:schemas:core:2.0:User"]));
        object.insert("userName".into(), "bjensen".into());
        object.insert("displayName".into(), "G".into());
        for (k, v) in extra {
            object.insert(k.to_owned(), v);
        }
        exercise(&serde_json::to_vec(&Value::Object(object)).unwrap());
    }

    #[test]
    fn arbitrary_bytes_give_a_resource_or_a_4xx(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        exercise(&bytes);
    }
}

#[test]
fn deeply_nested_json_is_an_error_not_a_crash() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    exercise(deep.as_bytes());
    let deep = format!(
        "{{\"name\":{}1{}}}",
        "{\"a\":".repeat(10_000),
        "}".repeat(10_000)
    );
    exercise(deep.as_bytes());
}
