//! Applying normalized operations to a resource (RFC 7644 §3.5.2.1–3), atomically.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::{ApplyRules, PatchOpKind, PatchOperation, PatchRequest};
use crate::error::ScimError;
use crate::filter::{CompValue, CompareOp, ElementFilter, Filter, PatchPath};
use crate::resource::Resource;
use crate::schema::attribute::{Attribute, Mutability};
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
    /// use scim_core::{PatchOptions, PatchRequest, Resource, SchemaRegistry};
    /// let registry = SchemaRegistry::with_builtins();
    /// let user = registry.resource_type("User").unwrap();
    /// let mut r = Resource::from_value("User", serde_json::json!({"id": "1", "userName": "bjensen", "active": true})).unwrap();
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
    /// use scim_core::{PatchOptions, PatchRequest, Resource, SchemaRegistry};
    /// let registry = SchemaRegistry::with_builtins();
    /// let user = registry.resource_type("User").unwrap();
    /// let mut r = Resource::from_value("User", serde_json::json!({"userName": "bjensen"})).unwrap();
    /// let strict = PatchOptions::strict();
    /// let patch = PatchRequest::parse(br#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
    ///     "Operations":[{"op":"replace","path":"emails[type eq \"work\"].value","value":"x@example.com"}]}"#,
    ///     user, &strict).unwrap();
    /// let err = patch.apply_with(&mut r, user, &strict).unwrap_err();
    /// assert_eq!(err.scim_type(), Some(scim_core::ScimType::NoTarget));
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

fn value_of(operation: &PatchOperation) -> Result<&Value, ScimError> {
    operation
        .value
        .as_ref()
        .ok_or_else(|| ScimError::invalid_value(format!("{} needs a value", operation.op.as_str())))
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

/// Where an attribute lives: the resource itself, or the object under an extension URN.
struct Target<'a> {
    doc: &'a mut Map<String, Value>,
    extension: Option<&'a str>,
}

impl Target<'_> {
    fn container(&self) -> Option<&Map<String, Value>> {
        match self.extension {
            None => Some(self.doc),
            Some(urn) => self.doc.get(urn).and_then(Value::as_object),
        }
    }

    fn get(&self, key: &str) -> Option<&Value> {
        self.container().and_then(|c| c.get(key))
    }

    /// Moves a multi-valued attribute's values out of the draft (leaving `null` in place,
    /// so attribute order is kept); the caller puts the result back with [`set`](Self::set).
    /// The draft is already a private copy, so this avoids a second copy of a large list.
    fn take_items(&mut self, key: &str) -> Vec<Value> {
        let slot = match self.extension {
            None => self.doc.get_mut(key),
            Some(urn) => self
                .doc
                .get_mut(urn)
                .and_then(Value::as_object_mut)
                .and_then(|m| m.get_mut(key)),
        };
        match slot.map(Value::take) {
            Some(Value::Array(items)) => items,
            Some(Value::Null) | None => Vec::new(),
            Some(other) => vec![other],
        }
    }

    /// Sets an attribute, creating the extension object (or replacing a non-object
    /// squatting on its URN key) when needed.
    fn set(&mut self, key: &str, value: Value) {
        let Some(urn) = self.extension else {
            self.doc.insert(key.to_owned(), value);
            return;
        };
        if let Some(Value::Object(container)) = self.doc.get_mut(urn) {
            container.insert(key.to_owned(), value);
        } else {
            let mut container = Map::new();
            container.insert(key.to_owned(), value);
            self.doc.insert(urn.to_owned(), Value::Object(container));
        }
    }

    fn remove(&mut self, key: &str) -> Option<Value> {
        match self.extension {
            None => self.doc.shift_remove(key),
            Some(urn) => self
                .doc
                .get_mut(urn)
                .and_then(Value::as_object_mut)
                .and_then(|m| m.shift_remove(key)),
        }
    }

    /// Drops an emptied attribute, an emptied extension object, and keeps `schemas` in
    /// step with the extensions present (RFC 7643 §3).
    fn tidy(&mut self, key: &str) {
        if self.get(key).is_some_and(is_empty) {
            self.remove(key);
        }
        let Some(urn) = self.extension else { return };
        let present = self
            .doc
            .get(urn)
            .and_then(Value::as_object)
            .is_some_and(|m| !m.is_empty());
        if !present {
            self.doc.shift_remove(urn);
        }
        let schemas = self
            .doc
            .entry("schemas")
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(list) = schemas {
            let listed = list
                .iter()
                .position(|s| s.as_str().is_some_and(|s| s.eq_ignore_ascii_case(urn)));
            match (present, listed) {
                (true, None) => list.push(Value::String(urn.to_owned())),
                (false, Some(i)) => {
                    list.remove(i);
                }
                _ => {}
            }
        }
    }
}

