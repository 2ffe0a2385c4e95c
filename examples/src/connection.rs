//! One client connection: what it is doing (its [`Phase`]), the deadline that follows
//! from that, and the task that serves it with hyper until it ends, times out, is evicted
//! or the server shuts down.
//!
//! hyper's own `header_read_timeout` starts when hyper begins waiting for a head, so it
//! would also be the keep-alive idle timeout. A proxy in front (nginx, an AWS load
//! balancer) keeps idle upstream connections for 60 s or more and must not find them
//! closed under it, while a half-sent head should get a few seconds: two different
//! clocks. The connection therefore keeps its own: the socket wrapper ([`WatchedIo`])
//! sees bytes arrive and responses leave, the service marks requests in flight, and
//! [`Activity::expired`] resolves when the current phase has lasted too long.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};

use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::{Notify, OwnedSemaphorePermit, watch};
use tokio::time::Instant;

use crate::ConnectionLimits;
use crate::exchange;
use crate::serve::AppService;

/// What a connection is doing, which decides how long it may go on doing it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Waiting for a request head, or reading one: since the connection opened, or since
    /// the first byte after an idle spell. Bounded by the header timeout.
    Head,
    /// A request is in flight (its body is read, it is handled, its response written).
    /// Bounded by the request timeout, counted from the end of its head.
    Busy,
    /// The response is complete; hyper is still handing it to the socket. Same bound as
    /// [`Phase::Busy`]. The client may already be reading it, so an eviction or shutdown
    /// waits for the flush, then closes.
    Sending,
    /// Between requests, nothing received yet. Bounded by the keep-alive timeout.
    Idle,
}

/// Why a connection was closed by the server rather than by hyper or the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Closed {
    /// No complete request head within the header timeout.
    HeaderTimeout,
    /// A request (body, handling and response) outlasted the request timeout.
    RequestTimeout,
    /// Idle between requests for longer than the keep-alive timeout.
    KeepAliveTimeout,
    /// Closed to make room for a new connection at the connection cap.
    Evicted,
    /// No request in flight when the server began shutting down.
    Shutdown,
}

#[derive(Debug, Clone, Copy)]
struct State {
    phase: Phase,
    /// When the phase began.
    since: Instant,
    /// When the request in flight (or the last one) must be done by.
    request_deadline: Instant,
    evicted: bool,
    draining: bool,
    /// When [`Activity::expired`] last set its timer, if it has.
    armed_at: Option<Instant>,
}

impl State {
    /// When this phase ends the connection, and why.
    fn deadline(&self, now: Instant, limits: &ConnectionLimits) -> (Instant, Closed) {
        match self.phase {
            Phase::Busy | Phase::Sending => (self.request_deadline, Closed::RequestTimeout),
            _ if self.evicted => (now, Closed::Evicted),
            // A head that has not arrived by shutdown is a request that never started.
            _ if self.draining => (now, Closed::Shutdown),
            Phase::Head => (self.since + limits.header_timeout, Closed::HeaderTimeout),
            Phase::Idle => (
                self.since + limits.keep_alive_timeout,
                Closed::KeepAliveTimeout,
            ),
        }
    }
}

/// The shared record of one connection's phase, updated by its socket and its service and
/// watched by its task (and, for eviction, by the accept loop).
#[derive(Debug)]
pub(crate) struct Activity {
    state: Mutex<State>,
    changed: Notify,
    /// Signalled whenever this connection becomes evictable, for an accept loop waiting
    /// at the cap.
    became_evictable: Arc<Notify>,
}

impl Activity {
    /// A connection just accepted: it owes a request head.
    pub(crate) fn new(became_evictable: Arc<Notify>) -> Self {
        let now = Instant::now();
        Self {
            state: Mutex::new(State {
                phase: Phase::Head,
                since: now,
                request_deadline: now,
                evicted: false,
                draining: false,
                armed_at: None,
            }),
            changed: Notify::new(),
            became_evictable,
        }
    }

