//! The request pipeline: route the tenant, authenticate, rate-limit, route the
//! endpoint, read the body, dispatch, render.
//!
//! Everything up to the rate limit works on the request head: no body byte is read for a
//! request that is not authenticated and admitted, so unauthenticated clients cannot make
//! the server hold bodies. Authentication comes before the tenant's rate limit, so that
//! requests with bad keys never spend a tenant's budget; failed authentications are
//! limited by client address and in all.

use std::sync::Arc;
use std::time::Instant;

use bytes::{Buf, Bytes, BytesMut};
use http::request::Parts;
use http::{HeaderName, HeaderValue, Method, Request, Response, header};
use http_body::Body;
use http_body_util::BodyExt;
use tracing::field::Empty;
use tracing::{Instrument, Span};

use crate::auth::{ApiKeyStore, Authenticator, MeResolver, Principal, SCIM2_SCOPE};
use crate::config::ServerConfig;
use crate::error::{SCIM_CONTENT_TYPE, ScimError};
use crate::handlers::{self, Context, RequestBody};
use crate::password::PasswordHasher;
use crate::rate_limit::RateLimiter;
use crate::rate_limit::{RateLimitDecision, RateLimitKey};
use crate::routing::{self, Endpoint};
use crate::schema::registry::SchemaRegistry;
use crate::store::RequestContext;
use crate::store::ResourceStore;
use crate::wire::{ClientAddr, location, media, strict_json};

mod bulk_cost;
mod tenant_slots;

pub(crate) use tenant_slots::TenantSlots;

/// Everything a request is served with; a [`ScimServer`](crate::ScimServer) holds one in an `Arc`.
pub(crate) struct Inner {
    pub(crate) registry: SchemaRegistry,
    pub(crate) store: Arc<dyn ResourceStore>,
    pub(crate) authenticator: Arc<dyn Authenticator>,
    pub(crate) api_keys: Option<ApiKeyStore>,
    pub(crate) rate_limiter: Arc<dyn RateLimiter>,
    pub(crate) me: Option<Arc<dyn MeResolver>>,
    /// Hashes every password a request carries; `None`: passwords are not accepted.
    pub(crate) password_hasher: Option<Arc<dyn PasswordHasher>>,
    pub(crate) config: ServerConfig,
    /// The tenants' shares of concurrent requests.
    pub(crate) slots: TenantSlots,
    /// A number no other server of this process has: what it writes of a stored
    /// document, and keeps with it, is marked with it (see [`crate::resource::Written`]).
    pub(crate) id: u64,
}

impl Inner {
    /// The next server's [`id`](Self::id).
    pub(crate) fn next_id() -> u64 {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    }
}

impl Inner {
    /// `/ServiceProviderConfig` without `meta`.
    pub(crate) fn service_provider_config(&self) -> serde_json::Value {
        self.config
            .service_provider_config(self.password_hasher.is_some())
    }
}

/// Where a request's SCIM path begins.
#[derive(Debug, Clone, Copy)]
struct Target<'a> {
    /// Where the host app mounts the API, as [`location::mount_prefix`] keeps it (`""`
    /// at the root); it goes into the URLs of the response.
    prefix: &'a str,
    /// The rest of the path, from the tenant on: `/{tenant}/…`.
    path: &'a str,
}

impl<'a> Target<'a> {
    /// `mount`: the prefix the request's path begins with; `None`: the path begins at the
    /// tenant, and the prefix for URLs is the [`MountPrefix`](crate::MountPrefix), if any.
    /// `None` when the path is not below `mount`.
    fn of(parts: &'a Parts, mount: Option<&'a str>) -> Option<Self> {
        let full = parts.uri.path();
        let Some(mount) = mount else {
            return Some(Self {
                prefix: location::mount_prefix_of(parts),
                path: full,
            });
        };
        let prefix = location::mount_prefix(mount);
        let path = match full.strip_prefix(prefix)? {
            "" => "/",
            rest if rest.starts_with('/') => rest,
            _ => return None,
        };
        Some(Self { prefix, path })
    }
}

