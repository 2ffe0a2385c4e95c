//! Admission at the connection cap, on tokio's paused clock, with stand-in connections:
//! tasks that hold a slot until their [`Activity`] expires.

use super::*;
use crate::connection::Closed;

/// A stand-in connection: registered, holding `permit` until its clock expires.
fn connection(
    live: &Arc<LiveConnections>,
    permit: OwnedSemaphorePermit,
) -> (Arc<Activity>, tokio::task::JoinHandle<Closed>) {
    let registration = live.register();
    let activity = Arc::clone(&registration.activity);
    let task = tokio::spawn(async move {
        let _permit = permit;
        let limits = ConnectionLimits::default();
        let reason = registration.activity.expired(&limits).await;
        drop(registration);
        reason
    });
    (activity, task)
}

fn full(slots: usize) -> (Arc<Semaphore>, Arc<LiveConnections>) {
    (
        Arc::new(Semaphore::new(slots)),
        Arc::new(LiveConnections::default()),
    )
}

#[tokio::test(start_paused = true)]
async fn a_free_slot_is_taken_at_once() {
    let (slots, live) = full(1);
    let permit = admit(&slots, &live).await;
    assert_eq!(slots.available_permits(), 0);
    drop(permit);
}

#[tokio::test(start_paused = true)]
async fn at_the_cap_the_longest_idle_connection_makes_room() {
    let (slots, live) = full(2);
    let (older, older_task) = connection(&live, admit(&slots, &live).await);
    tokio::time::advance(Duration::from_secs(1)).await;
    let (_newer, newer_task) = connection(&live, admit(&slots, &live).await);
    let _third = admit(&slots, &live).await;
    assert_eq!(older_task.await.unwrap(), Closed::Evicted);
    assert!(older.evictable_since().is_none());
    assert!(!newer_task.is_finished());
}

#[tokio::test(start_paused = true)]
async fn at_the_cap_with_every_request_in_flight_admission_waits_for_a_slot() {
    let (slots, live) = full(1);
    let (busy, busy_task) = connection(&live, admit(&slots, &live).await);
    busy.request_started(Duration::from_secs(60));
    let waiting = {
        let (slots, live) = (Arc::clone(&slots), Arc::clone(&live));
        tokio::spawn(async move { admit(&slots, &live).await })
    };
    tokio::time::sleep(Duration::from_secs(30)).await;
    assert!(
        !waiting.is_finished(),
        "admitted beside a request in flight"
    );
    // The request outlives its timeout: its slot frees and the waiter gets it.
    assert_eq!(busy_task.await.unwrap(), Closed::RequestTimeout);
    let _permit = waiting.await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_connection_that_becomes_idle_is_evicted_for_a_waiting_one() {
    let (slots, live) = full(1);
    let (busy, busy_task) = connection(&live, admit(&slots, &live).await);
    busy.request_started(Duration::from_secs(60));
    let waiting = {
        let (slots, live) = (Arc::clone(&slots), Arc::clone(&live));
        tokio::spawn(async move { admit(&slots, &live).await })
    };
    tokio::time::sleep(Duration::from_secs(1)).await;
    busy.response_finished();
    busy.flushed();
    let _permit = waiting.await.unwrap();
    assert_eq!(busy_task.await.unwrap(), Closed::Evicted);
}

#[tokio::test(start_paused = true)]
async fn an_evicted_connection_stuck_flushing_lets_another_go_after_the_grace() {
    let (slots, live) = full(2);
    let (slow, slow_task) = connection(&live, admit(&slots, &live).await);
    slow.request_started(Duration::from_secs(60));
    slow.response_finished(); // never flushed: its reader is slow
    tokio::time::advance(Duration::from_secs(1)).await;
    let (_idle, idle_task) = connection(&live, admit(&slots, &live).await);
    let started = tokio::time::Instant::now();
    let _permit = admit(&slots, &live).await;
    assert_eq!(started.elapsed(), EVICTION_GRACE);
    assert_eq!(idle_task.await.unwrap(), Closed::Evicted);
    assert!(
        !slow_task.is_finished(),
        "closes after its flush or its request timeout"
    );
}
