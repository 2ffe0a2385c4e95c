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
    rfc3339_utc(OffsetDateTime::now_utc())
}

/// `at` in UTC as `time`'s RFC 3339 formatting writes it (`2026-12-03T13:44:25.4619Z`:
/// the fraction without its trailing zeros, none when it is zero), written digit by
/// digit into one allocation of the exact size. `time`'s general formatter spent about
/// 1 100 instructions on it per write request, this about a tenth of that. A year
/// outside `0..=9999`, which RFC 3339 cannot write, is left to `time` (which refuses it).
fn rfc3339_utc(at: OffsetDateTime) -> Result<String, StoreError> {
    let at = at.to_offset(time::UtcOffset::UTC);
    let year = match u32::try_from(at.year()) {
        Ok(year) if year <= 9999 => year,
        _ => return formatted_by_time(at),
    };
    let (hour, minute, second, nanos) = at.to_hms_nano();
    // The fraction's digits, then as many as are left once its trailing zeros go.
    let mut fraction = [b'0'; 9];
    let mut rest = nanos;
    for slot in fraction.iter_mut().rev() {
        *slot = digit(rest);
        rest /= 10;
    }
    let significant = fraction
        .iter()
        .rposition(|&d| d != b'0')
        .map_or(0, |last| last + 1);
    let mut out = Vec::with_capacity(20 + usize::from(significant > 0) + significant);
    out.extend([
        digit(year / 1000),
        digit(year / 100),
        digit(year / 10),
        digit(year),
        b'-',
    ]);
    for (n, separator) in [
        (u8::from(at.month()), b'-'),
        (at.day(), b'T'),
        (hour, b':'),
        (minute, b':'),
        (second, b'.'),
    ] {
        let n = u32::from(n);
        out.extend([digit(n / 10), digit(n), separator]);
    }
    match fraction.get(..significant) {
        Some(digits) if !digits.is_empty() => out.extend_from_slice(digits),
        // No fraction: the separator written after the seconds goes.
        _ => {
            out.pop();
        }
    }
    out.push(b'Z');
    String::from_utf8(out).map_err(|e| StoreError::Backend(Box::new(e)))
}

/// The ASCII digit of `n`'s last decimal place.
fn digit(n: u32) -> u8 {
    b"0123456789"
        .get(usize::try_from(n % 10).unwrap_or_default())
        .copied()
        .unwrap_or(b'0')
}

fn formatted_by_time(at: OffsetDateTime) -> Result<String, StoreError> {
    at.format(&Rfc3339)
        .map_err(|e| StoreError::Backend(Box::new(e)))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use time::OffsetDateTime;
    use time::format_description::well_known::Rfc3339;

    use super::rfc3339_utc;

    fn by_time(at: OffsetDateTime) -> String {
        at.format(&Rfc3339).unwrap()
    }

    #[test]
    fn timestamps_are_written_as_time_writes_them() {
        for (unix, nanos, expected) in [
            (0, 0, "1970-01-01T00:00:00Z"),
            (1_796_305_465, 461_931_123, "2026-12-03T13:44:25.461931123Z"),
            (1_796_305_465, 400_000_000, "2026-12-03T13:44:25.4Z"),
            (1_796_305_465, 1, "2026-12-03T13:44:25.000000001Z"),
            (
                253_402_300_799,
                999_999_990,
                "9999-12-31T23:59:59.99999999Z",
            ),
            (-62_135_596_800, 0, "0001-01-01T00:00:00Z"),
        ] {
            let at = OffsetDateTime::from_unix_timestamp(unix).unwrap()
                + time::Duration::nanoseconds(nanos);
            assert_eq!(rfc3339_utc(at).unwrap(), expected);
            assert_eq!(by_time(at), expected);
        }
    }

    #[test]
    fn an_offset_is_written_in_utc_and_a_year_before_0_is_refused() {
        let at = OffsetDateTime::from_unix_timestamp(1_796_305_465)
            .unwrap()
            .to_offset(time::macros::offset!(+5:30));
        assert_eq!(rfc3339_utc(at).unwrap(), "2026-12-03T13:44:25Z");
        let before_year_0 = time::macros::datetime!(-0001-06-01 0:00 UTC);
        assert!(rfc3339_utc(before_year_0).is_err());
        assert!(
            before_year_0.format(&Rfc3339).is_err(),
            "as time refuses it"
        );
    }

    proptest! {
        /// Any instant from year 0 to 9999, with any fraction: the same text as `time`.
        #[test]
        fn any_instant_is_written_as_time_writes_it(
            unix in -62_167_219_200i64..253_402_300_800,
            nanos in prop_oneof![Just(0u32), 0u32..1_000_000_000, (0u32..1000).prop_map(|n| n * 1_000_000)],
        ) {
            let at = OffsetDateTime::from_unix_timestamp(unix).unwrap()
                .replace_nanosecond(nanos).unwrap();
            prop_assert_eq!(rfc3339_utc(at).unwrap(), by_time(at));
        }
    }
}
