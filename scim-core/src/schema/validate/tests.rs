use std::sync::Arc;

use serde_json::{Value, json};

use super::*;
use crate::error::ScimType;
use crate::resource::Resource;
use crate::schema::attribute::AttributeType;
use crate::schema::definition::Schema;
use crate::schema::registry::SchemaRegistry;

const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

fn registry() -> SchemaRegistry {
    SchemaRegistry::with_builtins()
}

fn rt(name: &str) -> Arc<ResourceType> {
    registry().resource_type(name).cloned().unwrap()
}

fn create_with(
    rt: &ResourceType,
    body: Value,
    opts: &ValidationOptions,
) -> Result<Value, ScimError> {
    let mut r = Resource::parse_value(body, rt, opts)?;
    r.validate_for_create(rt, opts)?;
    Ok(r.into_value())
}

fn create(body: Value) -> Result<Value, ScimError> {
    create_with(&rt("User"), body, &ValidationOptions::default())
}

fn replace_with(rt: &ResourceType, old: Value, new: Value) -> Result<Value, ScimError> {
    let opts = ValidationOptions::default();
    let existing = Resource::parse_value(old, rt, &opts)?;
    let mut r = Resource::parse_value(new, rt, &opts)?;
    r.validate_for_replace(&existing, rt, &opts)?;
    Ok(r.into_value())
}

fn scim_type(result: Result<Value, ScimError>) -> ScimType {
    result.unwrap_err().scim_type().unwrap()
}

#[test]
fn schemas_must_name_the_core_schema() {
    assert_eq!(
        scim_type(create(json!({"userName": "b"}))),
        ScimType::InvalidValue
    );
    assert_eq!(
        scim_type(create(json!({"schemas": [ENTERPRISE], "userName": "b"}))),
        ScimType::InvalidValue
    );
    // Entra ID's extra URN alone does not name the core schema of a Group.
    let groups = rt("Group");
    let entra = json!({"schemas": ["http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"], "displayName": "G"});
    assert!(create_with(&groups, entra, &ValidationOptions::default()).is_err());
    assert!(
        create_with(
            &groups,
            json!({"schemas": [GROUP], "displayName": "G"}),
            &ValidationOptions::default()
        )
        .is_ok()
    );
}

#[test]
fn extension_urns_are_added_when_lenient_and_required_when_strict() {
    let body = json!({"schemas": [USER], "userName": "b", ENTERPRISE: {"employeeNumber": "1"}});
    assert_eq!(
        create(body.clone()).unwrap()["schemas"],
        json!([USER, ENTERPRISE])
    );
    assert_eq!(
        scim_type(create_with(&rt("User"), body, &ValidationOptions::strict())),
        ScimType::InvalidValue
    );
    let listed = json!({"schemas": [USER, ENTERPRISE], "userName": "b", ENTERPRISE: {"employeeNumber": "1"}});
    assert!(create_with(&rt("User"), listed, &ValidationOptions::strict()).is_ok());
}

#[test]
fn required_attributes_must_be_present_and_non_empty() {
    assert!(create(json!({"schemas": [USER], "userName": "bjensen"})).is_ok());
    for body in [
        json!({"schemas": [USER]}),
        json!({"schemas": [USER], "userName": ""}),
    ] {
        let err = create(body).unwrap_err();
        assert_eq!(err.scim_type(), Some(ScimType::InvalidValue));
        assert!(err.detail().contains("userName"));
    }
    let groups = rt("Group");
    assert!(
        create_with(
            &groups,
            json!({"schemas": [GROUP]}),
            &ValidationOptions::default()
        )
        .is_err()
    );
}

