use std::sync::Arc;

use serde_json::{Value, json};

use super::*;
use crate::Resource;
use crate::error::ScimType;
use crate::schema::attribute::Attribute;
use crate::schema::definition::{ResourceType, Schema};
use crate::schema::registry::SchemaRegistry;

const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

fn lenient() -> ValidationOptions {
    ValidationOptions::default()
}

fn strict() -> ValidationOptions {
    ValidationOptions::strict()
}

fn users() -> Arc<ResourceType> {
    SchemaRegistry::with_builtins()
        .resource_type("User")
        .cloned()
        .unwrap()
}

/// A resource type with one attribute of every type.
fn things() -> ResourceType {
    let schema = Schema::new("urn:example:Thing", "Thing")
        .attribute(Attribute::new("count", AttributeType::Integer))
        .attribute(Attribute::new("ratio", AttributeType::Decimal))
        .attribute(Attribute::new("when", AttributeType::DateTime))
        .attribute(Attribute::new("blob", AttributeType::Binary))
        .attribute(Attribute::new("link", AttributeType::Reference))
        .attribute(Attribute::new("flag", AttributeType::Boolean))
        .attribute(Attribute::new("tags", AttributeType::String).multi_valued(true))
        .attribute(Attribute::complex(
            "box",
            vec![Attribute::new("size", AttributeType::Integer)],
        ));
    ResourceType::new("Thing", "/Things", Arc::new(schema))
}

fn parse_with(
    body: Value,
    rt: &ResourceType,
    opts: &ValidationOptions,
) -> Result<Value, ScimError> {
    Resource::parse(&serde_json::to_vec(&body).unwrap(), rt, opts).map(Resource::into_value)
}

fn parse(body: Value) -> Result<Value, ScimError> {
    parse_with(body, &users(), &lenient())
}

fn invalid_value(result: Result<Value, ScimError>, path: &str) {
    let err = result.unwrap_err();
    assert_eq!(err.scim_type(), Some(ScimType::InvalidValue), "{err}");
    assert!(
        err.detail().contains(path),
        "{path} not in {:?}",
        err.detail()
    );
}

fn invalid_syntax(result: Result<Value, ScimError>) {
    let err = result.unwrap_err();
    assert_eq!(err.scim_type(), Some(ScimType::InvalidSyntax), "{err}");
}

#[test]
fn attribute_names_take_the_schema_spelling() {
    let v = parse(json!({
        "SCHEMAS": ["urn:ietf:params:scim:schemas:core:2.0:user"],
        "UserName": "bjensen",
        "Active": true,
        "DisplayName": "Babs",
        "NAME": {"GivenName": "Barbara"},
        "Emails": [{"VALUE": "b@example.com", "Primary": true}],
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:USER": {"Manager": {"Value": "42"}}
    }))
    .unwrap();
    assert_eq!(
        v,
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": "bjensen",
            "active": true,
            "displayName": "Babs",
            "name": {"givenName": "Barbara"},
            "emails": [{"value": "b@example.com", "primary": true}],
            ENTERPRISE: {"manager": {"value": "42"}}
        })
    );
}

#[test]
fn urn_qualified_keys_move_under_their_schema() {
    let v = parse(json!({
        "urn:ietf:params:scim:schemas:core:2.0:User:userName": "bjensen",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber": "701984",
        ENTERPRISE: {"costCenter": "4130"}
    }))
    .unwrap();
    assert_eq!(
        v,
        json!({"userName": "bjensen", ENTERPRISE: {"employeeNumber": "701984", "costCenter": "4130"}})
    );
}

#[test]
fn an_attribute_given_twice_is_invalid_syntax() {
    invalid_syntax(parse(json!({"userName": "a", "USERNAME": "b"})));
    invalid_syntax(parse(json!({
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:costCenter": "1",
        ENTERPRISE: {"costCenter": "2"}
    })));
}

#[test]
fn boolean_strings_are_coerced_only_when_lenient() {
    assert_eq!(
        parse(json!({"active": "True"})).unwrap()["active"],
        json!(true)
    );
    assert_eq!(
        parse(json!({"active": "fALSE"})).unwrap()["active"],
        json!(false)
    );
    assert_eq!(
        parse(json!({"active": false})).unwrap()["active"],
        json!(false)
    );
    invalid_value(parse(json!({"active": "yes"})), "active");
    invalid_value(parse(json!({"active": 1})), "active");
    invalid_value(
        parse_with(json!({"active": "True"}), &users(), &strict()),
        "active",
    );
}

