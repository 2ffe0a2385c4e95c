//! PATCH on multi-valued attributes: what counts as "the same value" (RFC 7644
//! §3.5.2.1: an `add` of a value already present adds nothing; Entra's removal by value
//! list removes exactly the values named), which element stays `primary`, and paths
//! that reach a sub-attribute of every element or of the elements a filter selects.

use std::sync::OnceLock;

use serde_json::{Value, json};

use super::{PatchOptions, PatchRequest};
use crate::error::{ScimError, ScimType};
use crate::resource::Resource;
use crate::schema::attribute::{Attribute, AttributeType, Mutability};
use crate::schema::definition::{ResourceType, Schema};
use crate::schema::registry::SchemaRegistry;

const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const DEVICE: &str = "urn:example:Device";

/// The built-in types, and a Device with multi-valued simple attributes: `tags`
/// (case-insensitive text), `codes` (case-exact text), `ports` (integers), `certs`
/// (immutable) and `zones` (required); `slots`, complex, whose `id` is required; and a
/// singular immutable `serial`.
fn registry() -> &'static SchemaRegistry {
    static REGISTRY: OnceLock<SchemaRegistry> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        let mut registry = SchemaRegistry::with_builtins();
        let schema = Schema::new(DEVICE, "Device")
            .attribute(Attribute::new("tags", AttributeType::String).multi_valued(true))
            .attribute(
                Attribute::new("codes", AttributeType::String)
                    .multi_valued(true)
                    .case_exact(true),
            )
            .attribute(Attribute::new("ports", AttributeType::Integer).multi_valued(true))
            .attribute(
                Attribute::new("certs", AttributeType::String)
                    .multi_valued(true)
                    .mutability(Mutability::Immutable),
            )
            .attribute(
                Attribute::new("zones", AttributeType::String)
                    .multi_valued(true)
                    .required(true),
            )
            .attribute(
                Attribute::new("serial", AttributeType::String).mutability(Mutability::Immutable),
            )
            .attribute(
                Attribute::complex(
                    "slots",
                    vec![
                        Attribute::new("id", AttributeType::String).required(true),
                        Attribute::new("label", AttributeType::String),
                    ],
                )
                .multi_valued(true),
            );
        let schema = registry.add_schema(schema).unwrap();
        registry
            .add_resource_type(ResourceType::new("Device", "/Devices", schema))
            .unwrap();
        registry
    })
}

fn patched(type_name: &str, resource: Value, ops: Value) -> Value {
    try_patch(type_name, resource, ops).unwrap()
}

fn try_patch(type_name: &str, resource: Value, ops: Value) -> Result<Value, ScimError> {
    let rt = registry().resource_type(type_name).unwrap();
    let message = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": ops,
    });
    let options = PatchOptions::default();
    let patch = PatchRequest::parse(&serde_json::to_vec(&message).unwrap(), rt, &options)?;
    let mut r = Resource::from_value_unchecked(rt.name.clone(), resource).unwrap();
    patch.apply_with(&mut r, rt, &options)?;
    Ok(r.into_value())
}

fn user_with(attribute: &str, values: Value) -> Value {
    json!({"schemas": [USER], "id": "u1", "userName": "bjensen", attribute: values})
}

fn device_with(attribute: &str, values: Value) -> Value {
    json!({"schemas": [DEVICE], "id": "d1", attribute: values})
}

fn add(path: &str, value: Value) -> Value {
    json!([{"op": "add", "path": path, "value": value}])
}

fn remove(path: &str, value: Value) -> Value {
    json!([{"op": "remove", "path": path, "value": value}])
}

fn work_email() -> Value {
    json!([{"value": "bjensen@example.com", "type": "work", "primary": true}])
}

/// `emails.value` is not caseExact: the same address in other case is the same value,
/// whether it comes alone or with others (which takes the indexed path).
#[test]
fn an_address_in_other_case_is_not_added_twice() {
    let alone = patched(
        "User",
        user_with("emails", work_email()),
        add(
            "emails",
            json!([{"value": "BJensen@Example.COM", "type": "work"}]),
        ),
    );
    assert_eq!(alone["emails"].as_array().unwrap().len(), 1, "{alone}");
    let with_others = patched(
        "User",
        user_with("emails", work_email()),
        add(
            "emails",
            json!([
                {"value": "BJensen@Example.COM", "type": "work"},
                {"value": "babs@jensen.org", "type": "home"}
            ]),
        ),
    );
    let values: Vec<&str> = with_others["emails"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["value"].as_str().unwrap())
        .collect();
    // The same value again is merged into the element already there, spelling included.
    assert_eq!(values, ["BJensen@Example.COM", "babs@jensen.org"]);
}

