//! How many requests of one tenant are served at once ([`ServerConfig::tenant_concurrency`](crate::ServerConfig::tenant_concurrency)).
//!
//! A request past its tenant's share waits on an async semaphore: it yields its thread to
//! the runtime, so one tenant's heavy requests never occupy every worker while other
//! tenants wait. Only tenants with a request in flight have an entry, so the map is as
//! large as the number of requests being served, whatever the number of tenants.

use std::sync::{Arc, Mutex, PoisonError};

use async_lock::{Semaphore, SemaphoreGuardArc};

use crate::hash_map::HashMap;

/// The semaphores of the tenants that have requests in flight. A request of a tenant
/// that already has one shares its entry: key and semaphore are reference-counted,
/// nothing is allocated for it.
#[derive(Debug, Default)]
pub(crate) struct TenantSlots {
    slots: Mutex<HashMap<Arc<str>, Arc<Semaphore>>>,
}

/// A request's turn; dropping it lets the tenant's next request in.
#[derive(Debug)]
pub(crate) struct Slot<'a> {
    owner: &'a TenantSlots,
    tenant: Arc<str>,
    semaphore: Arc<Semaphore>,
    guard: Option<SemaphoreGuardArc>,
}

impl TenantSlots {
    /// Waits until `tenant` has fewer than `limit` requests being served (`0`: no limit).
    pub(crate) async fn enter(&self, tenant: &str, limit: usize) -> Option<Slot<'_>> {
        if limit == 0 {
            return None;
        }
        let (tenant, semaphore) = {
            let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
            match slots.get_key_value(tenant) {
                Some((key, semaphore)) => (Arc::clone(key), Arc::clone(semaphore)),
                None => {
                    let key: Arc<str> = Arc::from(tenant);
                    let semaphore = Arc::new(Semaphore::new(limit));
                    slots.insert(Arc::clone(&key), Arc::clone(&semaphore));
                    (key, semaphore)
                }
            }
        };
        let guard = semaphore.acquire_arc().await;
        Some(Slot {
            owner: self,
            tenant,
            semaphore,
            guard: Some(guard),
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

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        drop(self.guard.take());
        let mut slots = self
            .owner
            .slots
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        // Clones are made only under this lock: the map's and ours are the last two
        // when no request of the tenant is in flight or waiting.
        if Arc::strong_count(&self.semaphore) == 2 {
            slots.remove(&self.tenant);
        }
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
    fn idle_tenants_leave_no_entry() {
        let slots = TenantSlots::default();
        for i in 0..100 {
            let Poll::Ready(slot) = poll(pin!(slots.enter(&format!("t{i}"), 2))) else {
                panic!("waits")
            };
            drop(slot);
        }
        assert_eq!(slots.tenants(), 0);
        assert!(matches!(poll(pin!(slots.enter("t", 0))), Poll::Ready(None)));
    }
}
