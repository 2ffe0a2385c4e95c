//! Passwords (RFC 7643 §4.1.1 `password`, §7 `writeOnly`): the [`PasswordHasher`] hook the
//! engine hands every clear-text password to before the store sees it, and
//! `Argon2Hasher`, the default one (feature `argon2`).
//!
//! Which values are passwords follows the schema: every `string` attribute whose
//! mutability is `writeOnly` (RFC 7643 §7: such values are never returned, "e.g., because
//! the value is a stored hash"), which for the built-in schemas is `User.password`. With
//! a hasher configured (`ScimServerBuilder::password_hasher`):
//!
//! - `POST`, `PUT`, `PATCH` (every shape: `"path": "password"`, a path-less value with a
//!   `password` key, a URN-qualified path) and Bulk operations reach the store with the
//!   hash in place of the clear text;
//! - `/ServiceProviderConfig` answers `changePassword.supported: true`.
//!
//! Without one, `changePassword.supported` is `false`; a password inside a full
//! representation (`POST`, `PUT`) is dropped, never stored (Okta sends a placeholder
//! password on every create, even with password sync off), and a `PATCH` that sets one is
//! `400 mutability`.
//!
//! Either way a password is never returned, never usable in `filter` or `sortBy`
//! (`returned: never`), and a `PUT` without one keeps the stored hash (RFC 7644 §3.5.1: the
//! client cannot send back what it cannot read; every [`ResourceStore`] does this).
//!
//! [`ResourceStore`]: crate::ResourceStore

#[cfg(feature = "argon2")]
mod argon2;
#[cfg(feature = "argon2")]
mod threads;

#[cfg(feature = "argon2")]
pub use self::argon2::Argon2Hasher;

use async_trait::async_trait;

/// Turns a clear-text password into what the store keeps (a salted, slow hash such as a
/// PHC string `$argon2id$v=19$…`). The engine calls it for every password a request
/// carries; the store never sees the clear text.
///
/// Hashing is deliberately expensive (tens of milliseconds of CPU): an implementation
/// must not run it on the caller's async worker thread. `password::Argon2Hasher` runs it on a
/// small pool of its own threads, which also bounds the memory hashing takes; a host app
/// on tokio may use `spawn_blocking` (bound it with a semaphore if its hash is
/// memory-hard). A closure
/// `Fn(String) -> impl Future<Output = Result<String, PasswordError>>` is a hasher too
/// (handy for tests, or to call the host's own password code):
///
/// ```
/// use scim_core::{PasswordHasher, password::PasswordError};
/// // For tests only: a "hash" that is not one.
/// let reversed = |password: String| async move {
///     Ok::<_, PasswordError>(format!("test${}", password.chars().rev().collect::<String>()))
/// };
/// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
/// assert_eq!(rt.block_on(reversed.hash("abc")).unwrap(), "test$cba");
/// ```
///
/// A host app with a password scheme of its own (the one its login verifies) wraps it
/// the same way, off the async workers; on tokio:
///
/// ```
/// use scim_core::{InMemoryStore, ScimServer, password::PasswordError};
/// /// The host's own (blocking, expensive) hashing function.
/// fn hash_for_our_login(password: &str) -> String {
///     format!("our-scheme${}", password.len())
/// }
/// let server = ScimServer::builder()
///     .store(InMemoryStore::new())
///     .password_hasher(|password: String| async move {
///         tokio::task::spawn_blocking(move || hash_for_our_login(&password))
///             .await
///             .map_err(|e| PasswordError::Failed(e.to_string()))
///     })
///     .build();
/// assert!(server.is_ok());
/// ```
#[async_trait]
pub trait PasswordHasher: Send + Sync + 'static {
    /// The stored form of `password`. An error becomes a `500` whose detail never
    /// carries the password.
    async fn hash(&self, password: &str) -> Result<String, PasswordError>;
}

#[async_trait]
impl<F, Fut> PasswordHasher for F
where
    F: Fn(String) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<String, PasswordError>> + Send + 'static,
{
    async fn hash(&self, password: &str) -> Result<String, PasswordError> {
        self(password.to_owned()).await
    }
}

/// Why a password could not be hashed or verified. No variant carries the password.
///
/// ```
/// use scim_core::password::PasswordError;
/// let err = PasswordError::InvalidHash("not a PHC string".into());
/// assert!(err.to_string().contains("not a PHC string"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PasswordError {
    /// The stored hash cannot be read (not a PHC string of a known algorithm).
    #[error("the stored password hash is not valid: {0}")]
    InvalidHash(String),
    /// The hashing parameters are out of range.
    #[error("invalid password hashing parameters: {0}")]
    InvalidParams(String),
    /// Hashing failed (no randomness for the salt, no thread to run on, …).
    #[error("password hashing failed: {0}")]
    Failed(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs a future on a fresh current-thread runtime.
    pub(super) fn block_on<F: Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(future)
    }

    #[test]
    fn a_closure_is_a_hasher() {
        let hasher: std::sync::Arc<dyn PasswordHasher> =
            std::sync::Arc::new(|p: String| async move {
                if p.is_empty() {
                    Err(PasswordError::Failed("empty".into()))
                } else {
                    Ok(format!("h:{}", p.len()))
                }
            });
        assert_eq!(block_on(hasher.hash("secret")).unwrap(), "h:6");
        let err = block_on(hasher.hash("")).unwrap_err();
        assert_eq!(err.to_string(), "password hashing failed: empty");
    }
}