/// Handles one request; never panics. `mount`: see [`Target::of`].
pub(crate) async fn handle<B>(
    inner: &Inner,
    mount: Option<&str>,
    request: Request<B>,
) -> Response<Bytes>
where
    B: Body,
    B::Error: std::fmt::Display,
{
    let started = Instant::now();
    let (parts, body) = request.into_parts();
    // The path and query are not recorded: filters may carry personal data.
    // At `debug`, like tower-http's request spans: a subscriber at `info` creates and
    // formats nothing per request. A failed request's `warn` carries the same fields.
    let span = tracing::debug_span!(
        "scim_request",
        method = %parts.method,
        tenant = Empty,
        endpoint = Empty,
        status = Empty,
        duration_us = Empty,
    );
    let target = Target::of(&parts, mount);
    let mut response = process(inner, &parts, target, body, &span)
        .instrument(span.clone())
        .await;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(SCIM_CONTENT_TYPE),
    );
    // Resources, lists and even errors (which may echo a value) carry personal data:
    // no cache on the way may keep them (RFC 9111 §5.2.2.5).
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    let status = response.status().as_u16();
    let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
    span.record("status", status);
    span.record("duration_us", micros);
    if response.status().is_server_error() {
        let path = target.map_or_else(|| parts.uri.path(), |target| target.path);
        let endpoint = routing::route(&inner.registry, &parts.method, path)
            .map_or("none", |endpoint| endpoint.name());
        tracing::warn!(
            parent: &span,
            method = %parts.method,
            tenant = routing::tenant_of(path).as_deref().unwrap_or("none"),
            endpoint,
            status,
            duration_us = micros,
            "SCIM request failed"
        );
    } else {
        tracing::debug!(parent: &span, status, duration_us = micros, "SCIM request handled");
    }
    response
}

async fn process<B>(
    inner: &Inner,
    parts: &Parts,
    target: Option<Target<'_>>,
    body: B,
    span: &Span,
) -> Response<Bytes>
where
    B: Body,
    B::Error: std::fmt::Display,
{
    let Some((target, tenant)) =
        target.and_then(|target| Some((target, routing::tenant_of(target.path)?)))
    else {
        return ScimError::not_found(format!(
            "no SCIM endpoint at {}; expected /{{tenant}}/…",
            parts.uri.path()
        ))
        .to_response();
    };
    span.record("tenant", tenant.as_str());

    let client = parts.extensions.get::<ClientAddr>().map(|c| c.0);
    if let Some(ip) = client {
        // A client past its failed-authentication budget is refused before its key is
        // looked at: otherwise it could go on guessing and only its misses would be refused.
        let decision = inner
            .rate_limiter
            .check(&RateLimitKey::failed_auth(ip), 0)
            .await;
        if !decision.allowed {
            return refused(&decision);
        }
    }

    let principal = match authenticate(inner, parts, &tenant).await {
        Ok(principal) => principal,
        Err(err) => return failed_authentication(inner, client, err).await,
    };

    let mut decision = inner
        .rate_limiter
        .check(&RateLimitKey::Tenant(tenant.clone()), 1)
        .await;
    if !decision.allowed {
        tracing::info!(
            tenant,
            retry_after = decision.retry_after_secs,
            "tenant over its rate limit"
        );
        return refused(&decision);
    }
    let mut response = serve(inner, parts, target, body, tenant, principal, &mut decision)
        .await
        .unwrap_or_else(|e| e.to_response());
    add_rate_limit_headers(&mut response, &decision);
    response
}

/// `429` with `Retry-After` and the `RateLimit-*` figures of `decision`.
fn refused(decision: &RateLimitDecision) -> Response<Bytes> {
    let mut response = ScimError::too_many_requests(decision.retry_after_secs).to_response();
    add_rate_limit_headers(&mut response, decision);
    response
}

/// Counts a failed authentication against the client and against the server-wide
/// ceiling; answers `err` (`401`/`403`) while both have budget left, `429` otherwise.
async fn failed_authentication(
    inner: &Inner,
    client: Option<std::net::IpAddr>,
    err: ScimError,
) -> Response<Bytes> {
    if let Some(ip) = client {
        let decision = inner
            .rate_limiter
            .check(&RateLimitKey::failed_auth(ip), 1)
            .await;
        if !decision.allowed {
            return refused(&decision);
        }
    }
    let decision = inner
        .rate_limiter
        .check(&RateLimitKey::FailedAuthAll, 1)
        .await;
    if !decision.allowed {
        return refused(&decision);
    }
    err.to_response()
}

