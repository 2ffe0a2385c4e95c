//! RFC 7644 §3.5.2 rules on what a PATCH may not do: remove what is required
//! (`mutability`, §3.5.2.2), come in another message's envelope (`invalidSyntax`), or
//! match on what is never returned (`invalidFilter`).

use std::sync::{Arc, OnceLock};

use serde_json::{Value, json};

use super::{PatchOptions, PatchRequest};
use crate::error::{ScimError, ScimType};
use crate::resource::Resource;
use crate::schema::attribute::{Attribute, AttributeType, Mutability, Returned};
use crate::schema::definition::{ResourceType, Schema};

const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/// A Device: `name` required; `keys` multi-valued and required, each with a required
/// `id`, an optional `label` and a `secret` that is never returned; `owner` a singular
/// complex attribute with a required `value`.
fn devices() -> &'static ResourceType {
    static DEVICES: OnceLock<ResourceType> = OnceLock::new();
    DEVICES.get_or_init(|| {
        let schema = Schema::new("urn:example:Device", "Device")
            .attribute(Attribute::new("name", AttributeType::String).required(true))
            .attribute(
                Attribute::complex(
                    "keys",
                    vec![
                        Attribute::new("id", AttributeType::String).required(true),
                        Attribute::new("label", AttributeType::String),
                        Attribute::new("secret", AttributeType::String)
                            .mutability(Mutability::WriteOnly)
                            .returned(Returned::Never),
                    ],
                )
                .multi_valued(true)
                .required(true),
            )
            .attribute(Attribute::complex(
                "owner",
                vec![
                    Attribute::new("value", AttributeType::String).required(true),
                    Attribute::new("display", AttributeType::String),
                ],
            ));
        ResourceType::new("Device", "/Devices", Arc::new(schema))
    })
}

fn device() -> Value {
    json!({
        "schemas": ["urn:example:Device"], "id": "d1", "name": "laptop",
        "keys": [{"id": "k1", "label": "a"}, {"id": "k2", "label": "b"}],
        "owner": {"value": "u1", "display": "Barbara"},
    })
}

fn run(message: Value, options: &PatchOptions) -> Result<Value, ScimError> {
    let rt = devices();
    let patch = PatchRequest::parse_value(message, rt, options)?;
    let mut resource = Resource::from_value_unchecked("Device", device()).unwrap();
    let before = resource.clone();
    let result = patch.apply(&mut resource, rt);
    if result.is_err() {
        assert_eq!(resource, before, "a failed PATCH changes nothing");
    }
    result.map(|()| resource.into_value())
}

fn ops(operations: Value) -> Value {
    json!({"schemas": [PATCH_OP], "Operations": operations})
}

fn error_type(result: Result<Value, ScimError>) -> Option<ScimType> {
    result.err().and_then(|e| e.scim_type())
}

#[test]
fn removing_what_is_required_is_a_mutability_error_in_every_shape() {
    for path in [
        // A required attribute.
        "name",
        "keys",
        // A required sub-attribute of a singular and of a multi-valued attribute.
        "owner.value",
        "keys.id",
        // The same through a value filter.
        r#"keys[id eq "k1"].id"#,
        // Every element of a required attribute, through a filter.
        r#"keys[label pr]"#,
    ] {
        for options in [PatchOptions::default(), PatchOptions::strict()] {
            let result = run(ops(json!([{"op": "remove", "path": path}])), &options);
            assert_eq!(error_type(result), Some(ScimType::Mutability), "{path}");
        }
    }
    // Removing some elements, or an optional sub-attribute, is fine.
    let out = run(
        ops(json!([{"op": "remove", "path": r#"keys[id eq "k1"]"#},
                   {"op": "remove", "path": "owner.display"}])),
        &PatchOptions::default(),
    )
    .unwrap();
    assert_eq!(out["keys"], json!([{"id": "k2", "label": "b"}]));
    assert_eq!(out["owner"], json!({"value": "u1"}));
    // A value list that removes every element (Entra's member removal) too.
    let emptied = run(
        ops(
            json!([{"op": "remove", "path": "keys", "value": [{"id": "k1", "label": "a"}, {"id": "k2", "label": "b"}]}]),
        ),
        &PatchOptions::default(),
    );
    assert_eq!(error_type(emptied), Some(ScimType::Mutability));
}

#[test]
fn another_messages_urn_is_invalid_syntax_and_a_missing_one_is_a_leniency() {
    let operations = json!([{"op": "replace", "path": "name", "value": "desktop"}]);
    let lenient = PatchOptions::default();
    let strict = PatchOptions::strict();
    for schemas in [
        json!(["urn:ietf:params:scim:api:messages:2.0:BulkRequest"]),
        json!(["urn:ietf:params:scim:api:messages:2.0:SearchRequest"]),
        json!(["urn:example:Device"]),
        json!("urn:ietf:params:scim:api:messages:2.0:PatchOp"),
    ] {
        for options in [&lenient, &strict] {
            let message = json!({"schemas": schemas, "Operations": operations});
            assert_eq!(
                error_type(run(message, options)),
                Some(ScimType::InvalidSyntax),
                "{schemas}"
            );
        }
    }
    for missing in [
        json!({"Operations": operations}),
        json!({"schemas": [], "Operations": operations}),
    ] {
        assert!(run(missing.clone(), &lenient).is_ok(), "{missing}");
        assert_eq!(
            error_type(run(missing, &strict)),
            Some(ScimType::InvalidSyntax)
        );
    }
    // The PatchOp URN among others is fine.
    let both = json!({"schemas": ["urn:example:x", PATCH_OP], "Operations": operations});
    assert_eq!(run(both, &strict).unwrap()["name"], "desktop");
}

#[test]
fn value_filters_never_match_on_what_is_never_returned() {
    for options in [PatchOptions::default(), PatchOptions::strict()] {
        for path in [
            r#"keys[secret eq "hunter2"]"#,
            r#"keys[secret sw "h"].label"#,
            r#"keys[id eq "k1" or secret pr]"#,
        ] {
            let err = run(
                ops(json!([{"op": "replace", "path": path, "value": {"id": "k9"}}])),
                &options,
            )
            .unwrap_err();
            assert_eq!(err.scim_type(), Some(ScimType::InvalidFilter), "{path}");
            assert!(!err.detail().contains("hunter2"), "{}", err.detail());
        }
    }
}
