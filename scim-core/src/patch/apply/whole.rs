//! Operations on a whole attribute: `add`, `replace` and `remove` (RFC 7644 §3.5.2.1–3).

use std::collections::HashMap;

use serde_json::Value;

use super::elements::{as_items, element_key, is_primary, normalize_primary, same_element};
use super::target::{Target, check_immutable, is_empty};
use crate::error::ScimError;
use crate::patch::ApplyRules;
use crate::schema::attribute::{Attribute, Mutability};

/// `add` on a whole attribute (RFC 7644 §3.5.2.1): multi-valued values are appended
/// (equal values are not duplicated), complex values merged, simple values set.
pub(super) fn add_attribute(
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
        // O(n + m), not O(n·m) (groups of 100 000 members). Indexed or scanned, the
        // same element is found: the index only narrows the candidates that
        // `same_element` compares (so the threshold below, and the indexed arm, are
        // equivalent mutants for mutation testing).
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
pub(super) fn replace_attribute(
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
pub(super) fn set_singular(
    target: &mut Target<'_>,
    attribute: &Attribute,
    value: &Value,
) -> Result<(), ScimError> {
    let key = attribute.name.as_str();
    check_immutable(attribute, target.get(key), value)?;
    // The guard is belt and braces: values are coerced to the schema before they are
    // stored or applied, so a simple attribute never holds an object.
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
pub(super) fn remove_attribute(
    target: &mut Target<'_>,
    attribute: &Attribute,
    values: Option<&Value>,
    options: &ApplyRules,
) -> Result<(), ScimError> {
    let key = attribute.name.as_str();
    // The parser keeps a `remove`'s value only for a multi-valued attribute under
    // `remove_by_value_list`, so this guard is defence for hand-built requests.
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
            return Err(required_removed(key));
        }
        target.set(key, Value::Array(items));
        return Ok(());
    }
    if attribute.required {
        return Err(required_removed(key));
    }
    if attribute.mutability == Mutability::Immutable
        && target.get(key).is_some_and(|v| !is_empty(v))
    {
        return Err(ScimError::mutability(format!("{key} is immutable")));
    }
    target.remove(key);
    Ok(())
}

/// RFC 7644 §3.5.2.2: "If the attribute is removed or becomes unassigned and is defined
/// as a required attribute or a read-only attribute", the answer is `400 mutability`.
pub(super) fn required_removed(path: &str) -> ScimError {
    ScimError::mutability(format!("{path} is required and cannot be removed"))
}
