//! A filter resolved against a resource type once, for evaluating it on many
//! resources (a store's scan): attribute paths become canonical keys with their
//! schema characteristics, and comparison values are folded, parsed or converted
//! ahead of time, so each resource costs only map lookups and comparisons.
//!
//! The results are those of [`Filter::matches`] (a property test holds them equal).

use std::cmp::Ordering;

use serde_json::{Map, Number, Value};
use time::OffsetDateTime;

use super::ast::{AttrPath, CompValue, CompareOp, Filter};
use super::comparison::{
    instant, member, number_cmp, present, str_cmp, str_contains, str_ends_with, str_eq,
    str_starts_with,
};
use crate::resource::Resource;
use crate::schema::attribute::{Attribute, AttributeType};
use crate::schema::definition::ResourceType;

/// A [`Filter`] prepared for one [`ResourceType`] by [`Filter::prepare`].
///
/// ```
/// use scim_core::{Filter, Resource, SchemaRegistry};
/// let registry = SchemaRegistry::with_builtins();
/// let users = registry.resource_type("User").unwrap();
/// let filter: Filter = r#"userName sw "B" and emails[type eq "work"]"#.parse().unwrap();
/// let prepared = filter.prepare(users);
/// let bjensen = Resource::from_value_unchecked("User", serde_json::json!({
///     "userName": "bjensen", "emails": [{"value": "b@example.com", "type": "work"}],
/// })).unwrap();
/// assert!(prepared.matches(&bjensen));
/// ```
#[derive(Debug, Clone)]
pub struct PreparedFilter<'a> {
    node: Node<'a>,
}

