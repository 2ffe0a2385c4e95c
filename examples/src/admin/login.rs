//! The admin password: compared in constant time, wrong guesses limited per client.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Wrong passwords allowed per client address within [`WINDOW`].
pub(crate) const MAX_FAILURES: usize = 5;
/// The window of [`MAX_FAILURES`].
pub(crate) const WINDOW: Duration = Duration::from_secs(60);
/// Client addresses tracked at most (older entries are dropped past it).
const MAX_CLIENTS: usize = 10_000;

/// The admin password, kept as its SHA-256 digest so that comparing takes the same
/// time whatever the guess and whatever its length.
#[derive(Clone)]
pub(crate) struct Password {
    digest: [u8; 32],
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

impl Password {
    pub(crate) fn new(password: &str) -> Self {
        Self {
            digest: Sha256::digest(password.as_bytes()).into(),
        }
    }

    /// Whether `guess` is the password (constant time).
    pub(crate) fn matches(&self, guess: &str) -> bool {
        let guess: [u8; 32] = Sha256::digest(guess.as_bytes()).into();
        self.digest.ct_eq(&guess).into()
    }
}

/// Wrong passwords per client address in the last [`WINDOW`].
#[derive(Debug, Clone, Default)]
pub(crate) struct FailureLimiter {
    failures: Arc<Mutex<HashMap<IpAddr, Vec<Instant>>>>,
}

impl FailureLimiter {
    /// `None` when `client` may try a password now; else how long it must wait.
    pub(crate) fn wait(&self, client: IpAddr) -> Option<Duration> {
        let now = Instant::now();
        let mut failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        let times = failures.get_mut(&client)?;
        times.retain(|at| now.duration_since(*at) < WINDOW);
        if times.len() < MAX_FAILURES {
            return None;
        }
        let oldest = times.iter().min().copied()?;
        Some(WINDOW.saturating_sub(now.duration_since(oldest)))
    }

    /// Records a wrong password from `client`.
    pub(crate) fn fail(&self, client: IpAddr) {
        let now = Instant::now();
        let mut failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        if failures.len() >= MAX_CLIENTS {
            failures.retain(|_, times| {
                times.retain(|at| now.duration_since(*at) < WINDOW);
                !times.is_empty()
            });
        }
        if failures.len() >= MAX_CLIENTS && !failures.contains_key(&client) {
            // Still full of live entries: forget one rather than grow without bound.
            if let Some(any) = failures.keys().next().copied() {
                failures.remove(&any);
            }
        }
        failures.entry(client).or_default().push(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_password_matches() {
        let password = Password::new("hunter2");
        assert!(password.matches("hunter2"));
        assert!(!password.matches("hunter3"));
        assert!(!password.matches(""));
        assert!(!format!("{password:?}").contains("hunter2"));
    }

    #[test]
    fn the_sixth_wrong_password_within_a_minute_waits() {
        let limiter = FailureLimiter::default();
        let client: IpAddr = [127, 0, 0, 1].into();
        let other: IpAddr = [127, 0, 0, 2].into();
        for _ in 0..MAX_FAILURES {
            assert_eq!(limiter.wait(client), None);
            limiter.fail(client);
        }
        let wait = limiter.wait(client).unwrap();
        assert!(wait > Duration::ZERO && wait <= WINDOW);
        assert_eq!(limiter.wait(other), None, "other clients are not affected");
    }
}
