//! Three `scim-server` instances on loopback ports sharing one PostgreSQL database (a
//! schema of this run's own) and one Redis (a key prefix of this run's own), as N
//! instances behind a load balancer would (docs/deployment.md): one tenant budget for
//! all, uniqueness, versions and membership decided once, reads at once on any instance,
//! and an instance killed mid-load losing no acknowledged write.
//!
//! Needs the PostgreSQL at `SCIM_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`) and the Redis at `SCIM_TEST_REDIS_URL`
//! (default `redis://127.0.0.1:6379`); fails, never skips, when one is unreachable.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "a test: a broken expectation is a failure"
)]

mod support;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::{NEVER, Response, SECRET, Server, TENANT, bounded, read_response};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

const TEST_LIMIT: Duration = Duration::from_secs(120);

fn redis_url() -> String {
    std::env::var("SCIM_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

/// A name no other run uses (key prefix, schema).
fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{prefix}_{}_{nanos}", std::process::id())
}

/// Fails the test when the Redis is unreachable.
async fn require_redis() {
    let url = redis_url();
    if let Err(why) = scim_examples::redis::ping(&url).await {
        panic!("no Redis at {url} ({why}): start one or set SCIM_TEST_REDIS_URL");
    }
}

fn postgres_url() -> String {
    std::env::var("SCIM_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// A schema of this test's own on the test PostgreSQL, dropped when this is dropped.
struct Schema {
    name: String,
}

impl Schema {
    /// Fails the test when PostgreSQL is unreachable. The schema itself is made by the
    /// first instance (its migrations).
    async fn new() -> Self {
        let schema = Self {
            name: unique("scim_multi"),
        };
        let database: scim_examples::Database = schema.url().parse().unwrap();
        if let Err(e) = scim_examples::open(&database).await {
            panic!(
                "PostgreSQL is unreachable ({e}): start it, or set SCIM_TEST_POSTGRES_URL to \
                 one that is running"
            );
        }
        schema
    }

    /// The `--database` URL of every instance.
    fn url(&self) -> String {
        let base = postgres_url();
        let separator = if base.contains('?') { '&' } else { '?' };
        format!("{base}{separator}schema={}", self.name)
    }

    async fn drop_now(self) {
        let pool = sqlx::PgPool::connect(&postgres_url()).await.unwrap();
        sqlx::query(&format!("DROP SCHEMA IF EXISTS \"{}\" CASCADE", self.name))
            .execute(&pool)
            .await
            .unwrap();
    }
}

/// Three instances with the same flags, sharing the Redis under a fresh prefix (and
/// whatever `extra` adds: the database).
fn cluster(per_minute: u32, extra: &[&str]) -> Vec<Server> {
    let redis = redis_url();
    let prefix = format!("{}:", unique("scim-multi"));
    let per_minute = per_minute.to_string();
    let mut args = vec![
        "--redis",
        &redis,
        "--redis-prefix",
        &prefix,
        "--rate-limit-per-minute",
        &per_minute,
    ];
    args.extend_from_slice(extra);
    // One after the other: the first one's migrations make the schema.
    (0..3).map(|_| Server::start(&args)).collect()
}

/// Three instances on one database schema, with a budget no test here exhausts.
async fn shared_cluster() -> (Vec<Server>, Schema) {
    require_redis().await;
    let schema = Schema::new().await;
    let url = schema.url();
    let servers = cluster(1_000_000, &["--database", &url]);
    (servers, schema)
}

fn user(name: &str) -> Value {
    json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": name})
}

/// One request on a fresh connection; `None` when the instance did not answer (refused,
/// reset: a dead instance).
async fn try_send(
    addr: SocketAddr,
    method: &str,
    path: &str,
    body: Option<&Value>,
    headers: &[(&str, &str)],
) -> Option<Response> {
    let body = body.map(Value::to_string).unwrap_or_default();
    let mut text = format!(
        "{method} /scim/v2/{TENANT}{path} HTTP/1.1\r\nHost: {addr}\r\n\
         Authorization: Bearer {SECRET}\r\nContent-Type: application/scim+json\r\n\
         Content-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    text.push_str("\r\n");
    text.push_str(&body);
    let mut stream = TcpStream::connect(addr).await.ok()?;
    stream.write_all(text.as_bytes()).await.ok()?;
    read_response(&mut stream, NEVER).await.ok()
}

async fn send(
    addr: SocketAddr,
    method: &str,
    path: &str,
    body: Option<&Value>,
    headers: &[(&str, &str)],
) -> Response {
    try_send(addr, method, path, body, headers)
        .await
        .unwrap_or_else(|| panic!("{method} {path} on {addr}: no answer"))
}

/// (a) One tenant at 60 a minute, 300 requests spread round-robin over three instances:
/// the budget is the tenant's, not each instance's (three in-process limiters would let
/// 180 through).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tenant_budget_is_shared_by_every_instance() {
    require_redis().await;
    bounded(TEST_LIMIT, async {
        // The deployment of the other scenarios: one PostgreSQL schema, one Redis.
        let schema = Schema::new().await;
        let url = schema.url();
        let servers = cluster(60, &["--database", &url]);
        let started = Instant::now();
        let (mut ok, mut refused) = (0, 0);
        for i in 0..300 {
            let server = &servers[i % 3];
            let response = send(server.addr, "GET", "/Users?count=1", None, &[]).await;
            match response.status {
                200 => ok += 1,
                429 => {
                    refused += 1;
                    let retry: u64 = response
                        .header("retry-after")
                        .expect("a 429 has Retry-After")
                        .parse()
                        .unwrap();
                    assert!((1..=60).contains(&retry), "Retry-After {retry}");
                }
                other => panic!(
                    "status {other}: {:?}",
                    String::from_utf8_lossy(&response.body)
                ),
            }
        }
        let elapsed = started.elapsed();
        assert_eq!(ok + refused, 300);
        // 60 at once, and one a second refilled while the requests went out.
        assert!(
            (60..=66).contains(&ok),
            "{ok} of 300 admitted in {elapsed:?} (a budget of 60 a minute)"
        );
        drop(servers);
        schema.drop_now().await;
    })
    .await;
}

/// (b) 30 concurrent creates of one `userName` spread over the three: one `201`, the rest
/// `409 uniqueness`.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_creates_of_one_user_name_on_three_instances_give_one_201() {
    let (servers, schema) = shared_cluster().await;
    bounded(TEST_LIMIT, async {
        let addrs: Vec<SocketAddr> = servers.iter().map(|s| s.addr).collect();
        let mut tasks = Vec::new();
        for i in 0..30 {
            let addr = addrs[i % 3];
            tasks.push(tokio::spawn(async move {
                send(addr, "POST", "/Users", Some(&user("race@example.com")), &[]).await
            }));
        }
        let mut statuses = BTreeMap::new();
        for task in tasks {
            let response = task.await.unwrap();
            if response.status == 409 {
                assert_eq!(response.json()["scimType"], "uniqueness");
            }
            *statuses.entry(response.status).or_insert(0) += 1;
        }
        assert_eq!(statuses, BTreeMap::from([(201, 1), (409, 29)]));
    })
    .await;
    schema.drop_now().await;
}

/// (c) A user created on one instance is read at once on the others; a write on one
/// makes the version the others hold stale, and `If-Match` with it gets `412`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_on_one_instance_is_seen_at_once_on_the_others() {
    let (servers, schema) = shared_cluster().await;
    bounded(TEST_LIMIT, async {
        let created = send(servers[0].addr, "POST", "/Users", Some(&user("ann")), &[]).await;
        assert_eq!(created.status, 201);
        let created = created.json();
        let id = created["id"].as_str().unwrap();
        let version = created["meta"]["version"].as_str().unwrap().to_owned();
        let path = format!("/Users/{id}");
        for server in &servers[1..] {
            let read = send(server.addr, "GET", &path, None, &[]).await;
            assert_eq!(read.status, 200);
            assert_eq!(read.json()["meta"]["version"], version.as_str());
        }
        let patch = json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "path": "displayName", "value": "Ann"}]
        });
        // The same conditional PATCH on instance 1 (current version: 200), then on
        // instance 2 (the version instance 1 just replaced: 412).
        for (server, expected) in [(&servers[1], 200), (&servers[2], 412)] {
            let headers = [("If-Match", version.as_str())];
            let response = send(server.addr, "PATCH", &path, Some(&patch), &headers).await;
            let body = String::from_utf8_lossy(&response.body);
            assert_eq!(response.status, expected, "{body}");
        }
        let read = send(servers[0].addr, "GET", &path, None, &[]).await.json();
        assert_eq!(read["displayName"], "Ann");
    })
    .await;
    schema.drop_now().await;
}

