//! Reading a `PatchOp` message (RFC 7644 §3.5.2) into checked, normalized operations.
//!
//! Normalization happens here, once: path-less values are split into one operation per
//! attribute, values are coerced by their attribute's type, and each client dialect is
//! mapped onto the RFC's meaning. [`apply`](super::apply) then sees only RFC shapes.

use serde_json::{Map, Value};

use super::options::PatchOptions;
use super::{ApplyRules, PATCH_OP_SCHEMA, PatchOpKind, PatchOperation, PatchRequest};
use crate::error::ScimError;
use crate::filter::evaluate::check_element_filter;
use crate::filter::{AttrPath, PatchPath};
use crate::schema::attribute::{Attribute, Mutability};
use crate::schema::coerce::{ValuePath, coerce_element, coerce_value};
use crate::schema::definition::ResourceType;
use crate::schema::message::check_message_schemas;
use crate::schema::registry::ResolvedAttribute;

impl PatchRequest {
    /// Parses and checks a PATCH body against a resource type.
    ///
    /// ```
    /// use scim_core::{PatchRequest, SchemaRegistry, patch::PatchOptions};
    /// let registry = SchemaRegistry::with_builtins();
    /// let user = registry.resource_type("User").unwrap();
    /// let body = br#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
    ///   "Operations":[{"op":"Replace","path":"active","value":"False"}]}"#;
    /// let patch = PatchRequest::parse(body, user, &PatchOptions::default()).unwrap();
    /// assert_eq!(patch.operations[0].value, Some(serde_json::json!(false)));
    /// ```
    pub fn parse(
        body: &[u8],
        resource_type: &ResourceType,
        options: &PatchOptions,
    ) -> Result<Self, ScimError> {
        let message: Value = serde_json::from_slice(body)
            .map_err(|e| ScimError::invalid_syntax(format!("PATCH body is not valid JSON: {e}")))?;
        Self::parse_value(message, resource_type, options)
    }

    /// Checks an already-parsed JSON PATCH message (as found inside a Bulk operation).
    ///
    /// ```
    /// use scim_core::{PatchRequest, SchemaRegistry, patch::PatchOptions};
    /// let registry = SchemaRegistry::with_builtins();
    /// let group = registry.resource_type("Group").unwrap();
    /// let msg = serde_json::json!({"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
    ///     "Operations":[{"op":"remove","path":"members[value eq \"2819c223\"]"}]});
    /// assert_eq!(PatchRequest::parse_value(msg, group, &PatchOptions::default()).unwrap().operations.len(), 1);
    /// ```
    pub fn parse_value(
        message: Value,
        resource_type: &ResourceType,
        options: &PatchOptions,
    ) -> Result<Self, ScimError> {
        let Value::Object(mut message) = message else {
            return Err(ScimError::invalid_syntax(
                "PATCH body must be a JSON object",
            ));
        };
        check_message_schemas(
            get_ci(&message, "schemas"),
            PATCH_OP_SCHEMA,
            options.allow_missing_schema,
        )?;
        let operations = take_ci(&mut message, "Operations")
            .ok_or_else(|| ScimError::invalid_syntax("PATCH body has no \"Operations\""))?;
        let Value::Array(operations) = operations else {
            return Err(ScimError::invalid_syntax("\"Operations\" must be an array"));
        };
        if operations.len() > options.max_operations {
            return Err(ScimError::too_many(format!(
                "PATCH carries {} operations; at most {} are allowed",
                operations.len(),
                options.max_operations
            )));
        }
        if operations.is_empty() && !options.allow_empty_operations {
            return Err(ScimError::invalid_value(
                "\"Operations\" must hold at least one operation",
            ));
        }
        let mut normalized = Vec::with_capacity(operations.len());
        for (index, operation) in operations.into_iter().enumerate() {
            read_operation(operation, index, resource_type, options, &mut normalized)?;
        }
        Ok(Self {
            operations: normalized,
            rules: ApplyRules::from(options),
        })
    }
}