/// One node of a prepared filter.
#[derive(Debug, Clone)]
enum Node<'a> {
    And(Vec<Node<'a>>),
    Or(Vec<Node<'a>>),
    Not(Box<Node<'a>>),
    /// Matches nothing: a path the schema does not define, or a comparison that
    /// cannot hold for any value of the attribute's type.
    Never,
    /// `pr`, or `ne null` (presence of some value).
    Present(Path<'a>),
    /// `eq null`: no present value.
    Absent(Path<'a>),
    /// Some value the path reaches passes the test.
    Compare(Path<'a>, Test),
    /// Some element of a multi-valued complex attribute passes the inner filter.
    ValuePath(Path<'a>, Box<Node<'a>>),
}

/// Where the values of a path are: canonical names, looked up as [`member`] does.
#[derive(Debug, Clone, Copy)]
struct Path<'a> {
    /// The extension URN holding the attribute.
    extension: Option<&'a str>,
    name: &'a str,
    /// The sub-attribute read from each value (also `value` when a multi-valued
    /// complex attribute is compared by name alone).
    sub: Option<&'a str>,
}

/// A comparison with its filter value converted for the attribute's type.
#[derive(Debug, Clone)]
enum Test {
    /// Strings, references, binary: `value` is folded unless `case_exact`.
    Text {
        op: CompareOp,
        value: String,
        case_exact: bool,
    },
    /// A dateTime filter value that is an instant: values that parse compare as
    /// instants, others as case-insensitive text (`text` is folded).
    DateTime {
        op: CompareOp,
        at: OffsetDateTime,
        text: String,
    },
    Number {
        op: CompareOp,
        value: Number,
    },
    /// `eq` (`true`) or `ne` (`false`) a boolean.
    Bool {
        eq: bool,
        value: bool,
    },
}

impl Filter {
    /// This filter resolved against `resource_type` once, to evaluate on many
    /// resources; [`PreparedFilter::matches`] answers as [`Filter::matches`] does.
    ///
    /// ```
    /// use scim_core::{Filter, Resource, SchemaRegistry};
    /// let registry = SchemaRegistry::with_builtins();
    /// let users = registry.resource_type("User").unwrap();
    /// let filter: Filter = r#"title eq "MANAGER""#.parse().unwrap();
    /// let prepared = filter.prepare(users);
    /// let user = |t: &str| Resource::from_value_unchecked("User", serde_json::json!({"title": t})).unwrap();
    /// let hits = ["Manager", "Engineer", "manager"].iter().filter(|t| prepared.matches(&user(t))).count();
    /// assert_eq!(hits, 2);
    /// ```
    pub fn prepare<'a>(&'a self, resource_type: &'a ResourceType) -> PreparedFilter<'a> {
        PreparedFilter {
            node: prepare(self, &Scope::Resource(resource_type)),
        }
    }
}

impl PreparedFilter<'_> {
    /// Whether `resource` satisfies the filter (see [`Filter::matches`]).
    ///
    /// ```
    /// use scim_core::{Filter, Resource, SchemaRegistry};
    /// let registry = SchemaRegistry::with_builtins();
    /// let users = registry.resource_type("User").unwrap();
    /// let filter: Filter = "not (title pr)".parse().unwrap();
    /// let untitled = Resource::from_value_unchecked("User", serde_json::json!({"userName": "x"})).unwrap();
    /// assert!(filter.prepare(users).matches(&untitled));
    /// ```
    pub fn matches(&self, resource: &Resource) -> bool {
        evaluate(&self.node, resource.attributes())
    }
}

/// A value filter prepared against the complex attribute whose elements it selects
/// (PATCH's `emails[type eq "work"]`), to test many elements.
pub(crate) struct ElementFilter<'a> {
    node: Node<'a>,
}

impl<'a> ElementFilter<'a> {
    /// `filter`'s paths resolved against `parent`'s sub-attributes.
    pub(crate) fn new(filter: &'a Filter, parent: &'a Attribute) -> Self {
        Self {
            node: prepare(filter, &Scope::Element(parent)),
        }
    }

    /// Whether one element satisfies the filter.
    pub(crate) fn matches(&self, element: &Value) -> bool {
        element.as_object().is_some_and(|e| evaluate(&self.node, e))
    }
}

/// What a path is resolved against: the resource type, or the complex attribute of
/// an enclosing value path.
enum Scope<'a> {
    Resource(&'a ResourceType),
    Element(&'a Attribute),
}

/// A path resolved: where its values are, and the attribute and sub-attribute it names.
fn resolve<'a>(
    path: &AttrPath,
    scope: &Scope<'a>,
) -> Option<(Option<&'a str>, &'a Attribute, Option<&'a Attribute>)> {
    match scope {
        Scope::Resource(rt) => {
            let r = rt.resolve(path)?;
            Some((r.extension, r.attribute, r.sub_attribute))
        }
        Scope::Element(parent) => {
            if path.sub_attribute.is_some() || path.urn.is_some() {
                return None;
            }
            Some((None, parent.sub_attribute(&path.name)?, None))
        }
    }
}

fn prepare<'a>(filter: &'a Filter, scope: &Scope<'a>) -> Node<'a> {
    match filter {
        Filter::And(operands) => Node::And(operands.iter().map(|f| prepare(f, scope)).collect()),
        Filter::Or(operands) => Node::Or(operands.iter().map(|f| prepare(f, scope)).collect()),
        Filter::Not(inner) => Node::Not(Box::new(prepare(inner, scope))),
        Filter::Present(path) => match resolve(path, scope) {
            Some((extension, attribute, sub)) => Node::Present(Path {
                extension,
                name: &attribute.name,
                sub: sub.map(|s| s.name.as_str()),
            }),
            None => Node::Never,
        },
        Filter::Compare { path, op, value } => {
            let Some((extension, attribute, sub)) = resolve(path, scope) else {
                return Node::Never;
            };
            let mut path = Path {
                extension,
                name: &attribute.name,
                sub: sub.map(|s| s.name.as_str()),
            };
            if let CompValue::Null = value {
                // `eq null` asks for absence, `ne null` for presence.
                return match op {
                    CompareOp::Eq => Node::Absent(path),
                    CompareOp::Ne => Node::Present(path),
                    _ => Node::Never,
                };
            }
            // A multi-valued complex attribute named alone compares its `value`s
            // (RFC 7644 §3.4.2.2: `emails co "example.com"`).
            let compared = match sub {
                Some(sub) => sub,
                None if attribute.is_complex() && attribute.multi_valued => {
                    path.sub = Some("value");
                    attribute.sub_attribute("value").unwrap_or(attribute)
                }
                None => attribute,
            };
            match test(compared, *op, value) {
                Some(test) => Node::Compare(path, test),
                None => Node::Never,
            }
        }
        Filter::ValuePath { path, filter } => {
            let Scope::Resource(_) = scope else {
                return Node::Never;
            };
            // Without the `is_complex` guard the result would be the same (a simple
            // attribute has no sub-attributes, so every inner path is `Never`, and its
            // values are not objects, so no element is tested); it says what is meant
            // and skips preparing a filter that cannot match.
            match resolve(path, scope) {
                Some((extension, attribute, None)) if attribute.is_complex() => Node::ValuePath(
                    Path {
                        extension,
                        name: &attribute.name,
                        sub: None,
                    },
                    Box::new(prepare(filter, &Scope::Element(attribute))),
                ),
                _ => Node::Never,
            }
        }
    }
}

/// The filter value converted once for the attribute's type; `None` when no value
/// of the type can pass.
fn test(attribute: &Attribute, op: CompareOp, value: &CompValue) -> Option<Test> {
    // A number or boolean written without quotes compares as its text.
    let text = || match value {
        CompValue::String(s) => Some(s.clone()),
        CompValue::Number(n) => Some(n.to_string()),
        CompValue::Bool(b) => Some(b.to_string()),
        CompValue::Null => None,
    };
    let text_test = |case_exact: bool| {
        let value = text()?;
        Some(Test::Text {
            op,
            value: if case_exact { value } else { fold(&value) },
            case_exact,
        })
    };
    match attribute.kind {
        AttributeType::String | AttributeType::Reference | AttributeType::Binary => {
            text_test(attribute.case_exact)
        }
        AttributeType::DateTime => match op {
            CompareOp::Co | CompareOp::Sw | CompareOp::Ew => text_test(attribute.case_exact),
            // Instants when both sides parse, else case-insensitive text.
            _ => match value {
                CompValue::String(s) => match instant(s) {
                    Some(at) => Some(Test::DateTime {
                        op,
                        at,
                        text: fold(s),
                    }),
                    None => text_test(false),
                },
                _ => text_test(false),
            },
        },
        AttributeType::Integer | AttributeType::Decimal => {
            let value = match value {
                CompValue::Number(n) => n.clone(),
                // Lenient: a quoted number (`"42"`) compares as the number.
                CompValue::String(s) => s.trim().parse::<Number>().ok()?,
                _ => return None,
            };
            Some(Test::Number { op, value })
        }
        AttributeType::Boolean => {
            let value = match value {
                CompValue::Bool(b) => *b,
                // Entra ID writes booleans as "True"/"False" strings.
                CompValue::String(s) if s.eq_ignore_ascii_case("true") => true,
                CompValue::String(s) if s.eq_ignore_ascii_case("false") => false,
                _ => return None,
            };
            match op {
                CompareOp::Eq => Some(Test::Bool { eq: true, value }),
                CompareOp::Ne => Some(Test::Bool { eq: false, value }),
                _ => None,
            }
        }
        AttributeType::Complex => None,
    }
}

fn evaluate(node: &Node<'_>, root: &Map<String, Value>) -> bool {
    match node {
        Node::And(operands) => operands.iter().all(|n| evaluate(n, root)),
        Node::Or(operands) => operands.iter().any(|n| evaluate(n, root)),
        Node::Not(inner) => !evaluate(inner, root),
        Node::Never => false,
        Node::Present(path) => path.values(root).any(present),
        Node::Absent(path) => !path.values(root).any(present),
        Node::Compare(path, test) => path.values(root).any(|v| test.passes(v)),
        Node::ValuePath(path, inner) => path
            .values(root)
            .any(|element| element.as_object().is_some_and(|e| evaluate(inner, e))),
    }
}

impl<'a> Path<'a> {
    /// Every value the path reaches in `root`, one per element of multi-valued
    /// attributes.
    fn values<'v>(self, root: &'v Map<String, Value>) -> impl Iterator<Item = &'v Value> + 'v
    where
        'a: 'v,
    {
        let holder = match self.extension {
            // Extension attributes live under their URN key (RFC 7643 §3.3).
            Some(urn) => member(root, urn).and_then(Value::as_object),
            None => Some(root),
        };
        let top: &'v [Value] = match holder.and_then(|h| member(h, self.name)) {
            Some(Value::Array(items)) => items,
            Some(v) => std::slice::from_ref(v),
            None => &[],
        };
        let sub = self.sub;
        top.iter().flat_map(move |v| {
            let v = match sub {
                Some(sub) => v.as_object().and_then(|o| member(o, sub)),
                None => Some(v),
            };
            // A multi-valued sub-attribute's values are its array's elements. (With no
            // sub-attribute, `v` is already an element: an array there would be an
            // array nested in an array, which no valid resource holds, so the guard
            // only says what is meant.)
            let items: &'v [Value] = match v {
                Some(Value::Array(items)) if sub.is_some() => items,
                Some(v) => std::slice::from_ref(v),
                None => &[],
            };
            items.iter()
        })
    }
}

