//! PATCH bodies (RFC 7644 §3.5.2) against a fixed User and Group.
//!
//! The first byte picks the resource type (even: User, odd: Group); the rest is the
//! body. Each body is parsed and applied with the lenient default options and with
//! the strict ones. Invariants checked:
//! - a failed PATCH leaves the resource exactly as it was (atomicity, §3.5.2);
//! - a successful one keeps the required `userName` (User) or `displayName` (Group)
//!   and the core schema URN in `schemas`, and at most one `primary: true` per
//!   multi-valued attribute (RFC 7643 §2.4);
//! - for a Group, `member_delta` (when it answers) yields the same set of member ids
//!   as whole-document application, so that a store may use either.
#![no_main]

use std::collections::BTreeSet;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use scim_core::{PatchRequest, Resource, ResourceType, SchemaRegistry, patch::{MemberDelta, PatchOptions}, schema::ValidationOptions};
use serde_json::{Value, json};

struct Fixture {
    registry: SchemaRegistry,
    user: Resource,
    group: Resource,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let registry = SchemaRegistry::with_builtins();
        let opts = ValidationOptions::default();
        let user = Resource::parse_value(
            rfc_user(),
            registry.resource_type("User").expect("built-in User"),
            &opts,
        )
        .expect("the RFC 7643 §8.2 user is valid");
        let group = Resource::parse_value(
            rfc_group(),
            registry.resource_type("Group").expect("built-in Group"),
            &opts,
        )
        .expect("the RFC 7643 §8.4 group is valid");
        Fixture {
            registry,
            user,
            group,
        }
    })
}

/// RFC 7643 §8.2's full user with the §8.3 enterprise extension (abridged).
fn rfc_user() -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User",
                    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
        "id": "2819c223-7f76-453a-919d-413861904646",
        "externalId": "701984",
        "userName": "bjensen@example.com",
        "name": {"formatted": "Ms. Barbara J Jensen, III", "familyName": "Jensen",
                 "givenName": "Barbara", "middleName": "Jane", "honorificPrefix": "Ms.",
                 "honorificSuffix": "III"},
        "displayName": "Babs Jensen",
        "nickName": "Babs",
        "profileUrl": "https://login.example.com/bjensen",
        "emails": [{"value": "bjensen@example.com", "type": "work", "primary": true},
                   {"value": "babs@jensen.org", "type": "home"}],
        "addresses": [{"type": "work", "streetAddress": "100 Universal City Plaza",
                       "locality": "Hollywood", "region": "CA", "postalCode": "91608",
                       "country": "USA", "primary": true},
                      {"type": "home", "streetAddress": "456 Hollywood Blvd",
                       "locality": "Hollywood", "region": "CA", "postalCode": "91608",
                       "country": "USA"}],
        "phoneNumbers": [{"value": "555-555-5555", "type": "work"},
                         {"value": "555-555-4444", "type": "mobile"}],
        "ims": [{"value": "someaimhandle", "type": "aim"}],
        "photos": [{"value": "https://photos.example.com/profilephoto/72930000000Ccne/F",
                    "type": "photo"}],
        "userType": "Employee",
        "title": "Tour Guide",
        "preferredLanguage": "en-US",
        "locale": "en-US",
        "timezone": "America/Los_Angeles",
        "active": true,
        "groups": [{"value": "e9e30dba-f08f-4109-8486-d5c6a331660a",
                    "$ref": "https://example.com/v2/Groups/e9e30dba-f08f-4109-8486-d5c6a331660a",
                    "display": "Tour Guides"}],
        "x509Certificates": [{"value": "MIIDQzCCAqygAwIBAgICEAAwDQYJKoZIhvcNAQEFBQAwTjELMAkGA1UEBhMC"}],
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
            "employeeNumber": "701984", "costCenter": "4130", "organization": "Universal Studios",
            "division": "Theme Park", "department": "Tour Operations",
            "manager": {"value": "26118915-6090-4610-87e4-49d8ca9f808d",
                        "$ref": "../Users/26118915-6090-4610-87e4-49d8ca9f808d",
                        "displayName": "John Smith"}
        },
        "meta": {"resourceType": "User", "created": "2010-01-23T04:56:22Z",
                 "lastModified": "2011-05-13T04:42:34Z", "version": "W/\"3694e05e9dff591\"",
                 "location": "https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646"}
    })
}

