//! Passwords in requests (see the [`password`](crate::password) module): hashed before
//! the store sees them when a [`PasswordHasher`](crate::PasswordHasher) is configured;
//! otherwise dropped from full representations and refused in PATCH.
//!
//! A password is a value of a `string` attribute whose mutability is `writeOnly`
//! (`User.password`), wherever the schema puts it: top level, an extension, a
//! sub-attribute.

use serde_json::{Map, Value};

use super::Context;
use crate::error::ScimError;
use crate::patch::{PatchOpKind, PatchOperation, PatchRequest};
use crate::resource::Resource;
use crate::schema::attribute::{Attribute, AttributeType, Mutability};
use crate::schema::definition::ResourceType;

/// Whether the values of `attribute` are passwords.
fn is_password(attribute: &Attribute) -> bool {
    attribute.mutability == Mutability::WriteOnly && attribute.kind == AttributeType::String
}

/// Whether a value of `attribute` may hold a password: it is one, or one of its
/// sub-attributes may (RFC 7643 §2.4 gives sub-attributes none of their own, but a
/// registered schema may nest complex attributes, and their passwords are found too).
/// The others are not looked into.
fn may_hold_password(attribute: &Attribute) -> bool {
    is_password(attribute) || attribute.sub_attributes.iter().any(may_hold_password)
}

/// Prepares a resource about to be created or replaced: each password hashed, or, without
/// a hasher, dropped (Okta sends a placeholder password on every create, even with
/// password sync off: refusing it would refuse every Okta user).
pub(crate) async fn protect_resource(
    ctx: &Context<'_>,
    rt: &ResourceType,
    resource: &mut Resource,
) -> Result<(), ScimError> {
    if ctx.password_hasher.is_none() {
        if resource.thin(|attributes| drop_in_resource(rt, attributes)) {
            tracing::debug!(
                "a password was ignored: no PasswordHasher is configured (changePassword.supported is false)"
            );
        }
        return Ok(());
    }
    // Hashes replace clear texts in place: no member comes or goes, so a map known to be
    // at its exact size stays so.
    let exact_size = resource.is_exact_size();
    let mut passwords = Vec::new();
    collect_in_resource(rt, resource.attributes_mut(), &mut passwords);
    hash_all(ctx, passwords).await?;
    if exact_size {
        resource.mark_exact_size();
    }
    Ok(())
}

/// Prepares a PATCH: each password an `add` or `replace` sets is hashed; without a
/// hasher, such an operation is `400 mutability` (`changePassword.supported` is false).
pub(crate) async fn protect_patch(
    ctx: &Context<'_>,
    rt: &ResourceType,
    request: &mut PatchRequest,
) -> Result<(), ScimError> {
    let mut passwords = Vec::new();
    for operation in &mut request.operations {
        collect_in_operation(rt, operation, &mut passwords);
    }
    if passwords.is_empty() {
        return Ok(());
    }
    if ctx.password_hasher.is_none() {
        return Err(ScimError::mutability(
            "this service provider does not support changing passwords (changePassword.supported is false)",
        ));
    }
    hash_all(ctx, passwords).await
}

/// Replaces each clear text with its hash, one after the other: a request (a Bulk of a
/// thousand users) holds at most one hashing thread at a time.
async fn hash_all(ctx: &Context<'_>, passwords: Vec<&mut String>) -> Result<(), ScimError> {
    let Some(hasher) = &ctx.password_hasher else {
        return Ok(());
    };
    for password in passwords {
        let hash = hasher.hash(password).await.map_err(|e| {
            // The error names no password; neither does the response.
            tracing::error!(error = %e, "a password could not be hashed");
            ScimError::internal("the password could not be stored")
        })?;
        *password = hash;
    }
    Ok(())
}

/// The passwords of a resource's attributes (core and extension objects).
fn collect_in_resource<'a>(
    rt: &ResourceType,
    attributes: &'a mut Map<String, Value>,
    out: &mut Vec<&'a mut String>,
) {
    for (key, value) in attributes.iter_mut() {
        if let Some(extension) = rt.extension_schema(key) {
            if let Value::Object(object) = value {
                collect_in_object(&extension.attributes, object, out);
            }
        } else if let Some(attribute) = rt.schema.attribute_named(key) {
            collect_in_value(attribute, value, out);
        }
    }
}

fn collect_in_object<'a>(
    definitions: &[Attribute],
    object: &'a mut Map<String, Value>,
    out: &mut Vec<&'a mut String>,
) {
    for (key, value) in object.iter_mut() {
        if let Some(attribute) = definitions
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(key))
        {
            collect_in_value(attribute, value, out);
        }
    }
}

