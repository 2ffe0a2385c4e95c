//! One element of a Group's `members` as a store receives it.

use serde_json::Value;

use super::StoreError;

/// A member reference in a create, replace or PATCH of a Group (RFC 7643 §4.1.2): the
/// id in `value` and the `display` the client sent. Stores resolve `value` against the
/// tenant's Users and Groups themselves; this only reads the object, with names matched
/// case-insensitively as RFC 7643 §2.1 asks.
///
/// ```
/// use scim_core::store::MemberRef;
/// let member = serde_json::json!({"Value": "2819c223", "display": "Babs Jensen"});
/// let r = MemberRef::parse(&member).unwrap();
/// assert_eq!((r.value, r.display), ("2819c223", Some("Babs Jensen")));
/// assert!(MemberRef::parse(&serde_json::json!("2819c223")).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct MemberRef<'a> {
    /// The member's id.
    pub value: &'a str,
    /// The `display` sent with it; an empty one counts as none.
    pub display: Option<&'a str>,
}

impl<'a> MemberRef<'a> {
    /// Reads a member object; anything but an object with a string `value` is
    /// [`StoreError::Invalid`].
    ///
    /// ```
    /// use scim_core::store::MemberRef;
    /// let member = serde_json::json!({"value": "a", "display": ""});
    /// assert_eq!(MemberRef::parse(&member).unwrap().display, None);
    /// assert!(MemberRef::parse(&serde_json::json!({"value": 7})).is_err());
    /// ```
    pub fn parse(member: &'a Value) -> Result<Self, StoreError> {
        let Some(object) = member.as_object() else {
            return Err(StoreError::Invalid(
                "each member must be an object with a \"value\"".to_owned(),
            ));
        };
        let field = |name: &str| {
            object
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .and_then(|(_, v)| v.as_str())
        };
        let Some(value) = field("value") else {
            return Err(StoreError::Invalid(
                "each member must have a string \"value\"".to_owned(),
            ));
        };
        Ok(Self {
            value,
            display: field("display").filter(|d| !d.is_empty()),
        })
    }
}