/// A key of a JSON object, case-insensitively (clients send `Operations`, `operations`, `Op`).
fn get_ci<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    map.get(key).or_else(|| {
        map.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

fn take_ci(map: &mut Map<String, Value>, key: &str) -> Option<Value> {
    if let Some(v) = map.remove(key) {
        return Some(v);
    }
    let found = map.keys().find(|k| k.eq_ignore_ascii_case(key)).cloned()?;
    map.remove(&found)
}

fn read_operation(
    operation: Value,
    index: usize,
    rt: &ResourceType,
    options: &PatchOptions,
    out: &mut Vec<PatchOperation>,
) -> Result<(), ScimError> {
    let Value::Object(mut operation) = operation else {
        return Err(ScimError::invalid_syntax(format!(
            "operation {index} must be a JSON object"
        )));
    };
    let op = match take_ci(&mut operation, "op") {
        Some(Value::String(op)) => read_op(&op, options).ok_or_else(|| {
            ScimError::invalid_syntax(format!(
                "operation {index}: \"op\" must be \"add\", \"replace\" or \"remove\", not {op:?}"
            ))
        })?,
        _ => {
            return Err(ScimError::invalid_syntax(format!(
                "operation {index} has no \"op\" string"
            )));
        }
    };
    let path = match take_ci(&mut operation, "path") {
        None | Some(Value::Null) => None,
        Some(Value::String(p)) if p.trim().is_empty() => None,
        Some(Value::String(p)) if rt.extension_schema(p.trim()).is_some() => {
            // A bare extension URN names the whole extension object (scim2-tester, and
            // clients that PATCH `urn:…:enterprise:2.0:User` with an object value).
            let value = take_ci(&mut operation, "value").filter(|v| !v.is_null());
            return read_extension(op, p.trim(), value, index, rt, options, out);
        }
        Some(Value::String(p)) => Some(
            PatchPath::parse_with(p.trim(), &options.filter).map_err(|e| {
                ScimError::invalid_path(format!("operation {index}: path {p:?}: {e}"))
            })?,
        ),
        Some(_) => {
            return Err(ScimError::invalid_path(format!(
                "operation {index}: \"path\" must be a string"
            )));
        }
    };
    let value = take_ci(&mut operation, "value").filter(|v| !v.is_null());
    match path {
        Some(path) => read_pathed(op, path, value, index, rt, options, out),
        None if op == PatchOpKind::Remove => Err(ScimError::no_target(format!(
            "operation {index}: \"remove\" needs a \"path\" (RFC 7644 §3.5.2.2)"
        ))),
        None => read_path_less(op, value, index, rt, options, out),
    }
}

/// Whether `path` names an attribute (or sub-attribute, or extension) that a narrowed
/// schema left out.
fn omitted(rt: &ResourceType, path: &PatchPath) -> bool {
    let attribute = &path.attribute;
    let urn = attribute.urn.as_deref();
    if let Some(urn) = urn
        && rt.omits_extension(&format!("{urn}:{}", attribute.name))
    {
        return true;
    }
    let sub = attribute
        .sub_attribute
        .as_deref()
        .or(path.sub_attribute.as_deref());
    rt.omits(urn, &attribute.name, sub)
}

fn read_op(op: &str, options: &PatchOptions) -> Option<PatchOpKind> {
    let kinds = [PatchOpKind::Add, PatchOpKind::Replace, PatchOpKind::Remove];
    kinds.into_iter().find(|k| {
        if options.case_insensitive_op {
            k.as_str().eq_ignore_ascii_case(op)
        } else {
            k.as_str() == op
        }
    })
}

/// One operation with a path: resolve it, then coerce the value to the shape the path needs.
fn read_pathed(
    op: PatchOpKind,
    path: PatchPath,
    value: Option<Value>,
    index: usize,
    rt: &ResourceType,
    options: &PatchOptions,
    out: &mut Vec<PatchOperation>,
) -> Result<(), ScimError> {
    if omitted(rt, &path) {
        if options.values.ignore_unsupported_attributes {
            tracing::debug!(path = %path, "PATCH path names an attribute the schema leaves out; ignored");
            return Ok(());
        }
        return Err(crate::schema::coerce::unsupported_attribute(&format!(
            "operation {index}: {path}"
        )));
    }
    let Some(resolved) = rt.resolve(&path.attribute) else {
        if options.values.ignore_unknown_attributes {
            // Entra maps attributes a host app may not define; like PUT, ignore them.
            tracing::debug!(path = %path, "PATCH path names no attribute; ignored");
            return Ok(());
        }
        return Err(ScimError::invalid_path(format!(
            "operation {index}: {path} names no attribute of {}",
            rt.name
        )));
    };
    check_path_shape(&path, &resolved, index, rt, options)?;
    let target = target_attribute(&path, &resolved);
    let value = match (op, value) {
        (PatchOpKind::Remove, None) => None,
        (PatchOpKind::Remove, Some(v)) => {
            // Only Entra's member-removal dialect gives `remove` a meaning for `value`.
            if options.remove_by_value_list
                && resolved.sub_attribute.is_none()
                && path.filter.is_none()
                && resolved.attribute.multi_valued
            {
                Some(coerce(resolved.attribute, v, options, &path, index)?)
            } else {
                None
            }
        }
        (_, None) => {
            return Err(ScimError::invalid_value(format!(
                "operation {index}: {} {path} needs a \"value\"",
                op.as_str()
            )));
        }
        (_, Some(v)) => Some(coerce_target(&path, &resolved, target, v, options, index)?),
    };
    out.push(PatchOperation {
        op,
        path: Some(path),
        value,
    });
    Ok(())
}

/// A value filter needs a multi-valued complex attribute; a sub-attribute after the filter
/// must exist; a filter's own paths are checked against the element's sub-attributes
/// (as a list filter's are: a sub-attribute never returned cannot be matched on).
fn check_path_shape(
    path: &PatchPath,
    resolved: &ResolvedAttribute<'_>,
    index: usize,
    rt: &ResourceType,
    options: &PatchOptions,
) -> Result<(), ScimError> {
    if path.filter.is_some() {
        let selectable = resolved.attribute.multi_valued || options.singular_value_filter;
        if resolved.sub_attribute.is_some() || !selectable || !resolved.attribute.is_complex() {
            return Err(ScimError::invalid_path(format!(
                "operation {index}: {path}: a value filter applies only to a multi-valued complex attribute"
            )));
        }
        if let Some(sub) = &path.sub_attribute
            && resolved.attribute.sub_attribute(sub).is_none()
        {
            return Err(ScimError::invalid_path(format!(
                "operation {index}: {path}: {} has no sub-attribute {sub:?}",
                resolved.attribute.name
            )));
        }
        if let Some(filter) = &path.filter {
            check_element_filter(filter, rt, resolved.attribute, &options.filter)
                // The detail names the attribute, not the filter's values.
                .map_err(|e| e.context(format!("operation {index}: {}", path.attribute)))?;
        }
    }
    Ok(())
}

/// The attribute whose value the operation writes.
fn target_attribute<'a>(path: &PatchPath, resolved: &ResolvedAttribute<'a>) -> &'a Attribute {
    match (&path.filter, &path.sub_attribute) {
        (Some(_), Some(sub)) => resolved
            .attribute
            .sub_attribute(sub)
            .unwrap_or(resolved.attribute),
        _ => resolved.target(),
    }
}

