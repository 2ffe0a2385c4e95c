//! Comparing attribute values by their schema type (RFC 7644 §3.4.2.2, §3.4.2.3):
//! strings case-insensitively unless `caseExact`, numbers numerically, dateTimes as
//! instants. Shared by filter evaluation and sorting; nothing here allocates.

use std::cmp::Ordering;

use serde_json::{Map, Number, Value};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::schema::attribute::{Attribute, AttributeType};

/// The member `name` of a JSON object: the exact key first (resources are
/// canonical), else a case-insensitive match (RFC 7643 §2.1).
pub(crate) fn member<'v>(object: &'v Map<String, Value>, name: &str) -> Option<&'v Value> {
    crate::json_map::member(object, name)
}

/// Whether a value counts as present for `pr` (RFC 7644 §3.4.2.2): not null, not an
/// empty string, array or object (nor one holding only such values).
pub(crate) fn present(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::String(s) => !s.is_empty(),
        Value::Array(items) => items.iter().any(present),
        Value::Object(members) => members.values().any(present),
        Value::Bool(_) | Value::Number(_) => true,
    }
}

/// Folds a string for a case-insensitive comparison (`caseExact: false`, RFC 7643
/// §2.2): per character, upper- then lower-casing, which approximates Unicode full
/// case folding (`ß` ~ `SS`, `ς` ~ `σ`).
///
/// This is the one folding of the library: the filter evaluator compares folded
/// text, and [`InMemoryStore`](crate::InMemoryStore) keys `userName` uniqueness by
/// it. A store that keeps a folded copy of a value (a unique index on a folded
/// `userName` column, a folded search column) must fold with this function, so that
/// it calls equal exactly what the evaluator calls equal: SQLite's `NOCASE` and
/// `lower()` fold ASCII only, and PostgreSQL's `lower()` depends on the locale.
///
/// ```
/// use scim_core::filter::fold_case;
/// assert_eq!(fold_case("BJensen"), "bjensen");
/// assert_eq!(fold_case("ÄRNE"), fold_case("ärne"));
/// assert_eq!(fold_case("Straße"), fold_case("STRASSE"));
/// ```
pub fn fold_case(s: &str) -> String {
    if s.is_ascii() {
        s.to_ascii_lowercase()
    } else {
        fold(s).collect()
    }
}

/// Case folding one character at a time: upper- then lower-casing approximates
/// Unicode full case folding (`ß` ~ `SS`, `ς` ~ `σ`) without allocating.
fn fold(s: &str) -> impl Iterator<Item = char> + Clone + '_ {
    s.chars()
        .flat_map(char::to_uppercase)
        .flat_map(char::to_lowercase)
}

/// `a == b` under the attribute's case rule.
pub(crate) fn str_eq(a: &str, b: &str, case_exact: bool) -> bool {
    if case_exact {
        a == b
    } else if a.is_ascii() && b.is_ascii() {
        a.eq_ignore_ascii_case(b)
    } else {
        fold(a).eq(fold(b))
    }
}

/// Ordering of two strings under the attribute's case rule (Unicode code point
/// order, no locale: RFC 7644 §3.4.2.3).
pub(crate) fn str_cmp(a: &str, b: &str, case_exact: bool) -> Ordering {
    if case_exact {
        a.cmp(b)
    } else if a.is_ascii() && b.is_ascii() {
        a.bytes()
            .map(|b| b.to_ascii_lowercase())
            .cmp(b.bytes().map(|b| b.to_ascii_lowercase()))
    } else {
        fold(a).cmp(fold(b))
    }
}

/// Whether `a` starts with `prefix` under the case rule.
pub(crate) fn str_starts_with(a: &str, prefix: &str, case_exact: bool) -> bool {
    if case_exact {
        a.starts_with(prefix)
    } else if a.is_ascii() && prefix.is_ascii() {
        a.as_bytes()
            .get(..prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(prefix.as_bytes()))
    } else {
        let mut chars = fold(a);
        fold(prefix).all(|c| chars.next() == Some(c))
    }
}

/// Whether `a` ends with `suffix` under the case rule.
pub(crate) fn str_ends_with(a: &str, suffix: &str, case_exact: bool) -> bool {
    if case_exact {
        a.ends_with(suffix)
    } else if a.is_ascii() && suffix.is_ascii() {
        a.len()
            .checked_sub(suffix.len())
            .and_then(|start| a.as_bytes().get(start..))
            .is_some_and(|tail| tail.eq_ignore_ascii_case(suffix.as_bytes()))
    } else {
        let mut chars = fold_rev(a);
        fold_rev(suffix).all(|c| chars.next() == Some(c))
    }
}

/// [`fold`] from the end of the string.
fn fold_rev(s: &str) -> impl Iterator<Item = char> + '_ {
    s.chars()
        .rev()
        .flat_map(|c| c.to_uppercase().rev())
        .flat_map(|c| c.to_lowercase().rev())
}

