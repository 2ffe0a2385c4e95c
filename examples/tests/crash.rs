//! The real `scim-server` binary on SQLite and on PostgreSQL, killed with SIGKILL while
//! clients write: after a restart on the same database every write that was answered
//! with 2xx is there exactly once, and a write that was not answered is there whole or
//! not at all (a user with its whole document and its unique `userName`, or nothing; a
//! PATCH adding two members adds both or neither; a group's members and its members'
//! `groups` agree).
//!
//! PostgreSQL is `SCIM_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`), in a schema of the test's own; the test
//! fails when it is unreachable.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code: helpers beside the tests panic on a broken setup"
)]

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::{NEVER, SECRET, Server, TENANT, bounded, read_response, temp_dir, unique_name};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

/// The bound on each test, start to finish.
const TEST_LIMIT: Duration = Duration::from_secs(30);
/// Concurrent writers.
const WRITERS: usize = 6;
/// Groups the writers add members to.
const GROUPS: usize = 3;
/// Creates acknowledged per round before the kill (or [`WRITE_FOR`], whichever comes
/// first).
const ACKED_BEFORE_KILL: usize = 100;
/// Kills (and restarts) per test, on the same database.
const ROUNDS: usize = 3;
const WRITE_FOR: Duration = Duration::from_secs(6);

/// One request on a fresh connection; `Err` when the server did not answer (it died).
async fn send(
    addr: SocketAddr,
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> Result<(u16, Value), String> {
    let body = body.map(Value::to_string).unwrap_or_default();
    let mut stream = tokio::time::timeout(NEVER, TcpStream::connect(addr))
        .await
        .map_err(|_| "connect timed out".to_owned())?
        .map_err(|e| e.to_string())?;
    let request = format!(
        "{method} /scim/v2/{TENANT}{path} HTTP/1.1\r\nHost: {addr}\r\n\
         Authorization: Bearer {SECRET}\r\nContent-Type: application/scim+json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(|e| e.to_string())?;
    let response = read_response(&mut stream, NEVER).await?;
    let json = if response.body.is_empty() {
        Value::Null
    } else {
        response.json()
    };
    Ok((response.status, json))
}

/// [`send`] to a server that must answer with a 2xx.
async fn ok(addr: SocketAddr, method: &str, path: &str, body: Option<&Value>) -> Value {
    let (status, json) = send(addr, method, path, body)
        .await
        .unwrap_or_else(|e| panic!("{method} {path}: no answer: {e}"));
    assert!(
        (200..300).contains(&status),
        "{method} {path}: {status} {json}"
    );
    json
}

fn user(user_name: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": user_name,
        "name": {"givenName": "Crash", "familyName": user_name},
        "emails": [{"value": format!("{user_name}@example.com"), "type": "work"}],
    })
}

fn add_members(ids: &[&str]) -> Value {
    let members: Vec<Value> = ids.iter().map(|id| json!({"value": id})).collect();
    json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "add", "path": "members", "value": members}],
    })
}

/// What the writers did, as the clients saw it.
#[derive(Default)]
struct Log {
    /// userName → id of creates answered 201.
    created: BTreeMap<String, String>,
    /// userNames of creates sent and never answered.
    unanswered_creates: Vec<String>,
    /// (group, two member ids) of PATCHes answered 2xx.
    added: Vec<(usize, [String; 2])>,
    /// (group, two member ids) of PATCHes sent and never answered.
    unanswered_adds: Vec<(usize, [String; 2])>,
    /// Answers that were neither 2xx nor missing: each one is a failure.
    refused: Vec<String>,
    /// How many creates went unanswered, over every round.
    unanswered_count: usize,
}

/// What became of one write.
enum Outcome {
    /// Answered 2xx, with this body.
    Acknowledged(Value),
    /// Answered otherwise (logged as refused).
    Refused,
    /// Never answered.
    Unanswered,
}

/// Sends one write and logs a refusal.
async fn write(
    addr: SocketAddr,
    method: &str,
    path: &str,
    body: &Value,
    log: &Mutex<Log>,
) -> Outcome {
    match send(addr, method, path, Some(body)).await {
        Ok((200..=299, body)) => Outcome::Acknowledged(body),
        Ok((status, body)) => {
            let refused = format!("{method} {path}: {status} {body}");
            log.lock().unwrap().refused.push(refused);
            Outcome::Refused
        }
        Err(_) => Outcome::Unanswered,
    }
}