/// `null`, `""`, `[]` and `{}` are "unassigned" (RFC 7643 §2.5).
fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

fn check_immutable(
    attribute: &Attribute,
    current: Option<&Value>,
    new: &Value,
) -> Result<(), ScimError> {
    if attribute.mutability == Mutability::Immutable
        && let Some(current) = current.filter(|c| !is_empty(c))
        && current != new
    {
        return Err(ScimError::mutability(format!(
            "{} is immutable and already set",
            attribute.name
        )));
    }
    Ok(())
}

/// `add` on a whole attribute (RFC 7644 §3.5.2.1): multi-valued values are appended
/// (equal values are not duplicated), complex values merged, simple values set.
fn add_attribute(
    target: &mut Target<'_>,
    attribute: &Attribute,
    value: &Value,
) -> Result<(), ScimError> {
    let key = attribute.name.as_str();
    if attribute.multi_valued {
        let new_items = as_items(value);
        let mut items = target.take_items(key);
        if attribute.mutability == Mutability::Immutable
            && !items.is_empty()
            && !new_items.is_empty()
        {
            return Err(ScimError::mutability(format!(
                "{key} is immutable and already set"
            )));
        }
        // Index existing values by folded `value` so that adding m values to n costs
        // O(n + m), not O(n·m) (groups of 100 000 members).
        let mut by_value: HashMap<String, Vec<usize>> = HashMap::new();
        let indexed = new_items.len() > 1;
        if indexed {
            for (i, e) in items.iter().enumerate() {
                if let Some(k) = element_key(attribute, e) {
                    by_value.entry(k).or_default().push(i);
                }
            }
        }
        for item in new_items {
            let found = match (indexed, element_key(attribute, &item)) {
                (true, Some(k)) => by_value.get(&k).and_then(|c| {
                    c.iter().copied().find(|&i| {
                        items
                            .get(i)
                            .is_some_and(|e| same_element(attribute, e, &item))
                    })
                }),
                _ => items.iter().position(|e| same_element(attribute, e, &item)),
            };
            match found {
                Some(i) => {
                    // The same value again: merge what it adds (e.g. `display`), no duplicate.
                    if let (Some(Value::Object(existing)), Value::Object(extra)) =
                        (items.get_mut(i), &item)
                    {
                        for (k, v) in extra {
                            existing.insert(k.clone(), v.clone());
                        }
                    }
                    normalize_primary(&mut items, Some(i));
                }
                None => {
                    if indexed && let Some(k) = element_key(attribute, &item) {
                        by_value.entry(k).or_default().push(items.len());
                    }
                    items.push(item);
                    let last = items.len().checked_sub(1);
                    normalize_primary(&mut items, last);
                }
            }
        }
        target.set(key, Value::Array(items));
        return Ok(());
    }
    set_singular(target, attribute, value)
}

/// `replace` on a whole attribute (RFC 7644 §3.5.2.3): multi-valued values are replaced
/// wholesale, complex values have the given sub-attributes replaced, simple values set.
fn replace_attribute(
    target: &mut Target<'_>,
    attribute: &Attribute,
    value: &Value,
) -> Result<(), ScimError> {
    let key = attribute.name.as_str();
    if attribute.multi_valued {
        let mut items = as_items(value);
        if attribute.required && items.is_empty() {
            return Err(ScimError::invalid_value(format!("{key} is required")));
        }
        check_immutable(attribute, target.get(key), &Value::Array(items.clone()))?;
        let first_primary = items.iter().rposition(is_primary);
        normalize_primary(&mut items, first_primary);
        target.set(key, Value::Array(items));
        return Ok(());
    }
    if attribute.required && is_empty(value) {
        return Err(ScimError::invalid_value(format!("{key} is required")));
    }
    set_singular(target, attribute, value)
}

