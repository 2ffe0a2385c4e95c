//! The protocol error: HTTP status, `scimType` and detail, rendered as the
//! [RFC 7644 §3.12](https://www.rfc-editor.org/rfc/rfc7644#section-3.12) JSON body.

use std::fmt;

use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode, header};
use serde::{Serialize, Serializer};

/// The media type of every SCIM response body.
pub const SCIM_CONTENT_TYPE: &str = "application/scim+json; charset=utf-8";

/// URN of the error message schema.
pub const ERROR_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

/// The `scimType` detail error keywords of RFC 7644 Table 9, plus RFC 9865's cursor and
/// count keywords, spelled as the RFCs spell them.
///
/// ```
/// use scim_core::error::ScimType;
/// assert_eq!(ScimType::InvalidFilter.as_str(), "invalidFilter");
/// assert_eq!(ScimType::InvalidVers.to_string(), "invalidVers");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ScimType {
    /// The filter syntax was invalid or the attribute and comparison are not supported.
    InvalidFilter,
    /// The filter yields more results than the server will return.
    TooMany,
    /// One or more attribute values are already in use or reserved.
    Uniqueness,
    /// The attempted modification is not compatible with the attribute's mutability.
    Mutability,
    /// The request body structure was invalid or did not conform to the schema.
    InvalidSyntax,
    /// The `path` attribute was invalid or malformed.
    InvalidPath,
    /// The path did not yield an attribute or value that could be operated on.
    NoTarget,
    /// A required value was missing, or the value was not compatible with the type.
    InvalidValue,
    /// The specified SCIM protocol version is not supported.
    InvalidVers,
    /// The request cannot be completed because of sensitive information in the URI.
    Sensitive,
    /// RFC 9865: the cursor is invalid.
    InvalidCursor,
    /// RFC 9865: the cursor has expired.
    ExpiredCursor,
    /// RFC 9865: the count is invalid for cursor paging.
    InvalidCount,
}

impl ScimType {
    /// The keyword as it appears on the wire.
    ///
    /// ```
    /// # use scim_core::error::ScimType;
    /// assert_eq!(ScimType::NoTarget.as_str(), "noTarget");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::InvalidFilter => "invalidFilter",
            Self::TooMany => "tooMany",
            Self::Uniqueness => "uniqueness",
            Self::Mutability => "mutability",
            Self::InvalidSyntax => "invalidSyntax",
            Self::InvalidPath => "invalidPath",
            Self::NoTarget => "noTarget",
            Self::InvalidValue => "invalidValue",
            Self::InvalidVers => "invalidVers",
            Self::Sensitive => "sensitive",
            Self::InvalidCursor => "invalidCursor",
            Self::ExpiredCursor => "expiredCursor",
            Self::InvalidCount => "invalidCount",
        }
    }
}

impl fmt::Display for ScimType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ScimType {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// A SCIM protocol error: the only error that becomes a response body.
///
/// ```
/// use scim_core::{ScimError, error::ScimType};
/// let err = ScimError::bad_request(ScimType::InvalidValue, "userName is required");
/// assert_eq!(err.status().as_u16(), 400);
/// let body: serde_json::Value = serde_json::from_slice(&err.to_json()).unwrap();
/// assert_eq!(body["status"], "400");
/// assert_eq!(body["scimType"], "invalidValue");
/// assert_eq!(body["schemas"][0], "urn:ietf:params:scim:api:messages:2.0:Error");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{status} {}: {detail}", scim_type.map(ScimType::as_str).unwrap_or("error"))]
pub struct ScimError {
    status: StatusCode,
    scim_type: Option<ScimType>,
    detail: String,
    retry_after: Option<u64>,
    allow: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ErrorBody<'a> {
    schemas: [&'static str; 1],
    #[serde(skip_serializing_if = "Option::is_none")]
    scim_type: Option<ScimType>,
    #[serde(skip_serializing_if = "str::is_empty")]
    detail: &'a str,
    status: &'a str,
}

impl ScimError {
    /// An error with any status, an optional `scimType` and a detail message.
    ///
    /// ```
    /// # use scim_core::ScimError;
    /// # use http::StatusCode;
    /// let e = ScimError::new(StatusCode::CONFLICT, None, "exists");
    /// assert_eq!(e.detail(), "exists");
    /// ```
    pub fn new(status: StatusCode, scim_type: Option<ScimType>, detail: impl Into<String>) -> Self {
        Self {
            status,
            scim_type,
            detail: detail.into(),
            retry_after: None,
            allow: None,
        }
    }

