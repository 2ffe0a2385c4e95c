//! Serving the app on a TCP listener the way an internet-facing server must: every
//! connection has a deadline for whatever it is doing, the number of connections is
//! capped, and shutdown ends within a deadline.
//!
//! `axum::serve` has none of this (no timeouts, no cap, a graceful shutdown that waits for
//! every connection forever), so the example serves hyper connections itself. The pieces:
//! [`ConnectionLimits`] (the settings), [`serve`] (the accept loop, the cap and shutdown),
//! `connection` (one connection's clock and task) and `exchange` (one request: head limits
//! and the body deadline).

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use std::convert::Infallible;

use axum::extract::Request;
use axum::response::Response;
use tokio::net::TcpListener;
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore, watch};
use tokio::task::JoinSet;
use tower::Service;

use crate::connection::{self, Activity};

/// What [`serve`] serves: an axum app as a tower service, such as a [`axum::Router`] or
/// the [`app`](crate::app) (a router with the SCIM API in front of it).
///
/// ```
/// use scim_examples::{AppService, Options, app, build};
/// fn servable(_: impl AppService) {}
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// servable(axum::Router::new());
/// let (server, _) = build(&Options::default()).await?;
/// servable(app(server));
/// # Ok(())
/// # }
/// ```
pub trait AppService:
    Service<Request, Response = Response, Error = Infallible, Future: Send + 'static>
    + Clone
    + Send
    + Sync
    + 'static
{
}

impl<T> AppService for T where
    T: Service<Request, Response = Response, Error = Infallible, Future: Send + 'static>
        + Clone
        + Send
        + Sync
        + 'static
{
}

/// How long connections may take over each thing they do, how many there may be, and how
/// long shutdown may take. The defaults suit a SCIM endpoint reached by identity providers
/// directly or through a proxy.
///
/// ```
/// use std::time::Duration;
/// use scim_examples::ConnectionLimits;
/// let limits = ConnectionLimits::default();
/// assert_eq!(limits.header_timeout, Duration::from_secs(10));
/// assert_eq!(limits.keep_alive_timeout, Duration::from_secs(75));
/// assert_eq!(limits.max_connections, 512);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// Connections served at once. At the cap, a new connection closes the one that has
    /// waited longest without a request in flight (idle, or still sending its head); when
    /// every connection has a request in flight, new ones wait in the listen backlog. Keep
    /// it well under the process's file-descriptor limit (`ulimit -n`).
    pub max_connections: usize,
    /// Time for a complete request head, from the connection's opening or from the first
    /// byte after an idle spell. Slowloris clients are closed after it.
    pub header_timeout: Duration,
    /// Time for a complete request body, from the end of its head: a total, so a body
    /// trickled byte by byte does not reset it. The client gets `408` with a SCIM error.
    pub body_timeout: Duration,
    /// Time for a whole exchange, from the end of the head to the last response byte
    /// handed to the socket: bounds handlers and clients that do not read their response.
    pub request_timeout: Duration,
    /// Time an idle keep-alive connection is kept. Longer than a proxy's own upstream idle
    /// timeout (nginx 60 s, AWS ALB 60 s), so the proxy never reuses a connection the
    /// server is closing.
    pub keep_alive_timeout: Duration,
    /// Time requests in flight get to finish after SIGTERM or Ctrl-C; connections still
    /// open then are closed.
    pub shutdown_timeout: Duration,
    /// The request line and header fields together, in bytes; larger heads get `414` or
    /// `431` with a SCIM error (up to four times this; hyper closes beyond).
    pub max_header_bytes: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            max_connections: 512,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            request_timeout: Duration::from_secs(60),
            keep_alive_timeout: Duration::from_secs(75),
            shutdown_timeout: Duration::from_secs(10),
            max_header_bytes: 16 * 1024,
        }
    }
}

