//! Slow, idle and half-open connections against the real `scim-server` binary: the
//! header, body, keep-alive and request timeouts, the connection cap, and shutdown.
//!
//! Each test starts its own server with short timeouts (hundreds of milliseconds) and
//! waits for the outcome for at most [`NEVER`]: a server without the limit under test
//! fails the test after that wait instead of hanging it.

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
    Fate, NEVER, Server, TENANT, answers_within, assert_scim_error, bounded, fate, post_head,
    read_response, user_body,
};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

/// The outer bound of every test here.
const TEST_LIMIT: Duration = Duration::from_secs(90);

/// Long enough never to fire during a test.
const LONG: &str = "10m";

async fn send(stream: &mut TcpStream, bytes: &[u8]) {
    stream.write_all(bytes).await.expect("write");
}

/// Sends an authenticated `POST /Users` head announcing a body of `length` bytes with
/// `Expect: 100-continue`, and waits for the `100 Continue` that hyper sends once the app
/// starts reading the body: from then on the request is in flight.
async fn start_upload(server: &Server, length: usize) -> TcpStream {
    let mut stream = server.connect().await;
    let head = post_head(server.addr, length, true)
        .replace("Content-Length", "Expect: 100-continue\r\nContent-Length");
    send(&mut stream, head.as_bytes()).await;
    let response = read_response(&mut stream, NEVER)
        .await
        .unwrap_or_else(|why| panic!("{why}\n{}", server.output()));
    assert_eq!(response.status, 100, "{response:?}");
    stream
}

fn assert_closed(fate: &Fate) {
    assert!(matches!(fate, Fate::Closed(_)), "{fate:?}");
}

#[tokio::test]
async fn a_connection_that_sends_nothing_is_closed_after_the_header_timeout() {
    bounded(TEST_LIMIT, async {
        let server = Server::start(&["--header-timeout", "300ms", "--keep-alive-timeout", LONG]);
        let mut stream = server.connect().await;
        assert_eq!(fate(&mut stream, NEVER).await, Fate::Closed(Vec::new()));
    })
    .await;
}

#[tokio::test]
async fn a_partial_head_is_closed_after_the_header_timeout() {
    bounded(TEST_LIMIT, async {
        let server = Server::start(&["--header-timeout", "300ms", "--keep-alive-timeout", LONG]);
        let mut stream = server.connect().await;
        send(
            &mut stream,
            b"GET /scim/v2/acme/Users HTTP/1.1\r\nHost: x\r\n",
        )
        .await;
        assert_eq!(fate(&mut stream, NEVER).await, Fate::Closed(Vec::new()));
    })
    .await;
}

