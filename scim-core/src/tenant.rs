//! The syntax of a tenant id, the `{tenant_id}` segment of `/scim/v2/{tenant_id}`.
//!
//! The engine refuses any other segment with `404` before it authenticates, counts or
//! stores anything for it, so a caller cannot create per-tenant state (rate-limit
//! buckets, log fields) with made-up segments of any size. Host apps validate the ids
//! they hand out with the same function.

/// The longest tenant id, in bytes: room for a UUID, a ULID or a readable slug.
pub const MAX_TENANT_ID_LEN: usize = 64;

/// Why a string is not a tenant id.
///
/// ```
/// use scim_core::tenant::{TenantIdError, validate_tenant_id};
/// assert_eq!(validate_tenant_id(""), Err(TenantIdError::Empty));
/// assert!(TenantIdError::Empty.to_string().contains("empty"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TenantIdError {
    /// The id is empty.
    #[error("a tenant id must not be empty")]
    Empty,
    /// The id is longer than [`MAX_TENANT_ID_LEN`] bytes.
    #[error("a tenant id has at most {MAX_TENANT_ID_LEN} characters")]
    TooLong,
    /// The id holds a character other than ASCII letters, digits, `-`, `_` and `.`, or
    /// does not start with a letter or a digit.
    #[error(
        "a tenant id holds only ASCII letters, digits, '-', '_' and '.', and starts with a \
         letter or a digit"
    )]
    InvalidCharacter,
}

/// Checks that `id` is a tenant id: 1 to [`MAX_TENANT_ID_LEN`] ASCII letters, digits,
/// `-`, `_` or `.`, starting with a letter or a digit (so `.` and `..` are not ids, and
/// no id needs escaping in a URL, a file name or a log line).
///
/// ```
/// use scim_core::tenant::validate_tenant_id;
/// assert!(validate_tenant_id("acme").is_ok());
/// assert!(validate_tenant_id("3f1c9a2e-6b1d-4c36-9a0e-7f7d2b0c5e11").is_ok());
/// assert!(validate_tenant_id("acme/corp").is_err());
/// assert!(validate_tenant_id("..").is_err());
/// assert!(validate_tenant_id(&"a".repeat(65)).is_err());
/// ```
pub fn validate_tenant_id(id: &str) -> Result<(), TenantIdError> {
    let Some(first) = id.bytes().next() else {
        return Err(TenantIdError::Empty);
    };
    if id.len() > MAX_TENANT_ID_LEN {
        return Err(TenantIdError::TooLong);
    }
    let allowed = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.');
    if !first.is_ascii_alphanumeric() || !id.bytes().all(allowed) {
        return Err(TenantIdError::InvalidCharacter);
    }
    Ok(())
}

/// Whether `id` is a tenant id (see [`validate_tenant_id`]).
///
/// ```
/// assert!(scim_core::tenant::is_valid_tenant_id("globex"));
/// assert!(!scim_core::tenant::is_valid_tenant_id("a b"));
/// ```
pub fn is_valid_tenant_id(id: &str) -> bool {
    validate_tenant_id(id).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_syntax() {
        for ok in [
            "a",
            "A9",
            "acme.eu-1",
            "t_1",
            &"x".repeat(MAX_TENANT_ID_LEN),
        ] {
            assert_eq!(validate_tenant_id(ok), Ok(()), "{ok}");
        }
        for (bad, why) in [
            ("", TenantIdError::Empty),
            (".", TenantIdError::InvalidCharacter),
            ("..", TenantIdError::InvalidCharacter),
            ("-a", TenantIdError::InvalidCharacter),
            ("_a", TenantIdError::InvalidCharacter),
            ("a/b", TenantIdError::InvalidCharacter),
            ("a b", TenantIdError::InvalidCharacter),
            ("a%2F", TenantIdError::InvalidCharacter),
            ("ä", TenantIdError::InvalidCharacter),
            ("a\0", TenantIdError::InvalidCharacter),
        ] {
            assert_eq!(validate_tenant_id(bad), Err(why), "{bad:?}");
        }
        let long = "x".repeat(MAX_TENANT_ID_LEN + 1);
        assert_eq!(validate_tenant_id(&long), Err(TenantIdError::TooLong));
    }
}
