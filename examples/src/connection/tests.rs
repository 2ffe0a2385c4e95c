//! The connection clock, on tokio's paused clock: each phase's deadline, eviction and
//! draining, and whole connections served over in-memory pipes.

use std::time::Duration;

use axum::Router;
use axum::routing::get;
use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};
use tokio::sync::Semaphore;

use super::*;

fn limits() -> ConnectionLimits {
    ConnectionLimits {
        header_timeout: Duration::from_secs(10),
        body_timeout: Duration::from_secs(30),
        request_timeout: Duration::from_secs(60),
        keep_alive_timeout: Duration::from_secs(75),
        ..ConnectionLimits::default()
    }
}

fn activity() -> Activity {
    Activity::new(Arc::new(Notify::new()))
}

/// How long after now the activity's current deadline is, and why.
fn due_in(activity: &Activity) -> (Duration, Closed) {
    let (deadline, reason) = activity.deadline(&limits());
    (deadline.saturating_duration_since(Instant::now()), reason)
}

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

#[tokio::test(start_paused = true)]
async fn each_phase_has_its_own_deadline() {
    let a = activity();
    assert_eq!(due_in(&a), (secs(10), Closed::HeaderTimeout));
    a.request_started(limits().request_timeout);
    assert_eq!(due_in(&a), (secs(60), Closed::RequestTimeout));
    tokio::time::advance(secs(5)).await;
    a.response_finished();
    // Still bound to the request's deadline until hyper has flushed the response.
    assert_eq!(due_in(&a), (secs(55), Closed::RequestTimeout));
    a.flushed();
    assert_eq!(due_in(&a), (secs(75), Closed::KeepAliveTimeout));
    tokio::time::advance(secs(30)).await;
    a.received();
    assert_eq!(due_in(&a), (secs(10), Closed::HeaderTimeout));
    // More bytes of the same head do not extend it.
    tokio::time::advance(secs(4)).await;
    a.received();
    assert_eq!(due_in(&a), (secs(6), Closed::HeaderTimeout));
}

#[tokio::test(start_paused = true)]
async fn a_request_in_flight_is_never_evicted_and_a_flushing_one_closes_after_its_flush() {
    let a = activity();
    assert!(
        a.evictable_since().is_some(),
        "a fresh connection owes a head"
    );
    a.request_started(limits().request_timeout);
    assert_eq!(a.evictable_since(), None);
    a.response_finished();
    let since = a.evictable_since();
    assert!(since.is_some());
    a.evict();
    assert_eq!(a.evictable_since(), None, "evicted once");
    assert_eq!(due_in(&a).1, Closed::RequestTimeout, "waits for the flush");
    a.flushed();
    assert_eq!(due_in(&a), (Duration::ZERO, Closed::Evicted));
}

#[tokio::test(start_paused = true)]
async fn draining_closes_connections_without_a_request_at_once() {
    let head = activity();
    head.drain();
    assert_eq!(due_in(&head), (Duration::ZERO, Closed::Shutdown));
    let busy = activity();
    busy.request_started(limits().request_timeout);
    busy.drain();
    assert_eq!(due_in(&busy).1, Closed::RequestTimeout);
    busy.response_finished();
    busy.flushed();
    assert_eq!(due_in(&busy), (Duration::ZERO, Closed::Shutdown));
}

#[tokio::test(start_paused = true)]
async fn expired_resolves_at_the_deadline_and_follows_phase_changes() {
    let a = Arc::new(activity());
    let watcher = {
        let a = Arc::clone(&a);
        tokio::spawn(async move {
            let reason = a.expired(&limits()).await;
            (reason, Instant::now())
        })
    };
    let start = Instant::now();
    tokio::time::advance(secs(9)).await;
    a.request_started(limits().request_timeout); // at 9 s: now due at 69 s
    let (reason, at) = watcher.await.unwrap();
    assert_eq!(reason, Closed::RequestTimeout);
    assert_eq!(at - start, secs(69));
}

