//! How many requests of one tenant are served at once ([`ServerConfig::tenant_concurrency`](crate::ServerConfig::tenant_concurrency)).
//!
//! A request past its tenant's share waits on an async semaphore: it yields its thread to
//! the runtime, so one tenant's heavy requests never occupy every worker while other
//! tenants wait. A tenant's entry stays while it is idle, so that its next request finds
//! it (a lookup, no allocation, and nothing to do when a request ends); idle entries are
//! swept when a new tenant finds the map at its sweep mark: [`SWEEP_FROM`] entries, or
//! twice what the last sweep left, if more. The map so holds at most about twice the
//! tenants with requests in flight, plus [`SWEEP_FROM`], whatever the number of tenants,
//! and a sweep (a pass over the map) comes after as many new tenants as it kept.

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
    slots: Mutex<Slots>,
}

#[derive(Debug, Default)]
struct Slots {
    semaphores: HashMap<Arc<str>, Arc<Semaphore>>,
    /// The size at which a new tenant sweeps; `0` stands for [`SWEEP_FROM`].
    sweep_at: usize,
    /// How many sweeps there were.
    #[cfg(test)]
    sweeps: usize,
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
            let Slots {
                semaphores,
                sweep_at,
                #[cfg(test)]
                sweeps,
            } = &mut *slots;
            match semaphores.get(tenant) {
                Some(semaphore) => Arc::clone(semaphore),
                None => {
                    if semaphores.len() >= (*sweep_at).max(SWEEP_FROM) {
                        // Clones are made only under this lock: a semaphore that only
                        // the map holds has no request in flight or waiting.
                        semaphores.retain(|_, semaphore| Arc::strong_count(semaphore) > 1);
                        *sweep_at = semaphores.len().saturating_mul(2);
                        #[cfg(test)]
                        {
                            *sweeps += 1;
                        }
                    }
                    let semaphore = Arc::new(Semaphore::new(limit));
                    semaphores.insert(Arc::from(tenant), Arc::clone(&semaphore));
                    semaphore
                }
            }
        };
        Some(Slot {
            _guard: semaphore.acquire_arc().await,
        })
    }

    #[cfg(test)]
    fn sweeps(&self) -> usize {
        self.slots
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .sweeps
    }

    #[cfg(test)]
    pub(crate) fn tenants(&self) -> usize {
        self.slots
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .semaphores
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

    /// A request in flight for each of `busy0` … `busy{n-1}`, with a share of one.
    fn hold(slots: &TenantSlots, n: usize) -> Vec<Slot> {
        (0..n)
            .map(|i| {
                let Poll::Ready(Some(slot)) = poll(pin!(slots.enter(&format!("busy{i}"), 1)))
                else {
                    panic!("busy{i} waits")
                };
                slot
            })
            .collect()
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
        let held = hold(&slots, 100);
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

    #[test]
    fn a_sweep_comes_after_as_many_new_tenants_as_it_kept() {
        // Just under the first mark in flight: a sweep keeps them all, and the next one
        // must not come with the very next tenant.
        let slots = TenantSlots::default();
        let _held = hold(&slots, SWEEP_FROM - 1);
        for i in 0..200 {
            drop(poll(pin!(slots.enter(&format!("idle{i}"), 1))));
        }
        // The first at 64 entries, then one each time the map is back at 126 (twice the
        // 63 kept): after 63 more new tenants. (Sweeping at every power of two made it
        // one sweep per new tenant here.)
        let sweeps = slots.sweeps();
        assert!(
            (1..=4).contains(&sweeps),
            "{sweeps} sweeps for 200 new tenants"
        );
    }
}
