//! PATCH semantics: every example of RFC 7644 §3.5.2, each client dialect, each error.

use std::sync::OnceLock;

use proptest::prelude::*;
use serde_json::{Value, json};

use super::{PatchOptions, PatchRequest};
use crate::error::{ScimError, ScimType};
use crate::resource::Resource;
use crate::schema::definition::ResourceType;
use crate::schema::registry::SchemaRegistry;

const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
const MEMBER: &str = "2819c223-7f76-453a-919d-413861904646";
const MEMBER2: &str = "902c246b-6245-4190-8e05-00816be7344a";

fn registry() -> &'static SchemaRegistry {
    static REGISTRY: OnceLock<SchemaRegistry> = OnceLock::new();
    REGISTRY.get_or_init(SchemaRegistry::with_builtins)
}

fn user_type() -> &'static ResourceType {
    registry().resource_type("User").unwrap()
}

fn group_type() -> &'static ResourceType {
    registry().resource_type("Group").unwrap()
}

fn message(ops: Value) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": ops,
    }))
    .unwrap()
}

fn run_with(
    rt: &ResourceType,
    resource: Value,
    ops: Value,
    options: &PatchOptions,
) -> Result<Value, ScimError> {
    let patch = PatchRequest::parse(&message(ops), rt, options)?;
    let mut r = Resource::from_value_unchecked(rt.name.clone(), resource).unwrap();
    let before = r.clone();
    let result = patch.apply_with(&mut r, rt, options);
    if result.is_err() {
        assert_eq!(
            r, before,
            "a failed PATCH must leave the resource unchanged"
        );
    }
    result.map(|()| r.into_value())
}

fn run(rt: &ResourceType, resource: Value, ops: Value) -> Result<Value, ScimError> {
    run_with(rt, resource, ops, &PatchOptions::default())
}

fn run_strict(rt: &ResourceType, resource: Value, ops: Value) -> Result<Value, ScimError> {
    run_with(rt, resource, ops, &PatchOptions::strict())
}

fn scim_type(result: Result<Value, ScimError>) -> Option<ScimType> {
    result.err().and_then(|e| e.scim_type())
}

fn user() -> Value {
    json!({
        "schemas": [USER],
        "id": "2819c223-7f76-453a-919d-413861904646",
        "userName": "bjensen",
        "name": {"familyName": "Jensen", "givenName": "Barbara"},
        "active": true,
        "emails": [
            {"value": "bjensen@example.com", "type": "work", "primary": true},
            {"value": "babs@jensen.org", "type": "home"}
        ],
        "addresses": [
            {"type": "work", "streetAddress": "100 Universal City Plaza", "locality": "Hollywood", "primary": true},
            {"type": "home", "streetAddress": "456 Hollywood Blvd", "locality": "Hollywood"}
        ]
    })
}

fn group(members: &[&str]) -> Value {
    json!({
        "schemas": [GROUP],
        "id": "e9e30dba-f08f-4109-8486-d5c6a331660a",
        "displayName": "Tour Guides",
        "members": members.iter().map(|m| json!({"value": m, "display": "x", "type": "User"})).collect::<Vec<_>>()
    })
}

