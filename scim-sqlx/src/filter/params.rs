//! Binding parameters to a statement on the [`Any`] driver: a translated filter's
//! [`SqlValue`]s, or JSON scalars taken from a resource.

use serde_json::Value;
use sqlx::Any;
use sqlx::any::AnyArguments;
use sqlx::query::Query;

use super::SqlValue;

/// Binds `params` (a [`Translated`](super::Translated) filter's, or any others) to `query`, in order.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use scim_sqlx::filter::{bind, SqlValue};
/// let db = scim_sqlx::Database::connect("sqlite::memory:").await.unwrap();
/// let params = [SqlValue::Integer(40), SqlValue::Integer(2)];
/// let row = bind(sqlx::query("SELECT ?1 + ?2"), &params).fetch_one(db.read()).await.unwrap();
/// assert_eq!(sqlx::Row::get::<i64, _>(&row, 0), 42);
/// # });
/// ```
pub fn bind<'q>(
    mut query: Query<'q, Any, AnyArguments<'q>>,
    params: &'q [SqlValue],
) -> Query<'q, Any, AnyArguments<'q>> {
    for param in params {
        query = match param {
            SqlValue::Text(s) => query.bind(s.as_str()),
            SqlValue::Integer(i) => query.bind(*i),
            SqlValue::Real(f) => query.bind(*f),
            SqlValue::Bool(b) => query.bind(*b),
        };
    }
    query
}

/// Binds JSON scalars to `query`, in order: strings as text, booleans, integers, other
/// numbers as doubles, and anything else (`null`, arrays, objects) as a text `NULL`.
/// For a store that writes attributes of a resource to columns of its own.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use scim_sqlx::filter::bind_json;
/// let db = scim_sqlx::Database::connect("sqlite::memory:").await.unwrap();
/// let args = [serde_json::json!("ann"), serde_json::json!(null), serde_json::json!(3)];
/// let row = bind_json(sqlx::query("SELECT $1, $2 IS NULL, $3 + 1"), &args)
///     .fetch_one(db.read()).await.unwrap();
/// assert_eq!(sqlx::Row::get::<String, _>(&row, 0), "ann");
/// assert_eq!(sqlx::Row::get::<i64, _>(&row, 2), 4);
/// # });
/// ```
pub fn bind_json<'q>(
    mut query: Query<'q, Any, AnyArguments<'q>>,
    args: &'q [Value],
) -> Query<'q, Any, AnyArguments<'q>> {
    for arg in args {
        query = match arg {
            Value::String(s) => query.bind(s.as_str()),
            Value::Bool(b) => query.bind(*b),
            Value::Number(n) => match n.as_i64() {
                Some(i) => query.bind(i),
                None => query.bind(n.as_f64()),
            },
            _ => query.bind(None::<String>),
        };
    }
    query
}
