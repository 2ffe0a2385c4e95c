use std::sync::Arc;

use serde_json::{Value, json};

use super::*;
use crate::schema::attribute::AttributeType;
use crate::schema::definition::Schema;
use crate::schema::registry::SchemaRegistry;
use crate::schema::validate::ValidationOptions;

const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

fn users() -> Arc<ResourceType> {
    SchemaRegistry::with_builtins()
        .resource_type("User")
        .cloned()
        .unwrap()
}

fn user() -> Resource {
    Resource::parse_value(
        json!({
            "schemas": [USER, ENTERPRISE],
            "id": "42",
            "externalId": "ext",
            "userName": "bjensen",
            "password": "secret",
            "name": {"givenName": "Barbara", "familyName": "Jensen"},
            "emails": [{"value": "a@x", "type": "work", "primary": true}, {"value": "b@x", "type": "home"}],
            "meta": {"resourceType": "User", "version": "W/\"1\""},
            ENTERPRISE: {"employeeNumber": "7", "manager": {"value": "9", "displayName": "Boss"}}
        }),
        &users(),
        &ValidationOptions::default(),
    )
    .unwrap()
}

fn project(attributes: Option<&str>, excluded: Option<&str>) -> Value {
    Projection::parse(attributes, excluded)
        .unwrap()
        .apply(&user(), &users())
}

#[test]
fn default_projection_hides_never_and_write_only() {
    let mut expected = user().into_value();
    expected.as_object_mut().unwrap().remove("password");
    assert_eq!(project(None, None), expected);
}

#[test]
fn attributes_select_and_always_ones_stay() {
    assert_eq!(
        project(Some("userName"), None),
        json!({"schemas": [USER, ENTERPRISE], "id": "42", "userName": "bjensen",
               "meta": {"resourceType": "User", "version": "W/\"1\""}})
    );
    // Names are case-insensitive; asking for password still hides it.
    assert_eq!(
        project(Some("USERNAME, password"), None),
        project(Some("userName"), None)
    );
}

#[test]
fn sub_attributes_select_within_complex_and_multi_valued() {
    let v = project(Some("name.givenName,emails.value"), None);
    assert_eq!(v["name"], json!({"givenName": "Barbara"}));
    assert_eq!(v["emails"], json!([{"value": "a@x"}, {"value": "b@x"}]));
    assert!(v.get("userName").is_none());
}

#[test]
fn extension_attributes_by_urn() {
    let v = project(Some(&format!("{ENTERPRISE}:employeeNumber")), None);
    assert_eq!(v[ENTERPRISE], json!({"employeeNumber": "7"}));
    let v = project(Some(&format!("{ENTERPRISE}:manager.displayName")), None);
    assert_eq!(v[ENTERPRISE], json!({"manager": {"displayName": "Boss"}}));
    // The whole extension by its URN.
    let v = project(Some(ENTERPRISE), None);
    assert_eq!(v[ENTERPRISE], user().get(ENTERPRISE).cloned().unwrap());
    // Unqualified names are core names (RFC 7644 §3.10): no extension object.
    let v = project(Some("employeeNumber"), None);
    assert!(v.get(ENTERPRISE).is_none());
}

#[test]
fn excluded_attributes_drop_all_but_always() {
    let v = project(None, Some("emails, name.familyName, id, schemas, meta"));
    assert!(v.get("emails").is_none());
    assert_eq!(v["name"], json!({"givenName": "Barbara"}));
    assert_eq!(v["id"], json!("42"));
    assert!(v.get("schemas").is_some() && v.get("meta").is_some());
    // Dropping every attribute of an extension drops the empty extension object.
    let v = project(
        None,
        Some(&format!("{ENTERPRISE}:employeeNumber,{ENTERPRISE}:manager")),
    );
    assert!(v.get(ENTERPRISE).is_none());
    let v = project(None, Some(ENTERPRISE));
    assert!(v.get(ENTERPRISE).is_none());
}

