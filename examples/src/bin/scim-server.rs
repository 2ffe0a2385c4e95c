//! The example SCIM 2.0 server: axum, the in-memory store, API keys from the command line.
//!
//! ```sh
//! cargo run --release --bin scim-server -- --api-key acme:secret
//! curl -H 'Authorization: Bearer secret' http://127.0.0.1:8080/scim/v2/acme/Users
//! ```

use std::process::ExitCode;

use scim_examples::{MOUNT, Options, ParseError, app, build, configuration};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    let options = match Options::parse(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(ParseError::Help) => {
            println!("{}", scim_examples::USAGE);
            return ExitCode::SUCCESS;
        }
        Err(err) => {
            eprintln!("scim-server: {err}\n\n{}", scim_examples::USAGE);
            return ExitCode::from(2);
        }
    };
    tracing_subscriber::fmt()
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    match run(options).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!("{err}");
            ExitCode::FAILURE
        }
    }
}

async fn run(options: Options) -> Result<(), Box<dyn std::error::Error>> {
    let (server, credentials) = build(&options)?;
    let listener = tokio::net::TcpListener::bind(options.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", options.listen))?;
    let address = listener.local_addr()?;
    let base_url = options
        .base_url
        .clone()
        .unwrap_or_else(|| format!("http://{address}{MOUNT}"));
    println!("{}", configuration(&server, &base_url, &credentials));
    tracing::info!(
        %address,
        rate_limit_per_minute = options.rate_limit_per_minute,
        "scim-server listening; Ctrl-C stops it"
    );
    axum::serve(listener, app(server))
        .with_graceful_shutdown(shutdown())
        .await?;
    tracing::info!("scim-server stopped");
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM, after which in-flight requests finish and the server stops.
async fn shutdown() {
    let interrupt = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::warn!("cannot listen for Ctrl-C: {err}");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(err) => {
                tracing::warn!("cannot listen for SIGTERM: {err}");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => tracing::info!("Ctrl-C received, stopping"),
        () = terminate => tracing::info!("SIGTERM received, stopping"),
    }
}