/// (d) 20 concurrent member adds spread over the three leave 20 members.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_member_adds_on_three_instances_all_land() {
    let (servers, schema) = shared_cluster().await;
    bounded(TEST_LIMIT, async {
        let addrs: Vec<SocketAddr> = servers.iter().map(|s| s.addr).collect();
        let group = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "staff"});
        let group = send(addrs[0], "POST", "/Groups", Some(&group), &[]).await;
        assert_eq!(group.status, 201);
        let group_path = format!("/Groups/{}", group.json()["id"].as_str().unwrap());
        let mut members = Vec::new();
        for i in 0..20 {
            let created = send(addrs[i % 3], "POST", "/Users", Some(&user(&format!("member{i}"))), &[]).await;
            assert_eq!(created.status, 201);
            members.push(created.json()["id"].as_str().unwrap().to_owned());
        }
        let mut tasks = Vec::new();
        for (i, member) in members.iter().enumerate() {
            let (addr, path) = (addrs[i % 3], group_path.clone());
            let patch = json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [{"op": "add", "path": "members", "value": [{"value": member}]}]
            });
            tasks.push(tokio::spawn(async move { send(addr, "PATCH", &path, Some(&patch), &[]).await }));
        }
        for task in tasks {
            let response = task.await.unwrap();
            assert!(
                matches!(response.status, 200 | 204),
                "{}: {:?}",
                response.status,
                String::from_utf8_lossy(&response.body)
            );
        }
        for addr in &addrs {
            let group = send(*addr, "GET", &group_path, None, &[]).await.json();
            let mut got: Vec<&str> = group["members"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["value"].as_str().unwrap())
                .collect();
            got.sort_unstable();
            let mut expected: Vec<&str> = members.iter().map(String::as_str).collect();
            expected.sort_unstable();
            assert_eq!(got, expected);
        }
    })
    .await;
    schema.drop_now().await;
}