/// A resource type whose extension is required and has a required complex sub-attribute.
fn badges() -> ResourceType {
    let core = Arc::new(
        Schema::new("urn:example:Badge", "Badge").attribute(
            Attribute::complex(
                "holder",
                vec![
                    Attribute::new("value", AttributeType::String).required(true),
                    Attribute::new("display", AttributeType::String),
                ],
            )
            .multi_valued(true),
        ),
    );
    let ext = Arc::new(
        Schema::new("urn:example:BadgeExt", "BadgeExt")
            .attribute(Attribute::new("site", AttributeType::String).required(true)),
    );
    ResourceType::new("Badge", "/Badges", core).extension(ext, true)
}

#[test]
fn required_sub_attributes_and_extensions_are_enforced() {
    let rt = badges();
    let opts = ValidationOptions::default();
    let ok = json!({"schemas": ["urn:example:Badge"], "holder": [{"value": "1"}], "urn:example:BadgeExt": {"site": "x"}});
    assert!(create_with(&rt, ok, &opts).is_ok());
    let no_ext = json!({"schemas": ["urn:example:Badge"]});
    assert!(
        create_with(&rt, no_ext, &opts)
            .unwrap_err()
            .detail()
            .contains("urn:example:BadgeExt")
    );
    let no_site = json!({"schemas": ["urn:example:Badge"], "urn:example:BadgeExt": {}});
    assert!(create_with(&rt, no_site, &opts).is_err());
    let empty_site =
        json!({"schemas": ["urn:example:Badge"], "urn:example:BadgeExt": {"site": ""}});
    let err = create_with(&rt, empty_site, &opts).unwrap_err();
    assert!(
        err.detail()
            .contains("urn:example:BadgeExt:site: the attribute is required"),
        "an extension attribute is named with its URN: {}",
        err.detail()
    );
    let no_value = json!({"schemas": ["urn:example:Badge"], "holder": [{"display": "d"}], "urn:example:BadgeExt": {"site": "x"}});
    let err = create_with(&rt, no_value, &opts).unwrap_err();
    assert_eq!(err.scim_type(), Some(ScimType::InvalidValue));
    assert!(err.detail().contains("holder.value"), "{}", err.detail());
}

#[test]
fn read_only_values_in_input_are_dropped() {
    let v = create(json!({
        "schemas": [USER], "userName": "b",
        "id": "x", "meta": {"resourceType": "User"},
        "groups": [{"value": "g", "display": "G"}],
        ENTERPRISE: {"manager": {"value": "m", "displayName": "Boss"}}
    }))
    .unwrap();
    assert_eq!(
        v,
        json!({"schemas": [USER, ENTERPRISE], "userName": "b", ENTERPRISE: {"manager": {"value": "m"}}})
    );
    // An extension left empty once readOnly values are gone disappears.
    let v = create(json!({"schemas": [USER, ENTERPRISE], "userName": "b", ENTERPRISE: {"manager": {"displayName": "Boss"}}})).unwrap();
    assert_eq!(v, json!({"schemas": [USER, ENTERPRISE], "userName": "b"}));
}

#[test]
fn at_most_one_value_is_primary() {
    let two = json!({"schemas": [USER], "userName": "b", "emails": [
        {"value": "a@x", "primary": true}, {"value": "b@x", "primary": "True"}]});
    let err = create(two).unwrap_err();
    assert_eq!(err.scim_type(), Some(ScimType::InvalidValue));
    assert!(err.detail().contains("emails"));
    let one = json!({"schemas": [USER], "userName": "b", "emails": [
        {"value": "a@x", "primary": true}, {"value": "b@x", "primary": false}, {"value": "c@x"}]});
    assert!(create(one).is_ok());
}

