//! List parameters from a query string (RFC 7644 §3.4.2) or a `.search` body (§3.4.3).

use std::borrow::Cow;

use serde_json::Value;

use crate::error::ScimError;
use crate::schema::message::check_message_schemas;

/// URN of the `.search` request message.
pub(crate) const SEARCH_REQUEST_SCHEMA: &str =
    "urn:ietf:params:scim:api:messages:2.0:SearchRequest";

/// The list parameters as the client sent them, before they are resolved against a
/// resource type.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct ListParams {
    pub(crate) filter: Option<String>,
    /// Raw 1-based start index; values below 1 mean 1 (§3.4.2.4).
    pub(crate) start_index: Option<i64>,
    /// Raw count; negative values mean 0 (§3.4.2.4).
    pub(crate) count: Option<i64>,
    pub(crate) sort_by: Option<String>,
    pub(crate) sort_order: Option<String>,
    pub(crate) attributes: Vec<String>,
    pub(crate) excluded_attributes: Vec<String>,
    /// RFC 9865 `cursor`: empty asks for the first page of a cursor walk.
    pub(crate) cursor: Option<String>,
}

impl ListParams {
    /// The effective 1-based start index.
    pub(crate) fn start_index(&self) -> usize {
        self.start_index
            .map_or(1, |i| usize::try_from(i.max(1)).unwrap_or(usize::MAX))
    }

    /// The effective count: the default when absent, at most `max`.
    pub(crate) fn count(&self, default: usize, max: usize) -> usize {
        self.count
            .map_or(default, |c| usize::try_from(c.max(0)).unwrap_or(usize::MAX))
            .min(max)
    }
}

/// The query parameters that only concern lists are ignored elsewhere; this collects
/// the ones that apply to every GET (`attributes`, `excludedAttributes`) too.
///
/// Parsing follows what clients send: `+` is a space and `%XX` escapes are decoded
/// (form encoding), empty pairs from a trailing `&` are skipped, names are
/// case-insensitive, a repeated scalar parameter keeps its last value, and repeated
/// `attributes` accumulate.
pub(crate) fn parse_query(query: &str) -> Result<ListParams, ScimError> {
    let mut params = ListParams::default();
    for (name, value) in super::form::pairs(query) {
        // Compared without folding a copy of the name.
        let is = |known: &str| name.eq_ignore_ascii_case(known);
        if is("filter") {
            params.filter = non_empty(value);
        } else if is("startIndex") {
            params.start_index = Some(integer("startIndex", &value)?);
        } else if is("count") {
            params.count = Some(integer("count", &value)?);
        } else if is("sortBy") {
            params.sort_by = non_empty(value);
        } else if is("sortOrder") {
            params.sort_order = non_empty(value);
        } else if is("attributes") {
            params.attributes.extend(split_list(&value));
        } else if is("excludedAttributes") {
            params.excluded_attributes.extend(split_list(&value));
        } else if is("cursor") {
            // Kept when empty: `cursor=` starts a cursor walk (RFC 9865 §3).
            params.cursor = Some(value.into_owned());
        }
        // Unknown parameters are ignored (RFC 7644 leaves them to the provider).
    }
    Ok(params)
}

/// The value trimmed, unless nothing is left; a decoded value is kept, not copied, when
/// there was nothing to trim.
fn non_empty<'a>(value: impl Into<Cow<'a, str>>) -> Option<String> {
    let value = value.into();
    let trimmed = value.trim();
    if trimmed.is_empty() {
        None
    } else if trimmed.len() == value.len() {
        Some(value.into_owned())
    } else {
        Some(trimmed.to_owned())
    }
}

fn integer(name: &str, value: &str) -> Result<i64, ScimError> {
    let value = value.trim();
    value.parse::<i64>().or_else(|_| {
        // A number too large for i64 is still a number: saturate it.
        if !value.is_empty()
            && value
                .trim_start_matches('-')
                .bytes()
                .all(|b| b.is_ascii_digit())
        {
            Ok(if value.starts_with('-') {
                i64::MIN
            } else {
                i64::MAX
            })
        } else {
            Err(ScimError::invalid_value(format!(
                "{name} must be an integer, got {value:?}"
            )))
        }
    })
}

