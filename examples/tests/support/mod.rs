//! Drives the real `scim-server` binary over sockets, the way an attacker or a slow client
//! would: start it on a free loopback port with chosen flags, open raw TCP connections,
//! send partial heads and stalled bodies, open HTTP/2 connections, read the process's
//! memory from `/proc`, send it signals.
//!
//! Every wait is bounded: a helper that waits for something takes a limit and reports
//! "did not happen" when it passes, so no test hangs on a server that misbehaves. The
//! limits are generous upper bounds (the server's own timeouts are set far below them),
//! never speed assertions.

#![allow(
    dead_code,
    unreachable_pub,
    reason = "each test file (and the `exhaustion` example) uses a part of this module"
)]

use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The tenant every test server is started with.
pub const TENANT: &str = "acme";
/// Its bearer token.
pub const SECRET: &str = "socket-test-secret";

/// How long any single wait in a test may take before it counts as "never".
pub const NEVER: Duration = Duration::from_secs(20);

/// The server binary: `SCIM_SERVER_BIN` when set (to run the tests or the `exhaustion`
/// example against another build), else Cargo's path for integration tests, else the
/// release build.
pub fn binary() -> PathBuf {
    if let Some(path) = std::env::var_os("SCIM_SERVER_BIN") {
        return PathBuf::from(path);
    }
    option_env!("CARGO_BIN_EXE_scim-server").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/release/scim-server"),
        PathBuf::from,
    )
}

/// A name no other test of any run uses: `prefix`, the process id, the clock's
/// nanoseconds and a counter (letters, digits and `_`: a valid schema name too).
pub fn unique_name(prefix: &str) -> String {
    static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("{prefix}_{}_{nanos}_{n}", std::process::id())
}

/// A new empty directory under the system's temporary directory (the caller removes it).
pub fn temp_dir(prefix: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(unique_name(prefix));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    dir
}

/// Runs `future`, failing the test if it takes longer than `limit`: the outer bound every
/// socket test wraps its body in.
pub async fn bounded<T>(limit: Duration, future: impl std::future::Future<Output = T>) -> T {
    match tokio::time::timeout(limit, future).await {
        Ok(value) => value,
        Err(_) => panic!("the test did not finish within {limit:?}"),
    }
}

/// A running `scim-server`, killed when dropped.
pub struct Server {
    child: Child,
    /// Where it listens.
    pub addr: SocketAddr,
    output: Arc<Mutex<String>>,
}

impl Server {
    /// Starts `binary` with `--listen 127.0.0.1:0 --api-key acme:SECRET --database memory`
    /// and `args` (a `--database` in them wins), and waits until it says where it listens.
    pub fn start(args: &[&str]) -> Self {
        Self::start_with_fd_limit(&binary(), None, args)
    }