/// Sets a singular attribute: a complex value is merged into the present one (RFC 7644
/// §3.5.2.1 and §3.5.2.3 agree on this), anything else replaces it. Immutable values may
/// only be set when unassigned.
fn set_singular(
    target: &mut Target<'_>,
    attribute: &Attribute,
    value: &Value,
) -> Result<(), ScimError> {
    let key = attribute.name.as_str();
    check_immutable(attribute, target.get(key), value)?;
    match (target.get(key).cloned(), value) {
        (Some(Value::Object(mut current)), Value::Object(new)) if attribute.is_complex() => {
            for (k, v) in new {
                current.insert(k.clone(), v.clone());
            }
            target.set(key, Value::Object(current));
        }
        _ => target.set(key, value.clone()),
    }
    Ok(())
}

/// `remove` of a whole attribute (RFC 7644 §3.5.2.2), or, with a value list on a
/// multi-valued attribute, of exactly those values (Entra's member removal).
fn remove_attribute(
    target: &mut Target<'_>,
    attribute: &Attribute,
    values: Option<&Value>,
    options: &ApplyRules,
) -> Result<(), ScimError> {
    let key = attribute.name.as_str();
    if let Some(values) = values.filter(|_| attribute.multi_valued && options.remove_by_value_list)
    {
        let doomed = as_items(values);
        if target.get(key).is_none() {
            return Ok(());
        }
        let mut items = target.take_items(key);
        // Index the doomed values so that removing m of n costs O(n + m).
        let mut by_value: HashMap<String, Vec<&Value>> = HashMap::new();
        for d in &doomed {
            by_value
                .entry(element_key(attribute, d).unwrap_or_default())
                .or_default()
                .push(d);
        }
        items.retain(|e| {
            let candidates = by_value.get(&element_key(attribute, e).unwrap_or_default());
            !candidates.is_some_and(|c| c.iter().any(|d| same_element(attribute, e, d)))
        });
        if attribute.required && items.is_empty() {
            return Err(ScimError::invalid_value(format!("{key} is required")));
        }
        target.set(key, Value::Array(items));
        return Ok(());
    }
    if attribute.required {
        return Err(ScimError::invalid_value(format!(
            "{key} is required and cannot be removed"
        )));
    }
    if attribute.mutability == Mutability::Immutable
        && target.get(key).is_some_and(|v| !is_empty(v))
    {
        return Err(ScimError::mutability(format!("{key} is immutable")));
    }
    target.remove(key);
    Ok(())
}

/// `name.givenName` or, on a multi-valued attribute without a filter, `emails.value`
/// for every element.
fn apply_sub_attribute(
    target: &mut Target<'_>,
    attribute: &Attribute,
    sub: &Attribute,
    operation: &PatchOperation,
) -> Result<(), ScimError> {
    let key = attribute.name.as_str();
    let sub_key = sub.name.as_str();
    if attribute.multi_valued {
        let mut items = target.take_items(key);
        match operation.op {
            PatchOpKind::Remove => {
                if sub.required && !items.is_empty() {
                    return Err(ScimError::invalid_value(format!(
                        "{key}.{sub_key} is required"
                    )));
                }
                for item in &mut items {
                    if let Value::Object(m) = item {
                        m.shift_remove(sub_key);
                    }
                }
                items.retain(|e| !is_empty(e));
            }
            PatchOpKind::Add | PatchOpKind::Replace => {
                let value = value_of(operation)?;
                if items.is_empty() {
                    let mut m = Map::new();
                    m.insert(sub_key.to_owned(), value.clone());
                    items.push(Value::Object(m));
                }
                for item in &mut items {
                    if let Value::Object(m) = item {
                        check_immutable(sub, m.get(sub_key), value)?;
                        m.insert(sub_key.to_owned(), value.clone());
                    }
                }
                if sub.name == "primary" && value == &Value::Bool(true) && items.len() > 1 {
                    return Err(ScimError::invalid_value(format!(
                        "only one value of {key} may be primary"
                    )));
                }
            }
        }
        target.set(key, Value::Array(items));
        target.tidy(key);
        return Ok(());
    }
    let mut object = match target.get(key) {
        Some(Value::Object(m)) => m.clone(),
        _ => Map::new(),
    };
    match operation.op {
        PatchOpKind::Remove => {
            if sub.required {
                return Err(ScimError::invalid_value(format!(
                    "{key}.{sub_key} is required"
                )));
            }
            object.shift_remove(sub_key);
        }
        PatchOpKind::Add | PatchOpKind::Replace => {
            let value = value_of(operation)?;
            check_immutable(sub, object.get(sub_key), value)?;
            object.insert(sub_key.to_owned(), value.clone());
        }
    }
    target.set(key, Value::Object(object));
    target.tidy(key);
    Ok(())
}

