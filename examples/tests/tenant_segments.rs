//! What many distinct tenant segments can make the real `scim-server` binary hold:
//! nothing. Segments outside the tenant-id syntax are `404` before any per-tenant state,
//! and well-formed segments of unknown tenants never get past authentication.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code: helpers beside the tests panic on a broken setup"
)]

mod support;

use std::time::Duration;

use support::{NEVER, SECRET, Server, answers_within, bounded, read_response};
use tokio::io::AsyncWriteExt;

const TEST_LIMIT: Duration = Duration::from_secs(240);
const REQUESTS: usize = 20_000;
const CONNECTIONS: usize = 4;

/// A distinct segment outside the tenant-id syntax, about 8 KB long.
fn invalid_segment(n: usize) -> String {
    match n % 4 {
        0 => format!("{}{n}", "x".repeat(8_000)),
        1 => format!("bad!{n}{}", "y".repeat(8_000)),
        2 => format!("{}{n}", "%41".repeat(2_600)),
        _ => format!("t%C3%A9{n}{}", "z".repeat(7_900)),
    }
}

/// Sends `REQUESTS` `GET /scim/v2/{segment(n)}/Users` over `CONNECTIONS` kept-alive
/// connections (the token, when given, is a valid key of tenant `acme`) and returns
/// how many got each status.
async fn flood(
    server: &Server,
    segment: fn(usize) -> String,
    token: Option<&'static str>,
) -> std::collections::BTreeMap<u16, usize> {
    let mut tasks = Vec::new();
    for c in 0..CONNECTIONS {
        let mut stream = server.connect().await;
        tasks.push(tokio::spawn(async move {
            let mut statuses = std::collections::BTreeMap::new();
            for n in (c..REQUESTS).step_by(CONNECTIONS) {
                let auth = token
                    .map(|t| format!("Authorization: Bearer {t}\r\n"))
                    .unwrap_or_default();
                let request = format!(
                    "GET /scim/v2/{}/Users HTTP/1.1\r\nHost: x\r\n{auth}\r\n",
                    segment(n)
                );
                stream.write_all(request.as_bytes()).await.unwrap();
                let status = read_response(&mut stream, NEVER).await.unwrap().status;
                *statuses.entry(status).or_insert(0) += 1;
            }
            statuses
        }));
    }
    let mut all = std::collections::BTreeMap::new();
    for task in tasks {
        for (status, count) in task.await.unwrap() {
            *all.entry(status).or_insert(0) += count;
        }
    }
    all
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn twenty_thousand_invalid_tenant_segments_are_404_and_hold_nothing() {
    bounded(TEST_LIMIT, async {
        let server = Server::start(&[]);
        // Warm up the allocator and the connection paths first.
        flood_a_few(&server).await;
        let before = server.rss_kib();
        let statuses = flood(&server, invalid_segment, Some(SECRET)).await;
        assert_eq!(statuses.get(&404), Some(&REQUESTS), "{statuses:?}");
        let statuses = flood(&server, invalid_segment, None).await;
        assert_eq!(statuses.get(&404), Some(&REQUESTS), "{statuses:?}");
        let grown = server.rss_kib().saturating_sub(before);
        // Before the tenant-id syntax: 20 000 segments of 30 KB pinned 460 MB; these
        // 2 × 20 000 of 8 KB would pin over 300 MB.
        assert!(grown < 24 * 1024, "RSS grew by {grown} KiB");
        assert!(answers_within(server.addr, NEVER).await);
    })
    .await;
}

/// A distinct well-formed segment: a tenant that does not exist.
fn unknown_tenant(n: usize) -> String {
    format!("tenant-{n}-{}", "u".repeat(48))
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn twenty_thousand_unknown_tenants_are_refused_and_hold_nothing() {
    bounded(TEST_LIMIT, async {
        let server = Server::start(&[]);
        flood_a_few(&server).await;
        let before = server.rss_kib();
        // A valid key of another tenant is answered like an unknown key; past the client's
        // failed-authentication budget, 429. Neither creates a bucket per tenant.
        let statuses = flood(&server, unknown_tenant, Some(SECRET)).await;
        let refused =
            statuses.get(&401).copied().unwrap_or(0) + statuses.get(&429).copied().unwrap_or(0);
        assert_eq!(refused, REQUESTS, "{statuses:?}");
        assert!(
            statuses.get(&401).copied().unwrap_or(0) <= 60,
            "{statuses:?}"
        );
        let grown = server.rss_kib().saturating_sub(before);
        // The figures, for the record (`-- --nocapture`).
        eprintln!("{REQUESTS} unknown tenants: statuses {statuses:?}; RSS grew by {grown} KiB");
        assert!(grown < 16 * 1024, "RSS grew by {grown} KiB");
    })
    .await;
}

async fn flood_a_few(server: &Server) {
    let mut stream = server.connect().await;
    for n in 0..200 {
        let request = format!(
            "GET /scim/v2/{}/Users HTTP/1.1\r\nHost: x\r\n\r\n",
            invalid_segment(n)
        );
        stream.write_all(request.as_bytes()).await.unwrap();
        read_response(&mut stream, NEVER).await.unwrap();
    }
}
