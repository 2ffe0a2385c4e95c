//! The conformance suite under the engine harness, with the SQLite store behind it.
#![cfg(feature = "sqlite")]

mod support;

use std::sync::Arc;

use bytes::Bytes;
use http::{Request, Response};
use scim_conformance::{Engine, Harness};
use scim_core::{ResourceStore, ScimServer};

/// The engine over a fresh SQLite database per case.
struct SqliteEngine(Engine);

impl Harness for SqliteEngine {
    fn mount(server: ScimServer) -> Self {
        Self(Engine::mount(server))
    }

    async fn send(&self, request: Request<Bytes>) -> Response<Bytes> {
        self.0.send(request).await
    }

    fn fixture_store() -> Option<Arc<dyn ResourceStore>> {
        // The harness hook is synchronous; the test runtime is multi-threaded.
        tokio::task::block_in_place(|| {
            tokio::runtime::Handle::current().block_on(async {
                Some(Arc::new(support::sqlite().await) as Arc<dyn ResourceStore>)
            })
        })
    }
}

scim_conformance::conformance_tests!(
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    crate::SqliteEngine
);