#[test]
fn immutable_values_may_be_set_once_and_not_changed() {
    let schema = Arc::new(
        Schema::new("urn:example:Device", "Device")
            .attribute(
                Attribute::new("serial", AttributeType::String).mutability(Mutability::Immutable),
            )
            .attribute(Attribute::complex(
                "maker",
                vec![
                    Attribute::new("code", AttributeType::String)
                        .mutability(Mutability::Immutable)
                        .case_exact(true),
                    Attribute::new("name", AttributeType::String),
                ],
            ))
            .attribute(Attribute::new("label", AttributeType::String)),
    );
    let rt = ResourceType::new("Device", "/Devices", schema);
    let s = "urn:example:Device";
    // Set when empty.
    assert!(
        replace_with(
            &rt,
            json!({"schemas": [s]}),
            json!({"schemas": [s], "serial": "A"})
        )
        .is_ok()
    );
    // Unchanged (case-insensitively, serial is not caseExact).
    assert!(
        replace_with(
            &rt,
            json!({"schemas": [s], "serial": "A"}),
            json!({"schemas": [s], "serial": "a"})
        )
        .is_ok()
    );
    // Changed.
    let err = replace_with(
        &rt,
        json!({"schemas": [s], "serial": "A"}),
        json!({"schemas": [s], "serial": "B"}),
    );
    assert_eq!(scim_type(err), ScimType::Mutability);
    // Omitted: carried over.
    let v = replace_with(
        &rt,
        json!({"schemas": [s], "serial": "A"}),
        json!({"schemas": [s], "label": "L"}),
    )
    .unwrap();
    assert_eq!(v, json!({"schemas": [s], "label": "L", "serial": "A"}));
    // Sub-attribute of a singular complex attribute, caseExact.
    let old = json!({"schemas": [s], "maker": {"code": "X1", "name": "Acme"}});
    let err = replace_with(
        &rt,
        old.clone(),
        json!({"schemas": [s], "maker": {"code": "x1"}}),
    );
    assert_eq!(scim_type(err), ScimType::Mutability);
    let v = replace_with(
        &rt,
        old,
        json!({"schemas": [s], "maker": {"name": "Acme Inc"}}),
    )
    .unwrap();
    assert_eq!(v["maker"], json!({"name": "Acme Inc", "code": "X1"}));
}

#[test]
fn group_members_may_change_on_replace() {
    let groups = rt("Group");
    let old = json!({"schemas": [GROUP], "displayName": "G", "members": [{"value": "1", "type": "User"}]});
    let new = json!({"schemas": [GROUP], "displayName": "G", "members": [{"value": "2", "type": "User"}]});
    assert_eq!(
        replace_with(&groups, old, new).unwrap()["members"],
        json!([{"value": "2", "type": "User"}])
    );
}

#[test]
fn replace_drops_read_only_values_such_as_okta_sends() {
    let users = rt("User");
    let old =
        json!({"schemas": [USER], "id": "1", "userName": "b", "meta": {"resourceType": "User"}});
    let new = json!({"schemas": [USER], "id": "other", "userName": "b", "meta": {"resourceType": "User"}, "groups": [], "active": false});
    assert_eq!(
        replace_with(&users, old, new).unwrap(),
        json!({"schemas": [USER], "userName": "b", "active": false})
    );
}

#[test]
fn validating_as_another_type_is_an_internal_error() {
    let opts = ValidationOptions::default();
    let mut r = Resource::parse_value(
        json!({"schemas": [USER], "userName": "b"}),
        &rt("User"),
        &opts,
    )
    .unwrap();
    assert_eq!(
        r.validate_for_create(&rt("Group"), &opts)
            .unwrap_err()
            .status()
            .as_u16(),
        500
    );
}

/// The `id` and `meta` a client sends are dropped without moving its other attributes:
/// the stored document keeps the client's order.
#[test]
fn dropping_id_and_meta_keeps_the_order_of_the_rest() {
    let out = create(json!({
        "schemas": [USER],
        "id": "mine",
        "userName": "bjensen",
        "meta": {"resourceType": "User"},
        "displayName": "Babs",
        "title": "Tour Guide",
        "nickName": "B"
    }))
    .unwrap();
    let keys: Vec<&str> = out
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        ["schemas", "userName", "displayName", "title", "nickName"]
    );
}