#[tokio::test(start_paused = true)]
async fn a_flush_that_outlasts_the_timer_still_closes_the_idle_connection_on_time() {
    // The shortest timeout (keep-alive, 5 s) sets the timer's longest spell.
    let limits = ConnectionLimits {
        keep_alive_timeout: secs(5),
        ..limits()
    };
    let a = Arc::new(activity());
    let start = Instant::now();
    a.request_started(limits.request_timeout);
    let watcher = {
        let (a, limits) = (Arc::clone(&a), limits.clone());
        tokio::spawn(async move {
            let reason = a.expired(&limits).await;
            (reason, Instant::now())
        })
    };
    let settle = || async {
        for _ in 0..10 {
            tokio::task::yield_now().await;
        }
    };
    settle().await; // the timer is set at 0 s, for 5 s
    tokio::time::advance(Duration::from_millis(500)).await;
    a.response_finished(); // idle from 0.5 s once flushed: due at 5.5 s
    // At 5 s the timer looks and, the response still being sent, sets itself for 10 s.
    tokio::time::advance(Duration::from_millis(4500)).await;
    settle().await;
    tokio::time::advance(Duration::from_millis(200)).await;
    a.flushed();
    let (reason, at) = watcher.await.unwrap();
    assert_eq!(reason, Closed::KeepAliveTimeout);
    assert_eq!(at - start, Duration::from_millis(5500));
}

/// A connection over an in-memory pipe of `buffer` bytes, served by `app` within
/// `limits`; returns the client end and the serving task.
fn pipe(
    app: Router,
    limits: ConnectionLimits,
    buffer: usize,
) -> (
    DuplexStream,
    tokio::task::JoinHandle<Option<Closed>>,
    watch::Sender<bool>,
) {
    let (client, server) = tokio::io::duplex(buffer);
    let permit = Arc::new(Semaphore::new(1)).try_acquire_owned().unwrap();
    let (stop, stopped) = watch::channel(false);
    let task = tokio::spawn(serve(
        server,
        SocketAddr::from(([127, 0, 0, 1], 4000)),
        app,
        Arc::new(limits),
        Arc::new(activity()),
        permit,
        stopped,
    ));
    (client, task, stop)
}

fn big_app() -> Router {
    Router::new().route("/big", get(|| async { "x".repeat(1_000_000) }))
}

#[tokio::test(start_paused = true)]
async fn a_client_that_does_not_read_its_response_is_closed_after_the_request_timeout() {
    let (mut client, task, _stop) = pipe(big_app(), limits(), 4096);
    client
        .write_all(b"GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    // The client never reads: hyper cannot hand the megabyte over.
    assert_eq!(task.await.unwrap(), Some(Closed::RequestTimeout));
}

#[tokio::test(start_paused = true)]
async fn a_client_that_reads_is_served_in_full_and_kept_alive() {
    let (mut client, task, _stop) = pipe(big_app(), limits(), 4096);
    client
        .write_all(b"GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut received = Vec::new();
    let mut chunk = [0; 65536];
    while !received.ends_with(&[b'x'; 64]) || received.len() < 1_000_000 {
        let n = client.read(&mut chunk).await.unwrap();
        assert_ne!(n, 0, "closed after {} bytes", received.len());
        received.extend_from_slice(&chunk[..n]);
    }
    assert!(received.starts_with(b"HTTP/1.1 200 OK"));
    assert_eq!(task.await.unwrap(), Some(Closed::KeepAliveTimeout));
}

#[tokio::test(start_paused = true)]
async fn shutdown_lets_the_request_in_flight_finish_then_closes() {
    let app = Router::new().route(
        "/slow",
        get(|| async {
            tokio::time::sleep(Duration::from_secs(5)).await;
            "done"
        }),
    );
    let (mut client, task, stop) = pipe(app, limits(), 4096);
    client
        .write_all(b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_secs(1)).await;
    stop.send_replace(true);
    let mut response = String::new();
    client.read_to_string(&mut response).await.unwrap();
    assert!(response.starts_with("HTTP/1.1 200 OK"), "{response}");
    assert!(response.contains("connection: close"), "{response}");
    assert!(response.ends_with("done"), "{response}");
    // hyper or the clock closed it, with nothing left in flight.
    assert!(matches!(task.await.unwrap(), None | Some(Closed::Shutdown)));
}
