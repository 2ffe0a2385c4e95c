//! Resource bodies (POST/PUT, RFC 7644 §3.3, §3.5.1) for User and Group.
//!
//! The first byte picks the resource type (even: User, odd: Group); the rest is the
//! body, parsed with the lenient default and the strict validation options, then
//! validated for creation and projected with the default projection. Invariants:
//! - every error is a 4xx;
//! - parsing is idempotent: a parsed resource parses again to itself;
//! - a resource valid for creation has its required attribute, the core schema URN,
//!   no readOnly `id`/`meta`/`groups`, and at most one `primary: true` per
//!   multi-valued attribute (RFC 7643 §2.4);
//! - the default projection never returns `password` (RFC 7643 §4.1.1: returned never)
//!   and keeps `userName`/`displayName` (returned default).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use scim_core::{Resource, ResourceType, SchemaRegistry, filter::Projection, schema::ValidationOptions};
use serde_json::Value;

fn registry() -> &'static SchemaRegistry {
    static REGISTRY: OnceLock<SchemaRegistry> = OnceLock::new();
    REGISTRY.get_or_init(SchemaRegistry::with_builtins)
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let (name, required) = if selector % 2 == 0 {
        ("User", "userName")
    } else {
        ("Group", "displayName")
    };
    let Some(rt) = registry().resource_type(name) else {
        return;
    };
    for opts in [ValidationOptions::default(), ValidationOptions::strict()] {
        check(body, rt, required, &opts);
    }
});

fn check(body: &[u8], rt: &ResourceType, required: &str, opts: &ValidationOptions) {
    let mut resource = match Resource::parse(body, rt, opts) {
        Ok(resource) => resource,
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
    let again = Resource::parse_value(resource.clone().into_value(), rt, opts);
    assert_eq!(
        again.as_ref().ok(),
        Some(&resource),
        "parsing is not idempotent: {again:?}"
    );

    if let Err(err) = resource.validate_for_create(rt, opts) {
        assert!(
            err.status().is_client_error(),
            "validate: {} {}",
            err.status(),
            err.detail()
        );
        return;
    }
    assert!(
        resource
            .get(required)
            .is_some_and(|v| v.as_str().is_some_and(|s| !s.is_empty())),
        "a valid {} lacks {required}: {:?}",
        rt.name,
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
        "a valid resource lacks {core} in schemas: {:?}",
        resource.get("schemas")
    );
    for read_only in ["id", "meta", "groups"] {
        assert!(
            resource.get(read_only).is_none(),
            "{read_only} survived validation"
        );
    }
    for (key, value) in resource.attributes() {
        if let Value::Array(items) = value {
            let primaries = items
                .iter()
                .filter(|i| i.get("primary") == Some(&Value::Bool(true)))
                .count();
            assert!(primaries <= 1, "{key} has {primaries} primary values");
        }
    }

    let projected = Projection::default().apply(&resource, rt);
    let object = projected.as_object();
    assert!(object.is_some(), "a projection is an object: {projected}");
    assert!(projected.get("password").is_none(), "password was returned");
    assert_eq!(
        projected.get(required),
        resource.get(required),
        "{required} was not returned"
    );
}
