//! The admin routes: sign-in and sign-out, tenants, the two tenant pages, key creation
//! and revocation. Every page needs a signed-in session (else: to the sign-in page);
//! every form post needs the session's CSRF token (else: 403).

#![allow(
    clippy::result_large_err,
    reason = "the error is the page the browser gets, made at most once per request"
)]

use std::net::{IpAddr, SocketAddr};

use askama::Template;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use scim_core::auth::{ApiKeyError, MAX_LABEL_CHARS};
use scim_core::tenant::validate_tenant_id;
use subtle::ConstantTimeEq;

use super::AdminPages;
use super::pages::{
    KNOWN_SCOPES, KeyRow, KeysPage, Layout, LoginPage, MessagePage, Notice, RevokePage, ScimPage,
    TenantsPage,
};
use super::session::{Flash, Session};

/// The largest form body read (a 10 000-character label fits many times over).
const MAX_FORM_BYTES: usize = 64 * 1024;

const CSS: &str = include_str!("assets/admin.css");
const JS: &str = include_str!("assets/admin.js");

/// Everything the pages load comes from this process: the policy says so to the browser.
const CSP: &str = "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; \
                   form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

pub(super) fn router(admin: AdminPages) -> Router {
    Router::new()
        .route("/admin", get(|| async { redirect("/admin/") }))
        .route("/admin/", get(login_page))
        .route(
            "/admin/login",
            get(|| async { redirect("/admin/") }).post(login),
        )
        .route("/admin/logout", axum::routing::post(logout))
        .route("/admin/tenants", get(tenants).post(open_tenant))
        .route("/admin/tenants/{tenant}/scim", get(scim))
        .route(
            "/admin/tenants/{tenant}/api-keys",
            get(keys).post(create_key),
        )
        .route(
            "/admin/tenants/{tenant}/api-keys/{id}/revoke",
            get(confirm_revoke).post(revoke),
        )
        .route(
            "/admin/assets/admin.css",
            get(|| async { asset(CSS, "text/css") }),
        )
        .route(
            "/admin/assets/admin.js",
            get(|| async { asset(JS, "text/javascript") }),
        )
        .fallback(not_found)
        .layer(middleware::from_fn(security_headers))
        .with_state(admin)
}

async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, CSP),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "no-referrer"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    headers
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}

fn asset(body: &'static str, content_type: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}

fn redirect(to: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(to) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

fn render(status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            html,
        )
            .into_response(),
        Err(err) => {
            tracing::error!("admin page: {err}");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the page could not be rendered",
            )
                .into_response()
        }
    }
}

