//! A plain tree-walking filter evaluator, kept for tests as the reference that
//! [`PreparedFilter`](crate::filter::PreparedFilter) must agree with.

use std::cmp::Ordering;

use serde_json::{Map, Value};

use crate::filter::ast::{AttrPath, CompValue, CompareOp, Filter};
use crate::filter::comparison::{
    date_time_cmp, member, number_cmp, present, str_cmp, str_contains, str_ends_with, str_eq,
    str_starts_with,
};
use crate::resource::Resource;
use crate::schema::attribute::{Attribute, AttributeType};
use crate::schema::definition::ResourceType;

/// What `Filter::matches` answers, by walking the tree and resolving paths per resource.
pub(crate) fn matches(filter: &Filter, resource: &Resource, resource_type: &ResourceType) -> bool {
    evaluate(
        filter,
        Scope::Resource {
            attributes: resource.attributes(),
            resource_type,
        },
    )
}

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