fn coerce_target(
    path: &PatchPath,
    resolved: &ResolvedAttribute<'_>,
    target: &Attribute,
    value: Value,
    options: &PatchOptions,
    index: usize,
) -> Result<Value, ScimError> {
    if path.filter.is_some() && path.sub_attribute.is_none() {
        // `emails[type eq "work"]` takes one element (an object) of the attribute.
        return coerce_element(
            resolved.attribute,
            value,
            &options.values,
            &ValuePath::root(path),
        )
        .map_err(|e| e.context(format!("operation {index}")));
    }
    // Otherwise the target's own shape: `emails.value` without a filter writes the
    // sub-attribute of every element, so it takes one sub-attribute value.
    coerce(target, value, options, path, index)
}

fn coerce(
    attribute: &Attribute,
    value: Value,
    options: &PatchOptions,
    path: &impl std::fmt::Display,
    index: usize,
) -> Result<Value, ScimError> {
    coerce_value(attribute, value, &options.values, &ValuePath::root(path))
        .map_err(|e| e.context(format!("operation {index}")))
}

/// An operation on a whole extension: `add`/`replace` set each attribute of the object
/// value; `remove` removes every attribute of the extension (and so the extension).
fn read_extension(
    op: PatchOpKind,
    urn: &str,
    value: Option<Value>,
    index: usize,
    rt: &ResourceType,
    options: &PatchOptions,
    out: &mut Vec<PatchOperation>,
) -> Result<(), ScimError> {
    let Some(extension) = rt.extension_schema(urn) else {
        return Ok(());
    };
    if op == PatchOpKind::Remove {
        for attribute in &extension.attributes {
            let path = PatchPath {
                attribute: AttrPath::new(attribute.name.clone()).with_urn(extension.id.clone()),
                filter: None,
                sub_attribute: None,
            };
            if attribute.mutability != Mutability::ReadOnly {
                out.push(PatchOperation {
                    op,
                    path: Some(path),
                    value: None,
                });
            }
        }
        return Ok(());
    }
    let Some(Value::Object(inner)) = value else {
        return Err(ScimError::invalid_value(format!(
            "operation {index}: {} {urn} needs an object value",
            op.as_str()
        )));
    };
    for (name, value) in inner {
        if name.eq_ignore_ascii_case("schemas") {
            continue;
        }
        let path = AttrPath::new(name).with_urn(extension.id.clone());
        read_path_less_attribute(op, path, value, index, rt, options, out)?;
    }
    Ok(())
}