/// The principal of the request: the host app's (request extensions) or the bearer
/// token's. `401` without valid credentials (a key of another tenant is answered exactly
/// like an unknown key, so that the answer never confirms that a key exists), `403` for
/// a host principal of another tenant or without the SCIM2 scope.
async fn authenticate(inner: &Inner, parts: &Parts, tenant: &str) -> Result<Principal, ScimError> {
    let principal = match parts.extensions.get::<Principal>() {
        Some(principal) if principal.tenant != tenant => {
            return Err(ScimError::forbidden(
                "the credentials do not belong to this tenant",
            ));
        }
        Some(principal) => principal.clone(),
        None => {
            let token = bearer_token(parts)?;
            inner
                .authenticator
                .authenticate(token)
                .await?
                .filter(|p| p.tenant == tenant)
                .ok_or_else(|| ScimError::unauthorized("the bearer token is not valid"))?
        }
    };
    if !principal.has_scope(SCIM2_SCOPE) {
        return Err(ScimError::forbidden(format!(
            "the credentials lack the {SCIM2_SCOPE} scope"
        )));
    }
    Ok(principal)
}

fn bearer_token(parts: &Parts) -> Result<&str, ScimError> {
    let mut values = parts.headers.get_all(header::AUTHORIZATION).iter();
    let value = values
        .next()
        .ok_or_else(|| ScimError::unauthorized("an Authorization: Bearer header is required"))?;
    if values.next().is_some() {
        return Err(ScimError::unauthorized(
            "the request carries more than one Authorization header",
        ));
    }
    let value = value
        .to_str()
        .map_err(|_| ScimError::unauthorized("the Authorization header is not valid"))?
        .trim();
    let (scheme, token) = value.split_once(' ').unwrap_or((value, ""));
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
        return Err(ScimError::unauthorized(
            "the Authorization header must carry a bearer token",
        ));
    }
    Ok(token)
}

fn add_rate_limit_headers(response: &mut Response<Bytes>, decision: &RateLimitDecision) {
    if decision.limit == 0 {
        return;
    }
    let headers = response.headers_mut();
    // Names made at compile time: `from_static` at run time compares each name with
    // the standard ones first.
    const LIMIT: HeaderName = HeaderName::from_static("ratelimit-limit");
    const REMAINING: HeaderName = HeaderName::from_static("ratelimit-remaining");
    const RESET: HeaderName = HeaderName::from_static("ratelimit-reset");
    for (name, value) in [
        (LIMIT, decision.limit),
        (REMAINING, decision.remaining),
        (RESET, decision.reset_secs),
    ] {
        // One allocation of the digits' size: `HeaderValue::from(u64)` makes two (a
        // spare-capacity buffer, then the shared handle its conversion needs).
        let mut digits = itoa::Buffer::new();
        let digits = digits.format(value);
        if let Ok(value) = HeaderValue::from_str(digits) {
            headers.insert(name, value);
        }
    }
}

/// Routes and serves an authenticated, admitted request: only now is its body read.
async fn serve<B>(
    inner: &Inner,
    parts: &Parts,
    target: Target<'_>,
    body: B,
    tenant: String,
    principal: Principal,
    decision: &mut RateLimitDecision,
) -> Result<Response<Bytes>, ScimError>
where
    B: Body,
    B::Error: std::fmt::Display,
{
    let path = target.path;
    let endpoint = routing::route(&inner.registry, &parts.method, path)?;
    // Runs in the request's span (`handle` instruments it).
    Span::current().record("endpoint", endpoint.name());
    let body = read_body(inner, parts, &endpoint, body).await?;
    // Parsed here, once, with the strict checks; the handler takes the value.
    let json = if body.is_empty() {
        None
    } else {
        Some(strict_json::parse_strict(&body)?)
    };
    let bulk_max_operations = bulk_max_operations(inner, &tenant);
    if endpoint == Endpoint::Bulk {
        // One Bulk is as many requests as it has operations: the first was counted with
        // the request, the others are counted now, all or none.
        // A Bulk over maxOperations is refused by its handler (413) and costs one.
        let operations = bulk_cost::operations(&body);
        let extra = operations.saturating_sub(1);
        if extra > 0 && operations <= bulk_max_operations {
            let cost = u32::try_from(extra).unwrap_or(u32::MAX);
            let bulk = inner
                .rate_limiter
                .check(&RateLimitKey::Tenant(tenant.clone()), cost)
                .await;
            if !bulk.allowed {
                tracing::info!(
                    tenant,
                    operations = extra + 1,
                    "Bulk over the tenant's rate limit"
                );
                *decision = bulk;
                return Err(ScimError::too_many_requests(bulk.retry_after_secs).context(
                    format!(
                        "the Bulk request counts as {} requests against the rate limit of {} per minute; send smaller Bulk requests",
                        extra + 1,
                        bulk.limit
                    ),
                ));
            }
            *decision = bulk;
        }
    }
    // Served in the tenant's share of concurrent requests (waiting, if need be, without
    // holding a thread).
    let _slot = inner
        .slots
        .enter(&tenant, inner.config.tenant_concurrency)
        .await;
    let segment = path
        .trim_start_matches('/')
        .split('/')
        .next()
        .unwrap_or_default();
    let ctx = Context {
        config: &inner.config,
        registry: &inner.registry,
        store: inner.store.as_ref(),
        me: inner.me.as_deref(),
        password_hasher: inner.password_hasher.as_deref(),
        parts,
        base: location::tenant_base(&inner.config, parts, target.prefix, segment),
        store_ctx: RequestContext::new(tenant).with_principal(principal),
        bulk_max_operations,
        writer: inner.id,
    };
    handlers::dispatch(&ctx, endpoint, RequestBody::new(body, json)).await
}

