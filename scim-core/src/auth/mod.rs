//! Authentication: the [`Principal`] a request acts as.

use crate::error::ScimError;

/// The scope a key needs to use the SCIM endpoints.
pub const SCIM2_SCOPE: &str = "SCIM2";

/// Who a request acts as: the tenant it belongs to and the scopes it holds.
///
/// ```
/// use scim_core::Principal;
/// let p = Principal::new("acme", ["SCIM2"]);
/// assert!(p.has_scope("scim2") && p.tenant == "acme");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Principal {
    /// The tenant the principal belongs to.
    pub tenant: String,
    /// Granted scopes, e.g. `SCIM2`.
    pub scopes: Vec<String>,
    /// A label for logs (a key's label or the host app's user id); never a secret.
    pub label: String,
}

impl Principal {
    /// A principal of `tenant` with `scopes` and an empty label.
    ///
    /// ```
    /// # use scim_core::Principal;
    /// assert_eq!(Principal::new("t", ["SCIM2"]).scopes, ["SCIM2"]);
    /// ```
    pub fn new<I, S>(tenant: impl Into<String>, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self {
            tenant: tenant.into(),
            scopes: scopes.into_iter().map(Into::into).collect(),
            label: String::new(),
        }
    }

    /// Sets the label.
    ///
    /// ```
    /// # use scim_core::Principal;
    /// assert_eq!(Principal::new("t", ["SCIM2"]).with_label("okta").label, "okta");
    /// ```
    #[must_use]
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    /// Whether the principal holds `scope` (compared case-insensitively).
    ///
    /// ```
    /// # use scim_core::Principal;
    /// assert!(!Principal::new("t", ["read"]).has_scope("SCIM2"));
    /// ```
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s.eq_ignore_ascii_case(scope))
    }
}

/// Resolves a bearer token to a [`Principal`].
///
/// Answer `Ok(None)` for an unknown or revoked token (the engine answers `401`), and an
/// error only when the lookup itself failed (e.g. the database is down). A closure
/// `Fn(String) -> impl Future<Output = Result<Option<Principal>, ScimError>>` is an
/// authenticator too.
///
/// ```
/// use scim_core::{Authenticator, Principal, ScimError};
/// let auth = |token: String| async move {
///     Ok::<_, ScimError>((token == "s3cret").then(|| Principal::new("acme", ["SCIM2"])))
/// };
/// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
/// let who = rt.block_on(auth.authenticate("s3cret")).unwrap();
/// assert_eq!(who.unwrap().tenant, "acme");
/// ```
#[async_trait::async_trait]
pub trait Authenticator: Send + Sync + 'static {
    /// The principal `token` (the part after `Bearer `) stands for, if any.
    async fn authenticate(&self, token: &str) -> Result<Option<Principal>, ScimError>;
}

#[async_trait::async_trait]
impl<F, Fut> Authenticator for F
where
    F: Fn(String) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Option<Principal>, ScimError>> + Send + 'static,
{
    async fn authenticate(&self, token: &str) -> Result<Option<Principal>, ScimError> {
        self(token.to_owned()).await
    }
}

/// Which resource `/Me` stands for: the host app maps an authenticated principal to the
/// resource type (e.g. `User`) and id of its own resource (RFC 7644 §3.11). Without one,
/// `/Me` answers `501 Not Implemented`.
///
/// A closure `Fn(Principal) -> impl Future<Output = Option<(String, String)>>` is a resolver.
///
/// ```
/// use scim_core::{MeResolver, Principal};
/// let me = |p: Principal| async move { Some(("User".to_owned(), p.label)) };
/// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
/// let target = rt.block_on(me.resolve(&Principal::new("acme", ["SCIM2"]).with_label("42")));
/// assert_eq!(target, Some(("User".to_owned(), "42".to_owned())));
/// ```
#[async_trait::async_trait]
pub trait MeResolver: Send + Sync + 'static {
    /// The resource type name and id of `principal`'s own resource, if it has one.
    async fn resolve(&self, principal: &Principal) -> Option<(String, String)>;
}

#[async_trait::async_trait]
impl<F, Fut> MeResolver for F
where
    F: Fn(Principal) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Option<(String, String)>> + Send + 'static,
{
    async fn resolve(&self, principal: &Principal) -> Option<(String, String)> {
        self(principal.clone()).await
    }
}

mod api_keys;

pub use api_keys::{
    API_KEY_PREFIX, ApiKeyError, ApiKeyInfo, ApiKeyStorage, ApiKeyStore, MAX_LABEL_CHARS,
    MAX_SCOPES, MemoryKeyStorage, NewApiKey, StoredApiKey, hash_secret,
};

#[cfg(test)]
mod principal_tests {
    use super::*;

    /// The scope a key must carry is compared ignoring case, and a key without it is
    /// refused: this is what separates a SCIM key from a read-only one.
    #[test]
    fn a_principal_holds_only_its_own_scopes_in_any_case() {
        let okta = Principal::new("acme", ["scim2", "read"]);
        assert!(okta.has_scope("SCIM2") && okta.has_scope("Read"));
        assert!(!okta.has_scope("write"));
        assert!(!Principal::new("acme", Vec::<String>::new()).has_scope("SCIM2"));
    }

    /// A closure is an authenticator and a `/Me` resolver: its answer is the engine's.
    #[tokio::test]
    async fn closures_answer_for_authenticators_and_me_resolvers() {
        let auth = |token: String| async move {
            Ok::<_, ScimError>((token == "k").then(|| Principal::new("acme", ["SCIM2"])))
        };
        let who = auth.authenticate("k").await.ok().flatten();
        assert_eq!(who.map(|p| p.tenant), Some("acme".to_owned()));
        assert!(matches!(auth.authenticate("other").await, Ok(None)));
        let me = |p: Principal| async move { Some(("User".to_owned(), p.label)) };
        let principal = Principal::new("acme", ["SCIM2"]).with_label("u-1");
        assert_eq!(
            me.resolve(&principal).await,
            Some(("User".to_owned(), "u-1".to_owned()))
        );
    }
}