/// Case is ignored beyond ASCII as Unicode lowercasing has it: `É` is `é`, and the
/// Kelvin sign `K` is a `k`.
#[test]
fn case_is_ignored_beyond_ascii() {
    let out = patched(
        "User",
        user_with("emails", json!([{"value": "émile@example.com"}])),
        add("emails", json!([{"value": "ÉMILE@example.com"}])),
    );
    assert_eq!(out["emails"].as_array().unwrap().len(), 1, "{out}");
    let out = patched(
        "User",
        user_with("emails", json!([{"value": "kelvin@example.com"}])),
        add("emails", json!([{"value": "\u{212A}elvin@example.com"}])),
    );
    assert_eq!(out["emails"].as_array().unwrap().len(), 1, "{out}");
}

/// The same address with another `type` is another value: both are kept.
#[test]
fn the_same_address_with_another_type_is_another_value() {
    let out = patched(
        "User",
        user_with("emails", work_email()),
        add(
            "emails",
            json!([{"value": "bjensen@example.com", "type": "home"}]),
        ),
    );
    let types: Vec<&str> = out["emails"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["work", "home"]);
}

/// Elements without a `value` (addresses) are the same only when equal as a whole.
#[test]
fn elements_without_a_value_compare_whole() {
    let home = json!({"type": "home", "locality": "Hollywood"});
    let work = json!({"type": "work", "locality": "Burbank"});
    let out = patched(
        "User",
        user_with("addresses", json!([home.clone()])),
        add("addresses", json!([home.clone(), work.clone()])),
    );
    assert_eq!(out["addresses"], json!([home, work]));
}

/// Adding a value that is not primary leaves the primary one primary.
#[test]
fn adding_a_value_that_is_not_primary_keeps_the_primary() {
    let out = patched(
        "User",
        user_with("emails", work_email()),
        add(
            "emails",
            json!([{"value": "babs@jensen.org", "type": "home"}]),
        ),
    );
    assert_eq!(out["emails"][0]["primary"], true, "{out}");
}

/// Entra's removal by value list finds values whatever their case when the attribute
/// is not caseExact.
#[test]
fn removal_by_value_list_ignores_case_where_the_attribute_does() {
    let out = patched(
        "User",
        user_with(
            "emails",
            json!([
                {"value": "bjensen@example.com", "type": "work"},
                {"value": "babs@jensen.org", "type": "home"}
            ]),
        ),
        remove(
            "emails",
            json!([{"value": "BJENSEN@example.com", "type": "work"}]),
        ),
    );
    assert_eq!(
        out["emails"],
        json!([{"value": "babs@jensen.org", "type": "home"}])
    );
}

/// Simple values: case-insensitive text ignores case, case-exact text and numbers
/// compare exactly.
#[test]
fn simple_values_compare_by_the_attributes_case_rule() {
    let out = patched(
        "Device",
        device_with("tags", json!(["Blue"])),
        add("tags", json!(["blue", "green"])),
    );
    assert_eq!(out["tags"], json!(["Blue", "green"]));
    let out = patched(
        "Device",
        device_with("codes", json!(["Ab"])),
        add("codes", json!(["ab", "Ab"])),
    );
    assert_eq!(out["codes"], json!(["Ab", "ab"]));
    let out = patched(
        "Device",
        device_with("codes", json!(["Ab"])),
        add("codes", json!(["ab"])),
    );
    assert_eq!(out["codes"], json!(["Ab", "ab"]));
    let out = patched(
        "Device",
        device_with("ports", json!([80])),
        add("ports", json!([80, 443])),
    );
    assert_eq!(out["ports"], json!([80, 443]));
    let out = patched(
        "Device",
        device_with("ports", json!([80])),
        add("ports", json!([8080])),
    );
    assert_eq!(out["ports"], json!([80, 8080]));
    let out = patched(
        "Device",
        device_with("tags", json!(["Blue", "Red"])),
        remove("tags", json!(["RED"])),
    );
    assert_eq!(out["tags"], json!(["Blue"]));
}

fn two_emails() -> Value {
    json!([
        {"value": "bjensen@example.com", "type": "work", "primary": true},
        {"value": "babs@jensen.org", "type": "home"}
    ])
}

fn op(op: &str, path: &str, value: Value) -> Value {
    json!([{"op": op, "path": path, "value": value}])
}

