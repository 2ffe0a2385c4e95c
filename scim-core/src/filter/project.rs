//! Response projection: the `returned` characteristic with the `attributes` and
//! `excludedAttributes` parameters (RFC 7643 §2.4, §7; RFC 7644 §3.4.2.5, §3.9).

use serde_json::{Map, Value};

use super::ast::AttrPath;
use crate::error::ScimError;
use crate::resource::Resource;
use crate::schema::attribute::{Attribute, Returned};
use crate::schema::builtin;
use crate::schema::definition::ResourceType;

/// Which attributes a response carries: the `attributes` and `excludedAttributes` query
/// parameters (or `.search` body members), applied with each attribute's `returned`
/// characteristic.
///
/// `id`, `schemas` and `meta` are always present; `returned: never` and writeOnly
/// attributes (`password`) never are; `returned: request` attributes only when named in
/// `attributes`.
///
/// ```
/// use scim_core::{Resource, SchemaRegistry, filter::Projection, schema::ValidationOptions};
/// let registry = SchemaRegistry::with_builtins();
/// let users = registry.resource_type("User").unwrap();
/// let user = Resource::parse_value(serde_json::json!({
///     "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": "42",
///     "userName": "bjensen", "password": "t1meMa$heen", "name": {"givenName": "Barbara", "familyName": "Jensen"}
/// }), users, &ValidationOptions::default()).unwrap();
///
/// let everything = Projection::default().apply(&user, users);
/// assert!(everything.get("password").is_none());
///
/// let given = Projection::parse(Some("name.givenName"), None).unwrap().apply(&user, users);
/// assert_eq!(given, serde_json::json!({
///     "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": "42",
///     "name": {"givenName": "Barbara"}
/// }));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Projection {
    /// `attributes`: when not empty, only these (and `returned: always` ones) are returned.
    pub attributes: Vec<AttrPath>,
    /// `excludedAttributes`: these are left out unless `returned: always`.
    pub excluded_attributes: Vec<AttrPath>,
}

/// What a projection keeps of one attribute.
struct Keep<'a> {
    /// The whole attribute (its default sub-attributes).
    whole: bool,
    /// Sub-attributes named explicitly.
    subs: Vec<&'a str>,
}

impl Projection {
    /// Neither `attributes` nor `excludedAttributes`: each attribute as its
    /// `returned` characteristic says.
    pub(crate) fn is_default(&self) -> bool {
        self.attributes.is_empty() && self.excluded_attributes.is_empty()
    }

    /// Parses the comma-separated `attributes` and `excludedAttributes` parameters
    /// (whitespace around names tolerated, URN-qualified names allowed). A malformed name
    /// or a value filter (`emails[type eq "work"]`) is `400 invalidValue` naming the
    /// parameter (RFC 7644 §3.9 defines both as lists of attribute names).
    ///
    /// ```
    /// use scim_core::filter::Projection;
    /// let p = Projection::parse(Some(" userName , name.givenName,urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager"), None).unwrap();
    /// assert_eq!(p.attributes.len(), 3);
    /// assert_eq!(p.attributes[1].sub_attribute.as_deref(), Some("givenName"));
    /// assert!(Projection::parse(None, Some("emails,")).is_ok());
    /// assert!(Projection::parse(Some(".x"), None).is_err());
    /// let err = Projection::parse(None, Some(r#"emails[type eq "work"]"#)).unwrap_err();
    /// assert_eq!(err.scim_type().unwrap().as_str(), "invalidValue");
    /// assert!(err.detail().starts_with("excludedAttributes: "));
    /// ```
    pub fn parse(attributes: Option<&str>, excluded: Option<&str>) -> Result<Self, ScimError> {
        Ok(Self {
            attributes: parse_list(attributes, "attributes")?,
            excluded_attributes: parse_list(excluded, "excludedAttributes")?,
        })
    }

    /// The JSON a response carries for `resource`.
    ///
    /// ```
    /// use scim_core::{Resource, SchemaRegistry, filter::Projection, schema::ValidationOptions};
    /// let registry = SchemaRegistry::with_builtins();
    /// let groups = registry.resource_type("Group").unwrap();
    /// let group = Resource::parse_value(serde_json::json!({"id": "g", "displayName": "Admins",
    ///     "members": [{"value": "1"}]}), groups, &ValidationOptions::default()).unwrap();
    /// // Entra ID: GET /Groups?excludedAttributes=members
    /// let p = Projection::parse(None, Some("members")).unwrap();
    /// assert_eq!(p.apply(&group, groups), serde_json::json!({"id": "g", "displayName": "Admins"}));
    /// ```
    pub fn apply(&self, resource: &Resource, rt: &ResourceType) -> Value {
        self.apply_owned(resource.clone(), rt)
    }