    /// [`Server::start`] for a given binary, optionally under `ulimit -n fd_limit`.
    pub fn start_with_fd_limit(
        binary: &std::path::Path,
        fd_limit: Option<usize>,
        args: &[&str],
    ) -> Self {
        let key = format!("{TENANT}:{SECRET}");
        let mut command = match fd_limit {
            // `exec` keeps the pid, so signals and /proc reach the server itself.
            Some(limit) => {
                let mut sh = Command::new("sh");
                sh.arg("-c")
                    .arg(format!("ulimit -n {limit} && exec \"$0\" \"$@\""))
                    .arg(binary);
                sh
            }
            None => Command::new(binary),
        };
        let mut child = command
            .args(["--listen", "127.0.0.1:0", "--api-key", &key])
            .args(["--database", "memory"])
            .args(args)
            .env(
                "RUST_LOG",
                std::env::var("SCIM_TEST_SERVER_LOG").unwrap_or_else(|_| "warn".to_owned()),
            )
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        let output = Arc::new(Mutex::new(String::new()));
        let (found, address) = std::sync::mpsc::channel();
        let stdout = child.stdout.take().expect("piped stdout");
        let stderr = child.stderr.take().expect("piped stderr");
        {
            let output = Arc::clone(&output);
            std::thread::spawn(move || {
                for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                    if let Some(addr) = listening_address(&line) {
                        let _ = found.send(addr);
                    }
                    output.lock().unwrap().push_str(&format!("{line}\n"));
                }
            });
        }
        {
            let output = Arc::clone(&output);
            std::thread::spawn(move || {
                let mut text = String::new();
                let mut stderr = stderr;
                let mut buffer = [0; 4096];
                while let Ok(n @ 1..) = stderr.read(&mut buffer) {
                    text.push_str(&String::from_utf8_lossy(&buffer[..n]));
                    if let Some(end) = text.rfind('\n') {
                        output.lock().unwrap().push_str(&text[..=end]);
                        text.drain(..=end);
                    }
                }
            });
        }
        let addr = match address.recv_timeout(NEVER) {
            Ok(addr) => addr,
            Err(_) => {
                let _ = child.kill();
                panic!(
                    "scim-server {args:?} did not say where it listens:\n{}",
                    output.lock().unwrap()
                );
            }
        };
        Self {
            child,
            addr,
            output,
        }
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Everything the server printed so far (stdout and stderr).
    pub fn output(&self) -> String {
        self.output.lock().unwrap().clone()
    }

    /// The resident set size now, in KiB (`VmRSS` of `/proc/{pid}/status`).
    pub fn rss_kib(&self) -> u64 {
        self.status_kib("VmRSS:")
    }

    /// The largest resident set size so far, in KiB (`VmHWM`).
    pub fn peak_rss_kib(&self) -> u64 {
        self.status_kib("VmHWM:")
    }

    fn status_kib(&self, field: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()))
            .expect("/proc/{pid}/status (these tests need Linux)");
        status
            .lines()
            .find_map(|line| line.strip_prefix(field))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or_else(|| panic!("no {field} in /proc/{}/status", self.pid()))
    }

    /// The number of open file descriptors of the process.
    pub fn open_files(&self) -> usize {
        std::fs::read_dir(format!("/proc/{}/fd", self.pid()))
            .map(Iterator::count)
            .unwrap_or(0)
    }

    /// Sends `signal` (`TERM`, `INT`, ...) with kill(1).
    pub fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.pid().to_string())
            .status()
            .expect("kill(1)");
        assert!(status.success(), "kill -{signal} failed");
    }

    /// Waits up to `limit` for the process to exit.
    pub async fn exited_within(&mut self, limit: Duration) -> Option<ExitStatus> {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return Some(status);
            }
            if started.elapsed() > limit {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// A new TCP connection to the server.
    pub async fn connect(&self) -> TcpStream {
        let stream = tokio::time::timeout(NEVER, TcpStream::connect(self.addr))
            .await
            .expect("connect timed out")
            .expect("connect");
        stream.set_nodelay(true).expect("nodelay");
        stream
    }

    /// Sends one raw request on a fresh connection and reads the response.
    pub async fn exchange(&self, request: &str) -> Response {
        let mut stream = self.connect().await;
        stream.write_all(request.as_bytes()).await.expect("write");
        read_response(&mut stream, NEVER)
            .await
            .unwrap_or_else(|why| panic!("{why}\nserver output:\n{}", self.output()))
    }

    /// A `GET` of `path` with the tenant's token, as raw HTTP/1.1 text.
    pub fn get(&self, path: &str) -> String {
        format!(
            "GET {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {SECRET}\r\n\r\n",
            self.addr
        )
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The address in the line the server prints when it is ready: `scim-server listening on
/// http://ADDR` (or, from builds that predate that line, the printed base URL).
fn listening_address(line: &str) -> Option<SocketAddr> {
    let url = line
        .split_once("listening on http://")
        .or_else(|| line.split_once("Base URL (give it to Okta / Entra ID)"))?
        .1
        .trim();
    let url = url.strip_prefix("http://").unwrap_or(url);
    url.split('/').next()?.parse().ok()
}

/// An HTTP/1.1 response read off a socket.
#[derive(Debug)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// Header names (lower case) and values, in order.
    pub headers: Vec<(String, String)>,
    /// The body (by `Content-Length`).
    pub body: Vec<u8>,
}

impl Response {
    /// The first value of header `name`.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "{e}: status {} body {:?}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }
}

/// Reads one response (head, then a `Content-Length` body) within `limit`.
pub async fn read_response(stream: &mut TcpStream, limit: Duration) -> Result<Response, String> {
    let deadline = tokio::time::Instant::now() + limit;
    let mut buffer = Vec::new();
    let head_end = loop {
        if let Some(end) = find(&buffer, b"\r\n\r\n") {
            break end;
        }
        read_more(stream, &mut buffer, deadline, "the response head").await?;
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| format!("bad status line in {head:?}"))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(name, _)| name == "content-length")
        .and_then(|(_, value)| value.parse().ok())
        .unwrap_or(0);
    let body_start = head_end + 4;
    while buffer.len() < body_start + length {
        read_more(stream, &mut buffer, deadline, "the response body").await?;
    }
    Ok(Response {
        status,
        headers,
        body: buffer[body_start..body_start + length].to_vec(),
    })
}

