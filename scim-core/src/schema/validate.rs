//! Validation for create and replace (RFC 7643 §2.2, §7; RFC 7644 §3.3, §3.5.1):
//! `schemas`, required attributes, mutability and `primary`.

use serde_json::{Map, Value};

use super::attribute::{Attribute, AttributeType, Mutability};
use super::builtin;
use super::coerce::ValuePath;
use super::definition::ResourceType;
use crate::error::ScimError;
use crate::json_map;

/// How tolerant parsing and validation are. Each leniency is a named switch; all are on
/// by default because real clients need them, and [`ValidationOptions::strict`] turns
/// every one off.
///
/// ```
/// use scim_core::schema::ValidationOptions;
/// let lenient = ValidationOptions::default();
/// assert!(lenient.coerce_boolean_strings && lenient.ignore_unknown_attributes);
/// assert_eq!(lenient.max_resource_bytes, 1024 * 1024);
/// let strict = ValidationOptions::strict();
/// assert!(!strict.coerce_boolean_strings && !strict.ignore_unknown_attributes);
/// // The one switch off by default: dropping what the host does not store loses data.
/// assert!(!lenient.ignore_unsupported_attributes && !strict.ignore_unsupported_attributes);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ValidationOptions {
    /// Drop schema URNs in `schemas` that the resource type does not know (Entra ID's
    /// `http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group`,
    /// OneLogin's `urn:scim:schemas:core:2.0`, which stands for the core schema) instead
    /// of answering `400 invalidSyntax`.
    pub ignore_unknown_schemas: bool,
    /// Drop attributes no schema defines (Entra ID's PUTs carry some) instead of
    /// answering `400 invalidSyntax`.
    pub ignore_unknown_attributes: bool,
    /// Accept the strings `"True"` and `"False"` (any case) for booleans, as Entra ID
    /// sends them.
    pub coerce_boolean_strings: bool,
    /// Treat `canonicalValues` as advice (RFC 7643 §7 allows either); when off, a value
    /// outside them is `400 invalidValue`.
    pub canonical_values_advisory: bool,
    /// Take a single value given for a multi-valued attribute as a one-element array.
    pub accept_single_value_as_array: bool,
    /// Take a bare scalar given for a complex attribute that has a `value` sub-attribute
    /// as `{"value": …}` (Entra ID sets `manager` to a bare id).
    pub wrap_bare_value: bool,
    /// Add to `schemas` the URN of each extension whose object the resource carries,
    /// instead of answering `400 invalidValue` (RFC 7643 §3 wants them listed).
    pub add_missing_extension_schemas: bool,
    /// Drop values of attributes that a narrowed schema left out
    /// ([`SchemaRegistry::narrow`](crate::SchemaRegistry::narrow): the host does not
    /// persist them) instead of answering `400 invalidValue`. **Off by default**, unlike
    /// the other switches: answering `200` and dropping the value is silent data loss,
    /// and the host narrowed the schema to say what it stores. Turn it on to have
    /// Entra ID's extra attribute mappings ignored.
    pub ignore_unsupported_attributes: bool,
    /// The largest resource body accepted, in bytes (`413` beyond).
    pub max_resource_bytes: usize,
}

impl Default for ValidationOptions {
    fn default() -> Self {
        Self {
            ignore_unknown_schemas: true,
            ignore_unknown_attributes: true,
            coerce_boolean_strings: true,
            canonical_values_advisory: true,
            accept_single_value_as_array: true,
            wrap_bare_value: true,
            add_missing_extension_schemas: true,
            ignore_unsupported_attributes: false,
            max_resource_bytes: 1024 * 1024,
        }
    }
}

impl ValidationOptions {
    /// Every leniency off: the RFC to the letter. The size limit stays at its default.
    ///
    /// ```
    /// use scim_core::{Resource, SchemaRegistry, schema::ValidationOptions};
    /// let registry = SchemaRegistry::with_builtins();
    /// let users = registry.resource_type("User").unwrap();
    /// let err = Resource::parse(br#"{"userName":"b","shoeSize":44}"#, users, &ValidationOptions::strict()).unwrap_err();
    /// assert_eq!(err.scim_type().unwrap().as_str(), "invalidSyntax");
    /// ```
    pub fn strict() -> Self {
        Self {
            ignore_unknown_schemas: false,
            ignore_unknown_attributes: false,
            coerce_boolean_strings: false,
            canonical_values_advisory: false,
            accept_single_value_as_array: false,
            wrap_bare_value: false,
            add_missing_extension_schemas: false,
            ignore_unsupported_attributes: false,
            ..Self::default()
        }
    }
}

/// Every schema of `rt` with the attributes it holds in `attributes`, the extension
/// objects by URN; `None` as the URN for the core schema.
fn sections<'a>(
    attributes: &'a Map<String, Value>,
    rt: &'a ResourceType,
) -> impl Iterator<
    Item = (
        Option<&'a str>,
        &'a [Attribute],
        Option<&'a Map<String, Value>>,
    ),
