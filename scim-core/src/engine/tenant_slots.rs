//! How many requests of one tenant are served at once ([`ServerConfig::tenant_concurrency`](crate::ServerConfig::tenant_concurrency)).
//!
//! A request past its tenant's share waits on an async semaphore: it yields its thread to
//! the runtime, so one tenant's heavy requests never occupy every worker while other
//! tenants wait. A tenant's entry stays while it is idle, so that its next request finds
//! it (a lookup, no allocation, and nothing to do when a request ends); idle entries are
//! swept when a new tenant finds the map at [`SWEEP_FROM`] entries or a power of two
//! above, so the map holds about twice the tenants with requests in flight, and never
//! fewer than that many plus [`SWEEP_FROM`], whatever the number of tenants.

use std::sync::{Arc, Mutex, PoisonError};

use async_lock::{Semaphore, SemaphoreGuardArc};

use crate::hash_map::HashMap;

/// The size from which a new tenant's entry first sweeps out the idle ones.
const SWEEP_FROM: usize = 64;

/// The semaphores of the tenants that have requests in flight, and of idle ones until the
/// next sweep. A request of a tenant that has an entry shares it: the semaphore is
/// reference-counted, nothing is allocated for it.
#[derive(Debug, Default)]
pub(crate) struct TenantSlots {
    slots: Mutex<HashMap<Arc<str>, Arc<Semaphore>>>,
}

/// A request's turn; dropping it lets the tenant's next request in.
#[derive(Debug)]
pub(crate) struct Slot {
    _guard: SemaphoreGuardArc,
}

impl TenantSlots {
    /// Waits until `tenant` has fewer than `limit` requests being served (`0`: no limit).
    pub(crate) async fn enter(&self, tenant: &str, limit: usize) -> Option<Slot> {
        if limit == 0 {
            return None;
        }
        let semaphore = {
            let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
            match slots.get(tenant) {
                Some(semaphore) => Arc::clone(semaphore),
                None => {
                    if slots.len() >= SWEEP_FROM && slots.len().is_power_of_two() {
                        // Clones are made only under this lock: a semaphore that only
                        // the map holds has no request in flight or waiting.
                        slots.retain(|_, semaphore| Arc::strong_count(semaphore) > 1);
                    }
                    let semaphore = Arc::new(Semaphore::new(limit));
                    slots.insert(Arc::from(tenant), Arc::clone(&semaphore));
                    semaphore
                }
            }
        };
        Some(Slot {
            _guard: semaphore.acquire_arc().await,
        })
    }

    #[cfg(test)]
    pub(crate) fn tenants(&self) -> usize {
        self.slots
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

#[cfg(test)]
mod tests {
    use std::future::Future;
    use std::pin::pin;
    use std::task::{Context, Poll, Waker};

    use super::*;

    fn poll<F: Future>(future: std::pin::Pin<&mut F>) -> Poll<F::Output> {
        future.poll(&mut Context::from_waker(Waker::noop()))
    }

    #[test]
    fn a_tenant_past_its_share_waits_and_others_do_not() {
        let slots = TenantSlots::default();
        let Poll::Ready(first) = poll(pin!(slots.enter("acme", 1))) else {
            panic!("the first request waits")
        };
        let mut second = pin!(slots.enter("acme", 1));
        assert!(poll(second.as_mut()).is_pending());
        assert!(poll(pin!(slots.enter("globex", 1))).is_ready());
        drop(first);
        assert!(poll(second.as_mut()).is_ready());
    }

    #[test]
    fn idle_tenants_are_swept_and_busy_ones_kept() {
        let slots = TenantSlots::default();
        // A thousand tenants one after the other: the map never holds many more than
        // `SWEEP_FROM` of them.
        for i in 0..1000 {
            let Poll::Ready(slot) = poll(pin!(slots.enter(&format!("t{i}"), 2))) else {
                panic!("waits")
            };
            drop(slot);
            assert!(slots.tenants() <= SWEEP_FROM + 1, "{}", slots.tenants());
        }
        // Tenants with a request in flight keep their entry, and their share, through
        // sweeps.
        let held: Vec<Slot> = (0..100)
            .map(|i| {
                let Poll::Ready(Some(slot)) = poll(pin!(slots.enter(&format!("busy{i}"), 1)))
                else {
                    panic!("waits")
                };
                slot
            })
            .collect();
        for i in 0..1000 {
            drop(poll(pin!(slots.enter(&format!("idle{i}"), 1))));
        }
        assert!(slots.tenants() >= 100);
        assert!(
            slots.tenants() <= 2 * 100 + SWEEP_FROM,
            "{}",
            slots.tenants()
        );
        for i in 0..100 {
            assert!(poll(pin!(slots.enter(&format!("busy{i}"), 1))).is_pending());
        }
        drop(held);
        assert!(poll(pin!(slots.enter("busy0", 1))).is_ready());
        assert!(matches!(poll(pin!(slots.enter("t", 0))), Poll::Ready(None)));
    }
}
