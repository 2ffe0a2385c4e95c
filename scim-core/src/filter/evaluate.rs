//! Evaluating a filter against a resource, driven by the schema (RFC 7644 §3.4.2.2),
//! and checking a filter against a resource type before any resource is read.

use std::cmp::Ordering;

use serde_json::{Map, Value};

use super::ast::{AttrPath, CompValue, CompareOp, Filter};
use super::comparison::{
    date_time_cmp, member, number_cmp, present, str_cmp, str_contains, str_ends_with, str_eq,
    str_starts_with,
};
use super::options::FilterOptions;
use crate::error::ScimError;
use crate::resource::Resource;
use crate::schema::attribute::{Attribute, AttributeType};
use crate::schema::definition::ResourceType;

/// Where the paths of a filter are resolved: the resource, or one element of a
/// multi-valued complex attribute inside a value path.
#[derive(Clone, Copy)]
enum Scope<'a> {
    Resource {
        attributes: &'a Map<String, Value>,
        resource_type: &'a ResourceType,
    },
    Element {
        element: &'a Map<String, Value>,
        parent: &'a Attribute,
    },
}

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
    /// let bjensen = Resource::from_value("User", serde_json::json!({
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
        evaluate(
            self,
            Scope::Resource {
                attributes: resource.attributes(),
                resource_type,
            },
        )
    }

    /// Checks the filter against a resource type once, before querying: attributes
    /// the schema does not define (unless `opts.unknown_attributes_match_nothing`),
    /// `gt`/`lt`/`ge`/`le` on booleans or binary, comparisons on a complex attribute
    /// without a sub-attribute (other than a multi-valued one with a `value`), and
    /// value filters on attributes that are not complex are `400 invalidFilter`.
    ///
    /// ```
    /// use scim_core::{Filter, FilterOptions, SchemaRegistry, ScimType};
    /// let registry = SchemaRegistry::with_builtins();
    /// let users = registry.resource_type("User").unwrap();
    /// let check = |f: &str, o: &FilterOptions| f.parse::<Filter>().unwrap().check(users, o);
    /// let lenient = FilterOptions::default();
    /// assert!(check(r#"emails co "example.com""#, &lenient).is_ok());
    /// assert!(check(r#"nickname2 eq "x""#, &lenient).is_ok());
    /// let err = check(r#"nickname2 eq "x""#, &FilterOptions::strict()).unwrap_err();
    /// assert_eq!(err.scim_type(), Some(ScimType::InvalidFilter));
    /// assert!(check("active gt true", &lenient).is_err());
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

/// Whether one element of a multi-valued complex attribute satisfies a value filter whose
/// paths are relative to the element (PATCH's `emails[type eq "work"]`).
pub(crate) fn matches_element(
    filter: &Filter,
    parent: &Attribute,
    element: &Map<String, Value>,
) -> bool {
    evaluate(filter, Scope::Element { element, parent })
}

fn evaluate(filter: &Filter, scope: Scope<'_>) -> bool {
    match filter {
        Filter::And(operands) => operands.iter().all(|f| evaluate(f, scope)),
        Filter::Or(operands) => operands.iter().any(|f| evaluate(f, scope)),
        Filter::Not(inner) => !evaluate(inner, scope),
        Filter::Present(path) => resolve(path, scope).is_some_and(|t| t.values(false).any(present)),
        Filter::Compare { path, op, value } => {
            let Some(target) = resolve(path, scope) else {
                return false;
            };
            match value {
                // `eq null` asks for absence, `ne null` for presence.
                CompValue::Null => {
                    let some = target.values(false).any(present);
                    match op {
                        CompareOp::Eq => !some,
                        CompareOp::Ne => some,
                        _ => false,
                    }
                }
                _ => {
                    let attribute = target.compared_attribute();
                    target
                        .values(true)
                        .any(|v| compare(v, attribute, *op, value))
                }
            }
        }
        Filter::ValuePath { path, filter } => {
            let Scope::Resource { .. } = scope else {
                return false;
            };
            let Some(target) = resolve(path, scope) else {
                return false;
            };
            if !target.attribute.is_complex() || target.sub_attribute.is_some() {
                return false;
            }
            target.values(false).any(|element| {
                element.as_object().is_some_and(|element| {
                    evaluate(
                        filter,
                        Scope::Element {
                            element,
                            parent: target.attribute,
                        },
                    )
                })
            })
        }
    }
}

/// A path resolved against the schema, with the JSON it points at.
struct Target<'a> {
    attribute: &'a Attribute,
    sub_attribute: Option<&'a Attribute>,
    value: Option<&'a Value>,
}

fn resolve<'a>(path: &AttrPath, scope: Scope<'a>) -> Option<Target<'a>> {
    match scope {
        Scope::Resource {
            attributes,
            resource_type,
        } => {
            let resolved = resource_type.resolve(path)?;
            // Extension attributes live under their URN key (RFC 7643 §3.3).
            let holder = match resolved.extension {
                Some(urn) => member(attributes, urn).and_then(Value::as_object),
                None => Some(attributes),
            };
            Some(Target {
                attribute: resolved.attribute,
                sub_attribute: resolved.sub_attribute,
                value: holder.and_then(|h| member(h, &resolved.attribute.name)),
            })
        }
        Scope::Element { element, parent } => {
            if path.sub_attribute.is_some() || path.urn.is_some() {
                return None;
            }
            let attribute = parent.sub_attribute(&path.name)?;
            Some(Target {
                attribute,
                sub_attribute: None,
                value: member(element, &attribute.name),
            })
        }
    }
}