async fn read_more(
    stream: &mut TcpStream,
    buffer: &mut Vec<u8>,
    deadline: tokio::time::Instant,
    what: &str,
) -> Result<(), String> {
    let mut chunk = [0; 16 * 1024];
    match tokio::time::timeout_at(deadline, stream.read(&mut chunk)).await {
        Err(_) => Err(format!("no complete {what} in time; got {buffer:?}")),
        Ok(Ok(0)) => Err(format!(
            "connection closed before {what} ended; got {:?}",
            String::from_utf8_lossy(buffer)
        )),
        Ok(Ok(n)) => {
            buffer.extend_from_slice(&chunk[..n]);
            Ok(())
        }
        Ok(Err(e)) => Err(format!("{e} while reading {what}")),
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// What the server did with a connection the client stopped using.
#[derive(Debug, PartialEq, Eq)]
pub enum Fate {
    /// The server closed it (EOF or reset), after sending these bytes.
    Closed(Vec<u8>),
    /// It was still open when the limit passed.
    StillOpen,
}

impl Fate {
    /// The bytes received before the close, as text.
    pub fn text(&self) -> String {
        match self {
            Self::Closed(bytes) => String::from_utf8_lossy(bytes).into_owned(),
            Self::StillOpen => "<still open>".to_owned(),
        }
    }
}

/// Reads (and keeps) whatever the server sends until it closes the connection, for at
/// most `limit`.
pub async fn fate(stream: &mut (impl tokio::io::AsyncRead + Unpin), limit: Duration) -> Fate {
    let deadline = tokio::time::Instant::now() + limit;
    let mut received = Vec::new();
    let mut chunk = [0; 16 * 1024];
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut chunk)).await {
            Err(_) => return Fate::StillOpen,
            Ok(Ok(0) | Err(_)) => return Fate::Closed(received),
            Ok(Ok(n)) => received.extend_from_slice(&chunk[..n]),
        }
    }
}

/// Asserts that `text` (a raw HTTP/1.1 response) is a SCIM error (RFC 7644 §3.12) with
/// `status`.
pub fn assert_scim_error(text: &str, status: u16) {
    assert!(
        text.starts_with(&format!("HTTP/1.1 {status} ")),
        "expected {status}: {text}"
    );
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((text, ""));
    assert!(
        head.to_ascii_lowercase()
            .contains("\r\ncontent-type: application/scim+json"),
        "{text}"
    );
    let body: serde_json::Value =
        serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {text}"));
    assert_eq!(
        body["schemas"],
        serde_json::json!(["urn:ietf:params:scim:api:messages:2.0:Error"]),
        "{text}"
    );
    assert_eq!(body["status"], status.to_string(), "{text}");
    assert!(body["detail"].is_string(), "{text}");
}

