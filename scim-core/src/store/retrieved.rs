//! A resource read for a response, with a Group's members kept apart as rows.

use std::ops::Range;
use std::sync::Arc;

use serde_json::{Map, Value};

use crate::filter::AttrPath;
use crate::resource::Resource;
use crate::schema::definition::ResourceType;
use crate::store::{Stamp, Version, meta};

/// A Group's members as a store hands them to a response (RFC 7643 §4.2): for each, its
/// id, resource type and display name, copied into one buffer. The engine writes each
/// row straight into the response body with its `$ref`, so a group of 100 000 members
/// costs no 100 000 JSON objects (nor 100 000 allocations to build and free).
///
/// ```
/// use scim_core::store::MemberRows;
/// let mut rows = MemberRows::new();
/// rows.push("2819c223", Some("User"), Some("Babs Jensen"));
/// rows.push("e9e30dba", Some("Group"), None);
/// assert_eq!(rows.len(), 2);
/// let first = rows.iter().next().unwrap();
/// assert_eq!((first.value, first.kind, first.display), ("2819c223", Some("User"), Some("Babs Jensen")));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemberRows {
    /// Every id and display, one after the other.
    text: String,
    rows: Vec<Row>,
    /// The distinct types, in the order first seen (nearly always one or two).
    kinds: Vec<Box<str>>,
}

/// Where one row's strings are in [`MemberRows::text`].
#[derive(Debug, Clone, PartialEq, Eq)]
struct Row {
    value: Range<usize>,
    display: Option<Range<usize>>,
    /// Index into [`MemberRows::kinds`].
    kind: Option<usize>,
}

/// One member of [`MemberRows`].
///
/// ```
/// use scim_core::store::MemberRows;
/// let mut rows = MemberRows::new();
/// rows.push("u1", None, None);
/// let row = rows.iter().next().unwrap();
/// assert_eq!(row.to_value(), serde_json::json!({"value": "u1"}));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct MemberRow<'a> {
    /// The member's id.
    pub value: &'a str,
    /// The member's resource type (`User` or `Group`): the `type` sub-attribute.
    pub kind: Option<&'a str>,
    /// The `display` sub-attribute.
    pub display: Option<&'a str>,
}

impl MemberRow<'_> {
    /// The member object a document holds for this row: `value`, `display`, `type`, in
    /// that order, without `$ref` (the engine renders it).
    ///
    /// ```
    /// use scim_core::store::MemberRows;
    /// let mut rows = MemberRows::new();
    /// rows.push("u1", Some("User"), Some("Babs"));
    /// assert_eq!(rows.iter().next().unwrap().to_value(),
    ///     serde_json::json!({"value": "u1", "display": "Babs", "type": "User"}));
    /// ```
    pub fn to_value(&self) -> Value {
        let mut object = Map::with_capacity(3);
        object.insert("value".to_owned(), Value::String(self.value.to_owned()));
        if let Some(display) = self.display {
            object.insert("display".to_owned(), Value::String(display.to_owned()));
        }
        if let Some(kind) = self.kind {
            object.insert("type".to_owned(), Value::String(kind.to_owned()));
        }
        Value::Object(object)
    }
}

impl MemberRows {
    /// No rows.
    ///
    /// ```
    /// assert!(scim_core::store::MemberRows::new().is_empty());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// No rows, with room for `members` of them (and their text, at a usual length).
    ///
    /// ```
    /// let rows = scim_core::store::MemberRows::with_capacity(100);
    /// assert_eq!(rows.len(), 0);
    /// ```
    pub fn with_capacity(members: usize) -> Self {
        Self {
            // An id (a UUID is 36 bytes) and a display name.
            text: String::with_capacity(members.saturating_mul(56)),
            rows: Vec::with_capacity(members),
            kinds: Vec::new(),
        }
    }

    /// Appends a member.
    ///
    /// ```
    /// let mut rows = scim_core::store::MemberRows::new();
    /// rows.push("u1", Some("User"), Some("Babs"));
    /// assert_eq!(rows.iter().next().unwrap().display, Some("Babs"));
    /// ```
    pub fn push(&mut self, value: &str, kind: Option<&str>, display: Option<&str>) {
        let value = self.append(value);
        let display = display.map(|display| self.append(display));
        let kind = kind.map(|kind| {
            // The last type is nearly always the one asked for.
            match self.kinds.iter().rposition(|k| **k == *kind) {
                Some(index) => index,
                None => {
                    self.kinds.push(kind.into());
                    self.kinds.len() - 1
                }
            }
        });
        self.rows.push(Row {
            value,
            display,
            kind,
        });
    }

    fn append(&mut self, text: &str) -> Range<usize> {
        let start = self.text.len();
        self.text.push_str(text);
        start..self.text.len()
    }