/// (e) One instance killed while clients create users on all three: the other two keep
/// serving, and every create that was acknowledged (`201`) is there, once, on both.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn killing_one_instance_mid_load_loses_no_acknowledged_write() {
    let (servers, schema) = shared_cluster().await;
    bounded(TEST_LIMIT, async {
        let addrs: Vec<SocketAddr> = servers.iter().map(|s| s.addr).collect();
        let acknowledged = Arc::new(Mutex::new(BTreeMap::<String, String>::new()));
        let served_after_kill = Arc::new(Mutex::new([0usize; 3]));
        let killed = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let mut clients = Vec::new();
        for client in 0..6 {
            let (addrs, acknowledged) = (addrs.clone(), acknowledged.clone());
            let (served_after_kill, killed) = (served_after_kill.clone(), killed.clone());
            clients.push(tokio::spawn(async move {
                for i in 0..40 {
                    let target = (client + i) % 3;
                    let name = format!("load-{client}-{i}");
                    let after_kill = killed.load(std::sync::atomic::Ordering::SeqCst);
                    let Some(response) =
                        try_send(addrs[target], "POST", "/Users", Some(&user(&name)), &[]).await
                    else {
                        continue; // the dead instance: not acknowledged
                    };
                    if response.status == 201 {
                        let id = response.json()["id"].as_str().unwrap().to_owned();
                        acknowledged.lock().unwrap().insert(name, id);
                        if after_kill {
                            served_after_kill.lock().unwrap()[target] += 1;
                        }
                    }
                }
            }));
        }
        // Mid-load: SIGKILL, no chance to finish anything.
        while acknowledged.lock().unwrap().len() < 60 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        servers[1].signal("KILL");
        killed.store(true, std::sync::atomic::Ordering::SeqCst);
        for client in clients {
            client.await.unwrap();
        }
        let served = *served_after_kill.lock().unwrap();
        assert_eq!(
            served[1], 0,
            "the killed instance acknowledged nothing after the kill"
        );
        assert!(
            served[0] > 0 && served[2] > 0,
            "the other two kept serving: {served:?}"
        );
        let acknowledged = acknowledged.lock().unwrap().clone();
        for addr in [addrs[0], addrs[2]] {
            for (name, id) in &acknowledged {
                let read = send(addr, "GET", &format!("/Users/{id}"), None, &[]).await;
                assert_eq!(read.status, 200, "{name} ({id}) lost");
                assert_eq!(read.json()["userName"], name.as_str());
            }
        }
        // And once: a filter on each name finds exactly the acknowledged user.
        for (name, id) in acknowledged.iter().take(20) {
            let path = format!("/Users?filter=userName%20eq%20%22{name}%22");
            let found = send(addrs[2], "GET", &path, None, &[]).await.json();
            assert_eq!(found["totalResults"], 1, "{name}");
            assert_eq!(found["Resources"][0]["id"], id.as_str());
        }
    })
    .await;
    schema.drop_now().await;
}

/// An instance whose Redis is away starts all the same and limits on its own (the
/// `Local` failure policy): requests are served, with the rate-limit headers of its own
/// bucket, and the budget still holds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instance_without_its_redis_serves_and_limits_on_its_own() {
    bounded(TEST_LIMIT, async {
        // Nothing listens on port 1.
        let server = Server::start(&[
            "--redis",
            "redis://127.0.0.1:1",
            "--rate-limit-per-minute",
            "5",
        ]);
        for _ in 0..5 {
            let response = send(server.addr, "GET", "/Users?count=1", None, &[]).await;
            assert_eq!(response.status, 200);
            assert_eq!(response.header("ratelimit-limit"), Some("5"));
        }
        let refused = send(server.addr, "GET", "/Users?count=1", None, &[]).await;
        assert_eq!(refused.status, 429);
        assert!(server.output().contains("Redis"), "{}", server.output());
    })
    .await;
}