/// `emails.type` without a filter reaches every element: set on each, removed from
/// each, and an element keeps its other sub-attributes.
#[test]
fn a_sub_attribute_path_reaches_every_element() {
    let out = patched(
        "User",
        user_with("emails", two_emails()),
        op("replace", "emails.type", json!("other")),
    );
    assert_eq!(out["emails"][0]["type"], "other");
    assert_eq!(out["emails"][1]["type"], "other");
    let out = patched(
        "User",
        user_with("emails", two_emails()),
        json!([{"op": "remove", "path": "emails.type"}]),
    );
    assert_eq!(
        out["emails"],
        json!([
            {"value": "bjensen@example.com", "primary": true},
            {"value": "babs@jensen.org"}
        ])
    );
}

/// Removing the sub-attribute that was all an element held removes the element.
#[test]
fn an_element_left_empty_is_removed() {
    let out = patched(
        "User",
        user_with("emails", json!([{"value": "a@example.com"}])),
        json!([{"op": "remove", "path": "emails.value"}]),
    );
    assert!(out.get("emails").is_none(), "{out}");
    let out = patched(
        "User",
        user_with(
            "emails",
            json!([{"value": "a@example.com"}, {"value": "b@example.com", "type": "home"}]),
        ),
        json!([{"op": "remove", "path": "emails[value eq \"b@example.com\"].value"}]),
    );
    assert_eq!(
        out["emails"],
        json!([{"value": "a@example.com"}, {"type": "home"}])
    );
    let out = patched(
        "User",
        user_with(
            "emails",
            json!([{"value": "a@example.com"}, {"value": "b@example.com"}]),
        ),
        json!([{"op": "remove", "path": "emails[value eq \"b@example.com\"].value"}]),
    );
    assert_eq!(out["emails"], json!([{"value": "a@example.com"}]));
}

/// A filtered sub-attribute removal changes the selected elements only, and keeps them.
#[test]
fn a_filtered_sub_attribute_removal_keeps_the_elements() {
    let out = patched(
        "User",
        user_with("emails", two_emails()),
        json!([{"op": "remove", "path": "emails[type eq \"work\"].primary"}]),
    );
    assert_eq!(
        out["emails"],
        json!([
            {"value": "bjensen@example.com", "type": "work"},
            {"value": "babs@jensen.org", "type": "home"}
        ])
    );
}

/// `emails.primary = true` over every element would make them all primary: refused when
/// there are two or more, accepted for one; `false` is always accepted.
#[test]
fn primary_cannot_be_set_on_every_element_of_several() {
    let refused = try_patch(
        "User",
        user_with("emails", two_emails()),
        op("replace", "emails.primary", json!(true)),
    );
    assert_eq!(
        refused.err().and_then(|e| e.scim_type()),
        Some(ScimType::InvalidValue)
    );
    let one = patched(
        "User",
        user_with("emails", json!([{"value": "a@example.com"}])),
        op("replace", "emails.primary", json!(true)),
    );
    assert_eq!(one["emails"][0]["primary"], true);
    let none = patched(
        "User",
        user_with("emails", two_emails()),
        op("replace", "emails.primary", json!(false)),
    );
    assert_eq!(none["emails"][0]["primary"], false);
    assert_eq!(none["emails"][1]["primary"], false);
}

/// A required sub-attribute cannot be removed from the elements that hold it; a filter
/// that selects no element removes nothing and so is no error.
#[test]
fn a_required_sub_attribute_stays() {
    let device = device_with("slots", json!([{"id": "s1", "label": "left"}]));
    let refused = try_patch(
        "Device",
        device.clone(),
        json!([{"op": "remove", "path": "slots.id"}]),
    );
    assert_eq!(
        refused.err().and_then(|e| e.scim_type()),
        Some(ScimType::Mutability)
    );
    let refused = try_patch(
        "Device",
        device.clone(),
        json!([{"op": "remove", "path": "slots[label eq \"left\"].id"}]),
    );
    assert_eq!(
        refused.err().and_then(|e| e.scim_type()),
        Some(ScimType::Mutability)
    );
    let unmatched = patched(
        "Device",
        device.clone(),
        json!([{"op": "remove", "path": "slots[label eq \"right\"].id"}]),
    );
    assert_eq!(unmatched, device);
    let label = patched(
        "Device",
        device,
        json!([{"op": "remove", "path": "slots.label"}]),
    );
    assert_eq!(label["slots"], json!([{"id": "s1"}]));
}

fn scim_type(result: Result<Value, ScimError>) -> Option<ScimType> {
    result.err().and_then(|e| e.scim_type())
}