/// The passwords inside one value of `attribute` (a single value, an array of them, or a
/// complex value whose sub-attributes hold some).
fn collect_in_value<'a>(
    attribute: &Attribute,
    value: &'a mut Value,
    out: &mut Vec<&'a mut String>,
) {
    if !may_hold_password(attribute) {
        return;
    }
    match value {
        Value::String(text) if is_password(attribute) => out.push(text),
        Value::Array(items) => {
            for item in items {
                collect_in_value(attribute, item, out);
            }
        }
        // (A simple attribute has no sub-attributes to look in: the guard only says so.)
        Value::Object(object) if attribute.is_complex() => {
            collect_in_object(&attribute.sub_attributes, object, out);
        }
        _ => {}
    }
}

/// The passwords an `add` or `replace` sets. Parsing has already split path-less values
/// into one operation per attribute, so each value has the shape its path names.
fn collect_in_operation<'a>(
    rt: &ResourceType,
    operation: &'a mut PatchOperation,
    out: &mut Vec<&'a mut String>,
) {
    if operation.op == PatchOpKind::Remove {
        return;
    }
    let (Some(path), Some(value)) = (&operation.path, &mut operation.value) else {
        return;
    };
    let Some(resolved) = rt.resolve(&path.attribute) else {
        return;
    };
    let target = match (&path.filter, &path.sub_attribute) {
        // `emails[type eq "work"].value`: the sub-attribute of the selected elements.
        (Some(_), Some(sub)) => resolved.attribute.sub_attribute(sub),
        // `emails[type eq "work"]`: whole elements of the attribute.
        (Some(_), None) => Some(resolved.attribute),
        (None, _) => Some(resolved.target()),
    };
    if let Some(target) = target {
        collect_in_value(target, value, out);
    }
}

/// Removes the passwords of a resource's attributes; whether there were any. What only
/// held passwords (an extension object, a complex value) goes with them.
fn drop_in_resource(rt: &ResourceType, attributes: &mut Map<String, Value>) -> bool {
    let mut dropped = false;
    attributes.retain(|key, value| {
        if let Some(extension) = rt.extension_schema(key) {
            let Value::Object(object) = value else {
                return true;
            };
            let had = drop_in_object(&extension.attributes, object);
            dropped |= had;
            !(had && object.is_empty())
        } else if let Some(attribute) = rt.schema.attribute_named(key) {
            keep(attribute, value, &mut dropped)
        } else {
            true
        }
    });
    dropped
}

fn drop_in_object(definitions: &[Attribute], object: &mut Map<String, Value>) -> bool {
    let mut dropped = false;
    object.retain(|key, value| {
        definitions
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(key))
            .is_none_or(|attribute| keep(attribute, value, &mut dropped))
    });
    dropped
}

