//! The admin routes through `tower::ServiceExt::oneshot`: sessions, CSRF, the password
//! limit and every form's bad input. The browser tests (tests/admin_browser.rs) drive
//! the same pages in Chromium.

use std::net::SocketAddr;

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request};
use scim_core::{InMemoryStore, ScimServer};
use tower::ServiceExt;

use super::AdminPages;

const PASSWORD: &str = "correct horse";

struct Reply {
    status: u16,
    location: Option<String>,
    cookie: Option<String>,
    body: String,
}

struct Browser {
    app: Router,
    server: ScimServer,
    cookie: Option<String>,
    client: SocketAddr,
}

impl Browser {
    fn new() -> Self {
        let server = ScimServer::builder()
            .store(InMemoryStore::new())
            .build()
            .unwrap();
        let admin = AdminPages::new(server.clone(), PASSWORD, "http://h/scim/v2");
        Self {
            app: admin.router(),
            server,
            cookie: None,
            client: SocketAddr::from(([127, 0, 0, 1], 5000)),
        }
    }

    async fn send(&mut self, request: axum::http::request::Builder, body: String) -> Reply {
        let mut request = request;
        if let Some(cookie) = &self.cookie {
            request = request.header("cookie", cookie);
        }
        let mut request: Request = request.body(Body::from(body)).unwrap();
        request.extensions_mut().insert(ConnectInfo(self.client));
        let response = self.app.clone().oneshot(request).await.unwrap();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .map(|v| v.to_str().unwrap().to_owned())
        };
        let (location, cookie) = (header("location"), header("set-cookie"));
        if let Some(set) = &cookie {
            self.cookie = Some(set.split(';').next().unwrap().to_owned());
        }
        let status = response.status().as_u16();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        Reply {
            status,
            location,
            cookie,
            body: String::from_utf8(body.to_vec()).unwrap(),
        }
    }

    async fn get(&mut self, path: &str) -> Reply {
        self.send(Request::get(path), String::new()).await
    }

    async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let request =
            Request::post(path).header("content-type", "application/x-www-form-urlencoded");
        self.send(request, body).await
    }

    /// The CSRF token of the last page.
    fn csrf(page: &Reply) -> String {
        let (_, rest) = page.body.split_once(r#"name="csrf" value=""#).unwrap();
        rest.split('"').next().unwrap().to_owned()
    }

    async fn sign_in(&mut self) -> String {
        let page = self.get("/admin/").await;
        let csrf = Self::csrf(&page);
        let reply = self
            .post("/admin/login", &[("csrf", &csrf), ("password", PASSWORD)])
            .await;
        assert_eq!(reply.status, 303, "{}", reply.body);
        assert_eq!(reply.location.as_deref(), Some("/admin/tenants"));
        Self::csrf(&self.get("/admin/tenants").await)
    }
}

