//! What single requests can make the real `scim-server` binary do: put a forged `Host` in
//! response URLs, send oversized heads, or open HTTP/2 connections with many streams.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code: helpers beside the tests panic on a broken setup"
)]

mod support;

use std::time::Duration;

use support::{
    Fate, NEVER, SECRET, Server, TENANT, answers_within, assert_scim_error, bounded, fate,
    h2_flood, read_response, user_body,
};
use tokio::io::AsyncWriteExt;

const TEST_LIMIT: Duration = Duration::from_secs(90);

/// Creates a user with `Host: evil.example.com` (and a forwarded host) and returns the
/// `Location` header and the body's `meta.location`.
async fn create_with_forged_host(server: &Server, user_name: &str) -> (String, String) {
    let body = user_body(user_name, 200);
    let request = format!(
        "POST /scim/v2/{TENANT}/Users HTTP/1.1\r\nHost: evil.example.com\r\n\
         X-Forwarded-Host: evil.example.com\r\nX-Forwarded-Proto: https\r\n\
         Authorization: Bearer {SECRET}\r\nContent-Type: application/scim+json\r\n\
         Content-Length: {}\r\n\r\n{}",
        body.len(),
        String::from_utf8_lossy(&body)
    );
    let response = server.exchange(&request).await;
    assert_eq!(response.status, 201, "{response:?}");
    let location = response.header("location").unwrap_or_default().to_owned();
    let meta = response.json()["meta"]["location"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    (location, meta)
}

#[tokio::test]
async fn a_forged_host_never_reaches_response_urls_without_base_url() {
    bounded(TEST_LIMIT, async {
        let server = Server::start(&[]);
        let (location, meta) = create_with_forged_host(&server, "host-default").await;
        let base = format!("http://{}/scim/v2/{TENANT}/Users/", server.addr);
        assert!(location.starts_with(&base), "{location}");
        assert_eq!(location, meta);
        let list = server
            .exchange(
                &server
                    .get(&format!("/scim/v2/{TENANT}/Users"))
                    .replace(&format!("Host: {}", server.addr), "Host: evil.example.com"),
            )
            .await;
        assert_eq!(list.status, 200);
        assert!(!String::from_utf8_lossy(&list.body).contains("evil"));
    })
    .await;
}

#[tokio::test]
async fn response_urls_follow_base_url_when_given() {
    bounded(TEST_LIMIT, async {
        let server = Server::start(&["--base-url", "https://scim.example.com/scim/v2"]);
        let (location, meta) = create_with_forged_host(&server, "host-given").await;
        assert!(
            location.starts_with(&format!("https://scim.example.com/scim/v2/{TENANT}/Users/")),
            "{location}"
        );
        assert_eq!(location, meta);
    })
    .await;
}

/// Sends `request` on a fresh connection and returns everything received until the
/// server closes it.
async fn refused(server: &Server, request: &[u8]) -> String {
    let mut stream = server.connect().await;
    stream.write_all(request).await.expect("write");
    let fate = fate(&mut stream, NEVER).await;
    assert!(
        matches!(fate, Fate::Closed(_)),
        "the connection stayed open"
    );
    fate.text()
}

#[tokio::test]
async fn a_long_request_target_gets_414_with_a_scim_error() {
    bounded(TEST_LIMIT, async {
        let server = Server::start(&["--max-header-bytes", "2048"]);
        let path = format!("/scim/v2/{TENANT}/Users?filter={}", "a".repeat(3000));
        let text = refused(&server, server.get(&path).as_bytes()).await;
        assert_scim_error(&text, 414);
    })
    .await;
}

#[tokio::test]
async fn a_large_head_gets_431_with_a_scim_error() {
    bounded(TEST_LIMIT, async {
        let server = Server::start(&["--max-header-bytes", "2048"]);
        let request = server.get("/").replace(
            "\r\n\r\n",
            &format!("\r\nX-Large: {}\r\n\r\n", "b".repeat(3000)),
        );
        assert_scim_error(&refused(&server, request.as_bytes()).await, 431);
    })
    .await;
}

/// A `GET /` to `server` with `count` extra header fields.
fn with_fields(server: &Server, count: usize) -> String {
    let fields: String = (0..count)
        .map(|n| format!("X-Field-{n}: {n}\r\n"))
        .collect();
    server
        .get("/")
        .replace("\r\n\r\n", &format!("\r\n{fields}\r\n"))
}

#[tokio::test]
async fn too_many_header_fields_get_431_with_a_scim_error() {
    bounded(TEST_LIMIT, async {
        let server = Server::start(&[]);
        // More than the 64 that get a SCIM error, fewer than hyper's own limit of 100.
        let request = with_fields(&server, 80);
        assert_scim_error(&refused(&server, request.as_bytes()).await, 431);
    })
    .await;
}

#[tokio::test]
async fn more_header_fields_than_hyper_parses_get_its_empty_431() {
    bounded(TEST_LIMIT, async {
        // Past hyper's default of 100 fields (which it parses without allocating), hyper
        // answers itself: no handler sees the request.
        let server = Server::start(&[]);
        let request = with_fields(&server, 120);
        let text = refused(&server, request.as_bytes()).await;
        assert!(text.starts_with("HTTP/1.1 431 "), "{text}");
        assert!(!text.contains("urn:ietf:params:scim"), "{text}");
    })
    .await;
}

#[tokio::test]
async fn a_head_past_the_hard_limit_is_refused_by_hyper_and_closed() {
    bounded(TEST_LIMIT, async {
        // hyper stops at four times --max-header-bytes (at least 8 KiB) and answers an
        // empty 431 itself: no handler sees the request, so no SCIM body is possible.
        let server = Server::start(&["--max-header-bytes", "2048"]);
        let request = server.get("/").replace(
            "\r\n\r\n",
            &format!("\r\nX-Huge: {}\r\n\r\n", "c".repeat(20_000)),
        );
        let text = refused(&server, request.as_bytes()).await;
        assert!(text.starts_with("HTTP/1.1 431 "), "{text}");
        assert!(answers_within(server.addr, NEVER).await);
    })
    .await;
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn http2_connections_with_many_streams_are_refused_and_hold_nothing() {
    bounded(TEST_LIMIT, async {
        let server = Server::start(&[]);
        let before = server.rss_kib();
        let (answered, guard) = h2_flood(server.addr, 2, 200, 1_000_000).await;
        let grown = server.peak_rss_kib().saturating_sub(before);
        drop(guard);
        assert_eq!(answered, 0, "cleartext HTTP/2 streams were served");
        // Before: 2 × 200 streams of 1 MB took the example server from 6 MB to 400 MB.
        assert!(grown < 16 * 1024, "RSS grew by {grown} KiB");
        assert!(answers_within(server.addr, NEVER).await);
    })
    .await;
}

#[tokio::test]
async fn failed_authentications_are_counted_by_the_client_address() {
    bounded(TEST_LIMIT, async {
        // The server hands the peer address to the engine, which allows each client
        // address 30 failed authentications a minute, whatever tenant segments it names.
        let server = Server::start(&[]);
        let mut stream = server.connect().await;
        let mut statuses = Vec::new();
        for n in 0..40 {
            let request = format!(
                "GET /scim/v2/tenant{n}/Users HTTP/1.1\r\nHost: x\r\n\
                 Authorization: Bearer wrong-{n}\r\n\r\n"
            );
            stream.write_all(request.as_bytes()).await.unwrap();
            statuses.push(read_response(&mut stream, NEVER).await.unwrap().status);
        }
        assert_eq!(statuses[0], 401);
        assert_eq!(statuses.last(), Some(&429), "{statuses:?}");
    })
    .await;
}
