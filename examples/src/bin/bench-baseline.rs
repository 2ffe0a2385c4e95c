//! The baseline of examples/BENCHMARKS.md: a minimal axum server that reads the body of
//! every request, whatever its method and path, and answers with a fixed JSON body,
//! measured with the same load tool as `scim-server`.
//!
//! ```sh
//! cargo run --release --bin bench-baseline -- 127.0.0.1:8081
//! ```

use axum::Router;
use axum::body::Bytes;
use axum::http::header;
use axum::routing::any;

/// A body the size of a one-user ListResponse.
const BODY: &str = r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":1,"itemsPerPage":1,"startIndex":1,"Resources":[{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"2819c223-7f76-453a-919d-413861904646","userName":"user05000","name":{"givenName":"Barbara","familyName":"Jensen"},"emails":[{"value":"user05000@example.com","type":"work","primary":true}],"active":true,"meta":{"resourceType":"User","created":"2026-01-01T00:00:00Z","lastModified":"2026-01-01T00:00:00Z","version":"W/\"1\"","location":"http://127.0.0.1:8080/scim/v2/acme/Users/2819c223-7f76-453a-919d-413861904646"}}]}"#;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let address = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8081".to_owned());
    let app = Router::new().fallback(any(|_body: Bytes| async {
        ([(header::CONTENT_TYPE, "application/scim+json")], BODY)
    }));
    let listener = tokio::net::TcpListener::bind(&address).await?;
    println!("bench-baseline listening on http://{address}");
    axum::serve(listener, app).await?;
    Ok(())
}
