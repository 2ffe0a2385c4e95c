//! The engine over an `InMemoryStore` of one tenant's users and one group, shared by the
//! criterion bench (`engine.rs`) and the instruction-count driver (`request_profile.rs`).
#![allow(dead_code, reason = "each bench uses a part of it")]

use std::sync::Arc;

use bytes::Bytes;
use http::{Method, Request};
use http_body_util::Full;
use scim_core::{
    ApiKeyStore, InMemoryStore, RequestContext, Resource, ResourceStore, SchemaRegistry,
    ScimServer, ServerConfig, rate_limit::NoRateLimit,
};
use serde_json::json;

pub(crate) struct Fixture {
    pub(crate) server: ScimServer,
    pub(crate) store: Arc<InMemoryStore>,
    pub(crate) auth: String,
    pub(crate) user_ids: Vec<String>,
    pub(crate) group_id: String,
    pub(crate) runtime: tokio::runtime::Runtime,
}

/// `users` users (userName, externalId, name, one work email, active) and an empty group
/// "Everyone" in tenant `acme`, behind a bearer key with the SCIM2 scope and no rate limit.
pub(crate) fn fixture(users: usize) -> Fixture {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let registry = SchemaRegistry::with_builtins();
    let store = Arc::new(InMemoryStore::new());
    let ctx = RequestContext::new("acme");
    let user_type = registry.resource_type("User").unwrap().clone();
    let group_type = registry.resource_type("Group").unwrap().clone();
    let (user_ids, group_id) = runtime.block_on(async {
        let mut ids = Vec::with_capacity(users);
        for i in 0..users {
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
            let created = store.create(&ctx, &user_type, user).await.unwrap();
            ids.push(created.id().unwrap().to_owned());
        }
        let group = Resource::from_value_unchecked(
            "Group",
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Everyone"}),
        )
        .unwrap();
        let group = store.create(&ctx, &group_type, group).await.unwrap();
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
    /// Sends one request through `ScimServer::handle`; its status.
    pub(crate) fn send(&self, method: Method, uri: &str, body: Option<String>) -> u16 {
        self.serve(self.request(method, uri, body))
    }

    /// The request a client would send: what a web framework hands the engine, built
    /// before timing starts where a bench measures the engine alone.
    pub(crate) fn request(
        &self,
        method: Method,
        uri: &str,
        body: Option<String>,
    ) -> Request<Full<Bytes>> {
        Request::builder()
            .method(method)
            .uri(uri)
            .header("authorization", &self.auth)
            .header("content-type", "application/scim+json")
            .body(Full::new(body.map_or_else(Bytes::new, Bytes::from)))
            .unwrap()
    }

    /// Serves `request` through `ScimServer::handle` and drops the response; its status.
    /// Not inlined, so that a profile can count it alone.
    #[inline(never)]
    pub(crate) fn serve(&self, request: Request<Full<Bytes>>) -> u16 {
        self.runtime
            .block_on(self.server.handle(request))
            .status()
            .as_u16()
    }
}

/// The body of `POST /Users` number `n`: userName, name, one work email, active. Written
/// with `format!`, not built as a `serde_json` value: building and serializing one cost
/// about a fifth of what the engine spends on the request, and it is not the engine's.
pub(crate) fn create_body(n: usize) -> String {
    format!(
        r#"{{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"new{n}@example.com","name":{{"givenName":"New","familyName":"User"}},"emails":[{{"value":"new{n}@example.com","type":"work","primary":true}}],"active":true}}"#
    )
}

/// A PATCH that adds (`op` "Add") or removes ("Remove") member `id`, in Entra ID's shape.
pub(crate) fn member_patch_body(op: &str, id: &str) -> String {
    if op == "Remove" {
        json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "Remove", "path": format!("members[value eq \"{id}\"]")}]
        })
        .to_string()
    } else {
        json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": op, "path": "members", "value": [{"value": id}]}]
        })
        .to_string()
    }
}
