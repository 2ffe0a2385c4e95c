//! SCIM inside an existing actix-web app that has its own routes, state and authentication.
//!
//! ```sh
//! cargo run -p scim-actix --example existing_actix_app
//! curl http://127.0.0.1:3001/                                             # the app's own page
//! curl -H 'Authorization: Bearer acme-okta-key' http://127.0.0.1:3001/scim/v2/acme/Users
//! curl -H 'X-Session: admin-of-acme' http://127.0.0.1:3001/scim/v2/acme/Users  # the app's own login
//! ```

use actix_web::dev::Service as _;
use actix_web::{App, HttpMessage as _, HttpResponse, HttpServer, web};
use scim_actix::{InMemoryStore, Principal, Scim, ScimServer};

/// The host app's own state, unrelated to SCIM.
struct AppState {
    name: String,
}

async fn home(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().body(format!("{}: SCIM is at /scim/v2/{{tenant}}\n", state.name))
}

#[actix_web::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let scim = ScimServer::builder().store(InMemoryStore::new()).build()?;
    // The key an identity provider (Okta, Entra ID) is given for tenant `acme`.
    if let Some(keys) = scim.api_keys() {
        keys.insert("acme", "acme-okta-key", ["SCIM2"]).await?;
    }
    let state = web::Data::new(AppState {
        name: "Example app".to_owned(),
    });

    println!("listening on http://127.0.0.1:3001");
    HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            // The host app's own authentication: a signed-in tenant admin gets a
            // `Principal`, which the SCIM engine uses instead of an API key.
            .wrap_fn(|request, service| {
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
                service.call(request)
            })
            .route("/", web::get().to(home))
            .route("/health", web::get().to(|| async { "ok" }))
            .service(web::scope("/scim/v2").service(Scim::new(scim.clone())))
    })
    .bind(("127.0.0.1", 3001))?
    .run()
    .await?;
    Ok(())
}