#[test]
fn request_attributes_only_when_asked() {
    let schema = Arc::new(
        Schema::new("urn:example:Thing", "Thing")
            .attribute(
                Attribute::new("secretish", AttributeType::String).returned(Returned::Request),
            )
            .attribute(Attribute::complex(
                "box",
                vec![
                    Attribute::new("size", AttributeType::Integer),
                    Attribute::new("weight", AttributeType::Integer).returned(Returned::Request),
                    Attribute::new("tag", AttributeType::String).returned(Returned::Always),
                ],
            )),
    );
    let rt = ResourceType::new("Thing", "/Things", schema);
    let thing = Resource::parse_value(
        json!({"id": "1", "secretish": "s", "box": {"size": 1, "weight": 2, "tag": "t"}}),
        &rt,
        &ValidationOptions::default(),
    )
    .unwrap();
    let apply =
        |a: Option<&str>, e: Option<&str>| Projection::parse(a, e).unwrap().apply(&thing, &rt);
    assert_eq!(
        apply(None, None),
        json!({"id": "1", "box": {"size": 1, "tag": "t"}})
    );
    assert_eq!(
        apply(Some("secretish"), None),
        json!({"id": "1", "secretish": "s"})
    );
    assert_eq!(
        apply(Some("box.weight"), None),
        json!({"id": "1", "box": {"weight": 2, "tag": "t"}})
    );
    assert_eq!(
        apply(None, Some("box.size,box.tag")),
        json!({"id": "1", "box": {"tag": "t"}})
    );
}

#[test]
fn parse_tolerates_whitespace_and_rejects_bad_names() {
    let p = Projection::parse(Some(" a ,, b.c "), Some("")).unwrap();
    assert_eq!(
        p.attributes,
        vec![
            AttrPath::new("a"),
            AttrPath::new("b").with_sub_attribute("c")
        ]
    );
    assert!(p.excluded_attributes.is_empty());
    let err = Projection::parse(Some("a,.b"), None).unwrap_err();
    assert_eq!(err.scim_type().unwrap().as_str(), "invalidValue");
    assert!(err.detail().starts_with("attributes: "), "{}", err.detail());
}

#[test]
fn value_filters_are_invalid_values_naming_the_parameter() {
    // RFC 7644 §3.9: attribute names only; invalidPath is PATCH's (§3.12).
    for (attributes, excluded, parameter) in [
        (Some(r#"emails[type eq "work"]"#), None, "attributes"),
        (
            None,
            Some(r#"userName,emails[type eq "work"].value"#),
            "excludedAttributes",
        ),
    ] {
        let err = Projection::parse(attributes, excluded).unwrap_err();
        assert_eq!(err.scim_type().unwrap().as_str(), "invalidValue");
        assert!(
            err.detail().starts_with(&format!("{parameter}: ")),
            "{}",
            err.detail()
        );
        assert!(err.detail().contains("value filters"), "{}", err.detail());
    }
}

#[test]
fn unvalidated_names_come_back_in_the_schemas_spelling_at_their_place() {
    // A store's own document, never validated: names in any case, an unknown attribute,
    // and an extension attribute spelled in lower case.
    let stored = Resource::from_value_unchecked(
        "User",
        json!({
            "schemas": [USER, ENTERPRISE],
            "id": "42",
            "USERNAME": "bjensen",
            "nickname": "Babs",
            "favouriteColour": "green",
            "Emails": [{"value": "a@x", "type": "work", "secret": 1}],
            ENTERPRISE: {"employeenumber": "7", "unknown": true}
        }),
    )
    .unwrap();
    let expected = json!({
        "schemas": [USER, ENTERPRISE],
        "id": "42",
        "userName": "bjensen",
        "nickName": "Babs",
        "emails": [{"value": "a@x", "type": "work"}],
        ENTERPRISE: {"employeeNumber": "7"}
    });
    let everything = Projection::default();
    assert_eq!(everything.apply(&stored, &users()), expected);
    assert_eq!(everything.apply_owned(stored.clone(), &users()), expected);
    // The order of the document is kept, not the schema's.
    let projected = everything.apply_owned(stored, &users());
    let names: Vec<&str> = projected
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        names,
        [
            "schemas", "id", "userName", "nickName", "emails", ENTERPRISE
        ]
    );
}

#[test]
fn an_extension_left_empty_and_a_complex_value_left_empty_are_left_out() {
    let excluded =
        format!("name.givenName,name.familyName,{ENTERPRISE}:employeeNumber,{ENTERPRISE}:manager");
    let p = Projection::parse(None, Some(&excluded)).unwrap();
    let projected = p.apply_owned(user(), &users());
    assert!(projected.get("name").is_none(), "{projected}");
    assert!(projected.get(ENTERPRISE).is_none(), "{projected}");
    assert_eq!(projected["userName"], "bjensen");
}
