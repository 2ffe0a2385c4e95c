//! Instruction counts per request, for `valgrind --tool=callgrind`: drives one kind of
//! request through `ScimServer::handle` in a loop, in a function that callgrind is told to
//! count alone, so building the store is left out:
//!
//! ```sh
//! cargo bench -p scim-core --bench request_profile --no-run
//! valgrind --tool=callgrind --collect-atstart=no \
//!     --toggle-collect='request_profile::measured*' \
//!     target/release/deps/request_profile-* get 1000 10000
//! ```
//!
//! Kinds: `get` (GET by id), `filter` (`userName eq`, folded), `create` (POST a user),
//! `patch` (add then remove one member of a 100-member group, `excludedAttributes=members`:
//! two requests per iteration), `group` (GET of a group whose members are all the users),
//! `add1000` (one PATCH adding 1 000 members to a group, a new thousand users each time:
//! needs 1 000 users per iteration; the bodies are built before counting starts).
//! Then `callgrind_annotate` shows where they went; divide the
//! total by the iterations (and by two for `patch`). Without valgrind it prints the
//! wall-clock time per request, as a check that the driver does what it says.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::print_stdout,
    missing_docs,
    reason = "benchmark code"
)]

use std::time::Instant;

use http::Method;

#[path = "support/engine_fixture.rs"]
mod engine_fixture;

use engine_fixture::{Fixture, create_body, fixture, member_patch_body};

/// Members of the group the `patch` kind changes.
const GROUP_MEMBERS: usize = 100;

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let kind = args.first().map_or("get", String::as_str).to_owned();
    let iterations: usize = args.get(1).map_or(1000, |a| a.parse().unwrap());
    let users: usize = args.get(2).map_or(10_000, |a| a.parse().unwrap());
    let f = fixture(users);
    if kind == "patch" {
        for id in &f.user_ids[..GROUP_MEMBERS] {
            patch(&f, "Add", id);
        }
    }
    if kind == "group" {
        add_everyone(&f);
    }
    let bodies: Vec<String> = if kind == "add1000" {
        f.user_ids.chunks(1000).map(add_body).collect()
    } else {
        Vec::new()
    };
    // First requests warm what is built once (lazily initialised tables, the runtime).
    let warm_up = if kind == "add1000" { 1 } else { 10 };
    measured(&f, &kind, &bodies, 0, warm_up);
    let started = Instant::now();
    let served = measured(&f, &kind, &bodies, warm_up, iterations);
    let per = started.elapsed() / u32::try_from(served.max(1)).unwrap();
    println!("{kind}: {served} requests over {users} users, {per:?} per request");
    // Freeing a large store takes a while and is no request's work: left to the exit, so
    // that a sampling profiler (`perf record`) sees only requests after the build.
    std::mem::forget(f);
}

/// Sends `iterations` requests of `kind`, numbered from `from`; how many were sent.
#[inline(never)]
fn measured(f: &Fixture, kind: &str, bodies: &[String], from: usize, iterations: usize) -> usize {
    let users = f.user_ids.len();
    let mut sent = 0;
    for n in from..from + iterations {
        let i = n.wrapping_mul(7919) % users;
        match kind {
            "get" => {
                let uri = format!("/acme/Users/{}", f.user_ids[i]);
                assert_eq!(f.send(Method::GET, &uri, None), 200);
            }
            "filter" => {
                let uri = format!("/acme/Users?filter=userName+eq+%22USER{i:06}%40example.com%22");
                assert_eq!(f.send(Method::GET, &uri, None), 200);
            }
            "create" => {
                assert_eq!(
                    f.send(Method::POST, "/acme/Users", Some(create_body(n))),
                    201
                );
            }
            "add1000" => {
                let uri = format!("/acme/Groups/{}?excludedAttributes=members", f.group_id);
                let body = bodies.get(n).expect("1 000 users per iteration").clone();
                assert_eq!(f.send(Method::PATCH, &uri, Some(body)), 200);
            }
            "group" => {
                let uri = format!("/acme/Groups/{}", f.group_id);
                assert_eq!(f.send(Method::GET, &uri, None), 200);
            }
            "patch" => {
                // One past the members, so each add is new and each remove finds it.
                let id = &f.user_ids[GROUP_MEMBERS + n % (users - GROUP_MEMBERS)];
                patch(f, "Add", id);
                patch(f, "Remove", id);
                sent += 1;
            }
            other => panic!("unknown kind {other}: get, filter, create, patch, group or add1000"),
        }
        sent += 1;
    }
    sent
}

fn patch(f: &Fixture, op: &str, id: &str) {
    let uri = format!("/acme/Groups/{}?excludedAttributes=members", f.group_id);
    assert_eq!(
        f.send(Method::PATCH, &uri, Some(member_patch_body(op, id))),
        200
    );
}

/// Makes every user a member of the group, a thousand per PATCH.
fn add_everyone(f: &Fixture) {
    let uri = format!("/acme/Groups/{}?excludedAttributes=members", f.group_id);
    for ids in f.user_ids.chunks(1000) {
        assert_eq!(f.send(Method::PATCH, &uri, Some(add_body(ids))), 200);
    }
}

/// A PATCH adding `ids` as members, as Entra ID sends it.
fn add_body(ids: &[String]) -> String {
    let members: Vec<_> = ids
        .iter()
        .map(|id| serde_json::json!({"value": id}))
        .collect();
    serde_json::json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "add", "path": "members", "value": members}]
    })
    .to_string()
}
