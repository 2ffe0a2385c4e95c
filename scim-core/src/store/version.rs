//! Versions, ETags and `meta` for store authors (RFC 7643 §3.1, RFC 7644 §3.14): the
//! pieces every [`ResourceStore`](super::ResourceStore) needs and the built-in stores use.
//!
//! A store keeps an integer version per resource, starting at [`Version::FIRST`] and
//! advanced with [`Version::next`] on every write; `meta.version` is its weak ETag
//! ([`Version::etag`]); `replace`, `patch` and `delete` check the `If-Match` value they
//! are given with [`Version::check`]. [`meta`] builds the `meta` object; the engine adds
//! `meta.location`.
//!
//! **Membership is a write of the member.** A User's `groups` is derived from the
//! groups' `members`, so adding a user to a group or removing it changes what the user
//! reads: the built-in stores advance the member's version (and `lastModified`) too, and
//! the store contract expects it. A store that does not should say so, as an `If-Match`
//! on the user would then succeed over a change the client has not seen.

use serde_json::{Map, Value};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::StoreError;
use crate::wire::etag;

/// A resource's version: an integer that grows by one on every write.
///
/// ```
/// use scim_core::store::Version;
/// let v = Version::FIRST.next();
/// assert_eq!(v.etag(), "W/\"2\"");
/// assert!(v.matches("W/\"2\"") && v.matches("\"2\"") && v.matches("*"));
/// assert!(v.matches("W/\"1\", W/\"2\""));
/// assert!(!v.matches("W/\"1\""));
/// assert_eq!(Version::parse("W/\"7\""), Some(Version(7)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version(pub u64);

impl Version {
    /// The version of a new resource.
    pub const FIRST: Version = Version(1);

    /// The version a stored resource carries in `meta.version`, or [`Version::FIRST`]
    /// when it has none a store wrote.
    ///
    /// ```
    /// use scim_core::{Resource, store::Version};
    /// let r = Resource::from_value_unchecked("User", serde_json::json!({"meta": {"version": "W/\"4\""}})).unwrap();
    /// assert_eq!(Version::of(&r), Version(4));
    /// let new = Resource::from_value_unchecked("User", serde_json::json!({})).unwrap();
    /// assert_eq!(Version::of(&new), Version::FIRST);
    /// ```
    pub fn of(resource: &crate::Resource) -> Version {
        resource
            .version()
            .and_then(Version::parse)
            .unwrap_or(Version::FIRST)
    }

    /// The version after a write.
    ///
    /// ```
    /// # use scim_core::store::Version;
    /// assert_eq!(Version(4).next(), Version(5));
    /// assert_eq!(Version(u64::MAX).next(), Version(u64::MAX));
    /// ```
    #[must_use]
    pub fn next(self) -> Version {
        Version(self.0.saturating_add(1))
    }

    /// The weak ETag shown as `meta.version` and in the `ETag` header: `W/"3"`.
    ///
    /// ```
    /// # use scim_core::store::Version;
    /// assert_eq!(Version(3).etag(), "W/\"3\"");
    /// ```
    pub fn etag(self) -> String {
        // Made on every response: joined by hand, without the formatting machinery.
        let mut digits = itoa::Buffer::new();
        let digits = digits.format(self.0);
        let mut tag = String::with_capacity(digits.len() + 4);
        tag.push_str("W/\"");
        tag.push_str(digits);
        tag.push('"');
        tag
    }

    /// The version an entity tag names (`W/"3"`, `"3"` or a bare `3`), if it is one of
    /// these.
    ///
    /// ```
    /// # use scim_core::store::Version;
    /// assert_eq!(Version::parse("3"), Some(Version(3)));
    /// assert_eq!(Version::parse("W/\"x\""), None);
    /// ```
    pub fn parse(tag: &str) -> Option<Version> {
        etag::opaque(tag).parse().ok().map(Version)
    }

    /// Whether an `If-Match` value (`*`, or one or more entity tags, weak or strong)
    /// names this version, by weak comparison as RFC 7644 §3.14 uses it.
    ///
    /// ```
    /// # use scim_core::store::Version;
    /// assert!(Version(3).matches(" W/\"3\" "));
    /// assert!(!Version(3).matches("W/\"33\""));
    /// ```
    pub fn matches(self, if_match: &str) -> bool {
        let current = self.0.to_string();
        if_match
            .split(',')
            .map(str::trim)
            .any(|tag| tag == "*" || etag::opaque(tag) == current)
    }

    /// Honours the `expected_version` a store method is given: `Ok` without one or when
    /// [`matches`](Self::matches), else [`StoreError::PreconditionFailed`] naming this
    /// version (the engine answers `412`).
    ///
    /// ```
    /// # use scim_core::store::Version;
    /// # use scim_core::StoreError;
    /// assert!(Version(2).check(None).is_ok());
    /// assert!(Version(2).check(Some("W/\"2\"")).is_ok());
    /// let err = Version(2).check(Some("W/\"1\"")).unwrap_err();
    /// assert!(matches!(err, StoreError::PreconditionFailed { current } if current == "W/\"2\""));
    /// ```
    pub fn check(self, expected_version: Option<&str>) -> Result<(), StoreError> {
        match expected_version {
            Some(expected) if !self.matches(expected) => Err(StoreError::PreconditionFailed {
                current: self.etag(),
            }),
            _ => Ok(()),
        }
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// `meta` as a store returns it (RFC 7643 §3.1): `resourceType`, `created`,
/// `lastModified` and `version`. The engine adds `location`.
///
/// ```
/// use scim_core::store::{Version, meta};
/// let m = meta("User", "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z", Version(2));
/// assert_eq!(m["resourceType"], "User");
/// assert_eq!(m["version"], "W/\"2\"");
/// assert!(m.get("location").is_none());
/// ```
pub fn meta(resource_type: &str, created: &str, last_modified: &str, version: Version) -> Value {
    let mut meta = Map::with_capacity(4);
    meta.insert(
        "resourceType".to_owned(),
        Value::String(resource_type.to_owned()),
    );
    meta.insert("created".to_owned(), Value::String(created.to_owned()));
    meta.insert(
        "lastModified".to_owned(),
        Value::String(last_modified.to_owned()),
    );
    meta.insert("version".to_owned(), Value::String(version.etag()));
    Value::Object(meta)
}

/// The current time as RFC 3339 text, for `meta.created` and `meta.lastModified`.
///
/// ```
/// let now = scim_core::store::timestamp_now().unwrap();
/// assert!(time::OffsetDateTime::parse(&now, &time::format_description::well_known::Rfc3339).is_ok());
/// ```
pub fn timestamp_now() -> Result<String, StoreError> {
    // `2026-12-03T13:44:25.461931123Z` is 30 bytes: written into one allocation of that
    // size instead of a buffer grown three times.
    let mut out = Vec::with_capacity(32);
    OffsetDateTime::now_utc()
        .format_into(&mut out, &Rfc3339)
        .map_err(|e| StoreError::Backend(Box::new(e)))?;
    String::from_utf8(out).map_err(|e| StoreError::Backend(Box::new(e)))
}
