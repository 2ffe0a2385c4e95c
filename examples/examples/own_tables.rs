//! An axum app with its own tables (`users`, `teams`, `team_members`) and SCIM
//! mapped onto them by a `ResourceStore` (`own_tables/store.rs`), mounted
//! next to the app's own routes. See docs/own-tables.md.
//!
//! ```text
//! cargo run -p scim-examples --example own_tables
//! curl -H 'Authorization: Bearer demo-token' localhost:3000/scim/v2/acme/Schemas
//! curl localhost:3000/app/users?tenant=acme
//! ```
//!
//! `--db URL` (or `OWN_TABLES_DB`) names the database: a SQLite file (default
//! `own_tables.db`) or PostgreSQL
//! (`cargo run -p scim-examples --example own_tables -- --db postgres://postgres@127.0.0.1/test`);
//! `OWN_TABLES_ADDR` the address (default `127.0.0.1:3000`).

#[path = "own_tables/store.rs"]
mod store;

use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use scim_core::{ApiKeyStore, ScimServer, ServerConfig};
use scim_sqlx::Database;
use serde_json::{Value, json};
use sqlx::Row;

use store::OwnTablesStore;

/// The app's own page: its users, read from its own table.
async fn list_users(
    State(db): State<Database>,
    Query(params): Query<std::collections::HashMap<String, String>>,
) -> Json<Value> {
    let tenant = params.get("tenant").cloned().unwrap_or_default();
    let sql = "SELECT email, first_name FROM users WHERE tenant_id = $1 ORDER BY email";
    let rows = sqlx::query(sql)
        .bind(tenant)
        .fetch_all(db.read())
        .await
        .unwrap_or_default();
    let users: Vec<Value> = rows
        .iter()
        .map(
            |r| json!({"email": r.get::<String, _>(0), "firstName": r.get::<Option<String>, _>(1)}),
        )
        .collect();
    Json(json!({ "users": users }))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // `--db URL`, else `OWN_TABLES_DB`, else the SQLite file `own_tables.db`.
    let flag = std::env::args().skip_while(|a| a != "--db").nth(1);
    let url = flag.or_else(|| std::env::var("OWN_TABLES_DB").ok());
    let url = url.unwrap_or_else(|| "own_tables.db".to_owned());
    let url = match url.contains("://") {
        true => url,
        false => format!("sqlite://{url}"),
    };
    let db = scim_sqlx::Database::connect(&url).await?;
    let store = OwnTablesStore::open(db.clone()).await?;
    let keys = ApiKeyStore::new();
    keys.insert("acme", "demo-token", ["SCIM2"]).await?;
    let server = ScimServer::builder()
        .store(store)
        .registry(store::registry()?)
        .api_keys(keys)
        // The store pages by startIndex only (no RFC 9865 cursors).
        .config(ServerConfig::default().cursor_paging(false))
        .build()?;
    let app = Router::new()
        .route("/app/users", get(list_users))
        .route("/app/health", get(|| async { "ok" }))
        .with_state(db)
        .merge(scim_axum::Scim::new(server).router_at("/scim/v2"));
    let addr = std::env::var("OWN_TABLES_ADDR").unwrap_or_else(|_| "127.0.0.1:3000".to_owned());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("listening on http://{addr} (SCIM at /scim/v2/acme, token demo-token)");
    axum::serve(listener, app).await?;
    Ok(())
}
