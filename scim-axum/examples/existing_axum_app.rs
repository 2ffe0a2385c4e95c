//! SCIM inside an existing axum app that has its own routes, state and authentication.
//!
//! ```sh
//! cargo run -p scim-axum --example existing_axum_app
//! curl http://127.0.0.1:3000/                                             # the app's own page
//! curl -H 'Authorization: Bearer acme-okta-key' http://127.0.0.1:3000/scim/v2/acme/Users
//! curl -H 'X-Session: admin-of-acme' http://127.0.0.1:3000/scim/v2/acme/Users  # the app's own login
//! ```

use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;
use scim_axum::{InMemoryStore, Principal, ScimServer};

/// The host app's own state, unrelated to SCIM.
#[derive(Clone)]
struct AppState {
    name: Arc<str>,
}

/// The host app's own authentication: here a toy session header; in a real app, a
/// session cookie or an OAuth token. A signed-in tenant admin gets a [`Principal`], which
/// the SCIM engine uses instead of an API key.
async fn sessions(mut request: Request, next: Next) -> Response {
    let tenant = request
        .headers()
        .get("x-session")
        .and_then(|v| v.to_str().ok())
        .and_then(|session| session.strip_prefix("admin-of-"))
        .map(str::to_owned);
    if let Some(tenant) = tenant {
        request
            .extensions_mut()
            .insert(Principal::new(tenant, ["SCIM2"]).with_label("session"));
    }
    next.run(request).await
}

async fn home(State(state): State<AppState>) -> String {
    format!("{}: SCIM is at /scim/v2/{{tenant}}\n", state.name)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt().init();

    let scim = ScimServer::builder().store(InMemoryStore::new()).build()?;
    // The key an identity provider (Okta, Entra ID) is given for tenant `acme`; a real app
    // would create one with `create` and show the secret once.
    if let Some(keys) = scim.api_keys() {
        keys.insert("acme", "acme-okta-key", ["SCIM2"]).await?;
    }

    let app = Router::new()
        .route("/", get(home))
        .route("/health", get(|| async { "ok" }))
        .merge(scim_axum::Scim::new(scim).router_at("/scim/v2"))
        .layer(middleware::from_fn(sessions))
        .with_state(AppState {
            name: "Example app".into(),
        });

    let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
    tracing::info!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
