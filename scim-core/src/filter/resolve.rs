//! Attribute paths resolved against a resource type's schemas. The path type belongs to
//! the filter language (`attrPath`, RFC 7644 §3.4.2.2), so resolving it lives here
//! rather than in `schema`, which knows nothing of paths and stays below `filter`.

use crate::filter::AttrPath;
use crate::schema::attribute::Attribute;
use crate::schema::builtin;
use crate::schema::definition::ResourceType;
use crate::schema::registry::ResolvedAttribute;

impl ResourceType {
    /// Resolves a parsed attribute path (case-insensitive names; a URN prefix selects
    /// the core schema or an extension). `id`, `externalId`, `meta` and `schemas` are
    /// the common attributes of RFC 7643 §3.1.
    ///
    /// ```
    /// # use scim_core::{SchemaRegistry, filter::AttrPath};
    /// let r = SchemaRegistry::with_builtins();
    /// let path: AttrPath = "meta.lastModified".parse().unwrap();
    /// let a = r.resource_type("User").unwrap().resolve(&path).unwrap();
    /// assert_eq!(a.target().name, "lastModified");
    /// ```
    pub fn resolve(&self, path: &AttrPath) -> Option<ResolvedAttribute<'_>> {
        let (extension, attribute) = match path.urn.as_deref() {
            Some(urn) if urn.eq_ignore_ascii_case(&self.schema.id) => {
                (None, self.core_attribute(&path.name)?)
            }
            Some(urn) => {
                let schema = self.extension_schema(urn)?;
                (
                    Some(schema.id.as_str()),
                    schema.attribute_named(&path.name)?,
                )
            }
            None => (None, self.core_attribute(&path.name)?),
        };
        let sub_attribute = match path.sub_attribute.as_deref() {
            Some(sub) => Some(attribute.sub_attribute(sub)?),
            None => None,
        };
        Some(ResolvedAttribute {
            extension,
            attribute,
            sub_attribute,
        })
    }

    /// Parses and resolves a textual attribute path; `None` if it does not parse or
    /// names no attribute of this resource type.
    ///
    /// ```
    /// # use scim_core::SchemaRegistry;
    /// let r = SchemaRegistry::with_builtins();
    /// assert!(r.resource_type("Group").unwrap().resolve_str("members.value").is_some());
    /// assert!(r.resource_type("Group").unwrap().resolve_str("userName").is_none());
    /// ```
    pub fn resolve_str(&self, path: &str) -> Option<ResolvedAttribute<'_>> {
        self.resolve(&path.parse().ok()?)
    }

    /// A top-level attribute of the core schema, or a common attribute.
    fn core_attribute(&self, name: &str) -> Option<&Attribute> {
        self.schema
            .attribute_named(name)
            .or_else(|| builtin::common_attribute(name))
    }
}