#[test]
fn strings_are_checked() {
    invalid_value(parse(json!({"userName": 42})), "userName");
    invalid_value(
        parse(json!({"name": {"givenName": ["x"]}})),
        "name.givenName",
    );
    invalid_value(
        parse(json!({ENTERPRISE: {"department": true}})),
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
    );
    // A URN-qualified key names the attribute in its schema's spelling.
    invalid_value(
        parse(
            json!({"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:MANAGER": {"value": 7}}),
        ),
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
    );
}

#[test]
fn integers_and_decimals_are_checked() {
    let rt = things();
    let ok = parse_with(json!({"count": 3, "ratio": 0.5}), &rt, &strict()).unwrap();
    assert_eq!(ok, json!({"count": 3, "ratio": 0.5}));
    assert_eq!(
        parse_with(json!({"ratio": 2}), &rt, &strict()).unwrap(),
        json!({"ratio": 2})
    );
    invalid_value(parse_with(json!({"count": 1.5}), &rt, &lenient()), "count");
    invalid_value(parse_with(json!({"count": "3"}), &rt, &lenient()), "count");
    invalid_value(
        parse_with(json!({"ratio": "0.5"}), &rt, &lenient()),
        "ratio",
    );
    invalid_value(
        parse_with(json!({"box": {"size": "big"}}), &rt, &lenient()),
        "box.size",
    );
}

#[test]
fn date_times_are_rfc_3339() {
    let rt = things();
    for ok in ["2010-01-23T04:56:22Z", "2011-08-01T18:29:49.793+02:00"] {
        assert_eq!(
            parse_with(json!({"when": ok}), &rt, &strict()).unwrap()["when"],
            json!(ok)
        );
    }
    for bad in [
        "2010-01-23",
        "yesterday",
        "2010-13-23T04:56:22Z",
        "2010-01-23T04:56:22",
    ] {
        invalid_value(parse_with(json!({"when": bad}), &rt, &lenient()), "when");
    }
    invalid_value(
        parse_with(json!({"when": 1_264_222_582}), &rt, &lenient()),
        "when",
    );
    invalid_value(
        parse(json!({"meta": {"created": "not a date"}})),
        "meta.created",
    );
}

#[test]
fn binary_values_are_base64() {
    let rt = things();
    for ok in ["", "TWFu", "TWE=", "TQ==", "TWE", "ab+/"] {
        assert!(
            parse_with(json!({"blob": ok}), &rt, &strict()).is_ok(),
            "{ok}"
        );
    }
    for bad in ["T", "TQ=", "TWFu!", "TW Fu", "TQ===", "=TQ="] {
        invalid_value(parse_with(json!({"blob": bad}), &rt, &lenient()), "blob");
    }
}

#[test]
fn references_are_strings() {
    let rt = things();
    assert!(parse_with(json!({"link": "https://example.com/x"}), &rt, &strict()).is_ok());
    invalid_value(
        parse_with(json!({"link": {"href": "x"}}), &rt, &lenient()),
        "link",
    );
}

#[test]
fn complex_values_are_objects_or_a_bare_value_when_lenient() {
    let v =
        parse(json!({ENTERPRISE: {"manager": "26118915-6090-4610-87e4-49d8ca9f808d"}})).unwrap();
    assert_eq!(
        v[ENTERPRISE]["manager"],
        json!({"value": "26118915-6090-4610-87e4-49d8ca9f808d"})
    );
    invalid_value(
        parse_with(json!({ENTERPRISE: {"manager": "x"}}), &users(), &strict()),
        "manager",
    );
    // `name` has no `value` sub-attribute to wrap into.
    invalid_value(parse(json!({"name": "Barbara"})), "name");
    invalid_value(parse(json!({"name": [{"givenName": "x"}]})), "name");
}