/// Writer `k` of round `round`: pairs of users, each pair then added to a group in one
/// PATCH, until the server stops answering.
async fn writer(
    addr: SocketAddr,
    (round, k): (usize, usize),
    groups: Arc<Vec<String>>,
    log: Arc<Mutex<Log>>,
) {
    for i in 0.. {
        let mut ids = Vec::new();
        for half in 0..2 {
            let name = format!("r{round}-w{k}-{i}-{half}");
            match write(addr, "POST", "/Users", &user(&name), &log).await {
                Outcome::Acknowledged(body) => {
                    let id = body["id"].as_str().unwrap().to_owned();
                    log.lock().unwrap().created.insert(name, id.clone());
                    ids.push(id);
                }
                Outcome::Refused => return,
                Outcome::Unanswered => {
                    log.lock().unwrap().unanswered_creates.push(name);
                    return;
                }
            }
        }
        let group = (k + i) % GROUPS;
        let pair = [ids[0].clone(), ids[1].clone()];
        let path = format!("/Groups/{}", groups[group]);
        let patch = add_members(&[&pair[0], &pair[1]]);
        match write(addr, "PATCH", &path, &patch, &log).await {
            Outcome::Acknowledged(_) => log.lock().unwrap().added.push((group, pair)),
            Outcome::Refused => return,
            Outcome::Unanswered => {
                log.lock().unwrap().unanswered_adds.push((group, pair));
                return;
            }
        }
    }
}

/// Every resource of `path` (`/Users`, `/Groups`), page by page.
async fn list_all(addr: SocketAddr, path: &str) -> Vec<Value> {
    let mut all = Vec::new();
    loop {
        let page = ok(
            addr,
            "GET",
            &format!("{path}?count=500&startIndex={}", all.len() + 1),
            None,
        )
        .await;
        let resources = page["Resources"].as_array().cloned().unwrap_or_default();
        let total = page["totalResults"].as_u64().unwrap() as usize;
        if resources.is_empty() {
            assert_eq!(all.len(), total, "{path}: the pages do not add up");
            return all;
        }
        all.extend(resources);
    }
}