/// A value-filtered path: `emails[type eq "work"]`, `emails[type eq "work"].value`,
/// `members[value eq "2819c223…"]`.
fn apply_filtered(
    target: &mut Target<'_>,
    attribute: &Attribute,
    filter: &Filter,
    path: &PatchPath,
    operation: &PatchOperation,
    options: &ApplyRules,
) -> Result<(), ScimError> {
    let key = attribute.name.as_str();
    let sub =
        match &path.sub_attribute {
            Some(name) => Some(attribute.sub_attribute(name).ok_or_else(|| {
                ScimError::invalid_path(format!("{path}: no sub-attribute {name}"))
            })?),
            None => None,
        };
    // A singular complex attribute (Entra's `manager[value eq "…"]`) acts as a list of one.
    let singular = !attribute.multi_valued;
    let mut items = target.take_items(key);
    items.retain(|e| !is_empty(e));
    // Resolved once, tested on every element.
    let selector = ElementFilter::new(filter, attribute);
    let matched: Vec<usize> = items
        .iter()
        .enumerate()
        .filter(|(_, e)| selector.matches(e))
        .map(|(i, _)| i)
        .collect();
    match operation.op {
        PatchOpKind::Remove => {
            if matched.is_empty() && !options.remove_missing_is_noop {
                return Err(ScimError::no_target(format!("{path} matches no value")));
            }
            match sub {
                _ if matched.is_empty() => {}
                None => {
                    let mut i = 0usize;
                    items.retain(|_| {
                        let keep = !matched.contains(&i);
                        i += 1;
                        keep
                    });
                }
                Some(sub) => {
                    if sub.required {
                        return Err(ScimError::invalid_value(format!(
                            "{key}.{} is required",
                            sub.name
                        )));
                    }
                    for &i in &matched {
                        if let Some(Value::Object(m)) = items.get_mut(i) {
                            m.shift_remove(&sub.name);
                        }
                    }
                    items.retain(|e| !is_empty(e));
                }
            }
            if attribute.required && items.is_empty() {
                return Err(ScimError::invalid_value(format!("{key} is required")));
            }
        }
        PatchOpKind::Add | PatchOpKind::Replace => {
            let value = value_of(operation)?;
            if matched.is_empty() {
                if !options.create_on_unmatched_filter {
                    return Err(ScimError::no_target(format!("{path} matches no value")));
                }
                let mut element = element_from_filter(filter).ok_or_else(|| {
                    ScimError::no_target(format!(
                        "{path} matches no value, and its filter does not describe a new one"
                    ))
                })?;
                write_into_element(&mut element, sub, value, attribute)?;
                items.push(Value::Object(element));
                let last = items.len().checked_sub(1);
                normalize_primary(&mut items, last);
            } else {
                for &i in &matched {
                    if let Some(Value::Object(element)) = items.get_mut(i) {
                        write_into_element(element, sub, value, attribute)?;
                    }
                }
                let primary = matched
                    .iter()
                    .rev()
                    .copied()
                    .find(|&i| items.get(i).is_some_and(is_primary));
                normalize_primary(&mut items, primary);
            }
        }
    }
    if singular {
        match items.into_iter().next_back() {
            Some(item) => target.set(key, item),
            None => {
                target.remove(key);
            }
        }
    } else {
        target.set(key, Value::Array(items));
    }
    target.tidy(key);
    Ok(())
}