> {
    let core = std::iter::once((None, rt.schema.attributes.as_slice(), Some(attributes)));
    let extensions = rt.extensions.iter().map(move |e| {
        (
            Some(e.schema.id.as_str()),
            e.schema.attributes.as_slice(),
            json_map::get(attributes, &e.schema.id).and_then(Value::as_object),
        )
    });
    core.chain(extensions)
}

/// RFC 7643 §3: `schemas` names the core schema and each extension present.
pub(crate) fn check_schemas(
    attributes: &mut Map<String, Value>,
    rt: &ResourceType,
    opts: &ValidationOptions,
) -> Result<(), ScimError> {
    let listed = json_map::get(attributes, "schemas")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    let lists = |urn: &str| {
        listed
            .iter()
            .filter_map(Value::as_str)
            .any(|u| u.eq_ignore_ascii_case(urn))
    };
    if !lists(&rt.schema.id) {
        return Err(ScimError::invalid_value(format!(
            "schemas: must include {}",
            rt.schema.id
        )));
    }
    let mut missing = Vec::new();
    for extension in &rt.extensions {
        let urn = &extension.schema.id;
        if json_map::get(attributes, urn).is_some() && !lists(urn) {
            if !opts.add_missing_extension_schemas {
                return Err(ScimError::invalid_value(format!(
                    "schemas: must include {urn}, whose attributes the resource carries"
                )));
            }
            missing.push(Value::String(urn.clone()));
        }
    }
    if !missing.is_empty()
        && let Some(Value::Array(urns)) = json_map::get_mut(attributes, "schemas")
    {
        urns.extend(missing);
    }
    Ok(())
}

/// RFC 7644 §3.5.1: readOnly values in a request are ignored.
pub(crate) fn drop_read_only(attributes: &mut Map<String, Value>, rt: &ResourceType) {
    // The read-only common attributes (`id`, `meta`) go in the same walk as the core
    // schema's: no lookup of each by name.
    drop_read_only_in(
        attributes,
        &rt.schema.attributes,
        builtin::common_attributes(),
    );
    for extension in &rt.extensions {
        if let Some(Value::Object(object)) = json_map::get_mut(attributes, &extension.schema.id) {
            drop_read_only_in(object, &extension.schema.attributes, &[]);
            if object.is_empty() {
                attributes.shift_remove(&extension.schema.id);
            }
        }
    }
}

/// Walks the members the object has (a handful) rather than every attribute the schema
/// defines; names are already in the schema's spelling. Order is kept. A member named
/// as a read-only attribute of `common` goes whatever `definitions` say of it.
fn drop_read_only_in(
    object: &mut Map<String, Value>,
    definitions: &[Attribute],
    common: &[Attribute],
) {
    object.retain(|name, value| {
        if common
            .iter()
            .any(|a| a.name == *name && a.mutability == Mutability::ReadOnly)
        {
            return false;
        }
        let Some(attribute) = definitions.iter().find(|a| a.name == *name) else {
            return true;
        };
        if attribute.mutability == Mutability::ReadOnly {
            return false;
        }
        if !attribute.is_complex() {
            return true;
        }
        let emptied = match value {
            Value::Object(inner) => {
                drop_read_only_in(inner, &attribute.sub_attributes, &[]);
                inner.is_empty()
            }
            Value::Array(items) => {
                for item in items.iter_mut() {
                    if let Value::Object(inner) = item {
                        drop_read_only_in(inner, &attribute.sub_attributes, &[]);
                    }
                }
                items.retain(|i| i.as_object().is_none_or(|o| !o.is_empty()));
                items.is_empty()
            }
            _ => false,
        };
        !emptied
    });
}

/// RFC 7643 §2.2, §7: required attributes, required sub-attributes of values present,
/// and required extensions.
pub(crate) fn check_required(
    attributes: &Map<String, Value>,
    rt: &ResourceType,
) -> Result<(), ScimError> {
    for extension in rt.extensions.iter().filter(|e| e.required) {
        if !attributes.contains_key(&extension.schema.id) {
            return Err(ScimError::invalid_value(format!(
                "{}: the extension is required",
                extension.schema.id
            )));
        }
    }
    for (urn, definitions, object) in sections(attributes, rt) {
        let Some(object) = object else { continue };
        let section = urn.as_ref().map(|urn| ValuePath::root(urn));
        let section = section.as_ref().map(|urn| (urn, ':'));
        for attribute in definitions {
            if attribute.mutability == Mutability::ReadOnly
                || !(attribute.required || attribute.sub_attributes.iter().any(|s| s.required))
            {
                continue;
            }
            let path = ValuePath::under(section, &attribute.name);
            let value = json_map::get(object, &attribute.name);
            if attribute.required && value.is_none_or(is_empty) {
                return Err(ScimError::invalid_value(format!(
                    "{path}: the attribute is required"
                )));
            }
            if let Some(value) = value {
                check_required_subs(attribute, value, &path)?;
            }
        }
    }
    Ok(())
}