/// Serves `app` on `listener` over HTTP/1.1 within `limits`, until `shutdown` resolves;
/// then stops accepting, lets requests in flight finish for up to
/// [`ConnectionLimits::shutdown_timeout`], and closes what is left. Returns the number of
/// connections closed at that deadline.
///
/// HTTP/2 is not served: identity providers reach a SCIM endpoint over HTTPS, and the TLS
/// terminator in front speaks HTTP/1.1 to it; cleartext HTTP/2 would only add a way for
/// one connection to hold many requests.
///
/// ```
/// use scim_examples::{ConnectionLimits, Options, app, build, serve};
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let (server, _) = build(&Options::parse(["--api-key", "acme:secret"])?).await?;
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
/// // Stops at once here; a real server passes a signal (Ctrl-C, SIGTERM).
/// let forced = serve(listener, app(server), ConnectionLimits::default(), async {}).await;
/// assert_eq!(forced, 0);
/// # Ok(())
/// # }
/// ```
pub async fn serve(
    listener: TcpListener,
    app: impl AppService,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()>,
) -> usize {
    let limits = Arc::new(limits);
    let slots = Arc::new(Semaphore::new(
        limits.max_connections.clamp(1, Semaphore::MAX_PERMITS),
    ));
    let live = Arc::new(LiveConnections::default());
    let (stop, stopped) = watch::channel(false);
    let mut tasks = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            () = &mut shutdown => break,
            Some(_) = tasks.join_next(), if !tasks.is_empty() => continue,
            accepted = listener.accept() => accepted,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(err) if is_per_connection(&err) => continue,
            Err(err) => {
                // Out of file descriptors or memory: back off instead of spinning.
                tracing::warn!("accept failed: {err}; retrying in 100 ms");
                tokio::select! {
                    () = &mut shutdown => break,
                    () = tokio::time::sleep(Duration::from_millis(100)) => continue,
                }
            }
        };
        let permit = tokio::select! {
            () = &mut shutdown => break,
            permit = admit(&slots, &live) => permit,
        };
        let registration = live.register();
        let activity = Arc::clone(&registration.activity);
        let (app, limits, stopped) = (app.clone(), Arc::clone(&limits), stopped.clone());
        tasks.spawn(async move {
            let _registration = registration;
            connection::serve_tcp(stream, peer, app, limits, activity, permit, stopped).await;
        });
    }
    drop(listener);
    stop.send_replace(true);
    let open = tasks.len();
    let drained = tokio::time::timeout(limits.shutdown_timeout, async {
        while tasks.join_next().await.is_some() {}
    })
    .await;
    if drained.is_ok() {
        tracing::info!("{open} connections drained");
        return 0;
    }
    let forced = tasks.len();
    tracing::warn!(
        "{forced} connections still open {:?} after shutdown began: closing them",
        limits.shutdown_timeout
    );
    tasks.shutdown().await;
    forced
}

/// Errors of one incoming connection (it went away before we took it), not of the
/// listener.
fn is_per_connection(err: &std::io::Error) -> bool {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    matches!(
        err.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    )
}

/// How long an evicted connection may take to close before another is evicted instead.
const EVICTION_GRACE: Duration = Duration::from_secs(1);

/// A slot for a connection just accepted: a free one, or the one of the connection that
/// has waited longest without a request in flight (it is closed), or else the first slot
/// to come free. Until then the accept loop waits, so further clients queue in the kernel.
async fn admit(slots: &Arc<Semaphore>, live: &LiveConnections) -> OwnedSemaphorePermit {
    loop {
        if let Ok(permit) = Arc::clone(slots).try_acquire_owned() {
            return permit;
        }
        let evicted = live.evict_oldest();
        tokio::select! {
            permit = Arc::clone(slots).acquire_owned() => match permit {
                Ok(permit) => return permit,
                // Never closed; if it were, wait for shutdown rather than spin.
                Err(_) => std::future::pending::<()>().await,
            },
            // Nobody could be evicted: try again when someone becomes idle.
            () = live.became_evictable.notified(), if !evicted => {}
            // The evicted connection is still handing its last response to a client that
            // reads slowly (it closes once that is done): pick another.
            () = tokio::time::sleep(EVICTION_GRACE), if evicted => {}
        }
    }
}

/// The connections being served, for eviction at the cap.
#[derive(Debug, Default)]
struct LiveConnections {
    by_id: Mutex<HashMap<u64, Arc<Activity>>>,
    next_id: AtomicU64,
    became_evictable: Arc<Notify>,
}

impl LiveConnections {
    fn register(self: &Arc<Self>) -> Registration {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let activity = Arc::new(Activity::new(Arc::clone(&self.became_evictable)));
        self.connections().insert(id, Arc::clone(&activity));
        Registration {
            live: Arc::clone(self),
            id,
            activity,
        }
    }

    fn connections(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Arc<Activity>>> {
        // Entries are inserted and removed whole: a poisoned map is still consistent.
        self.by_id.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Closes the connection that has gone longest without a request in flight; false
    /// when every connection has one.
    fn evict_oldest(&self) -> bool {
        let connections = self.connections();
        let oldest = connections
            .values()
            .filter_map(|activity| Some((activity.evictable_since()?, activity)))
            .min_by_key(|(since, _)| *since);
        match oldest {
            Some((_, activity)) => {
                tracing::debug!(
                    "at the connection cap: closing the longest-waiting idle connection"
                );
                activity.evict();
                true
            }
            None => false,
        }
    }
}

/// A connection's entry in [`LiveConnections`], removed when the connection's task ends.
struct Registration {
    live: Arc<LiveConnections>,
    id: u64,
    activity: Arc<Activity>,
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.live.connections().remove(&self.id);
    }
}

#[cfg(test)]
mod tests;