impl<'a> Target<'a> {
    /// The attribute whose type and case rule govern a comparison: the sub-attribute,
    /// or `value` for a multi-valued complex attribute named alone (RFC 7644 §3.4.2.2:
    /// `emails co "example.com"`).
    fn compared_attribute(&self) -> &'a Attribute {
        match self.sub_attribute {
            Some(sub) => sub,
            None if self.attribute.is_complex() && self.attribute.multi_valued => self
                .attribute
                .sub_attribute("value")
                .unwrap_or(self.attribute),
            None => self.attribute,
        }
    }

    /// Every value the path reaches, one per element of multi-valued attributes.
    /// With `compare`, a multi-valued complex attribute named alone yields the
    /// elements' `value`s.
    fn values(&self, compare: bool) -> impl Iterator<Item = &'a Value> + 'a {
        let sub = match self.sub_attribute {
            Some(sub) => Some(sub.name.as_str()),
            None if compare && self.attribute.is_complex() && self.attribute.multi_valued => {
                Some("value")
            }
            None => None,
        };
        let top: &'a [Value] = match self.value {
            Some(Value::Array(items)) => items,
            Some(v) => std::slice::from_ref(v),
            None => &[],
        };
        top.iter().flat_map(move |v| {
            let v = match sub {
                Some(sub) => v.as_object().and_then(|o| member(o, sub)),
                None => Some(v),
            };
            let items: &'a [Value] = match v {
                Some(Value::Array(items)) if sub.is_some() => items,
                Some(v) => std::slice::from_ref(v),
                None => &[],
            };
            items.iter()
        })
    }
}

/// One attribute value against the filter's value, by the attribute's type.
fn compare(v: &Value, attribute: &Attribute, op: CompareOp, value: &CompValue) -> bool {
    match attribute.kind {
        AttributeType::String | AttributeType::Reference | AttributeType::Binary => {
            let (Some(a), Some(b)) = (v.as_str(), text(value)) else {
                return false;
            };
            compare_text(a, &b, attribute.case_exact, op)
        }
        AttributeType::DateTime => {
            let (Some(a), Some(b)) = (v.as_str(), text(value)) else {
                return false;
            };
            match op {
                CompareOp::Co | CompareOp::Sw | CompareOp::Ew => {
                    compare_text(a, &b, attribute.case_exact, op)
                }
                _ => ordered(op, date_time_cmp(a, &b)),
            }
        }
        AttributeType::Integer | AttributeType::Decimal => {
            let Some(a) = v.as_number() else {
                return false;
            };
            let b = match value {
                CompValue::Number(n) => n.clone(),
                // Lenient: a quoted number (`"42"`) compares as the number.
                CompValue::String(s) => match s.trim().parse::<serde_json::Number>() {
                    Ok(n) => n,
                    Err(_) => return false,
                },
                _ => return false,
            };
            number_cmp(a, &b).is_some_and(|ord| ordered(op, ord))
        }
        AttributeType::Boolean => {
            let Some(a) = v.as_bool() else {
                return false;
            };
            let b = match value {
                CompValue::Bool(b) => *b,
                // Entra ID writes booleans as "True"/"False" strings.
                CompValue::String(s) if s.eq_ignore_ascii_case("true") => true,
                CompValue::String(s) if s.eq_ignore_ascii_case("false") => false,
                _ => return false,
            };
            match op {
                CompareOp::Eq => a == b,
                CompareOp::Ne => a != b,
                _ => false,
            }
        }
        AttributeType::Complex => false,
    }
}

/// The filter value as text for string attributes (a number or boolean written
/// without quotes compares as its text).
fn text(value: &CompValue) -> Option<std::borrow::Cow<'_, str>> {
    match value {
        CompValue::String(s) => Some(std::borrow::Cow::Borrowed(s)),
        CompValue::Number(n) => Some(n.to_string().into()),
        CompValue::Bool(b) => Some(std::borrow::Cow::Borrowed(if *b {
            "true"
        } else {
            "false"
        })),
        CompValue::Null => None,
    }
}

fn compare_text(a: &str, b: &str, case_exact: bool, op: CompareOp) -> bool {
    match op {
        CompareOp::Eq => str_eq(a, b, case_exact),
        CompareOp::Ne => !str_eq(a, b, case_exact),
        CompareOp::Co => str_contains(a, b, case_exact),
        CompareOp::Sw => str_starts_with(a, b, case_exact),
        CompareOp::Ew => str_ends_with(a, b, case_exact),
        _ => ordered(op, str_cmp(a, b, case_exact)),
    }
}

/// Whether `ord` (attribute value against filter value) satisfies an ordering operator.
fn ordered(op: CompareOp, ord: Ordering) -> bool {
    match op {
        CompareOp::Eq => ord.is_eq(),
        CompareOp::Ne => ord.is_ne(),
        CompareOp::Gt => ord.is_gt(),
        CompareOp::Ge => ord.is_ge(),
        CompareOp::Lt => ord.is_lt(),
        CompareOp::Le => ord.is_le(),
        CompareOp::Co | CompareOp::Sw | CompareOp::Ew => false,
    }
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
mod tests;
