//! Admin sessions: a random token in an `HttpOnly`, `SameSite=Strict` cookie names a
//! session held in memory, with its CSRF token, whether the password was given, and a
//! one-time message for the next page (the new key's secret is shown once that way).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use http::HeaderMap;

/// How long a session lives without a request.
const IDLE: Duration = Duration::from_secs(60 * 60);
/// How long a session lives at most.
const LIFETIME: Duration = Duration::from_secs(12 * 60 * 60);
/// Sessions kept at most: past it, expired ones go, then the least recently used.
const MAX_SESSIONS: usize = 1024;

/// A message kept for the next page of the session.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Flash {
    /// Shown as a success (`true`) or an error.
    pub(crate) ok: bool,
    /// The text.
    pub(crate) text: String,
    /// A new key's secret, shown once.
    pub(crate) secret: Option<String>,
}

impl std::fmt::Debug for Flash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Flash")
            .field("ok", &self.ok)
            .field("text", &self.text)
            .finish_non_exhaustive()
    }
}

/// What a request's session holds.
#[derive(Debug, Clone)]
pub(crate) struct Session {
    /// The token every form of the session carries.
    pub(crate) csrf: String,
    /// Whether the admin password was given in this session.
    pub(crate) signed_in: bool,
    created: Instant,
    seen: Instant,
    flash: Option<Flash>,
}

/// The sessions of the process (lost at restart: the admin signs in again).
#[derive(Debug, Clone, Default)]
pub(crate) struct Sessions {
    inner: Arc<Mutex<HashMap<String, Session>>>,
}

impl Sessions {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Session>> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The live session named by `token`, marked as seen now.
    pub(crate) fn get(&self, token: &str) -> Option<Session> {
        let now = Instant::now();
        let mut sessions = self.lock();
        let session = sessions.get_mut(token)?;
        if expired(session, now) {
            sessions.remove(token);
            return None;
        }
        session.seen = now;
        Some(session.clone())
    }

    /// A new session and its token.
    pub(crate) fn create(&self, signed_in: bool) -> Result<(String, Session), getrandom::Error> {
        let token = random_token()?;
        let now = Instant::now();
        let session = Session {
            csrf: random_token()?,
            signed_in,
            created: now,
            seen: now,
            flash: None,
        };
        let mut sessions = self.lock();
        if sessions.len() >= MAX_SESSIONS {
            sessions.retain(|_, s| !expired(s, now));
        }
        if sessions.len() >= MAX_SESSIONS
            && let Some(oldest) = sessions
                .iter()
                .min_by_key(|(_, s)| (s.signed_in, s.seen))
                .map(|(t, _)| t.clone())
        {
            sessions.remove(&oldest);
        }
        sessions.insert(token.clone(), session.clone());
        Ok((token, session))
    }

    /// Ends the session named by `token`.
    pub(crate) fn remove(&self, token: &str) {
        self.lock().remove(token);
    }

    /// Keeps `flash` for the next page of the session.
    pub(crate) fn set_flash(&self, token: &str, flash: Flash) {
        if let Some(session) = self.lock().get_mut(token) {
            session.flash = Some(flash);
        }
    }

    /// Takes the message kept for this page, if any (it is shown once).
    pub(crate) fn take_flash(&self, token: &str) -> Option<Flash> {
        self.lock().get_mut(token)?.flash.take()
    }
}

fn expired(session: &Session, now: Instant) -> bool {
    now.duration_since(session.seen) > IDLE || now.duration_since(session.created) > LIFETIME
}

/// 32 bytes of the OS RNG, hex-encoded.
pub(crate) fn random_token() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(hex(&bytes))
}

/// Lower-case hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

/// The session cookie's settings.
#[derive(Debug, Clone)]
pub(crate) struct CookieJar {
    /// The cookie name: `__Host-` prefixed when secure (the browser then insists on
    /// `Secure`, `Path=/` and no `Domain`).
    name: &'static str,
    secure: bool,
}

impl CookieJar {
    /// `secure` when the public base URL is https.
    pub(crate) fn new(secure: bool) -> Self {
        let name = if secure {
            "__Host-scim_admin"
        } else {
            "scim_admin"
        };
        Self { name, secure }
    }

    /// The session token the request's `Cookie` headers carry, if any.
    pub(crate) fn token(&self, headers: &HeaderMap) -> Option<String> {
        headers
            .get_all(http::header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == self.name)
            .map(|(_, value)| value.to_owned())
    }

    /// The `Set-Cookie` value that stores `token`.
    pub(crate) fn set(&self, token: &str) -> String {
        let secure = if self.secure { "; Secure" } else { "" };
        format!(
            "{}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
            self.name,
            LIFETIME.as_secs()
        )
    }

    /// The `Set-Cookie` value that deletes the cookie.
    pub(crate) fn clear(&self) -> String {
        let secure = if self.secure { "; Secure" } else { "" };
        format!(
            "{}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}",
            self.name
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_is_http_only_strict_and_secure_over_https() {
        let plain = CookieJar::new(false).set("t");
        assert!(plain.starts_with("scim_admin=t;"));
        assert!(plain.contains("HttpOnly") && plain.contains("SameSite=Strict"));
        assert!(!plain.contains("Secure"));
        let secure = CookieJar::new(true).set("t");
        assert!(secure.starts_with("__Host-scim_admin=t;") && secure.ends_with("; Secure"));
    }

    #[test]
    fn the_token_is_read_among_other_cookies() {
        let jar = CookieJar::new(false);
        let mut headers = HeaderMap::new();
        headers.insert("cookie", "a=1; scim_admin=abc; b=2".parse().unwrap());
        assert_eq!(jar.token(&headers).as_deref(), Some("abc"));
        assert_eq!(CookieJar::new(true).token(&headers), None);
    }

    #[test]
    fn a_flash_is_shown_once_and_sessions_end() {
        let sessions = Sessions::default();
        let (token, session) = sessions.create(true).unwrap();
        assert_eq!(session.csrf.len(), 64);
        assert_ne!(token, session.csrf);
        let flash = Flash {
            ok: true,
            text: "made".into(),
            secret: Some("s".into()),
        };
        sessions.set_flash(&token, flash.clone());
        assert_eq!(sessions.take_flash(&token), Some(flash));
        assert_eq!(sessions.take_flash(&token), None);
        sessions.remove(&token);
        assert!(sessions.get(&token).is_none());
    }

    #[test]
    fn the_session_count_is_capped() {
        let sessions = Sessions::default();
        let (kept, _) = sessions.create(true).unwrap();
        for _ in 0..MAX_SESSIONS + 10 {
            sessions.create(false).unwrap();
        }
        assert!(sessions.lock().len() <= MAX_SESSIONS);
        assert!(sessions.get(&kept).is_some(), "signed-in sessions go last");
    }
}