    /// How many members.
    ///
    /// ```
    /// assert_eq!(scim_core::store::MemberRows::new().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether there are none.
    ///
    /// ```
    /// let mut rows = scim_core::store::MemberRows::new();
    /// rows.push("u1", None, None);
    /// assert!(!rows.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The members in order.
    ///
    /// ```
    /// let mut rows = scim_core::store::MemberRows::new();
    /// rows.push("b", None, None);
    /// rows.push("a", None, None);
    /// assert_eq!(rows.iter().map(|r| r.value).collect::<Vec<_>>(), ["b", "a"]);
    /// ```
    pub fn iter(&self) -> impl ExactSizeIterator<Item = MemberRow<'_>> + '_ {
        self.rows.iter().map(|row| MemberRow {
            value: self.text.get(row.value.clone()).unwrap_or_default(),
            kind: row
                .kind
                .and_then(|kind| self.kinds.get(kind))
                .map(|kind| &**kind),
            display: row
                .display
                .as_ref()
                .and_then(|display| self.text.get(display.clone())),
        })
    }
}

/// A resource as [`ResourceStore::retrieve`](crate::ResourceStore::retrieve) returns it:
/// the document, and a Group's members as [`MemberRows`] when the store keeps them
/// apart. The engine serializes it for the response without putting it back together;
/// [`into_resource`](Self::into_resource) does that for other callers.
///
/// ```
/// use scim_core::Resource;
/// use scim_core::store::{MemberRows, Retrieved};
/// let group = Resource::from_value_unchecked("Group", serde_json::json!({"id": "g", "displayName": "Admins"})).unwrap();
/// let mut members = MemberRows::new();
/// members.push("u1", Some("User"), None);
/// let retrieved = Retrieved::with_members(group, members);
/// assert_eq!(retrieved.id(), Some("g"));
/// assert_eq!(retrieved.into_resource().get("members"), Some(&serde_json::json!([{"value": "u1", "type": "User"}])));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Retrieved {
    /// The document; without `members` when [`members`](Self::members) holds them, and
    /// without `id`, `meta` and the derived attribute when [`stored`](Self::stored)
    /// holds them.
    resource: Resource,
    members: MemberRows,
    stored: Option<StoredParts>,
}

/// What the in-memory store keeps beside a stored document, handed out with the
/// document itself (shared, not copied) so that a response is written from both.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StoredParts {
    pub(crate) id: Arc<str>,
    pub(crate) created: Stamp,
    pub(crate) last_modified: Stamp,
    pub(crate) version: Version,
    /// A User's `groups` as rows (`type` "direct"), when asked for; else none.
    pub(crate) groups: MemberRows,
}

impl Retrieved {
    /// A resource and its members as rows (a `members` the document still holds is
    /// dropped: the rows are the members).
    ///
    /// ```
    /// # use scim_core::{Resource, store::{MemberRows, Retrieved}};
    /// let g = Resource::new_unchecked("Group", serde_json::Map::new());
    /// let mut rows = MemberRows::new();
    /// rows.push("u", None, None);
    /// assert_eq!(Retrieved::with_members(g, rows).members().len(), 1);
    /// ```
    pub fn with_members(mut resource: Resource, members: MemberRows) -> Self {
        if !members.is_empty() && resource.get("members").is_some() {
            resource.attributes_mut().shift_remove("members");
        }
        Self {
            resource,
            members,
            stored: None,
        }
    }

    /// A stored document (shared), its `id` and `meta`, the derived attribute and the
    /// members as rows.
    pub(crate) fn stored(resource: Resource, parts: StoredParts, members: MemberRows) -> Self {
        Self {
            resource,
            members,
            stored: Some(parts),
        }
    }

    /// The members as rows (empty when the document holds them, or has none).
    ///
    /// ```
    /// # use scim_core::{Resource, store::Retrieved};
    /// let user = Resource::from_value_unchecked("User", serde_json::json!({"id": "1"})).unwrap();
    /// assert!(Retrieved::from(user).members().is_empty());
    /// ```
    pub fn members(&self) -> &MemberRows {
        &self.members
    }

    /// The resource's `id`.
    ///
    /// ```
    /// # use scim_core::{Resource, store::Retrieved};
    /// let user = Resource::from_value_unchecked("User", serde_json::json!({"id": "1"})).unwrap();
    /// assert_eq!(Retrieved::from(user).id(), Some("1"));
    /// ```
    pub fn id(&self) -> Option<&str> {
        match &self.stored {
            Some(parts) => Some(&parts.id),
            None => self.resource.id(),
        }
    }

