//! What the document store writes beside each document so the database can filter,
//! sort and enforce uniqueness: the search projection, the indexed columns and the
//! unique keys, all computed in Rust with scim-core's folding.
//!
//! The search projection is a JSON object with one key per attribute the schema
//! defines (`userName`, `emails`, `urn:…:enterprise:2.0:User:employeeNumber`):
//!
//! - a simple attribute holds an array of its values;
//! - a complex attribute holds an array of element objects, each mapping a
//!   sub-attribute to an array of its values; the `primary` element comes first, so
//!   that sorting reads element 0 (RFC 7644 §3.4.2.3); elements without values
//!   stay (as `{}`), since a value path may match them;
//! - strings are folded with [`fold_case`] unless `caseExact`; dateTimes that are
//!   RFC 3339 instants are written by [`normalize_instant`]; `null`s are dropped.

use scim_core::ResourceType;
use scim_core::filter::fold_case;
use scim_core::schema::{Attribute, AttributeType, Uniqueness};
use serde_json::{Map, Value};
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

/// An RFC 3339 instant (RFC 7643 §2.3.5) in the one text form whose order is time
/// order: UTC, nine fraction digits, `Z` (`2011-05-13T04:42:34.000000000Z`). `None`
/// when `s` is not an instant, or falls outside years 0000 to 9999 once in UTC.
///
/// ```
/// use scim_sqlx::filter::normalize_instant;
/// assert_eq!(
///     normalize_instant("2011-05-13T06:42:34.5+02:00").as_deref(),
///     Some("2011-05-13T04:42:34.500000000Z")
/// );
/// assert!(normalize_instant("yesterday").is_none());
/// ```
pub fn normalize_instant(s: &str) -> Option<String> {
    let at = OffsetDateTime::parse(s, &Rfc3339)
        .ok()?
        .to_offset(UtcOffset::UTC);
    format_instant(at)
}

/// `at` (in UTC) as [`normalize_instant`] writes it.
pub(crate) fn format_instant(at: OffsetDateTime) -> Option<String> {
    let year = at.year();
    if !(0..=9999).contains(&year) {
        return None;
    }
    Some(format!(
        "{year:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:09}Z",
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
        at.nanosecond()
    ))
}

/// The member `name` of a JSON object: the exact key first, else a case-insensitive
/// match (RFC 7643 §2.1), as the evaluator looks attributes up.
pub(crate) fn member<'v>(object: &'v Map<String, Value>, name: &str) -> Option<&'v Value> {
    object.get(name).or_else(|| {
        object
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

/// The key of an attribute in the search projection and the unique table.
pub(crate) fn key(extension: Option<&str>, attribute: &Attribute) -> String {
    match extension {
        Some(urn) => format!("{urn}:{}", attribute.name),
        None => attribute.name.clone(),
    }
}

/// Every (extension, attribute) of a resource type's schemas, core first.
pub(crate) fn attributes(rt: &ResourceType) -> impl Iterator<Item = (Option<&str>, &Attribute)> {
    rt.schemas().flat_map(move |schema| {
        let extension = (!std::ptr::eq(&**schema, &*rt.schema)).then_some(schema.id.as_str());
        schema.attributes.iter().map(move |a| (extension, a))
    })
}

/// The value of an attribute in a document.
pub(crate) fn value_of<'d>(
    doc: &'d Map<String, Value>,
    extension: Option<&str>,
    attribute: &Attribute,
) -> Option<&'d Value> {
    match extension {
        Some(urn) => member(member(doc, urn)?.as_object()?, &attribute.name),
        None => member(doc, &attribute.name),
    }
}

/// The search projection of a stored document (see the module docs). The derived
/// attributes (`members`, `groups`) are not in the document and not projected.
pub(crate) fn project(rt: &ResourceType, doc: &Map<String, Value>) -> Value {
    let mut out = Map::new();
    for (extension, attribute) in attributes(rt) {
        let Some(value) = value_of(doc, extension, attribute) else {
            continue;
        };
        let projected = if attribute.is_complex() {
            elements(attribute, value)
        } else {
            scalars(attribute, value)
        };
        if !projected.is_empty() {
            out.insert(key(extension, attribute), Value::Array(projected));
        }
    }
    Value::Object(out)
}

/// The values of a simple attribute, one per element of an array.
fn scalars(attribute: &Attribute, value: &Value) -> Vec<Value> {
    let items: &[Value] = match value {
        Value::Array(items) => items,
        v => std::slice::from_ref(v),
    };
    items.iter().filter_map(|v| scalar(attribute, v)).collect()
}

/// One value as the search projection holds it; `None` for `null` and for what no
/// comparison can match (arrays and objects where a simple value belongs).
fn scalar(attribute: &Attribute, value: &Value) -> Option<Value> {
    match value {
        Value::String(s) => Some(Value::String(match attribute.kind {
            AttributeType::DateTime => normalize_instant(s).unwrap_or_else(|| fold_case(s)),
            _ if attribute.case_exact => s.clone(),
            _ => fold_case(s),
        })),
        Value::Number(_) | Value::Bool(_) => Some(value.clone()),
        Value::Null | Value::Array(_) | Value::Object(_) => None,
    }
}

