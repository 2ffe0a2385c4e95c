//! Unauthenticated requests must not make the real `scim-server` binary hold their
//! bodies: the engine authenticates from the request head and answers `401` before
//! reading any body byte.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code: helpers beside the tests panic on a broken setup"
)]

mod support;

use std::time::Duration;

use support::{NEVER, Server, answers_within, bounded, post_head};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

#[cfg(target_os = "linux")]
#[tokio::test]
async fn three_hundred_unauthenticated_1_mb_bodies_do_not_grow_the_server() {
    bounded(Duration::from_secs(120), async {
        let server = Server::start(&[]);
        let before = server.rss_kib();
        let mut senders = Vec::new();
        for _ in 0..300 {
            let addr = server.addr;
            senders.push(tokio::spawn(async move {
                let mut stream = TcpStream::connect(addr).await.ok()?;
                let size = 1_000_000;
                stream
                    .write_all(post_head(addr, size, false).as_bytes())
                    .await
                    .ok()?;
                // All but the last byte: a server that buffers bodies before authenticating
                // holds every one of them, waiting for the end.
                let _ = tokio::time::timeout(NEVER, stream.write_all(&vec![b' '; size - 1])).await;
                Some(stream)
            }));
        }
        let mut held = Vec::new();
        for sender in senders {
            if let Ok(Some(stream)) = sender.await {
                held.push(stream);
            }
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        let grown = server.peak_rss_kib().saturating_sub(before);
        // Before the fix: from 5 MB to 455 MB.
        assert!(
            grown < 64 * 1024,
            "RSS grew by {grown} KiB for 300 unauthenticated bodies"
        );
        drop(held);
        assert!(answers_within(server.addr, NEVER).await);
    })
    .await;
}