impl Test {
    /// Whether one attribute value passes.
    fn passes(&self, v: &Value) -> bool {
        match self {
            Self::Text {
                op,
                value,
                case_exact,
            } => v
                .as_str()
                .is_some_and(|a| text_passes(a, value, *case_exact, *op)),
            Self::DateTime { op, at, text } => v.as_str().is_some_and(|a| match instant(a) {
                Some(a) => ordered(*op, a.cmp(at)),
                None => ordered(*op, folded_cmp(a, text)),
            }),
            Self::Number { op, value } => v
                .as_number()
                .and_then(|a| number_cmp(a, value))
                .is_some_and(|ord| ordered(*op, ord)),
            Self::Bool { eq, value } => v.as_bool().is_some_and(|a| (a == *value) == *eq),
        }
    }
}

use super::comparison::fold_case as fold;

fn fold_chars(s: &str) -> impl Iterator<Item = char> + '_ {
    s.chars()
        .flat_map(char::to_uppercase)
        .flat_map(char::to_lowercase)
}

/// `a` against a filter value; `b` is already folded unless `case_exact`.
///
/// In each of the three branches the `Eq` and `Ne` arms answer what the last arm
/// would (`ordered` of the same comparison): they say what is meant, and a mutant
/// deleting one of them is equivalent.
fn text_passes(a: &str, b: &str, case_exact: bool, op: CompareOp) -> bool {
    if case_exact {
        return match op {
            CompareOp::Eq => str_eq(a, b, true),
            CompareOp::Ne => !str_eq(a, b, true),
            CompareOp::Co => str_contains(a, b, true),
            CompareOp::Sw => str_starts_with(a, b, true),
            CompareOp::Ew => str_ends_with(a, b, true),
            _ => ordered(op, str_cmp(a, b, true)),
        };
    }
    if a.is_ascii() && b.is_ascii() {
        // `b` is lower case: only `a`'s bytes need folding.
        let (a, b) = (a.as_bytes(), b.as_bytes());
        return match op {
            CompareOp::Eq => a.eq_ignore_ascii_case(b),
            CompareOp::Ne => !a.eq_ignore_ascii_case(b),
            CompareOp::Co => b.is_empty() || a.windows(b.len()).any(|w| w.eq_ignore_ascii_case(b)),
            CompareOp::Sw => a.get(..b.len()).is_some_and(|h| h.eq_ignore_ascii_case(b)),
            CompareOp::Ew => a
                .len()
                .checked_sub(b.len())
                .and_then(|start| a.get(start..))
                .is_some_and(|t| t.eq_ignore_ascii_case(b)),
            _ => ordered(op, folded_cmp_ascii(a, b)),
        };
    }
    match op {
        CompareOp::Eq => fold_chars(a).eq(b.chars()),
        CompareOp::Ne => !fold_chars(a).eq(b.chars()),
        CompareOp::Co => {
            // A match starts at a character of `a`, as `str_contains` has it.
            b.is_empty()
                || a.char_indices()
                    .any(|(i, _)| a.get(i..).is_some_and(|rest| folded_starts_with(rest, b)))
        }
        CompareOp::Sw => folded_starts_with(a, b),
        CompareOp::Ew => {
            let mut chars = fold_chars_rev(a);
            b.chars().rev().all(|c| chars.next() == Some(c))
        }
        _ => ordered(op, fold_chars(a).cmp(b.chars())),
    }
}

