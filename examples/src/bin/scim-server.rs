//! The example SCIM 2.0 server: axum, a SQLite, PostgreSQL or in-memory store
//! (`--database`), API keys from the command line.
//!
//! ```sh
//! cargo run --release --bin scim-server -- --api-key acme:secret
//! curl -H 'Authorization: Bearer secret' http://127.0.0.1:8080/scim/v2/acme/Users
//! ```

use std::process::ExitCode;

use scim_examples::{
    AdminPages, Backend, Options, ParseError, app_with_admin, build_on, configuration,
    generate_admin_password, open, serve,
};
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
            eprintln!("scim-server: {err} (--help lists the options)");
            return ExitCode::from(2);
        }
    };
    tracing_subscriber::fmt()
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    // A bad or unreachable database is the operator's to fix: one line, exit code 2.
    let backend = match open(&options.database).await {
        Ok(backend) => backend,
        Err(err) => {
            eprintln!("scim-server: {err}");
            return ExitCode::from(2);
        }
    };
    match run(options, backend).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!("{err}");
            ExitCode::FAILURE
        }
    }
}

async fn run(mut options: Options, backend: Backend) -> Result<(), Box<dyn std::error::Error>> {
    let stop = shutdown().map_err(|e| format!("cannot install signal handlers: {e}"))?;
    let listener = tokio::net::TcpListener::bind(options.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", options.listen))?;
    // With port 0, the default base URL names the port actually taken.
    options.listen = listener.local_addr()?;
    let (server, credentials) = build_on(&options, backend).await?;
    println!("scim-server listening on http://{}", options.listen);
    println!("Data kept in {}\n", options.database);
    println!(
        "{}",
        configuration(&server, &options.base_url(), &credentials)
    );
    let admin_password = match &options.admin_password {
        Some(password) => {
            println!(
                "Admin pages: http://{}/admin/ (password from --admin-password)",
                options.listen
            );
            password.as_str().to_owned()
        }
        None => {
            let password = generate_admin_password()
                .map_err(|e| format!("cannot generate the admin password: {e}"))?;
            println!(
                "Admin pages: http://{}/admin/ password (generated, shown once): {password}",
                options.listen
            );
            password
        }
    };
    let admin = AdminPages::new(server.clone(), &admin_password, options.base_url());
    if options.base_url.is_none() && options.listen.ip().is_unspecified() {
        tracing::warn!(
            "listening on {} without --base-url: response URLs name that address; \
             pass --base-url with the URL clients use",
            options.listen
        );
    }
    if let Some(url) = &options.redis {
        match scim_examples::redis::ping(url).await {
            Ok(()) => {
                tracing::info!(prefix = %options.redis_prefix, "rate limits shared through Redis")
            }
            Err(why) => tracing::warn!(
                "Redis does not answer ({why}): each instance limits on its own until it does"
            ),
        }
    }
    let limits = options.limits;
    tracing::info!(
        address = %options.listen,
        rate_limit_per_minute = options.rate_limit_per_minute,
        max_connections = limits.max_connections,
        header_timeout = ?limits.header_timeout,
        body_timeout = ?limits.body_timeout,
        request_timeout = ?limits.request_timeout,
        keep_alive_timeout = ?limits.keep_alive_timeout,
        shutdown_timeout = ?limits.shutdown_timeout,
        "scim-server listening; Ctrl-C stops it"
    );
    let forced = serve(listener, app_with_admin(server, Some(admin)), limits, stop).await;
    tracing::info!(forced, "scim-server stopped");
    Ok(())
}

/// Installs the Ctrl-C and SIGTERM handlers now, and returns a future that resolves on
/// either; then requests in flight get `--shutdown-timeout` to finish and the server stops.
///
/// The handlers must be in place before the server says it is listening: a handler
/// installed on the future's first poll leaves a window in which SIGTERM still has its
/// default action and kills the process mid-request.
fn shutdown() -> std::io::Result<impl std::future::Future<Output = ()>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut terminate = signal(SignalKind::terminate())?;
        Ok(async move {
            tokio::select! {
                _ = interrupt.recv() => tracing::info!("Ctrl-C received, stopping"),
                _ = terminate.recv() => tracing::info!("SIGTERM received, stopping"),
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            match tokio::signal::ctrl_c().await {
                Ok(()) => tracing::info!("Ctrl-C received, stopping"),
                Err(err) => {
                    tracing::warn!("cannot listen for Ctrl-C: {err}");
                    std::future::pending::<()>().await;
                }
            }
        })
    }
}