#[test]
fn multi_valued_attributes_take_arrays_or_one_value_when_lenient() {
    let v = parse(json!({"emails": {"value": "a@example.com"}})).unwrap();
    assert_eq!(v["emails"], json!([{"value": "a@example.com"}]));
    invalid_value(
        parse_with(
            json!({"emails": {"value": "a@example.com"}}),
            &users(),
            &strict(),
        ),
        "emails",
    );
    // A bare element is a `value` when lenient.
    let v = parse(json!({"emails": [{"value": "a"}, "b"]})).unwrap();
    assert_eq!(v["emails"], json!([{"value": "a"}, {"value": "b"}]));
    invalid_value(
        parse_with(
            json!({"emails": [{"value": "a"}, "b"]}),
            &users(),
            &strict(),
        ),
        "emails",
    );
    invalid_value(
        parse(json!({"emails": [{"value": "a"}, 5]})),
        "emails.value",
    );
    invalid_value(
        parse(json!({"emails": [{"primary": "maybe"}]})),
        "emails.primary",
    );
    let rt = things();
    assert_eq!(
        parse_with(json!({"tags": "a"}), &rt, &lenient()).unwrap(),
        json!({"tags": ["a"]})
    );
    invalid_value(parse_with(json!({"tags": [1]}), &rt, &lenient()), "tags");
}

#[test]
fn null_and_empty_arrays_are_unassigned() {
    let v = parse(json!({
        "userName": "b", "nickName": null, "roles": [], "emails": [null],
        "name": {"givenName": null},
        "members": null
    }))
    .unwrap();
    assert_eq!(v, json!({"userName": "b", "name": {}}));
    let g = SchemaRegistry::with_builtins();
    let groups = g.resource_type("Group").unwrap();
    // Entra ID sends `"$ref": null` in members.
    let v = parse_with(
        json!({"members": [{"$ref": null, "value": "1"}]}),
        groups,
        &strict(),
    )
    .unwrap();
    assert_eq!(v, json!({"members": [{"value": "1"}]}));
}

#[test]
fn unknown_attributes_are_dropped_or_rejected_when_strict() {
    let body = json!({"userName": "b", "shoeSize": 44, "name": {"nickname2": "x"}, "urn:example:other:1.0:User": {"a": 1}});
    assert_eq!(
        parse(body.clone()).unwrap(),
        json!({"userName": "b", "name": {}})
    );
    invalid_syntax(parse_with(body, &users(), &strict()));
    invalid_syntax(parse_with(
        json!({"name": {"nick": "x"}}),
        &users(),
        &strict(),
    ));
    invalid_syntax(parse_with(
        json!({"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:shoe": 1}),
        &users(),
        &strict(),
    ));
}

#[test]
fn unknown_schema_urns_are_dropped_or_rejected_when_strict() {
    let g = SchemaRegistry::with_builtins();
    let groups = g.resource_type("Group").unwrap();
    let entra = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group",
                    "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],
        "displayName": "Admins"
    });
    assert_eq!(
        parse_with(entra.clone(), groups, &lenient()).unwrap()["schemas"],
        json!(["urn:ietf:params:scim:schemas:core:2.0:Group"])
    );
    invalid_syntax(parse_with(entra, groups, &strict()));
    // OneLogin's legacy URN stands for the core schema.
    let onelogin = json!({"schemas": ["urn:scim:schemas:core:2.0"], "userName": "b"});
    assert_eq!(
        parse(onelogin).unwrap()["schemas"],
        json!(["urn:ietf:params:scim:schemas:core:2.0:User"])
    );
    invalid_value(parse(json!({"schemas": [1]})), "schemas");
    invalid_value(
        parse_with(json!({"schemas": USER_URN}), &users(), &strict()),
        "schemas",
    );
    assert_eq!(
        parse(json!({"schemas": USER_URN})).unwrap()["schemas"],
        json!([USER_URN])
    );
}

#[test]
fn schema_urns_keep_their_first_order_respelled_once_each() {
    // Unknown URNs go, each known one is respelled as registered, and a URN met again in
    // any spelling (the legacy core URN standing for the core one) is kept only once,
    // where it came first.
    let body = json!({
        "schemas": ["urn:example:unknown", ENTERPRISE.to_uppercase(), "urn:scim:schemas:core:2.0",
                    "urn:example:other", USER_URN, ENTERPRISE, USER_URN.to_lowercase()],
        "userName": "b"
    });
    assert_eq!(
        parse(body).unwrap()["schemas"],
        json!([ENTERPRISE, USER_URN])
    );
    let respelled = json!({"schemas": [USER_URN.to_lowercase()], "userName": "b"});
    assert_eq!(parse(respelled).unwrap()["schemas"], json!([USER_URN]));
    // A non-string after an unknown URN is still an error.
    invalid_value(
        parse(json!({"schemas": ["urn:example:unknown", USER_URN, 7]})),
        "schemas",
    );
}