#[tokio::test]
async fn a_head_trickled_byte_by_byte_is_closed_after_the_header_timeout() {
    bounded(TEST_LIMIT, async {
        let server = Server::start(&["--header-timeout", "500ms", "--keep-alive-timeout", LONG]);
        let mut stream = server.connect().await;
        // Each byte arrives well within the timeout; the head as a whole does not.
        let head = b"GET /scim/v2/acme/Users HTTP/1.1\r\nHost: example\r\nX-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n";
        for byte in head {
            if stream.write_all(&[*byte]).await.is_err() {
                break; // closed: what the test expects
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_closed(&fate(&mut stream, NEVER).await);
    })
    .await;
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed_after_the_keep_alive_timeout() {
    bounded(TEST_LIMIT, async {
        let server = Server::start(&["--keep-alive-timeout", "300ms", "--header-timeout", LONG]);
        let mut stream = server.connect().await;
        for _ in 0..2 {
            // Keep-alive works: two requests on one connection.
            send(&mut stream, server.get("/").as_bytes()).await;
            assert_eq!(read_response(&mut stream, NEVER).await.unwrap().status, 200);
        }
        assert_eq!(fate(&mut stream, NEVER).await, Fate::Closed(Vec::new()));
    })
    .await;
}

#[tokio::test]
async fn a_partial_head_after_an_idle_spell_gets_the_header_timeout_not_the_keep_alive_one() {
    bounded(TEST_LIMIT, async {
        let server = Server::start(&["--keep-alive-timeout", LONG, "--header-timeout", "300ms"]);
        let mut stream = server.connect().await;
        send(&mut stream, server.get("/").as_bytes()).await;
        assert_eq!(read_response(&mut stream, NEVER).await.unwrap().status, 200);
        send(&mut stream, b"GET / HTTP/1.1\r\n").await;
        assert_eq!(fate(&mut stream, NEVER).await, Fate::Closed(Vec::new()));
    })
    .await;
}

#[tokio::test]
async fn a_stalled_sized_body_gets_408_and_is_closed_after_the_body_timeout() {
    bounded(TEST_LIMIT, async {
        let server = Server::start(&["--body-timeout", "300ms", "--request-timeout", LONG]);
        let mut stream = server.connect().await;
        send(&mut stream, post_head(server.addr, 1000, true).as_bytes()).await;
        send(&mut stream, &user_body("stalled", 1000)[..100]).await;
        let fate = fate(&mut stream, NEVER).await;
        assert_closed(&fate);
        assert_scim_error(&fate.text(), 408);
    })
    .await;
}

#[tokio::test]
async fn a_stalled_chunked_body_gets_408_and_is_closed_after_the_body_timeout() {
    bounded(TEST_LIMIT, async {
        let server = Server::start(&["--body-timeout", "300ms", "--request-timeout", LONG]);
        let mut stream = server.connect().await;
        let head = post_head(server.addr, 0, true)
            .replace("Content-Length: 0", "Transfer-Encoding: chunked");
        send(&mut stream, head.as_bytes()).await;
        send(&mut stream, b"a\r\n{\"schemas\"\r\n").await;
        let fate = fate(&mut stream, NEVER).await;
        assert_closed(&fate);
        assert_scim_error(&fate.text(), 408);
    })
    .await;
}

#[tokio::test]
async fn the_body_timeout_is_a_total_not_an_idle_timeout() {
    bounded(TEST_LIMIT, async {
        let server = Server::start(&["--body-timeout", "500ms", "--request-timeout", LONG]);
        let stream = server.connect().await;
        let (mut reader, mut writer) = stream.into_split();
        let body = user_body("trickle", 300);
        writer
            .write_all(post_head(server.addr, body.len(), true).as_bytes())
            .await
            .unwrap();
        // One byte every 50 ms would take 15 s: far past the 500 ms allowed in total.
        let trickle = tokio::spawn(async move {
            for byte in body {
                if writer.write_all(&[byte]).await.is_err() {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            // Keep the write half open, so only the server can end the exchange.
            std::future::pending::<()>().await;
        });
        let fate = fate(&mut reader, NEVER).await;
        trickle.abort();
        assert_closed(&fate);
        assert_scim_error(&fate.text(), 408);
    })
    .await;
}

#[tokio::test]
async fn a_body_sent_in_time_is_served() {
    bounded(TEST_LIMIT, async {
        let server = Server::start(&["--body-timeout", "5s"]);
        let mut stream = start_upload(&server, 500).await;
        send(&mut stream, &user_body("in-time", 500)).await;
        let response = read_response(&mut stream, NEVER).await.unwrap();
        assert_eq!(response.status, 201, "{response:?}");
    })
    .await;
}

#[tokio::test]
async fn at_the_cap_new_connections_wait_while_every_slot_has_a_request_in_flight() {
    bounded(TEST_LIMIT, async {
        let server = Server::start(&[
            "--max-connections",
            "2",
            "--body-timeout",
            LONG,
            "--request-timeout",
            LONG,
        ]);
        let first = start_upload(&server, 1000).await;
        let _second = start_upload(&server, 1000).await;
        // Both slots hold a request in flight: a third client is not served.
        let mut third = server.connect().await;
        send(&mut third, server.get("/").as_bytes()).await;
        assert!(
            read_response(&mut third, Duration::from_secs(1))
                .await
                .is_err(),
            "a third connection was served beside two busy ones"
        );
        // Once one of them goes away, it is.
        drop(first);
        let response = read_response(&mut third, NEVER).await.unwrap();
        assert_eq!(response.status, 200);
    })
    .await;
}

#[tokio::test]
async fn at_the_cap_a_new_connection_closes_the_longest_idle_one() {
    bounded(TEST_LIMIT, async {
        let server = Server::start(&[
            "--max-connections",
            "2",
            "--keep-alive-timeout",
            LONG,
            "--header-timeout",
            LONG,
        ]);
        let mut oldest = server.connect().await;
        send(&mut oldest, server.get("/").as_bytes()).await;
        read_response(&mut oldest, NEVER).await.unwrap();
        let mut newer = server.connect().await;
        send(&mut newer, b"GET / HTTP/1.1\r\n").await; // half a head, but newer
        // A third client is served at once, in the oldest idle connection's slot.
        assert!(answers_within(server.addr, NEVER).await);
        assert_eq!(
            fate(&mut oldest, NEVER).await,
            Fate::Closed(Vec::new()),
            "{}",
            server.output()
        );
        assert_eq!(
            fate(&mut newer, Duration::from_millis(300)).await,
            Fate::StillOpen
        );
    })
    .await;
}

#[tokio::test]
async fn many_half_open_connections_do_not_stop_the_server_answering() {
    bounded(TEST_LIMIT, async {
        let server = Server::start(&["--max-connections", "50", "--header-timeout", LONG]);
        let mut held = Vec::new();
        for _ in 0..200 {
            let mut stream = server.connect().await;
            let _ = stream.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").await;
            held.push(stream);
        }
        assert!(answers_within(server.addr, NEVER).await);
        // The cap held: the server has about 50 sockets open, not 200.
        let open = server.open_files();
        assert!(open < 50 + 20, "{open} open files");
    })
    .await;
}

#[tokio::test]
async fn sigterm_with_half_open_and_busy_connections_exits_within_the_shutdown_timeout() {
    bounded(TEST_LIMIT, async {
        let mut server = Server::start(&[
            "--shutdown-timeout",
            "500ms",
            "--header-timeout",
            LONG,
            "--keep-alive-timeout",
            LONG,
            "--body-timeout",
            LONG,
            "--request-timeout",
            LONG,
        ]);
        let mut half_open = server.connect().await;
        send(&mut half_open, b"GET / HTTP/1.1\r\nHost: x\r\n").await;
        let mut idle = server.connect().await;
        send(&mut idle, server.get("/").as_bytes()).await;
        read_response(&mut idle, NEVER).await.unwrap();
        let mut busy = start_upload(&server, 1000).await;
        let mut silent = server.connect().await;

        server.signal("TERM");
        let status = server.exited_within(NEVER).await;
        assert!(
            status.is_some_and(|s| s.success()),
            "{status:?}\n{}",
            server.output()
        );
        for stream in [&mut half_open, &mut idle, &mut busy, &mut silent] {
            assert_closed(&fate(stream, NEVER).await);
        }
    })
    .await;
}

#[tokio::test]
async fn sigterm_right_after_start_is_a_clean_stop() {
    bounded(TEST_LIMIT, async {
        // The handlers are installed before the server says it listens: SIGTERM never
        // meets its default action (killing the process).
        let mut server = Server::start(&[]);
        server.signal("TERM");
        let status = server.exited_within(NEVER).await;
        assert!(status.is_some_and(|s| s.success()), "{status:?}");
    })
    .await;
}

#[tokio::test]
async fn a_request_in_flight_at_sigterm_is_finished() {
    bounded(TEST_LIMIT, async {
        let mut server = Server::start(&["--shutdown-timeout", "1m"]);
        let mut busy = start_upload(&server, 500).await;
        server.signal("TERM");
        // Once the listener is gone, the server is shutting down.
        let mut refused = false;
        for _ in 0..500 {
            if TcpStream::connect(server.addr).await.is_err() {
                refused = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(refused, "the listener stayed open after SIGTERM");
        send(&mut busy, &user_body("finished", 500)).await;
        let response = read_response(&mut busy, NEVER).await.unwrap();
        assert_eq!(response.status, 201, "{response:?}");
        assert_eq!(response.header("connection"), Some("close"));
        let status = server.exited_within(NEVER).await;
        assert!(status.is_some_and(|s| s.success()), "{status:?}");
    })
    .await;
}

#[tokio::test]
async fn the_default_server_still_answers_with_a_token() {
    bounded(TEST_LIMIT, async {
        let server = Server::start(&[]);
        let response = server
            .exchange(&server.get(&format!("/scim/v2/{TENANT}/Users")))
            .await;
        assert_eq!(response.status, 200, "{response:?}");
        assert_eq!(response.json()["totalResults"], 0);
    })
    .await;
}
