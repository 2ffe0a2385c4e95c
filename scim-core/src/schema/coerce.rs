//! Parsing a resource body: names canonicalized to the schema's spelling, values checked
//! and coerced by type (RFC 7643 §2.1, §2.3), unknown schemas and attributes handled as
//! [`ValidationOptions`] say.

use serde_json::{Map, Value};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::attribute::{Attribute, AttributeType};
use super::builtin;
use super::definition::{ResourceType, Schema};
use super::validate::ValidationOptions;
use crate::error::ScimError;

mod path;
pub(crate) use path::ValuePath;

/// Schema URNs of SCIM 1.x that some clients still put in `schemas` for the core schema
/// (OneLogin sends `urn:scim:schemas:core:2.0`).
const LEGACY_CORE_SCHEMAS: [&str; 2] = ["urn:scim:schemas:core:2.0", "urn:scim:schemas:core:1.0"];

/// Canonicalizes the top level of a resource.
pub(crate) fn canonicalize_resource(
    input: Map<String, Value>,
    rt: &ResourceType,
    opts: &ValidationOptions,
) -> Result<Map<String, Value>, ScimError> {
    if input.keys().all(|key| spelled_as_defined(key, rt)) {
        canonicalize_in_place(input, rt, opts)
    } else {
        canonicalize_into_new(input, rt, opts)
    }
}

/// [`canonicalize_resource`] in general: names respelled, URN-qualified names merged into
/// their extension, duplicates found, into a new map.
fn canonicalize_into_new(
    input: Map<String, Value>,
    rt: &ResourceType,
    opts: &ValidationOptions,
) -> Result<Map<String, Value>, ScimError> {
    let mut out = Map::with_capacity(input.len());
    for (key, value) in input {
        if value.is_null() {
            continue;
        }
        if key.eq_ignore_ascii_case("schemas") {
            let schemas = canonicalize_schemas(value, rt, opts)?;
            insert_once(&mut out, key, "schemas", schemas)?;
        } else if let Some(schema) = rt.extension_schema(&key) {
            let Value::Object(object) = value else {
                return Err(ScimError::invalid_value(format!(
                    "{}: an extension must be a JSON object",
                    schema.id
                )));
            };
            let attributes = canonicalize_object(
                object,
                (&schema.attributes, &schema.omitted),
                opts,
                (&ValuePath::root(&schema.id), ':'),
            )?;
            merge_extension(&mut out, &schema.id, attributes)?;
        } else if let Some((schema, name)) = split_qualified(&key, rt) {
            // A URN-qualified attribute name at the top level (RFC 7644 §3.10).
            let Some(attribute) = schema_attribute(schema, rt, name) else {
                unknown_attribute(&key, schema.omits(name, None), opts)?;
                continue;
            };
            let urn = ValuePath::root(&schema.id);
            let path = urn.child(':', &attribute.name);
            let value = coerce_value(attribute, value, opts, &path)?;
            if is_unassigned(&value) {
                continue;
            }
            if schema.id == rt.schema.id {
                insert_once(&mut out, key, &attribute.name, value)?;
            } else {
                let mut single = Map::new();
                single.insert(attribute.name.clone(), value);
                merge_extension(&mut out, &schema.id, single)?;
            }
        } else if let Some(attribute) = core_attribute(rt, &key) {
            let value = coerce_value(attribute, value, opts, &ValuePath::root(&attribute.name))?;
            if !is_unassigned(&value) {
                insert_once(&mut out, key, &attribute.name, value)?;
            }
        } else {
            let omitted = rt.omits_extension(&key) || rt.schema.omits(&key, None);
            unknown_attribute(&key, omitted, opts)?;
        }
    }
    Ok(out)
}

/// Whether a top-level `key` is `schemas`, an extension's URN or a core or common
/// attribute's name, spelled exactly as defined: a body whose keys all are (as clients
/// send them) is canonicalized in place, with no member renamed, merged or found twice.
fn spelled_as_defined(key: &str, rt: &ResourceType) -> bool {
    key == "schemas"
        || rt.extensions.iter().any(|e| e.schema.id == key)
        || core_attribute(rt, key).is_some_and(|attribute| attribute.name == key)
}

