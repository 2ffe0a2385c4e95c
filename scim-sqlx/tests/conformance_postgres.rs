//! The conformance suite under the engine harness, with the PostgreSQL store behind
//! it (each case in a schema of its own).
#![cfg(feature = "postgres")]

mod support;

use std::sync::Arc;

use bytes::Bytes;
use http::{Request, Response};
use scim_conformance::{Engine, Harness};
use scim_core::{ResourceStore, ScimServer};

/// The engine over a fresh PostgreSQL schema per case.
struct PostgresEngine(Engine);

impl Harness for PostgresEngine {
    fn mount(server: ScimServer) -> Self {
        Self(Engine::mount(server))
    }

    async fn send(&self, request: Request<Bytes>) -> Response<Bytes> {
        self.0.send(request).await
    }

    fn fixture_store() -> Option<Arc<dyn ResourceStore>> {
        // The harness hook is synchronous; the test runtime is multi-threaded. Without
        // PostgreSQL (and outside CI) the case runs on the in-memory store, said loudly.
        tokio::task::block_in_place(|| {
            tokio::runtime::Handle::current().block_on(support::postgres_dyn())
        })
    }
}

scim_conformance::conformance_tests!(
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    crate::PostgresEngine
);
