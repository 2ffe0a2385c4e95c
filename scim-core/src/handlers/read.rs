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
    let resource = ctx.store().get(&ctx.store_ctx, rt, id).await?;
    if ctx.config.etag
        && let Some(condition) = etag::condition(&ctx.parts.headers, &IF_NONE_MATCH)?
        && condition.matches(resource.version().unwrap_or_default())
    {
        let mut response = empty_response(StatusCode::NOT_MODIFIED);
        if let Some(tag) = ctx.etag_header(&resource) {
            response.headers_mut().insert(ETAG, tag);
        }
        return Ok(response);
    }
    Ok(ctx.resource_response(StatusCode::OK, rt, resource, &projection, false))
}
