//! The example resources of RFC 7643 §8.1–§8.4 (fixtures under `tests/fixtures/`) go
//! through the whole pipeline. What each step must give back:
//!
//! 1. `Resource::parse` (strict options) returns the fixture exactly: every name is
//!    already canonical and every value valid, so nothing is renamed or dropped.
//! 2. `validate_for_create` (strict) accepts it and drops exactly the readOnly values a
//!    client may not set: `id`, `meta`, `groups` and the manager's `displayName`.
//! 3. With those readOnly values put back (as the store and engine would), the default
//!    `Projection` renders the fixture exactly, minus `password` (writeOnly,
//!    `returned: never`).
//! 4. `validate_for_replace` against the parsed fixture accepts it unchanged
//!    (immutable group members and all).
//! 5. The typed `User`/`Group` view converts back to the same JSON.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests"
)]

use scim_core::{
    Resource, SchemaRegistry,
    filter::Projection,
    model::{Group, User},
    schema::ValidationOptions,
};
use serde_json::{Value, json};

const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}.json", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn without(mut v: Value, keys: &[&str]) -> Value {
    for key in keys {
        v.as_object_mut().unwrap().remove(*key);
    }
    v
}

/// The fixture as a client may send it: readOnly values removed.
fn writable(fixture: &Value) -> Value {
    let mut v = without(fixture.clone(), &["id", "meta", "groups"]);
    if let Some(manager) = v.pointer_mut(&format!("/{ENTERPRISE}/manager")) {
        manager.as_object_mut().unwrap().remove("displayName");
    }
    v
}

fn round_trip(name: &str, resource_type: &str) {
    let registry = SchemaRegistry::with_builtins();
    let rt = registry.resource_type(resource_type).unwrap();
    let strict = ValidationOptions::strict();
    let fixture = fixture(name);
    let bytes = serde_json::to_vec(&fixture).unwrap();

    // 1. Parsing changes nothing.
    let parsed = Resource::parse(&bytes, rt, &strict).unwrap();
    assert_eq!(parsed.clone().into_value(), fixture, "{name}: parse");

    // 2. Create drops the readOnly values.
    let mut created = parsed.clone();
    created.validate_for_create(rt, &strict).unwrap();
    assert_eq!(
        created.clone().into_value(),
        writable(&fixture),
        "{name}: create"
    );

    // 3. Rendering (readOnly values restored) gives the fixture back, minus password.
    let mut stored = created.clone();
    for key in ["id", "meta", "groups"] {
        if let Some(v) = fixture.get(key) {
            stored.attributes_mut().insert(key.into(), v.clone());
        }
    }
    if let Some(name) = fixture.pointer(&format!("/{ENTERPRISE}/manager/displayName")) {
        let manager = stored.attributes_mut()[ENTERPRISE]["manager"]
            .as_object_mut()
            .unwrap();
        manager.insert("displayName".into(), name.clone());
    }
    let rendered = Projection::default().apply(&stored, rt);
    assert_eq!(
        rendered,
        without(fixture.clone(), &["password"]),
        "{name}: render"
    );

    // 4. Replacing with the same content is accepted.
    let mut replaced = parsed.clone();
    replaced.validate_for_replace(&parsed, rt, &strict).unwrap();
    assert_eq!(replaced.into_value(), writable(&fixture), "{name}: replace");

    // 5. Through the typed view and back.
    let typed = if resource_type == "User" {
        Resource::from(User::try_from(parsed).unwrap())
    } else {
        Resource::from(Group::try_from(parsed).unwrap())
    };
    assert_eq!(typed.into_value(), fixture, "{name}: typed");
}

#[test]
fn rfc7643_8_1_minimal_user() {
    round_trip("rfc7643_8_1_minimal_user", "User");
}

#[test]
fn rfc7643_8_2_full_user() {
    round_trip("rfc7643_8_2_full_user", "User");
}

#[test]
fn rfc7643_8_3_enterprise_user() {
    round_trip("rfc7643_8_3_enterprise_user", "User");
    let user = User::try_from(
        Resource::parse_value(
            fixture("rfc7643_8_3_enterprise_user"),
            SchemaRegistry::with_builtins()
                .resource_type("User")
                .unwrap(),
            &ValidationOptions::default(),
        )
        .unwrap(),
    )
    .unwrap();
    let enterprise = user.enterprise.unwrap();
    assert_eq!(enterprise.employee_number.as_deref(), Some("701984"));
    assert_eq!(
        enterprise.manager.unwrap().display_name.as_deref(),
        Some("John Smith")
    );
}

#[test]
fn rfc7643_8_4_group() {
    round_trip("rfc7643_8_4_group", "Group");
}

#[test]
fn entra_create_user_as_sent() {
    // docs/clients.md: Entra ID's create, with other casing, string booleans, a readOnly meta
    // and an empty roles list.
    let registry = SchemaRegistry::with_builtins();
    let rt = registry.resource_type("User").unwrap();
    let opts = ValidationOptions::default();
    let body = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
        "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
        "UserName": "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1",
        "Active": "True",
        "emails": [{"primary": true, "type": "work", "value": "Test_User_fd0ea19b@testuser.com"}],
        "meta": {"resourceType": "User"},
        "name": {"formatted": "givenName familyName", "familyName": "familyName", "givenName": "givenName"},
        "roles": [],
        ENTERPRISE: {"Manager": "26118915-6090-4610-87e4-49d8ca9f808d"},
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber": "42"
    });
    let mut user = Resource::parse(&serde_json::to_vec(&body).unwrap(), rt, &opts).unwrap();
    user.validate_for_create(rt, &opts).unwrap();
    assert_eq!(
        user.into_value(),
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
            "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
            "userName": "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1",
            "active": true,
            "emails": [{"primary": true, "type": "work", "value": "Test_User_fd0ea19b@testuser.com"}],
            "name": {"formatted": "givenName familyName", "familyName": "familyName", "givenName": "givenName"},
            ENTERPRISE: {"manager": {"value": "26118915-6090-4610-87e4-49d8ca9f808d"}, "employeeNumber": "42"}
        })
    );
}