    /// `400 Bad Request` with a `scimType`.
    ///
    /// ```
    /// # use scim_core::{ScimError, error::ScimType};
    /// assert_eq!(ScimError::bad_request(ScimType::NoTarget, "x").scim_type(), Some(ScimType::NoTarget));
    /// ```
    pub fn bad_request(scim_type: ScimType, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, Some(scim_type), detail)
    }

    /// `400 invalidValue`.
    ///
    /// ```
    /// # use scim_core::{ScimError, error::ScimType};
    /// assert_eq!(ScimError::invalid_value("bad").scim_type(), Some(ScimType::InvalidValue));
    /// ```
    pub fn invalid_value(detail: impl Into<String>) -> Self {
        Self::bad_request(ScimType::InvalidValue, detail)
    }

    /// `400 invalidSyntax`.
    ///
    /// ```
    /// # use scim_core::{ScimError, error::ScimType};
    /// assert_eq!(ScimError::invalid_syntax("bad").scim_type(), Some(ScimType::InvalidSyntax));
    /// ```
    pub fn invalid_syntax(detail: impl Into<String>) -> Self {
        Self::bad_request(ScimType::InvalidSyntax, detail)
    }

    /// `400 invalidFilter`.
    ///
    /// ```
    /// # use scim_core::{ScimError, error::ScimType};
    /// assert_eq!(ScimError::invalid_filter("bad").scim_type(), Some(ScimType::InvalidFilter));
    /// ```
    pub fn invalid_filter(detail: impl Into<String>) -> Self {
        Self::bad_request(ScimType::InvalidFilter, detail)
    }

    /// `400 invalidPath`.
    ///
    /// ```
    /// # use scim_core::{ScimError, error::ScimType};
    /// assert_eq!(ScimError::invalid_path("bad").scim_type(), Some(ScimType::InvalidPath));
    /// ```
    pub fn invalid_path(detail: impl Into<String>) -> Self {
        Self::bad_request(ScimType::InvalidPath, detail)
    }

    /// `400 noTarget`.
    ///
    /// ```
    /// # use scim_core::{ScimError, error::ScimType};
    /// assert_eq!(ScimError::no_target("none").scim_type(), Some(ScimType::NoTarget));
    /// ```
    pub fn no_target(detail: impl Into<String>) -> Self {
        Self::bad_request(ScimType::NoTarget, detail)
    }

    /// `400 mutability`.
    ///
    /// ```
    /// # use scim_core::{ScimError, error::ScimType};
    /// assert_eq!(ScimError::mutability("id is readOnly").scim_type(), Some(ScimType::Mutability));
    /// ```
    pub fn mutability(detail: impl Into<String>) -> Self {
        Self::bad_request(ScimType::Mutability, detail)
    }

    /// `400 tooMany`.
    ///
    /// ```
    /// # use scim_core::{ScimError, error::ScimType};
    /// assert_eq!(ScimError::too_many("too many").scim_type(), Some(ScimType::TooMany));
    /// ```
    pub fn too_many(detail: impl Into<String>) -> Self {
        Self::bad_request(ScimType::TooMany, detail)
    }

    /// `409 Conflict` with `scimType` `uniqueness`.
    ///
    /// ```
    /// # use scim_core::ScimError;
    /// assert_eq!(ScimError::uniqueness("userName taken").status().as_u16(), 409);
    /// ```
    pub fn uniqueness(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, Some(ScimType::Uniqueness), detail)
    }