/// An immutable multi-valued attribute takes values once: while it has none. Adding no
/// values changes nothing and is no error.
#[test]
fn an_immutable_multi_valued_attribute_is_set_once() {
    let set = patched(
        "Device",
        device_with("tags", json!(["a"])),
        add("certs", json!(["c1"])),
    );
    assert_eq!(set["certs"], json!(["c1"]));
    let again = try_patch(
        "Device",
        device_with("certs", json!(["c1"])),
        add("certs", json!(["c2"])),
    );
    assert_eq!(scim_type(again), Some(ScimType::Mutability));
    let nothing = patched(
        "Device",
        device_with("certs", json!(["c1"])),
        add("certs", json!([])),
    );
    assert_eq!(nothing["certs"], json!(["c1"]));
}

/// An immutable attribute cannot be removed once it holds a value; an unassigned one
/// (`""`, `null`) can be set and removed.
#[test]
fn an_immutable_attribute_is_kept_once_it_has_a_value() {
    let removed = try_patch(
        "Device",
        device_with("serial", json!("SN1")),
        json!([{"op": "remove", "path": "serial"}]),
    );
    assert_eq!(scim_type(removed), Some(ScimType::Mutability));
    for unassigned in [json!(""), Value::Null, json!({})] {
        let out = patched(
            "Device",
            device_with("serial", unassigned.clone()),
            json!([{"op": "remove", "path": "serial"}]),
        );
        assert!(out.get("serial").is_none(), "{unassigned}: {out}");
        let out = patched(
            "Device",
            device_with("serial", unassigned.clone()),
            op("replace", "serial", json!("SN2")),
        );
        assert_eq!(out["serial"], "SN2", "{unassigned}");
    }
}

/// A required attribute cannot be made unassigned: not with `null` or `""`, and not
/// by removing its last value through a value list; a value list may empty an
/// attribute that is not required.
#[test]
fn a_required_attribute_keeps_a_value() {
    for empty in [Value::Null, json!("")] {
        let refused = try_patch(
            "User",
            user_with("emails", two_emails()),
            op("replace", "userName", empty.clone()),
        );
        assert_eq!(scim_type(refused), Some(ScimType::InvalidValue), "{empty}");
    }
    let refused = try_patch(
        "Device",
        device_with("zones", json!(["eu"])),
        remove("zones", json!(["eu"])),
    );
    assert_eq!(scim_type(refused), Some(ScimType::Mutability));
    let emptied = patched(
        "User",
        user_with("emails", json!([{"value": "a@example.com"}])),
        remove("emails", json!([{"value": "a@example.com"}])),
    );
    assert!(emptied.get("emails").is_none(), "{emptied}");
}

/// A value given to `remove` on a singular attribute does not turn it into a list:
/// the attribute is removed.
#[test]
fn remove_with_a_value_on_a_singular_attribute_removes_it() {
    let out = patched(
        "User",
        json!({"schemas": [USER], "id": "u1", "userName": "bjensen", "nickName": "Babs"}),
        remove("nickName", json!("Babs")),
    );
    assert!(out.get("nickName").is_none(), "{out}");
    // Whatever value comes with it: the value list reading is for multi-valued ones.
    let out = patched(
        "User",
        json!({"schemas": [USER], "id": "u1", "userName": "bjensen", "nickName": "Babs"}),
        remove("nickName", json!("Other")),
    );
    assert!(out.get("nickName").is_none(), "{out}");
}

/// Entra's add to a missing element: a filter of `eq` conditions joined by `and`
/// describes the new element; one that names anything else cannot.
#[test]
fn an_unmatched_filter_of_eq_conditions_describes_the_new_element() {
    let out = patched(
        "User",
        user_with("emails", two_emails()),
        op(
            "add",
            "emails[type eq \"other\" and value eq \"o@example.com\"].display",
            json!("Other"),
        ),
    );
    assert_eq!(
        out["emails"][2],
        json!({"value": "o@example.com", "type": "other", "display": "Other"})
    );
    let refused = try_patch(
        "User",
        user_with("emails", two_emails()),
        op(
            "add",
            "emails[type eq \"other\" or value eq \"o@example.com\"].display",
            json!("Other"),
        ),
    );
    assert_eq!(scim_type(refused), Some(ScimType::NoTarget));
}

/// A filter whose condition names a sub-attribute's part (`type.x`) or a URN-qualified
/// path cannot describe a new element: no element is invented from it.
#[test]
fn an_unmatched_filter_on_a_qualified_or_nested_path_describes_nothing() {
    for path in [
        "emails[urn:ietf:params:scim:schemas:core:2.0:User:emails.type eq \"other\"].display",
        "emails[type.x eq \"other\"].display",
    ] {
        let refused = try_patch(
            "User",
            user_with("emails", two_emails()),
            op("add", path, json!("Other")),
        );
        assert_eq!(scim_type(refused), Some(ScimType::NoTarget), "{path}");
    }
}