    /// [`apply`](Self::apply) for a resource the caller gives up: what the response does
    /// not carry is dropped in place and the rest is moved, not copied, so a rendered
    /// response costs no second document.
    ///
    /// ```
    /// use scim_core::{Resource, SchemaRegistry, filter::Projection, schema::ValidationOptions};
    /// let registry = SchemaRegistry::with_builtins();
    /// let users = registry.resource_type("User").unwrap();
    /// let user = Resource::parse_value(serde_json::json!({"id": "42", "userName": "bjensen",
    ///     "emails": [{"value": "b@example.com", "type": "work"}]}), users, &ValidationOptions::default()).unwrap();
    /// let p = Projection::parse(Some("emails.value"), None).unwrap();
    /// assert_eq!(p.apply(&user, users), p.apply_owned(user, users));
    /// ```
    pub fn apply_owned(&self, resource: Resource, rt: &ResourceType) -> Value {
        let mut attributes = resource.into_attributes();
        // Whether a kept name differs from its attribute's canonical spelling (only in
        // documents that were never validated); such names are respelled below.
        let mut respell = false;
        attributes.retain(|key, value| {
            if let Some(extension) = rt.extension_schema(key) {
                let Value::Object(object) = value else {
                    return false;
                };
                object.retain(|name, inner| match extension.attribute_named(name) {
                    Some(attribute) => {
                        respell |= attribute.name != *name;
                        self.project(attribute, Some(&extension.id), inner, rt)
                    }
                    None => false,
                });
                !object.is_empty()
            } else if let Some(attribute) = rt
                .schema
                .attribute_named(key)
                .or_else(|| builtin::common_attribute(key))
            {
                respell |= attribute.name != *key;
                self.project(attribute, None, value, rt)
            } else {
                false
            }
        });
        if respell {
            attributes = canonical_names(attributes, rt);
        }
        Value::Object(attributes)
    }

    /// Keeps in `value` what the response carries of `attribute`; `false` when that is
    /// nothing.
    fn project(
        &self,
        attribute: &Attribute,
        extension: Option<&str>,
        value: &mut Value,
        rt: &ResourceType,
    ) -> bool {
        match self.kept(attribute, extension, rt) {
            Some(subs) => prune(attribute, value, &|sub| subs.keeps(sub)),
            None => false,
        }
    }

    /// Whether the response carries `attribute` (in `extension`, `None` for the core
    /// schema) and, when it does, which of its sub-attributes.
    pub(crate) fn kept<'a>(
        &'a self,
        attribute: &Attribute,
        extension: Option<&str>,
        rt: &'a ResourceType,
    ) -> Option<SubAttributes<'a>> {
        if hidden(attribute) {
            return None;
        }
        // `meta` is always returned (RFC 7644 §3.4.2.5 lists id, schemas and meta).
        let always = attribute.returned == Returned::Always
            || (extension.is_none() && attribute.name == "meta");
        if always {
            return Some(SubAttributes::Visible);
        }
        if !self.attributes.is_empty() {
            let keep = matches(&self.attributes, attribute, extension, rt);
            if keep.whole {
                // Explicitly named sub-attributes come back even if `returned: request`.
                return Some(SubAttributes::DefaultOrNamed(keep.subs));
            }
            if keep.subs.is_empty() {
                return None;
            }
            return Some(SubAttributes::Named(keep.subs));
        }
        if attribute.returned == Returned::Request {
            return None;
        }
        let drop = matches(&self.excluded_attributes, attribute, extension, rt);
        if drop.whole {
            return None;
        }
        Some(SubAttributes::DefaultUnlessExcluded(drop.subs))
    }
}

