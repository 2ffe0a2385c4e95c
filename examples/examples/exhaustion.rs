//! The resource-exhaustion figures of `SECURITY.md`, measured against a `scim-server`
//! binary (the release build by default, or `SCIM_SERVER_BIN`):
//!
//! ```sh
//! cargo build --release --bin scim-server
//! cargo run --release -p scim-examples --example exhaustion -- bodies       # 300 unauthenticated 1 MB bodies
//! cargo run --release -p scim-examples --example exhaustion -- h2           # 2 HTTP/2 connections × 200 streams × 1 MB
//! cargo run --release -p scim-examples --example exhaustion -- half-open    # how long a partial head lives
//! cargo run --release -p scim-examples --example exhaustion -- connections  # half-open connections, server at `ulimit -n 1024`
//! ```
//!
//! Each prints what it measured; none asserts anything (the socket tests in
//! `examples/tests/` do that).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "a measurement tool: a broken setup should stop it loudly"
)]

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use support::{Server, answers_within, h2_flood, post_head};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let number = |index: usize, default: usize| {
        args.get(index)
            .and_then(|a| a.parse().ok())
            .unwrap_or(default)
    };
    let binary = support::binary();
    println!("binary: {}", binary.display());
    match args.first().map(String::as_str) {
        Some("bodies") => bodies(number(1, 300), number(2, 1_000_000)).await,
        Some("h2") => h2(number(1, 2), number(2, 200), number(3, 1_000_000)).await,
        Some("half-open") => half_open(number(1, 120)).await,
        Some("connections") => connections(number(1, 3000), number(2, 1024)).await,
        _ => eprintln!("usage: exhaustion bodies|h2|half-open|connections [N...]"),
    }
}

/// `count` connections each send an unauthenticated `POST /Users` head and all but the
/// last byte of a `size`-byte body, then hold.
async fn bodies(count: usize, size: usize) {
    let server = Server::start(&[]);
    let before = server.rss_kib();
    let started = Instant::now();
    let mut held = Vec::new();
    let mut tasks = Vec::new();
    for _ in 0..count {
        let addr = server.addr;
        tasks.push(tokio::spawn(async move {
            let mut stream = TcpStream::connect(addr).await.ok()?;
            stream
                .write_all(post_head(addr, size, false).as_bytes())
                .await
                .ok()?;
            let _ = stream.write_all(&vec![b' '; size - 1]).await;
            Some(stream)
        }));
    }
    for task in tasks {
        if let Ok(Ok(Some(stream))) = tokio::time::timeout(Duration::from_secs(60), task).await {
            held.push(stream);
        }
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    println!(
        "{count} unauthenticated bodies of {size} bytes: RSS {} KiB before, {} KiB now, peak {} KiB \
         ({:.1} s to send)",
        before,
        server.rss_kib(),
        server.peak_rss_kib(),
        started.elapsed().as_secs_f64()
    );
    drop(held);
}

async fn h2(connections: usize, streams: usize, size: usize) {
    let server = Server::start(&[]);
    let before = server.rss_kib();
    let started = Instant::now();
    let (answered, guard) = h2_flood(server.addr, connections, streams, size).await;
    println!(
        "{connections} HTTP/2 connections × {streams} streams × {size} bytes: {answered} streams \
         answered; RSS {} KiB before, {} KiB now, peak {} KiB ({:.1} s)",
        before,
        server.rss_kib(),
        server.peak_rss_kib(),
        started.elapsed().as_secs_f64()
    );
    drop(guard);
}

/// How long a connection that sent half a request head stays open (up to `limit` s).
async fn half_open(limit: usize) {
    let server = Server::start(&[]);
    let mut stream = server.connect().await;
    stream
        .write_all(b"GET /scim/v2/acme/Users HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let started = Instant::now();
    match support::fate(&mut stream, Duration::from_secs(limit as u64)).await {
        support::Fate::Closed(_) => println!(
            "a partial head was closed after {:.1} s",
            started.elapsed().as_secs_f64()
        ),
        support::Fate::StillOpen => println!("a partial head was still open after {limit} s"),
    }
}

/// Opens up to `max` half-open connections in batches of 50 against a server limited to
/// `fd_limit` file descriptors, and reports how many it took before a fresh `GET /` went
/// unanswered for 3 s.
async fn connections(max: usize, fd_limit: usize) {
    let server = Server::start_with_fd_limit(&support::binary(), Some(fd_limit), &[]);
    let mut held = Vec::new();
    while held.len() < max {
        for _ in 0..50 {
            match TcpStream::connect(server.addr).await {
                Ok(mut stream) => {
                    let _ = stream.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").await;
                    held.push(stream);
                }
                Err(e) => {
                    println!("connect failed after {} connections: {e}", held.len());
                    break;
                }
            }
        }
        if !answers_within(server.addr, Duration::from_secs(3)).await {
            println!(
                "with {} half-open connections held, a fresh request was not answered within 3 s \
                 (server: {} open files, RSS {} KiB)",
                held.len(),
                server.open_files(),
                server.rss_kib()
            );
            return;
        }
    }
    println!(
        "with {} half-open connections held, the server still answered (server: {} open \
         files, RSS {} KiB)",
        held.len(),
        server.open_files(),
        server.rss_kib()
    );
}
