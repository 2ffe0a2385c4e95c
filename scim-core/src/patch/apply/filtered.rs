//! Operations below an attribute: sub-attribute paths (`name.givenName`) and value
//! filters (`emails[type eq "work"].value`, `members[value eq "…"]`).

use serde_json::{Map, Value};

use super::elements::{is_primary, normalize_primary};
use super::target::{Target, check_immutable, is_empty, value_of};
use super::whole::required_removed;
use crate::error::ScimError;
use crate::filter::{CompValue, CompareOp, ElementFilter, Filter, PatchPath};
use crate::patch::{ApplyRules, PatchOpKind, PatchOperation};
use crate::schema::attribute::Attribute;

/// `name.givenName` or, on a multi-valued attribute without a filter, `emails.value`
/// for every element.
pub(super) fn apply_sub_attribute(
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
                    return Err(required_removed(&format!("{key}.{sub_key}")));
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
                return Err(required_removed(&format!("{key}.{sub_key}")));
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
pub(super) fn apply_filtered(
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
                        return Err(required_removed(&format!("{key}.{}", sub.name)));
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
                return Err(required_removed(key));
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
pub(super) fn write_into_element(
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
pub(super) fn element_from_filter(filter: &Filter) -> Option<Map<String, Value>> {
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
