//! `GET /{type}/{id}` (RFC 7644 §3.4.1), with `If-None-Match` (§3.14): `304` when the
//! client's version is current.

use bytes::Bytes;
use http::header::{ETAG, IF_NONE_MATCH};
use http::{Response, StatusCode};

use super::{Context, empty_response};
use crate::error::ScimError;
use crate::schema::definition::ResourceType;
use crate::wire::etag;

pub(crate) async fn read(
    ctx: &Context<'_>,
    rt: &ResourceType,
    id: &str,
) -> Result<Response<Bytes>, ScimError> {
    let projection = ctx.projection()?;
    let unread = super::unread_derived(rt, &projection);
    let retrieved = ctx
        .store()
        .retrieve(&ctx.store_ctx, rt, id, &unread)
        .await?;
    if ctx.config.etag
        && let Some(condition) = etag::condition(&ctx.parts.headers, &IF_NONE_MATCH)?
        && let version = retrieved.version()
        && condition.matches(version.as_deref().unwrap_or_default())
    {
        let mut response = empty_response(StatusCode::NOT_MODIFIED);
        if let Some(tag) = version.as_deref().and_then(etag::header_value) {
            response.headers_mut().insert(ETAG, tag);
        }
        return Ok(response);
    }
    Ok(ctx.retrieved_response(StatusCode::OK, rt, retrieved, &projection, false))
}