fn member_ids(g: &Value) -> Vec<String> {
    g["members"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|m| m["value"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

// ---- RFC 7644 §3.5.2.1 add ----

#[test]
fn rfc_add_member_to_group() {
    let out = run(
        group_type(),
        group(&[MEMBER2]),
        json!([{"op": "add", "path": "members", "value": [
            {"display": "Babs Jensen", "$ref": format!("https://example.com/v2/Users/{MEMBER}"), "value": MEMBER}
        ]}]),
    )
    .unwrap();
    assert_eq!(member_ids(&out), [MEMBER2, MEMBER]);
    assert_eq!(out["members"][1]["display"], "Babs Jensen");
}

#[test]
fn rfc_add_without_path_merges_attributes() {
    let out = run(
        user_type(),
        user(),
        json!([{"op": "add", "value": {
            "emails": [{"value": "babs@jensen.org", "type": "home"}, {"value": "new@jensen.org", "type": "other"}],
            "nickname": "Babs"
        }}]),
    )
    .unwrap();
    // The home email already present is not duplicated; the new one is appended.
    let emails: Vec<&str> = out["emails"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["value"].as_str().unwrap())
        .collect();
    assert_eq!(
        emails,
        ["bjensen@example.com", "babs@jensen.org", "new@jensen.org"]
    );
    assert_eq!(out["nickName"], "Babs", "names are canonicalized");
}

#[test]
fn add_to_complex_attribute_merges_sub_attributes() {
    let out = run(
        user_type(),
        user(),
        json!([{"op": "add", "path": "name", "value": {"middleName": "Jane"}}]),
    )
    .unwrap();
    assert_eq!(
        out["name"],
        json!({"familyName": "Jensen", "givenName": "Barbara", "middleName": "Jane"})
    );
}

#[test]
fn add_existing_member_does_not_duplicate() {
    let out = run(
        group_type(),
        group(&[MEMBER]),
        json!([{"op": "add", "path": "members", "value": [{"value": MEMBER}]}]),
    )
    .unwrap();
    assert_eq!(member_ids(&out), [MEMBER]);
}

#[test]
fn add_primary_email_clears_other_primary() {
    let out = run(
        user_type(),
        user(),
        json!([{"op": "add", "path": "emails", "value": [{"value": "b@new.org", "type": "other", "primary": true}]}]),
    )
    .unwrap();
    let primaries: Vec<&str> = out["emails"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["primary"] == json!(true))
        .map(|e| e["value"].as_str().unwrap())
        .collect();
    assert_eq!(primaries, ["b@new.org"]);
}

// ---- RFC 7644 §3.5.2.2 remove ----

#[test]
fn rfc_remove_all_members() {
    let out = run(
        group_type(),
        group(&[MEMBER, MEMBER2]),
        json!([{"op": "remove", "path": "members"}]),
    )
    .unwrap();
    assert!(out.get("members").is_none());
}

#[test]
fn rfc_remove_one_member_by_filter() {
    let out = run(
        group_type(),
        group(&[MEMBER, MEMBER2]),
        json!([{"op": "remove", "path": format!("members[value eq \"{MEMBER}\"]")}]),
    )
    .unwrap();
    assert_eq!(member_ids(&out), [MEMBER2]);
}

/// Found by the `patch_apply` fuzz target: member ids are caseExact (RFC 7643 §3.1), so
/// a filter in another case names no member, in whole-document application as in
/// `member_delta` (which a store applies to its exact id index).
#[test]
fn member_filter_compares_ids_case_exactly() {
    let upper = MEMBER.to_uppercase();
    let ops = json!([{"op": "remove", "path": format!("members[value eq \"{upper}\"]")}]);
    let out = run(group_type(), group(&[MEMBER, MEMBER2]), ops.clone()).unwrap();
    assert_eq!(member_ids(&out), [MEMBER, MEMBER2]);
    let patch = PatchRequest::parse(&message(ops), group_type(), &PatchOptions::default()).unwrap();
    assert_eq!(patch.member_delta(group_type()).unwrap().remove, [upper]);

    let add =
        json!([{"op": "add", "path": "members", "value": [{"value": MEMBER.to_uppercase()}]}]);
    let out = run(group_type(), group(&[MEMBER]), add).unwrap();
    assert_eq!(member_ids(&out), [MEMBER.to_owned(), MEMBER.to_uppercase()]);
}

#[test]
fn rfc_remove_complex_values_by_compound_filter() {
    let out = run(
        user_type(),
        user(),
        json!([{"op": "remove", "path": "emails[type eq \"work\" and value ew \"example.com\"]"}]),
    )
    .unwrap();
    assert_eq!(
        out["emails"],
        json!([{"value": "babs@jensen.org", "type": "home"}])
    );
}

#[test]
fn rfc_replace_all_members_by_remove_then_add() {
    let out = run(
        group_type(),
        group(&[MEMBER]),
        json!([
            {"op": "remove", "path": "members"},
            {"op": "add", "path": "members", "value": [{"value": MEMBER2, "display": "James Smith"}]}
        ]),
    )
    .unwrap();
    assert_eq!(member_ids(&out), [MEMBER2]);
}

#[test]
fn remove_sub_attribute_and_extension_attribute() {
    let mut u = user();
    u[ENTERPRISE] = json!({"employeeNumber": "701984", "manager": {"value": "26118915"}});
    u["schemas"] = json!([USER, ENTERPRISE]);
    let out = run(
        user_type(),
        u,
        json!([
            {"op": "remove", "path": "name.givenName"},
            {"op": "remove", "path": format!("{ENTERPRISE}:manager")}
        ]),
    )
    .unwrap();
    assert_eq!(out["name"], json!({"familyName": "Jensen"}));
    assert_eq!(out[ENTERPRISE], json!({"employeeNumber": "701984"}));
    let out = run(
        user_type(),
        out,
        json!([{"op": "remove", "path": format!("{ENTERPRISE}:employeeNumber")}]),
    )
    .unwrap();
    assert!(
        out.get(ENTERPRISE).is_none(),
        "an emptied extension disappears"
    );
    assert_eq!(out["schemas"], json!([USER]), "and leaves schemas");
}

#[test]
fn remove_without_path_is_no_target() {
    assert_eq!(
        scim_type(run(user_type(), user(), json!([{"op": "remove"}]))),
        Some(ScimType::NoTarget)
    );
}

#[test]
fn remove_required_attribute_is_a_mutability_error() {
    // RFC 7644 §3.5.2.2: removing a required attribute is `mutability`.
    assert_eq!(
        scim_type(run(
            user_type(),
            user(),
            json!([{"op": "remove", "path": "userName"}])
        )),
        Some(ScimType::Mutability)
    );
}

#[test]
fn remove_of_absent_member_is_a_no_op_unless_strict() {
    let ops = json!([{"op": "remove", "path": "members[value eq \"nobody\"]"}]);
    assert_eq!(
        member_ids(&run(group_type(), group(&[MEMBER]), ops.clone()).unwrap()),
        [MEMBER]
    );
    assert_eq!(
        scim_type(run_strict(group_type(), group(&[MEMBER]), ops)),
        Some(ScimType::NoTarget)
    );
}

// ---- RFC 7644 §3.5.2.3 replace ----

#[test]
fn rfc_replace_members() {
    let out = run(
        group_type(),
        group(&[MEMBER]),
        json!([{"op": "replace", "path": "members", "value": [
            {"display": "Babs Jensen", "value": MEMBER2},
            {"display": "James Smith", "value": "08e1d05d-121c-4561-8b96-473d93df9210"}
        ]}]),
    )
    .unwrap();
    assert_eq!(
        member_ids(&out),
        [MEMBER2, "08e1d05d-121c-4561-8b96-473d93df9210"]
    );
}

#[test]
fn rfc_replace_work_address() {
    let out = run(
        user_type(),
        user(),
        json!([{"op": "replace", "path": "addresses[type eq \"work\"]", "value": {
            "type": "work", "streetAddress": "911 Universal City Plaza", "locality": "Hollywood",
            "region": "CA", "postalCode": "91608", "country": "US", "primary": true
        }}]),
    )
    .unwrap();
    assert_eq!(
        out["addresses"][0]["streetAddress"],
        "911 Universal City Plaza"
    );
    assert_eq!(out["addresses"][0]["postalCode"], "91608");
    assert_eq!(out["addresses"][1]["streetAddress"], "456 Hollywood Blvd");
}

#[test]
fn rfc_replace_sub_attribute_of_filtered_value() {
    let out = run(
        user_type(),
        user(),
        json!([{"op": "replace", "path": "addresses[type eq \"work\"].streetAddress", "value": "1010 Broadway Ave"}]),
    )
    .unwrap();
    assert_eq!(out["addresses"][0]["streetAddress"], "1010 Broadway Ave");
    assert_eq!(out["addresses"][0]["locality"], "Hollywood");
}

#[test]
fn rfc_replace_without_path() {
    let out = run(
        user_type(),
        user(),
        json!([{"op": "replace", "value": {
            "emails": [{"value": "bjensen@example.com", "type": "work", "primary": true}],
            "nickName": "Babs"
        }}]),
    )
    .unwrap();
    assert_eq!(
        out["emails"],
        json!([{"value": "bjensen@example.com", "type": "work", "primary": true}])
    );
    assert_eq!(out["nickName"], "Babs");
}

#[test]
fn replace_complex_attribute_keeps_unspecified_sub_attributes() {
    let out = run(
        user_type(),
        user(),
        json!([{"op": "replace", "path": "name", "value": {"givenName": "Babs"}}]),
    )
    .unwrap();
    assert_eq!(
        out["name"],
        json!({"familyName": "Jensen", "givenName": "Babs"})
    );
}

#[test]
fn replace_of_missing_attribute_adds_it() {
    let out = run(
        user_type(),
        user(),
        json!([{"op": "replace", "path": "title", "value": "Tour Guide"}]),
    )
    .unwrap();
    assert_eq!(out["title"], "Tour Guide");
}

// ---- Mutability ----

#[test]
fn changing_read_only_is_mutability_but_an_unchanged_echo_is_ignored() {
    assert_eq!(
        scim_type(run(
            user_type(),
            user(),
            json!([{"op": "replace", "path": "id", "value": "other"}])
        )),
        Some(ScimType::Mutability)
    );
    assert_eq!(
        scim_type(run(
            user_type(),
            user(),
            json!([{"op": "replace", "path": "meta.created", "value": "2011-08-01T21:32:44.882Z"}])
        )),
        Some(ScimType::Mutability)
    );
    // Okta renames a group echoing its id, and clients echo meta and schemas.
    let g = group(&[]);
    let out = run(group_type(), g.clone(), json!([{"op": "replace", "value": {
        "id": g["id"], "displayName": "Guides", "meta": {"resourceType": "Group"}, "schemas": [GROUP]
    }}])).unwrap();
    assert_eq!(out["displayName"], "Guides");
    assert_eq!(out["id"], g["id"]);
    assert_eq!(
        scim_type(run(
            group_type(),
            g,
            json!([{"op": "replace", "value": {"id": "different"}}])
        )),
        Some(ScimType::Mutability)
    );
}

#[test]
fn immutable_attributes_may_be_set_once() {
    let mut registry = SchemaRegistry::with_builtins();
    registry
        .add_schema(
            crate::schema::definition::Schema::new("urn:example:Badge", "Badge").attribute(
                crate::schema::attribute::Attribute::new(
                    "serial",
                    crate::schema::attribute::AttributeType::String,
                )
                .mutability(crate::schema::attribute::Mutability::Immutable),
            ),
        )
        .unwrap();
    registry
        .add_extension("User", "urn:example:Badge", false)
        .unwrap();
    let rt = registry.resource_type("User").unwrap();
    let set = run(
        rt,
        user(),
        json!([{"op": "add", "path": "urn:example:Badge:serial", "value": "A1"}]),
    )
    .unwrap();
    assert_eq!(set["urn:example:Badge"]["serial"], "A1");
    assert!(
        set["schemas"]
            .as_array()
            .unwrap()
            .contains(&json!("urn:example:Badge"))
    );
    let same = run(
        rt,
        set.clone(),
        json!([{"op": "replace", "path": "urn:example:Badge:serial", "value": "A1"}]),
    );
    assert!(same.is_ok(), "setting the same value is not a change");
    assert_eq!(
        scim_type(run(
            rt,
            set,
            json!([{"op": "replace", "path": "urn:example:Badge:serial", "value": "B2"}])
        )),
        Some(ScimType::Mutability)
    );
}

#[test]
fn changing_a_member_value_in_place_is_mutability() {
    assert_eq!(
        scim_type(run(
            group_type(),
            group(&[MEMBER]),
            json!([
                {"op": "replace", "path": format!("members[value eq \"{MEMBER}\"].value"), "value": MEMBER2}
            ])
        )),
        Some(ScimType::Mutability)
    );
}

// ---- Atomicity ----

#[test]
fn a_failing_operation_undoes_the_earlier_ones() {
    let result = run(
        user_type(),
        user(),
        json!([
            {"op": "replace", "path": "displayName", "value": "Babs"},
            {"op": "remove", "path": "userName"}
        ]),
    );
    // `run` asserts the resource is unchanged on error.
    assert_eq!(scim_type(result), Some(ScimType::Mutability));
}

// ---- Entra ID and Okta dialects (docs/clients.md) ----

#[test]
fn entra_capitalised_ops_and_string_booleans() {
    let ops = json!([
        {"op": "Replace", "path": "active", "value": "False"},
        {"op": "Add", "path": "title", "value": "Guide"}
    ]);
    let out = run(user_type(), user(), ops.clone()).unwrap();
    assert_eq!(out["active"], json!(false));
    assert_eq!(out["title"], "Guide");
    assert_eq!(
        scim_type(run_strict(user_type(), user(), ops)),
        Some(ScimType::InvalidSyntax)
    );
}

#[test]
fn entra_typical_user_update() {
    let mut u = user();
    u["schemas"] = json!([USER, ENTERPRISE]);
    let out = run(user_type(), u, json!([
        {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "barbara@example.com"},
        {"op": "Replace", "path": "name.familyName", "value": "Jensen-Smith"},
        {"op": "Replace", "path": "userName", "value": "barbara@example.com"},
        {"op": "Replace", "path": "active", "value": "True"},
        {"op": "Add", "path": format!("{ENTERPRISE}:employeeNumber"), "value": "42"},
        {"op": "Replace", "path": "addresses[type eq \"work\"].formatted", "value": "1 Main St"}
    ])).unwrap();
    assert_eq!(out["emails"][0]["value"], "barbara@example.com");
    assert_eq!(out["name"]["familyName"], "Jensen-Smith");
    assert_eq!(out["userName"], "barbara@example.com");
    assert_eq!(out["active"], json!(true));
    assert_eq!(out[ENTERPRISE]["employeeNumber"], "42");
    assert_eq!(out["addresses"][0]["formatted"], "1 Main St");
}

#[test]
fn entra_path_less_dotted_and_urn_keys() {
    let ops = json!([{"op": "replace", "value": {
        "displayName": "Babs J",
        "name.givenName": "Babs",
        format!("{ENTERPRISE}:employeeNumber"): "701984",
        format!("{ENTERPRISE}:manager"): "26118915"
    }}]);
    let out = run(user_type(), user(), ops.clone()).unwrap();
    assert_eq!(out["displayName"], "Babs J");
    assert_eq!(out["name"]["givenName"], "Babs");
    assert_eq!(out["name"]["familyName"], "Jensen");
    assert_eq!(out[ENTERPRISE]["employeeNumber"], "701984");
    assert_eq!(out[ENTERPRISE]["manager"], json!({"value": "26118915"}));
    assert!(
        out["schemas"]
            .as_array()
            .unwrap()
            .contains(&json!(ENTERPRISE))
    );
    assert_eq!(
        scim_type(run_strict(user_type(), user(), ops)),
        Some(ScimType::InvalidPath)
    );
}

#[test]
fn entra_member_removal_by_value_list() {
    let ops =
        json!([{"op": "Remove", "path": "members", "value": [{"$ref": null, "value": MEMBER}]}]);
    let out = run(group_type(), group(&[MEMBER, MEMBER2]), ops.clone()).unwrap();
    assert_eq!(member_ids(&out), [MEMBER2]);
    // Strict: RFC 7644 §3.5.2.2 removes every member when no filter is given.
    let mut strict_ops = ops;
    strict_ops[0]["op"] = json!("remove");
    let out = run_strict(group_type(), group(&[MEMBER, MEMBER2]), strict_ops).unwrap();
    assert!(out.get("members").is_none());
}

#[test]
fn entra_member_add_with_null_ref() {
    let out = run(
        group_type(),
        group(&[]),
        json!([
            {"op": "Add", "path": "members", "value": [{"$ref": null, "value": MEMBER}]}
        ]),
    )
    .unwrap();
    assert_eq!(out["members"], json!([{"value": MEMBER}]));
}

#[test]
fn entra_add_on_missing_filtered_element_creates_it() {
    let u = json!({"schemas": [USER], "userName": "bjensen"});
    let ops =
        json!([{"op": "Add", "path": "emails[type eq \"work\"].value", "value": "x@example.com"}]);
    let out = run(user_type(), u.clone(), ops).unwrap();
    assert_eq!(
        out["emails"],
        json!([{"type": "work", "value": "x@example.com"}])
    );
    let strict_ops = json!([{"op": "replace", "path": "emails[type eq \"work\"].value", "value": "x@example.com"}]);
    assert_eq!(
        scim_type(run_strict(user_type(), u, strict_ops)),
        Some(ScimType::NoTarget)
    );
}

#[test]
fn entra_manager_as_bare_string_and_removal_by_filter() {
    let ops = json!([{"op": "Add", "path": format!("{ENTERPRISE}:manager"), "value": "26118915"}]);
    let out = run(user_type(), user(), ops).unwrap();
    assert_eq!(out[ENTERPRISE]["manager"], json!({"value": "26118915"}));
    // Entra removes the manager with `manager[value eq "…"]`, a filter on a singular attribute:
    // accepted as "remove the manager if its value matches".
    let out = run(
        user_type(),
        out,
        json!([
            {"op": "Remove", "path": format!("{ENTERPRISE}:manager[value eq \"26118915\"]")}
        ]),
    );
    let out = out.unwrap();
    assert!(out.get(ENTERPRISE).is_none());
}

#[test]
fn okta_empty_group_push_clears_members() {
    let out = run(
        group_type(),
        group(&[MEMBER, MEMBER2]),
        json!([{"op": "replace", "path": "members", "value": []}]),
    )
    .unwrap();
    assert!(out.get("members").is_none());
}

#[test]
fn okta_deactivate_path_less() {
    let out = run(
        user_type(),
        user(),
        json!([{"op": "replace", "value": {"active": false}}]),
    )
    .unwrap();
    assert_eq!(out["active"], json!(false));
}

#[test]
fn okta_member_add_and_remove() {
    let out = run(
        group_type(),
        group(&[MEMBER]),
        json!([
            {"op": "add", "path": "members", "value": [{"value": MEMBER2, "display": "James"}]},
            {"op": "remove", "path": format!("members[value eq \"{MEMBER}\"]")}
        ]),
    )
    .unwrap();
    assert_eq!(member_ids(&out), [MEMBER2]);
}

#[test]
fn empty_operations_is_a_no_op_unless_strict() {
    assert_eq!(run(user_type(), user(), json!([])).unwrap(), user());
    assert_eq!(
        scim_type(run_strict(user_type(), user(), json!([]))),
        Some(ScimType::InvalidValue)
    );
}

// ---- Errors ----

#[test]
fn malformed_messages_are_invalid_syntax() {
    let rt = user_type();
    let opts = PatchOptions::default();
    for body in [
        &b"not json"[..],
        b"[1]",
        b"{}",
        br#"{"Operations": {}}"#,
        br#"{"Operations":[{"path":"x"}]}"#,
        br#"{"Operations":[{"op":"move","path":"title"}]}"#,
        br#"{"Operations":[7]}"#,
    ] {
        let err = PatchRequest::parse(body, rt, &opts).unwrap_err();
        assert_eq!(
            err.scim_type(),
            Some(ScimType::InvalidSyntax),
            "{}",
            String::from_utf8_lossy(body)
        );
    }
}

#[test]
fn strict_requires_the_patch_op_schema() {
    let err = PatchRequest::parse(
        br#"{"Operations":[{"op":"add","path":"title","value":"x"}]}"#,
        user_type(),
        &PatchOptions::strict(),
    )
    .unwrap_err();
    assert_eq!(err.scim_type(), Some(ScimType::InvalidSyntax));
}

#[test]
fn bad_paths_are_invalid_path() {
    for path in [
        "emails[type eq",
        "emails[type eq \"work\"].nope",
        "userName[value eq \"x\"]",
        "name..x",
        "9bad",
    ] {
        let result = run(
            user_type(),
            user(),
            json!([{"op": "replace", "path": path, "value": "x"}]),
        );
        assert_eq!(scim_type(result), Some(ScimType::InvalidPath), "{path}");
    }
}

#[test]
fn unknown_attributes_are_ignored_unless_strict() {
    let ops = json!([{"op": "replace", "path": "favouriteColour", "value": "blue"}]);
    assert_eq!(run(user_type(), user(), ops.clone()).unwrap(), user());
    assert_eq!(
        scim_type(run_strict(user_type(), user(), ops)),
        Some(ScimType::InvalidPath)
    );
}

#[test]
fn wrong_value_types_are_invalid_value() {
    for (path, value) in [
        ("active", json!("maybe")),
        ("name", json!(5)),
        ("emails", json!({"value": 3})),
    ] {
        let result = run(
            user_type(),
            user(),
            json!([{"op": "replace", "path": path, "value": value}]),
        );
        assert_eq!(scim_type(result), Some(ScimType::InvalidValue), "{path}");
    }
    let missing = run(user_type(), user(), json!([{"op": "add", "path": "title"}]));
    assert_eq!(scim_type(missing), Some(ScimType::InvalidValue));
}

#[test]
fn too_many_operations() {
    let ops: Vec<Value> = (0..3)
        .map(|_| json!({"op": "add", "path": "title", "value": "x"}))
        .collect();
    let opts = PatchOptions {
        max_operations: 2,
        ..PatchOptions::default()
    };
    assert_eq!(
        scim_type(run_with(user_type(), user(), Value::Array(ops), &opts)),
        Some(ScimType::TooMany)
    );
}

// ---- Member deltas ----

#[test]
fn member_delta_nets_out_in_order() {
    let patch = PatchRequest::parse(
        &message(json!([
            {"op": "add", "path": "members", "value": [{"value": "a"}, {"value": "b"}]},
            {"op": "remove", "path": "members[value eq \"a\" or value eq \"c\"]"},
            {"op": "replace", "path": "displayName", "value": "Renamed"}
        ])),
        group_type(),
        &PatchOptions::default(),
    )
    .unwrap();
    let delta = patch.member_delta(group_type()).unwrap();
    assert_eq!(delta.replace_all, None);
    assert_eq!(delta.add, [json!({"value": "b"})]);
    assert_eq!(delta.remove, ["a", "c"]);
    assert_eq!(delta.other.unwrap().operations.len(), 1);

    let patch = PatchRequest::parse(
        &message(json!([
            {"op": "replace", "path": "members", "value": [{"value": "a"}]},
            {"op": "add", "path": "members", "value": [{"value": "b"}]},
            {"op": "Remove", "path": "members", "value": [{"value": "a"}]}
        ])),
        group_type(),
        &PatchOptions::default(),
    )
    .unwrap();
    let delta = patch.member_delta(group_type()).unwrap();
    assert_eq!(delta.replace_all, Some(vec![json!({"value": "b"})]));
    assert!(delta.add.is_empty() && delta.remove.is_empty());
}

#[test]
fn member_delta_is_none_when_a_filter_is_not_by_value() {
    let patch = PatchRequest::parse(
        &message(json!([
            {"op": "remove", "path": "members[type eq \"Group\"]"}
        ])),
        group_type(),
        &PatchOptions::default(),
    )
    .unwrap();
    assert!(patch.member_delta(group_type()).is_none());
    let rename = PatchRequest::parse(
        &message(json!([
            {"op": "replace", "path": "displayName", "value": "x"}
        ])),
        group_type(),
        &PatchOptions::default(),
    )
    .unwrap();
    assert!(
        rename.member_delta(group_type()).is_none(),
        "no member change, no delta"
    );
    assert!(rename.member_delta(user_type()).is_none());
}

#[test]
fn member_delta_leaves_a_members_sub_attribute_to_the_whole_document() {
    // Removing every member's `display`, or one member's, keeps the members: a delta
    // (which can only add or remove members) must not be offered for these.
    for path in ["members.display", "members[value eq \"a\"].display"] {
        let patch = PatchRequest::parse(
            &message(json!([{"op": "remove", "path": path}])),
            group_type(),
            &PatchOptions::default(),
        )
        .unwrap();
        assert!(patch.member_delta(group_type()).is_none(), "{path}");
    }
}

#[test]
fn member_delta_removes_every_member_without_reading_them() {
    let patch = PatchRequest::parse(
        &message(json!([{"op": "remove", "path": "members"}])),
        group_type(),
        &PatchOptions::default(),
    )
    .unwrap();
    let delta = patch.member_delta(group_type()).unwrap();
    assert_eq!(delta.replace_all, Some(Vec::new()));
    assert!(delta.add.is_empty() && delta.remove.is_empty() && delta.other.is_none());
}

#[test]
fn member_delta_agrees_with_whole_document_application() {
    let ops = json!([
        {"op": "add", "path": "members", "value": [{"value": "a"}, {"value": "b"}, {"value": "c"}]},
        {"op": "remove", "path": "members[value eq \"b\"]"},
        {"op": "Remove", "path": "members", "value": [{"value": MEMBER}]},
        {"op": "add", "path": "members", "value": [{"value": "b"}]}
    ]);
    let whole = run(group_type(), group(&[MEMBER, MEMBER2]), ops.clone()).unwrap();
    let patch = PatchRequest::parse(&message(ops), group_type(), &PatchOptions::default()).unwrap();
    let delta = patch.member_delta(group_type()).unwrap();
    let mut ids: Vec<String> = vec![MEMBER.into(), MEMBER2.into()];
    ids.retain(|id| !delta.remove.contains(id));
    for m in &delta.add {
        let id = m["value"].as_str().unwrap().to_owned();
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    let mut expected = member_ids(&whole);
    expected.sort();
    ids.sort();
    assert_eq!(ids, expected);
}

// ---- Properties ----

fn arb_operation() -> impl Strategy<Value = Value> {
    let path = prop::sample::select(vec![
        "userName",
        "displayName",
        "title",
        "active",
        "name",
        "name.givenName",
        "name.familyName",
        "emails",
        "emails[type eq \"work\"]",
        "emails[type eq \"work\"].value",
        "emails[primary eq true]",
        "emails.type",
        "addresses[type eq \"home\"].locality",
        "id",
        "meta.created",
        "nickName",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
        "phoneNumbers",
        "bogus",
        "emails[",
        "",
    ]);
    let value = prop_oneof![
        Just(json!("x")),
        Just(json!("True")),
        Just(json!(true)),
        Just(json!(7)),
        Just(json!(null)),
        Just(json!({"givenName": "G", "value": "v"})),
        Just(json!([{"value": "a@b.c", "type": "work", "primary": true}])),
        Just(json!([])),
        Just(json!({"active": false, "name.givenName": "Z"})),
    ];
    let op = prop::sample::select(vec!["add", "replace", "remove", "Add", "REPLACE", "bogus"]);
    (op, path, value).prop_map(|(op, path, value)| {
        if path.is_empty() {
            json!({"op": op, "value": value})
        } else {
            json!({"op": op, "path": path, "value": value})
        }
    })
}

proptest! {
    #[test]
    fn any_operations_yield_a_valid_user_or_leave_it_unchanged(ops in prop::collection::vec(arb_operation(), 0..6)) {
        let result = run(user_type(), user(), Value::Array(ops));
        // `run` checks that an error leaves the resource unchanged.
        if let Ok(out) = result {
            prop_assert!(out["userName"].as_str().is_some_and(|s| !s.is_empty()), "userName stays: {out}");
            prop_assert_eq!(&out["id"], &user()["id"]);
            for attr in ["emails", "addresses", "phoneNumbers"] {
                let primaries = out.get(attr).and_then(Value::as_array)
                    .map_or(0, |a| a.iter().filter(|e| e["primary"] == json!(true)).count());
                prop_assert!(primaries <= 1, "{attr}: {out}");
            }
            let schemas = out["schemas"].as_array().cloned().unwrap_or_default();
            prop_assert_eq!(schemas.contains(&json!(ENTERPRISE)), out.get(ENTERPRISE).is_some(), "{}", out);
        }
    }

    #[test]
    fn adding_members_is_idempotent(ids in prop::collection::vec("[a-f0-9]{1,4}", 0..8)) {
        let members: Vec<Value> = ids.iter().map(|id| json!({"value": id})).collect();
        let ops = json!([{"op": "add", "path": "members", "value": members}]);
        let once = run(group_type(), group(&[]), ops.clone()).unwrap();
        let twice = run(group_type(), once.clone(), ops).unwrap();
        prop_assert_eq!(once, twice);
    }
}

#[test]
fn a_bare_extension_urn_path_targets_the_whole_extension() {
    let ops = json!([{"op": "add", "path": ENTERPRISE, "value": {
        "employeeNumber": "701984", "manager": {"value": "26118915"}, "schemas": [ENTERPRISE]
    }}]);
    let out = run(user_type(), user(), ops).unwrap();
    assert_eq!(
        out[ENTERPRISE],
        json!({"employeeNumber": "701984", "manager": {"value": "26118915"}})
    );
    assert!(
        out["schemas"]
            .as_array()
            .unwrap()
            .contains(&json!(ENTERPRISE))
    );
    let replaced = run(
        user_type(),
        out,
        json!([{"op": "replace", "path": ENTERPRISE, "value": {"costCenter": "4130"}}]),
    )
    .unwrap();
    assert_eq!(replaced[ENTERPRISE]["costCenter"], "4130");
    assert_eq!(
        replaced[ENTERPRISE]["employeeNumber"], "701984",
        "replace merges, as for a complex attribute"
    );
    let removed = run(
        user_type(),
        replaced,
        json!([{"op": "remove", "path": ENTERPRISE}]),
    )
    .unwrap();
    assert!(removed.get(ENTERPRISE).is_none());
    assert_eq!(removed["schemas"], json!([USER]));
}

#[test]
fn apply_honours_the_options_the_request_was_parsed_with() {
    // A store calls `apply` without options: strict parsing must still mean strict applying.
    let body = message(
        json!([{"op": "replace", "path": "emails[type eq \"other\"].value", "value": "x@example.com"}]),
    );
    let strict = PatchRequest::parse(&body, user_type(), &PatchOptions::strict()).unwrap();
    let mut r = Resource::from_value_unchecked("User", user()).unwrap();
    let err = strict.apply(&mut r, user_type()).unwrap_err();
    assert_eq!(err.scim_type(), Some(ScimType::NoTarget));
    let lenient = PatchRequest::parse(&body, user_type(), &PatchOptions::default()).unwrap();
    lenient.apply(&mut r, user_type()).unwrap();
    assert_eq!(r.get("emails").unwrap().as_array().unwrap().len(), 3);
}