fn with_cookie(mut response: Response, cookie: &str) -> Response {
    if let Ok(value) = HeaderValue::from_str(cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// A page that says what went wrong, with a link onwards.
fn message(
    status: StatusCode,
    layout: Layout,
    heading: &str,
    text: impl Into<String>,
    link: (&str, &str),
) -> Response {
    render(
        status,
        &MessagePage {
            layout: Layout {
                title: heading.to_owned(),
                ..layout
            },
            heading: heading.to_owned(),
            text: text.into(),
            link_href: link.0.to_owned(),
            link_text: link.1.to_owned(),
        },
    )
}

fn unavailable(why: &str) -> Response {
    tracing::error!("admin pages: {why}");
    message(
        StatusCode::SERVICE_UNAVAILABLE,
        Layout::default(),
        "Temporarily unavailable",
        "The server could not complete this request. Nothing was changed; try again.",
        ("/admin/", "Back"),
    )
}

fn forbidden_csrf(layout: Layout) -> Response {
    message(
        StatusCode::FORBIDDEN,
        layout,
        "Form refused",
        "This form was not sent from a page of this admin session (its security token is \
         missing or wrong), so nothing was changed. Reload the page and send the form again.",
        ("/admin/", "Back to the admin pages"),
    )
}

fn not_found() -> impl std::future::Future<Output = Response> {
    std::future::ready(message(
        StatusCode::NOT_FOUND,
        Layout::default(),
        "Page not found",
        "There is no admin page at this address.",
        ("/admin/", "Back to the admin pages"),
    ))
}

/// A parsed `application/x-www-form-urlencoded` body.
struct Form(Vec<(String, String)>);

impl Form {
    fn parse(body: &Bytes) -> Self {
        Self(
            form_urlencoded::parse(body)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// Whether the form carries `session`'s CSRF token (compared in constant time).
    fn csrf_ok(&self, session: &Session) -> bool {
        self.get("csrf").is_some_and(|token| {
            token.len() == session.csrf.len()
                && bool::from(token.as_bytes().ct_eq(session.csrf.as_bytes()))
        })
    }
}

async fn read_form(body: Body) -> Result<Form, Response> {
    match axum::body::to_bytes(body, MAX_FORM_BYTES).await {
        Ok(bytes) => Ok(Form::parse(&bytes)),
        Err(_) => Err(message(
            StatusCode::PAYLOAD_TOO_LARGE,
            Layout::default(),
            "Form too large",
            format!(
                "A form of these pages holds at most {MAX_FORM_BYTES} bytes; nothing was changed."
            ),
            ("/admin/", "Back to the admin pages"),
        )),
    }
}

/// The request's signed-in session, or the response that sends the browser to sign in.
struct SignedIn {
    token: String,
    session: Session,
}

impl AdminPages {
    fn session(&self, headers: &HeaderMap) -> Option<(String, Session)> {
        let token = self.inner.cookies.token(headers)?;
        let session = self.inner.sessions.get(&token)?;
        Some((token, session))
    }

    fn signed_in(&self, headers: &HeaderMap) -> Result<SignedIn, Response> {
        match self.session(headers) {
            Some((token, session)) if session.signed_in => Ok(SignedIn { token, session }),
            _ => Err(redirect("/admin/")),
        }
    }

    /// The signed-in session of a form post whose CSRF token is right, and the form.
    async fn post(&self, request: Request) -> Result<(SignedIn, Form), Response> {
        let (parts, body) = request.into_parts();
        let signed_in = self.signed_in(&parts.headers)?;
        let form = read_form(body).await?;
        if !form.csrf_ok(&signed_in.session) {
            return Err(forbidden_csrf(self.layout(&signed_in, "Form refused")));
        }
        Ok((signed_in, form))
    }

    fn layout(&self, signed_in: &SignedIn, title: &str) -> Layout {
        Layout {
            title: title.to_owned(),
            csrf: signed_in.session.csrf.clone(),
            signed_in: true,
            ..Layout::default()
        }
    }

    fn tenant_layout(
        &self,
        signed_in: &SignedIn,
        title: &str,
        tenant: &str,
        tab: &'static str,
    ) -> Layout {
        Layout {
            tenant: Some(tenant.to_owned()),
            tab,
            ..self.layout(signed_in, title)
        }
    }

    fn keys(&self) -> Result<&scim_core::ApiKeyStore, Response> {
        self.inner
            .server
            .api_keys()
            .ok_or_else(|| unavailable("the server authenticates without the built-in key store"))
    }
}

/// The tenant id of a path, or a page saying it is none.
fn tenant_id(admin: &AdminPages, signed_in: &SignedIn, tenant: &str) -> Result<(), Response> {
    validate_tenant_id(tenant).map_err(|why| {
        let shown: String = tenant.chars().take(80).collect();
        message(
            StatusCode::NOT_FOUND,
            admin.layout(signed_in, "Not a tenant id"),
            "Not a tenant id",
            format!("{shown:?} is not a tenant id: {why}."),
            ("/admin/tenants", "Back to the tenants"),
        )
    })
}

fn client_ip(request: &Request) -> IpAddr {
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::from([0, 0, 0, 0]), |ConnectInfo(addr)| addr.ip())
}

async fn login_page(State(admin): State<AdminPages>, headers: HeaderMap) -> Response {
    let (token, session, fresh) = match admin.session(&headers) {
        Some((token, session)) => (token, session, false),
        None => match admin.inner.sessions.create(false) {
            Ok((token, session)) => (token, session, true),
            Err(err) => return unavailable(&format!("no randomness for a session: {err}")),
        },
    };
    if session.signed_in {
        return redirect("/admin/tenants");
    }
    let page = render(
        StatusCode::OK,
        &LoginPage {
            layout: Layout {
                title: "Sign in".into(),
                csrf: session.csrf,
                notice: admin.inner.sessions.take_flash(&token).map(|f| Notice {
                    ok: f.ok,
                    text: f.text,
                }),
                ..Layout::default()
            },
        },
    );
    if fresh {
        with_cookie(page, &admin.inner.cookies.set(&token))
    } else {
        page
    }
}

async fn login(State(admin): State<AdminPages>, request: Request) -> Response {
    let client = client_ip(&request);
    let (parts, body) = request.into_parts();
    let Some((token, session)) = admin.session(&parts.headers) else {
        // No session (expired, or cookies off): the sign-in page makes one.
        return redirect("/admin/");
    };
    let form = match read_form(body).await {
        Ok(form) => form,
        Err(response) => return response,
    };
    let layout = Layout {
        title: "Sign in".into(),
        csrf: session.csrf.clone(),
        ..Layout::default()
    };
    if !form.csrf_ok(&session) {
        return forbidden_csrf(layout);
    }
    if let Some(wait) = admin.inner.failures.wait(client) {
        return render(
            StatusCode::TOO_MANY_REQUESTS,
            &LoginPage {
                layout: Layout {
                    notice: Notice::error(format!(
                        "Too many wrong passwords from your address: wait {} seconds before trying again.",
                        wait.as_secs().max(1)
                    )),
                    ..layout
                },
            },
        );
    }
    if !admin
        .inner
        .password
        .matches(form.get("password").unwrap_or_default())
    {
        admin.inner.failures.fail(client);
        return render(
            StatusCode::UNAUTHORIZED,
            &LoginPage {
                layout: Layout {
                    notice: Notice::error("Wrong password."),
                    ..layout
                },
            },
        );
    }
    // A new session id once signed in (the pre-sign-in one may have been planted).
    admin.inner.sessions.remove(&token);
    match admin.inner.sessions.create(true) {
        Ok((token, _)) => with_cookie(redirect("/admin/tenants"), &admin.inner.cookies.set(&token)),
        Err(err) => unavailable(&format!("no randomness for a session: {err}")),
    }
}

async fn logout(State(admin): State<AdminPages>, request: Request) -> Response {
    let (signed_in, _) = match admin.post(request).await {
        Ok(ok) => ok,
        Err(response) => return response,
    };
    admin.inner.sessions.remove(&signed_in.token);
    with_cookie(redirect("/admin/"), &admin.inner.cookies.clear())
}

async fn tenants_page(
    admin: &AdminPages,
    signed_in: &SignedIn,
    status: StatusCode,
    notice: Option<Notice>,
    value: String,
) -> Response {
    let keys = match admin.keys() {
        Ok(keys) => keys,
        Err(response) => return response,
    };
    let tenants = match keys.tenants().await {
        Ok(tenants) => tenants,
        Err(err) => return unavailable(&err.to_string()),
    };
    render(
        status,
        &TenantsPage {
            layout: Layout {
                notice,
                ..admin.layout(signed_in, "Tenants")
            },
            tenants,
            value,
        },
    )
}

async fn tenants(State(admin): State<AdminPages>, headers: HeaderMap) -> Response {
    match admin.signed_in(&headers) {
        Ok(signed_in) => {
            tenants_page(&admin, &signed_in, StatusCode::OK, None, String::new()).await
        }
        Err(response) => response,
    }
}

async fn open_tenant(State(admin): State<AdminPages>, request: Request) -> Response {
    let (signed_in, form) = match admin.post(request).await {
        Ok(ok) => ok,
        Err(response) => return response,
    };
    let tenant = form.get("tenant").unwrap_or_default().trim().to_owned();
    match validate_tenant_id(&tenant) {
        Ok(()) => redirect(&format!("/admin/tenants/{tenant}/scim")),
        Err(why) => {
            let notice = Notice::error(format!(
                "This is not a tenant id: {why}. Nothing was opened."
            ));
            // Keep what was typed, up to the longest id (a 10 000-character paste is cut).
            let value = tenant.chars().take(80).collect();
            tenants_page(
                &admin,
                &signed_in,
                StatusCode::UNPROCESSABLE_ENTITY,
                notice,
                value,
            )
            .await
        }
    }
}

async fn scim(
    State(admin): State<AdminPages>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
) -> Response {
    let signed_in = match admin.signed_in(&headers) {
        Ok(signed_in) => signed_in,
        Err(response) => return response,
    };
    if let Err(response) = tenant_id(&admin, &signed_in, &tenant) {
        return response;
    }
    let layout = admin.tenant_layout(&signed_in, "SCIM2 Configuration", &tenant, "scim");
    let page = ScimPage::new(layout, &admin.inner.server, &admin.inner.base_url, &tenant);
    render(StatusCode::OK, &page)
}

/// The "API Key Management" page of `tenant` with `notice`, `secret` (shown once) and the
/// form's values.
async fn keys_page(
    admin: &AdminPages,
    signed_in: &SignedIn,
    tenant: &str,
    status: StatusCode,
    flash: Option<Flash>,
    form: Option<(String, Vec<String>)>,
) -> Response {
    let store = match admin.keys() {
        Ok(keys) => keys,
        Err(response) => return response,
    };
    let keys = match store.list(tenant).await {
        Ok(keys) => keys,
        Err(err) => return unavailable(&err.to_string()),
    };
    let (notice, secret) = match flash {
        Some(flash) => (
            Some(Notice {
                ok: flash.ok,
                text: flash.text,
            }),
            flash.secret,
        ),
        None => (None, None),
    };
    let (label, chosen) = form.unzip();
    render(
        status,
        &KeysPage {
            layout: Layout {
                notice,
                ..admin.tenant_layout(signed_in, "API Key Management", tenant, "keys")
            },
            tenant: tenant.to_owned(),
            keys: keys.iter().map(KeyRow::from).collect(),
            secret,
            label: label.unwrap_or_default(),
            scopes: KeysPage::choices(chosen.as_deref()),
            max_label: MAX_LABEL_CHARS,
        },
    )
}

async fn keys(
    State(admin): State<AdminPages>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
) -> Response {
    let signed_in = match admin.signed_in(&headers) {
        Ok(signed_in) => signed_in,
        Err(response) => return response,
    };
    if let Err(response) = tenant_id(&admin, &signed_in, &tenant) {
        return response;
    }
    let flash = admin.inner.sessions.take_flash(&signed_in.token);
    keys_page(&admin, &signed_in, &tenant, StatusCode::OK, flash, None).await
}

fn error_flash(text: String) -> Option<Flash> {
    Some(Flash {
        ok: false,
        text,
        secret: None,
    })
}

async fn create_key(
    State(admin): State<AdminPages>,
    Path(tenant): Path<String>,
    request: Request,
) -> Response {
    let (signed_in, form) = match admin.post(request).await {
        Ok(ok) => ok,
        Err(response) => return response,
    };
    if let Err(response) = tenant_id(&admin, &signed_in, &tenant) {
        return response;
    }
    let label = form.get("label").unwrap_or_default().trim().to_owned();
    let scopes = form.all("scope");
    // Keep what was typed for the form, cut to the longest label allowed.
    let kept = (
        label.chars().take(MAX_LABEL_CHARS).collect::<String>(),
        scopes.clone(),
    );
    let refuse = |text: String| {
        keys_page(
            &admin,
            &signed_in,
            &tenant,
            StatusCode::UNPROCESSABLE_ENTITY,
            error_flash(format!("{text} No key was created.")),
            Some(kept.clone()),
        )
    };
    if label.is_empty() {
        return refuse(
            "Enter a label that says where the key is used (e.g. \"Okta production\").".into(),
        )
        .await;
    }
    let count = label.chars().count();
    if count > MAX_LABEL_CHARS {
        return refuse(format!(
            "The label has {count} characters; a label has at most {MAX_LABEL_CHARS}."
        ))
        .await;
    }
    if scopes.is_empty() {
        return refuse("Choose at least one scope.".into()).await;
    }
    if let Some(unknown) = scopes
        .iter()
        .find(|s| !KNOWN_SCOPES.iter().any(|(known, _)| known == s))
    {
        let shown: String = unknown.chars().take(64).collect();
        let known: Vec<&str> = KNOWN_SCOPES.iter().map(|(name, _)| *name).collect();
        return refuse(format!(
            "Unknown scope {shown:?}: this server knows {}.",
            known.join(", ")
        ))
        .await;
    }
    let store = match admin.keys() {
        Ok(keys) => keys,
        Err(response) => return response,
    };
    match store.create(tenant.as_str(), scopes, label.as_str()).await {
        Ok(key) => {
            admin.inner.sessions.set_flash(
                &signed_in.token,
                Flash {
                    ok: true,
                    text: format!("API key \"{label}\" created."),
                    secret: Some(key.secret),
                },
            );
            redirect(&format!("/admin/tenants/{tenant}/api-keys"))
        }
        Err(ApiKeyError::InvalidLabel(why)) => {
            refuse(format!("The label is not valid: {why}.")).await
        }
        Err(ApiKeyError::InvalidScope(why)) => {
            refuse(format!("The scopes are not valid: {why}.")).await
        }
        Err(ApiKeyError::InvalidTenant(why)) => {
            refuse(format!("The tenant id is not valid: {why}.")).await
        }
        Err(err) => unavailable(&err.to_string()),
    }
}

/// The key `id` of `tenant`, or the page that says there is none.
async fn find_key(
    admin: &AdminPages,
    signed_in: &SignedIn,
    tenant: &str,
    id: &str,
) -> Result<KeyRow, Response> {
    tenant_id(admin, signed_in, tenant)?;
    let keys = admin
        .keys()?
        .list(tenant)
        .await
        .map_err(|e| unavailable(&e.to_string()))?;
    match keys.iter().find(|key| key.id == id) {
        Some(key) => Ok(KeyRow::from(key)),
        None => Err(keys_page(
            admin,
            signed_in,
            tenant,
            StatusCode::NOT_FOUND,
            error_flash(
                "This key does not exist in this tenant or was already revoked. Nothing was changed."
                    .into(),
            ),
            None,
        )
        .await),
    }
}

async fn confirm_revoke(
    State(admin): State<AdminPages>,
    Path((tenant, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let signed_in = match admin.signed_in(&headers) {
        Ok(signed_in) => signed_in,
        Err(response) => return response,
    };
    match find_key(&admin, &signed_in, &tenant, &id).await {
        Ok(key) => render(
            StatusCode::OK,
            &RevokePage {
                layout: admin.tenant_layout(&signed_in, "Revoke an API key", &tenant, "keys"),
                tenant,
                key,
            },
        ),
        Err(response) => response,
    }
}

async fn revoke(
    State(admin): State<AdminPages>,
    Path((tenant, id)): Path<(String, String)>,
    request: Request,
) -> Response {
    let (signed_in, _) = match admin.post(request).await {
        Ok(ok) => ok,
        Err(response) => return response,
    };
    let key = match find_key(&admin, &signed_in, &tenant, &id).await {
        Ok(key) => key,
        Err(response) => return response,
    };
    let store = match admin.keys() {
        Ok(keys) => keys,
        Err(response) => return response,
    };
    match store.revoke(&tenant, &id).await {
        Ok(true) => {
            admin.inner.sessions.set_flash(
                &signed_in.token,
                Flash {
                    ok: true,
                    text: format!(
                        "API key \"{}\" revoked: requests with it are refused from now on.",
                        key.label
                    ),
                    secret: None,
                },
            );
            redirect(&format!("/admin/tenants/{tenant}/api-keys"))
        }
        // Revoked by another request between the look-up and now.
        Ok(false) => {
            keys_page(
                &admin,
                &signed_in,
                &tenant,
                StatusCode::NOT_FOUND,
                error_flash("This key was already revoked. Nothing was changed.".into()),
                None,
            )
            .await
        }
        Err(err) => unavailable(&err.to_string()),
    }
}