    /// Applies `change`; when it returns true (the deadline may now come before the
    /// timer [`Activity::expired`] has set), wakes that timer.
    fn update(&self, change: impl FnOnce(&mut State) -> bool) {
        // A panic elsewhere cannot leave `State` half-written (it is `Copy` fields), so a
        // poisoned lock is still good to use.
        let earlier = change(&mut self.state.lock().unwrap_or_else(PoisonError::into_inner));
        if earlier {
            self.changed.notify_one();
        }
    }

    fn state(&self) -> State {
        *self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Bytes arrived: an idle connection starts a new head.
    fn received(&self) {
        self.update(|state| {
            if state.phase == Phase::Idle {
                state.phase = Phase::Head;
                state.since = Instant::now();
            }
            // Due a whole timeout from now: never before the timer (see `expired`).
            false
        });
    }

    /// A complete head was handed to the service.
    pub(crate) fn request_started(&self, request_timeout: std::time::Duration) {
        self.update(|state| {
            let now = Instant::now();
            state.phase = Phase::Busy;
            state.since = now;
            state.request_deadline = now + request_timeout;
            false
        });
    }

    /// The service's response ended (hyper dropped its body, before writing its last
    /// bytes): what is left is handing them to the socket.
    pub(crate) fn response_finished(&self) {
        let mut sending = false;
        self.update(|state| {
            sending = state.phase == Phase::Busy;
            if sending {
                state.phase = Phase::Sending;
                state.since = Instant::now();
            }
            false
        });
        if sending {
            self.became_evictable.notify_one();
        }
    }

    /// hyper's write buffer reached the socket: after a response, the connection is idle.
    pub(crate) fn flushed(&self) {
        self.update(|state| {
            let idle = state.phase == Phase::Sending;
            if idle {
                state.phase = Phase::Idle;
                // Keep `since` from the response's end: the idle spell began there.
            }
            // The idle spell is counted from before the timer was set when the flush
            // outlasted a timer: that deadline may come before it.
            idle && state.armed_at.is_some_and(|armed| armed > state.since)
        });
    }

    /// Since when this connection has had no request in flight (waiting for a head, idle,
    /// or only flushing its last response), if it may be evicted.
    pub(crate) fn evictable_since(&self) -> Option<Instant> {
        let state = self.state();
        let evictable = state.phase != Phase::Busy && !state.evicted && !state.draining;
        evictable.then_some(state.since)
    }

    /// Asks the connection to close as soon as its last response is flushed (it has no
    /// request in flight).
    pub(crate) fn evict(&self) {
        self.update(|state| {
            state.evicted = true;
            true
        });
    }

    /// The server is shutting down: close as soon as no request is in flight.
    fn drain(&self) {
        self.update(|state| {
            state.draining = true;
            true
        });
    }

    /// When the current phase ends the connection, and why.
    #[cfg(test)]
    fn deadline(&self, limits: &ConnectionLimits) -> (Instant, Closed) {
        self.state().deadline(Instant::now(), limits)
    }

    /// [`Activity::deadline`], noting that the timer is set `now`.
    fn arm(&self, now: Instant, limits: &ConnectionLimits) -> (Instant, Closed) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.armed_at = Some(now);
        state.deadline(now, limits)
    }

    /// Resolves once the connection has overstayed its current phase (or was evicted).
    ///
    /// Requests come and go without waking it: its timer fires at the current deadline
    /// or one shortest timeout after it was set, whichever is first, and looks again.
    /// Every phase a request moves the connection into is due a whole timeout after the
    /// move, so never before that timer. Only what can make the deadline come sooner
    /// (eviction, shutdown, a flush that outlasted the timer) wakes it early.
    pub(crate) async fn expired(&self, limits: &ConnectionLimits) -> Closed {
        let shortest = limits
            .header_timeout
            .min(limits.request_timeout)
            .min(limits.keep_alive_timeout)
            .max(MIN_TIMER);
        loop {
            let notified = self.changed.notified();
            tokio::pin!(notified);
            // Registered before the state is read: a change after the read still wakes.
            notified.as_mut().enable();
            let now = Instant::now();
            let (deadline, reason) = self.arm(now, limits);
            if deadline <= now {
                return reason;
            }
            tokio::select! {
                () = tokio::time::sleep_until(deadline.min(now + shortest)) => {}
                () = notified => {}
            }
        }
    }
}