/// The elements of a complex attribute, primary first.
fn elements(attribute: &Attribute, value: &Value) -> Vec<Value> {
    let items: &[Value] = match value {
        Value::Array(items) => items,
        v => std::slice::from_ref(v),
    };
    let primary = items.iter().position(|item| {
        item.as_object()
            .and_then(|o| member(o, "primary"))
            .and_then(Value::as_bool)
            .unwrap_or(false)
    });
    let ordered = primary.and_then(|p| items.get(p)).into_iter().chain(
        items
            .iter()
            .enumerate()
            .filter(|(i, _)| Some(*i) != primary)
            .map(|(_, v)| v),
    );
    let mut out = Vec::new();
    for item in ordered {
        let Some(object) = item.as_object() else {
            continue;
        };
        let mut element = Map::new();
        for sub in &attribute.sub_attributes {
            let Some(v) = member(object, &sub.name) else {
                continue;
            };
            let values = scalars(sub, v);
            if !values.is_empty() {
                element.insert(sub.name.clone(), Value::Array(values));
            }
        }
        // Kept even when empty: `parts[count eq null]` matches an element `{}`.
        out.push(Value::Object(element));
    }
    out
}

/// The indexed columns of a document.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Columns {
    /// `userName`, folded.
    pub(crate) user_name: Option<String>,
    /// `displayName`, folded.
    pub(crate) display_name: Option<String>,
    /// `externalId`, as sent (caseExact).
    pub(crate) external_id: Option<String>,
    /// The `display` of the resource as a member: `displayName`, else `userName`.
    pub(crate) display: Option<String>,
}

impl Columns {
    pub(crate) fn of(doc: &Map<String, Value>) -> Self {
        // Empty strings stay: `displayName le "b"` matches "" as the evaluator does.
        let text = |name: &str| member(doc, name).and_then(Value::as_str);
        Self {
            user_name: text("userName").map(fold_case),
            display_name: text("displayName").map(fold_case),
            external_id: text("externalId").map(str::to_owned),
            display: text("displayName")
                .or_else(|| text("userName"))
                .map(str::to_owned),
        }
    }
}

/// A value that must be unique in its tenant and resource type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UniqueKey {
    /// The key of the attribute (`userName`, `urn:…:employeeNumber`).
    pub(crate) attribute: String,
    /// The attribute's name as a conflict reports it.
    pub(crate) name: String,
    /// The value, folded unless `caseExact`; numbers and booleans as JSON text.
    pub(crate) value: String,
}

/// The unique values of a document: every singular simple attribute marked
/// `uniqueness: server` or `global` (`userName`), and a Group's `displayName` when
/// `group_display_name` (Entra ID matches groups by it).
pub(crate) fn unique_keys(
    rt: &ResourceType,
    doc: &Map<String, Value>,
    group_display_name: bool,
) -> Vec<UniqueKey> {
    let mut keys = Vec::new();
    for (extension, attribute) in attributes(rt) {
        let display = group_display_name
            && extension.is_none()
            && attribute.name.eq_ignore_ascii_case("displayName");
        let unique = matches!(
            attribute.uniqueness,
            Uniqueness::Server | Uniqueness::Global
        ) || display;
        if !unique || attribute.multi_valued || attribute.is_complex() {
            continue;
        }
        let value = match value_of(doc, extension, attribute) {
            Some(Value::String(s)) if attribute.case_exact => s.clone(),
            Some(Value::String(s)) => fold_case(s),
            Some(v @ (Value::Number(_) | Value::Bool(_))) => v.to_string(),
            _ => continue,
        };
        keys.push(UniqueKey {
            attribute: key(extension, attribute),
            name: attribute.name.clone(),
            value,
        });
    }
    keys
}

#[cfg(test)]
mod tests {
    use scim_core::SchemaRegistry;
    use serde_json::json;

    use super::*;

    #[test]
    fn instants_normalize_to_utc_with_nine_digits() {
        assert_eq!(
            normalize_instant("2011-05-13T04:42:34Z").as_deref(),
            Some("2011-05-13T04:42:34.000000000Z")
        );
        // Different offsets, one instant: one text.
        assert_eq!(
            normalize_instant("2011-05-13T06:42:34+02:00"),
            normalize_instant("2011-05-13T04:42:34Z")
        );
        assert!(normalize_instant("0000-01-01T00:00:00+01:00").is_none());
        assert!(normalize_instant("2011-05-13").is_none());
    }

    #[test]
    fn projection_folds_orders_primary_first_and_drops_null_values() {
        let registry = SchemaRegistry::with_builtins();
        let users = registry.resource_type("User").unwrap();
        let doc = json!({
            "userName": "BJensen",
            "externalId": "AbC",
            "title": null,
            "emails": [
                {"value": "B@Example.com", "type": "home"},
                {"value": "w@x.org", "type": "Work", "primary": true},
                {"display": null}
            ],
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "E7"},
            "meta": {"lastModified": "2011-05-13T06:42:34+02:00"}
        });
        let projected = project(users, doc.as_object().unwrap());
        assert_eq!(
            projected,
            json!({
                "userName": ["bjensen"],
                "emails": [
                    {"value": ["w@x.org"], "type": ["work"], "primary": [true]},
                    {"value": ["b@example.com"], "type": ["home"]},
                    {}
                ],
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber": ["e7"]
            })
        );
    }

    #[test]
    fn unique_keys_fold_user_name_and_group_display_name() {
        let registry = SchemaRegistry::with_builtins();
        let users = registry.resource_type("User").unwrap();
        let groups = registry.resource_type("Group").unwrap();
        let user = json!({"userName": "ÄRNE"});
        let keys = unique_keys(users, user.as_object().unwrap(), true);
        assert_eq!(keys.len(), 1);
        assert_eq!(keys[0].value, fold_case("ärne"));
        let group = json!({"displayName": "Admins"});
        assert_eq!(
            unique_keys(groups, group.as_object().unwrap(), true)[0].value,
            "admins"
        );
        assert!(unique_keys(groups, group.as_object().unwrap(), false).is_empty());
    }
}