/// Whether the server answers a fresh `GET /` within `limit`.
pub async fn answers_within(addr: SocketAddr, limit: Duration) -> bool {
    let attempt = async {
        let mut stream = TcpStream::connect(addr).await.ok()?;
        stream
            .write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .await
            .ok()?;
        read_response(&mut stream, limit).await.ok()
    };
    matches!(tokio::time::timeout(limit, attempt).await, Ok(Some(r)) if r.status == 200)
}

/// The head of a `POST /Users` with `Content-Length: length`, with or without the token.
pub fn post_head(addr: SocketAddr, length: usize, authenticated: bool) -> String {
    let auth = if authenticated {
        format!("Authorization: Bearer {SECRET}\r\n")
    } else {
        String::new()
    };
    format!(
        "POST /scim/v2/{TENANT}/Users HTTP/1.1\r\nHost: {addr}\r\n{auth}\
         Content-Type: application/scim+json\r\nContent-Length: {length}\r\n\r\n"
    )
}

/// A valid User body of exactly `length` bytes (padded with spaces), at least ~100.
pub fn user_body(user_name: &str, length: usize) -> Vec<u8> {
    let mut body = format!(
        r#"{{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"{user_name}"}}"#
    )
    .into_bytes();
    assert!(
        body.len() <= length,
        "{length} bytes is too short for a User"
    );
    body.resize(length, b' ');
    body
}

/// Opens `connections` HTTP/2 (prior knowledge, cleartext) connections and starts
/// `streams` unauthenticated `POST /Users` streams of `body_bytes` bytes on each; returns
/// how many streams got any HTTP response. The connections stay open until the returned
/// guard is dropped.
pub async fn h2_flood(
    addr: SocketAddr,
    connections: usize,
    streams: usize,
    body_bytes: usize,
) -> (usize, H2Guard) {
    let mut tasks = Vec::new();
    let mut answered = Vec::new();
    for _ in 0..connections {
        let Ok(tcp) = TcpStream::connect(addr).await else {
            continue;
        };
        let Ok(Ok((client, connection))) =
            tokio::time::timeout(NEVER, h2::client::handshake(tcp)).await
        else {
            continue;
        };
        tasks.push(tokio::spawn(async move {
            let _ = connection.await;
        }));
        let body = bytes::Bytes::from(vec![b' '; body_bytes]);
        for _ in 0..streams {
            let Ok(Ok(mut ready)) = tokio::time::timeout(NEVER, client.clone().ready()).await
            else {
                break;
            };
            let request = http::Request::post(format!("http://{addr}/scim/v2/{TENANT}/Users"))
                .header("content-type", "application/scim+json")
                .body(())
                .expect("request");
            let Ok((response, mut stream)) = ready.send_request(request, false) else {
                break;
            };
            let _ = stream.send_data(body.clone(), true);
            answered.push(tokio::spawn(async move {
                let outcome = tokio::time::timeout(NEVER, response).await;
                // Keep the stream handle alive until the answer, so its data is sent.
                drop(stream);
                matches!(outcome, Ok(Ok(_)))
            }));
        }
    }
    // Give the server time to take in what the streams send.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mut count = 0;
    for task in answered {
        if let Ok(Ok(true)) = tokio::time::timeout(Duration::from_secs(5), task).await {
            count += 1;
        }
    }
    (count, H2Guard(tasks))
}

/// Keeps HTTP/2 connections open; aborts them when dropped.
pub struct H2Guard(Vec<tokio::task::JoinHandle<()>>);

impl Drop for H2Guard {
    fn drop(&mut self) {
        for task in &self.0 {
            task.abort();
        }
    }
}
