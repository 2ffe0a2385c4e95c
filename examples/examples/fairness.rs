//! The fairness figure of `SECURITY.md`: another tenant's latency while one tenant sends
//! its heaviest allowed requests at full rate, against a `scim-server` binary (the
//! release build by default, or `SCIM_SERVER_BIN`).
//!
//! ```sh
//! cargo build --release --bin scim-server
//! # fairness [heavy clients] [seconds] [emails of the target user] [operations per PATCH]
//! cargo run --release -p scim-examples --example fairness -- 4 10 1000 100
//! ```
//!
//! Tenant `acme` gets a user with `emails` work addresses, then `clients` connections
//! PATCH it back to back, each PATCH `operations` times
//! `replace emails[type eq "work"].display` (every operation walks every address).
//! Meanwhile tenant `globex` asks `GET /ServiceProviderConfig` every 20 ms on a
//! connection of its own; the program prints that probe's latency percentiles and what
//! the heavy PATCHes answered. It asserts nothing.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "a measurement tool: a broken setup should stop it loudly"
)]

#[path = "../tests/support/mod.rs"]
mod support;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::{SECRET, Server, TENANT, read_response};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

const OTHER: &str = "globex";
const OTHER_SECRET: &str = "fairness-other-secret";
const LIMIT: Duration = Duration::from_secs(120);

#[tokio::main]
async fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("numbers"))
        .collect();
    let arg = |i: usize, default: usize| args.get(i).copied().unwrap_or(default);
    let (clients, seconds, emails, operations) = (arg(0, 4), arg(1, 10), arg(2, 1000), arg(3, 100));
    println!("binary: {}", support::binary().display());
    let other_key = format!("{OTHER}:{OTHER_SECRET}");
    let server = Server::start(&[
        "--api-key",
        &other_key,
        "--rate-limit-per-minute",
        "1000000",
    ]);

    let addresses: Vec<Value> = (0..emails)
        .map(|i| json!({"value": format!("u{i}@example.com"), "type": "work"}))
        .collect();
    let user = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                      "userName": "heavy", "emails": addresses});
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    let created = send(
        &mut stream,
        &server,
        "POST",
        &format!("/scim/v2/{TENANT}/Users"),
        SECRET,
        &user.to_string(),
    )
    .await;
    assert_eq!(created.0, 201, "creating the target user: {}", created.2);
    let id = serde_json::from_str::<Value>(&created.2).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let ops: Vec<Value> = (0..operations)
        .map(|i| json!({"op": "replace", "path": "emails[type eq \"work\"].display", "value": format!("d{i}")}))
        .collect();
    let patch = Arc::new(
        json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops})
            .to_string(),
    );
    println!(
        "{clients} heavy clients, {seconds} s, user with {emails} emails, PATCH of {operations} operations ({} bytes)",
        patch.len()
    );

    let stop = Arc::new(AtomicBool::new(false));
    let server = Arc::new(server);
    let mut heavy = Vec::new();
    for _ in 0..clients {
        let (stop, server, patch, id) = (stop.clone(), server.clone(), patch.clone(), id.clone());
        heavy.push(tokio::spawn(async move {
            let mut statuses: BTreeMap<u16, usize> = BTreeMap::new();
            let mut took = Vec::new();
            let mut stream = TcpStream::connect(server.addr).await.unwrap();
            while !stop.load(Ordering::Relaxed) {
                let started = Instant::now();
                let path = format!("/scim/v2/{TENANT}/Users/{id}");
                let (status, ..) = send(&mut stream, &server, "PATCH", &path, SECRET, &patch).await;
                took.push(started.elapsed());
                *statuses.entry(status).or_default() += 1;
            }
            (statuses, took)
        }));
    }
    // Let the heavy clients get going before probing.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut probe = TcpStream::connect(server.addr).await.unwrap();
    let mut latencies = Vec::new();
    let until = Instant::now() + Duration::from_secs(u64::try_from(seconds).unwrap());
    while Instant::now() < until {
        let started = Instant::now();
        let path = format!("/scim/v2/{OTHER}/ServiceProviderConfig");
        let (status, ..) = send(&mut probe, &server, "GET", &path, OTHER_SECRET, "").await;
        assert_eq!(status, 200);
        latencies.push(started.elapsed());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.store(true, Ordering::Relaxed);
    let mut statuses: BTreeMap<u16, usize> = BTreeMap::new();
    let mut heavy_took = Vec::new();
    for task in heavy {
        let (s, t) = tokio::time::timeout(LIMIT, task).await.unwrap().unwrap();
        for (k, v) in s {
            *statuses.entry(k).or_default() += v;
        }
        heavy_took.extend(t);
    }
    println!(
        "heavy PATCHes by status: {statuses:?}; latency {}",
        summary(&mut heavy_took)
    );
    println!(
        "{OTHER} GET /ServiceProviderConfig ({} probes): {}",
        latencies.len(),
        summary(&mut latencies)
    );
}

/// `p50 / p99 / max` in milliseconds.
fn summary(samples: &mut [Duration]) -> String {
    samples.sort();
    let at = |q: f64| {
        let index = ((samples.len() as f64 - 1.0) * q).round() as usize;
        samples.get(index).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    format!(
        "p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        at(0.5),
        at(0.99),
        at(1.0)
    )
}

/// One request on a kept-alive connection: status, headers, body text.
async fn send(
    stream: &mut TcpStream,
    server: &Server,
    method: &str,
    path: &str,
    token: &str,
    body: &str,
) -> (u16, Vec<(String, String)>, String) {
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/scim+json\r\nContent-Length: {}\r\n\r\n{body}",
        server.addr,
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let response = read_response(stream, LIMIT)
        .await
        .unwrap_or_else(|why| panic!("{why}\n{}", server.output()));
    let text = String::from_utf8_lossy(&response.body).into_owned();
    (response.status, response.headers, text)
}
