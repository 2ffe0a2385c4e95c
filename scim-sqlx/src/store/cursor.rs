//! RFC 9865 cursors: opaque to clients (scim-core's codec binds them to their
//! query), a keyset position to the store, so that the page after a cursor costs what
//! the first page costs.

use scim_core::error::ScimType;
use scim_core::store::{decode_cursor, encode_cursor};
use scim_core::{Query, ResourceType, ScimError, StoreError};
use serde_json::{Value, json};

/// Where the next page starts.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Position {
    /// After the row with this sort key (`None`: a row without a value) and id.
    After { key: Option<String>, id: String },
    /// After the row with this creation sequence (unsorted lists).
    AfterSeq(i64),
    /// At this 0-based offset (sort keys that are not text, and filters the database
    /// cannot answer alone).
    Offset(u64),
}

/// The cursor text of a position in the list `query` asks for.
pub(crate) fn encode(rt: &ResourceType, query: &Query, position: &Position) -> String {
    let body = match position {
        Position::After { key, id } => json!({"k": key, "i": id}),
        Position::AfterSeq(seq) => json!({"s": seq}),
        Position::Offset(offset) => json!({"o": offset}),
    };
    encode_cursor(rt, query, &body)
}

fn invalid() -> StoreError {
    StoreError::Rejected(ScimError::bad_request(
        ScimType::InvalidCursor,
        "the cursor is not one this server issued",
    ))
}

/// The position a cursor names; `None` for the empty cursor, which asks for the
/// first page (RFC 9865 §3). A cursor that is not one of ours, or belongs to another
/// query, is `400 invalidCursor`.
pub(crate) fn decode(
    rt: &ResourceType,
    query: &Query,
    cursor: &str,
) -> Result<Option<Position>, StoreError> {
    let Some(body) = decode_cursor(rt, query, cursor)? else {
        return Ok(None);
    };
    let position = if let Some(id) = body.get("i").and_then(Value::as_str) {
        let key = match body.get("k") {
            Some(Value::String(k)) => Some(k.clone()),
            Some(Value::Null) | None => None,
            Some(_) => return Err(invalid()),
        };
        Position::After {
            key,
            id: id.to_owned(),
        }
    } else if let Some(seq) = body.get("s").and_then(Value::as_i64) {
        Position::AfterSeq(seq)
    } else if let Some(offset) = body.get("o").and_then(Value::as_u64) {
        Position::Offset(offset)
    } else {
        return Err(invalid());
    };
    Ok(Some(position))
}

#[cfg(test)]
mod tests {
    use scim_core::SchemaRegistry;
    use scim_core::filter::{AttrPath, Sort, SortOrder};

    use super::*;

    #[test]
    fn cursors_round_trip_and_bind_to_their_query() {
        let registry = SchemaRegistry::with_builtins();
        let users = registry.resource_type("User").unwrap();
        let mut query = Query::default();
        query.sort = Some(Sort {
            by: AttrPath::new("userName"),
            order: SortOrder::Ascending,
        });
        for position in [
            Position::After {
                key: Some("b\"jensen".into()),
                id: "42".into(),
            },
            Position::After {
                key: None,
                id: "7".into(),
            },
            Position::AfterSeq(9),
            Position::Offset(100),
        ] {
            let cursor = encode(users, &query, &position);
            assert_eq!(
                decode(users, &query, &cursor).unwrap(),
                Some(position.clone())
            );
            let mut other = query.clone();
            other.filter = Some("title pr".parse().unwrap());
            assert!(decode(users, &other, &cursor).is_err());
        }
        assert_eq!(decode(users, &query, "").unwrap(), None);
        for bad in ["zz", "abc", "7b7d", "not a cursor"] {
            let err: ScimError = decode(users, &query, bad).unwrap_err().into();
            assert_eq!(err.scim_type(), Some(ScimType::InvalidCursor), "{bad}");
        }
    }
}
