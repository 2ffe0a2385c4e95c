//! The real `scim-server` binary and its `--database`: it keeps its API keys there (a key
//! created through an `ApiKeyStore` on the same SQLite file, as an admin page would, opens
//! the tenant at once, still does after the server restarts, and is refused once
//! revoked), and a database it cannot use stops it with one line and exit code 2.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code: helpers beside the tests panic on a broken setup"
)]

mod support;

use std::time::Duration;

use scim_core::ApiKeyStore;
use support::{NEVER, Server, TENANT, binary, bounded, temp_dir};

const TEST_LIMIT: Duration = Duration::from_secs(60);

/// The status of `GET /Users` of the tenant with `token`.
async fn status(server: &Server, token: &str) -> u16 {
    let request = format!(
        "GET /scim/v2/{TENANT}/Users HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\n\r\n",
        server.addr
    );
    server.exchange(&request).await.status
}

#[tokio::test]
async fn a_key_created_in_the_database_survives_a_restart_until_revoked() {
    bounded(TEST_LIMIT, async {
        let dir = temp_dir("scim_keys_restart");
        let url = format!("sqlite://{}", dir.join("scim.db").display());
        let args = ["--database", url.as_str()];

        let mut server = Server::start(&args);
        let said = format!("Data kept in {url}");
        let started = std::time::Instant::now();
        while !server.output().contains(&said) && started.elapsed() < NEVER {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(server.output().contains(&said), "{}", server.output());
        let store = scim_sqlx::SqlStore::connect(&url).await.unwrap();
        let keys = ApiKeyStore::with_storage(store.key_storage());
        let key = keys.create(TENANT, ["SCIM2"], "admin page").await.unwrap();
        assert_eq!(
            status(&server, &key.secret).await,
            200,
            "the running server"
        );
        assert_eq!(status(&server, "not-a-key").await, 401);

        server.signal("TERM");
        assert!(server.exited_within(NEVER).await.is_some());
        drop(server);
        let server = Server::start(&args);
        assert_eq!(status(&server, &key.secret).await, 200, "after a restart");

        assert!(keys.revoke(TENANT, &key.info.id).await.unwrap());
        assert_eq!(status(&server, &key.secret).await, 401, "after the revoke");
        // The key given on the command line at both starts is one key, still valid.
        let listed = keys.list(TENANT).await.unwrap();
        assert_eq!(listed.len(), 1, "{listed:?}");
        assert_eq!(status(&server, support::SECRET).await, 200);
        drop(server);
        store.pool().close().await;
        store.write_pool().close().await;
        let _ = std::fs::remove_dir_all(&dir);
    })
    .await;
}

#[test]
fn a_database_it_cannot_use_is_one_line_and_exit_code_2() {
    for (database, expected) in [
        ("mysql://db/scim", "--database \"mysql://db/scim\""),
        (
            "sqlite:///no/such/directory/scim.db",
            "cannot open sqlite:///no/such/directory/scim.db: ",
        ),
        // Nothing listens on port 1; the password never shows.
        (
            "postgres://scim:hunter2@127.0.0.1:1/scim",
            "cannot open postgres://scim:***@127.0.0.1:1/scim: ",
        ),
    ] {
        let output = std::process::Command::new(binary())
            .args(["--listen", "127.0.0.1:0", "--database", database])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{database}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{database}: {stderr}");
        assert!(stderr.contains(expected), "{database}: {stderr}");
        assert!(
            !stderr.contains("hunter2") && !stderr.contains("panicked"),
            "{stderr}"
        );
    }
}