/// Whether a value of `attribute` stays once its passwords are removed: a password does
/// not, nor a complex value (or element) that held nothing else.
fn keep(attribute: &Attribute, value: &mut Value, dropped: &mut bool) -> bool {
    if is_password(attribute) {
        *dropped = true;
        return false;
    }
    if !attribute.is_complex() || !may_hold_password(attribute) {
        return true;
    }
    let mut emptied = |object: &mut Map<String, Value>| {
        let had = drop_in_object(&attribute.sub_attributes, object);
        *dropped |= had;
        had && object.is_empty()
    };
    match value {
        Value::Object(object) => !emptied(object),
        Value::Array(items) => {
            let before = items.len();
            items.retain_mut(|item| match item {
                Value::Object(object) => !emptied(object),
                _ => true,
            });
            items.len() == before || !items.is_empty()
        }
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::patch::PatchOptions;
    use crate::schema::Schema;
    use crate::schema::registry::SchemaRegistry;

    /// User with a made-up extension holding a password at top level and below a
    /// complex attribute.
    fn registry() -> SchemaRegistry {
        let secret =
            || Attribute::new("pin", AttributeType::String).mutability(Mutability::WriteOnly);
        let mut registry = SchemaRegistry::with_builtins();
        registry
            .add_schema(
                Schema::new("urn:example:Secrets", "Secrets")
                    .attribute(secret())
                    .attribute(
                        Attribute::complex(
                            "devices",
                            vec![Attribute::new("name", AttributeType::String), secret()],
                        )
                        .multi_valued(true),
                    )
                    .attribute(Attribute::complex(
                        "token",
                        vec![Attribute::new("label", AttributeType::String), secret()],
                    ))
                    // Not RFC 7643 (sub-attributes are simple), but a registry takes it.
                    .attribute(Attribute::complex(
                        "outer",
                        vec![Attribute::complex("inner", vec![secret()])],
                    )),
            )
            .unwrap();
        registry
            .add_extension("User", "urn:example:Secrets", false)
            .unwrap();
        registry
    }

    fn resource(rt: &ResourceType, value: Value) -> Resource {
        Resource::parse_value(value, rt, &Default::default()).unwrap()
    }

    fn strings(passwords: &[&mut String]) -> Vec<String> {
        passwords.iter().map(|p| (**p).clone()).collect()
    }

    #[test]
    fn passwords_are_found_wherever_the_schema_puts_them() {
        let registry = registry();
        let users = registry.resource_type("User").unwrap();
        let mut user = resource(
            users,
            json!({
                "schemas": [crate::schema::USER_SCHEMA, "urn:example:Secrets"],
                "userName": "bjensen", "password": "top",
                "urn:example:Secrets": {"pin": "1234", "devices": [{"name": "phone", "pin": "0000"}],
                                        "outer": {"inner": {"pin": "deep"}}},
            }),
        );
        let mut found = Vec::new();
        collect_in_resource(users, user.attributes_mut(), &mut found);
        assert_eq!(strings(&found), ["top", "1234", "0000", "deep"]);

        assert!(drop_in_resource(users, user.attributes_mut()));
        let left = serde_json::to_string(user.attributes()).unwrap();
        for secret in ["top", "1234", "0000", "deep"] {
            assert!(!left.contains(secret), "{left}");
        }
        assert!(left.contains("phone") && left.contains("bjensen"), "{left}");
        assert!(!drop_in_resource(users, user.attributes_mut()));

        // What held only passwords goes with them.
        let mut only = resource(
            users,
            json!({
                "schemas": [crate::schema::USER_SCHEMA, "urn:example:Secrets"], "userName": "b",
                "urn:example:Secrets": {"pin": "1", "devices": [{"pin": "2"}]},
            }),
        );
        assert!(drop_in_resource(users, only.attributes_mut()));
        assert!(only.get("urn:example:Secrets").is_none(), "{:?}", only);
    }

    #[test]
    fn a_password_below_a_complex_value_goes_and_the_rest_stays() {
        let registry = registry();
        let users = registry.resource_type("User").unwrap();
        // The only passwords are below complex values: one in a single-valued one, one
        // in an element that keeps a name, one in an element that held nothing else.
        let mut user = resource(
            users,
            json!({
                "schemas": [crate::schema::USER_SCHEMA, "urn:example:Secrets"], "userName": "b",
                "urn:example:Secrets": {
                    "token": {"label": "yubikey", "pin": "1"},
                    "devices": [{"name": "phone", "pin": "2"}, {"pin": "3"}],
                },
            }),
        );
        assert!(
            drop_in_resource(users, user.attributes_mut()),
            "a password was there to drop"
        );
        assert_eq!(
            user.get("urn:example:Secrets"),
            Some(&json!({"token": {"label": "yubikey"}, "devices": [{"name": "phone"}]}))
        );
    }

    #[test]
    fn passwords_are_found_in_every_shape_of_patch() {
        let registry = registry();
        let users = registry.resource_type("User").unwrap();
        let mut request = PatchRequest::parse_value(
            json!({"Operations": [
                {"op": "replace", "path": "password", "value": "a"},
                {"op": "add", "path": "urn:ietf:params:scim:schemas:core:2.0:User:PASSWORD", "value": "b"},
                {"op": "replace", "value": {"password": "c", "displayName": "not a password"}},
                {"op": "replace", "path": "urn:example:Secrets:pin", "value": "d"},
                {"op": "add", "path": "urn:example:Secrets", "value": {"pin": "e"}},
                {"op": "add", "path": "urn:example:Secrets:devices[name eq \"phone\"].pin", "value": "f"},
                {"op": "add", "path": "urn:example:Secrets:devices", "value": [{"name": "tablet", "pin": "g"}]},
                {"op": "remove", "path": "password"},
            ]}),
            users,
            &PatchOptions::default(),
        )
        .unwrap();
        let mut found = Vec::new();
        for operation in &mut request.operations {
            collect_in_operation(users, operation, &mut found);
        }
        assert_eq!(strings(&found), ["a", "b", "c", "d", "e", "f", "g"]);
    }
}