/// [`canonicalize_resource`] of a body whose keys are all [`spelled_as_defined`]: each
/// value is canonicalized where it is, and the unassigned ones removed, in the order and
/// with the errors the general path gives, without building a second map.
fn canonicalize_in_place(
    mut input: Map<String, Value>,
    rt: &ResourceType,
    opts: &ValidationOptions,
) -> Result<Map<String, Value>, ScimError> {
    let mut unassigned = false;
    for (key, slot) in input.iter_mut() {
        let value = std::mem::take(slot);
        if value.is_null() {
            unassigned = true;
            continue;
        }
        // As in the general path, only an attribute's value is dropped when it turns out
        // unassigned; `schemas` and extension objects stay, even empty.
        *slot = if key == "schemas" {
            canonicalize_schemas(value, rt, opts)?
        } else if let Some(schema) = rt.extension_schema(key) {
            let Value::Object(object) = value else {
                return Err(ScimError::invalid_value(format!(
                    "{}: an extension must be a JSON object",
                    schema.id
                )));
            };
            Value::Object(canonicalize_object(
                object,
                (&schema.attributes, &schema.omitted),
                opts,
                (&ValuePath::root(&schema.id), ':'),
            )?)
        } else if let Some(attribute) = core_attribute(rt, key) {
            let value = coerce_value(attribute, value, opts, &ValuePath::root(&attribute.name))?;
            if is_unassigned(&value) {
                unassigned = true;
                // Marked for removal: `null` is never a canonical value.
                Value::Null
            } else {
                value
            }
        } else {
            // Not reached: every key was checked to be one of the above.
            value
        };
    }
    if unassigned {
        input.retain(|_, value| !value.is_null());
    }
    Ok(input)
}

/// A top-level attribute of the core schema or a common attribute (RFC 7643 §3.1).
fn core_attribute<'a>(rt: &'a ResourceType, name: &str) -> Option<&'a Attribute> {
    rt.schema
        .attribute_named(name)
        .or_else(|| builtin::common_attribute(name))
}

/// An attribute of `schema`, which is the core schema of `rt` or one of its extensions.
fn schema_attribute<'a>(
    schema: &'a Schema,
    rt: &'a ResourceType,
    name: &str,
) -> Option<&'a Attribute> {
    if schema.id == rt.schema.id {
        core_attribute(rt, name)
    } else {
        schema.attribute_named(name)
    }
}

/// Splits `urn:…:Schema:attr` into the known schema and the attribute name.
fn split_qualified<'a, 'k>(key: &'k str, rt: &'a ResourceType) -> Option<(&'a Schema, &'k str)> {
    rt.schemas().map(|s| &**s).find_map(|schema| {
        let prefix = key.get(..schema.id.len())?;
        let rest = key.get(schema.id.len()..)?.strip_prefix(':')?;
        (prefix.eq_ignore_ascii_case(&schema.id) && !rest.is_empty()).then_some((schema, rest))
    })
}

/// An attribute the resource type does not define: `omitted` when a narrowed schema left
/// it out (the host does not store it), else one no schema defines.
fn unknown_attribute(name: &str, omitted: bool, opts: &ValidationOptions) -> Result<(), ScimError> {
    if omitted {
        return if opts.ignore_unsupported_attributes {
            Ok(())
        } else {
            Err(unsupported_attribute(name))
        };
    }
    if opts.ignore_unknown_attributes {
        Ok(())
    } else {
        Err(ScimError::invalid_syntax(format!(
            "{}: no such attribute in the resource's schemas",
            shorten(name)
        )))
    }
}

/// The error for a write setting an attribute a narrowed schema left out.
pub(crate) fn unsupported_attribute(name: &str) -> ScimError {
    ScimError::invalid_value(format!(
        "{}: this server does not store the attribute (its schema at /Schemas leaves it out)",
        shorten(name)
    ))
}

/// Inserts `value` under `name`, the canonical spelling of the client's `key`: the
/// client's string is kept when it is already spelled so (the usual case), not copied.
fn insert_once(
    out: &mut Map<String, Value>,
    key: String,
    name: &str,
    value: Value,
) -> Result<(), ScimError> {
    let key = if key == name { key } else { name.to_owned() };
    if out.insert(key, value).is_some() {
        return Err(ScimError::invalid_syntax(format!(
            "{name}: the attribute appears more than once"
        )));
    }
    Ok(())
}

/// Adds attributes to the extension object under `urn`, creating it if needed.
fn merge_extension(
    out: &mut Map<String, Value>,
    urn: &str,
    attributes: Map<String, Value>,
) -> Result<(), ScimError> {
    let slot = out
        .entry(urn.to_owned())
        .or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(existing) = slot {
        for (name, value) in attributes {
            if existing.insert(name.clone(), value).is_some() {
                return Err(ScimError::invalid_syntax(format!(
                    "{urn}:{name}: the attribute appears more than once"
                )));
            }
        }
    }
    Ok(())
}