/// `attributes=userName,emails` → `["userName", "emails"]`.
fn split_list(value: &str) -> impl Iterator<Item = String> + '_ {
    value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// Parses a `.search` body (RFC 7644 §3.4.3). Member names are case-insensitive;
/// `attributes` may be an array or a comma-separated string; `startIndex` and `count`
/// may be numbers or numeric strings.
pub(crate) fn parse_search_request(body: &Value) -> Result<ListParams, ScimError> {
    let object = body
        .as_object()
        .ok_or_else(|| ScimError::invalid_syntax("a SearchRequest must be a JSON object"))?;
    let mut params = ListParams::default();
    for (name, value) in object {
        match name.to_ascii_lowercase().as_str() {
            // Read as a SearchRequest without `schemas` in every mode: the endpoint says
            // what the message is.
            "schemas" => check_message_schemas(Some(value), SEARCH_REQUEST_SCHEMA, true)?,
            "filter" => params.filter = optional_string("filter", value)?.and_then(non_empty),
            "sortby" => params.sort_by = optional_string("sortBy", value)?.and_then(non_empty),
            "sortorder" => {
                params.sort_order = optional_string("sortOrder", value)?.and_then(non_empty);
            }
            "startindex" => params.start_index = optional_integer("startIndex", value)?,
            "count" => params.count = optional_integer("count", value)?,
            "attributes" => params.attributes = string_list("attributes", value)?,
            "excludedattributes" => {
                params.excluded_attributes = string_list("excludedAttributes", value)?;
            }
            "cursor" => params.cursor = optional_string("cursor", value)?,
            _ => {}
        }
    }
    Ok(params)
}

fn optional_string(name: &str, value: &Value) -> Result<Option<String>, ScimError> {
    match value {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s.clone())),
        _ => Err(ScimError::invalid_syntax(format!(
            "{name} must be a string"
        ))),
    }
}

fn optional_integer(name: &str, value: &Value) -> Result<Option<i64>, ScimError> {
    match value {
        Value::Null => Ok(None),
        Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_u64().map(|_| i64::MAX))
            .map(Some)
            .ok_or_else(|| ScimError::invalid_value(format!("{name} must be an integer"))),
        Value::String(s) => integer(name, s).map(Some),
        _ => Err(ScimError::invalid_value(format!(
            "{name} must be an integer"
        ))),
    }
}

