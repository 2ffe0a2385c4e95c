//! Evaluating a filter against a resource, driven by the schema (RFC 7644 §3.4.2.2),
//! and checking a filter against a resource type before any resource is read.
//!
//! Evaluation itself is [`PreparedFilter`](super::PreparedFilter)'s; `reference` keeps a
//! plain tree-walking evaluator, for tests only, as the oracle the prepared one is
//! checked against.

use super::ast::{AttrPath, CompareOp, Filter};
use super::options::FilterOptions;
use crate::error::ScimError;
use crate::resource::Resource;
use crate::schema::attribute::{Attribute, AttributeType};
use crate::schema::definition::ResourceType;

impl Filter {
    /// Whether `resource` satisfies the filter, using `resource_type`'s schema for
    /// case sensitivity and types: strings compare case-insensitively unless the
    /// attribute is `caseExact`, dateTimes as instants, numbers numerically; a
    /// multi-valued attribute matches when any value does; a value path needs all its
    /// conditions on one element; `pr` is false for null, `""`, `[]` and `{}`.
    /// Attributes the schema does not define match nothing (run [`Filter::check`]
    /// first to reject them instead). `ne` holds when some value differs, so an
    /// absent attribute matches neither `eq` nor `ne`.
    ///
    /// ```
    /// use scim_core::{Filter, Resource, SchemaRegistry};
    /// let registry = SchemaRegistry::with_builtins();
    /// let users = registry.resource_type("User").unwrap();
    /// let bjensen = Resource::from_value_unchecked("User", serde_json::json!({
    ///     "id": "2819c223", "userName": "bjensen",
    ///     "emails": [{"value": "bjensen@example.com", "type": "work"}],
    ///     "meta": {"lastModified": "2011-05-13T04:42:34.5+02:00"},
    /// })).unwrap();
    /// let hit = |f: &str| f.parse::<Filter>().unwrap().matches(&bjensen, users);
    /// assert!(hit(r#"userName eq "BJENSEN""#));           // userName is not caseExact
    /// assert!(!hit(r#"id eq "2819C223""#));                // id is
    /// assert!(hit(r#"emails co "EXAMPLE.com""#));          // the emails' value
    /// assert!(hit(r#"emails[type eq "work" and value sw "bjensen"]"#));
    /// assert!(hit(r#"meta.lastModified lt "2011-05-13T04:42:34Z""#)); // 02:42:34.5Z
    /// assert!(!hit("title pr"));
    /// ```
    pub fn matches(&self, resource: &Resource, resource_type: &ResourceType) -> bool {
        // One evaluator serves single resources and scans alike: resolving the paths
        // first costs little even for one resource.
        self.prepare(resource_type).matches(resource)
    }

    /// Checks the filter against a resource type once, before querying: attributes
    /// the schema does not define (unless `opts.unknown_attributes_match_nothing`),
    /// attributes that are never returned (`password`: see
    /// [`Attribute::is_never_returned`]), `gt`/`lt`/`ge`/`le` on booleans or binary,
    /// comparisons on a complex attribute without a sub-attribute (other than a
    /// multi-valued one with a `value`), and value filters on attributes that are not
    /// complex are `400 invalidFilter`.
    ///
    /// ```
    /// use scim_core::{Filter, SchemaRegistry, error::ScimType, filter::FilterOptions};
    /// let registry = SchemaRegistry::with_builtins();
    /// let users = registry.resource_type("User").unwrap();
    /// let check = |f: &str, o: &FilterOptions| f.parse::<Filter>().unwrap().check(users, o);
    /// let lenient = FilterOptions::default();
    /// assert!(check(r#"emails co "example.com""#, &lenient).is_ok());
    /// assert!(check(r#"nickname2 eq "x""#, &lenient).is_ok());
    /// let err = check(r#"nickname2 eq "x""#, &FilterOptions::strict()).unwrap_err();
    /// assert_eq!(err.scim_type(), Some(ScimType::InvalidFilter));
    /// assert!(check("active gt true", &lenient).is_err());
    /// assert!(check(r#"password ge "m""#, &lenient).is_err());
    /// assert!(check(r#"name eq "x""#, &lenient).is_err());
    /// ```
    pub fn check(
        &self,
        resource_type: &ResourceType,
        opts: &FilterOptions,
    ) -> Result<(), ScimError> {
        check(self, resource_type, None, opts)
    }
}