/// The `schemas` attribute: a list of URNs, each in its registered spelling. Unknown URNs
/// are dropped (or rejected in strict mode); legacy core URNs stand for the core schema.
fn canonicalize_schemas(
    value: Value,
    rt: &ResourceType,
    opts: &ValidationOptions,
) -> Result<Value, ScimError> {
    let items = match value {
        Value::Array(items) => items,
        Value::String(s) if opts.accept_single_value_as_array => vec![Value::String(s)],
        _ => {
            return Err(ScimError::invalid_value(
                "schemas: expected an array of schema URNs",
            ));
        }
    };
    // The URNs are respelled where they are, in the array the parser made: a URN a client
    // spelled as registered (they all do) is kept, not copied.
    let mut urns = items;
    let mut kept = 0;
    for at in 0..urns.len() {
        let (before, from_here) = urns.split_at_mut(at);
        let Some(Value::String(urn)) = from_here.first_mut() else {
            return Err(ScimError::invalid_value(
                "schemas: expected an array of schema URNs",
            ));
        };
        let known = rt.schemas().find(|s| s.id.eq_ignore_ascii_case(urn));
        let canonical = match known {
            Some(schema) => &schema.id,
            None if opts.ignore_unknown_schemas
                && LEGACY_CORE_SCHEMAS
                    .iter()
                    .any(|l| l.eq_ignore_ascii_case(urn)) =>
            {
                &rt.schema.id
            }
            None if opts.ignore_unknown_schemas => continue,
            None => {
                return Err(ScimError::invalid_syntax(format!(
                    "schemas: {} is not a schema of {} resources",
                    shorten(urn),
                    rt.name
                )));
            }
        };
        let earlier = before.get(..kept).unwrap_or_default();
        if earlier.iter().any(|u| u.as_str() == Some(canonical)) {
            continue;
        }
        if urn != canonical {
            canonical.clone_into(urn);
        }
        urns.swap(kept, at);
        kept += 1;
    }
    urns.truncate(kept);
    Ok(Value::Array(urns))
}

/// Canonicalizes and checks one attribute value: the whole value of `attribute`, i.e. an
/// array for a multi-valued attribute (or, in lenient mode, a single element standing for
/// a one-element array) and a single value otherwise. Complex values are canonicalized
/// recursively; `null` stays `null` (the caller treats it as unassigned).
///
/// `path` names the attribute in error details (`emails`, `name.givenName`, …).
pub(crate) fn coerce_value(
    attribute: &Attribute,
    value: Value,
    opts: &ValidationOptions,
    path: &ValuePath<'_>,
) -> Result<Value, ScimError> {
    if !attribute.multi_valued {
        return coerce_element(attribute, value, opts, path);
    }
    match value {
        Value::Null => Ok(Value::Null),
        Value::Array(mut items) => {
            // Coerced where they are, in the array the parser made.
            let mut unassigned = false;
            for item in &mut items {
                *item = coerce_element(attribute, std::mem::take(item), opts, path)?;
                unassigned |= item.is_null();
            }
            if unassigned {
                items.retain(|item| !item.is_null());
            }
            Ok(Value::Array(items))
        }
        single if opts.accept_single_value_as_array => {
            let item = coerce_element(attribute, single, opts, path)?;
            Ok(if item.is_null() {
                Value::Array(Vec::new())
            } else {
                Value::Array(vec![item])
            })
        }
        other => Err(mismatch(path, "an array", &other)),
    }
}

