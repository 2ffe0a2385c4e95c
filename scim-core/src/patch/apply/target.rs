//! Where an operation writes: the resource or an extension object, and the checks on
//! what may be written there.

use serde_json::{Map, Value};

use crate::error::ScimError;
use crate::json_map;
use crate::patch::PatchOperation;
use crate::schema::attribute::{Attribute, Mutability};

/// Where an attribute lives: the resource itself, or the object under an extension URN.
pub(super) struct Target<'a> {
    pub(super) doc: &'a mut Map<String, Value>,
    pub(super) extension: Option<&'a str>,
}

impl Target<'_> {
    pub(super) fn container(&self) -> Option<&Map<String, Value>> {
        match self.extension {
            None => Some(self.doc),
            Some(urn) => json_map::get(self.doc, urn).and_then(Value::as_object),
        }
    }

    pub(super) fn get(&self, key: &str) -> Option<&Value> {
        self.container().and_then(|c| json_map::get(c, key))
    }

    /// Moves a multi-valued attribute's values out of the draft (leaving `null` in place,
    /// so attribute order is kept); the caller puts the result back with [`set`](Self::set).
    /// The draft is already a private copy, so this avoids a second copy of a large list.
    pub(super) fn take_items(&mut self, key: &str) -> Vec<Value> {
        let slot = match self.extension {
            None => json_map::get_mut(self.doc, key),
            Some(urn) => json_map::get_mut(self.doc, urn)
                .and_then(Value::as_object_mut)
                .and_then(|m| json_map::get_mut(m, key)),
        };
        match slot.map(Value::take) {
            Some(Value::Array(items)) => items,
            Some(Value::Null) | None => Vec::new(),
            Some(other) => vec![other],
        }
    }

    /// Sets an attribute, creating the extension object (or replacing a non-object
    /// squatting on its URN key) when needed.
    pub(super) fn set(&mut self, key: &str, value: Value) {
        let Some(urn) = self.extension else {
            self.doc.insert(key.to_owned(), value);
            return;
        };
        if let Some(Value::Object(container)) = json_map::get_mut(self.doc, urn) {
            container.insert(key.to_owned(), value);
        } else {
            let mut container = Map::new();
            container.insert(key.to_owned(), value);
            self.doc.insert(urn.to_owned(), Value::Object(container));
        }
    }

    pub(super) fn remove(&mut self, key: &str) -> Option<Value> {
        match self.extension {
            None => self.doc.shift_remove(key),
            Some(urn) => json_map::get_mut(self.doc, urn)
                .and_then(Value::as_object_mut)
                .and_then(|m| m.shift_remove(key)),
        }
    }

    /// Drops an emptied attribute, an emptied extension object, and keeps `schemas` in
    /// step with the extensions present (RFC 7643 §3).
    pub(super) fn tidy(&mut self, key: &str) {
        if self.get(key).is_some_and(is_empty) {
            self.remove(key);
        }
        let Some(urn) = self.extension else { return };
        let present = json_map::get(self.doc, urn)
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
pub(super) fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

pub(super) fn check_immutable(
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

pub(super) fn value_of(operation: &PatchOperation) -> Result<&Value, ScimError> {
    operation
        .value
        .as_ref()
        .ok_or_else(|| ScimError::invalid_value(format!("{} needs a value", operation.op.as_str())))
}