/// Sets one sub-attribute of an element, or merges an element value into it.
fn write_into_element(
    element: &mut Map<String, Value>,
    sub: Option<&Attribute>,
    value: &Value,
    attribute: &Attribute,
) -> Result<(), ScimError> {
    match (sub, value) {
        (Some(sub), value) => {
            check_immutable(sub, element.get(&sub.name), value)?;
            element.insert(sub.name.clone(), value.clone());
        }
        (None, Value::Object(new)) => {
            for (k, v) in new {
                if let Some(sub) = attribute.sub_attribute(k) {
                    check_immutable(sub, element.get(k), v)?;
                }
                element.insert(k.clone(), v.clone());
            }
        }
        (None, _) => {
            return Err(ScimError::invalid_value(format!(
                "a value of {} must be an object",
                attribute.name
            )));
        }
    }
    Ok(())
}

/// The element a filter of `eq` conditions joined by `and` describes
/// (`type eq "work"` → `{"type": "work"}`), for Entra's add-on-missing-element dialect.
fn element_from_filter(filter: &Filter) -> Option<Map<String, Value>> {
    let mut element = Map::new();
    let mut pending = vec![filter];
    while let Some(f) = pending.pop() {
        match f {
            Filter::Compare {
                path,
                op: CompareOp::Eq,
                value,
            } if path.urn.is_none() && path.sub_attribute.is_none() => {
                let v = match value {
                    CompValue::Null => return None,
                    CompValue::Bool(b) => Value::Bool(*b),
                    CompValue::Number(n) => Value::Number(n.clone()),
                    CompValue::String(s) => Value::String(s.clone()),
                };
                element.insert(path.name.clone(), v);
            }
            Filter::And(parts) => pending.extend(parts.iter()),
            _ => return None,
        }
    }
    Some(element)
}

fn as_items(value: &Value) -> Vec<Value> {
    match value {
        Value::Array(items) => items.iter().filter(|v| !v.is_null()).cloned().collect(),
        Value::Null => Vec::new(),
        other => vec![other.clone()],
    }
}

fn is_primary(v: &Value) -> bool {
    v.get("primary") == Some(&Value::Bool(true))
}

/// At most one element is primary (RFC 7643 §2.4): when `winner` is primary, every other
/// element's `primary` becomes false (RFC 7644 §3.5.2).
fn normalize_primary(items: &mut [Value], winner: Option<usize>) {
    let Some(winner) = winner.filter(|&w| items.get(w).is_some_and(is_primary)) else {
        return;
    };
    for (i, item) in items.iter_mut().enumerate() {
        if i != winner
            && let Value::Object(m) = item
            && m.get("primary") == Some(&Value::Bool(true))
        {
            m.insert("primary".to_owned(), Value::Bool(false));
        }
    }
}

/// The folded `value` of an element (or the folded simple value), for indexing.
fn element_key(attribute: &Attribute, e: &Value) -> Option<String> {
    let (v, case_exact) = match e {
        Value::Object(m) => (
            m.get("value")?,
            attribute
                .sub_attribute("value")
                .is_some_and(|s| s.case_exact),
        ),
        other => (other, attribute.case_exact),
    };
    match v {
        Value::String(s) if !case_exact => Some(s.to_lowercase()),
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// Case-insensitive string equality without allocating for ASCII text.
fn fold_eq(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        a.eq_ignore_ascii_case(b)
    } else {
        a.to_lowercase() == b.to_lowercase()
    }
}

/// Whether two values of a multi-valued attribute are "the same value": equal `value`
/// (honouring caseExact) and, when both carry one, equal `type`; simple values compare whole.
pub(crate) fn same_element(attribute: &Attribute, a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let (Some(vx), Some(vy)) = (x.get("value"), y.get("value")) else {
                return x == y;
            };
            let case_exact = attribute
                .sub_attribute("value")
                .is_some_and(|s| s.case_exact);
            let values_equal = match (vx, vy) {
                (Value::String(sx), Value::String(sy)) if !case_exact => fold_eq(sx, sy),
                _ => vx == vy,
            };
            let types_equal = match (x.get("type"), y.get("type")) {
                (Some(tx), Some(ty)) => tx == ty,
                _ => true,
            };
            values_equal && types_equal
        }
        (Value::String(x), Value::String(y)) if !attribute.case_exact => fold_eq(x, y),
        _ => a == b,
    }
}