fn string_list(name: &str, value: &Value) -> Result<Vec<String>, ScimError> {
    match value {
        Value::Null => Ok(Vec::new()),
        Value::String(s) => Ok(split_list(s).collect()),
        Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                let s = item.as_str().ok_or_else(|| {
                    ScimError::invalid_syntax(format!("{name} must be an array of strings"))
                })?;
                out.extend(split_list(s));
            }
            Ok(out)
        }
        _ => Err(ScimError::invalid_syntax(format!(
            "{name} must be an array of strings"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn query_strings_as_clients_send_them() {
        // Entra ID: form-encoded, + for spaces.
        let p = parse_query("filter=userName+eq+%22bjensen%40example.com%22").unwrap();
        assert_eq!(
            p.filter.as_deref(),
            Some("userName eq \"bjensen@example.com\"")
        );
        // Percent-encoded spaces, a trailing & (OneLogin), mixed-case names.
        let p = parse_query("Filter=displayName%20eq%20%22Ops%22&StartIndex=3&COUNT=10&").unwrap();
        assert_eq!(p.filter.as_deref(), Some("displayName eq \"Ops\""));
        assert_eq!((p.start_index, p.count), (Some(3), Some(10)));
        // Repeated attributes accumulate; a repeated scalar keeps the last value.
        let p = parse_query("attributes=userName,emails&attributes=name&count=1&count=2").unwrap();
        assert_eq!(p.attributes, ["userName", "emails", "name"]);
        assert_eq!(p.count, Some(2));
        let p =
            parse_query("excludedAttributes=members&sortBy=userName&sortOrder=descending").unwrap();
        assert_eq!(p.excluded_attributes, ["members"]);
        assert_eq!(p.sort_by.as_deref(), Some("userName"));
        assert_eq!(p.sort_order.as_deref(), Some("descending"));
        assert_eq!(parse_query("&&").unwrap(), ListParams::default());
        assert_eq!(
            parse_query("filter=&unknown=1").unwrap(),
            ListParams::default()
        );
        // Values are trimmed, decoded or not; an empty cursor is kept.
        let p =
            parse_query("filter=%20userName%20pr%20&SORTBY=+name+&sortorder=%09&cursor=").unwrap();
        assert_eq!(p.filter.as_deref(), Some("userName pr"));
        assert_eq!(p.sort_by.as_deref(), Some("name"));
        assert_eq!(p.sort_order, None);
        assert_eq!(p.cursor.as_deref(), Some(""));
    }

    #[test]
    fn paging_values_are_clamped() {
        let p = parse_query("startIndex=0&count=-5").unwrap();
        assert_eq!(p.start_index(), 1);
        assert_eq!(p.count(100, 1000), 0);
        let p = parse_query("startIndex=-3&count=5000").unwrap();
        assert_eq!(p.start_index(), 1);
        assert_eq!(p.count(100, 1000), 1000);
        assert_eq!(ListParams::default().count(100, 1000), 100);
        let p = parse_query("startIndex=99999999999999999999999").unwrap();
        assert_eq!(p.start_index(), usize::try_from(i64::MAX).unwrap());
    }

    #[test]
    fn cursor_is_kept_even_when_empty() {
        // RFC 9865 §3: `cursor=` (empty) starts a cursor walk.
        assert_eq!(
            parse_query("cursor=&count=2").unwrap().cursor.as_deref(),
            Some("")
        );
        assert_eq!(
            parse_query("Cursor=ab12").unwrap().cursor.as_deref(),
            Some("ab12")
        );
        assert_eq!(parse_query("count=2").unwrap().cursor, None);
        let body = serde_json::json!({"cursor": "ab12", "count": 2});
        assert_eq!(
            parse_search_request(&body).unwrap().cursor.as_deref(),
            Some("ab12")
        );
    }

    #[test]
    fn a_non_numeric_count_is_invalid_value() {
        let err = parse_query("count=ten").unwrap_err();
        assert_eq!(err.status().as_u16(), 400);
        assert_eq!(err.scim_type(), Some(crate::error::ScimType::InvalidValue));
        assert!(parse_query("startIndex=1.5").is_err());
    }

    #[test]
    fn search_request_bodies() {
        let p = parse_search_request(&json!({
            "schemas": [SEARCH_REQUEST_SCHEMA],
            "attributes": ["displayName", "userName"],
            "excludedAttributes": "emails, phoneNumbers",
            "filter": "displayName sw \"smith\"",
            "startIndex": 1,
            "Count": "10",
            "sortBy": "userName",
            "sortOrder": "ascending"
        }))
        .unwrap();
        assert_eq!(p.attributes, ["displayName", "userName"]);
        assert_eq!(p.excluded_attributes, ["emails", "phoneNumbers"]);
        assert_eq!(p.filter.as_deref(), Some("displayName sw \"smith\""));
        assert_eq!((p.start_index, p.count), (Some(1), Some(10)));
        assert_eq!(
            parse_search_request(&json!({})).unwrap(),
            ListParams::default()
        );
        for bad in [
            json!([]),
            json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}),
            json!({"filter": 3}),
            json!({"count": "x"}),
            json!({"count": 1.5}),
            json!({"attributes": [1]}),
        ] {
            assert_eq!(
                parse_search_request(&bad).unwrap_err().status().as_u16(),
                400,
                "{bad}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn query_parsing_never_panics(q in "\\PC{0,80}") {
            let _ = parse_query(&q);
        }
    }
}
