//! The admin pages in a real browser: Debian's headless Chromium driven through
//! chromedriver (WebDriver) against the real `scim-server` binary, as a tenant admin would
//! use them, with the SCIM API called beside it with the keys made in the pages.
//!
//! Needs `/usr/bin/chromium` and `/usr/bin/chromedriver` (`scripts/browser-deps.sh`
//! installs them; `scripts/test.sh` runs it first). Without them the tests FAIL, never
//! skip. Every test is bounded in time. Screenshots of both pages at desktop and 360 px
//! widths land in `target/admin-screenshots/`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code: helpers beside the tests panic on a broken setup"
)]

mod support;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;
use support::{Server, TENANT, bounded};

/// The whole of one browser test, startup included.
const TEST_LIMIT: Duration = Duration::from_secs(240);
/// How long chromedriver may take to start.
const DRIVER_START: Duration = Duration::from_secs(30);

const PASSWORD: &str = "browser-test-admin-password";

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// A chromedriver process in its own process group: dropping it kills the group, so the
/// Chromium it started goes too, even when a test panics.
struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    fn start() -> Self {
        for path in [CHROMIUM, CHROMEDRIVER] {
            assert!(
                std::path::Path::new(path).exists(),
                "{path} is missing: run scripts/browser-deps.sh (installs Debian's chromium \
                 and chromium-driver)"
            );
        }
        // A free port: bind, read it, release it for chromedriver.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let mut child = std::os::unix::process::CommandExt::process_group(
            Command::new(CHROMEDRIVER)
                .arg(format!("--port={port}"))
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::null()),
            0,
        )
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {CHROMEDRIVER}: {e}"));
        let stdout = child.stdout.take().expect("piped stdout");
        let (ready, started) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if line.contains("started successfully") {
                    let _ = ready.send(());
                }
            }
        });
        let driver = Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        assert!(
            started.recv_timeout(DRIVER_START).is_ok(),
            "chromedriver did not start within {DRIVER_START:?}"
        );
        driver
    }

    /// A headless Chromium session.
    async fn browser(&self) -> Client {
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": CHROMIUM,
                "args": [
                    "--headless=new",
                    // The tests run as root in CI, where Chromium's sandbox cannot start.
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--no-first-run",
                    "--disable-crash-reporter",
                    "--disable-breakpad",
                    "--window-size=1280,900",
                ],
            }),
        );
        ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&self.url)
            .await
            .unwrap_or_else(|e| panic!("chromium did not start through chromedriver: {e}"))
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let pid = self.child.id();
        // Only the group chromedriver leads (its pgid is its pid), never another.
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let pgid = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(2))
            .and_then(|field| field.parse::<u32>().ok());
        if pgid == Some(pid) {
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{pid}")])
                .status();
        } else {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

/// The example server with the admin password set; `args` adds flags.
fn server(args: &[&str]) -> Server {
    let mut all = vec!["--admin-password", PASSWORD];
    all.extend_from_slice(args);
    Server::start(&all)
}

fn admin_url(server: &Server, path: &str) -> String {
    format!("http://{}{path}", server.addr)
}

/// The `id` element's text.
async fn text(browser: &Client, id: &str) -> String {
    browser
        .find(Locator::Id(id))
        .await
        .unwrap_or_else(|e| panic!("no #{id}: {e}"))
        .text()
        .await
        .unwrap()
}

/// The notice at the top of the page (success or error).
async fn notice(browser: &Client) -> String {
    text(browser, "notice").await
}

async fn fill(browser: &Client, id: &str, value: &str) {
    let field = browser.find(Locator::Id(id)).await.unwrap();
    field.clear().await.unwrap();
    field.send_keys(value).await.unwrap();
}

/// Clicks `#id` (a submit button or a link) and waits for the next page to load.
async fn click(browser: &Client, id: &str) {
    let element = browser
        .find(Locator::Id(id))
        .await
        .unwrap_or_else(|e| panic!("no #{id}: {e}"));
    click_and_load(browser, &element).await;
}

/// Clicks `element` and waits (up to 20 s) until a new page has replaced this one: a
/// click may return before the browser has followed a form's redirect.
async fn click_and_load(browser: &Client, element: &fantoccini::elements::Element) {
    browser
        .execute("window.stalePage = true", vec![])
        .await
        .unwrap();
    element.click().await.unwrap();
    let started = std::time::Instant::now();
    loop {
        let loaded = browser
            .execute(
                "return !window.stalePage && document.readyState === 'complete'",
                vec![],
            )
            .await
            .ok();
        if loaded == Some(json!(true)) {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no new page within 20 s of the click"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn path(browser: &Client) -> String {
    browser.current_url().await.unwrap().path().to_owned()
}

/// Asserts that the browser is at `expected`.
async fn wait_path(browser: &Client, expected: &str) {
    assert_eq!(path(browser).await, expected);
}

async fn sign_in(browser: &Client, server: &Server) {
    browser.goto(&admin_url(server, "/admin/")).await.unwrap();
    fill(browser, "password", PASSWORD).await;
    click(browser, "sign-in").await;
    wait_path(browser, "/admin/tenants").await;
}

/// Opens `tenant` through the tenants page's form.
async fn open_tenant(browser: &Client, server: &Server, tenant: &str) {
    browser
        .goto(&admin_url(server, "/admin/tenants"))
        .await
        .unwrap();
    fill(browser, "tenant", tenant).await;
    click(browser, "open-tenant").await;
    wait_path(browser, &format!("/admin/tenants/{tenant}/scim")).await;
}

/// Creates a key in the page and returns its secret, read from the page.
async fn create_key(browser: &Client, server: &Server, tenant: &str, label: &str) -> String {
    browser
        .goto(&admin_url(
            server,
            &format!("/admin/tenants/{tenant}/api-keys"),
        ))
        .await
        .unwrap();
    let scim2 = browser.find(Locator::Id("scope-SCIM2")).await.unwrap();
    assert_eq!(
        scim2.prop("checked").await.unwrap().as_deref(),
        Some("true"),
        "SCIM2 is checked by default"
    );
    fill(browser, "label", label).await;
    click(browser, "create").await;
    wait_path(browser, &format!("/admin/tenants/{tenant}/api-keys")).await;
    assert!(notice(browser).await.contains("created"));
    text(browser, "new-secret").await
}

/// The status of a GET of `url` (on `server`) with `key`.
async fn get_status(server: &Server, url: &str, key: &str) -> u16 {
    let prefix = format!("http://{}", server.addr);
    let path = url
        .strip_prefix(&prefix)
        .unwrap_or_else(|| panic!("{url} is not on the server at {prefix}"));
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {key}\r\nConnection: close\r\n\r\n",
        server.addr
    );
    server.exchange(&request).await.status
}

/// Where the screenshots go: `target/admin-screenshots/`.
fn screenshot_dir() -> PathBuf {
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let dir = tmp
        .parent()
        .map_or_else(|| tmp.clone(), PathBuf::from)
        .join("admin-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Screenshots of the current page, whole, at 1280 px and at 360 px wide; checks that
/// nothing is wider than the window at 360 px.
async fn screenshots(browser: &Client, name: &str) {
    let dir = screenshot_dir();
    for (width, suffix) in [(1280, "desktop"), (360, "360px")] {
        browser.set_window_size(width, 900).await.unwrap();
        let inner = browser
            .execute("return window.innerWidth", vec![])
            .await
            .unwrap();
        assert_eq!(inner, json!(width), "the viewport is {width} px wide");
        let overflow = browser
            .execute(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(overflow, json!(0), "{name} scrolls sideways at {width} px");
        let height = browser
            .execute("return document.documentElement.scrollHeight", vec![])
            .await
            .unwrap()
            .as_u64()
            .unwrap();
        // The whole page in one picture: a window as tall as the page.
        let chrome = browser
            .execute("return window.outerHeight - window.innerHeight", vec![])
            .await
            .unwrap()
            .as_u64()
            .unwrap_or(0);
        let height = u32::try_from(height + chrome).unwrap().min(6000);
        browser.set_window_size(width, height).await.unwrap();
        let png = browser.screenshot().await.unwrap();
        assert!(png.starts_with(b"\x89PNG"), "a PNG");
        std::fs::write(dir.join(format!("{name}-{suffix}.png")), png).unwrap();
    }
    browser.set_window_size(1280, 900).await.unwrap();
}

/// The Base URL and every Detailed URL, read from the SCIM2 Configuration page.
async fn page_urls(browser: &Client) -> (String, Vec<String>) {
    let base = text(browser, "base-url").await;
    // The section is folded: its URLs show once it is opened.
    click_summary(browser).await;
    let mut urls = Vec::new();
    for link in browser
        .find_all(Locator::Css("#detailed-urls a.url"))
        .await
        .unwrap()
    {
        assert!(link.is_displayed().await.unwrap(), "shown once opened");
        urls.push(link.text().await.unwrap());
    }
    (base, urls)
}

async fn click_summary(browser: &Client) {
    let details = browser.find(Locator::Id("detailed-urls")).await.unwrap();
    if details.attr("open").await.unwrap().is_none() {
        browser
            .find(Locator::Css("#detailed-urls summary"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }
    assert!(
        details.attr("open").await.unwrap().is_some(),
        "Detailed URLs opened"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_configures_a_tenant_and_its_keys_work_at_once() {
    let driver = Driver::start();
    bounded(TEST_LIMIT, async {
        let server = server(&[]);
        let browser = driver.browser().await;

        // Without a session: to the sign-in page.
        browser
            .goto(&admin_url(&server, "/admin/tenants/acme/api-keys"))
            .await
            .unwrap();
        assert_eq!(path(&browser).await, "/admin/");

        // A wrong password, then the right one.
        fill(&browser, "password", "not the password").await;
        click(&browser, "sign-in").await;
        wait_path(&browser, "/admin/login").await;
        assert_eq!(notice(&browser).await, "Wrong password.");
        sign_in(&browser, &server).await;
        // The tenant of the --api-key given at start is listed.
        assert!(text(&browser, "tenant-list").await.contains(TENANT));

        // Open a new tenant: its SCIM2 Configuration page.
        let tenant = "globex";
        open_tenant(&browser, &server, tenant).await;
        let heading = browser
            .find(Locator::Css("h1"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(heading, "SCIM2 Configuration");
        let (base, urls) = page_urls(&browser).await;

        // Everything the page loaded came from this server: its stylesheet and script.
        let loaded = browser
            .execute(
                "return performance.getEntriesByType('resource').map(e => e.name)",
                vec![],
            )
            .await
            .unwrap();
        let loaded: Vec<String> = serde_json::from_value(loaded).unwrap();
        let origin = format!("http://{}/", server.addr);
        assert!(
            loaded.len() >= 2,
            "the stylesheet and the script: {loaded:?}"
        );
        assert!(
            loaded.iter().all(|url| url.starts_with(&origin)),
            "{loaded:?}"
        );
        // The copy button answers (its script runs under the page's CSP).
        let copy = browser
            .find(Locator::Css("button[data-copy='base-url']"))
            .await
            .unwrap();
        copy.click().await.unwrap();
        let started = std::time::Instant::now();
        while copy.text().await.unwrap() == "Copy" {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "the copy button did nothing"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(base, format!("http://{}/scim/v2/{tenant}", server.addr));
        for endpoint in [
            "ServiceProviderConfig",
            "Schemas",
            "ResourceTypes",
            "Users",
            "Groups",
        ] {
            assert!(
                urls.contains(&format!("{base}/{endpoint}")),
                "{endpoint} in {urls:?}"
            );
        }
        assert_eq!(
            text(&browser, "rate-limit").await,
            "200 requests per minute per tenant"
        );
        assert_eq!(
            text(&browser, "auth-header").await,
            "Authorization: Bearer <YOUR_API_KEY>"
        );
        let resources = text(&browser, "resources").await;
        assert!(
            resources.contains("User") && resources.contains("Group"),
            "{resources}"
        );
        screenshots(&browser, "scim2-configuration").await;

        // Create a key in the page; it works against every URL of the page at once.
        let secret = create_key(&browser, &server, tenant, "Okta production").await;
        assert!(secret.starts_with("scim_"), "{secret}");
        for url in std::iter::once(&base).chain(&urls) {
            let status = get_status(&server, url, &secret).await;
            if url == &base {
                // The base URL itself is no endpoint; the engine answers it, but a key
                // must still be accepted (not 401/403).
                assert!(![401, 403].contains(&status), "{url}: {status}");
            } else {
                assert_eq!(status, 200, "GET {url} with the new key");
            }
        }
        // Listed with its hint, never its secret.
        let list = text(&browser, "keys").await;
        assert!(
            list.contains("Okta production") && list.contains("SCIM2"),
            "{list}"
        );
        assert!(list.contains(&secret[..9]), "the hint: {list}");
        screenshots(&browser, "api-key-management").await;

        // Reloaded, the secret is gone.
        browser.refresh().await.unwrap();
        assert!(browser.find(Locator::Id("new-secret")).await.is_err());
        assert!(!browser.source().await.unwrap().contains(&secret));
        // The key was used just now: the list says when.
        let row = text(&browser, "keys").await;
        assert!(
            row.contains(" UTC") && !row.contains("never"),
            "last used: {row}"
        );

        // Revoke with confirmation: 401 at once.
        let revoke = browser.find(Locator::Css("#keys a.danger")).await.unwrap();
        click_and_load(&browser, &revoke).await;
        assert!(path(&browser).await.ends_with("/revoke"));
        click(&browser, "confirm-revoke").await;
        wait_path(&browser, &format!("/admin/tenants/{tenant}/api-keys")).await;
        assert!(notice(&browser).await.contains("revoked"), "confirmed");
        assert!(browser.find(Locator::Id("no-keys")).await.is_ok());
        let users = format!("{base}/Users");
        assert_eq!(get_status(&server, &users, &secret).await, 401);

        // Log out: pages need signing in again.
        click(&browser, "logout").await;
        wait_path(&browser, "/admin/").await;
        browser
            .goto(&admin_url(&server, "/admin/tenants"))
            .await
            .unwrap();
        assert_eq!(path(&browser).await, "/admin/");
        browser.close().await.unwrap();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forms_refuse_bad_input_and_forged_posts_with_a_clear_message() {
    let driver = Driver::start();
    bounded(TEST_LIMIT, async {
        let server = server(&[]);
        let browser = driver.browser().await;
        sign_in(&browser, &server).await;
        let keys_page = admin_url(&server, &format!("/admin/tenants/{TENANT}/api-keys"));

        // Tenant ids: '/', '..', 300 characters.
        let long_tenant = "t".repeat(300);
        for tenant in ["acme/corp", "..", long_tenant.as_str()] {
            browser
                .goto(&admin_url(&server, "/admin/tenants"))
                .await
                .unwrap();
            // Past the field's maxlength, as a hand-made request would send it.
            browser
                .execute(
                    "document.getElementById('tenant').value = arguments[0]",
                    vec![json!(tenant)],
                )
                .await
                .unwrap();
            click(&browser, "open-tenant").await;
            wait_path(&browser, "/admin/tenants").await;
            assert!(
                notice(&browser)
                    .await
                    .starts_with("This is not a tenant id"),
                "{tenant:.20}"
            );
        }

        // Key forms: each refused with its reason, and no key made.
        browser.goto(&keys_page).await.unwrap();
        let before = browser
            .find_all(Locator::Css("#keys tbody tr"))
            .await
            .unwrap()
            .len();
        let long_label = "L".repeat(10_000);
        for (script, expected) in [
            ("f.label.value = ''", "Enter a label"),
            ("f.label.value = arguments[0]", "at most 100"),
            (
                "f.label.value = 'Okta'; f.querySelector('[name=scope]').value = 'admin'",
                "Unknown scope",
            ),
            (
                "f.label.value = 'Okta'; f.querySelector('[name=scope]').checked = false",
                "Choose at least one scope",
            ),
        ] {
            browser.goto(&keys_page).await.unwrap();
            browser
                .execute(
                    &format!(
                        "const f = document.getElementById('create-key'); {script}; \
                         f.label.removeAttribute('required'); f.label.removeAttribute('maxlength');"
                    ),
                    vec![json!(long_label)],
                )
                .await
                .unwrap();
            click(&browser, "create").await;
            wait_path(&browser, &format!("/admin/tenants/{TENANT}/api-keys")).await;
            let message = notice(&browser).await;
            assert!(
                message.contains(expected) && message.contains("No key was created."),
                "{expected}: {message}"
            );
            assert!(browser.find(Locator::Id("new-secret")).await.is_err());
        }
        browser.goto(&keys_page).await.unwrap();
        let after = browser
            .find_all(Locator::Css("#keys tbody tr"))
            .await
            .unwrap()
            .len();
        assert_eq!(after, before, "no key was created");

        // A post without the CSRF token: refused, nothing made.
        browser
            .execute(
                "const f = document.getElementById('create-key'); \
                 f.querySelector('[name=csrf]').remove(); f.label.value = 'forged';",
                vec![],
            )
            .await
            .unwrap();
        click(&browser, "create").await;
        assert_eq!(
            browser
                .find(Locator::Css("h1"))
                .await
                .unwrap()
                .text()
                .await
                .unwrap(),
            "Form refused"
        );
        assert!(
            text(&browser, "message")
                .await
                .contains("nothing was changed")
        );
        browser.goto(&keys_page).await.unwrap();
        assert!(!text(&browser, "keys").await.contains("forged"));

        // A revoked key revoked again: the confirm form sent twice.
        let secret = create_key(&browser, &server, TENANT, "twice").await;
        let id = browser
            .find(Locator::XPath("//tr[td[1][text()='twice']]"))
            .await
            .unwrap()
            .attr("data-key-id")
            .await
            .unwrap()
            .unwrap();
        let row = browser
            .find(Locator::XPath(
                "//tr[td[1][text()='twice']]//a[contains(@class,'danger')]",
            ))
            .await
            .unwrap();
        click_and_load(&browser, &row).await;
        // Another tab confirms first.
        let first = browser.window().await.unwrap();
        let confirm_url = browser.current_url().await.unwrap();
        let tab = browser.new_window(true).await.unwrap();
        browser.switch_to_window(tab.handle).await.unwrap();
        browser.goto(confirm_url.as_str()).await.unwrap();
        click(&browser, "confirm-revoke").await;
        assert!(notice(&browser).await.contains("revoked:"));
        browser.close_window().await.unwrap();
        browser.switch_to_window(first).await.unwrap();
        let users = format!("http://{}/scim/v2/{TENANT}/Users", server.addr);
        assert_eq!(get_status(&server, &users, &secret).await, 401);
        click(&browser, "confirm-revoke").await;
        wait_path(
            &browser,
            &format!("/admin/tenants/{TENANT}/api-keys/{id}/revoke"),
        )
        .await;
        assert!(
            notice(&browser).await.contains("already revoked"),
            "{}",
            notice(&browser).await
        );
        browser.close().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn without_the_flag_a_generated_password_is_printed_and_signs_in() {
    bounded(TEST_LIMIT, async {
        let server = Server::start(&[]);
        // Printed just after the line `Server::start` waits for.
        let started = std::time::Instant::now();
        let password = loop {
            let output = server.output();
            if let Some((_, password)) = output
                .lines()
                .find_map(|line| line.split_once("password (generated, shown once): "))
            {
                break password.trim().to_owned();
            }
            assert!(
                started.elapsed() < support::NEVER,
                "no generated password in:\n{output}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        assert_eq!(password.len(), 32);

        // The sign-in page: a session cookie and the form's CSRF token.
        let page = server
            .exchange(&format!(
                "GET /admin/ HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
                server.addr
            ))
            .await;
        assert_eq!(page.status, 200);
        let cookie = page
            .header("set-cookie")
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        let body = String::from_utf8(page.body).unwrap();
        let csrf = body
            .split_once(r#"name="csrf" value=""#)
            .and_then(|(_, rest)| rest.split('"').next())
            .unwrap()
            .to_owned();
        let sign_in = |password: &str| {
            let form = format!("csrf={csrf}&password={password}");
            format!(
                "POST /admin/login HTTP/1.1\r\nHost: {}\r\nCookie: {cookie}\r\n\
                 Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\
                 Connection: close\r\n\r\n{form}",
                server.addr,
                form.len()
            )
        };
        assert_eq!(server.exchange(&sign_in("wrong")).await.status, 401);
        let signed_in = server.exchange(&sign_in(&password)).await;
        assert_eq!(signed_in.status, 303);
        assert_eq!(signed_in.header("location"), Some("/admin/tenants"));
    })
    .await;
}

/// A key created in the page works at once, survives a restart of the server on the same
/// SQLite file, and once revoked in the page is refused, also after the next restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_made_in_the_page_survives_a_restart_on_the_same_database() {
    let driver = Driver::start();
    let dir = support::temp_dir("scim-admin-restart");
    let file = dir.join("restart.db");
    let database = format!("sqlite://{}", file.display());
    bounded(TEST_LIMIT, async {
        let browser = driver.browser().await;
        let tenant = "initech";
        let first = server(&["--database", &database]);
        sign_in(&browser, &first).await;
        let secret = create_key(&browser, &first, tenant, "Entra ID").await;
        let users = |server: &Server| format!("http://{}/scim/v2/{tenant}/Users", server.addr);
        assert_eq!(get_status(&first, &users(&first), &secret).await, 200);
        drop(first);

        // The same SQLite file: the key still works, and is listed.
        let second = server(&["--database", &database]);
        assert_eq!(get_status(&second, &users(&second), &secret).await, 200);
        sign_in(&browser, &second).await; // sessions live in memory: sign in again
        browser
            .goto(&admin_url(
                &second,
                &format!("/admin/tenants/{tenant}/api-keys"),
            ))
            .await
            .unwrap();
        assert!(text(&browser, "keys").await.contains("Entra ID"));
        let revoke = browser.find(Locator::Css("#keys a.danger")).await.unwrap();
        click_and_load(&browser, &revoke).await;
        click(&browser, "confirm-revoke").await;
        assert_eq!(get_status(&second, &users(&second), &secret).await, 401);
        drop(second);

        // Revoked for good.
        let third = server(&["--database", &database]);
        assert_eq!(get_status(&third, &users(&third), &secret).await, 401);
        browser.close().await.unwrap();
    })
    .await;
    let _ = std::fs::remove_dir_all(&dir);
}