/// A path-less `add` or `replace`: the value is an object of attributes; each becomes
/// one operation with a path (RFC 7644 §3.5.2.1, §3.5.2.3).
fn read_path_less(
    op: PatchOpKind,
    value: Option<Value>,
    index: usize,
    rt: &ResourceType,
    options: &PatchOptions,
    out: &mut Vec<PatchOperation>,
) -> Result<(), ScimError> {
    let Some(Value::Object(map)) = value else {
        return Err(ScimError::invalid_value(format!(
            "operation {index}: a path-less {} needs an object \"value\"",
            op.as_str()
        )));
    };
    for (key, value) in map {
        if value.is_null() {
            continue;
        }
        if let Some(extension) = rt.extension_schema(&key) {
            // `"urn:…:enterprise:2.0:User": {"employeeNumber": …}`
            let Value::Object(inner) = value else {
                return Err(ScimError::invalid_value(format!(
                    "operation {index}: {key} must be an object"
                )));
            };
            for (name, value) in inner {
                let path = AttrPath::new(name).with_urn(extension.id.clone());
                read_path_less_attribute(op, path, value, index, rt, options, out)?;
            }
            continue;
        }
        if key.eq_ignore_ascii_case("schemas") {
            // The resource's `schemas` follow from its attributes; an echo changes nothing.
            continue;
        }
        let path = if key.contains(['.', ':']) {
            if !options.path_less_dotted_keys {
                return Err(ScimError::invalid_path(format!(
                    "operation {index}: {key:?} is not an attribute name"
                )));
            }
            key.parse::<AttrPath>()
                .map_err(|e| ScimError::invalid_path(format!("operation {index}: {key:?}: {e}")))?
        } else {
            AttrPath::new(key)
        };
        read_path_less_attribute(op, path, value, index, rt, options, out)?;
    }
    Ok(())
}

fn read_path_less_attribute(
    op: PatchOpKind,
    path: AttrPath,
    value: Value,
    index: usize,
    rt: &ResourceType,
    options: &PatchOptions,
    out: &mut Vec<PatchOperation>,
) -> Result<(), ScimError> {
    if value.is_null() {
        return Ok(());
    }
    if let Some(resolved) = rt.resolve(&path)
        && resolved.attribute.mutability == Mutability::ReadOnly
        && options.ignore_read_only_echo
        && !resolved.attribute.name.eq_ignore_ascii_case("id")
    {
        // Okta and Entra echo `meta`, `groups` and the like; only `id` is compared on apply.
        return Ok(());
    }
    let path = PatchPath {
        attribute: path,
        filter: None,
        sub_attribute: None,
    };
    read_pathed(op, path, Some(value), index, rt, options, out)
}
