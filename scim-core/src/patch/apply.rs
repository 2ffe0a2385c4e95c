//! Applying normalized operations to a resource (RFC 7644 §3.5.2.1–3), atomically.

use serde_json::{Map, Value};

mod elements;
mod filtered;
mod target;
mod whole;

use filtered::{apply_filtered, apply_sub_attribute};
use target::{Target, value_of};
use whole::{add_attribute, remove_attribute, replace_attribute};

use super::{ApplyRules, PatchOpKind, PatchOperation, PatchRequest};
use crate::error::ScimError;
use crate::filter::PatchPath;
use crate::resource::Resource;
use crate::schema::attribute::Mutability;
use crate::schema::definition::ResourceType;
use crate::schema::registry::ResolvedAttribute;

use super::options::PatchOptions;

impl PatchRequest {
    /// Applies every operation, in order, to `resource`. Atomic: when any operation
    /// fails, `resource` is left exactly as it was.
    ///
    /// This is the whole-document helper for stores that load and save JSON; a store
    /// may instead apply [`PatchRequest::member_delta`] to its own membership index.
    ///
    /// ```
    /// use scim_core::{PatchRequest, Resource, SchemaRegistry, patch::PatchOptions};
    /// let registry = SchemaRegistry::with_builtins();
    /// let user = registry.resource_type("User").unwrap();
    /// let mut r = Resource::from_value_unchecked("User", serde_json::json!({"id": "1", "userName": "bjensen", "active": true})).unwrap();
    /// let patch = PatchRequest::parse(br#"{"Operations":[{"op":"replace","value":{"active":false}}]}"#,
    ///     user, &PatchOptions::default()).unwrap();
    /// patch.apply(&mut r, user).unwrap();
    /// assert_eq!(r.get("active"), Some(&serde_json::json!(false)));
    /// ```
    pub fn apply(&self, resource: &mut Resource, rt: &ResourceType) -> Result<(), ScimError> {
        self.apply_rules(resource, rt, self.rules)
    }

    /// [`apply`](Self::apply) with other options than those the request was parsed with.
    ///
    /// ```
    /// use scim_core::{PatchRequest, Resource, SchemaRegistry, patch::PatchOptions};
    /// let registry = SchemaRegistry::with_builtins();
    /// let user = registry.resource_type("User").unwrap();
    /// let mut r = Resource::from_value_unchecked("User", serde_json::json!({"userName": "bjensen"})).unwrap();
    /// let strict = PatchOptions::strict();
    /// let patch = PatchRequest::parse(br#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
    ///     "Operations":[{"op":"replace","path":"emails[type eq \"work\"].value","value":"x@example.com"}]}"#,
    ///     user, &strict).unwrap();
    /// let err = patch.apply_with(&mut r, user, &strict).unwrap_err();
    /// assert_eq!(err.scim_type(), Some(scim_core::error::ScimType::NoTarget));
    /// ```
    pub fn apply_with(
        &self,
        resource: &mut Resource,
        rt: &ResourceType,
        options: &PatchOptions,
    ) -> Result<(), ScimError> {
        self.apply_rules(resource, rt, ApplyRules::from(options))
    }

    fn apply_rules(
        &self,
        resource: &mut Resource,
        rt: &ResourceType,
        rules: ApplyRules,
    ) -> Result<(), ScimError> {
        if self.operations.is_empty() {
            return Ok(());
        }
        // Work on a copy so that a failing operation leaves the resource untouched.
        let mut draft = resource.attributes().clone();
        for (index, operation) in self.operations.iter().enumerate() {
            apply_operation(&mut draft, operation, rt, &rules)
                .map_err(|e| e.context(format!("operation {index}")))?;
        }
        *resource.attributes_mut() = draft;
        Ok(())
    }
}

fn apply_operation(
    doc: &mut Map<String, Value>,
    operation: &PatchOperation,
    rt: &ResourceType,
    options: &ApplyRules,
) -> Result<(), ScimError> {
    let Some(path) = &operation.path else {
        // Parsing splits path-less values into pathed operations.
        return Err(ScimError::no_target("operation has no path"));
    };
    let resolved = rt
        .resolve(&path.attribute)
        .ok_or_else(|| ScimError::invalid_path(format!("{path} names no attribute")))?;
    let attribute = resolved.attribute;
    if attribute.mutability == Mutability::ReadOnly {
        return check_read_only_echo(doc, &resolved, path, operation);
    }
    let key = attribute.name.as_str();
    let mut target = Target {
        doc,
        extension: resolved.extension,
    };
    match (&path.filter, resolved.sub_attribute) {
        (Some(filter), _) => {
            apply_filtered(&mut target, attribute, filter, path, operation, options)
        }
        (None, Some(sub)) => apply_sub_attribute(&mut target, attribute, sub, operation),
        (None, None) => match operation.op {
            PatchOpKind::Remove => {
                remove_attribute(&mut target, attribute, operation.value.as_ref(), options)
            }
            PatchOpKind::Add => add_attribute(&mut target, attribute, value_of(operation)?),
            PatchOpKind::Replace => replace_attribute(&mut target, attribute, value_of(operation)?),
        }
        .map(|()| target.tidy(key)),
    }?;
    Ok(())
}

/// A readOnly attribute may only be "set" to the value it has (an echo); anything else is
/// `400 mutability` (RFC 7644 §3.5.2).
fn check_read_only_echo(
    doc: &Map<String, Value>,
    resolved: &ResolvedAttribute<'_>,
    path: &PatchPath,
    operation: &PatchOperation,
) -> Result<(), ScimError> {
    let current = doc.get(&resolved.attribute.name);
    let current = match resolved.sub_attribute {
        Some(sub) => current.and_then(|c| c.get(&sub.name)),
        None => current,
    };
    if operation.op != PatchOpKind::Remove
        && path.filter.is_none()
        && current.is_some()
        && current == operation.value.as_ref()
    {
        return Ok(());
    }
    Err(ScimError::mutability(format!(
        "{path} is readOnly and cannot be changed"
    )))
}