const USER_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:User";

#[test]
fn canonical_values_are_advice_unless_strict() {
    let body = json!({"emails": [{"value": "a@example.com", "type": "pigeon"}]});
    assert!(parse(body.clone()).is_ok());
    invalid_value(parse_with(body, &users(), &strict()), "emails.type");
    // Not caseExact: "WORK" is "work".
    let work = json!({"emails": [{"value": "a@example.com", "type": "WORK"}]});
    assert!(parse_with(work, &users(), &strict()).is_ok());
}

#[test]
fn bodies_are_limited_and_must_be_json_objects() {
    let opts = ValidationOptions {
        max_resource_bytes: 10,
        ..ValidationOptions::default()
    };
    let err = Resource::parse(br#"{"userName":"bjensen"}"#, &users(), &opts).unwrap_err();
    assert_eq!(err.status().as_u16(), 413);
    for body in [&b"{"[..], b"", b"[1]", b"\"x\"", b"{\"a\":1}}"] {
        let err = Resource::parse(body, &users(), &lenient()).unwrap_err();
        assert_eq!(err.scim_type(), Some(ScimType::InvalidSyntax), "{body:?}");
    }
}

#[test]
fn coerce_value_takes_a_whole_value_and_coerce_element_one_element() {
    let rt = users();
    let emails = rt.schema.attribute_named("emails").unwrap();
    let whole = coerce_value(
        emails,
        json!([{"Value": "a", "Primary": "true"}]),
        &lenient(),
        &ValuePath::root(&"emails"),
    )
    .unwrap();
    assert_eq!(whole, json!([{"value": "a", "primary": true}]));
    let one = coerce_element(
        emails,
        json!({"Value": "a"}),
        &lenient(),
        &ValuePath::root(&"emails"),
    )
    .unwrap();
    assert_eq!(one, json!({"value": "a"}));
    assert!(
        coerce_element(
            emails,
            json!([{"value": "a"}]),
            &lenient(),
            &ValuePath::root(&"emails")
        )
        .is_err()
    );
    let active = rt.schema.attribute_named("active").unwrap();
    assert_eq!(
        coerce_value(
            active,
            json!("False"),
            &lenient(),
            &ValuePath::root(&"active")
        )
        .unwrap(),
        json!(false)
    );
    assert_eq!(
        coerce_value(active, Value::Null, &lenient(), &ValuePath::root(&"active")).unwrap(),
        Value::Null
    );
}

/// A body whose keys are spelled as defined is canonicalized in place: exactly as the
/// general path does it, value for value and error for error, in both modes.
#[test]
fn in_place_canonicalization_gives_what_the_general_path_gives() {
    let users = users();
    let bodies = [
        json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "b",
               "name": {"givenName": "B", "FAMILYNAME": "J", "middleName": null},
               "emails": [{"value": "b@example.com", "type": "work", "primary": "True"}],
               "active": "False", "title": null, "phoneNumbers": [],
               ENTERPRISE: {"employeeNumber": "7", "manager": "m1", "costCenter": null}}),
        // Unknown schemas dropped to none, an extension left empty, a single value as an array.
        json!({"schemas": ["urn:example:unknown"], "userName": "c", ENTERPRISE: {"division": null},
               "emails": {"value": "c@example.com"}, "nickName": null}),
        json!({"x509Certificates": [{"value": "!"}]}),
        json!({"userName": 42}),
        json!({"active": "maybe"}),
        json!({ENTERPRISE: "not an object"}),
        json!({"emails": [{"value": "x", "type": "work", "nope": 1}], "userName": "u"}),
        json!({"schemas": "urn:ietf:params:scim:schemas:core:2.0:User", "meta": {"version": "W/\"1\""}, "id": "9"}),
    ];
    for body in bodies {
        let Value::Object(input) = body else {
            unreachable!()
        };
        assert!(
            input.keys().all(|key| spelled_as_defined(key, &users)),
            "{input:?}"
        );
        for opts in [lenient(), strict()] {
            let in_place = canonicalize_in_place(input.clone(), &users, &opts);
            let general = canonicalize_into_new(input.clone(), &users, &opts);
            match (in_place, general) {
                (Ok(a), Ok(b)) => {
                    assert_eq!(a, b);
                    // Same order too.
                    assert!(a.keys().eq(b.keys()), "{a:?} / {b:?}");
                }
                (Err(a), Err(b)) => {
                    assert_eq!(
                        (a.status(), a.scim_type(), a.detail()),
                        (b.status(), b.scim_type(), b.detail())
                    );
                }
                (a, b) => panic!("{input:?}: in place {a:?}, general {b:?}"),
            }
        }
    }
    // A key spelled otherwise, URN-qualified or unknown takes the general path.
    for key in [
        "username",
        "urn:ietf:params:scim:schemas:core:2.0:User:userName",
        "nickname",
        "Schemas",
    ] {
        assert!(!spelled_as_defined(key, &users), "{key}");
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
    /// Any body of keys spelled as defined, each with a value good or bad for it.
    #[test]
    fn any_body_is_canonicalized_in_place_as_in_general(
        picks in proptest::collection::vec((0usize..9, 0usize..7), 0..9),
        strict_mode in proptest::bool::ANY,
    ) {
        const KEYS: [&str; 9] = ["schemas", "userName", "active", "emails", "name", "title",
            "phoneNumbers", ENTERPRISE, "externalId"];
        let values = [
            json!(null), json!([]), json!("True"), json!(true), json!(7),
            json!({"givenName": "G", "familyname": null, "manager": "m"}),
            json!([{"value": "v", "type": "work", "primary": "false"}, null]),
        ];
        let mut input = Map::new();
        for (key, value) in picks {
            input.insert(KEYS[key].to_owned(), values[value].clone());
        }
        let users = users();
        let opts = if strict_mode { strict() } else { lenient() };
        let in_place = canonicalize_in_place(input.clone(), &users, &opts);
        let general = canonicalize_into_new(input, &users, &opts);
        match (in_place, general) {
            (Ok(a), Ok(b)) => {
                proptest::prop_assert_eq!(&a, &b);
                proptest::prop_assert!(a.keys().eq(b.keys()));
            }
            (Err(a), Err(b)) => proptest::prop_assert_eq!(
                (a.status(), a.scim_type(), a.detail().to_owned()),
                (b.status(), b.scim_type(), b.detail().to_owned())
            ),
            (a, b) => proptest::prop_assert!(false, "in place {:?}, general {:?}", a, b),
        }
    }
}

