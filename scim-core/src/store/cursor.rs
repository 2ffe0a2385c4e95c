//! RFC 9865 cursors for store authors: an opaque token that carries a store's
//! position in a list and binds it to the query it pages, so that a cursor replayed
//! with another filter or sort is `400 invalidCursor` instead of a silently wrong page.

use serde_json::{Value, json};

use super::{Query, StoreError};
use crate::error::{ScimError, ScimType};
use crate::schema::definition::ResourceType;

/// What a cursor is bound to: the resource type, filter and sort (not the page size,
/// which a client may change between pages).
fn fingerprint(resource_type: &ResourceType, query: &Query) -> String {
    let mut text = resource_type.name.clone();
    text.push('\u{1}');
    if let Some(filter) = &query.filter {
        text.push_str(&filter.to_string());
    }
    text.push('\u{1}');
    if let Some(sort) = &query.sort {
        text.push_str(&sort.by.to_string());
        text.push_str(&format!("{:?}", sort.order));
    }
    // FNV-1a: a fingerprint against mistakes, not an authenticator.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{hash:016x}")
}

/// The cursor of `position` (any JSON the store reads back with [`decode_cursor`]) in
/// the list `query` asks for: hex text, safe in a URL without escaping.
///
/// ```
/// use scim_core::store::{decode_cursor, encode_cursor};
/// use scim_core::{Query, SchemaRegistry};
/// let registry = SchemaRegistry::with_builtins();
/// let users = registry.resource_type("User").unwrap();
/// let query = Query::default();
/// let cursor = encode_cursor(users, &query, &serde_json::json!({"after": 42}));
/// assert_eq!(decode_cursor(users, &query, &cursor).unwrap(), Some(serde_json::json!({"after": 42})));
/// // The empty cursor asks for the first page (RFC 9865 §3).
/// assert_eq!(decode_cursor(users, &query, "").unwrap(), None);
/// ```
pub fn encode_cursor(resource_type: &ResourceType, query: &Query, position: &Value) -> String {
    let text = json!({"f": fingerprint(resource_type, query), "p": position}).to_string();
    text.bytes().map(|b| format!("{b:02x}")).collect()
}

fn invalid(detail: &str) -> StoreError {
    StoreError::Rejected(ScimError::bad_request(ScimType::InvalidCursor, detail))
}

/// The position a cursor carries; `None` for the empty cursor, which asks for the
/// first page (RFC 9865 §3). A cursor this function did not make, or made for another
/// filter or sort, is `400 invalidCursor`.
///
/// ```
/// use scim_core::store::{decode_cursor, encode_cursor};
/// use scim_core::{Query, SchemaRegistry, ScimError};
/// let registry = SchemaRegistry::with_builtins();
/// let users = registry.resource_type("User").unwrap();
/// let cursor = encode_cursor(users, &Query::default(), &serde_json::json!(7));
/// let mut other = Query::default();
/// other.filter = Some("title pr".parse().unwrap());
/// let err: ScimError = decode_cursor(users, &other, &cursor).unwrap_err().into();
/// assert_eq!(err.status().as_u16(), 400);
/// assert!(decode_cursor(users, &Query::default(), "not a cursor").is_err());
/// ```
pub fn decode_cursor(
    resource_type: &ResourceType,
    query: &Query,
    cursor: &str,
) -> Result<Option<Value>, StoreError> {
    if cursor.is_empty() {
        return Ok(None);
    }
    if cursor.len() > 16 * 1024 || !cursor.len().is_multiple_of(2) {
        return Err(invalid("the cursor is not one this server issued"));
    }
    let bytes: Option<Vec<u8>> = (0..cursor.len())
        .step_by(2)
        .map(|i| {
            cursor
                .get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        })
        .collect();
    let Some(Value::Object(mut envelope)) =
        bytes.and_then(|b| serde_json::from_slice::<Value>(&b).ok())
    else {
        return Err(invalid("the cursor is not one this server issued"));
    };
    if envelope.get("f").and_then(Value::as_str) != Some(fingerprint(resource_type, query).as_str())
    {
        return Err(invalid(
            "the cursor belongs to another query (filter, sortBy or sortOrder changed)",
        ));
    }
    envelope
        .remove("p")
        .map(Some)
        .ok_or_else(|| invalid("the cursor is not one this server issued"))
}
