//! ETags (RFC 7644 §3.14, RFC 9110 §8.8.3): the header from `meta.version`, and the
//! `If-Match` / `If-None-Match` conditions.

use http::{HeaderMap, HeaderName, HeaderValue};

use crate::error::ScimError;

/// An `If-Match` or `If-None-Match` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Condition {
    /// `*`: any current version.
    Any,
    /// A list of entity tags, by their opaque value (without `W/` and quotes).
    Tags(Vec<String>),
}

impl Condition {
    /// Whether `version` (a `meta.version`) satisfies the condition, by weak comparison:
    /// SCIM versions are weak ETags and RFC 7644 §3.14 uses them with `If-Match`.
    pub(crate) fn matches(&self, version: &str) -> bool {
        match self {
            Self::Any => true,
            Self::Tags(tags) => {
                let version = opaque(version);
                tags.iter().any(|t| t == version)
            }
        }
    }
}

/// The condition carried by `name`, if the request has one.
pub(crate) fn condition(
    headers: &HeaderMap,
    name: &HeaderName,
) -> Result<Option<Condition>, ScimError> {
    let mut tags = Vec::new();
    let mut any = false;
    let invalid = || ScimError::invalid_value(format!("{name} is not a valid list of entity tags"));
    for value in headers.get_all(name) {
        let text = value.to_str().map_err(|_| invalid())?;
        let split = split_tags(text);
        // A header present but naming no tag (`,,,,`, empty) is malformed, not absent:
        // taking it for no condition would turn a conditional write unconditional.
        if split.is_empty() {
            return Err(invalid());
        }
        for tag in split {
            if tag == "*" {
                any = true;
            } else {
                tags.push(opaque(tag).to_owned());
            }
        }
    }
    Ok(if any {
        Some(Condition::Any)
    } else if tags.is_empty() {
        None
    } else {
        Some(Condition::Tags(tags))
    })
}

/// Splits `W/"a", "b,c", *` into its tags, honouring commas inside quotes.
fn split_tags(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut quoted = false;
    for (i, c) in text.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => {
                out.extend(text.get(start..i).map(str::trim).filter(|s| !s.is_empty()));
                start = i + 1;
            }
            _ => {}
        }
    }
    out.extend(text.get(start..).map(str::trim).filter(|s| !s.is_empty()));
    out
}

/// The opaque part of an entity tag: `W/"3"` → `3`, `"3"` → `3`, and a bare `3` (some
/// clients drop the quotes) → `3`.
pub(crate) fn opaque(tag: &str) -> &str {
    let tag = tag.trim();
    let tag = tag
        .strip_prefix("W/")
        .or_else(|| tag.strip_prefix("w/"))
        .unwrap_or(tag);
    tag.strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(tag)
}

/// Whether a `meta.version` is already an entity tag (`W/"…"` or `"…"`), which its
/// `ETag` header carries as it is.
pub(crate) fn is_tag(version: &str) -> bool {
    version.starts_with("W/\"") || version.starts_with('"')
}

/// Whether a `meta.version` is an entity tag in printable ASCII (as every store's `W/"n"`
/// is): its `ETag` header is the same text, which [`HeaderValue::to_str`] reads back, so
/// one string can serve as both.
pub(crate) fn is_plain_tag(version: &str) -> bool {
    is_tag(version) && version.bytes().all(|b| (0x20..0x7f).contains(&b))
}

/// The `ETag` header value for a `meta.version`: the version itself when it is already
/// an entity tag, else the version as a weak tag.
pub(crate) fn header_value(version: &str) -> Option<HeaderValue> {
    let tag = if is_tag(version) {
        version.to_owned()
    } else {
        format!("W/\"{}\"", opaque(version))
    };
    super::header_value(tag)
}

#[cfg(test)]
mod tests {
    use http::header::{IF_MATCH, IF_NONE_MATCH};

    use super::*;

    fn headers(name: &HeaderName, values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(name, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn a_plain_tag_is_its_own_header_text() {
        for tag in ["W/\"3\"", "\"abc\"", "W/\"\""] {
            assert!(is_plain_tag(tag), "{tag}");
            let header = header_value(tag).unwrap();
            assert_eq!(header.to_str().unwrap(), tag);
        }
        // Not a tag, or text a header would not read back as given.
        for version in ["3", "W/3", "W/\"é\"", "W/\"a\tb\""] {
            assert!(!is_plain_tag(version), "{version}");
        }
    }

    #[test]
    fn a_header_without_tags_is_invalid() {
        for value in [",,,,", "", " , "] {
            let err = condition(&headers(&IF_MATCH, &[value]), &IF_MATCH).unwrap_err();
            assert_eq!(err.status(), http::StatusCode::BAD_REQUEST, "{value:?}");
        }
        assert_eq!(condition(&HeaderMap::new(), &IF_MATCH).unwrap(), None);
    }

    #[test]
    fn weak_strong_bare_and_star_forms() {
        let c = condition(&headers(&IF_MATCH, &["W/\"3\""]), &IF_MATCH)
            .unwrap()
            .unwrap();
        assert!(c.matches("W/\"3\""));
        assert!(c.matches("\"3\""));
        assert!(!c.matches("W/\"4\""));
        let c = condition(&headers(&IF_MATCH, &["\"3\""]), &IF_MATCH)
            .unwrap()
            .unwrap();
        assert!(c.matches("W/\"3\""));
        let c = condition(&headers(&IF_MATCH, &["3"]), &IF_MATCH)
            .unwrap()
            .unwrap();
        assert!(c.matches("W/\"3\""));
        let c = condition(&headers(&IF_NONE_MATCH, &["*"]), &IF_NONE_MATCH)
            .unwrap()
            .unwrap();
        assert_eq!(c, Condition::Any);
        assert!(c.matches("W/\"anything\""));
        assert_eq!(condition(&HeaderMap::new(), &IF_MATCH).unwrap(), None);
    }

    #[test]
    fn lists_and_repeated_headers() {
        let c = condition(
            &headers(&IF_MATCH, &["W/\"1\", \"a,b\"", "W/\"9\""]),
            &IF_MATCH,
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            c,
            Condition::Tags(vec!["1".into(), "a,b".into(), "9".into()])
        );
        assert!(c.matches("W/\"a,b\""));
    }

    #[test]
    fn etag_header_from_meta_version() {
        assert_eq!(header_value("W/\"3\"").unwrap(), "W/\"3\"");
        assert_eq!(header_value("\"3\"").unwrap(), "\"3\"");
        assert_eq!(header_value("3").unwrap(), "W/\"3\"");
        assert!(header_value("bad\nvalue").is_none());
    }
}