/// `tenant`'s `bulk.maxOperations`: the configured figure, lowered to the tenant's
/// per-minute budget when that is smaller. A Bulk costs one request per operation, so a
/// larger one could never be admitted; advertising and enforcing the lower figure tells
/// a client to split it (`413`) instead of leaving it retrying a `429` forever.
fn bulk_max_operations(inner: &Inner, tenant: &str) -> usize {
    let configured = inner.config.bulk_max_operations;
    match inner.rate_limiter.tenant_limit(tenant) {
        Some(per_minute) if per_minute > 0 => {
            configured.min(usize::try_from(per_minute).unwrap_or(usize::MAX))
        }
        _ => configured,
    }
}

/// The most body bytes `endpoint` accepts.
pub(crate) fn body_limit(config: &ServerConfig, endpoint: &Endpoint<'_>) -> usize {
    match endpoint {
        Endpoint::Bulk => config.bulk_max_payload_bytes,
        _ => config.max_body_bytes,
    }
}

/// Reads the body of a request that carries one: `415` for a content type that is not
/// JSON and `413` past the limit, both before a byte is read when the head tells
/// (`Content-Length`), and `413` as soon as a body without one goes past the limit.
/// Methods without a body have theirs ignored, unread.
async fn read_body<B>(
    inner: &Inner,
    parts: &Parts,
    endpoint: &Endpoint<'_>,
    body: B,
) -> Result<Bytes, ScimError>
where
    B: Body,
    B::Error: std::fmt::Display,
{
    if !matches!(parts.method, Method::POST | Method::PUT | Method::PATCH) {
        return Ok(Bytes::new());
    }
    let limit = body_limit(&inner.config, endpoint);
    let too_large = |size: u64| {
        ScimError::payload_too_large(format!(
            "the request body is {size} bytes or more; the limit is {limit} bytes"
        ))
    };
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let limit_u64 = u64::try_from(limit).unwrap_or(u64::MAX);
    let at_least = declared.unwrap_or(0).max(body.size_hint().lower());
    if at_least > limit_u64 {
        return Err(too_large(at_least));
    }
    media::check_content_type(&parts.headers)?;
    let mut body = std::pin::pin!(body);
    let mut buffer = BytesMut::new();
    while let Some(frame) = body.as_mut().frame().await {
        let frame = frame.map_err(|e| {
            ScimError::invalid_syntax(format!("the request body could not be read: {e}"))
        })?;
        if let Ok(mut data) = frame.into_data() {
            let chunk = data.copy_to_bytes(data.remaining());
            if buffer.len().saturating_add(chunk.len()) > limit {
                let seen = buffer.len().saturating_add(chunk.len());
                return Err(too_large(u64::try_from(seen).unwrap_or(u64::MAX)));
            }
            buffer.extend_from_slice(&chunk);
        }
    }
    Ok(buffer.freeze())
}

#[cfg(test)]
mod tests;
