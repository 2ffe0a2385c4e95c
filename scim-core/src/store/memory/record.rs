//! A stored resource (its document, id, version and timestamps) and the kinds of
//! resource the store treats apart (Users and Groups take part in membership).

use serde_json::{Map, Value};

use super::Id;
use crate::patch::PatchRequest;
use crate::resource::Resource;
use crate::schema::builtin::{GROUP_SCHEMA, USER_SCHEMA};
use crate::schema::definition::ResourceType;
use crate::store::{Stamp, StoreError, Version, meta};

/// What a resource type means to the store: Users and Groups take part in membership.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Core schema `urn:ietf:params:scim:schemas:core:2.0:User`: has derived `groups`.
    User,
    /// Core schema `urn:ietf:params:scim:schemas:core:2.0:Group`: has `members`.
    Group,
    /// Any other resource type.
    Other,
}

/// A stored resource. Its document holds the client's attributes only: `id` and
/// `meta` are kept here once, outside it, and the derived attribute (`members` or
/// `groups`) lives in [`Membership`]; [`TenantData::materialize`] puts them together.
#[derive(Debug)]
pub(crate) struct Record {
    /// Insertion sequence: the stable order of unsorted queries.
    pub(crate) seq: u64,
    /// The id, shared with the record map's key.
    pub(crate) id: Id,
    pub(super) version: u64,
    /// Copied into each response's parts (see [`Stamp`]).
    pub(super) created: Stamp,
    pub(super) last_modified: Stamp,
    pub(crate) resource: Resource,
    /// The `display` it has as a member (see [`display_of`]), kept beside the document
    /// so that listing a group's members neither looks it up in each member's
    /// document.
    pub(super) display: Option<Box<str>>,
}

/// The `display` of a member from its document: `displayName`, else `userName`.
pub(super) fn display_of(doc: &Map<String, Value>) -> Option<&str> {
    crate::json_map::get(doc, "displayName")
        .or_else(|| crate::json_map::get(doc, "userName"))
        .and_then(Value::as_str)
}

/// [`Record::display`] for a document of `kind`: only Users and Groups are members.
pub(super) fn member_display(kind: Kind, doc: &Map<String, Value>) -> Option<Box<str>> {
    match kind {
        Kind::User | Kind::Group => display_of(doc).map(Box::from),
        Kind::Other => None,
    }
}

/// One element of `members` or `groups` (RFC 7643 §4.1.2, §4.2): strings copied once,
/// capacity for exactly what it holds and the `$ref` a response adds.
pub(super) fn member_object(id: &str, display: Option<&str>, kind: &str) -> Value {
    // Room for the `$ref` a response adds, so that adding it does not regrow the map.
    let mut object = Map::with_capacity(if display.is_some() { 4 } else { 3 });
    object.insert("value".to_owned(), Value::String(id.to_owned()));
    if let Some(display) = display {
        object.insert("display".to_owned(), Value::String(display.to_owned()));
    }
    object.insert("type".to_owned(), Value::String(kind.to_owned()));
    Value::Object(object)
}

/// Splits the derived attribute off an incoming document: a Group's `members` are
/// returned, a User's read-only `groups` dropped (Okta sends `"groups": []`).
pub(super) fn split_derived(
    doc: &mut Map<String, Value>,
    kind: Kind,
) -> Result<Option<Vec<Value>>, StoreError> {
    let Some(name) = kind.derived_attribute() else {
        return Ok(None);
    };
    let key = doc.keys().find(|k| k.eq_ignore_ascii_case(name)).cloned();
    let value = key.and_then(|k| doc.shift_remove(&k));
    match (kind, value) {
        (Kind::Group, Some(Value::Array(members))) => Ok(Some(members)),
        (Kind::Group, None | Some(Value::Null)) => Ok(Some(Vec::new())),
        (Kind::Group, Some(_)) => Err(StoreError::Invalid(
            "members must be an array of member objects".to_owned(),
        )),
        _ => Ok(None),
    }
}

/// Whether a PATCH may change the attribute `name`: an operation's path names it, or
/// a path-less value carries it. (A `true` where `false` would do only loads and
/// rewrites a member list that stays the same.)
pub(super) fn touches(patch: &PatchRequest, name: &str) -> bool {
    patch.operations.iter().any(|op| match &op.path {
        Some(path) => path.attribute.name.eq_ignore_ascii_case(name),
        None => op
            .value
            .as_ref()
            .and_then(Value::as_object)
            .is_none_or(|o| o.keys().any(|k| k.eq_ignore_ascii_case(name))),
    })
}