/// What canonicalizing an object gives.
type Canonical = Result<Map<String, Value>, ScimError>;

/// Canonicalizes `object` as a value of complex `attribute` of Users (`name`, `emails`,
/// `manager`, …) or, for `ENTERPRISE`, as the extension object, both ways.
fn nested_both_ways(
    attribute: &str,
    object: &Map<String, Value>,
    opts: &ValidationOptions,
) -> (Canonical, Canonical) {
    let users = users();
    let (attributes, omitted, separator): (&[Attribute], &[String], char) =
        if attribute == ENTERPRISE {
            let schema = users.extension_schema(ENTERPRISE).unwrap();
            (&schema.attributes, &schema.omitted, ':')
        } else {
            let a = core_attribute(&users, attribute)
                .or_else(|| {
                    users
                        .extension_schema(ENTERPRISE)
                        .and_then(|s| s.attribute_named(attribute))
                })
                .unwrap();
            (&a.sub_attributes, &a.omitted_sub_attributes, '.')
        };
    assert!(
        object
            .keys()
            .all(|key| exactly_named(attributes, key).is_some()),
        "{object:?}"
    );
    let path = ValuePath::root(&attribute);
    (
        canonicalize_object_in_place(object.clone(), attributes, opts, (&path, separator)),
        canonicalize_object_into_new(
            object.clone(),
            (attributes, omitted),
            opts,
            (&path, separator),
        ),
    )
}

fn same_outcome(in_place: Canonical, general: Canonical) -> Result<(), String> {
    match (in_place, general) {
        (Ok(a), Ok(b)) if a == b && a.keys().eq(b.keys()) => Ok(()),
        (Err(a), Err(b))
            if (a.status(), a.scim_type(), a.detail())
                == (b.status(), b.scim_type(), b.detail()) =>
        {
            Ok(())
        }
        (a, b) => Err(format!("in place {a:?}, general {b:?}")),
    }
}