    /// `404 Not Found`.
    ///
    /// ```
    /// # use scim_core::ScimError;
    /// assert_eq!(ScimError::not_found("no such user").status().as_u16(), 404);
    /// ```
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, None, detail)
    }

    /// `401 Unauthorized` (rendered with `WWW-Authenticate: Bearer`).
    ///
    /// ```
    /// # use scim_core::ScimError;
    /// let r = ScimError::unauthorized("missing bearer token").to_response();
    /// assert_eq!(r.headers()["www-authenticate"], "Bearer");
    /// ```
    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, None, detail)
    }

    /// `403 Forbidden`.
    ///
    /// ```
    /// # use scim_core::ScimError;
    /// assert_eq!(ScimError::forbidden("no SCIM2 scope").status().as_u16(), 403);
    /// ```
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, None, detail)
    }

    /// `405 Method Not Allowed`, listing the allowed methods in `Allow`.
    ///
    /// ```
    /// # use scim_core::ScimError;
    /// let r = ScimError::method_not_allowed("GET, POST").to_response();
    /// assert_eq!(r.headers()["allow"], "GET, POST");
    /// ```
    pub fn method_not_allowed(allow: impl Into<String>) -> Self {
        let allow = allow.into();
        let mut e = Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            None,
            format!("method not allowed; allowed: {allow}"),
        );
        e.allow = Some(allow);
        e
    }

    /// `412 Precondition Failed` (an `If-Match` version mismatch).
    ///
    /// ```
    /// # use scim_core::ScimError;
    /// assert_eq!(ScimError::precondition_failed("stale").status().as_u16(), 412);
    /// ```
    pub fn precondition_failed(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::PRECONDITION_FAILED, None, detail)
    }

    /// `413 Payload Too Large`.
    ///
    /// ```
    /// # use scim_core::ScimError;
    /// assert_eq!(ScimError::payload_too_large("body over 1 MiB").status().as_u16(), 413);
    /// ```
    pub fn payload_too_large(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, None, detail)
    }

    /// `429 Too Many Requests` with `Retry-After` in seconds.
    ///
    /// ```
    /// # use scim_core::ScimError;
    /// let r = ScimError::too_many_requests(7).to_response();
    /// assert_eq!(r.status().as_u16(), 429);
    /// assert_eq!(r.headers()["retry-after"], "7");
    /// ```
    pub fn too_many_requests(retry_after_secs: u64) -> Self {
        let mut e = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            None,
            format!("rate limit exceeded; retry after {retry_after_secs} seconds"),
        );
        e.retry_after = Some(retry_after_secs);
        e
    }

    /// `500 Internal Server Error`. The detail is for logs; keep secrets out of it.
    ///
    /// ```
    /// # use scim_core::ScimError;
    /// assert_eq!(ScimError::internal("store unavailable").status().as_u16(), 500);
    /// ```
    pub fn internal(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, None, detail)
    }

    /// `501 Not Implemented`.
    ///
    /// ```
    /// # use scim_core::ScimError;
    /// assert_eq!(ScimError::not_implemented("/Me is not supported").status().as_u16(), 501);
    /// ```
    pub fn not_implemented(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_IMPLEMENTED, None, detail)
    }

    /// The HTTP status.
    ///
    /// ```
    /// # use scim_core::ScimError;
    /// assert_eq!(ScimError::not_found("x").status(), http::StatusCode::NOT_FOUND);
    /// ```
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The `scimType`, if any.
    ///
    /// ```
    /// # use scim_core::ScimError;
    /// assert_eq!(ScimError::not_found("x").scim_type(), None);
    /// ```
    pub fn scim_type(&self) -> Option<ScimType> {
        self.scim_type
    }

    /// The human-readable detail.
    ///
    /// ```
    /// # use scim_core::ScimError;
    /// assert_eq!(ScimError::not_found("no user 42").detail(), "no user 42");
    /// ```
    pub fn detail(&self) -> &str {
        &self.detail
    }

    /// The `Retry-After` seconds of a 429.
    ///
    /// ```
    /// # use scim_core::ScimError;
    /// assert_eq!(ScimError::too_many_requests(3).retry_after(), Some(3));
    /// ```
    pub fn retry_after(&self) -> Option<u64> {
        self.retry_after
    }

    /// Replaces the detail, keeping status and `scimType`.
    ///
    /// ```
    /// # use scim_core::ScimError;
    /// assert_eq!(ScimError::not_found("a").with_detail("b").detail(), "b");
    /// ```
    #[must_use]
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = detail.into();
        self
    }

    /// Prefixes the detail with where the error happened (`"operation 2: …"`).
    ///
    /// ```
    /// # use scim_core::ScimError;
    /// assert_eq!(ScimError::not_found("gone").context("operation 1").detail(), "operation 1: gone");
    /// ```
    #[must_use]
    pub fn context(mut self, context: impl std::fmt::Display) -> Self {
        self.detail = format!("{context}: {}", self.detail);
        self
    }

    /// The RFC 7644 §3.12 JSON body (`status` as a string).
    ///
    /// ```
    /// # use scim_core::ScimError;
    /// let json = ScimError::not_found("no user").to_json();
    /// assert_eq!(&json[..], br#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"detail":"no user","status":"404"}"#);
    /// ```
    pub fn to_json(&self) -> Bytes {
        let status = self.status.as_u16().to_string();
        let body = ErrorBody {
            schemas: [ERROR_SCHEMA],
            scim_type: self.scim_type,
            detail: &self.detail,
            status: &status,
        };
        // Serializing this struct of strings cannot fail; fall back to an empty object anyway.
        Bytes::from(serde_json::to_vec(&body).unwrap_or_else(|_| b"{}".to_vec()))
    }

    /// The JSON value of the body, for embedding (e.g. in a Bulk response).
    ///
    /// ```
    /// # use scim_core::ScimError;
    /// assert_eq!(ScimError::not_found("x").to_value()["status"], "404");
    /// ```
    pub fn to_value(&self) -> serde_json::Value {
        serde_json::from_slice(&self.to_json()).unwrap_or(serde_json::Value::Null)
    }

    /// The complete HTTP response: status, `Content-Type: application/scim+json`, body,
    /// and `WWW-Authenticate`, `Retry-After` or `Allow` where they apply.
    ///
    /// ```
    /// # use scim_core::ScimError;
    /// let r = ScimError::not_found("x").to_response();
    /// assert_eq!(r.headers()["content-type"], "application/scim+json; charset=utf-8");
    /// ```
    pub fn to_response(&self) -> Response<Bytes> {
        let mut response = Response::new(self.to_json());
        *response.status_mut() = self.status;
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(SCIM_CONTENT_TYPE),
        );
        if self.status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(secs) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if let Some(allow) = self
            .allow
            .as_deref()
            .and_then(|a| HeaderValue::from_str(a).ok())
        {
            headers.insert(header::ALLOW, allow);
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scim_type_is_spelled_as_the_rfc_spells_it() {
        let all = [
            (ScimType::InvalidFilter, "invalidFilter"),
            (ScimType::TooMany, "tooMany"),
            (ScimType::Uniqueness, "uniqueness"),
            (ScimType::Mutability, "mutability"),
            (ScimType::InvalidSyntax, "invalidSyntax"),
            (ScimType::InvalidPath, "invalidPath"),
            (ScimType::NoTarget, "noTarget"),
            (ScimType::InvalidValue, "invalidValue"),
            (ScimType::InvalidVers, "invalidVers"),
            (ScimType::Sensitive, "sensitive"),
            (ScimType::InvalidCursor, "invalidCursor"),
            (ScimType::ExpiredCursor, "expiredCursor"),
            (ScimType::InvalidCount, "invalidCount"),
        ];
        for (t, s) in all {
            assert_eq!(t.as_str(), s);
            assert_eq!(serde_json::to_value(t).ok(), Some(serde_json::json!(s)));
        }
    }

    #[test]
    fn error_body_matches_rfc_7644_section_3_12() {
        let e = ScimError::uniqueness("userName \"bjensen\" is taken");
        let v: serde_json::Value = serde_json::from_slice(&e.to_json()).unwrap_or_default();
        assert_eq!(
            v,
            serde_json::json!({
                "schemas": [ERROR_SCHEMA],
                "scimType": "uniqueness",
                "detail": "userName \"bjensen\" is taken",
                "status": "409"
            })
        );
        let r = e.to_response();
        assert_eq!(r.status(), StatusCode::CONFLICT);
        assert!(r.headers().get(header::WWW_AUTHENTICATE).is_none());
    }
}
