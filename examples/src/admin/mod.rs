//! The tenant admin pages of the example server, mounted at `/admin/`: sign in with the
//! admin password, list and open tenants, each tenant's read-only "SCIM2 Configuration"
//! and its "API Key Management".
//!
//! Plain server-rendered HTML (askama templates in `examples/templates/admin/`), one
//! stylesheet and one small script (copy buttons) served by the process itself. Every
//! URL and figure comes from the running [`ScimServer`]; keys are created, listed and
//! revoked through its [`ApiKeyStore`](scim_core::ApiKeyStore), so a key made here works
//! against the SCIM API at once, and a revoked one is refused at once.
//!
//! Sessions live in memory: an `HttpOnly`, `SameSite=Strict` cookie (`Secure` when the
//! public base URL is https), a CSRF token in every form, wrong passwords limited to
//! [`MAX_FAILURES`](login::MAX_FAILURES) a minute per client address.

mod login;
mod pages;
mod routes;
mod session;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use axum::Router;
use scim_core::ScimServer;

use self::login::{FailureLimiter, Password};
use self::session::{CookieJar, Sessions};

/// The admin pages' settings and state; cheap to clone.
///
/// ```
/// use scim_examples::{AdminPages, Options, build};
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let (server, _) = build(&Options::default()).await?;
/// let admin = AdminPages::new(server, "correct horse", "https://scim.example.com/scim/v2");
/// let _router: axum::Router = admin.router();
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct AdminPages {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for AdminPages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdminPages")
            .field("base_url", &self.inner.base_url)
            .finish_non_exhaustive()
    }
}

struct Inner {
    server: ScimServer,
    base_url: String,
    password: Password,
    sessions: Sessions,
    cookies: CookieJar,
    failures: FailureLimiter,
}

impl AdminPages {
    /// The pages of `server`, signed in with `password`; `base_url` is the public URL up
    /// to the tenant segment (the pages show it, and an https one makes the session
    /// cookie `Secure`).
    ///
    /// ```
    /// # use scim_examples::AdminPages;
    /// # use scim_core::{InMemoryStore, ScimServer};
    /// let server = ScimServer::builder().store(InMemoryStore::new()).build()?;
    /// let admin = AdminPages::new(server, "pw", "http://127.0.0.1:8080/scim/v2");
    /// assert!(format!("{admin:?}").contains("127.0.0.1:8080"));
    /// # Ok::<(), scim_core::BuildError>(())
    /// ```
    pub fn new(server: ScimServer, password: &str, base_url: impl Into<String>) -> Self {
        let base_url = base_url.into().trim_end_matches('/').to_owned();
        let secure = base_url.starts_with("https://");
        Self {
            inner: Arc::new(Inner {
                server,
                password: Password::new(password),
                sessions: Sessions::default(),
                cookies: CookieJar::new(secure),
                failures: FailureLimiter::default(),
                base_url,
            }),
        }
    }

    /// The routes, all under `/admin`: merge them into the app.
    ///
    /// ```
    /// use scim_examples::{AdminPages, Options, build};
    /// use tower::ServiceExt;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let (server, _) = build(&Options::default()).await?;
    /// let app = AdminPages::new(server, "pw", "http://h/scim/v2").router();
    /// let request = axum::extract::Request::get("/admin/tenants").body(axum::body::Body::empty())?;
    /// let response = app.oneshot(request).await?;
    /// assert_eq!(response.status(), 303); // no session: to the sign-in page
    /// assert_eq!(response.headers()["location"], "/admin/");
    /// # Ok(())
    /// # }
    /// ```
    pub fn router(&self) -> Router {
        routes::router(self.clone())
    }
}

/// A fresh admin password from the OS RNG (128 bits, hex), for a server started without
/// `--admin-password`.
///
/// ```
/// let password = scim_examples::generate_admin_password()?;
/// assert_eq!(password.len(), 32);
/// assert_ne!(password, scim_examples::generate_admin_password()?);
/// # Ok::<(), getrandom::Error>(())
/// ```
pub fn generate_admin_password() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)?;
    Ok(session::hex(&bytes))
}

/// The admin password given with `--admin-password`; its `Debug` output hides it.
///
/// ```
/// use scim_examples::AdminPassword;
/// let password = AdminPassword::new("hunter2");
/// assert_eq!(password.as_str(), "hunter2");
/// assert!(!format!("{password:?}").contains("hunter2"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct AdminPassword(String);

impl AdminPassword {
    /// Wraps `password`.
    ///
    /// ```
    /// assert_eq!(scim_examples::AdminPassword::new("pw").as_str(), "pw");
    /// ```
    pub fn new(password: impl Into<String>) -> Self {
        Self(password.into())
    }

    /// The password.
    ///
    /// ```
    /// assert_eq!(scim_examples::AdminPassword::new("pw").as_str(), "pw");
    /// ```
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for AdminPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AdminPassword(<redacted>)")
    }
}
