//! The request pipeline: authenticate, rate-limit, route, dispatch, render.
//!
//! Authentication comes first and rate limiting second, so that requests with bad keys
//! are counted in buckets of their own and never spend a tenant's budget.

use std::time::Instant;

use bytes::Bytes;
use http::request::Parts;
use http::{HeaderName, HeaderValue, Method, Request, Response, header};
use tracing::Instrument;
use tracing::field::Empty;

use crate::auth::{Principal, SCIM2_SCOPE};
use crate::error::{SCIM_CONTENT_TYPE, ScimError};
use crate::handlers::{self, Context};
use crate::rate_limit::{RateLimitDecision, RateLimitKey};
use crate::routing::{self, Endpoint};
use crate::server::Inner;
use crate::store::RequestContext;
use crate::wire::{location, media};

/// Handles one request; never panics.
pub(crate) async fn handle(inner: &Inner, request: Request<Bytes>) -> Response<Bytes> {
    let started = Instant::now();
    let (parts, body) = request.into_parts();
    // The path and query are not recorded: filters may carry personal data.
    let span = tracing::info_span!(
        "scim_request",
        method = %parts.method,
        tenant = Empty,
        endpoint = Empty,
        status = Empty,
        duration_us = Empty,
    );
    let mut response = process(inner, &parts, body).instrument(span.clone()).await;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(SCIM_CONTENT_TYPE),
    );
    let status = response.status().as_u16();
    let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
    span.record("status", status);
    span.record("duration_us", micros);
    span.in_scope(|| {
        if response.status().is_server_error() {
            tracing::warn!(status, duration_us = micros, "SCIM request failed");
        } else {
            tracing::debug!(status, duration_us = micros, "SCIM request handled");
        }
    });
    response
}

async fn process(inner: &Inner, parts: &Parts, body: Bytes) -> Response<Bytes> {
    let path = parts.uri.path();
    let Some(tenant) = routing::tenant_of(path) else {
        return ScimError::not_found(format!(
            "no SCIM endpoint at {path}; expected /{{tenant}}/…"
        ))
        .to_response();
    };
    tracing::Span::current().record("tenant", tenant.as_str());

    let principal = match authenticate(inner, parts, &tenant).await {
        Ok(principal) => principal,
        Err(err) => {
            let decision = inner
                .rate_limiter
                .check(&RateLimitKey::Unauthenticated(tenant))
                .await;
            let mut response = if decision.allowed {
                err.to_response()
            } else {
                ScimError::too_many_requests(decision.retry_after_secs).to_response()
            };
            add_rate_limit_headers(&mut response, &decision);
            return response;
        }
    };

    let decision = inner
        .rate_limiter
        .check(&RateLimitKey::Tenant(tenant.clone()))
        .await;
    let mut response = if decision.allowed {
        serve(inner, parts, body, tenant, principal)
            .await
            .unwrap_or_else(|e| e.to_response())
    } else {
        tracing::info!(
            retry_after = decision.retry_after_secs,
            "tenant over its rate limit"
        );
        ScimError::too_many_requests(decision.retry_after_secs).to_response()
    };
    add_rate_limit_headers(&mut response, &decision);
    response
}

/// The principal of the request: the host app's (request extensions) or the bearer
/// token's. `401` without valid credentials, `403` for another tenant or without the
/// SCIM2 scope.
async fn authenticate(inner: &Inner, parts: &Parts, tenant: &str) -> Result<Principal, ScimError> {
    let principal = match parts.extensions.get::<Principal>() {
        Some(principal) => principal.clone(),
        None => {
            let token = bearer_token(parts)?;
            inner
                .authenticator
                .authenticate(token)
                .await?
                .ok_or_else(|| ScimError::unauthorized("the bearer token is not valid"))?
        }
    };
    if principal.tenant != tenant {
        return Err(ScimError::forbidden(
            "the credentials do not belong to this tenant",
        ));
    }
    if !principal.has_scope(SCIM2_SCOPE) {
        return Err(ScimError::forbidden(format!(
            "the credentials lack the {SCIM2_SCOPE} scope"
        )));
    }
    Ok(principal)
}

fn bearer_token(parts: &Parts) -> Result<&str, ScimError> {
    let value = parts
        .headers
        .get(header::AUTHORIZATION)
        .ok_or_else(|| ScimError::unauthorized("an Authorization: Bearer header is required"))?
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
    for (name, value) in [
        ("ratelimit-limit", decision.limit),
        ("ratelimit-remaining", decision.remaining),
        ("ratelimit-reset", decision.reset_secs),
    ] {
        headers.insert(HeaderName::from_static(name), HeaderValue::from(value));
    }
}

/// Routes and serves an authenticated, admitted request.
async fn serve(
    inner: &Inner,
    parts: &Parts,
    body: Bytes,
    tenant: String,
    principal: Principal,
) -> Result<Response<Bytes>, ScimError> {
    let path = parts.uri.path();
    let route = routing::route(&inner.registry, &parts.method, path)?;
    tracing::Span::current().record("endpoint", route.endpoint.name());
    check_body(inner, parts, &route.endpoint, &body)?;
    let segment = path
        .trim_start_matches('/')
        .split('/')
        .next()
        .unwrap_or_default();
    let ctx = Context {
        inner,
        parts,
        base: location::tenant_base(&inner.config, parts, segment),
        store_ctx: RequestContext::new(tenant).with_principal(principal),
    };
    handlers::dispatch(&ctx, route.endpoint, body).await
}

/// `413` for a body over the limit, `415` for a content type that is not JSON.
fn check_body(
    inner: &Inner,
    parts: &Parts,
    endpoint: &Endpoint,
    body: &Bytes,
) -> Result<(), ScimError> {
    let has_body = matches!(parts.method, Method::POST | Method::PUT | Method::PATCH);
    if !has_body {
        return Ok(());
    }
    let limit = match endpoint {
        Endpoint::Bulk => inner.config.bulk_max_payload_bytes,
        _ => inner.config.max_body_bytes,
    };
    if body.len() > limit {
        return Err(ScimError::payload_too_large(format!(
            "the request body is {} bytes; the limit is {limit} bytes",
            body.len()
        )));
    }
    media::check_content_type(&parts.headers)
}

#[cfg(test)]
mod tests;