    /// `meta.version`, the resource's ETag value.
    ///
    /// ```
    /// # use scim_core::{Resource, store::Retrieved};
    /// let user = Resource::from_value_unchecked("User", serde_json::json!({"meta": {"version": "W/\"3\""}})).unwrap();
    /// assert_eq!(Retrieved::from(user).version().as_deref(), Some("W/\"3\""));
    /// ```
    pub fn version(&self) -> Option<std::borrow::Cow<'_, str>> {
        match &self.stored {
            Some(parts) => Some(std::borrow::Cow::Owned(parts.version.etag())),
            None => self.resource.version().map(std::borrow::Cow::Borrowed),
        }
    }

    /// The parts the engine writes a response from.
    pub(crate) fn parts(&self) -> (&Resource, &MemberRows, Option<&StoredParts>) {
        (&self.resource, &self.members, self.stored.as_ref())
    }

    /// The resource whole: `id`, `meta` and the derived attribute back in the document
    /// (`schemas` first, then `id`, …, `members` or `groups`, `meta` last), and the rows,
    /// if any, as its `members` attribute.
    ///
    /// ```
    /// # use scim_core::{Resource, store::Retrieved};
    /// let user = Resource::from_value_unchecked("User", serde_json::json!({"id": "1"})).unwrap();
    /// assert_eq!(Retrieved::from(user.clone()).into_resource(), user);
    /// ```
    pub fn into_resource(self) -> Resource {
        if self.members.is_empty() && self.stored.is_none() {
            return self.resource;
        }
        let resource_type = self.resource.type_name();
        let members = (!self.members.is_empty())
            .then(|| Value::Array(self.members.iter().map(|m| m.to_value()).collect()));
        let attributes = match self.stored {
            Some(parts) => {
                let meta = meta(
                    &resource_type,
                    &parts.created,
                    &parts.last_modified,
                    parts.version,
                );
                let groups = (!parts.groups.is_empty()).then(|| {
                    let groups = parts.groups.iter().map(|g| g.to_value()).collect();
                    ("groups".to_owned(), Value::Array(groups))
                });
                let derived = groups
                    .into_iter()
                    .chain(members.map(|m| ("members".to_owned(), m)));
                assemble(self.resource.attributes(), &parts.id, derived, meta)
            }
            None => {
                let mut attributes = self.resource.into_attributes();
                let meta = attributes.shift_remove_entry("meta");
                if let Some(members) = members {
                    attributes.insert("members".to_owned(), members);
                }
                if let Some((key, meta)) = meta {
                    attributes.insert(key, meta);
                }
                attributes
            }
        };
        Resource::with_type_name(resource_type, attributes)
    }
}

/// A stored document with what the store keeps apart put back: `schemas` (when it
/// comes first), `id`, the other attributes, the derived ones, `meta`.
pub(crate) fn assemble(
    doc: &Map<String, Value>,
    id: &str,
    derived: impl IntoIterator<Item = (String, Value)>,
    meta: Value,
) -> Map<String, Value> {
    let mut out = Map::with_capacity(doc.len() + 3);
    let mut attributes = doc.iter().peekable();
    if let Some((key, value)) = attributes.next_if(|(key, _)| *key == "schemas") {
        out.insert(key.clone(), value.clone());
    }
    out.insert("id".to_owned(), Value::String(id.to_owned()));
    for (key, value) in attributes {
        out.insert(key.clone(), value.clone());
    }
    out.extend(derived);
    out.insert("meta".to_owned(), meta);
    out
}

impl From<Resource> for Retrieved {
    /// A resource whose document holds everything (no rows).
    fn from(resource: Resource) -> Self {
        Self::with_members(resource, MemberRows::new())
    }
}

/// Whether `excluded_attributes` (the hint [`retrieve`](crate::ResourceStore::retrieve)
/// and [`patch_excluding`](crate::ResourceStore::patch_excluding) receive) leaves out
/// the core attribute `name` of `resource_type` whole, so that a store may skip
/// loading it. A sub-attribute (`members.display`) or an extension's attribute of the
/// same name does not.
///
/// ```
/// use scim_core::{SchemaRegistry, filter::AttrPath, store::excludes_whole};
/// let registry = SchemaRegistry::with_builtins();
/// let groups = registry.resource_type("Group").unwrap();
/// assert!(excludes_whole(&["Members".parse().unwrap()], groups, "members"));
/// assert!(excludes_whole(&["urn:ietf:params:scim:schemas:core:2.0:Group:members".parse().unwrap()], groups, "members"));
/// assert!(!excludes_whole(&["members.display".parse().unwrap()], groups, "members"));
/// assert!(!excludes_whole(&[AttrPath::new("displayName")], groups, "members"));
/// ```
pub fn excludes_whole(
    excluded_attributes: &[AttrPath],
    resource_type: &ResourceType,
    name: &str,
) -> bool {
    excluded_attributes.iter().any(|path| {
        path.sub_attribute.is_none()
            && path.name.eq_ignore_ascii_case(name)
            && path
                .urn
                .as_deref()
                .is_none_or(|urn| urn.eq_ignore_ascii_case(&resource_type.schema.id))
    })
}

#[cfg(test)]
mod tests {
    use super::MemberRows;

    #[test]
    fn rows_give_back_what_was_pushed_in_order() {
        let mut rows = MemberRows::with_capacity(2);
        rows.push("u1", Some("User"), Some("Zoë ✓"));
        rows.push("g1", Some("Group"), None);
        rows.push("u2", Some("User"), Some(""));
        rows.push("x", None, None);
        let got: Vec<_> = rows.iter().map(|r| (r.value, r.kind, r.display)).collect();
        assert_eq!(
            got,
            [
                ("u1", Some("User"), Some("Zoë ✓")),
                ("g1", Some("Group"), None),
                ("u2", Some("User"), Some("")),
                ("x", None, None),
            ]
        );
        assert_eq!(rows.len(), 4);
        assert_eq!(rows.kinds.len(), 2, "each type is kept once");
    }
}