fn check_required_subs(
    attribute: &Attribute,
    value: &Value,
    path: &ValuePath<'_>,
) -> Result<(), ScimError> {
    let elements = match value {
        Value::Array(items) => items.as_slice(),
        other => std::slice::from_ref(other),
    };
    for element in elements {
        let Value::Object(object) = element else {
            continue;
        };
        for sub in attribute.sub_attributes.iter().filter(|s| s.required) {
            if json_map::get(object, &sub.name).is_none_or(is_empty) {
                return Err(ScimError::invalid_value(format!(
                    "{path}.{}: the sub-attribute is required",
                    sub.name
                )));
            }
        }
    }
    Ok(())
}

/// RFC 7643 §2.4: "The primary attribute value 'true' MUST appear no more than once."
pub(crate) fn check_primary(
    attributes: &Map<String, Value>,
    rt: &ResourceType,
) -> Result<(), ScimError> {
    for (urn, definitions, object) in sections(attributes, rt) {
        let Some(object) = object else { continue };
        // The arrays the object holds (a handful), not every attribute defined.
        let arrays = object.iter().filter_map(|(name, value)| match value {
            Value::Array(items) => Some((name, items)),
            _ => None,
        });
        for (name, items) in arrays {
            let Some(attribute) = definitions
                .iter()
                .find(|a| a.multi_valued && a.name == *name)
            else {
                continue;
            };
            let Some(primary) = attribute
                .sub_attributes
                .iter()
                .find(|s| s.name == "primary" && s.kind == AttributeType::Boolean)
            else {
                continue;
            };
            let count = items
                .iter()
                .filter(|i| {
                    i.as_object()
                        .and_then(|element| json_map::get(element, &primary.name))
                        == Some(&Value::Bool(true))
                })
                .count();
            if count > 1 {
                let section = urn.as_ref().map(|urn| ValuePath::root(urn));
                let path =
                    ValuePath::under(section.as_ref().map(|urn| (urn, ':')), &attribute.name);
                return Err(ScimError::invalid_value(format!(
                    "{path}: {count} values are primary; at most one may be"
                )));
            }
        }
    }
    Ok(())
}

/// RFC 7644 §3.5.1: an immutable value already set must not change; omitted, it is kept.
pub(crate) fn check_immutable(
    attributes: &mut Map<String, Value>,
    existing: &Map<String, Value>,
    rt: &ResourceType,
) -> Result<(), ScimError> {
    check_immutable_in(attributes, existing, &rt.schema.attributes, None)?;
    for extension in &rt.extensions {
        let urn = &extension.schema.id;
        let Some(Value::Object(old)) = json_map::get(existing, urn) else {
            continue;
        };
        let slot = attributes
            .entry(urn.clone())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(new) = slot {
            let section = ValuePath::root(urn);
            check_immutable_in(
                new,
                old,
                &extension.schema.attributes,
                Some((&section, ':')),
            )?;
            if new.is_empty() {
                attributes.remove(urn);
            }
        }
    }
    Ok(())
}

fn check_immutable_in(
    new: &mut Map<String, Value>,
    old: &Map<String, Value>,
    definitions: &[Attribute],
    parent: Option<(&ValuePath<'_>, char)>,
) -> Result<(), ScimError> {
    for attribute in definitions {
        let path = ValuePath::under(parent, &attribute.name);
        let Some(old_value) = old.get(&attribute.name).filter(|v| !is_empty(v)) else {
            continue;
        };
        if attribute.mutability == Mutability::Immutable {
            match new.get(&attribute.name) {
                None => {
                    new.insert(attribute.name.clone(), old_value.clone());
                }
                Some(value) if same_value(attribute, value, old_value) => {}
                Some(_) => {
                    return Err(ScimError::mutability(format!(
                        "{path}: the attribute is immutable and already set"
                    )));
                }
            }
        } else if attribute.is_complex()
            && !attribute.multi_valued
            && let (Some(Value::Object(new_inner)), Value::Object(old_inner)) =
                (new.get_mut(&attribute.name), old_value)
        {
            check_immutable_in(
                new_inner,
                old_inner,
                &attribute.sub_attributes,
                Some((&path, '.')),
            )?;
        }
    }
    Ok(())
}

/// Equality as the attribute compares: case-insensitively unless `caseExact`.
fn same_value(attribute: &Attribute, a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) if !attribute.case_exact => x.eq_ignore_ascii_case(y),
        _ => a == b,
    }
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

#[cfg(test)]
mod tests;