/// The document as stored: `schemas`, then the attributes; never `id` or `meta`,
/// which the store sets (RFC 7643 §3.1) and keeps in the [`Record`]. `exact_size`:
/// the map is known to hold no spare room ([`Resource::is_exact_size`]).
pub(super) fn stored_document(
    mut attributes: Map<String, Value>,
    exact_size: bool,
) -> Map<String, Value> {
    // A map the engine parsed, already in the stored form, is kept as it is (rebuilding
    // it hashed every name again: about 2 700 instructions per create).
    if exact_size
        && attributes
            .keys()
            .next()
            .is_some_and(|first| first == "schemas")
        && !attributes.keys().any(|key| key == "id" || key == "meta")
    {
        return attributes;
    }
    // Otherwise rebuilt at its exact size, even when `schemas` is already first: a map
    // built member by member (`json!`, a host's own code) has room to spare, and so has
    // one the engine's validation removed members from; every stored resource would keep
    // it (about 600 bytes per user in `benches/store.rs`). `id` and `meta` are skipped
    // on the way, not looked up (so the map has a slot or two to spare when a client
    // sent them); `schemas` is taken out first only when it is not first already
    // (clients send it first).
    let schemas = match attributes.keys().next() {
        Some(first) if first == "schemas" => None,
        _ => attributes.shift_remove("schemas"),
    };
    let mut doc = Map::with_capacity(attributes.len() + usize::from(schemas.is_some()));
    if let Some(schemas) = schemas {
        doc.insert("schemas".to_owned(), schemas);
    }
    for (key, value) in attributes {
        if key != "id" && key != "meta" {
            doc.insert(key, value);
        }
    }
    doc
}

impl Kind {
    pub(crate) fn of(rt: &ResourceType) -> Self {
        if rt.schema.id.eq_ignore_ascii_case(USER_SCHEMA) {
            Self::User
        } else if rt.schema.id.eq_ignore_ascii_case(GROUP_SCHEMA) {
            Self::Group
        } else {
            Self::Other
        }
    }

    /// The attribute the store derives for this kind and keeps out of the document.
    pub(crate) fn derived_attribute(self) -> Option<&'static str> {
        match self {
            Self::User => Some("groups"),
            Self::Group => Some("members"),
            Self::Other => None,
        }
    }
}

impl Record {
    /// Honours `If-Match` (RFC 7644 §3.14): `*`, or the current version in weak or
    /// strong form.
    pub(super) fn check_version(&self, expected: Option<&str>) -> Result<(), StoreError> {
        Version(self.version).check(expected)
    }

    /// Advances the version and `meta.lastModified`.
    pub(super) fn touch(&mut self, now: &str) {
        self.version = Version(self.version).next().0;
        self.last_modified = Stamp::new(now);
    }

    /// `meta` as returned (RFC 7643 §3.1).
    pub(super) fn meta(&self, resource_type: &str) -> Value {
        meta(
            resource_type,
            &self.created,
            &self.last_modified,
            Version(self.version),
        )
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::stored_document;

    fn keys(document: &serde_json::Map<String, Value>) -> Vec<&str> {
        document.keys().map(String::as_str).collect()
    }

    /// A map known to be at its exact size and already in the stored form is kept: not
    /// copied (its values stay where they are); any other is rebuilt.
    #[test]
    fn an_exact_size_map_in_the_stored_form_is_kept_as_it_is() {
        let body = || {
            let Value::Object(body) = json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                "userName": "bjensen"
            }) else {
                unreachable!()
            };
            body
        };
        let first =
            |doc: &serde_json::Map<String, Value>| std::ptr::from_ref(doc.values().next().unwrap());
        let exact = body();
        let at = first(&exact);
        let kept = stored_document(exact, true);
        assert_eq!(first(&kept), at, "kept, not copied");
        let other = body();
        let at = first(&other);
        assert_ne!(first(&stored_document(other, false)), at, "rebuilt");
        // Not in the stored form: rebuilt whatever the size.
        let Value::Object(late) = json!({"userName": "b", "schemas": [], "id": "x"}) else {
            unreachable!()
        };
        assert_eq!(keys(&stored_document(late, true)), ["schemas", "userName"]);
        let Value::Object(with_id) = json!({"schemas": [], "id": "x", "meta": {}, "userName": "b"})
        else {
            unreachable!()
        };
        assert_eq!(
            keys(&stored_document(with_id, true)),
            ["schemas", "userName"]
        );
    }

    #[test]
    fn a_stored_document_starts_with_schemas_and_holds_no_id_or_meta() {
        let Value::Object(body) = json!({
            "userName": "bjensen",
            "id": "client-sent",
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "meta": {"version": "W/\"9\""},
            "active": true
        }) else {
            unreachable!()
        };
        assert_eq!(
            keys(&stored_document(body, false)),
            ["schemas", "userName", "active"]
        );
        let Value::Object(body) = json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": "bjensen",
            "displayName": "Babs"
        }) else {
            unreachable!()
        };
        assert_eq!(
            keys(&stored_document(body, false)),
            ["schemas", "userName", "displayName"]
        );
        let Value::Object(body) = json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "meta": {"version": "W/\"9\""},
            "userName": "bjensen",
            "id": "client-sent"
        }) else {
            unreachable!()
        };
        assert_eq!(keys(&stored_document(body, false)), ["schemas", "userName"]);
        let Value::Object(body) = json!({"userName": "bjensen"}) else {
            unreachable!()
        };
        assert_eq!(keys(&stored_document(body, false)), ["userName"]);
    }
}