/// The shortest spell between two looks of [`Activity::expired`], however short the
/// timeouts: a timeout under it may be overstayed by up to this much.
const MIN_TIMER: std::time::Duration = std::time::Duration::from_millis(100);

/// A socket that reports to its [`Activity`]: bytes received, and hyper's write buffer
/// fully handed to the kernel.
pub(crate) struct WatchedIo<T> {
    inner: T,
    activity: Arc<Activity>,
}

impl<T> WatchedIo<T> {
    pub(crate) fn new(inner: T, activity: Arc<Activity>) -> Self {
        Self { inner, activity }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for WatchedIo<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let result = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(result, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.activity.received();
        }
        result
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for WatchedIo<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        // hyper flushes the socket only once its own buffer is empty.
        let result = Pin::new(&mut self.inner).poll_flush(cx);
        if matches!(result, Poll::Ready(Ok(()))) {
            self.activity.flushed();
        }
        result
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// hyper's HTTP/1.1 settings for every connection: no hyper timer (the [`Activity`]
/// clock does that), and hard head limits a few times above the ones that get a SCIM
/// error, so that most oversized heads reach [`exchange`] and are answered with a body.
/// `max_headers` is left at hyper's default of 100 fields, which hyper parses in arrays
/// on the stack: a larger figure makes it allocate two arrays of that many slots (6 KiB
/// or more, past the allocator's per-thread cache) for every request.
pub(crate) fn http1(limits: &ConnectionLimits) -> http1::Builder {
    let hard_head_limit = exchange::hard_head_limit(limits.max_header_bytes);
    let mut builder = http1::Builder::new();
    builder
        .keep_alive(true)
        .half_close(false)
        .header_read_timeout(None)
        .max_header_size(hard_head_limit)
        .max_buf_size(hard_head_limit);
    builder
}

/// Serves one connection until the client or hyper ends it, its [`Activity`] expires, or
/// the shutdown signal arrives (then it finishes the request in flight, if any). The
/// `permit` is its slot under the connection cap, released when this returns.
pub(crate) async fn serve<S>(
    stream: S,
    peer: SocketAddr,
    app: impl AppService,
    limits: Arc<ConnectionLimits>,
    activity: Arc<Activity>,
    permit: OwnedSemaphorePermit,
    mut shutdown: watch::Receiver<bool>,
) -> Option<Closed>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let _permit = permit;
    let io = TokioIo::new(WatchedIo::new(stream, Arc::clone(&activity)));
    let service = {
        let activity = Arc::clone(&activity);
        let limits = Arc::clone(&limits);
        hyper::service::service_fn(move |request| {
            let exchange = exchange::Exchange {
                peer,
                activity: Arc::clone(&activity),
                limits: Arc::clone(&limits),
            };
            exchange.handle(request, app.clone())
        })
    };
    let connection = http1(&limits).serve_connection(io, service);
    tokio::pin!(connection);
    let mut draining = *shutdown.borrow();
    if draining {
        connection.as_mut().graceful_shutdown();
        activity.drain();
    }
    loop {
        tokio::select! {
            result = connection.as_mut() => {
                if let Err(err) = result {
                    tracing::debug!("connection ended: {err}");
                }
                return None;
            }
            reason = activity.expired(&limits) => {
                tracing::debug!(?reason, "closing connection");
                return Some(reason);
            }
            _ = shutdown.changed(), if !draining => {
                draining = true;
                // hyper closes the connection after the response in flight.
                connection.as_mut().graceful_shutdown();
                activity.drain();
            }
        }
    }
}

/// [`serve`] for a TCP connection.
pub(crate) async fn serve_tcp(
    stream: TcpStream,
    peer: SocketAddr,
    app: impl AppService,
    limits: Arc<ConnectionLimits>,
    activity: Arc<Activity>,
    permit: OwnedSemaphorePermit,
    shutdown: watch::Receiver<bool>,
) {
    if let Err(err) = stream.set_nodelay(true) {
        tracing::debug!("TCP_NODELAY: {err}");
    }
    serve(stream, peer, app, limits, activity, permit, shutdown).await;
}

#[cfg(test)]
mod tests;