#[tokio::test]
async fn pages_without_a_session_go_to_the_sign_in_page() {
    let mut browser = Browser::new();
    for path in [
        "/admin/tenants",
        "/admin/tenants/acme/scim",
        "/admin/tenants/acme/api-keys",
        "/admin/tenants/acme/api-keys/x/revoke",
    ] {
        let reply = browser.get(path).await;
        assert_eq!(
            (reply.status, reply.location.as_deref()),
            (303, Some("/admin/")),
            "{path}"
        );
    }
    let reply = browser
        .post(
            "/admin/tenants/acme/api-keys",
            &[("label", "x"), ("scope", "SCIM2")],
        )
        .await;
    assert_eq!(reply.status, 303);
    assert!(
        browser
            .server
            .api_keys()
            .unwrap()
            .list("acme")
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn signing_in_sets_a_strict_http_only_cookie_and_a_new_session() {
    let mut browser = Browser::new();
    let page = browser.get("/admin/").await;
    assert_eq!(page.status, 200);
    let cookie = page.cookie.unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let before = browser.cookie.clone();
    browser.sign_in().await;
    assert_ne!(browser.cookie, before, "the session id changes at sign-in");
    let csrf = Browser::csrf(&browser.get("/admin/tenants").await);
    let reply = browser.post("/admin/logout", &[("csrf", &csrf)]).await;
    assert_eq!(reply.location.as_deref(), Some("/admin/"));
    assert!(reply.cookie.unwrap().contains("Max-Age=0"));
    assert_eq!(browser.get("/admin/tenants").await.status, 303);
}

#[tokio::test]
async fn the_cookie_is_secure_over_https() {
    let server = ScimServer::builder()
        .store(InMemoryStore::new())
        .build()
        .unwrap();
    let app = AdminPages::new(server, PASSWORD, "https://scim.example.com/scim/v2").router();
    let response = app
        .oneshot(Request::get("/admin/").body(Body::empty()).unwrap())
        .await
        .unwrap();
    let cookie = response.headers()["set-cookie"].to_str().unwrap();
    assert!(
        cookie.starts_with("__Host-") && cookie.contains("; Secure"),
        "{cookie}"
    );
}

#[tokio::test]
async fn wrong_passwords_are_limited_per_client() {
    let mut browser = Browser::new();
    let csrf = Browser::csrf(&browser.get("/admin/").await);
    for _ in 0..super::login::MAX_FAILURES {
        let reply = browser
            .post("/admin/login", &[("csrf", &csrf), ("password", "guess")])
            .await;
        assert_eq!(reply.status, 401);
        assert!(reply.body.contains("Wrong password."));
    }
    // Now even the right password waits.
    let reply = browser
        .post("/admin/login", &[("csrf", &csrf), ("password", PASSWORD)])
        .await;
    assert_eq!(reply.status, 429);
    assert!(
        reply.body.contains("Too many wrong passwords"),
        "{}",
        reply.body
    );
    // Another address may still sign in.
    browser.client = SocketAddr::from(([127, 0, 0, 2], 5000));
    browser.sign_in().await;
}

#[tokio::test]
async fn posts_without_the_csrf_token_are_refused() {
    let mut browser = Browser::new();
    let csrf = browser.sign_in().await;
    for fields in [
        vec![("label", "Okta"), ("scope", "SCIM2")],
        vec![("label", "Okta"), ("scope", "SCIM2"), ("csrf", "0000")],
    ] {
        let reply = browser.post("/admin/tenants/acme/api-keys", &fields).await;
        assert_eq!(reply.status, 403);
        assert!(reply.body.contains("Form refused"));
    }
    assert!(
        browser
            .server
            .api_keys()
            .unwrap()
            .list("acme")
            .await
            .unwrap()
            .is_empty()
    );
    let reply = browser.post("/admin/logout", &[]).await;
    assert_eq!(reply.status, 403);
    assert_eq!(
        browser.get("/admin/tenants").await.status,
        200,
        "still signed in"
    );
    let reply = browser
        .post(
            "/admin/tenants/acme/api-keys",
            &[("csrf", &csrf), ("label", "Okta"), ("scope", "SCIM2")],
        )
        .await;
    assert_eq!(reply.status, 303);
}

#[tokio::test]
async fn a_key_is_shown_once_listed_without_its_secret_and_revoked_once() {
    let mut browser = Browser::new();
    let csrf = browser.sign_in().await;
    let reply = browser
        .post(
            "/admin/tenants/acme/api-keys",
            &[
                ("csrf", &csrf),
                ("label", "Okta <prod>"),
                ("scope", "SCIM2"),
            ],
        )
        .await;
    assert_eq!(
        reply.location.as_deref(),
        Some("/admin/tenants/acme/api-keys")
    );
    let page = browser.get("/admin/tenants/acme/api-keys").await;
    let (_, rest) = page.body.split_once(r#"id="new-secret""#).unwrap();
    let secret = rest
        .split_once('>')
        .unwrap()
        .1
        .split('<')
        .next()
        .unwrap()
        .to_owned();
    assert!(secret.starts_with("scim_"));
    assert!(
        page.body.contains("Okta &#60;prod&#62;") || page.body.contains("Okta &lt;prod&gt;"),
        "escaped"
    );
    let again = browser.get("/admin/tenants/acme/api-keys").await;
    assert!(!again.body.contains(&secret), "the secret is shown once");
    let keys = browser
        .server
        .api_keys()
        .unwrap()
        .list("acme")
        .await
        .unwrap();
    let id = keys[0].id.clone();
    assert!(again.body.contains(&keys[0].hint));

    let confirm = browser
        .get(&format!("/admin/tenants/acme/api-keys/{id}/revoke"))
        .await;
    assert_eq!(confirm.status, 200);
    assert!(confirm.body.contains("Revoke this API key?"));
    let path = format!("/admin/tenants/acme/api-keys/{id}/revoke");
    let reply = browser.post(&path, &[("csrf", &csrf)]).await;
    assert_eq!(reply.status, 303);
    assert!(
        browser
            .server
            .api_keys()
            .unwrap()
            .list("acme")
            .await
            .unwrap()
            .is_empty()
    );
    let reply = browser.post(&path, &[("csrf", &csrf)]).await;
    assert_eq!(reply.status, 404);
    assert!(reply.body.contains("already revoked"), "{}", reply.body);
    assert_eq!(browser.get(&path).await.status, 404);
}

#[tokio::test]
async fn bad_input_is_explained_and_changes_nothing() {
    let mut browser = Browser::new();
    let csrf = browser.sign_in().await;
    let long = "x".repeat(10_000);
    for (label, scopes, expected) in [
        ("", vec!["SCIM2"], "Enter a label"),
        ("   ", vec!["SCIM2"], "Enter a label"),
        (long.as_str(), vec!["SCIM2"], "at most 100"),
        ("bell\u{7}", vec!["SCIM2"], "control characters"),
        ("Okta", vec![], "Choose at least one scope"),
        ("Okta", vec!["SCIM2", "admin"], "Unknown scope"),
    ] {
        let mut fields = vec![("csrf", csrf.as_str()), ("label", label)];
        fields.extend(scopes.iter().map(|s| ("scope", *s)));
        let reply = browser.post("/admin/tenants/acme/api-keys", &fields).await;
        assert_eq!(reply.status, 422, "{label:.20}");
        assert!(reply.body.contains(expected), "{expected}: {}", reply.body);
        assert!(reply.body.contains("No key was created."));
        assert!(
            !reply.body.contains(&long),
            "the long label is not echoed whole"
        );
    }
    assert!(
        browser
            .server
            .api_keys()
            .unwrap()
            .tenants()
            .await
            .unwrap()
            .is_empty()
    );

    let long_tenant = "a".repeat(300);
    for tenant in ["acme/corp", "..", long_tenant.as_str(), ""] {
        let reply = browser
            .post("/admin/tenants", &[("csrf", &csrf), ("tenant", tenant)])
            .await;
        assert_eq!(reply.status, 422, "{tenant:.20}");
        assert!(
            reply.body.contains("This is not a tenant id"),
            "{}",
            reply.body
        );
    }
    let reply = browser
        .post("/admin/tenants", &[("csrf", &csrf), ("tenant", "acme")])
        .await;
    assert_eq!(reply.location.as_deref(), Some("/admin/tenants/acme/scim"));
    for path in [
        format!("/admin/tenants/{long_tenant}/scim"),
        "/admin/tenants/..%2F/api-keys".to_owned(),
        "/admin/tenants/.hidden/scim".to_owned(),
    ] {
        let reply = browser.get(&path).await;
        assert_eq!(reply.status, 404, "{path}");
        assert!(reply.body.contains("is not a tenant id"), "{}", reply.body);
    }
}

#[tokio::test]
async fn the_scim_page_shows_the_configured_urls_and_figures() {
    let mut browser = Browser::new();
    browser.sign_in().await;
    let page = browser.get("/admin/tenants/acme/scim").await;
    assert_eq!(page.status, 200);
    let endpoints = browser.server.endpoints("http://h/scim/v2", "acme");
    for url in [
        &endpoints.base_url,
        &endpoints.service_provider_config,
        &endpoints.schemas,
        &endpoints.resource_types_endpoint,
    ] {
        assert!(page.body.contains(url.as_str()), "{url}");
    }
    for (_, url) in &endpoints.resource_types {
        assert!(page.body.contains(url.as_str()), "{url}");
    }
    for text in [
        "SCIM2 Configuration",
        "Base URL",
        "Detailed URLs",
        "Setup Steps",
        "Rate Limiting",
        "200 requests per minute per tenant",
        "Authentication",
        "Authorization: Bearer &lt;YOUR_API_KEY&gt;",
        "Supported Resources",
    ] {
        assert!(page.body.contains(text), "{text}");
    }
}