/// Canonicalizes and checks ONE value of `attribute`: for a multi-valued attribute one
/// element of its array, otherwise the attribute's value. `null` stays `null`.
pub(crate) fn coerce_element(
    attribute: &Attribute,
    value: Value,
    opts: &ValidationOptions,
    path: &ValuePath<'_>,
) -> Result<Value, ScimError> {
    match (attribute.kind, value) {
        (_, Value::Null) => Ok(Value::Null),
        (AttributeType::String, Value::String(s)) => {
            check_canonical(attribute, &s, opts, path)?;
            Ok(Value::String(s))
        }
        (AttributeType::Boolean, Value::Bool(b)) => Ok(Value::Bool(b)),
        // Entra ID sends booleans as "True"/"False" unless aadOptscim062020 is set (docs/clients.md).
        (AttributeType::Boolean, Value::String(s)) if opts.coerce_boolean_strings => {
            if s.eq_ignore_ascii_case("true") {
                Ok(Value::Bool(true))
            } else if s.eq_ignore_ascii_case("false") {
                Ok(Value::Bool(false))
            } else {
                Err(mismatch(path, "a boolean", &Value::String(s)))
            }
        }
        (AttributeType::Integer, Value::Number(n)) if n.is_i64() || n.is_u64() => {
            Ok(Value::Number(n))
        }
        (AttributeType::Decimal, Value::Number(n)) => Ok(Value::Number(n)),
        (AttributeType::DateTime, Value::String(s)) => {
            // RFC 7643 §2.3.5: xsd:dateTime; we accept RFC 3339 date-times.
            if OffsetDateTime::parse(&s, &Rfc3339).is_ok() {
                Ok(Value::String(s))
            } else {
                Err(ScimError::invalid_value(format!(
                    "{path}: {} is not an RFC 3339 date-time",
                    shorten_quoted(&s)
                )))
            }
        }
        (AttributeType::Binary, Value::String(s)) => {
            if is_base64(&s) {
                Ok(Value::String(s))
            } else {
                Err(ScimError::invalid_value(format!(
                    "{path}: the value is not base64 (RFC 4648 §4)"
                )))
            }
        }
        (AttributeType::Reference, Value::String(s)) => Ok(Value::String(s)),
        (AttributeType::Complex, Value::Object(object)) => Ok(Value::Object(canonicalize_object(
            object,
            (&attribute.sub_attributes, &attribute.omitted_sub_attributes),
            opts,
            (path, '.'),
        )?)),
        // Entra ID sets the manager as a bare id string; a complex attribute with a `value`
        // sub-attribute takes a bare scalar as `{"value": …}`.
        (
            AttributeType::Complex,
            scalar @ (Value::String(_) | Value::Number(_) | Value::Bool(_)),
        ) if opts.wrap_bare_value => {
            let Some(sub) = attribute.sub_attribute("value") else {
                return Err(mismatch(path, "a JSON object", &scalar));
            };
            let value = coerce_element(sub, scalar, opts, &path.child('.', &sub.name))?;
            let mut object = Map::new();
            object.insert(sub.name.clone(), value);
            Ok(Value::Object(object))
        }
        (kind, other) => Err(mismatch(path, expected(kind), &other)),
    }
}

/// Canonicalizes the members of a complex value (or extension object) against
/// `attributes`, dropping unassigned values. `parent` and its separator start each
/// member's path in error details: `name` and `.` for a complex attribute, `urn:…:User`
/// and `:` for an extension object. `omitted` are the names a narrowed schema left out
/// at this level.
fn canonicalize_object(
    object: Map<String, Value>,
    (attributes, omitted): (&[Attribute], &[String]),
    opts: &ValidationOptions,
    (parent, separator): (&ValuePath<'_>, char),
) -> Result<Map<String, Value>, ScimError> {
    if object
        .keys()
        .all(|key| exactly_named(attributes, key).is_some())
    {
        canonicalize_object_in_place(object, attributes, opts, (parent, separator))
    } else {
        canonicalize_object_into_new(object, (attributes, omitted), opts, (parent, separator))
    }
}

/// [`canonicalize_object`] in general: names respelled, unknown ones handled as `opts`
/// say, duplicates found, into a new map.
fn canonicalize_object_into_new(
    object: Map<String, Value>,
    (attributes, omitted): (&[Attribute], &[String]),
    opts: &ValidationOptions,
    (parent, separator): (&ValuePath<'_>, char),
) -> Result<Map<String, Value>, ScimError> {
    let mut out = Map::with_capacity(object.len());
    for (key, value) in object {
        if value.is_null() {
            continue;
        }
        let Some(attribute) = attributes
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(&key))
        else {
            let left_out = omitted.iter().any(|o| o.eq_ignore_ascii_case(&key));
            unknown_attribute(&parent.child(separator, &key).to_string(), left_out, opts)?;
            continue;
        };
        let value = coerce_member(attribute, value, opts, (parent, separator))?;
        if !is_unassigned(&value) {
            insert_once(&mut out, key, &attribute.name, value)?;
        }
    }
    Ok(out)
}

/// [`coerce_value`] of a member of an object under `parent`, its path in errors
/// `parent`, `separator`, the attribute's name.
fn coerce_member(
    attribute: &Attribute,
    value: Value,
    opts: &ValidationOptions,
    (parent, separator): (&ValuePath<'_>, char),
) -> Result<Value, ScimError> {
    coerce_value(
        attribute,
        value,
        opts,
        &parent.child(separator, &attribute.name),
    )
}

/// The attribute the general path finds for `key` (the first whose name matches it
/// ignoring case), when its name is spelled exactly as `key`: a schema whose names
/// differ only in case then takes the general path, as before.
fn exactly_named<'a>(attributes: &'a [Attribute], key: &str) -> Option<&'a Attribute> {
    attributes
        .iter()
        .find(|a| a.name.eq_ignore_ascii_case(key))
        .filter(|a| a.name == key)
}