fn ids_of(values: &Value) -> Vec<String> {
    values
        .as_array()
        .map(|list| {
            list.iter()
                .map(|v| v["value"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// Starts the server on `database`, then [`ROUNDS`] times: writes from [`WRITERS`]
/// clients, kills the server with SIGKILL mid-write, restarts it on the same database
/// and checks everything written so far.
async fn crash_and_check(database: &str) {
    let args = [
        "--database",
        database,
        "--rate-limit-per-minute",
        "100000000",
    ];
    let mut server = Server::start(&args);
    let mut groups = Vec::new();
    for n in 0..GROUPS {
        let body = json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "displayName": format!("crash-group-{n}"),
        });
        let group = ok(server.addr, "POST", "/Groups", Some(&body)).await;
        groups.push(group["id"].as_str().unwrap().to_owned());
    }
    let groups = Arc::new(groups);
    let mut log = Log::default();
    for round in 0..ROUNDS {
        let output = kill_mid_write(server, round, &groups, &mut log).await;
        server = Server::start(&args);
        check(server.addr, &groups, &mut log, &output).await;
    }
    eprintln!(
        "{database}: {} creates and {} member adds acknowledged, {} creates and {} adds \
         unanswered at {ROUNDS} kills",
        log.created.len(),
        log.added.len(),
        log.unanswered_count,
        log.unanswered_adds.len()
    );
}

/// Writes from [`WRITERS`] clients to `server` until [`ACKED_BEFORE_KILL`] creates are
/// answered, kills it with SIGKILL, waits for the writers and adds what they saw to
/// `log`; returns what the server printed.
async fn kill_mid_write(
    mut server: Server,
    round: usize,
    groups: &Arc<Vec<String>>,
    log: &mut Log,
) -> String {
    let this_round = Arc::new(Mutex::new(Log::default()));
    let writers: Vec<_> = (0..WRITERS)
        .map(|k| {
            let (groups, this_round) = (Arc::clone(groups), Arc::clone(&this_round));
            tokio::spawn(writer(server.addr, (round, k), groups, this_round))
        })
        .collect();
    let started = Instant::now();
    while this_round.lock().unwrap().created.len() < ACKED_BEFORE_KILL
        && started.elapsed() < WRITE_FOR
    {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server.signal("KILL");
    assert!(
        server.exited_within(NEVER).await.is_some(),
        "SIGKILL did not stop the server"
    );
    for w in writers {
        w.await.unwrap();
    }
    let this_round = std::mem::take(&mut *this_round.lock().unwrap());
    assert!(
        this_round.refused.is_empty(),
        "refused writes: {:?}",
        this_round.refused
    );
    assert!(
        this_round.created.len() >= 2 * WRITERS,
        "too few writes before the kill to test anything: {}",
        this_round.created.len()
    );
    log.created.extend(this_round.created);
    log.unanswered_count += this_round.unanswered_creates.len();
    log.unanswered_creates.extend(this_round.unanswered_creates);
    log.added.extend(this_round.added);
    log.unanswered_adds.extend(this_round.unanswered_adds);
    server.output()
}

/// Checks the restarted server at `addr` against `log` (`output`: what the killed server
/// printed, for the failure messages). Unanswered creates are settled: one that landed
/// counts as created from now on, one that did not is created again (its `userName`
/// must be free).
async fn check(addr: SocketAddr, groups: &[String], log: &mut Log, output: &str) {
    let context = |what: &str| format!("{what}\nbefore the kill:\n{output}");

    // Users: each acknowledged create exactly once, with its id and its whole document;
    // nothing the writers did not send.
    let users = list_all(addr, "/Users").await;
    let mut by_name: BTreeMap<String, Vec<&Value>> = BTreeMap::new();
    for u in &users {
        by_name
            .entry(u["userName"].as_str().unwrap().to_owned())
            .or_default()
            .push(u);
    }
    for (name, found) in &by_name {
        assert_eq!(
            found.len(),
            1,
            "{}",
            context(&format!("{name} is there {} times", found.len()))
        );
        let u = found[0];
        assert_eq!(
            u["emails"][0]["value"],
            format!("{name}@example.com"),
            "{u}"
        );
        assert_eq!(u["name"]["familyName"], name.as_str(), "{u}");
        assert!(
            log.created.contains_key(name) || log.unanswered_creates.contains(name),
            "{name} was never sent"
        );
    }
    for (name, id) in &log.created {
        let found = by_name
            .get(name)
            .unwrap_or_else(|| panic!("{}", context(&format!("acknowledged {name} is lost"))));
        assert_eq!(found[0]["id"], id.as_str(), "{name}");
    }

    // Groups: every acknowledged member once; an unanswered PATCH added both or neither;
    // members and the members' `groups` agree.
    let user_ids: BTreeSet<String> = users
        .iter()
        .map(|u| u["id"].as_str().unwrap().to_owned())
        .collect();
    let mut members_of = Vec::new();
    for id in groups {
        let group = ok(addr, "GET", &format!("/Groups/{id}"), None).await;
        let members = ids_of(&group["members"]);
        let distinct: BTreeSet<String> = members.iter().cloned().collect();
        assert_eq!(distinct.len(), members.len(), "duplicate members: {group}");
        assert!(
            distinct.is_subset(&user_ids),
            "a member that is no user: {group}"
        );
        members_of.push(distinct);
    }
    for (group, pair) in &log.added {
        for member in pair {
            assert!(
                members_of[*group].contains(member),
                "{}",
                context(&format!(
                    "acknowledged member {member} of group {group} is lost"
                ))
            );
        }
    }
    for (group, [a, b]) in &log.unanswered_adds {
        assert_eq!(
            members_of[*group].contains(a),
            members_of[*group].contains(b),
            "{}",
            context(&format!(
                "an unanswered PATCH of group {group} is half applied"
            ))
        );
    }
    for u in &users {
        let id = u["id"].as_str().unwrap();
        let in_groups: BTreeSet<String> = ids_of(&u["groups"]).into_iter().collect();
        for (n, group_id) in groups.iter().enumerate() {
            assert_eq!(
                in_groups.contains(group_id),
                members_of[n].contains(id),
                "user {id} and group {group_id} disagree: {u}"
            );
        }
    }

    // Settle the unanswered creates.
    for name in std::mem::take(&mut log.unanswered_creates) {
        let id = match by_name.get(&name) {
            Some(found) => found[0]["id"].as_str().unwrap().to_owned(),
            None => ok(addr, "POST", "/Users", Some(&user(&name))).await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        };
        log.created.insert(name, id);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_keeps_every_acknowledged_write_through_sigkill() {
    let dir = temp_dir("scim_crash");
    let url = format!("sqlite://{}", dir.join("scim.db").display());
    bounded(TEST_LIMIT, crash_and_check(&url)).await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_keeps_every_acknowledged_write_through_sigkill() {
    let base = std::env::var("SCIM_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
    let schema = unique_name("scim_crash");
    let separator = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{separator}schema={schema}");
    let database: scim_examples::Database = url.parse().unwrap();
    if let Err(e) = scim_examples::open(&database).await {
        panic!(
            "PostgreSQL is unreachable ({e}): start it, or set SCIM_TEST_POSTGRES_URL to one \
             that is running"
        );
    }
    bounded(TEST_LIMIT, crash_and_check(&url)).await;
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&base).await.unwrap();
    sqlx::query(&format!("DROP SCHEMA \"{schema}\" CASCADE"))
        .execute(&pool)
        .await
        .unwrap();
}