/// RFC 7643 §8.4's group, with a third member of type Group.
fn rfc_group() -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        "id": "e9e30dba-f08f-4109-8486-d5c6a331660a",
        "displayName": "Tour Guides",
        "members": [
            {"value": "2819c223-7f76-453a-919d-413861904646", "display": "Babs Jensen",
             "type": "User"},
            {"value": "902c246b-6245-4190-8e05-00816be7344a", "display": "Mandy Pepperidge",
             "type": "User"},
            {"value": "fc348aa8-3835-40eb-a20b-c726e15c55b5", "display": "Admins",
             "type": "Group"}
        ],
        "meta": {"resourceType": "Group", "created": "2010-01-23T04:56:22Z",
                 "lastModified": "2011-05-13T04:42:34Z", "version": "W/\"3694e05e9dff592\""}
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let f = fixture();
    let (name, resource, required) = if selector % 2 == 0 {
        ("User", &f.user, "userName")
    } else {
        ("Group", &f.group, "displayName")
    };
    let Some(rt) = f.registry.resource_type(name) else {
        return;
    };
    for options in [PatchOptions::default(), PatchOptions::strict()] {
        check(body, rt, resource, required, &options);
    }
});

fn check(
    body: &[u8],
    rt: &ResourceType,
    original: &Resource,
    required: &str,
    options: &PatchOptions,
) {
    let patch = match PatchRequest::parse(body, rt, options) {
        Ok(patch) => patch,
        Err(err) => {
            assert!(
                err.status().is_client_error(),
                "parse: {} {}",
                err.status(),
                err.detail()
            );
            return;
        }
    };
    let mut resource = original.clone();
    match patch.apply_with(&mut resource, rt, options) {
        Err(err) => {
            assert!(
                err.status().is_client_error(),
                "apply: {} {}",
                err.status(),
                err.detail()
            );
            assert_eq!(
                &resource,
                original,
                "a failed PATCH changed the resource: {}",
                err.detail()
            );
        }
        Ok(()) => {
            assert!(
                resource
                    .get(required)
                    .is_some_and(|v| v.as_str().is_some_and(|s| !s.is_empty())),
                "a successful PATCH lost the required {required}: {:?}",
                resource.get(required)
            );
            let core = rt.schema.id.as_str();
            assert!(
                resource
                    .get("schemas")
                    .and_then(Value::as_array)
                    .is_some_and(|s| s
                        .iter()
                        .any(|u| u.as_str().is_some_and(|u| u.eq_ignore_ascii_case(core)))),
                "a successful PATCH dropped {core} from schemas: {:?}",
                resource.get("schemas")
            );
            for (key, value) in resource.attributes() {
                if let Value::Array(items) = value {
                    let primaries = items
                        .iter()
                        .filter(|i| i.get("primary") == Some(&Value::Bool(true)))
                        .count();
                    assert!(primaries <= 1, "{key} has {primaries} primary values");
                }
            }
            if let Some(delta) = patch.member_delta(rt) {
                assert_eq!(
                    delta_ids(original, &delta),
                    member_ids(&resource),
                    "member_delta disagrees with whole-document application: {delta:?}"
                );
            }
        }
    }
}

fn member_ids(resource: &Resource) -> BTreeSet<String> {
    resource
        .get("members")
        .and_then(Value::as_array)
        .map(|members| ids(members))
        .unwrap_or_default()
}

fn ids(members: &[Value]) -> BTreeSet<String> {
    members
        .iter()
        .filter_map(|m| m.get("value").and_then(Value::as_str))
        .map(str::to_owned)
        .collect()
}

/// What a store that applies the delta ends with: the replacement list (or the current
/// members), plus the added ids, minus the removed ones.
fn delta_ids(original: &Resource, delta: &MemberDelta) -> BTreeSet<String> {
    let mut set = match &delta.replace_all {
        Some(list) => ids(list),
        None => member_ids(original),
    };
    set.extend(ids(&delta.add));
    for id in &delta.remove {
        set.remove(id);
    }
    set
}
