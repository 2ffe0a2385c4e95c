//! The engine in-process, through `ScimServer::handle`, over an `InMemoryStore` holding
//! 100 000 users: authentication (SHA-256 of the key), routing, parsing, the store,
//! projection and rendering are all measured.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs,
    reason = "benchmark code"
)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use http::{Method, Request};
use http_body_util::Full;
use scim_core::{
    ApiKeyStore, InMemoryStore, RequestContext, Resource, ResourceStore, SchemaRegistry,
    ScimServer, ServerConfig, rate_limit::NoRateLimit,
};
use serde_json::json;

const USERS: usize = 100_000;

struct Fixture {
    server: ScimServer,
    store: Arc<InMemoryStore>,
    auth: String,
    user_ids: Vec<String>,
    group_id: String,
    runtime: tokio::runtime::Runtime,
}

fn fixture() -> Fixture {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let registry = SchemaRegistry::with_builtins();
    let store = Arc::new(InMemoryStore::new());
    let ctx = RequestContext::new("acme");
    let users = registry.resource_type("User").unwrap().clone();
    let groups = registry.resource_type("Group").unwrap().clone();
    let (user_ids, group_id) = runtime.block_on(async {
        let mut ids = Vec::with_capacity(USERS);
        for i in 0..USERS {
            let user = Resource::from_value_unchecked(
                "User",
                json!({
                    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                    "userName": format!("user{i:06}@example.com"),
                    "externalId": format!("ext-{i}"),
                    "name": {"givenName": "Given", "familyName": format!("Family{i}")},
                    "emails": [{"value": format!("user{i:06}@example.com"), "type": "work", "primary": true}],
                    "active": true
                }),
            )
            .unwrap();
            let created = store.create(&ctx, &users, user).await.unwrap();
            ids.push(created.id().unwrap().to_owned());
        }
        let group = Resource::from_value_unchecked(
            "Group",
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Everyone"}),
        )
        .unwrap();
        let group = store.create(&ctx, &groups, group).await.unwrap();
        (ids, group.id().unwrap().to_owned())
    });
    let keys = ApiKeyStore::new();
    let key = runtime
        .block_on(keys.create("acme", ["SCIM2"], "bench"))
        .unwrap();
    let server = ScimServer::builder()
        .registry(registry)
        .store_arc(store.clone())
        .api_keys(keys)
        .rate_limiter(NoRateLimit)
        .config(ServerConfig::default().base_url("https://app.example.com/scim/v2"))
        .build()
        .unwrap();
    Fixture {
        server,
        store,
        auth: format!("Bearer {}", key.secret),
        user_ids,
        group_id,
        runtime,
    }
}

impl Fixture {
    fn send(&self, method: Method, uri: &str, body: Option<String>) -> u16 {
        let request = Request::builder()
            .method(method)
            .uri(uri)
            .header("authorization", &self.auth)
            .header("content-type", "application/scim+json")
            .body(Full::new(body.map_or_else(Bytes::new, Bytes::from)))
            .unwrap();
        self.runtime
            .block_on(self.server.handle(request))
            .status()
            .as_u16()
    }
}

fn engine(c: &mut Criterion) {
    let f = fixture();
    let mut group = c.benchmark_group("engine");
    group.throughput(Throughput::Elements(1));

    let next = AtomicUsize::new(0);
    group.bench_function("get_by_id", |b| {
        b.iter(|| {
            let i = next.fetch_add(7919, Ordering::Relaxed) % USERS;
            assert_eq!(
                f.send(Method::GET, &format!("/acme/Users/{}", f.user_ids[i]), None),
                200
            );
        });
    });

    group.bench_function("filter_user_name_eq", |b| {
        b.iter(|| {
            let i = next.fetch_add(7919, Ordering::Relaxed) % USERS;
            let uri = format!("/acme/Users?filter=userName+eq+%22USER{i:06}%40example.com%22");
            assert_eq!(f.send(Method::GET, &uri, None), 200);
        });
    });

    group.bench_function("page_of_100", |b| {
        b.iter(|| {
            let start = next.fetch_add(100, Ordering::Relaxed) % (USERS - 100) + 1;
            let uri = format!("/acme/Users?startIndex={start}&count=100");
            assert_eq!(f.send(Method::GET, &uri, None), 200);
        });
    });

    // The same page straight from the store, to tell the store's share from the engine's.
    let users = SchemaRegistry::with_builtins()
        .resource_type("User")
        .unwrap()
        .clone();
    let ctx = RequestContext::new("acme");
    group.bench_function("page_of_100_store_only", |b| {
        b.iter(|| {
            let start = next.fetch_add(100, Ordering::Relaxed) % (USERS - 100) + 1;
            let mut query = scim_core::Query::default();
            query.start_index = start;
            query.count = Some(100);
            let page = f
                .runtime
                .block_on(f.store.query(&ctx, &users, &query))
                .unwrap();
            assert_eq!(page.resources.len(), 100);
        });
    });

    let created = AtomicUsize::new(0);
    group.bench_function("create", |b| {
        b.iter(|| {
            let n = created.fetch_add(1, Ordering::Relaxed);
            let body = json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                "userName": format!("new{n}@example.com"),
                "name": {"givenName": "New", "familyName": "User"},
                "emails": [{"value": format!("new{n}@example.com"), "type": "work", "primary": true}],
                "active": true
            });
            assert_eq!(f.send(Method::POST, "/acme/Users", Some(body.to_string())), 201);
        });
    });

    let member = AtomicUsize::new(0);
    let uri = format!("/acme/Groups/{}?excludedAttributes=members", f.group_id);
    group.bench_function("patch_add_group_member", |b| {
        b.iter(|| {
            let i = member.fetch_add(1, Ordering::Relaxed) % USERS;
            let body = json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [{"op": "Add", "path": "members", "value": [{"value": f.user_ids[i]}]}]
            });
            assert_eq!(f.send(Method::PATCH, &uri, Some(body.to_string())), 200);
        });
    });
    group.finish();
}

criterion_group!(benches, engine);
criterion_main!(benches);
