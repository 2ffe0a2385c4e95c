//! Starting beside other instances on one SQLite file.
//!
//! Two connections that open a new file and switch it to WAL at the same moment can
//! deadlock on the file lock; SQLite then answers "database is locked" at once instead
//! of waiting out its busy timeout. Nothing was written, so the step is simply run
//! again until the other instance is done.

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

/// How long a start keeps retrying a busy database before it reports the error.
const PATIENCE: Duration = Duration::from_secs(15);

/// Whether `e` is SQLite's `SQLITE_BUSY` or `SQLITE_LOCKED`, in any extended form.
pub(super) fn is_busy(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .and_then(|d| d.code())
        .and_then(|code| code.parse::<i32>().ok())
        .is_some_and(|code| matches!(code & 0xff, 5 | 6))
}

/// Runs `step` until it succeeds, fails for another reason, or [`PATIENCE`] runs out.
pub(super) async fn retry_while_busy<T, F, Fut>(mut step: F) -> Result<T, sqlx::Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, sqlx::Error>>,
{
    let deadline = Instant::now() + PATIENCE;
    let mut pause = Duration::from_millis(5);
    loop {
        match step().await {
            Err(e) if is_busy(&e) && Instant::now() + pause < deadline => {
                tracing::debug!(error = %e, "SQLite busy while starting; retrying");
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_millis(250));
            }
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    #[derive(Debug)]
    struct Coded(&'static str);

    impl std::fmt::Display for Coded {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "code {}", self.0)
        }
    }

    impl std::error::Error for Coded {}

    impl sqlx::error::DatabaseError for Coded {
        fn message(&self) -> &str {
            "coded"
        }
        fn code(&self) -> Option<std::borrow::Cow<'_, str>> {
            Some(self.0.into())
        }
        fn as_error(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
            self
        }
        fn as_error_mut(&mut self) -> &mut (dyn std::error::Error + Send + Sync + 'static) {
            self
        }
        fn into_error(self: Box<Self>) -> Box<dyn std::error::Error + Send + Sync + 'static> {
            self
        }
        fn kind(&self) -> sqlx::error::ErrorKind {
            sqlx::error::ErrorKind::Other
        }
    }

    fn coded(code: &'static str) -> sqlx::Error {
        sqlx::Error::Database(Box::new(Coded(code)))
    }

    #[test]
    fn busy_and_locked_in_every_extended_form_are_busy() {
        // SQLITE_BUSY, SQLITE_LOCKED, SQLITE_BUSY_SNAPSHOT (517), SQLITE_LOCKED_SHAREDCACHE (262).
        for code in ["5", "6", "517", "262"] {
            assert!(is_busy(&coded(code)), "{code}");
        }
        // SQLITE_CONSTRAINT, a PostgreSQL SQLSTATE, and an error without a code.
        for code in ["19", "40P01"] {
            assert!(!is_busy(&coded(code)), "{code}");
        }
        assert!(!is_busy(&sqlx::Error::PoolTimedOut));
    }

    #[tokio::test(start_paused = true)]
    async fn a_busy_step_runs_again_until_it_succeeds() {
        let calls = AtomicU32::new(0);
        let result = retry_while_busy(|| async {
            match calls.fetch_add(1, Ordering::SeqCst) {
                0..=2 => Err(coded("5")),
                _ => Ok("started"),
            }
        })
        .await;
        assert_eq!(result.ok(), Some("started"));
        assert_eq!(calls.load(Ordering::SeqCst), 4);
    }

    #[tokio::test(start_paused = true)]
    async fn another_error_is_reported_at_once() {
        let calls = AtomicU32::new(0);
        let result: Result<(), _> = retry_while_busy(|| async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(coded("19"))
        })
        .await;
        assert!(result.is_err());
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn a_database_busy_for_good_is_reported_after_the_patience() {
        let started = Instant::now();
        let result: Result<(), _> = retry_while_busy(|| async { Err(coded("5")) }).await;
        assert!(result.as_ref().is_err_and(is_busy));
        let waited = started.elapsed();
        assert!(waited <= PATIENCE, "{waited:?}");
        assert!(
            waited >= PATIENCE - Duration::from_millis(500),
            "{waited:?}"
        );
    }
}