/// Whether `needle` occurs in `a` under the case rule.
pub(crate) fn str_contains(a: &str, needle: &str, case_exact: bool) -> bool {
    if case_exact {
        a.contains(needle)
    } else if a.is_ascii() && needle.is_ascii() {
        needle.is_empty()
            || a.as_bytes()
                .windows(needle.len())
                .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
    } else {
        needle.is_empty()
            || a.char_indices().any(|(i, _)| {
                a.get(i..)
                    .is_some_and(|rest| str_starts_with(rest, needle, false))
            })
    }
}

/// Numeric ordering of two JSON numbers: exact for integers, `f64` otherwise.
pub(crate) fn number_cmp(a: &Number, b: &Number) -> Option<Ordering> {
    let int = |n: &Number| {
        n.as_i64()
            .map(i128::from)
            .or_else(|| n.as_u64().map(i128::from))
    };
    match (int(a), int(b)) {
        (Some(x), Some(y)) => Some(x.cmp(&y)),
        _ => a.as_f64()?.partial_cmp(&b.as_f64()?),
    }
}

/// An RFC 3339 instant (RFC 7643 §2.3.5 dateTime).
pub(crate) fn instant(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s, &Rfc3339).ok()
}

/// Ordering of dateTimes as instants, or as text when one does not parse.
pub(crate) fn date_time_cmp(a: &str, b: &str) -> Ordering {
    match (instant(a), instant(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        _ => str_cmp(a, b, false),
    }
}

/// Ordering of two attribute values by the attribute's type, for sorting. Values of
/// unexpected JSON types sort after well-typed ones, by JSON type.
pub(crate) fn value_cmp(a: &Value, b: &Value, attribute: &Attribute) -> Ordering {
    match (a, b) {
        (Value::String(x), Value::String(y)) => match attribute.kind {
            AttributeType::DateTime => date_time_cmp(x, y),
            _ => str_cmp(x, y, attribute.case_exact),
        },
        (Value::Number(x), Value::Number(y)) => number_cmp(x, y).unwrap_or(Ordering::Equal),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        _ => type_rank(a).cmp(&type_rank(b)),
    }
}

fn type_rank(v: &Value) -> u8 {
    match v {
        Value::Bool(_) => 0,
        Value::Number(_) => 1,
        Value::String(_) => 2,
        Value::Array(_) => 3,
        Value::Object(_) => 4,
        Value::Null => 5,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_rules_table() {
        // (a, b, case_exact, eq, starts_with(a, b), ends_with(a, b), contains(a, b))
        let cases = [
            ("bjensen", "BJENSEN", false, true, true, true, true),
            ("bjensen", "BJENSEN", true, false, false, false, false),
            (
                "bjensen@example.com",
                "EXAMPLE",
                false,
                false,
                false,
                false,
                true,
            ),
            (
                "bjensen@example.com",
                "@Example.COM",
                false,
                false,
                false,
                true,
                true,
            ),
            ("Straße", "STRASSE", false, true, true, true, true),
            ("Élodie", "éLO", false, false, true, false, true),
            ("ΟΔΥΣΣΕΥΣ", "οδυσσευς", false, true, true, true, true),
            ("x", "", false, false, true, true, true),
            ("", "x", false, false, false, false, false),
        ];
        for (a, b, exact, eq, sw, ew, co) in cases {
            assert_eq!(str_eq(a, b, exact), eq, "eq {a:?} {b:?}");
            assert_eq!(str_starts_with(a, b, exact), sw, "sw {a:?} {b:?}");
            assert_eq!(str_ends_with(a, b, exact), ew, "ew {a:?} {b:?}");
            assert_eq!(str_contains(a, b, exact), co, "co {a:?} {b:?}");
        }
    }

    #[test]
    fn orderings() {
        assert_eq!(str_cmp("alice", "Bob", false), Ordering::Less);
        assert_eq!(str_cmp("alice", "Bob", true), Ordering::Greater);
        assert_eq!(str_cmp("éa", "ÉB", false), Ordering::Less);
        let n = |s: &str| serde_json::from_str::<Number>(s).unwrap();
        assert_eq!(number_cmp(&n("10"), &n("9.5")), Some(Ordering::Greater));
        assert_eq!(
            number_cmp(&n("-1"), &n("18446744073709551615")),
            Some(Ordering::Less)
        );
        assert_eq!(number_cmp(&n("2"), &n("2.0")), Some(Ordering::Equal));
        assert_eq!(
            date_time_cmp("2011-05-13T04:42:34Z", "2011-05-13T06:42:34.5+02:00"),
            Ordering::Less
        );
        assert_eq!(
            date_time_cmp("2011-05-13T04:42:34Z", "2011-05-13T06:42:34+02:00"),
            Ordering::Equal
        );
    }

    #[test]
    fn presence() {
        for (v, expected) in [
            (serde_json::json!(null), false),
            (serde_json::json!(""), false),
            (serde_json::json!([]), false),
            (serde_json::json!({}), false),
            (serde_json::json!([{"value": ""}]), false),
            (serde_json::json!(false), true),
            (serde_json::json!(0), true),
            (serde_json::json!("x"), true),
            (serde_json::json!([{"value": "x"}]), true),
        ] {
            assert_eq!(present(&v), expected, "{v}");
        }
    }
}