/// [`Filter::check`] for a PATCH value filter (`emails[type eq "work"]`), whose paths name
/// sub-attributes of `parent`.
pub(crate) fn check_element_filter(
    filter: &Filter,
    resource_type: &ResourceType,
    parent: &Attribute,
    opts: &FilterOptions,
) -> Result<(), ScimError> {
    check(filter, resource_type, Some(parent), opts)
}

/// [`Filter::check`]: `parent` is the complex attribute of an enclosing value path.
fn check(
    filter: &Filter,
    resource_type: &ResourceType,
    parent: Option<&Attribute>,
    opts: &FilterOptions,
) -> Result<(), ScimError> {
    let lookup = |path: &AttrPath| -> Result<Option<(&Attribute, Option<&Attribute>)>, ScimError> {
        let found = match parent {
            None => resource_type
                .resolve(path)
                .map(|r| (r.attribute, r.sub_attribute)),
            Some(parent) if path.sub_attribute.is_none() && path.urn.is_none() => {
                parent.sub_attribute(&path.name).map(|a| (a, None))
            }
            Some(_) => None,
        };
        match found {
            None if !opts.unknown_attributes_match_nothing => Err(ScimError::invalid_filter(
                format!("{path} is not an attribute of {}", resource_type.name),
            )),
            // Matching on what is never returned would reveal it (a password falls to
            // a binary search with `ge`), whatever the leniency.
            Some((attribute, sub))
                if attribute.is_never_returned()
                    || sub.is_some_and(Attribute::is_never_returned) =>
            {
                Err(ScimError::invalid_filter(format!(
                    "{path} is never returned, so it cannot be filtered on"
                )))
            }
            found => Ok(found),
        }
    };
    match filter {
        Filter::And(operands) | Filter::Or(operands) => operands
            .iter()
            .try_for_each(|f| check(f, resource_type, parent, opts)),
        Filter::Not(inner) => check(inner, resource_type, parent, opts),
        Filter::Present(path) => lookup(path).map(|_| ()),
        Filter::Compare { path, op, .. } => {
            let Some((attribute, sub)) = lookup(path)? else {
                return Ok(());
            };
            let target = match sub {
                Some(sub) => sub,
                None if attribute.is_complex() => match attribute.sub_attribute("value") {
                    Some(value) if attribute.multi_valued => value,
                    _ => {
                        return Err(ScimError::invalid_filter(format!(
                            "{path} is a complex attribute: compare one of its sub-attributes"
                        )));
                    }
                },
                None => attribute,
            };
            let ordering = matches!(
                op,
                CompareOp::Gt | CompareOp::Ge | CompareOp::Lt | CompareOp::Le
            );
            if ordering && matches!(target.kind, AttributeType::Boolean | AttributeType::Binary) {
                return Err(ScimError::invalid_filter(format!(
                    "{op} does not apply to {path}, a {} attribute",
                    if target.kind == AttributeType::Boolean {
                        "boolean"
                    } else {
                        "binary"
                    }
                )));
            }
            Ok(())
        }
        Filter::ValuePath { path, filter } => {
            if parent.is_some() {
                return Err(ScimError::invalid_filter(format!(
                    "value filters do not nest ({path})"
                )));
            }
            let Some((attribute, sub)) = lookup(path)? else {
                return Ok(());
            };
            if !attribute.is_complex() || sub.is_some() {
                return Err(ScimError::invalid_filter(format!(
                    "{path} is not a complex attribute: it takes no value filter"
                )));
            }
            check(filter, resource_type, Some(attribute), opts)
        }
    }
}

#[cfg(test)]
pub(crate) mod reference;
#[cfg(test)]
mod tests;