/// A complex value or extension object whose members are named exactly as their
/// attributes is canonicalized in place, as the general path does it.
#[test]
fn nested_objects_are_canonicalized_in_place_as_in_general() {
    let cases = [
        (
            "name",
            json!({"givenName": "B", "familyName": "J", "middleName": null}),
        ),
        ("name", json!({"givenName": 7})),
        (
            "emails",
            json!({"value": "b@example.com", "type": "work", "primary": "True"}),
        ),
        (
            "emails",
            json!({"value": "b@example.com", "primary": "maybe"}),
        ),
        ("emails", json!({"display": null, "type": null})),
        ("x509Certificates", json!({"value": "!"})),
        (
            ENTERPRISE,
            json!({"employeeNumber": "7", "manager": "m1", "costCenter": null}),
        ),
        (
            ENTERPRISE,
            json!({"manager": {"value": "m1", "displayName": "Boss"}}),
        ),
        (ENTERPRISE, json!({"manager": 12.5, "division": []})),
        ("manager", json!({"value": "m1", "$ref": "../Users/m1"})),
        ("name", json!({})),
    ];
    for (attribute, object) in cases {
        let Value::Object(object) = object else {
            unreachable!()
        };
        for opts in [lenient(), strict()] {
            let (a, b) = nested_both_ways(attribute, &object, &opts);
            if let Err(e) = same_outcome(a, b) {
                panic!("{attribute} {object:?}: {e}");
            }
        }
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
    /// Any `emails` element of members named as defined, each value good or bad for it.
    #[test]
    fn any_nested_object_is_canonicalized_in_place_as_in_general(
        picks in proptest::collection::vec((0usize..4, 0usize..6), 0..6),
        strict_mode in proptest::bool::ANY,
    ) {
        const KEYS: [&str; 4] = ["value", "display", "type", "primary"];
        let values = [
            json!(null), json!([]), json!("True"), json!(true), json!(7), json!({"value": "v"}),
        ];
        let mut object = Map::new();
        for (key, value) in picks {
            object.insert(KEYS[key].to_owned(), values[value].clone());
        }
        let opts = if strict_mode { strict() } else { lenient() };
        let (a, b) = nested_both_ways("emails", &object, &opts);
        proptest::prop_assert!(same_outcome(a, b).is_ok(), "{:?}", object);
    }
}

/// A multi-valued sub-attribute left empty is dropped in place as in general, and the
/// map kept is the members assigned, in order.
#[test]
fn unassigned_members_are_dropped_in_place_as_in_general() {
    let attributes = [
        Attribute::new("tags", AttributeType::String).multi_valued(true),
        Attribute::new("rank", AttributeType::Integer),
        Attribute::new("code", AttributeType::String),
    ];
    let path = ValuePath::root(&"custom");
    for object in [
        json!({"tags": [], "rank": null, "code": "x"}),
        json!({"code": "y", "tags": ["a", null], "rank": 3}),
        json!({"tags": [null]}),
    ] {
        let Value::Object(object) = object else {
            unreachable!()
        };
        for opts in [lenient(), strict()] {
            let in_place =
                canonicalize_object_in_place(object.clone(), &attributes, &opts, (&path, '.'));
            let general = canonicalize_object_into_new(
                object.clone(),
                (&attributes, &[]),
                &opts,
                (&path, '.'),
            );
            if let Err(e) = same_outcome(in_place, general) {
                panic!("{object:?}: {e}");
            }
        }
    }
}

/// Names that differ only in case (a custom schema may define them) take the general
/// path, which finds the first attribute matching ignoring case: the in-place path is
/// never asked to decide between them.
#[test]
fn names_differing_only_in_case_take_the_general_path() {
    let attributes = [
        Attribute::new("foo", AttributeType::String),
        Attribute::new("Foo", AttributeType::Integer),
    ];
    let path = ValuePath::root(&"custom");
    assert!(exactly_named(&attributes, "foo").is_some());
    assert!(exactly_named(&attributes, "Foo").is_none());
    for object in [
        json!({"Foo": 1}),
        json!({"foo": "a", "Foo": 1}),
        json!({"foo": "a"}),
    ] {
        let Value::Object(object) = object else {
            unreachable!()
        };
        let opts = lenient();
        let dispatched =
            canonicalize_object(object.clone(), (&attributes, &[]), &opts, (&path, '.'));
        let general =
            canonicalize_object_into_new(object.clone(), (&attributes, &[]), &opts, (&path, '.'));
        if let Err(e) = same_outcome(dispatched, general) {
            panic!("{object:?}: {e}");
        }
    }
}
