//! The elements of multi-valued attributes: identity, `primary`, folding.

use serde_json::Value;

use crate::schema::attribute::Attribute;

pub(super) fn as_items(value: &Value) -> Vec<Value> {
    match value {
        Value::Array(items) => items.iter().filter(|v| !v.is_null()).cloned().collect(),
        Value::Null => Vec::new(),
        other => vec![other.clone()],
    }
}

pub(super) fn is_primary(v: &Value) -> bool {
    v.get("primary") == Some(&Value::Bool(true))
}

/// At most one element is primary (RFC 7643 §2.4): when `winner` is primary, every other
/// element's `primary` becomes false (RFC 7644 §3.5.2).
pub(super) fn normalize_primary(items: &mut [Value], winner: Option<usize>) {
    let Some(winner) = winner.filter(|&w| items.get(w).is_some_and(is_primary)) else {
        return;
    };
    for (i, item) in items.iter_mut().enumerate() {
        if i != winner
            && let Value::Object(m) = item
            && m.get("primary") == Some(&Value::Bool(true))
        {
            m.insert("primary".to_owned(), Value::Bool(false));
        }
    }
}

/// The folded `value` of an element (or the folded simple value), for indexing.
///
/// Only a bucket key: every candidate in a bucket is still compared with
/// [`same_element`], so a key that folds more than needed (or a constant one) changes
/// the cost of an add or remove, never its outcome. Mutation testing reports those
/// mutants of this function as missed; they are equivalent. A key that folds *less* than
/// [`same_element`] would split equal values and is caught.
pub(super) fn element_key(attribute: &Attribute, e: &Value) -> Option<String> {
    let (v, case_exact) = match e {
        Value::Object(m) => (
            m.get("value")?,
            attribute
                .sub_attribute("value")
                .is_some_and(|s| s.case_exact),
        ),
        other => (other, attribute.case_exact),
    };
    match v {
        Value::String(s) if !case_exact => Some(s.to_lowercase()),
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// Case-insensitive string equality without allocating for ASCII text.
pub(super) fn fold_eq(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        a.eq_ignore_ascii_case(b)
    } else {
        a.to_lowercase() == b.to_lowercase()
    }
}

/// Whether two values of a multi-valued attribute are "the same value": equal `value`
/// (honouring caseExact) and, when both carry one, equal `type`; simple values compare whole.
pub(crate) fn same_element(attribute: &Attribute, a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let (Some(vx), Some(vy)) = (x.get("value"), y.get("value")) else {
                return x == y;
            };
            let case_exact = attribute
                .sub_attribute("value")
                .is_some_and(|s| s.case_exact);
            let values_equal = match (vx, vy) {
                (Value::String(sx), Value::String(sy)) if !case_exact => fold_eq(sx, sy),
                _ => vx == vy,
            };
            let types_equal = match (x.get("type"), y.get("type")) {
                (Some(tx), Some(ty)) => tx == ty,
                _ => true,
            };
            values_equal && types_equal
        }
        (Value::String(x), Value::String(y)) if !attribute.case_exact => fold_eq(x, y),
        _ => a == b,
    }
}