fn folded_starts_with(a: &str, folded_prefix: &str) -> bool {
    let mut chars = fold_chars(a);
    folded_prefix.chars().all(|c| chars.next() == Some(c))
}

/// [`fold_chars`] from the end of the string.
fn fold_chars_rev(s: &str) -> impl Iterator<Item = char> + '_ {
    s.chars()
        .rev()
        .flat_map(|c| c.to_uppercase().rev())
        .flat_map(|c| c.to_lowercase().rev())
}

/// Case-insensitive order of `a` against folded text.
// Its one caller compares a stored dateTime that is not an instant with a filter value
// that is one (ASCII), so only `a` can be non-ASCII, and only in a resource that never
// passed validation: a mutant turning `&&` into `||` is equivalent on valid data.
fn folded_cmp(a: &str, folded: &str) -> Ordering {
    if a.is_ascii() && folded.is_ascii() {
        folded_cmp_ascii(a.as_bytes(), folded.as_bytes())
    } else {
        fold_chars(a).cmp(folded.chars())
    }
}

fn folded_cmp_ascii(a: &[u8], folded: &[u8]) -> Ordering {
    a.iter()
        .map(u8::to_ascii_lowercase)
        .cmp(folded.iter().copied())
}

/// Whether `ord` (attribute value against filter value) satisfies an operator.
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

#[cfg(test)]
mod tests;
