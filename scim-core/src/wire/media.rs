//! Content types: what a request may carry and what every response says.

use http::{HeaderMap, StatusCode, header};

use crate::error::ScimError;

/// Accepts `application/scim+json` and `application/json`, with or without parameters
/// (`charset=utf-8`); a missing `Content-Type` is accepted too (RFC 7644 §3.1 says
/// clients SHOULD send one, and some do not). Anything else is `415`.
pub(crate) fn check_content_type(headers: &HeaderMap) -> Result<(), ScimError> {
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return Ok(());
    };
    let media_type = value
        .to_str()
        .ok()
        .and_then(|v| v.split(';').next())
        .map(str::trim)
        .unwrap_or_default();
    if media_type.eq_ignore_ascii_case("application/scim+json")
        || media_type.eq_ignore_ascii_case("application/json")
    {
        Ok(())
    } else {
        Err(ScimError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            None,
            format!(
                "unsupported content type {media_type:?}; send application/scim+json or application/json"
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use http::HeaderValue;

    use super::*;

    #[test]
    fn scim_and_plain_json_are_accepted_with_or_without_charset() {
        let mut headers = HeaderMap::new();
        assert!(check_content_type(&headers).is_ok());
        for ok in [
            "application/scim+json",
            "application/json",
            "application/scim+json; charset=utf-8",
            "Application/JSON;charset=UTF-8",
        ] {
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(ok));
            assert!(check_content_type(&headers).is_ok(), "{ok}");
        }
        for bad in [
            "text/plain",
            "application/xml",
            "application/x-www-form-urlencoded",
            "",
        ] {
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(bad));
            assert_eq!(
                check_content_type(&headers).unwrap_err().status(),
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "{bad}"
            );
        }
    }
}