/// Which sub-attributes of a kept attribute a response carries.
pub(crate) enum SubAttributes<'a> {
    /// Every one that may be returned at all (the attribute is `returned: always`).
    Visible,
    /// Those returned by default, and those named (the attribute is named whole).
    DefaultOrNamed(Vec<&'a str>),
    /// Those named and those `returned: always` (only sub-attributes are named).
    Named(Vec<&'a str>),
    /// Those returned by default that are not excluded, and those `returned: always`.
    DefaultUnlessExcluded(Vec<&'a str>),
}

impl SubAttributes<'_> {
    /// Whether the response carries `sub`.
    pub(crate) fn keeps(&self, sub: &Attribute) -> bool {
        let named = |names: &[&str]| names.contains(&sub.name.as_str());
        match self {
            Self::Visible => !hidden(sub),
            Self::DefaultOrNamed(names) => returned_by_default(sub) || named(names),
            Self::Named(names) => {
                !hidden(sub) && (sub.returned == Returned::Always || named(names))
            }
            Self::DefaultUnlessExcluded(names) => {
                sub.returned == Returned::Always || (returned_by_default(sub) && !named(names))
            }
        }
    }
}

/// The projected document with every attribute name in its schema's spelling (moved, not
/// copied; of two spellings of one name, the later value wins at the earlier place).
fn canonical_names(attributes: Map<String, Value>, rt: &ResourceType) -> Map<String, Value> {
    attributes
        .into_iter()
        .map(|(key, value)| match rt.extension_schema(&key) {
            Some(extension) => {
                let value = match value {
                    Value::Object(object) => Value::Object(
                        object
                            .into_iter()
                            .map(|(name, inner)| match extension.attribute_named(&name) {
                                Some(attribute) => (attribute.name.clone(), inner),
                                None => (name, inner),
                            })
                            .collect(),
                    ),
                    other => other,
                };
                (key, value)
            }
            None => match rt
                .schema
                .attribute_named(&key)
                .or_else(|| builtin::common_attribute(&key))
            {
                Some(attribute) => (attribute.name.clone(), value),
                None => (key, value),
            },
        })
        .collect()
}

/// What `paths` name of `attribute` (in `extension`, `None` for the core schema).
fn matches<'a>(
    paths: &'a [AttrPath],
    attribute: &Attribute,
    extension: Option<&str>,
    rt: &'a ResourceType,
) -> Keep<'a> {
    let mut keep = Keep {
        whole: false,
        subs: Vec::new(),
    };
    for path in paths {
        // A bare extension URN names the whole extension.
        if let Some(urn) = extension
            && path.sub_attribute.is_none()
            && path.urn.as_deref().is_some_and(|u| {
                urn.len() == u.len() + 1 + path.name.len()
                    && urn
                        .get(..u.len())
                        .is_some_and(|p| p.eq_ignore_ascii_case(u))
                    && urn
                        .get(u.len() + 1..)
                        .is_some_and(|n| n.eq_ignore_ascii_case(&path.name))
            })
        {
            keep.whole = true;
            continue;
        }
        let Some(resolved) = rt.resolve(path) else {
            continue;
        };
        if resolved.extension != extension || resolved.attribute.name != attribute.name {
            continue;
        }
        match resolved.sub_attribute {
            Some(sub) => keep.subs.push(sub.name.as_str()),
            None => keep.whole = true,
        }
    }
    keep
}

/// Never in a response: `returned: never` and writeOnly (RFC 7643 §7).
fn hidden(attribute: &Attribute) -> bool {
    attribute.is_never_returned()
}

fn returned_by_default(attribute: &Attribute) -> bool {
    matches!(attribute.returned, Returned::Always | Returned::Default) && !hidden(attribute)
}

/// Keeps in `value` only the sub-attributes `keep` accepts (of each element, for a
/// multi-valued attribute, dropping those left empty); `false` when nothing is left.
fn prune(attribute: &Attribute, value: &mut Value, keep: &dyn Fn(&Attribute) -> bool) -> bool {
    if !attribute.is_complex() {
        return true;
    }
    let object = |o: &mut Map<String, Value>| {
        o.retain(|k, _| attribute.sub_attribute(k).is_some_and(keep));
        !o.is_empty()
    };
    match value {
        Value::Object(o) => object(o),
        Value::Array(items) => {
            items.retain_mut(|item| match item {
                Value::Object(o) => object(o),
                _ => true,
            });
            !items.is_empty()
        }
        _ => true,
    }
}

/// The names of one parameter; `parameter` names it in errors.
fn parse_list(list: Option<&str>, parameter: &str) -> Result<Vec<AttrPath>, ScimError> {
    let Some(list) = list else {
        return Ok(Vec::new());
    };
    list.split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(|name| {
            name.parse::<AttrPath>().map_err(|e| {
                // RFC 7644 §3.9: attribute names, never value filters (`emails[type eq
                // "work"]`); `invalidPath` is PATCH's (§3.12).
                let why = if name.contains('[') {
                    "value filters are not allowed here".to_owned()
                } else {
                    e.to_string()
                };
                ScimError::invalid_value(format!(
                    "{parameter}: {name:?} is not an attribute name: {why}"
                ))
            })
        })
        .collect()
}

#[cfg(test)]
mod tests;