/// [`canonicalize_object`] of an object whose every member is named as its attribute is
/// (as clients send them): each value is canonicalized where it is, in the order and with
/// the errors of the general path, and the map the parser made at its exact size is kept
/// rather than built a second time. No member can be renamed, or be found twice.
fn canonicalize_object_in_place(
    mut object: Map<String, Value>,
    attributes: &[Attribute],
    opts: &ValidationOptions,
    (parent, separator): (&ValuePath<'_>, char),
) -> Result<Map<String, Value>, ScimError> {
    let mut unassigned = 0;
    for (key, slot) in object.iter_mut() {
        let Some(attribute) = exactly_named(attributes, key) else {
            // Not reached: every member was checked to name an attribute.
            continue;
        };
        // An unassigned value is left `null`, which no canonical value is, to be removed.
        let value = std::mem::take(slot);
        if value.is_null() {
            unassigned += 1;
            continue;
        }
        let value = coerce_member(attribute, value, opts, (parent, separator))?;
        if is_unassigned(&value) {
            unassigned += 1;
        } else {
            *slot = value;
        }
    }
    if unassigned == 0 {
        return Ok(object);
    }
    // Stored without spare room, as the general path builds it.
    let mut assigned = Map::with_capacity(object.len() - unassigned);
    assigned.extend(object.into_iter().filter(|(_, value)| !value.is_null()));
    Ok(assigned)
}

/// RFC 7643 §2.5: `null` and an empty array are the same as an unassigned attribute.
fn is_unassigned(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Array(items) => items.is_empty(),
        _ => false,
    }
}

fn check_canonical(
    attribute: &Attribute,
    value: &str,
    opts: &ValidationOptions,
    path: &ValuePath<'_>,
) -> Result<(), ScimError> {
    if opts.canonical_values_advisory || attribute.canonical_values.is_empty() {
        return Ok(());
    }
    let matches = |c: &String| {
        if attribute.case_exact {
            c == value
        } else {
            c.eq_ignore_ascii_case(value)
        }
    };
    if attribute.canonical_values.iter().any(matches) {
        Ok(())
    } else {
        Err(ScimError::invalid_value(format!(
            "{path}: {} is not one of {}",
            shorten_quoted(value),
            attribute.canonical_values.join(", ")
        )))
    }
}

/// Standard base64 (RFC 4648 §4), padding optional, whitespace not allowed.
fn is_base64(s: &str) -> bool {
    let body = s.trim_end_matches('=');
    let padding = s.len() - body.len();
    let alphabet = body
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/');
    alphabet
        && padding <= 2
        && if padding > 0 {
            s.len().is_multiple_of(4)
        } else {
            body.len() % 4 != 1
        }
}

fn expected(kind: AttributeType) -> &'static str {
    match kind {
        AttributeType::String => "a string",
        AttributeType::Boolean => "a boolean",
        AttributeType::Decimal => "a number",
        AttributeType::Integer => "an integer",
        AttributeType::DateTime => "an RFC 3339 date-time string",
        AttributeType::Binary => "a base64 string",
        AttributeType::Reference => "a URI string",
        AttributeType::Complex => "a JSON object",
    }
}

fn mismatch(path: &ValuePath<'_>, expected: &str, got: &Value) -> ScimError {
    let got = match got {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    };
    ScimError::invalid_value(format!("{path}: expected {expected}, got {got}"))
}

/// Client text echoed in an error detail, cut to a readable length.
fn shorten(s: &str) -> String {
    const MAX: usize = 100;
    match s.char_indices().nth(MAX) {
        Some((i, _)) => format!("{}…", s.get(..i).unwrap_or_default()),
        None => s.to_owned(),
    }
}

fn shorten_quoted(s: &str) -> String {
    format!("{:?}", shorten(s))
}

#[cfg(test)]
mod tests;
